"""``rules``: list, define, switch and remove the duplicate rules of a database.

The rules themselves (what matches, what each event does) are
:meth:`crmkit.Settings.duplicate_rule`'s; this only reads the command line into it, so
that a rule defined here acts on every path (imports here, the notebook's ``add``,
``update`` and forms) like one defined in Python.
"""

from __future__ import annotations

import argparse

from crmkit._core._duplicate_rules import ACTIONS, MATCHES
from crmkit.cli._database import KINDS, open_crm, open_to_read
from crmkit.cli._exit_codes import EXIT_OK
from crmkit.cli._output import say

__all__ = ["add_rules_arguments", "run_rules"]


def add_rules_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit rules [list | add NAME ... | remove NAME | enable NAME | disable NAME]``."""
    actions = parser.add_subparsers(dest="rules_action", metavar="ACTION")
    listing = actions.add_parser("list", help="list the rules (the default)")
    listing.add_argument("--kind", choices=KINDS, help="only the rules of this kind")
    add = actions.add_parser("add", help="define (or replace) a rule")
    add.add_argument("name", help="the rule's name")
    add.add_argument("--kind", choices=KINDS, default=KINDS[0])
    add.add_argument("--fields", required=True, help="comma-separated fields that must all match")
    add.add_argument("--match", choices=MATCHES, default="folded")
    add.add_argument("--threshold", type=float, default=0.85, help="fuzzy: similarity")
    add.add_argument(
        "--keep-blanks",
        action="store_true",
        help="let a blank value match a blank value",
    )
    add.add_argument(
        "--include-inactive",
        action="store_true",
        help="match inactive contacts and archived accounts too",
    )
    add.add_argument("--on-create", choices=ACTIONS, default="alert")
    add.add_argument("--on-update", choices=ACTIONS, default="alert")
    add.add_argument("--on-import", choices=ACTIONS, help="default: as --on-create")
    add.add_argument("--disabled", action="store_true", help="define it switched off")
    for verb, text in (
        ("remove", "forget a rule"),
        ("enable", "switch a rule on"),
        ("disable", "switch a rule off"),
    ):
        one = actions.add_parser(verb, help=text)
        one.add_argument("name")
        one.add_argument("--kind", choices=KINDS, default=KINDS[0])


def run_rules(args: argparse.Namespace) -> int:
    """Do the action (``list`` when none) and print the rules it leaves or touched."""
    action = args.rules_action or "list"
    if action == "list":
        with open_to_read(args) as crm:
            rules = crm.settings.duplicate_rules(getattr(args, "kind", None))
            if not rules:
                say("no duplicate rules")
            for rule in rules:
                say(rule.describe())
        return EXIT_OK
    with open_crm(args) as crm:
        settings = crm.settings
        if action == "add":
            rule = settings.duplicate_rule(
                args.kind,
                args.name,
                [f.strip() for f in args.fields.split(",") if f.strip()],
                match=args.match,
                threshold=args.threshold,
                ignore_blanks=not args.keep_blanks,
                exclude_inactive=not args.include_inactive,
                on_create=args.on_create,
                on_update=args.on_update,
                on_import=args.on_import,
                enabled=not args.disabled,
            )
            say(f"defined {rule.describe()}")
        elif action == "remove":
            settings.remove_duplicate_rule(args.kind, args.name)
            say(f"removed {args.kind} rule {args.name!r}")
        else:
            rule = settings.enable_duplicate_rule(args.kind, args.name, action == "enable")
            say(f"{action}d {rule.describe()}")
    return EXIT_OK
