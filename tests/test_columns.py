"""Column-wise normalisation: the vectorised paths give exactly the scalar results."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit import _normalize as norm
from crmkit._normalize._columns import ColumnOptions, clean_column, normalize_column, text_of
from crmkit.schemas import ACCOUNTS, CONTACTS, DEFAULT_SECTORS
from crmkit.schemas._catalog import BIGINT_MAX

_ODD = "\t\n\r \u00a0\u202f\u2009\u3000\u200b\ufeff\x0b\x0c\x85\u2028e\u0301"
# Control characters, escape sequences and bidirectional overrides (issue #11), and the
# "'" a CSV export puts before a formula.
_HOSTILE = [
    *[chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]],
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    "\x1b[31m",
    "\x1b[1;2;3H",
    "\x1b[",
    "\x1b]0;titre\x07",
    "\x1b]8;;u\x1b\\",
    "\x1b(B",
    "\x9b2J",
    "'",
    "''",
    "=",
    "+",
    "-",
    "@",
]
cells = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list(_ODD)), max_size=20),
    st.sampled_from(["NA", "na", "Nan", "nan", "#N/A", "未知", "—", "Non renseigné", " - "]),
    st.lists(st.sampled_from(_HOSTILE) | st.text(max_size=3), max_size=6).map("".join),
)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(cells, max_size=30))
@example(["Dupont\x1b[31m", "'=x", "''-1", "'-", " '@a ", "\x00", "x\x1b\x1b[31m[0m"])
def test_clean_column_matches_text_of(values: list[str | None]) -> None:
    assert clean_column(values) == [text_of(v) for v in values]
    assert clean_column(values, unquote=False) == [norm.clean_text(v) for v in values]


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(cells, min_size=1, max_size=10))
def test_repeated_values_take_the_shared_path_and_agree(values: list[str | None]) -> None:
    many = values * 3  # most values repeat: each distinct one is cleaned once
    assert clean_column(many) == [text_of(v) for v in many]


def test_clean_column_falls_back_for_typed_cells() -> None:
    assert clean_column([75008.0, 3, None, " a "]) == ["75008", "3", None, "a"]
    assert text_of(75008.0) == "75008"


def test_clean_column_with_lone_surrogates_falls_back() -> None:
    # Arrow cannot encode them (UnicodeEncodeError, which escaped before).
    assert clean_column(["a\ud800b", "x"]) == ["a\ufffdb", "x"]


def test_normalize_column_kinds() -> None:
    opts = ColumnOptions()
    res = normalize_column(CONTACTS["birthday"], ["05/03/1980", "31/02/1980", None], opts)
    assert str(res.values[0]) == "1980-03-05" and res.errors[1] and res.values[2] is None
    res = normalize_column(ACCOUNTS["employees"], ["50-99", "85", "x"], opts)
    assert res.values[:2] == [None, 85] and res.side["employees_range_min"][0] == 50
    assert res.errors[2]
    regions = ["GB", "FR", None]
    res = normalize_column(CONTACTS["mobile"], ["07700 900123"] * 3, opts, regions)
    assert res.values[0] == "+447700900123" and res.warnings[1]


# -- control characters on every text-like field --------------------------------------------


_TEXT_LIKE = [
    CONTACTS["last_name"],
    CONTACTS["notes"],
    CONTACTS["email"],
    CONTACTS["mobile"],
    CONTACTS["website"],
    CONTACTS["twitter"],
    CONTACTS["country"],
    CONTACTS["salutation"],
    CONTACTS["tags"],
    ACCOUNTS["sector"],
    ACCOUNTS["currency"],
]


def _has_controls(value: Any) -> bool:
    if isinstance(value, list):
        return any(_has_controls(v) for v in value)
    return isinstance(value, str) and any(
        c not in "\n" and (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u202a\u202e\u2066")
        for c in value
    )


@pytest.mark.parametrize("field", _TEXT_LIKE, ids=lambda f: f.name)
@pytest.mark.parametrize("unquote", [True, False])
def test_no_text_like_field_keeps_control_characters(field: Any, unquote: bool) -> None:
    values = ["Du\x00pont\x1b[31m", "\u202eeilA", "06 25\x1b[0m 34 12 57", "a@b.fr\x07", "FR\x7f"]
    opts = ColumnOptions(sectors=DEFAULT_SECTORS, unquote_formulas=unquote)
    res = normalize_column(field, values, opts)
    assert not any(_has_controls(v) for v in res.values), res.values
    assert not any(_has_controls(v) for v in res.to_custom or [])


def test_custom_json_loses_control_characters() -> None:
    cells = [{"k\x1b[1m": "v\x00\x1b[31m"}, '{"k": "\\u001b[31mv\\u0000"}']
    res = normalize_column(CONTACTS["custom"], cells, ColumnOptions())
    assert res.values == ['{"k": "v"}', '{"k": "v"}']


# -- numbers a column cannot hold -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (ACCOUNTS["employees"], 2**70),
        (ACCOUNTS["employees"], 1e30),
        (ACCOUNTS["employees"], float("inf")),
        (ACCOUNTS["employees"], True),
        (ACCOUNTS["employees"], "99999999999999999999999"),
        (ACCOUNTS["annual_revenue"], 10**400),  # float() raised OverflowError
        (ACCOUNTS["annual_revenue"], float("inf")),  # stored as inf before
        (ACCOUNTS["annual_revenue"], Decimal("1e400")),
        (ACCOUNTS["annual_revenue"], "9" * 400 + " €"),
        (ACCOUNTS["employees_range_min"], 2**63),
        (ACCOUNTS["employees_range_min"], "9223372036854775808"),
        (ACCOUNTS["employees_range_min"], True),
        (ACCOUNTS["revenue_range_min"], 10**400),
        (ACCOUNTS["revenue_range_min"], float("-inf")),
        (ACCOUNTS["revenue_range_min"], "1e400"),
        (ACCOUNTS["parent_id"], 2**64),
        # str() refuses these (over 4,300 digits): the message says their size
        pytest.param(ACCOUNTS["parent_id"], 10**5000, id="parent_id-10**5000"),
        pytest.param(ACCOUNTS["annual_revenue"], 10**5000, id="annual_revenue-10**5000"),
    ],
)
def test_numbers_a_column_cannot_hold_are_errors(field: Any, value: Any) -> None:
    res = normalize_column(field, [value, 5], ColumnOptions())
    assert res.values[0] is None and res.errors[0] is not None
    assert len(res.errors[0]) < 150
    assert res.errors[1] is None
    # What the importer then does with the column: it must fit its Arrow type.
    pa.array(res.values, pa.float64() if field.kind == "float" else pa.int64())


@settings(max_examples=examples(200), deadline=None)
@given(
    st.sampled_from(
        [
            ACCOUNTS["employees"],
            ACCOUNTS["annual_revenue"],
            ACCOUNTS["employees_range_max"],
            ACCOUNTS["revenue_range_min"],
            CONTACTS["account_id"],
        ]
    ),
    st.lists(
        st.one_of(
            st.integers(min_value=-(2**80), max_value=2**80),
            st.floats(),
            st.booleans(),
            st.decimals(),
            st.from_regex(r"[-+]?[0-9 .,]{1,30}(e[-+]?[0-9]{1,4})?", fullmatch=True),
            st.none(),
        ),
        max_size=10,
    ),
)
def test_numeric_columns_give_values_their_column_holds(field: Any, values: list[Any]) -> None:
    res = normalize_column(field, values, ColumnOptions())
    for value in [*res.values, *(v for side in res.side.values() for v in side)]:
        if isinstance(value, float):
            assert math.isfinite(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            assert abs(value) <= BIGINT_MAX + 1
        else:
            assert value is None or isinstance(value, str), value  # currencies


def test_huge_values_are_cut_short_in_column_messages() -> None:
    huge = "x\x1b[31m" * 250_000
    for field in [ACCOUNTS["employees"], ACCOUNTS["annual_revenue"], CONTACTS["birthday"]]:
        res = normalize_column(field, [huge], ColumnOptions())
        assert res.errors[0] is not None and len(res.errors[0]) < 150
        assert "\x1b" not in res.errors[0]
    for field in [CONTACTS["mobile"], CONTACTS["email"], CONTACTS["salutation"]]:
        res = normalize_column(field, ["06" + huge], ColumnOptions())
        assert res.warnings[0] is not None and len(res.warnings[0]) < 400, field.name


# -- the "'" a CSV export puts before a formula ----------------------------------------------


@pytest.mark.parametrize(
    ("field", "cell", "value"),
    [
        (CONTACTS["last_name"], "'=Dupont", "=Dupont"),
        (CONTACTS["notes"], "''=x", "'=x"),
        (CONTACTS["job_title"], "'-chef", "-chef"),
        (CONTACTS["department"], "'@dept", "@dept"),
        (CONTACTS["email"], "'+x@aprool.com", "+x@aprool.com"),
        (CONTACTS["mobile"], "'+33 6 25 34 12 57", "+33625341257"),
        (CONTACTS["tags"], "'=a; b", ["=a", "b"]),
        (CONTACTS["city"], "'-", None),  # a protected "-": the word for "missing"
        (CONTACTS["city"], "'x", "'x"),
    ],
)
def test_cells_of_a_file_lose_the_protection_of_a_formula(
    field: Any, cell: str, value: Any
) -> None:
    assert normalize_column(field, [cell], ColumnOptions()).values == [value]


def test_typed_values_keep_their_quote() -> None:
    opts = ColumnOptions(unquote_formulas=False)
    assert normalize_column(CONTACTS["last_name"], ["'=Dupont"], opts).values == ["'=Dupont"]
    assert normalize_column(CONTACTS["tags"], ["'=a; b"], opts).values == [["'=a", "b"]]
