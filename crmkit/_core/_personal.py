"""Which fields hold personal data, per database.

The catalog marks the standard fields that are personal by default
(:data:`~crmkit.schemas._catalog.PERSONAL_BY_DEFAULT`); a database changes that for a
standard field with a row of ``personal_flags`` and for a custom field with its own
``personal`` flag (``custom_fields``). Both are record tables, so each change is a batch
in history that ``crm.undo`` takes back. The store's catalog (:attr:`Store.catalog`)
carries the result: ``Field.personal``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._util._messages import message
from crmkit._util._shorten import shorten
from crmkit.schemas._catalog import table

if TYPE_CHECKING:
    from crmkit._core._store import Store

__all__ = ["personal_names", "set_personal"]


def personal_names(store: Store, kind: str) -> frozenset[str]:
    """The personal fields of ``kind`` in the database of ``store``.

    Examples
    --------
    >>> from crmkit._core._store import Store
    >>> store = Store()
    >>> sorted(personal_names(store, "contacts"))[:4]
    ['birthday', 'city', 'country', 'custom']
    >>> personal_names(store, "accounts")
    frozenset()
    >>> store.close()
    """
    name = table(kind).name
    return frozenset(store.catalog[name].personal)


def set_personal(store: Store, actor: str, kind: str, field: str, personal: bool) -> int | None:
    """Mark ``field`` of ``kind`` personal or not; returns the batch (``None``: no change).

    Raises :class:`UnknownValueError` for a field the table does not have and
    :class:`ValidationError` for one crmkit manages (ids, timestamps, merge links).
    """
    if not isinstance(personal, bool):
        raise ValidationError(f"personal is True or False, got {shorten(personal)}")
    name = table(kind).name
    tbl = store.catalog[name]
    spec = tbl[field]  # raises UnknownValueError, naming the fields
    if not spec.editable:
        raise ValidationError(message("personal_system", field=field, kind=name))
    if spec.personal == personal:
        return None
    store.check_writable()
    with store.transaction():
        word = "personal" if personal else "not personal"
        batch = store.new_batch("personal field", actor, f"{name}.{field} {word}")
        if spec.custom:
            row = store.con.execute(
                "SELECT id FROM custom_fields WHERE kind = ? AND name = ?", [name, field]
            ).fetchall()
            if not row:  # pragma: no cover - the catalog comes from this table
                raise UnknownValueError(f"{name} field", field, tbl.names)
            _set(store, "custom_fields", int(row[0][0]), personal, batch, actor)
        else:
            row = store.con.execute(
                "SELECT id FROM personal_flags WHERE kind = ? AND field = ?", [name, field]
            ).fetchall()
            if row:
                _set(store, "personal_flags", int(row[0][0]), personal, batch, actor)
            else:
                store.insert(
                    "personal_flags",
                    pa.table(
                        {
                            "kind": pa.array([name], pa.string()),
                            "field": pa.array([field], pa.string()),
                            "personal": pa.array([personal], pa.bool_()),
                        }
                    ),
                    batch,
                    actor,
                )
        store.finish_batch(batch)
    store.forget_catalog()
    return batch


def _set(
    store: Store, table_name: str, row_id: int, personal: bool, batch: int, actor: str
) -> None:
    store.update(
        table_name,
        pa.table(
            {"id": pa.array([row_id], pa.int64()), "personal": pa.array([personal], pa.bool_())}
        ),
        batch,
        actor,
    )
