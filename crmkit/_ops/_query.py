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

An ICU sort collates each *distinct* value of the column once, not each row: a subquery
ranks the distinct values of the selection (``dense_rank() OVER (ORDER BY value COLLATE
fr)``, so values ICU finds equal share a rank) and the records sort by that integer rank,
then by id. A million contacts hold about 20,000 distinct last names, so the sort costs
about what a sort by code point costs (``BENCHMARKS.md``, "Collated sort"), and the order
is exactly ``ORDER BY column COLLATE fr, id``. Emails, phones and web sites, nearly all
distinct, sort with ``COLLATE`` itself (ranking would collate as many values).

Ids and counts skip the view's joins (accounts, owners, activities) when nothing asked
reads a column the view adds: ``owner_id IN (...)`` then reads the table's live rows
under the view's name (:meth:`Query.source`), some 7 ms less for 25,000 of 200,000
contacts, which a reassign or a page of the browser pays before its own work.
"""

from __future__ import annotations

import re
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
    "reads_table_only",
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
    ranks: dict[str, str] | None = None,
) -> str:
    """``ORDER BY`` terms (without the final ``id``): text columns in ``collated`` by
    ``collation``, the others as they compare.

    ``ranks`` maps a collated column to the expression of its collation rank (what
    :meth:`Query.sql` joins, see the module's notes); such a column sorts by its rank.

    Examples
    --------
    >>> order_sql([("last_name", False), ("employees", True)], "fr", frozenset({"last_name"}))
    'last_name COLLATE fr ASC NULLS LAST, employees DESC NULLS LAST'
    >>> order_sql([("last_name", False)], "fr", frozenset({"last_name"}),
    ...           {"last_name": "r0.rank"})
    'r0.rank ASC NULLS LAST'
    >>> order_sql([("last_name", False)], "fold", frozenset({"last_name"}))
    'lower(strip_accents(last_name)) ASC NULLS LAST, last_name ASC NULLS LAST'
    """
    ranks = ranks or {}
    terms = []
    for column, descending in order:
        direction = f"{'DESC' if descending else 'ASC'} NULLS LAST"
        if collation is None or column not in collated:
            terms.append(f"{column} {direction}")
        elif column in ranks:
            terms.append(f"{ranks[column]} {direction}")
        elif collation == "fold":
            # Ties (same letters, other case or accents) by the value, as ICU does.
            terms.append(f"lower(strip_accents({column})) {direction}")
            terms.append(f"{column} {direction}")
        else:
            terms.append(f"{column} COLLATE {collation} {direction}")
    return ", ".join(terms)


# Formats whose values are nearly all distinct (one per record): ranking the distinct
# values would collate as many values as sorting the records does, plus the ranking and
# the join, so these columns sort with ``COLLATE`` directly.
_MOSTLY_DISTINCT = frozenset({"email", "phone", "url"})


def _repeats(kind: str, column: str) -> bool:
    """Whether values of ``column`` repeat enough for ranking distinct values to pay:
    names, companies, cities, titles do; emails, phones and web sites do not."""
    fields = table(kind)
    return column not in fields or fields[column].format not in _MOSTLY_DISTINCT


def _rank_join(kind: str, column: str, collation: str, alias: str, where: str) -> str:
    """`` LEFT JOIN`` the collation rank of each distinct value of ``column`` as
    ``alias.__ck_rank``; NULL values get no rank.

    A column of the table ranks the values of the whole table (deleted and merged records
    too: more values rank the same way, and reading the table skips the view's joins);
    a column the view derives (``company``, ``owner``) ranks those of the records ``where``
    selects.
    """
    view = f"{kind}_v"
    source = kind if column in table(kind) else f"{view}{where}"
    distinct = f"SELECT DISTINCT {column} AS __ck_value FROM {source}"
    ranked = (
        f"SELECT __ck_value, dense_rank() OVER (ORDER BY __ck_value COLLATE {collation}) "
        f"AS __ck_rank FROM ({distinct}) WHERE __ck_value IS NOT NULL"
    )
    return f" LEFT JOIN ({ranked}) AS {alias} ON {view}.{column} = {alias}.__ck_value"


# What a condition's SQL may hold besides the table's own columns for it to read the
# table alone: string literals, casts, function calls and these words.
_LITERAL = re.compile(r"'(?:[^']|'')*'")
_CAST = re.compile(r"::\s*[A-Za-z_]\w*(?:\[\])?")
_CALL = re.compile(r"[A-Za-z_]\w*\s*\(")
_WORD = re.compile(r"[A-Za-z_]\w*")
_SQL_WORDS = frozenset(
    "and or not in is null true false between like ilike glob similar escape case when "
    "then else end asc desc nulls first last".split()
)


def reads_table_only(sql: str, columns: frozenset[str]) -> bool:
    """Whether the SQL condition ``sql`` reads only ``columns`` (the table's own).

    Anything it cannot place (a view's column, a subquery's table, a quoted name) makes
    it ``False``: the query then reads the view, as before.

    Examples
    --------
    >>> cols = frozenset({"owner_id", "active", "last_name"})
    >>> reads_table_only("owner_id IN (?::BIGINT, ?::BIGINT)", cols)
    True
    >>> reads_table_only("lower(strip_accents(last_name)) = 'x'", cols)
    True
    >>> reads_table_only("company = ?", cols)
    False
    >>> reads_table_only("id IN (SELECT contact_id FROM subscriptions)", cols | {"id"})
    False
    """
    text = _CALL.sub("(", _CAST.sub("", _LITERAL.sub("''", sql)))
    return all(w.lower() in _SQL_WORDS or w in columns for w in _WORD.findall(text))


@dataclass(frozen=True)
class Query:
    """What a selection holds, as SQL on the view of ``kind``.

    ``pinned`` (the ids a bulk action acted on) replaces the first ``pinned_conditions``
    conditions: those ran once, when the pin was set; later ones still apply.
    ``collation`` (one of :data:`COLLATIONS`) orders the columns of ``order`` named in
    ``collated`` (the text ones); ``None`` compares text by code point.

    Examples
    --------
    >>> q = Query("contacts", (Condition("company = ?", ("Acme",)),), limit=10)
    >>> q.sql(["id"])
    ('SELECT id FROM contacts_v WHERE (company = ?) ORDER BY id LIMIT 10', ['Acme'])
    >>> Query("contacts", (Condition("coalesce(active, FALSE)"),)).sql(["id"])[0][:72]
    'SELECT id FROM (SELECT * FROM contacts WHERE deleted_at IS NULL AND merg'
    >>> sql, _ = Query("contacts", order=(("last_name", False),), collation="zh",
    ...                collated=frozenset({"last_name"})).sql(["id"])
    >>> sql.startswith("SELECT id FROM contacts_v LEFT JOIN (SELECT __ck_value, dense_rank()")
    True
    >>> sql.endswith("ORDER BY __ck_rank_0.__ck_rank ASC NULLS LAST, id")
    True
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

    def source(self, columns: Sequence[str]) -> str:
        """What ``FROM`` reads for ``columns``: the view, or, when those columns, the
        conditions and the order are all the table's own, the table's live rows named
        as the view (the rows the view holds, without its joins)."""
        own = frozenset(f.name for f in table(self.kind))
        conditions = self.conditions[self.pinned_conditions :] if self.pinned else self.conditions
        if (
            all(c in own for c in columns)
            and all(c in own for c, _ in self.order)
            and all(reads_table_only(c.sql, own) for c in conditions)
        ):
            return (
                f"(SELECT * FROM {self.kind} WHERE deleted_at IS NULL AND merged_into IS NULL)"
                f" AS {self.view}"
            )
        return self.view

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
        cols = list(columns if columns is not None else (self.columns or ["*"]))
        where, params = self.where()
        joins, join_params = "", []
        ranks: dict[str, str] = {}
        if self.collation not in (None, "fold"):
            for column, _descending in self.order:
                if column in self.collated and column not in ranks and _repeats(self.kind, column):
                    alias = f"__ck_rank_{len(ranks)}"
                    joins += _rank_join(self.kind, column, str(self.collation), alias, where)
                    if column not in table(self.kind):  # ranked on the view, with ``where``
                        join_params += params
                    ranks[column] = f"{alias}.__ck_rank"
        if joins:  # the rank columns are not the records'
            cols = [f"{self.view}.*" if c == "*" else c for c in cols]
        order = order_sql(self.order, self.collation, self.collated, ranks)
        # Ids alone may skip the view's joins; records' values are read from the view
        # (its page scans are what the paged reads' memory bound was measured on).
        source = self.source(cols) if cols == ["id"] and not joins else self.view
        sql = f"SELECT {', '.join(cols)} FROM {source}{joins}{where}"
        params = join_params + params
        sql += f" ORDER BY {order}, id" if order else " ORDER BY id"
        if self.limit is not None:
            sql += f" LIMIT {int(self.limit)}"
        return sql, params

    def page_sql(
        self, con: duckdb.DuckDBPyConnection, offset: int, size: int
    ) -> tuple[str, list[Any]]:
        """The query of ``size`` records from ``offset`` in order (the limit aside).

        The order is found on the ids alone (the view's other columns, its joins to
        accounts and owners, are read for the page's records only, not for every record
        sorted), then the page's records are selected by id in that order.

        Examples
        --------
        >>> con = duckdb.connect()
        >>> _ = con.execute("CREATE VIEW contacts_v AS SELECT range AS id, "
        ...                 "chr(90 - range::INT) AS name FROM range(5)")
        >>> query = Query("contacts", order=(("name", False),), columns=("name",))
        >>> con.execute(*query.page_sql(con, 1, 2)).fetchall()
        [('W',), ('X',)]
        """
        sql, params = replace(self, limit=None).ids_sql()
        sql += f" LIMIT {int(size)} OFFSET {int(offset)}"
        ids = [int(row[0]) for row in con.execute(sql, params).fetchall()]
        cols = ", ".join(self.columns or ["*"])
        return (
            f"SELECT {cols} FROM {self.view} WHERE id IN (SELECT unnest(?::BIGINT[])) "
            "ORDER BY list_position(?::BIGINT[], id)",
            [ids, ids],
        )

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
        source = self.source(["id"])
        sql = f"SELECT count(*) FROM {source}{where}"
        if self.limit is not None:
            sql = f"SELECT least(count(*), {int(self.limit)}) FROM {source}{where}"
        return int(con.execute(sql, params).fetchall()[0][0])

    def with_columns(self, columns: Sequence[str]) -> Query:
        """The same records, with these columns."""
        return replace(self, columns=tuple(columns))

    def of_ids(self, ids: Sequence[int]) -> Query:
        """Exactly these records of the same kind (a pin with no condition after it)."""
        return Query(self.kind, pinned=tuple(int(i) for i in ids))
