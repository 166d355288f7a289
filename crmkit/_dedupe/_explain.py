"""Explanations: why a pair scored what it did, field by field (computed, not rendered).

:func:`explanation_texts` writes the one-line reason of each pair of a report
(``"email exact (+16.9), last_name close 0.96 (+6.3), phone different (-4.8)"``);
:func:`explain_pair` lays out one pair as a table: the values as written and normalised,
the level, the similarity, ``m``, ``u`` and the bits of each comparison.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmkit._dedupe._arrays import BoolArray, FloatArray, LevelArray, SimilarityArray
from crmkit._dedupe._compare import compare
from crmkit._dedupe._comparisons import LEVELS, Comparison
from crmkit._dedupe._features import FeatureTable
from crmkit._dedupe._frames import Source
from crmkit._dedupe._model import MatchModel
from crmkit._dedupe._tf import TermAdjustments, tf_adjustments

__all__ = ["explain_pair", "explanation_texts"]


def _fuzzy(method: str, level: str) -> bool:
    return level not in ("exact", "different", "nickname", "initial", "same_local") and (
        method not in ("exact", "domain")
    )


def explanation_texts(
    comparisons: Sequence[Comparison],
    levels: LevelArray,
    similarity: SimilarityArray,
    swapped: BoolArray,
    contributions: FloatArray,
    adjustments: TermAdjustments | None = None,
) -> list[str]:
    """One text per pair: each non-null comparison, its level and its bits, strongest first.

    With ``adjustments``, a term-frequency adjustment is a part of its own: ``rare
    last_name (+2.3)``, ``common phone, shared by 14 records (-6.1)``.

    Examples
    --------
    >>> comps = [Comparison("email", "email"), Comparison("last_name", "last_name")]
    >>> explanation_texts(comps, np.asarray([[0, 1]], dtype=np.int8),
    ...                   np.asarray([[1.0, 0.93]], dtype=np.float32), np.asarray([False]),
    ...                   np.asarray([[9.1, 4.2]]))
    ['email exact (+9.1), last_name close 0.93 (+4.2)']
    """
    names = [c.name for c in comparisons]
    labels = [LEVELS[c.method] for c in comparisons]
    fuzzy = [[_fuzzy(c.method, lv) for lv in LEVELS[c.method]] for c in comparisons]
    swap_names = {c.name for c in comparisons if c.method in ("first_name", "last_name")}
    out = []
    if adjustments is None:
        tf_bits: list[list[float]] = [[]] * len(levels)
        tf_counts: list[list[int]] = [[]] * len(levels)
    else:
        tf_bits, tf_counts = adjustments.bits.tolist(), adjustments.counts.tolist()
    for row_levels, row_sims, row_swap, row_parts, row_bits, row_counts in zip(
        levels.tolist(),
        similarity.tolist(),
        swapped.tolist(),
        contributions.tolist(),
        tf_bits,
        tf_counts,
        strict=True,
    ):
        parts = []
        for k, level in enumerate(row_levels):
            if level < 0:
                continue
            text = f"{names[k]} {labels[k][level]}"
            if fuzzy[k][level] and row_sims[k] == row_sims[k]:
                text += f" {row_sims[k]:.2f}"
            if row_swap and names[k] in swap_names:
                text += " (swapped)"
            parts.append((row_parts[k], f"{text} ({row_parts[k]:+.1f})"))
        for k, bits in enumerate(row_bits):
            if abs(bits) >= _SHOWN_BITS:
                parts.append((bits, _tf_text(names[k], bits, row_counts[k])))
        parts.sort(key=lambda p: -p[0])
        out.append(", ".join(p[1] for p in parts))
    return out


_SHOWN_BITS = 0.05


def _tf_text(name: str, bits: float, count: int) -> str:
    if bits > 0:
        return f"rare {name} ({bits:+.1f})"
    return f"common {name}, shared by {count} records ({bits:+.1f})"


def explain_pair(
    table_: FeatureTable,
    model: MatchModel,
    source: Source,
    ra: int,
    rb: int,
    tf_adjust: bool = False,
) -> pd.DataFrame:
    """How the records at rows ``ra`` and ``rb`` of ``table_`` compare, field by field.

    One row per comparison: ``field``, ``value_a``, ``value_b`` (as written, from
    ``source``), ``normalized_a``, ``normalized_b``, ``level``, ``similarity``, ``m``, ``u``,
    ``weight`` (bits), then a ``(prior)`` row; ``weight`` sums to the pair's match weight.
    With ``tf_adjust``, ``weight`` includes the term-frequency adjustment of an exact
    agreement, also shown alone in ``term_frequency`` (bits: positive for a rare value,
    negative for a common one), with ``value_count``, the records holding the value.
    ``attrs["names_swapped"]`` is set when the names were compared crosswise.
    """
    pair = compare(table_, np.asarray([ra]), table_, np.asarray([rb]))
    parts = model.contributions(pair.levels)[0]
    adjust = (
        tf_adjustments(model, table_, np.asarray([ra]), table_, np.asarray([rb]), pair.levels)
        if tf_adjust
        else None
    )
    effective = model.effective(pair.levels)[0]
    rows = []
    for k, comparison in enumerate(table_.comparisons):
        values_a = source.values(ra, comparison.columns)
        values_b = source.values(rb, comparison.columns)
        level = int(pair.levels[0, k])
        bits = 0.0 if adjust is None else float(adjust.bits[0, k])
        count = None if adjust is None or bits == 0.0 else int(adjust.counts[0, k])
        vocab = table_.vocab(comparison)
        norm_a = table_.primary(comparison.name)[ra]
        norm_b = table_.primary(comparison.name)[rb]
        rows.append(
            {
                "field": comparison.name,
                "value_a": _joined(values_a.values()),
                "value_b": _joined(values_b.values()),
                "normalized_a": vocab.values[norm_a] if norm_a >= 0 else None,
                "normalized_b": vocab.values[norm_b] if norm_b >= 0 else None,
                "level": comparison.levels[level] if level >= 0 else None,
                "similarity": float(pair.similarity[0, k]),
                "m": float(model.m[k][level]) if level >= 0 else math.nan,
                "u": float(model.u[k][effective[k]]) if level >= 0 else math.nan,
                "weight": float(parts[k]) + bits,
                "term_frequency": bits,
                "value_count": count,
            }
        )
    rows.append(
        {
            "field": "(prior)",
            "weight": model.prior_weight,
            "m": math.nan,
            "u": math.nan,
            "similarity": math.nan,
        }
    )
    out = pd.DataFrame(rows)
    if bool(pair.swapped[0]):
        out.attrs["names_swapped"] = True
    return out


def _joined(values: Iterable[Any]) -> str | None:
    shown = [str(v) for v in values if v is not None and str(v).strip()]
    return " / ".join(shown) if shown else None
