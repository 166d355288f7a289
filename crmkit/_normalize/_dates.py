"""Dates: ISO, numeric (day or month first), French, English, Chinese or Excel serials.

:func:`parse_date` raises :class:`~crmkit.ValidationError` naming the value; its
vectorised twin :func:`parse_dates` returns ``(values, errors)`` instead.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from crmkit._exceptions import ValidationError
from crmkit._normalize._distinct import map_distinct_checked
from crmkit._normalize._numbers import _too_long
from crmkit._normalize._text import _is_missing, _nfkc
from crmkit._util._shorten import shorten
from crmkit.schemas._vocab import fold

__all__ = ["parse_date", "parse_dates"]


_MONTHS: dict[str, int] = {
    word: month
    for month, words in enumerate(
        [
            "janvier janv jan january",
            "fevrier fevr fev february feb",
            "mars mar march",
            "avril avr april apr",
            "mai may",
            "juin june jun",
            "juillet juil july jul",
            "aout august aug",
            "septembre sept sep september",
            "octobre oct october",
            "novembre nov november",
            "decembre dec december",
        ],
        start=1,
    )
    for word in words.split()
}
# fmt: off
_DATE_NOISE = frozenset({
    "le", "the", "of", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
})
# fmt: on
_TIME = r"(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?[ap]m)?(?:z|\s?[+-]\d{2}:?\d{2})?)?"
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_CJK_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # two-digit years: 00-69 -> 2000s, 70-99 -> 1900s
        year += 2000 if year < 70 else 1900
    return year


def _excel_serial(number: float, value: Any) -> date:
    if not 1 <= number <= 80000:
        raise ValidationError(f"not a date: {shorten(value)} (outside Excel serial range 1-80000)")
    return _EXCEL_EPOCH + timedelta(days=int(number))


def _textual_date(text: str) -> tuple[int, int, int] | None:
    tokens = [t for t in re.split(r"[\s,./-]+", fold(text)) if t and t not in _DATE_NOISE]
    tokens = [re.sub(r"^(\d{1,2})(?:er|e|eme|st|nd|rd|th)$", r"\1", t) for t in tokens]
    months = [t for t in tokens if t in _MONTHS]
    numeric = [i for i, t in enumerate(tokens) if t.isdigit()]
    if len(tokens) != 3 or len(months) != 1 or len(numeric) != 2:
        return None
    four_digits = [i for i in numeric if len(tokens[i]) == 4]
    if len(four_digits) == 1:
        year = four_digits[0]
    elif numeric[-1] == 2 and len(tokens[2]) == 2:  # 05-Mar-24
        year = 2
    else:
        return None
    day = tokens[numeric[0] if numeric[1] == year else numeric[1]]
    if len(day) > 2:
        return None
    return _year(tokens[year]), _MONTHS[months[0]], int(day)


def _date_parts(text: str, dayfirst: bool) -> tuple[int, int, int] | None:
    for pattern in (_ISO_DATE, _COMPACT_DATE, _CJK_DATE):
        if match := pattern.fullmatch(text):
            return int(match[1]), int(match[2]), int(match[3])
    if match := _NUMERIC_DATE.fullmatch(text):
        first, second, year = int(match[1]), int(match[3]), _year(match[4])
        day, month = (first, second) if dayfirst or match[2] == "." else (second, first)
        if month > 12 >= day:  # only one reading is a date
            day, month = month, day
        return year, month, day
    return _textual_date(text)


def parse_date(value: Any, dayfirst: bool = True) -> date | None:
    """Read a date: ISO, numeric (day or month first), French, English, Chinese or Excel.

    Understands ``2024-03-05``, ``2024/03/05``, ``20240305``, ``05/03/2024``,
    ``05.03.2024``, ``5 mars 2024``, ``1er avril 2024``, ``March 5, 2024``,
    ``05-Mar-24``, ``2024年3月5日``, Excel serial numbers (1 to 80000 days after
    1899-12-30) and ``date``/``datetime``/``pandas.Timestamp`` objects. A time part is
    ignored.

    Parameters
    ----------
    value
        The cell.
    dayfirst
        Read ``05/03/2024`` as 5 March (True, the French way) or May 3 (False). When only
        one reading is a valid date, that reading wins.

    Raises
    ------
    ValidationError
        When the value is not a date; the message names the value.

    Examples
    --------
    >>> parse_date("5 mars 2024")
    datetime.date(2024, 3, 5)
    >>> parse_date("03/05/2024", dayfirst=False), parse_date("2024年3月5日")
    (datetime.date(2024, 3, 5), datetime.date(2024, 3, 5))
    >>> parse_date(45356)
    datetime.date(2024, 3, 5)
    """
    if _is_missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            serial = float(value)
        except OverflowError:  # a whole number beyond a float: no serial day anyway
            serial = math.inf
        return _excel_serial(serial, value)
    text = _nfkc(value)
    if text is None:
        return None
    _too_long(text, "a date", value)
    text = text.casefold()
    if _SERIAL_TEXT.fullmatch(text):
        return _excel_serial(float(text), value)
    parts = _date_parts(text, dayfirst)
    if parts is None:
        raise ValidationError(f"not a date: {shorten(value)}")
    try:
        return date(*parts)
    except ValueError:
        raise ValidationError(f"not a date: {shorten(value)} (no such day)") from None


def parse_dates(
    values: Iterable[Any], dayfirst: bool = True
) -> tuple[list[date | None], list[str | None]]:
    """:func:`parse_date` on many values: ``(dates, errors)``, each distinct value once.

    Examples
    --------
    >>> parse_dates(["05/03/2024", "bientôt"])
    ([datetime.date(2024, 3, 5), None], [None, "not a date: 'bientôt'"])
    """
    return map_distinct_checked(values, lambda v: parse_date(v, dayfirst))
