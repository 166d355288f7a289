"""``quality``: the data-quality report of contacts or accounts, printed or as HTML."""

from __future__ import annotations

import argparse

from crmkit.cli._database import KINDS, add_database_argument, add_lang_argument, open_to_read
from crmkit.cli._exit_codes import EXIT_OK
from crmkit.cli._output import say

__all__ = ["add_quality_arguments", "run_quality"]


def add_quality_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit quality [DB] [--kind] [--by] [--stale-after] [--html out.html] [--lang]``."""
    add_database_argument(parser)
    parser.add_argument("--kind", choices=KINDS, default=KINDS[0])
    parser.add_argument(
        "--by", help="break the figures down by owner, team, sector, source or a column"
    )
    parser.add_argument(
        "--stale-after",
        dest="stale_after",
        default="12 months",
        help="age from which a record not updated is stale ('12 months', '90 days' ...)",
    )
    parser.add_argument("--html", metavar="FILE", help="also write the report as an HTML page")
    add_lang_argument(parser)


def run_quality(args: argparse.Namespace) -> int:
    """Print the report; with ``--html``, write it as a standalone page too."""
    from crmkit._util._messages import message

    with open_to_read(args) as crm:
        report = crm.quality(args.kind, args.by, stale_after=args.stale_after)
        say(report)
        if args.html:
            path = report.write_html(args.html)
            say(message("written_to", what=message("quality_title", kind=args.kind), path=path))
    return EXIT_OK
