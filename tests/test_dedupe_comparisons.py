"""What two records are compared on (crmkit._dedupe._comparisons): Comparison, its levels,
the defaults of contacts and accounts, fields= resolved on a frame's columns.
"""

from __future__ import annotations

import pandas as pd
import pytest

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
