"""The crmkit engine: block, compare, train, score and cluster one table of records.

:func:`run_crmkit` is :func:`crmkit.find_duplicates` with ``engine="crmkit"``:

1. **Prepare** (:mod:`crmkit._dedupe._table`): records normalised and encoded, existing
   records first when new ones are checked against them.
2. **Block** (:mod:`crmkit._dedupe._blocking`): pairs sharing a key, joined in DuckDB.
3. **Compare** (:mod:`crmkit._dedupe._compare`): agreement levels of every candidate pair.
4. **Train** (:mod:`crmkit._dedupe._training`) unless a model is given, and **score**
   (:mod:`crmkit._dedupe._model`): match weights and probabilities.
5. **Cluster** (:mod:`crmkit._dedupe._cluster`) and list the pairs
   (:mod:`crmkit._dedupe._pairs`) in a :class:`~crmkit._dedupe._report.DuplicateReport`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from crmkit._dedupe._arrays import BoolArray, IntArray, LevelArray
from crmkit._dedupe._blocking import (
    Candidates,
    candidate_pairs,
    drop_excluded,
    rule_big_blocks,
)
from crmkit._dedupe._clock import Clock
from crmkit._dedupe._compare import compare, compare_levels
from crmkit._dedupe._features import FeatureTable
from crmkit._dedupe._identity import score_pairs
from crmkit._dedupe._keys import blocking_key_codes, sort_ranks
from crmkit._dedupe._labels import Labels, choose_threshold, learn
from crmkit._dedupe._link import link_scores, score_candidates
from crmkit._dedupe._memory import release_freed_memory
from crmkit._dedupe._model import MatchModel
from crmkit._dedupe._options import DEFAULT_THRESHOLD, SMALL_TABLE, Options
from crmkit._dedupe._report import DuplicateReport, Scored
from crmkit._dedupe._table import build_table, excluded_rows
from crmkit._dedupe._training import fit
from crmkit._exceptions import ValidationError

__all__ = ["run_crmkit"]


def run_crmkit(
    frame: Any,
    existing: Any,
    options: Options,
    *,
    threshold: float | None,
    average_threshold: float,
    min_probability: float,
    exclude_pairs: Iterable[tuple[Any, Any]] | None,
    model: MatchModel | None,
    connection: Any,
    labels: Labels | None = None,
    on_lap: Callable[[str], None] | None = None,
) -> DuplicateReport:
    """:func:`crmkit.find_duplicates` with crmkit's own engine (arguments checked there).

    ``on_lap`` is told the name of each step as it ends (a progress bar).

    ``labels`` (reviewed pairs) update a model fitted here (:mod:`crmkit._dedupe._labels`)
    and, when ``threshold`` is ``None``, may re-choose it; pairs labelled "different" are
    excluded like ``exclude_pairs``.
    """
    if labels is not None:
        exclude_pairs = [*(exclude_pairs or ()), *labels.different_pairs()]
    clock = Clock(on_lap)
    table_, source, new_from = build_table(frame, existing, options)
    if model is not None and [c.name for c in model.comparisons] != [
        c.name for c in table_.comparisons
    ]:
        raise ValidationError(
            "the model compares "
            f"{[c.name for c in model.comparisons]}, the records allow "
            f"{[c.name for c in table_.comparisons]}"
        )
    # The values' lookups are needed to encode, not to search (rebuilt if ever needed).
    table_.vocabs.release_indexes()
    release_freed_memory()  # the normalised strings of every record, now codes
    clock.lap("prepare")
    n = len(table_)
    # Integer keys, not strings: the same blocks without a string per record and rule.
    keys = blocking_key_codes(table_) if n >= SMALL_TABLE else []
    candidates = candidate_pairs(
        keys,
        sort_ranks(table_),
        connection=connection,
        new_from=new_from,
        max_block_size=options.max_block_size,
        window=options.window,
    )
    excluded = excluded_rows(exclude_pairs, table_)
    candidates = drop_excluded(candidates, excluded)
    # What training reads of the keys, taken now: the keys themselves (an integer per
    # record and rule) are let go before comparing.
    rule_fields = [k.fields for k in keys]
    rule_identity = [k.identity for k in keys]
    big_blocks = (
        rule_big_blocks(keys, candidates, options.max_block_size, identity_only=True)
        if model is None and n >= SMALL_TABLE
        else []
    )
    del keys
    table_.vocabs.release_indexes()  # those of the values derived for the keys
    release_freed_memory()
    clock.lap("blocking")
    levels = compare_levels(table_, candidates.a, table_, candidates.b)
    table_.vocabs.release_indexes()  # those of the parts of e-mails, names ... compared
    clock.lap("comparing")
    if model is None:
        if n >= SMALL_TABLE:
            model = fit(
                table_,
                levels,
                rules=candidates.rules,
                rule_fields=rule_fields,
                rule_identity=rule_identity,
                rule_big_blocks=big_blocks,
                pairs=(candidates.a, candidates.b),
                seed=options.seed,
            )
        else:
            model = MatchModel.defaults(table_.comparisons, n)
        if labels is not None and len(labels):
            model = _learn(
                table_,
                model,
                labels,
                candidates,
                levels,
                options.tf_adjust,
                options.identity,
                DEFAULT_THRESHOLD if threshold is None else threshold,
            )
    chosen = DEFAULT_THRESHOLD if threshold is None else threshold
    if threshold is None and labels is not None and len(labels):
        chosen = _learned_threshold(table_, model, labels, options.tf_adjust, options.identity)
    threshold = chosen
    clock.lap("training")
    scores = score_candidates(
        table_,
        model,
        candidates,
        levels,
        tf_adjust=options.tf_adjust,
        identity=options.identity,
        min_probability=min_probability,
    )
    # The levels (a byte a comparison and candidate pair) and the big-block marks are
    # not needed to cluster: let them go first (13 bytes a candidate pair for the
    # contacts' 10 comparisons).
    del levels, big_blocks
    release_freed_memory()
    linked = link_scores(
        table_,
        model,
        source,
        candidates,
        scores,
        excluded,
        tf_adjust=options.tf_adjust,
        threshold=threshold,
        average_threshold=average_threshold,
        min_probability=min_probability,
        seed=options.seed,
        identity=options.identity,
    )
    clock.lap("clustering")
    probability, pairs, clusters, run = (
        linked.probability,
        linked.pairs,
        linked.clusters,
        linked.run,
    )
    clock.lap("report")
    stats = {
        "records": n,
        "new_records": n - new_from if new_from is not None else n,
        "candidate_pairs": len(candidates),
        "blocking_rule_hits": candidates.hits(),
        "excluded_pairs": len(excluded),
        "matches": int((probability >= threshold).sum()),
        "listed_pairs": len(pairs),
        "min_probability": min_probability,
        "clusters": len(clusters),
        "clustered_records": sum(len(c) for c in clusters),
        "vetoed_links": linked.vetoed_links,
        "strong_joins": linked.strong_joins,
        "identity": options.identity,
        "job_changes": len(linked.job_changes),
        "seconds": clock.total,
        "step_seconds": clock.steps,
        "model": dict(model.info),
    }
    if labels is not None and len(labels):
        stats["labels"] = {"same": labels.n_same, "different": labels.n_different}
    scored = Scored(candidates.a, candidates.b, probability)
    return DuplicateReport(
        pairs,
        clusters,
        threshold,
        "crmkit",
        stats,
        model,
        run,
        _scored=scored,
        _labels=labels,
        job_changes=linked.job_changes,
    )


def _labelled(table_: FeatureTable, labels: Labels) -> tuple[IntArray, IntArray, BoolArray]:
    return labels.rows({record_id: row for row, record_id in enumerate(table_.ids)})


def _learn(
    table_: FeatureTable,
    model: MatchModel,
    labels: Labels,
    candidates: Candidates,
    levels: LevelArray,
    tf_adjust: bool,
    identity: str,
    threshold: float,
) -> MatchModel:
    """The fitted model updated with the labelled pairs among the records."""
    ia, ib, same = _labelled(table_, labels)
    if len(ia) == 0:
        return model
    n = max(len(table_), 1)
    labelled_keys = np.minimum(ia, ib).astype(np.int64) * n + np.maximum(ia, ib)
    low = np.minimum(candidates.a, candidates.b).astype(np.int64)
    keys = low * n + np.maximum(candidates.a, candidates.b)
    free = ~np.isin(keys, labelled_keys)
    scores, _, _ = score_pairs(
        model,
        table_,
        candidates.a[free],
        table_,
        candidates.b[free],
        levels[free],
        tf_adjust,
        identity,
    )
    labelled_levels = compare(table_, ia, table_, ib).levels
    labelled, _, _ = score_pairs(
        model, table_, ia, table_, ib, labelled_levels, tf_adjust, identity
    )
    return learn(
        model,
        (levels[free], scores[1]),
        (labelled_levels, labelled[1]),
        same,
        threshold,
        len(table_),
    )


def _learned_threshold(
    table_: FeatureTable, model: MatchModel, labels: Labels, tf_adjust: bool, identity: str
) -> float:
    """The threshold with the best F1 on the labelled pairs, or the default."""
    ia, ib, same = _labelled(table_, labels)
    levels = compare(table_, ia, table_, ib).levels
    scores, _, _ = score_pairs(model, table_, ia, table_, ib, levels, tf_adjust, identity)
    return choose_threshold(scores[1], same, DEFAULT_THRESHOLD)
