"""An import commits chunk by chunk, and stays one batch: whole, or not there at all.

DuckDB would otherwise hold the whole file as one uncommitted transaction in memory. The
batch is marked incomplete until its end: an error removes what its chunks committed; a
process killed mid-import leaves its first chunks, which the next read-write open rolls
back (saying so) and a read-only open shows (saying so).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import crmkit as ck

HEADER = "Nom,Prénom,Email,Fonction\n"


def rows_csv(path: Path, n: int, tail: str = "") -> Path:
    """``n`` contacts (the first one ``e0@example.fr``, job ``New``), then ``tail``."""
    lines = [f"Nom{i},Prénom{i},e{i}@example.fr,{'New' if i == 0 else 'Job'}\n" for i in range(n)]
    path.write_text(HEADER + "".join(lines) + tail, encoding="utf-8")
    return path


def stored_before(path: Path) -> int:
    """A CRM holding one contact (``e0@example.fr``, job ``Old``); returns its id."""
    with ck.open(path, user="setup") as crm:
        return crm.contacts.add(
            first_name="Prénom0", last_name="Nom0", email="e0@example.fr", job_title="Old"
        )


def state(crm: ck.CRM) -> tuple[int, int, int, str]:
    counts = crm.counts()
    job = crm.contacts.df()["job_title"].tolist()
    return counts["contacts"], counts["history"], counts["batches"], ",".join(job)


def test_an_import_of_several_chunks_is_one_batch_undone_whole(tmp_path: Path) -> None:
    db = tmp_path / "crm.duckdb"
    stored_before(db)
    csv = rows_csv(tmp_path / "c.csv", 250)
    with ck.open(db) as crm:
        before = state(crm)
        report = crm.import_file(csv, chunk_rows=100, progress=False)
        assert (report.inserted, report.updated) == (249, 1)
        batches = crm.history()
        assert batches["operation"].tolist().count("import") == 1
        crm.undo(report.batch_id)
        assert state(crm)[0::3] == before[0::3]  # the same contacts, the same job
    with ck.open(db) as crm:
        assert crm.contacts.get(1)["job_title"] == "Old"


def test_an_error_in_a_later_chunk_removes_the_chunks_already_committed(
    tmp_path: Path,
) -> None:
    db = tmp_path / "crm.duckdb"
    stored_before(db)
    # A quote left open past the part of the file read first: found by the third chunk,
    # after two chunks (the first updating the stored contact) were committed.
    csv = rows_csv(tmp_path / "c.csv", 20_000, tail='Roy,"ouvert\n')
    with ck.open(db) as crm:
        before = state(crm)
        with pytest.raises(ck.ImportFormatError, match="never closed"):
            crm.import_file(csv, chunk_rows=8_000, workers=1, progress=False)
        assert state(crm) == before
    with ck.open(db) as crm:  # nothing left to roll back
        assert state(crm) == before


def test_a_dry_run_of_several_chunks_leaves_nothing(tmp_path: Path) -> None:
    db = tmp_path / "crm.duckdb"
    stored_before(db)
    csv = rows_csv(tmp_path / "c.csv", 250)
    with ck.open(db) as crm:
        before = state(crm)
        report = crm.import_file(csv, chunk_rows=100, dry_run=True, progress=False)
        assert (report.inserted, report.updated, report.batch_id) == (249, 1, None)
        assert state(crm) == before


_KILLED_AT_THIRD_CHUNK = textwrap.dedent(
    """
    import os, signal
    import crmkit as ck
    from crmkit._importing._pipeline import Importer

    write, calls = Importer._write, []

    def write_then_die(self, chunk, batch):
        calls.append(1)
        if len(calls) == 3:  # two chunks committed, the third being written
            os.kill(os.getpid(), signal.SIGKILL)
        write(self, chunk, batch)

    Importer._write = write_then_die
    with ck.open({db!r}) as crm:
        crm.import_file({csv!r}, chunk_rows=100, workers=1, progress=False)
    print("finished")
    """
)


def test_an_import_killed_mid_way_is_rolled_back_by_the_next_open(tmp_path: Path) -> None:
    db = tmp_path / "crm.duckdb"
    stored_before(db)
    csv = rows_csv(tmp_path / "c.csv", 500)
    with ck.open(db) as crm:
        before = state(crm)
    code = _KILLED_AT_THIRD_CHUNK.format(db=str(db), csv=str(csv))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == -9 and "finished" not in done.stdout, done.stderr
    # A reader sees the two committed chunks (the stored contact updated), and is told.
    with pytest.warns(ck.CRMKitWarning, match=r"first parts of batch 2 \(import contacts"):
        reader = ck.open(db, read_only=True)
    with reader:
        contacts, _, _, jobs = state(reader)
        assert contacts == 200 and jobs.startswith("New,")
    with pytest.warns(ck.CRMKitWarning, match=r"batch 2 \(import .*c\.csv.* rolled back"):
        crm = ck.open(db)
    with crm:
        assert state(crm) == before
    with ck.open(db, read_only=True) as reader:  # nothing incomplete left: no warning
        assert state(reader) == before
