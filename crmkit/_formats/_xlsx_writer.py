"""Write a table to an XLSX workbook, with typed cells that Excel never runs as formulas.

Every text value is stored as a typed string cell, which Excel never evaluates, and is
kept unchanged, but for text already starting with ``'`` before ``= + - @``, which gets
one ``'`` more (crmkit's importer drops one). Numbers, booleans, dates and date-times are
typed cells (an int of 16 digits or more is text: Excel keeps 15; a date-time keeps its
wall-clock time); lists, JSON and binary values are text. The sheet has a bold frozen
header with an autofilter and column widths measured on the first rows (CJK characters
count double).

A text longer than an Excel cell holds (32,767 characters) stops the export with an
:class:`~crmkit.ExportError` naming the row and column, and so do more rows or columns
than a sheet holds (:func:`check_fits`). In XLSX a lone carriage return reads back as
``\\n``.

openpyxl writes in write-only (streaming) mode, which costs about 10 µs a cell: 100,000
contacts × 25 columns take some 25-30 s, against 2 s for CSV and well under a second for
Parquet.
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from crmkit._exceptions import ExportError
from crmkit._formats._arrow_input import batches, column_kinds
from crmkit._formats._cell_text import BOOL_WORDS, base64_text, csv_converter, join_list, json_text
from crmkit._formats._controls import Cleaner, strip_text
from crmkit._formats._formula import QUOTED_TRIGGER
from crmkit._formats._headers import HeaderLang
from crmkit._util._shorten import shorten
from crmkit.schemas._labels import LANGS

__all__ = ["check_fits", "sheet_title", "write_xlsx"]

_Cell = Any
# Column widths are measured on this many rows (enough to be representative, cheap).
_WIDTH_SAMPLE_ROWS = 1_000
_MIN_WIDTH, _MAX_WIDTH = 8.0, 60.0

# Excel's hard limits.
_XLSX_MAX_ROWS = 1_048_576

_XLSX_MAX_COLUMNS = 16_384

_XLSX_MAX_CELL_CHARS = 32_767

# Excel keeps 15 significant digits: a larger int written as a number would be changed.
_XLSX_MAX_EXACT_INT = 10**15

_SHEET_TITLES: dict[str, tuple[str, str, str]] = {
    "contacts": ("Contacts", "Contacts", "联系人"),
    "accounts": ("Accounts", "Comptes", "客户"),
}

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def check_fits(table: pa.Table, target: Path) -> None:
    """Refuse, naming ``target``, a table with more rows or columns than a sheet holds."""
    if table.num_rows + 1 > _XLSX_MAX_ROWS or table.num_columns > _XLSX_MAX_COLUMNS:
        raise ExportError(
            f"cannot export to {target}: {table.num_rows} rows × {table.num_columns} "
            f"columns exceed Excel's {_XLSX_MAX_ROWS - 1} rows × {_XLSX_MAX_COLUMNS} "
            "columns; export to CSV or Parquet"
        )


def sheet_title(sheet_name: str | None, kind: str, lang: HeaderLang | None) -> str:
    if sheet_name is None:
        return _SHEET_TITLES[kind][LANGS.index(lang or "en")]
    title = strip_text(sheet_name, xlsx=True).replace("\n", " ").replace("\r", " ")
    title = _SHEET_FORBIDDEN.sub(" ", title).strip().strip("'").strip()[:31].strip()
    if not title:
        return _SHEET_TITLES[kind][LANGS.index(lang or "en")]
    # Excel reserves this name for its change history and refuses the workbook.
    if title.casefold() == "history":
        title += " 1"
    return title


def _display_width(text: str) -> int:
    """Width of the longest line of ``text`` in Excel character units (CJK count double)."""
    best = 0
    for line in text.splitlines() or [""]:
        if line.isascii():
            width = len(line)
        else:
            width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        best = max(best, width)
    return best


def _column_width(header: str, texts: Sequence[str]) -> float:
    # The header is bold and carries the autofilter button: a few characters more.
    widest = max([_display_width(header) + 3, *(_display_width(t) for t in texts)])
    return min(_MAX_WIDTH, max(_MIN_WIDTH, widest + 2.0))


class _XlsxCells:
    """Turns one column's Python values into XLSX cell values, checking Excel's limits."""

    def __init__(self, sheet: Any, kind: str, header: str) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ERROR_CODES

        self._sheet = sheet
        self._kind = kind
        self._header = header
        self._cell_class = WriteOnlyCell
        self._error_codes = frozenset(ERROR_CODES)
        self.cleaner = Cleaner(xlsx=True)
        self.first_row = 2  # Excel row of the first value of the current batch

    def convert(self, values: list[Any]) -> list[_Cell]:
        kind = self._kind
        if kind == "text":
            return self._texts(values)
        if kind in ("int", "bool", "date", "decimal", "null"):
            if kind == "int":
                return [self._int(v) for v in values]
            return values
        if kind == "float":
            return [self._float(v) for v in values]
        if kind == "timestamp":
            # Excel has no time zones: keep the wall-clock time the analyst sees.
            return [v if v is None or v.tzinfo is None else v.replace(tzinfo=None) for v in values]
        if kind == "list":
            return self._texts([join_list(v) for v in values])
        if kind == "binary":
            return self._texts([base64_text(v) for v in values])
        if kind == "json":
            return self._texts([json_text(v) for v in values])
        return self._texts(
            [v if v is None or isinstance(v, time | timedelta) else str(v) for v in values]
        )

    def _int(self, value: int | None) -> int | str | None:
        if value is not None and abs(value) >= _XLSX_MAX_EXACT_INT:
            return str(value)
        return value

    @staticmethod
    def _float(value: float | None) -> float | str | None:
        if value is None or math.isnan(value):
            return None
        if math.isinf(value):
            return str(value)  # Excel has no infinity
        return value

    def _texts(self, values: list[Any]) -> list[_Cell]:
        out: list[_Cell] = []
        for offset, value in enumerate(self.cleaner.texts(values)):
            if value is None or value.__class__ is not str:
                out.append(value)
                continue
            if value[:1] == "'" and QUOTED_TRIGGER.match(value):
                value = "'" + value  # the importer drops one: see neutralize_formula()
            if len(value) > _XLSX_MAX_CELL_CHARS:
                record = self.first_row - 1 + offset
                raise ExportError(
                    f"row {record} (Excel row {record + 1}), column {shorten(self._header)}: "
                    "a text of "
                    f"{len(value)} characters does not fit in an Excel cell (at most "
                    f"{_XLSX_MAX_CELL_CHARS}); export to CSV or Parquet, or leave the "
                    "column out"
                )
            if value[:1] == "=" or value in self._error_codes:
                # openpyxl would store these as a formula or an error value: force a
                # string cell, which Excel shows as typed and never evaluates.
                cell = self._cell_class(self._sheet, value)
                cell.data_type = "s"
                value = cell
            out.append(value)
        return out


def write_xlsx(
    table: pa.Table,
    headers: list[str],
    tmp: Path,
    *,
    sheet_title: str,
) -> list[int]:
    """Write the workbook; return the number of values cleaned in each column."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    try:
        changed = _fill_sheet(sheet, table, headers)
        workbook.save(tmp)
    except BaseException:
        _abandon(sheet)
        raise
    return changed


def _abandon(sheet: Any) -> None:
    """Close a write-only sheet that failed half-way and delete openpyxl's scratch file.

    openpyxl streams the rows of a write-only sheet through generators into a temporary
    file of its own; left open, they fail noisily when garbage-collected and the file
    lingers until the interpreter exits.
    """
    rows = getattr(sheet, "_rows", None)
    if rows is not None:
        with contextlib.suppress(Exception):
            rows.close()
    writer = getattr(sheet, "_writer", None)
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.close()
        with contextlib.suppress(Exception):
            writer.cleanup()


def _fill_sheet(sheet: Any, table: pa.Table, headers: list[str]) -> list[int]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    kinds = column_kinds(table)
    cells = [_XlsxCells(sheet, kind, h) for kind, h in zip(kinds, headers, strict=True)]

    # Widths must be set before the first row is written in write-only mode.
    sample = table.slice(0, _WIDTH_SAMPLE_ROWS)
    renderers = [csv_converter(k, BOOL_WORDS["en"], ".") for k in kinds]
    sample_columns: list[list[Any]] = next(batches(sample), [[] for _ in headers])
    for position, (header, render, values) in enumerate(
        zip(headers, renderers, sample_columns, strict=True), start=1
    ):
        width = _column_width(header, render(values))
        sheet.column_dimensions[get_column_letter(position)].width = width

    sheet.freeze_panes = "A2"
    last = get_column_letter(max(1, len(headers)))
    sheet.auto_filter.ref = f"A1:{last}{table.num_rows + 1}"

    bold = Font(bold=True)
    header_row = []
    for header in headers:
        cell = WriteOnlyCell(sheet, header)
        cell.data_type = "s"
        cell.font = bold
        header_row.append(cell)
    sheet.append(header_row)

    next_row = 2
    for batch in batches(table):
        columns = []
        for converter, values in zip(cells, batch, strict=True):
            converter.first_row = next_row
            columns.append(converter.convert(values))
        for row in zip(*columns, strict=True):
            sheet.append(row)
        next_row += len(batch[0]) if batch else 0
    return [c.cleaner.changed for c in cells]
