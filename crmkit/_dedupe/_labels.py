"""Learning from reviewers: labelled pairs update a fitted model and its threshold.

A reviewer's "same" / "different" decisions (``crm.contacts.mark_same``,
``mark_different``, the review widget) are labels. :func:`learn` blends them into the
model fitted without labels, as a Bayesian update with the fitted values as prior:

- "same" pairs are a sample of duplicates: the share of them at each agreement level is
  evidence about ``m``;
- "different" pairs are a sample of different records: evidence about ``u``.

Each comparison's fitted ``m`` (``u``) counts as :data:`LABEL_PSEUDO_PAIRS` labelled pairs:
``m' = (LABEL_PSEUDO_PAIRS * m + counts) / (LABEL_PSEUDO_PAIRS + labelled)``, so ten
decisions nudge the model, and a few hundred dominate it. A "different" pair was proposed
because it looks alike (same company, same surname): such pairs are harder than the
random pairs ``u`` is fitted on, which is what a reviewer's answer should teach, but a
larger pseudo-count (:data:`U_PSEUDO_PAIRS`) keeps them from swamping ``u``.

:func:`choose_threshold` re-chooses the threshold as the probability cut with the best F1
on the labelled pairs, once there are :data:`MIN_LABELS_PER_CLASS` labels of each kind.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from crmkit._dedupe._arrays import BoolArray, FloatArray, IntArray, LevelArray
from crmkit._dedupe._frames import frame_columns
from crmkit._dedupe._model import MatchModel
from crmkit._exceptions import ValidationError

__all__ = [
    "DECISIONS",
    "LABEL_PSEUDO_PAIRS",
    "MIN_LABELS_PER_CLASS",
    "U_PSEUDO_PAIRS",
    "Labels",
    "choose_threshold",
    "learn",
    "read_labels",
]

DECISIONS = ("same", "different")
LABEL_PSEUDO_PAIRS = 30.0
"""Labelled "same" pairs the fitted ``m`` of a comparison counts as."""
U_PSEUDO_PAIRS = 200.0
"""Labelled "different" pairs the fitted ``u`` of a comparison counts as."""
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


def _blend(prior: FloatArray, counts: FloatArray, pseudo: float) -> FloatArray:
    out = (pseudo * prior + counts) / (pseudo + counts.sum())
    out = np.clip(out, _MIN_PROB, None)
    return np.asarray(out / out.sum(), dtype=np.float64)


def learn(model: MatchModel, levels: LevelArray, same: BoolArray) -> MatchModel:
    """The model updated with labelled pairs (their ``levels``, whether each is ``same``).

    ``m`` of each comparison is blended with the levels of the "same" pairs, ``u`` (each
    block of its layout: unconditional, then given each anchor) with the effective levels
    of the "different" pairs; the prior is kept. ``info`` records the labels used.

    Examples
    --------
    >>> from crmkit._dedupe._comparisons import Comparison
    >>> model = MatchModel.defaults([Comparison("last_name", "last_name")], n_records=100)
    >>> levels = np.zeros((20, 1), dtype=np.int8)  # 20 pairs with the same surname ...
    >>> learned = learn(model, levels, np.zeros(20, dtype=bool))  # ... all different
    >>> bool(learned.weights[0][0] < model.weights[0][0])
    True
    """
    effective = model.effective(levels)
    m, u = [], []
    for k, (mk, uk) in enumerate(zip(model.m, model.u, strict=True)):
        n_levels = len(mk)
        column = levels[same, k]
        column = column[column >= 0]
        m.append(
            _blend(mk, np.bincount(column, minlength=n_levels).astype(float), LABEL_PSEUDO_PAIRS)
        )
        column = effective[~same, k]
        column = column[column >= 0]
        counts = np.bincount(column, minlength=len(uk)).astype(float)
        blocks = [
            _blend(uk[h : h + n_levels], counts[h : h + n_levels], U_PSEUDO_PAIRS)
            for h in range(0, len(uk), n_levels)
        ]
        u.append(np.concatenate(blocks))
    info = {
        **model.info,
        "labels_same": int(same.sum()),
        "labels_different": int((~same).sum()),
    }
    return MatchModel(model.comparisons, m, u, model.prior, info=info)


def choose_threshold(probabilities: FloatArray, same: BoolArray, default: float) -> float:
    """The probability cut with the best F1 on labelled pairs, or ``default``.

    With fewer than :data:`MIN_LABELS_PER_CLASS` labels of either kind, ``default``. The
    cut is put halfway (in match weight) between the lowest "same" probability it keeps
    and the next lower labelled probability, so that it does not sit on one pair; among
    cuts of equal F1, the one nearest ``default`` in weight.

    Examples
    --------
    >>> p = np.asarray([0.99] * 10 + [0.7] * 10 + [0.2] * 10)
    >>> same = np.asarray([True] * 20 + [False] * 10)
    >>> round(choose_threshold(p, same, 0.9), 3)
    0.433
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
    return float(1.0 / (1.0 + 2.0 ** (-cut)))
