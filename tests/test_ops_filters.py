"""Keyword filters (crmkit._ops._filters): every keyword of contacts and accounts compiled to
SQL with bound parameters, names checked and suggested, hostile text never SQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from crm_samples import add_sample_records

import crmkit as ck
from crmkit._ops._filters import Condition, compile_filters, filter_names


@pytest.fixture
def crm_data(crm: ck.CRM) -> ck.CRM:
    """Three owners in two teams, four accounts, six contacts."""
    return add_sample_records(crm)


def names(sel: ck.Selection) -> list[str]:
    return sorted(sel.df()["last_name"])


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"search": "helene"}, ["Blou"]),
        ({"search": "HÉLÈNE aprool"}, ["Blou"]),
        ({"search": "06 25 34"}, ["Blou"]),
        ({"search": "northwind"}, ["Nadal", "Smith"]),
        ({"search": "总经理"}, ["张"]),
        ({"owner": "Paris"}, ["Blou", "Lefèvre", "Nadal", "Smith"]),
        ({"owner": "zm@example.com"}, ["Lefèvre", "Smith"]),
        ({"owner": ["Li Wei", "Marc Durand"]}, ["Blou", "Nadal", "Roy", "张"]),
        ({"account": "aprool"}, ["Blou", "Lefèvre"]),
        ({"entity": "UK"}, ["Nadal", "Smith"]),
        ({"account_archived": True}, ["张"]),
        ({"active": False}, ["Smith"]),
        ({"sector": "logiciel"}, ["Blou", "Lefèvre", "张"]),
        ({"sector": ["Retail", "Software"]}, ["Blou", "Lefèvre", "Nadal", "Smith", "张"]),
        ({"revenue_band": "10M-50M"}, ["Nadal", "Smith"]),
        ({"revenue_min": 1_000_000, "revenue_max": 10_000_000}, ["Blou", "Lefèvre"]),
        ({"headcount_band": ["11-50"]}, ["张"]),
        ({"employees_min": 100}, ["Nadal", "Smith"]),
        ({"origin": "SALON"}, ["Blou", "Roy"]),
        ({"skills": "java"}, ["Blou", "Lefèvre"]),
        ({"skills_all": ["Java", "SAP"]}, ["Blou"]),
        ({"tags": ["vip"]}, ["Blou", "Nadal"]),
        ({"tags_all": ["vip", "newsletter"]}, ["Nadal"]),
        ({"has_email": False}, ["Roy"]),
        ({"email_opt_out": True}, ["张"]),
        ({"is_client": True}, ["Blou", "Lefèvre"]),
        ({"job_title": "DSI"}, ["Lefèvre"]),
        ({"account": None}, ["Roy"]),
    ],
)
def test_contact_filters(crm_data: ck.CRM, filters: dict, expected: list[str]) -> None:
    assert names(crm_data.contacts.filter(**filters)) == sorted(expected)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"search": "north"}, ["Northwind Ltd"]),
        ({"archived": True}, ["华信科技"]),
        ({"owner": "Shanghai"}, ["Empty Co", "华信科技"]),
        ({"revenue_band": "0-1M"}, ["华信科技"]),
        ({"tags": "B2B"}, ["APROOL"]),
        ({"sector": None}, ["Empty Co"]),
    ],
)
def test_account_filters(crm_data: ck.CRM, filters: dict, expected: list[str]) -> None:
    assert sorted(crm_data.accounts.filter(**filters).df()["name"]) == sorted(expected)


def test_date_range_filters(crm_data: ck.CRM) -> None:
    today = dt.date.today()
    assert len(crm_data.contacts.filter(created=(today, today))) == 6
    assert len(crm_data.contacts.filter(created=f"{today.isoformat()}..")) == 6
    assert len(crm_data.contacts.filter(updated=("2000-01-01", "2000-12-31"))) == 0


@pytest.mark.parametrize(
    ("filters", "what", "suggestion"),
    [
        ({"owner": "Marc Durant"}, "owner", "Marc Durand"),
        ({"sector": "Sofware"}, "sector", "Software"),
        ({"revenue_band": "1M-10"}, "revenue band", "1M-10M"),
        ({"headcount_band": "51-20"}, "headcount band", "51-200"),
        ({"revnue_band": "1M-10M"}, "contact filter", "revenue_band"),
    ],
)
def test_unknown_values_list_valid_ones(
    crm_data: ck.CRM, filters: dict, what: str, suggestion: str
) -> None:
    with pytest.raises(ck.UnknownValueError) as err:
        crm_data.contacts.filter(**filters)
    assert err.value.what == what
    assert err.value.suggestion == suggestion
    assert "Valid values" in str(err.value)


@pytest.mark.parametrize(
    "hostile",
    [
        "'; DROP TABLE contacts; --",
        "x' OR '1'='1",
        "%",
        "_",
        "\\",
        "Robert'); DELETE FROM history; --",
        "\x00",
        "$1",
        "?",
    ],
)
def test_hostile_strings_never_become_sql(crm_data: ck.CRM, hostile: str) -> None:
    assert len(crm_data.contacts.filter(search=hostile)) == 0
    assert len(crm_data.contacts.filter(origin=hostile)) == 0
    assert len(crm_data.contacts.filter(job_title=[hostile, "DSI"])) == 1
    with pytest.raises(ck.UnknownValueError):
        crm_data.contacts.filter(owner=hostile)
    assert crm_data.counts()["contacts"] == 6


# -- the module's own functions ----------------------------------------------------------


def test_filter_names_of_each_kind() -> None:
    contacts, accounts = filter_names("contacts"), filter_names("account")
    assert {"search", "owner", "revenue_band", "ids"} <= set(contacts) & set(accounts)
    assert {"account", "active", "skills_all", "subscribed"} <= set(contacts) - set(accounts)
    assert {"archived", "parent"} <= set(accounts) - set(contacts)


def test_compiled_conditions_bind_every_value(crm_data: ck.CRM) -> None:
    session = crm_data._session
    (search,) = compile_filters(session, "contacts", {"search": "'; DROP TABLE x; --"})
    assert "DROP" not in search.sql.upper() and search.params == ("';", "drop", "table", "x;", "--")
    (active,) = compile_filters(session, "contacts", {"active": True})
    assert active == Condition("coalesce(active, FALSE)")
    conditions = compile_filters(session, "accounts", {"archived": False, "employees_min": 100})
    assert len(conditions) == 2 and all(isinstance(c, Condition) for c in conditions)
    ids = crm_data.connection.execute(
        "SELECT name FROM accounts_v WHERE " + " AND ".join(f"({c.sql})" for c in conditions),
        [p for c in conditions for p in c.params],
    ).fetchall()
    assert ids == [("Northwind Ltd",)]
    with pytest.raises(ck.UnknownValueError) as caught:
        compile_filters(session, "accounts", {"acount": "x"})
    assert caught.value.what == "account filter"
    (field,) = compile_filters(session, "contacts", {"department": ["Achats", "Ventes"]})
    assert field.params and "department" in field.sql  # any catalog field filters too
