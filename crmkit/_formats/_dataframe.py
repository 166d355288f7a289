"""Read a pandas DataFrame, a polars DataFrame or a polars LazyFrame as a table source.

Cells are Python values, ``None`` for missing ones (NaN, NaT, NA and null alike; pandas
timestamps become :class:`datetime.datetime`). :attr:`Chunk.lines` holds the 1-based
position of the row in the frame (``line_label`` is ``"row"``). A LazyFrame is collected
when its rows are read, not before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmkit._formats._header import unique_names
from crmkit._formats._progress import progress_bar
from crmkit._formats._table import Chunk, TableSource
from crmkit._util._frames import collect, is_polars_frame, is_polars_lazy

if TYPE_CHECKING:
    import polars as pl

__all__ = ["frame_source"]


def _pandas_columns(frame: pd.DataFrame) -> list[np.ndarray]:
    arrays = []
    for j in range(frame.shape[1]):
        column = frame.iloc[:, j]
        values = column.to_numpy(dtype=object, copy=True)
        missing = pd.isna(values)
        if missing.any():
            values[missing] = None
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            values = np.array(
                [v.to_pydatetime() if v is not None else None for v in values], dtype=object
            )
        arrays.append(values)
    return arrays


def _polars_columns(frame: pl.DataFrame) -> list[np.ndarray]:
    arrays = []
    for values in frame.to_dict(as_series=False).values():
        array = np.empty(len(values), dtype=object)
        array[:] = [None if isinstance(v, float) and v != v else v for v in values]
        arrays.append(array)
    return arrays


def frame_source(source: Any) -> TableSource:
    lazy = is_polars_lazy(source)
    if lazy:
        raw_names: list[Any] = list(source.collect_schema().names())
    else:
        raw_names = list(source.columns)
    columns = tuple(unique_names([str(c) for c in raw_names]))
    n_rows = None if lazy else len(source)

    def reader(chunk_rows: int, progress: bool | None) -> Iterator[Chunk]:
        return _frame_chunks(source, columns, chunk_rows, bool(progress))

    return TableSource(
        kind="frame", columns=columns, n_rows=n_rows, line_label="row", _reader=reader
    )


def _frame_chunks(
    source: Any, columns: tuple[str, ...], chunk_rows: int, progress: bool
) -> Iterator[Chunk]:
    frame = collect(source)
    polars = is_polars_frame(frame)
    total = len(frame)
    with progress_bar(progress, total, "rows", "DataFrame") as bar:
        for start in range(0, total, chunk_rows):
            if polars:
                arrays = _polars_columns(frame.slice(start, chunk_rows))
            else:
                arrays = _pandas_columns(frame.iloc[start : start + chunk_rows])
            n = len(arrays[0]) if arrays else min(chunk_rows, total - start)
            part = pd.DataFrame(dict(zip(columns, arrays, strict=True)), dtype=object, copy=False)
            part.index = pd.RangeIndex(start, start + n)
            if bar is not None:
                bar.update(n)
            yield Chunk(part, np.arange(start + 1, start + n + 1, dtype=np.int64), start)
