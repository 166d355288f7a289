"""Delimiters (crmkit._formats._csv_sniff): records cut from sample lines, the delimiter
that splits them best, quotes respected.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from format_samples import (
    read_rows,
    write_file,
)

from crmkit._formats import (
    read_table,
    sniff_delimiter,
)
from crmkit._formats._csv_sniff import parse_records, row_width, sniff


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    rows = [
        ["Nom", "Adresse", "Montant"],
        ["Blou", "3, rue de la Paix; bât. B", "1 200,50"],
        ["Roy", "1 place Bellecour | Lyon", "99"],
        ["Durand", "", "12\t3"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path = write_file(tmp_path / "d.csv", buffer.getvalue())
    src = read_table(path)
    assert src.delimiter == delimiter
    assert src.columns == ("Nom", "Adresse", "Montant")
    assert [list(r.values()) for r in read_rows(src)] == [
        ["Blou", "3, rue de la Paix; bât. B", "1 200,50"],
        ["Roy", "1 place Bellecour | Lyon", "99"],
        ["Durand", None, "12\t3"],
    ]


def test_sniff_delimiter_ignores_delimiters_inside_quotes() -> None:
    text = 'Nom,Note\n"Blou; Hélène","a;b;c"\n"Roy; Léa","d;e"\n'
    assert sniff_delimiter(text) == ","
    assert sniff_delimiter("Nom|Ville\nBlou|Paris\n") == "|"


# -- the module's own functions ----------------------------------------------------------


def test_parse_records_keeps_the_lines_each_record_spans() -> None:
    lines = ["Nom,Notes\n", 'Blou,"a\n', 'b"\n', ",\n", "Roy,c\n"]
    records = parse_records(lines, 10, ",")
    assert [(r.first_line, r.last_line, r.cells) for r in records] == [
        (10, 10, ["Nom", "Notes"]),
        (11, 12, ["Blou", "a\nb"]),
        (13, 13, ["", ""]),
        (14, 14, ["Roy", "c"]),
    ]
    assert [r.blank for r in records] == [False, False, True, False]
    assert not any(r.unclosed for r in records)


def test_parse_records_marks_a_record_cut_inside_quotes() -> None:
    lines = ["Nom,Notes\n", 'Blou,"ouvert\n', "Roy,x\n"]
    # The csv module says nothing when the text ends inside quotes: only the mark tells.
    plain = parse_records(lines, 1, ",")
    assert [r.cells for r in plain] == [["Nom", "Notes"], ["Blou", "ouvert\nRoy,x\n"]]
    assert not any(r.unclosed for r in plain)
    records = parse_records(lines, 1, ",", mark_end=True)
    assert [r.unclosed for r in records] == [False, True]
    assert records[1].cells == ["Blou", "ouvert\nRoy,x\n"]
    assert (records[1].first_line, records[1].last_line) == (2, 3)


def test_row_width_is_the_usual_width_of_one_line_records() -> None:
    records = parse_records(["a,b,c\n", "1,2,3\n", "x\n", '1,"2\n', '2",3\n', "4,5\n"], 1, ",")
    assert row_width(records) == 3
    assert row_width(parse_records(["a\n", "b\n"], 1, ",")) == 0
    assert row_width([]) == 0


def test_sniff_breaks_ties_with_the_preferred_delimiter() -> None:
    lines = ["a,b;c\n", "1,2;3\n"]
    assert sniff(lines) == ","
    assert sniff(lines, preferred=";") == ";"
    assert sniff(["Nom\n", "Blou\n"], preferred="\t") == "\t"
    assert sniff(["a;b;c\n", "1;2;3\n", "4,5;6;7\n"]) == ";"
