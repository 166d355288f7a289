"""A stateful property test: random sequences of operations against a real CRM.

Hypothesis drives add, update, import (CSV files written and read back), merge,
reassign, tag, delete and undo in random orders, and after every step checks what crmkit
guarantees, whatever happened before:

- **no dangling reference**: every account, owner, parent, reports_to, team and
  merged_into id points at a row that exists, and a live record's account, parent and
  reports_to point at live records;
- **no cycle** of parents or of reports_to;
- **history explains every change**: the database after a step equals the database
  before it with the history rows written by the step applied, and nothing else;
- **no silent owner change**: a record changes owner only in an operation that named an
  owner (add, update with ``owner``, reassign, an import with an owner column) or that
  re-points records (a merge, an undo);
- **exact undo**: undoing the last batch gives back the database as it was before it;
- a refused operation (a :class:`crmkit.CRMKitError`) changes nothing, and nothing else
  may be raised.

These are the guarantees listed in the README ("What crmkit guarantees"). A failure
prints the steps that led to it (shrunk) and the blob to replay it.
"""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from hypothesis_profiles import examples, steps

import crmkit as ck
from crmkit._core._integrity import KEEPS_OWNER

# Small pools, so that operations collide: the same people, companies and owners again.
FIRST = ["Marc", "Léa", "Paul", "Hélène", "Wei"]
LAST = ["Dupont", "Durand", "Martin", "Blou", "Zhang"]
COMPANIES = ["APROOL", "Northwind", "Zenith SA", "Li Ning 有限公司"]
OWNERS = ["Nicole Bertrand", "Marc Durand", "Zoé Martin"]
SECTORS = ["Software", "Retail", "Banking"]
JOBS = ["CEO", "Chef de projet", "Acheteur", None]
EMAILS = [f"{p}@example.com" for p in ("marc", "lea", "paul", "helene", "wei")]

SNAPSHOT_TABLES = ("owners", "accounts", "contacts", "subscriptions")
REFERENCES = [  # (table, field, target) for "points at a row that exists"
    ("accounts", "owner_id", "owners"),
    ("accounts", "parent_id", "accounts"),
    ("accounts", "merged_into", "accounts"),
    ("contacts", "owner_id", "owners"),
    ("contacts", "account_id", "accounts"),
    ("contacts", "reports_to_id", "contacts"),
    ("contacts", "merged_into", "contacts"),
    ("owners", "team_id", "owners"),
    ("subscriptions", "contact_id", "contacts"),
]
LIVE_REFERENCES = [  # a live record's reference must point at a live record
    ("accounts", "parent_id", "accounts"),
    ("contacts", "account_id", "accounts"),
    ("contacts", "reports_to_id", "contacts"),
]
# Columns a change may touch without history of its own (stamps of the change itself).
STAMPS = {"updated_at", "updated_by"}

Snapshot = dict[str, dict[int, dict[str, str | None]]]


def snapshot(crm: ck.CRM) -> Snapshot:
    """Every row of the record tables, each value as DuckDB's JSON text (as history has it)."""
    con = crm.connection
    out: Snapshot = {}
    for name in SNAPSHOT_TABLES:
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "AND table_schema = 'main' ORDER BY ordinal_position",
                [name],
            ).fetchall()
        ]
        select = ", ".join(f"to_json({c})::VARCHAR" for c in cols)
        rows = con.execute(f"SELECT id, {select} FROM {name}").fetchall()
        out[name] = {int(r[0]): dict(zip(cols, r[1:], strict=True)) for r in rows}
    return out


def without_stamps(snap: Snapshot) -> Snapshot:
    return {
        t: {i: {k: v for k, v in row.items() if k not in STAMPS} for i, row in rows.items()}
        for t, rows in snap.items()
    }


def replay(before: Snapshot, after: Snapshot, history: list[tuple[Any, ...]]) -> Snapshot:
    """``before`` with ``history`` rows applied; inserted rows are taken from ``after``."""
    state = {t: {i: dict(row) for i, row in rows.items()} for t, rows in before.items()}
    for operation, table_name, record_id, field, new_value in history:
        if table_name not in state:
            continue
        rows = state[table_name]
        if field is None and operation == "delete":
            rows.pop(record_id, None)
        elif field is None:  # an insert (or a deleted record put back)
            assert record_id in after[table_name], f"{table_name} {record_id} inserted, not there"
            rows[record_id] = dict(after[table_name][record_id])
        else:
            assert record_id in rows, f"history changes {table_name} {record_id}, not there"
            rows[record_id][field] = None if new_value is None else _json(new_value)
    return state


def _json(text: str) -> str:
    # history keeps to_json() text; compare decoded-and-re-encoded so spacing never matters
    return json.dumps(json.loads(text), sort_keys=True)


def difference(a: Snapshot, b: Snapshot) -> str:
    """The first few differences between two snapshots, for a failure message."""
    out: list[str] = []
    for table_name in sorted(set(a) | set(b)):
        rows_a, rows_b = a.get(table_name, {}), b.get(table_name, {})
        for record_id in sorted(set(rows_a) | set(rows_b)):
            ra, rb = rows_a.get(record_id), rows_b.get(record_id)
            if ra != rb:
                if ra is None or rb is None:
                    out.append(f"{table_name} {record_id}: {ra} != {rb}")
                else:
                    diff = {k: (ra.get(k), rb.get(k)) for k in ra if ra.get(k) != rb.get(k)}
                    out.append(f"{table_name} {record_id}: {diff}")
    return "; ".join(out[:5])


def _normal(snap: Snapshot) -> Snapshot:
    return {
        t: {
            i: {k: (None if v is None else _json(v)) for k, v in row.items() if k not in STAMPS}
            for i, row in rows.items()
        }
        for t, rows in snap.items()
    }


class CRMMachine(RuleBasedStateMachine):
    """Random operations on one CRM; the invariants below hold after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="crmkit-stateful-"))
        self.crm = ck.open(user="Nicole Bertrand")
        self.files = 0
        self.before: Snapshot = {}
        self.last_history = 0
        # batch id -> snapshot before it, for exact-undo checks of the newest batch
        self.undo_stack: list[tuple[int, Snapshot]] = []
        self.owner_may_change: bool = True
        # The fields of the contacts' blocking duplicate rule, if one is defined.
        self.blocking: tuple[str, ...] = ()

    # -- plumbing ---------------------------------------------------------------------

    def teardown(self) -> None:
        self.crm.close()

    @initialize()
    def start(self) -> None:
        for name in OWNERS:
            self.crm.owners.add(name, email=f"{name.split()[0].lower()}@crm.example")
        self.before = snapshot(self.crm)
        self.last_history = self._history_count()
        self.undo_stack = []

    def _history_count(self) -> int:
        return int(self.crm.connection.execute("SELECT count(*) FROM history").fetchall()[0][0])

    def _ids(self, table_name: str, live: bool = True) -> list[int]:
        cond = "WHERE deleted_at IS NULL AND merged_into IS NULL" if live else ""
        rows = self.crm.connection.execute(f"SELECT id FROM {table_name} {cond} ORDER BY id")
        return [int(r[0]) for r in rows.fetchall()]

    def _newest_batch(self) -> int | None:
        rows = self.crm.connection.execute("SELECT max(id) FROM batches").fetchall()
        return None if rows[0][0] is None else int(rows[0][0])

    def _do(self, action: Any, *, names_owner: bool) -> Any:
        """Run one operation; a refusal must be a CRMKitError and leave no trace."""
        self.owner_may_change = names_owner
        newest = self._newest_batch()
        before = snapshot(self.crm)
        try:
            result = action()
        except ck.CRMKitError:
            assert without_stamps(snapshot(self.crm)) == without_stamps(before), (
                "a refused operation changed data"
            )
            return None
        created = self._newest_batch()
        if created is not None and created != newest:
            self.undo_stack.append((created, before))
        return result

    def _pick(self, data: st.DataObject, values: list[Any]) -> Any:
        return data.draw(st.sampled_from(values)) if values else None

    # -- rules: records ---------------------------------------------------------------

    @rule(
        name=st.sampled_from(COMPANIES),
        sector=st.sampled_from([*SECTORS, None]),
        owner=st.sampled_from([*OWNERS, None]),
        data=st.data(),
    )
    def add_account(self, name: str, sector: str | None, owner: str | None, data: Any) -> None:
        parent = self._pick(data, [None, *self._ids("accounts")])
        fields: dict[str, Any] = {"name": name, "sector": sector, "parent_id": parent}
        if owner is not None:
            fields["owner"] = owner
        self._do(lambda: self.crm.accounts.add(**fields), names_owner=True)

    @rule(
        first=st.sampled_from(FIRST),
        last=st.sampled_from(LAST),
        email=st.sampled_from([*EMAILS, None]),
        job=st.sampled_from(JOBS),
        owner=st.sampled_from([*OWNERS, None]),
        data=st.data(),
    )
    def add_contact(
        self,
        first: str,
        last: str,
        email: str | None,
        job: str | None,
        owner: str | None,
        data: Any,
    ) -> None:
        fields: dict[str, Any] = {"first_name": first, "last_name": last, "email": email}
        fields["job_title"] = job
        fields["account_id"] = self._pick(data, [None, *self._ids("accounts")])
        fields["reports_to_id"] = self._pick(data, [None, *self._ids("contacts")])
        if owner is not None:
            fields["owner"] = owner
        added = self._do(lambda: self.crm.contacts.add(**fields), names_owner=True)
        if added is not None and self.blocking:
            # A blocking rule let the record in: no other live contact matches it.
            matches = self._live_matches(added, self.blocking)
            assert not matches, f"contact {added} matches {matches} under a blocking rule"

    def _live_matches(self, record_id: int, fields: tuple[str, ...]) -> list[int]:
        same = " AND ".join(
            f"lower(o.{f}) = lower(n.{f}) AND n.{f} IS NOT NULL AND n.{f} <> ''" for f in fields
        )
        rows = self.crm.connection.execute(
            f"SELECT o.id FROM contacts o, contacts n WHERE n.id = ? AND o.id <> n.id "
            f"AND o.deleted_at IS NULL AND o.merged_into IS NULL AND o.active AND {same}",
            [record_id],
        ).fetchall()
        return [int(r[0]) for r in rows]

    @rule(
        action=st.sampled_from(["alert", "block", "allow"]),
        fields=st.sampled_from([("email",), ("first_name", "last_name")]),
    )
    def set_duplicate_rule(self, action: str, fields: tuple[str, ...]) -> None:
        # Rules are settings, not records: no batch, no history, nothing to undo.
        self.crm.settings.duplicate_rule(
            "contacts", "stateful", list(fields), on_create=action, on_update=action
        )
        self.blocking = fields if action == "block" else ()

    @precondition(lambda self: bool(self._ids("contacts")))
    @rule(data=st.data())
    def update_contact(self, data: Any) -> None:
        cid = self._pick(data, self._ids("contacts"))
        choice = data.draw(st.sampled_from(["job", "mobile", "owner", "reports_to", "account"]))
        fields: dict[str, Any] = {}
        if choice == "job":
            fields["job_title"] = data.draw(st.sampled_from(JOBS))
        elif choice == "mobile":
            fields["mobile"] = data.draw(st.sampled_from(["06 25 34 12 57", "0612345678", None]))
        elif choice == "owner":
            fields["owner"] = data.draw(st.sampled_from(OWNERS))
        elif choice == "reports_to":
            fields["reports_to_id"] = self._pick(data, [None, *self._ids("contacts")])
        else:
            fields["account_id"] = self._pick(data, [None, *self._ids("accounts")])
        self._do(lambda: self.crm.contacts.update(cid, **fields), names_owner=choice == "owner")

    @precondition(lambda self: bool(self._ids("accounts")))
    @rule(data=st.data())
    def update_account(self, data: Any) -> None:
        aid = self._pick(data, self._ids("accounts"))
        choice = data.draw(st.sampled_from(["parent", "sector", "owner"]))
        if choice == "parent":
            fields: dict[str, Any] = {"parent_id": self._pick(data, [None, *self._ids("accounts")])}
        elif choice == "sector":
            fields = {"sector": data.draw(st.sampled_from(SECTORS))}
        else:
            fields = {"owner": data.draw(st.sampled_from(OWNERS))}
        self._do(lambda: self.crm.accounts.update(aid, **fields), names_owner=choice == "owner")

    @rule(owner=st.sampled_from(OWNERS), active=st.booleans())
    def set_owner_active(self, owner: str, active: bool) -> None:
        verb = self.crm.owners.activate if active else self.crm.owners.deactivate
        self._do(lambda: verb(owner), names_owner=False)

    # -- rules: imports -----------------------------------------------------------------

    def _write_csv(self, header: list[str], rows: list[list[Any]]) -> Path:
        self.files += 1
        path = self.tmp / f"import_{self.files}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows([["" if v is None else v for v in r] for r in rows])
        return path

    @rule(
        rows=st.lists(
            st.tuples(
                st.sampled_from(FIRST),
                st.sampled_from(LAST),
                st.sampled_from([*EMAILS, None]),
                st.sampled_from(JOBS),
                st.sampled_from([*COMPANIES, None]),
                st.sampled_from([*OWNERS, None]),
                st.sampled_from([None, "u-1", "u-2"]),
            ),
            min_size=1,
            max_size=4,
        ),
        with_owner=st.booleans(),
        with_uid=st.booleans(),
        mode=st.sampled_from(["upsert", "create", "update"]),
    )
    def import_contacts(
        self, rows: list[tuple[Any, ...]], with_owner: bool, with_uid: bool, mode: str
    ) -> None:
        header = ["Prénom", "Nom", "E-mail", "Fonction", "Société"]
        if with_owner:
            header.append("Affecté à")
        if with_uid:
            header.append("UID")
        body = []
        for first, last, email, job, company, owner, uid in rows:
            row = [first, last, email, job, company]
            if with_owner:
                row.append(owner)
            if with_uid:
                row.append(uid)
            body.append(row)
        path = self._write_csv(header, body)
        self._do(
            lambda: self.crm.import_file(
                path, "contacts", mode=mode, create_accounts=True, progress=False
            ),
            names_owner=with_owner,
        )

    @rule(
        rows=st.lists(
            st.tuples(
                st.sampled_from(COMPANIES),
                st.sampled_from([*COMPANIES, None]),
                st.sampled_from([*SECTORS, None]),
            ),
            min_size=1,
            max_size=4,
        )
    )
    def import_accounts(self, rows: list[tuple[Any, ...]]) -> None:
        path = self._write_csv(["Account Name", "Parent Account", "Industry"], list(rows))
        self._do(lambda: self.crm.import_file(path, "accounts", progress=False), names_owner=False)

    # -- rules: bulk, merge, delete -----------------------------------------------------

    @rule(source=st.sampled_from(OWNERS), to=st.sampled_from(OWNERS))
    def reassign(self, source: str, to: str) -> None:
        self._do(lambda: self.crm.contacts.filter(owner=source).reassign(to=to), names_owner=True)

    @rule(kind=st.sampled_from(["accounts", "contacts"]), tag=st.sampled_from(["vip", "salon"]))
    def tag_all(self, kind: str, tag: str) -> None:
        records = self.crm.accounts if kind == "accounts" else self.crm.contacts
        self._do(lambda: records.all().tag(tag), names_owner=False)

    @precondition(lambda self: len(self._ids("contacts")) >= 2)
    @rule(data=st.data(), kind=st.sampled_from(["accounts", "contacts"]))
    def merge(self, data: Any, kind: str) -> None:
        ids = self._ids(kind)
        if len(ids) < 2:
            return
        group = data.draw(st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True))
        records = self.crm.accounts if kind == "accounts" else self.crm.contacts
        self._do(lambda: records.merge(group), names_owner=True)

    @rule(
        data=st.data(),
        kind=st.sampled_from(["accounts", "contacts"]),
        force=st.booleans(),
        hard=st.booleans(),
    )
    def delete(self, data: Any, kind: str, force: bool, hard: bool) -> None:
        ids = self._ids(kind)
        if not ids:
            return
        record_id = data.draw(st.sampled_from(ids))
        records = self.crm.accounts if kind == "accounts" else self.crm.contacts
        self._do(lambda: records.delete(record_id, force=force, hard=hard), names_owner=False)

    # -- rules: undo ----------------------------------------------------------------------

    @precondition(lambda self: bool(self.undo_stack))
    @rule()
    def undo_last(self) -> None:
        batch, before = self.undo_stack.pop()
        self.owner_may_change = True
        try:
            self.crm.undo(batch)
        except ck.UndoError:
            return  # refused with a reason (a later change outside this stack)
        # The newest batch undone: the database is exactly what it was before it.
        now = _normal(snapshot(self.crm))
        assert now == _normal(before), (
            f"undo of {batch} not exact: {difference(now, _normal(before))}"
        )

    @rule(data=st.data())
    def undo_any(self, data: Any) -> None:
        rows = self.crm.connection.execute(
            "SELECT id FROM batches WHERE undone_by IS NULL ORDER BY id"
        ).fetchall()
        if not rows:
            return
        batch = int(data.draw(st.sampled_from([r[0] for r in rows])))
        depth = len(self.undo_stack)
        self._do(lambda: self.crm.undo(batch), names_owner=True)
        # Undoing a batch out of order: the snapshots taken before later batches no longer
        # describe "the database without them"; only this undo itself can be checked.
        self.undo_stack = self.undo_stack[depth:]

    # -- invariants -----------------------------------------------------------------------

    @invariant()
    def references_point_at_rows(self) -> None:
        con = self.crm.connection
        for table_name, field, target in REFERENCES:
            bad = con.execute(
                f"SELECT s.id, s.{field} FROM {table_name} s LEFT JOIN {target} t "
                f"ON t.id = s.{field} WHERE s.{field} IS NOT NULL AND t.id IS NULL"
            ).fetchall()
            assert not bad, f"{table_name}.{field} points at missing {target}: {bad}"
        for table_name, field, target in LIVE_REFERENCES:
            bad = con.execute(
                f"SELECT s.id, s.{field} FROM {table_name} s JOIN {target} t "
                f"ON t.id = s.{field} WHERE s.deleted_at IS NULL AND s.merged_into IS NULL "
                f"AND (t.deleted_at IS NOT NULL OR t.merged_into IS NOT NULL)"
            ).fetchall()
            assert not bad, f"live {table_name}.{field} points at a removed {target}: {bad}"

    @invariant()
    def no_cycles(self) -> None:
        con = self.crm.connection
        for table_name, field in (("accounts", "parent_id"), ("contacts", "reports_to_id")):
            up = dict(
                con.execute(
                    f"SELECT id, {field} FROM {table_name} WHERE {field} IS NOT NULL"
                ).fetchall()
            )
            for start in up:
                seen = {start}
                node = up.get(start)
                while node is not None:
                    assert node not in seen, f"{table_name}.{field} cycle through {start}"
                    seen.add(node)
                    node = up.get(node)

    @invariant()
    def history_explains_every_change(self) -> None:
        after = snapshot(self.crm)
        rows_with_batch = self.crm.connection.execute(
            "SELECT h.operation, h.table_name, h.record_id, h.field, h.new_value::VARCHAR, "
            "b.operation FROM history h JOIN batches b ON b.id = h.batch_id "
            "ORDER BY h.rowid OFFSET ?",
            [self.last_history],
        ).fetchall()
        rows = [row[:5] for row in rows_with_batch]
        expected = replay(self.before, after, rows)
        gap = difference(_normal(expected), _normal(after))
        assert not gap, f"a change without history (or the reverse): {gap}"
        if not self.owner_may_change:
            for table_name in ("accounts", "contacts"):
                for record_id, row in self.before.get(table_name, {}).items():
                    now = after[table_name].get(record_id)
                    if now is not None:
                        assert now["owner_id"] == row["owner_id"], (
                            f"{table_name} {record_id} changed owner in an operation that "
                            f"named no owner"
                        )
        active = {i for i, row in after["owners"].items() if row["active"] == "true"}
        for operation, table_name, record_id, field, new_value, batch_operation in rows_with_batch:
            # An undo gives records back the owner they had (a record it puts back is an
            # 'insert' row of the undo batch); a merge keeps an owner a record had.
            if batch_operation in KEEPS_OWNER or table_name not in ("accounts", "contacts"):
                continue
            if field is None and operation == "insert":
                owner = after[table_name].get(record_id, {}).get("owner_id")
            elif field == "owner_id":
                owner = new_value
            else:
                continue
            assert owner in (None, "null") or int(owner) in active, (
                f"{operation} gave {table_name} {record_id} to deactivated owner {owner}"
            )
        self.before = after
        self.last_history += len(rows)


CRMMachine.TestCase.settings = settings(
    max_examples=examples(25), stateful_step_count=steps(20), deadline=None
)
TestCRMStateMachine = CRMMachine.TestCase
