"""Workbooks refused before they are opened (crmkit._formats._xlsx_limits): zip bombs,
parts too big, entity expansion.
"""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

import pytest
from format_samples import (
    bomb,
    read_rows,
    shared_strings,
    shared_strings_workbook,
    workbook,
)

from crmkit._exceptions import ImportFormatError
from crmkit._formats import (
    read_table,
)
from crmkit._formats._xlsx_limits import XLSX_RATIO_FLOOR_BYTES, check_workbook_parts


def test_xlsx_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    path = shared_strings_workbook(tmp_path / "bomb.xlsx", bomb(64 * 1024 * 1024))
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
    path = shared_strings_workbook(
        tmp_path / "big.xlsx", shared_strings(b"<si><t>Nom</t></si>", *names)
    )
    monkeypatch.setattr(readers, "XLSX_MAX_PART_BYTES", 50_000)
    with pytest.raises(ImportFormatError, match="would expand to") as caught:
        read_table(path)
    assert "xl/sharedStrings.xml" in str(caught.value)
    monkeypatch.undo()
    assert read_rows(read_table(path)) == [{"Nom": "Client 0"}]


def test_xlsx_entity_expansion_is_refused(tmp_path: Path) -> None:
    # Billion laughs: ten levels of ten references, 10**9 copies of the first entity.
    entities = [b'<!ENTITY e0 "' + b"ha" * 50 + b'">']
    entities += [b'<!ENTITY e%d "%s">' % (i, b"&e%d;" % (i - 1) * 10) for i in range(1, 10)]
    sst = shared_strings(b"<si><t>Nom</t></si><si><t>&e9;</t></si>")
    sst[0] = sst[0].replace(b"<sst", b"<!DOCTYPE sst [" + b"".join(entities) + b"]><sst")
    path = shared_strings_workbook(tmp_path / "laughs.xlsx", sst)
    tracemalloc.start()
    try:
        with pytest.raises(ImportFormatError, match="damaged") as caught:
            read_table(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(path) in str(caught.value)
    assert peak < 32 * 1024 * 1024, peak


# -- the module's own functions ----------------------------------------------------------


def test_check_workbook_parts_passes_a_workbook_and_refuses_a_damaged_zip(tmp_path: Path) -> None:
    good = workbook(tmp_path / "ok.xlsx", [["Nom"], ["Blou"]])
    assert check_workbook_parts(good) is None
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[:100])
    with pytest.raises(ImportFormatError, match="damaged or truncated") as caught:
        check_workbook_parts(cut)
    assert str(cut) in str(caught.value)


def test_small_parts_are_not_held_to_the_ratio(tmp_path: Path) -> None:
    # A part of repeated markup compresses hundreds of times; below the floor it is read.
    expanded = XLSX_RATIO_FLOOR_BYTES // 2
    path = shared_strings_workbook(tmp_path / "small.xlsx", bomb(expanded))
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/sharedStrings.xml")
    assert info.file_size > 100 * info.compress_size
    check_workbook_parts(path)
    assert read_rows(read_table(path)) == [{"Nom": "Blou"}]


def test_sheet_parts_are_streamed_and_not_held_to_the_part_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crmkit._formats._xlsx_limits as limits

    path = workbook(tmp_path / "rows.xlsx", [["Nom"], *[[f"client {i}"] for i in range(2000)]])
    with zipfile.ZipFile(path) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    monkeypatch.setattr(limits, "XLSX_MAX_PART_BYTES", sheet - 1)
    check_workbook_parts(path)
    monkeypatch.setattr(limits, "XLSX_MAX_SHEET_BYTES", sheet - 1)
    with pytest.raises(ImportFormatError, match=r"'xl/worksheets/sheet1\.xml' would expand to"):
        check_workbook_parts(path)
