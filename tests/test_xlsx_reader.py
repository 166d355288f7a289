"""The XLSX reader (crmkit._formats._xlsx_reader): typed cells, the header row, sheets by
name or index, ragged rows, damaged and mistaken files.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from format_samples import (
    read_rows,
    shared_strings,
    shared_strings_workbook,
    workbook,
    write_file,
)
from openpyxl.styles import PatternFill

from crmkit._exceptions import ImportFormatError, ValidationError
from crmkit._formats import (
    iter_xlsx,
    read_table,
)


def test_xlsx_header_on_row_3_and_typed_cells(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "t.xlsx",
        [
            ["Export CRM — mars 2024"],
            [],
            ["Société", "Créé le", "CA", "Effectif", "Client", "Dernier appel"],
            ["APROOL", dt.date(2024, 1, 5), 4_200_000.5, 85, True, dt.datetime(2024, 3, 1, 14, 30)],
            ["BTP Sud", None, 12.0, None, False, None],
        ],
    )
    src = read_table(path)
    assert (src.kind, src.header_line, src.sheet, src.line_label) == ("xlsx", 3, "Contacts", "row")
    assert src.encoding is None and src.delimiter is None
    chunk = src.read()
    first = chunk.frame.iloc[0].tolist()
    assert first == [
        "APROOL",
        dt.date(2024, 1, 5),
        4_200_000.5,
        85,
        True,
        dt.datetime(2024, 3, 1, 14, 30),
    ]
    assert [type(v) for v in first] == [str, dt.date, float, int, bool, dt.datetime]
    assert chunk.frame.iloc[1].tolist() == ["BTP Sud", None, 12, None, False, None]
    assert chunk.lines.tolist() == [4, 5]


def test_xlsx_sheet_by_name_and_by_index(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "s.xlsx", [["Nom"], ["Blou"]], Comptes=[["Société"], ["APROOL"], ["BTP"]]
    )
    by_name = read_table(path, sheet="Comptes")
    by_index = read_table(path, sheet=1)
    assert by_name.sheets == ("Contacts", "Comptes")
    for src in (by_name, by_index):
        assert src.sheet == "Comptes"
        assert read_rows(src) == [{"Société": "APROOL"}, {"Société": "BTP"}]
    assert read_table(path, sheet="comptes").sheet == "Comptes"


def test_xlsx_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", [["Nom"]], Comptes=[["Société"]])
    with pytest.raises(ImportFormatError) as caught:
        read_table(path, sheet="Compte")
    message = str(caught.value)
    assert str(path) in message and "'Contacts', 'Comptes'" in message
    assert "Did you mean 'Comptes'?" in message
    with pytest.raises(ImportFormatError, match="no sheet at index 5"):
        read_table(path, sheet=5)


def test_xlsx_trailing_empty_rows_and_columns_are_ignored(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Nom", "Ville", None])
    ws.append(["Blou", "Paris"])
    ws.append([])
    ws.append(["Roy", None])
    ws["Z200"] = "temporary"
    ws["Z200"] = None
    ws["AD60"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["C2"] = ""
    path = tmp_path / "wide.xlsx"
    book.save(path)
    src = read_table(path)
    assert src.columns == ("Nom", "Ville")
    chunk = src.read()
    assert chunk.frame.to_dict("records") == [
        {"Nom": "Blou", "Ville": "Paris"},
        {"Nom": "Roy", "Ville": None},
    ]
    assert chunk.lines.tolist() == [2, 4]


def test_xlsx_merged_and_blank_header_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Nom", "Adresse", None, None, "Nom"])
    ws.merge_cells("B1:C1")
    ws.append(["Blou", "3 rue X", "75001", "Paris", "bis"])
    path = tmp_path / "m.xlsx"
    book.save(path)
    assert read_table(path).columns == ("Nom", "Adresse", "column_3", "column_4", "Nom (2)")


def test_xlsx_chunks_header_row_and_ragged_cells(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["Titre"], ["N", "Carré"]] + [[i, i * i] for i in range(10)]
    path = workbook(tmp_path / "c.xlsx", [*rows, [10, 100, "stray note"]])
    with pytest.raises(ImportFormatError, match="row 13 has 3 cells but the header") as caught:
        list(iter_xlsx(path, chunk_rows=3, header_row=2))
    assert caught.value.line == 13 and str(path) in str(caught.value)
    chunks = list(iter_xlsx(path, chunk_rows=3, header_row=2, on_ragged="keep"))
    assert [c.lines.tolist() for c in chunks] == [[3, 4, 5], [6, 7, 8], [9, 10, 11], [12, 13]]
    assert [c.start_row for c in chunks] == [0, 3, 6, 9]
    assert chunks[-1].frame.to_dict("records") == [
        {"N": 9, "Carré": 81, "extra_1": None},
        {"N": 10, "Carré": 100, "extra_1": "stray note"},
    ]
    bare = read_table(path, header_row=0, skip_rows=2)  # width: the widest row seen
    assert bare.columns == ("column_1", "column_2", "column_3")
    assert bare.read().lines.tolist() == list(range(3, 14))


def test_xlsx_progress_bar_raises_no_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook(tmp_path / "p.xlsx", [["N"], *[[i] for i in range(30)]])
    chunks = list(iter_xlsx(path, chunk_rows=7, progress=True))
    assert [len(c) for c in chunks] == [7, 7, 7, 7, 2]
    capsys.readouterr()


def test_csv_renamed_xlsx_is_not_a_workbook(tmp_path: Path) -> None:
    path = write_file(tmp_path / "contacts.xlsx", "Nom,Ville\nBlou,Paris\n")
    with pytest.raises(ImportFormatError, match="not an Excel workbook") as caught:
        read_table(path)
    assert str(path) in str(caught.value)


def test_truncated_xlsx(tmp_path: Path) -> None:
    whole = workbook(tmp_path / "whole.xlsx", [["Nom"], *[[f"c{i}"] for i in range(500)]])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(ImportFormatError, match="damaged or truncated") as caught:
        read_table(cut)
    assert str(cut) in str(caught.value)


def test_zip_that_is_not_a_workbook_and_old_xls(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportFormatError, match="not an Excel workbook"):
        read_table(path)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(ImportFormatError, match=r"\.xls workbook"):
        read_table(old)


def test_empty_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "e.xlsx", [])
    with pytest.raises(ImportFormatError, match="has no rows"):
        read_table(path)


def test_shared_strings_workbook_is_a_valid_workbook(tmp_path: Path) -> None:
    sst = shared_strings(b"<si><t>Nom</t></si><si><t>Blou</t></si>")
    path = shared_strings_workbook(tmp_path / "ok.xlsx", sst)
    assert read_rows(read_table(path)) == [{"Nom": "Blou"}]


def test_xlsx_control_characters_are_read_whole(tmp_path: Path) -> None:
    # Excel stores control characters as _xHHHH_ escapes: the cell comes back whole.
    sst = shared_strings(b"<si><t>Nom</t></si><si><t>a_x0000_b_x001B_[31mc\t</t></si>")
    path = shared_strings_workbook(tmp_path / "ctl.xlsx", sst)
    assert read_rows(read_table(path)) == [{"Nom": "a_x0000_b_x001B_[31mc\t"}]


# -- the module's own functions ----------------------------------------------------------


def test_xlsx_header_cells_that_are_numbers_and_times(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "n.xlsx",
        [["Nom", 2024, 2.5], ["Blou", dt.time(9, 30), dt.datetime(2024, 1, 5, 0, 0)]],
    )
    src = read_table(path)
    assert src.columns == ("Nom", "2024", "2.5")
    assert src.read().frame.iloc[0].tolist() == ["Blou", dt.time(9, 30), dt.date(2024, 1, 5)]


def test_xlsx_header_row_options(tmp_path: Path) -> None:
    path = workbook(tmp_path / "h.xlsx", [["Titre"], [], ["Nom"], ["Blou"]])
    with pytest.raises(ImportFormatError, match="row 2 of sheet 'Contacts' is empty") as caught:
        read_table(path, header_row=2)
    assert caught.value.line == 2
    assert read_table(path, header_row=3).read().frame["Nom"].tolist() == ["Blou"]
    with pytest.raises(ImportFormatError, match="has no rows from row 9 on"):
        read_table(path, skip_rows=8)


def test_xlsx_sheet_argument(tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", [["Nom"], ["Blou"]], Comptes=[["Société"], ["APROOL"]])
    assert read_table(path, sheet=-1).sheet == "Comptes"
    with pytest.raises(ValidationError, match="sheet must be a name or a 0-based index"):
        read_table(path, sheet=True)
