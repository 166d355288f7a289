"""``history`` and ``undo``: what changed, batch by batch, and taking a batch back."""

from __future__ import annotations

import argparse

import crmkit as ck
from crmkit._util._shorten import shorten
from crmkit.cli._database import KINDS, open_crm, open_to_read
from crmkit.cli._exit_codes import EXIT_OK
from crmkit.cli._output import say, table

__all__ = [
    "add_history_arguments",
    "add_undo_arguments",
    "last_batch",
    "run_history",
    "run_undo",
]

# The columns of the history rows printed for a record or a batch.
_HISTORY_COLUMNS = [
    "changed_at",
    "batch_id",
    "operation",
    "actor",
    "table",
    "record_id",
    "field",
    "old",
    "new",
]


def add_undo_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit undo BATCH``."""
    parser.add_argument("batch", help="a batch id (see `crmkit history`), or 'last'")


def add_history_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit history [--id ID | --batch BATCH]``."""
    parser.add_argument("--kind", choices=KINDS, default=KINDS[0])
    parser.add_argument("--id", type=int, help="a record's timeline")
    parser.add_argument("--batch", type=int, help="every change of one batch")
    parser.add_argument("--limit", type=int, default=50)


def last_batch(crm: ck.CRM) -> int:
    """The newest batch still in force: not undone, and not itself an undo."""
    batches = crm.batches()
    live = batches[
        batches["undone_by"].isna()
        & batches["operation"].notna()
        & (batches["operation"] != "undo")
    ]
    if live.empty:
        raise ck.UndoError("there is no batch to undo")
    return int(live["id"].max())


def run_undo(args: argparse.Namespace) -> int:
    """Undo a batch by id, or ``last``; print what was restored."""
    with open_crm(args) as crm:
        batch = args.batch
        if batch == "last":
            batch = last_batch(crm)
        elif not str(batch).isdigit():
            raise ck.ValidationError(f"undo takes a batch id or 'last', got {shorten(batch)}")
        summary = crm.undo(int(batch))
        say(str(summary))  # in the language of --lang / $CRMKIT_LANG
    return EXIT_OK


def run_history(args: argparse.Namespace) -> int:
    """The latest batches, or every change to one record (``--id``) or one batch."""
    with open_to_read(args) as crm:
        if args.id is None and args.batch is None:
            say(table(crm.batches(limit=args.limit), max_colwidth=50))
            return EXIT_OK
        frame = crm.history(args.kind if args.id is not None else None, args.id, args.batch)
        say(table(frame[_HISTORY_COLUMNS].head(args.limit), max_colwidth=40))
    return EXIT_OK
