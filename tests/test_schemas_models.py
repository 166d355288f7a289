"""The pandera models and validate (crmkit.schemas._models): rules derived from the catalog,
pandas and polars alike, numbers no column holds, ranges, messages cut short.

(The catalog, vocabularies and bands: tests/test_catalog.py, test_schemas_vocab.py,
test_bands.py.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from pandera.errors import SchemaErrors

import crmkit as ck
from crmkit.schemas._models import (
    UnreadText,
    describe_failures,
    integer_ok,
    number_ok,
    pandas_schema,
    polars_schema,
    rules_for,
)

MakeFrame = Callable[[dict[str, Any]], Any]


ROWS = {
    "last_name": ["Blou", None, " ", "x" * 101],
    "email": ["h@aprool.com", "nope", None, "a@b.fr"],
    "mobile": ["+33625341257", "06 25", None, None],
    "birthday": [dt.date(1980, 1, 2), None, "1980-13-45", None],
    "gender": ["F", "Q", None, None],
}
EXPECTED = {
    (1, "gender", "vocabulary(gender)", "error"),
    (1, "last_name", "required", "error"),
    (1, "email", "email", "warning"),
    (1, "mobile", "e164", "warning"),
    (2, "last_name", "required", "error"),
    (2, "birthday", "date", "error"),
    (3, "last_name", "max_length(100)", "error"),
}


def test_validate_both_backends(make_frame: MakeFrame) -> None:
    report = ck.validate(make_frame(ROWS), "contacts")
    got = {
        (r.row, r.field, r.check, r.severity) for r in report.failure_cases.itertuples(index=False)
    }
    assert got == EXPECTED
    assert not report.ok and report.error_rows == [1, 2, 3]
    assert list(report.failure_cases.columns) == ["row", "field", "value", "check", "severity"]
    assert "ValidationReport(contacts: 4 rows, 5 errors, 2 warnings)" in repr(report)
    assert "crmkit-validation" in report._repr_html_()
    summary = report.summary()
    assert summary["count"].sum() == 7
    with pytest.raises(ck.ValidationError) as err:
        report.raise_for_errors()
    assert "row 1: Gender: not in the list ('Q')" in str(err.value)


def test_validate_accounts_numbers(make_frame: MakeFrame) -> None:
    frame = make_frame(
        {
            "name": ["A", "B", "C"],
            "annual_revenue": [-5.0, 3.0, None],
            "sector": ["Software", "Sofware", None],
            "billing_country": ["FR", "France", None],
            "currency": ["EUR", "XXX", None],
        }
    )
    report = ck.validate(frame, "accounts")
    got = {
        (r.row, r.field, r.check, r.severity) for r in report.failure_cases.itertuples(index=False)
    }
    assert got == {
        (0, "annual_revenue", "min_value(0)", "error"),
        (1, "sector", "vocabulary(sector)", "warning"),
        (1, "billing_country", "iso_country", "warning"),
        (1, "currency", "iso_currency", "warning"),
    }


def test_wrong_types_pandas() -> None:
    frame = pd.DataFrame(
        {
            "name": ["A", "B"],
            "annual_revenue": [1, "abc"],
            "employees": [1.5, 3],
            "is_client": [True, "maybe"],
            "tags": [["x"], "x"],
        },
        dtype=object,
    )
    report = ck.validate(frame, "accounts")
    got = {(r.row, r.field, r.check) for r in report.errors.itertuples(index=False)}
    assert got == {
        (1, "annual_revenue", "number"),
        (0, "employees", "integer"),
        (1, "is_client", "boolean"),
        (1, "tags", "list"),
    }


def test_wrong_types_polars() -> None:
    frame = pl.DataFrame({"name": ["A"], "annual_revenue": ["abc"], "tags": ["x"]})
    report = ck.validate(frame, "accounts")
    got = {(r.field, r.check) for r in report.errors.itertuples(index=False)}
    assert got == {("annual_revenue", "number"), ("tags", "list")}


def test_missing_required_column(make_frame: MakeFrame) -> None:
    report = ck.validate(make_frame({"first_name": ["Hélène", "Marc"]}), "contacts")
    assert list(report.errors["field"]) == ["last_name", "last_name"]


def test_required_and_sectors_parameters(make_frame: MakeFrame) -> None:
    frame = make_frame({"name": ["A"], "sector": ["Widgets"], "website": [None]})
    report = ck.validate(frame, "accounts")
    assert report.ok and list(report.warnings["field"]) == ["sector"]
    custom = ck.validate(frame, "accounts", required=["name", "website"], sectors=["Widgets"])
    assert list(custom.failure_cases["check"]) == ["required"]


def test_models_are_pandera_schemas() -> None:
    import pandera.pandas as pa_pd
    import pandera.polars as pa_pl

    assert isinstance(pandas_schema("accounts"), pa_pd.DataFrameSchema)
    assert isinstance(polars_schema("contacts", severity="warning"), pa_pl.DataFrameSchema)
    checks = {r.check for r in rules_for("contacts")}
    assert {"required", "e164", "email", "date", "list", "bytes", "json"} <= checks


# -- numbers a column cannot hold, ranges upside down, huge values (issue #11) ----------


def test_numbers_no_column_can_hold_are_errors_pandas() -> None:
    frame = pd.DataFrame(
        {
            "name": ["A", "B", "C", "D", "E"],
            "employees": [True, 2**70, 2**63, 2**63 - 1, "1e30"],
            "annual_revenue": [float("inf"), Decimal("1e400"), 10**400, 4.2e6, False],
            "parent_id": [None, True, None, None, 2**64],
        },
        dtype=object,
    )
    report = ck.validate(frame, "accounts")
    got = {(r.row, r.field, r.check) for r in report.errors.itertuples(index=False)}
    assert got == {
        (0, "employees", "integer"),
        (1, "employees", "integer"),
        (2, "employees", "integer"),
        (4, "employees", "integer"),
        (0, "annual_revenue", "number"),
        (1, "annual_revenue", "number"),
        (2, "annual_revenue", "number"),
        (4, "annual_revenue", "number"),
        (1, "parent_id", "integer"),
        (4, "parent_id", "integer"),
    }


def test_numbers_no_column_can_hold_are_errors_polars() -> None:
    frame = pl.DataFrame(
        {
            "name": ["A", "B", "C"],
            "annual_revenue": [float("inf"), float("-inf"), 1.5],
            "revenue_range_min": [float("nan"), 1.0, 2.0],
            "employees": pl.Series([2**63, 5, 6], dtype=pl.UInt64),
            "employees_range_min": [True, False, None],
        }
    )
    report = ck.validate(frame, "accounts")
    got = {(r.row, r.field, r.check) for r in report.errors.itertuples(index=False)}
    assert {
        (0, "annual_revenue", "number"),
        (1, "annual_revenue", "number"),
        (0, "revenue_range_min", "number"),
        (0, "employees", "integer"),
    } <= got
    assert {(0, "employees_range_min", "integer"), (1, "employees_range_min", "integer")} <= got
    assert not {case for case in got if case[0] == 2}


def test_typed_whole_numbers_keep_their_full_range(make_frame: MakeFrame) -> None:
    frame = make_frame({"name": ["A"], "employees": [2**63 - 1], "parent_id": [2**63 - 1]})
    assert ck.validate(frame, "accounts").ok


def test_range_low_end_above_high_end_is_an_error(make_frame: MakeFrame) -> None:
    frame = make_frame(
        {
            "name": ["A", "B", "C", "D"],
            "employees_range_min": [100, 10, None, 5],
            "employees_range_max": [10, 100, 3, 5],
            "revenue_range_min": [1.0, 2e6, 5.0, None],
            "revenue_range_max": [2.0, 1e6, None, None],
        }
    )
    report = ck.validate(frame, "accounts")
    got = {(r.row, r.field, r.value, r.check) for r in report.errors.itertuples(index=False)}
    assert {(row, field, check) for row, field, _, check in got} == {
        (0, "employees_range_min", "at_most(employees_range_max)"),
        (1, "revenue_range_min", "at_most(revenue_range_max)"),
    }
    assert {float(str(value)) for _, _, value, _ in got} == {100.0, 2e6}


def test_range_rule_is_in_the_pandera_schemas() -> None:
    frame = pd.DataFrame({"employees_range_min": [100], "employees_range_max": [10]})
    with pytest.raises(SchemaErrors):
        pandas_schema("accounts").validate(frame, lazy=True)
    with pytest.raises(SchemaErrors):
        polars_schema("accounts").validate(pl.from_pandas(frame), lazy=True)
    alone = pd.DataFrame({"name": ["A"], "employees_range_min": [100]})  # no high end
    assert ck.validate(alone, "accounts").ok


def test_huge_values_are_cut_short_in_messages_and_reports(make_frame: MakeFrame) -> None:
    huge = "Dupont\x1b[31m" * 150_000  # 1.65 MB
    frame = make_frame({"last_name": [huge], "email": [huge]})
    report = ck.validate(frame, "contacts")
    assert report.failure_cases["value"].map(len).max() == len(huge)  # the cell stays whole
    with pytest.raises(ck.ValidationError) as err:
        report.raise_for_errors()
    assert len(str(err.value)) < 300 and "\x1b" not in str(err.value)
    assert len(repr(report)) < 1_000 and "\x1b" not in repr(report)
    with ck.config_context(table_display="static"):
        assert len(report._repr_html_()) < 3_000 and "\x1b" not in report._repr_html_()
    interactive = report._repr_html_()  # may carry the itables bundle (once per process)
    assert "\x1b" not in interactive and huge[:1_000] not in interactive


# -- the module's own functions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number", "integer"),
    [
        (85, True, True),
        ("85", True, True),
        ("1e5", True, True),  # read as Python reads it; typed text is an UnreadText
        (UnreadText("85"), False, False),
        (2.0, True, True),
        (1.5, True, False),
        (True, False, False),
        (np.bool_(True), False, False),
        (float("nan"), False, False),
        (float("inf"), False, False),
        (Decimal("NaN"), False, False),
        (Decimal("12"), True, True),
        (2**63 - 1, True, True),
        (2**63, True, False),
        (10**400, False, False),
        ("9223372036854775807", True, True),
        ("abc", False, False),
        (None, False, False),
        ([1], False, False),
    ],
)
def test_number_ok_and_integer_ok(value: Any, number: bool, integer: bool) -> None:
    assert (number_ok(value), integer_ok(value)) == (number, integer)


def test_describe_failures() -> None:
    cases = pd.DataFrame(
        {
            "row": list(range(7)),
            "field": ["email"] * 7,
            "value": ["nope\x1b[31m", *["x"] * 6],
            "check": ["email"] * 7,
            "severity": ["warning"] * 7,
        }
    )
    text = describe_failures(cases, limit=2, kind="contacts")
    assert text == (
        "row 0: Email: not a valid email address ('nope\\x1b[31m'); "
        "row 1: Email: not a valid email address ('x'); ... and 5 more"
    )
    assert describe_failures(cases, limit=1).startswith("row 0: email: not a valid")
    assert describe_failures(cases.head(0)) == ""
