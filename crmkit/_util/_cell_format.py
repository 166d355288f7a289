"""One cell of a displayed table as text, in the user's language.

Every table crmkit shows (notebook HTML, static HTML, terminals) formats its cells here,
so a number, an amount, a date or a blank reads the same everywhere: thousands
separators and currency after the language's custom (``7,074,600 EUR``,
``7 074 600 €``, ``€7,074,600``), dates and times without microseconds, nulls blank.

The conventions are a small table per language (the few currencies and month names
crmkit's users meet), not a locale library: the three languages of
:data:`~crmkit._util._langs.LANGS` are all crmkit speaks.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any, Literal

__all__ = ["ColumnKind", "format_cell", "format_money", "format_number", "is_blank", "sort_key"]

#: How a column's values are shown: ``auto`` looks at each value's type.
#: ``id`` is a whole number shown without separators (record ids, line numbers);
#: ``percent`` a probability (0.998 shows as 99.8%).
ColumnKind = Literal[
    "auto", "text", "id", "integer", "number", "percent", "money", "date", "datetime", "bool"
]

# Thousands separator and decimal mark. French groups with a narrow no-break space.
_SEPARATORS: Mapping[str, tuple[str, str]] = {
    "en": (",", "."),
    "fr": ("\u202f", ","),
    "zh": (",", "."),
}

# Currency symbols used in French and Chinese (English shows the ISO code after the amount).
_SYMBOLS: Mapping[str, Mapping[str, str]] = {
    "fr": {"EUR": "€", "USD": "$US", "GBP": "£GB", "CHF": "CHF", "JPY": "JPY", "CNY": "CNY"},
    "zh": {"EUR": "€", "USD": "US$", "GBP": "£", "CNY": "¥", "JPY": "JP¥", "CHF": "CHF"},
}

_MONTHS: Mapping[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": (
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ),
}

_BOOLS: Mapping[str, tuple[str, str]] = {
    "en": ("Yes", "No"),
    "fr": ("Oui", "Non"),
    "zh": ("是", "否"),
}


def is_blank(value: Any) -> bool:
    """True for a missing value of any library: ``None``, NaN, ``NaT``, ``pd.NA``.

    Examples
    --------
    >>> import pandas as pd
    >>> [is_blank(v) for v in (None, float("nan"), pd.NaT, pd.NA, "", 0)]
    [True, True, True, True, False, False]
    """
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        result = value != value  # NaN, NaT and pd.NA are not equal to themselves
    except (TypeError, ValueError):
        return False
    return result is True or (type(result).__name__ == "NAType")


def format_number(value: float, lang: str = "en", decimals: int | None = None) -> str:
    r"""A number with the language's thousands separator and decimal mark.

    Whole numbers show no decimals; others two, unless ``decimals`` says.

    Examples
    --------
    >>> format_number(7074600.0), format_number(7074600, "fr"), format_number(0.125, "en", 3)
    ('7,074,600', '7\u202f074\u202f600', '0.125')
    >>> format_number(-1234.5, "fr")
    '-1\u202f234,50'
    """
    group, point = _SEPARATORS.get(lang, _SEPARATORS["en"])
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 2
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", point).replace("\0", group)


def format_money(value: float, currency: str | None, lang: str = "en") -> str:
    r"""An amount with its currency, placed as the language places it.

    Examples
    --------
    >>> format_money(7074600, "EUR"), format_money(7074600, "EUR", "fr")
    ('7,074,600 EUR', '7\u202f074\u202f600\xa0€')
    >>> format_money(7074600, "EUR", "zh"), format_money(12.5, None)
    ('€7,074,600', '12.50')
    """
    amount = format_number(value, lang)
    if not currency:
        return amount
    if lang == "zh":
        symbol = _SYMBOLS["zh"].get(currency, currency + " ")
        return f"-{symbol}{amount[1:]}" if amount.startswith("-") else f"{symbol}{amount}"
    if lang == "fr":
        return f"{amount}\u00a0{_SYMBOLS['fr'].get(currency, currency)}"
    return f"{amount} {currency}"


def _format_date(value: dt.date, lang: str) -> str:
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    if lang == "fr":
        return f"{value.day} {_MONTHS['fr'][value.month - 1]} {value.year}"
    return f"{_MONTHS['en'][value.month - 1]} {value.day}, {value.year}"


def _format_datetime(value: dt.datetime, lang: str) -> str:
    return f"{_format_date(value, lang)} {value:%H:%M}"


def _as_datetime(value: Any) -> dt.datetime | dt.date | None:
    if isinstance(value, dt.datetime | dt.date):
        return value
    to_pydatetime = getattr(value, "to_pydatetime", None)  # pandas Timestamp
    if to_pydatetime is not None:
        result: dt.datetime = to_pydatetime()
        return result
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def format_cell(
    value: Any, kind: ColumnKind = "auto", lang: str = "en", currency: str | None = None
) -> str:
    r"""``value`` as a table shows it: blank for nulls, numbers grouped, dates readable.

    Parameters
    ----------
    value
        One cell, of any type a pandas, polars or Arrow column yields.
    kind
        How the column is shown; ``auto`` decides from the value's type.
    lang
        ``en``, ``fr`` or ``zh``.
    currency
        For ``money``: the ISO code of this row's currency.

    Examples
    --------
    >>> import datetime as dt
    >>> format_cell(None), format_cell(float("nan")), format_cell(7074600.0)
    ('', '', '7,074,600')
    >>> format_cell(dt.datetime(2026, 12, 6, 19, 58, 52, 15276))
    'Dec 6, 2026 19:58'
    >>> format_cell(dt.date(2026, 12, 6), "date", "fr"), format_cell(True, lang="zh")
    ('6 déc. 2026', '是')
    >>> format_cell(12345, "id"), format_cell(12345, "integer"), format_cell(0.9977, "percent")
    ('12345', '12,345', '99.8%')
    >>> format_cell(["vip", "paris"]), format_cell(7074600, "money", "fr", "EUR")
    ('vip, paris', '7\u202f074\u202f600\xa0€')
    """
    if is_blank(value):
        return ""
    if kind == "id" and not isinstance(value, str):
        return str(int(value))
    if kind == "percent" and not isinstance(value, str):
        percent = format_number(float(value) * 100, lang, 1)
        return f"{percent}\u00a0%" if lang == "fr" else f"{percent}%"
    if kind == "money" and isinstance(value, int | float) and not isinstance(value, bool):
        return format_money(value, currency, lang)
    if (
        kind in ("date", "datetime")
        or isinstance(value, dt.date)
        or hasattr(value, "to_pydatetime")
    ):
        moment = _as_datetime(value)
        if moment is not None:
            if isinstance(moment, dt.datetime) and kind != "date":
                if moment.time() == dt.time(0) and kind != "datetime":
                    return _format_date(moment, lang)
                return _format_datetime(moment, lang)
            return _format_date(moment, lang)
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        yes, no = _BOOLS.get(lang, _BOOLS["en"])
        return yes if value else no
    if isinstance(value, int) or type(value).__name__.startswith(("int", "uint")):
        return format_number(int(value), lang)
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        return format_number(float(value), lang)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, list | tuple) or type(value).__name__ == "ndarray":
        return ", ".join(format_cell(v, "auto", lang) for v in value if not is_blank(v))
    return str(value)


def sort_key(value: Any, kind: ColumnKind = "auto") -> float | str | None:
    """What an interactive table sorts ``value`` by: the number, or the ISO date.

    Examples
    --------
    >>> import datetime as dt
    >>> sort_key(7074600.0), sort_key(None), sort_key(dt.date(2026, 1, 2))
    (7074600.0, None, '2026-01-02')
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return float(value)
    if kind in ("id", "integer", "number", "percent", "money") or isinstance(value, int | float):
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    moment = _as_datetime(value)
    if moment is not None:
        return moment.isoformat()
    return str(value)
