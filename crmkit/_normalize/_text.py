"""Text cleaning: tidy a cell, read the "missing" markers, drop control characters.

:func:`clean_text` is the first step of nearly every other normaliser: Unicode NFC,
spaces tidied, terminal escape sequences and other control characters removed, and the
many ways exports write "missing" (``N/A``, ``-``, ``#N/A``, ``未知`` ...) read as
``None``. :func:`drop_controls` only removes what a terminal or a reader would act on,
for texts kept as written. :func:`unquote_formula` undoes the ``'`` that crmkit's CSV
export puts before a formula, and :func:`split_list` reads a tags or skills cell.

The patterns :data:`ESCAPE_SEQUENCE`, :data:`CONTROL_CHARACTERS` and
:data:`QUOTED_FORMULA` are written so that Python and RE2 read them alike: the Arrow
kernels (:mod:`crmkit._normalize._columns`) and the export use the same ones.
"""

from __future__ import annotations

import numbers
import re
import unicodedata
from decimal import Decimal
from typing import Any

__all__ = [
    "CONTROL_CHARACTERS",
    "ESCAPE_SEQUENCE",
    "QUOTED_FORMULA",
    "clean_text",
    "drop_controls",
    "split_list",
    "unquote_formula",
]


def _is_missing(value: object) -> bool:
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value != value


# Matched after casefold(); exports write "missing" in many ways.
# fmt: off
_MISSING_TEXT = frozenset({
    "", "n/c", "n.c.", "n/a", "na", "n/d", "-", "--", "—", "–", "?", "null", "none", "nan",
    "nat", "<na>", "#n/a", "#na", "#value!", "#ref!", "#div/0!", "#name?", "#num!", "#null!",
    "未知", "无", "non renseigné", "non renseigne",
})
# fmt: on
# Real given names and surnames that casefold onto a "missing" token: kept as written.
_NAMES_LIKE_MISSING = frozenset({"Nan", "Na", "Nat"})
# Terminal escape sequences (ECMA-48), removed whole: CSI (ESC [ or U+009B, parameters,
# intermediates, a final byte: colours, cursor moves), the strings OSC, DCS, SOS, PM and
# APC up to their terminator (BEL or ST: window titles, hyperlinks), and the short ESC
# sequences (ESC ( B ...). Written so that Python and RE2 (the Arrow kernels) read it alike.
ESCAPE_SEQUENCE = (
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
    r"|\x1b[\x50\x58\x5d\x5e\x5f][^\x07\x1b\x9c]*(?:\x07|\x1b\x5c|\x9c)"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"
)
# Characters dropped from every text: C0 and C1 controls and DEL (those that are spaces,
# tab, vertical tab, form feed, U+001C-U+001F and U+0085, become a space and CR a newline
# instead), the bidirectional overrides and isolates (they make a text read otherwise than
# it is stored), zero-width spaces and byte order marks. Python and RE2 syntax alike.
CONTROL_CHARACTERS = (
    "[\\x00-\\x08\\x0e-\\x1b\\x7f-\\x84\\x86-\\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]"
)
_ESCAPE_SEQUENCE = re.compile(ESCAPE_SEQUENCE)
_CONTROL_CHARACTERS = re.compile(CONTROL_CHARACTERS)
# Lone surrogates (a file decoded with "surrogateescape"): no UTF-8 text holds them.
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACE_CONTROLS = re.compile("[\x0b\x0c\x1c-\x1f\x85]")
_SPACE_RUN = re.compile(r"[^\S\n]+")
_NEWLINE_EDGE = re.compile(r" ?\n ?")


def _already_clean(text: str) -> bool:
    """True when :func:`clean_text` would return ``text`` unchanged (checked in C)."""
    return (
        text.isprintable()  # no tabs, newlines, NBSP, zero-width or other odd spaces
        and text[:1] != " "
        and text[-1:] != " "
        and "  " not in text
        and unicodedata.is_normalized("NFC", text)
        and (text.casefold() not in _MISSING_TEXT or text in _NAMES_LIKE_MISSING)
    )


def clean_text(value: Any) -> str | None:
    """Trim and tidy a cell; ``None`` for empty cells and the usual "missing" markers.

    Unicode NFC; ends stripped; runs of spaces, tabs and Unicode spaces (no-break, narrow
    no-break ...) become one space; newlines are kept (a carriage return becomes one);
    terminal escape sequences (``ESC [ 31 m`` ...) are removed whole; other control
    characters (NUL, DEL, C1 ...), bidirectional overrides, zero-width spaces and BOMs
    are dropped; a lone surrogate becomes U+FFFD. So no text stored holds a character
    that a terminal or a spreadsheet would act on. ``""``, ``"N/A"``, ``"NA"``,
    ``"n/c"``, ``"-"``, ``"—"``, ``"null"``, ``"none"``, ``"nan"``, ``"#N/A"`` (and other
    Excel errors), ``"未知"``, ``"无"`` become ``None`` whatever their case, except the
    names ``"Nan"``, ``"Na"`` and ``"Nat"`` written in title case.

    Examples
    --------
    >>> clean_text("  Hélène\\u00a0\\t Blou ")
    'Hélène Blou'
    >>> clean_text("#N/A") is None
    True
    >>> clean_text("Dupont\\x1b[31m\\x00 \\u202eSA")
    'Dupont SA'
    """
    if type(value) is str and value and _already_clean(value):
        return value  # most cells: nothing to do
    if _is_missing(value):
        return None
    text = value if isinstance(value, str) else _str(value)
    if not text.isprintable():  # controls, escape sequences, odd spaces (checked in C)
        text = drop_controls(text)
    text = _NEWLINE_EDGE.sub("\n", _SPACE_RUN.sub(" ", text)).strip()
    # NFC last: removing characters above could otherwise leave composable pairs behind.
    text = unicodedata.normalize("NFC", text)
    if text.casefold() in _MISSING_TEXT and text not in _NAMES_LIKE_MISSING:
        return None
    return text


_LONGEST_PRINTABLE_INT_BITS = 14_000  # about 4,214 decimal digits; str() stops at 4,300


def _str(value: Any) -> str:
    # str() refuses a whole number of more than 4,300 digits; Decimal writes them all.
    if isinstance(value, int) and value.bit_length() > _LONGEST_PRINTABLE_INT_BITS:
        return str(Decimal(value))
    return str(value)


def drop_controls(text: str) -> str:
    """``text`` without the characters a terminal or a reader would act on.

    Terminal escape sequences are removed whole, and so are the other control characters
    (NUL, DEL, C1 ...), bidirectional overrides and isolates, zero-width spaces and BOMs;
    a carriage return becomes a newline, the controls that are spaces (vertical tab, form
    feed, U+001C-U+001F, U+0085) a space, a lone surrogate U+FFFD. Tabs and newlines stay.
    :func:`clean_text` does this and more; this is for texts kept as written (the values
    inside ``custom``).

    Examples
    --------
    >>> drop_controls("\\x1b[1mGras\\x1b[0m\\tet\\x00 \\u202eRTL\\r\\n")
    'Gras\\tet RTL\\n'
    """
    if text.isprintable():
        return text
    text = _CONTROL_CHARACTERS.sub("", _ESCAPE_SEQUENCE.sub("", text))
    text = _SURROGATE.sub("\ufffd", text).replace("\r\n", "\n").replace("\r", "\n")
    return _SPACE_CONTROLS.sub(" ", text)


def _nfkc(value: Any) -> str | None:
    # NFKC maps full-width digits and signs and every Unicode space to ASCII.
    text = clean_text(value)
    return None if text is None else unicodedata.normalize("NFKC", text)


# A cell that a spreadsheet would run as a formula (= + - @ first) gets a "'" in front in
# crmkit's CSV export (crmkit._formats._export.neutralize_formula), and so does a text that already
# is one or more "'" then = + - @, so that one rule undoes both: a cell of a file made of
# one or more "'" then = + - @ loses its first "'". The same pattern in Python and RE2.
QUOTED_FORMULA = r"'+[=+\-@]"
_QUOTED_FORMULA = re.compile(QUOTED_FORMULA)


def unquote_formula(text: str) -> str:
    """A cell of a CSV file without the ``'`` that kept it from running as a formula.

    The inverse of the CSV export's protection: a cell made of one or more ``'`` then
    ``=``, ``+``, ``-`` or ``@`` loses its first ``'``; any other cell is as it is. So
    importing an export gives back the values exported.

    Examples
    --------
    >>> unquote_formula("'=HYPERLINK(1)"), unquote_formula("''=x"), unquote_formula("'x")
    ('=HYPERLINK(1)', "'=x", "'x")
    """
    return text[1:] if _QUOTED_FORMULA.match(text) else text


_LIST_SEPARATORS = re.compile(r"[;,|/\n、，；]")


def split_list(value: Any) -> list[str]:
    """Split a tags / skills / categories cell into clean, distinct items.

    Splits on ``; , | /``, newlines and the Chinese ``、，；``; trims, drops empty items
    and keeps the first of case-insensitive duplicates, in order. A list or tuple is
    cleaned item by item without splitting.

    Examples
    --------
    >>> split_list("CRM; Python,python | 数据、BI\\n")
    ['CRM', 'Python', '数据', 'BI']
    >>> split_list(["VIP", " vip ", None])
    ['VIP']
    """
    if isinstance(value, list | tuple):
        items: list[Any] = list(value)
    else:
        text = clean_text(value)
        items = [] if text is None else _LIST_SEPARATORS.split(text)
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        cleaned = clean_text(item)
        if cleaned is not None and cleaned.casefold() not in seen:
            seen.add(cleaned.casefold())
            out.append(cleaned)
    return out
