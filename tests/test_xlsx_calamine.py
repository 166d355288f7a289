"""The calamine reader (crmkit._formats._xlsx_calamine) gives the cells openpyxl gives.

Each workbook is read twice, by openpyxl (the reader's fallback) and by calamine, through
the same ``_sheet_rows`` the import uses, and the rows must be equal, value and type.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from format_samples import shared_strings, shared_strings_workbook, workbook
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit._formats import read_table
from crmkit._formats._xlsx_calamine import open_calamine
from crmkit._formats._xlsx_reader import _sheet_rows


def _rows_both(path: Path) -> tuple[list[Any], list[Any]]:
    """Every sheet's (row number, cells), read by openpyxl and by calamine."""
    slow = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        by_openpyxl = [
            (ws.title, [r for batch in _sheet_rows(ws, str(path), 7) for r in batch])
            for ws in slow.worksheets
        ]
    finally:
        slow.close()
    fast = open_calamine(path)
    assert fast is not None, "calamine should read this workbook"
    try:
        by_calamine = [
            (ws.title, [r for batch in _sheet_rows(ws, str(path), 7) for r in batch])
            for ws in fast.worksheets
        ]
    finally:
        fast.close()
    return by_openpyxl, by_calamine


def _typed(rows: list[Any]) -> list[Any]:
    """Rows with cells (openpyxl also gives the trailing empty rows a file records; the
    reader skips them either way), each cell with its type."""
    return [
        (title, [(n, [(type(v).__name__, v) for v in cells]) for n, cells in sheet if cells])
        for title, sheet in rows
    ]


def test_calamine_gives_openpyxl_cells(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "t.xlsx",
        [
            ["Export CRM — mars 2024"],
            [],
            ["Nom", "CP", "Tél", "Créé le", "CA", "Effectif", "Client", "Appel", "Heure"],
            ["Blou", "01000", "0612345678", dt.date(2024, 1, 5), 4_200_000.5, 85, True, None],
            [None, "007", "+33 6 12", dt.datetime(2024, 3, 1, 14, 30), 12.0, -3, False],
            [" espaces ", "", 1e20, dt.time(9, 30), 0.1, 10**14, None, "=1+1", dt.timedelta(1)],
            [],
            [],
        ],
        Autres=[[], [None, None, "décalé"], [None, 1, 2.5, "x"]],
    )
    book = openpyxl.load_workbook(path)
    book["Contacts"].merge_cells("A1:C1")
    book["Contacts"]["J12"] = "loin"
    book.save(path)
    by_openpyxl, by_calamine = _rows_both(path)
    assert _typed(by_calamine) == _typed(by_openpyxl)
    # Excel row numbers are kept past empty rows and columns.
    assert [n for n, cells in by_calamine[1][1] if cells] == [2, 3]


def test_escaped_shared_strings_are_left_to_openpyxl(tmp_path: Path) -> None:
    # openpyxl keeps Excel's _xHHHH_ escapes (and the spaces around a string) as they are.
    sst = shared_strings(b"<si><t>Nom</t></si><si><t>a_x0000_b\t</t></si>")
    assert open_calamine(shared_strings_workbook(tmp_path / "e.xlsx", sst)) is None
    plain = shared_strings(b"<si><t>Nom</t></si><si><t>Blou</t></si>")
    assert open_calamine(shared_strings_workbook(tmp_path / "p.xlsx", plain)) is not None


def test_a_workbook_calamine_cannot_open_is_left_to_openpyxl(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert open_calamine(path) is None


_CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(-1e12, 1e12, allow_nan=False).map(lambda f: round(f, 4)),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.dates(dt.date(1901, 1, 1), dt.date(9000, 1, 1)),
    st.datetimes(dt.datetime(1901, 1, 1), dt.datetime(9000, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    ),
)


@settings(max_examples=examples(25))
@given(rows=st.lists(st.lists(_CELLS, max_size=6), min_size=1, max_size=8))
def test_calamine_gives_openpyxl_cells_on_any_values(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[Any]]
) -> None:
    path = workbook(tmp_path_factory.mktemp("x") / "h.xlsx", [["Nom", "Valeur"], *rows])
    by_openpyxl, by_calamine = _rows_both(path)
    assert _typed(by_calamine) == _typed(by_openpyxl)


def test_read_table_reads_with_calamine_the_same_frame(tmp_path: Path) -> None:
    path = workbook(tmp_path / "c.xlsx", [["Nom", "CP"], ["Blou", "01000"], ["Zed", 75001]])
    chunk = read_table(path).read()
    assert chunk.frame.to_dict("records") == [
        {"Nom": "Blou", "CP": "01000"},
        {"Nom": "Zed", "CP": 75001},
    ]
