"""``import``, ``validate`` and ``preview``: a file of contacts or accounts.

Each builds one :class:`~crmkit._importing._options.ImportOptions` from its flags
(:mod:`crmkit.cli._import_flags`) and passes it to ``crm.import_file`` or
``crm.preview_import``. ``validate`` is an import with ``dry_run=True``.
"""

from __future__ import annotations

import argparse
from typing import Any

from crmkit.cli._database import open_crm, open_to_read
from crmkit.cli._exit_codes import EXIT_OK, EXIT_REJECTED
from crmkit.cli._import_flags import add_import_flags, import_options
from crmkit.cli._output import say, table

__all__ = [
    "add_import_arguments",
    "add_preview_arguments",
    "add_validate_arguments",
    "run_import",
    "run_preview",
    "run_validate",
]

# The flags every file command takes: what to import and how the file is laid out.
_FILE_FLAGS = (
    "--kind",
    "--profile",
    "--map",
    "--encoding",
    "--delimiter",
    "--sheet",
    "--header-row",
)
# What an import does with the rows (``validate`` takes these but --mode, --match-on and
# --dry-run: it is always a dry-run upsert).
_RULE_FLAGS = ("--create-accounts", "--create-owners", "--month-first", "--region")


def _add_file(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="CSV, XLSX or vCard file")
    add_import_flags(parser, *_FILE_FLAGS)


def _add_rejects_and_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rejects", help="write rejected rows to this CSV")
    add_import_flags(parser, "--quiet")


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit import FILE``: the file flags, then what the import does."""
    _add_file(parser)
    add_import_flags(parser, "--mode", "--match-on", "--dry-run", *_RULE_FLAGS)
    _add_rejects_and_quiet(parser)


def add_validate_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit validate FILE``: as ``import``, without --mode, --match-on, --dry-run."""
    _add_file(parser)
    add_import_flags(parser, *_RULE_FLAGS)
    _add_rejects_and_quiet(parser)


def add_preview_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit preview FILE``: the file flags, the rows to check and problems to list."""
    _add_file(parser)
    parser.add_argument("--rows", type=int, default=1000, help="rows to check")
    parser.add_argument("--show", type=int, default=30, help="problems to list")


def run_import(args: argparse.Namespace) -> int:
    """Import the file; exit 3 when rows were rejected (written to ``--rejects``)."""
    return _import(args)


def run_validate(args: argparse.Namespace) -> int:
    """Check the file as an upsert would, writing nothing; exit 3 when rows were rejected."""
    return _import(args, dry_run=True)


def _import(args: argparse.Namespace, **fixed: Any) -> int:
    with open_crm(args) as crm:
        options = import_options(args, **fixed)
        report = crm.import_file(*_file_and_kind(args), options=options)
        say(report)
        if args.rejects and report.n_rejected:
            report.rejected.to_csv(args.rejects, index=False)
            say(f"rejected rows written to {args.rejects}")
    return EXIT_REJECTED if report.n_rejected else EXIT_OK


def _file_and_kind(args: argparse.Namespace) -> tuple[Any, ...]:
    """The file, and the kind when --kind is given: a profile (--profile, or recalled by
    the headers) of another kind is then refused, not switched to."""
    return (args.file, args.kind) if args.kind else (args.file,)


def run_preview(args: argparse.Namespace) -> int:
    """Print the proposed mapping and the problems of the first ``--rows`` rows."""
    with open_to_read(args) as crm:
        options = import_options(args)
        preview = crm.preview_import(*_file_and_kind(args), options=options, rows=args.rows)
        say(preview)
        if not preview.problems.empty:
            say("\nProblems:")
            say(table(preview.problems.head(args.show), max_colwidth=60))
    return EXIT_OK
