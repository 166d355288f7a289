"""What happened: batches, history rows, rejected import rows and counts, as frames.

Reading only; the store writes history in the same transaction as each change.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from crmkit._core._session import Session
from crmkit._core._store import first, whole_id
from crmkit._exceptions import ValidationError
from crmkit._util._config import current_lang
from crmkit._util._display_frame import display_frame
from crmkit.schemas._catalog import table
from crmkit.schemas._display import report_columns

__all__ = ["batches_frame", "counts", "history_frame", "rejects_frame"]


def batches_frame(session: Session, limit: int | None = None) -> pd.DataFrame:
    """The operations that changed data, newest first."""
    sql = (
        "SELECT id, created_at, actor, operation, description, n_changes, undone_by, "
        "undoes FROM batches ORDER BY id DESC"
    )
    if limit is not None:
        count = whole_id(limit, "limit")
        if count < 0:  # DuckDB would refuse it with an error of its own
            raise ValidationError(f"limit must be 0 or more, got {count}")
        sql += f" LIMIT {count}"
    frame = session.con.sql(sql).df()
    return display_frame(frame, report_columns("contacts", list(frame.columns), current_lang()))


def history_frame(
    session: Session,
    kind: str | None = None,
    record_id: int | None = None,
    batch_id: int | None = None,
) -> pd.DataFrame:
    """History rows, optionally for one table, one record or one batch (decoded values)."""
    where: list[str] = []
    params: list[Any] = []
    if kind is not None:
        where.append("h.table_name = ?")
        params.append(table(kind).name if kind != "owners" else "owners")
    if record_id is not None:
        where.append("h.record_id = ?")
        params.append(whole_id(record_id))
    if batch_id is not None:
        where.append("h.batch_id = ?")
        params.append(whole_id(batch_id, "batch"))
    cond = ("WHERE " + " AND ".join(where)) if where else ""
    frame = session.con.sql(
        f'SELECT h.changed_at, h.batch_id, h.operation, h.actor, h.table_name AS "table", '
        f"h.record_id, h.field, h.old_value::VARCHAR AS old, h.new_value::VARCHAR AS new, "
        f"b.description, b.undone_by FROM history h JOIN batches b ON b.id = h.batch_id "
        f"{cond} ORDER BY h.batch_id, h.record_id, h.field",
        params=params,
    ).df()
    for col in ("old", "new"):
        frame[col] = pd.Series(
            [_decode(v, f) for v, f in zip(frame[col], frame["field"], strict=True)],
            index=frame.index,
            dtype=object,
        )
    labels_kind = kind if kind in ("accounts", "contacts") else "contacts"
    return display_frame(frame, report_columns(labels_kind, list(frame.columns), current_lang()))


def _decode(value: Any, field: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        decoded = json.loads(value)
    except (TypeError, ValueError):
        return value
    # A row of a whole record has no field: None, or NaN in a column of pandas strings.
    if (field is None or (isinstance(field, float) and pd.isna(field))) and isinstance(
        decoded, dict
    ):
        return "(whole record)"
    return decoded


def rejects_frame(session: Session, batch_id: int | None = None) -> pd.DataFrame:
    """Rows that imports could not store, with line, raw values (JSON) and reasons."""
    cond = "WHERE batch_id = ?" if batch_id is not None else ""
    params = [whole_id(batch_id, "batch")] if batch_id is not None else None
    return session.con.sql(
        f"SELECT batch_id, kind, source, line, raw::VARCHAR AS raw, reasons "
        f"FROM import_rejects {cond} ORDER BY batch_id, line",
        params=params,
    ).df()


def counts(session: Session) -> dict[str, int]:
    """Rows per table (live accounts and contacts; all owners, batches and history)."""
    out = {}
    for name, sql in (
        ("owners", "SELECT count(*) FROM owners"),
        ("accounts", "SELECT count(*) FROM accounts_v"),
        ("contacts", "SELECT count(*) FROM contacts_v"),
        ("batches", "SELECT count(*) FROM batches"),
        ("history", "SELECT count(*) FROM history"),
        ("import_rejects", "SELECT count(*) FROM import_rejects"),
    ):
        row = first(session.con.execute(sql))
        out[name] = int(row[0]) if row else 0
    return out
