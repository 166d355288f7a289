"""Collated sort benchmark: ``Selection.sort(collation=...)`` against DuckDB's own
``ORDER BY column COLLATE fr`` and against a sort by code point (``collation="binary"``).

On an existing CRM file (opened read-only; e.g. the 1M-contact file of
``benchmarks/scale_bench.py``), for a few text columns of the contacts view, in the same
run:

- a page as the contact browser reads it (8 columns, 50 rows) at the start and in the
  middle of the sorted records;
- every id in sorted order (what ``sel.ids``, exports and bulk actions read).

crmkit's order is checked equal to the hand-written ``ORDER BY ... COLLATE`` (ids, all
rows). The process's peak memory is printed at the end. Run it with ``PYTHONPATH`` on an
older checkout to compare before and after.

    .venv/bin/python benchmarks/sort_bench.py /tmp/crm_1000000.duckdb
    .venv/bin/python benchmarks/sort_bench.py crm.duckdb --columns last_name email --runs 5
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

import crmkit as ck

PAGE_COLUMNS = ["id", "last_name", "first_name", "company", "job_title", "email", "owner"]
PAGE_ROWS = 50


def median_seconds(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    fn()  # warm up (plans, caches)
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("db", help="a crmkit DuckDB file (read only)")
    parser.add_argument("--columns", nargs="+", default=["last_name", "company", "email"])
    parser.add_argument("--lang", default="fr", choices=["en", "fr", "zh"])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    lang = args.lang
    with ck.open(args.db, read_only=True) as crm:
        con = crm.connection
        total = len(crm.contacts.all())
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, crmkit from {os.path.dirname(ck.__file__)}; "
            f"{total:,} contacts; median of {args.runs} runs"
        )
        middle = total // 2 // PAGE_ROWS
        for column in args.columns:
            distinct = con.execute(f"SELECT count(DISTINCT {column}) FROM contacts_v").fetchone()
            print(f"\nsort by {column} ({distinct[0] if distinct else 0:,} distinct values)")
            collated = crm.contacts.all().sort(column, collation=lang)
            binary = crm.contacts.all().sort(column, collation="binary")
            cols = ", ".join(PAGE_COLUMNS)
            peer = f"SELECT {{}} FROM contacts_v ORDER BY {column} COLLATE {lang} NULLS LAST, id"
            for page, label in ((0, "first page"), (middle, "middle page")):
                sql = f"{peer.format(cols)} LIMIT {PAGE_ROWS} OFFSET {page * PAGE_ROWS}"
                t_ck, got = median_seconds(
                    lambda s=collated, n=page: s.columns(*PAGE_COLUMNS).page(n, PAGE_ROWS),
                    args.runs,
                )
                t_bin, _ = median_seconds(
                    lambda s=binary, n=page: s.columns(*PAGE_COLUMNS).page(n, PAGE_ROWS),
                    args.runs,
                )
                t_sql, want = median_seconds(lambda q=sql: con.execute(q).fetchall(), args.runs)
                same = got["id"].tolist() == [r[0] for r in want]
                print(
                    f"  {label:12s} crmkit {lang} {t_ck * 1000:7.0f} ms | binary "
                    f"{t_bin * 1000:7.0f} ms | SQL COLLATE {t_sql * 1000:7.0f} ms | "
                    f"crmkit/SQL {t_ck / t_sql:.2f}x | same rows: {same}"
                )
            all_ids = peer.format("id")
            t_ck, ids = median_seconds(lambda s=collated: s.ids, args.runs)
            t_bin, _ = median_seconds(lambda s=binary: s.ids, args.runs)
            t_sql, want = median_seconds(
                lambda q=all_ids: [r[0] for r in con.execute(q).fetchall()], args.runs
            )
            print(
                f"  {'all ids':12s} crmkit {lang} {t_ck * 1000:7.0f} ms | binary "
                f"{t_bin * 1000:7.0f} ms | SQL COLLATE {t_sql * 1000:7.0f} ms | "
                f"crmkit/SQL {t_ck / t_sql:.2f}x | same order: {ids == want}"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of this process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
