"""What the first bytes of a file say (crmkit._formats._magic): magic numbers, byte-order
marks, binary data refused before it is read as CSV.
"""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import pytest

from crmkit._exceptions import ImportFormatError
from crmkit._formats import (
    detect_format,
    read_table,
)
from crmkit._formats._magic import (
    HEAD_BYTES,
    bom_of,
    count_of,
    read_head,
    reject_binary,
    text_head,
    utf16_without_bom,
)


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


# -- the module's own functions ----------------------------------------------------------


def test_bom_of_and_text_head() -> None:
    assert bom_of(codecs.BOM_UTF8 + b"Nom") == ("utf-8-sig", 3)
    assert bom_of(codecs.BOM_UTF16_LE + b"N\x00") == ("utf-16", 2)
    assert bom_of(codecs.BOM_UTF16_BE + b"\x00N") == ("utf-16", 2)
    assert bom_of(codecs.BOM_UTF32_LE + b"N\x00\x00\x00") == ("utf-32", 4)  # not UTF-16
    assert bom_of(b"Nom") is None
    assert text_head(codecs.BOM_UTF8 + "Prénom".encode()) == "Prénom"
    assert text_head("Prénom".encode("utf-16")) == "Prénom"
    assert text_head("Prénom".encode("latin-1")) == "Prénom"


def test_utf16_without_bom() -> None:
    assert utf16_without_bom("Nom,Ville\n".encode("utf-16-le")) == "utf-16-le"
    assert utf16_without_bom("Nom,Ville\n".encode("utf-16-be")) == "utf-16-be"
    assert utf16_without_bom(b"Nom,Ville\n") is None
    assert utf16_without_bom(b"N\x00") is None  # too short to say


def test_count_of() -> None:
    assert count_of(b"a\x00b\x00\x01", b"\x00\x01") == 3
    assert count_of(b"abc", b"\x00") == 0


def test_reject_binary_names_what_the_file_is() -> None:
    with pytest.raises(ImportFormatError, match="PDF document") as caught:
        reject_binary(b"%PDF-1.7\n", "doc.csv")
    assert "doc.csv" in str(caught.value)
    with pytest.raises(ImportFormatError, match=r"ZIP archive.*format='xlsx'"):
        reject_binary(b"PK\x03\x04rest", "a.csv")
    with pytest.raises(ImportFormatError, match="binary file"):
        reject_binary(b"Nom\x00\x01\x02\x03\x04", "b.csv")
    # Text with a stray NUL or an escape sequence, and UTF-16 text, are not binary.
    assert reject_binary(b"Nom,Ville\nA\x00B,x\x1b[31my\n" * 5, "c.csv") is None
    assert reject_binary("Nom,Ville\n".encode("utf-16-le"), "d.csv") is None


def test_read_head(tmp_path: Path) -> None:
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportFormatError, match=r"empty \(0 bytes\)"):
        read_head(empty)
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (HEAD_BYTES + 10))
    assert len(read_head(big)) == HEAD_BYTES
