"""Exports to CSV, XLSX and Parquet: every file is written, read back and checked."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from export_samples import PHOTO, contact_columns, leftovers, read_csv_rows

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._formats import (
    ExportResult,
    export_table,
)

# -- CSV ----------------------------------------------------------------------------------


def test_csv_round_trip(contacts: Any, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    result = export_table(contacts, out, kind="contacts")

    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == 4
    rows = read_csv_rows(out)
    expected_columns = [c for c in contact_columns() if c != "photo"]  # binary left out
    assert rows[0] == expected_columns
    assert result == ExportResult(out, "csv", 3, tuple(expected_columns), tuple(expected_columns))
    first, second, third = (dict(zip(rows[0], r, strict=True)) for r in rows[1:])
    assert first == {
        "id": "1",
        "first_name": "Hélène",
        "last_name": "Blou",
        "mobile": "+33625341257",
        "email": "helene.blou@aprool.com",
        "birthday": "1985-03-05",
        "active": "true",
        "tags": "vip; salon 2024",
        "account_annual_revenue": "4200000",
        "account_employees": "85",
        "created_at": "2024-03-05 14:30:00",
        "custom": '{"score": 3}',
        "notes": "Rencontrée au salon; très intéressée",
        "company": "APROOL",
        "owner": "Nicole Bertrand",
    }
    assert second["first_name"] == "伟"
    assert second["active"] == "false"
    assert second["tags"] == ""
    assert second["account_annual_revenue"] == "12.5"
    assert second["account_employees"] == ""
    assert third["first_name"] == third["active"] == third["created_at"] == ""
    assert third["custom"] == '{"note": "été"}'

    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert frame["mobile"].tolist() == ["+33625341257", "+86 138 0013 8000", ""]


def test_bad_delimiter(tmp_path: Path) -> None:
    with pytest.raises(UnknownValueError, match="CSV delimiter"):
        export_table(pa.table({"a": [1]}), tmp_path / "x.csv", kind="contacts", delimiter=";;")


# -- XLSX ---------------------------------------------------------------------------------


# -- Parquet ------------------------------------------------------------------------------


# -- headers and columns -----------------------------------------------------------------


def test_columns_choose_and_order(contacts: Any, tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    result = export_table(contacts, out, kind="contacts", columns=["email", "last_name", "photo"])
    assert result.columns == ("email", "last_name", "photo")
    rows = read_csv_rows(out)
    assert rows[0] == ["email", "last_name", "photo"]
    assert base64.b64decode(rows[1][2]) == PHOTO
    assert rows[2] == ["", "王", ""]

    out = tmp_path / "c.xlsx"
    export_table(contacts, out, kind="contacts", columns=["photo"])
    assert base64.b64decode(openpyxl.load_workbook(out).active["A2"].value) == PHOTO


def test_unknown_column(contacts: Any, tmp_path: Path) -> None:
    with pytest.raises(UnknownValueError) as info:
        export_table(contacts, tmp_path / "c.csv", kind="contacts", columns=["last_name", "emial"])
    assert info.value.suggestion == "email"
    assert "last_name" in info.value.valid and "photo" in info.value.valid
    assert "Did you mean 'email'?" in str(info.value)
    assert leftovers(tmp_path) == [] and not (tmp_path / "c.csv").exists()


def test_no_columns(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no columns"):
        export_table(pa.table({"a": [1]}), tmp_path / "c.csv", kind="contacts", columns=[])


@pytest.mark.parametrize(
    ("arguments", "what"),
    [
        ({"kind": "contacts", "lang": "de"}, "header language"),
        ({"kind": "leads"}, "table"),
        ({"kind": "contacts", "format": "xls"}, "export format"),
    ],
)
def test_bad_arguments(arguments: dict[str, Any], what: str, tmp_path: Path) -> None:
    with pytest.raises(UnknownValueError, match=what):
        export_table(pa.table({"a": [1]}), tmp_path / "c.csv", **arguments)


# -- formats and paths --------------------------------------------------------------------


def test_format_from_extension_or_argument(tmp_path: Path) -> None:
    table = pa.table({"last_name": ["Blou"]})
    assert export_table(table, tmp_path / "A.XLSX", kind="contacts").format == "xlsx"
    assert export_table(table, tmp_path / "a.txt", kind="contacts").format == "csv"
    result = export_table(table, tmp_path / "a.data", kind="contacts", format="parquet")
    assert pq.read_table(result.path).column_names == ["last_name"]
    with pytest.raises(UnknownValueError) as info:
        export_table(table, tmp_path / "a.xls", kind="contacts")
    assert info.value.suggestion == "xlsx"
    assert {"csv", "xlsx", "parquet"} <= set(info.value.valid)
    with pytest.raises(UnknownValueError, match="extension"):
        export_table(table, tmp_path / "no_extension", kind="contacts")


# -- formula neutralisation ---------------------------------------------------------------


# Not idempotent on purpose: "'=x" gets one "'" more, so that the importer, which
# drops one "'" before = + - @, gives back what was exported.
# (tests/test_export_hostile.py checks the round trip.)


# -- atomic writes ------------------------------------------------------------------------


# -- inputs -------------------------------------------------------------------------------


def test_empty_table(tmp_path: Path) -> None:
    table = pa.table({"last_name": pa.array([], pa.string()), "active": pa.array([], pa.bool_())})
    for fmt in ("csv", "xlsx", "parquet"):
        result = export_table(table, tmp_path / f"e.{fmt}", kind="contacts")
        assert result.rows == 0
    assert read_csv_rows(tmp_path / "e.csv") == [["last_name", "active"]]
    sheet = openpyxl.load_workbook(tmp_path / "e.xlsx").active
    assert sheet.auto_filter.ref == "A1:B1"


def test_make_frame_fixture_backends(make_frame: Callable[..., Any], tmp_path: Path) -> None:
    frame = make_frame({"last_name": ["Blou", "王"], "tags": [["a", "b"], None]})
    out = tmp_path / "c.csv"
    export_table(frame, out, kind="contacts", lang="fr")
    assert read_csv_rows(out) == [["Nom", "Étiquettes"], ["Blou", "a; b"], ["王", ""]]
