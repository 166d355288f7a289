"""Dates (crmkit._normalize._dates)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit._exceptions import ValidationError
from crmkit._normalize._dates import parse_date

MARCH_5 = dt.date(2024, 3, 5)


# fmt: off
@pytest.mark.parametrize(
    "raw",
    [
        "2024-03-05", "2024/03/05", "20240305", "2024-3-5", "05/03/2024", "5/3/2024",
        "05.03.2024", "05-03-2024", "05/03/24", "5 mars 2024", "mardi 5 mars 2024",
        "le 5 mars 2024", "March 5, 2024", "Mar 5th, 2024", "5 March 2024", "05-Mar-24",
        "2024年3月5日", "2024 年 3 月 5 日", "2024-03-05T10:30:00Z", "2024-03-05 10:30:00",
        "05/03/2024 10:30", 45356, 45356.75, "45356", dt.datetime(2024, 3, 5, 10, 30), MARCH_5,
        pd.Timestamp("2024-03-05 08:00"),
    ],
)
def test_parse_date(raw: Any) -> None:
    assert parse_date(raw) == MARCH_5
# fmt: on


def test_parse_date_day_or_month_first() -> None:
    assert parse_date("03/05/2024", dayfirst=False) == MARCH_5
    assert parse_date("03/05/2024") == dt.date(2024, 5, 3)
    assert parse_date("05.03.2024", dayfirst=False) == MARCH_5  # dots are always day first
    assert parse_date("12/25/2024") == dt.date(2024, 12, 25)  # only one reading is a date
    assert parse_date("1er avril 2024") == dt.date(2024, 4, 1)
    assert parse_date("3 août 2023") == dt.date(2023, 8, 3)
    assert parse_date("14 févr. 2024") == dt.date(2024, 2, 14)


@pytest.mark.parametrize("raw", [None, "", "n/c", pd.NaT, float("nan")])
def test_parse_date_empty(raw: Any) -> None:
    assert parse_date(raw) is None


# fmt: off
@pytest.mark.parametrize(
    "raw",
    [
        "bientôt", "2024", "31/02/2024", "2024-13-01", "mars 2024", "5 mars", 0, 90000, True,
        "45 mars 2024",
    ],
)
def test_parse_date_garbage_names_the_value(raw: Any) -> None:
    with pytest.raises(ValidationError, match="not a date") as info:
        parse_date(raw)
    assert repr(raw) in str(info.value)
# fmt: on


FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


ENGLISH_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@given(st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_parse_date_round_trips(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day:%d/%m/%Y}") == day
    assert parse_date(f"{day:%m/%d/%Y}", dayfirst=False) == day
    assert parse_date(f"{day:%Y%m%d}") == day
    assert parse_date(f"{day.day} {FRENCH_MONTHS[day.month - 1]} {day.year}") == day
    assert parse_date(f"{ENGLISH_MONTHS[day.month - 1]} {day.day}, {day.year}") == day
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == day
    assert parse_date((day - dt.date(1899, 12, 30)).days) == day
