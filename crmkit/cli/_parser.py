"""The argument parser of ``crmkit``: the global options, then one subparser per command."""

from __future__ import annotations

import argparse
import os

from crmkit.cli._commands import COMMANDS
from crmkit.schemas import LANGS

__all__ = ["build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``crmkit`` command.

    Each subcommand's namespace holds ``func``, the function that runs it.
    """
    parser = argparse.ArgumentParser(
        prog="crmkit",
        description="CRM accounts and contacts in DuckDB: import, clean, filter, reassign, "
        "export, undo.",
        epilog="Exit codes: 0 ok, 1 error, 2 usage, 3 done with rejected rows.",
    )
    _add_global_options(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        description = command.help if command.described else None
        cmd = sub.add_parser(command.name, help=command.help, description=description)
        command.add_arguments(cmd)
        cmd.set_defaults(func=command.run)
    return parser


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    """``--db`` and ``--user``, defaulting to ``$CRMKIT_DB`` and ``$CRMKIT_USER``,
    ``--lang`` (``$CRMKIT_LANG``, read by :func:`crmkit.get_config`), ``--debug``, and
    ``--shared`` / ``--timeout`` (see :func:`crmkit.open`)."""
    parser.add_argument(
        "--db",
        default=os.environ.get("CRMKIT_DB", "crm.duckdb"),
        help="DuckDB file (default: $CRMKIT_DB or crm.duckdb)",
    )
    parser.add_argument(
        "--user",
        default=os.environ.get("CRMKIT_USER"),
        help="who is working (history actor, default owner)",
    )
    parser.add_argument(
        "--lang",
        choices=LANGS,
        dest="config_lang",  # not "lang": a command's own --lang (export headers) would mask it
        help="language of reports, messages and export headers (default: $CRMKIT_LANG; "
        "headers stay field names until a language is chosen)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="on an error, print the whole traceback after the one-line message",
    )
    parser.add_argument(
        "--shared",
        action="store_true",
        default=os.environ.get("CRMKIT_SHARED", "") not in ("", "0"),
        help="take the file only while each operation runs, waiting for notebooks that "
        "opened it with shared=True (default: $CRMKIT_SHARED; commands that only read "
        "always do)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long a shared command waits for a busy file (default 10)",
    )
