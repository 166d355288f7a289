"""DuckDB's memory limit on a CRM's connection (issue 14): ``ck.open(memory_limit=)``, the
``CRMKIT_MEMORY_LIMIT`` environment default, spilling past it, and reading a whole
database in a memory that the limit bounds, measured in a subprocess on a real file.

DuckDB's own default (80% of the machine's memory) let its cache of the blocks read grow
to the size of the file: reading every record of 10M contacts kept the 1 GB file in it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

import crmkit as ck
from crmkit._core._memory import (
    DEFAULT_MEMORY_LIMIT_BYTES,
    MEMORY_LIMIT_ENV,
    default_memory_limit,
    memory_limit_setting,
)

ROOT = Path(__file__).resolve().parents[1]


def _limit_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """DuckDB's ``memory_limit``, which it shows rounded (``'1.8 GiB'``), in bytes."""
    ((value,),) = con.execute("SELECT current_setting('memory_limit')").fetchall()
    number, unit = str(value).split()
    scale = {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit]
    return int(float(number) * scale)


def test_the_default_is_at_most_one_gigabyte(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    with ck.open() as crm:
        limit = _limit_bytes(crm.connection)
    assert limit <= DEFAULT_MEMORY_LIMIT_BYTES
    assert memory_limit_setting(None) == default_memory_limit()
    # DuckDB's own default, 80% of the machine, is what it replaces.
    with duckdb.connect() as plain:
        assert limit < _limit_bytes(plain) or _limit_bytes(plain) <= DEFAULT_MEMORY_LIMIT_BYTES


def test_memory_limit_argument_wins_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "300MB")
    with ck.open(tmp_path / "a.duckdb") as crm:
        assert _limit_bytes(crm.connection) == pytest.approx(300e6, rel=0.05)
    with ck.open(tmp_path / "a.duckdb", memory_limit="2GB") as crm:
        assert _limit_bytes(crm.connection) == pytest.approx(2e9, rel=0.05)
    with ck.open(tmp_path / "a.duckdb", read_only=True, memory_limit=256 * 2**20) as crm:
        assert _limit_bytes(crm.connection) == 256 * 2**20


def test_shared_mode_has_the_limit_too(tmp_path: Path) -> None:
    with ck.open(tmp_path / "s.duckdb", shared=True, memory_limit="400MB") as crm, crm.batch():
        assert _limit_bytes(crm.connection) == pytest.approx(400e6, rel=0.05)


def test_a_connection_passed_in_keeps_its_own_settings() -> None:
    con = duckdb.connect(config={"memory_limit": "3GB"})
    with ck.open(connection=con, memory_limit="100MB"):
        assert _limit_bytes(con) == pytest.approx(3e9, rel=0.05)
    con.close()


@pytest.mark.parametrize("bad", ["a lot", "-1GB", "0", "2 parsecs", 1.5, True])
def test_a_bad_limit_is_refused_naming_it(bad: object) -> None:
    with pytest.raises(ck.ValidationError, match=r"memory_limit: .* is not a size"):
        ck.open(memory_limit=bad)  # type: ignore[arg-type]


def test_a_bad_environment_limit_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "plenty")
    with pytest.raises(ck.ValidationError, match=rf"{MEMORY_LIMIT_ENV} .*'plenty'"):
        ck.open()


def test_in_memory_crm_spills_to_the_system_temp_folder_and_reads_no_file() -> None:
    with ck.open(memory_limit="64MB") as crm:
        con = crm.connection
        ((folder,),) = con.execute("SELECT current_setting('temp_directory')").fetchall()
        assert str(folder).startswith(tempfile.gettempdir())
        # A sort of some 150 MB under a 64 MB limit: it spills instead of failing.
        ((count,),) = con.execute(
            "SELECT count(*) FROM (SELECT md5(range::VARCHAR) || md5((range + 1)::VARCHAR) "
            "AS s FROM range(2000000) ORDER BY s)"
        ).fetchall()
        assert count == 2_000_000
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT * FROM read_csv('/etc/hosts')")
    assert not Path(folder).exists()  # DuckDB removes the folder it made


_READ_ALL = """
import json, sys
from pathlib import Path
import crmkit as ck

def rss_mb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024

path, limit = sys.argv[1], sys.argv[2]
with ck.open(path, read_only=True, memory_limit=limit) as crm:
    selection = crm.contacts.all().columns("id", "notes")
    next(iter(selection.limit(10).iter_batches(10, as_="arrow")))  # imports, plans
    before = rss_mb("VmRSS:")
    rows = sum(b.num_rows for b in selection.iter_batches(10_000, as_="arrow"))
    ((cached,),) = crm.connection.execute(
        "SELECT sum(memory_usage_bytes) / 2**20 FROM duckdb_memory() WHERE tag = 'BASE_TABLE'"
    ).fetchall()
    print(json.dumps({"rows": rows, "grew_mb": rss_mb("VmHWM:") - before, "cached_mb": cached}))
"""

ROWS = 150_000


def _read_all(path: Path, limit: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(MEMORY_LIMIT_ENV, None)
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", _READ_ALL, str(path), limit],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    measured: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["rows"] == ROWS
    return measured


@pytest.mark.slow
def test_reading_every_record_stays_under_the_limit(tmp_path: Path) -> None:
    """150,000 contacts with 1.5 kB of notes that hardly compress (a file of ~120 MB), read
    in batches: under a limit above the file (DuckDB's default) its cache kept all of it,
    ~115 MB, and the process grew by 100-125 MB; under 64 MB the cache stays under the
    limit and the process grows by ~65 MB."""
    path = tmp_path / "notes.duckdb"
    ck.open(path, user="test").close()  # the schema, views and history tables
    notes = " || ".join(f"md5(range::VARCHAR || '{k}')" for k in range(48))
    with duckdb.connect(str(path)) as con:
        con.execute(
            "INSERT INTO contacts (first_name, last_name, notes, created_at) "
            f"SELECT 'Hélène' || range, 'Durand', {notes}, now() FROM range(?)",
            [ROWS],
        )
    bounded = _read_all(path, "64MB")
    assert bounded["cached_mb"] <= 64, bounded
    assert bounded["grew_mb"] < 90, bounded
    # The same read under a limit above the file caches all of it: the bound means something.
    assert _read_all(path, "8GB")["cached_mb"] > 100
