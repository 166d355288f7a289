"""Blocking keys (crmkit._dedupe._keys): one list of keys per rule, following the comparisons
present, and the order of records inside a big block."""

from __future__ import annotations

import pandas as pd

from crmkit._dedupe._comparisons import resolve_comparisons
from crmkit._dedupe._features import FeatureTable, prepare
from crmkit._dedupe._keys import blocking_keys, sort_key


def _table(kind: str, columns: dict[str, list[object]]) -> FeatureTable:
    frame = pd.DataFrame(columns)
    return prepare(
        frame, resolve_comparisons(kind, None, frame.columns), ids=list(range(len(frame)))
    )


def test_contact_rules_and_their_keys() -> None:
    table_ = _table(
        "contacts",
        {
            "first_name": ["Jean", "Jean", None],
            "last_name": ["Dupont", "Dupond", "Roy"],
            "email": ["J.Dupont+crm@X.fr", None, "info@y.fr"],
            "phone": ["+33 1 42 68 53 00", "01 42 68 53 00", None],
            "company": ["Aprool", "APROOL SAS", None],
            "city": ["Paris", "Paris", None],
        },
    )
    keys = {k.rule: k for k in blocking_keys(table_)}
    assert keys["email"].keys == ["j.dupont@x.fr", "info@y.fr"]
    assert keys["email"].rows.tolist() == [0, 2] and keys["email"].identity
    assert keys["phone"].keys == ["42685300", "42685300"]  # the last 8 digits
    assert keys["company_city"].keys == ["aprool|paris", "aprool|paris"]
    assert keys["company_city"].fields == ("company", "city")
    assert all(len(k.rows) == len(k.keys) > 0 for k in keys.values())
    assert "email_local" in keys


def test_account_rules_and_an_empty_rule_left_out() -> None:
    table_ = _table(
        "accounts",
        {"name": ["Aprool SAS", "Aprool", "Northwind"], "website": [None, None, None]},
    )
    rules = {k.rule: k for k in blocking_keys(table_)}
    assert rules["name"].keys == ["aprool", "aprool", "northwind"] and rules["name"].identity
    assert "domain" not in rules  # no value: no key


def test_sort_key_orders_by_name() -> None:
    people = _table("contacts", {"first_name": ["Jean", None], "last_name": ["Dupont", "Roy"]})
    assert sort_key(people) == ["jean|dupont", "|roy"]
    companies = _table("accounts", {"name": ["Aprool SAS"]})
    assert sort_key(companies) == ["aprool"]
    emails = _table("contacts", {"email": ["a@x.fr"]})
    assert sort_key(emails) == [""]
