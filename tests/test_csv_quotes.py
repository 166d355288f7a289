"""Quoted fields left open (crmkit._formats._csv_quotes): refused with the line they open on,
in the sample or in a later chunk; quoted line breaks that are not rows still read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from format_samples import (
    line_numbers,
    read_rows,
    write_file,
)

from crmkit._exceptions import ImportFormatError
from crmkit._formats import (
    Chunk,
    iter_csv,
    read_table,
)
from crmkit._formats._csv_quotes import (
    RowsInCell,
    check_sample_quotes,
    first_rows_in_cell,
    quote_line,
    rows_in_cell_error,
    unclosed_error,
)
from crmkit._formats._csv_sniff import Record, parse_records


def test_unterminated_quote_at_end_of_file(tmp_path: Path) -> None:
    text = 'Nom,Notes\nBlou,"ok"\nRoy,"commence\nmais ne finit pas\n'
    path = write_file(tmp_path / "cut.csv", text)
    with pytest.raises(ImportFormatError, match="never closed") as caught:
        read_table(path).read()
    assert caught.value.line == 3 and str(path) in str(caught.value)


def test_unterminated_quote_in_a_later_chunk(tmp_path: Path) -> None:
    # Past the 256 KiB read_table looks at: found by the chunk reader, with its line.
    rows = "".join(f'c{i},"a\nb"\n' for i in range(30_000))
    path = write_file(tmp_path / "cut.csv", "Nom,Notes\n" + rows + 'Roy,"ouvert\n')
    chunks: list[Chunk] = []
    with pytest.raises(ImportFormatError, match="never closed") as caught:
        chunks.extend(iter_csv(path, chunk_rows=10_000))
    assert caught.value.line == 60_002
    assert "'Roy,\"ouvert'" in str(caught.value)
    assert [int(c.lines[0]) for c in chunks] == [2, 20_002, 40_002]


def test_unterminated_quote_in_a_small_file_is_refused_before_any_row(tmp_path: Path) -> None:
    text = "Nom,Notes\n" + "".join(f'c{i},"a\nb"\n' for i in range(10)) + 'Roy,"ouvert\n'
    path = write_file(tmp_path / "cut.csv", text)
    with pytest.raises(ImportFormatError, match="never closed") as caught:
        read_table(path)
    assert caught.value.line == 22


# The example of issue #11: a quote opened in a note and never closed.
OPEN_QUOTE = 'Nom,Prénom,Notes\nDupont,Marc,"rappeler lundi\nMartin,Paul,ok\nDurand,Léa,ok\n'


def test_open_quote_reaching_the_end_of_the_file_is_refused(tmp_path: Path) -> None:
    path = write_file(tmp_path / "open.csv", OPEN_QUOTE)
    with pytest.raises(ImportFormatError, match="never closed") as caught:
        read_table(path)
    assert caught.value.line == 2
    assert "starts 'Dupont,Marc,\"rappeler lundi'" in str(caught.value)


def test_open_quote_closed_rows_later_is_refused(tmp_path: Path) -> None:
    # A later quoted field closes it: the rows in between would become one note.
    path = write_file(tmp_path / "open.csv", OPEN_QUOTE + 'Roy,Jean,"à voir"\n')
    with pytest.raises(ImportFormatError, match="look like whole rows") as caught:
        read_table(path)
    assert caught.value.line == 2 and "next 2 line(s)" in str(caught.value)
    assert "'Dupont,Marc,\"rappeler lundi'" in str(caught.value)


def test_open_quote_in_the_header_or_a_title_line_is_refused(tmp_path: Path) -> None:
    header = write_file(
        tmp_path / "h.csv", 'Nom,"Prénom,Notes\nDupont,Marc,x\nRoy,Léa,y\nA,B,"c"\n'
    )
    with pytest.raises(ImportFormatError, match="look like whole rows") as caught:
        read_table(header)
    assert caught.value.line == 1
    title = write_file(
        tmp_path / "t.csv", '"Export du 12/03\nNom;Prénom\nBlou;Marc\nRoy;Léa\nA;"B"\n'
    )
    with pytest.raises(ImportFormatError, match="look like whole rows") as caught:
        read_table(title)
    assert caught.value.line == 1


def test_open_quote_past_the_sample_is_found_by_the_chunk_reader(tmp_path: Path) -> None:
    body = "".join(f"Client {i},Paris,ok\n" for i in range(20_000))  # > 256 KiB
    tail = 'Dupont,Marc,"rappeler lundi\nMartin,Paul,ok\nDurand,Léa,ok\nRoy,Jean,"à voir"\n'
    path = write_file(tmp_path / "late.csv", "Nom,Ville,Notes\n" + body + tail)
    src = read_table(path)
    chunks: list[Chunk] = []
    with pytest.raises(ImportFormatError, match="look like whole rows") as caught:
        chunks.extend(src.chunks(chunk_rows=7_000))
    assert caught.value.line == 20_002
    assert "'Dupont,Marc,\"rappeler lundi'" in str(caught.value)
    assert sum(len(c) for c in chunks) == 14_000  # the chunks before it, none after


def test_multiline_quoted_cells_still_read(tmp_path: Path) -> None:
    text = (
        "Nom,Ville,Adresse,Notes\n"
        'Blou,Paris,"3, rue de la Paix\nBât. B, 2e étage\n75002 Paris","à rappeler\n\nlundi"\n'
        'Roy,Lyon,"1 place Bellecour\nLyon","dit: ""ok, mais\npas avant mai"""\n'
    )
    src = read_table(write_file(tmp_path / "ok.csv", text))
    assert read_rows(src)[0]["Adresse"] == "3, rue de la Paix\nBât. B, 2e étage\n75002 Paris"
    assert read_rows(src)[1]["Notes"] == 'dit: "ok, mais\npas avant mai"'
    assert line_numbers(src) == [2, 7]
    # Two columns, notes with one comma a line: not taken for rows on one line.
    two = write_file(
        tmp_path / "two.csv", 'Nom,Notes\nBlou,"Appel: lundi, 10h\nRdv: mardi, 9h\nok"\n'
    )
    assert read_rows(read_table(two))[0]["Notes"] == "Appel: lundi, 10h\nRdv: mardi, 9h\nok"


# -- the module's own functions ----------------------------------------------------------


def test_quote_line_counts_the_breaks_of_the_cells_before() -> None:
    record = Record(5, 9, ["a\nb", "c\nd\ne", "f"])
    assert [quote_line(record, i, "\n") for i in range(3)] == [5, 6, 8]


def test_errors_name_the_file_and_the_line() -> None:
    unclosed = unclosed_error("f.csv", 3, 'Roy,"ouvert')
    assert (unclosed.line, unclosed.path) == (3, "f.csv") and "never closed" in str(unclosed)
    rows = rows_in_cell_error("f.csv", 7, "Dupont", 2)
    assert rows.line == 7 and "next 2 line(s)" in str(rows) and "'Dupont'" in str(rows)


def test_check_sample_quotes() -> None:
    lines = [*OPEN_QUOTE.splitlines(keepends=True), 'Roy,Jean,"à voir"\n']
    records = parse_records(lines, 1, ",")
    names = ("Nom", "Prénom", "Notes")
    with pytest.raises(ImportFormatError, match=r"next 2 line\(s\)") as caught:
        check_sample_quotes(lines, 1, records, 0, names, ",", "\n", "f.csv")
    assert caught.value.line == 2
    cut = parse_records(lines[:3], 1, ",", mark_end=True)
    with pytest.raises(ImportFormatError, match="never closed") as caught:
        check_sample_quotes(lines[:3], 1, cut, 0, names, ",", "\n", "f.csv")
    assert caught.value.line == 2
    notes = ["Nom,Notes\n", 'Blou,"Appel: lundi, 10h\n', "Rdv: mardi, 9h\n", 'ok"\n']
    records = parse_records(notes, 1, ",")
    assert check_sample_quotes(notes, 1, records, 0, ("Nom", "Notes"), ",", "\n", "f.csv") is None


def test_first_rows_in_cell() -> None:
    cell = "rappeler lundi\nMartin,Paul,ok\nDurand,Léa,ok\nRoy,Jean,à voir"
    arrays = [
        np.array(["Blou", "Dupont"], dtype=object),
        np.array(["x", "Marc"], dtype=object),
        np.array(["ok", cell], dtype=object),
    ]
    broken = [(2, np.array([True, True]), np.array([0, 3]))]
    starts = np.array([2, 3])
    assert first_rows_in_cell(arrays, broken, starts, "\n", ",", frozenset({3})) == RowsInCell(3, 2)
    assert first_rows_in_cell(arrays, broken, starts, "\n", ",", frozenset()) == RowsInCell(3, 2)
    assert first_rows_in_cell(arrays, broken, starts, "\n", ";", frozenset({3})) is None
    assert first_rows_in_cell(arrays, [], starts, "\n", ",", frozenset({3})) is None
