"""The pairs DataFrame of a report (crmkit._dedupe._pairs): one row per scored pair, most
probable first, levels as categories, an explanation each."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit._dedupe._blocking import candidate_pairs
from crmkit._dedupe._compare import compare
from crmkit._dedupe._comparisons import Comparison, resolve_comparisons
from crmkit._dedupe._features import prepare
from crmkit._dedupe._keys import blocking_keys, sort_key
from crmkit._dedupe._model import MatchModel
from crmkit._dedupe._pairs import as_ids, empty_pairs, pairs_frame


def _scored(ids: list[object]) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = pd.DataFrame(
        {
            "first_name": ["Jean", "Jean", "Marc", "Dupont"],
            "last_name": ["Dupont", "Dupont", "Dupont", "Jean"],
            "email": ["jd@x.fr", "jd@x.fr", "md@x.fr", None],
        }
    )
    table_ = prepare(frame, resolve_comparisons("contacts", None, frame.columns), ids=ids)
    candidates = candidate_pairs(blocking_keys(table_), sort_key(table_))
    levels = compare(table_, candidates.a, table_, candidates.b)
    model = MatchModel.defaults(table_.comparisons, len(table_))
    scores = model.score(levels.levels)
    return pairs_frame(table_, candidates, levels, scores, 0.0), pairs_frame(
        table_, candidates, levels, scores, 0.9999
    )


def test_pairs_most_probable_first_with_their_levels() -> None:
    everything, likely = _scored([10, 11, 12, 13])
    assert everything.columns.tolist() == [
        "id_a",
        "id_b",
        "probability",
        "match_weight",
        "first_name",
        "last_name",
        "email",
        "names_swapped",
        "explanation",
    ]
    assert everything["probability"].is_monotonic_decreasing
    assert everything["id_a"].dtype == np.int64
    best = everything.iloc[0]
    assert (best["id_a"], best["id_b"]) == (10, 11)
    assert (best["first_name"], best["email"]) == ("exact", "exact")
    assert everything["email"].cat.categories.tolist() == [
        "exact",
        "same_local",
        "close",
        "different",
    ]
    swapped = everything[(everything.id_a == 10) & (everything.id_b == 13)].iloc[0]
    assert bool(swapped["names_swapped"]) and pd.isna(swapped["email"])
    assert "(swapped)" in swapped["explanation"]
    assert set(likely["probability"]) <= set(everything["probability"])
    assert (likely["probability"] >= 0.9999).all() and len(likely) == 1


def test_ids_that_are_not_integers_stay_as_they_are() -> None:
    everything, _ = _scored(["a", "b", "c", "d"])
    assert everything["id_a"].dtype != np.int64 and everything.iloc[0]["id_a"] == "a"


def test_as_ids() -> None:
    column = pd.Series([1, 2], dtype=object)
    assert as_ids(column, [1, 2]).dtype == np.int64
    assert as_ids(column, [True, False]).dtype == object
    assert as_ids(column, []).dtype == object
    assert as_ids(column, [np.int32(1)]).dtype == np.int64


def test_empty_pairs_have_every_column() -> None:
    frame = empty_pairs([Comparison("email", "email"), Comparison("city", "city")])
    assert frame.empty
    assert frame.columns.tolist() == [
        "id_a",
        "id_b",
        "probability",
        "match_weight",
        "email",
        "city",
        "explanation",
    ]
    assert frame["city"].cat.categories.tolist() == ["exact", "close", "different"]
    assert frame["probability"].dtype == np.float64
