"""``convert``: turn leads into contacts of an account (``crm.contacts.convert``)."""

from __future__ import annotations

import argparse

from crmkit._exceptions import ValidationError
from crmkit.cli._database import open_crm
from crmkit.cli._exit_codes import EXIT_OK
from crmkit.cli._filters import add_filter_options, filter_keywords
from crmkit.cli._output import say

__all__ = ["add_convert_arguments", "run_convert"]


def add_convert_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit convert --ids 3 4`` or filter flags, then how to convert."""
    parser.add_argument("--ids", nargs="+", type=int, help="ids of the contacts to convert")
    parser.add_argument("--to-account", help="link every contact to this account (name or id)")
    parser.add_argument("--to-stage", default="customer", help="their new stage (default customer)")
    parser.add_argument(
        "--no-create-account",
        action="store_false",
        dest="create_account",
        help="refuse a lead whose company has no account instead of creating it",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="say what would be done, write nothing"
    )
    add_filter_options(parser)


def run_convert(args: argparse.Namespace) -> int:
    """Convert the contacts of ``--ids``, else the contacts the filters select.

    Without ``--ids`` and without any filter, the leads (stage ``lead`` or ``qualified``)
    are converted.
    """
    if args.kind != "contacts":
        raise ValidationError(f"convert turns contacts into customers, not {args.kind}")
    with open_crm(args) as crm:
        if args.ids:
            chosen: object = args.ids
        else:
            keywords = filter_keywords(args) or {"lifecycle_stage": ["lead", "qualified"]}
            chosen = crm.contacts.filter(**keywords)
        account = args.to_account
        if account is not None and account.isdigit():
            account = int(account)
        report = crm.contacts.convert(
            chosen,
            create_account=args.create_account,
            account=account,
            stage=args.to_stage,
            dry_run=args.dry_run,
        )
        say(report)
    return EXIT_OK
