"""Exports and the command line facing hostile stored values (issue #11).

Values that reach the database from an older crmkit or a crafted file: control characters
and terminal escape sequences, text that looks like a formula, megabyte cells. Every export
is written to a real file, read back (openpyxl, csv, crmkit's own importer) and checked;
the command line runs on a real DuckDB file. (Hostile names in ZIP entries:
tests/test_vcard_files.py.)
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

import crmkit as ck
import crmkit._normalize
from crmkit._exceptions import ExportError
from crmkit._formats import (
    ExportResult,
    export_table,
    export_vcards,
    neutralize_formula,
    parse_vcards,
    strip_controls,
    write_vcards,
)
from crmkit.cli import EXIT_ERROR, EXIT_OK, main

# -- control characters in exports --------------------------------------------------------

CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE_LAST = "Bl\x00ou\x1b[31m\x9f\u202e"
HOSTILE_NOTES = "ligne 1\x0bligne 2\x07 \x1b]8;;http://evil.example\x1b\\lien\x1b]8;;\x1b\\ fin"


def test_strip_controls() -> None:
    assert strip_controls(HOSTILE_LAST) == "Blou"
    assert strip_controls(HOSTILE_NOTES) == "ligne 1\nligne 2 lien fin"
    assert strip_controls("tab\there\r\nnew line") == "tab\there\r\nnew line"
    assert strip_controls("Hélène 王伟 مرحبا \u200f") == "Hélène 王伟 مرحبا \u200f"


@pytest.fixture
def hostile_crm() -> Iterator[tuple[ck.CRM, int]]:
    """A CRM holding one contact whose last name and notes were written behind its back."""
    with ck.open() as crm:
        cid = crm.contacts.add(
            first_name="Hélène", last_name="Blou", email="helene@aprool.com", mobile="+33625341257"
        )
        crm.connection.execute(
            "UPDATE contacts SET last_name = ?, notes = ? WHERE id = ?",
            [HOSTILE_LAST, HOSTILE_NOTES, cid],
        )
        yield crm, cid


COLUMNS = ["first_name", "last_name", "email", "mobile", "notes"]


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_text_exports_drop_control_characters_and_say_so(
    hostile_crm: tuple[ck.CRM, int], tmp_path: Path, ext: str
) -> None:
    crm, _ = hostile_crm
    out = tmp_path / f"contacts.{ext}"
    result = crm.contacts.all().export(out, columns=COLUMNS)
    assert result.changed == 2
    assert len(result.warnings) == 1
    assert "last_name: 1" in result.warnings[0] and "notes: 1" in result.warnings[0]
    assert "changed=2" in repr(result)

    if ext == "csv":
        raw = out.read_bytes()
        assert b"\x00" not in raw and b"\x1b" not in raw
        with out.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        text = "".join(cell for row in rows for cell in row)
        assert rows[1][1] == "Blou"
        assert rows[1][4] == "ligne 1\nligne 2 lien fin"
    else:
        sheet = openpyxl.load_workbook(out).active
        assert sheet["B2"].value == "Blou"
        assert sheet["E2"].value == "ligne 1\nligne 2 lien fin"
        text = "".join(str(c.value) for row in sheet.iter_rows() for c in row)
    assert CONTROLS.search(text) is None

    # crmkit's own importer takes the file back.
    with ck.open() as again:
        report = again.import_file(out, "contacts", progress=False)
        assert report.rejected.empty and report.inserted == 1
        back = again.contacts.all().df()
        assert back.loc[0, "last_name"] == "Blou"
        assert back.loc[0, "mobile"] == "+33625341257"


def test_every_column_of_a_default_export_is_cleaned(
    hostile_crm: tuple[ck.CRM, int], tmp_path: Path
) -> None:
    crm, _ = hostile_crm
    for ext in ("csv", "xlsx"):
        result = crm.contacts.all().export(tmp_path / f"all.{ext}")
        # last_name, notes, and the derived display name that holds the last name.
        assert result.changed >= 2, ext
        with ck.open() as again:
            report = again.import_file(result.path, "contacts", progress=False)
            assert report.rejected.empty and report.inserted == 1


def test_parquet_keeps_every_character(hostile_crm: tuple[ck.CRM, int], tmp_path: Path) -> None:
    crm, _ = hostile_crm
    result = crm.contacts.all().export(tmp_path / "c.parquet", columns=COLUMNS)
    assert result.changed == 0 and result.warnings == ()
    back = pq.read_table(result.path).to_pylist()[0]
    assert back["last_name"] == HOSTILE_LAST and back["notes"] == HOSTILE_NOTES


def test_vcard_exports_drop_control_characters(
    hostile_crm: tuple[ck.CRM, int], tmp_path: Path
) -> None:
    crm, _ = hostile_crm
    for name, zipped in (("c.vcf", False), ("c.zip", True)):
        path = Path(crm.contacts.all().export_vcf(tmp_path / name, zip=zipped))
        if zipped:
            with zipfile.ZipFile(path) as archive:
                raw = b"".join(archive.read(n) for n in archive.namelist())
                assert archive.namelist() == ["Helene_Blou.vcf"]
        else:
            raw = path.read_bytes()
        assert CONTROLS.search(raw.decode("utf-8").replace("\r\n", "")) is None
        card = parse_vcards(raw).records[0]
        assert card["last_name"] == "Blou"
        assert card["notes"] == "ligne 1\nligne 2 lien fin"
    with ck.open() as again:
        report = again.import_file(tmp_path / "c.vcf", "contacts", progress=False)
        assert report.rejected.empty and report.inserted == 1
        assert again.contacts.all().df().loc[0, "last_name"] == "Blou"


def test_vcard_export_counts_what_it_cleaned(tmp_path: Path) -> None:
    records = [
        {"first_name": "Hélène", "last_name": HOSTILE_LAST, "notes": HOSTILE_NOTES},
        {"first_name": "Marc", "last_name": "Durand", "tags": ["ok", "v\x00ip"],
         "custom": '{"X-SKYPE": "m\\u0000d", "TEL (pa\\u0000ger)": "1"}'},
        {"first_name": "Li", "last_name": "Wei"},
    ]  # fmt: skip
    for zipped in (False, True):
        result = export_vcards(records, tmp_path / ("c.zip" if zipped else "c.vcf"), zip=zipped)
        assert isinstance(result, ExportResult)
        assert (result.format, result.rows, result.changed) == ("vcf", 3, 4)
        assert "last_name: 1" in result.warnings[0] and "custom: 1" in result.warnings[0]
        # The result stands for its file.
        if zipped:
            with zipfile.ZipFile(result) as archive:
                assert len(archive.namelist()) == 3
        else:
            assert len(ck.read_vcf(result)) == 3
    text = write_vcards(records, rev=False)
    assert CONTROLS.search(text.replace("\r\n", "")) is None
    back = parse_vcards(text).records
    assert back[1]["tags"] == ["ok", "vip"]
    assert back[1]["custom"] == {"X-SKYPE": "md", "TEL (pager)": "1"}


def test_xlsx_never_raises_on_characters_xml_cannot_hold(tmp_path: Path) -> None:
    every_control = "".join(chr(c) for c in range(0x20)) + "\x7f\x85\x9b\ufffe\uffff"
    table = pa.table(
        {
            "notes": [f"a{every_control}b", "ok"],
            "tags": [[f"x{every_control}"], None],
            "custom": ['{"k": "v\\u0000"}', None],
        }
    )
    out = tmp_path / "x.xlsx"
    result = export_table(table, out, kind="contacts", sheet_name="Feuille\x00\x1b")
    assert result.changed == 2
    sheet = openpyxl.load_workbook(out).active
    # Tab, LF, VT and FF as LF, CR (read back as LF), U+001C-U+001F and U+0085 as spaces.
    assert sheet["A2"].value == "a\t\n\n\n\n     b"
    assert sheet["B2"].value == "x\t\n\n\n\n     "
    assert sheet["C2"].value == '{"k": "v\\u0000"}'  # JSON escapes are text, not controls
    assert sheet.title == "Feuille"


def test_one_control_character_in_a_long_batch_is_found(tmp_path: Path) -> None:
    # Long texts are scanned with RE2 (pyarrow), short ones with Python's re: both find it.
    notes = ["x" * 100] * 3_000
    notes[2_345] = "y" * 50 + "\x1b[31m" + "\ufffe"
    table = pa.table({"notes": notes})
    csv_result = export_table(table, tmp_path / "long.csv", kind="contacts")
    assert csv_result.changed == 1
    assert b"\x1b" not in (tmp_path / "long.csv").read_bytes()
    xlsx_result = export_table(table, tmp_path / "long.xlsx", kind="contacts")
    assert xlsx_result.changed == 1
    cell = openpyxl.load_workbook(tmp_path / "long.xlsx").active.cell(2_347, 1).value
    assert cell == "y" * 50
    text = write_vcards([{"last_name": "N", "notes": n} for n in notes], rev=False)
    assert "\x1b" not in text and "\ufffe" in text  # vCard text can hold U+FFFE


# -- the command line never prints a control character raw -------------------------------


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    path = tmp_path / "crm.duckdb"
    with ck.open(path, user="CLI") as crm:
        a = crm.contacts.add(first_name="Hélène", last_name="Blou", email="h@aprool.com")
        b = crm.contacts.add(first_name="Helene", last_name="Blou", email="H@aprool.com")
        crm.connection.execute(
            "UPDATE contacts SET last_name = ?, job_title = ? WHERE id IN (?, ?)",
            [HOSTILE_LAST, "\x1b[2J\x1b[H\u202eCEO", a, b],
        )
        crm.connection.execute(
            "UPDATE history SET new_value = to_json(?::VARCHAR), actor = ? WHERE record_id = ?",
            [HOSTILE_LAST, "Eve\x1b[8m", a],
        )
    return path


def assert_no_raw_controls(text: str) -> None:
    assert CONTROLS.search(text.replace("\r\n", "\n").replace("\t", " ")) is None, repr(text)


@pytest.mark.parametrize(
    ("command", "shows_values"),
    [
        (["filter"], True),
        (["filter", "--columns", "last_name,job_title"], True),
        (["history"], False),
        (["history", "--id", "1"], True),
        (["history", "--batch", "1"], True),
        (["dedupe", "--threshold", "0.5"], False),
        (["--user", "\x1b[31mMallory\u202e", "reassign", "--to", "\x1b[31mMallory\u202e"], True),
    ],
    ids=["filter", "filter-columns", "batches", "history-id", "history-batch", "dedupe", "user"],
)
def test_cli_escapes_stored_values(
    hostile_db: Path, command: list[str], shows_values: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    args = command if command[0] == "--user" else ["--user", "CLI", *command]
    main(["--db", str(hostile_db), *args])
    captured = capsys.readouterr()
    assert_no_raw_controls(captured.out)
    assert_no_raw_controls(captured.err)
    if shows_values:  # shown, escaped
        assert "\\x1b" in captured.out + captured.err


def test_cli_preview_escapes_file_values(
    hostile_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("Nom\x1b[31m,E-mail\nBlou\x1b[2J,not an email\x1b[0m\n", encoding="utf-8")
    assert main(["--db", str(hostile_db), "preview", str(source)]) == EXIT_OK
    captured = capsys.readouterr()
    assert_no_raw_controls(captured.out + captured.err)


def test_cli_export_reports_cleaned_values(
    hostile_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c.csv"
    assert main(["--db", str(hostile_db), "export", str(out), "--columns", "id,last_name"]) == 0
    captured = capsys.readouterr()
    assert "2 contacts written" in captured.out
    assert "2 values written without their control characters" in captured.err
    assert b"\x1b" not in out.read_bytes()


def test_cli_errors_are_short_and_printable(
    hostile_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = "x" * 1_000_000
    for command in (
        ["filter", "--where", huge],
        ["import", str(tmp_path / "in.csv"), "--map", huge],
        ["undo", huge],
        ["import", str(tmp_path / ("missing\x1b[31m" + "y" * 5000 + ".csv"))],
    ):
        assert main(["--db", str(hostile_db), *command]) == EXIT_ERROR
        err = capsys.readouterr().err
        assert err.startswith("crmkit: error:")
        assert len(err) < 2_000, len(err)
        assert_no_raw_controls(err)


# -- formulas: neutralised on export, given back unchanged on import ----------------------


def import_rule(text: str) -> str:
    """What crmkit's importer does to a cell: one ``'`` before ``'``* then = + - @ goes."""
    return text[1:] if re.match(r"'+[=+\-@]", text) else text


CELLS = [
    ("=1+1", "'=1+1"),
    ("+33612345678", "+33612345678"),  # a phone number stays readable
    ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),
    ("-x", "'-x"),
    ("@x", "'@x"),
    ("'=x", "''=x"),
    ("''=x", "'''=x"),
    ("'+33612345678", "''+33612345678"),
    ("'x", "'x"),
    ("'", "'"),
    ("x", "x"),
]


@pytest.mark.parametrize(("value", "written"), CELLS)
def test_formula_cells_as_written(value: str, written: str, tmp_path: Path) -> None:
    assert neutralize_formula(value) == written
    assert import_rule(written) == value
    table = pa.table({"notes": [value], "mobile": [value]})
    export_table(table, tmp_path / "f.csv", kind="contacts")
    with (tmp_path / "f.csv").open(encoding="utf-8", newline="") as f:
        assert list(csv.reader(f))[1] == [written, written]
    # XLSX stores typed text that no spreadsheet evaluates: the value is kept as it is,
    # but a "'" the importer would drop is protected by one more, as in CSV.
    export_table(table, tmp_path / "f.xlsx", kind="contacts")
    sheet = openpyxl.load_workbook(tmp_path / "f.xlsx").active
    in_xlsx = written if value[:1] == "'" else value
    assert (sheet["A2"].value, sheet["A2"].data_type) == (in_xlsx, "s")
    assert import_rule(in_xlsx) == value


@pytest.mark.skipif(
    not hasattr(crmkit._normalize, "unquote_formula"),
    reason="the importer does not drop the protecting ' yet",
)
@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_formula_cells_survive_export_and_import(ext: str, tmp_path: Path) -> None:
    values = [value for value, _ in CELLS]
    with ck.open() as crm:
        for i, value in enumerate(values):
            crm.contacts.add(last_name=f"N{i:02}", notes=value, job_title=value)
        out = tmp_path / f"f.{ext}"
        crm.contacts.all().export(out, columns=["last_name", "notes", "job_title"])
    with ck.open() as again:
        report = again.import_file(out, "contacts", progress=False)
        assert report.rejected.empty
        back = again.contacts.all().df().sort_values("last_name")
        assert back["notes"].tolist() == values
        assert back["job_title"].tolist() == values


@settings(max_examples=examples(300))
@given(st.text(alphabet=st.sampled_from("'=+-@ x1.()\t\r"), max_size=8) | st.text(max_size=20))
def test_import_gives_back_what_was_exported(text: str) -> None:
    written = neutralize_formula(text)
    assert written in (text, "'" + text)
    if text[:1] not in ("\t", "\r"):  # crmkit never stores a value starting with these
        assert import_rule(written) == text
    if written[:1] in "=+-@\t\r":  # left alone: only a number can come out of it
        assert set(written[1:]) <= set("0123456789 .()-")


# -- huge values in messages --------------------------------------------------------------


def test_xlsx_error_message_stays_short(tmp_path: Path) -> None:
    name = "n\x00" * 100_000
    table = pa.table({name: ["x" * 40_000]})
    with pytest.raises(ExportError) as caught:
        export_table(table, tmp_path / "x.xlsx", kind="contacts")
    message = str(caught.value)
    # The header lost its control characters before it was written: 100,000 "n".
    assert len(message) < 500 and "100,000 characters" in message
    assert_no_raw_controls(message)
