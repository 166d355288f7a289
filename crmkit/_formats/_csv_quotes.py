"""Quoted fields left open: found and refused before they swallow the rows after them.

A quoted field left open is refused with :class:`~crmkit.ImportFormatError` naming the
line where it opens and showing its start, when it reaches the end of the file, or when
the whole lines inside it look like rows of the file (as many delimiters as a row): the
rows after it would otherwise be stored inside one cell. Quoted fields with line breaks
that do not look like rows (addresses, notes) are read as usual.

:func:`check_sample_quotes` looks at the sample a CSV layout is found on,
:func:`first_rows_in_cell` at each chunk the reader parses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from crmkit._exceptions import ImportFormatError
from crmkit._formats._csv_sniff import DELIMITERS, Record, row_width
from crmkit._util._shorten import shorten

__all__ = [
    "RowsInCell",
    "check_sample_quotes",
    "first_rows_in_cell",
    "quote_line",
    "rows_in_cell_error",
    "unclosed_error",
]


def _rows_inside(cell: str, newline: str, delimiter: str, widths: frozenset[int]) -> int:
    """How many whole lines inside ``cell`` look like rows of the file; 0 if one does not.

    A quote opened by mistake (``"rappeler lundi`` with no closing quote) makes the CSV
    parser read the next rows into that cell, up to the next quote in the file. The lines
    strictly inside the cell are then whole rows: each has one delimiter fewer than a row
    has cells (there can be no other quote on them). Blank lines say nothing either way;
    at least two delimiters in all are asked for, so that a two-column file whose notes
    have one comma a line is not refused on a single line.
    """
    inner = [p for p in cell.split(newline)[1:-1] if p.strip()]
    if not inner or not widths:
        return 0
    counts = [p.count(delimiter) for p in inner]
    if all(c + 1 in widths for c in counts) and sum(counts) >= 2:
        return len(inner)
    return 0


def _rows_inside_any(cell: str, newline: str, delimiters: Sequence[str]) -> int:
    """:func:`_rows_inside` when the width of the rows is not known (everything is in cells).

    The inner lines must then agree among themselves: at least two of them, all with the
    same number (one or more) of one of the ``delimiters``.
    """
    inner = [p for p in cell.split(newline)[1:-1] if p.strip()]
    if len(inner) < 2:
        return 0
    for delimiter in delimiters:
        counts = {p.count(delimiter) for p in inner}
        if len(counts) == 1 and min(counts) >= 1:
            return len(inner)
    return 0


def quote_line(record: Record, cell: int, newline: str) -> int:
    """The physical line where cell number ``cell`` of ``record`` starts."""
    return record.first_line + sum(c.count(newline) for c in record.cells[:cell])


def unclosed_error(where: str, line: int, text: str) -> ImportFormatError:
    return ImportFormatError(
        "a quoted field that starts on this line is never closed: the file ends inside it "
        "(a closing quote is missing, or the file is cut short); the line starts "
        f"{shorten(text)}",
        path=where,
        line=line,
    )


def rows_in_cell_error(where: str, line: int, text: str, count: int) -> ImportFormatError:
    return ImportFormatError(
        f"a quoted field that starts on this line runs over the next {count} line(s), which "
        "look like whole rows of the file: a closing quote is missing, and those rows would "
        f"end up inside one cell. The line starts {shorten(text)}; close the quote, or "
        'double a quote that is part of the value ("")',
        path=where,
        line=line,
    )


def check_sample_quotes(
    lines: Sequence[str],
    first: int,
    records: Sequence[Record],
    header: int | None,
    names: Sequence[str],
    delimiter: str,
    newline: str,
    where: str,
) -> None:
    """Refuse a sample (``lines``, from line ``first``) in which an open quote swallows rows.

    ``header`` is the index of the header among ``records`` (``None`` without a header).
    Data rows are held to the widths of the file, as the chunk reader holds them; the
    header and the lines above it, where the width may come from the broken record itself,
    to their inner lines agreeing among themselves.
    """
    width = row_width(records)
    widths = frozenset(w for w in (width, len(names)) if w >= 2)
    candidates = [delimiter] if width >= 2 else list(DELIMITERS)

    def text_of(line: int) -> str:
        return lines[line - first].rstrip("\r\n") if 0 <= line - first < len(lines) else ""

    for i, record in enumerate(records):
        if record.unclosed:
            line = quote_line(record, len(record.cells) - 1, newline)
            raise unclosed_error(where, line, text_of(line))
        if record.first_line == record.last_line:
            continue
        above = header is not None and i <= header
        for j, cell in enumerate(record.cells):
            if newline not in cell:
                continue
            count = _rows_inside(cell, newline, delimiter, widths)
            if not count and (above or not widths):
                count = _rows_inside_any(cell, newline, candidates)
            if count:
                line = quote_line(record, j, newline)
                raise rows_in_cell_error(where, line, text_of(line), count)


@dataclass(frozen=True)
class RowsInCell:
    """A cell whose inner lines look like rows: a quote left open (see :func:`_rows_inside`)."""

    line: int  # where the cell (its opening quote) starts
    count: int  # whole lines inside it that look like rows


def first_rows_in_cell(
    arrays: list[np.ndarray],
    broken: list[tuple[int, np.ndarray, np.ndarray]],
    starts: np.ndarray,
    newline: str,
    delimiter: str,
    widths: frozenset[int],
) -> RowsInCell | None:
    """The first cell (by line) whose inner lines look like rows of the file.

    ``arrays`` are a chunk's columns, ``broken`` the columns with line breaks (column,
    filled mask, breaks of each filled cell), ``starts`` the line of each record;
    ``delimiter`` and ``widths`` (cells in a row of the file) are the file's layout.
    """
    if not broken:
        return None
    # Line breaks of the cells left of each cell, so a cell's own first line is known.
    before = np.zeros(len(starts), dtype=np.int64)
    best: RowsInCell | None = None
    for j, filled, breaks in broken:
        rows = np.flatnonzero(filled)
        # Only a cell with two breaks or more has a whole line inside it.
        for k in np.flatnonzero(breaks >= 2):
            row = int(rows[k])
            cell = arrays[j][row]
            count = _rows_inside(cell, newline, delimiter, widths)
            if not count and not widths:
                count = _rows_inside_any(cell, newline, [delimiter])
            line = int(starts[row] + before[row])
            if count and (best is None or line < best.line):
                best = RowsInCell(line, count)
        before[rows] += breaks
    return best
