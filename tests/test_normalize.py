"""The value normalisers together (crmkit._normalize): vectorised twins agree with the scalars,
no output holds a control character, huge or hostile values are refused with short messages,
the package's public names."""

from __future__ import annotations

import importlib
import math
import re
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

import crmkit._normalize as norm
from crmkit._exceptions import ValidationError
from crmkit._normalize import (
    clean_text,
    company_key,
    drop_controls,
    map_distinct,
    name_key,
    normalize_country,
    normalize_email,
    normalize_emails,
    normalize_phone,
    normalize_phones,
    normalize_url,
    parse_bool,
    parse_bools,
    parse_date,
    parse_dates,
    parse_headcount,
    parse_number,
    parse_numbers,
    parse_revenue,
    split_list,
)

PHONES = ["06 25 34 12 57", None, "+33 6 25 34 12 57", "06 25 34 12 57", "bad", "", "bad"]


EMAILS = ["A@Aprool.com", "a@aprool.com", None, "nope", "A@Aprool.com", "nope"]


NUMBERS = ["1 250,50", "4,2 M€", None, "n/c", "lots", "4,2 M€", "lots", "1 250,50"]


BOOLS = ["oui", "non", "X", None, "peut-être", "oui", "peut-être"]


DATES = ["05/03/2024", "5 mars 2024", None, "bientôt", "05/03/2024", "bientôt"]


COUNTRIES = ["France", "Chine", None, "Atlantis", "France", "中国"]


@pytest.fixture(params=["list", "pandas", "polars"])
def as_container(request: pytest.FixtureRequest) -> Callable[[list[Any]], Any]:
    """Wrap a list of values as a list, a pandas Series or a polars Series."""
    kind = request.param

    def wrap(values: list[Any]) -> Any:
        if kind == "pandas":
            return pd.Series(values)  # pandas 3 infers the "str" dtype: None becomes NaN
        if kind == "polars":
            return pl.Series(values, dtype=pl.String)
        return list(values)

    return wrap


def _checked(func: Callable[[Any], Any], values: list[Any]) -> tuple[list[Any], list[Any]]:
    results: list[Any] = []
    errors: list[Any] = []
    for value in values:
        try:
            results.append(func(value))
            errors.append(None)
        except ValidationError as exc:
            results.append(None)
            errors.append(str(exc))
    return results, errors


def test_vectorised_phones_and_emails_match_scalars(as_container: Callable[..., Any]) -> None:
    assert normalize_phones(as_container(PHONES)) == [normalize_phone(v) for v in PHONES]
    assert normalize_phones(as_container(PHONES), "CN") == [
        normalize_phone(v, "CN") for v in PHONES
    ]
    assert normalize_emails(as_container(EMAILS)) == [normalize_email(v) for v in EMAILS]


def test_vectorised_parsers_match_scalars(as_container: Callable[..., Any]) -> None:
    assert parse_numbers(as_container(NUMBERS)) == _checked(parse_number, NUMBERS)
    assert parse_numbers(as_container(NUMBERS), decimal=",") == _checked(
        lambda v: parse_number(v, decimal=","), NUMBERS
    )
    assert parse_bools(as_container(BOOLS)) == _checked(parse_bool, BOOLS)
    assert parse_dates(as_container(DATES)) == _checked(parse_date, DATES)
    assert parse_dates(as_container(DATES), dayfirst=False) == _checked(
        lambda v: parse_date(v, dayfirst=False), DATES
    )
    countries = map_distinct(as_container(COUNTRIES), normalize_country)
    assert countries == [normalize_country(v) for v in COUNTRIES]


def test_vectorised_errors_name_the_values() -> None:
    values, errors = parse_numbers(NUMBERS)
    assert values == [1250.5, 4.2e6, None, None, None, 4.2e6, None, 1250.5]
    assert errors == [
        None,
        None,
        None,
        None,
        "not a number: 'lots'",
        None,
        "not a number: 'lots'",
        None,
    ]


@given(st.lists(st.sampled_from(PHONES + EMAILS + NUMBERS + DATES), max_size=30))
def test_vectorised_match_scalars_on_any_mix(values: list[Any]) -> None:
    assert normalize_phones(values) == [normalize_phone(v) for v in values]
    assert parse_numbers(values) == _checked(parse_number, values)
    assert parse_dates(values) == _checked(parse_date, values)


def test_results_are_frozen() -> None:
    result = normalize_phone("06 25 34 12 57")
    with pytest.raises(AttributeError):
        result.value = "x"  # type: ignore[misc]
    assert math.isclose(parse_number("4,2 M€") or 0, 4.2e6)


_CONTROLS = [chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]] + [
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    "\x1b[31m",
    "\x1b[",
    "\x1b]0;t\x07",
    "\x9b2J",
]


hostile_text = st.lists(
    st.one_of(st.sampled_from(_CONTROLS), st.text(max_size=4), st.sampled_from(["'", "=", "@"])),
    max_size=8,
).map("".join)


_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def assert_no_controls(text: str | None, keep: str = "\n") -> None:
    """No C0 or C1 control, DEL, bidirectional override or surrogate but those in ``keep``."""
    if text is None:
        return
    bad = [c for c in _FORBIDDEN.findall(text) if c not in keep]
    assert not bad, (text, bad)


@settings(max_examples=examples(300))
@given(hostile_text)
def test_no_normaliser_outputs_a_control_character(text: str) -> None:
    cleaned = clean_text(text)
    assert_no_controls(cleaned)
    assert clean_text(cleaned) == cleaned
    for item in split_list(text):
        assert_no_controls(item)
    phone = normalize_phone(text, "FR")
    assert_no_controls(phone.value)
    email = normalize_email(text)
    assert_no_controls(email.value)
    assert_no_controls(normalize_url(text))
    assert_no_controls(normalize_country(text))
    assert_no_controls(drop_controls(text), keep="\n\t")
    assert_no_controls(name_key(text))
    assert_no_controls(company_key(text))


def test_email_and_phone_lose_their_control_characters() -> None:
    assert normalize_email("hel\x00ene@aprool.com\x1b[0m").value == "helene@aprool.com"
    assert normalize_phone("06 25\x1b[31m 34 12 57\u202e").value == "+33625341257"
    assert normalize_url("www.aprool.com\x00") == "https://www.aprool.com"


@pytest.mark.parametrize(
    ("parse", "raw"),
    [
        (parse_number, 10**400),  # float() would raise OverflowError
        (parse_number, Decimal("1e400")),  # float() would give inf
        (parse_number, "1e400"),
        (parse_number, "9" * 400),
        (parse_number, float("inf")),
        (parse_number, Decimal("NaN")),
        (parse_revenue, 10**400),
        (parse_revenue, Decimal("-1e400")),
        (parse_revenue, "9" * 400 + " €"),
        (parse_headcount, 2**70),
        (parse_headcount, "99 999 999 999 999 999 999"),
        (parse_headcount, 1e30),
        # too long for str() (over 4,300 digits): the message gives their size
        pytest.param(parse_headcount, 10**5000, id="headcount-10**5000"),
        pytest.param(parse_number, -(10**5000), id="number--10**5000"),
        pytest.param(parse_date, 10**400, id="date-10**400"),  # OverflowError before
        pytest.param(parse_date, 10**5000, id="date-10**5000"),
    ],
)
def test_numbers_beyond_a_column_are_refused(parse: Callable[[Any], Any], raw: Any) -> None:
    with pytest.raises(ValidationError) as err:
        parse(raw)
    assert len(str(err.value)) < 150


@pytest.mark.parametrize(
    "call",
    [
        lambda v: parse_number(v),
        lambda v: parse_bool(v),
        lambda v: parse_date(v),
        lambda v: parse_headcount(v),
        lambda v: parse_headcount(v, insee=True),
        lambda v: parse_revenue(v),
        lambda v: parse_revenue("1 à " + v),
    ],
)
def test_error_messages_cut_huge_values_short(call: Callable[[str], Any]) -> None:
    huge = "x\x1b[31m" * 300_000  # 1.5 MB, with escape sequences
    with pytest.raises(ValidationError) as err:
        call(huge)
    message = str(err.value)
    assert len(message) < 250
    assert "\x1b" not in message


def test_checked_twins_cut_huge_values_short() -> None:
    _, errors = parse_numbers(["1,5", "x" * 1_500_000])
    assert errors[0] is None and errors[1] is not None and len(errors[1]) < 150


@pytest.mark.parametrize("parse", [parse_number, parse_revenue, parse_headcount, parse_date])
@pytest.mark.parametrize("cell", ["9" * 1_500_000, "9" * 2_000 + "x!", "1 " * 5_000 + "M€ !"])
def test_huge_quantity_cells_are_refused_at_once(parse: Callable[[Any], Any], cell: str) -> None:
    # Before: minutes for 1.5 MB of digits (int(Decimal) is quadratic), and the revenue
    # shapes backtrack without end on a long text that is no amount.
    started = time.perf_counter()
    with pytest.raises(ValidationError, match="too long"):
        parse(cell)
    assert time.perf_counter() - started < 2


# --------------------------------------------------------------------------------------
# The package's public names
# --------------------------------------------------------------------------------------

VALUE_MODULES = [
    "_booleans",
    "_countries",
    "_dates",
    "_distinct",
    "_emails",
    "_fastmap",
    "_keys",
    "_numbers",
    "_phones",
    "_quantities",
    "_text",
    "_urls",
]


def test_the_package_exports_what_its_modules_export_once() -> None:
    modules = [importlib.import_module(f"crmkit._normalize.{name}") for name in VALUE_MODULES]
    exported = [name for module in modules for name in module.__all__]
    assert len(exported) == len(set(exported))  # one home for each name
    assert sorted(norm.__all__) == sorted(exported)
    for module in modules:
        for name in module.__all__:
            assert getattr(norm, name) is getattr(module, name), name


def test_every_value_module_is_listed() -> None:
    folder = Path(norm.__file__).parent
    modules = {path.stem for path in folder.glob("_*.py") if path.stem != "__init__"}
    column_modules = {"_columns", "_prepare", "_arrow_emails", "_arrow_keys", "_arrow_phones"}
    # Imported where they are used, not by the package (whose import must stay light):
    # name case for suggest_fixes, keys and clusters of spelling variants, the durations
    # of retention rules and the history horizon.
    operation_modules = {"_name_case", "_variants", "_durations"}
    assert modules - column_modules - operation_modules == set(VALUE_MODULES)


def test_the_package_loads_neither_arrow_nor_the_column_normalisers() -> None:
    # A helper process imports one value module, so this package: it must start fast.
    code = (
        "import sys, crmkit._normalize; "
        "print([m for m in ('pyarrow', 'crmkit._normalize._columns') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
