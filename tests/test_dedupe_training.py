"""Learning the match model without labels (crmkit._dedupe._training): u from the table,
m and the share of duplicates by EM on the candidate pairs, blended with defaults."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from dedupe_samples import sample, true_pairs

from crmkit._dedupe._blocking import candidate_pairs, rule_big_blocks
from crmkit._dedupe._compare import PairLevels, compare
from crmkit._dedupe._comparisons import resolve_comparisons
from crmkit._dedupe._features import FeatureTable, prepare
from crmkit._dedupe._keys import blocking_keys, sort_key
from crmkit._dedupe._model import DEFAULT_M, MatchModel
from crmkit._dedupe._training import fit


def _prepared(frame: pd.DataFrame) -> tuple[FeatureTable, Any, PairLevels, list[Any]]:
    comparisons = resolve_comparisons("contacts", None, frame.columns)
    table_ = prepare(frame, comparisons, ids=list(frame["id"]))
    keys = blocking_keys(table_)
    candidates = candidate_pairs(keys, sort_key(table_))
    return table_, candidates, compare(table_, candidates.a, table_, candidates.b), keys


def _fit(
    table_: FeatureTable, candidates: Any, levels: PairLevels, keys: list[Any], **kw: Any
) -> MatchModel:
    return fit(
        table_,
        levels.levels,
        rules=candidates.rules,
        rule_fields=[k.fields for k in keys],
        rule_identity=[k.identity for k in keys],
        **kw,
    )


def test_a_fitted_model_tells_true_pairs_from_the_others() -> None:
    frame = sample(800, seed=3)
    table_, candidates, levels, keys = _prepared(frame)
    model = _fit(table_, candidates, levels, keys)
    assert model.info["fitted"] and model.info["records"] == len(frame)
    assert model.info["candidate_pairs"] == len(candidates)
    assert model.info["em_sessions"] >= 2 and model.info["em_iterations"] > 0
    assert 0 < model.prior < 0.5
    entity = frame["entity_id"].to_numpy()
    same = entity[candidates.a] == entity[candidates.b]
    probability = model.score(levels.levels)[1]
    assert same.any() and (~same).any()
    assert np.median(probability[same]) > 0.9 > np.median(probability[~same])
    names = [c.name for c in model.comparisons]
    email = names.index("email")
    assert model.weights[email][0] > 10 and model.weights[email][-1] < 0
    for m in model.m:
        assert np.isclose(m.sum(), 1.0) and (m > 0).all()


def test_fitting_is_deterministic_for_a_seed() -> None:
    table_, candidates, levels, keys = _prepared(sample(300, seed=5))
    first = _fit(table_, candidates, levels, keys, seed=1)
    again = _fit(table_, candidates, levels, keys, seed=1)
    assert first.prior == again.prior
    assert all(np.array_equal(a, b) for a, b in zip(first.u, again.u, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(first.m, again.m, strict=True))


def test_one_session_without_rules_and_defaults_for_small_tables() -> None:
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "email": ["a@x.fr", "A@x.fr", "b@y.fr"],
            "last_name": ["Lee", "Lee", "Roy"],
        }
    )
    table_, _, _, _ = _prepared(frame)
    levels = compare(table_, np.asarray([0]), table_, np.asarray([1]))
    model = fit(table_, levels.levels)
    assert model.info["em_sessions"] == 1
    # Three records and one pair: the pseudo-counts keep m near the defaults.
    assert abs(model.m[0][0] - DEFAULT_M["last_name"][0]) < 0.15
    assert model.weights[0][0] > 0 and model.weights[1][0] > 5


def test_identical_records_still_count_agreement_as_evidence() -> None:
    n = 50
    frame = pd.DataFrame(
        {"id": range(n), "last_name": ["Dupont"] * n, "email": ["jean.dupont@x.fr"] * n}
    )
    table_, candidates, levels, keys = _prepared(frame)
    model = _fit(table_, candidates, levels, keys)
    # Every random pair agrees: u is capped, so agreeing on everything is not worthless.
    assert all(w[0] > 0 for w in model.weights)
    assert (model.score(levels.levels)[1] > 0.5).all()


def test_duplicates_in_a_big_block_count_for_the_pairs_they_stand_for() -> None:
    # One person's 300 records form a block of one name, paired only as a sorted
    # neighbourhood; the prior counts the block's 44,850 pairs, not its candidates.

    rows = [(f"Given{i}", f"Surname{i:03d}x", f"Town{i % 7}") for i in range(500)]
    rows += [("Kiyoshi", "Kato", "Kanagawa")] * 300
    frame = pd.DataFrame(rows, columns=["first_name", "last_name", "city"])
    t = prepare(frame, resolve_comparisons("contacts", None, frame.columns), ids=list(range(800)))
    keys = blocking_keys(t)
    pairs = candidate_pairs(keys, sort_key(t))
    levels = compare(t, pairs.a, t, pairs.b)
    common: dict[str, Any] = {
        "rules": pairs.rules,
        "rule_fields": [k.fields for k in keys],
        "rule_identity": [k.identity for k in keys],
    }
    plain = fit(t, levels.levels, **common)
    big = rule_big_blocks(keys, pairs, 20)
    weighted = fit(t, levels.levels, rule_big_blocks=big, pairs=(pairs.a, pairs.b), **common)
    assert plain.info["expected_duplicate_pairs"] < 5_000
    assert weighted.info["expected_duplicate_pairs"] > 40_000
    assert weighted.prior > 5 * plain.prior


def test_duplicates_in_big_blocks_of_different_people_count_once_each() -> None:
    # Generated contacts paired with tiny blocks (4 records): nearly every block is "big",
    # but its likely duplicates link pairs of one person, not the whole block, so the
    # estimate of duplicates stays that of the candidates, near the true number.
    frame = sample(2000, seed=3)
    table_ = prepare(
        frame, resolve_comparisons("contacts", None, frame.columns), ids=list(frame["id"])
    )
    keys = blocking_keys(table_)
    candidates = candidate_pairs(keys, sort_key(table_), max_block_size=4, window=2)
    levels = compare(table_, candidates.a, table_, candidates.b)
    plain = _fit(table_, candidates, levels, keys)
    big = rule_big_blocks(keys, candidates, 4)
    assert any(b.sum() > 100 for b in big)
    grouped = _fit(
        table_, candidates, levels, keys, rule_big_blocks=big, pairs=(candidates.a, candidates.b)
    )
    truth = len(true_pairs(frame))
    assert grouped.info["expected_duplicate_pairs"] < 1.1 * max(
        plain.info["expected_duplicate_pairs"], truth
    )


def test_sampling_u_holds_a_few_pairs_at_a_time() -> None:
    """u comes from 150,000 random pairs whatever the table's size: compared at once they
    held 27 MB (numpy, traced) on 1,500 records, most of a small search's memory; compared
    25,000 at a time, about 13 MB, with the same u."""
    import tracemalloc

    from crmkit._dedupe._training import _estimate_u, _sampled_levels
    from crmkit.samples import generate

    frame = generate(100, 1500, seed=3).contacts
    comparisons = resolve_comparisons("contacts", None, frame.columns)
    table_ = prepare(frame, comparisons, ids=list(range(len(frame))))
    rng = np.random.default_rng(0)
    ia, ib = rng.integers(0, len(frame), 60_000), rng.integers(0, len(frame), 60_000)
    assert np.array_equal(_sampled_levels(table_, ia, ib), compare(table_, ia, table_, ib).levels)
    _estimate_u(table_, np.random.default_rng(0), 150_000)  # first-use tables loaded
    tracemalloc.start()
    try:
        _estimate_u(table_, np.random.default_rng(0), 150_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20
