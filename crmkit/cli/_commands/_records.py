"""``filter``, ``export`` and ``reassign``: act on the records the filter options select."""

from __future__ import annotations

import argparse
from pathlib import Path

import crmkit as ck
from crmkit._util._messages import kind_noun, message
from crmkit.cli._database import open_crm, open_to_read
from crmkit.cli._exit_codes import EXIT_OK
from crmkit.cli._filters import add_filter_options, selection
from crmkit.cli._output import say, warn
from crmkit.schemas import LANGS

__all__ = [
    "add_export_arguments",
    "add_filter_arguments",
    "add_reassign_arguments",
    "run_export",
    "run_filter",
    "run_reassign",
]


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit filter``: the filters, then what to print or write."""
    add_filter_options(parser)
    parser.add_argument("--columns", help="comma-separated columns")
    parser.add_argument("--limit", type=int, default=20, help="rows to print")
    parser.add_argument("--out", help="write to .csv / .xlsx / .parquet instead of printing")
    parser.add_argument(
        "--lang",
        choices=[*LANGS, "names"],  # as Selection.export's lang=
        help="header language (default: the global --lang, else field names); "
        "'names' for field names",
    )


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit export OUT``: the file to write, the filters, then the file's form."""
    parser.add_argument("out", help="file to write; .vcf or .zip writes vCards")
    add_filter_options(parser)
    parser.add_argument("--columns", help="comma-separated columns")
    parser.add_argument(
        "--lang",
        choices=[*LANGS, "names"],  # as Selection.export's lang=
        help="header language (default: the global --lang, else field names); "
        "'names' for field names",
    )
    parser.add_argument("--excel", action="store_true", help="CSV for Excel (BOM, ';' in fr)")
    parser.add_argument("--zip", action="store_true", help="one vCard per contact in a zip")
    parser.add_argument(
        "--vcard-version", choices=["3.0", "4.0"], default="3.0", dest="vcard_version"
    )


def add_reassign_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit reassign --to OWNER``: the new owners, then the filters."""
    parser.add_argument(
        "--to",
        action="append",
        required=True,
        help="new owner; repeat to spread the records round-robin",
    )
    parser.add_argument("--cascade", action="store_true", help="accounts: move their contacts too")
    add_filter_options(parser)


def run_filter(args: argparse.Namespace) -> int:
    """Print the first ``--limit`` matching records, or write them all to ``--out``."""
    with open_to_read(args) as crm:
        sel = selection(crm, args)
        if args.columns:
            sel = sel.columns(*args.columns.split(","))
        if args.out:
            result = sel.export(args.out, lang=args.lang)
            _written(result, args.kind)
            return EXIT_OK
        # The repr of the first rows, counting every matching record.
        say(
            repr(sel.limit(args.limit)).replace(
                f"{min(args.limit, len(sel)):,} records", f"{len(sel):,} records", 1
            )
        )
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    """Write the matching records: vCards for ``.vcf`` / ``.zip``, else a table."""
    with open_to_read(args) as crm:
        sel = selection(crm, args)
        out = Path(args.out)
        if out.suffix.lower() in (".vcf", ".zip"):
            zipped = args.zip or out.suffix.lower() == ".zip"
            _written(sel.export_vcf(out, version=args.vcard_version, zip=zipped), "contacts")
        else:
            columns = args.columns.split(",") if args.columns else None
            result = sel.export(out, columns=columns, lang=args.lang, excel=args.excel)
            _written(result, args.kind)
    return EXIT_OK


def run_reassign(args: argparse.Namespace) -> int:
    """Give the matching records to ``--to`` (round-robin when repeated)."""
    with open_crm(args) as crm:
        sel = selection(crm, args)
        report = sel.reassign(to=args.to if len(args.to) > 1 else args.to[0], cascade=args.cascade)
        say(report)
    return EXIT_OK


def _written(result: ck.ExportResult, what: str) -> None:
    """``N <what> written to <path>``, then the export's warnings on stderr."""
    # "2 contacts written to out.csv", "out.csv : 2 contacts" in French
    counted = f"{result.rows:,} {kind_noun(what, result.rows)}"
    say(message("written_to", what=counted, path=result.path))
    for warning in result.warnings:
        warn(warning)
