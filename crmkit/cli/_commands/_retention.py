"""``retention``: list and define the retention rules of a database; apply them.

The rules are :meth:`crmkit.Settings.retention`'s and applying them is
:meth:`crmkit.CRM.apply_retention`; this only reads the command line into them.
``apply`` is a dry run unless ``--yes`` is given, and anonymising or deleting (which
cannot be undone) needs ``--yes`` too.
"""

from __future__ import annotations

import argparse
import json

from crmkit._core._retention_rules import BASED_ON, RETENTION_ACTIONS
from crmkit.cli._database import KINDS, open_crm, open_to_read
from crmkit.cli._exit_codes import EXIT_OK
from crmkit.cli._output import say

__all__ = ["add_retention_arguments", "run_retention"]


def add_retention_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit retention [list | add KIND ... | remove ID | apply [--dry-run] [--yes]]``."""
    actions = parser.add_subparsers(dest="retention_action", metavar="ACTION")
    actions.add_parser("list", help="list the rules (the default)")
    add = actions.add_parser("add", help="define a rule")
    add.add_argument("kind", choices=KINDS)
    add.add_argument("--after", default="36 months", help='a duration: "36 months", "3 ans"')
    add.add_argument("--action", choices=RETENTION_ACTIONS, default="anonymise")
    add.add_argument("--based-on", choices=BASED_ON, default="last_activity")
    add.add_argument(
        "--where", help="filters as JSON, as crm.contacts.filter takes: '{\"active\": false}'"
    )
    remove = actions.add_parser("remove", help="forget a rule")
    remove.add_argument("id", help="the rule's number (see list)")
    apply = actions.add_parser("apply", help="show what the rules touch; apply them with --yes")
    apply.add_argument("--dry-run", action="store_true", help="write nothing (the default)")
    apply.add_argument(
        "--yes", action="store_true", help="apply, erasing for good what the rules anonymise/delete"
    )


def run_retention(args: argparse.Namespace) -> int:
    """Do the action (``list`` when none) and print what it did."""
    action = args.retention_action or "list"
    if action == "list":
        with open_to_read(args) as crm:
            rules = crm.settings.retention_rules()
            if not rules:
                say("no retention rules")
            for rule in rules:
                say(rule.describe())
            horizon = crm.settings.history_horizon
            say(f"history horizon: {horizon or 'none (history is kept whole)'}")
        return EXIT_OK
    if action == "apply" and (args.dry_run or not args.yes):
        with open_to_read(args) as crm:
            say(crm.apply_retention(dry_run=True))
        return EXIT_OK
    with open_crm(args) as crm:
        if action == "add":
            where = None if args.where is None else json.loads(args.where)
            rule = crm.settings.retention(
                args.kind, after=args.after, action=args.action, where=where,
                based_on=args.based_on,
            )  # fmt: skip
            say(f"defined {rule.describe()}")
        elif action == "remove":
            rule = crm.settings.remove_retention_rule(args.id)
            say(f"removed {rule.describe()}")
        else:
            say(crm.apply_retention(dry_run=False, confirm=True))
    return EXIT_OK
