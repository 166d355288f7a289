"""Streaming exports (issue 14): the records are written a chunk at a time, with the same
bytes (CSV), the same content (Parquet) and the same cells (XLSX) as the exports written
whole before; XLSX goes on in a new sheet past a sheet's rows.

The known-good files in ``tests/known_good`` were written by the exports before they
streamed (see :mod:`stream_samples`).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from export_samples import leftovers
from stream_samples import KNOWN_GOOD, varied_table, xlsx_cells

import crmkit as ck
from crmkit._exceptions import ExportError
from crmkit._formats import export_table
from crmkit._formats._arrow_input import as_chunks, rechunk
from crmkit._formats._vcard_write import write_vcards
from crmkit._formats._xlsx_writer import numbered_sheet_title, write_xlsx
from crmkit._ops._pages import read_pages


def _reader(table: pa.Table, rows: int) -> pa.RecordBatchReader:
    """``table`` as a reader of batches of ``rows`` rows (as DuckDB hands them over)."""
    return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(rows))


@pytest.mark.parametrize("chunk_rows", [1, 7, 20_000])
def test_csv_streamed_is_byte_identical_to_the_known_good(tmp_path: Path, chunk_rows: int) -> None:
    out = tmp_path / "v.csv"
    data = as_chunks(_reader(varied_table(), 5), rows=chunk_rows)
    result = export_table(data, out, kind="contacts", lang="fr")
    assert result.rows == 90
    assert out.read_bytes() == (KNOWN_GOOD / "varied.csv").read_bytes()


@pytest.mark.parametrize("chunk_rows", [7, 20_000])
def test_xlsx_streamed_has_the_known_good_cells(tmp_path: Path, chunk_rows: int) -> None:
    out = tmp_path / "v.xlsx"
    data = as_chunks(_reader(varied_table(), 4), rows=chunk_rows)
    result = export_table(data, out, kind="contacts", lang="fr")
    assert result.rows == 90 and result.changed > 0
    known = json.loads((KNOWN_GOOD / "varied_xlsx.json").read_text(encoding="utf-8"))
    assert xlsx_cells(out) == known
    with zipfile.ZipFile(out) as archive:  # a literal _x0041_ is escaped, not a letter A
        assert "_x005F_x0041_" in archive.read("xl/worksheets/sheet1.xml").decode()


def test_parquet_streamed_keeps_the_records_and_their_order(tmp_path: Path) -> None:
    table = varied_table()
    out = tmp_path / "v.parquet"
    result = export_table(_reader(table, 6), out, kind="contacts")
    back = pq.read_table(out)
    assert result.rows == 90 and back.num_rows == 90
    assert back.schema.metadata is None
    pq.write_table(table, tmp_path / "whole.parquet")  # what the export wrote before
    before = pq.read_table(tmp_path / "whole.parquet")
    assert back.rename_columns(table.column_names).schema == before.schema
    assert repr(back.to_pylist()) == repr(before.to_pylist())  # repr: NaN equals NaN


def test_empty_stream_writes_headers_only(tmp_path: Path) -> None:
    empty = pa.RecordBatchReader.from_batches(varied_table().schema, [])
    assert export_table(empty, tmp_path / "e.csv", kind="contacts").rows == 0
    assert (tmp_path / "e.csv").read_text(encoding="utf-8").count("\n") == 1
    schema = varied_table().schema
    for ext in ("xlsx", "parquet"):
        reader = pa.RecordBatchReader.from_batches(schema, [])
        assert export_table(reader, tmp_path / f"e.{ext}", kind="contacts").rows == 0
    assert pq.read_table(tmp_path / "e.parquet").num_rows == 0
    sheet = openpyxl.load_workbook(tmp_path / "e.xlsx").active
    assert sheet.max_row == 1 and sheet.auto_filter.ref == "A1:L1"


def test_rechunk_cuts_equal_tables_whatever_the_batches() -> None:
    table = pa.table({"n": list(range(23))})
    chunks = list(rechunk(table.to_batches(4), table.schema, 10))
    assert [c.num_rows for c in chunks] == [10, 10, 3]
    assert pa.concat_tables(chunks).equals(table)
    assert list(rechunk(iter([]), table.schema, 10)) == []


# -- XLSX past the rows of a sheet --------------------------------------------------------


def test_xlsx_goes_on_in_a_new_sheet_when_one_is_full(tmp_path: Path) -> None:
    table = pa.table({"n": list(range(1, 11)), "name": [f"c{i}" for i in range(1, 11)]})
    out = tmp_path / "s.xlsx"
    # Sheets of 4 rows: a header and 3 records; chunks of 2 records cross the sheets.
    rows, changed = write_xlsx(
        as_chunks(table, rows=2), ["N", "Nom"], out, sheet_title="Contacts", max_rows=4
    )
    assert rows == 10 and changed == [0, 0]
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Contacts", "Contacts (2)", "Contacts (3)", "Contacts (4)"]
    records = []
    for sheet in book.worksheets:
        values = list(sheet.iter_rows(values_only=True))
        assert values[0] == ("N", "Nom") and sheet["A1"].font.b
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:B{len(values)}"
        records += values[1:]
    assert records == [(i, f"c{i}") for i in range(1, 11)]


def test_xlsx_text_too_long_in_a_later_sheet_names_its_row(tmp_path: Path) -> None:
    out = tmp_path / "long.xlsx"
    table = pa.table({"notes": ["a", "b", "c", "x" * 40_000]})
    with pytest.raises(ExportError, match=r"row 4 \(Excel row 2\), column 'notes'"):
        write_xlsx(table, ["notes"], out, sheet_title="Contacts", max_rows=4)


def test_xlsx_counts_excel_characters_beyond_the_basic_plane(tmp_path: Path) -> None:
    # 20,000 emoji are 40,000 UTF-16 units: more than a cell holds, though fewer than
    # 32,767 Python characters.
    table = pa.table({"notes": ["😀" * 20_000]})
    with pytest.raises(ExportError, match=r"row 1 \(Excel row 2\)"):
        export_table(table, tmp_path / "e.xlsx", kind="contacts")
    assert leftovers(tmp_path) == []


def test_numbered_sheet_titles_fit_in_31_characters() -> None:
    assert numbered_sheet_title("联系人", 3) == "联系人 (3)"
    assert numbered_sheet_title("y" * 31, 2) == "y" * 27 + " (2)"


# -- from the database -------------------------------------------------------------------


@pytest.fixture
def crm_people(tmp_path: Path) -> ck.CRM:
    crm = ck.open(tmp_path / "p.duckdb", user="Nicole Bertrand")
    accounts = [crm.accounts.add(name="APROOL"), crm.accounts.add(name="华为")]
    for i in range(23):
        crm.contacts.add(
            first_name=["Hélène", "伟", "Marc"][i % 3],
            last_name=f"Durand{i:02d}",
            email=f"p{i}@example.fr" if i % 4 else None,
            notes="=1+1; a, b" if i % 5 == 0 else None,
            tags=["vip"] if i % 2 else None,
            account_id=accounts[i % 2],
        )
    return crm


@pytest.mark.parametrize(
    "select",
    [
        lambda s: s,
        lambda s: s.filter(account="APROOL"),
        lambda s: s.limit(9),
        lambda s: s.columns("last_name", "email"),
        lambda s: s.sort("-last_name").limit(12),
    ],
    ids=["all", "filter", "limit", "columns-without-id", "sorted"],
)
def test_read_pages_gives_the_records_of_the_single_query(crm_people: ck.CRM, select) -> None:
    sel = select(crm_people.contacts.all())
    whole = sel.arrow()
    for page_rows in (1, 4, 9, 100):
        paged = read_pages(crm_people._session.con, sel.query, page_rows=page_rows, batch_rows=3)
        assert paged.read_all().equals(whole)


def test_read_pages_of_a_pinned_selection(crm_people: ck.CRM) -> None:
    sel = crm_people.contacts.filter(account="华为")
    sel.tag("pinned")  # pins the selection to the records it acted on
    assert sel.pinned
    paged = read_pages(crm_people._session.con, sel.query, page_rows=2)
    assert paged.read_all().column("id").to_pylist() == sel.ids


@pytest.mark.parametrize("ext", ["csv", "xlsx", "parquet"])
def test_selection_export_equals_the_export_of_its_table(
    crm_people: ck.CRM, tmp_path: Path, ext: str
) -> None:
    sel = crm_people.contacts.filter(account="APROOL")
    streamed = sel.export(tmp_path / f"s.{ext}", lang="en")
    whole = export_table(sel.arrow(), tmp_path / f"w.{ext}", kind="contacts", lang="en")
    assert streamed.rows == whole.rows == len(sel)
    if ext == "csv":
        assert streamed.path.read_bytes() == whole.path.read_bytes()
    elif ext == "xlsx":
        assert xlsx_cells(streamed.path) == xlsx_cells(whole.path)
    else:
        assert pq.read_table(streamed.path).equals(pq.read_table(whole.path))


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_selection_vcards_equal_the_cards_of_its_records(
    crm_people: ck.CRM, tmp_path: Path, version: str
) -> None:
    sel = crm_people.contacts.all().sort("last_name")
    result = sel.export_vcf(tmp_path / "c.vcf", version=version)
    records = sel.arrow().rename_columns(
        ["org" if c == "company" else c for c in sel.arrow().column_names]
    )
    expected = write_vcards(records.to_pylist(), version, rev=False)  # type: ignore[arg-type]
    written = result.path.read_bytes().decode("utf-8")
    assert result.rows == 23
    assert _without_rev(written) == expected


def _without_rev(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("REV:"))
