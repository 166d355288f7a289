"""``timeline``, ``org-chart`` and ``tree``: around one record and one group of accounts."""

from __future__ import annotations

import argparse

import crmkit as ck
from crmkit.cli._database import add_lang_argument, open_to_read
from crmkit.cli._exit_codes import EXIT_OK
from crmkit.cli._output import say

__all__ = [
    "account_id",
    "add_org_chart_arguments",
    "add_timeline_arguments",
    "add_tree_arguments",
    "run_org_chart",
    "run_timeline",
    "run_tree",
]


def account_id(crm: ck.CRM, key: str) -> int:
    """An account named by its id or its name (an error names an unknown one)."""
    text = key.strip()
    return int(text) if text.isdigit() else crm.accounts.find_id(text)


def add_timeline_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit timeline contact|account ID [--kind K ...] [--since D] [--until D]``."""
    parser.add_argument("record_kind", choices=("contact", "account"), metavar="contact|account")
    parser.add_argument("id", help="the record's id (an account: its id or name)")
    parser.add_argument("--kind", action="append", dest="kinds", help="keep these events")
    parser.add_argument("--since", help="events from this date")
    parser.add_argument("--until", help="events up to this date")
    parser.add_argument(
        "--with-contacts", action="store_true", help="an account's contacts' events too"
    )
    add_lang_argument(parser)


def run_timeline(args: argparse.Namespace) -> int:
    """Print one record's timeline, oldest first."""
    with open_to_read(args) as crm:
        options = {"kinds": args.kinds, "since": args.since, "until": args.until}
        if args.record_kind == "account":
            found = crm.accounts.timeline(
                account_id(crm, args.id), include_contacts=args.with_contacts, **options
            )
        else:
            if not str(args.id).strip().isdigit():
                raise ck.ValidationError(f"timeline contact takes an id, got {args.id!r}")
            found = crm.contacts.timeline(int(args.id), **options)
        say(repr(found))
    return EXIT_OK


def add_org_chart_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit org-chart ACCOUNT [--svg out.svg]``."""
    parser.add_argument("account", help="the account's id or name")
    parser.add_argument("--svg", metavar="PATH", help="also write the chart as an SVG file")
    add_lang_argument(parser)


def run_org_chart(args: argparse.Namespace) -> int:
    """Print the account's contacts as an indented tree; write the SVG with ``--svg``."""
    with open_to_read(args) as crm:
        chart = crm.accounts.org_chart(account_id(crm, args.account))
        say(repr(chart))
        if args.svg:
            say(f"wrote {chart.save(args.svg)}")
    return EXIT_OK


def add_tree_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit tree ACCOUNT``."""
    parser.add_argument("account", help="an account of the group: its id or name")
    add_lang_argument(parser)


def run_tree(args: argparse.Namespace) -> int:
    """Print the account's group, from its top parent, with rolled-up figures."""
    with open_to_read(args) as crm:
        say(repr(crm.accounts.tree(account_id(crm, args.account))))
    return EXIT_OK
