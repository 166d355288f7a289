"""Accounts and contacts: the record rules, and adding, changing, cloning and deleting.

One rule set for every path that writes records: the values go through
:func:`values_from_keywords` (normalised as an import normalises them), :func:`check_row`
(the pandera models, with the database's required fields and sectors) and
:func:`check_references` (references live, owners active, no loop of parents or
reports_to), and the store checks the references once more before a batch commits
(:mod:`crmkit._core._integrity`). Add, update, bulk edits, merges, forms and the command
line all come through here; imports apply the same rules column by column.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa

from crmkit._core._integrity import cycle_path, links, owner_states
from crmkit._core._results import first
from crmkit._core._session import Session
from crmkit._core._store import arrow_type, now_utc, whole_id
from crmkit._exceptions import (
    ParentCycleError,
    RecordInUseError,
    RecordNotFoundError,
    UnknownValueError,
    ValidationError,
)
from crmkit._normalize._prepare import prepare_values
from crmkit._ops import _owners as owners
from crmkit._util._config import chosen_lang, current_lang
from crmkit._util._messages import kind_noun, message, record_noun, unknown_value
from crmkit._util._shorten import shorten
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import ACCOUNTS, CONTACTS, Table, table
from crmkit.schemas._labels import message_field
from crmkit.schemas._models import ValidationReport, describe_failures, validate
from crmkit.schemas._vocab import fold

__all__ = [
    "REFERENCE_KEYWORDS",
    "add",
    "add_many",
    "check",
    "check_references",
    "check_row",
    "clone",
    "delete",
    "dependents",
    "exists",
    "fetch",
    "find_id",
    "update",
    "values_from_keywords",
]

#: Keywords that name a referenced record by name or id, per kind: keyword -> field.
REFERENCE_KEYWORDS: dict[str, dict[str, str]] = {
    "accounts": {"parent": "parent_id"},
    "contacts": {"account": "account_id", "company": "account_id", "reports_to": "reports_to_id"},
}


# -- reading --------------------------------------------------------------------------------


def fetch(session: Session, kind: str, record_id: Any) -> dict[str, Any]:
    """One record's row (deleted and merged-away records included)."""
    name = table(kind).name
    return session.store.fetch_record(name, whole_id(record_id, name[:-1]))


def exists(session: Session, kind: str, record_id: Any) -> bool:
    """Whether a live (not deleted, not merged-away) record has this id."""
    name = table(kind).name
    row = first(
        session.con.execute(
            f"SELECT count(*) FROM {name} WHERE id = ? AND deleted_at IS NULL "
            f"AND merged_into IS NULL",
            [whole_id(record_id, name[:-1])],
        )
    )
    return bool(row and row[0])


def check_live(session: Session, kind: str, record_id: Any) -> int:
    """``record_id`` as an int when it names a live record of ``kind``; else raise.

    Raises :class:`~crmkit.RecordNotFoundError` naming the record when there is no such
    record, or when it is deleted or merged away.
    """
    name = table(kind).name
    rid = whole_id(record_id, name[:-1])
    row = first(
        session.con.execute(
            f"SELECT deleted_at IS NOT NULL, merged_into FROM {name} WHERE id = ?", [rid]
        )
    )
    noun = record_noun(name)
    if row is None:
        raise RecordNotFoundError(message("record_not_found", noun=noun, id=rid))
    if row[0] or row[1] is not None:
        raise RecordNotFoundError(
            message("tl_removed", record=message("record_ref", noun=noun, id=rid))
        )
    return rid


def find_id(session: Session, kind: str, key: str) -> int:
    """The id of the live record named ``key`` (case- and accent-insensitive).

    Accounts by name; contacts by display name or email. Several matches or none raise
    with the reason.
    """
    if table(kind).name == "accounts":
        rows = session.con.execute(
            "SELECT id, name FROM accounts WHERE deleted_at IS NULL AND merged_into IS NULL "
            "AND lower(strip_accents(name)) = lower(strip_accents(?)) ORDER BY id",
            [key.strip()],
        ).fetchall()
        if len(rows) == 1:
            return int(rows[0][0])
        if len(rows) > 1:
            ids = ", ".join(str(r[0]) for r in rows)
            raise ValidationError(
                f"several accounts are named {shorten(key)} (ids {ids}); pass an id"
            )
        names = [
            r[0]
            for r in session.con.execute(
                "SELECT name FROM accounts WHERE deleted_at IS NULL ORDER BY name LIMIT 1000"
            ).fetchall()
        ]
        raise unknown_value("account", key, names, closest(key, names))
    wanted = fold(key)
    rows = session.con.execute(
        "SELECT id FROM contacts_v WHERE lower(strip_accents(display_name)) = ? "
        "OR lower(email) = ? ORDER BY id",
        [wanted, wanted],
    ).fetchall()
    if len(rows) == 1:
        return int(rows[0][0])
    if len(rows) > 1:
        raise ValidationError(f"several contacts match {shorten(key)}; pass an id")
    raise unknown_value("contact", key, [])


# -- the rules ------------------------------------------------------------------------------


def values_from_keywords(
    session: Session,
    kind: str,
    fields: Mapping[str, Any],
    create_in: int | None = None,
    create_owner: Any = None,
) -> dict[str, Any]:
    """Field values from keywords: catalog fields normalised, names of references resolved.

    ``owner`` takes a name, an email or an id; the reference keywords of
    :data:`REFERENCE_KEYWORDS` take a name or an id (with ``create_in``, a contact's
    unknown account name is created in that batch, owned by the record's owner or else
    ``create_owner``).
    """
    tbl = table(kind)
    refs_of = REFERENCE_KEYWORDS[tbl.name]
    refs: dict[str, Any] = {}
    plain: dict[str, Any] = {}
    allowed = [f.name for f in tbl.editable] + ["owner", *refs_of]
    for key, value in fields.items():
        if key == "owner" or key in refs_of:
            refs[key] = value
        elif key in tbl and tbl[key].editable:
            plain[key] = value
        elif key in tbl:
            raise ValidationError(f"{key} is managed by crmkit and cannot be set")
        else:
            raise UnknownValueError(f"{tbl.name[:-1]} field", key, allowed, closest(key, allowed))
    settings = session.settings
    values = prepare_values(tbl, plain, region=settings.default_region, sectors=settings.sectors)
    if "owner" in refs:
        values["owner_id"] = (
            None if refs["owner"] is None else owners.resolve(session, refs["owner"])
        )
    for key, field in refs_of.items():
        if key in refs:
            # A created account gets the record's owner: the person who files the contact
            # under a new company usually follows both.
            values[field] = _resolve_ref(
                session,
                tbl[field].ref or "",
                refs[key],
                create_in,
                values.get("owner_id", create_owner),
            )
    for f in tbl.by_kind("ref"):
        if values.get(f.name) is not None:
            values[f.name] = whole_id(values[f.name], f.ref[:-1] if f.ref else "record")
    if tbl is ACCOUNTS and values.get("annual_revenue") is not None and not values.get("currency"):
        values["currency"] = settings.default_currency
    return values


def _resolve_ref(
    session: Session, target: str, key: Any, create_in: int | None, owner_id: Any = None
) -> int | None:
    if key is None:
        return None
    if not isinstance(key, str):
        return whole_id(key, target[:-1])
    try:
        return find_id(session, target, str(key))
    except UnknownValueError:
        if create_in is None or target != "accounts":
            raise
    name = prepare_values(ACCOUNTS, {"name": key}, region="FR", sectors=session.settings.sectors)[
        "name"
    ]
    raise_if_invalid(session, "accounts", pd.DataFrame({"name": [name]}, dtype=object))
    columns = {"name": pa.array([name], pa.string())}
    if owner_id is not None:
        columns["owner_id"] = pa.array([int(owner_id)], pa.int64())
    return session.store.insert("accounts", pa.table(columns), create_in, session.user)[0]


def check(
    session: Session, kind: str, values: Mapping[str, Any], *, only: str | None = None
) -> ValidationReport:
    """Every rule ``values`` (one record's field values, as stored) break, without raising.

    The report a form shows as the user types: the same models, required fields and
    sectors as a save; with ``only``, the rules of that one field.
    """
    frame = pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in values.items()})
    required = session.settings.required_fields(kind)
    if only is not None:
        required = [only] if only in required else []
    return validate(
        frame, table(kind).name, required=required, sectors=session.settings.sectors.values
    )


def check_row(session: Session, kind: str, values: Mapping[str, Any]) -> None:
    """Raise :class:`ValidationError` when one record's values break a field rule."""
    frame = pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in values.items()})
    raise_if_invalid(session, kind, frame)


def raise_if_invalid(session: Session, kind: str, frame: pd.DataFrame) -> None:
    """Raise :class:`ValidationError` listing every failing value of ``frame``."""
    name = table(kind).name
    report = validate(
        frame,
        name,
        required=session.settings.required_fields(name),
        sectors=session.settings.sectors.values,
    )
    if not report.ok:
        errors = report.errors.reset_index(drop=True)
        # One record's error names no row: the user knows which record they saved.
        why = describe_failures(errors, kind=name, rows=len(frame) > 1)
        raise ValidationError(message("not_saved", what=kind_noun(name, 1), why=why), errors)


def check_references(
    session: Session,
    kind: str,
    rows: list[dict[str, Any]],
    ids: list[int | None] | None = None,
    current: list[dict[str, Any]] | None = None,
) -> None:
    """The rules between records, for values about to be written (one rule set).

    Each row of ``rows`` gives fields of record ``ids[i]`` (``None``: a new record),
    whose stored values are ``current[i]``. A reference must point at an existing, live
    record (an owner: an active one), and a parent or reports_to must not make a loop.
    Only values that change are checked: a record may keep the deactivated owner it has.
    The store checks the same rules again before a batch commits
    (:mod:`crmkit._core._integrity`); this check comes first to say it in the user's terms.
    """
    tbl = table(kind)
    con = session.con
    record_ids: list[int | None] = ids or [None] * len(rows)
    stored = current or [{} for _ in rows]
    graph: dict[int, int] | None = None
    for f in tbl.by_kind("ref"):
        if f.name == "merged_into" or f.ref is None:
            continue
        wanted = [
            (rid, int(row[f.name]))
            for row, rid, now in zip(rows, record_ids, stored, strict=True)
            if row.get(f.name) is not None and row[f.name] != now.get(f.name)
        ]
        if not wanted:
            continue
        label = f.label(current_lang())
        noun = kind_noun(f.ref, 1)
        if f.ref == "owners":
            states = owner_states(con, [t for _, t in wanted])
            for _, target in wanted:
                if target not in states:
                    raise RecordNotFoundError(
                        message("ref_not_found", field=label, noun=noun, id=target)
                    )
                if not states[target]:
                    name = shorten(owners.fetch(session, target)["name"])
                    raise ValidationError(message("owner_deactivated", field=label, name=name))
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
            if target not in found:
                raise RecordNotFoundError(
                    message("ref_not_found", field=label, noun=noun, id=target)
                )
            if found[target] == "deleted":
                raise ValidationError(message("ref_deleted", field=label, noun=noun, id=target))
            if found[target] is not None:
                raise ValidationError(
                    message("ref_merged", field=label, noun=noun, id=target, into=found[target])
                )
            if f.ref != tbl.name or record_id is None:
                continue  # a new record cannot be anyone's ancestor yet
            if target == record_id:
                own = "own_parent" if f.name == "parent_id" else "own_superior"
                raise ParentCycleError(message(own, field=label, noun=noun, id=record_id))
            if graph is None:
                graph = links(con, tbl.name, f.name)
                graph.update({r: t for r, t in wanted if r is not None})
            path = cycle_path(graph, record_id)
            if path:
                chain = " → ".join(str(i) for i in path)
                raise ParentCycleError(
                    message(
                        "ref_cycle",
                        field=label,
                        noun=noun,
                        target=target,
                        id=record_id,
                        chain=chain,
                    )
                )


# -- writing --------------------------------------------------------------------------------


def _one_row_arrow(tbl: Table, values: Mapping[str, Any]) -> pa.Table:
    return pa.table(
        {name: pa.array([value], type=arrow_type(tbl[name])) for name, value in values.items()}
    )


def add(
    session: Session, kind: str, fields: Mapping[str, Any], *, create_account: bool = False
) -> int:
    """Create a record; return its id (see :meth:`crmkit.Contacts.add`)."""
    tbl = table(kind)
    noun = tbl.name[:-1]
    with session.batch(f"{noun} add", f"add {noun}") as batch:
        values = values_from_keywords(
            session, tbl.name, fields, create_in=batch if create_account else None
        )
        if values.get("owner_id") is None:
            default_owner = owners.default_owner_id(session, batch)
            if default_owner is not None:
                values["owner_id"] = default_owner
        check_row(session, tbl.name, values)
        check_references(session, tbl.name, [values])
        return session.store.insert(tbl.name, _one_row_arrow(tbl, values), batch, session.user)[0]


def update(
    session: Session,
    kind: str,
    record_id: Any,
    fields: Mapping[str, Any],
    *,
    create_account: bool = False,
) -> int:
    """Change fields of one record; return its id (only real changes are written).

    With ``create_account``, a contact's unknown ``account`` name is created in the same
    batch as the change (one undo removes both).
    """
    tbl = table(kind)
    current = fetch(session, tbl.name, record_id)
    record_id = int(current["id"])
    noun = tbl.name[:-1]
    if create_account:
        with session.batch(f"{noun} update", f"update {noun} {record_id}") as batch:
            values = _checked_changes(session, tbl, current, fields, create_in=batch)
            _write_update(session, tbl, record_id, values, batch)
        return record_id
    values = _checked_changes(session, tbl, current, fields)
    with session.batch(f"{noun} update", f"update {noun} {record_id}") as batch:
        _write_update(session, tbl, record_id, values, batch)
    return record_id


def _checked_changes(
    session: Session,
    tbl: Table,
    current: dict[str, Any],
    fields: Mapping[str, Any],
    create_in: int | None = None,
) -> dict[str, Any]:
    """The values ``fields`` set on record ``current``, checked as the whole row."""
    values = values_from_keywords(
        session, tbl.name, fields, create_in=create_in, create_owner=current.get("owner_id")
    )
    merged = {k: v for k, v in current.items() if k in tbl}
    merged.update(values)
    check_row(session, tbl.name, merged)
    check_references(session, tbl.name, [values], [int(current["id"])], [current])
    return values


def _write_update(
    session: Session, tbl: Table, record_id: int, values: Mapping[str, Any], batch: int
) -> None:
    changes = {"id": record_id, **values}
    row = pa.table(
        {
            k: pa.array([v], type=pa.int64() if k == "id" else arrow_type(tbl[k]))
            for k, v in changes.items()
        }
    )
    session.store.update(tbl.name, row, batch, session.user)


def clone(
    session: Session,
    kind: str,
    record_id: Any,
    changes: Mapping[str, Any],
    *,
    create_account: bool = False,
) -> int:
    """Create a copy of a record with some fields changed; return the new id."""
    tbl = table(kind)
    source = fetch(session, tbl.name, record_id)
    skip = {f.name for f in tbl if not f.editable} | {"uid"}
    values = {k: v for k, v in source.items() if k in tbl and k not in skip and v is not None}
    values.update(changes)
    if "custom" in values and isinstance(values["custom"], str):
        values["custom"] = json.loads(values["custom"])
    if "account" in values:  # a name given for the copy replaces the source's link
        values.pop("account_id", None)
    return add(session, tbl.name, values, create_account=create_account)


def rows_of(rows: Any) -> list[dict[str, Any]]:
    """Records as dicts from a pandas or polars DataFrame or an iterable of mappings."""
    if isinstance(rows, pl.DataFrame):
        return rows.to_dicts()
    if isinstance(rows, pd.DataFrame):
        frame = rows.astype(object).where(rows.notna(), None)
        return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    return [dict(r) for r in rows]


def add_many(session: Session, kind: str, rows: Any) -> list[int]:
    """Create many records at once, all or nothing (see :meth:`crmkit.Contacts.add_many`)."""
    tbl = table(kind)
    prepared = [values_from_keywords(session, tbl.name, r) for r in rows_of(rows)]
    with session.batch(f"{tbl.name[:-1]} add", f"add {len(prepared)} {tbl.name}") as batch:
        default_owner = owners.default_owner_id(session, batch)
        names = list(dict.fromkeys(k for r in prepared for k in r))
        if default_owner is not None and "owner_id" not in names:
            names.append("owner_id")
        columns = {n: [r.get(n) for r in prepared] for n in names}
        if default_owner is not None:
            columns["owner_id"] = [default_owner if v is None else v for v in columns["owner_id"]]
        frame = pd.DataFrame({n: pd.Series(v, dtype=object) for n, v in columns.items()})
        raise_if_invalid(session, tbl.name, frame)
        check_references(
            session, tbl.name, [{n: columns[n][i] for n in columns} for i in range(len(prepared))]
        )
        data = pa.table({n: pa.array(v, type=arrow_type(tbl[n])) for n, v in columns.items()})
        return session.store.insert(tbl.name, data, batch, session.user)


def reference_fields(kind: str) -> list[tuple[str, str]]:
    """(table, field) pairs of records that may point at a record of ``kind``."""
    name = table(kind).name
    return [
        (tbl.name, f.name)
        for tbl in (ACCOUNTS, CONTACTS)
        for f in tbl
        if f.kind == "ref" and f.ref == name
    ]


def dependents(session: Session, kind: str, record_id: int, hard: bool = False) -> dict[str, int]:
    """Records pointing at this one: live ones, and for a removal for good, all.

    ``"merged"`` counts the records merged into this one (only for ``hard``).
    """
    name = table(kind).name
    found: dict[str, int] = {}
    live = "" if hard else "AND deleted_at IS NULL AND merged_into IS NULL"
    for table_name, field in reference_fields(name):
        # A record pointing at itself does not keep itself alive.
        self_ref = "AND id <> ?" if table_name == name else ""
        params = [record_id, record_id] if self_ref else [record_id]
        row = first(
            session.con.execute(
                f"SELECT count(*) FROM {table_name} WHERE {field} = ? {self_ref} {live}", params
            )
        )
        if row and row[0]:
            count = int(row[0])
            # Plural whatever the count until a language is chosen (earlier versions' text).
            noun = kind_noun(table_name, None if chosen_lang() is None else count)
            users = message("in_use_by", what=noun, field=message_field(table_name, field))
            found[users] = count
    row = first(
        session.con.execute(
            f"SELECT count(*) FROM activities WHERE {noun_of(name)}_id = ? "
            "AND NOT coalesce(deleted, FALSE)",
            [record_id],
        )
    )
    if row and row[0]:
        count = int(row[0])
        noun = kind_noun("activities", None if chosen_lang() is None else count)
        field = message_field("activities", f"{noun_of(name)}_id")
        found[message("in_use_by", what=noun, field=field)] = count
    if hard:
        row = first(
            session.con.execute(f"SELECT count(*) FROM {name} WHERE merged_into = ?", [record_id])
        )
        if row and row[0]:
            found["merged"] = int(row[0])
    return found


def delete(session: Session, kind: str, record_id: Any, *, force: bool, hard: bool) -> None:
    """Delete a record, soft or for good (see :meth:`crmkit.Contacts.delete`)."""
    name = table(kind).name
    noun = name[:-1]
    record_id = int(fetch(session, name, record_id)["id"])  # raises when unknown
    users = dependents(session, name, record_id, hard=hard)
    survivors = users.pop("merged", 0)
    record = message("record_ref", noun=record_noun(name), id=record_id)
    if survivors:
        raise RecordInUseError(message("in_use_survivor", record=record, count=survivors))
    if users and not force:
        detail = message("semicolon_sep").join(
            message("in_use_count", count=n, what=what) for what, n in users.items()
        )
        raise RecordInUseError(message("in_use", record=record, detail=detail))
    store = session.store
    with session.batch(f"{noun} delete", f"delete {noun} {record_id}") as batch:
        for table_name, field in reference_fields(name):
            store.set_where_ids(
                table_name,
                f"SELECT id FROM {table_name} WHERE {field} = ?",
                [record_id],
                {field: None},
                batch,
                session.user,
                "detach",
            )
        if hard:
            _remove_activities(session, name, record_id, batch)
        if hard and name == "contacts":
            subscriptions = [
                int(r[0])
                for r in store.con.execute(
                    "SELECT id FROM subscriptions WHERE contact_id = ?", [record_id]
                ).fetchall()
            ]
            store.hard_delete("subscriptions", subscriptions, batch, session.user)
        if hard:
            store.hard_delete(name, [record_id], batch, session.user)
        else:
            store.update(
                name,
                pa.table(
                    {
                        "id": pa.array([record_id], pa.int64()),
                        "deleted_at": pa.array([now_utc()], pa.timestamp("us")),
                    }
                ),
                batch,
                session.user,
                "delete",
            )


def noun_of(table_name: str) -> str:
    """``contact`` for ``contacts``: the prefix of the id columns that point at it."""
    return table_name[:-1]


def _remove_activities(session: Session, name: str, record_id: int, batch: int) -> None:
    """Before a record goes for good: its activities linked to another record lose the
    link to it, the others go with it (all kept in history for undo)."""
    column = f"{noun_of(name)}_id"
    other = "account_id" if column == "contact_id" else "contact_id"
    store = session.store
    store.set_where_ids(
        "activities",
        f"SELECT id FROM activities WHERE {column} = ? AND {other} IS NOT NULL",
        [record_id],
        {column: None},
        batch,
        session.user,
        "detach",
    )
    gone = [
        int(r[0])
        for r in store.con.execute(
            f"SELECT id FROM activities WHERE {column} = ?", [record_id]
        ).fetchall()
    ]
    store.hard_delete("activities", gone, batch, session.user)
