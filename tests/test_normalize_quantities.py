"""Headcounts and revenues (crmkit._normalize._quantities)."""

from __future__ import annotations

from typing import Any

import pytest

from crmkit._exceptions import ValidationError
from crmkit._normalize._quantities import (
    HeadcountResult,
    RevenueResult,
    parse_headcount,
    parse_revenue,
)


# fmt: off
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("85", (85, None, None)), (85, (85, None, None)), (85.0, (85, None, None)),
        ("10 000 salariés", (10000, None, None)), ("10.000", (10000, None, None)),
        ("environ 200 personnes", (200, None, None)), ("约200人", (200, None, None)),
        ("50-99", (None, 50, 99)), ("50 à 99", (None, 50, 99)), ("50 to 99", (None, 50, 99)),
        ("50–99 employees", (None, 50, 99)), ("between 50 and 99", (None, 50, 99)),
        ("de 50 à 99 salariés", (None, 50, 99)), ("50-99人", (None, 50, 99)),
        ("20 à 49 salariés", (None, 20, 49)), ("1 ou 2 salariés", (None, 1, 2)),
        ("100+", (None, 100, None)), ("10,001+ employees", (None, 10001, None)),
        ("plus de 5000", (None, 5000, None)), ("> 1000", (None, 1000, None)),
        ("1000 et plus", (None, 1000, None)), ("10 000 salariés et plus", (None, 10000, None)),
        ("100人以上", (None, 100, None)), ("moins de 10", (None, 0, 10)),
        ("少于10人", (None, 0, 10)),
        ("Unités non employeuses", (None, 0, 0)), ("00", (None, 0, 0)), ("01", (None, 1, 2)),
        ("02", (None, 3, 5)), ("03", (None, 6, 9)), ("", (None, None, None)),
        (None, (None, None, None)),
    ],
)
def test_parse_headcount(raw: Any, expected: tuple[int | None, ...]) -> None:
    assert parse_headcount(raw) == HeadcountResult(*expected)
# fmt: on


# fmt: off
@pytest.mark.parametrize(
    ("code", "low", "high"),
    [
        ("00", 0, 0), ("01", 1, 2), ("02", 3, 5), ("03", 6, 9), ("11", 10, 19), ("12", 20, 49),
        ("21", 50, 99), ("22", 100, 199), ("31", 200, 249), ("32", 250, 499), ("41", 500, 999),
        ("42", 1000, 1999), ("51", 2000, 4999), ("52", 5000, 9999), ("53", 10000, None),
        ("NN", 0, 0), (12, 20, 49), (1, 1, 2),
    ],
)
def test_parse_headcount_insee_codes(code: Any, low: int, high: int | None) -> None:
    assert parse_headcount(code, insee=True) == HeadcountResult(None, low, high)
# fmt: on


def test_parse_headcount_without_insee_flag_reads_numbers() -> None:
    assert parse_headcount("12") == HeadcountResult(12, None, None)


@pytest.mark.parametrize(
    ("raw", "insee"),
    [("beaucoup", False), ("99-50", False), ("-5", False), (85.5, False), ("99", True)],
)
def test_parse_headcount_garbage_names_the_value(raw: Any, insee: bool) -> None:
    with pytest.raises(ValidationError) as info:
        parse_headcount(raw, insee=insee)
    assert repr(raw) in str(info.value)


def test_headcounts_are_read_exactly() -> None:
    assert parse_headcount(9007199254740993).exact == 9007199254740993  # not via a float
    assert parse_headcount("9007199254740993").exact == 9007199254740993
    assert parse_headcount(2**63 - 1).exact == 2**63 - 1


# fmt: off
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4,2 M€", (4.2e6, None, None, "EUR")), ("4200000", (4.2e6, None, None, None)),
        (4_200_000, (4.2e6, None, None, None)), ("1M-10M", (None, 1e6, 1e7, None)),
        ("1 à 10 M€", (None, 1e6, 1e7, "EUR")), ("de 1 à 10 M€", (None, 1e6, 1e7, "EUR")),
        ("entre 1 et 10 M€", (None, 1e6, 1e7, "EUR")),
        ("between 1M and 10M", (None, 1e6, 1e7, None)), ("$1M to $10M", (None, 1e6, 1e7, "USD")),
        ("1-5 millions", (None, 1e6, 5e6, None)), ("1-5 millions d'euros", (None, 1e6, 5e6, "EUR")),
        ("500 - 1M", (None, 500.0, 1e6, None)), ("1000万-5000万元", (None, 1e7, 5e7, "CNY")),
        ("> 1 Md€", (None, 1e9, None, "EUR")), ("plus de 50 M€", (None, 5e7, None, "EUR")),
        ("$5M+", (None, 5e6, None, "USD")), ("1亿以上", (None, 1e8, None, None)),
        ("< 1M", (None, 0.0, 1e6, None)), ("", (None, None, None, None)),
    ],
)
def test_parse_revenue(raw: Any, expected: tuple[Any, ...]) -> None:
    assert parse_revenue(raw) == RevenueResult(*expected)
# fmt: on


@pytest.mark.parametrize("raw", ["beaucoup", "10M-1M", "CA: 3M", "3 zillions"])
def test_parse_revenue_garbage_names_the_value(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_revenue(raw)
    assert repr(raw) in str(info.value)
