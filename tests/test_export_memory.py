"""Exports in bounded memory (issue 14): the peak memory of a vCard or XLSX export of
150,000 contacts stays near that of the same export of 50,000, measured in a subprocess on
real DuckDB files.

The exports before streaming held every record at once (as Python dicts for vCards, as
one Arrow table for XLSX) after DuckDB had sorted them all: with two kilobytes of notes a
contact, the 100,000 more contacts cost them some 790 MB (vCard) and 370 MB (XLSX, two
columns); the streamed exports under 180 MB (vCard) and about 220 MB (XLSX), mostly
DuckDB's cache of the blocks it read, which its ``memory_limit`` bounds. The bound is
generous for the streamed exports and below what the exports before needed; it is not a
timing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import crmkit as ck

ROOT = Path(__file__).resolve().parents[1]
SMALL, LARGE = 50_000, 150_000
# Growth allowed between the two: the streamed exports hold a page of 50,000 records in
# DuckDB and a chunk of 20,000 in Python, whatever their number.
GROWTH_BOUND_MB = 300

_CHILD = """
import resource, sys, warnings
warnings.simplefilter("ignore")
import crmkit as ck
path, fmt, out = sys.argv[1], sys.argv[2], sys.argv[3]
with ck.open(path, user="test") as crm:
    sel = crm.contacts.all()
    if fmt == "vcf":
        result = sel.export_vcf(out)
    else:
        result = sel.export(out, columns=["id", "notes"])
print(result.rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """DuckDB files of 50,000 and 150,000 contacts with two kilobytes of notes each."""
    folder = tmp_path_factory.mktemp("memory")
    paths = {}
    for n in (SMALL, LARGE):
        path = paths[n] = folder / f"c{n}.duckdb"
        ck.open(path, user="test").close()  # the schema, views and history tables
        with duckdb.connect(str(path)) as con:  # then the rows in one statement
            con.execute(
                "INSERT INTO contacts (first_name, last_name, email, notes, tags, created_at) "
                "SELECT 'Hélène' || range, 'Durand', 'h' || range || '@example.fr', "
                "repeat('Rappeler lundi, voir le devis; ', 64) || range, ['vip'], now() "
                f"FROM range({n})"
            )
    return paths


def _peak_mb(path: Path, fmt: str, out: Path) -> tuple[int, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), fmt, str(out)],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    rows, peak_kb = done.stdout.split()[-2:]
    return int(rows), int(peak_kb) / 1024


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["vcf", "xlsx"])
def test_export_memory_does_not_grow_with_the_records(
    databases: dict[int, Path], tmp_path: Path, fmt: str
) -> None:
    rows, small = _peak_mb(databases[SMALL], fmt, tmp_path / f"small.{fmt}")
    assert rows == SMALL
    rows, large = _peak_mb(databases[LARGE], fmt, tmp_path / f"large.{fmt}")
    assert rows == LARGE
    assert large - small < GROWTH_BOUND_MB, f"{large:.0f} MB against {small:.0f} MB"
