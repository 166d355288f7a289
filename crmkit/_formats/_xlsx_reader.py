"""Read a sheet of an Excel workbook in chunks of typed cells.

Cells keep their type: ``str``, ``int``, ``float``, ``bool``, ``datetime`` (``date`` when
the time is midnight), ``time``; ``None`` when empty. :attr:`Chunk.lines` holds Excel row
numbers. The workbook is read with calamine (:mod:`~crmkit._formats._xlsx_calamine`,
which gives openpyxl's values) or, where calamine would not give the same cells, with
openpyxl in read-only mode, after
:func:`~crmkit._formats._xlsx_limits.check_workbook_parts` has refused a zip bomb; an old
``.xls`` file, a text file or a damaged workbook is refused with a message saying so.
"""

from __future__ import annotations

import contextlib
import warnings
import zipfile
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

import numpy as np

from crmkit._exceptions import ImportFormatError, ValidationError
from crmkit._formats._header import SNIFF_RECORDS, pick_header, trim, unique_names
from crmkit._formats._magic import OLE_MAGIC
from crmkit._formats._progress import progress_bar
from crmkit._formats._table import Chunk, OnRagged, TableSource, make_chunk
from crmkit._formats._xlsx_calamine import open_calamine
from crmkit._formats._xlsx_limits import check_workbook_parts
from crmkit._util._suggest import closest

__all__ = ["xlsx_source"]

_AUTO_PROGRESS_XLSX_BYTES = 2 * 1024 * 1024
_MIDNIGHT = time(0, 0)

_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, SyntaxError)


@contextlib.contextmanager
def _quiet_openpyxl() -> Iterator[None]:
    with warnings.catch_warnings():
        # Styles, data validation, extensions openpyxl cannot keep: irrelevant to values.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
        yield


@contextlib.contextmanager
def _open_workbook(path: Path) -> Iterator[Any]:
    import openpyxl

    where = str(path)
    with path.open("rb") as handle:
        magic = handle.read(8)
        handle.seek(0)
        if not magic:
            raise ImportFormatError("the file is empty (0 bytes)", path=where)
        if magic.startswith(OLE_MAGIC):
            raise ImportFormatError(
                "this is an old Excel 97-2003 .xls workbook, which crmkit cannot read; "
                "open it in Excel and save it as .xlsx or CSV",
                path=where,
            )
        if not magic.startswith(b"PK"):
            what = "text (a CSV file?)" if b"\x00" not in magic else "some other binary file"
            raise ImportFormatError(
                f"not an Excel workbook: the file is not a ZIP archive but {what}", path=where
            )
        check_workbook_parts(path)
        fast = open_calamine(path)
        if fast is not None:
            try:
                yield fast
            finally:
                fast.close()
            return
        try:
            with _quiet_openpyxl():
                book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except KeyError as exc:
            raise ImportFormatError(
                f"not an Excel workbook: a ZIP archive without the workbook parts ({exc})",
                path=where,
            ) from None
        except (*_DAMAGED, ValueError, TypeError) as exc:
            raise ImportFormatError(
                f"the workbook is damaged or truncated and cannot be opened ({exc})",
                path=where,
            ) from None
        try:
            yield book
        finally:
            book.close()


def _pick_sheet(book: Any, sheet: str | int, where: str) -> Any:
    titles = [ws.title for ws in book.worksheets]
    if isinstance(sheet, bool) or not isinstance(sheet, (str, int)):
        raise ValidationError(f"sheet must be a name or a 0-based index, got {sheet!r}")
    if isinstance(sheet, int):
        if not -len(titles) <= sheet < len(titles):
            raise ImportFormatError(
                f"no sheet at index {sheet}: the workbook has {len(titles)} sheet(s) "
                f"({', '.join(repr(t) for t in titles)})",
                path=where,
            )
        return book.worksheets[sheet]
    if sheet in titles:
        return book.worksheets[titles.index(sheet)]
    folded = {t.casefold().strip(): t for t in titles}
    if sheet.casefold().strip() in folded:
        return book.worksheets[titles.index(folded[sheet.casefold().strip()])]
    hint = closest(sheet, titles)
    guess = f" Did you mean {hint!r}?" if hint else ""
    raise ImportFormatError(
        f"no sheet named {sheet!r}.{guess} The sheets are: {', '.join(repr(t) for t in titles)}",
        path=where,
    )


def _cell_value(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, datetime) and value.time() == _MIDNIGHT and value.tzinfo is None:
        return value.date()
    return value


def _sheet_rows(
    ws: Any, where: str, batch: int
) -> Generator[list[tuple[int, list[Any]]], None, None]:
    """Lists of (Excel row number, trimmed cells), ``batch`` rows read at a time."""
    # Writers often record a stale or oversized dimension: ignore it and read what is there.
    ws.reset_dimensions()
    rows = iter(ws.iter_rows(min_row=1, min_col=1, values_only=True))
    number = 0
    while True:
        out: list[tuple[int, list[Any]]] = []
        try:
            with _quiet_openpyxl():
                for values in rows:
                    number += 1
                    out.append((number, trim([_cell_value(v) for v in values])))
                    if len(out) >= batch:
                        break
        except (*_DAMAGED, ValueError) as exc:
            raise ImportFormatError(
                f"the workbook is damaged or truncated; reading stopped after row {number} ({exc})",
                path=where,
                line=number + 1,
            ) from None
        if out:
            yield out
        if len(out) < batch:
            return


@dataclass(frozen=True)
class _XlsxLayout:
    path: Path
    sheet: str
    columns: tuple[str, ...]
    header_line: int | None
    data_row: int
    on_ragged: OnRagged


def xlsx_source(
    path: Path,
    *,
    sheet: str | int,
    header_row: int | None,
    skip_rows: int,
    on_ragged: OnRagged,
) -> TableSource:
    where = str(path)
    first = header_row if header_row else skip_rows + 1
    sample: list[tuple[int, list[Any]]] = []
    with _open_workbook(path) as book:
        ws = _pick_sheet(book, sheet, where)
        title, titles = ws.title, tuple(w.title for w in book.worksheets)
        with contextlib.closing(_sheet_rows(ws, where, 256)) as batches:
            for batch in batches:
                for number, cells in batch:
                    if number >= first and (cells or number == header_row):
                        sample.append((number, cells))
                if len(sample) >= SNIFF_RECORDS:
                    break
    if not sample:
        raise ImportFormatError(
            f"sheet {title!r} has no rows" + (f" from row {first} on" if first > 1 else ""),
            path=where,
        )
    if header_row == 0:
        width = max(len(cells) for _, cells in sample)
        columns = tuple(f"column_{i + 1}" for i in range(width))
        header_line, data_row = None, first
    else:
        if header_row is not None:
            number, cells = sample[0]
            if number != header_row or not cells:
                raise ImportFormatError(
                    f"row {header_row} of sheet {title!r} is empty; it cannot be the header",
                    path=where,
                    line=header_row,
                )
            picked = 0
        else:
            picked = pick_header([cells for _, cells in sample[:SNIFF_RECORDS]])
        header_line, cells = sample[picked]
        columns = tuple(unique_names([_header_text(v) for v in cells]))
        data_row = header_line + 1
    layout = _XlsxLayout(path, title, columns, header_line, data_row, on_ragged)

    def reader(chunk_rows: int, progress: bool | None) -> Iterator[Chunk]:
        return _xlsx_chunks(layout, chunk_rows, progress)

    return TableSource(
        kind="xlsx",
        columns=columns,
        path=where,
        header_line=header_line,
        sheet=title,
        sheets=titles,
        line_label="row",
        _reader=reader,
    )


def _header_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_chunks(layout: _XlsxLayout, chunk_rows: int, progress: bool | None) -> Iterator[Chunk]:
    where = str(layout.path)
    size = layout.path.stat().st_size
    show = size >= _AUTO_PROGRESS_XLSX_BYTES if progress is None else progress
    with _open_workbook(layout.path) as book:
        ws = _pick_sheet(book, layout.sheet, where)
        # The recorded dimension (read before _sheet_rows drops it) is only an estimate.
        with progress_bar(show, ws.max_row, "rows", layout.path.name) as bar:
            yield from _xlsx_rows_to_chunks(layout, ws, chunk_rows, bar)


def _xlsx_rows_to_chunks(
    layout: _XlsxLayout, ws: Any, chunk_rows: int, bar: Any
) -> Iterator[Chunk]:
    where = str(layout.path)
    rows: list[list[Any]] = []
    lines: list[int] = []
    start_row = 0
    for batch in _sheet_rows(ws, where, min(chunk_rows, 10_000)):
        for number, cells in batch:
            if number >= layout.data_row and cells:
                rows.append(cells)
                lines.append(number)
        if bar is not None:
            bar.update(len(batch))
        while len(rows) >= chunk_rows:
            chunk = _rows_chunk(layout, rows[:chunk_rows], lines[:chunk_rows], start_row)
            del rows[:chunk_rows], lines[:chunk_rows]
            start_row += len(chunk)
            yield chunk
    if rows:
        yield _rows_chunk(layout, rows, lines, start_row)


def _rows_chunk(
    layout: _XlsxLayout, rows: list[list[Any]], lines: list[int], start_row: int
) -> Chunk:
    widest = max(len(r) for r in rows)
    total = max(widest, len(layout.columns))
    arrays = [np.empty(len(rows), dtype=object) for _ in range(total)]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            arrays[j][i] = value
    masks = [a != None for a in arrays]  # noqa: E711 - element-wise on object arrays
    chunk = make_chunk(
        layout.columns,
        arrays,
        masks,
        np.asarray(lines, dtype=np.int64),
        start_row,
        layout.on_ragged,
        str(layout.path),
        "Excel row",
    )
    assert chunk is not None  # blank rows were left out before
    return chunk
