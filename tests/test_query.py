"""A query on the live records (crmkit._ops._query): its SQL, parameters, order, limit and
pin, run on a real database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

import crmkit as ck
from crmkit._exceptions import UnknownValueError
from crmkit._ops._filters import Condition
from crmkit._ops._query import Query, collation_for, text_columns, view_columns


@pytest.fixture
def crm_rows(crm: ck.CRM) -> Iterator[ck.CRM]:
    """Five contacts: Blou, Roy, Durand (inactive), Petit, Nadal (in Paris); ids 1 to 5."""
    for name, active in (("Blou", True), ("Roy", True), ("Durand", False), ("Petit", True)):
        crm.contacts.add(last_name=name, active=active)
    crm.contacts.add(last_name="Nadal", city="Paris")
    yield crm


def test_sql_and_parameters() -> None:
    query = Query(
        "contact",  # singular accepted
        (Condition("coalesce(active, FALSE)"), Condition("last_name = ?", ("Roy",))),
        order=(("last_name", True), ("city", False)),
        limit=3,
    )
    assert (query.kind, query.view) == ("contacts", "contacts_v")
    # Only the table's own columns: its live rows, named as the view (no joins).
    live = "(SELECT * FROM contacts WHERE deleted_at IS NULL AND merged_into IS NULL)"
    assert query.sql(["id"]) == (
        f"SELECT id FROM {live} AS contacts_v WHERE (coalesce(active, FALSE)) AND "
        "(last_name = ?) ORDER BY last_name DESC NULLS LAST, city ASC NULLS LAST, id LIMIT 3",
        ["Roy"],
    )
    # Records' values still come from the view.
    assert query.sql(["id", "last_name"])[0].startswith("SELECT id, last_name FROM contacts_v")
    assert query.sql(["id", "company"])[0].startswith("SELECT id, company FROM contacts_v WHERE")
    on_view = replace(query, conditions=(Condition("owner = ?", ("Alice",)),))
    assert on_view.sql(["id"])[0].startswith("SELECT id FROM contacts_v WHERE (owner = ?)")
    assert Query("accounts").sql() == ("SELECT * FROM accounts_v ORDER BY id", [])
    assert Query("accounts").where() == ("", [])
    with pytest.raises(UnknownValueError):
        Query("leads")


_LIVE_ONLY = [
    Condition("coalesce(active, FALSE)"),
    Condition("last_name IN (?, ?)", ("Roy", "Nadal")),
    Condition("lower(strip_accents(city)) = 'paris'"),
    Condition("id BETWEEN ? AND ?", (2, 6)),
    Condition("tags IS NULL OR len(tags) = 0"),
]


@pytest.mark.parametrize("condition", _LIVE_ONLY, ids=lambda c: c.sql)
def test_the_table_alone_selects_what_the_view_selects(
    crm_rows: ck.CRM, condition: Condition
) -> None:
    """Ids and counts read the live rows without the view's joins when they can: the
    same records as the view, deleted and merged ones left out too."""
    crm = crm_rows
    crm.contacts.add(last_name="Roy", city="Paris", active=True)
    gone = crm.contacts.add(last_name="Roy", city="Paris", active=True)
    crm.contacts.delete(gone)
    twin = crm.contacts.add(last_name="Nadal", city="Paris")
    crm.contacts.merge([5, twin], survivor=5)
    con = crm.connection
    query = Query("contacts", (condition,), order=(("last_name", False),))
    assert query.source(["id"]) != query.view
    where, params = query.where()
    on_view = con.execute(
        f"SELECT id FROM contacts_v{where} ORDER BY last_name ASC NULLS LAST, id", params
    ).fetchall()
    assert query.ids(con) == [int(r[0]) for r in on_view]
    assert query.count(con) == len(on_view)


def test_ids_count_and_limit_on_real_rows(crm_rows: ck.CRM) -> None:
    con = crm_rows.connection
    active = Query("contacts", (Condition("active"),), order=(("last_name", False),))
    assert active.ids(con) == [1, 5, 4, 2]  # Blou, Nadal, Petit, Roy
    assert active.count(con) == 4
    limited = Query("contacts", limit=2)
    assert limited.ids(con) == [1, 2] and limited.count(con) == 2
    assert Query("contacts", (Condition("city = ?", ("Paris",)),)).ids(con) == [5]


def test_a_pin_replaces_the_conditions_it_ran_once(crm_rows: ck.CRM) -> None:
    con = crm_rows.connection
    query = Query(
        "contacts",
        (Condition("last_name = ?", ("nobody",)), Condition("active")),
        pinned=(1, 3, 4),
        pinned_conditions=1,
    )
    where, params = query.where()
    assert where == " WHERE id IN (SELECT unnest(?::BIGINT[])) AND (active)"
    assert params == [[1, 3, 4]]
    assert query.ids(con) == [1, 4]  # 3 is inactive: the later condition still applies
    exact = query.of_ids([3, 1])
    assert (exact.pinned, exact.conditions, exact.ids(con)) == ((3, 1), (), [1, 3])


def test_with_columns_and_view_columns(crm_rows: ck.CRM) -> None:
    query = Query("contacts").with_columns(["last_name"])
    assert query.columns == ("last_name",)
    assert crm_rows.connection.execute(*query.sql()).fetchall()[0] == ("Blou",)
    columns = view_columns(crm_rows.connection, "contacts")
    assert columns[0] == "id" and {"last_name", "company", "owner"} <= set(columns)
    assert "revenue_band" in view_columns(crm_rows.connection, "accounts")


# -- collated order: text as a reader of the language sorts it ----------------------------

NAMES = ["MARTIN", "Barron", "Marrtin", "Barré", "martin", "Martin", "Émile", "Eric", "Zoé"]
CHINESE = ["张伟", "王芳", "李娜", "陈静", "阿明"]  # pinyin: zhang, wang, li, chen, a


def _sorted_names(crm: ck.CRM, query: Query) -> list[str]:
    sql, params = query.sql(["last_name"])
    return [row[0] for row in crm.sql(sql, params).fetchall()]


@pytest.fixture
def named(crm_file: ck.CRM) -> ck.CRM:
    for name in NAMES + CHINESE:
        crm_file.contacts.add(last_name=name)
    return crm_file


def test_collated_order_ignores_case_and_accents_in_french_and_english(named: ck.CRM) -> None:
    latin = Query("contacts", (Condition("last_name < '一'"),), order=(("last_name", False),))
    binary = _sorted_names(named, latin)
    assert binary.index("Barré") > binary.index("Barron")  # code points: é after o
    collated = frozenset({"last_name"})
    for lang in ("fr", "en"):
        names = _sorted_names(named, replace(latin, collation=lang, collated=collated))
        assert names == [
            "Barré", "Barron", "Émile", "Eric", "Marrtin",
            "martin", "Martin", "MARTIN", "Zoé",
        ]  # fmt: skip
    descending = replace(latin, order=(("last_name", True),), collation="fr", collated=collated)
    assert _sorted_names(named, descending)[:2] == ["Zoé", "MARTIN"]


def test_chinese_collation_sorts_by_pinyin(named: ck.CRM) -> None:
    chinese = Query(
        "contacts",
        (Condition("last_name >= '一'"),),
        order=(("last_name", False),),
        collation="zh",
        collated=frozenset({"last_name"}),
    )
    assert _sorted_names(named, chinese) == ["阿明", "陈静", "李娜", "王芳", "张伟"]


def test_fold_collation_is_the_fallback_without_icu(named: ck.CRM) -> None:
    query = Query(
        "contacts",
        (Condition("last_name < '一'"),),
        order=(("last_name", False),),
        collation="fold",
        collated=frozenset({"last_name"}),
    )
    names = _sorted_names(named, query)
    assert names[:2] == ["Barré", "Barron"]
    assert {*names[4:8]} == {"Marrtin", "martin", "Martin", "MARTIN"}
    assert names[4] == "Marrtin"  # "marr" < "mart" whatever the case


def test_collation_applies_to_text_columns_only_and_names_come_from_the_list(
    named: ck.CRM,
) -> None:
    con = named._session.con
    assert "last_name" in text_columns(con, "contacts")
    assert "id" not in text_columns(con, "contacts")
    assert collation_for(con, "zh") == "zh"
    assert collation_for(con, "fold") == "fold"
    query = Query(
        "contacts", order=(("id", True),), collation="fr", collated=text_columns(con, "contacts")
    )
    assert "COLLATE" not in query.sql()[0]
    assert named.sql(*query.ids_sql()).fetchall()[0][0] == max(named.contacts.all().ids)
    with pytest.raises(UnknownValueError, match="collation"):
        Query("contacts", collation="fr; DROP TABLE contacts")


# -- a collated sort ranks the distinct values once: the order of ORDER BY ... COLLATE -----

# Case and accent variants, the same letter composed and decomposed (ICU: equal), pinyin.
VARIANTS = [
    "MARTIN", "Marrtin", "Martin", "martin", "Barré", "Barre\u0301", "Barron", "barré",
    "Émile", "Eric", "", " ", "O'Brien", "Obrien", "张伟", "王芳", "李娜", "陈静", "阿明",
]  # fmt: skip


def _ranked_and_collated(con: duckdb.DuckDBPyConnection, query: Query) -> tuple[list, list]:
    """The ids in the query's order, and in hand-written ``ORDER BY ... COLLATE`` order."""
    ranked = [row[0] for row in con.execute(*query.ids_sql()).fetchall()]
    column, descending = query.order[0]
    direction = "DESC" if descending else "ASC"
    peer = con.execute(
        f"SELECT id FROM contacts_v ORDER BY {column} COLLATE {query.collation} "
        f"{direction} NULLS LAST, id"
    ).fetchall()
    return ranked, [row[0] for row in peer]


def _names_view(names: list[str | None]) -> duckdb.DuckDBPyConnection:
    """``contacts_v`` over ``names``; the table also holds deleted records the view hides
    (their values rank with the others, as a deleted contact's do)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE contacts (id BIGINT, last_name VARCHAR, deleted BOOLEAN)")
    rows = [(i, name, False) for i, name in enumerate(names, start=1)]
    rows += [(-i, name, True) for i, name in enumerate(["Martín", "barron", "Ba", "张"], 1)]
    con.executemany("INSERT INTO contacts VALUES (?, ?, ?)", rows)
    con.execute(
        "CREATE VIEW contacts_v AS SELECT * EXCLUDE (deleted) FROM contacts WHERE NOT deleted"
    )
    return con


@pytest.mark.parametrize("lang", ["fr", "en", "zh"])
@pytest.mark.parametrize("descending", [False, True])
def test_ranked_collated_order_is_the_order_by_collate_order(lang: str, descending: bool) -> None:
    con = _names_view([*VARIANTS, None, *reversed(VARIANTS), None])
    query = Query(
        "contacts", order=(("last_name", descending),), collation=lang,
        collated=frozenset({"last_name"}),
    )  # fmt: skip
    assert "dense_rank()" in query.sql()[0]
    ranked, collated = _ranked_and_collated(con, query)
    assert ranked == collated
    assert len(ranked) == 2 * len(VARIANTS) + 2


@settings(max_examples=examples(60))
@given(
    st.lists(
        st.none() | st.text(alphabet="aAeEéÉe\u0301 -'zZ张王李", max_size=4),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(["fr", "zh"]),
    st.booleans(),
)
def test_ranked_collated_order_matches_order_by_collate_on_any_text(
    names: list[str | None], lang: str, descending: bool
) -> None:
    con = _names_view(names)
    query = Query(
        "contacts", order=(("last_name", descending),), collation=lang,
        collated=frozenset({"last_name"}),
    )  # fmt: skip
    ranked, collated = _ranked_and_collated(con, query)
    assert ranked == collated


def test_ranked_order_keeps_the_filter_parameters_and_star_columns(named: ck.CRM) -> None:
    query = Query(
        "contacts",
        (Condition("last_name <> ?", ("Zoé",)), Condition("last_name < ?", ("一",))),
        order=(("last_name", True),),
        collation="fr",
        collated=frozenset({"last_name"}),
    )
    sql, params = query.sql()
    assert params == ["Zoé", "一"]  # last_name ranks the table's values: no condition
    assert "FROM contacts)" in sql
    # A column the view derives ranks the selected records' values: the conditions twice.
    by_company = replace(query, order=(("company", False),), collated=frozenset({"company"}))
    company_sql, company_params = by_company.sql(["id"])
    assert company_params == ["Zoé", "一", "Zoé", "一"]  # the ranks' subquery, the records'
    assert len(named.sql(company_sql, company_params).fetchall()) == len(NAMES) - 1
    relation = named.sql(sql, params)
    assert "__ck_rank" not in relation.columns and relation.columns[0] == "id"
    assert [row[relation.columns.index("last_name")] for row in relation.fetchall()][:2] == [
        "MARTIN",
        "Martin",
    ]
    assert named.contacts.filter(ids=[1, 2]).sort("-last_name", collation="fr").ids == [1, 2]


def test_nearly_distinct_formats_sort_with_collate_itself(named: ck.CRM) -> None:
    query = Query(
        "contacts",
        order=(("email", False), ("last_name", False)),
        collation="fr",
        collated=frozenset({"email", "last_name"}),
    )
    sql, _ = query.sql(["id"])
    assert "email COLLATE fr ASC NULLS LAST, __ck_rank_0.__ck_rank ASC NULLS LAST" in sql
    assert sql.count("dense_rank()") == 1  # last_name only
    ids = [row[0] for row in named.sql(*query.ids_sql()).fetchall()]
    peer = named.sql(
        "SELECT id FROM contacts_v ORDER BY email COLLATE fr NULLS LAST, "
        "last_name COLLATE fr NULLS LAST, id"
    ).fetchall()
    assert ids == [row[0] for row in peer]
