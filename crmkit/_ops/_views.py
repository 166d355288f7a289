"""Saved views: named filters (never their rows), kept in the ``saved_views`` table.

A definition is JSON: the keyword filters, the sort and the columns of a selection; the
facade (:class:`crmkit.SavedViews`) turns it back into a selection. Nothing in it is
ever run as SQL: loading one goes through the keyword filters again.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
import pyarrow as pa

from crmkit._core._session import Session
from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._util._suggest import closest

__all__ = ["definition_of", "delete", "frame", "load", "names", "save"]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset | list):
        return [_jsonable(v) for v in value]
    return value


def definition_of(
    filters: tuple[tuple[str, Any], ...],
    order: tuple[tuple[str, bool], ...],
    columns: tuple[str, ...] | None,
) -> str:
    """A view's definition as JSON text."""
    return json.dumps(
        {
            "filters": [[k, _jsonable(v)] for k, v in filters],
            "order": [list(o) for o in order],
            "columns": list(columns) if columns else None,
        },
        ensure_ascii=False,
    )


def _row(session: Session, name: str) -> tuple[int, str, str] | None:
    rows = session.con.execute(
        "SELECT id, kind, definition::VARCHAR FROM saved_views WHERE name = ?", [name]
    ).fetchall()
    return (int(rows[0][0]), rows[0][1], rows[0][2]) if rows else None


def names(session: Session) -> list[str]:
    """The saved view names."""
    rows = session.con.execute("SELECT name FROM saved_views ORDER BY name")
    return [r[0] for r in rows.fetchall()]


def save(session: Session, name: str, kind: str, definition: str, *, replace: bool) -> None:
    """Save (or, with ``replace``, overwrite) a view; undoable."""
    name = str(name).strip()
    if not name:
        raise ValidationError("a saved view needs a name")
    existing = _row(session, name)
    if existing is not None and not replace:
        raise ValidationError(f"a view named {name!r} exists; pass replace=True")
    with session.batch("view save", f"save view {name}") as batch:
        if existing is None:
            session.store.insert(
                "saved_views",
                pa.table(
                    {
                        "name": pa.array([name], pa.string()),
                        "kind": pa.array([kind], pa.string()),
                        "definition": pa.array([definition], pa.string()),
                    }
                ),
                batch,
                session.user,
            )
        else:
            session.store.update(
                "saved_views",
                pa.table(
                    {
                        "id": pa.array([existing[0]], pa.int64()),
                        "kind": pa.array([kind], pa.string()),
                        "definition": pa.array([definition], pa.string()),
                    }
                ),
                batch,
                session.user,
            )


def load(session: Session, name: str) -> tuple[str, dict[str, Any]]:
    """``(kind, definition)`` of a saved view; unknown names list the known ones."""
    row = _row(session, name)
    if row is None:
        known = names(session)
        raise UnknownValueError("saved view", name, known, closest(name, known))
    _, kind, text = row
    return kind, json.loads(text)


def delete(session: Session, name: str) -> None:
    """Remove a saved view (undoable)."""
    row = _row(session, name)
    if row is None:
        known = names(session)
        raise UnknownValueError("saved view", name, known, closest(name, known))
    with session.batch("view delete", f"delete view {name}") as batch:
        session.store.hard_delete("saved_views", [row[0]], batch, session.user)


def frame(session: Session) -> pd.DataFrame:
    """Every saved view with its kind and definition."""
    return session.con.sql(
        "SELECT name, kind, definition::VARCHAR AS definition, created_by, updated_at "
        "FROM saved_views ORDER BY name"
    ).df()
