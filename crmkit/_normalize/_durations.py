"""Durations written by people: ``"36 months"``, ``"3 years"``, ``"90 jours"``, ``"3年"``.

What retention rules and the history horizon are given. A duration is a whole number of
days, months or years (weeks count as 7 days); :meth:`Duration.before` goes back that far
from a moment, month by month on the calendar (31 March less one month is 28 or 29
February). Pure: no database.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from crmkit._exceptions import ValidationError
from crmkit._util._messages import message, short

__all__ = ["Duration", "parse_duration"]

# Each unit's words in English, French and Chinese, and what it is in days or months.
_UNITS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(("day", "days", "d", "jour", "jours", "j", "天", "日"), ("days", 1)),
    **dict.fromkeys(("week", "weeks", "w", "semaine", "semaines", "周", "星期"), ("days", 7)),
    **dict.fromkeys(("month", "months", "mo", "mois", "个月", "月"), ("months", 1)),
    **dict.fromkeys(("year", "years", "y", "an", "ans", "année", "années", "年"), ("months", 12)),
}
_PATTERN = re.compile(r"^\s*(\d{1,5})\s*([^\d\s].*?)\s*$")


@dataclass(frozen=True)
class Duration:
    """A span of whole days or months, and the text it was read from.

    Examples
    --------
    >>> d = parse_duration("3 ans")
    >>> d.months, d.days, str(d)
    (36, 0, '3 ans')
    >>> d.before(datetime(2026, 12, 7))
    datetime.datetime(2023, 12, 7, 0, 0)
    """

    months: int
    days: int
    text: str

    def before(self, moment: datetime) -> datetime:
        """``moment`` less this duration (calendar months; the day kept when it exists)."""
        total = moment.year * 12 + moment.month - 1 - self.months
        year, month = divmod(total, 12)
        day = min(moment.day, calendar.monthrange(year, month + 1)[1])
        return moment.replace(year=year, month=month + 1, day=day) - timedelta(days=self.days)

    def __str__(self) -> str:
        return self.text


def parse_duration(text: Any, what: str = "duration") -> Duration:
    """Read ``"36 months"``, ``"3 years"``, ``"90 days"``, ``"36 mois"``, ``"3 ans"``, ``"6个月"``.

    Raises :class:`~crmkit.ValidationError` naming ``what`` and the text otherwise.

    Examples
    --------
    >>> parse_duration("36 months").months
    36
    >>> parse_duration("90 jours").days
    90
    >>> parse_duration("soon", "after")
    Traceback (most recent call last):
    ...
    crmkit._exceptions.ValidationError: after: 'soon' is not a duration; write a number and ...
    """
    match = _PATTERN.match(text) if isinstance(text, str) else None
    unit = _UNITS.get(match.group(2).lower().rstrip(".")) if match else None
    if match is None or unit is None or int(match.group(1)) <= 0:
        raise ValidationError(message("duration_bad", what=what, value=short(text)))
    count = int(match.group(1))
    kind, size = unit
    text = f"{count} {match.group(2)}"
    if kind == "days":
        return Duration(0, count * size, text)
    return Duration(count * size, 0, text)
