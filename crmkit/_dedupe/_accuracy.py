"""How accurate a duplicate search is: precision and recall with 95% intervals.

:func:`estimate` works on the population of scored pairs of a search (every candidate
pair, and the pairs reviewers labelled) cut into probability bands, the threshold being
one of the cuts. In each band, the number of true duplicates among the pairs nobody
reviewed is estimated:

- from the reviews when the band has some: the share of "same" answers, with a Beta
  posterior (prior centred on the band's mean probability, worth
  :data:`PRIOR_PAIRS` pairs). Estimating band by band and weighting by the band's size
  (a stratified estimate) corrects the bias of the review order: reviewing the most
  uncertain pairs first over-samples the pairs near the threshold;
- from the model when nobody reviewed the band: the sum of the pairs' probabilities,
  i.e. the model is taken at its word, with the spread of as many coin flips widened by
  :data:`MODEL_SLACK` (the model's calibration is unchecked there).

Reviewed pairs count as what the reviewer said. Precision is the share of true
duplicates among the pairs at or above the threshold (pairs judged "different" are no
longer proposed, so they are left out); recall the share of the true duplicates among all
scored pairs found at or above the threshold. Pairs that blocking never proposed are not
seen, so recall is among candidate pairs. The intervals are the 2.5 and 97.5 percentiles
of :data:`DRAWS` seeded draws (the same inputs give the same numbers), the estimate
their median.

With no reviews at all, this is the model's own estimate ("model estimate (no
reviews)"): expected precision the mean probability of the pairs above the threshold,
expected recall the expected matches above the threshold over the expected matches
overall. It is as good as the model's calibration, which reviews check.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmkit._dedupe._arrays import BoolArray, FloatArray, IntArray

__all__ = [
    "BAND_EDGES",
    "DRAWS",
    "MODEL_SLACK",
    "PRIOR_PAIRS",
    "Accuracy",
    "band_edges",
    "band_of",
    "estimate",
]

BAND_EDGES = (0.0, 0.01, 0.1, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1.0)
"""Probability bands of the stratified estimate (the threshold is added as an edge)."""
PRIOR_PAIRS = 2.0
"""Weight, in reviewed pairs, of the model's mean probability in a band's Beta prior."""
MODEL_SLACK = 0.5
"""In a band nobody reviewed, how far off (as a share) the model's expected count of the
rarer answer may be: its calibration is not known there, so the spread of coin flips
alone would be too sure. Measured on generated contacts, the model missed up to 40% of
the few duplicates it scored below 0.5."""
DRAWS = 4000
"""Random draws behind each interval."""
# Least prior weight on the "different" answer: without it, a band whose pairs all have a
# probability near 1 would stay certain after any number of "same" answers, however few.
# Not on "same": a few reviews of a band of thousands of unlikely pairs would then leave
# room for hundreds of unseen duplicates, and recall's interval would say nothing.
_LEAST_PRIOR = 0.05

_METHODS = {
    "reviews": "from {n} reviewed pairs ({same} same, {different} different), "
    "stratified by probability band",
    "model": "model estimate (no reviews)",
}


@dataclass(frozen=True)
class Accuracy:
    """Estimated precision and recall of a duplicate search, with 95% intervals.

    Attributes
    ----------
    precision, precision_low, precision_high
        Share of the pairs at or above the threshold that are the same entity.
    recall, recall_low, recall_high
        Share of the duplicate pairs (among the pairs the search scored) at or above the
        threshold.
    threshold
        The report's threshold.
    method
        ``"reviews"`` (reviewed pairs, stratified by probability band; bands without
        reviews taken at the model's word) or ``"model"`` (no reviews: the model's own
        probabilities).
    reviewed_same, reviewed_different
        The reviewed pairs the estimate used.
    pairs_above
        Pairs at or above the threshold.
    """

    precision: float
    precision_low: float
    precision_high: float
    recall: float
    recall_low: float
    recall_high: float
    threshold: float
    method: str
    reviewed_same: int
    reviewed_different: int
    pairs_above: int

    @property
    def description(self) -> str:
        """How the estimate was obtained, in words."""
        same, different = self.reviewed_same, self.reviewed_different
        return _METHODS[self.method].format(n=same + different, same=same, different=different)

    def frame(self) -> pd.DataFrame:
        """The estimate as a pandas DataFrame: ``measure``, ``estimate``, ``low``, ``high``.

        Examples
        --------
        >>> Accuracy(0.95, 0.9, 0.98, 0.8, 0.7, 0.9, 0.9, "model", 0, 0, 40).frame()
             measure  estimate  low  high
        0  precision      0.95  0.9  0.98
        1     recall      0.80  0.7  0.90
        """
        return pd.DataFrame(
            {
                "measure": ["precision", "recall"],
                "estimate": [self.precision, self.recall],
                "low": [self.precision_low, self.recall_low],
                "high": [self.precision_high, self.recall_high],
            }
        )

    def __repr__(self) -> str:
        return (
            f"Accuracy(precision {self.precision:.3f} [{self.precision_low:.3f}, "
            f"{self.precision_high:.3f}], recall {self.recall:.3f} [{self.recall_low:.3f}, "
            f"{self.recall_high:.3f}], 95% intervals, threshold {self.threshold:g}: "
            f"{self.description})"
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{name}</th><td>{value:.3f}</td>"
            f"<td>[{low:.3f}, {high:.3f}]</td></tr>"
            for name, value, low, high in (
                ("precision", self.precision, self.precision_low, self.precision_high),
                ("recall", self.recall, self.recall_low, self.recall_high),
            )
        )
        return (
            '<div class="crmkit-duplicate-accuracy"><p><strong>Accuracy</strong> at threshold '
            f"{self.threshold:g} ({self.pairs_above:,} pairs at or above): "
            f"{html.escape(self.description)}.</p><table><tr><th></th><th>estimate</th>"
            f"<th>95% interval</th></tr>{rows}</table></div>"
        )


def band_edges(threshold: float) -> FloatArray:
    """:data:`BAND_EDGES` with the threshold among them."""
    return np.unique(np.asarray([*BAND_EDGES, threshold], dtype=np.float64))


def band_of(probabilities: FloatArray, edges: FloatArray) -> IntArray:
    """The band of each probability (the last band includes 1).

    Examples
    --------
    >>> band_of(np.asarray([0.0, 0.5, 1.0]), band_edges(0.9)).tolist()
    [0, 3, 9]
    """
    found = np.searchsorted(edges, probabilities, side="right") - 1
    return np.asarray(np.clip(found, 0, len(edges) - 2), dtype=np.int64)


def estimate(
    probabilities: FloatArray,
    reviewed: FloatArray,
    same: BoolArray,
    threshold: float,
    *,
    seed: int = 0,
) -> Accuracy:
    """Precision and recall of the pairs at or above ``threshold``, with 95% intervals.

    Parameters
    ----------
    probabilities
        Probabilities of the pairs nobody reviewed.
    reviewed, same
        Probabilities of the reviewed pairs, and whether each was judged the same.
    threshold
        The probability from which a pair is a match.
    seed
        Seed of the draws behind the intervals.

    Examples
    --------
    >>> p = np.asarray([0.99] * 90 + [0.6] * 10 + [0.01] * 100)
    >>> model = estimate(p, np.zeros(0), np.zeros(0, dtype=bool), 0.9)
    >>> model.method, round(model.precision, 3), round(model.recall, 3)
    ('model', 0.99, 0.926)
    >>> reviews = estimate(p, np.asarray([0.99] * 10), np.asarray([True] * 8 + [False] * 2), 0.9)
    >>> reviews.method, round(reviews.precision, 2), reviews.precision_high < 0.99
    ('reviews', 0.86, True)
    """
    edges = band_edges(threshold)
    n_bands = len(edges) - 1
    band = band_of(probabilities, edges)
    band_reviewed = band_of(reviewed, edges)
    above = edges[:-1] >= threshold
    rng = np.random.default_rng(seed)
    draws = np.zeros((n_bands, DRAWS))
    proposed = np.zeros(n_bands)  # pairs of each band that a report proposes
    for h in range(n_bands):
        p = probabilities[band == h]
        answers = same[band_reviewed == h]
        known = float(answers.sum())
        proposed[h] = len(p) + known  # pairs judged different are no longer proposed
        if len(answers) == 0:
            expected = float(p.sum())
            rarer = min(expected, len(p) - expected)
            spread = float(np.sqrt((p * (1 - p)).sum() + (MODEL_SLACK * rarer) ** 2))
            draws[h] = np.clip(rng.normal(expected, spread, DRAWS), 0, len(p)) if len(p) else 0
            continue
        centre = float(p.mean()) if len(p) else float(reviewed[band_reviewed == h].mean())
        a = known + PRIOR_PAIRS * centre
        b = len(answers) - known + max(PRIOR_PAIRS * (1 - centre), _LEAST_PRIOR)
        share = rng.beta(a, b, DRAWS)
        draws[h] = known + rng.binomial(len(p), share)

    def ratios(found: FloatArray, of: FloatArray) -> tuple[float, float, float]:
        values = np.divide(found, of, out=np.ones_like(found), where=of > 0)
        low, point, high = np.percentile(values, [2.5, 50.0, 97.5])
        return float(point), float(low), float(high)

    true_above = draws[above].sum(axis=0)
    true_all = draws.sum(axis=0)
    n_above = np.full(len(true_above), proposed[above].sum())
    precision = ratios(true_above, n_above)
    recall = ratios(true_above, true_all)
    n_same = int(same.sum())
    return Accuracy(
        *precision,
        *recall,
        threshold=threshold,
        method="reviews" if len(same) else "model",
        reviewed_same=n_same,
        reviewed_different=len(same) - n_same,
        pairs_above=int(proposed[above].sum()),
    )
