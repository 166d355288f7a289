"""Values as the text of a cell: CSV cells, and the widths of XLSX columns.

======================  =============================================
value                   text
======================  =============================================
text, JSON (custom)     as is (control characters stripped, formulas
                        neutralised)
int, float              ``42``, ``12.5`` (``12,5`` with
                        ``decimal=","``); NaN: empty
bool                    ``true``/``false``; ``oui``/``non`` (fr),
                        ``是``/``否`` (zh)
date                    ``2024-03-05``
timestamp               ``2024-03-05 14:30:00``
list (tags, skills)     items joined by ``"; "``
binary (photo)          base64
missing                 empty
======================  =============================================

Timestamps use a space between date and time (RFC 3339 allows it) and no fractions of a
second, because Excel recognises ``2024-03-05 14:30:00`` as a date-time in every locale
and leaves ``2024-03-05T14:30:00.123456`` as text.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from crmkit._formats._controls import Cleaner
from crmkit._formats._formula import neutralize_formula

__all__ = [
    "BOOL_WORDS",
    "Converter",
    "base64_text",
    "csv_converter",
    "format_float",
    "join_list",
    "json_text",
]

#: A function turning one column's Python values into cells.
Converter = Callable[[list[Any]], list[Any]]

BOOL_WORDS: dict[str, tuple[str, str]] = {
    "en": ("true", "false"),
    "fr": ("oui", "non"),
    "zh": ("是", "否"),
}


def format_float(value: float, decimal: str) -> str:
    if math.isnan(value):
        return ""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)
    return text.replace(".", decimal) if decimal != "." else text


def join_list(items: Sequence[Any] | None) -> str | None:
    if items is None:
        return None
    return "; ".join(str(item) for item in items if item is not None)


def json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):  # a map arrives as (key, value) pairs
        value = dict(value) if all(isinstance(p, tuple) for p in value) else value
    return json.dumps(value, ensure_ascii=False, default=str)


def base64_text(value: bytes | None) -> str | None:
    return None if value is None else base64.b64encode(value).decode("ascii")


def _timestamp_text(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat(sep=" ")


def csv_converter(
    kind: str, bool_words: tuple[str, str], decimal: str, cleaner: Cleaner | None = None
) -> Converter:
    """A function turning one column's Python values into CSV cell strings.

    Texts lose their control characters (counted by ``cleaner``) before they are
    neutralised: a formula must not hide behind a character that is then dropped.
    """
    yes, no = bool_words

    def text(values: list[Any]) -> list[str]:
        if cleaner is not None:
            values = cleaner.texts(values)
        return ["" if v is None else neutralize_formula(v) if v else v for v in values]

    if kind == "text":
        return text
    if kind == "int":
        return lambda values: ["" if v is None else str(v) for v in values]
    if kind == "float":
        return lambda values: ["" if v is None else format_float(v, decimal) for v in values]
    if kind == "decimal":
        return lambda values: ["" if v is None else str(v).replace(".", decimal) for v in values]
    if kind == "bool":
        return lambda values: ["" if v is None else yes if v else no for v in values]
    if kind == "date":
        return lambda values: ["" if v is None else v.isoformat() for v in values]
    if kind == "timestamp":
        return lambda values: ["" if v is None else _timestamp_text(v) for v in values]
    if kind == "list":
        return lambda values: text([join_list(v) for v in values])
    if kind == "binary":
        return lambda values: ["" if v is None else base64_text(v) for v in values]
    if kind == "json":
        return lambda values: text([json_text(v) for v in values])
    if kind == "null":
        return lambda values: [""] * len(values)
    return lambda values: text([None if v is None else str(v) for v in values])
