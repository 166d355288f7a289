"""Reading a query's records in bounded memory: Arrow chunks of ids, then pandas or polars.

One ``SELECT * ... ORDER BY id`` of a million contacts makes DuckDB sort every column of
every row before the first one comes out (1.7 GB peak at 1M x 55 columns), and DuckDB's
own pandas conversion holds about four times the frame. Here the ordered ids come first
(8 bytes a record), then the records are read ``size`` ids at a time: a range of ids when
the order is the id order (DuckDB skips the other row groups), the ids themselves
otherwise (sorting a part by the same keys keeps its rows in the order of the whole).
Each chunk is Arrow; pandas columns are built from it without copying strings.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

from crmkit._exceptions import LargeFrameWarning, ValidationError
from crmkit._ops._filters import Condition
from crmkit._ops._query import Query

__all__ = [
    "BATCH_ROWS",
    "FrameKind",
    "arrow_chunks",
    "as_frame",
    "ordered_ids",
    "read_arrow",
    "read_pandas",
    "read_polars",
    "to_pandas",
    "warn_if_large",
]

BATCH_ROWS = 100_000
FrameKind = Literal["pandas", "polars", "arrow"]
_STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas 3's default ``str``


def ordered_ids(con: duckdb.DuckDBPyConnection, query: Query) -> np.ndarray[Any, Any]:
    """The ids the query selects, in its order, as an int64 array."""
    sql, params = query.ids_sql()
    ids = con.execute(sql, params).fetchnumpy()["id"]
    return np.asarray(ids, dtype=np.int64)


def _chunk_query(query: Query, chunk: np.ndarray[Any, Any]) -> Query:
    """The records of ``chunk`` (consecutive ids of the query's order), in that order."""
    if not query.order:
        # Ordered by id: the chunk is every selected record between its first and last id.
        bounds = Condition("id BETWEEN ? AND ?", (int(chunk[0]), int(chunk[-1])))
        return replace(query, conditions=(*query.conditions, bounds), limit=None)
    return replace(
        query,
        pinned=tuple(chunk.tolist()),
        pinned_conditions=len(query.conditions),
        limit=None,
    )


def arrow_chunks(
    con: duckdb.DuckDBPyConnection,
    query: Query,
    size: int = BATCH_ROWS,
    ids: np.ndarray[Any, Any] | None = None,
) -> Iterator[pa.Table]:
    """The query's records as Arrow tables of at most ``size`` rows, in record order.

    An empty selection gives one empty table (with the columns).
    """
    if size < 1:
        raise ValidationError(f"size: a batch needs at least 1 row, got {size!r}")
    ids = ordered_ids(con, query) if ids is None else ids
    if len(ids) <= size:
        sql, params = query.sql()
        yield con.sql(sql, params=params).to_arrow_table()
        return
    for start in range(0, len(ids), size):
        sql, params = _chunk_query(query, ids[start : start + size]).sql()
        yield con.sql(sql, params=params).to_arrow_table()


def read_arrow(
    con: duckdb.DuckDBPyConnection, query: Query, ids: np.ndarray[Any, Any] | None = None
) -> pa.Table:
    """Every record of the query as one Arrow table (chunks joined without copying)."""
    return pa.concat_tables(list(arrow_chunks(con, query, ids=ids)))


def read_pandas(
    con: duckdb.DuckDBPyConnection, query: Query, ids: np.ndarray[Any, Any] | None = None
) -> pd.DataFrame:
    """Every record of the query as pandas (see :func:`to_pandas`)."""
    return to_pandas(read_arrow(con, query, ids=ids))


def read_polars(
    con: duckdb.DuckDBPyConnection, query: Query, ids: np.ndarray[Any, Any] | None = None
) -> pl.DataFrame:
    """Every record of the query as polars, straight from the Arrow chunks.

    Polars copies strings into its own layout, so each chunk is converted (and its Arrow
    dropped) as soon as it is read: the peak is the polars frame plus one chunk.
    """
    parts = [_polars(chunk) for chunk in arrow_chunks(con, query, ids=ids)]
    return pl.concat(parts, rechunk=False) if len(parts) > 1 else parts[0]


def _polars(table: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(table, rechunk=False)
    assert isinstance(frame, pl.DataFrame)  # a table gives a frame (a column, a series)
    return frame


def warn_if_large(n_rows: int, max_rows: int | None, *, stacklevel: int = 4) -> None:
    """Warn before building a frame of more than ``max_rows`` rows (``None``: never)."""
    if max_rows is not None and n_rows > max_rows:
        warnings.warn(
            f"building a frame of {n_rows:,} rows (more than settings.max_frame_rows = "
            f"{max_rows:,}) holds all of them in memory; iter_batches() reads them in "
            "chunks and export() writes them to a file",
            LargeFrameWarning,
            stacklevel=stacklevel,
        )


def _pandas_column(column: pa.ChunkedArray) -> Any:
    """One column with the dtype DuckDB's own conversion gave, strings without a copy."""
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pd.array(column, dtype=_STR)
    if pa.types.is_integer(kind) and column.null_count:
        return pd.array(column, dtype=pd.Int64Dtype())
    if pa.types.is_boolean(kind) and column.null_count:
        return pd.array(column, dtype=pd.BooleanDtype())
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        # Arrow lists, not an object array of one numpy array a row (8x the memory).
        return pd.array(column, dtype=pd.ArrowDtype(kind))
    if pa.types.is_date(kind):
        column = column.cast(pa.timestamp("us"))
    return column.to_pandas()


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as pandas: ``str`` strings (Arrow-backed), nullable ints and bools.

    Lists (``tags``, ``skills``) stay Arrow lists (``list<item: string>[pyarrow]``);
    ``frame["tags"][0]`` is a Python list.

    Examples
    --------
    >>> to_pandas(pa.table({"id": [1, 2], "name": ["Blou", None], "ref": [3, None]})).dtypes
    id      int64
    name      str
    ref     Int64
    dtype: object
    """
    columns = {name: _pandas_column(table.column(name)) for name in table.column_names}
    return pd.DataFrame(columns, copy=False)


def as_frame(table: pa.Table, kind: FrameKind) -> pd.DataFrame | pl.DataFrame | pa.Table:
    """``table`` as a pandas or polars frame, or itself (``"arrow"``)."""
    if kind == "pandas":
        return to_pandas(table)
    if kind == "polars":
        return _polars(table)
    if kind == "arrow":
        return table
    raise ValidationError(f"as_: expected 'pandas', 'polars' or 'arrow', got {kind!r}")
