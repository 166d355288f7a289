"""The ``crmkit`` command line: the same operations as the notebook API.

Exit codes: 0 success, 1 a crmkit error (bad input, conflict ...), 2 wrong usage.
Errors are printed as one line, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

import crmkit as ck
from crmkit._exceptions import CRMKitError

__all__ = ["band_summary", "load_sample_folder", "main"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def load_sample_folder(crm: ck.CRM, folder: str | Path, progress: bool = False) -> list[Any]:
    """Load the generator's ``owners.csv``, ``accounts.csv`` and ``contacts.csv``.

    Owners are added one by one; accounts and contacts go through the import pipeline
    (contacts create the accounts they name when missing). Returns the import reports.
    """
    folder = Path(folder)
    owners = pd.read_csv(folder / "owners.csv", dtype=str, keep_default_na=False)
    for team in sorted({t for t in owners.get("team", pd.Series(dtype=str)) if t}):
        crm.owners.add(team, kind="team")
    for row in owners.to_dict("records"):
        crm.owners.add(
            str(row["name"]),
            email=str(row.get("email") or "") or None,
            team=str(row.get("team") or "") or None,
        )
    accounts = crm.import_file(folder / "accounts.csv", "accounts", progress=progress)
    contacts = crm.import_file(
        folder / "contacts.csv", "contacts", create_accounts=True, progress=progress
    )
    return [accounts, contacts]


def band_summary(crm: ck.CRM, kind: str = "revenue") -> pd.DataFrame:
    """Accounts per revenue (or headcount) band, in band order, with revenue totals."""
    bands = crm.settings.bands(kind)
    column = f"{kind}_band" if kind == "revenue" else "headcount_band"
    counts = crm.sql(
        f"SELECT {column} AS band, count(*) AS accounts, sum(annual_revenue) AS revenue "
        f"FROM accounts_v GROUP BY ALL"
    ).df()
    order = {label: i for i, label in enumerate(bands.labels)}
    counts["_order"] = counts["band"].map(lambda b: order.get(b, len(order)))
    counts["band"] = counts["band"].fillna("(unknown)")
    return counts.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def _cmd_demo(args: argparse.Namespace) -> int:
    db = Path(args.db)
    db.parent.mkdir(parents=True, exist_ok=True)
    with ck.open(db, user=args.user) as crm:
        print(f"Loading {args.samples} into {db}")
        for report in load_sample_folder(crm, args.samples):
            print(report)
        print("\nRows per table:")
        for name, n in crm.counts().items():
            print(f"  {name:<15}{n:>8,}")
        print("\nAccounts by revenue band (fourchette de CA):")
        print(band_summary(crm, "revenue").to_string(index=False))
        print("\nAccounts by headcount band:")
        print(band_summary(crm, "headcount")[["band", "accounts"]].to_string(index=False))
    return EXIT_OK


def _cmd_samples(args: argparse.Namespace) -> int:
    from crmkit.samples import write_sample_files

    paths = write_sample_files(
        args.out, seed=args.seed, n_accounts=args.accounts, n_contacts=args.contacts
    )
    for name, path in paths.items():
        print(f"{name:<18}{path}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``crmkit`` command."""
    parser = argparse.ArgumentParser(
        prog="crmkit", description="CRM accounts and contacts in DuckDB."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="load the sample data and show what is in it")
    demo.add_argument("--db", default="demo_out/crm.duckdb", help="DuckDB file to create")
    demo.add_argument("--samples", default="data/samples", help="folder of sample CSVs")
    demo.add_argument("--user", default="Demo", help="who is working (recorded in history)")
    demo.set_defaults(func=_cmd_demo)
    samples = sub.add_parser("samples", help="write the sample files (data/samples)")
    samples.add_argument("--out", default="data/samples", help="folder to write")
    samples.add_argument("--seed", type=int, default=7)
    samples.add_argument("--accounts", type=int, default=60)
    samples.add_argument("--contacts", type=int, default=300)
    samples.set_defaults(func=_cmd_samples)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return int(exc.code or 0)
    try:
        return int(args.func(args))
    except CRMKitError as exc:
        print(f"crmkit: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (OSError, ValueError) as exc:
        print(f"crmkit: error: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
