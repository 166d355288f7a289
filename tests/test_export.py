"""Exports to CSV, XLSX and Parquet: every file is written, read back and checked."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.worksheet._writer import ALL_TEMP_FILES

from crmkit._exceptions import ExportError, UnknownValueError, ValidationError
from crmkit._formats import (
    ExportResult,
    _arrow_input,
    _cell_text,
    _export,
    export_table,
    header_labels,
    neutralize_formula,
)
from crmkit.schemas._catalog import ACCOUNTS, CONTACTS
from crmkit.schemas._labels import DERIVED_LABELS

PHOTO = b"\x89PNG\r\n\x1a\n\x00\x00fake"

# Values a spreadsheet could run as formulas, and what the CSV must hold instead.
HOSTILE = [
    '=HYPERLINK("http://evil","x")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1+1",
    "-2+3",
    "\t=1",
    "\r=1",
    "=1",
]
# Text that starts like a formula but is only a number or a phone number: left alone.
HARMLESS = ["+33625341257", "-12.5", "+1 (415) 555-0199", "+33 6 25 34 12 57", "-"]


def contact_columns() -> dict[str, list[Any]]:
    """Three contacts as the contacts_v view returns them (French, Chinese, gaps)."""
    return {
        "id": [1, 2, 3],
        "first_name": ["Hélène", "伟", None],
        "last_name": ["Blou", "王", "Durand"],
        "mobile": ["+33625341257", "+86 138 0013 8000", None],
        "email": ["helene.blou@aprool.com", None, "marc@durand.fr"],
        "birthday": [dt.date(1985, 3, 5), None, dt.date(1990, 12, 31)],
        "active": [True, False, None],
        "tags": [["vip", "salon 2024"], [], None],
        "account_annual_revenue": [4_200_000.0, 12.5, None],
        "account_employees": [85, None, 3],
        "created_at": [
            dt.datetime(2024, 3, 5, 14, 30, 0, 123456),
            dt.datetime(2024, 1, 1, 8, 0, 0),
            None,
        ],
        "custom": ['{"score": 3}', None, '{"note": "été"}'],
        "notes": ["Rencontrée au salon; très intéressée", "负责华东区", None],
        "company": ["APROOL", "华为", None],
        "owner": ["Nicole Bertrand", "Marc Durand", None],
        "photo": [PHOTO, None, None],
    }


SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("first_name", pa.string()),
        ("last_name", pa.string()),
        ("mobile", pa.string()),
        ("email", pa.string()),
        ("birthday", pa.date32()),
        ("active", pa.bool_()),
        ("tags", pa.list_(pa.string())),
        ("account_annual_revenue", pa.float64()),
        ("account_employees", pa.int64()),
        ("created_at", pa.timestamp("us")),
        ("custom", pa.string()),
        ("notes", pa.string()),
        ("company", pa.string()),
        ("owner", pa.string()),
        ("photo", pa.binary()),
    ]
)


def build(backend: str, columns: dict[str, list[Any]]) -> Any:
    """A pyarrow Table, pandas or polars DataFrame holding ``columns``."""
    if backend == "pyarrow":
        return pa.table(columns)
    if backend == "pandas":
        return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
    return pl.DataFrame(columns, strict=False)


@pytest.fixture(params=["pyarrow", "pandas", "polars"])
def frame_backend(request: pytest.FixtureRequest) -> str:
    """Run the test with a pyarrow Table, a pandas DataFrame and a polars DataFrame."""
    return str(request.param)


@pytest.fixture
def contacts(frame_backend: str) -> Any:
    """The three sample contacts in the parametrized backend."""
    if frame_backend == "pyarrow":
        return pa.table(contact_columns(), schema=SCHEMA)
    return build(frame_backend, contact_columns())


def read_csv_rows(path: Path, *, delimiter: str = ",", encoding: str = "utf-8") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".crmkit-"))


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


def test_csv_for_french_excel(contacts: Any, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    export_table(contacts, out, kind="contacts", lang="fr", excel=True)

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert csv.Sniffer().sniff(text.splitlines()[0]).delimiter == ";"
    frame = pd.read_csv(out, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns[:4]) == ["Identifiant", "Prénom", "Nom", "Portable"]
    assert "Société" in frame.columns and "Affecté à" in frame.columns
    assert frame["Actif"].tolist() == ["oui", "non", ""]
    assert frame["CA du compte"].tolist() == ["4200000", "12,5", ""]
    assert frame["Étiquettes"].tolist() == ["vip; salon 2024", "", ""]


def test_csv_boolean_words_in_chinese(contacts: Any, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    export_table(contacts, out, kind="contacts", lang="zh", columns=["last_name", "active"])
    assert read_csv_rows(out) == [["姓", "在职"], ["Blou", "是"], ["王", "否"], ["Durand", ""]]


def test_csv_delimiter_and_bom_overrides(tmp_path: Path) -> None:
    table = pa.table({"last_name": ["Blou", "Lefèvre"], "city": ["Paris", "Lyon"]})
    export_table(table, tmp_path / "a.csv", kind="contacts", excel=True, bom=False)
    assert (
        tmp_path / "a.csv"
    ).read_bytes() == b"last_name,city\r\nBlou,Paris\r\nLef\xc3\xa8vre,Lyon\r\n"

    export_table(table, tmp_path / "b.csv", kind="contacts", delimiter="|", bom=True)
    assert (tmp_path / "b.csv").read_bytes().decode("utf-8-sig").splitlines()[1] == "Blou|Paris"

    export_table(table, tmp_path / "c.tsv", kind="contacts")
    assert read_csv_rows(tmp_path / "c.tsv", delimiter="\t")[2] == ["Lefèvre", "Lyon"]

    export_table(table, tmp_path / "d.csv", kind="contacts", lang="fr", excel=True, delimiter=",")
    assert (tmp_path / "d.csv").read_text(encoding="utf-8-sig").startswith("Nom,Ville\n")


def test_csv_quotes_cells_holding_delimiters_and_line_breaks(tmp_path: Path) -> None:
    notes = ['Dit "bonjour"; puis part', "ligne 1\nligne 2", "a,b"]
    table = pa.table({"notes": notes})
    for delimiter in (",", ";"):
        out = tmp_path / "notes.csv"
        export_table(table, out, kind="contacts", delimiter=delimiter)
        assert [r[0] for r in read_csv_rows(out, delimiter=delimiter)[1:]] == notes


def test_bad_delimiter(tmp_path: Path) -> None:
    with pytest.raises(UnknownValueError, match="CSV delimiter"):
        export_table(pa.table({"a": [1]}), tmp_path / "x.csv", kind="contacts", delimiter=";;")


# -- XLSX ---------------------------------------------------------------------------------


def test_xlsx_round_trip(contacts: Any, tmp_path: Path) -> None:
    out = tmp_path / "contacts.xlsx"
    result = export_table(contacts, out, kind="contacts")
    assert result.rows == 3 and result.format == "xlsx"

    sheet = openpyxl.load_workbook(out).active
    assert sheet.title == "Contacts"
    header = [c.value for c in sheet[1]]
    assert header == [c for c in contact_columns() if c != "photo"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:O4"

    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(2)]
    first, second, third = rows
    assert first["id"] == 1 and type(first["id"]) is int
    assert first["account_annual_revenue"] == 4_200_000 and second["account_annual_revenue"] == 12.5
    assert isinstance(second["account_annual_revenue"], float)
    assert first["account_employees"] == 85 and type(first["account_employees"]) is int
    assert first["active"] is True and second["active"] is False and third["active"] is None
    assert first["birthday"] == dt.datetime(1985, 3, 5)  # openpyxl reads dates as datetimes
    assert sheet["F2"].number_format == "yyyy-mm-dd"
    assert first["created_at"].replace(microsecond=0) == dt.datetime(2024, 3, 5, 14, 30)
    assert first["tags"] == "vip; salon 2024"
    assert first["mobile"] == "+33625341257" and sheet["D2"].data_type == "s"
    assert first["custom"] == '{"score": 3}'
    assert second["first_name"] == "伟" and second["tags"] is None
    assert third["first_name"] is None and third["created_at"] is None

    widths = {
        col: sheet.column_dimensions[col].width for col in "ABCDEFGHIJKLMNO"
    }  # every column has a width
    assert all(8 <= w <= 60 for w in widths.values())
    assert widths["A"] == 8  # "id" and small numbers: the minimum
    assert widths["M"] > widths["N"]  # long notes wider than short company names


def test_xlsx_widths_count_cjk_double(tmp_path: Path) -> None:
    table = pa.table({"a": ["abcdefghijkl"], "b": ["负责华东区销售团队"], "c": ["x" * 500]})
    out = tmp_path / "w.xlsx"
    export_table(table, out, kind="contacts")
    dims = openpyxl.load_workbook(out).active.column_dimensions
    assert dims["A"].width == 14  # 12 characters + 2
    assert dims["B"].width == 20  # 9 CJK characters count 18, + 2
    assert dims["C"].width == 60  # capped


def test_xlsx_sheet_title(tmp_path: Path) -> None:
    table = pa.table({"name": ["APROOL"]})
    out = tmp_path / "a.xlsx"
    export_table(table, out, kind="accounts", lang="fr")
    assert openpyxl.load_workbook(out).sheetnames == ["Comptes"]
    export_table(table, out, kind="accounts", sheet_name="Clients: [Paris]/Lyon? 2024 et plus !")
    assert openpyxl.load_workbook(out).sheetnames == ["Clients   Paris  Lyon  2024 et"]
    export_table(table, out, kind="accounts", sheet_name="History")
    assert openpyxl.load_workbook(out).sheetnames == ["History 1"]


def test_xlsx_values_excel_cannot_hold(tmp_path: Path) -> None:
    table = pa.table(
        {
            "notes": ["ligne 1\x0bligne 2\x00", "#N/A", None],
            "big": [12345678901234567, 5, None],
            "ratio": [float("nan"), float("inf"), 1.5],
            "seen": pa.array(
                [dt.datetime(2024, 3, 5, 14, 30, tzinfo=dt.UTC), None, None],
                pa.timestamp("us", "UTC"),
            ),
        }
    )
    out = tmp_path / "x.xlsx"
    result = export_table(table, out, kind="contacts")
    assert result.changed == 1 and "notes: 1" in result.warnings[0]
    sheet = openpyxl.load_workbook(out).active
    assert sheet["A2"].value == "ligne 1\nligne 2"
    assert sheet["A3"].value == "#N/A" and sheet["A3"].data_type == "s"
    assert sheet["B2"].value == "12345678901234567"  # too many digits for an Excel number
    assert sheet["B3"].value == 5
    assert sheet["C2"].value is None and sheet["C3"].value == "inf" and sheet["C4"].value == 1.5
    assert sheet["D2"].value == dt.datetime(2024, 3, 5, 14, 30)

    # CSV drops the same control characters: crmkit's importer refuses a NUL.
    result = export_table(table, tmp_path / "x.csv", kind="contacts")
    assert result.changed == 1
    rows = read_csv_rows(tmp_path / "x.csv")
    assert rows[1] == [
        "ligne 1\nligne 2",
        "12345678901234567",
        "",
        "2024-03-05 14:30:00+00:00",
    ]
    assert rows[2][2] == "inf"


def test_xlsx_text_too_long_for_a_cell(tmp_path: Path) -> None:
    out = tmp_path / "long.xlsx"
    out.write_bytes(b"old workbook")
    table = pa.table({"last_name": ["Blou", "Durand"], "notes": ["ok", "x" * 40_000]})
    scratch_files = list(ALL_TEMP_FILES)
    with pytest.raises(ExportError, match=r"row 2 \(Excel row 3\), column 'Notes'"):
        export_table(table, out, kind="contacts", lang="en")
    assert out.read_bytes() == b"old workbook"
    assert leftovers(tmp_path) == []
    assert scratch_files == ALL_TEMP_FILES  # openpyxl's own scratch file is gone too


# -- Parquet ------------------------------------------------------------------------------


def test_parquet_round_trip(contacts: Any, tmp_path: Path, frame_backend: str) -> None:
    out = tmp_path / "contacts.parquet"
    result = export_table(contacts, out, kind="contacts")
    assert result.columns == tuple(contact_columns())  # photo kept

    back = pq.read_table(out)
    schema = back.schema
    assert back.column_names == list(contact_columns())
    assert pa.types.is_date32(schema.field("birthday").type)
    assert pa.types.is_timestamp(schema.field("created_at").type)
    tags_type = schema.field("tags").type
    assert pa.types.is_list(tags_type) or pa.types.is_large_list(tags_type)
    photo_type = schema.field("photo").type
    assert pa.types.is_binary(photo_type) or pa.types.is_large_binary(photo_type)
    custom_type = schema.field("custom").type
    assert pa.types.is_string(custom_type) or pa.types.is_large_string(custom_type)
    assert back.column("tags").to_pylist() == [["vip", "salon 2024"], [], None]
    assert back.column("photo").to_pylist() == [PHOTO, None, None]
    assert back.column("birthday").to_pylist()[0] == dt.date(1985, 3, 5)
    assert back.column("account_employees").to_pylist() == [85, None, 3]
    assert back.column("active").to_pylist() == [True, False, None]
    assert back.schema.metadata is None or b"pandas" not in back.schema.metadata


def test_parquet_headers_in_chinese(contacts: Any, tmp_path: Path) -> None:
    out = tmp_path / "c.pq"
    export_table(contacts, out, kind="contacts", lang="zh", columns=["last_name", "company"])
    back = pq.read_table(out)
    assert back.column_names == ["姓", "公司"]
    assert back.column("公司").to_pylist() == ["APROOL", "华为", None]


# -- headers and columns -----------------------------------------------------------------


HEADER_NAMES = ["last_name", "mobile", "company", "owner", "revenue_band", "x_extra"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (None, HEADER_NAMES),
        ("en", ["Last name", "Mobile", "Company", "Owner", "Revenue band", "x_extra"]),
        ("fr", ["Nom", "Portable", "Société", "Affecté à", "Tranche de CA", "x_extra"]),
        ("zh", ["姓", "手机", "公司", "负责人", "收入区间", "x_extra"]),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_header_language(lang: str | None, expected: list[str], fmt: str, tmp_path: Path) -> None:
    table = pa.table({name: ["v"] for name in HEADER_NAMES})
    out = tmp_path / f"h.{fmt}"
    result = export_table(table, out, kind="contacts", lang=lang)
    assert list(result.headers) == expected
    if fmt == "csv":
        written = read_csv_rows(out)[0]
    elif fmt == "xlsx":
        written = [c.value for c in openpyxl.load_workbook(out).active[1]]
    else:
        written = pq.read_table(out).column_names
    assert written == expected


def test_every_catalog_and_derived_column_has_labels() -> None:
    for kind, fields in (("contacts", CONTACTS), ("accounts", ACCOUNTS)):
        names = [*fields.names, *DERIVED_LABELS]
        for lang in ("en", "fr", "zh"):
            labels = header_labels(names, kind, lang)
            assert len(set(labels)) == len(labels)
            assert all(label for label in labels)


def test_repeated_labels_are_made_unique(tmp_path: Path) -> None:
    table = pa.table(
        {"account_id": [7], "company": ["APROOL"], "owner_id": [2], "owner": ["Nicole Bertrand"]}
    )
    assert header_labels(table.column_names, "contacts", "fr") == [
        "Société (id)",
        "Société",
        "Affecté à (id)",
        "Affecté à",
    ]
    assert header_labels(table.column_names, "contacts", "zh") == [
        "公司编号",
        "公司",
        "负责人编号",
        "负责人",
    ]
    assert header_labels(["owner", "owner"], "contacts", "en") == ["Owner", "Owner (2)"]
    out = tmp_path / "a.parquet"
    export_table(table, out, kind="contacts", lang="fr")
    assert pq.read_table(out).column_names == [
        "Société (id)",
        "Société",
        "Affecté à (id)",
        "Affecté à",
    ]


def test_account_headers(tmp_path: Path) -> None:
    table = pa.table(
        {
            "name": ["APROOL"],
            "parent_id": [None],
            "parent": ["Groupe APROOL"],
            "contact_count": [12],
            "headcount_band": ["51-200"],
        }
    )
    result = export_table(table, tmp_path / "a.csv", kind="accounts", lang="fr")
    assert result.headers == (
        "Société",
        "Maison mère (id)",
        "Maison mère",
        "Nombre de contacts",
        "Tranche d'effectif",
    )


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


def test_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "c.csv"
    with pytest.raises(ExportError, match=r"folder .*nowhere does not exist") as info:
        export_table(pa.table({"a": [1]}), target, kind="contacts")
    assert isinstance(info.value, OSError)
    with pytest.raises(ExportError, match="is a folder"):
        export_table(pa.table({"a": [1]}), tmp_path, kind="contacts", format="csv")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_file_permissions(tmp_path: Path) -> None:
    table = pa.table({"a": [1]})
    out = tmp_path / "new.csv"
    export_table(table, out, kind="contacts")
    mask = os.umask(0o022)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask  # not the 0600 of a temporary file

    out.chmod(0o640)
    export_table(table, out, kind="contacts")
    assert out.stat().st_mode & 0o777 == 0o640


# -- formula neutralisation ---------------------------------------------------------------


def test_formulas_are_neutralised(frame_backend: str, tmp_path: Path) -> None:
    values = HOSTILE + HARMLESS
    data = build(frame_backend, {"notes": values, "mobile": list(reversed(values))})

    csv_out = tmp_path / "h.csv"
    export_table(data, csv_out, kind="contacts")
    notes = [r[0] for r in read_csv_rows(csv_out)[1:]]
    assert notes == ["'" + v for v in HOSTILE] + HARMLESS

    xlsx_out = tmp_path / "h.xlsx"
    export_table(data, xlsx_out, kind="contacts")
    sheet = openpyxl.load_workbook(xlsx_out).active
    for row, value in enumerate(values, start=2):
        cell = sheet.cell(row, 1)
        assert cell.data_type == "s", value
        assert cell.value == value.replace("\r", "\n")  # XML reads a lone CR as LF
    assert all(c.data_type == "s" for c in sheet["B"][1:])


def test_formulas_in_lists_and_headers_are_neutralised(tmp_path: Path) -> None:
    table = pa.table({"tags": [["=1+1", "vip"], ["vip", "=1+1"]], "=cmd|' /C calc'!A0": ["x", "y"]})
    out = tmp_path / "h.csv"
    export_table(table, out, kind="contacts")
    assert read_csv_rows(out) == [
        ["tags", "'=cmd|' /C calc'!A0"],
        ["'=1+1; vip", "x"],
        ["vip; =1+1", "y"],
    ]
    xlsx = tmp_path / "h.xlsx"
    export_table(table, xlsx, kind="contacts")
    sheet = openpyxl.load_workbook(xlsx).active
    assert (sheet["B1"].value, sheet["B1"].data_type) == ("=cmd|' /C calc'!A0", "s")
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=1+1; vip", "s")


TRIGGERS = "=+-@\t\r"


@given(st.text(max_size=30))
def test_neutralised_text_never_starts_a_formula(text: str) -> None:
    safe = neutralize_formula(text)
    assert safe in (text, "'" + text)
    if safe[:1] in TRIGGERS:
        # Only signs, digits, spaces, dots, dashes and parentheses: no function, no link.
        assert set(safe[1:]) <= set("0123456789 .()-")
    # Not idempotent on purpose: "'=x" gets one "'" more, so that the importer, which
    # drops one "'" before = + - @, gives back what was exported.
    # (tests/test_export_hostile.py checks the round trip.)


@given(st.sampled_from(TRIGGERS), st.text(max_size=20))
def test_formula_trigger_with_a_letter_is_always_neutralised(trigger: str, rest: str) -> None:
    text = trigger + "A" + rest
    assert neutralize_formula(text) == "'" + text


# -- atomic writes ------------------------------------------------------------------------


def test_csv_failure_half_way_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "c.csv"
    out.write_text("old export\n", encoding="utf-8")
    monkeypatch.setattr(_arrow_input, "BATCH_ROWS", 2)
    real = _cell_text.format_float
    calls = {"n": 0}

    def failing(value: float, decimal: str) -> str:
        calls["n"] += 1
        if calls["n"] > 2:
            raise RuntimeError("disk on fire")
        return real(value, decimal)

    monkeypatch.setattr(_cell_text, "format_float", failing)
    table = pa.table({"last_name": ["a", "b", "c", "d"], "ratio": [1.5, 2.5, 3.5, 4.5]})
    with pytest.raises(ExportError, match=r"cannot export to .*c\.csv: RuntimeError: disk on fire"):
        export_table(table, out, kind="contacts")
    assert calls["n"] == 3  # the first batch was written before the failure
    assert out.read_text(encoding="utf-8") == "old export\n"
    assert leftovers(tmp_path) == []


def test_xlsx_failure_on_save_keeps_the_old_file(
    contacts: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "c.xlsx"
    out.write_bytes(b"old workbook")

    def broken_save(self: Any, filename: str) -> None:
        Path(filename).write_bytes(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(ExportError, match="No space left on device") as info:
        export_table(contacts, out, kind="contacts")
    assert isinstance(info.value.__cause__, OSError)
    assert out.read_bytes() == b"old workbook"
    assert leftovers(tmp_path) == []


def test_parquet_failure_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "c.parquet"
    out.write_bytes(b"old parquet")

    def broken_write(table: pa.Table, where: Any, **kwargs: Any) -> None:
        Path(where).write_bytes(b"PAR1 half")
        raise pa.ArrowIOError("write interrupted")

    monkeypatch.setattr(pq, "write_table", broken_write)
    with pytest.raises(ExportError, match="write interrupted"):
        export_table(pa.table({"a": [1]}), out, kind="contacts")
    assert out.read_bytes() == b"old parquet"
    assert leftovers(tmp_path) == []


def test_interrupt_removes_the_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_export, "write_csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export_table(pa.table({"a": [1]}), tmp_path / "c.csv", kind="contacts")
    assert list(tmp_path.iterdir()) == []


# -- inputs -------------------------------------------------------------------------------


def test_other_inputs(tmp_path: Path) -> None:
    records = [{"last_name": "Blou", "employees": 3}, {"last_name": "王", "employees": None}]
    out = tmp_path / "c.csv"
    export_table(records, out, kind="contacts")
    assert read_csv_rows(out) == [["last_name", "employees"], ["Blou", "3"], ["王", ""]]

    lazy = pl.DataFrame(records).lazy()
    assert export_table(lazy, out, kind="contacts").rows == 2
    reader = pa.table({"a": [1, 2]}).to_reader()
    assert export_table(reader, out, kind="contacts").rows == 2
    with pytest.raises(TypeError, match="not str"):
        export_table("contacts", out, kind="contacts")


def test_pandas_mixed_and_missing_values(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "postal_code": pd.Series(["75001", 69002, None], dtype=object),
            "employees": [85.0, float("nan"), 3.0],  # an int column with gaps, as pandas has it
            "seen": pd.to_datetime(
                pd.Series(["2024-03-05 14:30:00.5", None, "2024-01-01"]), format="ISO8601"
            ),
        }
    )
    out = tmp_path / "c.csv"
    export_table(frame, out, kind="contacts")
    assert read_csv_rows(out)[1:] == [
        ["75001", "85", "2024-03-05 14:30:00"],
        ["69002", "", ""],
        ["", "3", "2024-01-01 00:00:00"],
    ]


def test_polars_nan_is_empty(tmp_path: Path) -> None:
    frame = pl.DataFrame({"ratio": [float("nan"), 2.0]})
    out = tmp_path / "c.xlsx"
    export_table(frame, out, kind="contacts")
    sheet = openpyxl.load_workbook(out).active
    assert [sheet["A2"].value, sheet["A3"].value] == [None, 2]
    export_table(frame, tmp_path / "c.csv", kind="contacts")
    assert read_csv_rows(tmp_path / "c.csv")[1:] == [[""], ["2"]]


def test_duckdb_view_columns(tmp_path: Path) -> None:
    import duckdb

    con = duckdb.connect()
    table = con.sql(
        """
        SELECT 'Blou' AS last_name, '{"score": 3}'::JSON AS custom,
               ['vip', 'salon']::VARCHAR[] AS tags, DATE '1985-03-05' AS birthday,
               TIMESTAMP '2024-03-05 14:30:00.25' AS created_at, 'x'::BLOB AS photo,
               '1M-10M' AS revenue_band
        """
    ).to_arrow_table()
    con.close()
    result = export_table(table, tmp_path / "c.csv", kind="contacts", lang="en")
    assert read_csv_rows(result.path) == [
        ["Last name", "Custom fields", "Tags", "Birthday", "Created at", "Revenue band"],
        ["Blou", '{"score": 3}', "vip; salon", "1985-03-05", "2024-03-05 14:30:00", "1M-10M"],
    ]


def test_arrow_extension_types(tmp_path: Path) -> None:
    uid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    table = pa.table(
        {
            "custom": pa.array(['{"score": 3}', None], pa.json_()),
            "uid": pa.array([uid.bytes, None], pa.uuid()),
            "sector": pa.array(["Software", "Software"]).dictionary_encode(),
        }
    )
    out = tmp_path / "c.csv"
    export_table(table, out, kind="contacts")
    assert read_csv_rows(out)[1:] == [
        ['{"score": 3}', str(uid), "Software"],
        ["", "", "Software"],
    ]
    export_table(table, tmp_path / "c.xlsx", kind="contacts")
    sheet = openpyxl.load_workbook(tmp_path / "c.xlsx").active
    assert [c.value for c in sheet[2]] == ['{"score": 3}', str(uid), "Software"]


def test_empty_table(tmp_path: Path) -> None:
    table = pa.table({"last_name": pa.array([], pa.string()), "active": pa.array([], pa.bool_())})
    for fmt in ("csv", "xlsx", "parquet"):
        result = export_table(table, tmp_path / f"e.{fmt}", kind="contacts")
        assert result.rows == 0
    assert read_csv_rows(tmp_path / "e.csv") == [["last_name", "active"]]
    sheet = openpyxl.load_workbook(tmp_path / "e.xlsx").active
    assert sheet.auto_filter.ref == "A1:B1"


def test_result_repr(tmp_path: Path) -> None:
    table = pa.table({f"c{i}": [1] for i in range(8)})
    result = export_table(table, tmp_path / "r.csv", kind="contacts")
    assert repr(result) == (
        f"ExportResult(path='{tmp_path / 'r.csv'}', format='csv', rows=1, "
        "columns=[c0, c1, c2, c3, c4, c5, ... (8 in all)])"
    )
    with pytest.raises(AttributeError):
        result.rows = 2  # type: ignore[misc]


def test_many_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_arrow_input, "BATCH_ROWS", 7)
    table = pa.table({"id": list(range(50)), "last_name": [f"n{i}" for i in range(50)]})
    export_table(table, tmp_path / "m.csv", kind="contacts")
    export_table(table, tmp_path / "m.xlsx", kind="contacts")
    assert [r[0] for r in read_csv_rows(tmp_path / "m.csv")[1:]] == [str(i) for i in range(50)]
    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx").active
    assert [c.value for c in sheet["A"][1:]] == list(range(50))
    assert sheet.auto_filter.ref == "A1:B51"


def test_make_frame_fixture_backends(make_frame: Callable[..., Any], tmp_path: Path) -> None:
    frame = make_frame({"last_name": ["Blou", "王"], "tags": [["a", "b"], None]})
    out = tmp_path / "c.csv"
    export_table(frame, out, kind="contacts", lang="fr")
    assert read_csv_rows(out) == [["Nom", "Étiquettes"], ["Blou", "a; b"], ["王", ""]]
