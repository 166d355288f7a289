"""``subject-access``: everything held about one contact, written as a zip."""

from __future__ import annotations

import argparse

from crmkit.cli._database import open_to_read
from crmkit.cli._exit_codes import EXIT_OK
from crmkit.cli._output import say

__all__ = ["add_subject_access_arguments", "run_subject_access"]


def add_subject_access_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit subject-access ID OUT.zip``."""
    parser.add_argument("id", type=int, help="the contact's id")
    parser.add_argument("out", help="the zip to write (JSON files and index.html)")


def run_subject_access(args: argparse.Namespace) -> int:
    """Write the bundle (``crm.contacts.subject_access``) and print what it holds."""
    with open_to_read(args) as crm:
        report = crm.contacts.subject_access(args.id, args.out)
        say(repr(report))  # in the language of --lang / $CRMKIT_LANG
    return EXIT_OK
