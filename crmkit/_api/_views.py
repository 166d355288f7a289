"""Saved views: a named filter (not its rows), kept in the database."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._util._suggest import closest

if TYPE_CHECKING:
    from crmkit._api._crm import CRM
    from crmkit._api._selection import Selection

__all__ = ["SavedViews"]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


class SavedViews:
    """``crm.views``: save a selection's filter under a name and load it again later.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> _ = crm.contacts.add(last_name="Blou", active=True)
    >>> crm.views.save("actifs", crm.contacts.filter(active=True).sort("last_name"))
    >>> len(crm.views.load("actifs"))
    1
    >>> crm.close()
    """

    def __init__(self, crm: CRM) -> None:
        self._crm = crm

    def _row(self, name: str) -> tuple[int, str, str] | None:
        rows = self._crm._store.con.execute(
            "SELECT id, kind, definition::VARCHAR FROM saved_views WHERE name = ?", [name]
        ).fetchall()
        return (int(rows[0][0]), rows[0][1], rows[0][2]) if rows else None

    def names(self) -> list[str]:
        """The saved view names."""
        rows = self._crm._store.con.execute("SELECT name FROM saved_views ORDER BY name")
        return [r[0] for r in rows.fetchall()]

    def save(self, name: str, selection: Selection, *, replace: bool = False) -> None:
        """Save ``selection``'s filters, sort and columns as ``name``."""
        name = str(name).strip()
        if not name:
            raise ValidationError("a saved view needs a name")
        definition = json.dumps(
            {
                "filters": [[k, _jsonable(v)] for k, v in selection.filters],
                "order": [list(o) for o in selection.order],
                "columns": list(selection.cols) if selection.cols else None,
            },
            ensure_ascii=False,
        )
        existing = self._row(name)
        crm = self._crm
        with crm._batch("view save", f"save view {name}") as batch:
            if existing is None:
                crm._store.insert(
                    "saved_views",
                    pa.table(
                        {
                            "name": pa.array([name], pa.string()),
                            "kind": pa.array([selection.kind], pa.string()),
                            "definition": pa.array([definition], pa.string()),
                        }
                    ),
                    batch,
                    crm.user,
                )
            elif not replace:
                raise ValidationError(f"a view named {name!r} exists; pass replace=True")
            else:
                crm._store.update(
                    "saved_views",
                    pa.table(
                        {
                            "id": pa.array([existing[0]], pa.int64()),
                            "kind": pa.array([selection.kind], pa.string()),
                            "definition": pa.array([definition], pa.string()),
                        }
                    ),
                    batch,
                    crm.user,
                )

    def load(self, name: str) -> Selection:
        """The selection saved as ``name``, evaluated on today's records."""
        row = self._row(name)
        if row is None:
            names = self.names()
            raise UnknownValueError("saved view", name, names, closest(name, names))
        _, kind, text = row
        definition = json.loads(text)
        selection = self._crm._records(kind).all()
        for key, value in definition["filters"]:
            selection = selection.filter(**{key: value})
        if definition["order"]:
            selection = selection.sort(*(("-" if d else "") + c for c, d in definition["order"]))
        if definition["columns"]:
            selection = selection.columns(*definition["columns"])
        return selection

    def delete(self, name: str) -> None:
        """Remove a saved view (undoable)."""
        row = self._row(name)
        if row is None:
            names = self.names()
            raise UnknownValueError("saved view", name, names, closest(name, names))
        with self._crm._batch("view delete", f"delete view {name}") as batch:
            self._crm._store.hard_delete("saved_views", [row[0]], batch, self._crm.user)

    def list(self) -> pd.DataFrame:
        """Every saved view with its kind and definition."""
        return self._crm._store.con.sql(
            "SELECT name, kind, definition::VARCHAR AS definition, created_by, updated_at "
            "FROM saved_views ORDER BY name"
        ).df()

    def __repr__(self) -> str:
        return f"SavedViews({', '.join(self.names()) or 'none'})"
