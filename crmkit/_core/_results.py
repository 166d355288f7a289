"""Reading a DuckDB result whole, so the connection is free for the next statement."""

from __future__ import annotations

from typing import Any

import duckdb

__all__ = ["first"]


def first(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    """The first row of an executed query, or ``None``.

    Fetches every row: DuckDB 2 refuses further work on a connection while a result from
    ``execute()`` is only partly read (``fetchone()`` leaves it so), and the next
    ``con.sql(...)`` then fails with "connection has an unfinished result".

    Examples
    --------
    >>> con = duckdb.connect()
    >>> first(con.execute("SELECT 1 UNION ALL SELECT 2 ORDER BY 1"))
    (1,)
    >>> con.sql("SELECT 3").fetchall()
    [(3,)]
    >>> first(con.execute("SELECT 1 WHERE false")) is None
    True
    """
    rows = result.fetchall()
    return rows[0] if rows else None
