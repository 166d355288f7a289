"""The entry points of the readers (crmkit._formats._source): detect_format, read_table,
iter_csv and iter_xlsx arguments.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from format_samples import (
    workbook,
    write_file,
)

from crmkit._exceptions import ImportFormatError, UnknownValueError, ValidationError
from crmkit._formats import (
    detect_format,
    iter_csv,
    iter_xlsx,
    read_table,
)


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_table(tmp_path / "nope.csv")


def test_bad_on_ragged_value(tmp_path: Path) -> None:
    with pytest.raises(UnknownValueError, match="on_ragged"):
        read_table(write_file(tmp_path / "c.csv", "a\n1\n"), on_ragged="drop")  # type: ignore[arg-type]


def test_detect_format(tmp_path: Path) -> None:
    for name in ("a.csv", "a.tsv", "a.txt", "a"):
        assert detect_format(write_file(tmp_path / name, "Nom\nBlou\n")) == "csv"
    book = workbook(tmp_path / "b.xlsx", [["Nom"], ["Blou"]])
    assert detect_format(book) == "xlsx"
    renamed = tmp_path / "b.csv"
    renamed.write_bytes(book.read_bytes())
    assert detect_format(renamed) == "xlsx"
    assert read_table(renamed).kind == "xlsx"
    card = "\ufeffBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Blou\r\nEND:VCARD\r\n"
    assert detect_format(write_file(tmp_path / "c.txt", card)) == "vcf"
    assert detect_format(write_file(tmp_path / "c.vcf", "")) == "vcf"
    with pytest.raises(ImportFormatError, match="vCard"):
        read_table(tmp_path / "c.txt")


def test_not_a_source() -> None:
    with pytest.raises(ValidationError, match="path or a DataFrame"):
        read_table(42)  # type: ignore[arg-type]


# -- the module's own functions ----------------------------------------------------------


def test_detect_format_of_zips_that_are_no_workbook(tmp_path: Path) -> None:
    whole = workbook(tmp_path / "w.xlsx", [["Nom"], ["Blou"]])
    cut = whole.read_bytes()[:200]
    for name, expected in (("cut.xlsx", "xlsx"), ("cut.csv", "csv")):
        (tmp_path / name).write_bytes(cut)
        assert detect_format(tmp_path / name) == expected
    with pytest.raises(FileNotFoundError):
        detect_format(tmp_path / "missing.csv")


def test_read_table_arguments(tmp_path: Path) -> None:
    path = write_file(tmp_path / "c.xlsx", "Nom,Ville\nBlou,Paris\n")
    assert read_table(path, format="csv").columns == ("Nom", "Ville")  # the name is not asked
    with pytest.raises(UnknownValueError, match="file format"):
        read_table(path, format="xls")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="skip_rows"):
        read_table(path, format="csv", skip_rows=-1)
    with pytest.raises(ValidationError, match="header_row"):
        read_table(path, format="csv", header_row=-1)
    with pytest.raises(ImportFormatError, match="folder"):
        read_table(tmp_path)


def test_iter_functions_read_their_format(tmp_path: Path) -> None:
    book = workbook(tmp_path / "w.xlsx", [["Nom"], ["Blou"], ["Roy"]])
    assert [c.frame["Nom"].tolist() for c in iter_xlsx(book, chunk_rows=1)] == [["Blou"], ["Roy"]]
    text = write_file(tmp_path / "c.txt", "Nom\nBlou\n")
    assert [c.lines.tolist() for c in iter_csv(text)] == [[2]]
