"""Suggested fixes of stored values (issue 16, part 2): speed and peak memory.

A DuckDB file of N imported contacts (the import bench's own import, cached in the
folder) is copied, then messed up with SQL so that stored values need fixing: a share of
last names in capitals, first names in lower case, mobiles in national format, email
domains in capitals, country codes written as names, cities with outer spaces. In a
subprocess of its own (peak RSS read from the child): ``crm.contacts.suggest_fixes()``
(every rule), ``fixes.apply()`` (one batch) and ``crm.undo`` of that batch.

No peer runs here: OpenRefine and Odoo's field cleaning have no batch API to call from
Python.

    python benchmarks/fixes_bench.py --contacts 200000 --folder /tmp/fixes_bench
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

# (column, SQL expression of the messy value, share of the records).
_MESS = (
    ("last_name", "upper(last_name)", 0.20),
    ("first_name", "lower(first_name)", 0.10),
    ("mobile", "regexp_replace(mobile, '^\\+33', '0')", 0.20),
    ("email", "regexp_replace(email, '@(.*)$', '@' || upper(split_part(email, '@', 2)))", 0.05),
    ("country", "CASE country WHEN 'FR' THEN 'France' WHEN 'DE' THEN 'Allemagne' "
     "ELSE country END", 0.10),
    ("city", "'  ' || city || ' '", 0.05),
)  # fmt: skip


def _messy_copy(n: int, folder: Path) -> Path:
    import duckdb

    sys.path.insert(0, str(Path(__file__).parent))
    from import_bench import make_csv, run_crmkit

    contacts_csv, owners_csv = make_csv(n, folder)
    clean = folder / f"fixes_{n}.duckdb"
    if not clean.exists():
        run_crmkit(contacts_csv, owners_csv, clean, None)
    messy = folder / f"fixes_{n}_messy.duckdb"
    shutil.copyfile(clean, messy)
    con = duckdb.connect(str(messy))
    try:
        for column, expression, share in _MESS:
            con.execute(
                f"UPDATE contacts SET {column} = {expression} "
                f"WHERE {column} IS NOT NULL AND hash(id, '{column}') % 1000 < {int(share * 1000)}"
            )
    finally:
        con.close()
    return messy


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss of children would count the
    import that built the file)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _child(n: int, folder: Path) -> dict[str, object]:
    import crmkit as ck

    db = folder / f"fixes_{n}_messy.duckdb"
    with ck.open(db, user="bench") as crm:
        start = time.perf_counter()
        fixes = crm.contacts.suggest_fixes()
        suggest_s = time.perf_counter() - start
        counts = fixes.counts()
        start = time.perf_counter()
        report = fixes.apply()
        apply_s = time.perf_counter() - start
        start = time.perf_counter()
        again = len(crm.contacts.suggest_fixes())
        again_s = time.perf_counter() - start
        start = time.perf_counter()
        if report.batch_id is not None:
            crm.undo(report.batch_id)
        undo_s = time.perf_counter() - start
    return {
        "contacts": n,
        "fixes": len(fixes),
        "records_changed": report.changed,
        "per_rule": {str(r): int(c) for r, c in counts.groupby("rule")["count"].sum().items()},
        "suggest_s": round(suggest_s, 2),
        "apply_s": round(apply_s, 2),
        "suggest_after_apply_s": round(again_s, 2),
        "left_after_apply": again,
        "undo_s": round(undo_s, 2),
        "peak_mb": _peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/fixes_bench"))
    parser.add_argument("--child", choices=("prepare", "measure"))
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    if args.child == "prepare":
        _messy_copy(args.contacts, args.folder)
        print(json.dumps({}))
        return
    if args.child == "measure":
        print(json.dumps(_child(args.contacts, args.folder)))
        return
    for step in ("prepare", "measure"):  # each in a process of its own
        done = subprocess.run(
            [sys.executable, __file__, "--child", step, "--contacts", str(args.contacts),
             "--folder", str(args.folder)],
            capture_output=True,
            text=True,
            check=True,
        )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
