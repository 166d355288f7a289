"""Scored candidate pairs to a report's pairs and clusters: the step shared by a full run
(:func:`~crmkit._dedupe._engine.run_crmkit`) and an index check
(:meth:`~crmkit._dedupe._index.DedupeIndex.check`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crmkit._dedupe._arrays import FloatArray, IntArray, LevelArray
from crmkit._dedupe._blocking import Candidates
from crmkit._dedupe._cluster import clustering
from crmkit._dedupe._compare import compare
from crmkit._dedupe._features import FeatureTable
from crmkit._dedupe._frames import Source
from crmkit._dedupe._identity import PersonEvidence, score_pairs
from crmkit._dedupe._job_changes import empty_job_changes, label_job_changes
from crmkit._dedupe._model import MatchModel
from crmkit._dedupe._pairs import as_ids, empty_pairs, listed_rows, pairs_frame
from crmkit._dedupe._run import Run
from crmkit._dedupe._tf import TermAdjustments

__all__ = ["SCORE_CHUNK", "Linked", "Scores", "link", "link_scores", "score_candidates"]


@dataclass
class Linked:
    """What :func:`link` found: the candidates' probabilities, the pairs listed, clusters
    of ids, the run, what clustering vetoed and joined, and the job changes
    (``identity="person"``)."""

    probability: FloatArray  # of each candidate pair
    pairs: pd.DataFrame
    clusters: list[list[Any]]
    run: Run
    vetoed_links: int
    strong_joins: int
    job_changes: pd.DataFrame


SCORE_CHUNK = 32_768
"""Candidate pairs scored at a time by :func:`link`. Scoring a pair gives a weight per
comparison, its term-frequency adjustments and person evidence (three ``(pairs,
comparisons)`` arrays of 4 to 8 bytes a cell): for four million candidates at once, about
1 GB. Only the probability of every pair is kept, the rest only for the pairs listed
(``probability >= min_probability``)."""


@dataclass
class _Listed:
    """The detail of the listed candidates (ascending row numbers in ``rows``)."""

    rows: IntArray
    weights: FloatArray
    parts: FloatArray
    adjustments: TermAdjustments | None
    evidence: PersonEvidence | None


@dataclass
class Scores:
    """What :func:`score_candidates` keeps: every candidate's probability and the detail of
    the listed ones; the agreement levels are no longer needed."""

    probability: FloatArray
    listed: _Listed


def _take(evidence: PersonEvidence, keep: IntArray) -> PersonEvidence:
    return PersonEvidence(evidence.strong[keep], evidence.bits[keep], evidence.job_change[keep])


def score_candidates(
    table_: FeatureTable,
    model: MatchModel,
    candidates: Candidates,
    levels: LevelArray,
    *,
    tf_adjust: bool,
    identity: str,
    min_probability: float,
    chunk: int = SCORE_CHUNK,
) -> Scores:
    """The probability of every candidate, the detail of the listed ones (the first step
    of :func:`link`: a caller holding ``levels`` lets them go before clustering)."""
    n = len(candidates)
    probability = np.empty(n, dtype=np.float64)
    rows: list[IntArray] = []
    weights: list[FloatArray] = []
    parts: list[FloatArray] = []
    adjustments: list[TermAdjustments] = []
    evidence: list[PersonEvidence] = []
    for start in range(0, max(n, 1), chunk):
        stop = min(start + chunk, n)
        (w, p, part), adjusted, person = score_pairs(
            model,
            table_,
            candidates.a[start:stop],
            table_,
            candidates.b[start:stop],
            levels[start:stop],
            tf_adjust,
            identity,
        )
        probability[start:stop] = p
        keep = np.flatnonzero(p >= min_probability)
        rows.append(keep + start)
        weights.append(w[keep])
        parts.append(part[keep])
        if adjusted is not None:
            adjustments.append(TermAdjustments(adjusted.bits[keep], adjusted.counts[keep]))
        if person is not None:
            evidence.append(_take(person, keep))
        # Not held while the next chunk is scored (a weight, a part, an adjustment and
        # person evidence per comparison and pair: some 9 MB a chunk on the accounts).
        del w, p, part, adjusted, person, keep
    listed = _Listed(
        np.concatenate(rows),
        np.concatenate(weights),
        np.concatenate(parts),
        TermAdjustments(
            np.concatenate([x.bits for x in adjustments]),
            np.concatenate([x.counts for x in adjustments]),
        )
        if adjustments
        else None,
        PersonEvidence(
            np.concatenate([x.strong for x in evidence]),
            np.concatenate([x.bits for x in evidence]),
            np.concatenate([x.job_change for x in evidence]),
        )
        if evidence
        else None,
    )
    return Scores(probability, listed)


def link(
    table_: FeatureTable,
    model: MatchModel,
    source: Source,
    candidates: Candidates,
    levels: LevelArray,
    excluded: Any,
    *,
    tf_adjust: bool,
    threshold: float,
    average_threshold: float,
    min_probability: float,
    seed: int,
    identity: str = "person",
    chunk: int = SCORE_CHUNK,
) -> Linked:
    """Score the candidates, cluster the records and list the pairs worth showing.

    ``levels`` are the candidates' agreement levels
    (:func:`~crmkit._dedupe._compare.compare_levels`); the pairs are scored ``chunk`` at a
    time (:data:`SCORE_CHUNK`), and compared again in full (similarities, swapped names)
    only where listed. :func:`score_candidates` then :func:`link_scores`.
    """
    scores = score_candidates(
        table_,
        model,
        candidates,
        levels,
        tf_adjust=tf_adjust,
        identity=identity,
        min_probability=min_probability,
        chunk=chunk,
    )
    return link_scores(
        table_,
        model,
        source,
        candidates,
        scores,
        excluded,
        tf_adjust=tf_adjust,
        threshold=threshold,
        average_threshold=average_threshold,
        min_probability=min_probability,
        seed=seed,
        identity=identity,
    )


def link_scores(
    table_: FeatureTable,
    model: MatchModel,
    source: Source,
    candidates: Candidates,
    scores: Scores,
    excluded: Any,
    *,
    tf_adjust: bool,
    threshold: float,
    average_threshold: float,
    min_probability: float,
    seed: int,
    identity: str = "person",
) -> Linked:
    """:func:`link` from the candidates' :func:`score_candidates`: cluster the records and
    list the pairs worth showing."""
    probability, listed = scores.probability, scores.listed
    run = Run(table_, model, source, tf_adjust, identity)
    found = clustering(
        len(table_),
        candidates.a,
        candidates.b,
        probability,
        threshold=threshold,
        average_threshold=average_threshold,
        score_missing=run.score_rows,
        forbidden=excluded,
        seed=seed,
    )
    shown = Candidates(
        candidates.a[listed.rows],
        candidates.b[listed.rows],
        candidates.rules[listed.rows],
        candidates.names,
    )
    pairs = (
        pairs_frame(
            table_,
            shown,
            compare(table_, shown.a, table_, shown.b),
            (listed.weights, probability[listed.rows], listed.parts),
            min_probability,
            listed.adjustments,
        )
        if len(candidates)
        else empty_pairs(table_.comparisons)
    )
    job_changes = empty_job_changes()
    if listed.evidence is not None:
        keep = listed_rows(probability[listed.rows], min_probability)
        pairs, job_changes = label_job_changes(
            pairs,
            table_.comparisons,
            source,
            shown.a[keep],
            shown.b[keep],
            _take(listed.evidence, keep),
            threshold,
        )
        job_changes["id_old"] = as_ids(job_changes["id_old"], table_.ids)
        job_changes["id_new"] = as_ids(job_changes["id_new"], table_.ids)
    clusters = [[table_.ids[row] for row in group] for group in found.groups]
    return Linked(
        probability,
        pairs,
        clusters,
        run,
        found.vetoed_links,
        found.strong_joins,
        job_changes,
    )
