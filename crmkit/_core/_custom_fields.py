"""Adding, renaming and dropping a database's custom fields, each as one undoable batch.

A definition is a row of ``custom_fields`` (history and undo come with it); its column
follows it (:mod:`crmkit._core._custom_columns`). Adding a field moves the values stored
under its name in the ``custom`` JSON column into it, converted to its type; dropping it
empties the column first, so history keeps every value and undo puts them back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from crmkit._core._custom_columns import physical_columns, settle_custom_columns
from crmkit._core._custom_columns import sync_custom_columns as _sync
from crmkit._core._field_references import field_references, rewrite_references
from crmkit._core._store import arrow_type, now_utc
from crmkit._exceptions import ValidationError
from crmkit._normalize._columns import ColumnOptions, normalize_column
from crmkit._util._messages import message
from crmkit._util._shorten import shorten
from crmkit.schemas._catalog import CATALOG, Field, table
from crmkit.schemas._custom import (
    RESERVED_NAMES,
    check_field_name,
    custom_field,
    normalized_definition,
)

if TYPE_CHECKING:
    from crmkit._core._settings import Settings
    from crmkit._core._store import Store

__all__ = [
    "FieldReport",
    "add_field",
    "change_field_type",
    "drop_field",
    "list_fields",
    "rename_field",
]

_ON_ERROR = ("refuse", "keep")


@dataclass(frozen=True)
class FieldReport:
    """What ``crm.settings.add_field`` did.

    Attributes
    ----------
    batch_id
        The batch (``crm.undo(batch_id)`` takes the field away again).
    moved
        How many values moved from ``custom`` into the new column.
    kept
        The values that did not convert and stayed in ``custom`` (``on_error="keep"``):
        ``id, field, value, reason``.
    """

    batch_id: int
    moved: int
    kept: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["id", "field", "value", "reason"])
    )

    def __repr__(self) -> str:
        return f"FieldReport(batch {self.batch_id}: {self.moved} moved, {len(self.kept)} kept)"


def _keywords(store: Store) -> set[str]:
    return {
        str(r[0])
        for r in store.con.execute("SELECT keyword_name FROM duckdb_keywords()").fetchall()
    }


def _taken(store: Store, kind: str) -> set[str]:
    """Names a new field of ``kind`` may not have: fields, derived columns, filter words."""
    names = set(store.catalog[kind].names) | set(RESERVED_NAMES)
    names |= set(physical_columns(store, kind)) | set(physical_columns(store, f"{kind}_v"))
    return names


def _custom_of(store: Store, kind: str, name: str) -> Field:
    tbl = store.catalog[kind]
    if name not in tbl or not tbl[name].custom:
        customs = [f.name for f in tbl.custom]
        known = ", ".join(customs) or "-"
        raise ValidationError(message("cf_not_custom", name=shorten(name), kind=kind, known=known))
    return tbl[name]


def _moves(
    store: Store, settings: Settings, kind: str, f: Field
) -> tuple[pa.Table, list[dict[str, Any]]]:
    """The records whose ``custom`` holds ``f.name``: the changes moving it, the misfits."""
    rows = store.con.execute(
        f"SELECT id, custom FROM {kind} WHERE json_exists(custom, ?) ORDER BY id",
        [f"$.{f.name}"],
    ).fetchall()
    if not rows:
        return pa.table({}), []
    customs = [json.loads(r[1]) for r in rows]
    raw = [c[f.name] for c in customs]
    values = [json.dumps(v) if isinstance(v, dict) else v for v in raw]
    options = ColumnOptions(region=settings.default_region, sectors=settings.sectors)
    result = normalize_column(f, values, options)
    ids, out, new_custom, misfits = [], [], [], []
    for i, (record_id, custom) in enumerate(zip([r[0] for r in rows], customs, strict=True)):
        outside = result.to_custom is not None and result.to_custom[i] is not None
        error = result.errors[i] or (
            f"not one of {', '.join(f.choices.values)}" if outside and f.choices else None
        )
        if error is None and f.kind == "text" and isinstance(raw[i], list | dict):
            error = "not a text"
        if error is not None:
            misfits.append(
                {"id": int(record_id), "field": f.name, "value": raw[i], "reason": error}
            )
            continue
        rest = {k: v for k, v in custom.items() if k != f.name}
        ids.append(int(record_id))
        out.append(result.values[i])
        new_custom.append(json.dumps(rest) if rest else None)
    changes = pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            f.name: pa.array(out, arrow_type(f)),
            "custom": pa.array(new_custom, pa.string()),
        }
    )
    return changes, misfits


def add_field(
    settings: Settings,
    kind: str,
    name: str,
    type_name: str,
    *,
    labels: Mapping[str, str] | None = None,
    vocabulary: Any = None,
    required: bool = False,
    personal: bool = False,
    on_error: str = "refuse",
) -> FieldReport:
    """See :meth:`crmkit._core._settings.Settings.add_field`."""
    store = settings._store
    store.check_writable()
    kind = table(kind).name
    if on_error not in _ON_ERROR:
        raise ValidationError(f"on_error is one of {', '.join(_ON_ERROR)}, got {shorten(on_error)}")
    check_field_name(name, _taken(store, kind), _keywords(store))
    definition = normalized_definition(
        kind,
        name,
        type_name,
        labels=labels,
        vocabulary=vocabulary,
        required=required,
        personal=personal,
    )
    f = custom_field(definition)
    changes, misfits = _moves(store, settings, kind, f)
    if misfits and on_error == "refuse":
        shown = _values_shown(kind, name, [(m["id"], m["value"], m["reason"]) for m in misfits])
        raise ValidationError(
            message(
                "cf_not_converted",
                field=f"{kind}.{name}",
                count=len(misfits),
                name=repr(name),
                type=type_name,
                shown=shown,
            )
        )
    if required:
        filled = changes.num_rows
        live = store.con.execute(
            f"SELECT count(*) FROM {kind} WHERE deleted_at IS NULL AND merged_into IS NULL"
        ).fetchall()[0][0]
        if live > filled:
            raise ValidationError(
                message("cf_required_empty", field=f"{kind}.{name}", count=live - filled)
            )
    actor = settings._actor
    row = {
        k: [json.dumps(v) if k in ("labels", "vocabulary") and v is not None else v]
        for k, v in definition.items()
    }
    try:
        with store.transaction():
            batch = store.new_batch("add field", actor, f"{kind}.{name} ({type_name})", definition)
            store.insert("custom_fields", pa.table(row), batch, actor)
            store.forget_catalog()
            _sync(store, batch)
            if changes.num_rows:
                store.update(kind, changes, batch, actor, "add field")
            store.finish_batch(batch)
    finally:
        store.forget_catalog()
    kept = pd.DataFrame(misfits, columns=["id", "field", "value", "reason"])
    return FieldReport(batch, changes.num_rows, kept)


def rename_field(settings: Settings, kind: str, old: str, new: str) -> int:
    """See :meth:`crmkit._core._settings.Settings.rename_field`."""
    store = settings._store
    store.check_writable()
    kind = table(kind).name
    _custom_of(store, kind, old)
    check_field_name(new, _taken(store, kind), _keywords(store))
    record_id = store.con.execute(
        "SELECT id FROM custom_fields WHERE kind = ? AND name = ?", [kind, old]
    ).fetchall()[0][0]
    actor = settings._actor
    try:
        with store.transaction():
            batch = store.new_batch("rename field", actor, f"{kind}.{old} -> {new}")
            changes = pa.table({"id": pa.array([record_id], pa.int64()), "name": [new]})
            store.update("custom_fields", changes, batch, actor, "rename field")
            rewrite_references(store, kind, old, new, batch, actor)
            store.forget_catalog()
            _sync(store, batch)
            store.finish_batch(batch)
    finally:
        store.forget_catalog()
    return batch


def _as_text(value: Any) -> Any:
    """A stored value as the text a file would hold it (lists joined, dates ISO)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value if isinstance(value, str) else str(value)


def change_field_type(
    settings: Settings, kind: str, name: str, type_name: str, *, vocabulary: Any = None
) -> int:
    """See :meth:`crmkit._core._settings.Settings.change_field_type`."""
    store = settings._store
    store.check_writable()
    kind = table(kind).name
    old = _custom_of(store, kind, name)
    record_id, labels = store.con.execute(
        "SELECT id, labels FROM custom_fields WHERE kind = ? AND name = ?", [kind, name]
    ).fetchall()[0]
    definition = normalized_definition(
        kind,
        name,
        type_name,
        labels=json.loads(labels) if labels else None,
        vocabulary=vocabulary,
        required=old.required,
        personal=old.personal,
    )
    new = custom_field(definition)
    rows = store.con.execute(
        f"SELECT id, {name} FROM {kind} WHERE {name} IS NOT NULL ORDER BY id"
    ).fetchall()
    raw = [r[1] for r in rows]
    keep_lists = old.kind == "list" and new.kind == "list"
    values = raw if keep_lists else [_as_text(v) for v in raw]
    options = ColumnOptions(region=settings.default_region, sectors=settings.sectors)
    result = normalize_column(new, values, options)
    lost = [
        (rows[i][0], raw[i], result.errors[i] or "not in the vocabulary")
        for i in range(len(rows))
        if result.errors[i] is not None
        or (result.to_custom is not None and result.to_custom[i] is not None)
    ]
    if lost:
        shown = _values_shown(kind, name, lost)
        raise ValidationError(
            message(
                "cf_type_loses",
                field=f"{kind}.{name}",
                count=len(lost),
                type=type_name,
                shown=shown,
            )
        )
    actor = settings._actor
    converted = pa.table(
        {
            "id": pa.array([int(r[0]) for r in rows], pa.int64()),
            name: pa.array(result.values, arrow_type(new)),
        }
    )
    vocab = definition["vocabulary"]
    try:
        with store.transaction():
            batch = store.new_batch(
                "change field type", actor, f"{kind}.{name} -> {type_name}", definition
            )
            changes = pa.table(
                {
                    "id": pa.array([record_id], pa.int64()),
                    "type": pa.array([type_name], pa.string()),
                    "vocabulary": pa.array(
                        [None if vocab is None else json.dumps(vocab)], pa.string()
                    ),
                }
            )
            store.update("custom_fields", changes, batch, actor, "change field type")
            store.con.register("_crmkit_retype", converted)
            try:
                # History first, in the old type (what undo restores); then the column
                # changes type and takes the converted values.
                store.con.execute(
                    f"INSERT INTO history SELECT ?, ?, ?, 'change field type', ?, t.id, ?, "
                    f"to_json(t.{name}), to_json(c.{name}) FROM {kind} t "
                    f"JOIN _crmkit_retype c ON c.id = t.id "
                    f"WHERE to_json(t.{name})::VARCHAR IS DISTINCT FROM to_json(c.{name})::VARCHAR",
                    [batch, now_utc(), actor, kind, name],
                )
                store.forget_catalog()
                _sync(store, batch)
                store.con.execute(
                    f"UPDATE {kind} t SET {name} = c.{name} FROM _crmkit_retype c WHERE t.id = c.id"
                )
            finally:
                store.con.unregister("_crmkit_retype")
            store.finish_batch(batch)
    finally:
        store.forget_catalog()
    return batch


def drop_field(
    settings: Settings, kind: str, name: str, *, confirm: bool = False, force: bool = False
) -> int:
    """See :meth:`crmkit._core._settings.Settings.drop_field`."""
    store = settings._store
    store.check_writable()
    kind = table(kind).name
    _custom_of(store, kind, name)
    refs = field_references(store, kind, name)
    if refs and force is not True:
        raise ValidationError(
            message(
                "cf_drop_referenced", field=f"{kind}.{name}", refs=message("list_sep").join(refs)
            )
        )
    held = store.con.execute(f"SELECT count(*) FROM {kind} WHERE {name} IS NOT NULL").fetchall()
    if confirm is not True:
        raise ValidationError(message("cf_drop_confirm", field=f"{kind}.{name}", count=held[0][0]))
    record_id = store.con.execute(
        "SELECT id FROM custom_fields WHERE kind = ? AND name = ?", [kind, name]
    ).fetchall()[0][0]
    actor = settings._actor
    try:
        with store.transaction():
            batch = store.new_batch("drop field", actor, f"{kind}.{name}")
            store.set_where_ids(
                kind,
                f"SELECT id FROM {kind} WHERE {name} IS NOT NULL",
                [],
                {name: None},
                batch,
                actor,
                "drop field",
            )
            rewrite_references(store, kind, name, None, batch, actor)
            store.hard_delete("custom_fields", [record_id], batch, actor)
            store.forget_catalog()
            settle_custom_columns(store, batch)
            store.finish_batch(batch)
    finally:
        store.forget_catalog()
    return batch


def list_fields(store: Store, kind: str | None = None) -> pd.DataFrame:
    """The custom fields of ``kind`` (both tables when ``None``), one row each."""
    kinds = list(CATALOG) if kind is None else [table(kind).name]
    rows = [
        {
            "kind": k,
            "name": f.name,
            "type": store.con.execute(
                "SELECT type FROM custom_fields WHERE kind = ? AND name = ?", [k, f.name]
            ).fetchall()[0][0],
            "en": f.en,
            "fr": f.fr,
            "zh": f.zh,
            "vocabulary": None if f.choices is None else list(f.choices.values),
            "required": f.required,
            "personal": f.personal,
        }
        for k in kinds
        for f in store.catalog[k].custom
    ]
    columns = ["kind", "name", "type", "en", "fr", "zh", "vocabulary", "required", "personal"]
    return pd.DataFrame(rows, columns=columns)


def _values_shown(kind: str, name: str, values: Sequence[tuple[Any, Any, str]]) -> str:
    """The first five (record, value, reason) a refusal names, and how many more there are."""
    shown = "; ".join(f"{kind} {r}, {name}: {shorten(v)} ({why})" for r, v, why in values[:5])
    if len(values) > 5:
        shown += message("and_more", count=len(values) - 5)
    return shown
