"""Scored candidate pairs to a report's pairs and clusters: the step shared by a full run
(:func:`~crmkit._dedupe._engine.run_crmkit`) and an index check
(:meth:`~crmkit._dedupe._index.DedupeIndex.check`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from crmkit._dedupe._blocking import Candidates
from crmkit._dedupe._cluster import cluster
from crmkit._dedupe._compare import PairLevels
from crmkit._dedupe._features import FeatureTable
from crmkit._dedupe._frames import Source
from crmkit._dedupe._model import MatchModel
from crmkit._dedupe._pairs import empty_pairs, pairs_frame
from crmkit._dedupe._run import Run
from crmkit._dedupe._tf import score_pairs

__all__ = ["Linked", "link"]


@dataclass
class Linked:
    """What :func:`link` found: pair scores, the pairs listed, clusters of ids, the run."""

    scores: Any  # (weights, probabilities, ...) of score_pairs, one value per candidate
    pairs: pd.DataFrame
    clusters: list[list[Any]]
    run: Run


def link(
    table_: FeatureTable,
    model: MatchModel,
    source: Source,
    candidates: Candidates,
    levels: PairLevels,
    excluded: Any,
    *,
    tf_adjust: bool,
    threshold: float,
    average_threshold: float,
    min_probability: float,
    seed: int,
) -> Linked:
    """Score the candidates, cluster the records and list the pairs worth showing."""
    scores, adjustments = score_pairs(
        model, table_, candidates.a, table_, candidates.b, levels.levels, tf_adjust
    )
    run = Run(table_, model, source, tf_adjust)
    groups = cluster(
        len(table_),
        candidates.a,
        candidates.b,
        scores[1],
        threshold=threshold,
        average_threshold=average_threshold,
        score_missing=run.score_rows,
        forbidden=excluded,
        seed=seed,
    )
    pairs = (
        pairs_frame(table_, candidates, levels, scores, min_probability, adjustments)
        if len(candidates)
        else empty_pairs(table_.comparisons)
    )
    clusters = [[table_.ids[row] for row in group] for group in groups]
    return Linked(scores, pairs, clusters, run)
