"""The columns of custom fields: made to follow their definitions (``custom_fields``).

A custom field is a row of ``custom_fields`` (a record table: history and undo come with
it) and a real column of ``accounts`` or ``contacts``. After a batch changed definitions
(added, renamed, dropped, or an undo of any of these), :func:`sync_custom_columns` adds or
renames the columns the definitions name, and :func:`settle_custom_columns` drops the
column of a definition the batch removed, refusing when a value is still in it. Every
name used in SQL here is checked (:data:`NAME_RE`, never a standard field) first, also
when read back from the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from crmkit._exceptions import StoreOpenError, UndoConflictError
from crmkit._util._messages import message
from crmkit._util._shorten import shorten
from crmkit.schemas._catalog import CATALOG, Field, Table
from crmkit.schemas._custom import FIELD_TYPES, custom_field
from crmkit.schemas._stages import STAGES_SETTING, stage_vocabulary

if TYPE_CHECKING:
    from crmkit._core._store import Store

__all__ = [
    "NAME_RE",
    "load_catalog",
    "missing_custom_columns",
    "physical_columns",
    "settle_custom_columns",
    "sync_custom_columns",
]

NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,62}")


def _safe(kind: Any, name: Any) -> bool:
    """A name crmkit could have given a custom field of ``kind`` (so safe in SQL)."""
    return (
        kind in CATALOG
        and isinstance(name, str)
        and NAME_RE.fullmatch(name) is not None
        and name not in CATALOG[kind]
    )


def load_catalog(store: Store) -> Mapping[str, Table]:
    """The standard catalog with the custom fields stored in ``store``."""
    extra: dict[str, list[Field]] = {name: [] for name in CATALOG}
    rows = store.con.execute(
        "SELECT kind, name, type, labels, vocabulary, required, personal FROM custom_fields "
        "ORDER BY id"
    ).fetchall()
    for kind, name, type_name, labels, vocabulary, required, personal in rows:
        if not _safe(kind, name) or type_name not in FIELD_TYPES:
            raise StoreOpenError(
                f"{store.path or 'this database'} defines a custom field "
                f"{shorten(kind)}.{shorten(name)} ({shorten(type_name)}) crmkit never writes; "
                "the file was changed outside crmkit"
            )
        definition = {
            "name": name,
            "type": type_name,
            "labels": None if labels is None else json.loads(labels),
            "vocabulary": None if vocabulary is None else json.loads(vocabulary),
            "required": required,
            "personal": personal,
        }
        extra[kind].append(custom_field(definition))
    catalog = {name: tbl.with_fields(tuple(extra[name])) for name, tbl in CATALOG.items()}
    stages = store.get_setting(STAGES_SETTING)
    if stages is not None:  # the database's own lifecycle stages (crm.settings.set_stages)
        contacts = catalog["contacts"]
        vocab = stage_vocabulary(stages)
        fields = tuple(
            replace(f, choices=vocab) if f.name == "lifecycle_stage" else f for f in contacts
        )
        catalog["contacts"] = replace(contacts, fields=fields)
    flags = _personal_flags(store)
    return {name: _flagged(tbl, flags.get(name, {})) for name, tbl in catalog.items()}


def _personal_flags(store: Store) -> dict[str, dict[str, bool]]:
    """A database's choice of personal standard fields (``crm.settings.set_personal``):
    kind to field to flag; none in a file older than the table (read while migrating)."""
    present = store.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_name = 'personal_flags'"
    ).fetchall()
    if not present[0][0]:
        return {}
    flags: dict[str, dict[str, bool]] = {}
    for kind, field, personal in store.con.execute(
        "SELECT kind, field, personal FROM personal_flags ORDER BY id"
    ).fetchall():
        flags.setdefault(str(kind), {})[str(field)] = bool(personal)
    return flags


def _flagged(tbl: Table, flags: Mapping[str, bool]) -> Table:
    """``tbl`` with the standard fields' personal flags a database set."""
    if not flags:
        return tbl
    fields = tuple(
        replace(f, personal=flags[f.name]) if f.name in flags and not f.custom else f for f in tbl
    )
    return replace(tbl, fields=fields)


def physical_columns(store: Store, table: str) -> dict[str, str]:
    """The columns ``table`` has in the file now (name to DuckDB type)."""
    rows = store.con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return {str(r[0]): str(r[1]).upper() for r in rows}


def missing_custom_columns(store: Store) -> list[str]:
    """``table.field`` of every custom field whose column is missing or of another type."""
    out = []
    for name, tbl in store.catalog.items():
        have = physical_columns(store, name)
        out += [
            f"{name}.{f.name}"
            for f in tbl.custom
            if have.get(f.name, "").upper() != f.sql_type.upper()
        ]
    return out


def _renamed_in(store: Store, batch_id: int) -> dict[tuple[str, str], str]:
    """``(kind, new name)`` to the name it had before, for names ``batch_id`` changed."""
    rows = store.con.execute(
        "SELECT d.kind, h.old_value ->> '$', h.new_value ->> '$' FROM history h "
        "JOIN custom_fields d ON d.id = h.record_id WHERE h.batch_id = ? "
        "AND h.table_name = 'custom_fields' AND h.field = 'name'",
        [batch_id],
    ).fetchall()
    return {(str(k), str(new)): str(old) for k, old, new in rows if _safe(k, old)}


def sync_custom_columns(store: Store, batch_id: int) -> None:
    """Give every custom field its column of its type: renamed from its old name by
    ``batch_id``, added, or converted to the field's type."""
    twice = store.con.execute(
        "SELECT kind, name FROM custom_fields GROUP BY kind, name HAVING count(*) > 1 LIMIT 1"
    ).fetchall()
    if twice:
        kind, name = twice[0]
        raise UndoConflictError(message("cf_added_again", field=f"{kind}.{name}"))
    renamed = _renamed_in(store, batch_id)
    changed = False
    for kind, tbl in store.catalog.items():
        have = physical_columns(store, kind)
        for f in tbl.custom:
            if f.name in have:
                if have[f.name] != f.sql_type.upper():
                    # The type changed: every value that keeps its JSON form casts as it
                    # is; the batch's history holds the others (written or restored next).
                    store.con.execute(
                        f"ALTER TABLE {kind} ALTER {f.name} TYPE {f.sql_type} "
                        f"USING TRY_CAST({f.name} AS {f.sql_type})"
                    )
                    changed = True
                continue
            old = renamed.get((kind, f.name))
            if old is not None and old in have:
                store.con.execute(f"ALTER TABLE {kind} RENAME COLUMN {old} TO {f.name}")
            else:
                store.con.execute(f"ALTER TABLE {kind} ADD COLUMN {f.name} {f.sql_type}")
            changed = True
    if changed:
        store.rebuild_views()


def _removed_in(store: Store, batch_id: int) -> list[tuple[str, str]]:
    """``(kind, name)`` of the definitions ``batch_id`` deleted."""
    rows = store.con.execute(
        "SELECT old_value ->> 'kind', old_value ->> 'name' FROM history WHERE batch_id = ? "
        "AND table_name = 'custom_fields' AND operation = 'delete' AND field IS NULL",
        [batch_id],
    ).fetchall()
    return [(str(k), str(n)) for k, n in rows if _safe(k, n)]


def settle_custom_columns(store: Store, batch_id: int) -> None:
    """Drop the column of each definition ``batch_id`` removed; refuse if it holds a value."""
    changed = False
    for kind, name in _removed_in(store, batch_id):
        if name in store.catalog[kind] or name not in physical_columns(store, kind):
            continue
        held = store.con.execute(
            f"SELECT id, CAST({name} AS VARCHAR) FROM {kind} WHERE {name} IS NOT NULL "
            "ORDER BY id LIMIT 3"
        ).fetchall()
        if held:
            by = store.con.execute(
                "SELECT max(batch_id) FROM history WHERE table_name = ? AND batch_id <> ? "
                "AND record_id IN (SELECT unnest(?::BIGINT[])) "
                "AND (field = ? OR (field IS NULL AND operation = 'insert'))",
                [kind, batch_id, [int(r[0]) for r in held], name],
            ).fetchall()[0][0]
            values = ", ".join(f"{kind} {r[0]}: {shorten(r[1])}" for r in held)
            raise UndoConflictError(
                message("cf_held", field=f"{kind}.{name}", batch=by, values=values)
            )
        store.con.execute(f"ALTER TABLE {kind} DROP COLUMN {name}")
        changed = True
    if changed:
        store.rebuild_views()
