"""Sample files as analysts receive them (crmkit.samples._files): the generator's CSVs and the
same people as a French Excel CSV, a Chinese XLSX, Google and Outlook exports, each read
back with crmkit's own readers."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmkit._formats import read_table
from crmkit.samples import write_sample_files
from crmkit.schemas import CONTACTS


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_sample_files(tmp_path_factory.mktemp("samples"), n_accounts=8, n_contacts=30)


def test_every_file_is_written(files: dict[str, Path]) -> None:
    assert sorted(files) == [
        "accounts",
        "accounts_zh",
        "contacts",
        "contacts_fr",
        "google_contacts",
        "outlook_contacts",
        "owners",
    ]
    assert all(path.is_file() and path.stat().st_size > 0 for path in files.values())


def test_the_french_excel_csv(files: dict[str, Path]) -> None:
    source = read_table(files["contacts_fr"])
    assert (source.encoding, source.delimiter) == ("cp1252", ";")
    assert source.columns[0] == "Société" and source.columns[1] == CONTACTS["salutation"].fr
    assert "Affecté à" in source.columns
    assert 0 < len(source.read()) <= 33


def test_the_chinese_workbook(files: dict[str, Path]) -> None:
    source = read_table(files["accounts_zh"])
    assert (source.sheet, source.header_line) == ("客户", 3)
    assert "客户所有者" in source.columns
    assert len(source.read()) == len(read_table(files["accounts"]).read())


def test_google_and_outlook_exports(files: dict[str, Path]) -> None:
    google = read_table(files["google_contacts"])
    outlook = read_table(files["outlook_contacts"])
    assert (google.encoding, google.delimiter) == ("utf-8", ",")
    assert len(google.read()) == len(outlook.read()) == len(read_table(files["contacts"]).read())
