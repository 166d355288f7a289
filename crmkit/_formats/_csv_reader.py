"""Read the rows of a CSV file in chunks of raw text cells.

Every cell is the ``str`` found in the file, untouched (spaces, quotes inside fields,
``"N/A"`` ...), or ``None`` for an empty cell. :attr:`Chunk.lines` holds the 1-based
physical line where each record starts. Parsing is pandas' C parser, in chunks, with
every value read as text; a row wider than the spare columns makes the reader start
again, wider, at the first unread record. UTF-16/32 files and files with repaired lines
are first written as UTF-8 to a temporary file.
"""

from __future__ import annotations

import contextlib
import functools
import re
import tempfile
import warnings
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crmkit._exceptions import ImportFormatError
from crmkit._formats._csv_layout import CsvLayout, csv_layout, text_from_line
from crmkit._formats._csv_quotes import (
    RowsInCell,
    first_rows_in_cell,
    quote_line,
    rows_in_cell_error,
    unclosed_error,
)
from crmkit._formats._csv_sniff import parse_records
from crmkit._formats._encoding import Encoding, transcode, transcode_repaired
from crmkit._formats._lines import line_offset
from crmkit._formats._progress import progress_bar
from crmkit._formats._table import Chunk, OnRagged, TableSource, make_chunk
from crmkit._util._shorten import shorten

__all__ = ["csv_source"]

_AUTO_PROGRESS_CSV_BYTES = 32 * 1024 * 1024

_EXPECTED_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")

_EOF_IN_QUOTES = re.compile(r"EOF inside string starting at row (\d+)")

_INDEX_GUESS = "Length of header or names does not match length of data"


def _breaks_per_cell(texts: np.ndarray, joined: str, newline: str) -> np.ndarray:
    """How many ``newline`` characters each of ``texts`` holds (``joined`` is their concat)."""
    ends = np.cumsum(np.fromiter(map(len, texts), np.int64, len(texts)))
    # Code points as an array: the line breaks are found and binned without a Python loop.
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    at = np.flatnonzero(points == ord(newline))
    return np.bincount(np.searchsorted(ends, at, side="right"), minlength=len(texts))


def _cells_and_lines(
    raw: pd.DataFrame,
    start_line: int,
    newline: str,
    layout: CsvLayout | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, int, RowsInCell | None]:
    """Object columns (``None`` for empty), filled masks, record lines, the next line.

    With ``layout``, also the first cell that holds rows of the file (a quote left open),
    else ``None``.
    """
    n = len(raw)
    spans = np.ones(n, dtype=np.int64)
    arrays: list[np.ndarray] = []
    masks: list[np.ndarray] = []
    # Per column with line breaks: (column, its filled mask, breaks of each filled cell).
    broken: list[tuple[int, np.ndarray, np.ndarray]] = []
    for j in range(raw.shape[1]):
        values = raw.iloc[:, j].to_numpy(dtype=object, copy=True)
        # "": an empty cell; NaN: a cell absent from a short row
        missing = (values == "") | (values != values)
        filled = ~missing
        texts = values[filled]
        joined = "".join(texts)  # one C-level scan finds whether any cell spans lines
        if newline in joined:
            breaks = _breaks_per_cell(texts, joined, newline)
            spans[filled] += breaks
            broken.append((j, filled, breaks))
        values[missing] = None
        arrays.append(values)
        masks.append(filled)
    starts = np.empty(n, dtype=np.int64)
    if n:
        starts[0] = start_line
        np.cumsum(spans[:-1], out=starts[1:])
        starts[1:] += start_line
    found = None
    if layout is not None:
        found = first_rows_in_cell(
            arrays, broken, starts, newline, layout.delimiter, layout.row_widths
        )
    return arrays, masks, starts, start_line + int(spans.sum()), found


def _csv_chunks(layout: CsvLayout, chunk_rows: int, progress: bool | None) -> Iterator[Chunk]:
    with contextlib.ExitStack() as stack:
        path, enc = layout.path, layout.encoding
        if not enc.ascii_compatible or enc.repaired:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="crmkit-")))
            path = folder / "utf8.csv"
            if enc.repaired:
                transcode_repaired(layout.path, enc, path, layout.newline.encode("ascii"))
            else:
                transcode(layout.path, enc, path)
            enc = Encoding("utf-8", "utf-8", 0)
        size = path.stat().st_size
        show = size >= _AUTO_PROGRESS_CSV_BYTES if progress is None else progress
        bar = stack.enter_context(progress_bar(show, size, "B", layout.path.name))
        newline = layout.newline.encode("ascii")
        line = layout.data_line
        offset = line_offset(path, line, newline, enc.bom, 1)
        slots = layout.extra_slots
        start_row = 0
        while offset < size:
            restart = yield from _csv_run(
                layout, path, enc, offset, line, slots, chunk_rows, start_row, bar
            )
            if restart is None:
                return
            # More cells than spare columns: read again from the unread chunk, wider.
            line, slots, start_row = restart
            offset = line_offset(path, line, newline, enc.bom, 1)


def _read_csv(layout: CsvLayout, handle: Any, enc: Encoding, slots: int, **options: Any) -> Any:
    names = [f"\x00{i}" for i in range(len(layout.columns) + slots)]
    return pd.read_csv(
        handle,
        sep=layout.delimiter,
        header=None,
        names=names,
        index_col=False,
        dtype=object,
        na_filter=False,  # empty cells come as "" (faster); _cells_and_lines makes them None
        skip_blank_lines=False,
        quotechar='"',
        doublequote=True,
        encoding=enc.codec,
        encoding_errors=enc.errors,
        engine="c",
        **options,
    )


def _strict_pandas(step: Callable[[], Any]) -> Any:
    """``step()``, with pandas' warning that it dropped cells turned into an error.

    A first row with exactly one cell more than the names is taken by pandas for an index
    column; with ``index_col=False`` it then drops the last cell with a mere
    ``ParserWarning``. As an error, it calls for one more spare column instead. (Scoped to
    the pandas call: a filter set across the generator's ``yield`` would leak to the caller.)
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("error", _INDEX_GUESS, pd.errors.ParserWarning)
        return step()


def _csv_run(
    layout: CsvLayout,
    path: Path,
    enc: Encoding,
    offset: int,
    line: int,
    slots: int,
    chunk_rows: int,
    start_row: int,
    bar: Any,
) -> Generator[Chunk, None, tuple[int, int, int] | None]:
    """Read from ``offset`` (line ``line``) to the end, or until more spare columns are needed.

    Returns ``None`` at the end of the file, or ``(line, slots, start_row)`` to start again
    at the first unread record with ``slots`` spare columns.
    """
    where = str(layout.path)
    newline = layout.newline.encode("ascii")
    run_offset, run_line = offset, line
    seen = 0  # records pandas has handed out since `offset`
    with path.open("rb") as handle, contextlib.ExitStack() as stack:
        handle.seek(offset)
        reader: Any = None
        while True:
            try:
                if reader is None:
                    # pandas reads the first rows as soon as the reader is made: its errors
                    # there (an open quote on the first row ...) are handled as later ones.
                    reader = stack.enter_context(
                        _strict_pandas(
                            lambda: _read_csv(layout, handle, enc, slots, chunksize=chunk_rows)
                        )
                    )
                raw = _strict_pandas(functools.partial(next, reader, None))
            except pd.errors.ParserWarning:
                return line, slots + 1, start_row
            except pd.errors.ParserError as exc:
                message = str(exc)
                wider = _EXPECTED_FIELDS.search(message)
                if wider is not None:
                    needed = int(wider.group(3)) - len(layout.columns)
                    return line, max(needed, slots + 1), start_row
                unclosed = _EOF_IN_QUOTES.search(message)
                if unclosed is not None:
                    before = int(unclosed.group(1)) - seen
                    at = _skip_records(layout, path, enc, line, slots, before)
                    at = _open_quote_line(layout, path, enc, at)
                    text = _line_text(path, enc, newline, at, (run_offset, run_line))
                    raise unclosed_error(where, at, text) from None
                raise ImportFormatError(
                    f"cannot read the CSV at or after this line: {shorten(message, 200)}",
                    path=where,
                    line=line,
                ) from None
            except UnicodeDecodeError as exc:  # pragma: no cover - encoding is pre-checked
                raise ImportFormatError(
                    f"undecodable bytes at or after this line: {exc}", path=where, line=line
                ) from None
            if raw is None:
                return None
            seen += len(raw)
            arrays, masks, lines, line, swallowed = _cells_and_lines(
                raw, line, layout.newline, layout
            )
            if swallowed is not None:
                at = swallowed.line
                text = _line_text(path, enc, newline, at, (run_offset, run_line))
                raise rows_in_cell_error(where, at, text, swallowed.count)
            chunk = make_chunk(
                layout.columns, arrays, masks, lines, start_row, layout.on_ragged, where
            )
            if bar is not None and handle.tell() > bar.n:
                # Absolute, so a restart does not count bytes twice.
                bar.update(handle.tell() - bar.n)
            if chunk is not None:
                start_row += len(chunk)
                yield chunk


def _skip_records(
    layout: CsvLayout, path: Path, enc: Encoding, line: int, slots: int, count: int
) -> int:
    """The line after ``count`` records starting at ``line``."""
    if count <= 0:
        return line
    offset = line_offset(path, line, layout.newline.encode("ascii"), enc.bom, 1)
    with path.open("rb") as handle:
        handle.seek(offset)
        try:
            raw = _read_csv(layout, handle, enc, slots, nrows=count)
        except pd.errors.ParserError:
            return line  # a wide row on the way: the chunk's first line is the best bound
    return _cells_and_lines(raw, line, layout.newline)[3]


def _line_text(path: Path, enc: Encoding, newline: bytes, line: int, known: tuple[int, int]) -> str:
    """The beginning of physical line ``line``; ``known`` is a line start: (offset, line)."""
    offset = line_offset(path, line, newline, *known)
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read(400)
    end = data.find(newline)
    return data[: end if end >= 0 else len(data)].decode(enc.codec, errors="replace")


def _open_quote_line(layout: CsvLayout, path: Path, enc: Encoding, line: int) -> int:
    """The line where the quoted field left open in the record starting at ``line`` opens."""
    lines, _ = text_from_line(path, enc, layout.newline, line)
    records = parse_records(lines, line, layout.delimiter, mark_end=True)
    if records and records[0].unclosed:
        return quote_line(records[0], len(records[0].cells) - 1, layout.newline)
    return line


def csv_source(
    path: Path,
    *,
    encoding: str | None,
    delimiter: str | None,
    header_row: int | None,
    skip_rows: int,
    on_ragged: OnRagged,
) -> TableSource:
    layout = csv_layout(
        path,
        encoding=encoding,
        delimiter=delimiter,
        header_row=header_row,
        skip_rows=skip_rows,
        on_ragged=on_ragged,
    )

    def reader(chunk_rows: int, progress: bool | None) -> Iterator[Chunk]:
        return _csv_chunks(layout, chunk_rows, progress)

    return TableSource(
        kind="csv",
        columns=layout.columns,
        path=str(path),
        encoding=layout.encoding.name,
        delimiter=layout.delimiter,
        header_line=layout.header_line,
        line_label="line",
        warnings=layout.notes,
        _reader=reader,
    )
