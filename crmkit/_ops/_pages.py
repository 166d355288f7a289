"""Read a query's records in id order, a page at a time, for exports that must not grow.

``ORDER BY id`` over a view makes DuckDB sort every selected record, all its columns,
before handing over the first one: memory grows with the selection (about 1.3 GB a
million contacts), however the rows are consumed. DuckDB keeps only the first ``n``
(a top-n) when ``LIMIT n`` is at most 5,000 or 0.7% of the rows it expects, and sorts
everything otherwise, so ``limit(100_000)`` on five million contacts sorts them all.

A query in id order (the default, no ``sort``) is read instead in two steps: the ids of
the selected records, sorted (8 bytes a record), then the records a page of
:data:`PAGE_ROWS` at a time, ``... AND id BETWEEN <first> AND <last id of the page>
ORDER BY id``, where the condition on ``id`` reaches the scan of the base table, which
skips the row groups outside the page. The records and their order are the single
query's.

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

#: Records read by one page query: the most DuckDB sorts at once for a paged export.
PAGE_ROWS = 50_000


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
    >>> _ = con.execute("CREATE TABLE contacts AS SELECT range AS id, NULL AS deleted_at, "
    ...                 "NULL AS merged_into FROM range(5)")
    >>> _ = con.execute("CREATE VIEW contacts_v AS SELECT * FROM contacts")
    >>> reader = read_pages(con, Query("contacts"), ["id"], page_rows=2)
    >>> reader.read_all().column("id").to_pylist()
    [0, 1, 2, 3, 4]
    """
    if query.order:
        sql, params = query.sql(columns)
        return con.sql(sql, params=params).to_arrow_reader(batch_rows)
    sql, params = query.ids_sql()
    ids = con.sql(sql, params=params).to_arrow_table().column(0).combine_chunks()
    pages = [(ids[i].as_py(), ids[min(i + page_rows, len(ids)) - 1].as_py())
             for i in range(0, len(ids), page_rows)]  # fmt: skip
    unlimited = replace(query, limit=None)
    # The schema of the records, from a page that holds none.
    empty = _page(con, unlimited, columns, (1, 0), batch_rows)
    schema = empty.schema
    empty.close()

    def batches() -> Iterator[pa.RecordBatch]:
        for bounds in pages:
            yield from _page(con, unlimited, columns, bounds, batch_rows)

    return pa.RecordBatchReader.from_batches(schema, batches())


def _page(
    con: duckdb.DuckDBPyConnection,
    query: Query,
    columns: Sequence[str] | None,
    bounds: tuple[int, int],
    batch_rows: int,
) -> pa.RecordBatchReader:
    conditions = (*query.conditions, Condition("id BETWEEN ? AND ?", bounds))
    sql, params = replace(query, conditions=conditions).sql(columns)
    return con.sql(sql, params=params).to_arrow_reader(batch_rows)
