"""Spelling variants (issue 16, part 3): clustering speed and memory per method.

Two measures, each in a subprocess of its own (peak RSS read from the child):

- ``cluster``: :func:`crmkit._normalize._variants.cluster_values` on the distinct values
  of generated messy contacts (``city``, ``job_title``, ``last_name``, ``street``), for
  every method: how the work grows with the number of distinct values.
- ``db``: ``crm.contacts.variants(field)`` end to end on a DuckDB file of N imported
  contacts (the GROUP BY in DuckDB, then the clustering), then ``replace()`` of every
  cluster and ``crm.undo`` of that batch.

No peer runs here: OpenRefine is a Java server with no batch API to call from Python.

    python benchmarks/variants_bench.py --contacts 200000 --folder /tmp/variants_bench
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

_FIELDS = ("city", "job_title", "last_name", "street")
_METHODS = (
    ("fingerprint", {}),
    ("ngram-fingerprint", {"n": 2}),
    ("phonetic", {"lang": "fr"}),
    ("phonetic", {"lang": "en"}),
    ("levenshtein", {"radius": 1}),
    ("levenshtein", {"radius": 2}),
)


def _child_cluster(n: int) -> dict[str, object]:
    from crmkit._normalize._variants import cluster_values
    from crmkit.samples import generate

    contacts = generate(n_accounts=max(10, n // 5), n_contacts=n, seed=7, messiness=0.5).contacts
    rows = []
    for field in _FIELDS:
        counts = {str(k): int(v) for k, v in contacts[field].dropna().value_counts().items()}
        for method, options in _METHODS:
            start = time.perf_counter()
            clusters = cluster_values(counts, method, **options)  # type: ignore[arg-type]
            rows.append(
                {
                    "field": field,
                    "distinct": len(counts),
                    "method": method + "".join(f" {k}={v}" for k, v in options.items()),
                    "clusters": len(clusters),
                    "seconds": round(time.perf_counter() - start, 3),
                }
            )
    return {"rows": rows}


def _child_db(n: int, folder: Path) -> dict[str, object]:
    import crmkit as ck

    sys.path.insert(0, str(Path(__file__).parent))
    from import_bench import make_csv, run_crmkit

    contacts_csv, owners_csv = make_csv(n, folder)
    db = folder / f"variants_{n}.duckdb"
    if not db.exists():
        run_crmkit(contacts_csv, owners_csv, db, None)  # the import bench's own import
    rows = []
    with ck.open(db, user="bench") as crm:
        for field in ("city", "job_title", "department"):
            start = time.perf_counter()
            found = crm.contacts.variants(field)
            found_s = time.perf_counter() - start
            start = time.perf_counter()
            report = found.replace()
            replace_s = time.perf_counter() - start
            start = time.perf_counter()
            if report.batch_id is not None:
                crm.undo(report.batch_id)
            undo_s = time.perf_counter() - start
            rows.append(
                {
                    "field": field,
                    "distinct": found.distinct,
                    "clusters": len(found),
                    "changed": report.changed,
                    "variants_s": round(found_s, 3),
                    "replace_s": round(replace_s, 3),
                    "undo_s": round(undo_s, 3),
                }
            )
    return {"rows": rows}


def _run_child(args: list[str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/variants_bench"))
    parser.add_argument("--steps", default="cluster,db")
    parser.add_argument("--child", nargs="*")
    args = parser.parse_args()
    if args.child is not None:
        step, n = args.child[0], int(args.child[1])
        out = _child_cluster(n) if step == "cluster" else _child_db(n, Path(args.child[2]))
        print(json.dumps(out))
        return
    args.folder.mkdir(parents=True, exist_ok=True)
    for step in args.steps.split(","):
        result = _run_child([step, str(args.contacts), str(args.folder)])
        print(f"## {step}: {args.contacts:,} contacts, peak RSS {result['peak_mb']} MB")
        for row in result["rows"]:  # type: ignore[attr-defined]
            print("  " + "  ".join(f"{k}={v}" for k, v in row.items()))


if __name__ == "__main__":
    main()
