"""The encoding a CSV file is read with (crmkit._formats._encoding): BOMs, UTF-8 checked
on the whole file, legacy code pages, stray lines repaired and reported, forced encodings.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from format_samples import (
    line_numbers,
    read_rows,
    write_file,
)

from crmkit._exceptions import ImportFormatError
from crmkit._formats import (
    detect_encoding,
    read_table,
)
from crmkit._formats._encoding import (
    Encoding,
    decoded_lines,
    encoding_for,
    transcode,
    transcode_repaired,
)
from crmkit._formats._magic import read_head

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
    path = write_file(tmp_path / "c.csv", "Nom,Prénom,Ville\nBlou,Hélène,Zürich\n", encoding)
    src = read_table(path)
    assert src.encoding == encoding
    assert src.columns == ("Nom", "Prénom", "Ville")  # no BOM glued to the first name
    assert read_rows(src) == [{"Nom": "Blou", "Prénom": "Hélène", "Ville": "Zürich"}]
    assert detect_encoding(path) == encoding


def test_cp1252_french_excel_export(tmp_path: Path) -> None:
    path = write_file(tmp_path / "fr.csv", FRENCH, "cp1252")
    src = read_table(path)
    assert (src.encoding, src.delimiter, src.header_line) == ("cp1252", ";", 1)
    rows = read_rows(src)
    assert rows[0]["Notes"] == "œuvre d'art, 5 €"
    assert rows[1] == {
        "Nom": "Lefèvre",
        "Prénom": "Françoise",
        "Société": "Gâteaux Noël",
        "Ville": "Orléans",
        "Notes": "très bien",
    }


def test_gb18030_chinese_excel_export(tmp_path: Path) -> None:
    path = write_file(tmp_path / "zh.csv", CHINESE, "gb18030")
    src = read_table(path)
    assert (src.encoding, src.delimiter) == ("gb18030", ",")
    assert src.columns == ("客户名称", "联系人", "城市", "电话")
    assert read_rows(src)[1] == {
        "客户名称": "阿里巴巴",
        "联系人": "李娜",
        "城市": "杭州",
        "电话": None,
    }


def test_latin_bytes_far_down_a_file_that_starts_as_ascii(tmp_path: Path) -> None:
    body = "".join(f"Client {i},Paris\n" for i in range(20_000))  # > 256 KiB of ASCII
    path = write_file(tmp_path / "late.csv", "Nom,Ville\n" + body + "Hélène,Besançon\n", "cp1252")
    src = read_table(path)
    assert src.encoding == "cp1252"
    last = list(src.chunks(chunk_rows=7_000))[-1]
    assert last.frame.iloc[-1].tolist() == ["Hélène", "Besançon"]
    assert int(last.lines[-1]) == 20_002


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
    rows = read_rows(src)
    # The UTF-8 rows stay exact (no "HÃ©lÃ¨ne"); the stray line is read as cp1252.
    assert rows[0] == {"Nom": "Hélène 0", "Ville": "Besançon"}
    assert rows[-1] == {"Nom": "Hélène", "Ville": "Orléans"}
    assert len(rows) == 1000 and line_numbers(src)[-1] == 1001
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
    rows = read_rows(src)
    assert rows[-2] == {"Nom": "华为技术", "Ville": "深圳"}
    assert rows[-1] == {"Nom": "Noël \x81", "Ville": "Lyon"}
    assert [(w[0], w[3].split("read as ")[1][:7]) for w in src.warnings] == [
        (1001, "gb18030"),
        (1002, "latin-1"),
    ]


def test_a_legacy_file_is_still_read_whole_with_its_code_page(tmp_path: Path) -> None:
    # No UTF-8 character at all: a cp1252 file, read as one, with no warning.
    path = write_file(tmp_path / "fr.csv", FRENCH * 50, "cp1252")
    src = read_table(path)
    assert src.encoding == "cp1252" and src.warnings == ()


def test_utf8_file_cut_inside_its_last_character_says_so(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_bytes("Nom,Ville\nBlou,Besançon\nRoy,Orlé".encode()[:-1])
    src = read_table(path)
    assert read_rows(src)[-1] == {"Nom": "Roy", "Ville": "Orl\ufffd"}
    [(line, field, _, message)] = src.warnings
    assert (line, field) == (3, "encoding") and "cut short" in message


def test_utf16_unicode_text_from_excel(tmp_path: Path) -> None:
    # Excel's "Unicode Text" export: UTF-16 with a BOM, tab separated.
    path = write_file(tmp_path / "u.txt", "Nom\tVille\r\nBlou\tSão Paulo\r\n李\t北京\r\n", "utf-16")
    src = read_table(path)
    assert (src.encoding, src.delimiter) == ("utf-16", "\t")
    assert read_rows(src) == [{"Nom": "Blou", "Ville": "São Paulo"}, {"Nom": "李", "Ville": "北京"}]
    assert line_numbers(src) == [2, 3]


def test_forced_encoding_is_used(tmp_path: Path) -> None:
    path = write_file(tmp_path / "fr.csv", FRENCH, "cp1252")
    src = read_table(path, encoding="latin-1")
    assert src.encoding == "iso8859-1"
    assert read_rows(src)[0]["Prénom"] == "Hélène"


def test_forced_encoding_that_fails_names_the_line(tmp_path: Path) -> None:
    path = write_file(tmp_path / "fr.csv", FRENCH, "cp1252")
    with pytest.raises(ImportFormatError) as caught:
        read_table(path, encoding="utf-8")
    assert caught.value.line == 1  # "Prénom" in the header
    assert str(path) in str(caught.value) and "not valid utf-8" in str(caught.value)
    text = "Nom,Ville\nBlou,Paris\nRoy,Lyon\nNoël,Orléans\n"
    path = write_file(tmp_path / "late.csv", text, "cp1252")
    with pytest.raises(ImportFormatError, match=r"line 4: byte 0xEB") as caught:
        read_table(path, encoding="utf-8")
    assert caught.value.line == 4


def test_unknown_encoding_name(tmp_path: Path) -> None:
    path = write_file(tmp_path / "c.csv", "a,b\n1,2\n")
    with pytest.raises(ImportFormatError, match="unknown encoding 'klingon'"):
        read_table(path, encoding="klingon")


# -- the module's own functions ----------------------------------------------------------


def test_encoding_for_lists_the_repaired_lines_and_decoded_lines_reads_each_its_way(
    tmp_path: Path,
) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes("Nom\nHélène\n".encode() + "Noël\n".encode("cp1252") + "Zoé\n".encode())
    enc, notes = encoding_for(path, read_head(path), None)
    assert (enc.name, enc.codec, enc.bom, enc.repaired) == ("utf-8", "utf-8", 0, {3: "cp1252"})
    assert [(n[0], n[1], n[2]) for n in notes] == [(3, "encoding", "Noël")]
    assert list(decoded_lines(path, enc, b"\n")) == [
        (1, "Nom\n"),
        (2, "Hélène\n"),
        (3, "Noël\n"),
        (4, "Zoé\n"),
    ]
    out = tmp_path / "utf8.csv"
    transcode_repaired(path, enc, out, b"\n")
    assert out.read_text(encoding="utf-8") == "Nom\nHélène\nNoël\nZoé\n"


def test_encoding_for_a_clean_file_has_no_notes(tmp_path: Path) -> None:
    path = write_file(tmp_path / "c.csv", "Nom\nHélène\n")
    assert encoding_for(path, read_head(path), None) == (Encoding("utf-8", "utf-8", 0), [])
    bom = write_file(tmp_path / "b.csv", "Nom\nHélène\n", "utf-8-sig")
    enc, notes = encoding_for(bom, read_head(bom), None)
    assert (enc.name, enc.codec, enc.bom, notes) == ("utf-8-sig", "utf-8", 3, [])
    forced, _ = encoding_for(bom, read_head(bom), "utf-8")
    assert (forced.name, forced.bom) == ("utf-8-sig", 3)  # the BOM is still skipped


def test_transcode_writes_utf16_as_utf8(tmp_path: Path) -> None:
    text = "Nom\tVille\r\nBlou\tSão Paulo\r\n"
    source = write_file(tmp_path / "u16.txt", text, "utf-16")
    enc, notes = encoding_for(source, read_head(source), None)
    assert (enc.name, notes) == ("utf-16", [])
    assert not enc.ascii_compatible and Encoding("cp1252", "cp1252", 0).ascii_compatible
    out = tmp_path / "u8.txt"
    transcode(source, enc, out)
    assert out.read_bytes() == text.encode("utf-8")


def test_detect_encoding_refuses_empty_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="empty"):
        detect_encoding(write_file(tmp_path / "e.csv", ""))
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\x00\x01\x02\x03" * 100)
    with pytest.raises(ImportFormatError, match="binary"):
        detect_encoding(binary)
