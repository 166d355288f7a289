"""``variants``: spelling variants of a text field, clustered, and replaced if asked."""

from __future__ import annotations

import argparse

import crmkit as ck
from crmkit._normalize._variants import METHODS, PHONETIC_LANGS
from crmkit.cli._database import (
    KINDS,
    add_database_argument,
    add_lang_argument,
    open_crm,
    open_to_read,
    records_of,
)
from crmkit.cli._exit_codes import EXIT_OK
from crmkit.cli._output import say

__all__ = ["add_variants_arguments", "run_variants"]


def add_variants_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit variants [DB] FIELD``: the method, then what to apply."""
    add_database_argument(parser)
    parser.add_argument("field", help="the text field: job_title, city, custom.<key> ...")
    parser.add_argument("--kind", choices=KINDS, default=KINDS[0])
    parser.add_argument("--method", choices=METHODS, default=METHODS[0])
    parser.add_argument("--radius", type=int, default=1, help="levenshtein: most edits apart")
    parser.add_argument("--n", type=int, default=2, help="ngram-fingerprint: n-gram size")
    parser.add_argument(
        "--language",
        choices=PHONETIC_LANGS,
        help="phonetic: the language of the sound keys (default: French with --lang fr)",
    )
    parser.add_argument(
        "--min-count",
        type=int,
        default=1,
        dest="min_count",
        help="leave out clusters holding fewer records",
    )
    parser.add_argument(
        "--apply",
        type=_clusters,
        help="replace the variants of 'all' clusters, or of some (1,3,5), by the proposed "
        "value, in one batch `crmkit undo` takes back",
    )
    parser.add_argument(
        "--dry-run", action="store_true", dest="dry_run", help="with --apply: write nothing"
    )
    parser.add_argument("--show", type=int, default=50, help="rows to print")
    add_lang_argument(parser)


def _clusters(text: str) -> str | list[int]:
    """``--apply``: ``all`` or cluster numbers separated by commas."""
    if text.strip().lower() == "all":
        return "all"
    try:
        numbers = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        numbers = []
    if not numbers:
        raise argparse.ArgumentTypeError(f"expected 'all' or cluster numbers (1,3,5), got {text!r}")
    return numbers


def run_variants(args: argparse.Namespace) -> int:
    """Print the clusters; with ``--apply``, replace the chosen ones and print the batch."""
    applying = args.apply is not None
    opener = open_crm if applying and not args.dry_run else open_to_read
    with opener(args) as crm, ck.config_context(display_rows=max(1, args.show)):
        found = records_of(crm, args.kind).variants(
            args.field,
            method=args.method,
            min_count=args.min_count,
            n=args.n,
            radius=args.radius,
            language=args.language,
        )
        say(found)
        if applying and len(found):
            chosen = None if args.apply == "all" else args.apply
            say(found.replace(chosen, dry_run=args.dry_run))
    return EXIT_OK
