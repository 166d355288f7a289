"""``fix``: proposed fixes of stored values, printed, and applied if asked."""

from __future__ import annotations

import argparse

import crmkit as ck
from crmkit._ops._fixes import FIX_RULES
from crmkit.cli._database import (
    KINDS,
    add_database_argument,
    add_lang_argument,
    open_crm,
    open_to_read,
    records_of,
)
from crmkit.cli._exit_codes import EXIT_OK
from crmkit.cli._output import say

__all__ = ["add_fix_arguments", "run_fix"]


def add_fix_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit fix [DB]``: which rules and fields, then whether to apply."""
    add_database_argument(parser)
    parser.add_argument("--kind", choices=KINDS, default=KINDS[0])
    parser.add_argument(
        "--rule",
        action="append",
        choices=FIX_RULES,
        dest="rules",
        help="only this rule (repeat for several; default: all)",
    )
    parser.add_argument(
        "--field",
        action="append",
        dest="fields",
        help="only this text field (repeat for several; default: all)",
    )
    parser.add_argument(
        "--apply",
        action="store_true",
        help="write the proposed fixes, in one batch `crmkit undo` takes back",
    )
    parser.add_argument("--show", type=int, default=50, help="rows to print")
    add_lang_argument(parser)


def run_fix(args: argparse.Namespace) -> int:
    """Print the proposed fixes; with ``--apply``, write them and print the batch."""
    opener = open_crm if args.apply else open_to_read
    with opener(args) as crm, ck.config_context(display_rows=max(1, args.show)):
        fixes = records_of(crm, args.kind).suggest_fixes(fields=args.fields, rules=args.rules)
        say(fixes)
        if args.apply and len(fixes):
            report = fixes.apply()
            say(report)
            for record_id, reason in report.skipped.itertuples(index=False):
                say(f"  {record_id}: {reason}")
    return EXIT_OK
