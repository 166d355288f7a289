"""The import's own DuckDB and its temporary folder go on every path.

An import keeps the keys of the rows it has seen in a private DuckDB that spills to a
folder of its own (``crmkit-import-<pid>-...`` in the temporary folder). An error, an
interrupt or a dry run removes it; a process killed outright cannot, so the next import
removes the folders of processes that no longer run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

import crmkit as ck
from crmkit._importing._scratch import FOLDER_PREFIX, Scratch, remove_orphan_folders

HEADER = "Nom,Prénom,Email\n"


def rows_csv(path: Path, n: int, tail: str = "") -> Path:
    lines = [f"Nom{i},Prénom{i},e{i}@example.fr\n" for i in range(n)]
    path.write_text(HEADER + "".join(lines) + tail, encoding="utf-8")
    return path


@pytest.fixture
def temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary folder of the test's own (the imports' folders are made there)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(f"{FOLDER_PREFIX}*"))


def test_the_folder_is_named_after_the_process_and_removed_on_close(temp_folder: Path) -> None:
    scratch = Scratch("64MB")
    scratch.con.execute("SELECT 1")
    (made,) = leftovers(temp_folder)
    assert made.startswith(f"{FOLDER_PREFIX}{os.getpid()}-")
    scratch.close()
    assert leftovers(temp_folder) == []


def test_an_error_mid_import_leaves_no_folder(tmp_path: Path, temp_folder: Path) -> None:
    # A quote left open past the first chunks: the error comes once the import's DuckDB
    # holds the keys of two chunks.
    csv = rows_csv(tmp_path / "c.csv", 20_000, tail='Roy,"ouvert\n')
    with ck.open(tmp_path / "crm.duckdb") as crm:
        with pytest.raises(ck.ImportFormatError, match="never closed"):
            crm.import_file(csv, chunk_rows=8_000, workers=1, progress=False)
        assert crm.counts()["contacts"] == 0
    assert leftovers(temp_folder) == []


def test_a_dry_run_and_an_import_leave_no_folder(tmp_path: Path, temp_folder: Path) -> None:
    csv = rows_csv(tmp_path / "c.csv", 300)
    with ck.open(tmp_path / "crm.duckdb") as crm:
        crm.import_file(csv, chunk_rows=100, dry_run=True, progress=False)
        assert leftovers(temp_folder) == []
        crm.import_file(csv, chunk_rows=100, progress=False)
    assert leftovers(temp_folder) == []


_INTERRUPTED_AT_THIRD_CHUNK = textwrap.dedent(
    """
    import os, signal, tempfile
    import crmkit as ck
    from crmkit._importing._pipeline import Importer

    tempfile.tempdir = {temp!r}
    write, calls = Importer._write, []

    def write_then_stop(self, chunk, batch):
        calls.append(1)
        if len(calls) == 3:  # two chunks written, the third being written
            print(sorted(os.listdir({temp!r})), flush=True)
            {stop}
        write(self, chunk, batch)

    Importer._write = write_then_stop
    with ck.open({db!r}) as crm:
        try:
            crm.import_file({csv!r}, chunk_rows=100, workers=1, progress=False)
        except KeyboardInterrupt:
            print("interrupted", sorted(os.listdir({temp!r})), flush=True)
    """
)


def _run_until_third_chunk(tmp_path: Path, temp: Path, stop: str) -> subprocess.CompletedProcess:
    csv = rows_csv(tmp_path / "c.csv", 500)
    code = _INTERRUPTED_AT_THIRD_CHUNK.format(
        temp=str(temp), db=str(tmp_path / "crm.duckdb"), csv=str(csv), stop=stop
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_an_interrupt_mid_import_leaves_no_folder(tmp_path: Path, temp_folder: Path) -> None:
    done = _run_until_third_chunk(tmp_path, temp_folder, "raise KeyboardInterrupt")
    assert done.returncode == 0, done.stderr
    during, after = done.stdout.splitlines()
    assert FOLDER_PREFIX in during  # the folder was there while the import ran
    assert after == "interrupted []"
    assert leftovers(temp_folder) == []


def test_the_folder_of_a_killed_import_is_removed_by_the_next_one(
    tmp_path: Path, temp_folder: Path
) -> None:
    done = _run_until_third_chunk(tmp_path, temp_folder, "os.kill(os.getpid(), signal.SIGKILL)")
    assert done.returncode == -9, done.stderr
    (orphan,) = leftovers(temp_folder)  # a killed process cannot remove its folder
    csv = rows_csv(tmp_path / "d.csv", 300)
    with pytest.warns(ck.CRMKitWarning, match="rolled back"):
        crm = ck.open(tmp_path / "crm.duckdb")
    with crm:
        crm.import_file(csv, chunk_rows=100, progress=False)
    assert orphan not in leftovers(temp_folder)
    assert leftovers(temp_folder) == []


def test_folders_of_running_processes_are_kept(temp_folder: Path) -> None:
    mine = temp_folder / f"{FOLDER_PREFIX}{os.getpid()}-abc"
    parent = temp_folder / f"{FOLDER_PREFIX}{os.getppid()}-def"
    other = temp_folder / f"{FOLDER_PREFIX}notapid"
    for folder in (mine, parent, other):
        folder.mkdir()
    assert remove_orphan_folders(temp_folder) == []
    assert len(leftovers(temp_folder)) == 3
