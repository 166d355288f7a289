"""Headcounts and revenues: an exact quantity, a range, an open range or a band code.

:func:`parse_headcount` reads ``"10 000 salariés"``, ``"50 à 99"``, ``"100+"``,
``"moins de 10"`` or an INSEE band code; :func:`parse_revenue` reads an amount or a range
of amounts with its currency (``"1 à 10 M€"``). Both raise
:class:`~crmkit.ValidationError` naming the value.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from crmkit._exceptions import ValidationError
from crmkit._normalize._numbers import (
    DecimalMark,
    _check_decimal,
    _finite,
    _number_of,
    _parse_amount,
    _strip_currency,
    _too_long,
    parse_currency,
)
from crmkit._normalize._text import _is_missing, _nfkc
from crmkit._util._shorten import shorten
from crmkit.schemas._catalog import BIGINT_MAX
from crmkit.schemas._vocab import fold

__all__ = ["HeadcountResult", "RevenueResult", "parse_headcount", "parse_revenue"]


@dataclass(frozen=True, slots=True)
class HeadcountResult:
    """A headcount: an exact number, or a range whose ``high`` may be open (``None``)."""

    exact: int | None = None
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True, slots=True)
class RevenueResult:
    """A revenue: an exact amount or a range, with the currency the text named."""

    exact: float | None = None
    low: float | None = None
    high: float | None = None
    currency: str | None = None


# INSEE "tranche d'effectif salarié" codes (SIRENE); NN: no employee during the year.
# fmt: off
_INSEE_BANDS: dict[str, tuple[int, int | None]] = {
    "NN": (0, 0), "00": (0, 0), "01": (1, 2), "02": (3, 5), "03": (6, 9), "11": (10, 19),
    "12": (20, 49), "21": (50, 99), "22": (100, 199), "31": (200, 249), "32": (250, 499),
    "41": (500, 999), "42": (1000, 1999), "51": (2000, 4999), "52": (5000, 9999),
    "53": (10000, None),
}
# fmt: on
_HEADCOUNT_WORDS = re.compile(
    r"\b(?:salaries?|employes?|employees?|staff|people|personnes?|persons?|etp|fte|"
    r"collaborateurs?|environ|approx|about|circa|ca)\b|[人名位]|员工|大约|约|^~"
)
_NUMBER = r"(\d(?:[\d.,'’]|\s(?=\d))*(?:\s?k)?)"
_RANGE_SEPARATOR = r"(?:\s*(?:[-–—~]|至|到)\s*|\s+(?:a|to|and|et|ou|or)\s+)"
_OPEN_LOW_PREFIX = (
    r"(?:plus de|more than|over|above|greater than|at least|au moins|>=?|≥|超过|大于|多于)"
)
_OPEN_LOW_SUFFIX = r"(?:\+|et plus|and more|and above|and over|or more|ou plus|及以上|以上)"
_OPEN_HIGH_PREFIX = r"(?:moins de|less than|under|fewer than|below|<=?|≤|少于|小于|不到|低于)"
_OPEN_HIGH_SUFFIX = r"(?:ou moins|or less|or fewer|及以下|以下)"
_RANGE_PREFIX = r"(?:de|from|between|entre|从)?\s*"


def _shape_patterns(number: str) -> list[tuple[re.Pattern[str], str]]:
    """Regexes for the shapes of a quantity text: exact, range, open low, open high."""
    return [
        (re.compile(number), "exact"),
        (re.compile(_RANGE_PREFIX + number + _RANGE_SEPARATOR + number), "range"),
        (re.compile(_OPEN_LOW_PREFIX + r"\s*" + number), "low"),
        (re.compile(number + r"\s*" + _OPEN_LOW_SUFFIX), "low"),
        (re.compile(_OPEN_HIGH_PREFIX + r"\s*" + number), "high"),
        (re.compile(number + r"\s*" + _OPEN_HIGH_SUFFIX), "high"),
    ]


_HEADCOUNT_SHAPES = _shape_patterns(_NUMBER)
_NO_EMPLOYEE = frozenset({"unites non employeuses", "non employeur", "aucun", "aucun salarie"})


def _shapes(
    text: str, shapes: list[tuple[re.Pattern[str], str]]
) -> Iterator[tuple[str, list[str]]]:
    """Every shape the text fits, in order, with its number texts."""
    for pattern, shape in shapes:
        if match := pattern.fullmatch(text):
            yield shape, list(match.groups())


def _whole(text: str, value: Any) -> int:
    # Headcounts are whole: "10.000" groups thousands, it is not ten. Read as a Decimal,
    # so that a long number is not rounded on its way.
    decimal: DecimalMark | None = "," if re.search(r"\.\d{3}(?!\d)", text) else None
    amount = _parse_amount(text, decimal)
    if amount is None:
        raise ValidationError(f"not a headcount: {shorten(value)}")
    number = amount[0] * amount[1] if amount[1] is not None else amount[0]
    if number < 0 or number != number.to_integral_value():
        raise ValidationError(f"not a headcount: {shorten(value)}")
    return _headcount_int(int(number), value)


def _headcount_int(number: int, value: Any) -> int:
    if number > BIGINT_MAX:
        raise ValidationError(f"not a headcount: {shorten(value)} (too large)")
    return number


def parse_headcount(value: Any, insee: bool = False) -> HeadcountResult:
    """Read a headcount: an exact number, a range, an open range or an INSEE band code.

    Parameters
    ----------
    value
        ``85``, ``"10 000 salariés"``, ``"50-99"``, ``"50 à 99"``, ``"100+"``,
        ``"plus de 5000"``, ``"> 1000"``, ``"1000 et plus"``, ``"moins de 10"``,
        ``"100人以上"`` ...
    insee
        Read the value as an INSEE "tranche d'effectif salarié" code (``"12"`` means
        20-49). The codes ``"00"`` to ``"03"`` are read as codes even without this flag,
        because a leading zero is never written for a plain number.

    Returns
    -------
    HeadcountResult
        ``exact`` for a single number, else ``low``/``high`` (``high`` is ``None`` for an
        open range; "less than N" gives ``low=0, high=N``). All ``None`` for an empty cell.

    Raises
    ------
    ValidationError
        When the value is not a headcount; the message names the value.

    Examples
    --------
    >>> parse_headcount("10 000 salariés")
    HeadcountResult(exact=10000, low=None, high=None)
    >>> parse_headcount("50 à 99")
    HeadcountResult(exact=None, low=50, high=99)
    >>> parse_headcount("12", insee=True)
    HeadcountResult(exact=None, low=20, high=49)
    >>> parse_headcount("plus de 5000")
    HeadcountResult(exact=None, low=5000, high=None)
    """
    if insee and isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:02d}"
    text = _nfkc(value)
    if text is None:
        return HeadcountResult()
    _too_long(text, "a headcount", value)
    code = text.upper()
    if insee or code in ("00", "01", "02", "03"):
        if code not in _INSEE_BANDS:
            valid = ", ".join(_INSEE_BANDS)
            raise ValidationError(
                f"not an INSEE headcount band code: {shorten(value)} (valid: {valid})"
            )
        low, high = _INSEE_BANDS[code]
        return HeadcountResult(None, low, high)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if value < 0:
            raise ValidationError(f"not a headcount: {shorten(value)}")
        return HeadcountResult(exact=_headcount_int(int(value), value))
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return HeadcountResult(exact=_whole(str(value), value))
    folded = fold(text)
    if folded in _NO_EMPLOYEE:
        return HeadcountResult(None, 0, 0)
    folded = " ".join(_HEADCOUNT_WORDS.sub(" ", folded).split())
    for shape, parts in _shapes(folded, _HEADCOUNT_SHAPES):
        return _quantity(shape, [_whole(p, value) for p in parts], value, HeadcountResult)
    raise ValidationError(f"not a headcount: {shorten(value)}")


R = TypeVar("R", HeadcountResult, RevenueResult)


def _quantity(shape: str, ends: list[Any], raw: Any, result: type[R], **extra: Any) -> R:
    if shape == "exact":
        return result(ends[0], None, None, **extra)
    if shape == "range":
        if ends[0] > ends[1]:
            raise ValidationError(
                f"not a range: {shorten(raw)} (the low end is above the high end)"
            )
        return result(None, ends[0], ends[1], **extra)
    if shape == "low":
        return result(None, ends[0], None, **extra)
    return result(None, type(ends[0])(0), ends[0], **extra)


_AMOUNT_TEXT = r"([-+]?[\d.,'’ ]*\d[\d.,'’ ]*?\s*(?:[a-z\u4e00-\u9fff]+)?\.?)"
_REVENUE_SHAPES = _shape_patterns(_AMOUNT_TEXT)


def parse_revenue(value: Any, decimal: DecimalMark | None = None) -> RevenueResult:
    """Read a revenue: an amount or a range of amounts, with its currency.

    In a range, a multiplier written once applies to both ends when the low end is the
    smaller number: ``"1 à 10 M€"`` is 1M to 10M, ``"500 - 1M"`` is 500 to 1M.

    Raises
    ------
    ValidationError
        When the value is not an amount or a range of amounts; the message names it.

    Examples
    --------
    >>> parse_revenue("4,2 M€")
    RevenueResult(exact=4200000.0, low=None, high=None, currency='EUR')
    >>> parse_revenue("1 à 10 M€")
    RevenueResult(exact=None, low=1000000.0, high=10000000.0, currency='EUR')
    >>> parse_revenue("> 1 Md€")
    RevenueResult(exact=None, low=1000000000.0, high=None, currency='EUR')
    >>> parse_revenue("between 1M and 10M").high
    10000000.0
    """
    _check_decimal(decimal)
    if _is_missing(value):
        return RevenueResult()
    typed = _number_of(value)
    if typed is not None:
        return RevenueResult(exact=typed)
    text = _nfkc(value)
    if text is None:
        return RevenueResult()
    _too_long(text, "a revenue amount or range", value)
    currency = parse_currency(text)
    folded = " ".join(_strip_currency(fold(text)).split())
    for shape, parts in _shapes(folded, _REVENUE_SHAPES):
        amounts = [_parse_amount(p, decimal) for p in parts]
        pairs = [a for a in amounts if a is not None]
        if len(pairs) < len(amounts):
            continue  # e.g. "1亿以上" is not the exact amount "1 亿以上" but "1亿" + "以上"
        low, high = pairs[0], pairs[-1]
        if shape == "range" and low[1] is None and high[1] is not None and low[0] < high[0]:
            pairs[0] = (low[0], high[1])  # "1 à 10 M€": the M applies to both ends
        ends = [_finite(n * s if s is not None else n, value) for n, s in pairs]
        return _quantity(shape, ends, value, RevenueResult, currency=currency)
    raise ValidationError(f"not a revenue amount or range: {shorten(value)}")
