"""Term-frequency adjustments: an exact agreement on a common value counts less (and on a
rare value more, up to :data:`MAX_BONUS` bits: none by default, see there).

A comparison's ``u`` at its ``exact`` level is an average over values: the chance that
two different records share *a* surname. Two records sharing "Panescu" are more telling
than two sharing "Martin", and a switchboard shared by 14 records says little. As in
Fellegi-Sunter with frequency-based weights (and Splink), a pair agreeing exactly on value
``v`` gets, on top of the level's weight, the adjustment::

    min(log2(u_exact / tf(v)), MAX_BONUS),
    tf(v) = min((count(v) + K * u_exact) / (n + K), u_cap)

where ``count(v)`` is the number of *other* records with the value (besides the two
compared: a value only the pair holds is as rare as can be) and ``n`` the number of
records with a value in that comparison. ``K`` pseudo-records (:data:`PSEUDO_RECORDS`)
shrink the share towards the level's average in small tables, where a count says little.
The share is bounded above by the cap that training puts on ``u`` (``_U_CAP``: a value
shared by every record is still some evidence, so a thousand identical records stay one
cluster), the adjustment is at most :data:`MAX_BONUS` bits (0: only common values are
adjusted, which is what the benchmarks favour), and it never makes an exact
agreement count against (the adjusted weight stays >= 0). Where the level is weighed
given another comparison (the same phone *given* the same company), a rare value is no
extra evidence (colleagues share even rare values); only a common one lowers the weight.

Counts come from the codes of the feature table (``np.bincount`` over the per-column
vocabulary codes: the values are already encoded in memory, so no second pass through
DuckDB is needed), and follow the table as records are added to an index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crmkit._dedupe._arrays import CodeArray, FloatArray, IntArray, LevelArray
from crmkit._dedupe._features import FeatureTable
from crmkit._dedupe._model import MatchModel
from crmkit._dedupe._training import _U_CAP

__all__ = [
    "MAX_BONUS",
    "PSEUDO_RECORDS",
    "TF_METHODS",
    "TermAdjustments",
    "counts_of",
    "score_pairs",
    "tf_adjustments",
]


TF_METHODS = frozenset(
    {"first_name", "last_name", "company", "city", "phone", "email", "text", "street"}
)
"""Methods whose exact level is adjusted by the frequency of the value."""
PSEUDO_RECORDS = 100.0
"""Weight (in records) of the level's average ``u`` against the counts of a table."""
MAX_BONUS = 0.0
"""At most this many bits are added for a rare value.

0: only common values are adjusted (down). On the benchmarks (benchmarks/dedupe_bench.py)
a bonus for rare values never helped and cost precision on generated contacts (F1 0.9816
without adjustments, 0.9830 with penalties only, 0.9823 with a bonus of up to 1 bit,
0.9756 up to 6 bits at 200 000 contacts), while penalties alone raised the real
restaurants' F1 from 0.9185 to 0.9264 and changed no other data set."""


@dataclass
class TermAdjustments:
    """Per pair and comparison: the bits added (``bits``) and the value's record count."""

    bits: npt.NDArray[np.float32]
    counts: npt.NDArray[np.int32]


def counts_of(table_: FeatureTable, name: str) -> tuple[IntArray, int]:
    """Records holding each code of a comparison, and records with any value.

    Cached on the table (a table is never changed in place: ``extend`` makes a new one).
    """
    cache = table_.tf_cache
    if name not in cache:
        codes = table_.codes[name]
        valid = codes >= 0
        if codes.shape[1] > 1:  # a record with the same value twice counts once
            for k in range(1, codes.shape[1]):
                for j in range(k):
                    valid[:, k] &= codes[:, k] != codes[:, j]
        flat = codes[valid]
        size = int(flat.max()) + 1 if len(flat) else 0
        cache[name] = (
            np.bincount(flat, minlength=size).astype(np.int64),
            int(valid.any(axis=1).sum()),
        )
    return cache[name]


def _shared_counts(a_codes: CodeArray, b_codes: CodeArray, counts: IntArray) -> IntArray:
    """Per pair, the count of the value both sides hold (the most common one if several);
    where no code is equal (phones equal on their tail), the more common of the two."""

    def count(codes: CodeArray) -> IntArray:
        inside = (codes >= 0) & (codes < len(counts))
        return np.where(inside, counts[np.clip(codes, 0, max(len(counts) - 1, 0))], 0)

    best = np.zeros(len(a_codes), dtype=np.int64)
    for i in range(a_codes.shape[1]):
        ai = a_codes[:, i]
        for j in range(b_codes.shape[1]):
            equal = (ai >= 0) & (ai == b_codes[:, j])
            best = np.where(equal, np.maximum(best, count(ai)), best)
    fallback = np.maximum(count(a_codes).max(axis=1), count(b_codes).max(axis=1))
    return np.where(best > 0, best, fallback)


def tf_adjustments(
    model: MatchModel,
    left: FeatureTable,
    ia: IntArray,
    right: FeatureTable,
    ib: IntArray,
    levels: LevelArray,
) -> TermAdjustments:
    """The term-frequency adjustment of the pairs ``(left[ia[k]], right[ib[k]])``.

    Counts are those of ``right`` (the records searched; ``left`` is the same table, or
    one typed record looked up in an index).
    """
    n_pairs, n_comparisons = levels.shape
    bits = np.zeros((n_pairs, n_comparisons), dtype=np.float32)
    shown = np.zeros((n_pairs, n_comparisons), dtype=np.int32)
    if n_pairs == 0:
        return TermAdjustments(bits, shown)
    effective = model.effective(levels)
    for k, comparison in enumerate(model.comparisons):
        if comparison.method not in TF_METHODS:
            continue
        rows = np.flatnonzero(levels[:, k] == 0)
        if len(rows) == 0:
            continue
        counts, n = counts_of(right, comparison.name)
        if n == 0 or len(counts) == 0:
            continue
        u_exact = float(model.u[k][0])
        found = _shared_counts(
            left.codes[comparison.name][ia[rows]], right.codes[comparison.name][ib[rows]], counts
        )
        held = 2 if left is right else 1  # the pair's own records that hold the value
        others = np.maximum(found - held, 0)
        share = (others + PSEUDO_RECORDS * u_exact) / (n + PSEUDO_RECORDS)
        share = np.minimum(share, max(_U_CAP[comparison.method], u_exact))
        adjust = np.minimum(np.log2(u_exact / share), MAX_BONUS)
        level_weight = model.weights[k][effective[rows, k]]
        adjust = np.maximum(adjust, -np.maximum(level_weight, 0.0))
        given = effective[rows, k] >= len(comparison.levels)
        adjust = np.where(given, np.minimum(adjust, 0.0), adjust)
        bits[rows, k] = adjust
        shown[rows, k] = found
    return TermAdjustments(bits, shown)


def score_pairs(
    model: MatchModel,
    left: FeatureTable,
    ia: IntArray,
    right: FeatureTable,
    ib: IntArray,
    levels: LevelArray,
    tf_adjust: bool,
) -> tuple[tuple[FloatArray, FloatArray, FloatArray], TermAdjustments | None]:
    """:meth:`MatchModel.score` of the pairs, with their term-frequency adjustments when
    ``tf_adjust`` (returned too, for the explanations)."""
    if not tf_adjust:
        return model.score(levels), None
    adjustments = tf_adjustments(model, left, ia, right, ib, levels)
    return model.score(levels, adjustments.bits), adjustments
