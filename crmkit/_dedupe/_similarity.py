"""String similarities of pairs of coded values, each distinct pair scored once by rapidfuzz.

Candidate pairs repeat the same few values (a company, a city, a first name) many times:
:class:`DistinctPairs` scores each distinct pair of codes once, in one rapidfuzz call, and
spreads the scores back over the pairs. Scores are float32, as rapidfuzz gives them (see
:mod:`crmkit._dedupe._arrays`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import process

from crmkit._dedupe._arrays import CodeArray, IntArray, SimilarityArray
from crmkit._dedupe._vocab import Vocab

__all__ = ["DistinctPairs", "Scorer", "similarities"]


Scorer = Callable[..., Any]


class DistinctPairs:
    """The distinct value pairs among pairs of codes, scored once each by rapidfuzz."""

    def __init__(self, ca: CodeArray, cb: CodeArray, vocab: Vocab) -> None:
        self.vocab = vocab
        combined = ca.astype(np.int64) * (len(vocab) + 1) + cb.astype(np.int64)
        if _mostly_distinct(combined):
            self.inverse = np.arange(len(combined))
            unique = combined
        else:
            self.inverse, unique = pd.factorize(combined)  # a hash table: faster than sorting
        self.codes_a = (unique // (len(vocab) + 1)).astype(np.int64)
        self.codes_b = (unique % (len(vocab) + 1)).astype(np.int64)
        self.left = vocab.take(self.codes_a).tolist()
        self.right = vocab.take(self.codes_b).tolist()

    def score(
        self, scorer: Scorer, scale: float = 1.0, cutoff: float | None = None
    ) -> SimilarityArray:
        """``scorer`` of every pair (each distinct pair computed once), divided by ``scale``;
        below ``cutoff`` (in the scorer's own scale), 0."""
        return np.asarray(self.distinct_scores(scorer, scale, cutoff)[self.inverse])

    def distinct_scores(
        self, scorer: Scorer, scale: float = 1.0, cutoff: float | None = None
    ) -> SimilarityArray:
        """``scorer`` of each distinct pair, in the order of :attr:`codes_a`."""
        if not self.left:
            return np.zeros(0, dtype=np.float32)
        workers = -1 if len(self.left) > 50_000 else 1
        scores = process.cpdist(
            self.left,
            self.right,
            scorer=scorer,
            workers=workers,
            dtype=np.float32,
            score_cutoff=cutoff,
        )
        out = np.asarray(scores, dtype=np.float32)
        if scale != 1.0:
            out = out / np.float32(scale)
        return out


_SAMPLE = 20_000


def _mostly_distinct(combined: IntArray) -> bool:
    """Whether nearly every pair of values is distinct (then deduplicating costs more than
    it saves), judged on a sample."""
    if len(combined) < 10 * _SAMPLE:
        return False
    sample = combined[:: len(combined) // _SAMPLE]
    return len(np.unique(sample)) > 0.8 * len(sample)


def similarities(
    ca: CodeArray,
    cb: CodeArray,
    vocab: Vocab,
    scorer: Scorer,
    scale: float = 1.0,
    cutoff: float | None = None,
) -> SimilarityArray:
    """rapidfuzz ``scorer`` of the value pairs, computed once per distinct pair."""
    if len(ca) == 0:
        return np.zeros(0, dtype=np.float32)
    return DistinctPairs(ca, cb, vocab).score(scorer, scale, cutoff)
