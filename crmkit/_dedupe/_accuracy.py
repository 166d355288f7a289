"""How accurate a duplicate search is: precision and recall with 95% intervals.

:func:`estimate` works on the population of scored pairs of a search (every candidate
pair, and the pairs reviewers labelled) cut into probability bands, the threshold being
one of the cuts. In each band, the share of true duplicates among the pairs nobody
reviewed has a Beta distribution:

- its prior is centred on the model's mean probability in the band, plus
  :data:`TAIL_RATE` in the bands below :data:`TAIL_BELOW` (duplicates the model scores
  as very unlikely, which it underestimates), and is worth :data:`PRIOR_RARER` answers of
  the rarer kind ("same" in a band of unlikely pairs, "different" in a band of likely
  ones). A few reviews of a band of thousands of unlikely pairs, all "different", then
  barely move it (they say little about a rate of one in a thousand), while a band
  of a few dozen pairs is soon what its reviews say;
- the reviewed pairs of the band update it (a Beta posterior). Estimating band by band
  and weighting each band by its count of pairs (a stratified estimate) corrects the bias
  of the review order: reviewing the most uncertain pairs first over-samples the pairs
  near the threshold. The review widget's random checks (audit pairs, drawn from the
  bands the uncertainty order never reaches: below the report's ``min_probability`` and
  above 0.999, see :meth:`~crmkit._dedupe._report.DuplicateReport.audit_pairs`) are how
  those bands get reviews.

The count of duplicates among a band's unreviewed pairs is drawn from that share.
Reviewed pairs count as what the reviewer said. Precision is the share of true
duplicates among the pairs at or above the threshold (pairs judged "different" are no
longer proposed, so they are left out); recall the share of the true duplicates among all
scored pairs found at or above the threshold. Pairs that blocking never proposed are not
seen, so recall is among candidate pairs. The intervals are the 2.5 and 97.5 percentiles
of :data:`DRAWS` seeded draws (the same inputs give the same numbers), the estimate
their mean (not their median: the draws of a rare answer's count are skewed, and their
median would say "none" in a band where the model expects one or two).

With no reviews at all, this is the model's own estimate ("model estimate (no
reviews)"), as good as the model's calibration, with its intervals widened by the prior's
spread (measured on generated contacts, see BENCHMARKS.md: the spread of coin flips alone
held the truth of recall in 4 of 10 rows).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmkit._dedupe._arrays import BoolArray, FloatArray, IntArray
from crmkit._util._table_html import Column, table_html

__all__ = [
    "BAND_EDGES",
    "DRAWS",
    "MODEL_TRUST",
    "PRIOR_PAIRS",
    "PRIOR_RARER",
    "TAIL_BELOW",
    "TAIL_RATE",
    "Accuracy",
    "band_edges",
    "band_of",
    "estimate",
    "prior",
]

BAND_EDGES = (0.0, 0.01, 0.1, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1.0)
"""Probability bands of the stratified estimate (the threshold is added as an edge)."""
PRIOR_RARER = 2.0
"""Weight, in answers of the rarer kind, of a band's prior centred on the model."""
PRIOR_PAIRS = 2.0
"""Weight, in reviewed pairs, of the vague prior (the model is off in this band)."""
MODEL_TRUST = 0.8
"""Prior odds that the model is calibrated in a band (its prior, not the vague one)."""
TAIL_BELOW = 0.1
"""Bands below this probability get :data:`TAIL_RATE` added to their prior's centre."""
TAIL_RATE = 3e-4
"""Share of duplicates among candidate pairs the model scores below :data:`TAIL_BELOW`,
over what it expects. Measured on generated contacts (``learning_bench.py``, seeds 1, 3
and 7): 5 to 11 duplicates among about 25,000 pairs scored below 0.01 (2e-4 to 4e-4 a
pair), where the model expected one or two."""
DRAWS = 4000
"""Random draws behind each interval."""
# Least vague prior weight on the "different" answer: without it, a band whose pairs all
# have a probability near 1 would stay certain after any number of "same" answers.
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
        columns = [
            Column("measure", ""),
            Column("estimate", "estimate", "percent"),
            Column("low", "95% interval, low", "percent"),
            Column("high", "95% interval, high", "percent"),
        ]
        table = table_html(self.frame(), columns, mode="static")
        return (
            '<div class="crmkit-duplicate-accuracy"><p><strong>Accuracy</strong> at threshold '
            f"{self.threshold:g} ({self.pairs_above:,} pairs at or above): "
            f"{html.escape(self.description)}.</p>{table}</div>"
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


def prior(probabilities: FloatArray, upper_edge: float) -> tuple[float, float]:
    """The Beta prior ``(a, b)`` of the share of duplicates in a band, if the model is right.

    Centred on the pairs' mean probability (plus :data:`TAIL_RATE` in a band that ends at
    or below :data:`TAIL_BELOW`), worth :data:`PRIOR_RARER` answers of the rarer kind.

    Examples
    --------
    >>> a, b = prior(np.asarray([0.5, 0.5]), 0.7)
    >>> float(a), float(b)
    (2.0, 2.0)
    >>> a, b = prior(np.asarray([0.99] * 3), 0.999)
    >>> round(float(a)), round(float(b), 3)
    (198, 2.0)
    """
    centre = _centre(probabilities, upper_edge)
    weight = PRIOR_RARER / min(centre, 1 - centre)
    return weight * centre, weight * (1 - centre)


def _centre(probabilities: FloatArray, upper_edge: float) -> float:
    centre = float(probabilities.mean()) + (TAIL_RATE if upper_edge <= TAIL_BELOW else 0.0)
    return min(max(centre, 1e-9), 1 - 1e-9)


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _shares(
    rng: np.random.Generator, band: FloatArray, upper_edge: float, same: int, different: int
) -> FloatArray:
    """Draws of a band's share of duplicates, given its reviews.

    Without reviews, from :func:`prior`. With reviews, from the posterior of a mixture:
    the model is right in the band (:func:`prior`, weight :data:`MODEL_TRUST`) or off (a
    vague prior centred on it, worth :data:`PRIOR_PAIRS` pairs); each updated by the
    reviews and weighted by how well it foresaw them. Reviews that agree with the model
    leave its prior in charge (a few "different" answers say little about a band where
    one pair in a thousand is a duplicate); reviews that contradict it soon take over.
    """
    a, b = prior(band, upper_edge)
    if same + different == 0:
        return rng.beta(a, b, DRAWS)
    centre = _centre(band, upper_edge)
    vague_a = PRIOR_PAIRS * centre
    vague_b = max(PRIOR_PAIRS * (1 - centre), _LEAST_PRIOR)
    fit_model = _log_beta(a + same, b + different) - _log_beta(a, b)
    fit_vague = _log_beta(vague_a + same, vague_b + different) - _log_beta(vague_a, vague_b)
    odds = math.log(MODEL_TRUST / (1 - MODEL_TRUST)) + fit_model - fit_vague
    trust = 1.0 / (1.0 + math.exp(-min(max(odds, -700.0), 700.0)))
    model = rng.beta(a + same, b + different, DRAWS)
    vague = rng.beta(vague_a + same, vague_b + different, DRAWS)
    return np.where(rng.random(DRAWS) < trust, model, vague)


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
    ('model', 0.99, 0.927)
    >>> answers = np.asarray([True] * 16 + [False] * 4)  # 20 reviews at 0.99, 4 wrong
    >>> reviews = estimate(p, np.asarray([0.99] * 20), answers, 0.9)
    >>> reviews.method, round(reviews.precision, 2), reviews.precision_low < 0.7
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
        if len(p) == 0:
            draws[h] = known
            continue
        pairs = np.r_[p, reviewed[band_reviewed == h]]
        share = _shares(rng, pairs, float(edges[h + 1]), int(known), len(answers) - int(known))
        draws[h] = known + rng.binomial(len(p), share)

    def ratios(found: FloatArray, of: FloatArray) -> tuple[float, float, float]:
        values = np.divide(found, of, out=np.ones_like(found), where=of > 0)
        low, high = np.percentile(values, [2.5, 97.5])
        return float(values.mean()), float(low), float(high)

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
