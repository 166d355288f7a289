"""Memory of ``crm.contacts.find_duplicates()`` stage by stage, on a scale benchmark file.

Runs the search on a DuckDB file written by ``benchmarks/scale_bench.py --steps import``
(work on a copy: the search writes nothing, but opening a file may checkpoint it) and
prints, for each stage, the process's resident memory when the stage ends and its peak
so far (VmRSS, VmHWM), then F1 against the generator's truth::

    python benchmarks/dedupe_memory_stages.py /tmp/x/crm_1000000.duckdb \\
        --truth /tmp/x/truth_1000000.parquet

The stages are the search's own (``progress=`` listener): ``read`` (the records read by
``Duplicates.frame()``), ``prepare``, ``blocking``, ``comparing``, ``training``,
``clustering``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _status(field: str) -> float:
    """A field of /proc/self/status in MB (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--truth", type=Path, help="the generator's truth (uid, entity)")
    args = parser.parse_args()

    from scale_bench import _scores

    import crmkit as ck
    from crmkit._ops import _duplicates

    stages: list[dict[str, Any]] = []
    started = time.perf_counter()
    last = [started]

    def note(stage: str) -> None:
        now = time.perf_counter()
        stages.append(
            {
                "stage": stage,
                "seconds": round(now - last[0], 1),
                "rss_mb": round(_status("VmRSS:")),
                "peak_mb": round(_status("VmHWM:")),
            }
        )
        last[0] = now
        row = stages[-1]
        # As it ends, too: a long run stopped midway still says where its memory went.
        print(f"{row['stage']:<11} {row['seconds']:>7} s  rss {row['rss_mb']:>6,} MB"
              f"  peak {row['peak_mb']:>6,} MB", flush=True)  # fmt: skip

    read = _duplicates.Duplicates.frame

    def frame(self: Any, query: Any = None) -> Any:
        out = read(self, query)
        note("read")
        return out

    _duplicates.Duplicates.frame = frame  # type: ignore[method-assign]
    baseline = round(_status("VmRSS:"))
    with ck.open(args.database, user="bench") as crm:
        names = iter(("prepare", "blocking", "comparing", "training", "clustering"))
        report = crm.contacts.find_duplicates(
            learn=False, progress=lambda stage, done, total: done and note(next(names))
        )
        seconds = time.perf_counter() - started
        result: dict[str, Any] = {
            "records": report.stats.get("records"),
            "candidate_pairs": report.stats["candidate_pairs"],
            "seconds": round(seconds, 1),
            "baseline_mb": baseline,
            "peak_mb": round(_status("VmHWM:")),
        }
        if args.truth is not None:
            result.update(_scores(crm, report.clusters, args.truth))
    print(json.dumps({**result, "stages": stages}))


if __name__ == "__main__":
    main()
