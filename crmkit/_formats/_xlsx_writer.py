"""Write a table to an XLSX workbook, with typed cells that Excel never runs as formulas.

Every text value is stored as a typed string cell, which Excel never evaluates, and is
kept unchanged, but for text already starting with ``'`` before ``= + - @``, which gets
one ``'`` more (crmkit's importer drops one). Numbers, booleans, dates and date-times are
typed cells (an int of 16 digits or more is text: Excel keeps 15; a date-time keeps its
wall-clock time); lists, JSON and binary values are text. The sheet has a bold frozen
header with an autofilter and column widths measured on the first rows (CJK characters
count double).

A text longer than an Excel cell holds (32,767 characters) stops the export with an
:class:`~crmkit.ExportError` naming the row and column, and so do more columns than a
sheet holds (:func:`check_fits`). In XLSX a lone carriage return reads back as ``\\n``.

**More rows than a sheet holds**: Excel's sheets stop at 1,048,576 rows (a header and
1,048,575 records). A larger export goes on in a new sheet of the same workbook, each with
its own header, frozen first row and autofilter: ``Contacts``, ``Contacts (2)``,
``Contacts (3)`` ...

The workbook is written by xlsxwriter in its constant-memory mode: rows go to a scratch
file as they come and records are read a chunk at a time, so memory does not grow with the
number of rows (strings are stored in each cell rather than in a shared table). The cells
are written into that scratch file as the XML xlsxwriter itself writes there (its
``write_*`` methods cost some 5 µs a cell): 100,000 contacts × 55 columns in under 20 s,
about four times openpyxl's write-only mode. A literal ``_x0041_`` is stored escaped
(``_x005F_x0041_``), so that Excel shows it as typed rather than as ``A``.
"""

from __future__ import annotations

import contextlib
import math
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
from xlsxwriter.utility import xl_col_to_name

from crmkit._exceptions import ExportError
from crmkit._formats._arrow_input import ArrowChunks, as_chunks, batches, column_kinds
from crmkit._formats._cell_text import BOOL_WORDS, base64_text, csv_converter, join_list, json_text
from crmkit._formats._controls import Cleaner, strip_text
from crmkit._formats._formula import QUOTED_TRIGGER
from crmkit._formats._headers import HeaderLang
from crmkit._util._shorten import shorten
from crmkit.schemas._labels import LANGS

__all__ = ["XLSX_MAX_ROWS", "check_fits", "sheet_title", "write_xlsx"]

# Column widths are measured on this many rows (enough to be representative, cheap).
_WIDTH_SAMPLE_ROWS = 1_000
_MIN_WIDTH, _MAX_WIDTH = 8.0, 60.0

#: Rows of an Excel sheet, the header's included: a larger export goes on in a new sheet.
XLSX_MAX_ROWS = 1_048_576

_XLSX_MAX_COLUMNS = 16_384

_XLSX_MAX_CELL_CHARS = 32_767

# Excel keeps 15 significant digits: a larger int written as a number would be changed.
_XLSX_MAX_EXACT_INT = 10**15

_SHEET_TITLES: dict[str, tuple[str, str, str]] = {
    "contacts": ("Contacts", "Contacts", "联系人"),
    "accounts": ("Accounts", "Comptes", "客户"),
}

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def check_fits(columns: int, target: Path) -> None:
    """Refuse, naming ``target``, more columns than a sheet holds (rows go on in new sheets)."""
    if columns > _XLSX_MAX_COLUMNS:
        raise ExportError(
            f"cannot export to {target}: {columns} columns exceed Excel's "
            f"{_XLSX_MAX_COLUMNS} columns; export to CSV or Parquet, or choose columns"
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


def numbered_sheet_title(title: str, number: int) -> str:
    """The title of the ``number``-th sheet of an export: ``Contacts``, ``Contacts (2)`` ...

    Examples
    --------
    >>> numbered_sheet_title("Contacts", 1), numbered_sheet_title("Contacts", 2)
    ('Contacts', 'Contacts (2)')
    >>> len(numbered_sheet_title("x" * 31, 12))
    31
    """
    if number == 1:
        return title
    suffix = f" ({number})"
    return title[: 31 - len(suffix)].rstrip() + suffix


class _XlsxCells:
    """Turns one column's Python values into XLSX cell values, checking Excel's limits.

    A value comes out as ``str`` (a string cell), ``int``/``float`` (a number), ``bool``,
    ``date``/``datetime``/``time``/``timedelta`` (a date or time cell) or None (no cell).
    """

    def __init__(self, kind: str, header: str) -> None:
        self._kind = kind
        self._header = header
        self.cleaner = Cleaner(xlsx=True)
        self.first_record = 1  # 1-based number of the first record of the current batch
        self.first_excel_row = 2  # Excel row of that record in its sheet

    def convert(self, values: list[Any]) -> list[Any]:
        kind = self._kind
        if kind == "text":
            return self._texts(values)
        if kind in ("bool", "date", "null"):
            return values
        if kind == "int":
            return [self._int(v) for v in values]
        if kind == "decimal":
            return [None if v is None else float(v) for v in values]
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

    @staticmethod
    def _int(value: int | None) -> int | str | None:
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

    def _texts(self, values: list[Any]) -> list[Any]:
        out: list[Any] = []
        append = out.append
        for offset, value in enumerate(self.cleaner.texts(values)):
            if value is None or value.__class__ is not str:
                append(value)
                continue
            if "\r" in value:
                # XML reads a carriage return as a line feed: say so ourselves, as
                # xlsxwriter would otherwise write it as the escape _x000D_.
                value = value.replace("\r\n", "\n").replace("\r", "\n")
            if value[:1] == "'" and QUOTED_TRIGGER.match(value):
                value = "'" + value  # the importer drops one: see neutralize_formula()
            if len(value) > _XLSX_MAX_CELL_CHARS // 2 and _utf16_units(value) > (
                _XLSX_MAX_CELL_CHARS
            ):
                raise self.too_long(offset, value)
            append(value)
        return out

    def too_long(self, offset: int, value: str) -> ExportError:
        record = self.first_record + offset
        excel_row = self.first_excel_row + offset
        return ExportError(
            f"row {record} (Excel row {excel_row}), column {shorten(self._header)}: a text "
            f"of {len(value)} characters does not fit in an Excel cell (at most "
            f"{_XLSX_MAX_CELL_CHARS}); export to CSV or Parquet, or leave the column out"
        )


def _utf16_units(text: str) -> int:
    """Length of ``text`` as Excel counts it: characters beyond U+FFFF count two."""
    return len(text.encode("utf-16-le")) // 2


def write_xlsx(
    data: ArrowChunks | pa.Table,
    headers: list[str],
    tmp: Path,
    *,
    sheet_title: str,
    max_rows: int = XLSX_MAX_ROWS,
) -> tuple[int, list[int]]:
    """Write the workbook; return the records written and the values cleaned per column.

    ``max_rows`` is the number of rows of a sheet, header included (Excel's 1,048,576);
    more records go on in further sheets, titled by :func:`numbered_sheet_title`.
    """
    import xlsxwriter

    if max_rows < 2:
        raise ValueError(f"a sheet needs room for a header and a record, not {max_rows} rows")
    chunks = as_chunks(data)
    # Scratch files of the constant-memory mode go to a folder of our own, so that a
    # failed export leaves none behind.
    with tempfile.TemporaryDirectory(prefix="crmkit-xlsx-") as scratch:
        workbook = xlsxwriter.Workbook(
            str(tmp),
            {
                "constant_memory": True,
                "tmpdir": scratch,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        try:
            rows, changed = _SheetFiller(workbook, chunks, headers, sheet_title, max_rows).fill()
            workbook.close()
        except BaseException:
            _abandon(workbook)
            raise
    return rows, changed


def _abandon(workbook: Any) -> None:
    """Close the scratch files of a workbook that failed half-way (its folder goes next)."""
    for sheet in workbook.worksheets():
        handle = getattr(sheet, "row_data_fh", None)
        if handle is not None:
            with contextlib.suppress(Exception):
                handle.close()


class _SheetFiller:
    """Writes the records row by row, opening a new sheet when one is full."""

    def __init__(
        self,
        workbook: Any,
        data: ArrowChunks,
        headers: list[str],
        title: str,
        max_rows: int,
    ) -> None:
        self.workbook = workbook
        self.data = data
        self.headers = headers
        self.title = title
        self.max_rows = max_rows
        self.kinds = column_kinds(data.schema)
        self.cells = [_XlsxCells(kind, h) for kind, h in zip(self.kinds, headers, strict=True)]
        self.bold = workbook.add_format({"bold": True})
        self.formats = {
            date: workbook.add_format({"num_format": "yyyy-mm-dd"}),
            datetime: workbook.add_format({"num_format": "yyyy-mm-dd h:mm:ss"}),
            time: workbook.add_format({"num_format": "h:mm:ss"}),
            timedelta: workbook.add_format({"num_format": "[hh]:mm:ss"}),
        }
        self.letters = [xl_col_to_name(i) for i in range(len(headers))]
        self.widths: list[float] = []
        self.sheet: Any = None
        self.sheets = 0
        self.row = 0  # next 0-based row of the current sheet

    def fill(self) -> tuple[int, list[int]]:
        records = 0
        chunks = iter(self.data.chunks)
        first = next(chunks, None)
        self.widths = self._widths(first)
        self._new_sheet()
        for chunk in _chain_first(first, chunks):
            for batch in batches(chunk):
                records += self._write_batch(batch, records)
        self._close_sheet()
        return records, [c.cleaner.changed for c in self.cells]

    def _widths(self, first: pa.Table | None) -> list[float]:
        # Widths are measured on the first rows, as the sheet is written top down.
        renderers = [csv_converter(k, BOOL_WORDS["en"], ".") for k in self.kinds]
        sample: list[list[Any]] = [[] for _ in self.headers]
        if first is not None:
            sample = next(batches(first.slice(0, _WIDTH_SAMPLE_ROWS)), sample)
        return [
            _column_width(header, render(values))
            for header, render, values in zip(self.headers, renderers, sample, strict=True)
        ]

    def _new_sheet(self) -> None:
        self.sheets += 1
        sheet = self.workbook.add_worksheet(numbered_sheet_title(self.title, self.sheets))
        for position, width in enumerate(self.widths):
            sheet.set_column(position, position, width)
        sheet.freeze_panes(1, 0)
        for position, header in enumerate(self.headers):
            sheet.write_string(0, position, header, self.bold)
        # Flush the header row to the scratch file: the records are written after it.
        sheet._write_single_row(1)
        self.sheet, self.row = sheet, 1

    def _close_sheet(self) -> None:
        self.sheet.autofilter(0, 0, self.row - 1, max(0, len(self.headers) - 1))

    def _write_batch(self, batch: list[list[Any]], done: int) -> int:
        count = len(batch[0]) if batch else 0
        written = 0
        while written < count:
            if self.row >= self.max_rows:
                self._close_sheet()
                self._new_sheet()
            take = min(count - written, self.max_rows - self.row)
            columns = []
            for converter, values in zip(self.cells, batch, strict=True):
                converter.first_record = done + written + 1
                converter.first_excel_row = self.row + 1
                columns.append(converter.convert(values[written : written + take]))
            self._write_rows(columns)
            written += take
        return count

    def _write_rows(self, columns: list[list[Any]]) -> None:
        """Write rows of cells straight into the sheet's scratch file.

        xlsxwriter's ``write_*`` methods cost some 5 µs a cell, mostly to build a cell
        object and write its XML through generic helpers; the cells here are written
        as xlsxwriter writes them in constant-memory mode (the same XML: inline strings,
        ``%.16G`` numbers, the same escapes), about four times faster. xlsxwriter keeps
        writing everything else: header, widths, panes, autofilter, styles, the package.
        """
        sheet = self.sheet
        letters = self.letters
        cell_xml = self._cell_xml
        lines = []
        row = self.row
        for values in zip(*columns, strict=True):
            number = str(row + 1)
            parts = [f'<row r="{number}">']
            for col, value in enumerate(values):
                if value is None:
                    continue
                if value.__class__ is str:
                    if not value:
                        continue  # an empty text is an empty cell, as in CSV
                    parts.append(_inline_string(letters[col] + number, value))
                else:
                    parts.append(cell_xml(letters[col] + number, value))
            parts.append("</row>")
            lines.append("".join(parts))
            row += 1
        if lines:
            sheet.fh.write("".join(lines))
            # The <dimension> of the sheet, as xlsxwriter's own writes would extend it.
            sheet._check_dimensions(row - 1, len(columns) - 1)
        self.row = row

    def _cell_xml(self, ref: str, value: Any) -> str:
        kind = value.__class__
        if kind is bool:
            return f'<c r="{ref}" t="b"><v>{1 if value else 0}</v></c>'
        if kind is int or kind is float:
            return f'<c r="{ref}"><v>{value:.16G}</v></c>'
        if isinstance(value, Decimal):
            return f'<c r="{ref}"><v>{float(value):.16G}</v></c>'
        for base in (datetime, date, time, timedelta):  # datetime first: it is a date
            if isinstance(value, base):
                serial = self.sheet._convert_date_time(value)
                style = self.formats[base]._get_xf_index()
                return f'<c r="{ref}" s="{style}"><v>{serial:.16G}</v></c>'
        return _inline_string(ref, str(value))


_ESCAPE_LIKE = re.compile("(_x[0-9a-fA-F]{4}_)")
_XML_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def _inline_string(ref: str, text: str) -> str:
    """An inline string cell, escaped as xlsxwriter escapes it.

    A literal ``_x0041_`` becomes ``_x005F_x0041_`` (Excel would read the first as
    ``A``), a control character ``_x0001_``, and ``& < >`` their entities; leading or
    trailing spaces are kept.
    """
    if "_x" in text:
        text = _ESCAPE_LIKE.sub(r"_x005F\1", text)
    if _XML_CONTROL.search(text):
        text = _XML_CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    if "\ufffe" in text or "\uffff" in text:
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text[:1].isspace() or text[-1:].isspace():
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _chain_first(first: pa.Table | None, rest: Any) -> Any:
    if first is not None:
        yield first
        yield from rest
