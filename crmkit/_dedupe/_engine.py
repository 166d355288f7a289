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

from collections.abc import Iterable
from typing import Any

from crmkit._dedupe._blocking import candidate_pairs, drop_excluded, rule_big_blocks
from crmkit._dedupe._clock import Clock
from crmkit._dedupe._compare import compare
from crmkit._dedupe._keys import blocking_keys, sort_key
from crmkit._dedupe._link import link
from crmkit._dedupe._model import MatchModel
from crmkit._dedupe._options import SMALL_TABLE, Options
from crmkit._dedupe._report import DuplicateReport
from crmkit._dedupe._table import build_table, excluded_rows
from crmkit._dedupe._training import fit
from crmkit._exceptions import ValidationError

__all__ = ["run_crmkit"]


def run_crmkit(
    frame: Any,
    existing: Any,
    options: Options,
    *,
    threshold: float,
    average_threshold: float,
    min_probability: float,
    exclude_pairs: Iterable[tuple[Any, Any]] | None,
    model: MatchModel | None,
    connection: Any,
) -> DuplicateReport:
    """:func:`crmkit.find_duplicates` with crmkit's own engine (arguments checked there)."""
    clock = Clock()
    table_, source, new_from = build_table(frame, existing, options)
    if model is not None and [c.name for c in model.comparisons] != [
        c.name for c in table_.comparisons
    ]:
        raise ValidationError(
            "the model compares "
            f"{[c.name for c in model.comparisons]}, the records allow "
            f"{[c.name for c in table_.comparisons]}"
        )
    clock.lap("prepare")
    n = len(table_)
    keys = blocking_keys(table_) if n >= SMALL_TABLE else []
    candidates = candidate_pairs(
        keys,
        sort_key(table_),
        connection=connection,
        new_from=new_from,
        max_block_size=options.max_block_size,
        window=options.window,
    )
    excluded = excluded_rows(exclude_pairs, table_)
    candidates = drop_excluded(candidates, excluded)
    clock.lap("blocking")
    levels = compare(table_, candidates.a, table_, candidates.b)
    clock.lap("comparing")
    if model is None:
        if n >= SMALL_TABLE:
            model = fit(
                table_,
                levels,
                rules=candidates.rules,
                rule_fields=[k.fields for k in keys],
                rule_identity=[k.identity for k in keys],
                rule_big_blocks=rule_big_blocks(keys, candidates, options.max_block_size),
                pairs=(candidates.a, candidates.b),
                seed=options.seed,
            )
        else:
            model = MatchModel.defaults(table_.comparisons, n)
    clock.lap("training")
    linked = link(
        table_,
        model,
        source,
        candidates,
        levels,
        excluded,
        tf_adjust=options.tf_adjust,
        threshold=threshold,
        average_threshold=average_threshold,
        min_probability=min_probability,
        seed=options.seed,
        identity=options.identity,
    )
    clock.lap("clustering")
    scores, pairs, clusters, run = linked.scores, linked.pairs, linked.clusters, linked.run
    clock.lap("report")
    stats = {
        "records": n,
        "new_records": n - new_from if new_from is not None else n,
        "candidate_pairs": len(candidates),
        "blocking_rule_hits": candidates.hits(),
        "excluded_pairs": len(excluded),
        "matches": int((scores[1] >= threshold).sum()),
        "listed_pairs": len(pairs),
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
    return DuplicateReport(
        pairs, clusters, threshold, "crmkit", stats, model, run, job_changes=linked.job_changes
    )
