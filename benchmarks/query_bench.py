"""Query and bulk-edit benchmark: crmkit against hand-written SQL and pandas.

On 1M generated contacts and 200k accounts (defaults), in the same run:

- a combined filter (revenue band + sector + owners + active + search) through crmkit
  (``crm.contacts.filter(...).ids``), as one hand-written DuckDB query (the limit), and in
  pandas on DataFrames held in memory;
- reassigning ~100k contacts with their history rows through crmkit
  (``selection.reassign(to=...)``) and as a hand-written UPDATE plus history INSERT.

Targets (issues 5 and 14): crmkit's median at most 1.5x the hand-written SQL and at least
3x faster than pandas; the reassignment within 2x of the hand-written statements. The
process's peak memory is printed at the end.

    .venv/bin/python benchmarks/query_bench.py
    .venv/bin/python benchmarks/query_bench.py --contacts 100000 --accounts 20000
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

import crmkit as ck
from crmkit._core._store import arrow_type
from crmkit.schemas import ACCOUNTS, CONTACTS


def build(db: Path, n_contacts: int, n_accounts: int) -> None:
    """A CRM file with generated owners, accounts and contacts (loaded straight in)."""
    from crmkit.samples import generate

    data = generate(n_accounts=n_accounts, n_contacts=n_contacts, seed=5, n_owners=20)
    with ck.open(db, user="bench") as crm:
        for row in data.owners.to_dict("records"):
            crm.owners.add(row["name"], email=row["email"], team=row["team"])
        owner_ids = {name: crm.owners.resolve(name) for name in data.owners["name"]}
        store = crm._store
        accounts = data.accounts.assign(owner_id=data.accounts["owner"].map(owner_ids))
        account_cols = [f.name for f in ACCOUNTS if f.editable and f.name in accounts.columns]
        with crm._session.batch("bench load") as batch:
            table = arrow_table(accounts, account_cols, ACCOUNTS)
            ids = store.insert("accounts", table, batch, "bench")
            by_name = dict(zip(accounts["name"], ids, strict=True))
            contacts = data.contacts.assign(
                owner_id=data.contacts["owner"].map(owner_ids),
                account_id=data.contacts["company"].map(by_name),
            )
            contact_cols = [f.name for f in CONTACTS if f.editable and f.name in contacts.columns]
            store.insert("contacts", arrow_table(contacts, contact_cols, CONTACTS), batch, "bench")


def arrow_table(frame: pd.DataFrame, columns: list[str], table: Any) -> pa.Table:
    """The catalog ``columns`` of ``frame`` as Arrow, typed as the store holds them."""
    out = {}
    for name in columns:
        values = frame[name].astype(object).where(frame[name].notna(), None).tolist()
        if table[name].kind == "list":
            values = [list(v) if v is not None else None for v in values]
        if table[name].kind == "date":
            values = [v.date() if hasattr(v, "date") else v for v in values]
        if table[name].kind in ("int", "ref"):
            values = [None if v is None else int(v) for v in values]
        out[name] = pa.array(values, type=arrow_type(table[name]))
    return pa.table(out)


def median_seconds(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    fn()  # warm up (plans, caches)
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


HAND_SQL = """
SELECT c.id
FROM contacts c
JOIN accounts a ON a.id = c.account_id
WHERE c.deleted_at IS NULL AND c.merged_into IS NULL
  AND a.deleted_at IS NULL AND a.merged_into IS NULL
  AND coalesce(a.annual_revenue, (a.revenue_range_min + a.revenue_range_max) / 2,
               a.revenue_range_min) >= 1000000
  AND coalesce(a.annual_revenue, (a.revenue_range_min + a.revenue_range_max) / 2,
               a.revenue_range_min) < 10000000
  AND a.sector IN ('Software', 'Technology', 'Consulting')
  AND c.owner_id IN (SELECT unnest(?::BIGINT[]))
  AND coalesce(c.active, FALSE)
  AND contains(lower(strip_accents(concat_ws(' ', c.first_name, c.last_name, c.email,
                                             a.name, c.job_title))), ?)
ORDER BY c.id
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "crmkit_bench"))
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"query_{args.contacts}_{args.accounts}.duckdb"
    if not db.exists():
        started = time.perf_counter()
        build(db, args.contacts, args.accounts)
        print(f"built {db} in {time.perf_counter() - started:.0f} s")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {args.contacts:,} contacts, {args.accounts:,} accounts"
    )

    with ck.open(db, user="bench") as crm:
        owners = crm.owners.list()
        users = owners[owners["kind"] == "user"]["name"].tolist()
        chosen = users[:6]
        search = "mar"
        filters = dict(
            revenue_band="1M-10M",
            sector=["Software", "Technology", "Consulting"],
            owner=chosen,
            active=True,
            search=search,
        )
        owner_ids = [crm.owners.resolve(o) for o in chosen]
        con = crm.connection

        t_crmkit, ids_crmkit = median_seconds(lambda: crm.contacts.filter(**filters).ids, args.runs)
        t_sql, ids_sql = median_seconds(
            lambda: [r[0] for r in con.execute(HAND_SQL, [owner_ids, search]).fetchall()], args.runs
        )

        contacts = con.sql(
            "SELECT id, first_name, last_name, email, job_title, owner_id, "
            "active, account_id FROM contacts WHERE deleted_at IS NULL"
        ).df()
        accounts = con.sql(
            "SELECT id AS account_id, name AS company, sector, annual_revenue, "
            "revenue_range_min, revenue_range_max FROM accounts"
        ).df()

        def pandas_filter() -> list[int]:
            merged = contacts.merge(accounts, on="account_id", how="inner")
            revenue = (
                merged["annual_revenue"]
                .fillna((merged["revenue_range_min"] + merged["revenue_range_max"]) / 2)
                .fillna(merged["revenue_range_min"])
            )
            text = merged["first_name"].fillna("")
            for column in ("last_name", "email", "company", "job_title"):
                text = text + " " + merged[column].fillna("")
            text = text.str.lower()
            keep = (
                revenue.ge(1_000_000)
                & revenue.lt(10_000_000)
                & merged["sector"].isin(["Software", "Technology", "Consulting"])
                & merged["owner_id"].isin(owner_ids)
                & merged["active"].fillna(False).astype(bool)
                & text.str.contains(search, regex=False)
            )
            return sorted(merged.loc[keep, "id"].tolist())

        t_pandas, ids_pandas = median_seconds(pandas_filter, max(3, args.runs // 2))
        same = list(ids_crmkit) == list(ids_sql)
        print(
            f"\ncombined filter ({len(ids_crmkit):,} contacts match; crmkit == SQL: {same}; "
            f"pandas found {len(ids_pandas):,} without accent folding)"
        )
        print(f"  crmkit      {t_crmkit * 1000:8.1f} ms (median of {args.runs})")
        print(f"  hand SQL    {t_sql * 1000:8.1f} ms")
        print(f"  pandas      {t_pandas * 1000:8.1f} ms")
        print(
            f"  crmkit / SQL = {t_crmkit / t_sql:.2f}x (target <= 1.5x); "
            f"pandas / crmkit = {t_pandas / t_crmkit:.1f}x (target >= 3x)"
        )

        # Reassign about 100k contacts: the two owners with the most contacts.
        counts = con.sql(
            "SELECT owner_id, count(*) n FROM contacts GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
        take, total = [], 0
        for owner_id, n in counts:
            if total >= 100_000 * args.contacts / 1_000_000:
                break
            take.append(int(owner_id))
            total += n
        target = crm.owners.add(f"Bench target {datetime.now(UTC):%H%M%S}")
        reassign_times, hand_times = [], []
        for _ in range(max(3, args.runs)):
            sel = crm.contacts.filter(owner=take)
            started = time.perf_counter()
            report = sel.reassign(to=target)
            reassign_times.append(time.perf_counter() - started)
            crm.undo(report.batch_id)

            started = time.perf_counter()
            con.execute("BEGIN TRANSACTION")
            con.execute(
                "INSERT INTO history SELECT 0, now()::TIMESTAMP, 'bench', 'reassign', "
                "'contacts', id, 'owner_id', to_json(owner_id), to_json(?::BIGINT) "
                "FROM contacts WHERE owner_id IN (SELECT unnest(?::BIGINT[]))",
                [target, take],
            )
            con.execute(
                "UPDATE contacts SET owner_id = ?, updated_at = now()::TIMESTAMP, "
                "updated_by = 'bench' WHERE owner_id IN (SELECT unnest(?::BIGINT[]))",
                [target, take],
            )
            con.execute("COMMIT")
            hand_times.append(time.perf_counter() - started)
            # Put the owners back from the history rows just written (not timed).
            con.execute("BEGIN TRANSACTION")
            con.execute(
                "UPDATE contacts c SET owner_id = CAST(h.old_value AS BIGINT) FROM history h "
                "WHERE h.batch_id = 0 AND h.record_id = c.id"
            )
            con.execute("DELETE FROM history WHERE batch_id = 0")
            con.execute("COMMIT")
        t_re, t_hand = statistics.median(reassign_times), statistics.median(hand_times)
        # Each crmkit run beside the hand-written one after it: a load that moves during
        # the run moves both sides of a pair.
        paired = statistics.median(a / b for a, b in zip(reassign_times, hand_times, strict=True))
        print(f"\nreassign {report.changed:,} contacts with history")
        print(f"  crmkit      {t_re * 1000:8.1f} ms (median of {len(reassign_times)})")
        print(f"  hand SQL    {t_hand * 1000:8.1f} ms")
        print(
            f"  crmkit / SQL = {t_re / t_hand:.2f}x (target <= 2x); "
            f"median of the paired ratios {paired:.2f}x"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of this process (data, pandas copies, both paths): {peak:,.0f} MB")


if __name__ == "__main__":
    main()
