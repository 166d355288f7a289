"""Revenue bands (the "tranche de CA") and headcount bands.

A band set is a list of ascending lower bounds. Bands are never stored: the database views
compute them from the stored numbers (or, when a source gave only a range, from the middle
of that range), so changing the edges re-bands every record at once.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from crmkit._exceptions import UnknownValueError, ValidationError

__all__ = [
    "DEFAULT_HEADCOUNT_EDGES",
    "DEFAULT_REVENUE_EDGES",
    "Bands",
    "format_amount",
]

DEFAULT_REVENUE_EDGES: tuple[float, ...] = (0, 1e6, 1e7, 5e7, 2.5e8, 1e9)
DEFAULT_HEADCOUNT_EDGES: tuple[float, ...] = (1, 11, 51, 201, 501, 1001, 5001)

_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def format_amount(value: float) -> str:
    """Short form of an amount: ``1500000 -> '1.5M'``.

    Examples
    --------
    >>> format_amount(250_000_000)
    '250M'
    >>> format_amount(0)
    '0'
    """
    for scale, suffix in _SUFFIXES:
        if abs(value) >= scale:
            short = value / scale
            text = f"{short:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{value:g}"


def _edge(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(value)
    return float(value)


def _short(value: object) -> str:
    from crmkit._util._shorten import shorten

    return shorten(value)


@dataclass(frozen=True)
class Bands:
    """An ordered set of bands defined by ascending lower bounds.

    Parameters
    ----------
    kind
        ``"revenue"`` (amounts, labels like ``1M-10M``) or ``"headcount"`` (whole numbers,
        labels like ``51-200``).
    edges
        Ascending lower bounds. A value below the first edge falls in the first band; the
        last band is open (``5001+``).

    Examples
    --------
    >>> b = Bands("headcount", DEFAULT_HEADCOUNT_EDGES)
    >>> b.labels
    ('1-10', '11-50', '51-200', '201-500', '501-1000', '1001-5000', '5001+')
    >>> b.band_of(85)
    '51-200'
    >>> Bands("revenue", DEFAULT_REVENUE_EDGES).band_of(4_200_000)
    '1M-10M'
    """

    kind: str
    edges: tuple[float, ...]

    def __post_init__(self) -> None:
        raw = self.edges
        if isinstance(raw, str | bytes) or not hasattr(raw, "__iter__"):
            raise ValidationError(
                f"{self.kind} band edges are a list of numbers, got {_short(raw)}"
            )
        try:
            edges = tuple(_edge(e) for e in raw)
        except (TypeError, ValueError, OverflowError):
            raise ValidationError(
                f"{self.kind} band edges are a list of numbers, got {_short(list(raw))}"
            ) from None
        if not edges:
            raise ValidationError(f"{self.kind} bands need at least one edge")
        if any(not math.isfinite(e) or e < 0 for e in edges):
            raise ValidationError(f"{self.kind} band edges must be finite and >= 0: {edges}")
        if any(b <= a for a, b in pairwise(edges)):
            raise ValidationError(f"{self.kind} band edges must be strictly ascending: {edges}")
        object.__setattr__(self, "edges", edges)

    def _fmt(self, value: float) -> str:
        if self.kind == "revenue":
            return format_amount(value)
        return f"{int(value)}"

    @property
    def labels(self) -> tuple[str, ...]:
        """One label per band, in order."""
        out = []
        for i, lo in enumerate(self.edges):
            if i + 1 == len(self.edges):
                out.append(f"{self._fmt(lo)}+")
            elif self.kind == "revenue":
                out.append(f"{self._fmt(lo)}-{self._fmt(self.edges[i + 1])}")
            else:
                out.append(f"{self._fmt(lo)}-{self._fmt(self.edges[i + 1] - 1)}")
        return tuple(out)

    def band_of(self, value: float | None) -> str | None:
        """The label of the band holding ``value`` (``None`` for a missing value)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        labels = self.labels
        for i in range(len(self.edges) - 1, -1, -1):
            if value >= self.edges[i]:
                return labels[i]
        return labels[0]

    def range_of(self, label: str) -> tuple[float, float | None]:
        """``(low, high)`` of a band; ``high`` is exclusive and ``None`` for the last."""
        index = self.index(label)
        high = self.edges[index + 1] if index + 1 < len(self.edges) else None
        return self.edges[index], high

    def index(self, label: str) -> int:
        """Position of ``label``; raises :class:`UnknownValueError` listing valid labels."""
        wanted = re.sub(r"\s+", "", str(label)).upper()
        for i, known in enumerate(self.labels):
            if known.upper() == wanted:
                return i
        from crmkit._util._suggest import closest

        raise UnknownValueError(
            f"{self.kind} band", label, self.labels, closest(str(label), self.labels)
        )

    def sql_case(self, expr: str) -> str:
        """A SQL ``CASE`` expression computing the band label of ``expr``.

        ``expr`` must be a trusted SQL expression built from catalog names; the edges are
        validated floats and the labels are generated here, so no user text is inlined.
        """
        labels = self.labels
        parts = [f"WHEN {expr} IS NULL THEN NULL"]
        for i in range(len(self.edges) - 1, 0, -1):
            parts.append(f"WHEN {expr} >= {self.edges[i]!r} THEN '{labels[i]}'")
        parts.append(f"ELSE '{labels[0]}'")
        return "CASE " + " ".join(parts) + " END"

    @classmethod
    def from_edges(cls, kind: str, edges: Sequence[float]) -> Bands:
        """Build bands from any sequence of lower bounds."""
        return cls(kind, tuple(edges))
