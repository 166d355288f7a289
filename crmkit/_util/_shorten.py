"""Values cut short for messages: errors, reasons, warnings and HTML reports.

A hostile or broken file can hold a megabyte in one cell; copying it whole into every
message it causes multiplies memory and floods a notebook. Messages show a short,
printable ``repr`` of the value and say how long it was; the raw cells themselves stay
untouched where they are kept (``report.rejected``, ``import_rejects``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["MESSAGE_VALUE_CHARS", "printable", "shorten"]

#: Characters of a value shown in a message before it is cut.
MESSAGE_VALUE_CHARS = 60

# C0 and C1 control characters (but tab and newline), DEL, and the bidirectional
# overrides: a terminal would act on them (escape sequences), a reader be misled.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""``text`` with control characters shown as escapes, so printing it is harmless.

    Examples
    --------
    >>> printable("Dupont\x1b[31m")
    'Dupont\\x1b[31m'
    """
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _english_size(unit: str, count: int) -> str:
    return f"<{count:,} bytes>" if unit == "bytes" else f"{count:,} {unit}"


def shorten(
    value: Any,
    limit: int = MESSAGE_VALUE_CHARS,
    *,
    sizes: Callable[[str, int], str] = _english_size,
) -> str:
    """A short, printable ``repr`` of ``value`` for a message.

    ``sizes(unit, count)`` words the size of a value cut short (``unit`` is
    ``"characters"`` or ``"bytes"``): :func:`crmkit._util._messages.short` passes the
    language in force.

    Examples
    --------
    >>> shorten("Hélène")
    "'Hélène'"
    >>> shorten("x" * 1_000_000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'… (1,000,000 characters)"
    >>> shorten(b"\\x00" * 5000)
    '<5,000 bytes>'
    """
    if isinstance(value, bytes | bytearray | memoryview):
        return sizes("bytes", len(value))
    if isinstance(value, int) and value.bit_length() > 14_000:  # str() refuses 4,300+ digits
        return f"<a whole number of about {int(value.bit_length() * 0.30103):,} digits>"
    if isinstance(value, str) and len(value) > limit:
        head = repr(value[: max(limit - 4, 1)])
        return printable(f"{head}… ({sizes('characters', len(value))})")
    text = repr(value)
    if len(text) > limit:
        text = text[: max(limit - 1, 1)] + "…"
    return printable(text)
