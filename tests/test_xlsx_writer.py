"""Writing XLSX files (crmkit._formats._xlsx_writer): typed cells, widths, sheet titles,
values Excel cannot hold, cells too long.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pytest
from export_samples import contact_columns, leftovers, read_csv_rows
from openpyxl.worksheet._writer import ALL_TEMP_FILES

from crmkit._exceptions import ExportError
from crmkit._formats import (
    export_table,
)
from crmkit._formats._xlsx_writer import check_fits, sheet_title, write_xlsx


def test_xlsx_round_trip(contacts: Any, tmp_path: Path) -> None:
    out = tmp_path / "contacts.xlsx"
    result = export_table(contacts, out, kind="contacts")
    assert result.rows == 3 and result.format == "xlsx"

    sheet = openpyxl.load_workbook(out).active
    assert sheet.title == "Contacts"
    header = [c.value for c in sheet[1]]
    assert header == [c for c in contact_columns() if c != "photo"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:O4"

    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(2)]
    first, second, third = rows
    assert first["id"] == 1 and type(first["id"]) is int
    assert first["account_annual_revenue"] == 4_200_000 and second["account_annual_revenue"] == 12.5
    assert isinstance(second["account_annual_revenue"], float)
    assert first["account_employees"] == 85 and type(first["account_employees"]) is int
    assert first["active"] is True and second["active"] is False and third["active"] is None
    assert first["birthday"] == dt.datetime(1985, 3, 5)  # openpyxl reads dates as datetimes
    assert sheet["F2"].number_format == "yyyy-mm-dd"
    assert first["created_at"].replace(microsecond=0) == dt.datetime(2024, 3, 5, 14, 30)
    assert first["tags"] == "vip; salon 2024"
    assert first["mobile"] == "+33625341257" and sheet["D2"].data_type == "s"
    assert first["custom"] == '{"score": 3}'
    assert second["first_name"] == "伟" and second["tags"] is None
    assert third["first_name"] is None and third["created_at"] is None

    widths = {
        col: _characters(sheet.column_dimensions[col].width) for col in "ABCDEFGHIJKLMNO"
    }  # every column has a width
    assert all(8 <= w <= 60 for w in widths.values())
    assert widths["A"] == 8  # "id" and small numbers: the minimum
    assert widths["M"] > widths["N"]  # long notes wider than short company names


def test_xlsx_widths_count_cjk_double(tmp_path: Path) -> None:
    table = pa.table({"a": ["abcdefghijkl"], "b": ["负责华东区销售团队"], "c": ["x" * 500]})
    out = tmp_path / "w.xlsx"
    export_table(table, out, kind="contacts")
    dims = openpyxl.load_workbook(out).active.column_dimensions
    assert _characters(dims["A"].width) == 14  # 12 characters + 2
    assert _characters(dims["B"].width) == 20  # 9 CJK characters count 18, + 2
    assert _characters(dims["C"].width) == 60  # capped


def _characters(width: float) -> float:
    """The width Excel shows for a column (the file adds 5 pixels of padding on 7 a digit)."""
    return round(width - 5 / 7, 1)


def test_xlsx_sheet_title(tmp_path: Path) -> None:
    table = pa.table({"name": ["APROOL"]})
    out = tmp_path / "a.xlsx"
    export_table(table, out, kind="accounts", lang="fr")
    assert openpyxl.load_workbook(out).sheetnames == ["Comptes"]
    export_table(table, out, kind="accounts", sheet_name="Clients: [Paris]/Lyon? 2024 et plus !")
    assert openpyxl.load_workbook(out).sheetnames == ["Clients   Paris  Lyon  2024 et"]
    export_table(table, out, kind="accounts", sheet_name="History")
    assert openpyxl.load_workbook(out).sheetnames == ["History 1"]


def test_xlsx_values_excel_cannot_hold(tmp_path: Path) -> None:
    table = pa.table(
        {
            "notes": ["ligne 1\x0bligne 2\x00", "#N/A", None],
            "big": [12345678901234567, 5, None],
            "ratio": [float("nan"), float("inf"), 1.5],
            "seen": pa.array(
                [dt.datetime(2024, 3, 5, 14, 30, tzinfo=dt.UTC), None, None],
                pa.timestamp("us", "UTC"),
            ),
        }
    )
    out = tmp_path / "x.xlsx"
    result = export_table(table, out, kind="contacts")
    assert result.changed == 1 and "notes: 1" in result.warnings[0]
    sheet = openpyxl.load_workbook(out).active
    assert sheet["A2"].value == "ligne 1\nligne 2"
    assert sheet["A3"].value == "#N/A" and sheet["A3"].data_type == "s"
    assert sheet["B2"].value == "12345678901234567"  # too many digits for an Excel number
    assert sheet["B3"].value == 5
    assert sheet["C2"].value is None and sheet["C3"].value == "inf" and sheet["C4"].value == 1.5
    assert sheet["D2"].value == dt.datetime(2024, 3, 5, 14, 30)

    # CSV drops the same control characters: crmkit's importer refuses a NUL.
    result = export_table(table, tmp_path / "x.csv", kind="contacts")
    assert result.changed == 1
    rows = read_csv_rows(tmp_path / "x.csv")
    assert rows[1] == [
        "ligne 1\nligne 2",
        "12345678901234567",
        "",
        "2024-03-05 14:30:00+00:00",
    ]
    assert rows[2][2] == "inf"


def test_xlsx_text_too_long_for_a_cell(tmp_path: Path) -> None:
    out = tmp_path / "long.xlsx"
    out.write_bytes(b"old workbook")
    table = pa.table({"last_name": ["Blou", "Durand"], "notes": ["ok", "x" * 40_000]})
    scratch_files = list(ALL_TEMP_FILES)
    with pytest.raises(ExportError, match=r"row 2 \(Excel row 3\), column 'Notes'"):
        export_table(table, out, kind="contacts", lang="en")
    assert out.read_bytes() == b"old workbook"
    assert leftovers(tmp_path) == []
    assert scratch_files == ALL_TEMP_FILES  # openpyxl's own scratch file is gone too


# -- the module's own functions ----------------------------------------------------------


def test_sheet_title() -> None:
    assert sheet_title(None, "contacts", None) == "Contacts"
    assert sheet_title(None, "accounts", "zh") == "客户"
    assert sheet_title("  'Mes [clients]'  ", "contacts", "fr") == "Mes  clients"
    assert sheet_title("?*:/", "accounts", "fr") == "Comptes"  # nothing left: the default
    assert sheet_title("HISTORY", "contacts", None) == "HISTORY 1"
    assert len(sheet_title("x" * 50, "contacts", None)) == 31


def test_check_fits(tmp_path: Path) -> None:
    check_fits(16_384, tmp_path / "ok.xlsx")
    with pytest.raises(ExportError, match=r"wide\.xlsx: 16385 columns exceed Excel's 16384"):
        check_fits(16_385, tmp_path / "wide.xlsx")


def test_write_xlsx_keeps_types_and_forces_text_cells(tmp_path: Path) -> None:
    table = pa.table(
        {
            "n": [1, 10**15],
            "text": ["=SUM(A1)", "#REF!"],
            "quoted": ["'=x", "ok\x0bnext"],
        }
    )
    out = tmp_path / "w.xlsx"
    rows, changed = write_xlsx(table, ["N", "Texte", "Cité"], out, sheet_title="Feuille")
    assert rows == 2 and changed == [0, 0, 1]
    sheet = openpyxl.load_workbook(out).active
    assert sheet.title == "Feuille"
    assert [c.value for c in sheet[1]] == ["N", "Texte", "Cité"]
    assert [sheet["A2"].value, sheet["A3"].value] == [1, "1000000000000000"]
    assert [(c.value, c.data_type) for c in sheet["B"][1:]] == [("=SUM(A1)", "s"), ("#REF!", "s")]
    assert [sheet["C2"].value, sheet["C3"].value] == ["''=x", "ok\nnext"]
