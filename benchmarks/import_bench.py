"""Import benchmark: crmkit against the path an analyst would write by hand.

On N generated contacts written to a CSV (default 1,000,000), in the same run:

- ``crmkit``: ``crm.import_file(..., create_accounts=True)`` into a DuckDB file: encoding
  and delimiter detection, header mapping, phones to E.164, emails checked with
  email-validator, every other field normalised, pandera validation, accounts linked
  (and created), owners linked, matching against existing records, history, one
  transaction.
- ``peer``: ``pandas.read_csv``, pandera validation, phonenumbers and email-validator via
  ``Series.apply``, ``CREATE TABLE AS`` into DuckDB.
- ``raw``: DuckDB's own ``read_csv`` into a table, the floor.

Each path runs in its own process so that its peak memory (max RSS) is its own.
Targets (issue 3): crmkit at least 2x faster than the peer, peak memory under 3 GB.

    .venv/bin/python benchmarks/import_bench.py            # 1M rows
    .venv/bin/python benchmarks/import_bench.py --n 50000  # a quick look
    .venv/bin/python benchmarks/import_bench.py --repeat 3 # medians of 3 interleaved rounds
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()


def make_csv(n: int, folder: Path) -> tuple[Path, Path]:
    """The contacts CSV and the owners CSV of N generated contacts (cached by size).

    Written as a CRM export would be: lists joined with "; ", booleans as true/false,
    dates as YYYY-MM-DD (``GeneratedData.write``); the generator's ground-truth columns
    (entity_id, source_id) are left out.
    """
    import polars as pl

    from crmkit.samples import generate

    contacts = folder / f"contacts_{n}_export.csv"
    owners = folder / f"owners_{n}_export.csv"
    if not contacts.exists():
        data = generate(
            n_accounts=max(10, n // 5), n_contacts=n, seed=42, messiness=0.3, n_owners=20
        )
        written = data.write(folder / f"generated_{n}")
        frame = pl.read_csv(written["contacts"], infer_schema=False)
        frame.drop("entity_id", "source_id").write_csv(contacts)
        written["owners"].replace(owners)
    return contacts, owners


def run_crmkit(
    csv_path: Path, owners_path: Path, db: Path, workers: int | None
) -> dict[str, float]:
    import pandas as pd

    import crmkit as ck
    import crmkit._importing._pipeline  # loaded before the clock, as the peer's libraries are

    started = time.perf_counter()
    with ck.open(db, user="bench") as crm:
        for row in pd.read_csv(owners_path, dtype=str).to_dict("records"):
            crm.owners.add(row["name"], email=row["email"], team=row["team"])
        report = crm.import_file(
            csv_path, "contacts", create_accounts=True, progress=False, workers=workers
        )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "inserted": report.inserted,
        "rejected": report.n_rejected,
        "warnings": len(report.warnings),
        "accounts_created": len(report.created_accounts),
    }


def run_peer(csv_path: Path, db: Path) -> dict[str, float]:
    import duckdb
    import pandas as pd
    import pandera.pandas as pa
    import phonenumbers
    from email_validator import EmailNotValidError, validate_email

    started = time.perf_counter()
    df = pd.read_csv(csv_path, dtype=str)
    schema = pa.DataFrameSchema(
        {
            "last_name": pa.Column(str, nullable=False, checks=pa.Check.str_length(1, 100)),
            "first_name": pa.Column(str, nullable=True, checks=pa.Check.str_length(0, 100)),
            "email": pa.Column(str, nullable=True, checks=pa.Check.str_length(0, 254)),
            "job_title": pa.Column(str, nullable=True, checks=pa.Check.str_length(0, 128)),
            "country": pa.Column(str, nullable=True),
        }
    )
    schema.validate(df, lazy=True)

    def phone(value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            number = phonenumbers.parse(value, "FR")
        except phonenumbers.NumberParseException:
            return value
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def email(value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            return value

    for column in ("phone", "mobile"):
        df[column] = df[column].apply(phone)
    df["email"] = df["email"].apply(email)
    con = duckdb.connect(str(db))
    con.register("df", df)
    con.execute("CREATE TABLE contacts AS SELECT * FROM df")
    con.close()
    return {"seconds": time.perf_counter() - started, "inserted": len(df)}


def run_raw(csv_path: Path, db: Path) -> dict[str, float]:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE contacts AS SELECT * FROM read_csv(?)", [str(csv_path)])
    row = con.execute("SELECT count(*) FROM contacts").fetchall()[0]
    con.close()
    return {"seconds": time.perf_counter() - started, "inserted": row[0]}


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would count the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(
    part: str, csv_path: Path, owners_path: Path, db: Path, workers: int | None = None
) -> None:
    if part == "crmkit":
        result = run_crmkit(csv_path, owners_path, db, workers)
    elif part == "peer":
        result = run_peer(csv_path, db)
    else:
        result = run_raw(csv_path, db)
    result["peak_mb"] = peak_mb()
    print(json.dumps(result))


def measure(
    part: str, csv_path: Path, owners_path: Path, work: Path, workers: int | None = None
) -> dict[str, float]:
    db = work / f"{part}.duckdb"
    for leftover in (db, Path(f"{db}.wal")):
        leftover.unlink(missing_ok=True)
    out = subprocess.run(
        [
            sys.executable,
            str(HERE),
            "--child",
            part,
            "--csv",
            str(csv_path),
            "--owners",
            str(owners_path),
            "--db",
            str(db),
            *([] if workers is None else ["--workers", str(workers)]),
        ],
        check=True,
        capture_output=True,
        text=True,
        env=_python_defaults(),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _python_defaults() -> dict[str, str]:
    """This environment with Python's default bytecode cache on (some sandboxes turn it off,
    which makes every process compile every module it imports from source)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def warm_up() -> None:
    """Import what each path imports once, so that no timed run pays for compiling it."""
    modules = (
        "crmkit._importing._pipeline, crmkit._util._pool, crmkit._normalize._arrow_keys, "
        "crmkit._normalize._arrow_phones, crmkit._normalize._arrow_emails, "
        "phonenumbers.geodata.locale, pandera.pandas, pandera.polars, email_validator, "
        "duckdb, polars"
    )
    subprocess.run([sys.executable, "-c", f"import {modules}"], check=True, env=_python_defaults())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="contacts to import")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "crmkit_bench"))
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of raw, peer, crmkit (medians reported)"
    )
    parser.add_argument("--child")
    parser.add_argument("--csv")
    parser.add_argument("--owners")
    parser.add_argument("--db")
    parser.add_argument(
        "--workers", type=int, help="crmkit processes (default: crmkit decides by file size)"
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, Path(args.csv), Path(args.owners), Path(args.db), args.workers)
        return
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    csv_path, owners_path = make_csv(args.n, work)
    size_mb = csv_path.stat().st_size / 1e6
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; file: {args.n:,} contacts, {size_mb:.0f} MB"
    )
    warm_up()
    parts = ("raw", "peer", "crmkit")
    rounds: list[dict[str, dict[str, float]]] = []
    for _ in range(max(1, args.repeat)):
        # Interleaved, so that a slow spell of a shared machine hits every path alike.
        rounds.append(
            {part: measure(part, csv_path, owners_path, work, args.workers) for part in parts}
        )
        ratio = rounds[-1]["peer"]["seconds"] / rounds[-1]["crmkit"]["seconds"]
        print(
            f"round {len(rounds)}: "
            + ", ".join(f"{p} {rounds[-1][p]['seconds']:.1f} s" for p in parts)
            + f"; speed-up {ratio:.2f}x"
        )
    results = {part: _median_run([r[part] for r in rounds]) for part in parts}
    print(f"{'path':<8}{'seconds':>10}{'rows/s':>12}{'peak MB':>10}   (median of {len(rounds)})")
    for part, r in results.items():
        print(
            f"{part:<8}{r['seconds']:>10.1f}{args.n / r['seconds']:>12,.0f}{r['peak_mb']:>10,.0f}"
        )
    ratio = results["peer"]["seconds"] / results["crmkit"]["seconds"]
    crm = results["crmkit"]
    print(
        f"crmkit: {crm['inserted']:,} inserted, {crm['rejected']:,} rejected, "
        f"{crm['warnings']:,} warnings, {crm['accounts_created']:,} accounts created"
    )
    print(
        f"speed-up over the peer path: {ratio:.2f}x (target >= 2x); "
        f"crmkit peak memory {crm['peak_mb'] / 1024:.2f} GB (target < 3 GB); "
        f"crmkit / raw DuckDB load: {crm['seconds'] / results['raw']['seconds']:.1f}x"
    )


def _median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median time (its other figures with it); peak memory the largest."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    middle = dict(ordered[(len(ordered) - 1) // 2])
    middle["peak_mb"] = max(r["peak_mb"] for r in runs)
    return middle


if __name__ == "__main__":
    main()
