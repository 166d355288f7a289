"""Memory of ``find_duplicates`` on a frame, stage by stage, cold then warm.

Reads a data set written by ``benchmarks/dedupe_bench.py`` (``<name>.parquet``; run it
with ``--json`` and keep its folder, or write one with its ``write_datasets``) and runs
the search twice in one process, as that script does, the first report held during the
second. Per stage: the memory held when the stage ends and its own peak (the peak is reset
between stages, ``/proc/self/clear_refs``), both above the memory before the search::

    python benchmarks/dedupe_frame_stages.py /tmp/sets/accounts.parquet --kind accounts

Not part of the test suite; Linux only.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any


def _status(field: str) -> float:
    """A field of /proc/self/status in MB (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("parquet", type=Path)
    parser.add_argument("--kind", default="accounts", choices=("accounts", "contacts"))
    parser.add_argument("--engine", default="crmkit", choices=("crmkit", "splink"))
    args = parser.parse_args()

    import duckdb
    import pandas as pd

    from crmkit._dedupe import find_duplicates

    frame = pd.read_parquet(args.parquet)
    connection = duckdb.connect(config={"memory_limit": "4GB"})
    held: list[Any] = []
    for run in ("cold", "warm"):
        stages = _Stages()
        started = time.perf_counter()
        report = find_duplicates(
            frame, kind=args.kind, engine=args.engine, connection=connection, progress=stages.note
        )
        seconds = time.perf_counter() - started
        held.append(report)  # as dedupe_bench.py: the first report is held during the second
        pairs, clusters = len(report.pairs), len(report.clusters)
        print(f"{run}: {seconds:.1f} s, {pairs:,} pairs, {clusters:,} clusters")
        for stage, rss, peak in stages.rows:
            print(f"  {stage:<11} held {rss:>6.0f} MB  peak {peak:>6.0f} MB")


class _Stages:
    """The search's progress listener: each ended stage's memory, above the baseline."""

    def __init__(self) -> None:
        _reset_peak()
        self.baseline = _status("VmRSS:")
        self.current = "prepare"
        self.rows: list[tuple[str, float, float]] = []

    def note(self, stage: str, done: int, total: int) -> None:
        if done:  # the stage before this one has ended
            rss, peak = _status("VmRSS:"), _status("VmHWM:")
            self.rows.append((self.current, rss - self.baseline, peak - self.baseline))
            _reset_peak()
        self.current = stage


if __name__ == "__main__":
    main()
