"""Shared mode's cost: milliseconds per operation with ``shared=True`` and without.

    .venv/bin/python benchmarks/shared_bench.py --db /tmp/me/crm_1000000.duckdb
    .venv/bin/python benchmarks/shared_bench.py --db crm.duckdb --repeat 50

Runs on copies of ``--db`` (a crmkit file, e.g. the one ``benchmarks/scale_bench.py``
imports at 1M contacts; one copy per mode, in a temporary folder deleted after). Each mode
runs in its own Python process (its peak memory is its own): ``ck.open(copy)`` (one
connection for the CRM's life, the default) and ``ck.open(copy, shared=True)`` (the file
attached and detached by every operation). The two processes take turns operation by
operation (which one goes first alternates), so that other jobs on the machine slow both
alike; the overhead is also given as the median of the paired differences (each shared
run minus the plain run next to it). Then, as the floor, DuckDB itself opening and closing
the file with crmkit's connection settings.

Operations, each repeated ``--repeat`` times (median milliseconds):

- ``count``: ``len(crm.contacts.all())``;
- ``filter``: ``len(crm.contacts.filter(owner=<the first owner>, active=True))``;
- ``get``: ``crm.contacts.get(id)`` of a record;
- ``update``: ``crm.contacts.update(id, job_title=...)``, one field of one record (one
  batch with its history row).

Prints one row per operation: both medians (fastest), the difference of the medians
(fastest), the median paired difference in wall and CPU milliseconds (shared mode's
overhead), and each mode's median CPU time (less disturbed than wall time when other jobs
share the machine). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

OPERATIONS = ("count", "filter", "get", "update")


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _timed(run: Any, i: int) -> list[float]:
    """Wall and CPU milliseconds of ``run(i)`` (CPU: the process's, all its threads)."""
    started, started_cpu = time.perf_counter(), time.process_time()
    run(i)
    return [(time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000]


def serve(db: str, mode: str) -> None:
    """A child process: one CRM on ``db``; runs ``<operation> <i>`` lines read from stdin,
    printing each one's wall and CPU milliseconds, until ``peak`` (its peak memory)."""
    if mode == "duckdb":
        import duckdb

        config = {
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "enable_external_access": False,
        }
        operations = {"open+close": lambda i: duckdb.connect(db, config=config).close()}
    else:
        import crmkit as ck

        crm = ck.open(db, shared=mode == "shared", user="bench")
        owner = crm.owners.names()[0]
        record = crm.contacts.all().limit(1).ids[0]
        operations = {
            "count": lambda i: len(crm.contacts.all()),
            "filter": lambda i: len(crm.contacts.filter(owner=owner, active=True)),
            "get": lambda i: crm.contacts.get(record),
            "update": lambda i: crm.contacts.update(record, job_title=f"Bench {mode} {i}"),
        }
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        name, i = words[0], int(words[1]) if len(words) > 1 else 0
        if name == "peak":
            break
        print(json.dumps(_timed(operations[name], i)), flush=True)
    if mode != "duckdb":
        crm.close()
    print(json.dumps(_peak_mb()), flush=True)


class _Child:
    """A child process of :func:`serve`, driven line by line."""

    def __init__(self, db: str, mode: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--db", db, "--mode", mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._line() == "ready"

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the benchmark's child process ended ({self.proc.wait()})")
        return line.strip()

    def ask(self, command: str) -> Any:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return json.loads(self._line())

    def finish(self) -> float:
        peak = float(self.ask("peak"))
        self.proc.wait()
        return peak


def _summary(runs: list[list[float]]) -> tuple[float, float, float]:
    """Median wall, fastest wall and median CPU milliseconds of ``runs``."""
    return (
        statistics.median(r[0] for r in runs),
        min(r[0] for r in runs),
        statistics.median(r[1] for r in runs),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a crmkit DuckDB file (copied first)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--mode", help=argparse.SUPPRESS)  # a child process: one mode
    args = parser.parse_args()
    if args.mode:
        serve(args.db, args.mode)
        return

    runs: dict[tuple[str, str], list[list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="crmkit-shared-") as folder:
        copies = {}
        for mode in ("plain", "shared"):
            copies[mode] = str(Path(folder) / f"{mode}.duckdb")
            shutil.copyfile(args.db, copies[mode])
        children = {mode: _Child(copy, mode) for mode, copy in copies.items()}
        for name in OPERATIONS:
            for i in range(args.repeat):
                order = ("plain", "shared") if i % 2 == 0 else ("shared", "plain")
                for mode in order:
                    runs.setdefault((mode, name), []).append(children[mode].ask(f"{name} {i}"))
        peaks = {mode: child.finish() for mode, child in children.items()}
        floor = _Child(copies["plain"], "duckdb")
        runs[("duckdb", "open+close")] = [floor.ask(f"open+close {i}") for i in range(args.repeat)]
        peaks["duckdb"] = floor.finish()

    print(
        f"{platform.node()}: {os.cpu_count()} cores, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}, {Path(args.db).name}, "
        f"{args.repeat} runs per mode, taking turns"
    )
    print("milliseconds per operation: median (fastest); paired: median of shared - plain")
    print(
        f"{'operation':<10} {'plain':>15} {'shared':>15} {'overhead':>15} {'paired':>7}"
        f" {'CPU plain':>10} {'CPU shared':>10} {'CPU paired':>10}"
    )
    for name in OPERATIONS:
        plain, shared = runs[("plain", name)], runs[("shared", name)]
        (a, a_min, a_cpu), (b, b_min, b_cpu) = _summary(plain), _summary(shared)
        paired = statistics.median(s[0] - p[0] for p, s in zip(plain, shared, strict=True))
        paired_cpu = statistics.median(s[1] - p[1] for p, s in zip(plain, shared, strict=True))
        cells = [f"{x:.1f} ({y:.1f})" for x, y in ((a, a_min), (b, b_min), (b - a, b_min - a_min))]
        print(
            f"{name:<10} {cells[0]:>15} {cells[1]:>15} {cells[2]:>15} {paired:>7.1f}"
            f" {a_cpu:>10.1f} {b_cpu:>10.1f} {paired_cpu:>10.1f}"
        )
    median, fastest, _ = _summary(runs[("duckdb", "open+close")])
    print(f"DuckDB alone, opening and closing the file: {median:.1f} ({fastest:.1f})")
    print("peak MB: " + ", ".join(f"{m} {p:.0f}" for m, p in peaks.items()))


if __name__ == "__main__":
    main()
