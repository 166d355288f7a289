"""Scored candidate pairs to a report's pairs and clusters: the step shared by a full run
(:func:`~crmkit._dedupe._engine.run_crmkit`) and an index check
(:meth:`~crmkit._dedupe._index.DedupeIndex.check`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from crmkit._dedupe._blocking import Candidates
from crmkit._dedupe._cluster import clustering
from crmkit._dedupe._compare import PairLevels
from crmkit._dedupe._features import FeatureTable
from crmkit._dedupe._frames import Source
from crmkit._dedupe._identity import PersonEvidence, score_pairs
from crmkit._dedupe._job_changes import empty_job_changes, label_job_changes
from crmkit._dedupe._model import MatchModel
from crmkit._dedupe._pairs import as_ids, empty_pairs, listed_rows, pairs_frame
from crmkit._dedupe._run import Run

__all__ = ["Linked", "link"]


@dataclass
class Linked:
    """What :func:`link` found: pair scores, the pairs listed, clusters of ids, the run,
    what clustering vetoed and joined, and the job changes (``identity="person"``)."""

    scores: Any  # (weights, probabilities, ...) of score_pairs, one value per candidate
    pairs: pd.DataFrame
    clusters: list[list[Any]]
    run: Run
    vetoed_links: int
    strong_joins: int
    job_changes: pd.DataFrame


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
    identity: str = "role",
) -> Linked:
    """Score the candidates, cluster the records and list the pairs worth showing."""
    scores, adjustments, evidence = score_pairs(
        model, table_, candidates.a, table_, candidates.b, levels.levels, tf_adjust, identity
    )
    run = Run(table_, model, source, tf_adjust, identity)
    found = clustering(
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
    job_changes = empty_job_changes()
    if evidence is not None:
        keep = listed_rows(scores[1], min_probability)
        pairs, job_changes = label_job_changes(
            pairs,
            table_.comparisons,
            source,
            candidates.a[keep],
            candidates.b[keep],
            PersonEvidence(evidence.strong[keep], evidence.bits[keep], evidence.job_change[keep]),
            threshold,
        )
        job_changes["id_old"] = as_ids(job_changes["id_old"], table_.ids)
        job_changes["id_new"] = as_ids(job_changes["id_new"], table_.ids)
    clusters = [[table_.ids[row] for row in group] for group in found.groups]
    return Linked(scores, pairs, clusters, run, found.vetoed_links, found.strong_joins, job_changes)
