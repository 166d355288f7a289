"""What a duplicate report shows, computed as plain data (rendered by :mod:`._html`).

:func:`summarize` picks the numbers of the header and, for the most probable pairs, their
explanation field by field; it formats nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

__all__ = [
    "TOP_PAIRS",
    "FieldSummary",
    "PairSummary",
    "ReportSummary",
    "clustering_sentence",
    "summarize",
]

TOP_PAIRS = 10
"""Pairs shown in a report's display, the most probable first."""


@dataclass(frozen=True)
class FieldSummary:
    """One compared field of a pair: the values as written, the level and the bits."""

    field: Any
    value_a: Any
    value_b: Any
    level: Any
    weight: float


@dataclass(frozen=True)
class PairSummary:
    """One pair: its probability, ids and explanation, and its fields when known."""

    probability: float
    id_a: Any
    id_b: Any
    explanation: Any
    fields: list[FieldSummary] | None


@dataclass(frozen=True)
class ReportSummary:
    """The header of a report and its most probable pairs."""

    engine: str
    records: int
    candidate_pairs: int
    matches: int
    threshold: float
    clusters: int
    clustered_records: int
    seconds: float
    pairs: list[PairSummary]
    more_pairs: int
    notes: str = ""  # job changes and what clustering vetoed, in a sentence


def summarize(
    pairs: pd.DataFrame,
    clusters: Sequence[Sequence[Any]],
    threshold: float,
    engine: str,
    stats: dict[str, Any],
    explain: Callable[[Any, Any], pd.DataFrame] | None,
    top: int = TOP_PAIRS,
) -> ReportSummary:
    """The summary of a report's parts; ``explain(id_a, id_b)`` gives a pair's fields.

    Examples
    --------
    >>> pairs = pd.DataFrame({"id_a": [1], "id_b": [2], "probability": [0.99],
    ...                       "explanation": ["email exact (+9.0)"]})
    >>> summary = summarize(pairs, [[1, 2]], 0.9, "crmkit", {"records": 2}, None)
    >>> summary.records, summary.clusters, summary.pairs[0].id_b, summary.more_pairs
    (2, 1, 2, 0)
    """
    shown = []
    for row in pairs.head(top).itertuples(index=False):
        fields = None
        if explain is not None:
            table_ = explain(row.id_a, row.id_b)
            table_ = table_[table_["field"] != "(prior)"]
            fields = [
                FieldSummary(r.field, r.value_a, r.value_b, r.level, cast(float, r.weight))
                for r in table_.itertuples(index=False)
            ]
        probability = cast(float, row.probability)  # numpy.float64, a float
        shown.append(PairSummary(probability, row.id_a, row.id_b, row.explanation, fields))
    return ReportSummary(
        engine=engine,
        records=stats.get("records", 0),
        candidate_pairs=stats.get("candidate_pairs", 0),
        matches=stats.get("matches", 0),
        threshold=threshold,
        clusters=len(clusters),
        clustered_records=stats.get("clustered_records", 0),
        seconds=stats.get("seconds", 0.0),
        pairs=shown,
        more_pairs=max(len(pairs) - top, 0),
        notes=_notes(stats, threshold),
    )


def _notes(stats: dict[str, Any], threshold: float) -> str:
    parts = []
    if stats.get("identity") == "person":
        changes = stats.get("job_changes", 0)
        parts.append(f"identity 'person': {changes} job change{'' if changes == 1 else 's'}")
    sentence = clustering_sentence(stats, threshold)
    if sentence:
        parts.append(sentence)
    return "; ".join(parts) + "." if parts else ""


def clustering_sentence(stats: dict[str, Any], threshold: float) -> str:
    """What clustering vetoed and joined, in words (empty when it did neither).

    Examples
    --------
    >>> print(clustering_sentence({"vetoed_links": 2, "strong_joins": 1}, 0.9))
    ... # doctest: +NORMALIZE_WHITESPACE
    clustering kept 2 links >= 0.9 apart (low average across their groups) and joined 1
    pair of groups on a very strong link
    """
    vetoed, joined = stats.get("vetoed_links", 0), stats.get("strong_joins", 0)
    parts = []
    if vetoed:
        parts.append(
            f"kept {vetoed} link{'' if vetoed == 1 else 's'} >= {threshold:g} apart "
            "(low average across their groups)"
        )
    if joined:
        parts.append(
            f"joined {joined} pair{'' if joined == 1 else 's'} of groups on a very strong link"
        )
    return "clustering " + " and ".join(parts) if parts else ""
