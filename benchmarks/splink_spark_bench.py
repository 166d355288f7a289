"""Benchmark ``engine="splink-spark"`` against ``engine="splink"`` (DuckDB) on the same
generated contacts, each in a process of its own.

Run from the repository root (``pip install 'crmkit[spark]'`` and Java 17+)::

    .venv/bin/python benchmarks/splink_spark_bench.py                 # 1,000 contacts
    .venv/bin/python benchmarks/splink_spark_bench.py --contacts 5000 --master 'local[2]'

Spark runs on a local session (``--master``, ``local[2]`` by default): this measures
Splink's Spark backend on one machine, not a cluster. Reported per engine: seconds of
``find_duplicates`` (the Spark session's start not included), clusters, pairwise F1 of the
clusters against the generator's truth, whether the clusters are the same as DuckDB's, and
the peak memory of the process with its live children (Spark's JVM).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_CHILD = "--child"


def _contacts(n: int) -> Any:
    from crmkit.samples import generate

    data = generate(max(n // 10, 5), n, seed=4, messiness=0.3, duplicates=0.15)
    return data.contacts.rename(columns={"source_id": "id"})


def _pairs(clusters: list[list[Any]]) -> set[tuple[Any, Any]]:
    return {p for c in clusters for p in itertools.combinations(sorted(c), 2)}


def _peak_kb_with_children() -> int:
    """Peak resident memory (VmHWM) of this process plus its live descendants (Spark's
    JVM), in kB: ``RUSAGE_CHILDREN`` only counts children that have exited."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    family, grew = {os.getpid()}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    total = 0
    for pid in family:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")),
            0,
        )
    return total or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child(engine: str, n: int, master: str) -> None:
    """One engine on ``n`` contacts: print its result as one JSON line."""
    from crmkit import find_duplicates

    frame = _contacts(n)
    options: dict[str, Any] = {"engine": engine}
    if engine == "splink-spark":
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location

        spark = (
            SparkSession.builder.master(master)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.adaptive.enabled", "false")
            # Spark's warehouse folder in the temporary folder, not where the script runs.
            .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="crmkit-spark-"))
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        options["spark"] = spark
    start = time.perf_counter()
    report = find_duplicates(frame, **options)
    seconds = time.perf_counter() - start
    truth: set[tuple[Any, Any]] = set()
    for ids in frame.groupby("entity_id")["id"].apply(list):
        truth.update(itertools.combinations(sorted(ids), 2))
    found = _pairs(report.clusters)
    hits = len(found & truth)
    f1 = 2 * hits / (len(found) + len(truth)) if found or truth else 1.0
    peak = _peak_kb_with_children()
    print(
        json.dumps(
            {
                "engine": engine,
                "seconds": seconds,
                "clusters": sorted(map(sorted, report.clusters)),
                "f1": f1,
                "peak_mb": peak / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument(_CHILD, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.contacts, args.master)
        return
    results = {}
    for engine in ("splink", "splink-spark"):
        done = subprocess.run(
            [
                *(sys.executable, __file__, _CHILD, engine),
                *("--contacts", str(args.contacts), "--master", args.master),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        results[engine] = json.loads(done.stdout.strip().splitlines()[-1])
    duckdb, spark = results["splink"], results["splink-spark"]
    print(f"{args.contacts:,} generated contacts; Spark on {args.master} (one machine)")
    print(f"{'engine':<14}{'seconds':>9}{'clusters':>10}{'F1':>7}{'peak MB':>9}")
    for r in (duckdb, spark):
        print(
            f"{r['engine']:<14}{r['seconds']:>9.1f}{len(r['clusters']):>10}"
            f"{r['f1']:>7.3f}{r['peak_mb']:>9.0f}"
        )
    print(f"splink-spark / splink time: {spark['seconds'] / duckdb['seconds']:.1f}x")
    same = {tuple(c) for c in spark["clusters"]} & {tuple(c) for c in duckdb["clusters"]}
    print(
        f"same clusters: {spark['clusters'] == duckdb['clusters']} "
        f"({len(same)} of DuckDB's {len(duckdb['clusters'])} found as they are on Spark)"
    )


if __name__ == "__main__":
    main()
