"""Opening the database a command names (``--db``, ``--user``), and picking its records."""

from __future__ import annotations

import argparse
from pathlib import Path

import crmkit as ck

__all__ = ["KINDS", "open_crm", "open_to_read", "records_of"]

KINDS: tuple[str, ...] = ("contacts", "accounts")
"""The choices of every ``--kind`` option, the default first."""


def open_crm(args: argparse.Namespace, read_only: bool = False, shared: bool = False) -> ck.CRM:
    """The CRM of ``--db``, working as ``--user``; shared with ``--shared`` (or ``shared``)."""
    shared = shared or bool(getattr(args, "shared", False))
    timeout = float(getattr(args, "timeout", 10.0))
    return ck.open(args.db, user=args.user, read_only=read_only, shared=shared, timeout=timeout)


def open_to_read(args: argparse.Namespace) -> ck.CRM:
    """The CRM of ``--db`` for a command that writes nothing to it.

    Read-only and shared when the file exists: other processes may read it at the same
    time, and a notebook that opened it with ``shared=True`` keeps working (the command
    waits for its operations, up to ``--timeout``).
    """
    exists = Path(args.db).exists()
    return open_crm(args, read_only=exists, shared=exists)


def records_of(crm: ck.CRM, kind: str) -> ck.Contacts | ck.Accounts:
    """``crm.contacts`` or ``crm.accounts``, for a ``--kind`` value."""
    return crm.contacts if kind == "contacts" else crm.accounts
