"""The ``pairs`` DataFrame of a report: one row per scored pair, most probable first.

Columns: ``id_a``, ``id_b``, ``probability``, ``match_weight`` (bits), one categorical
column per comparison with its agreement level (missing when a value is null),
``names_swapped`` (when first names are compared) and ``explanation``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmkit._dedupe._arrays import FloatArray, IntArray
from crmkit._dedupe._blocking import Candidates
from crmkit._dedupe._compare import PairLevels
from crmkit._dedupe._comparisons import Comparison
from crmkit._dedupe._explain import explanation_texts
from crmkit._dedupe._features import FeatureTable
from crmkit._dedupe._tf import TermAdjustments

__all__ = ["as_ids", "empty_pairs", "listed_rows", "pairs_frame"]


def pairs_frame(
    table_: FeatureTable,
    candidates: Candidates,
    levels: PairLevels,
    scores: tuple[FloatArray, FloatArray, FloatArray],
    min_probability: float,
    adjustments: TermAdjustments | None = None,
) -> pd.DataFrame:
    """The candidate pairs with ``probability >= min_probability``, most probable first.

    ``levels`` and ``scores`` (match weights, probabilities, contributions) are those of
    the candidates, in their order; ``adjustments`` their term-frequency adjustments.
    """
    weight, probability, parts = scores
    keep = listed_rows(probability, min_probability)
    ids = np.asarray([*table_.ids, None], dtype=object)[:-1]
    data: dict[str, Any] = {
        "id_a": ids[candidates.a[keep]],
        "id_b": ids[candidates.b[keep]],
        "probability": probability[keep],
        "match_weight": weight[keep],
    }
    for k, comparison in enumerate(table_.comparisons):
        codes = levels.levels[keep, k]
        data[comparison.name] = pd.Categorical.from_codes(
            codes.astype(np.int64), categories=pd.Index(list(comparison.levels))
        )
    if any(c.method == "first_name" for c in table_.comparisons):
        data["names_swapped"] = levels.swapped[keep]
    data["explanation"] = explanation_texts(
        table_.comparisons,
        levels.levels[keep],
        levels.similarity[keep],
        levels.swapped[keep],
        parts[keep],
        None
        if adjustments is None
        else TermAdjustments(adjustments.bits[keep], adjustments.counts[keep]),
    )
    frame = pd.DataFrame(data)
    frame["id_a"] = as_ids(frame["id_a"], table_.ids)
    frame["id_b"] = as_ids(frame["id_b"], table_.ids)
    return frame


def listed_rows(probability: FloatArray, min_probability: float) -> IntArray:
    """Candidates listed in the pairs, in their order: ``probability >= min_probability``,
    most probable first.

    Examples
    --------
    >>> listed_rows(np.asarray([0.2, 0.9, 0.6]), 0.5).tolist()
    [1, 2]
    """
    keep = np.flatnonzero(probability >= min_probability)
    return keep[np.argsort(-probability[keep], kind="stable")]


def as_ids(column: pd.Series, sample: Sequence[Any]) -> pd.Series:
    """``column`` of ids as int64 when the ids are integers, else as it is.

    An object column of ints would print as objects.
    """
    if sample and all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) for v in sample[:1000]
    ):
        return column.astype("int64")
    return column


def empty_pairs(comparisons: Sequence[Comparison]) -> pd.DataFrame:
    """The pairs DataFrame with no pair, and its columns.

    Examples
    --------
    >>> list(empty_pairs([Comparison("email", "email")]).columns)
    ['id_a', 'id_b', 'probability', 'match_weight', 'email', 'explanation']
    """
    data: dict[str, Any] = {
        "id_a": pd.Series([], dtype=object),
        "id_b": pd.Series([], dtype=object),
        "probability": pd.Series([], dtype="float64"),
        "match_weight": pd.Series([], dtype="float64"),
    }
    for comparison in comparisons:
        data[comparison.name] = pd.Categorical([], categories=list(comparison.levels))
    data["explanation"] = pd.Series([], dtype="str")
    return pd.DataFrame(data)
