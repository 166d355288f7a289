"""Shared mode's cost: milliseconds per operation with ``shared=True`` and without.

    .venv/bin/python benchmarks/shared_bench.py --db /tmp/me/crm_1000000.duckdb
    .venv/bin/python benchmarks/shared_bench.py --db crm.duckdb --repeat 50

Runs on a copy of ``--db`` (a crmkit file, e.g. the one ``benchmarks/scale_bench.py``
imports at 1M contacts; the copy goes to a temporary folder and is deleted). Each mode
runs in its own Python process (its peak memory is its own): ``ck.open(copy)`` (one
connection for the CRM's life, the default) and ``ck.open(copy, shared=True)`` (the file
opened and closed by every operation). Then, as the floor, DuckDB itself opening and
closing the file with crmkit's connection settings.

Operations, each repeated ``--repeat`` times (median milliseconds):

- ``count``: ``len(crm.contacts.all())``;
- ``filter``: ``len(crm.contacts.filter(owner=<the first owner>, active=True))``;
- ``get``: ``crm.contacts.get(id)`` of a record;
- ``update``: ``crm.contacts.update(id, job_title=...)``, one field of one record (one
  batch with its history row).

Prints one row per operation: both medians, the difference (shared mode's overhead), the
ratio, and each mode's median CPU time (less disturbed than wall time when other jobs
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


def _median_ms(run: Any, repeat: int) -> list[float]:
    """Median and fastest milliseconds of ``repeat`` runs (the fastest: least disturbed
    by other jobs on a shared machine), and the median CPU milliseconds of the process
    (all its threads: what the run costs, whatever else the machine does)."""
    times, cpu = [], []
    for i in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        run(i)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return [statistics.median(times), min(times), statistics.median(cpu)]


def measure(db: str, mode: str, repeat: int) -> dict[str, Any]:
    """Median milliseconds per operation in one mode (``plain``, ``shared``, ``duckdb``)."""
    if mode == "duckdb":
        import duckdb

        config = {
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "enable_external_access": False,
        }
        result = {
            "open+close": _median_ms(lambda i: duckdb.connect(db, config=config).close(), repeat)
        }
        return {**result, "peak_mb": _peak_mb()}

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
    result = {name: _median_ms(run, repeat) for name, run in operations.items()}
    crm.close()
    return {**result, "peak_mb": _peak_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a crmkit DuckDB file (copied first)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--mode", help=argparse.SUPPRESS)  # a child process: one mode
    args = parser.parse_args()
    if args.mode:
        print(json.dumps(measure(args.db, args.mode, args.repeat)))
        return

    with tempfile.TemporaryDirectory(prefix="crmkit-shared-") as folder:
        copy = str(Path(folder) / "crm.duckdb")
        shutil.copyfile(args.db, copy)
        results = {}
        for mode in ("plain", "shared", "duckdb"):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--db",
                    copy,
                    "--repeat",
                    str(args.repeat),
                    "--mode",
                    mode,
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[mode] = json.loads(out.strip().splitlines()[-1])

    plain, shared = results["plain"], results["shared"]
    print(
        f"{platform.node()}: {os.cpu_count()} cores, {Path(args.db).name}, "
        f"median of {args.repeat} runs"
    )
    print("milliseconds per operation: median (fastest); CPU: median CPU milliseconds")
    print(
        f"{'operation':<10} {'plain':>15} {'shared':>15} {'overhead':>15} {'ratio':>6}"
        f" {'CPU plain':>10} {'CPU shared':>10}"
    )
    for name in OPERATIONS:
        (a, a_min, a_cpu), (b, b_min, b_cpu) = plain[name], shared[name]
        cells = [f"{x:.1f} ({y:.1f})" for x, y in ((a, a_min), (b, b_min), (b - a, b_min - a_min))]
        print(
            f"{name:<10} {cells[0]:>15} {cells[1]:>15} {cells[2]:>15} {b / a:>6.1f}"
            f" {a_cpu:>10.1f} {b_cpu:>10.1f}"
        )
    median, fastest, _ = results["duckdb"]["open+close"]
    print(f"DuckDB alone, opening and closing the file: {median:.1f} ({fastest:.1f})")
    print("peak MB: " + ", ".join(f"{m} {r['peak_mb']:.0f}" for m, r in results.items()))


if __name__ == "__main__":
    main()
