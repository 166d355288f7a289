"""The records API: ``crm.owners``, ``crm.accounts`` and ``crm.contacts``.

Every method that changes data opens one batch, validates with the same rules as the
pandera models, and lets the store write the change and its history in one transaction.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
import polars as pl
import pyarrow as pa

from crmkit._core._integrity import cycle_path, links, owner_states
from crmkit._core._store import arrow_type, first, whole_id
from crmkit._exceptions import (
    ParentCycleError,
    RecordInUseError,
    RecordNotFoundError,
    UnknownValueError,
    ValidationError,
)
from crmkit._normalize._prepare import prepare_values
from crmkit._util._shorten import shorten
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import ACCOUNTS, CONTACTS, Table
from crmkit.schemas._models import describe_failures, validate
from crmkit.schemas._vocab import fold

if TYPE_CHECKING:
    from pathlib import Path

    from crmkit._api._crm import CRM
    from crmkit._api._duplicates import Duplicates
    from crmkit._api._selection import Selection
    from crmkit._dedupe._engine import DuplicateReport
    from crmkit._formats._export import ExportResult
    from crmkit._ops._merge import MergeReport
    from crmkit._ops._summary import Summary

__all__ = ["Accounts", "Contacts", "Owners", "Record"]


class Record(Mapping[str, Any]):
    """One stored record: a read-only mapping of field to value, also readable as attributes.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> rec = crm.accounts.get(crm.accounts.add(name="APROOL"))
    >>> rec["name"], rec.name
    ('APROOL', 'APROOL')
    >>> crm.close()
    """

    def __init__(self, tbl: Table | None, data: Mapping[str, Any], kind: str = "") -> None:
        self._table = tbl
        self._data = dict(data)
        self._kind = kind or (tbl.name if tbl else "record")

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_data"][name]
        except KeyError:
            raise AttributeError(name) from None

    def _filled(self) -> list[tuple[str, Any]]:
        return [(k, v) for k, v in self._data.items() if v not in (None, [], "", {})]

    def _label(self, name: str, lang: str = "en") -> str:
        if self._table is not None and name in self._table:
            return self._table[name].label(lang)
        return name

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={_short(v)!s}" for k, v in self._filled())
        return f"{self._kind[:-1].capitalize()}({inner})"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(self._label(k))}</th>"
            f"<td style='text-align:left'>{html.escape(str(_short(v)))}</td></tr>"
            for k, v in self._filled()
        )
        return f'<table class="crmkit-record crmkit-{self._kind}">{rows}</table>'


def _short(value: Any) -> Any:
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _one_row_arrow(tbl: Table, values: Mapping[str, Any]) -> pa.Table:
    return pa.table(
        {name: pa.array([value], type=arrow_type(tbl[name])) for name, value in values.items()}
    )


class Owners:
    """Sales reps, users and teams that records are assigned to.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> paris = crm.owners.add("Paris", kind="team")
    >>> nb = crm.owners.add("Nicole Bertrand", email="nb@example.com", team="Paris")
    >>> crm.owners.resolve("nb@example.com") == nb
    True
    >>> crm.owners.members("Paris") == [nb]
    True
    >>> crm.close()
    """

    def __init__(self, crm: CRM) -> None:
        self._crm = crm

    def add(
        self,
        name: str,
        *,
        email: str | None = None,
        team: str | int | None = None,
        kind: str = "user",
    ) -> int:
        """Add a user (``kind="user"``) or a team (``kind="team"``); return its id.

        ``team`` names the team a user belongs to; the team is created when missing.
        """
        from crmkit._normalize import _values as norm

        clean = norm.clean_text(name)
        if not clean:
            raise ValidationError(f"an owner needs a name, got {name!r}")
        if kind not in ("user", "team"):
            raise UnknownValueError("owner kind", kind, ["user", "team"])
        if self._find(clean) is not None:
            raise ValidationError(f"an owner named {clean!r} already exists")
        mail = None
        if email:
            checked = norm.normalize_email(email)
            if not checked.ok:
                raise ValidationError(f"owner email {email!r} is not valid: {checked.reason}")
            mail = checked.value
        with self._crm._batch("owner add", f"add {kind} {clean}") as batch:
            team_id = None
            if team is not None:
                team_id = self._find(team)
                if team_id is None:
                    team_id = self._insert(str(team), None, "team", None, batch)
            return self._insert(clean, mail, kind, team_id, batch)

    def _insert(
        self, name: str, email: str | None, kind: str, team_id: int | None, batch: int
    ) -> int:
        data = pa.table(
            {
                "name": pa.array([name], pa.string()),
                "email": pa.array([email], pa.string()),
                "kind": pa.array([kind], pa.string()),
                "team_id": pa.array([team_id], pa.int64()),
                "active": pa.array([True], pa.bool_()),
            }
        )
        return self._crm._store.insert("owners", data, batch, self._crm.user)[0]

    def _find(self, key: str | int) -> int | None:
        con = self._crm._store.con
        if isinstance(key, int) and not isinstance(key, bool):
            row = first(con.execute("SELECT id FROM owners WHERE id = ?", [key]))
        else:
            text = str(key).strip()
            row = first(
                con.execute(
                    "SELECT id FROM owners WHERE lower(name) = lower(?) OR lower(email) = lower(?) "
                    "ORDER BY id LIMIT 1",
                    [text, text],
                )
            )
        return None if row is None else int(row[0])

    def resolve(self, key: str | int) -> int:
        """The id of the owner named by ``key`` (name, email or id).

        Raises :class:`UnknownValueError` listing the owners and the closest name.
        """
        found = self._find(key)
        if found is None:
            names = self.names()
            raise UnknownValueError("owner", key, names, closest(str(key), names))
        return found

    def names(self, active_only: bool = False) -> list[str]:
        """Every owner name (users and teams)."""
        cond = "WHERE active" if active_only else ""
        rows = self._crm._store.con.execute(f"SELECT name FROM owners {cond} ORDER BY name")
        return [r[0] for r in rows.fetchall()]

    def members(self, team: str | int) -> list[int]:
        """Ids of the users in a team."""
        team_id = self.resolve(team)
        rows = self._crm._store.con.execute(
            "SELECT id FROM owners WHERE team_id = ? ORDER BY id", [team_id]
        ).fetchall()
        return [int(r[0]) for r in rows]

    def expand(self, key: str | int) -> list[int]:
        """An owner's id, plus its members' ids when it is a team."""
        return self.expand_many([key])

    def expand_many(self, keys: list[str | int]) -> list[int]:
        """Ids of the owners named by ``keys`` (names, emails, ids), teams with members.

        One query for the whole list, whatever its length.
        """
        rows = self._crm._store.con.execute(
            "SELECT id, lower(name), lower(email), team_id FROM owners"
        ).fetchall()
        by_key: dict[str | int, int] = {}
        members: dict[int, list[int]] = {}
        for owner_id, name, email, team_id in rows:
            by_key.setdefault(int(owner_id), int(owner_id))
            by_key.setdefault(name, int(owner_id))
            if email:
                by_key.setdefault(email, int(owner_id))
            if team_id is not None:
                members.setdefault(int(team_id), []).append(int(owner_id))
        out: list[int] = []
        for key in keys:
            lookup = (
                key
                if isinstance(key, int) and not isinstance(key, bool)
                else (str(key).strip().lower())
            )
            found = by_key.get(lookup)
            if found is None:
                self.resolve(key)  # raises with the valid names and a suggestion
                continue
            out += [found, *sorted(members.get(found, []))]
        return out

    def get(self, key: str | int) -> Record:
        """One owner as a :class:`Record`."""
        return Record(None, self._crm._store.fetch_record("owners", self.resolve(key)), "owners")

    def list(self, include_inactive: bool = True) -> pd.DataFrame:
        """Every owner with its team and how many accounts and contacts it holds."""
        cond = "" if include_inactive else "WHERE o.active"
        return self._crm._store.con.sql(
            f"""SELECT o.id, o.name, o.email, o.kind, t.name AS team, o.active,
                   (SELECT count(*) FROM accounts_v a WHERE a.owner_id = o.id) AS accounts,
                   (SELECT count(*) FROM contacts_v c WHERE c.owner_id = o.id) AS contacts
            FROM owners o LEFT JOIN owners t ON t.id = o.team_id {cond} ORDER BY o.id"""
        ).df()

    def deactivate(self, key: str | int) -> None:
        """Mark an owner inactive (records keep pointing at it; filters still find them)."""
        self._set_active(key, False)

    def activate(self, key: str | int) -> None:
        """Mark an owner active again."""
        self._set_active(key, True)

    def _set_active(self, key: str | int, active: bool) -> None:
        owner_id = self.resolve(key)
        verb = "activate" if active else "deactivate"
        with self._crm._batch(f"owner {verb}", f"{verb} owner {owner_id}") as batch:
            self._crm._store.update(
                "owners",
                pa.table({"id": [owner_id], "active": [active]}),
                batch,
                self._crm.user,
            )

    def __len__(self) -> int:
        row = first(self._crm._store.con.execute("SELECT count(*) FROM owners"))
        return int(row[0]) if row else 0

    def __repr__(self) -> str:
        return f"Owners({', '.join(self.names()) or 'none'})"


class _Records:
    """What accounts and contacts share."""

    _table: Table
    _refs: ClassVar[dict[str, str]]  # convenience keyword -> ref field

    def __init__(self, crm: CRM) -> None:
        self._crm = crm

    @property
    def kind(self) -> str:
        """``accounts`` or ``contacts``."""
        return self._table.name

    # -- reading -------------------------------------------------------------------

    def get(self, record_id: int) -> Record:
        """One record by id (deleted and merged-away records included)."""
        record_id = whole_id(record_id, self.kind[:-1])
        return Record(self._table, self._crm._store.fetch_record(self.kind, record_id))

    def exists(self, record_id: int) -> bool:
        """Whether a live (not deleted, not merged-away) record has this id."""
        row = first(
            self._crm._store.con.execute(
                f"SELECT count(*) FROM {self.kind} WHERE id = ? AND deleted_at IS NULL "
                f"AND merged_into IS NULL",
                [whole_id(record_id, self.kind[:-1])],
            )
        )
        return bool(row and row[0])

    def df(self) -> pd.DataFrame:
        """Every live record, with derived columns (bands, owner names ...), as pandas."""
        return self._crm._store.con.sql(f"SELECT * FROM {self.kind}_v ORDER BY id").df()

    def pl(self) -> pl.DataFrame:
        """Every live record, with derived columns, as polars."""
        return self._crm._store.con.sql(f"SELECT * FROM {self.kind}_v ORDER BY id").pl()

    def __len__(self) -> int:
        row = first(self._crm._store.con.execute(f"SELECT count(*) FROM {self.kind}_v"))
        return int(row[0]) if row else 0

    def history(self, record_id: int) -> pd.DataFrame:
        """The timeline of one record: every batch that changed it, field by field."""
        return self._crm.history(self.kind, record_id)

    def all(self) -> Selection:
        """Every live record, as a :class:`~crmkit.Selection`."""
        from crmkit._api._selection import Selection

        return Selection(self._crm, self.kind)

    def filter(self, **filters: Any) -> Selection:
        """Records matching keyword filters (AND between keywords, OR within a list).

        See :func:`crmkit._ops._filters.filter_names` for the keywords; any catalog field also
        works as an equality filter.
        """
        return self.all().filter(**filters)

    def summary(self, by: str | list[str]) -> Summary:
        """Counts (and revenue sums for accounts) by band, sector, owner or any column."""
        return self.all().summary(by)

    def export(self, path: str | Path, **options: Any) -> ExportResult:
        """Export every live record (see :meth:`Selection.export`)."""
        return self.all().export(path, **options)

    # -- duplicates ----------------------------------------------------------------

    @property
    def _duplicates(self) -> Duplicates:
        if self.__dict__.get("_dup") is None:
            from crmkit._api._duplicates import Duplicates

            self.__dict__["_dup"] = Duplicates(self._crm, self.kind)
        found: Duplicates = self.__dict__["_dup"]
        return found

    def find_duplicates(
        self,
        *,
        new: Any = None,
        threshold: float = 0.9,
        engine: str = "crmkit",
        **filters: Any,
    ) -> DuplicateReport:
        """Pairs and clusters of records that are probably the same, with reasons.

        Parameters
        ----------
        new
            Only pairs involving these records: an import's batch id, a Selection or a
            list of ids ("new records against all").
        threshold
            Probability from which a pair counts as a match (and joins a cluster).
        engine
            ``"crmkit"`` or ``"splink"`` (``pip install crmkit[splink]``; runs on the
            store's own DuckDB connection).
        **filters
            Keyword filters, as :meth:`filter` (e.g. one owner's records).

        Pairs a reviewer marked as not the same (:meth:`mark_different`) are never
        proposed again.
        """
        return self._duplicates.find(new=new, threshold=threshold, engine=engine, **filters)

    def similar(self, limit: int = 5, **fields: Any) -> pd.DataFrame:
        """Live records most probably the same as the values typed so far.

        Answers in milliseconds from an in-memory index kept up to date as records
        change (the entry forms' duplicate warning). Columns: ``id``, ``probability``,
        ``explanation`` and names to show.
        """
        return self._duplicates.similar(limit=limit, **fields)

    def merge(self, cluster_or_ids: Any, **options: Any) -> MergeReport:
        """Merge records into one; one batch, undoable.

        Options: ``prefer`` ("recent", "complete", "oldest" or a ``{field: value}``
        mapping), ``survivor`` (the id to keep), ``source`` (records with this
        ``origin`` win), ``take`` (``{field: record_id}``), ``values``
        (``{field: value}``). Lists are unioned, related records re-pointed, merged-away
        records keep pointing at the survivor (``merged_into``).
        """
        return self._duplicates.merge(cluster_or_ids, **options)

    def merge_all(
        self, report: DuplicateReport, min_probability: float = 0.95, **options: Any
    ) -> MergeReport:
        """Merge every cluster of ``report`` whose pairs average at least
        ``min_probability``, in one batch; the others are listed in ``skipped``."""
        return self._duplicates.merge_all(report, min_probability=min_probability, **options)

    def mark_different(self, id_a: int, id_b: int) -> int:
        """Record that two records are not the same; the pair is not proposed again."""
        return self._duplicates.decide(id_a, id_b, "different")

    def mark_same(self, id_a: int, id_b: int) -> int:
        """Record that two records are the same (without merging them yet)."""
        return self._duplicates.decide(id_a, id_b, "same")

    def duplicate_decisions(self) -> pd.DataFrame:
        """Review decisions made so far."""
        return self._duplicates.decisions()

    # -- writing -------------------------------------------------------------------

    def add(self, *, create_account: bool = False, **fields: Any) -> int:
        """Create a record from field values; return its id.

        Keywords are catalog field names, plus ``owner`` (name, email or id) and the
        table's reference shortcuts (``parent`` for accounts; ``account`` and
        ``reports_to`` for contacts). The owner defaults to the current user. With
        ``create_account=True`` a contact's ``account`` name that does not exist yet is
        created in the same batch (one undo removes both).
        """
        with self._crm._batch(f"{self.kind[:-1]} add", f"add {self.kind[:-1]}") as batch:
            values = self._values_from_keywords(fields, create_in=batch if create_account else None)
            if "owner_id" not in values or values["owner_id"] is None:
                default_owner = self._crm._default_owner_id(batch)
                if default_owner is not None:
                    values["owner_id"] = default_owner
            self._check_row(values)
            self._check_references([values])
            return self._crm._store.insert(
                self.kind, _one_row_arrow(self._table, values), batch, self._crm.user
            )[0]

    def update(self, record_id: int, **fields: Any) -> Record:
        """Change fields of one record; return the record as stored afterwards.

        Only fields whose value really changes are written and recorded in history.
        """
        current = self.get(record_id)
        record_id = int(current["id"])
        values = self._values_from_keywords(fields)
        merged = {k: v for k, v in current.items() if k in self._table}
        merged.update(values)
        self._check_row(merged)
        self._check_references([values], [record_id], [dict(current)])
        with self._crm._batch(
            f"{self.kind[:-1]} update", f"update {self.kind[:-1]} {record_id}"
        ) as batch:
            changes = {"id": int(record_id), **values}
            row = pa.table(
                {
                    k: pa.array([v], type=pa.int64() if k == "id" else arrow_type(self._table[k]))
                    for k, v in changes.items()
                }
            )
            self._crm._store.update(self.kind, row, batch, self._crm.user)
        return self.get(record_id)

    def clone(self, record_id: int, **changes: Any) -> int:
        """Create a copy of a record with some fields changed; return the new id."""
        source = self.get(record_id)
        skip = {f.name for f in self._table if not f.editable} | {"uid"}
        values = {
            k: v for k, v in source.items() if k in self._table and k not in skip and v is not None
        }
        values.update(changes)
        if "custom" in values and isinstance(values["custom"], str):
            values["custom"] = json.loads(values["custom"])
        return self.add(**values)

    def add_many(self, rows: Any) -> list[int]:
        """Create many records at once from a pandas/polars DataFrame or a list of dicts.

        Columns follow :meth:`add`'s keywords. Every row is validated first; if any row
        has an error, nothing is written and :class:`ValidationError` lists the rows.
        """
        records = _rows_of(rows)
        prepared = [self._values_from_keywords(r) for r in records]
        with self._crm._batch(f"{self.kind[:-1]} add", f"add {len(prepared)} {self.kind}") as batch:
            default_owner = self._crm._default_owner_id(batch)
            names = list(dict.fromkeys(k for r in prepared for k in r))
            if default_owner is not None and "owner_id" not in names:
                names.append("owner_id")
            columns = {
                n: [r.get(n, default_owner if n == "owner_id" else None) for r in prepared]
                for n in names
            }
            if default_owner is not None:
                columns["owner_id"] = [
                    default_owner if v is None else v for v in columns["owner_id"]
                ]
            frame = pd.DataFrame({n: pd.Series(v, dtype=object) for n, v in columns.items()})
            self._raise_if_invalid(frame)
            self._check_references(
                [{n: columns[n][i] for n in columns} for i in range(len(prepared))]
            )
            data = pa.table(
                {n: pa.array(v, type=arrow_type(self._table[n])) for n, v in columns.items()}
            )
            return self._crm._store.insert(self.kind, data, batch, self._crm.user)

    def delete(self, record_id: int, *, force: bool = False, hard: bool = False) -> None:
        """Delete a record: soft by default (``deleted_at`` set), for good with ``hard``.

        A record other records still point to is refused with :class:`RecordInUseError`
        saying which; ``force=True`` detaches those records first (in the same batch).
        """
        record_id = int(self.get(record_id)["id"])  # raises when unknown
        users = self._dependents(record_id, hard=hard)
        survivors = users.pop("merged", 0)
        if survivors:
            raise RecordInUseError(
                f"{self.kind[:-1]} {record_id} is the survivor of {survivors} merged "
                f"record(s), which point at it; it can be deleted (soft), not removed for good"
            )
        if users and not force:
            detail = "; ".join(f"{n} {what}" for what, n in users.items())
            raise RecordInUseError(
                f"{self.kind[:-1]} {record_id} is still used: {detail}. Reassign or delete "
                f"them first, or pass force=True to detach them."
            )
        store = self._crm._store
        with self._crm._batch(
            f"{self.kind[:-1]} delete", f"delete {self.kind[:-1]} {record_id}"
        ) as batch:
            for table_name, field in self._reference_fields():
                store.set_where_ids(
                    table_name,
                    f"SELECT id FROM {table_name} WHERE {field} = ?",
                    [int(record_id)],
                    {field: None},
                    batch,
                    self._crm.user,
                    "detach",
                )
            if hard and self.kind == "contacts":
                subscriptions = [
                    int(r[0])
                    for r in store.con.execute(
                        "SELECT id FROM subscriptions WHERE contact_id = ?", [record_id]
                    ).fetchall()
                ]
                store.hard_delete("subscriptions", subscriptions, batch, self._crm.user)
            if hard:
                store.hard_delete(self.kind, [int(record_id)], batch, self._crm.user)
            else:
                from crmkit._core._store import now_utc

                store.update(
                    self.kind,
                    pa.table(
                        {
                            "id": pa.array([int(record_id)], pa.int64()),
                            "deleted_at": pa.array([now_utc()], pa.timestamp("us")),
                        }
                    ),
                    batch,
                    self._crm.user,
                    "delete",
                )

    # -- helpers -------------------------------------------------------------------

    def _reference_fields(self) -> list[tuple[str, str]]:
        """(table, field) pairs of live records that may point to one of ours."""
        out: list[tuple[str, str]] = []
        for tbl in (ACCOUNTS, CONTACTS):
            for f in tbl:
                if f.kind == "ref" and f.ref == self.kind:
                    out.append((tbl.name, f.name))
        return out

    def _dependents(self, record_id: int, hard: bool = False) -> dict[str, int]:
        """Records pointing at this one: live ones, and for a removal for good, all.

        ``"merged"`` counts the records merged into this one (only for ``hard``).
        """
        found: dict[str, int] = {}
        con = self._crm._store.con
        live = "" if hard else "AND deleted_at IS NULL AND merged_into IS NULL"
        for table_name, field in self._reference_fields():
            # A record pointing at itself does not keep itself alive.
            self_ref = "AND id <> ?" if table_name == self.kind else ""
            params = [record_id, record_id] if self_ref else [record_id]
            row = first(
                con.execute(
                    f"SELECT count(*) FROM {table_name} WHERE {field} = ? {self_ref} {live}",
                    params,
                )
            )
            if row and row[0]:
                found[f"{table_name} (by {field})"] = int(row[0])
        if hard:
            row = first(
                con.execute(f"SELECT count(*) FROM {self.kind} WHERE merged_into = ?", [record_id])
            )
            if row and row[0]:
                found["merged"] = int(row[0])
        return found

    def _values_from_keywords(
        self, fields: Mapping[str, Any], create_in: int | None = None
    ) -> dict[str, Any]:
        tbl = self._table
        refs: dict[str, Any] = {}
        plain: dict[str, Any] = {}
        allowed = [f.name for f in tbl.editable] + ["owner", *self._refs]
        for key, value in fields.items():
            if key == "owner" or key in self._refs:
                refs[key] = value
            elif key in tbl and tbl[key].editable:
                plain[key] = value
            elif key in tbl:
                raise ValidationError(f"{key} is managed by crmkit and cannot be set")
            else:
                raise UnknownValueError(
                    f"{self.kind[:-1]} field", key, allowed, closest(key, allowed)
                )
        settings = self._crm.settings
        values = prepare_values(
            tbl, plain, region=settings.default_region, sectors=settings.sectors
        )
        if "owner" in refs:
            values["owner_id"] = (
                None if refs["owner"] is None else self._crm.owners.resolve(refs["owner"])
            )
        for key, field in self._refs.items():
            if key in refs:
                values[field] = self._resolve_ref(tbl[field].ref or "", refs[key], create_in)
        for f in tbl.by_kind("ref"):
            if values.get(f.name) is not None:
                values[f.name] = whole_id(values[f.name], f.ref[:-1] if f.ref else "record")
        if (
            tbl is ACCOUNTS
            and values.get("annual_revenue") is not None
            and not values.get("currency")
        ):
            values["currency"] = settings.default_currency
        return values

    def _resolve_ref(self, target: str, key: Any, create_in: int | None = None) -> int | None:
        if key is None:
            return None
        if not isinstance(key, str):
            return whole_id(key, target[:-1])
        try:
            return self._crm._records(target).find_id(str(key))
        except UnknownValueError:
            if create_in is None or target != "accounts":
                raise
        name = prepare_values(
            ACCOUNTS, {"name": key}, region="FR", sectors=self._crm.settings.sectors
        )["name"]
        self._crm.accounts._raise_if_invalid(pd.DataFrame({"name": [name]}, dtype=object))
        return self._crm._store.insert(
            "accounts",
            pa.table({"name": pa.array([name], pa.string())}),
            create_in,
            self._crm.user,
        )[0]

    def _check_row(self, values: Mapping[str, Any]) -> None:
        frame = pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in values.items()})
        self._raise_if_invalid(frame)

    def _check_references(
        self,
        rows: list[dict[str, Any]],
        ids: list[int] | None = None,
        current: list[dict[str, Any]] | None = None,
    ) -> None:
        """The rules between records, for values about to be written (one rule set).

        Each row of ``rows`` gives fields of record ``ids[i]`` (``None``: a new record),
        whose stored values are ``current[i]``. A reference must point at an existing,
        live record (an owner: an active one), and a parent or reports_to must not make a
        loop. Only values that change are checked: a record may keep the deactivated
        owner it has. The store checks the same rules again before a batch commits
        (:mod:`crmkit._core._integrity`); this check comes first to say it in the user's terms.
        """
        con = self._crm._store.con
        ids = ids or [None] * len(rows)  # type: ignore[list-item]
        current = current or [{} for _ in rows]
        graph: dict[int, int] | None = None
        for f in self._table.by_kind("ref"):
            if f.name == "merged_into" or f.ref is None:
                continue
            wanted = [
                (rid, int(row[f.name]))
                for row, rid, now in zip(rows, ids, current, strict=True)
                if row.get(f.name) is not None and row[f.name] != now.get(f.name)
            ]
            if not wanted:
                continue
            label = f.label("en")
            if f.ref == "owners":
                states = owner_states(con, [t for _, t in wanted])
                for _, target in wanted:
                    if target not in states:
                        raise RecordNotFoundError(f"{label}: no owner with id {target}")
                    if not states[target]:
                        name = self._crm.owners.get(target).name
                        raise ValidationError(
                            f"{label}: owner {shorten(name)} is deactivated; activate it "
                            f"(crm.owners.activate) or choose another owner"
                        )
                continue
            targets = sorted({t for _, t in wanted})
            found = dict(
                con.execute(
                    f"SELECT id, coalesce(CAST(merged_into AS VARCHAR), "
                    f"CASE WHEN deleted_at IS NOT NULL THEN 'deleted' END) FROM {f.ref} "
                    f"WHERE id IN (SELECT unnest(?::BIGINT[]))",
                    [targets],
                ).fetchall()
            )
            for record_id, target in wanted:
                noun = f.ref[:-1]
                if target not in found:
                    raise RecordNotFoundError(f"{label}: no {noun} with id {target}")
                if found[target] == "deleted":
                    raise ValidationError(f"{label}: {noun} {target} is deleted")
                if found[target] is not None:
                    raise ValidationError(
                        f"{label}: {noun} {target} was merged into {noun} {found[target]}; "
                        f"use that one"
                    )
                if f.ref != self.kind or record_id is None:
                    continue  # a new record cannot be anyone's ancestor yet
                if target == record_id:
                    own = "its own parent" if f.name == "parent_id" else "its own superior"
                    raise ParentCycleError(f"{label}: {noun} {record_id} cannot be {own}")
                if graph is None:
                    graph = links(con, self.kind, f.name)
                    graph.update({r: t for r, t in wanted if r is not None})
                path = cycle_path(graph, record_id)
                if path:
                    chain = " → ".join(str(i) for i in path)
                    raise ParentCycleError(
                        f"{label}: {noun} {target} is already below {noun} {record_id}; "
                        f"linking them would make a cycle ({chain})"
                    )

    def _raise_if_invalid(self, frame: pd.DataFrame) -> None:
        report = validate(
            frame,
            self.kind,
            required=self._crm.settings.required_fields(self.kind),
            sectors=self._crm.settings.sectors.values,
        )
        if not report.ok:
            errors = report.errors.reset_index(drop=True)
            raise ValidationError(
                f"{self.kind[:-1]} not saved: {describe_failures(errors)}", errors
            )

    def find_id(self, key: str) -> int:
        """The id of the live record whose name matches ``key`` (case/accent-insensitive)."""
        raise NotImplementedError


def _rows_of(rows: Any) -> list[dict[str, Any]]:
    if isinstance(rows, pl.DataFrame):
        return rows.to_dicts()
    if isinstance(rows, pd.DataFrame):
        frame = rows.astype(object).where(rows.notna(), None)
        return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    return [dict(r) for r in rows]


class Accounts(_Records):
    """The companies: ``crm.accounts``.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open(user="Nicole Bertrand")
    >>> acc = crm.accounts.add(name="APROOL", sector="logiciel", annual_revenue=4_200_000,
    ...                        employees=85)
    >>> rec = crm.accounts.get(acc)
    >>> rec.sector, rec.currency, crm.owners.get(rec.owner_id).name
    ('Software', 'EUR', 'Nicole Bertrand')
    >>> crm.close()
    """

    _table = ACCOUNTS
    _refs: ClassVar[dict[str, str]] = {"parent": "parent_id"}

    def find_id(self, key: str) -> int:
        """The id of the live account named ``key`` (case- and accent-insensitive)."""
        rows = self._crm._store.con.execute(
            "SELECT id, name FROM accounts WHERE deleted_at IS NULL AND merged_into IS NULL "
            "AND lower(strip_accents(name)) = lower(strip_accents(?)) ORDER BY id",
            [key.strip()],
        ).fetchall()
        if len(rows) == 1:
            return int(rows[0][0])
        if len(rows) > 1:
            ids = ", ".join(str(r[0]) for r in rows)
            raise ValidationError(f"several accounts are named {key!r} (ids {ids}); pass an id")
        names = [
            r[0]
            for r in self._crm._store.con.execute(
                "SELECT name FROM accounts WHERE deleted_at IS NULL ORDER BY name LIMIT 1000"
            ).fetchall()
        ]
        raise UnknownValueError("account", key, names, closest(key, names))

    def deactivate(self, record_id: int) -> Record:
        """Archive an account (an "archived client")."""
        return self.update(record_id, archived=True)

    def activate(self, record_id: int) -> Record:
        """Take an account out of the archive."""
        return self.update(record_id, archived=False)

    archive = deactivate
    unarchive = activate

    def __repr__(self) -> str:
        return f"Accounts({len(self)} live records)"


class Contacts(_Records):
    """The people: ``crm.contacts``.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> acc = crm.accounts.add(name="APROOL")
    >>> cid = crm.contacts.add(first_name="Hélène", last_name="Blou", account_id=acc,
    ...                        email="helene.blou@APROOL.com", mobile="06 25 34 12 57")
    >>> c = crm.contacts.get(cid)
    >>> c.email, c.mobile
    ('helene.blou@aprool.com', '+33625341257')
    >>> crm.contacts.clone(cid, first_name="Marie") > cid
    True
    >>> crm.close()
    """

    _table = CONTACTS
    _refs: ClassVar[dict[str, str]] = {
        "account": "account_id",
        "company": "account_id",
        "reports_to": "reports_to_id",
    }

    def find_id(self, key: str) -> int:
        """The id of the live contact whose display name or email is ``key``."""
        wanted = fold(key)
        rows = self._crm._store.con.execute(
            "SELECT id FROM contacts_v WHERE lower(strip_accents(display_name)) = ? "
            "OR lower(email) = ? ORDER BY id",
            [wanted, wanted],
        ).fetchall()
        if len(rows) == 1:
            return int(rows[0][0])
        if len(rows) > 1:
            raise ValidationError(f"several contacts match {key!r}; pass an id")
        raise UnknownValueError("contact", key, [])

    def export_vcf(
        self, path: str | Path, *, version: str = "3.0", zip: bool = False
    ) -> ExportResult:
        """Every live contact as vCards (see :meth:`Selection.export_vcf`)."""
        return self.all().export_vcf(path, version=version, zip=zip)

    def deactivate(self, record_id: int) -> Record:
        """Mark a contact as having left the company (``active=False``)."""
        return self.update(record_id, active=False)

    def activate(self, record_id: int) -> Record:
        """Mark a contact active again."""
        return self.update(record_id, active=True)

    def __repr__(self) -> str:
        return f"Contacts({len(self)} live records)"
