"""How a CSV file is read (crmkit._formats._csv_layout): forced delimiter, header row, rows
skipped, no header, files with no rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from format_samples import (
    line_numbers,
    read_rows,
    write_file,
)

from crmkit._exceptions import ImportFormatError, ValidationError
from crmkit._formats import (
    read_table,
)
from crmkit._formats._csv_layout import csv_layout, text_from_line


def test_forced_delimiter(tmp_path: Path) -> None:
    path = write_file(tmp_path / "c.csv", "Nom;Notes,x\nBlou;a,b\n")
    assert read_table(path).columns == ("Nom;Notes", "x")  # a tie: "," is preferred
    src = read_table(path, delimiter=";")
    assert src.columns == ("Nom", "Notes,x")
    assert read_rows(src) == [{"Nom": "Blou", "Notes,x": "a,b"}]
    with pytest.raises(ValidationError, match="delimiter"):
        read_table(path, delimiter=";;")


def test_header_row_skip_rows_and_no_header(tmp_path: Path) -> None:
    text = "1;2;3\nNom;Ville;CP\nBlou;Paris;75001\n"
    path = write_file(tmp_path / "h.csv", text)
    assert read_table(path, header_row=2).columns == ("Nom", "Ville", "CP")
    assert read_table(path, skip_rows=1).header_line == 2
    bare = read_table(path, header_row=0, skip_rows=2)
    assert bare.columns == ("column_1", "column_2", "column_3")
    assert bare.header_line is None
    assert read_rows(bare) == [{"column_1": "Blou", "column_2": "Paris", "column_3": "75001"}]
    assert line_numbers(bare) == [3]


def test_empty_and_blank_files(tmp_path: Path) -> None:
    empty = write_file(tmp_path / "empty.csv", "")
    with pytest.raises(ImportFormatError, match="empty") as caught:
        read_table(empty)
    assert str(empty) in str(caught.value)
    with pytest.raises(ImportFormatError, match="only blank lines"):
        read_table(write_file(tmp_path / "blank.csv", "\n\r\n\n"))


# -- the module's own functions ----------------------------------------------------------


def _layout(path: Path, **options: Any) -> Any:
    arguments: dict[str, Any] = {
        "encoding": None,
        "delimiter": None,
        "header_row": None,
        "skip_rows": 0,
        "on_ragged": "error",
    }
    return csv_layout(path, **(arguments | options))


def test_layout_below_a_title_line(tmp_path: Path) -> None:
    path = write_file(tmp_path / "t.csv", "Export\n\nNom;Ville\nBlou;Paris;x\nRoy;Lyon\n")
    layout = _layout(path)
    assert (layout.delimiter, layout.newline, layout.columns) == (";", "\n", ("Nom", "Ville"))
    assert (layout.header_line, layout.data_line, layout.extra_slots) == (3, 4, 1)
    assert layout.row_widths == frozenset({2}) and layout.notes == ()
    assert (layout.encoding.name, layout.on_ragged) == ("utf-8", "error")


def test_a_tsv_file_prefers_tabs_on_a_tie(tmp_path: Path) -> None:
    text = "Nom,Ville\tCP\nBlou,Paris\t75001\n"
    assert _layout(write_file(tmp_path / "a.csv", text)).delimiter == ","
    assert _layout(write_file(tmp_path / "a.tsv", text)).delimiter == "\t"


def test_a_delimiter_must_be_one_character_and_not_a_quote(tmp_path: Path) -> None:
    path = write_file(tmp_path / "c.csv", "a,b\n1,2\n")
    for bad in ('"', "\n", ""):
        with pytest.raises(ValidationError, match="delimiter"):
            _layout(path, delimiter=bad)


def test_a_blank_header_row_and_rows_skipped_past_the_end(tmp_path: Path) -> None:
    path = write_file(tmp_path / "c.csv", "Titre\n\nNom\nBlou\n")
    with pytest.raises(ImportFormatError, match="header row asked for") as caught:
        _layout(path, header_row=2)
    assert caught.value.line == 2
    with pytest.raises(ImportFormatError, match="no rows from line 6 on"):
        _layout(path, skip_rows=5)


def test_text_from_line(tmp_path: Path) -> None:
    path = write_file(tmp_path / "c.csv", "a\nb\nc\n")
    enc = _layout(path).encoding
    assert text_from_line(path, enc, "\n", 2) == (["b\n", "c\n"], True)
    assert text_from_line(path, enc, "\n", 9) == ([], True)
