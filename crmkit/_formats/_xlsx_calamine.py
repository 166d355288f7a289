"""Read a workbook's cells with calamine (Rust), giving the values openpyxl gives.

python-calamine reads a sheet 5-10 times faster than openpyxl; :func:`open_calamine`
wraps it in the few attributes of an openpyxl read-only workbook that
:mod:`crmkit._formats._xlsx_reader` uses, so the reader works the same on either. The
values are made the same as openpyxl's:

- a number without a fraction is an ``int`` (calamine gives every number as a
  ``float``; openpyxl gives ``int`` for a cell written without a decimal point or
  exponent; past 10^15 both stay ``float`` here);
- an empty cell (and a formula with no cached value) is ``None``, not ``""``;
- a date is a ``datetime`` as openpyxl gives it (calamine gives a ``date``; the reader
  makes a midnight ``datetime`` a ``date`` either way); times and durations are
  ``time`` and ``timedelta`` in both;
- a control character that calamine decoded from Excel's ``_xHHHH_`` escape is written
  back as the escape, as openpyxl leaves it.

:func:`open_calamine` returns ``None`` where calamine would not give the same cells and
openpyxl must read the workbook: shared strings with ``_xHHHH_`` escapes (openpyxl keeps
the escapes and the spaces around a string, calamine decodes and may trim them), a
workbook calamine cannot open (damaged, encrypted, unusual: openpyxl then reports what is
wrong, as before).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

__all__ = ["open_calamine"]

_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EXACT_INTS = 1e15  # integral floats below this print without exponent: openpyxl's ints


def open_calamine(path: Path) -> CalamineBook | None:
    """The workbook read by calamine, or ``None`` when openpyxl must read it."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a dependency; kept readable without it
        return None
    if _has_escapes(path):
        return None
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
    except BaseException as exc:  # calamine's errors, and a Rust panic (a BaseException)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return None
    return CalamineBook(book, names)


def _has_escapes(path: Path) -> bool:
    """Whether the shared strings hold ``_xHHHH_`` escapes (or cannot be checked)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith("sharedstrings.xml")]
            for name in names:
                with archive.open(name) as part:
                    tail = b""
                    while block := part.read(1 << 20):
                        if _ESCAPE.search(tail + block):
                            return True
                        tail = block[-7:]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return True  # damaged: openpyxl says how
    return False


class CalamineSheet:
    """A sheet with the openpyxl read-only attributes the reader uses."""

    def __init__(self, book: Any, title: str) -> None:
        self.title = title
        self._book = book
        self._sheet: Any = None

    def _loaded(self) -> Any:
        if self._sheet is None:
            self._sheet = self._book.get_sheet_by_name(self.title)
        return self._sheet

    @property
    def max_row(self) -> int:
        end = self._loaded().end
        return 0 if end is None else int(end[0]) + 1

    def reset_dimensions(self) -> None:
        """openpyxl's call to ignore a stale dimension; calamine reads what is there."""

    def iter_rows(
        self, min_row: int = 1, min_col: int = 1, values_only: bool = True
    ) -> Iterator[tuple[Any, ...]]:
        """Rows from A1 on, each a tuple of openpyxl's values (``min_*`` are always 1)."""
        sheet = self._loaded()
        start = sheet.start
        if start is None:  # an empty sheet
            return
        # calamine's rows start at row 1, its columns at the first used one.
        pad: tuple[Any, ...] = (None,) * start[1]
        for row in sheet.iter_rows():
            yield pad + tuple(map(_value, row))


class CalamineBook:
    """A workbook with the openpyxl read-only attributes the reader uses."""

    def __init__(self, book: Any, names: list[str]) -> None:
        self._book = book
        self.worksheets = [CalamineSheet(book, name) for name in names]

    def close(self) -> None:
        self._book.close()


def _value(value: Any) -> Any:
    """openpyxl's value for a calamine cell."""
    kind = type(value)
    if kind is str:
        if not value:
            return None
        if _CONTROL.search(value):
            return _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
        return value
    if kind is float:
        if value.is_integer() and -_EXACT_INTS < value < _EXACT_INTS:
            return int(value)
        return value
    if kind is date:  # openpyxl gives a datetime for every date cell
        return datetime(value.year, value.month, value.day)
    return value
