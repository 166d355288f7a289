"""Bulk operations on a selection: one batch each, undoable with ``crm.undo``.

Set-based where possible: the store changes every selected record with one INSERT into
history and one UPDATE per field, so reassigning 100k contacts costs about what the
hand-written SQL costs.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from crmkit._core._session import Session
from crmkit._core._store import SqlExpr, now_utc
from crmkit._exceptions import ValidationError
from crmkit._normalize._prepare import prepare_values
from crmkit._ops import _owners as owners
from crmkit._ops import _records as records
from crmkit._ops._query import Query
from crmkit._util._config import current_lang
from crmkit._util._messages import kind_noun, message
from crmkit._util._shorten import shorten
from crmkit._util._table_html import Column, table_html
from crmkit.schemas._catalog import table
from crmkit.schemas._display import header
from crmkit.schemas._models import describe_failures, validate

if TYPE_CHECKING:
    from crmkit._formats import ExportResult

__all__ = ["BulkReport"]


@dataclass
class BulkReport:
    """What a bulk operation did.

    Attributes
    ----------
    operation
    ``reassign``, ``update``, ``tag`` ...
    selected
    Records in the selection.
    changed
    Records actually changed.
    skipped
    pandas DataFrame ``id, reason`` of the selected records left as they were.
    batch_id
    The history batch (``None`` when nothing changed); ``crm.undo(batch_id)``.
    details
    Extra numbers (contacts moved by a cascade, per-owner counts ...).
    selection
    The selection acted on, pinned to exactly the records the action acted on
        (chain from it: ``report.selection.export("moved.xlsx")``).
    alerts
    What the duplicate rules with the action "alert" found in the batch
        (:class:`~crmkit.DuplicateAlert`, as ``crm.last_alerts`` right after it): the
        edit is saved, and each alert names the record it now matches.
    """

    operation: str
    kind: str
    selected: int
    changed: int
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["id", "reason"]))
    batch_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    selection: Any = field(default=None, repr=False)
    alerts: list[Any] = field(default_factory=list, repr=False)

    def __repr__(self) -> str:
        head = message(
            "bulk_head",
            operation=self.operation,
            count=self.selected,
            kind=kind_noun(self.kind, self.selected),
            changed=self.changed,
            skipped=len(self.skipped),
        )
        batch = message("batch", batch=self.batch_id) if self.batch_id is not None else ""
        text = f"BulkReport({head}{message('list_sep') + batch if batch else ''})"
        if not self.skipped.empty:
            reasons = self.skipped["reason"].value_counts()
            text += "\n" + "\n".join(
                "  " + message("bulk_skipped", count=n, reason=r) for r, n in reasons.items()
            )
        for key, value in self.details.items():
            text += f"\n  {key}: {value}"
        if self.alerts:
            text += "\n  " + message("bulk_alerts", count=len(self.alerts))
        return text

    def _repr_html_(self) -> str:
        skipped = ""
        if not self.skipped.empty:
            counts = self.skipped["reason"].value_counts().rename("count").reset_index()
            lang = current_lang()
            columns = [
                Column("reason", header("reasons", lang)),
                Column("count", header("count", lang), "integer"),
            ]
            skipped = "<p>Skipped</p>" + table_html(counts, columns, lang=lang)
        return (
            f'<div class="crmkit-bulk-report"><p><strong>{html.escape(self.operation)}</strong>'
            f" on {self.selected:,} {self.kind}: <b>{self.changed:,}</b> changed, "
            f"{len(self.skipped):,} skipped"
            + (f" (batch {self.batch_id})" if self.batch_id is not None else "")
            + (f", {len(self.alerts):,} duplicate alerts (report.alerts)" if self.alerts else "")
            + f"</p>{skipped}</div>"
        )


def _skipped(rows: Sequence[tuple[int, str]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["id", "reason"])


def _run(
    session: Session,
    query: Query,
    operation: str,
    description: str,
    values: dict[str, Any],
    table_name: str | None = None,
) -> tuple[int, int]:
    """Apply ``values`` to the selection in one batch; return (changed, batch id)."""
    sql, params = query.ids_sql()
    with session.batch(operation, description) as batch:
        changed = session.store.set_where_ids(
            table_name or query.kind, sql, params, values, batch, session.user, operation
        )
    return changed, batch


def _finish(session: Session, query: Query, report: BulkReport) -> BulkReport:
    # A batch that changed nothing is dropped, so `crm.batches()` lists real changes only.
    moved = report.details.get("cascade") or report.details.get("cascade_tasks")
    if report.batch_id is not None and report.changed == 0 and not moved:
        session.store.drop_batch_if_empty(report.batch_id)
        report.batch_id = None
    if report.batch_id is not None:
        report.alerts = list(session.last_alerts)
    return report


def _unchanged(
    session: Session, query: Query, changed_ids: set[int] | None, reason: str, selected: list[int]
) -> pd.DataFrame:
    if changed_ids is None:
        return _skipped([])
    return _skipped([(i, reason) for i in selected if i not in changed_ids])


def _changed_ids(
    session: Session, query: Query, batch: int, table_name: str | None = None
) -> set[int]:
    rows = session.con.execute(
        "SELECT DISTINCT record_id FROM history WHERE batch_id = ? AND table_name = ?",
        [batch, table_name or query.kind],
    ).fetchall()
    return {int(r[0]) for r in rows}


def _apply(
    session: Session,
    query: Query,
    operation: str,
    description: str,
    values: dict[str, Any],
    unchanged: str,
) -> BulkReport:
    """Set ``values`` on the selection in one batch; report what changed and what did not.

    ``description`` may use ``{n}`` for the number of selected records.
    """
    ids = query.ids(session.con)
    changed, batch = _run(session, query, operation, description.format(n=len(ids)), values)
    skipped = _unchanged(session, query, _changed_ids(session, query, batch), unchanged, ids)
    return _finish(
        session, query, BulkReport(operation, query.kind, len(ids), changed, skipped, batch)
    )


def _current_values(
    session: Session, query: Query, ids: list[int], fields: list[str]
) -> list[dict[str, Any]]:
    """The stored values of ``fields`` for each id, in the order of ``ids``."""
    rows = session.con.execute(
        f"SELECT id, {', '.join(fields)} FROM {query.kind} "
        f"WHERE id IN (SELECT unnest(?::BIGINT[]))",
        [ids],
    ).fetchall()
    by_id = {int(r[0]): dict(zip(fields, r[1:], strict=True)) for r in rows}
    return [by_id.get(i, {}) for i in ids]


def reassign(
    session: Session,
    query: Query,
    to: Any,
    *,
    cascade: bool = False,
    cascade_tasks: bool = False,
    ids: Sequence[int] | None = None,
) -> BulkReport:
    """Reassign the selection (see :meth:`Selection.reassign`).

    ``ids``: the query's records, when the caller has just read them (not read again).
    """
    targets = to if isinstance(to, list | tuple) else [to]
    if not targets:
        raise ValidationError("reassign needs at least one owner")
    owner_ids = [owners.resolve(session, t) for t in targets]
    inactive = [
        t for t, o in zip(targets, owner_ids, strict=True) if not owners.is_active(session, o)
    ]
    if inactive:
        raise ValidationError(
            f"reassign refused: owner {', '.join(shorten(t) for t in inactive)} is "
            "deactivated; activate it (crm.owners.activate) or choose another owner"
        )
    ids = list(ids) if ids is not None else query.ids(session.con)
    store = session.store
    names = ", ".join(str(t) for t in targets)
    with session.batch("reassign", f"reassign {len(ids)} {query.kind} to {names}") as batch:
        if len(owner_ids) == 1:
            # The ids just read, not the selection's query a third time.
            store.con.register("_crmkit_selected", pa.table({"id": pa.array(ids, pa.int64())}))
            try:
                changed = store.set_where_ids(
                    query.kind,
                    "SELECT id FROM _crmkit_selected",
                    [],
                    {"owner_id": owner_ids[0]},
                    batch,
                    session.user,
                    "reassign",
                )
            finally:
                store.con.unregister("_crmkit_selected")
            plan = None
        else:
            # Round-robin in id order: each owner gets len(ids) / k records, +-1.
            plan = pa.table(
                {
                    "id": pa.array(ids, pa.int64()),
                    "owner_id": pa.array(
                        [owner_ids[i % len(owner_ids)] for i in range(len(ids))], pa.int64()
                    ),
                }
            )
            changed = store.update(query.kind, plan, batch, session.user, "reassign")
        details: dict[str, Any] = {}
        if len(owner_ids) > 1:
            per_owner = pd.Series([owner_ids[i % len(owner_ids)] for i in range(len(ids))])
            details["per owner"] = {
                owners.fetch(session, int(str(o)))["name"]: int(n)
                for o, n in per_owner.value_counts().items()
            }
        if cascade:
            if query.kind != "accounts":
                raise ValidationError("cascade=True applies to accounts (their contacts)")
            mapping = (
                plan
                if plan is not None
                else pa.table(
                    {
                        "id": pa.array(ids, pa.int64()),
                        "owner_id": pa.array([owner_ids[0]] * len(ids), pa.int64()),
                    }
                )
            )
            store.con.register("_crmkit_owner_map", mapping)
            try:
                moves = store.con.sql(
                    "SELECT c.id, m.owner_id FROM contacts c JOIN _crmkit_owner_map m "
                    "ON c.account_id = m.id WHERE c.deleted_at IS NULL AND c.merged_into IS NULL"
                ).to_arrow_table()
            finally:
                store.con.unregister("_crmkit_owner_map")
            moved = store.update("contacts", moves, batch, session.user, "reassign")
            details["cascade"] = f"{moved:,} contacts moved with their accounts"
        if cascade_tasks:
            tasks = _open_tasks_plan(session, query.kind, ids, owner_ids, plan)
            moved_tasks = store.update("activities", tasks, batch, session.user, "reassign")
            details["cascade_tasks"] = f"{moved_tasks:,} open tasks moved with their records"
    # Every selected record changed: none to list as unchanged, no history to read back.
    changed_ids = None if changed == len(ids) else _changed_ids(session, query, batch)
    report = BulkReport(
        "reassign",
        query.kind,
        len(ids),
        changed,
        _unchanged(session, query, changed_ids, "already with that owner", ids),
        batch,
        details,
    )
    return _finish(session, query, report)


def _open_tasks_plan(
    session: Session,
    kind: str,
    ids: Sequence[int],
    owner_ids: Sequence[int],
    plan: pa.Table | None,
) -> pa.Table:
    """``id, owner_id`` of the open tasks of the records, each to its record's new owner."""
    mapping = (
        plan
        if plan is not None
        else pa.table(
            {
                "id": pa.array(list(ids), pa.int64()),
                "owner_id": pa.array([owner_ids[0]] * len(ids), pa.int64()),
            }
        )
    )
    column = "contact_id" if kind == "contacts" else "account_id"
    session.con.register("_crmkit_task_owner_map", mapping)
    try:
        return session.con.sql(
            f"SELECT t.id, m.owner_id FROM activities t JOIN _crmkit_task_owner_map m "
            f"ON t.{column} = m.id WHERE t.kind = 'task' AND t.status = 'open' "
            "AND NOT coalesce(t.deleted, FALSE) ORDER BY t.id"
        ).to_arrow_table()
    finally:
        session.con.unregister("_crmkit_task_owner_map")


def update(session: Session, query: Query, fields: dict[str, Any]) -> BulkReport:
    """Set fields on the selection, validated like a form save."""
    tbl = table(query.kind)
    if not fields:
        raise ValidationError("update needs at least one field")
    values = records.values_from_keywords(session, query.kind, fields)
    values = prepare_values(
        tbl,
        {k: v for k, v in values.items() if k in tbl},
        region=session.settings.default_region,
        sectors=session.settings.sectors,
    )
    frame = pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in values.items()})
    required = [r for r in session.settings.required_fields(query.kind) if r in values]
    report = validate(frame, query.kind, required=required, sectors=session.settings.sectors.values)
    if not report.ok:
        why = describe_failures(report.errors, kind=query.kind, rows=False)  # one set of values
        raise ValidationError(message("update_refused", why=why), report.errors)
    refs = [f.name for f in tbl.by_kind("ref") if values.get(f.name) is not None]
    if refs:
        ids = query.ids(session.con)
        current = _current_values(session, query, ids, refs)
        records.check_references(session, query.kind, [values] * len(ids), list(ids), current)
    return _apply(
        session,
        query,
        "update",
        f"set {', '.join(values)} on {{n}} {query.kind}",
        values,
        "already had these values",
    )


def tag(session: Session, query: Query, tags: Sequence[str], *, add: bool) -> BulkReport:
    """Add or remove tags on the selection."""
    from crmkit import _normalize as norm

    wanted = norm.split_list(list(tags))
    if not wanted:
        raise ValidationError("give at least one tag")
    current = "coalesce(t.tags, [])"
    if add:
        expr = SqlExpr(
            f"list_concat({current}, list_filter(?::VARCHAR[], "
            f"lambda x: NOT list_contains({current}, x)))",
            (wanted,),
        )
    else:
        expr = SqlExpr(
            "CASE WHEN t.tags IS NULL THEN NULL ELSE list_filter(t.tags, "
            "lambda x: NOT list_contains(?::VARCHAR[], x)) END",
            (wanted,),
        )
    operation = "tag" if add else "untag"
    reason = "already tagged" if add else "did not have these tags"
    return _apply(
        session, query, operation, f"{operation} {', '.join(wanted)}", {"tags": expr}, reason
    )


def set_active(session: Session, query: Query, active: bool) -> BulkReport:
    """Contacts: active flag; accounts: archived flag."""
    if query.kind == "contacts":
        values: dict[str, Any] = {"active": active}
        reason = "already active" if active else "already inactive"
    else:
        values = {"archived": not active}
        reason = "not archived" if active else "already archived"
    operation = "activate" if active else "deactivate"
    return _apply(session, query, operation, f"{operation} {{n}} {query.kind}", values, reason)


def delete(session: Session, query: Query) -> BulkReport:
    """Soft-delete what can go; report what is still used elsewhere."""
    ids = query.ids(session.con)
    con = session.con
    blocked: dict[int, str] = {}
    if query.kind == "accounts":
        checks = [
            (
                "SELECT account_id, count(*) FROM contacts WHERE deleted_at IS NULL AND "
                "merged_into IS NULL AND account_id IN (SELECT unnest(?::BIGINT[])) GROUP BY 1",
                "still has {n} contacts",
            ),
            (
                "SELECT parent_id, count(*) FROM accounts WHERE deleted_at IS NULL AND "
                "merged_into IS NULL AND parent_id IN (SELECT unnest(?::BIGINT[])) "
                "AND id NOT IN (SELECT unnest(?::BIGINT[])) GROUP BY 1",
                "is the parent of {n} accounts",
            ),
        ]
    else:
        checks = [
            (
                "SELECT reports_to_id, count(*) FROM contacts WHERE deleted_at IS NULL AND "
                "merged_into IS NULL AND reports_to_id IN (SELECT unnest(?::BIGINT[])) "
                "AND id NOT IN (SELECT unnest(?::BIGINT[])) GROUP BY 1",
                "{n} contacts report to them",
            ),
        ]
    checks.append(
        (
            f"SELECT {query.kind[:-1]}_id, count(*) FROM activities WHERE NOT "
            f"coalesce(deleted, FALSE) AND {query.kind[:-1]}_id IN (SELECT unnest(?::BIGINT[])) "
            "GROUP BY 1",
            "has {n} activities",
        )
    )
    for sql, reason in checks:
        params: list[Any] = [ids] * sql.count("?")
        for record_id, n in con.execute(sql, params).fetchall():
            blocked.setdefault(int(record_id), reason.format(n=n))
    deletable = [i for i in ids if i not in blocked]
    changed = 0
    batch: int | None = None
    if deletable:
        with session.batch("delete", f"delete {len(deletable)} {query.kind}") as batch:
            changed = session.store.set_where_ids(
                query.kind,
                "SELECT unnest(?::BIGINT[]) AS id",
                [deletable],
                {"deleted_at": now_utc()},
                batch,
                session.user,
                "delete",
            )
    skipped = _skipped([(i, f"in use: {r}") for i, r in blocked.items()])
    return _finish(
        session, query, BulkReport("delete", query.kind, len(ids), changed, skipped, batch)
    )


def _contacts_only(session: Session, query: Query, operation: str) -> None:
    if query.kind != "contacts":
        raise ValidationError(f"{operation} applies to contacts")


def subscribe(session: Session, query: Query, list_name: str) -> BulkReport:
    """Subscribe eligible contacts to a mailing list, recording since when.

    Eligible: an email, no opt-out, not yet subscribed, and (unless
    ``crm.settings.require_email_basis`` is off) a legal basis for email.
    """
    _contacts_only(session, query, "subscribe")
    name = str(list_name).strip()
    if not name:
        raise ValidationError("a mailing list needs a name")
    sql, params = query.sql(["id", "email", "email_opt_out", "email_basis"])
    rows = session.con.execute(
        f"SELECT s.id, s.email, s.email_opt_out, s.email_basis, sub.id FROM ({sql}) s LEFT JOIN "
        f"subscriptions sub ON sub.contact_id = s.id AND sub.list_name = ? "
        f"AND sub.unsubscribed_at IS NULL",
        [*params, name],
    ).fetchall()
    need_basis = session.settings.require_email_basis
    skipped: list[tuple[int, str]] = []
    eligible: list[int] = []
    for contact_id, email, opted_out, basis, existing in rows:
        if not email:
            skipped.append((int(contact_id), "no email"))
        elif opted_out:
            skipped.append((int(contact_id), "opted out of email"))
        elif need_basis and not basis:
            skipped.append((int(contact_id), "no legal basis for email"))
        elif existing is not None:
            skipped.append((int(contact_id), "already subscribed"))
        else:
            eligible.append(int(contact_id))
    batch: int | None = None
    if eligible:
        stamp = now_utc()
        with session.batch("subscribe", f"subscribe {len(eligible)} contacts to {name}") as batch:
            session.store.insert(
                "subscriptions",
                pa.table(
                    {
                        "contact_id": pa.array(eligible, pa.int64()),
                        "list_name": pa.array([name] * len(eligible), pa.string()),
                        "subscribed_at": pa.array([stamp] * len(eligible), pa.timestamp("us")),
                    }
                ),
                batch,
                session.user,
            )
    return BulkReport(
        "subscribe", query.kind, len(rows), len(eligible), _skipped(skipped), batch, {"list": name}
    )


def unsubscribe(session: Session, query: Query, list_name: str) -> BulkReport:
    """End the selection's active subscriptions to a list."""
    _contacts_only(session, query, "unsubscribe")
    sql, params = query.ids_sql()
    rows = session.con.execute(
        f"SELECT s.id, sub.id FROM ({sql}) s LEFT JOIN subscriptions sub ON "
        f"sub.contact_id = s.id AND sub.list_name = ? AND sub.unsubscribed_at IS NULL",
        [*params, list_name],
    ).fetchall()
    active = [int(r[1]) for r in rows if r[1] is not None]
    skipped = [(int(r[0]), "not subscribed") for r in rows if r[1] is None]
    batch: int | None = None
    if active:
        with session.batch("unsubscribe", f"unsubscribe {len(active)} from {list_name}") as batch:
            session.store.set_where_ids(
                "subscriptions",
                "SELECT unnest(?::BIGINT[]) AS id",
                [active],
                {"unsubscribed_at": now_utc()},
                batch,
                session.user,
                "unsubscribe",
            )
    return BulkReport(
        "unsubscribe",
        query.kind,
        len({r[0] for r in rows}),
        len(active),
        _skipped(skipped),
        batch,
        {"list": list_name},
    )


def export_vcf(
    session: Session, query: Query, path: str | Path, *, version: str = "3.0", zip: bool = False
) -> ExportResult:
    """Write the selected contacts as vCards (see :meth:`Selection.export_vcf`)."""
    from crmkit._formats import export_vcards
    from crmkit._formats._vcard_write import CHUNK_CARDS
    from crmkit._ops._pages import read_pages

    _contacts_only(session, query, "export_vcf")
    fields = [
        f.name
        for f in table("contacts")
        if f.editable and f.name not in ("account_id", "owner_id", "reports_to_id")
    ]
    if version not in ("3.0", "4.0"):
        raise ValidationError(f"vCard version must be '3.0' or '4.0', got {version!r}")
    # Streamed: read in pages, and a chunk of records at a time becomes Python values,
    # so memory does not grow with the number of contacts.
    reader = read_pages(session.con, query, [*fields, "company"], batch_rows=CHUNK_CARDS)
    names = ["org" if c == "company" else c for c in reader.schema.names]
    records: Iterator[dict[str, Any]] = (
        record for batch in reader for record in batch.rename_columns(names).to_pylist()
    )
    custom = [f.name for f in table("contacts").custom]
    if custom:  # as X-CRMKIT-<NAME> properties
        from crmkit._formats._vcard_custom import fields_to_properties

        records = fields_to_properties(records, custom)
    return export_vcards(records, path, version=version, zip=zip)  # type: ignore[arg-type]
