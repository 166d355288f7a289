"""The CSV chunk reader (crmkit._formats._csv_reader): cells and line numbers, quoted line
breaks, blank lines, raw values, ragged rows far down, chunks, and a round-trip property.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from format_samples import (
    line_numbers,
    read_rows,
    write_file,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit._exceptions import ImportFormatError
from crmkit._formats import (
    Chunk,
    iter_csv,
    read_table,
)
from crmkit._formats._csv_reader import csv_source


def test_quoted_fields_with_delimiters_quotes_and_newlines(tmp_path: Path) -> None:
    text = (
        "Nom,Notes,Ville\r\n"
        'Blou,"Rappeler lundi\r\nà 10h, ""urgent""",Paris\r\n'
        "Roy,,Lyon\r\n"
        'Durand,"trois\nlignes\nici",Nice\r\n'
        "Petit,simple,Caen\r\n"
    )
    path = write_file(tmp_path / "q.csv", text)
    src = read_table(path)
    rows = read_rows(src)
    assert rows[0]["Notes"] == 'Rappeler lundi\r\nà 10h, "urgent"'
    assert rows[2]["Notes"] == "trois\nlignes\nici"
    assert line_numbers(src) == [2, 4, 5, 8]
    # The same lines when every record comes in its own chunk.
    per_chunk = [int(c.lines[0]) for c in src.chunks(chunk_rows=1)]
    assert per_chunk == [2, 4, 5, 8]


def test_old_mac_files_end_lines_with_cr(tmp_path: Path) -> None:
    path = write_file(
        tmp_path / "mac.csv", 'Nom;Ville\rBlou;"Saint-\rÉtienne"\rRoy;Lyon\r', "cp1252"
    )
    src = read_table(path)
    assert read_rows(src)[0]["Ville"] == "Saint-\rÉtienne"
    assert line_numbers(src) == [2, 4]


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    path = write_file(tmp_path / "b.csv", "Nom,Ville\n\nBlou,Paris\n,\n\nRoy,Lyon\n\n")
    src = read_table(path)
    assert [r["Nom"] for r in read_rows(src)] == ["Blou", "Roy"]
    assert line_numbers(src) == [3, 6]


def test_raw_values_are_not_parsed(tmp_path: Path) -> None:
    path = write_file(tmp_path / "v.csv", "a,b,c,d,e,f\n 007 ,NA,1e3,TRUE,2024-01-05,#N/A\n")
    assert list(read_rows(read_table(path))[0].values()) == [
        " 007 ",
        "NA",
        "1e3",
        "TRUE",
        "2024-01-05",
        "#N/A",
    ]


def test_short_rows_are_padded_and_trailing_empty_cells_ignored(tmp_path: Path) -> None:
    path = write_file(tmp_path / "r.csv", "Nom,Ville,CP\nBlou\nRoy,Lyon,69001,,\n")
    assert read_rows(read_table(path)) == [
        {"Nom": "Blou", "Ville": None, "CP": None},
        {"Nom": "Roy", "Ville": "Lyon", "CP": "69001"},
    ]


def test_ragged_row_far_beyond_the_sample(tmp_path: Path) -> None:
    body = "".join(f"Client {i},Paris\n" for i in range(30_000))
    text = "Nom,Ville\n" + body + "Roy,Lyon,a,b,c,d,e\nDurand,Nice\n"
    path = write_file(tmp_path / "far.csv", text)
    with pytest.raises(ImportFormatError, match="7 cells but the header has 2") as caught:
        list(iter_csv(path, chunk_rows=10_000))
    assert caught.value.line == 30_002
    chunks = list(iter_csv(path, chunk_rows=10_000, on_ragged="keep"))
    assert sum(len(c) for c in chunks) == 30_002
    last = chunks[-1].frame
    assert last.columns.tolist() == ["Nom", "Ville", *(f"extra_{i}" for i in range(1, 6))]
    assert last.iloc[-2].tolist() == ["Roy", "Lyon", "a", "b", "c", "d", "e"]
    assert chunks[-1].lines[-2:].tolist() == [30_002, 30_003]
    assert "extra_1" not in chunks[0].frame.columns
    table = read_table(path, on_ragged="keep").read()
    assert table.frame["extra_5"].tolist()[-2:] == ["e", None]


def test_chunk_rows_3_over_10_rows(tmp_path: Path) -> None:
    text = "Nom,N\n" + "".join(f"c{i},{i}\n" for i in range(10))
    chunks = list(iter_csv(write_file(tmp_path / "c.csv", text), chunk_rows=3))
    assert [len(c) for c in chunks] == [3, 3, 3, 1]
    assert [c.start_row for c in chunks] == [0, 3, 6, 9]
    assert np.concatenate([c.lines for c in chunks]).tolist() == list(range(2, 12))
    assert chunks[1].frame.index.tolist() == [3, 4, 5]
    assert pd.concat([c.frame for c in chunks])["N"].tolist() == [str(i) for i in range(10)]
    assert all(isinstance(c, Chunk) and c.frame.dtypes.eq(object).all() for c in chunks)
    assert repr(chunks[0]) == "Chunk(3 rows from row 0, lines 2-4)"


def test_progress_bar_raises_no_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "Nom,N\n" + "".join(f"c{i},{i}\n" for i in range(50))
    chunks = list(iter_csv(write_file(tmp_path / "c.csv", text), chunk_rows=20, progress=True))
    assert sum(len(c) for c in chunks) == 50
    capsys.readouterr()


def test_open_quote_on_the_first_row_of_a_big_file_is_an_import_format_error(
    tmp_path: Path,
) -> None:
    # pandas reports it while making its reader, which used to let a ParserError escape.
    body = "".join(f"Client {i},Paris,ok\n" for i in range(20_000))
    path = write_file(tmp_path / "first.csv", 'Nom,Ville,Notes\nDupont,Marc,"rappeler\n' + body)
    with pytest.raises(ImportFormatError, match="never closed") as caught:
        read_table(path).read()
    assert caught.value.line == 2


def test_nul_bytes_and_escape_sequences_are_cell_content(tmp_path: Path) -> None:
    path = tmp_path / "ctl.csv"
    path.write_bytes(b'Nom,Notes\nA\x00B,x\x1b[31my\n"C\x00\nD",z\x00\nE,f\n')
    src = read_table(path)
    assert src.read().frame.values.tolist() == [
        ["A\x00B", "x\x1b[31my"],
        ["C\x00\nD", "z\x00"],
        ["E", "f"],
    ]
    assert line_numbers(src) == [2, 3, 5]


_SPECIAL = [",", ";", "\t", "|", '"', "\n", "\r\n", " ", "'", "\\"]


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


_CP1252_ALPHABET = [chr(i) for i in range(0x20, 0x2030) if _encodes(chr(i), "cp1252")]
_CP1252_ALPHABET = [c for c in _CP1252_ALPHABET if c.isprintable()] + ["€", "œ", "Œ", "…"]


_TEXT_CHARS = st.characters(
    blacklist_categories=("Cs", "Cc"),  # no surrogates, no control characters ...
    blacklist_characters="\u2028\u2029\x85\ufeff",
)


_WORDS = ["Hélène", "Besançon", "œuvre", "5 €", "客户名称", "华为", "Zürich", "São"]


@st.composite
def _tables(draw: st.DrawFn) -> tuple[list[list[str]], str, str]:
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "cp1252"]))
    letters = st.sampled_from(_CP1252_ALPHABET) if encoding == "cp1252" else _TEXT_CHARS
    piece = st.one_of(
        st.text(letters, max_size=6),
        st.sampled_from(_SPECIAL),
        st.sampled_from([w for w in _WORDS if _encodes(w, encoding)]),
    )
    cell = st.lists(piece, max_size=4).map("".join)
    width = draw(st.integers(min_value=2, max_value=5))
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=12))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    return rows, delimiter, encoding


@settings(
    max_examples=examples(80),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(table=_tables(), chunk_rows=st.integers(min_value=1, max_value=5))
def test_property_csv_round_trip(
    tmp_path: Path, table: tuple[list[list[str]], str, str], chunk_rows: int
) -> None:
    rows, delimiter, encoding = table
    header = [f"champ_{i + 1}" for i in range(len(rows[0]) if rows else 2)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    expected_rows, expected_lines = [], []
    line = 2
    for row in rows:
        start = buffer.tell()
        writer.writerow(row)
        written = buffer.getvalue()[start:]
        if any(row):
            expected_rows.append([v if v != "" else None for v in row])
            expected_lines.append(line)
        line += written.count("\n")
    path = tmp_path / "prop.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    # Detection is exercised on UTF-8; arbitrary 8-bit text is ambiguous, so it is forced.
    forced = encoding if encoding in ("gb18030", "cp1252") else None
    src = read_table(path, encoding=forced)
    assert src.delimiter == delimiter
    assert src.encoding == encoding
    assert src.columns == tuple(header)
    chunks = list(src.chunks(chunk_rows=chunk_rows))
    got_rows = [r for c in chunks for r in c.frame.values.tolist()]
    got_lines = [int(v) for c in chunks for v in c.lines]
    assert got_rows == expected_rows
    assert got_lines == expected_lines
    assert all(0 < len(c) <= chunk_rows for c in chunks)


# -- the module's own functions ----------------------------------------------------------


def test_csv_source_describes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(("Nom;Ville\n" + "Zoé;Zürich\n" * 3).encode() + "Noël;Lyon\n".encode("cp1252"))
    src = csv_source(
        path, encoding=None, delimiter=None, header_row=None, skip_rows=0, on_ragged="error"
    )
    assert (src.kind, src.path, src.encoding, src.delimiter, src.header_line) == (
        "csv",
        str(path),
        "utf-8",
        ";",
        1,
    )
    assert (src.line_label, src.columns, [w[0] for w in src.warnings]) == (
        "line",
        ("Nom", "Ville"),
        [5],
    )
    chunks = list(src.chunks(chunk_rows=2))
    assert [c.lines.tolist() for c in chunks] == [[2, 3], [4, 5]]
    assert chunks[1].frame.values.tolist() == [["Zoé", "Zürich"], ["Noël", "Lyon"]]


def test_a_utf16_file_is_read_in_chunks_with_its_lines(tmp_path: Path) -> None:
    text = "Nom\tNotes\r\n" + "".join(f'c{i}\t"a\r\nb"\r\n' for i in range(5))
    path = write_file(tmp_path / "u.txt", text, "utf-16")
    chunks = list(read_table(path).chunks(chunk_rows=2))
    assert [c.lines.tolist() for c in chunks] == [[2, 4], [6, 8], [10]]
    assert chunks[0].frame["Notes"].tolist() == ["a\r\nb", "a\r\nb"]
