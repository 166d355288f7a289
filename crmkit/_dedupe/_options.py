"""The options of one duplicate search, their defaults, and their checks.

:class:`Options` holds what :func:`crmkit.find_duplicates` and
:meth:`crmkit.DedupeIndex.build` pass down to building the table, blocking and training
(the crmkit and the Splink engine alike).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from crmkit._dedupe._comparisons import Comparison
from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._util._suggest import closest

__all__ = [
    "DEFAULT_MIN_PROBABILITY",
    "DEFAULT_THRESHOLD",
    "ENGINES",
    "SMALL_TABLE",
    "Engine",
    "Options",
    "check_engine",
    "check_probability",
]

Engine = Literal["crmkit", "splink", "splink-spark"]
ENGINES = ("crmkit", "splink", "splink-spark")

DEFAULT_THRESHOLD = 0.9
"""Match probability at or above which two records are the same entity."""
DEFAULT_MIN_PROBABILITY = 0.5
"""Pairs less probable than this are left out of a report's pairs."""
SMALL_TABLE = 2
"""Below this many records there is nothing to compare, nor to learn from."""


@dataclass
class Options:
    """How to read, block and train on the records (see :func:`crmkit.find_duplicates`)."""

    kind: str
    fields: Sequence[str | Comparison] | None
    id_column: str
    phone_region: str
    max_block_size: int
    window: int
    seed: int
    tf_adjust: bool = True
    identity: str = "person"


def check_probability(name: str, value: float) -> None:
    """Refuse a ``value`` that is not a number between 0 and 1.

    Examples
    --------
    >>> check_probability("threshold", 1.5)
    Traceback (most recent call last):
    ...
    crmkit._exceptions.ValidationError: threshold must be a probability between 0 and 1, got 1.5
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ValidationError(f"{name} must be a probability between 0 and 1, got {value!r}")


def check_engine(engine: str) -> None:
    """Refuse an engine other than ``"crmkit"``, ``"splink"`` and ``"splink-spark"``,
    suggesting the closest."""
    if engine not in ENGINES:
        raise UnknownValueError("engine", engine, ENGINES, closest(str(engine), ENGINES))
