"""The header of a table of raw cells (crmkit._formats._header): found below title lines,
named uniquely, trailing empty cells trimmed.
"""

from __future__ import annotations

from pathlib import Path

from format_samples import (
    line_numbers,
    read_rows,
    write_file,
)

from crmkit._formats import (
    read_table,
)
from crmkit._formats._header import pick_header, trim, unique_names


def test_header_after_a_title_line_and_a_blank_line(tmp_path: Path) -> None:
    text = "Export des contacts du 12/03/2024\n\nNom;Prénom;Email\nBlou;Hélène;hb@x.fr\n"
    src = read_table(write_file(tmp_path / "t.csv", text))
    assert (src.header_line, src.columns) == (3, ("Nom", "Prénom", "Email"))
    assert line_numbers(src) == [4]


def test_title_line_padded_with_delimiters_like_excel_writes_it(tmp_path: Path) -> None:
    text = "Liste clients;;;\n;;;\nNom;Ville;CA;Effectif\nAPROOL;Paris;4200000;85\nBTP;;12;\n"
    src = read_table(write_file(tmp_path / "t.csv", text))
    assert src.header_line == 3
    assert read_rows(src)[1] == {"Nom": "BTP", "Ville": None, "CA": "12", "Effectif": None}


def test_repeated_and_blank_header_names(tmp_path: Path) -> None:
    path = write_file(tmp_path / "h.csv", "Email, Email ,,Nom,Email\na@x.fr,b@x.fr,?,Blou,c@x.fr\n")
    src = read_table(path)
    assert src.columns == ("Email", "Email (2)", "column_3", "Nom", "Email (3)")


# -- the module's own functions ----------------------------------------------------------


def test_unique_names() -> None:
    assert unique_names(["", "  ", 7, "Nom", "nom"]) == [
        "column_1",
        "column_2",
        "7",
        "Nom",
        "nom",
    ]
    assert unique_names(["A", "A", "A (2)", "A"]) == ["A", "A (3)", "A (2)", "A (4)"]
    assert unique_names([]) == []


def test_pick_header_skips_titles_and_rows_of_numbers() -> None:
    assert pick_header([["12", "3,5"], ["Nom", "Ville"], ["Blou", "Paris"]]) == 1
    assert pick_header([["Export"], [None, ""], ["Nom", "Ville", None], ["a", "b", "c"]]) == 2
    # No record looks like labels: the first one wide enough.
    assert pick_header([["1"], ["1", "2"], ["3", "4"]]) == 1
    # A table of one column: one cell is enough.
    assert pick_header([["Nom"], ["Blou"]]) == 0


def test_trim_drops_only_trailing_empty_cells() -> None:
    assert trim(["a", None, "", "b", "", None]) == ["a", None, "", "b"]
    assert trim([None, ""]) == []
    assert trim([" "]) == [" "]
