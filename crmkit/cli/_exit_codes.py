"""The exit codes of the ``crmkit`` command, which scripts rely on."""

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_REJECTED", "EXIT_USAGE"]

EXIT_OK = 0
"""Success."""
EXIT_ERROR = 1
"""An error (bad input, unknown owner, undo conflict, unreadable file ...)."""
EXIT_USAGE = 2
"""Wrong usage: an unknown subcommand or option (argparse's own code)."""
EXIT_REJECTED = 3
"""Success with rejected rows: an import or a validation found rows it could not store."""
