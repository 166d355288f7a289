"""``demo`` and ``samples``: write the sample files, and load them to show crmkit at work."""

from __future__ import annotations

import argparse
from pathlib import Path

import crmkit as ck
from crmkit.cli._exit_codes import EXIT_OK
from crmkit.cli._output import say
from crmkit.cli._sample_data import band_summary, load_sample_folder

__all__ = ["add_demo_arguments", "add_samples_arguments", "run_demo", "run_samples"]


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit demo [--samples FOLDER]``."""
    parser.add_argument("--samples", default="data/samples", help="folder of sample files")


def add_samples_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit samples [--out FOLDER]``: the folder, the seed and the sizes."""
    parser.add_argument("--out", default="data/samples", help="folder to write")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--accounts", type=int, default=60)
    parser.add_argument("--contacts", type=int, default=300)


def run_demo(args: argparse.Namespace) -> int:
    """Load the sample folder into ``--db``; print the reports, counts and bands."""
    db = Path(args.db)
    db.parent.mkdir(parents=True, exist_ok=True)
    with ck.open(db, user=args.user or "Demo") as crm:
        say(f"Loading {args.samples} into {db}")
        for report in load_sample_folder(crm, args.samples):
            say(report)
        say("\nRows per table:")
        for name, n in crm.counts().items():
            say(f"  {name:<15}{n:>8,}")
        say("\nAccounts by revenue band (fourchette de CA):")
        say(band_summary(crm, "revenue").to_string(index=False))
        say("\nAccounts by headcount band:")
        say(band_summary(crm, "headcount")[["band", "accounts"]].to_string(index=False))
    return EXIT_OK


def run_samples(args: argparse.Namespace) -> int:
    """Write the seeded sample files; print their paths."""
    from crmkit.samples import write_sample_files

    paths = write_sample_files(
        args.out, seed=args.seed, n_accounts=args.accounts, n_contacts=args.contacts
    )
    for name, path in paths.items():
        say(f"{name:<18}{path}")
    return EXIT_OK
