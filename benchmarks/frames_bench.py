"""Frames benchmark: ``crm.contacts.df()``/``pl()``/``iter_batches()`` against DuckDB's own.

On N generated contacts (default 1,000,000; the database is built once by
``query_bench.build`` and kept in ``--work``), each step in its own process, in one run:

- ``crmkit df()``, ``crmkit pl()``, ``crmkit iter_batches()`` (100k rows a batch);
- the peers on the same SQL (``SELECT * FROM contacts_v ORDER BY id``): DuckDB's
  ``.df()``, ``.to_arrow_table().to_pandas()`` and ``.pl()``.

Prints seconds and the process's peak RSS (the same ~0.2 GB of imports in each).
Target (issue 14): ``df()`` of 1M contacts x 55 columns within 1.5 GB.

    .venv/bin/python benchmarks/frames_bench.py
    .venv/bin/python benchmarks/frames_bench.py --contacts 200000 --accounts 40000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEP = """
import json, resource, sys, time
import crmkit as ck
path, step = sys.argv[1], sys.argv[2]
with ck.open(path, read_only=True) as crm:
    crm.settings  # noqa: B018  (imports done before the clock)
    started = time.perf_counter()
    sql = "SELECT * FROM contacts_v ORDER BY id"
    if step == "crmkit df()":
        rows = len(crm.contacts.df())
    elif step == "crmkit pl()":
        rows = len(crm.contacts.pl())
    elif step == "crmkit iter_batches()":
        rows = sum(len(b) for b in crm.contacts.iter_batches(100_000))
    elif step == "DuckDB .df()":
        rows = len(crm.connection.sql(sql).df())
    elif step == "DuckDB arrow -> pandas":
        rows = len(crm.connection.sql(sql).to_arrow_table().to_pandas())
    elif step == "DuckDB .pl()":
        rows = len(crm.connection.sql(sql).pl())
    seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak}))
"""

STEPS = [
    "crmkit df()",
    "DuckDB .df()",
    "DuckDB arrow -> pandas",
    "crmkit pl()",
    "DuckDB .pl()",
    "crmkit iter_batches()",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "crmkit_bench"))
    parser.add_argument("--skip", nargs="*", default=[], help="steps to leave out")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from query_bench import build

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"query_{args.contacts}_{args.accounts}.duckdb"
    if not db.exists():
        started = time.perf_counter()
        build(db, args.contacts, args.accounts)
        print(f"built {db} in {time.perf_counter() - started:.0f} s")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {args.contacts:,} contacts x 55 columns"
    )
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    results = {}
    for step in STEPS:
        if step in args.skip:
            continue
        done = subprocess.run(
            [sys.executable, "-c", STEP, str(db), step], capture_output=True, text=True, env=env
        )
        if done.returncode != 0:
            print(f"  {step:26} failed (exit {done.returncode}; killed for memory?)")
            continue
        results[step] = json.loads(done.stdout.strip().splitlines()[-1])
        r = results[step]
        print(f"  {step:26} {r['seconds']:7.1f} s  peak {r['peak_mb'] / 1024:5.2f} GB")
    if "crmkit df()" in results and "DuckDB .df()" in results:
        ours, peer = results["crmkit df()"], results["DuckDB .df()"]
        print(
            f"df(): {ours['peak_mb'] / peer['peak_mb']:.2f}x DuckDB .df()'s peak memory, "
            f"{ours['seconds'] / peer['seconds']:.2f}x its time (target: <= 1.5 GB at 1M)"
        )


if __name__ == "__main__":
    main()
