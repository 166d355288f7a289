"""Control characters no export writes: found, stripped and counted.

Tab, line feed and carriage return are kept; U+000B and U+000C (line breaks in Outlook and
Word exports) become ``\\n``; U+001C-U+001F and U+0085 a space; the other C0 and C1
controls, DEL, the bidirectional overrides and whole terminal escape sequences
(``ESC[31m``) are dropped, from CSV (crmkit's importer refuses a NUL, a terminal runs an
escape sequence), XLSX (XML cannot hold most of them, nor U+FFFE and U+FFFF) and vCard
alike. Parquet keeps every character.

A :class:`Cleaner` strips one column's texts, a batch at a time, and counts the values it
changed; :func:`cleaning_warning` says so in the export's warnings.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from crmkit._util._shorten import printable, shorten

__all__ = [
    "CONTROL_CHARS",
    "XLSX_CONTROL_CHARS",
    "Cleaner",
    "cleaning_warning",
    "column_has_controls",
    "has_controls",
    "holds_controls",
    "strip_controls",
    "strip_text",
]

# Control characters no export writes, as crmkit's importer reads them (its
# _normalize.drop_controls): terminal escape sequences (ECMA-48) go whole: CSI (colours,
# cursor moves, clearing the screen: ESC [ 2 J, or U+009B), terminated DCS, SOS, OSC, PM
# and APC strings (window titles, hyperlinks: ESC ] 8 ; ; url ESC \) and two-character
# escapes; then the controls that are spaces (U+001C-U+001F, U+0085) become a space,
# vertical tab and form feed a line feed (line breaks in Outlook and Word exports), and
# the other C0 and C1 controls, DEL and the bidirectional embeddings, overrides and
# isolates are dropped. Tab, line feed and carriage return stay.
_ESCAPE_SEQUENCES = (
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
    r"|\x1b[\x50\x58\x5d\x5e\x5f][^\x07\x1b\x9c]*(?:\x07|\x1b\x5c|\x9c)"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"
)

_CONTROL_CLASS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"

_ESCAPES = re.compile(_ESCAPE_SEQUENCES)

# Every escape sequence starts with a control character: one character class finds them
# all (a scan in C, much faster than trying the alternatives at every position).
CONTROL_CHARS = re.compile(f"[{_CONTROL_CLASS}]")

# XLSX is XML 1.0, which cannot hold U+FFFE and U+FFFF either.
XLSX_CONTROL_CHARS = re.compile(rf"[{_CONTROL_CLASS}\ufffe\uffff]")

# The same classes for RE2 (pyarrow), which scans a long text (a batch of cells, a chunk
# of vCards) about three times faster than Python's re; from this many characters on.
_RE2_CONTROL_CLASS = re.sub(r"\\u(\w{4})", r"\\x{\1}", _CONTROL_CLASS)

_RE2_CONTROL_CHARS = f"[{_RE2_CONTROL_CLASS}]"

_RE2_XLSX_CONTROL_CHARS = rf"[{_RE2_CONTROL_CLASS}\x{{fffe}}\x{{ffff}}]"

_LONG_TEXT = 100_000

_CONTROLS_AS_TEXT = str.maketrans(
    {"\x0b": "\n", "\x0c": "\n", "\x1c": " ", "\x1d": " ", "\x1e": " ", "\x1f": " ", "\x85": " "}
)


def has_controls(text: str) -> bool:
    r"""True when :func:`strip_controls` would change ``text``.

    Examples
    --------
    >>> has_controls("Dupont\x1b[31m"), has_controls("ligne 1\tligne 2\r\n")
    (True, False)
    """
    return holds_controls(text)


def holds_controls(text: str, xlsx: bool = False) -> bool:
    if len(text) >= _LONG_TEXT:
        with contextlib.suppress(ValueError):  # a lone surrogate: Python's re below
            array = pa.array([text], pa.large_string())
            pattern = _RE2_XLSX_CONTROL_CHARS if xlsx else _RE2_CONTROL_CHARS
            return bool(pc.any(pc.match_substring_regex(array, pattern)).as_py())
    return (XLSX_CONTROL_CHARS if xlsx else CONTROL_CHARS).search(text) is not None


def strip_controls(text: str) -> str:
    r"""``text`` without the control characters no crmkit export writes.

    Terminal escape sequences go whole, not only their ``ESC`` (``ESC [ 31 m``, ``ESC ] 8
    ; ; url ESC \``); the controls that are spaces (U+001C to U+001F, U+0085) become a
    space; vertical tab and form feed (line breaks in Outlook and Word exports) a line
    feed; the other C0 and C1 control characters, DEL and the bidirectional embeddings,
    overrides and isolates (U+202A to U+202E, U+2066 to U+2069) are dropped. Tab, line
    feed and carriage return are kept. crmkit's importer drops the same characters, so
    an export read back gives what importing the stored value would give.

    Examples
    --------
    >>> strip_controls("Bl\x00ou\x1b[31m\u202e")
    'Blou'
    >>> strip_controls("ligne 1\x0bligne 2\r\n\tfin\x85")
    'ligne 1\nligne 2\r\n\tfin '
    """
    return strip_text(text)


def strip_text(text: str, xlsx: bool = False) -> str:
    # Escape sequences first: their parameters are printable characters.
    text = _ESCAPES.sub("", text).translate(_CONTROLS_AS_TEXT)
    return (XLSX_CONTROL_CHARS if xlsx else CONTROL_CHARS).sub("", text)


class Cleaner:
    """Strips control characters from one column's texts and counts the values changed."""

    __slots__ = ("changed", "search", "xlsx")

    def __init__(self, xlsx: bool = False) -> None:
        self.xlsx = xlsx
        self.search = (XLSX_CONTROL_CHARS if xlsx else CONTROL_CHARS).search
        self.changed = 0

    def texts(self, values: list[Any]) -> list[Any]:
        """``values`` (texts and None) with their control characters stripped."""
        # One search over the whole batch first: almost every batch holds none.
        if not holds_controls("".join(v for v in values if v.__class__ is str), self.xlsx):
            return values
        search = self.search
        out = []
        for value in values:
            if value.__class__ is str and search(value) is not None:
                value = strip_text(value, self.xlsx)
                self.changed += 1
            out.append(value)
        return out


def cleaning_warning(changed: Mapping[str, int], format: str) -> tuple[str, ...]:
    """The :attr:`ExportResult.warnings` saying how many values per column were cleaned.

    Examples
    --------
    >>> (message,) = cleaning_warning({"last_name": 2, "notes": 1, "email": 0}, "xlsx")
    >>> print(message.replace(": XLSX", ":\\nXLSX"))
    3 values written without their control characters (last_name: 2, notes: 1):
    XLSX cannot hold most of them; tab and line breaks are kept
    >>> cleaning_warning({"last_name": 0}, "csv")
    ()
    """
    counts = [(name, n) for name, n in changed.items() if n]
    if not counts:
        return ()
    total = sum(n for _, n in counts)
    shown = ", ".join(
        f"{name if len(name) <= 40 and printable(name) == name else shorten(name, 40)}: {n:,}"
        for name, n in counts[:10]
    )
    if len(counts) > 10:
        shown += f", ... ({len(counts)} columns)"
    why = {
        "csv": "crmkit's importer refuses a NUL and a terminal runs an escape sequence",
        "xlsx": "XLSX cannot hold most of them",
        "vcf": "vCard text cannot hold them",
    }.get(format, "the format cannot hold them")
    plural = "value" if total == 1 else "values"
    return (
        f"{total:,} {plural} written without their control characters ({shown}): {why}; "
        "tab and line breaks are kept",
    )


def column_has_controls(values: pa.Array) -> bool:
    r"""True when :func:`strip_controls` would change a value of an Arrow string column.

    Examples
    --------
    >>> column_has_controls(pa.array(["Blou", None])), column_has_controls(pa.array(["\x1b"]))
    (False, True)
    """
    return bool(pc.any(pc.match_substring_regex(values, _RE2_CONTROL_CHARS)).as_py())
