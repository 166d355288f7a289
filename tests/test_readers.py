"""File readers: CSV encodings, delimiters, quoting, headers, XLSX, DataFrames, bad files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples
from openpyxl.styles import PatternFill

from crmkit._exceptions import ImportFormatError, UnknownValueError, ValidationError
from crmkit._formats import (
    Chunk,
    TableSource,
    detect_encoding,
    detect_format,
    iter_csv,
    iter_xlsx,
    read_table,
    sniff_delimiter,
)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _rows(source: TableSource | Any, **options: Any) -> list[dict[str, Any]]:
    chunk = source.read(**options)
    return [dict(r) for r in chunk.frame.to_dict("records")]


def _lines(source: TableSource) -> list[int]:
    return [int(v) for v in source.read().lines]


# --------------------------------------------------------------------------------------
# CSV encodings
# --------------------------------------------------------------------------------------

FRENCH = (
    "Nom;Prénom;Société;Ville;Notes\n"
    "Blou;Hélène;Crème & Cie;Besançon;œuvre d'art, 5 €\n"
    "Lefèvre;Françoise;Gâteaux Noël;Orléans;très bien\n"
)
CHINESE = (
    "客户名称,联系人,城市,电话\n华为技术有限公司,张伟,深圳,0755-28780808\n阿里巴巴,李娜,杭州,\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_with_and_without_bom(tmp_path: Path, encoding: str) -> None:
    path = _write(tmp_path / "c.csv", "Nom,Prénom,Ville\nBlou,Hélène,Zürich\n", encoding)
    src = read_table(path)
    assert src.encoding == encoding
    assert src.columns == ("Nom", "Prénom", "Ville")  # no BOM glued to the first name
    assert _rows(src) == [{"Nom": "Blou", "Prénom": "Hélène", "Ville": "Zürich"}]
    assert detect_encoding(path) == encoding


def test_cp1252_french_excel_export(tmp_path: Path) -> None:
    path = _write(tmp_path / "fr.csv", FRENCH, "cp1252")
    src = read_table(path)
    assert (src.encoding, src.delimiter, src.header_line) == ("cp1252", ";", 1)
    rows = _rows(src)
    assert rows[0]["Notes"] == "œuvre d'art, 5 €"
    assert rows[1] == {
        "Nom": "Lefèvre",
        "Prénom": "Françoise",
        "Société": "Gâteaux Noël",
        "Ville": "Orléans",
        "Notes": "très bien",
    }


def test_gb18030_chinese_excel_export(tmp_path: Path) -> None:
    path = _write(tmp_path / "zh.csv", CHINESE, "gb18030")
    src = read_table(path)
    assert (src.encoding, src.delimiter) == ("gb18030", ",")
    assert src.columns == ("客户名称", "联系人", "城市", "电话")
    assert _rows(src)[1] == {"客户名称": "阿里巴巴", "联系人": "李娜", "城市": "杭州", "电话": None}


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Nom;Prénom\nBlou;Hélène\n", "cp1252"),
        ("Ville\nOrléans\n", "cp1252"),
        ("Société,Ville\nCafé Crème,Besançon\n", "cp1252"),
        ("Nom\nNoël\n", "cp1252"),
        ("Prix\n5 €\n", "cp1252"),
        ("客户名称\n华为\n", "gb18030"),
        ("城市\n北京\n", "gb18030"),
        ("名称,电话\n张伟,138\n", "gb18030"),
        ("公司\n腾讯科技（深圳）有限公司\n", "gb18030"),
    ],
)
def test_short_files_are_not_confused(tmp_path: Path, text: str, encoding: str) -> None:
    # charset-normalizer alone calls short GBK text Korean and short French text Chinese.
    path = _write(tmp_path / "short.csv", text, encoding)
    assert detect_encoding(path) == encoding
    header, value = text.splitlines()[0], text.splitlines()[1]
    src = read_table(path)
    assert ",".join(src.columns).replace(";", ",") == header.replace(";", ",")
    assert list(_rows(src)[0].values()) == value.replace(";", ",").split(",")


def test_latin_bytes_far_down_a_file_that_starts_as_ascii(tmp_path: Path) -> None:
    body = "".join(f"Client {i},Paris\n" for i in range(20_000))  # > 256 KiB of ASCII
    path = _write(tmp_path / "late.csv", "Nom,Ville\n" + body + "Hélène,Besançon\n", "cp1252")
    src = read_table(path)
    assert src.encoding == "cp1252"
    last = list(src.chunks(chunk_rows=7_000))[-1]
    assert last.frame.iloc[-1].tolist() == ["Hélène", "Besançon"]
    assert int(last.lines[-1]) == 20_002


def test_bytes_undefined_in_cp1252_fall_back_to_latin1(tmp_path: Path) -> None:
    path = tmp_path / "l1.csv"
    path.write_bytes("Nom;Note\nHélène;ok\n".encode("latin-1") + b"Roy;\x81\n")
    src = read_table(path)
    assert src.encoding == "latin-1"
    assert [r["Nom"] for r in _rows(src)] == ["Hélène", "Roy"]


def test_chinese_file_with_a_western_line_far_down(tmp_path: Path) -> None:
    head = ("客户名称,城市\n" + "华为技术有限公司,深圳市南山区\n" * 3000).encode("gb18030")
    path = tmp_path / "mixed.csv"
    path.write_bytes(head + "Café Crème,Besançon\n".encode("cp1252"))  # "é " is not GB18030
    with pytest.raises(ImportFormatError, match="not valid gb18030") as caught:
        read_table(path)
    assert caught.value.line == 3002
    assert str(path) in str(caught.value)


# A UTF-8 export with one row pasted from a cp1252 file (issue #11).
MIXED_ROWS = "".join(f"Hélène {i},Besançon\n" for i in range(999))


def test_stray_cp1252_line_in_a_utf8_file_is_repaired_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(("Nom,Ville\n" + MIXED_ROWS).encode() + b"H\xe9l\xe8ne,Orl\xe9ans\n")
    src = read_table(path)
    assert src.encoding == "utf-8" and detect_encoding(path) == "utf-8"
    rows = _rows(src)
    # The UTF-8 rows stay exact (no "HÃ©lÃ¨ne"); the stray line is read as cp1252.
    assert rows[0] == {"Nom": "Hélène 0", "Ville": "Besançon"}
    assert rows[-1] == {"Nom": "Hélène", "Ville": "Orléans"}
    assert len(rows) == 1000 and _lines(src)[-1] == 1001
    [(line, field, value, message)] = src.warnings
    assert (line, field, value) == (1001, "encoding", "Hélène,Orléans")
    assert "line 1001" in message and "0xE9" in message and "cp1252" in message


def test_stray_lines_in_chunks_far_down_and_with_a_bom(tmp_path: Path) -> None:
    body = "".join(f"Zoé {i};Zürich\n" for i in range(30_000))  # several 1 MiB blocks
    data = ("\ufeffNom;Ville\n" + body).encode()
    cut = data.index(b"Zo\xc3\xa9 20000;")
    path = tmp_path / "bom.csv"
    path.write_bytes(data[:cut] + "Noël;Lyon\n".encode("cp1252") + data[cut:])
    src = read_table(path)
    assert (src.encoding, src.columns) == ("utf-8-sig", ("Nom", "Ville"))
    chunks = list(src.chunks(chunk_rows=7_000))
    frame = pd.concat([c.frame for c in chunks])
    lines = np.concatenate([c.lines for c in chunks])
    assert frame.iloc[20_000].tolist() == ["Noël", "Lyon"] and lines[20_000] == 20_002
    assert frame.iloc[20_001].tolist() == ["Zoé 20000", "Zürich"]
    assert [w[0] for w in src.warnings] == [20_002]


def test_stray_gb18030_line_and_a_line_no_legacy_code_page_reads(tmp_path: Path) -> None:
    path = tmp_path / "zh.csv"
    path.write_bytes(
        ("Nom,Ville\n" + MIXED_ROWS).encode()
        + "华为技术,深圳\n".encode("gb18030")
        + b"No\xebl \x81,Lyon\n"  # 0x81 is no cp1252 character: Latin-1 keeps the bytes
    )
    src = read_table(path)
    rows = _rows(src)
    assert rows[-2] == {"Nom": "华为技术", "Ville": "深圳"}
    assert rows[-1] == {"Nom": "Noël \x81", "Ville": "Lyon"}
    assert [(w[0], w[3].split("read as ")[1][:7]) for w in src.warnings] == [
        (1001, "gb18030"),
        (1002, "latin-1"),
    ]


def test_a_legacy_file_is_still_read_whole_with_its_code_page(tmp_path: Path) -> None:
    # No UTF-8 character at all: a cp1252 file, read as one, with no warning.
    path = _write(tmp_path / "fr.csv", FRENCH * 50, "cp1252")
    src = read_table(path)
    assert src.encoding == "cp1252" and src.warnings == ()


def test_utf8_file_cut_inside_its_last_character_says_so(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_bytes("Nom,Ville\nBlou,Besançon\nRoy,Orlé".encode()[:-1])
    src = read_table(path)
    assert _rows(src)[-1] == {"Nom": "Roy", "Ville": "Orl\ufffd"}
    [(line, field, _, message)] = src.warnings
    assert (line, field) == (3, "encoding") and "cut short" in message


def test_cyrillic_cp1251_is_left_to_charset_normalizer(tmp_path: Path) -> None:
    text = "Имя;Город;Компания\nИван;Москва;Ромашка\nОльга;Санкт-Петербург;Вектор\n"
    path = _write(tmp_path / "ru.csv", text * 5, "cp1251")
    src = read_table(path)
    assert src.encoding == "cp1251"
    assert src.columns == ("Имя", "Город", "Компания")


def test_utf16_unicode_text_from_excel(tmp_path: Path) -> None:
    # Excel's "Unicode Text" export: UTF-16 with a BOM, tab separated.
    path = _write(tmp_path / "u.txt", "Nom\tVille\r\nBlou\tSão Paulo\r\n李\t北京\r\n", "utf-16")
    src = read_table(path)
    assert (src.encoding, src.delimiter) == ("utf-16", "\t")
    assert _rows(src) == [{"Nom": "Blou", "Ville": "São Paulo"}, {"Nom": "李", "Ville": "北京"}]
    assert _lines(src) == [2, 3]


def test_forced_encoding_is_used(tmp_path: Path) -> None:
    path = _write(tmp_path / "fr.csv", FRENCH, "cp1252")
    src = read_table(path, encoding="latin-1")
    assert src.encoding == "iso8859-1"
    assert _rows(src)[0]["Prénom"] == "Hélène"


def test_forced_encoding_that_fails_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "fr.csv", FRENCH, "cp1252")
    with pytest.raises(ImportFormatError) as caught:
        read_table(path, encoding="utf-8")
    assert caught.value.line == 1  # "Prénom" in the header
    assert str(path) in str(caught.value) and "not valid utf-8" in str(caught.value)
    text = "Nom,Ville\nBlou,Paris\nRoy,Lyon\nNoël,Orléans\n"
    path = _write(tmp_path / "late.csv", text, "cp1252")
    with pytest.raises(ImportFormatError, match=r"line 4: byte 0xEB") as caught:
        read_table(path, encoding="utf-8")
    assert caught.value.line == 4


def test_unknown_encoding_name(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.csv", "a,b\n1,2\n")
    with pytest.raises(ImportFormatError, match="unknown encoding 'klingon'"):
        read_table(path, encoding="klingon")


# --------------------------------------------------------------------------------------
# Delimiters, quoting, line numbers
# --------------------------------------------------------------------------------------


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
    path = _write(tmp_path / "d.csv", buffer.getvalue())
    src = read_table(path)
    assert src.delimiter == delimiter
    assert src.columns == ("Nom", "Adresse", "Montant")
    assert [list(r.values()) for r in _rows(src)] == [
        ["Blou", "3, rue de la Paix; bât. B", "1 200,50"],
        ["Roy", "1 place Bellecour | Lyon", "99"],
        ["Durand", None, "12\t3"],
    ]


def test_sniff_delimiter_ignores_delimiters_inside_quotes() -> None:
    text = 'Nom,Note\n"Blou; Hélène","a;b;c"\n"Roy; Léa","d;e"\n'
    assert sniff_delimiter(text) == ","
    assert sniff_delimiter("Nom|Ville\nBlou|Paris\n") == "|"


def test_forced_delimiter(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.csv", "Nom;Notes,x\nBlou;a,b\n")
    assert read_table(path).columns == ("Nom;Notes", "x")  # a tie: "," is preferred
    src = read_table(path, delimiter=";")
    assert src.columns == ("Nom", "Notes,x")
    assert _rows(src) == [{"Nom": "Blou", "Notes,x": "a,b"}]
    with pytest.raises(ValidationError, match="delimiter"):
        read_table(path, delimiter=";;")


def test_quoted_fields_with_delimiters_quotes_and_newlines(tmp_path: Path) -> None:
    text = (
        "Nom,Notes,Ville\r\n"
        'Blou,"Rappeler lundi\r\nà 10h, ""urgent""",Paris\r\n'
        "Roy,,Lyon\r\n"
        'Durand,"trois\nlignes\nici",Nice\r\n'
        "Petit,simple,Caen\r\n"
    )
    path = _write(tmp_path / "q.csv", text)
    src = read_table(path)
    rows = _rows(src)
    assert rows[0]["Notes"] == 'Rappeler lundi\r\nà 10h, "urgent"'
    assert rows[2]["Notes"] == "trois\nlignes\nici"
    assert _lines(src) == [2, 4, 5, 8]
    # The same lines when every record comes in its own chunk.
    per_chunk = [int(c.lines[0]) for c in src.chunks(chunk_rows=1)]
    assert per_chunk == [2, 4, 5, 8]


def test_old_mac_files_end_lines_with_cr(tmp_path: Path) -> None:
    path = _write(tmp_path / "mac.csv", 'Nom;Ville\rBlou;"Saint-\rÉtienne"\rRoy;Lyon\r', "cp1252")
    src = read_table(path)
    assert _rows(src)[0]["Ville"] == "Saint-\rÉtienne"
    assert _lines(src) == [2, 4]


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    path = _write(tmp_path / "b.csv", "Nom,Ville\n\nBlou,Paris\n,\n\nRoy,Lyon\n\n")
    src = read_table(path)
    assert [r["Nom"] for r in _rows(src)] == ["Blou", "Roy"]
    assert _lines(src) == [3, 6]


def test_raw_values_are_not_parsed(tmp_path: Path) -> None:
    path = _write(tmp_path / "v.csv", "a,b,c,d,e,f\n 007 ,NA,1e3,TRUE,2024-01-05,#N/A\n")
    assert list(_rows(read_table(path))[0].values()) == [
        " 007 ",
        "NA",
        "1e3",
        "TRUE",
        "2024-01-05",
        "#N/A",
    ]


# --------------------------------------------------------------------------------------
# Header detection and overrides
# --------------------------------------------------------------------------------------


def test_header_after_a_title_line_and_a_blank_line(tmp_path: Path) -> None:
    text = "Export des contacts du 12/03/2024\n\nNom;Prénom;Email\nBlou;Hélène;hb@x.fr\n"
    src = read_table(_write(tmp_path / "t.csv", text))
    assert (src.header_line, src.columns) == (3, ("Nom", "Prénom", "Email"))
    assert _lines(src) == [4]


def test_title_line_padded_with_delimiters_like_excel_writes_it(tmp_path: Path) -> None:
    text = "Liste clients;;;\n;;;\nNom;Ville;CA;Effectif\nAPROOL;Paris;4200000;85\nBTP;;12;\n"
    src = read_table(_write(tmp_path / "t.csv", text))
    assert src.header_line == 3
    assert _rows(src)[1] == {"Nom": "BTP", "Ville": None, "CA": "12", "Effectif": None}


def test_header_row_skip_rows_and_no_header(tmp_path: Path) -> None:
    text = "1;2;3\nNom;Ville;CP\nBlou;Paris;75001\n"
    path = _write(tmp_path / "h.csv", text)
    assert read_table(path, header_row=2).columns == ("Nom", "Ville", "CP")
    assert read_table(path, skip_rows=1).header_line == 2
    bare = read_table(path, header_row=0, skip_rows=2)
    assert bare.columns == ("column_1", "column_2", "column_3")
    assert bare.header_line is None
    assert _rows(bare) == [{"column_1": "Blou", "column_2": "Paris", "column_3": "75001"}]
    assert _lines(bare) == [3]


def test_repeated_and_blank_header_names(tmp_path: Path) -> None:
    path = _write(tmp_path / "h.csv", "Email, Email ,,Nom,Email\na@x.fr,b@x.fr,?,Blou,c@x.fr\n")
    src = read_table(path)
    assert src.columns == ("Email", "Email (2)", "column_3", "Nom", "Email (3)")


# --------------------------------------------------------------------------------------
# Ragged rows
# --------------------------------------------------------------------------------------


def test_short_rows_are_padded_and_trailing_empty_cells_ignored(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.csv", "Nom,Ville,CP\nBlou\nRoy,Lyon,69001,,\n")
    assert _rows(read_table(path)) == [
        {"Nom": "Blou", "Ville": None, "CP": None},
        {"Nom": "Roy", "Ville": "Lyon", "CP": "69001"},
    ]


def test_row_with_more_cells_than_the_header(tmp_path: Path) -> None:
    text = 'Nom,Ville\nBlou,Paris\n"Roy,\nLéa",Lyon,69001\n'
    path = _write(tmp_path / "r.csv", text)
    with pytest.raises(ImportFormatError) as caught:
        read_table(path).read()
    message = str(caught.value)
    assert caught.value.line == 3 and str(path) in message
    assert "3 cells but the header has 2" in message and "'69001'" in message
    kept = read_table(path, on_ragged="keep").read()
    assert kept.frame.columns.tolist() == ["Nom", "Ville", "extra_1"]
    assert kept.frame["extra_1"].tolist() == [None, "69001"]


def test_ragged_row_far_beyond_the_sample(tmp_path: Path) -> None:
    body = "".join(f"Client {i},Paris\n" for i in range(30_000))
    text = "Nom,Ville\n" + body + "Roy,Lyon,a,b,c,d,e\nDurand,Nice\n"
    path = _write(tmp_path / "far.csv", text)
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


def test_extra_names_do_not_clash_with_the_header(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.csv", "extra_1,Nom\nx,Blou,surplus\n")
    frame = read_table(path, on_ragged="keep").read().frame
    assert frame.columns.tolist() == ["extra_1", "Nom", "extra_2"]


def test_bad_on_ragged_value(tmp_path: Path) -> None:
    with pytest.raises(UnknownValueError, match="on_ragged"):
        read_table(_write(tmp_path / "c.csv", "a\n1\n"), on_ragged="drop")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# Chunks
# --------------------------------------------------------------------------------------


def test_chunk_rows_3_over_10_rows(tmp_path: Path) -> None:
    text = "Nom,N\n" + "".join(f"c{i},{i}\n" for i in range(10))
    chunks = list(iter_csv(_write(tmp_path / "c.csv", text), chunk_rows=3))
    assert [len(c) for c in chunks] == [3, 3, 3, 1]
    assert [c.start_row for c in chunks] == [0, 3, 6, 9]
    assert np.concatenate([c.lines for c in chunks]).tolist() == list(range(2, 12))
    assert chunks[1].frame.index.tolist() == [3, 4, 5]
    assert pd.concat([c.frame for c in chunks])["N"].tolist() == [str(i) for i in range(10)]
    assert all(isinstance(c, Chunk) and c.frame.dtypes.eq(object).all() for c in chunks)
    assert repr(chunks[0]) == "Chunk(3 rows from row 0, lines 2-4)"


def test_chunks_can_be_read_twice_and_header_only_has_no_rows(tmp_path: Path) -> None:
    src = read_table(_write(tmp_path / "c.csv", "Nom,Ville\nBlou,Paris\n"))
    assert _rows(src) == _rows(src)
    empty = read_table(_write(tmp_path / "h.csv", "Nom,Ville\n"))
    assert list(empty.chunks()) == []
    assert empty.read().frame.columns.tolist() == ["Nom", "Ville"]


def test_chunk_rows_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="chunk_rows"):
        iter_csv(_write(tmp_path / "c.csv", "a\n1\n"), chunk_rows=0)


def test_progress_bar_raises_no_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "Nom,N\n" + "".join(f"c{i},{i}\n" for i in range(50))
    chunks = list(iter_csv(_write(tmp_path / "c.csv", text), chunk_rows=20, progress=True))
    assert sum(len(c) for c in chunks) == 50
    capsys.readouterr()


# --------------------------------------------------------------------------------------
# Bad CSV input
# --------------------------------------------------------------------------------------


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_table(tmp_path / "nope.csv")


def test_empty_and_blank_files(tmp_path: Path) -> None:
    empty = _write(tmp_path / "empty.csv", "")
    with pytest.raises(ImportFormatError, match="empty") as caught:
        read_table(empty)
    assert str(empty) in str(caught.value)
    with pytest.raises(ImportFormatError, match="only blank lines"):
        read_table(_write(tmp_path / "blank.csv", "\n\r\n\n"))


def test_binary_files_given_as_csv(tmp_path: Path) -> None:
    png = tmp_path / "logo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ImportFormatError, match="PNG image, not a CSV") as caught:
        read_table(png)
    assert str(png) in str(caught.value)
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"Nom,Ville\n\x00\x01\x02\xff\xfe\x00")
    with pytest.raises(ImportFormatError, match="NUL bytes"):
        read_table(junk)


def test_zip_renamed_csv(tmp_path: Path) -> None:
    path = tmp_path / "archive.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("contacts.csv", "Nom\nBlou\n")
    assert detect_format(path) == "csv"
    with pytest.raises(ImportFormatError, match="ZIP archive") as caught:
        read_table(path)
    assert str(path) in str(caught.value)


def test_unterminated_quote_at_end_of_file(tmp_path: Path) -> None:
    text = 'Nom,Notes\nBlou,"ok"\nRoy,"commence\nmais ne finit pas\n'
    path = _write(tmp_path / "cut.csv", text)
    with pytest.raises(ImportFormatError, match="never closed") as caught:
        read_table(path).read()
    assert caught.value.line == 3 and str(path) in str(caught.value)


def test_unterminated_quote_in_a_later_chunk(tmp_path: Path) -> None:
    # Past the 256 KiB read_table looks at: found by the chunk reader, with its line.
    rows = "".join(f'c{i},"a\nb"\n' for i in range(30_000))
    path = _write(tmp_path / "cut.csv", "Nom,Notes\n" + rows + 'Roy,"ouvert\n')
    chunks: list[Chunk] = []
    with pytest.raises(ImportFormatError, match="never closed") as caught:
        chunks.extend(iter_csv(path, chunk_rows=10_000))
    assert caught.value.line == 60_002
    assert "'Roy,\"ouvert'" in str(caught.value)
    assert [int(c.lines[0]) for c in chunks] == [2, 20_002, 40_002]


def test_unterminated_quote_in_a_small_file_is_refused_before_any_row(tmp_path: Path) -> None:
    text = "Nom,Notes\n" + "".join(f'c{i},"a\nb"\n' for i in range(10)) + 'Roy,"ouvert\n'
    path = _write(tmp_path / "cut.csv", text)
    with pytest.raises(ImportFormatError, match="never closed") as caught:
        read_table(path)
    assert caught.value.line == 22


# The example of issue #11: a quote opened in a note and never closed.
OPEN_QUOTE = 'Nom,Prénom,Notes\nDupont,Marc,"rappeler lundi\nMartin,Paul,ok\nDurand,Léa,ok\n'


def test_open_quote_reaching_the_end_of_the_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "open.csv", OPEN_QUOTE)
    with pytest.raises(ImportFormatError, match="never closed") as caught:
        read_table(path)
    assert caught.value.line == 2
    assert "starts 'Dupont,Marc,\"rappeler lundi'" in str(caught.value)


def test_open_quote_closed_rows_later_is_refused(tmp_path: Path) -> None:
    # A later quoted field closes it: the rows in between would become one note.
    path = _write(tmp_path / "open.csv", OPEN_QUOTE + 'Roy,Jean,"à voir"\n')
    with pytest.raises(ImportFormatError, match="look like whole rows") as caught:
        read_table(path)
    assert caught.value.line == 2 and "next 2 line(s)" in str(caught.value)
    assert "'Dupont,Marc,\"rappeler lundi'" in str(caught.value)


def test_open_quote_in_the_header_or_a_title_line_is_refused(tmp_path: Path) -> None:
    header = _write(tmp_path / "h.csv", 'Nom,"Prénom,Notes\nDupont,Marc,x\nRoy,Léa,y\nA,B,"c"\n')
    with pytest.raises(ImportFormatError, match="look like whole rows") as caught:
        read_table(header)
    assert caught.value.line == 1
    title = _write(tmp_path / "t.csv", '"Export du 12/03\nNom;Prénom\nBlou;Marc\nRoy;Léa\nA;"B"\n')
    with pytest.raises(ImportFormatError, match="look like whole rows") as caught:
        read_table(title)
    assert caught.value.line == 1


def test_open_quote_past_the_sample_is_found_by_the_chunk_reader(tmp_path: Path) -> None:
    body = "".join(f"Client {i},Paris,ok\n" for i in range(20_000))  # > 256 KiB
    tail = 'Dupont,Marc,"rappeler lundi\nMartin,Paul,ok\nDurand,Léa,ok\nRoy,Jean,"à voir"\n'
    path = _write(tmp_path / "late.csv", "Nom,Ville,Notes\n" + body + tail)
    src = read_table(path)
    chunks: list[Chunk] = []
    with pytest.raises(ImportFormatError, match="look like whole rows") as caught:
        chunks.extend(src.chunks(chunk_rows=7_000))
    assert caught.value.line == 20_002
    assert "'Dupont,Marc,\"rappeler lundi'" in str(caught.value)
    assert sum(len(c) for c in chunks) == 14_000  # the chunks before it, none after


def test_open_quote_on_the_first_row_of_a_big_file_is_an_import_format_error(
    tmp_path: Path,
) -> None:
    # pandas reports it while making its reader, which used to let a ParserError escape.
    body = "".join(f"Client {i},Paris,ok\n" for i in range(20_000))
    path = _write(tmp_path / "first.csv", 'Nom,Ville,Notes\nDupont,Marc,"rappeler\n' + body)
    with pytest.raises(ImportFormatError, match="never closed") as caught:
        read_table(path).read()
    assert caught.value.line == 2


def test_multiline_quoted_cells_still_read(tmp_path: Path) -> None:
    text = (
        "Nom,Ville,Adresse,Notes\n"
        'Blou,Paris,"3, rue de la Paix\nBât. B, 2e étage\n75002 Paris","à rappeler\n\nlundi"\n'
        'Roy,Lyon,"1 place Bellecour\nLyon","dit: ""ok, mais\npas avant mai"""\n'
    )
    src = read_table(_write(tmp_path / "ok.csv", text))
    assert _rows(src)[0]["Adresse"] == "3, rue de la Paix\nBât. B, 2e étage\n75002 Paris"
    assert _rows(src)[1]["Notes"] == 'dit: "ok, mais\npas avant mai"'
    assert _lines(src) == [2, 7]
    # Two columns, notes with one comma a line: not taken for rows on one line.
    two = _write(tmp_path / "two.csv", 'Nom,Notes\nBlou,"Appel: lundi, 10h\nRdv: mardi, 9h\nok"\n')
    assert _rows(read_table(two))[0]["Notes"] == "Appel: lundi, 10h\nRdv: mardi, 9h\nok"


def test_nul_bytes_and_escape_sequences_are_cell_content(tmp_path: Path) -> None:
    path = tmp_path / "ctl.csv"
    path.write_bytes(b'Nom,Notes\nA\x00B,x\x1b[31my\n"C\x00\nD",z\x00\nE,f\n')
    src = read_table(path)
    assert src.read().frame.values.tolist() == [
        ["A\x00B", "x\x1b[31my"],
        ["C\x00\nD", "z\x00"],
        ["E", "f"],
    ]
    assert _lines(src) == [2, 3, 5]


# --------------------------------------------------------------------------------------
# Format detection
# --------------------------------------------------------------------------------------


def _workbook(path: Path, rows: list[list[Any]], **sheets: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Contacts"
    for row in rows:
        ws.append(row)
    for name, extra in sheets.items():
        other = book.create_sheet(name)
        for row in extra:
            other.append(row)
    book.save(path)
    return path


def test_detect_format(tmp_path: Path) -> None:
    for name in ("a.csv", "a.tsv", "a.txt", "a"):
        assert detect_format(_write(tmp_path / name, "Nom\nBlou\n")) == "csv"
    book = _workbook(tmp_path / "b.xlsx", [["Nom"], ["Blou"]])
    assert detect_format(book) == "xlsx"
    renamed = tmp_path / "b.csv"
    renamed.write_bytes(book.read_bytes())
    assert detect_format(renamed) == "xlsx"
    assert read_table(renamed).kind == "xlsx"
    card = "\ufeffBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Blou\r\nEND:VCARD\r\n"
    assert detect_format(_write(tmp_path / "c.txt", card)) == "vcf"
    assert detect_format(_write(tmp_path / "c.vcf", "")) == "vcf"
    with pytest.raises(ImportFormatError, match="vCard"):
        read_table(tmp_path / "c.txt")


# --------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------


def test_xlsx_header_on_row_3_and_typed_cells(tmp_path: Path) -> None:
    path = _workbook(
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
    path = _workbook(
        tmp_path / "s.xlsx", [["Nom"], ["Blou"]], Comptes=[["Société"], ["APROOL"], ["BTP"]]
    )
    by_name = read_table(path, sheet="Comptes")
    by_index = read_table(path, sheet=1)
    assert by_name.sheets == ("Contacts", "Comptes")
    for src in (by_name, by_index):
        assert src.sheet == "Comptes"
        assert _rows(src) == [{"Société": "APROOL"}, {"Société": "BTP"}]
    assert read_table(path, sheet="comptes").sheet == "Comptes"


def test_xlsx_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "s.xlsx", [["Nom"]], Comptes=[["Société"]])
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
    path = _workbook(tmp_path / "c.xlsx", [*rows, [10, 100, "stray note"]])
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
    path = _workbook(tmp_path / "p.xlsx", [["N"], *[[i] for i in range(30)]])
    chunks = list(iter_xlsx(path, chunk_rows=7, progress=True))
    assert [len(c) for c in chunks] == [7, 7, 7, 7, 2]
    capsys.readouterr()


def test_csv_renamed_xlsx_is_not_a_workbook(tmp_path: Path) -> None:
    path = _write(tmp_path / "contacts.xlsx", "Nom,Ville\nBlou,Paris\n")
    with pytest.raises(ImportFormatError, match="not an Excel workbook") as caught:
        read_table(path)
    assert str(path) in str(caught.value)


def test_truncated_xlsx(tmp_path: Path) -> None:
    whole = _workbook(tmp_path / "whole.xlsx", [["Nom"], *[[f"c{i}"] for i in range(500)]])
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
    path = _workbook(tmp_path / "e.xlsx", [])
    with pytest.raises(ImportFormatError, match="has no rows"):
        read_table(path)


_MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_PKG = b"http://schemas.openxmlformats.org/package/2006"
_DOC = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>'
_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml."


def _shared_strings_workbook(path: Path, strings: Iterable[bytes]) -> Path:
    """A minimal valid workbook: A1 and A2 are shared strings 0 and 1 of ``strings``.

    ``strings`` are the pieces of xl/sharedStrings.xml, streamed into the archive (openpyxl
    writes inline strings, so it cannot make such a workbook itself).
    """
    parts = {
        "[Content_Types].xml": b'%s<Types xmlns="%s/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="%ssheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="%sworksheet+xml"/>'
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="%ssharedStrings+xml"/>'
        b"</Types>" % (_XML_HEAD, _PKG, _TYPE, _TYPE, _TYPE),
        "_rels/.rels": b'%s<Relationships xmlns="%s/relationships"><Relationship Id="rId1" '
        b'Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        % (_XML_HEAD, _PKG, _DOC),
        "xl/workbook.xml": b'%s<workbook %s xmlns:r="%s"><sheets><sheet name="Contacts" '
        b'sheetId="1" r:id="rId1"/></sheets></workbook>' % (_XML_HEAD, _MAIN, _DOC),
        "xl/_rels/workbook.xml.rels": b'%s<Relationships xmlns="%s/relationships">'
        b'<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
        b'<Relationship Id="rId2" Type="%s/sharedStrings" Target="sharedStrings.xml"/>'
        b"</Relationships>" % (_XML_HEAD, _PKG, _DOC, _DOC),
        "xl/worksheets/sheet1.xml": b'%s<worksheet %s><sheetData><row r="1"><c r="A1" t="s">'
        b'<v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row></sheetData>'
        b"</worksheet>" % (_XML_HEAD, _MAIN),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            for piece in strings:
                part.write(piece)
    return path


def _sst(*items: bytes) -> list[bytes]:
    return [_XML_HEAD + b"<sst " + _MAIN + b">", *items, b"</sst>"]


def _bomb(expanded: int) -> Iterator[bytes]:
    """A shared-strings table of about ``expanded`` bytes of one name, repeated."""
    item = b"<si><t>Dupont</t></si>"
    yield from _sst(b"<si><t>Nom</t></si><si><t>Blou</t></si>")[:-1]
    block = item * 4096
    for _ in range(expanded // len(block)):
        yield block
    yield b"</sst>"


def test_shared_strings_workbook_is_a_valid_workbook(tmp_path: Path) -> None:
    sst = _sst(b"<si><t>Nom</t></si><si><t>Blou</t></si>")
    path = _shared_strings_workbook(tmp_path / "ok.xlsx", sst)
    assert _rows(read_table(path)) == [{"Nom": "Blou"}]


def test_xlsx_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    path = _shared_strings_workbook(tmp_path / "bomb.xlsx", _bomb(64 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ImportFormatError, match="zip bomb") as caught:
            read_table(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "xl/sharedStrings.xml" in str(caught.value) and str(path) in str(caught.value)
    assert peak < 16 * 1024 * 1024, peak  # parsing the strings would take hundreds of MB


def test_xlsx_part_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The cap on a part read whole, shown with a lowered limit (a real one is 256 MB).
    import crmkit._formats._xlsx_limits as readers

    names = [b"<si><t>Client %d</t></si>" % i for i in range(5000)]
    path = _shared_strings_workbook(tmp_path / "big.xlsx", _sst(b"<si><t>Nom</t></si>", *names))
    monkeypatch.setattr(readers, "XLSX_MAX_PART_BYTES", 50_000)
    with pytest.raises(ImportFormatError, match="would expand to") as caught:
        read_table(path)
    assert "xl/sharedStrings.xml" in str(caught.value)
    monkeypatch.undo()
    assert _rows(read_table(path)) == [{"Nom": "Client 0"}]


def test_xlsx_entity_expansion_is_refused(tmp_path: Path) -> None:
    # Billion laughs: ten levels of ten references, 10**9 copies of the first entity.
    entities = [b'<!ENTITY e0 "' + b"ha" * 50 + b'">']
    entities += [b'<!ENTITY e%d "%s">' % (i, b"&e%d;" % (i - 1) * 10) for i in range(1, 10)]
    sst = _sst(b"<si><t>Nom</t></si><si><t>&e9;</t></si>")
    sst[0] = sst[0].replace(b"<sst", b"<!DOCTYPE sst [" + b"".join(entities) + b"]><sst")
    path = _shared_strings_workbook(tmp_path / "laughs.xlsx", sst)
    tracemalloc.start()
    try:
        with pytest.raises(ImportFormatError, match="damaged") as caught:
            read_table(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(path) in str(caught.value)
    assert peak < 32 * 1024 * 1024, peak


def test_xlsx_control_characters_are_read_whole(tmp_path: Path) -> None:
    # Excel stores control characters as _xHHHH_ escapes: the cell comes back whole.
    sst = _sst(b"<si><t>Nom</t></si><si><t>a_x0000_b_x001B_[31mc\t</t></si>")
    path = _shared_strings_workbook(tmp_path / "ctl.xlsx", sst)
    assert _rows(read_table(path)) == [{"Nom": "a_x0000_b_x001B_[31mc\t"}]


# --------------------------------------------------------------------------------------
# DataFrames
# --------------------------------------------------------------------------------------


def test_frames_in(make_frame: Callable[[dict[str, list[Any]]], Any]) -> None:
    frame = make_frame(
        {
            "Nom": ["Blou", "Roy", None],
            "CA": [4.5, None, 12.0],
            "Créé le": [dt.date(2024, 1, 5), None, dt.date(2023, 2, 1)],
            "Client": [True, False, None],
        }
    )
    src = read_table(frame)
    assert (src.kind, src.columns, src.n_rows, src.line_label) == (
        "frame",
        ("Nom", "CA", "Créé le", "Client"),
        3,
        "row",
    )
    assert src.path is None and src.header_line is None
    chunks = list(src.chunks(chunk_rows=2))
    assert [c.lines.tolist() for c in chunks] == [[1, 2], [3]]
    rows = pd.concat([c.frame for c in chunks]).to_dict("records")
    assert rows == [
        {"Nom": "Blou", "CA": 4.5, "Créé le": dt.date(2024, 1, 5), "Client": True},
        {"Nom": "Roy", "CA": None, "Créé le": None, "Client": False},
        {"Nom": None, "CA": 12.0, "Créé le": dt.date(2023, 2, 1), "Client": None},
    ]


def test_pandas_nan_nat_and_typed_columns() -> None:
    frame = pd.DataFrame(
        {
            "n": [1.5, np.nan],
            "when": pd.to_datetime(["2024-01-02 10:00", None]),
            "k": pd.array([1, None], dtype="Int64"),
            "s": pd.Series(["a", None], dtype="str"),
        }
    )
    chunk = read_table(frame).read()
    assert chunk.frame.to_dict("records") == [
        {"n": 1.5, "when": dt.datetime(2024, 1, 2, 10, 0), "k": 1, "s": "a"},
        {"n": None, "when": None, "k": None, "s": None},
    ]
    assert type(chunk.frame.iloc[0]["when"]) is dt.datetime


def test_polars_lazyframe_in() -> None:
    lazy = pl.LazyFrame({"Nom": ["Blou", "Roy"], "N": [1, None]}).with_columns(pl.col("N") * 2)
    src = read_table(lazy)
    assert src.columns == ("Nom", "N") and src.n_rows is None
    assert _rows(src) == [{"Nom": "Blou", "N": 2}, {"Nom": "Roy", "N": None}]


def test_not_a_source() -> None:
    with pytest.raises(ValidationError, match="path or a DataFrame"):
        read_table(42)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# Property: whatever csv.writer writes comes back, with its line numbers
# --------------------------------------------------------------------------------------

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
