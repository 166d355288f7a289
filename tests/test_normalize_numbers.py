"""Numbers and currencies (crmkit._normalize._numbers)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit._exceptions import ValidationError
from crmkit._normalize._numbers import parse_currency, parse_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 250 000,50 €", 1250000.5),
        ("1.250.000,50", 1250000.5),
        ("1,250,000.50", 1250000.5),
        ("1\u00a0250\u202f000,50", 1250000.5),
        ("1'250'000.50", 1250000.5),
        ("4,2 M€", 4_200_000),
        ("4.2M", 4_200_000),
        ("3 k€", 3000),
        ("3K", 3000),
        ("12 kEUR", 12000),
        ("1,5 Md€", 1.5e9),
        ("1.5bn", 1.5e9),
        ("2B", 2e9),
        ("4,2 millions d'euros", 4_200_000),
        ("¥3,000万", 30_000_000),
        ("3000万元", 30_000_000),
        ("人民币3000万", 30_000_000),
        ("1.2亿", 120_000_000),
        ("$3.5M", 3_500_000),
        ("USD 3.5M", 3_500_000),
        ("4.2E+06", 4_200_000),
        ("-1 250,50", -1250.5),
        ("1,250", 1250),  # comma + exactly three digits groups thousands
        ("1,25", 1.25),
        ("0,250", 0.25),
        ("1 250,500", 1250.5),  # spaces group thousands, so the comma is decimal
        ("１２３", 123),
        (42, 42.0),
        (4.5, 4.5),
        ("n/c", None),
        ("", None),
        ("-", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_parse_number(raw: Any, expected: float | None) -> None:
    assert parse_number(raw) == expected


def test_parse_number_forced_decimal() -> None:
    assert parse_number("1,250", decimal=",") == 1.25
    assert parse_number("1.250", decimal=",") == 1250
    assert parse_number("1,250", decimal=".") == 1250
    assert parse_number("1 250,5", decimal=",") == 1250.5


@pytest.mark.parametrize(
    "raw",
    ["beaucoup", "12 %", "1.2.3", "1,2,3", "3 zillions", "€", True, "1 2", "(1 234)", "12-34"],
)
def test_parse_number_garbage_names_the_value(raw: Any) -> None:
    with pytest.raises(ValidationError, match="not a number") as info:
        parse_number(raw)
    assert repr(raw) in str(info.value)


def test_parse_number_contradicting_forced_decimal() -> None:
    with pytest.raises(ValidationError, match="'1,5'"):
        parse_number("1,5", decimal=".")


_AMOUNTS = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(_AMOUNTS, st.sampled_from([" ", "\u00a0", "\u202f", "."]))
def test_parse_number_round_trips_french_style(x: float, group: str) -> None:
    english = f"{x:,.2f}"
    french = english.replace(",", "\x00").replace(".", ",").replace("\x00", group)
    assert parse_number(french) == float(f"{x:.2f}")
    assert parse_number(french, decimal=",") == float(f"{x:.2f}")
    assert parse_number(french + " €") == float(f"{x:.2f}")


@given(_AMOUNTS)
def test_parse_number_round_trips_english_style(x: float) -> None:
    english = f"{x:,.2f}"
    assert parse_number(english) == float(f"{x:.2f}")
    assert parse_number(english, decimal=".") == float(f"{x:.2f}")
    assert parse_number(f"${english}") == float(f"{x:.2f}")


@given(st.integers(min_value=0, max_value=10**12))
def test_parse_number_round_trips_whole_numbers(n: int) -> None:
    assert parse_number(f"{n:,}") == n
    assert parse_number(f"{n:,}".replace(",", "\u202f")) == n


# fmt: off
@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("4,2 M€", "EUR"), ("€3.5m", "EUR"), ("12 kEUR", "EUR"), ("3 euros", "EUR"),
        ("$3.5M", "USD"), ("US$ 3M", "USD"), ("3 USD", "USD"), ("HK$ 3M", "HKD"), ("£200k", "GBP"),
        ("¥3,000万", "CNY"), ("3000万元", "CNY"), ("RMB 3M", "CNY"), ("3 CHF", "CHF"),
        ("300美元", "USD"), ("1 250", None), ("", None),
    ],
)
def test_parse_currency(raw: str, code: str | None) -> None:
    assert parse_currency(raw) == code
# fmt: on
