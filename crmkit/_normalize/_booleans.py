"""Yes/no cells in English, French and Chinese (``oui``, ``X``, ``✓``, ``是`` ...).

:func:`parse_bool` raises :class:`~crmkit.ValidationError` naming the value; its
vectorised twin :func:`parse_bools` returns ``(values, errors)`` instead.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

from crmkit._exceptions import ValidationError
from crmkit._normalize._distinct import map_distinct_checked
from crmkit._normalize._text import _is_missing, clean_text
from crmkit._util._shorten import shorten

__all__ = ["parse_bool", "parse_bools"]


# fmt: off
_TRUE_WORDS = (
    "yes", "y", "oui", "o", "vrai", "true", "t", "1", "1.0", "x", "on",
    "✓", "✔", "☑", "✅", "是", "对", "對", "真", "有",
)
_FALSE_WORDS = (
    "no", "n", "non", "faux", "false", "f", "0", "0.0", "off",
    "✗", "✘", "☐", "❌", "否", "错", "錯", "假", "不是", "没有",
)
# fmt: on
_BOOL_WORDS = {**dict.fromkeys(_TRUE_WORDS, True), **dict.fromkeys(_FALSE_WORDS, False)}


def parse_bool(value: Any) -> bool | None:
    """Read a yes/no cell in English, French or Chinese.

    True: yes, y, oui, o, vrai, true, t, 1, x, on, ✓, ✔, 是, 对, 真. False: no, n, non,
    faux, false, f, 0, off, ✗, 否, 错, 假. Any case. ``None`` for an empty cell.

    Raises
    ------
    ValidationError
        For anything else; the message names the value.

    Examples
    --------
    >>> [parse_bool(v) for v in ["Oui", "n", "X", "是", 0, ""]]
    [True, False, True, True, False, None]
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Real) and not _is_missing(value) and value in (0, 1):
        return bool(value)
    text = clean_text(value)
    if text is None:
        return None
    try:
        return _BOOL_WORDS[text.casefold()]
    except KeyError:
        raise ValidationError(f"not a yes/no value: {shorten(value)}") from None


def parse_bools(values: Iterable[Any]) -> tuple[list[bool | None], list[str | None]]:
    """:func:`parse_bool` on many values: ``(booleans, errors)``.

    Examples
    --------
    >>> parse_bools(["oui", "non", "oui"])
    ([True, False, True], [None, None, None])
    """
    return map_distinct_checked(values, parse_bool)
