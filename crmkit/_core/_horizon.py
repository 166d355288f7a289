"""The history horizon: personal values leave ``history`` once they are old enough.

``history`` keeps every old and new value so that every batch can be undone; for personal
fields that also means personal data piles up forever. With a horizon
(``crm.settings.history_horizon = "24 months"``, opt-in) :func:`compact` nulls the old and
new values of personal fields in history rows older than the horizon (and removes those
fields from the whole records that ``delete`` rows keep), records how far it went in the
``history_compacted`` setting, and logs counts only (a ``compact history`` batch holding
no personal value). :func:`refuse_if_compacted` is what ``undo`` asks first: a batch
whose personal values were removed cannot be put back, and it says so, naming the
batch and the horizon; batches inside the horizon undo as before.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crmkit._core._results import first
from crmkit._exceptions import UndoError
from crmkit._util._messages import message

if TYPE_CHECKING:
    from crmkit._core._store import Store

__all__ = ["COMPACTED_SETTING", "HORIZON_SETTING", "CompactionReport", "compact"]

HORIZON_SETTING = "history_horizon"
COMPACTED_SETTING = "history_compacted"
_LOG = logging.getLogger("crmkit")


@dataclass(frozen=True)
class CompactionReport:
    """What :meth:`crmkit.CRM.compact_history` removed from history (counts only).

    Attributes
    ----------
    horizon
        The horizon in force (``None``: history is kept whole, nothing was done).
    cutoff
        Values in history rows older than this moment were removed.
    rows
        History rows that lost values.
    values
        Personal values removed.
    by_field
        ``{"contacts.email": 12, ...}``: values removed per field.
    batch_id
        The ``compact history`` batch that logs it (``None`` when nothing was removed).
    """

    horizon: str | None
    cutoff: datetime | None = None
    rows: int = 0
    values: int = 0
    by_field: Mapping[str, int] = field(default_factory=dict)
    batch_id: int | None = None

    def __str__(self) -> str:
        if self.horizon is None or self.cutoff is None:
            return "history horizon: none (history is kept whole)"
        return message(
            "horizon_compacted",
            horizon=self.horizon,
            count=self.values,
            values=self.values,
            cutoff=f"{self.cutoff:%Y-%m-%d}",
        )


def compact(
    store: Store,
    fields: Mapping[str, Sequence[str]],
    cutoff: datetime,
    horizon: str,
    actor: str,
) -> CompactionReport:
    """Null the personal values (``fields`` per table) of history rows older than ``cutoff``.

    One transaction; counts are logged (``crmkit`` logger and a ``compact history`` batch).
    """
    store.check_writable()
    con = store.con
    by_field: dict[str, int] = {}
    rows = 0
    with store.transaction():
        for table_name, names in fields.items():
            wanted = sorted({str(n) for n in names})
            if not wanted:
                continue
            where = (
                "table_name = ? AND changed_at < ? AND field IN (SELECT unnest(?::VARCHAR[])) "
                "AND (old_value IS NOT NULL OR new_value IS NOT NULL)"
            )
            params: list[Any] = [table_name, cutoff, wanted]
            for name, count in con.execute(
                f"SELECT field, sum((old_value IS NOT NULL)::INT + (new_value IS NOT NULL)::INT) "
                f"FROM history WHERE {where} GROUP BY field",
                params,
            ).fetchall():
                by_field[f"{table_name}.{name}"] = int(count)
            changed = first(
                con.execute(
                    f"UPDATE history SET old_value = NULL, new_value = NULL WHERE {where}", params
                )
            )
            rows += int(changed[0]) if changed else 0
            # A removed record is kept whole in its ``delete`` row: drop its personal keys.
            deleted = (
                "table_name = ? AND changed_at < ? AND operation = 'delete' AND field IS NULL "
                "AND old_value IS NOT NULL"
            )
            for name in wanted:
                found = first(
                    con.execute(
                        f"SELECT count(*) FROM history WHERE {deleted} "
                        f"AND json_extract(old_value, ?) IS NOT NULL "
                        f"AND json_extract(old_value, ?)::VARCHAR <> 'null'",
                        [table_name, cutoff, f'$."{name}"', f'$."{name}"'],
                    )
                )
                if found and found[0]:
                    key = f"{table_name}.{name}"
                    by_field[key] = by_field.get(key, 0) + int(found[0])
            patch = json.dumps(dict.fromkeys(wanted))
            changed = first(
                con.execute(
                    f"UPDATE history SET old_value = json_merge_patch(old_value, ?::JSON) "
                    f"WHERE {deleted} AND old_value::VARCHAR <> "
                    f"json_merge_patch(old_value, ?::JSON)::VARCHAR",
                    [patch, table_name, cutoff, patch],
                )
            )
            rows += int(changed[0]) if changed else 0
        _remember(store, fields, cutoff, horizon)
        values = sum(by_field.values())
        batch_id = None
        if values:
            report = CompactionReport(horizon, cutoff, rows, values, dict(by_field))
            batch_id = store.new_batch(
                "compact history",
                actor,
                str(report),
                {"horizon": horizon, "cutoff": f"{cutoff:%Y-%m-%d %H:%M:%S}", "rows": rows,
                 "values": values, "by_field": by_field},
            )  # fmt: skip
            store.finish_batch(batch_id)
    result = CompactionReport(horizon, cutoff, rows, sum(by_field.values()), by_field, batch_id)
    if result.values:
        _LOG.info("%s", result)
    return result


def _remember(
    store: Store, fields: Mapping[str, Sequence[str]], cutoff: datetime, horizon: str
) -> None:
    """Keep the furthest moment values were removed before, and from which fields."""
    mark = store.get_setting(COMPACTED_SETTING) or {}
    before = mark.get("cutoff")
    furthest = max(cutoff, datetime.fromisoformat(before)) if before else cutoff
    known: dict[str, list[str]] = dict(mark.get("fields") or {})
    for table_name, names in fields.items():
        known[table_name] = sorted({*known.get(table_name, []), *map(str, names)})
    store.set_setting(
        COMPACTED_SETTING,
        {"cutoff": furthest.isoformat(), "horizon": horizon, "fields": known},
    )


def refuse_if_compacted(store: Store, batch_id: int) -> None:
    """Raise :class:`~crmkit.UndoError` when ``batch_id``'s personal values were removed."""
    mark = store.get_setting(COMPACTED_SETTING)
    if not mark:
        return
    cutoff = datetime.fromisoformat(mark["cutoff"])
    for table_name, names in (mark.get("fields") or {}).items():
        hit = first(
            store.con.execute(
                "SELECT 1 FROM history WHERE batch_id = ? AND table_name = ? AND changed_at < ? "
                "AND (field IN (SELECT unnest(?::VARCHAR[])) "
                "OR (field IS NULL AND operation = 'delete')) LIMIT 1",
                [batch_id, table_name, cutoff, list(names)],
            )
        )
        if hit:
            why = message(
                "undo_compacted", horizon=mark.get("horizon"), cutoff=f"{cutoff:%Y-%m-%d}"
            )
            raise UndoError(message("undo_refused", batch=batch_id, why=why))
