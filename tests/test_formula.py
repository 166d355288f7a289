"""Formula neutralisation (crmkit._formats._formula): no exported cell runs as a formula,
phone numbers and numbers left alone.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
from export_samples import build, read_csv_rows
from hypothesis import given
from hypothesis import strategies as st

from crmkit._formats import (
    export_table,
    neutralize_formula,
)
from crmkit._formats._formula import QUOTED_TRIGGER

# Values a spreadsheet could run as formulas, and what the CSV must hold instead.
HOSTILE = [
    '=HYPERLINK("http://evil","x")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1+1",
    "-2+3",
    "\t=1",
    "\r=1",
    "=1",
]


# Text that starts like a formula but is only a number or a phone number: left alone.
HARMLESS = ["+33625341257", "-12.5", "+1 (415) 555-0199", "+33 6 25 34 12 57", "-"]


def test_formulas_are_neutralised(frame_backend: str, tmp_path: Path) -> None:
    values = HOSTILE + HARMLESS
    data = build(frame_backend, {"notes": values, "mobile": list(reversed(values))})

    csv_out = tmp_path / "h.csv"
    export_table(data, csv_out, kind="contacts")
    notes = [r[0] for r in read_csv_rows(csv_out)[1:]]
    assert notes == ["'" + v for v in HOSTILE] + HARMLESS

    xlsx_out = tmp_path / "h.xlsx"
    export_table(data, xlsx_out, kind="contacts")
    sheet = openpyxl.load_workbook(xlsx_out).active
    for row, value in enumerate(values, start=2):
        cell = sheet.cell(row, 1)
        assert cell.data_type == "s", value
        assert cell.value == value.replace("\r", "\n")  # XML reads a lone CR as LF
    assert all(c.data_type == "s" for c in sheet["B"][1:])


def test_formulas_in_lists_and_headers_are_neutralised(tmp_path: Path) -> None:
    table = pa.table({"tags": [["=1+1", "vip"], ["vip", "=1+1"]], "=cmd|' /C calc'!A0": ["x", "y"]})
    out = tmp_path / "h.csv"
    export_table(table, out, kind="contacts")
    assert read_csv_rows(out) == [
        ["tags", "'=cmd|' /C calc'!A0"],
        ["'=1+1; vip", "x"],
        ["vip; =1+1", "y"],
    ]
    xlsx = tmp_path / "h.xlsx"
    export_table(table, xlsx, kind="contacts")
    sheet = openpyxl.load_workbook(xlsx).active
    assert (sheet["B1"].value, sheet["B1"].data_type) == ("=cmd|' /C calc'!A0", "s")
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=1+1; vip", "s")


TRIGGERS = "=+-@\t\r"


@given(st.text(max_size=30))
def test_neutralised_text_never_starts_a_formula(text: str) -> None:
    safe = neutralize_formula(text)
    assert safe in (text, "'" + text)
    if safe[:1] in TRIGGERS:
        # Only signs, digits, spaces, dots, dashes and parentheses: no function, no link.
        assert set(safe[1:]) <= set("0123456789 .()-")


@given(st.sampled_from(TRIGGERS), st.text(max_size=20))
def test_formula_trigger_with_a_letter_is_always_neutralised(trigger: str, rest: str) -> None:
    text = trigger + "A" + rest
    assert neutralize_formula(text) == "'" + text


# -- the module's own functions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1", "'=1"),
        ("\t=1", "'\t=1"),
        ("-", "-"),
        ("+33 6 25 34 12 57", "+33 6 25 34 12 57"),
        ("-12.5", "-12.5"),
        ("+1 (415) 555-0199", "+1 (415) 555-0199"),
        ("-12e5", "'-12e5"),
        ("'=x", "''=x"),
        ("''@x", "'''@x"),
        ("'x", "'x"),
        ("", ""),
        ("Hélène", "Hélène"),
    ],
)
def test_neutralize_formula_examples(text: str, safe: str) -> None:
    assert neutralize_formula(text) == safe


def test_quoted_trigger_is_the_pattern_the_importer_undoes() -> None:
    assert QUOTED_TRIGGER.match("'=x") and QUOTED_TRIGGER.match("'''+1")
    assert not QUOTED_TRIGGER.match("'x") and not QUOTED_TRIGGER.match("=x")
