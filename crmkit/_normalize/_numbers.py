"""Numbers and currencies written the French, English or Chinese way.

:func:`parse_number` reads thousands separators, decimal commas or dots, currency signs
and codes and multipliers (``k``, ``M``, ``Md``, ``万``, ``亿`` ...); :func:`parse_currency`
names the currency an amount is written in. The amount reader (``_parse_amount``) and the
guards against values no column holds (``_finite``) or no regular expression should scan
(``_too_long``) are shared with :mod:`crmkit._normalize._quantities` and
:mod:`crmkit._normalize._dates`.

The parser raises :class:`~crmkit.ValidationError` naming the value; its vectorised twin
:func:`parse_numbers` returns ``(values, errors)`` instead.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._normalize._distinct import map_distinct_checked
from crmkit._normalize._text import _is_missing, _nfkc, clean_text
from crmkit._util._shorten import shorten
from crmkit.schemas._vocab import CURRENCY_CODES

__all__ = ["parse_currency", "parse_number", "parse_numbers"]

DecimalMark = Literal[",", "."]


# Matched on NFKC, case-folded text, longest first.
# fmt: off
_CURRENCY_SIGNS: dict[str, str] = {
    "人民币": "CNY", "美元": "USD", "欧元": "EUR", "英镑": "GBP", "港元": "HKD", "港币": "HKD",
    "日元": "JPY", "us$": "USD", "hk$": "HKD", "c$": "CAD", "a$": "AUD", "s$": "SGD",
    "r$": "BRL", "€": "EUR", "£": "GBP", "$": "USD", "¥": "CNY", "元": "CNY", "₹": "INR",
    "₩": "KRW", "₽": "RUB", "₺": "TRY",
}
_CURRENCY_WORDS: dict[str, str] = {
    "euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD", "rmb": "CNY",
    "yuan": "CNY", "yuans": "CNY",
}
# fmt: on
_SIGN_PATTERN = re.compile("|".join(re.escape(s) for s in _CURRENCY_SIGNS))
_LETTER_RUN = re.compile(r"[a-z]+")
_MULTIPLIER_PREFIXES = frozenset({"k", "m", "b"})  # kEUR, MEUR, bUSD

_MULTIPLIERS: dict[str, Decimal] = {
    word: Decimal(scale)
    for scale, words in {
        "1e3": "k ke mille 千",
        "1e4": "万",
        "1e5": "十万",
        "1e6": "m mn mm mio mios million millions 百万",
        "1e7": "千万",
        "1e8": "亿",
        "1e9": "md mds mrd mrds milliard milliards bn b billion billions 十亿",
        "1e10": "百亿",
        "1e11": "千亿",
        "1e12": "t tn trillion trillions 万亿",
    }.items()
    for word in words.split()
}


def _currency_of_run(run: str) -> str | None:
    if run in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[run]
    if len(run) == 3 and run.upper() in CURRENCY_CODES:
        return run.upper()
    if len(run) == 4 and run[0] in _MULTIPLIER_PREFIXES and run[1:].upper() in CURRENCY_CODES:
        return run[1:].upper()
    return None


def parse_currency(value: Any) -> str | None:
    """The ISO 4217 code named by a sign or a code in an amount, else ``None``.

    Examples
    --------
    >>> [parse_currency(v) for v in ["4,2 M€", "$3.5M", "¥3,000万", "12 kEUR", "1 250"]]
    ['EUR', 'USD', 'CNY', 'EUR', None]
    """
    text = _nfkc(value)
    if text is None:
        return None
    text = text.casefold()
    for run in _LETTER_RUN.findall(text):
        if code := _currency_of_run(run):
            return code
    match = _SIGN_PATTERN.search(text)
    return _CURRENCY_SIGNS[match.group()] if match else None


def _strip_currency(text: str) -> str:
    text = _SIGN_PATTERN.sub(" ", text)
    text = re.sub(r"\b(?:d['’]\s*|de\s+)(?=euros?\b|dollars?\b|yuans?\b)", "", text)

    def drop(match: re.Match[str]) -> str:
        run = match.group()
        if _currency_of_run(run) is None:
            return run
        return run[0] if len(run) == 4 and run not in _CURRENCY_WORDS else " "

    return _LETTER_RUN.sub(drop, text).strip()


_AMOUNT = re.compile(
    r"(?P<sign>[-+]?)\s*(?P<num>[\d.,'’ ]*\d[\d.,'’ ]*?)\s*(?P<mult>[a-z\u4e00-\u9fff]+)?\.?"
)
_SCIENTIFIC = re.compile(r"[-+]?\d+(?:\.\d+)?e[-+]?\d+")


_GROUPED_NUMBER = {  # by decimal mark: thousands groups of 3 (or none), then decimals
    ",": re.compile(r"(\d{1,3}(?:[ .]\d{3})+|\d*)(?:,(\d+))?"),
    ".": re.compile(r"(\d{1,3}(?:[ ,]\d{3})+|\d*)(?:\.(\d+))?"),
}


def _digits_value(num: str, decimal: str | None) -> Decimal | None:
    text = re.sub(r"['’ ]+", " ", num.strip())
    if decimal is None:
        comma, dot = text.rfind(","), text.rfind(".")
        if comma >= 0 and dot >= 0:
            decimal = "," if comma > dot else "."
        elif comma >= 0:
            if text.count(",") > 1:
                decimal = "."
            elif " " in text:  # spaces group thousands, so the comma is French decimal
                decimal = ","
            else:  # "1,250" is 1250 but "1,25" and "0,250" are decimals
                decimal = "." if re.fullmatch(r"[1-9]\d{0,2},\d{3}", text) else ","
        else:
            decimal = "," if text.count(".") > 1 else "."
    match = _GROUPED_NUMBER[decimal].fullmatch(text)
    if match is None or not (match.group(1) or match.group(2)):
        return None
    whole = re.sub(r"\D", "", match.group(1)) or "0"
    return Decimal(f"{whole}.{match.group(2) or '0'}")


def _parse_amount(text: str, decimal: str | None) -> tuple[Decimal, Decimal | None] | None:
    """``(number, multiplier or None)`` of an amount text, or ``None`` when unreadable."""
    text = _strip_currency(unicodedata.normalize("NFKC", text).casefold())
    if _SCIENTIFIC.fullmatch(text):
        return Decimal(text), None
    match = _AMOUNT.fullmatch(text)
    if match is None:
        return None
    scale = None
    if match.group("mult"):
        scale = _MULTIPLIERS.get(match.group("mult"))
        if scale is None:
            return None
    number = _digits_value(match.group("num"), decimal)
    if number is None:
        return None
    return (-number if match.group("sign") == "-" else number), scale


# No amount, number, headcount or date is written with more characters; a longer cell is
# refused before any regular expression runs (some backtrack: a 1.5 MB cell would take
# hours).
_MAX_QUANTITY_CHARS = 100


def _too_long(text: str, what: str, value: Any) -> None:
    if len(text) > _MAX_QUANTITY_CHARS:
        raise ValidationError(f"not {what}: {shorten(value)} (too long)")


def _check_decimal(decimal: str | None) -> None:
    if decimal not in (None, ",", "."):
        raise UnknownValueError("decimal separator", decimal, [",", "."])


def _number_of(value: Any) -> float | None:
    # Numbers that arrive typed (not as text); None means "parse it as text".
    if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
        return None
    return _finite(value, value)


def _finite(number: Any, value: Any) -> float:
    """``number`` as a float, which a DOUBLE column holds; an error for NaN, infinities
    and numbers beyond a float's range (``10**400``, ``Decimal("1e400")``, "1e400")."""
    try:
        result = float(number)
    except OverflowError:
        result = math.inf
    except ValueError:  # Decimal("sNaN")
        result = math.nan
    if not math.isfinite(result):
        raise ValidationError(f"not a finite number: {shorten(value)}")
    return result


def parse_number(value: Any, decimal: DecimalMark | None = None) -> float | None:
    """Read a number written the French, English or Chinese way.

    Thousands separators (space, no-break spaces, apostrophe, comma or dot), a decimal
    comma or dot, currency signs and codes (``€ $ £ ¥ 元 EUR USD CNY`` ...) and
    multipliers (``k``, ``M``, ``Md``, ``bn``, ``B``, ``万``, ``亿`` ...) are understood.
    A single comma followed by exactly three digits (``"1,250"``) groups thousands unless
    ``decimal=","``; a single dot is a decimal point (``"1.250"`` is 1.25) unless
    ``decimal=","``. ``bn``, ``B`` and ``billion`` are 10**9 (``Md``/``milliard`` in French).

    Parameters
    ----------
    value
        The cell.
    decimal
        Force the decimal separator (``","`` for French files); ``None`` guesses.

    Returns
    -------
    float or None
        ``None`` for an empty cell.

    Raises
    ------
    ValidationError
        When the text is not a number; the message names the value.

    Examples
    --------
    >>> parse_number("1 250 000,50 €")
    1250000.5
    >>> [parse_number(v) for v in ["4,2 M€", "3K", "1.5bn", "¥3,000万", "1.2亿"]]
    [4200000.0, 3000.0, 1500000000.0, 30000000.0, 120000000.0]
    >>> parse_number("1,250"), parse_number("1,250", decimal=",")
    (1250.0, 1.25)
    """
    _check_decimal(decimal)
    if _is_missing(value):
        return None
    typed = _number_of(value)
    if typed is not None:
        return typed
    text = clean_text(value)
    if text is None:
        return None
    _too_long(text, "a number", value)
    amount = _parse_amount(text, decimal)
    if amount is None:
        raise ValidationError(f"not a number: {shorten(value)}")
    number, scale = amount
    return _finite(number * scale if scale is not None else number, value)


def parse_numbers(
    values: Iterable[Any], decimal: DecimalMark | None = None
) -> tuple[list[float | None], list[str | None]]:
    """:func:`parse_number` on many values: ``(numbers, errors)``, each distinct value once.

    Examples
    --------
    >>> parse_numbers(["3 k€", "lots", "3 k€"])
    ([3000.0, None, 3000.0], [None, "not a number: 'lots'", None])
    """
    _check_decimal(decimal)
    return map_distinct_checked(values, lambda v: parse_number(v, decimal))
