"""The subcommands of ``crmkit``, listed once in :data:`COMMANDS`.

Each :class:`Command` names the function that adds its arguments to its parser and the
function that runs it; the modules group them by job:

- ``_files``: ``import``, ``validate``, ``preview``;
- ``_records``: ``filter``, ``export``, ``reassign``;
- ``_duplicates``: ``dedupe``, ``decide``, ``merge``;
- ``_history``: ``undo``, ``history``;
- ``_privacy``: ``erase``;
- ``_rules``: ``rules``;
- ``_retention``: ``retention``;
- ``_quality``: ``quality``;
- ``_variants``: ``variants``;
- ``_fix``: ``fix``;
- ``_structure``: ``timeline``, ``org-chart``, ``tree``;
- ``_activities``: ``tasks``, ``notes``;
- ``_convert``: ``convert``;
- ``_subject_access``: ``subject-access``;
- ``_demo``: ``demo``, ``samples``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NamedTuple

from crmkit.cli._commands import (
    _activities,
    _convert,
    _demo,
    _duplicates,
    _files,
    _fix,
    _history,
    _privacy,
    _quality,
    _records,
    _retention,
    _rules,
    _structure,
    _subject_access,
    _variants,
)

__all__ = ["COMMANDS", "Command"]


class Command(NamedTuple):
    """A subcommand: its name, its one-line help, how to parse it and how to run it."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    described: bool = False
    """Whether ``crmkit NAME --help`` repeats the one-line help as a description."""


COMMANDS: tuple[Command, ...] = (
    Command(
        "import",
        "import a file of contacts or accounts",
        _files.add_import_arguments,
        _files.run_import,
        described=True,
    ),
    Command(
        "validate",
        "check a file as an import would, writing nothing",
        _files.add_validate_arguments,
        _files.run_validate,
        described=True,
    ),
    Command(
        "preview",
        "show the column mapping and problems of a file",
        _files.add_preview_arguments,
        _files.run_preview,
        described=True,
    ),
    Command(
        "filter",
        "list matching records, or write them to a file",
        _records.add_filter_arguments,
        _records.run_filter,
    ),
    Command(
        "export",
        "export matching records (.csv .xlsx .parquet .vcf)",
        _records.add_export_arguments,
        _records.run_export,
    ),
    Command(
        "reassign",
        "give matching records to an owner (or several)",
        _records.add_reassign_arguments,
        _records.run_reassign,
    ),
    Command(
        "convert",
        "turn leads into contacts of an account (found or created)",
        _convert.add_convert_arguments,
        _convert.run_convert,
    ),
    Command(
        "dedupe",
        "find duplicate contacts or accounts, with reasons",
        _duplicates.add_dedupe_arguments,
        _duplicates.run_dedupe,
    ),
    Command(
        "decide",
        "store a review decision on a pair: same or different",
        _duplicates.add_decide_arguments,
        _duplicates.run_decide,
    ),
    Command(
        "merge",
        "merge records into one (undoable)",
        _duplicates.add_merge_arguments,
        _duplicates.run_merge,
    ),
    Command(
        "rules",
        "list, define, switch or remove duplicate rules",
        _rules.add_rules_arguments,
        _rules.run_rules,
    ),
    Command(
        "retention",
        "list or define retention rules; show what they touch, apply them (--yes)",
        _retention.add_retention_arguments,
        _retention.run_retention,
    ),
    Command(
        "quality",
        "data-quality report: fill rates, formats, duplicates, stale records",
        _quality.add_quality_arguments,
        _quality.run_quality,
    ),
    Command(
        "variants",
        "cluster spelling variants of a text field; replace them (undoable)",
        _variants.add_variants_arguments,
        _variants.run_variants,
    ),
    Command(
        "fix",
        "propose fixes of stored values (case, spaces, formats); apply them (undoable)",
        _fix.add_fix_arguments,
        _fix.run_fix,
    ),
    Command(
        "timeline",
        "what happened to a contact or an account, oldest first",
        _structure.add_timeline_arguments,
        _structure.run_timeline,
    ),
    Command(
        "org-chart",
        "an account's contacts by reports_to (text, or an SVG file)",
        _structure.add_org_chart_arguments,
        _structure.run_org_chart,
    ),
    Command(
        "tree",
        "an account's group: parent and member accounts with rolled-up figures",
        _structure.add_tree_arguments,
        _structure.run_tree,
    ),
    Command(
        "tasks",
        "add, list, complete tasks; export them to iCalendar (.ics)",
        _activities.add_tasks_arguments,
        _activities.run_tasks,
    ),
    Command(
        "notes",
        "add and list notes on contacts and accounts",
        _activities.add_notes_arguments,
        _activities.run_notes,
    ),
    Command(
        "undo",
        "undo a batch (an import, a bulk edit, a merge ...)",
        _history.add_undo_arguments,
        _history.run_undo,
    ),
    Command(
        "erase",
        "erase people for good: personal values, history, rejects (cannot be undone)",
        _privacy.add_erase_arguments,
        _privacy.run_erase,
    ),
    Command(
        "history",
        "list batches, or the history of a record / batch",
        _history.add_history_arguments,
        _history.run_history,
    ),
    Command(
        "subject-access",
        "write everything held about one contact as a zip (JSON and HTML)",
        _subject_access.add_subject_access_arguments,
        _subject_access.run_subject_access,
    ),
    Command(
        "demo",
        "load the sample data and show what is in it",
        _demo.add_demo_arguments,
        _demo.run_demo,
    ),
    Command(
        "samples",
        "write the sample files (data/samples)",
        _demo.add_samples_arguments,
        _demo.run_samples,
    ),
)
"""Every subcommand, in the order ``crmkit --help`` lists them."""
