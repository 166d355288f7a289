"""Per-chunk cost of the import's key lookup as the keys stored grow (issue 14, imports).

    .venv/bin/python benchmarks/import_lookup_bench.py --keys 1000000,10000000

An import looks each chunk's match keys (about 100,000: two a row of a 50,000-row chunk)
up among the keys of every row seen so far, kept as 128-bit hashes in its own DuckDB
(``crmkit._importing._scratch``). Three ways, each on random hashes, half of the probed
keys present:

- ``hash join`` (what the import does): a hash join of the chunk's keys against the
  table, which reads every stored key, so O(keys stored) a chunk;
- ``ART index``: the same table with ``CREATE INDEX`` on the hash, and
  ``dynamic_or_filter_threshold`` raised so that DuckDB turns the join's build side into an
  IN filter that its table scan answers from the index (``Index Scan`` in ``EXPLAIN
  ANALYZE``; DuckDB 2.0 has no index join);
- ``NumPy slots``: an open-addressing table of the hashes in NumPy arrays (linear
  probing, vectorised), as a reference for a per-key lookup outside DuckDB.

Prints, per size: seconds to store the keys, seconds of one chunk's lookup (best of 3)
and the memory each holds. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time

import duckdb
import numpy as np
import pyarrow as pa

PROBE = 100_000
STEP = 1_000_000
HASH = "((h1::UHUGEINT << 64) | h2::UHUGEINT)"


def random_hashes(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    high = rng.integers(1, 2**63, n, dtype=np.uint64)
    low = rng.integers(1, 2**63, n, dtype=np.uint64)
    return high, low


def duckdb_run(n: int, index: bool, folder: str) -> tuple[float, float, int, str]:
    """Store ``n`` hashes, then time one probe; returns seconds, seconds, MB, the plan."""
    con = duckdb.connect(":memory:", config={"memory_limit": "1GB", "temp_directory": folder})
    con.execute("CREATE TABLE k (h UHUGEINT, number BIGINT)")
    if index:
        con.execute("CREATE INDEX k_h ON k (h)")
        con.execute("SET dynamic_or_filter_threshold = 10000000")
        con.execute("SET index_scan_max_count = 1000000000")
        con.execute("SET index_scan_percentage = 1.0")
    rng = np.random.default_rng(1)
    kept_high, kept_low = [], []
    started = time.perf_counter()
    for start in range(0, n, STEP):
        high, low = random_hashes(rng, min(STEP, n - start))
        kept_high.append(high[: PROBE // 2 // max(1, n // STEP)])
        kept_low.append(low[: PROBE // 2 // max(1, n // STEP)])
        rows = pa.table({"h1": high, "h2": low, "n": np.arange(start, start + len(high))})
        con.register("rows", rows)
        con.execute(f"INSERT INTO k SELECT {HASH}, n FROM rows")
        con.unregister("rows")
    stored = time.perf_counter() - started
    new_high, new_low = random_hashes(rng, PROBE // 2)
    probe = pa.table(
        {
            "h1": np.concatenate([*kept_high, new_high]),
            "h2": np.concatenate([*kept_low, new_low]),
        }
    )
    con.register("w", probe)
    query = f"SELECT k.number FROM w JOIN k ON k.h = {HASH}"
    times = []
    for _ in range(3):
        started = time.perf_counter()
        con.execute(query).fetchall()
        times.append(time.perf_counter() - started)
    plan = con.execute("EXPLAIN ANALYZE " + query).fetchall()[0][1]
    scans = sorted(set(re.findall(r"Index Scan|Sequential Scan", plan)))
    memory = con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()
    con.close()
    return stored, min(times), int((memory[0] or 0) // 1_000_000) if memory else 0, "+".join(scans)


class Slots:
    """Open addressing: hashes and numbers in NumPy arrays, at most half full."""

    def __init__(self, capacity: int) -> None:
        self.mask = np.uint64(capacity - 1)
        self.high = np.zeros(capacity, np.uint64)
        self.low = np.zeros(capacity, np.uint64)
        self.number = np.full(capacity, -1, np.int64)

    def insert(self, high: np.ndarray, low: np.ndarray, number: np.ndarray) -> None:
        slot = high & self.mask
        pending = np.arange(len(high))
        while len(pending):
            free = self.number[slot[pending]] < 0
            take = pending[free]
            # One key a free slot per round; the others try again.
            _, first = np.unique(slot[take], return_index=True)
            won = take[first]
            self.high[slot[won]] = high[won]
            self.low[slot[won]] = low[won]
            self.number[slot[won]] = number[won]
            left = np.setdiff1d(pending, won, assume_unique=True)
            busy = self.number[slot[left]] >= 0
            slot[left[busy]] = (slot[left[busy]] + np.uint64(1)) & self.mask
            pending = left

    def find(self, high: np.ndarray, low: np.ndarray) -> np.ndarray:
        out = np.full(len(high), -1, np.int64)
        slot = high & self.mask
        pending = np.arange(len(high))
        while len(pending):
            at = slot[pending]
            hit = (self.high[at] == high[pending]) & (self.low[at] == low[pending])
            out[pending[hit]] = self.number[at[hit]]
            empty = self.number[at] < 0
            pending = pending[~hit & ~empty]
            slot[pending] = (slot[pending] + np.uint64(1)) & self.mask
        return out


def numpy_run(n: int) -> tuple[float, float, int, str]:
    capacity = 1 << int(np.ceil(np.log2(2 * n)))
    slots = Slots(capacity)
    rng = np.random.default_rng(1)
    kept_high, kept_low = [], []
    started = time.perf_counter()
    for start in range(0, n, STEP):
        high, low = random_hashes(rng, min(STEP, n - start))
        kept_high.append(high[: PROBE // 2 // max(1, n // STEP)])
        kept_low.append(low[: PROBE // 2 // max(1, n // STEP)])
        slots.insert(high, low, np.arange(start, start + len(high)))
    stored = time.perf_counter() - started
    new_high, new_low = random_hashes(rng, PROBE // 2)
    high = np.concatenate([*kept_high, new_high])
    low = np.concatenate([*kept_low, new_low])
    times = []
    for _ in range(3):
        started = time.perf_counter()
        found = slots.find(high, low)
        times.append(time.perf_counter() - started)
    assert (found >= 0).sum() == len(high) - len(new_high)
    return stored, min(times), capacity * 24 // 1_000_000, "per key"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", default="1000000,10000000", help="sizes, comma-separated")
    parser.add_argument("--ways", default="hash join,ART index,NumPy slots")
    args = parser.parse_args()
    print(f"duckdb {duckdb.__version__}; probe of {PROBE:,} keys, half present")
    print("| keys stored | way | store s | lookup s a chunk | MB held | scan |")
    print("|---:|---|---:|---:|---:|---|")
    for n in (int(x) for x in args.keys.split(",")):
        for way in args.ways.split(","):
            with tempfile.TemporaryDirectory(prefix="lookup-bench-") as folder:
                if way == "NumPy slots":
                    stored, lookup, mb, scan = numpy_run(n)
                else:
                    stored, lookup, mb, scan = duckdb_run(n, way == "ART index", folder)
            print(f"| {n:,} | {way} | {stored:.1f} | {lookup:.3f} | {mb:,} | {scan} |", flush=True)


if __name__ == "__main__":
    main()
