"""The data-quality report (issue 16, part 1) on N generated contacts, against pandas.

Each measure runs in a subprocess of its own, which reports its own peak RSS
(``ru_maxrss`` of itself, so building the file does not count):

- ``crmkit``: ``crm.quality("contacts")``, then ``by="owner"``, then
  ``report.trend("mobile")`` (24 months replayed from history).
- ``pandas`` (the peer): ``crm.contacts.df()``, then the same fill counts and
  format checks (the same regular expressions, vocabularies and country codes) by hand
  with pandas string methods, the way an analyst would without crmkit.

The two must agree on every field's filled and non-conforming counts (checked here).

    python benchmarks/quality_bench.py --contacts 1000000 --folder /tmp/quality_bench
    python benchmarks/quality_bench.py --db /path/to/existing.duckdb   # a copy is used
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path


def _peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _child_crmkit(db: Path) -> dict[str, object]:
    import crmkit as ck

    with ck.open(db, user="bench", read_only=True) as crm:
        start = time.perf_counter()
        report = crm.quality("contacts")
        fields = report.df()
        plain_s = time.perf_counter() - start
        start = time.perf_counter()
        crm.quality("contacts", by="owner").df()
        by_owner_s = time.perf_counter() - start
        start = time.perf_counter()
        report.trend("mobile")
        trend_s = time.perf_counter() - start
        records = int(report.groups_df()["records"].sum())
    counts = {
        row["field"]: [int(row["filled"]), None if row["nonconforming"] is None else
                       int(row["nonconforming"])]
        for row in fields.astype(object).where(fields.notna(), None).to_dict("records")
    }  # fmt: skip
    return {
        "records": records,
        "quality_s": round(plain_s, 2),
        "by_owner_s": round(by_owner_s, 2),
        "trend_s": round(trend_s, 2),
        "counts": counts,
        "peak_mb": _peak_mb(),
    }


def _child_pandas(db: Path) -> dict[str, object]:
    import pandas as pd

    import crmkit as ck
    from crmkit._ops._quality import FORMAT_PATTERNS, NAME_FIELDS, measured_fields
    from crmkit.schemas._models import _FIXED_VOCABULARIES
    from crmkit.schemas._vocab import COUNTRY_CODES

    warnings.simplefilter("ignore", ck.LargeFrameWarning)  # the peer reads it all on purpose
    with ck.open(db, user="bench", read_only=True) as crm:
        sectors = list(crm.settings.sectors.values)
        start = time.perf_counter()
        frame = crm.contacts.df()
        read_s = time.perf_counter() - start
    vocabularies = {**_FIXED_VOCABULARIES, "sector": sectors}
    start = time.perf_counter()
    counts: dict[str, list[int | None]] = {}
    for f in measured_fields("contacts"):
        column = frame[f.name]
        if f.kind == "text":
            text = column.astype("string")
            filled = text.str.strip().fillna("").ne("")
        elif f.kind == "list":
            filled = column.map(lambda v: v is not None and len(v) > 0).astype(bool)
        else:
            filled = column.notna()
        bad: int | None = None
        values = column[filled].astype("string")
        if f.format == "country":
            bad = int((~values.isin(COUNTRY_CODES)).sum())
        elif f.format in FORMAT_PATTERNS:
            pattern = FORMAT_PATTERNS[f.format].strip("^$")
            bad = int((~values.str.fullmatch(pattern).fillna(False)).sum())
        elif f.vocabulary is not None and vocabularies.get(f.vocabulary):
            bad = int((~values.isin(vocabularies[f.vocabulary])).sum())
        elif f.name in NAME_FIELDS:
            upper, lower = values.str.upper(), values.str.lower()
            # A flaw only with letter case to lose: "王芳" has none.
            bad = int(((upper != lower) & ((values == upper) | (values == lower))).sum())
        counts[f.name] = [int(filled.sum()), bad]
    compute_s = time.perf_counter() - start
    del pd
    return {
        "records": len(frame),
        "read_s": round(read_s, 2),
        "compute_s": round(compute_s, 2),
        "counts": counts,
        "peak_mb": _peak_mb(),
    }


def _run_child(step: str, db: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", step, str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _build(n: int, folder: Path) -> Path:
    sys.path.insert(0, str(Path(__file__).parent))
    from import_bench import make_csv, run_crmkit

    db = folder / f"quality_{n}.duckdb"
    if not db.exists():
        contacts_csv, owners_csv = make_csv(n, folder)
        run_crmkit(contacts_csv, owners_csv, db, None)  # the import bench's own import
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/quality_bench"))
    parser.add_argument("--db", type=Path, help="an existing CRM file (a copy is measured)")
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child is not None:
        step, db = args.child[0], Path(args.child[1])
        out = _child_crmkit(db) if step == "crmkit" else _child_pandas(db)
        print(json.dumps(out))
        return
    args.folder.mkdir(parents=True, exist_ok=True)
    if args.db is not None:
        db = args.folder / "quality_copy.duckdb"
        shutil.copyfile(args.db, db)
    else:
        db = _build(args.contacts, args.folder)
    ours = _run_child("crmkit", db)
    peer = _run_child("pandas", db)
    print(
        f"## crm.quality on {ours['records']:,} contacts: {ours['quality_s']} s, "
        f"by owner {ours['by_owner_s']} s, trend(mobile) {ours['trend_s']} s; "
        f"peak RSS {ours['peak_mb']} MB"
    )
    peer_s = float(peer["read_s"]) + float(peer["compute_s"])  # type: ignore[arg-type]
    print(
        f"## pandas by hand: df() {peer['read_s']} s + checks {peer['compute_s']} s = "
        f"{peer_s:.2f} s; peak RSS {peer['peak_mb']} MB"
    )
    ratio = peer_s / max(float(ours["quality_s"]), 1e-9)  # type: ignore[arg-type]
    print(f"## pandas / crmkit time: {ratio:.1f}x")
    same = ours["counts"] == peer["counts"]
    print(f"## same filled and non-conforming counts on every field: {same}")
    if not same:
        ours_counts: dict[str, object] = ours["counts"]  # type: ignore[assignment]
        peer_counts: dict[str, object] = peer["counts"]  # type: ignore[assignment]
        for name, value in ours_counts.items():
            if peer_counts.get(name) != value:
                print(f"  {name}: crmkit {value}, pandas {peer_counts.get(name)}")


if __name__ == "__main__":
    main()
