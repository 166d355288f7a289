"""Opening the database a command names (``--db`` or its own ``DB``, ``--user``); its records."""

from __future__ import annotations

import argparse
from pathlib import Path

import crmkit as ck

__all__ = [
    "KINDS",
    "add_database_argument",
    "add_lang_argument",
    "database_path",
    "open_crm",
    "open_to_read",
    "records_of",
]

KINDS: tuple[str, ...] = ("contacts", "accounts")
"""The choices of every ``--kind`` option, the default first."""


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    """A command's optional ``DB``, first: the database file, ``--db`` by default."""
    parser.add_argument(
        "database", nargs="?", metavar="DB", help="the database file (default: --db)"
    )


def add_lang_argument(parser: argparse.ArgumentParser) -> None:
    """A command's own ``--lang``: the global one, written after the command name.

    A ``--lang`` given before the command is kept when the command gives none.
    """
    from crmkit.schemas import LANGS

    parser.add_argument(
        "--lang",
        choices=LANGS,
        dest="config_lang",
        default=argparse.SUPPRESS,
        help="language of the output (as the global --lang)",
    )


def database_path(args: argparse.Namespace) -> str:
    """The command's own ``DB`` if it was given, else ``--db``."""
    return str(getattr(args, "database", None) or args.db)


def open_crm(args: argparse.Namespace, read_only: bool = False, shared: bool = False) -> ck.CRM:
    """The CRM of ``--db``, working as ``--user``; shared with ``--shared`` (or ``shared``)."""
    shared = shared or bool(getattr(args, "shared", False))
    timeout = float(getattr(args, "timeout", 10.0))
    return ck.open(
        database_path(args),
        user=args.user,
        read_only=read_only,
        shared=shared,
        timeout=timeout,
    )


def open_to_read(args: argparse.Namespace) -> ck.CRM:
    """The CRM of ``--db`` for a command that writes nothing to it.

    Read-only and shared when the file exists: other processes may read it at the same
    time, and a notebook that opened it with ``shared=True`` keeps working (the command
    waits for its operations, up to ``--timeout``).
    """
    exists = Path(database_path(args)).exists()
    return open_crm(args, read_only=exists, shared=exists)


def records_of(crm: ck.CRM, kind: str) -> ck.Contacts | ck.Accounts:
    """``crm.contacts`` or ``crm.accounts``, for a ``--kind`` value."""
    return crm.contacts if kind == "contacts" else crm.accounts
