"""What the command line prints: stored values are data, so nothing is printed raw.

Every line goes through :func:`~crmkit._util._shorten.printable`: a value holding a
terminal escape sequence, a NUL or a bidirectional override shows as an escape
(``\\x1b[2J``) instead of acting. Tables escape their cells before pandas aligns them, and
an error is printed as its first line, cut short.
"""

from __future__ import annotations

import sys
from typing import Any

import pandas as pd

from crmkit._util._shorten import printable

__all__ = ["ERROR_CHARS", "error_line", "say", "table", "warn"]

ERROR_CHARS = 500
"""Characters of an error message printed before it is cut."""


def say(value: Any = "") -> None:
    """Print to stdout with control characters escaped (stored values are data)."""
    print(printable(str(value)))


def warn(message: str) -> None:
    """Print ``crmkit: warning: <message>`` to stderr, escaped."""
    print(f"crmkit: warning: {printable(message)}", file=sys.stderr)


def table(frame: pd.DataFrame, max_colwidth: int) -> str:
    """``frame.to_string`` with text cells escaped first, so the columns stay aligned."""

    def cell(value: Any) -> Any:
        return printable(value) if isinstance(value, str) else value

    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object or pd.api.types.is_string_dtype(shown[column]):
            shown[column] = shown[column].map(cell)
    shown.columns = [printable(str(c)) for c in shown.columns]
    return str(shown.to_string(index=False, max_colwidth=max_colwidth))


def error_line(exc: BaseException) -> str:
    """The first line of an error, printable and cut short: it may quote stored values."""
    lines = [line for line in printable(str(exc)).split("\n") if line.strip()]
    message = lines[0] if lines else type(exc).__name__
    if len(message) > ERROR_CHARS:
        message = f"{message[: ERROR_CHARS - 1]}… ({len(message):,} characters)"
    return message
