"""Duplicate search memory (issue 14): per candidate pair and per record, in a subprocess.

Two frames of 100,000 records with the same columns: namesakes (same first and last
name, different e-mail, company and city) in blocks of 2 or of 20, so that the second has
about 900,000 more candidate pairs (name rules, which train the model) and no more
records. The child measures the search alone: its peak resident memory is reset
(``/proc/self/clear_refs``) just before ``find_duplicates`` and read after it, so the
imports' own peak (which varies with the machine and the working directory) does not
hide the search's; it runs in an empty folder, so that only ``PYTHONPATH``'s crmkit is
imported. DuckDB's ``memory_limit`` is 64 MB here, and DuckDB blocks both frames, so
that its share stays constant (the smaller alone would be blocked in NumPy).

Measured so (shared machine, December 7): the search of 950,385 candidate pairs peaks
about 206 MB above where it starts, 277 MB with the code before the pairs were made
distinct in DuckDB and training held one session's posteriors at a time; the extra
pairs cost 53-68 bytes each (the code before: 27, from a higher floor: its search of
53,468 pairs already peaked at 253 MB, today's at 154). The bounds are generous for
today's code; they are not timings.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import crmkit as ck
from crmkit._dedupe._table import search_columns
from crmkit._ops._duplicates import duplicates_of

ROOT = Path(__file__).resolve().parents[1]
RECORDS = 100_000
BYTES_PER_EXTRA_PAIR = 80
MANY_PAIRS_PEAK_MB = 250

_CHILD = """
import resource, sys, warnings
warnings.simplefilter("ignore")
import numpy as np, pandas as pd
from crmkit._dedupe import _blocking
from crmkit import find_duplicates
_blocking.DUCKDB_MEMORY_LIMIT = "64MB"
_blocking.NUMPY_MAX_KEY_ROWS = 0  # both frames through DuckDB (small ones skip it)
n, size = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
block = np.arange(n) // size
letters = list("abcdefghijklmnopqrstuvwxyz")
frame = pd.DataFrame({
    "id": np.arange(n),
    "first_name": ["".join(w) for w in rng.choice(letters, (n, 7))[block]],
    "last_name": ["".join(w) for w in rng.choice(letters, (n, 8))[block]],
    "email": [f"p{k}@example.fr" for k in range(n)],
    "company": [f"Societe {k}" for k in rng.permutation(n)],
    "city": [f"Ville {k}" for k in rng.permutation(n)],
})
def status_kb(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1])
open("/proc/self/clear_refs", "w").write("5")  # the peak starts again from here
before = status_kb("VmRSS:")
report = find_duplicates(frame)
print(report.stats["candidate_pairs"], status_kb("VmHWM:") - before)
"""


def _peak(block_size: int, folder: Path) -> tuple[int, float]:
    """Candidate pairs and peak memory growth (bytes) of a search in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(RECORDS), str(block_size)],
        capture_output=True, text=True, env=env, check=True, cwd=folder,
    )  # fmt: skip
    pairs, peak_kb = done.stdout.split()[-2:]
    return int(pairs), int(peak_kb) * 1024.0


@pytest.mark.slow
def test_memory_per_candidate_pair_stays_small(tmp_path: Path) -> None:
    few_pairs, few_peak = _peak(2, tmp_path)
    many_pairs, many_peak = _peak(20, tmp_path)
    extra = many_pairs - few_pairs
    assert extra > 800_000  # the case is what it claims to be
    assert many_peak < MANY_PAIRS_PEAK_MB * 2**20, f"{many_peak / 2**20:.0f} MB"
    per_pair = (many_peak - few_peak) / extra
    assert per_pair < BYTES_PER_EXTRA_PAIR, (
        f"{per_pair:.0f} bytes a candidate pair ({extra:,} more pairs, "
        f"{(many_peak - few_peak) / 2**20:.0f} MB more)"
    )


# -- per record ----------------------------------------------------------------------------

_COLUMN_CHILD = """
import resource, sys
import numpy as np, pandas as pd
from crmkit._dedupe._frames import frame_columns
n = int(sys.argv[1])
cities = [f"Saint-Germain-en-Laye quartier {k:03d}" for k in range(50)]
frame = pd.DataFrame({"city": pd.array(np.asarray(cities, dtype=object)[np.arange(n) % 50],
                                       dtype="str")})
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize()
before = rss()
columns = frame_columns(frame, ["city"])
assert columns["city"][:2] == cities[:2] and len(columns["city"]) == n
print(rss() - before)
"""


def test_a_repeated_string_is_held_once_when_read_for_matching() -> None:
    # 1,000,000 rows of 50 cities: a string object per row held about 90 MB (92 bytes
    # each); one per distinct value, the list's 8 MB of references.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _COLUMN_CHILD, "1000000"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    grown = int(done.stdout.split()[-1])
    assert grown < 40 * 2**20, f"{grown / 2**20:.0f} MB for one column of 1,000,000 rows"


def test_the_records_read_for_a_search_are_the_columns_it_compares(tmp_path: Path) -> None:
    # Duplicates.frame() read 38 columns (3.8 GB at 1.1M contacts) for the 16 compared.
    with ck.open(tmp_path / "x.duckdb", user="t") as crm:
        crm.contacts.add(first_name="Jean", last_name="Martin", notes="a long note")
        frame = duplicates_of(crm._session, "contacts").frame()
    assert frame.columns[0] == "id"
    assert set(frame.columns[1:]) <= set(search_columns("contacts"))  # no billing_country
    assert len(frame.columns) == 16
    assert "notes" not in frame.columns and "tags" not in frame.columns
    assert frame.loc[0, "last_name"] == "Martin"
