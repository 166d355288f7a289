"""How much memory DuckDB may use for a CRM's connection, and where it spills past that.

DuckDB keeps every block it reads in its buffer cache until its ``memory_limit``, 80% of
the machine's memory by default. Reading a whole database (an export, ``iter_batches``)
thus grows the process by the size of the file: 1.0 GB more at 10M contacts, all of it
evictable cache (BENCHMARKS.md, "DuckDB's memory limit"). Below the limit, DuckDB evicts
blocks it can read again and spills joins, sorts and groupings to ``temp_directory``.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from pathlib import Path

from crmkit._exceptions import ValidationError

__all__ = [
    "DEFAULT_MEMORY_LIMIT_BYTES",
    "MEMORY_LIMIT_ENV",
    "default_memory_limit",
    "memory_limit_setting",
    "spill_directory",
]

MEMORY_LIMIT_ENV = "CRMKIT_MEMORY_LIMIT"
"""The environment variable giving the default ``memory_limit`` of :func:`crmkit.open`."""

DEFAULT_MEMORY_LIMIT_BYTES = 1 << 30
"""1 GB: the cap of the default (a quarter of the machine's memory when that is less).

Measured (BENCHMARKS.md, "DuckDB's memory limit"): the import, the reassign and the
queries of 1M contacts run as fast under 1 GB as without a limit, and reading every
record of 10M contacts no longer keeps the 1 GB file in DuckDB's cache."""

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|[KMGT]i?B)?\s*$", re.IGNORECASE)


def _machine_memory() -> int | None:
    """The machine's physical memory in bytes, or ``None`` where the system does not say."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, OSError, ValueError):  # Windows has no sysconf
        return None


def default_memory_limit() -> str:
    """The ``memory_limit`` when neither ``memory_limit=`` nor the environment gives one.

    The smaller of 1 GB and a quarter of the machine's memory, as DuckDB spells it.

    Examples
    --------
    >>> default_memory_limit().endswith("MB")
    True
    """
    limit = DEFAULT_MEMORY_LIMIT_BYTES
    machine = _machine_memory()
    if machine is not None:
        limit = min(limit, machine // 4)
    return f"{limit // 2**20}MB"


def memory_limit_setting(memory_limit: str | int | None) -> str:
    """DuckDB's ``memory_limit`` for a connection: the argument, else the environment
    variable ``CRMKIT_MEMORY_LIMIT``, else :func:`default_memory_limit`.

    A limit is a size such as ``"2GB"``, ``"512MB"``, ``"1.5GiB"`` or a number of bytes;
    anything else raises :class:`~crmkit.ValidationError` naming where it came from.

    Examples
    --------
    >>> memory_limit_setting("2GB")
    '2GB'
    >>> memory_limit_setting(256 * 2**20)
    '268435456B'
    >>> memory_limit_setting("a lot")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crmkit._exceptions.ValidationError: memory_limit: 'a lot' is not a size; give one ...
    """
    source = "memory_limit"
    if memory_limit is None:
        memory_limit = os.environ.get(MEMORY_LIMIT_ENV) or None
        source = f"{MEMORY_LIMIT_ENV} (environment)"
        if memory_limit is None:
            return default_memory_limit()
    if isinstance(memory_limit, bool) or not isinstance(memory_limit, str | int):
        raise ValidationError(
            f"{source}: {memory_limit!r} is not a size; give one such as '2GB', '512MB' or "
            "a number of bytes"
        )
    text = f"{memory_limit}B" if isinstance(memory_limit, int) else memory_limit.strip()
    match = _SIZE.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise ValidationError(
            f"{source}: {memory_limit!r} is not a size; give one such as '2GB', '512MB' or "
            "a number of bytes"
        )
    return text.replace(" ", "")


def spill_directory() -> str:
    """Where an in-memory database spills what does not fit under its limit: a folder of
    its own in the system's temporary folder (DuckDB creates it when it first spills and
    removes it when the connection closes). A file spills next to itself, to DuckDB's
    ``<file>.tmp``.

    Examples
    --------
    >>> import tempfile
    >>> spill_directory().startswith(tempfile.gettempdir())
    True
    """
    return str(Path(tempfile.gettempdir()) / f"crmkit_spill_{os.getpid()}_{uuid.uuid4().hex[:12]}")
