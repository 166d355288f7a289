"""Applying the retention rules, and compacting history past its horizon.

:func:`apply_retention` finds, for each rule of ``crm.settings.retention_rules()`` in
turn, the live records of its kind that match its ``where`` filters and whose date
(``based_on``) is older than its duration; a record found by an earlier rule is left to
that rule. A dry run only reports them; otherwise every rule is applied in ONE batch:
``archive`` deactivates contacts and archives accounts (undoable as any batch),
``anonymise`` and ``delete`` erase the records as ``crm.contacts.erase`` does (not
undoable, hence ``confirm=True``; a batch holding an erasure is refused by undo
whole, its archiving included). Then, when a history horizon is set, history is
compacted (:func:`compact_history`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from crmkit._core._horizon import CompactionReport, compact
from crmkit._core._retention_rules import ERASING, RetentionRule
from crmkit._core._session import Session
from crmkit._core._store import now_utc
from crmkit._exceptions import ValidationError
from crmkit._normalize._durations import parse_duration
from crmkit._ops._erase import erase, personal_fields
from crmkit._ops._filters import compile_filters
from crmkit._ops._query import Condition, Query
from crmkit._util._config import current_lang
from crmkit._util._messages import message
from crmkit._util._table_html import table_html
from crmkit.schemas._display import report_columns

__all__ = ["RetentionReport", "apply_retention", "check_where", "compact_history"]

#: The date each ``based_on`` counts from, as SQL on the view of a kind.
_DATES: dict[str, str] = {
    "last_activity": "greatest(coalesce(updated_at, created_at), "
    "coalesce(last_activity_at, updated_at, created_at))",
    "updated_at": "coalesce(updated_at, created_at)",
    "created_at": "created_at",
}
#: What ``archive`` sets, and the condition of records it would not change.
_ARCHIVE: dict[str, tuple[dict[str, Any], str]] = {
    "contacts": ({"active": False}, "coalesce(active, TRUE)"),
    "accounts": ({"archived": True}, "NOT coalesce(archived, FALSE)"),
}
_NAMES = {"contacts": "display_name", "accounts": "name"}
_COLUMNS = ["rule", "kind", "action", "id", "name", "reference_at"]


def check_where(session: Session, kind: str, where: Mapping[str, Any]) -> None:
    """Refuse a ``where`` that ``crm.<kind>.filter`` would refuse (unknown filter, value)."""
    compile_filters(session, kind, where)


@dataclass
class RetentionReport:
    """What the retention rules touch (a dry run) or touched.

    Attributes
    ----------
    rules
        The rules, in the order they were applied.
    ids
        Per rule id, the ids of the records it touches (a record goes to the first rule
        that finds it).
    dry_run
        ``True``: nothing was written.
    batch_id
        The one batch of the rules (``None`` for a dry run or when nothing matched).
        ``crm.undo(batch_id)`` takes back a batch that only archived; one that
        anonymised or deleted cannot be undone (erasing cannot).
    compaction
        What the history horizon removed after the rules ran (``None``: no horizon,
        or a dry run).
    """

    rules: list[RetentionRule]
    ids: dict[int, list[int]]
    frame: pd.DataFrame = field(repr=False)
    dry_run: bool = True
    batch_id: int | None = None
    compaction: CompactionReport | None = None

    @property
    def count(self) -> int:
        """Records touched by every rule together."""
        return sum(len(v) for v in self.ids.values())

    @property
    def erasing(self) -> int:
        """Records anonymised or deleted (what cannot be undone)."""
        return sum(len(self.ids[r.id]) for r in self.rules if r.action in ERASING)

    def counts(self) -> dict[int, int]:
        """Records touched per rule id."""
        return {r.id: len(self.ids[r.id]) for r in self.rules}

    def df(self) -> pd.DataFrame:
        """One row per record: ``rule, kind, action, id, name, reference_at`` (pandas)."""
        return self.frame.copy()

    def pl(self) -> Any:
        """:meth:`df` as a polars DataFrame."""
        import polars as pl

        return pl.from_pandas(self.frame)

    def _lines(self, lang: str | None = None) -> list[str]:
        key = "retention_head" if self.dry_run else "retention_done"
        lines = [message(key, lang, count=self.count)]
        if not self.rules:
            lines.append(message("retention_no_rules", lang))
        for rule in self.rules:
            lines.append(
                message(
                    "retention_rule_count",
                    lang,
                    rule=rule.describe(lang),
                    count=len(self.ids[rule.id]),
                )
            )
        if self.erasing:
            lines.append(message("retention_not_undoable", lang))
        if self.batch_id is not None:
            lines.append(message("batch", lang, batch=self.batch_id))
        if self.compaction is not None and self.compaction.values:
            lines.append(str(self.compaction))
        return lines

    def __repr__(self) -> str:
        lines = self._lines()
        return "RetentionReport(" + lines[0] + ")\n" + "\n".join("  " + s for s in lines[1:])

    def _repr_html_(self) -> str:
        lang = current_lang()
        lines = self._lines(lang)
        head = f"<p><strong>{html.escape(lines[0])}</strong></p>"
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines[1:])
        table = ""
        if not self.frame.empty:
            kind = str(self.frame["kind"].iloc[0])
            table = table_html(self.frame, report_columns(kind, _COLUMNS, lang), lang=lang)
        return f'<div class="crmkit-retention-report">{head}<ul>{items}</ul>{table}</div>'


def _matches(
    session: Session, rule: RetentionRule, now: datetime, taken: set[tuple[str, int]]
) -> pd.DataFrame:
    """The records ``rule`` finds: ``id, name, reference_at``, minus those ``taken``."""
    date = _DATES[rule.based_on]
    cutoff = parse_duration(rule.after, "after").before(now)
    conditions = [*compile_filters(session, rule.kind, rule.where or {})]
    conditions.append(Condition(f"{date} < ?", (cutoff,)))
    if rule.action == "archive":
        conditions.append(Condition(_ARCHIVE[rule.kind][1]))
    sql, params = Query(rule.kind, tuple(conditions)).sql(
        ["id", f"{_NAMES[rule.kind]} AS name", f"{date} AS reference_at"]
    )
    found = session.con.execute(sql, params).df()
    keep = pd.Series([(rule.kind, int(i)) not in taken for i in found["id"]], dtype=bool)
    return found.loc[keep.to_numpy()].reset_index(drop=True)


def plan(session: Session, now: datetime | None = None) -> RetentionReport:
    """A dry run: what every rule would touch now."""
    moment = now or now_utc()
    rules = session.settings.retention_rules()
    taken: set[tuple[str, int]] = set()
    ids: dict[int, list[int]] = {}
    frames = []
    for rule in rules:
        found = _matches(session, rule, moment, taken)
        ids[rule.id] = [int(i) for i in found["id"]]
        taken.update((rule.kind, i) for i in ids[rule.id])
        found.insert(0, "action", rule.action)
        found.insert(0, "kind", rule.kind)
        found.insert(0, "rule", rule.id)
        frames.append(found)
    frame = (
        pd.concat([f for f in frames if not f.empty], ignore_index=True)
        if any(not f.empty for f in frames)
        else pd.DataFrame({c: pd.Series(dtype="object") for c in _COLUMNS})
    )
    return RetentionReport(rules, ids, frame[_COLUMNS])


def apply_retention(
    session: Session,
    *,
    dry_run: bool = True,
    confirm: bool = False,
    now: datetime | None = None,
) -> RetentionReport:
    """Apply the retention rules as one batch (see the module); ``dry_run`` reports only."""
    report = plan(session, now)
    if dry_run:
        return report
    if report.erasing and not confirm:
        actions = message("list_sep").join(
            dict.fromkeys(
                message(f"retention_action_{r.action}")
                for r in report.rules
                if r.action in ERASING and report.ids[r.id]
            )
        )
        raise ValidationError(message("retention_confirm", count=report.erasing, actions=actions))
    report.dry_run = False
    if report.count:
        described = "; ".join(f"rule {r.id}: {len(report.ids[r.id])}" for r in report.rules)
        with session.batch("retention", described, {"rules": report.counts()}) as batch:
            for rule in report.rules:
                _apply_rule(session, rule, report.ids[rule.id], batch)
        report.batch_id = batch
    report.compaction = compact_history(session, now=now)
    return report


def _apply_rule(session: Session, rule: RetentionRule, ids: Sequence[int], batch: int) -> None:
    if not ids:
        return
    if rule.action == "archive":
        values = _ARCHIVE[rule.kind][0]
        session.store.set_where_ids(
            rule.kind,
            "SELECT unnest(?::BIGINT[]) AS id",
            [list(ids)],
            values,
            batch,
            session.user,
            "retention",
        )
        return
    reason = rule.describe("en")
    erase(session, rule.kind, list(ids), reason=reason)


def compact_history(session: Session, *, now: datetime | None = None) -> CompactionReport:
    """Remove personal values from history rows older than the horizon (none: nothing)."""
    horizon = session.settings.history_horizon
    if horizon is None:
        return CompactionReport(None)
    cutoff = parse_duration(horizon, "history_horizon").before(now or now_utc())
    fields = {kind: sorted(personal_fields(session, kind)) for kind in ("accounts", "contacts")}
    return compact(session.store, fields, cutoff, horizon, session.user)
