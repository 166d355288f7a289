"""A field's fill rate month by month, reconstructed from history.

Method: for each month, the records are those created by the month's end and not
deleted or merged by then; a record's value at a month's end is the ``new`` value of its
last history change of the field made by then, else the ``old`` value of its first
change after, else its value today (history holds one row per changed field with the old
and the new value, and an undo writes its inverse as new rows, so this replays undos
too). One query: a record never changed is counted from its creation month with today's
value; a changed one by the value in force at each month's end.

Limits: a change made outside crmkit (plain SQL on the file) leaves no history and is
seen as if the value had always been today's; a record removed for good
(``hard_delete``) is no longer counted in the months it existed; a deleted record whose
deletion was undone counts as present throughout; a merged record is gone from the
moment of its last ``merged_into`` change; ``created_at`` set by an import from the
file's own column places the record in that month.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from crmkit._core._session import Session
from crmkit._core._store import now_utc
from crmkit._exceptions import UnknownValueError
from crmkit._ops._quality import check_kind, filled_sql, measured_fields
from crmkit._util._messages import message
from crmkit._util._shorten import shorten
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import table

__all__ = ["fill_trend"]


def _json_filled(kind: str, v: str) -> str:
    """SQL true when the JSON history value ``v`` holds a value of a field of ``kind``."""
    if kind == "text":
        return f"({v} IS NOT NULL AND trim(coalesce(json_extract_string({v}, '$'), '')) <> '')"
    if kind == "list":
        return f"({v} IS NOT NULL AND coalesce(json_array_length({v}), 0) > 0)"
    return f"({v} IS NOT NULL AND CAST({v} AS VARCHAR) <> 'null')"


def fill_trend(
    session: Session, kind: str, field: str, months: int = 24, now: datetime | None = None
) -> pd.DataFrame:
    """``month``, ``records``, ``filled`` and ``fill_rate`` of ``field``, oldest first.

    Covers the last ``months`` months up to the current one (fewer when the oldest
    record is younger). See the module's notes for the method and its limits.
    """
    kind = check_kind(kind)
    names = [f.name for f in measured_fields(kind)]
    if field not in names:
        error = UnknownValueError("field", field, names, closest(str(field), names))
        error.args = (
            message(
                "quality_unknown_field", field=shorten(field), kind=kind, fields=", ".join(names)
            ),
        )
        raise error
    f = table(kind)[field]
    name = table(kind).name
    now = now or now_utc()
    filled_now = filled_sql(f, f"t.{field}")
    sql = f"""
    WITH changes AS (
        SELECT record_id, changed_at, batch_id,
               old_value AS old_v, new_value AS new_v,
               row_number() OVER (PARTITION BY record_id ORDER BY changed_at, batch_id) AS k
        FROM history
        WHERE table_name = '{name}' AND field = '{field}' AND operation <> 'insert'
    ),
    segments AS (  -- the value in force from `since` until the next change
        SELECT record_id, TIMESTAMP '1900-01-01' AS since,
               {_json_filled(f.kind, "old_v")} AS filled
        FROM changes WHERE k = 1
        UNION ALL
        SELECT record_id, changed_at AS since,
               {_json_filled(f.kind, "new_v")} AS filled
        FROM changes
    ),
    spans AS (
        SELECT record_id, since, filled,
               lead(since, 1, TIMESTAMP '9999-12-31') OVER (
                   PARTITION BY record_id ORDER BY since) AS until
        FROM segments
    ),
    merged AS (
        SELECT record_id, max(changed_at) AS at FROM history
        WHERE table_name = '{name}' AND field = 'merged_into' GROUP BY record_id
    ),
    recs AS (
        SELECT t.id, t.created_at,
               CASE WHEN t.deleted_at IS NOT NULL THEN t.deleted_at
                    WHEN t.merged_into IS NOT NULL THEN coalesce(m.at, t.updated_at)
               END AS gone_at,
               coalesce({filled_now}, false) AS filled_now,
               t.id IN (SELECT record_id FROM changes) AS changed
        FROM {name} t LEFT JOIN merged m ON m.record_id = t.id
    ),
    bounds AS (
        SELECT greatest(date_trunc('month', min(created_at)),
                        date_trunc('month', ?::TIMESTAMP) - to_months(? - 1)) AS first_month,
               date_trunc('month', ?::TIMESTAMP) AS last_month
        FROM recs
    ),
    month_ends AS (
        SELECT m AS month, least(m + INTERVAL 1 MONTH, ?::TIMESTAMP) AS month_end
        FROM bounds, range(first_month, last_month + INTERVAL 1 MONTH, INTERVAL 1 MONTH) r(m)
    ),
    present AS (
        SELECT e.month, e.month_end, r.id, r.filled_now, r.changed
        FROM month_ends e LEFT JOIN recs r
          ON r.created_at < e.month_end AND (r.gone_at IS NULL OR r.gone_at >= e.month_end)
    )
    SELECT p.month::DATE AS month, count(p.id) AS records,
           count(p.id) FILTER (WHERE CASE WHEN p.changed THEN coalesce(s.filled, false)
                                          ELSE p.filled_now END) AS filled
    FROM present p
    LEFT JOIN spans s ON p.changed AND s.record_id = p.id
         AND s.since < p.month_end AND p.month_end <= s.until
    GROUP BY p.month ORDER BY p.month
    """
    frame = session.con.execute(sql, [now, months, now, now]).df()
    frame["records"] = frame["records"].astype("int64")
    frame["filled"] = frame["filled"].astype("int64")
    frame["fill_rate"] = (frame["filled"] / frame["records"]).where(frame["records"] > 0)
    frame["month"] = pd.to_datetime(frame["month"]).dt.strftime("%Y-%m")
    return frame
