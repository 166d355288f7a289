"""A query on the live records: conditions, order, columns, a limit, maybe a pin.

:class:`Query` is the value bulk operations, summaries, duplicates and exports act on;
:class:`crmkit.Selection` is the facade that builds one from keyword filters and reads
it. The SQL it writes selects from the views (``accounts_v``, ``contacts_v``) with the
conditions' ``?`` parameters; column names come from the view, checked by the facade.

Text sorts the way people read it: ``collation="fr"`` orders the text columns of
``order`` with DuckDB's ICU collation for that language (case and accents only break
ties: "Barré" next to "Barron", "martin", "Martin", "MARTIN" together; Chinese by
pinyin). ICU is built into DuckDB's wheels; where a build lacks it, :func:`collation_for`
gives ``"fold"``: lower case without accents, then the value itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import duckdb
import numpy as np

from crmkit._exceptions import UnknownValueError
from crmkit._ops._filters import Condition
from crmkit.schemas._catalog import table

__all__ = [
    "COLLATIONS",
    "Query",
    "collation_for",
    "order_sql",
    "text_columns",
    "view_columns",
]

#: The collations a query sorts text by: DuckDB's ICU collation of each language, and
#: ``"fold"`` (lower case, accents stripped: the fallback without ICU). Names in SQL
#: come from this list only, never from a user's string.
COLLATIONS: tuple[str, ...] = ("en", "fr", "zh", "fold")


def view_columns(con: duckdb.DuckDBPyConnection, kind: str) -> list[str]:
    """Every column of the view of ``kind`` (fields and derived columns), in order."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position",
        [f"{table(kind).name}_v"],
    ).fetchall()
    return [r[0] for r in rows]


def text_columns(con: duckdb.DuckDBPyConnection, kind: str) -> frozenset[str]:
    """The columns of the view of ``kind`` that hold text (what a collation applies to)."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = ? AND data_type = 'VARCHAR'",
        [f"{table(kind).name}_v"],
    ).fetchall()
    return frozenset(r[0] for r in rows)


def collation_for(con: duckdb.DuckDBPyConnection, lang: str) -> str:
    """The collation to sort ``lang``'s text by: its ICU collation, else ``"fold"``.

    Examples
    --------
    >>> import duckdb
    >>> collation_for(duckdb.connect(), "fr")
    'fr'
    """
    if lang not in COLLATIONS or lang == "fold":
        return "fold"
    try:
        con.execute(f"SELECT 'a' COLLATE {lang}").fetchall()  # lang is one of COLLATIONS
    except duckdb.Error:
        return "fold"
    return lang


def order_sql(
    order: Sequence[tuple[str, bool]],
    collation: str | None = None,
    collated: frozenset[str] = frozenset(),
) -> str:
    """``ORDER BY`` terms (without the final ``id``): text columns in ``collated`` by
    ``collation``, the others as they compare.

    Examples
    --------
    >>> order_sql([("last_name", False), ("employees", True)], "fr", frozenset({"last_name"}))
    'last_name COLLATE fr ASC NULLS LAST, employees DESC NULLS LAST'
    >>> order_sql([("last_name", False)], "fold", frozenset({"last_name"}))
    'lower(strip_accents(last_name)) ASC NULLS LAST, last_name ASC NULLS LAST'
    """
    terms = []
    for column, descending in order:
        direction = f"{'DESC' if descending else 'ASC'} NULLS LAST"
        if collation is None or column not in collated:
            terms.append(f"{column} {direction}")
        elif collation == "fold":
            # Ties (same letters, other case or accents) by the value, as ICU does.
            terms.append(f"lower(strip_accents({column})) {direction}")
            terms.append(f"{column} {direction}")
        else:
            terms.append(f"{column} COLLATE {collation} {direction}")
    return ", ".join(terms)


@dataclass(frozen=True)
class Query:
    """What a selection holds, as SQL on the view of ``kind``.

    ``pinned`` (the ids a bulk action acted on) replaces the first ``pinned_conditions``
    conditions: those ran once, when the pin was set; later ones still apply.
    ``collation`` (one of :data:`COLLATIONS`) orders the columns of ``order`` named in
    ``collated`` (the text ones); ``None`` compares text by code point.

    Examples
    --------
    >>> q = Query("contacts", (Condition("coalesce(active, FALSE)"),), limit=10)
    >>> q.sql(["id"])
    ('SELECT id FROM contacts_v WHERE (coalesce(active, FALSE)) ORDER BY id LIMIT 10', [])
    >>> Query("contacts", order=(("last_name", False),), collation="zh",
    ...       collated=frozenset({"last_name"})).sql(["id"])[0]
    'SELECT id FROM contacts_v ORDER BY last_name COLLATE zh ASC NULLS LAST, id'
    """

    kind: str
    conditions: tuple[Condition, ...] = ()
    order: tuple[tuple[str, bool], ...] = ()
    columns: tuple[str, ...] | None = None
    limit: int | None = None
    pinned: tuple[int, ...] | None = None
    pinned_conditions: int = 0
    collation: str | None = None
    collated: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", table(self.kind).name)
        if self.collation is not None and self.collation not in COLLATIONS:
            raise UnknownValueError("collation", self.collation, COLLATIONS)

    @property
    def view(self) -> str:
        """The view the query reads."""
        return f"{self.kind}_v"

    def where(self) -> tuple[str, list[Any]]:
        """`` WHERE ...`` (or nothing) and its parameters."""
        conditions = self.conditions
        parts: list[str] = []
        params: list[Any] = []
        if self.pinned is not None:
            parts.append("id IN (SELECT unnest(?::BIGINT[]))")
            params.append(list(self.pinned))
            conditions = conditions[self.pinned_conditions :]
        parts += [f"({c.sql})" for c in conditions]
        params += [p for c in conditions for p in c.params]
        if not parts:
            return "", []
        return " WHERE " + " AND ".join(parts), params

    def sql(self, columns: Sequence[str] | None = None) -> tuple[str, list[Any]]:
        """The query (with ``?`` placeholders) and its parameters."""
        cols = columns if columns is not None else (self.columns or ["*"])
        where, params = self.where()
        order = order_sql(self.order, self.collation, self.collated)
        sql = f"SELECT {', '.join(cols)} FROM {self.view}{where}"
        sql += f" ORDER BY {order}, id" if order else " ORDER BY id"
        if self.limit is not None:
            sql += f" LIMIT {int(self.limit)}"
        return sql, params

    def ids_sql(self) -> tuple[str, list[Any]]:
        """``SELECT id ...`` for the selected records (what bulk operations act on)."""
        return self.sql(["id"])

    def ids(self, con: duckdb.DuckDBPyConnection) -> list[int]:
        """Ids of the selected records, in order."""
        sql, params = self.ids_sql()
        column = con.execute(sql, params).fetchnumpy()["id"]
        ids: list[int] = np.asarray(column, dtype=np.int64).tolist()  # C-level, not per row
        return ids

    def count(self, con: duckdb.DuckDBPyConnection) -> int:
        """How many records the query selects."""
        where, params = self.where()
        sql = f"SELECT count(*) FROM {self.view}{where}"
        if self.limit is not None:
            sql = f"SELECT least(count(*), {int(self.limit)}) FROM {self.view}{where}"
        return int(con.execute(sql, params).fetchall()[0][0])

    def with_columns(self, columns: Sequence[str]) -> Query:
        """The same records, with these columns."""
        return replace(self, columns=tuple(columns))

    def of_ids(self, ids: Sequence[int]) -> Query:
        """Exactly these records of the same kind (a pin with no condition after it)."""
        return Query(self.kind, pinned=tuple(int(i) for i in ids))
