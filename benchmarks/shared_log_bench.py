"""Shared mode's write-ahead-log budget: CPU and wall milliseconds per update and per read.

    .venv/bin/python benchmarks/shared_log_bench.py --db /tmp/me/crm_1000000.duckdb
    .venv/bin/python benchmarks/shared_log_bench.py --db crm.duckdb --budgets 0,8,16

A shared CRM leaves its commits in the file's write-ahead log and checkpoints once the
log passes a budget (``crmkit._core._store._WAL_BUDGET``; 0: after every write, as
DuckDB's detach does by default). This compares budgets with a CRM that is not shared,
each on its own copy of ``--db`` (in a temporary folder, deleted after), all in one
process and taking turns operation by operation, so that other jobs on the machine slow
them all alike. Each turn: ``crm.contacts.update(id, job_title=...)`` (one batch, one
history row), then ``crm.contacts.get(id)`` (a read, which replays the log left).

Prints, per mode and operation, the median and mean CPU milliseconds of the process (all
its threads) and the median and fastest wall milliseconds. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import crmkit as ck
from crmkit._core import _store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a crmkit DuckDB file (copied first)")
    parser.add_argument("--budgets", default="0,8", help="log budgets in KB, comma-separated")
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    modes: list[int | None] = [None] + [int(b) for b in args.budgets.split(",")]
    label = {m: "plain" if m is None else f"{m} KB" for m in modes}
    times: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="crmkit-log-") as folder:
        crms = {}
        for mode in modes:
            copy = Path(folder) / f"{label[mode].replace(' ', '')}.duckdb"
            shutil.copyfile(args.db, copy)
            crms[mode] = ck.open(copy, shared=mode is not None, user="bench")
        record = crms[None].contacts.all().limit(1).ids[0]
        for i in range(args.repeat):
            for mode, crm in crms.items():
                if mode is not None:
                    _store._WAL_BUDGET = mode * 1024
                for name in ("update", "get"):
                    wall, cpu = times.setdefault((label[mode], name), ([], []))
                    started, started_cpu = time.perf_counter(), time.process_time()
                    if name == "update":
                        crm.contacts.update(record, job_title=f"Bench {i}")
                    else:
                        crm.contacts.get(record)
                    wall.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - started_cpu) * 1000)
        for crm in crms.values():
            crm.close()
    print(f"{Path(args.db).name}, {args.repeat} turns; milliseconds")
    print(f"{'mode':<7} {'operation':<9} {'CPU median':>10} {'CPU mean':>9} {'wall median':>11}")
    for (mode_label, name), (wall, cpu) in times.items():
        print(
            f"{mode_label:<7} {name:<9} {statistics.median(cpu):>10.1f} "
            f"{statistics.mean(cpu):>9.1f} {statistics.median(wall):>11.1f} "
            f"(fastest {min(wall):.1f})"
        )


if __name__ == "__main__":
    main()
