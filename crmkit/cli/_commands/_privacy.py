"""``erase``: erase people for good (their personal values, everywhere crmkit keeps them)."""

from __future__ import annotations

import argparse

from crmkit.cli._database import KINDS, open_crm
from crmkit.cli._exit_codes import EXIT_OK
from crmkit.cli._output import say

__all__ = ["add_erase_arguments", "run_erase"]


def add_erase_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit erase --ids 12 15 --reason "..." --yes``."""
    parser.add_argument("--kind", choices=KINDS, default=KINDS[0])
    parser.add_argument(
        "--ids", type=int, nargs="+", required=True, help="the ids of the records to erase"
    )
    parser.add_argument(
        "--reason", required=True, help="why (kept in the erasure log; no personal data)"
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help="confirm: an erasure cannot be undone (refused without it)",
    )


def run_erase(args: argparse.Namespace) -> int:
    """Erase the records ``--ids``; print the counts of the erasure (no personal value)."""
    with open_crm(args) as crm:
        records = crm.contacts if args.kind == "contacts" else crm.accounts
        report = records.erase(args.ids, reason=args.reason, confirm=args.yes)
        say(str(report))
    return EXIT_OK
