"""What every table reader returns: :class:`TableSource` and its :class:`Chunk` s.

A reader (CSV, XLSX, DataFrame) looks at its source once and returns a
:class:`TableSource`; the rows are then read on demand, in bounded :class:`Chunk` s of raw
cells, each row tagged with the place it came from so that an error can point at it.
:func:`make_chunk` builds a chunk from full-width columns of cells and applies the rule
for rows with more cells than the header, the same for every reader:
:class:`~crmkit.ImportFormatError` with ``on_ragged="error"``, columns ``extra_1``,
``extra_2`` ... with ``on_ragged="keep"``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd

from crmkit._exceptions import ImportFormatError, ValidationError

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "Chunk",
    "ChunkReader",
    "OnRagged",
    "SourceNote",
    "TableSource",
    "check_positive",
    "extra_names",
    "make_chunk",
    "ragged_error",
]

#: Rows per chunk when the caller does not say.
DEFAULT_CHUNK_ROWS = 100_000

OnRagged = Literal["error", "keep"]
#: A problem found while looking at a source: ``(line, field, value, message)``.
SourceNote = tuple[int, str, Any, str]


@dataclass(frozen=True, eq=False)
class Chunk:
    """A block of consecutive rows of a source.

    Attributes
    ----------
    frame
        pandas DataFrame, ``object`` columns named as in :attr:`TableSource.columns`
        (plus ``extra_N`` columns with ``on_ragged="keep"``), values raw (text as found
        in a CSV file, typed cells of a workbook, Python values of a DataFrame), ``None``
        for empty cells; its index runs from ``start_row``.
    lines
        ``int64`` array, one entry per row: the CSV line where the record starts, the
        Excel row number, or the 1-based position in a DataFrame.
    start_row
        0-based position of the chunk's first row among all the data rows of the source
        (blank rows not counted).
    """

    frame: pd.DataFrame
    lines: np.ndarray
    start_row: int

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        span = f"lines {self.lines[0]}-{self.lines[-1]}" if len(self.lines) else "no rows"
        return f"Chunk({len(self.frame)} rows from row {self.start_row}, {span})"


class ChunkReader(Protocol):
    def __call__(self, chunk_rows: int, progress: bool | None) -> Iterator[Chunk]: ...


@dataclass(frozen=True, eq=False)
class TableSource:
    """A readable table: a CSV file, a sheet of a workbook or a DataFrame.

    Made by :func:`~crmkit._formats.read_table`, which has already checked the format, decided the
    encoding, delimiter and header, and read the column names. Rows are read on demand by
    :meth:`chunks` (as often as wanted) or all at once by :meth:`read`.

    Attributes
    ----------
    kind
        ``"csv"``, ``"xlsx"`` or ``"frame"``.
    columns
        Header names as written in the source (outer spaces removed), ``column_N`` for an
        empty header cell, ``"Email (2)"`` for a repeated name.
    path
        The file, ``None`` for a DataFrame.
    encoding
        The encoding a CSV file is read with (a Python codec name such as ``"utf-8"``,
        ``"utf-8-sig"``, ``"cp1252"``, ``"gb18030"``); ``None`` otherwise.
    delimiter
        The CSV delimiter; ``None`` otherwise.
    header_line
        Line (CSV) or Excel row of the header; ``None`` without a header row and for a
        DataFrame.
    sheet
        Name of the sheet read from a workbook.
    sheets
        Names of all the worksheets of the workbook.
    n_rows
        Number of rows when known without reading them (DataFrames), else ``None``.
    line_label
        What the numbers in :attr:`Chunk.lines` are: ``"line"`` (CSV) or ``"row"``.
    warnings
        Problems found while looking at the source that did not stop it from being read,
        one ``(line, field, value, message)`` tuple each, in line order; the import adds
        them to its report's warnings. Today: lines of a UTF-8 file that were not UTF-8 and
        were read with a legacy encoding instead (field ``"encoding"``, value the line as
        read), and a UTF-8 file cut inside its last character.
    """

    kind: Literal["csv", "xlsx", "frame"]
    columns: tuple[str, ...]
    path: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    n_rows: int | None = None
    line_label: Literal["line", "row"] = "line"
    warnings: tuple[tuple[int, str, Any, str], ...] = field(default=(), repr=False)
    _reader: ChunkReader | None = field(default=None, repr=False)

    def chunks(
        self, chunk_rows: int = DEFAULT_CHUNK_ROWS, *, progress: bool | None = None
    ) -> Iterator[Chunk]:
        """Read the rows, ``chunk_rows`` at a time.

        Parameters
        ----------
        chunk_rows
            Rows per chunk (the last one may be shorter); bounds the memory used.
        progress
            Show a tqdm progress bar (by bytes for CSV, by rows otherwise). ``None``: only
            for large files.

        Yields
        ------
        Chunk
            Rows in file order; chunks are never empty.

        Raises
        ------
        ImportFormatError
            A ragged row (with ``on_ragged="error"``), a quoted field that never ends, a
            damaged workbook ...; the message names the file and the line.

        Examples
        --------
        >>> import pandas as pd
        >>> from crmkit._formats import read_table
        >>> src = read_table(pd.DataFrame({"Nom": ["Blou", "Durand", "Roy"]}))
        >>> [chunk.lines.tolist() for chunk in src.chunks(chunk_rows=2)]
        [[1, 2], [3]]
        """
        check_positive("chunk_rows", chunk_rows)
        if self._reader is None:  # pragma: no cover - every factory sets one
            raise ImportFormatError("this TableSource has no reader", path=self.path)
        return self._reader(chunk_rows, progress)

    def read(self, *, progress: bool | None = False) -> Chunk:
        """All the rows in one :class:`Chunk` (for sources that fit in memory).

        Examples
        --------
        >>> import polars as pl
        >>> from crmkit._formats import read_table
        >>> chunk = read_table(pl.DataFrame({"Nom": ["Blou", None]})).read()
        >>> chunk.frame["Nom"].tolist(), chunk.lines.tolist()
        (['Blou', None], [1, 2])
        """
        parts = list(self.chunks(progress=progress))
        if len(parts) == 1:
            return parts[0]
        if not parts:
            frame = pd.DataFrame({name: [] for name in self.columns}, dtype=object)
            return Chunk(frame, np.zeros(0, dtype=np.int64), 0)
        frame = pd.concat([p.frame for p in parts])
        if any(len(p.frame.columns) != len(frame.columns) for p in parts):
            # extra_N columns some chunks lack came back as NaN.
            frame = frame.astype(object).where(frame.notna(), None)
        return Chunk(frame, np.concatenate([p.lines for p in parts]), 0)


def check_positive(name: str, value: int, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError(f"{name} must be an integer >= {minimum}, got {value!r}")


def extra_names(columns: Sequence[str], count: int) -> list[str]:
    """``extra_1`` ... ``extra_count``, skipping names the header already uses."""
    taken = set(columns)
    names: list[str] = []
    i = 0
    while len(names) < count:
        i += 1
        if f"extra_{i}" not in taken:
            names.append(f"extra_{i}")
    return names


def ragged_error(
    where: str, line: int, width: int, count: int, extra_values: Sequence[Any], place: str
) -> ImportFormatError:
    shown = ", ".join(repr(v) for v in extra_values[:3])
    hint = " (a delimiter inside a value needs quotes)" if place == "line" else ""
    return ImportFormatError(
        f"{place} {line} has {count} cells but the header has {width}; the cells past the "
        f"header hold {shown}. Fix the {place}{hint}, or pass on_ragged='keep' to keep "
        f"them in columns extra_1, extra_2 ...",
        path=where,
        line=line,
    )


def make_chunk(
    columns: Sequence[str],
    arrays: list[np.ndarray],
    masks: list[np.ndarray],
    lines: np.ndarray,
    start_row: int,
    on_ragged: OnRagged,
    where: str,
    place: str = "line",
) -> Chunk | None:
    """A chunk from full-width columns (header columns first, then spare ones)."""
    keep = np.logical_or.reduce(masks) if masks else np.zeros(len(lines), dtype=bool)
    if not keep.all():
        arrays = [a[keep] for a in arrays]
        masks = [m[keep] for m in masks]
        lines = lines[keep]
    if not len(lines):
        return None
    width = len(columns)
    spare = masks[width:]
    used = [i for i, m in enumerate(spare) if m.any()]
    if used and on_ragged == "error":
        over = np.logical_or.reduce([spare[i] for i in used])
        row = int(np.argmax(over))
        count = max(i for i in range(len(masks)) if masks[i][row]) + 1
        extras = [arrays[width + i][row] for i in range(len(spare)) if spare[i][row]]
        raise ragged_error(where, int(lines[row]), width, count, extras, place)
    n_extra = max(used) + 1 if used else 0
    names = [*columns, *extra_names(columns, n_extra)]
    frame = pd.DataFrame(
        dict(zip(names, arrays[: width + n_extra], strict=True)), dtype=object, copy=False
    )
    frame.index = pd.RangeIndex(start_row, start_row + len(frame))
    return Chunk(frame, lines, start_row)
