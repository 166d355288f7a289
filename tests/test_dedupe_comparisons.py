"""What two records are compared on (crmkit._dedupe._comparisons): Comparison, its levels,
the defaults of contacts and accounts, fields= resolved on a frame's columns.
"""

from __future__ import annotations

import pandas as pd
import pytest
from dedupe_samples import MakeFrame

from crmkit._dedupe import Comparison, find_duplicates
from crmkit._dedupe._comparisons import LEVELS, default_comparisons, resolve_comparisons
from crmkit._exceptions import UnknownValueError, ValidationError


def test_extra_fields_febrl_like() -> None:
    """Extra generic columns (a social security number) through ``fields=``."""
    frame = pd.DataFrame(
        {
            "id": ["rec-1-org", "rec-1-dup-0", "rec-2-org", "rec-2-dup-0", "rec-3-org"],
            "first_name": ["mitchell", "mitchel", "harley", None, "madeline"],
            "last_name": ["green", "green", "mccarthy", "mccarthy", "mason"],
            "street": [
                "7 wallaby place",
                "7 wallaby pl",
                "177 pridham street",
                "177 pridhamstreet",
                "54 hoseason street",
            ],
            "city": ["cleveland", "clevelnd", "marsden", "marsden", "granville"],
            "postal_code": ["2119", "2119", "3165", "3165", "4881"],
            "birthday": ["19560409", "19560409", "19080419", "19080491", "19081128"],
            "soc_sec_id": ["1804974", "1804974", "6089216", "6089261", "2185997"],
        }
    )
    fields = [
        "first_name",
        "last_name",
        Comparison("street", "text"),
        "city",
        "postal_code",
        "birthday",
        Comparison("soc_sec_id", "code"),
    ]
    report = find_duplicates(frame, fields=fields)
    assert sorted(map(sorted, report.clusters)) == [
        ["rec-1-dup-0", "rec-1-org"],
        ["rec-2-dup-0", "rec-2-org"],
    ]
    assert (
        report.explain("rec-2-org", "rec-2-dup-0").set_index("field").loc["soc_sec_id", "level"]
        == "close"
    )
    assert report.stats["blocking_rule_hits"]["soc_sec_id"] == 1
    with pytest.raises(ValidationError, match="none of its columns"):
        find_duplicates(frame, fields=["first_name", "nickname"])


# -- the module's own functions ----------------------------------------------------------


def test_comparison_values() -> None:
    phone = Comparison("phone", "phone", "mobile", given="company")  # type: ignore[arg-type]
    assert (phone.columns, phone.given, phone.levels) == (
        ("mobile",),
        ("company",),
        ("exact", "close", "different"),
    )
    assert Comparison("email", "email").columns == ("email",)
    with pytest.raises(UnknownValueError) as caught:
        Comparison("x", "emial")  # type: ignore[arg-type]
    assert caught.value.suggestion == "email"
    assert all(levels[-1] == "different" for levels in LEVELS.values())


def test_defaults_of_contacts_and_accounts() -> None:
    contacts = default_comparisons("contact")
    assert [c.name for c in contacts] == [
        "first_name",
        "last_name",
        "email",
        "phone",
        "company",
        "city",
        "postal_code",
        "birthday",
        "country",
        "region",
    ]
    # Colleagues share the company's country; a city is in one region and one country.
    assert contacts[-2].given == ("company", "city")
    assert contacts[-1].given == ("company", "city", "country")
    assert contacts[3].columns == ("phone", "mobile", "home_phone")
    accounts = default_comparisons("accounts")
    assert accounts[0] == Comparison("name", "company")
    assert accounts[1].columns == ("website", "email")


def test_resolve_keeps_the_columns_of_the_frame() -> None:
    resolved = resolve_comparisons("contacts", None, ["last_name", "mobile", "city", "notes"])
    assert [(c.name, c.columns, c.given) for c in resolved] == [
        ("last_name", ("last_name",), ()),
        ("phone", ("mobile",), ()),  # company is not there: not given
        ("city", ("city",), ()),
    ]
    named = resolve_comparisons(
        "contacts",
        ["mobile", "phone", "website", "salutation"],
        ["mobile", "phone", "website", "salutation"],
    )
    assert [(c.name, c.method, c.columns) for c in named] == [
        ("mobile", "phone", ("mobile",)),
        ("phone", "phone", ("phone", "mobile")),
        ("website", "domain", ("website",)),
        ("salutation", "exact", ("salutation",)),
    ]
    accounts = resolve_comparisons(
        "accounts", ["name", "annual_revenue"], ["name", "annual_revenue"]
    )
    assert [(c.name, c.method) for c in accounts] == [
        ("name", "company"),
        ("annual_revenue", "text"),
    ]
    with pytest.raises(ValidationError, match="distinct names; repeated: \\['email'\\]"):
        resolve_comparisons("contacts", ["email", Comparison("email", "exact")], ["email"])


def test_accounts_read_plain_address_columns(make_frame: MakeFrame) -> None:
    # Regression: street, city, postal_code and country were silently ignored for accounts.
    frame = make_frame(
        {
            "id": [1, 2],
            "name": ["Aprool", "Aprool SAS"],
            "street": ["5th Ave", "Fifth Avenue"],
            "city": ["New York", "New York"],
            "postal_code": ["10001", "10001"],
            "country": ["US", "USA"],
        }
    )
    resolved = resolve_comparisons("accounts", None, ["id", "street", "city", "postal_code"])
    assert [(c.name, c.columns) for c in resolved] == [
        ("street", ("street",)),
        ("city", ("city",)),
        ("postal_code", ("postal_code",)),
    ]
    explained = find_duplicates(frame, kind="accounts").explain(1, 2).set_index("field")
    assert (
        list(explained.loc[["street", "city", "postal_code", "country"], "level"]) == ["exact"] * 4
    )


def test_region_and_country_difference_lowers_the_score(make_frame: MakeFrame) -> None:
    same = {"first_name": "Jean", "last_name": "Dupont", "company": "Aprool"}
    frame = make_frame(
        {
            "id": [1, 2, 3],
            **{k: [v, v, v] for k, v in same.items()},
            "region": ["Bretagne", "Bretagne", "Occitanie"],
            "country": ["FR", "France", "BE"],
        }
    )
    report = find_duplicates(frame, min_probability=0.0)
    probability = {(a, b): p for a, b, p in report.pairs[["id_a", "id_b", "probability"]].values}
    assert probability[(1, 3)] < probability[(1, 2)]
    explained = report.explain(1, 3).set_index("field")
    assert explained.loc["country", "level"] == "different"
    assert explained.loc["country", "weight"] < 0


def test_a_shared_street_counts_less_given_a_shared_phone(make_frame: MakeFrame) -> None:
    # A hotel's restaurants share its switchboard and its street: the street is weighed
    # given the phone.
    frame = make_frame(
        {
            "id": [1, 2, 3, 4],
            "name": ["Le Grill", "Le Bar", "Chez Paul", "Chez Pol"],
            "phone": ["01 42 00 00 00", "01 42 00 00 00", None, None],
            "billing_street": ["1 rue de Rivoli", "1 R. de Rivoli", "9 rue Monge", "9 rue Monge"],
        }
    )
    (street,) = [
        c for c in resolve_comparisons("accounts", None, frame.columns) if c.name == "street"
    ]
    assert street.given == ("phone",)
    report = find_duplicates(frame, kind="accounts", min_probability=0.0)
    with_phone = report.explain(1, 2).set_index("field").loc["street", "weight"]
    alone = report.explain(3, 4).set_index("field").loc["street", "weight"]
    assert with_phone < alone
