"""Atomic writes (crmkit._formats._atomic): all of a file or nothing, the old file kept on
failure, no temporary file left, permissions of the file replaced.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter
from export_samples import leftovers

from crmkit._exceptions import ExportError
from crmkit._formats import (
    _arrow_input,
    _cell_text,
    _export,
    export_table,
)
from crmkit._formats._atomic import atomic_write


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

    def broken_close(self: Any) -> None:
        Path(self.filename).write_bytes(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", broken_close)
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

    def broken_write(self: Any, table: pa.Table, *args: Any, **kwargs: Any) -> None:
        raise pa.ArrowIOError("write interrupted")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", broken_write)
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


# -- the module's own functions ----------------------------------------------------------


def test_atomic_write_replaces_the_file_at_the_end(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    seen: list[Path] = []

    def write(tmp: Path) -> None:
        seen.append(tmp)
        assert tmp.parent == tmp_path and tmp.name.startswith(".crmkit-")
        assert tmp.suffix == ".txt" and target.read_text() == "old"
        tmp.write_text("new")

    atomic_write(target, ".txt", write)
    assert target.read_text() == "new" and not seen[0].exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_atomic_write_failures_are_short_export_errors(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"

    def fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise ValueError("bad\n" + "x" * 1000)

    with pytest.raises(ExportError) as caught:
        atomic_write(target, ".txt", fail)
    message = str(caught.value)
    assert message.startswith(f"cannot export to {target}: ValueError: bad x")
    assert (
        "(1,004 characters)" in message
        and len(message) < len(f"cannot export to {target}: ValueError: ") + 330
        and "\n" not in message
    )
    assert isinstance(caught.value.__cause__, ValueError)
    assert list(tmp_path.iterdir()) == []

    def refuse(tmp: Path) -> None:
        raise ExportError("too wide")

    with pytest.raises(ExportError, match=r"cannot export to .*out\.txt: too wide$"):
        atomic_write(target, ".txt", refuse)
    file = tmp_path / "file"
    file.write_text("")
    with pytest.raises(ExportError, match="is not a folder"):
        atomic_write(file / "x.txt", ".txt", refuse)
