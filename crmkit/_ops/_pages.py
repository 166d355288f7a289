"""Read a query's records in id order, a page at a time, for exports that must not grow.

``ORDER BY id`` over a whole view makes DuckDB sort every selected record before handing
over the first one: memory grows with the selection (about 1.3 GB a million contacts),
however the rows are consumed. A query in id order (the default, no ``sort``) is instead
read as pages of :data:`PAGE_ROWS` records, ``... AND id > <last id of the previous page>
ORDER BY id LIMIT <page>``: each page is a top-n that keeps only its own rows, and the
condition on ``id`` reaches the scan of the base table, which skips the row groups already
read. The records and their order are the same as the single query's.

A query with a ``sort`` still runs as one query: DuckDB's sort spills to disk past its
``memory_limit``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

import duckdb
import pyarrow as pa

from crmkit._ops._filters import Condition
from crmkit._ops._query import Query

__all__ = ["PAGE_ROWS", "read_pages"]

#: Records read by one page query: the most DuckDB holds at once for a paged export.
PAGE_ROWS = 50_000

_PAGE_ID = "_crmkit_page_id"


def read_pages(
    con: duckdb.DuckDBPyConnection,
    query: Query,
    columns: Sequence[str] | None = None,
    *,
    batch_rows: int = 20_000,
    page_rows: int = PAGE_ROWS,
) -> pa.RecordBatchReader:
    """The records of ``query`` as a RecordBatchReader, in the query's order.

    Parameters
    ----------
    con
        The connection to read with; nothing else may run on it until the reader is
        exhausted.
    query
        What to read; without ``order``, read in pages of ``page_rows`` records.
    columns
        The columns, as in :meth:`Query.sql`.
    batch_rows
        Rows of each batch handed over.

    Examples
    --------
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE VIEW contacts_v AS SELECT range AS id FROM range(5)")
    >>> reader = read_pages(con, Query("contacts"), ["id"], page_rows=2)
    >>> reader.read_all().column("id").to_pylist()
    [0, 1, 2, 3, 4]
    """
    if query.order:
        sql, params = query.sql(columns)
        return con.sql(sql, params=params).to_arrow_reader(batch_rows)
    names = list(columns if columns is not None else (query.columns or ["*"]))
    select = [*names, f"id AS {_PAGE_ID}"]
    first = _page(con, query, select, None, _page_limit(query.limit, 0, page_rows), batch_rows)
    schema = first.schema
    keep = [i for i, name in enumerate(schema.names) if name != _PAGE_ID]
    out_schema = pa.schema([schema.field(i) for i in keep])

    def batches() -> Iterator[pa.RecordBatch]:
        reader: pa.RecordBatchReader | None = first
        done = 0
        while reader is not None:
            limit = _page_limit(query.limit, done, page_rows)
            count, last = 0, None
            for batch in reader:
                if batch.num_rows == 0:
                    continue
                count += batch.num_rows
                last = batch.column(_PAGE_ID)[-1].as_py()
                yield batch.select(keep)
            done += count
            reader = None
            next_limit = _page_limit(query.limit, done, page_rows)
            if count == limit and next_limit > 0:
                reader = _page(con, query, select, last, next_limit, batch_rows)

    return pa.RecordBatchReader.from_batches(out_schema, batches())


def _page_limit(limit: int | None, done: int, page_rows: int) -> int:
    return page_rows if limit is None else max(0, min(page_rows, limit - done))


def _page(
    con: duckdb.DuckDBPyConnection,
    query: Query,
    select: list[str],
    after: int | None,
    limit: int,
    batch_rows: int,
) -> pa.RecordBatchReader:
    conditions = query.conditions
    if after is not None:
        conditions = (*conditions, Condition("id > ?", (after,)))
    sql, params = replace(query, conditions=conditions, limit=limit).sql(select)
    return con.sql(sql, params=params).to_arrow_reader(batch_rows)
