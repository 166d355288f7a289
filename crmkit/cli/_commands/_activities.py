"""``tasks`` and ``notes``: add, list, complete and export the activities of records."""

from __future__ import annotations

import argparse

from crmkit.cli._database import open_crm, open_to_read
from crmkit.cli._exit_codes import EXIT_OK
from crmkit.cli._output import say, table

__all__ = ["add_notes_arguments", "add_tasks_arguments", "run_notes", "run_tasks"]

_TASK_COLUMNS = ["id", "subject", "task_type", "due_at", "priority", "status", "owner", "contact"]
_NOTE_COLUMNS = ["id", "created_at", "author", "contact", "account", "body"]


def _add_links(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--contact", help="contact id, email or uid")
    parser.add_argument("--account", help="account id or uid")


def _key(value: str | None) -> int | str | None:
    return int(value) if value is not None and value.isdigit() else value


def add_tasks_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit tasks add|list|complete|export-ics``."""
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="add an open task to a contact or an account")
    add.add_argument("subject")
    add.add_argument("--type", default="todo", help="call, meeting, email or todo")
    add.add_argument("--due", help="date or date and time (ISO), UTC")
    add.add_argument("--priority", default="normal", help="low, normal or high")
    add.add_argument("--owner", help="who follows it up (name, email or id)")
    add.add_argument("--body", help="details")
    _add_links(add)
    for name, what in (("list", "list tasks"), ("export-ics", "write tasks to an .ics file")):
        listing = sub.add_parser(name, help=what)
        if name == "export-ics":
            listing.add_argument("path", help="the .ics file to write")
        listing.add_argument("--owner", action="append", help="repeat for several owners")
        listing.add_argument("--status", help="open, done or cancelled")
        listing.add_argument("--overdue", action="store_true", help="open tasks past due")
        listing.add_argument("--due", help="today, 'this week', 'next week' or 'this month'")
        _add_links(listing)
    done = sub.add_parser("complete", help="mark a task done")
    done.add_argument("id", type=int)
    done.add_argument("--report", help="what happened")


def add_notes_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit notes add|list``."""
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="write a note on a contact or an account")
    add.add_argument("text")
    add.add_argument("--author", help="who wrote it (default: --user)")
    _add_links(add)
    listing = sub.add_parser("list", help="list notes")
    _add_links(listing)


def run_tasks(args: argparse.Namespace) -> int:
    """Run ``crmkit tasks ACTION``."""
    if args.action == "add":
        with open_crm(args) as crm:
            task = crm.activities.add_task(
                args.subject,
                type=args.type,
                due=args.due,
                priority=args.priority,
                owner=_key(args.owner),
                contact=_key(args.contact),
                account=_key(args.account),
                body=args.body,
            )
            say(f"task {task} added (batch {crm.last_batch_id})")
        return EXIT_OK
    if args.action == "complete":
        with open_crm(args) as crm:
            crm.activities.complete(args.id, report=args.report)
            say(f"task {args.id} done (batch {crm.last_batch_id})")
        return EXIT_OK
    with open_to_read(args) as crm:
        selection = crm.activities.filter(
            kind="task",
            contact=_key(args.contact),
            account=_key(args.account),
            owner=args.owner,
            status=args.status,
            overdue=args.overdue,
            due=args.due,
        )
        if args.action == "export-ics":
            path = selection.export_ics(args.path)
            say(f"{len(selection)} tasks written to {path}")
        else:
            say(table(selection.df()[_TASK_COLUMNS], max_colwidth=40))
    return EXIT_OK


def run_notes(args: argparse.Namespace) -> int:
    """Run ``crmkit notes ACTION``."""
    if args.action == "add":
        with open_crm(args) as crm:
            note = crm.activities.add_note(
                args.text,
                contact=_key(args.contact),
                account=_key(args.account),
                author=args.author,
            )
            say(f"note {note} added (batch {crm.last_batch_id})")
        return EXIT_OK
    with open_to_read(args) as crm:
        selection = crm.activities.filter(
            kind="note", contact=_key(args.contact), account=_key(args.account)
        )
        say(table(selection.df()[_NOTE_COLUMNS], max_colwidth=60))
    return EXIT_OK
