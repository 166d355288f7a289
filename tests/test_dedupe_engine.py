"""The crmkit engine (crmkit._dedupe._engine): generated CRM data, new records against
existing ones, reviewed pairs, extra fields, small and huge blocks, pandas and polars,
the given DuckDB connection."""

from __future__ import annotations

from typing import Any

import pytest
from dedupe_samples import MakeFrame, cluster_pairs, sample, true_pairs

from crmkit._dedupe import DedupeIndex, DuplicateReport, find_duplicates
from crmkit._exceptions import ValidationError
from crmkit.samples import generate


def test_generated_contacts_are_found() -> None:
    frame = sample(1500)
    report = find_duplicates(frame)
    truth, found = true_pairs(frame), cluster_pairs(report.clusters)
    precision = len(truth & found) / len(found)
    recall = len(truth & found) / len(truth)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_generated_accounts_are_found() -> None:
    data = generate(1500, 0, seed=3, messiness=0.3, duplicates=0.15)
    frame = data.accounts.rename(columns={"source_id": "id"})
    report = find_duplicates(frame, kind="accounts")
    truth, found = true_pairs(frame), cluster_pairs(report.clusters)
    assert len(truth & found) / len(found) >= 0.9
    assert len(truth & found) / len(truth) >= 0.9
    assert "domain" in report.pairs.columns and "siren" in report.pairs.columns


def test_new_against_existing_gives_the_full_run_pairs_involving_new_records() -> None:
    frame = sample(1200, seed=11)
    existing, new = frame.iloc[:1000], frame.iloc[1000:]
    full = find_duplicates(frame, min_probability=0.0)
    incremental = find_duplicates(new, existing, model=full.model, min_probability=0.0)
    new_ids = set(new["id"])

    def scored(report: DuplicateReport) -> dict[tuple[Any, Any], float]:
        pairs = report.pairs
        return {
            (a, b): round(p, 9)
            for a, b, p in zip(pairs.id_a, pairs.id_b, pairs.probability, strict=True)
            if a in new_ids or b in new_ids
        }

    expected = scored(full)
    assert expected and scored(incremental) == expected
    assert incremental.stats["new_records"] == len(new)
    assert incremental.stats["candidate_pairs"] < full.stats["candidate_pairs"]
    with pytest.raises(ValidationError, match="both"):
        find_duplicates(frame, existing)


def test_empty_one_record_and_all_null(make_frame: MakeFrame) -> None:
    empty = make_frame({"id": [], "first_name": [], "last_name": []})
    report = find_duplicates(empty)
    assert report.pairs.empty and report.clusters == [] and report.stats["records"] == 0
    one = make_frame({"id": [1], "first_name": ["Ann"], "last_name": ["Lee"]})
    assert find_duplicates(one).clusters == []
    nulls = make_frame(
        {"id": [1, 2, 3], "first_name": [None] * 3, "last_name": [None] * 3, "email": [None] * 3}
    )
    report = find_duplicates(nulls)
    assert report.pairs.empty and report.clusters == []
    assert DedupeIndex.build(one).similar({"first_name": "Ann", "last_name": "Lee"})[
        "id"
    ].tolist() == [1]


# -- memory (issue 14): what the search holds from stage to stage --------------------------


def test_the_search_blocks_on_integer_keys_and_clusters_without_the_levels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Blocking took a Python string per record and rule (most of what blocking added at a
    # million contacts); clustering ran while the engine held every candidate's levels.
    import gc
    import weakref

    import numpy as np

    from crmkit._dedupe import _engine

    seen: dict[str, Any] = {}
    real_pairs, real_levels, real_link = (
        _engine.candidate_pairs,
        _engine.compare_levels,
        _engine.link_scores,
    )

    def pairs(keys: Any, sort_keys: Any, **kwargs: Any) -> Any:
        seen["keys"] = [type(k.keys) for k in keys] + [type(sort_keys)]
        return real_pairs(keys, sort_keys, **kwargs)

    def levels(*args: Any) -> Any:
        out = real_levels(*args)
        seen["levels"] = weakref.ref(out)
        return out

    def link(*args: Any, **kwargs: Any) -> Any:
        gc.collect()
        seen["levels_alive"] = seen["levels"]() is not None
        return real_link(*args, **kwargs)

    monkeypatch.setattr(_engine, "candidate_pairs", pairs)
    monkeypatch.setattr(_engine, "compare_levels", levels)
    monkeypatch.setattr(_engine, "link_scores", link)
    frame = sample(600)
    report = find_duplicates(frame)
    monkeypatch.undo()
    assert set(seen["keys"]) == {np.ndarray}
    assert seen["levels_alive"] is False
    assert cluster_pairs(report.clusters) == cluster_pairs(find_duplicates(frame).clusters)


def test_the_search_keeps_no_value_to_code_dicts_and_still_explains() -> None:
    report = find_duplicates(sample(300))
    vocabs = report._run.table.vocabs if report._run is not None else None
    assert vocabs is not None

    def held(vocab: Any) -> list[Any]:
        return [vocab._index, *(d for sub in vocab._subs.values() for d in held(sub))]

    # Encoding needs them, and the search encodes no more once compared: some 40 bytes a
    # distinct value (e-mail, phone, local part ...) let go.
    assert [d for vocab in vocabs.spaces.values() for d in held(vocab) if d is not None] == []
    assert any(len(vocab) for vocab in vocabs.spaces.values())
    a, b = report.pairs.iloc[0][["id_a", "id_b"]]
    weights = report.explain(a, b)["weight"]
    assert weights.sum() == pytest.approx(report.pairs.iloc[0]["match_weight"])
