"""Fuzzing the file parsers: whatever the bytes, a CRMKitError or a result, in bounded memory.

Each parser (CSV, XLSX, vCard) gets arbitrary bytes and real files with random damage
(bytes flipped, inserted, deleted, the file cut short). Reading must either give rows or
raise an error of crmkit's family (:class:`~crmkit.CRMKitError`), never a raw
``ParserError``, ``UnicodeDecodeError``, ``IndexError`` ..., and must not take memory out of
proportion with the input. The whole import (``crm.import_file``) is fuzzed on a few
examples the same way. Crashes these tests found have their own example tests at the end.
"""

from __future__ import annotations

import contextlib
import io
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

import crmkit as ck
from crmkit._exceptions import CRMKitError, ImportFormatError
from crmkit._formats import VCardWarning, detect_format, parse_vcards, read_table, read_vcf

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "vcards"
VCARDS = sorted(FIXTURES.glob("*.vcf"))

# Inputs stay small, so a generous bound on peak memory still catches a parser that
# blows up (a quadratic copy, a decompression bomb, a runaway buffer).
MAX_INPUT = 16 * 1024
MAX_PEAK = 64 * 1024 * 1024

_FUZZ = settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

CSV_SAMPLE = (
    "Export du 12/03/2024\n\n"
    "Nom;Prénom;Société;Adresse;Notes\n"
    'Blou;Hélène;"Crème & Cie";"3, rue de la Paix\nBât. B";"dit ""ok"""\n'
    "Lefèvre;Françoise;Gâteaux Noël;;très bien\n"
    '华为;张伟;"深圳, 南山区";;\n'
    "Roy;Léa;APROOL;1 place Bellecour;5 €\n"
)


# --------------------------------------------------------------------------- helpers


def _read_all(path: Path) -> int:
    """Read ``path`` the way the import does: every chunk of every row."""
    detect_format(path)
    source = read_table(path)
    return sum(len(chunk) for chunk in source.chunks(chunk_rows=3))


def _read_vcards(path: Path) -> int:
    data = path.read_bytes()
    parse_vcards(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VCardWarning)  # a damaged card is reported so
        return len(read_vcf(path))


def _only_crmkit_errors(read: Callable[[Path], Any], path: Path) -> None:
    """Run ``read(path)``: any outcome but an exception outside CRMKitError; bounded memory."""
    tracemalloc.start()
    try:
        with contextlib.suppress(CRMKitError):
            read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MAX_PEAK, f"{peak:,} bytes for a {path.stat().st_size:,}-byte input"


@st.composite
def _mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with a few random edits: bytes flipped, inserted, deleted, cut short."""
    data = bytearray(original)
    # Bytes that matter to the parsers: quotes, delimiters, line ends, NUL, ESC, non-UTF-8.
    interesting = st.sampled_from([*b'",;\t|\r\n\x00\x1b\xe9\xff\x80\xc3=:\\ '])
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        if not data:
            break
        at = draw(st.integers(min_value=0, max_value=len(data) - 1))
        action = draw(st.sampled_from(["flip", "set", "insert", "delete", "cut"]))
        if action == "flip":
            data[at] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif action == "set":
            data[at] = draw(interesting)
        elif action == "insert":
            data[at:at] = draw(st.binary(max_size=8) | st.builds(bytes, st.lists(interesting)))
        elif action == "delete":
            del data[at : at + draw(st.integers(min_value=1, max_value=64))]
        else:
            del data[at:]
    return bytes(data[:MAX_INPUT])


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@cache
def _workbook_bytes(stored: bool) -> bytes:
    """A real workbook written by openpyxl; ``stored``: without compression, so that
    mutations land in the XML itself rather than in the deflate stream."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Nom", "Prénom", "Email", "CA", "Notes"])
    ws.append(["Blou", "Hélène", "helene@aprool.com", 4_200_000, "ligne 1\nligne 2"])
    ws.append(["华为", "张伟", None, 12.5, "=1+1"])
    buffer = io.BytesIO()
    book.save(buffer)
    if not stored:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info), zipfile.ZIP_STORED)
    return out.getvalue()


def _vcard_inputs() -> Iterator[bytes]:
    for path in VCARDS:
        yield path.read_bytes()[:MAX_INPUT]


# --------------------------------------------------------------------------- CSV


@_FUZZ
@given(data=st.binary(max_size=2048))
def test_csv_reader_takes_any_bytes(tmp_path: Path, data: bytes) -> None:
    _only_crmkit_errors(_read_all, _write(tmp_path, "any.csv", data))


@_FUZZ
@given(
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "gb18030", "utf-16"]),
    data=st.data(),
)
def test_csv_reader_takes_damaged_csv(tmp_path: Path, encoding: str, data: st.DataObject) -> None:
    original = CSV_SAMPLE.encode(encoding, errors="replace")
    damaged = data.draw(_mutated(original))
    _only_crmkit_errors(_read_all, _write(tmp_path, "damaged.csv", damaged))


@_FUZZ
@given(
    cells=st.lists(
        st.lists(
            st.text(st.sampled_from(list('ab"é,;\n\r\x00\x1b ')), max_size=6),
            min_size=1,
            max_size=4,
        ),
        max_size=8,
    )
)
def test_csv_reader_takes_quote_soup(tmp_path: Path, cells: list[list[str]]) -> None:
    # Quotes, delimiters and line ends in every arrangement, unescaped: the hard cases
    # for the quoting checks and the header search.
    text = "Nom,Prénom,Notes\n" + "".join(",".join(row) + "\n" for row in cells)
    _only_crmkit_errors(_read_all, _write(tmp_path, "soup.csv", text.encode()))


# --------------------------------------------------------------------------- XLSX


@_FUZZ
@given(data=st.binary(max_size=2048))
def test_xlsx_reader_takes_any_bytes(tmp_path: Path, data: bytes) -> None:
    # Starting as a ZIP, so that the workbook reader (not the CSV one) is what runs.
    path = _write(tmp_path, "any.xlsx", b"PK\x03\x04" + data)
    _only_crmkit_errors(_read_all, path)


@_FUZZ
@given(stored=st.booleans(), data=st.data())
def test_xlsx_reader_takes_damaged_workbooks(
    tmp_path: Path, stored: bool, data: st.DataObject
) -> None:
    original = _workbook_bytes(stored)
    damaged = data.draw(_mutated(original))
    _only_crmkit_errors(_read_all, _write(tmp_path, "damaged.xlsx", damaged))


# --------------------------------------------------------------------------- vCard


@_FUZZ
@given(data=st.binary(max_size=2048))
def test_vcard_reader_takes_any_bytes(tmp_path: Path, data: bytes) -> None:
    _only_crmkit_errors(_read_vcards, _write(tmp_path, "any.vcf", b"BEGIN:VCARD\r\n" + data))


@settings(_FUZZ, max_examples=examples(40))
@given(original=st.sampled_from(list(_vcard_inputs())), data=st.data())
def test_vcard_reader_takes_damaged_cards(
    tmp_path: Path, original: bytes, data: st.DataObject
) -> None:
    damaged = data.draw(_mutated(original))
    _only_crmkit_errors(_read_vcards, _write(tmp_path, "damaged.vcf", damaged))


# --------------------------------------------------------------------------- import


def _import(path: Path) -> None:
    with ck.open() as crm, warnings.catch_warnings():
        warnings.simplefilter("ignore", VCardWarning)
        crm.import_file(path, "contacts", progress=False)


@settings(
    max_examples=examples(5),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(["csv", "xlsx", "vcf"]),
    data=st.data(),
)
def test_import_takes_damaged_files(tmp_path: Path, kind: str, data: st.DataObject) -> None:
    if kind == "csv":
        original = CSV_SAMPLE.encode()
    elif kind == "xlsx":
        original = _workbook_bytes(True)
    else:
        original = data.draw(st.sampled_from(list(_vcard_inputs())))
    damaged = data.draw(_mutated(original))
    with contextlib.suppress(CRMKitError):
        _import(_write(tmp_path, f"damaged.{kind}", damaged))


# --------------------------------------------------------------------------- found


@pytest.mark.parametrize("name", ["b.csv", "b.xlsx"])
def test_example_files_import_or_fail_cleanly(tmp_path: Path, name: str) -> None:
    # The fuzzed entry points on plain files: a sanity check that they do read rows.
    if name.endswith(".csv"):
        path = _write(tmp_path, name, CSV_SAMPLE.encode())
    else:
        path = _write(tmp_path, name, _workbook_bytes(False))
    assert _read_all(path) >= 2


def test_first_row_one_cell_wider_than_the_names_keeps_every_cell(tmp_path: Path) -> None:
    # Found by test_csv_reader_takes_quote_soup: a lone CR ends a record for pandas but not
    # for the header search, so the first row had one cell more than the names given to
    # pandas, which then took it for an index and dropped the last cell with a warning.
    path = _write(tmp_path, "cr.csv", "Nom,Prénom,Notes\n,,,,;\r;\n".encode())
    with pytest.raises(ImportFormatError, match="line 2 has 5 cells") as caught:
        read_table(path).read()
    assert "';'" in str(caught.value)
    rows = read_table(path, on_ragged="keep").read().frame.values.tolist()
    assert rows == [[None, None, None, None, ";"], [";", None, None, None, None]]
