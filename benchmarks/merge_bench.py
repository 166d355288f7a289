"""Merge benchmark: ``merge_all`` set-wise against the per-group merge it replaced (issue 13).

A CRM file with generated contacts (:func:`crmkit.samples.generate`, 190,000 people plus 7%
injected duplicates: about 203,000 contacts and 40,000 accounts, messiness 0.3, loaded
straight into the store), subscriptions for one contact in five, and one contact in ten
reporting to a contact that has duplicates (so merges re-point ``reports_to`` links and
subscriptions). The groups to merge are the generator's own entities: the first
``--clusters`` (10,000) entities with two records or more, as a ``DuplicateReport`` whose
pairs all have probability 1 (finding the duplicates is ``dedupe_bench.py``'s business).

Two paths, each in a subprocess of its own on a fresh copy of the file (so that its peak
memory, VmHWM of ``/proc/self/status``, is its own):

- **crmkit**: ``crm.contacts.merge_all(report, min_probability=0.5)``: one query for
  every record, survivors computed in Python, one validation of all changed survivors,
  one update for the survivors, one for ``merged_into``, one per reference, one batch.
  Then ``crm.undo(batch)`` is checked to restore the contacts and subscriptions exactly
  (compared in DuckDB with the file before the merge, but for the update stamps).
- **peer**: the per-group algorithm crmkit had before issue 13, kept here as it was
  (``_old_merge_groups`` and ``_old_merge_all`` below: ``records.exists`` per member,
  ``records.fetch`` per record, ``check_row`` per group, one ``store.update`` per group for
  the survivor and one for ``merged_into``, one ``set_where_ids`` per reference and group),
  on the first ``--peer-clusters`` clusters (default: all of them); with fewer, the
  per-cluster time is extrapolated to ``--clusters`` and said so.

Target (issue 13): 10,000 clusters in at most 10 s, one undoable batch.

    .venv/bin/python benchmarks/merge_bench.py
    .venv/bin/python benchmarks/merge_bench.py --peer-clusters 1000   # a faster peer run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
from query_bench import arrow_table  # noqa: E402  (run as a script: benchmarks/ is on the path)

import crmkit as ck  # noqa: E402
from crmkit._core._store import arrow_type  # noqa: E402
from crmkit.schemas import ACCOUNTS, CONTACTS  # noqa: E402

SEED = 13


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------


def build(db: Path, n_contacts: int, n_accounts: int, clusters: int) -> list[list[int]]:
    """Write the CRM file; return the groups to merge (ids of one entity each)."""
    from crmkit.samples import generate

    data = generate(
        n_accounts=n_accounts,
        n_contacts=n_contacts,
        seed=SEED,
        messiness=0.3,
        duplicates=0.07,
        n_owners=20,
    )
    with ck.open(db, user="bench") as crm:
        for row in data.owners.to_dict("records"):
            crm.owners.add(row["name"], email=row["email"], team=row["team"])
        owner_ids = {name: crm.owners.resolve(name) for name in data.owners["name"]}
        store = crm._store
        accounts = data.accounts.assign(owner_id=data.accounts["owner"].map(owner_ids))
        account_cols = [f.name for f in ACCOUNTS if f.editable and f.name in accounts.columns]
        with crm._session.batch("bench load") as batch:
            ids = store.insert(
                "accounts", arrow_table(accounts, account_cols, ACCOUNTS), batch, "bench"
            )
            by_name = dict(zip(accounts["name"], ids, strict=True))
            contacts = data.contacts.assign(
                owner_id=data.contacts["owner"].map(owner_ids),
                account_id=data.contacts["company"].map(by_name),
            )
            contact_cols = [f.name for f in CONTACTS if f.editable and f.name in contacts.columns]
            contact_ids = store.insert(
                "contacts", arrow_table(contacts, contact_cols, CONTACTS), batch, "bench"
            )
        entity = pd.DataFrame({"id": contact_ids, "entity": contacts["entity_id"].tolist()})
        members = entity.groupby("entity", sort=True)["id"].apply(sorted)
        groups = [list(map(int, g)) for g in members if len(g) >= 2][:clusters]
        in_groups = [i for g in groups for i in g]
        # Subscriptions for one contact in five (the merged ones included) ...
        crm.settings.require_email_basis = False  # the bench measures merges, not consent
        crm.contacts.all().filter(ids=contact_ids[::5] + in_groups[::3]).subscribe("News")
        # ... and one contact in ten reporting to a member of a group.
        bosses = [g[-1] for g in groups]
        outside = sorted(set(contact_ids) - set(in_groups))[::10]
        links = pa.table(
            {
                "id": pa.array(outside, pa.int64()),
                "reports_to_id": pa.array(
                    [bosses[i % len(bosses)] for i in range(len(outside))], pa.int64()
                ),
            }
        )
        with crm._session.batch("bench links") as batch:
            store.update("contacts", links, batch, "bench")
    return groups


def report_of(groups: Sequence[Sequence[int]]) -> Any:
    """A ``DuplicateReport`` whose clusters are ``groups`` (every pair of a group: 1.0)."""
    from crmkit._dedupe import DuplicateReport

    pairs = [(a, b, 1.0) for g in groups for i, a in enumerate(g) for b in g[i + 1 :]]
    frame = pd.DataFrame(pairs, columns=["id_a", "id_b", "probability"])
    return DuplicateReport(frame, [list(g) for g in groups], 0.9, "crmkit", {})


# --------------------------------------------------------------------------------------
# The peer: the per-group merge as it was before issue 13 (unchanged, but for names)
# --------------------------------------------------------------------------------------


def _old_merge_groups(
    session: Any,
    kind: str,
    groups: Sequence[Sequence[int]],
    *,
    prefer: str = "recent",
    source: str | None = None,
    operation: str = "merge",
) -> Any:
    from crmkit._ops import _records as records
    from crmkit._ops._merge import MergeReport, _merged_value
    from crmkit.schemas._catalog import table

    references = {
        "contacts": [("contacts", "reports_to_id"), ("subscriptions", "contact_id")],
        "accounts": [("contacts", "account_id"), ("accounts", "parent_id")],
    }
    tbl = table(kind)
    editable = [f.name for f in tbl.editable]

    def order(rows: list[dict[str, Any]]) -> list[int]:
        def filled(r: dict[str, Any]) -> int:
            return sum(r.get(n) not in (None, "", []) for n in editable)

        def key(i: int) -> tuple[Any, ...]:
            r = rows[i]
            preferred = 0 if source is not None and r.get("origin") == source else 1
            stamp = r.get("updated_at") or r.get("created_at")
            recent = -stamp.timestamp() if stamp is not None else 0.0
            if prefer == "recent":
                return (preferred, recent, r["id"])
            if prefer == "complete":
                return (preferred, -filled(r), recent, r["id"])
            return (preferred, r["id"])

        return sorted(range(len(rows)), key=key)

    store = session.store
    rows_report = []
    repointed: dict[str, int] = {}
    with session.batch(operation, f"{operation} {len(groups)} group(s) of {kind}") as batch:
        for group in groups:
            ids = list(dict.fromkeys(int(i) for i in group))
            rows = [records.fetch(session, kind, i) for i in ids]
            ordered = [rows[i] for i in order(rows)]
            keep = ordered[0]
            keep_id = int(keep["id"])
            merged_ids = [int(r["id"]) for r in ordered[1:]]
            new_values: dict[str, Any] = {}
            for f in tbl.editable:
                value = _merged_value(f.name, f.kind, ordered)
                if f.name in ("reports_to_id", "parent_id") and value in ids:
                    value = None
                new_values[f.name] = value
            changed = {n: v for n, v in new_values.items() if v != keep.get(n)}
            if changed:
                records.check_row(session, kind, {**keep, **changed})
                kept = {k: v for k, v in changed.items() if k != "owner_id"}
                records.check_references(session, kind, [kept], [keep_id], [keep])
                store.update(
                    kind,
                    pa.table(
                        {
                            "id": pa.array([keep_id], pa.int64()),
                            **{
                                n: pa.array([v], type=arrow_type(tbl[n]))
                                for n, v in changed.items()
                            },
                        }
                    ),
                    batch,
                    session.user,
                    operation,
                )
            store.update(
                kind,
                pa.table(
                    {
                        "id": pa.array(merged_ids, pa.int64()),
                        "merged_into": pa.array([keep_id] * len(merged_ids), pa.int64()),
                    }
                ),
                batch,
                session.user,
                operation,
            )
            for ref_table, ref_field in references[kind]:
                self_link = ref_table == kind
                n = store.set_where_ids(
                    ref_table,
                    f"SELECT id FROM {ref_table} WHERE {ref_field} IN "
                    f"(SELECT unnest(?::BIGINT[]))" + (" AND id <> ?" if self_link else ""),
                    [merged_ids, keep_id] if self_link else [merged_ids],
                    {ref_field: keep_id},
                    batch,
                    session.user,
                    operation,
                )
                if n:
                    key = f"{ref_table}.{ref_field}"
                    repointed[key] = repointed.get(key, 0) + n
            rows_report.append(
                {"survivor": keep_id, "merged": merged_ids, "fields_changed": sorted(changed)}
            )
    return MergeReport(
        kind,
        pd.DataFrame(rows_report, columns=["survivor", "merged", "fields_changed"]),
        repointed,
        batch,
    )


def _old_merge_all(
    session: Any, kind: str, report: Any, min_probability: float, **options: Any
) -> Any:
    from crmkit._ops import _records as records

    groups: list[list[int]] = []
    pairs = report.pairs
    for cluster in report.clusters:
        members = {int(i) for i in cluster if records.exists(session, kind, int(i))}
        if len(members) < 2:
            continue
        inside = pairs[pairs["id_a"].isin(members) & pairs["id_b"].isin(members)]
        mean = float(inside["probability"].mean()) if not inside.empty else 0.0
        if mean >= min_probability:
            groups.append(sorted(members))
    return _old_merge_groups(session, kind, groups, operation="merge all", **options)


# --------------------------------------------------------------------------------------
# One run (in a subprocess)
# --------------------------------------------------------------------------------------


def _peak_memory_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _same_as(db: Path, original: Path) -> bool:
    """Whether the contacts and subscriptions of ``db`` are those of ``original`` (but for
    the update stamps an undo sets), compared in DuckDB."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute(f"ATTACH '{original}' AS original (READ_ONLY)")
        for name in ("contacts", "subscriptions"):
            now = f"SELECT * EXCLUDE (updated_at, updated_by) FROM {name}"
            then = f"SELECT * EXCLUDE (updated_at, updated_by) FROM original.{name}"
            for a, b in ((now, then), (then, now)):
                row = con.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchall()
                if row[0][0]:
                    return False
        return True
    finally:
        con.close()


def run_one(
    db: Path, original: Path, groups_file: Path, path: str, n_clusters: int
) -> dict[str, Any]:
    groups = json.loads(groups_file.read_text())[:n_clusters]
    report = report_of(groups)
    with ck.open(db, user="bench") as crm:
        started = time.perf_counter()
        if path == "crmkit":
            merged = crm.contacts.merge_all(report, min_probability=0.5, progress=False)
        else:
            merged = _old_merge_all(crm._session, "contacts", report, 0.5)
        seconds = time.perf_counter() - started
        peak = _peak_memory_mb()
        history = crm.connection.execute(
            "SELECT count(*) FROM history WHERE batch_id = ?", [merged.batch_id]
        ).fetchall()[0]
        result: dict[str, Any] = {
            "path": path,
            "clusters": len(merged.merges),
            "merged_away": merged.merged_count,
            "repointed": merged.repointed,
            "history_rows": int(history[0]) if history else 0,
            "seconds": round(seconds, 2),
            "peak_memory_mb": round(peak),
        }
        if path == "crmkit":
            result["conflicts"] = len(merged.conflicts)
            started = time.perf_counter()
            crm.undo(merged.batch_id)
            result["undo_seconds"] = round(time.perf_counter() - started, 2)
    if path == "crmkit":
        result["undo_restores_exactly"] = _same_as(db, original)
    return result


# --------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------


def _in_subprocess(db: Path, groups_file: Path, path: str, n: int, work: Path) -> dict[str, Any]:
    copy = work / f"run_{path}.duckdb"
    shutil.copy(db, copy)
    try:
        done = subprocess.run(
            [
                *(sys.executable, __file__, "--worker", str(copy), str(db)),
                *(str(groups_file), path, str(n)),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        copy.unlink(missing_ok=True)
        Path(str(copy) + ".wal").unlink(missing_ok=True)
    if done.returncode != 0:
        raise SystemExit(f"{path} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=190_000, help="distinct people")
    parser.add_argument("--accounts", type=int, default=40_000)
    parser.add_argument("--clusters", type=int, default=10_000)
    parser.add_argument(
        "--peer-clusters", type=int, default=None, help="clusters the peer merges (default all)"
    )
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "crmkit_bench"))
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        db, original, groups_file, path, n = args.worker
        print(json.dumps(run_one(Path(db), Path(original), Path(groups_file), path, int(n))))
        return
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    stem = f"merge_{args.contacts}_{args.accounts}_{args.clusters}"
    db, groups_file = work / f"{stem}.duckdb", work / f"{stem}.groups.json"
    if not db.exists() or not groups_file.exists():
        db.unlink(missing_ok=True)
        started = time.perf_counter()
        groups = build(db, args.contacts, args.accounts, args.clusters)
        groups_file.write_text(json.dumps(groups))
        print(f"built {db} in {time.perf_counter() - started:.0f} s")
    groups = json.loads(groups_file.read_text())
    with ck.open(db, read_only=True) as crm:
        n_contacts = len(crm.contacts)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {n_contacts:,} contacts, {len(groups):,} clusters "
        f"({sum(len(g) for g in groups):,} records)"
    )
    new = _in_subprocess(db, groups_file, "crmkit", len(groups), work)
    peer_n = min(args.peer_clusters or len(groups), len(groups))
    old = _in_subprocess(db, groups_file, "peer", peer_n, work)
    per_old = old["seconds"] / max(old["clusters"], 1)
    old_full = per_old * new["clusters"]
    estimated = "" if old["clusters"] == new["clusters"] else " (extrapolated)"
    print(f"\n{'path':<10} {'clusters':>8} {'seconds':>9} {'ms/cluster':>11} {'peak MB':>8}")
    for row in (new, old):
        print(
            f"{row['path']:<10} {row['clusters']:>8,} {row['seconds']:>9.2f} "
            f"{1000 * row['seconds'] / max(row['clusters'], 1):>11.2f} "
            f"{row['peak_memory_mb']:>8,}"
        )
    print(
        f"\ncrmkit: {new['merged_away']:,} records merged away, re-pointed {new['repointed']}, "
        f"{new['history_rows']:,} history rows, {new['conflicts']:,} conflicting values "
        f"reported; undo in {new['undo_seconds']:.2f} s restores everything exactly: "
        f"{new['undo_restores_exactly']}"
    )
    print(f"peer: {old['merged_away']:,} merged away, re-pointed {old['repointed']}")
    print(
        f"\n{new['clusters']:,} clusters: crmkit {new['seconds']:.2f} s (target <= 10 s), "
        f"peer {old_full:.1f} s{estimated}: {old_full / new['seconds']:.1f}x faster"
    )


if __name__ == "__main__":
    main()
