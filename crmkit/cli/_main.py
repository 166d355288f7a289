"""``crmkit``'s entry point: parse, run the subcommand, turn errors into exit codes."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

import crmkit as ck
from crmkit.cli._exit_codes import EXIT_ERROR
from crmkit.cli._output import error_line
from crmkit.cli._parser import build_parser

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Usage errors (and ``--help``) return argparse's code; a crmkit error, an OS error or a
    bad value prints one line, ``crmkit: error: ...`` (then the traceback with
    ``--debug``), and returns 1.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return int(exc.code or 0)
    # --lang speaks for this command only; without it, $CRMKIT_LANG (read by the config).
    settings = {"lang": args.config_lang} if getattr(args, "config_lang", None) else {}
    try:
        with ck.config_context(**settings):
            return int(args.func(args))
    except (ck.CRMKitError, OSError, ValueError) as exc:
        print(f"crmkit: error: {error_line(exc)}", file=sys.stderr)
        if getattr(args, "debug", False):
            traceback.print_exception(exc, file=sys.stderr)
        return EXIT_ERROR
