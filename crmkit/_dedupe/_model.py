"""The match model: Fellegi-Sunter weights, and the scores they give pairs of records.

For each comparison, each agreement level ``l`` has two probabilities: ``m[l]``, the share of
true duplicate pairs at that level, and ``u[l]``, the share of pairs of different records
at that level. A pair's *match weight* is ``log2(prior / (1 - prior)) + sum(log2(m / u))``
over its non-null comparisons, and its probability ``1 / (1 + 2 ** -weight)``: every field
contributes a number of bits for or against, which is what the explanations show.

Weights are kept monotone: a weaker agreement never counts more than a stronger one, a
disagreement never counts for, an exact agreement never against.

:func:`crmkit._dedupe._training.fit` learns ``m``, ``u`` and the prior without labels. The
defaults (:data:`DEFAULT_M`, :data:`DEFAULT_U`) are general record-linkage values (a surname
agrees in most duplicate pairs, two random people rarely share an e-mail), not fitted to
one dataset: the model of a table too small to learn from, and what learning starts from.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from crmkit._dedupe._arrays import BoolArray, FloatArray, LevelArray
from crmkit._dedupe._comparisons import Comparison

__all__ = [
    "DEFAULT_M",
    "DEFAULT_U",
    "MatchModel",
    "anchors_of",
    "default_u",
    "effective_levels",
    "given_default",
    "probability_of",
]


# fmt: off
DEFAULT_M: dict[str, tuple[float, ...]] = {
    "first_name": (0.80, 0.04, 0.07, 0.03, 0.06),
    "last_name": (0.86, 0.07, 0.03, 0.04),
    "email": (0.55, 0.05, 0.05, 0.35),
    "phone": (0.65, 0.03, 0.32),
    "company": (0.65, 0.12, 0.08, 0.15),
    "domain": (0.80, 0.20),
    "city": (0.85, 0.05, 0.10),
    "postal_code": (0.85, 0.05, 0.10),
    "date": (0.88, 0.07, 0.05),
    "code": (0.88, 0.07, 0.05),
    "text": (0.65, 0.15, 0.08, 0.12),
    "street": (0.65, 0.15, 0.08, 0.12),
    "exact": (0.90, 0.10),
}
"""Default share of duplicate pairs at each level (strongest first), per method."""
DEFAULT_U: dict[str, tuple[float, ...]] = {
    "first_name": (0.01, 0.002, 0.01, 0.005),
    "last_name": (0.002, 0.003, 0.01),
    "email": (1e-5, 1e-5, 1e-4),
    "phone": (1e-5, 1e-5),
    "company": (0.002, 0.001, 0.003),
    "domain": (0.001,),
    "city": (0.05, 0.005),
    "postal_code": (0.01, 0.01),
    "date": (1e-4, 5e-4),
    "code": (1e-5, 1e-4),
    "text": (1e-4, 1e-3, 5e-3),
    "street": (1e-4, 1e-3, 5e-3),
    "exact": (0.2,),
}
"""Default share of pairs of different records at each level but "different" (the rest)."""
# fmt: on


@dataclass
class MatchModel:
    """A fitted Fellegi-Sunter model.

    Attributes
    ----------
    comparisons
        What is compared, in order.
    m
        Per comparison, the probability of each level among duplicates.
    u
        Per comparison, the probability of each level among different records; for a
        comparison with ``given`` ones, followed by the same probabilities among different
        records that agree on each given comparison, in order.
    prior
        Probability that two records drawn at random are duplicates.
    weights
        Per comparison, the bits each level contributes (``log2(m / u)``, made monotone),
        in the layout of ``u``.
    info
        How the model was fitted: records, candidate pairs, EM sessions and iterations,
        share of duplicates among candidates.
    """

    comparisons: tuple[Comparison, ...]
    m: list[FloatArray]
    u: list[FloatArray]
    prior: float
    weights: list[FloatArray] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.weights:
            self.weights = [
                _weights(m, u, implied=c.method == "exact")
                for c, m, u in zip(self.comparisons, self.m, self.u, strict=True)
            ]

    @property
    def anchors(self) -> list[list[int]]:
        """Per comparison, the indexes of the comparisons it is ``given``."""
        return anchors_of(self.comparisons)

    @property
    def prior_weight(self) -> float:
        """``log2(prior / (1 - prior))``: the match weight of a pair with no evidence."""
        return math.log2(self.prior / (1.0 - self.prior))

    def effective(self, levels: LevelArray) -> LevelArray:
        """Levels in the layout of :attr:`u`: shifted where the given comparison agrees."""
        return effective_levels(self.comparisons, self.anchors, levels)

    def contributions(self, levels: LevelArray) -> FloatArray:
        """``(pairs, comparisons)`` bits contributed by each comparison (0 for nulls)."""
        effective = self.effective(levels)
        out = np.zeros(levels.shape, dtype=np.float64)
        for k, weights in enumerate(self.weights):
            column = effective[:, k]
            present = column >= 0
            out[present, k] = weights[column[present]]
        return out

    def score(
        self, levels: LevelArray, adjustments: npt.NDArray[np.floating[Any]] | None = None
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Match weights, probabilities and per-comparison contributions of pairs.

        ``adjustments`` (``(pairs, comparisons)`` bits, term-frequency adjustments of
        :mod:`crmkit._dedupe._tf`) are added to the weights, not to the contributions.
        """
        parts = self.contributions(levels)
        weight = self.prior_weight + parts.sum(axis=1)
        if adjustments is not None:
            weight = weight + adjustments.sum(axis=1)
        return weight, probability_of(weight), parts

    def table(self) -> Any:
        """The parameters as a pandas DataFrame: comparison, level, given, m, u, weight.

        Examples
        --------
        >>> model = MatchModel.defaults([Comparison("email", "email")], n_records=100)
        >>> model.table()[["comparison", "level"]].head(2).values.tolist()
        [['email', 'exact'], ['email', 'same_local']]
        """

        rows = []
        for comparison, m, u, w in zip(self.comparisons, self.m, self.u, self.weights, strict=True):
            for index, (ui, wi) in enumerate(zip(u, w, strict=True)):
                level = index % len(m)
                given = comparison.given[index // len(m) - 1] if index >= len(m) else None
                rows.append((comparison.name, comparison.levels[level], given, m[level], ui, wi))
        return pd.DataFrame(rows, columns=["comparison", "level", "given", "m", "u", "weight"])

    @classmethod
    def defaults(cls, comparisons: Sequence[Comparison], n_records: int) -> MatchModel:
        """The model of :data:`DEFAULT_M` and :data:`DEFAULT_U`, for ``n_records`` records."""
        m = [np.asarray(DEFAULT_M[c.method], dtype=np.float64) for c in comparisons]
        u = []
        for c, anchors in zip(comparisons, anchors_of(comparisons), strict=True):
            base = default_u(c)
            u.append(np.concatenate([base] + [given_default(c, base)] * len(anchors)))
        prior = _prior(0.1, max(1, n_records), n_records)
        return cls(tuple(comparisons), m, u, prior, info={"fitted": False})


def probability_of(weight: FloatArray) -> FloatArray:
    """Match probability of match weights (bits).

    Examples
    --------
    >>> probability_of(np.asarray([0.0, 10.0])).round(4).tolist()
    [0.5, 0.999]
    """
    return np.asarray(1.0 / (1.0 + np.exp2(-np.clip(weight, -60, 60))), dtype=np.float64)


def _weights(m: FloatArray, u: FloatArray, implied: bool = False) -> FloatArray:
    """``log2(m / u)`` per level and given comparison, made monotone. ``implied``: where a
    given comparison agrees, agreeing here is no evidence (colleagues, or people of one
    city, share a country and a region), only disagreeing is."""
    halves = len(u) // len(m)
    out = [_monotone(np.log2(m / u[h * len(m) : (h + 1) * len(m)])) for h in range(halves)]
    if implied:
        for given in out[1:]:
            given[0] = 0.0
    return np.concatenate(out)


# Without data, how often different records that agree on the given comparison (same
# company, same city) agree here, at the "exact" level: addresses are personal, a
# switchboard is shared by some colleagues, a city by most.
_GIVEN_EXACT = {
    "email": None, "phone": 0.05, "city": 0.5, "postal_code": 0.3, "text": 0.05, "street": 0.05,
}  # fmt: skip


def given_default(comparison: Comparison, u: FloatArray) -> FloatArray:
    """Default ``u`` among different records that agree on a given comparison."""
    exact = _GIVEN_EXACT.get(comparison.method, float(np.sqrt(u[0])))
    if exact is None:
        return u.copy()
    head = u[:-1].copy()
    head[0] = max(head[0], exact)
    return np.asarray([*head, max(1.0 - head.sum(), 0.05)], dtype=np.float64)


def _agrees(column: LevelArray, n_levels: int) -> BoolArray:
    return (column >= 0) & (column < n_levels - 1)


def anchors_of(comparisons: Sequence[Comparison]) -> list[list[int]]:
    """Per comparison, the indexes of the comparisons it is ``given``."""
    names = [c.name for c in comparisons]
    return [[names.index(g) for g in c.given if g in names] for c in comparisons]


def effective_levels(
    comparisons: Sequence[Comparison], anchors: Sequence[Sequence[int]], levels: LevelArray
) -> LevelArray:
    """Levels in the layout of :attr:`MatchModel.u`: a comparison's level is shifted by
    ``(j + 1) * n_levels`` where its ``j``-th given comparison is the first that agrees."""
    out = levels.copy()
    for k, given in enumerate(anchors):
        n_levels = len(comparisons[k].levels)
        pending = levels[:, k] >= 0
        for j, anchor in enumerate(given):
            shifted = pending & _agrees(levels[:, anchor], len(comparisons[anchor].levels))
            out[shifted, k] += (j + 1) * n_levels
            pending &= ~shifted
    return out


def default_u(comparison: Comparison) -> FloatArray:
    """:data:`DEFAULT_U` of a comparison's method, with its "different" level."""
    head = list(DEFAULT_U[comparison.method])
    return np.asarray([*head, 1.0 - sum(head)], dtype=np.float64)


def _monotone(weights: FloatArray) -> FloatArray:
    out = weights.astype(np.float64).copy()
    out[0] = max(out[0], 0.0)
    for level in range(1, len(out)):
        out[level] = min(out[level], out[level - 1])
    out[-1] = min(out[-1], 0.0)
    return out


def _prior(share: float, n_candidates: int, n_records: int) -> float:
    total = n_records * (n_records - 1) / 2
    if total <= 0:
        return 0.5
    return float(min(max(share * n_candidates / total, 1e-12), 0.5))
