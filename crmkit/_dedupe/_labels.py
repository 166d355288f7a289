"""Learning from reviewers: labelled pairs update a fitted model and its threshold.

A reviewer's "same" / "different" decisions (``crm.contacts.mark_same``,
``mark_different``, the review widget) are labels. :func:`learn` updates the model fitted
without labels with them: "same" answers are evidence about ``m`` (how often duplicates
agree at each level), "different" ones about ``u``.

Reviewers see the pairs the model is least sure of first, so the labelled pairs are not
a sample of duplicates (nor of different records): counting their levels would teach
that duplicates rarely agree (measured on generated contacts: 20 such answers cut recall
from 0.97 to 0.92). The update is therefore stratified, as the accuracy estimate is
(:mod:`crmkit._dedupe._accuracy`): candidate pairs are cut into probability bands, and in
a band with labels the share of duplicates becomes the reviewers' share blended with the
model's mean probability, ``(same + k * mean) / (reviewed + k)`` with ``k =``
:data:`LABEL_PSEUDO_PAIRS` (a Beta posterior: a few decisions nudge the band, many
decisions dominate it); labelled pairs count as what the reviewer said, other bands keep
the model's probabilities. ``m`` then moves by the difference the labels make to the
level frequencies of the expected duplicates among candidate pairs; ``u`` by the
difference they make among the different records, scaled by the candidates' share of all
pairs of different records (``u`` describes random pairs, of which the reviewed ones are
a sliver, so "different" answers mostly act through ``m`` and through the threshold).

:func:`choose_threshold` re-chooses the threshold as the probability cut with the best F1
on the labelled pairs, once there are :data:`MIN_LABELS_PER_CLASS` labels of each kind.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from crmkit._dedupe._accuracy import band_edges, band_of
from crmkit._dedupe._arrays import BoolArray, FloatArray, IntArray, LevelArray
from crmkit._dedupe._frames import frame_columns
from crmkit._dedupe._model import MatchModel
from crmkit._dedupe._options import DEFAULT_MIN_PROBABILITY
from crmkit._exceptions import ValidationError

__all__ = [
    "DECISIONS",
    "LABEL_PSEUDO_PAIRS",
    "MIN_LABELS_PER_CLASS",
    "Labels",
    "choose_threshold",
    "learn",
    "read_labels",
]

DECISIONS = ("same", "different")
LABEL_PSEUDO_PAIRS = 10.0
"""Reviewed pairs the model's mean probability in a probability band counts as."""
MIN_LABELS_PER_CLASS = 10
"""Labels of each kind ("same" and "different") before the threshold is re-chosen."""
_MIN_PROB = 1e-9


@dataclass(frozen=True)
class Labels:
    """Reviewed pairs: ``id_a``, ``id_b`` and whether they are the same entity.

    One label per pair (the last decision given wins), ids in the order given.
    """

    id_a: list[Any]
    id_b: list[Any]
    same: BoolArray

    def __len__(self) -> int:
        return len(self.id_a)

    @property
    def n_same(self) -> int:
        """How many pairs were judged the same."""
        return int(self.same.sum())

    @property
    def n_different(self) -> int:
        """How many pairs were judged different."""
        return len(self) - self.n_same

    def different_pairs(self) -> list[tuple[Any, Any]]:
        """The pairs judged different (never proposed, never clustered together)."""
        return [(a, b) for a, b, s in zip(self.id_a, self.id_b, self.same, strict=True) if not s]

    def rows(self, row_of: dict[Any, int]) -> tuple[IntArray, IntArray, BoolArray]:
        """Rows of the labelled pairs whose records are both in ``row_of``, and labels."""
        keep = [k for k in range(len(self)) if self.id_a[k] in row_of and self.id_b[k] in row_of]
        ia = np.asarray([row_of[self.id_a[k]] for k in keep], dtype=np.int64)
        ib = np.asarray([row_of[self.id_b[k]] for k in keep], dtype=np.int64)
        return ia, ib, self.same[np.asarray(keep, dtype=np.int64)]


def read_labels(labels: Any) -> Labels:
    """Labels from a pandas or polars frame of ``id_a``, ``id_b``, ``decision``.

    ``decision`` is ``"same"`` or ``"different"`` (as ``crm.contacts.duplicate_decisions()``
    lists them); an iterable of ``(id_a, id_b, decision)`` tuples works too. A pair
    decided more than once keeps its last decision.

    Raises
    ------
    ValidationError
        A column is missing, a decision is neither "same" nor "different", or a pair
        names one record twice (the message names the row and the value).

    Examples
    --------
    >>> import pandas as pd
    >>> labels = read_labels(pd.DataFrame({"id_a": [1, 3, 2], "id_b": [2, 4, 1],
    ...                                    "decision": ["same", "different", "different"]}))
    >>> len(labels), labels.n_same, labels.different_pairs()
    (2, 0, [(3, 4), (2, 1)])
    >>> read_labels([(1, 2, "maybe")])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crmkit._exceptions.ValidationError: labels row 0: decision must be ..., got 'maybe'
    """
    if labels is None:
        return Labels([], [], np.zeros(0, dtype=bool))
    if hasattr(labels, "columns"):
        missing = [c for c in ("id_a", "id_b", "decision") if c not in set(labels.columns)]
        if missing:
            raise ValidationError(
                f"labels need the columns id_a, id_b and decision; missing {', '.join(missing)}"
            )
        columns = frame_columns(labels, ("id_a", "id_b", "decision"))
        rows: Iterable[Any] = zip(
            columns["id_a"], columns["id_b"], columns["decision"], strict=True
        )
    else:
        rows = labels
    latest: dict[frozenset[Any], tuple[Any, Any, bool]] = {}
    for number, row in enumerate(rows):
        try:
            id_a, id_b, decision = row
        except (TypeError, ValueError):
            raise ValidationError(
                f"labels row {number}: expected (id_a, id_b, decision), got {row!r}"
            ) from None
        if decision not in DECISIONS:
            raise ValidationError(
                f"labels row {number}: decision must be 'same' or 'different', got {decision!r}"
            )
        if id_a == id_b:
            raise ValidationError(f"labels row {number}: id_a and id_b are both {id_a!r}")
        key = frozenset((id_a, id_b))
        latest.pop(key, None)  # a later decision moves the pair to the end
        latest[key] = (id_a, id_b, decision == "same")
    values = list(latest.values())
    return Labels(
        [v[0] for v in values], [v[1] for v in values], np.asarray([v[2] for v in values], bool)
    )


def _band_shares(
    probability: FloatArray, labelled: FloatArray, same: BoolArray, threshold: float
) -> FloatArray:
    """Share of duplicates among the unlabelled pairs of each one's band, given labels."""
    edges = band_edges(threshold)
    band, band_labelled = band_of(probability, edges), band_of(labelled, edges)
    share = probability.copy()
    for h in np.unique(band_labelled):
        answers = same[band_labelled == h]
        inside = band == h
        mean = float(probability[inside].mean()) if inside.any() else float(answers.mean())
        share[inside] = (answers.sum() + LABEL_PSEUDO_PAIRS * mean) / (
            len(answers) + LABEL_PSEUDO_PAIRS
        )
    return share


def _frequencies(levels: LevelArray, weight: FloatArray, size: int) -> FloatArray:
    present = levels >= 0
    counts = np.bincount(levels[present], weight[present], minlength=size)
    total = counts.sum()
    return np.asarray(counts / total if total > 0 else counts, dtype=np.float64)


def _moved(value: FloatArray, change: FloatArray) -> FloatArray:
    out = np.clip(value + change, _MIN_PROB, None)
    return np.asarray(out / out.sum(), dtype=np.float64)


def learn(
    model: MatchModel,
    candidates: tuple[LevelArray, FloatArray],
    labelled: tuple[LevelArray, FloatArray],
    same: BoolArray,
    threshold: float,
    n_records: int,
) -> MatchModel:
    """The model updated with labelled pairs (see the module's description).

    Parameters
    ----------
    model
        The model fitted without labels.
    candidates
        Levels and probabilities (under ``model``) of the candidate pairs nobody labelled.
    labelled
        Levels and probabilities of the labelled pairs.
    same
        Whether each labelled pair was judged the same.
    threshold
        The threshold, one of the band edges.
    n_records
        Records compared (the number of pairs of different records is about its square).

    Examples
    --------
    >>> from crmkit._dedupe._comparisons import Comparison
    >>> model = MatchModel.defaults([Comparison("last_name", "last_name")], n_records=100)
    >>> levels = np.asarray([[0]] * 20 + [[3]] * 80, dtype=np.int8)
    >>> p = np.asarray([0.8] * 20 + [0.01] * 80)
    >>> answers = np.zeros(10, dtype=bool)  # ten pairs with the same surname: different
    >>> learned = learn(model, (levels, p), (levels[:10], p[:10]), answers, 0.9, 100)
    >>> bool(learned.m[0][0] < model.m[0][0]), bool(learned.u[0][0] > model.u[0][0])
    (True, True)
    """
    levels, probability = candidates
    labelled_levels, labelled_probability = labelled
    all_levels = np.concatenate([levels, labelled_levels])
    effective = model.effective(all_levels)
    before = np.concatenate([probability, labelled_probability])
    after = np.concatenate(
        [
            _band_shares(probability, labelled_probability, same, threshold),
            same.astype(np.float64),
        ]
    )
    # u describes all pairs of different records; the candidates are this share of them.
    all_pairs = n_records * (n_records - 1) / 2
    different_share = float((1 - after).sum()) / max(all_pairs - float(after.sum()), 1.0)
    m, u = [], []
    for k, (mk, uk) in enumerate(zip(model.m, model.u, strict=True)):
        n_levels = len(mk)
        change = _frequencies(all_levels[:, k], after, n_levels) - _frequencies(
            all_levels[:, k], before, n_levels
        )
        m.append(_moved(mk, change))
        change = _frequencies(effective[:, k], 1 - after, len(uk)) - _frequencies(
            effective[:, k], 1 - before, len(uk)
        )
        blocks = [
            _moved(uk[h : h + n_levels], different_share * change[h : h + n_levels])
            for h in range(0, len(uk), n_levels)
        ]
        u.append(np.concatenate(blocks))
    info = {**model.info, "labels_same": int(same.sum()), "labels_different": int((~same).sum())}
    return MatchModel(model.comparisons, m, u, model.prior, info=info)


def choose_threshold(probabilities: FloatArray, same: BoolArray, default: float) -> float:
    """The probability cut with the best F1 on labelled pairs, or ``default``.

    With fewer than :data:`MIN_LABELS_PER_CLASS` labels of either kind, ``default``. The
    cut is put halfway (in match weight) between the lowest "same" probability it keeps
    and the next lower labelled probability, so that it does not sit on one pair; among
    cuts of equal F1, the one nearest ``default`` in weight. Never below
    :data:`~crmkit._dedupe._options.DEFAULT_MIN_PROBABILITY` (a match is at least as likely
    the same as not, and is listed in the report's pairs).

    Examples
    --------
    >>> p = np.asarray([0.99] * 10 + [0.8] * 10 + [0.3] * 10)
    >>> same = np.asarray([True] * 20 + [False] * 10)
    >>> round(choose_threshold(p, same, 0.9), 3)
    0.567
    >>> choose_threshold(p[:15], same[:15], 0.9)
    0.9
    """
    n_same = int(same.sum())
    if n_same < MIN_LABELS_PER_CLASS or len(same) - n_same < MIN_LABELS_PER_CLASS:
        return default
    weight = np.log2(np.clip(probabilities, 1e-15, 1 - 1e-15)) - np.log2(
        np.clip(1 - probabilities, 1e-15, 1.0)
    )
    order = np.argsort(-weight, kind="stable")
    weight, labels = weight[order], same[order]
    tp = np.cumsum(labels)
    kept = np.arange(1, len(labels) + 1)
    f1 = 2 * tp / (kept + n_same)
    # Cut only below a pair whose next neighbour is lower (equal weights go together).
    ends = np.r_[weight[1:] < weight[:-1], True]
    f1 = np.where(ends, f1, -1.0)
    best = float(f1.max())
    target = math.log2(default / (1 - default)) if 0 < default < 1 else 0.0
    cuts = []
    for k in np.flatnonzero(f1 >= best - 1e-12):
        below = weight[k + 1] if k + 1 < len(weight) else weight[k] - 2.0
        cuts.append((weight[k] + below) / 2)
    cut = min(cuts, key=lambda c: abs(c - target))
    return max(float(1.0 / (1.0 + 2.0 ** (-cut))), DEFAULT_MIN_PROBABILITY)
