"""Values typed by a person made stored values (crmkit._normalize._prepare): the column
normalisers on one value, side fields implied, unreadable values kept for validation,
numbers no column holds refused at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit._exceptions import ValidationError
from crmkit._normalize._prepare import prepare_value, prepare_values
from crmkit.schemas import ACCOUNTS, CONTACTS, DEFAULT_SECTORS
from crmkit.schemas._models import UnreadText, validate


def _value(field: str, value: Any, region: str = "FR", table: Any = CONTACTS) -> Any:
    return prepare_value(table[field], value, region=region, sectors=DEFAULT_SECTORS)


@pytest.mark.parametrize(
    ("field", "typed", "stored"),
    [
        ("mobile", "06 25 34 12 57", "+33625341257"),
        ("email", "Helene.Blou@APROOL.COM", "Helene.Blou@aprool.com"),
        ("website", "aprool.com", "https://aprool.com"),
        ("country", "Royaume-Uni", "GB"),
        ("tags", "vip; salon 2024", ["vip", "salon 2024"]),
        ("birthday", "15/01/1980", dt.date(1980, 1, 15)),
        ("active", "oui", True),
        ("last_name", "  Blou  ", "Blou"),
        ("last_name", "'=1+1", "'=1+1"),  # a quote typed in a form is kept
        ("last_name", None, None),
    ],
)
def test_one_value_normalised_like_an_import(field: str, typed: Any, stored: Any) -> None:
    assert _value(field, typed) == stored


def test_the_region_reads_national_phones() -> None:
    assert _value("mobile", "020 7946 0018", region="GB") == "+442079460018"


def test_unreadable_values_are_kept_for_validation_to_name() -> None:
    assert _value("email", "not an email") == "not an email"
    headcount = _value("employees", "1e5", table=ACCOUNTS)
    assert isinstance(headcount, UnreadText) and headcount == "1e5"
    sector = _value("sector", "Cosmic mining", table=ACCOUNTS)
    assert sector == "Cosmic mining"
    frame = pd.DataFrame({"name": ["A"], "employees": pd.Series([headcount], dtype=object)})
    report = validate(frame, "accounts")
    assert report.errors[["field", "check"]].values.tolist() == [["employees", "integer"]]


def test_side_fields_are_implied_unless_given() -> None:
    values = prepare_values(
        ACCOUNTS,
        {"annual_revenue": "4,2 M€", "employees": "50-99"},
        region="FR",
        sectors=DEFAULT_SECTORS,
    )
    assert values == {
        "annual_revenue": 4_200_000.0,
        "employees": None,
        "currency": "EUR",
        "employees_range_min": 50,
        "employees_range_max": 99,
    }
    given_currency = prepare_values(
        ACCOUNTS,
        {"annual_revenue": "4,2 M€", "currency": "USD"},
        region="FR",
        sectors=DEFAULT_SECTORS,
    )
    assert given_currency["currency"] == "USD"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (True, "a yes/no value is not a number"),
        (np.bool_(False), "a yes/no value is not a number"),
        (float("nan"), r"not a number \(NaN\)"),
        (Decimal("NaN"), r"not a number \(NaN\)"),
        (float("inf"), "not a finite number"),
        (2**63, "outside the whole numbers a column holds"),
        (-(2**63) - 1, "outside the whole numbers a column holds"),
        (1e19, "outside the whole numbers a column holds"),
        (10**400, "outside the whole numbers a column holds"),
        (Decimal("1e400"), "not a finite number"),
    ],
)
def test_numbers_no_column_holds_are_refused(value: Any, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as caught:
        _value("employees", value, table=ACCOUNTS)
    assert str(caught.value).startswith("employees = ")
    cases = caught.value.failure_cases
    assert cases is not None
    assert cases[["row", "field", "check", "severity"]].to_dict("records") == [
        {"row": 0, "field": "employees", "check": "integer", "severity": "error"}
    ]
    assert len(str(caught.value)) < 200


def test_amounts_take_any_finite_number() -> None:
    assert _value("annual_revenue", 1e300, table=ACCOUNTS) == 1e300
    assert _value("employees", 2**63 - 1, table=ACCOUNTS) == 2**63 - 1
    with pytest.raises(ValidationError, match="annual_revenue = inf cannot be stored") as caught:
        _value("annual_revenue", float("inf"), table=ACCOUNTS)
    assert caught.value.failure_cases is not None
    assert caught.value.failure_cases["check"].tolist() == ["number"]


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_every_bigint_is_a_headcount_value(number: int) -> None:
    assert _value("employees", number, table=ACCOUNTS) == number  # stored as given
