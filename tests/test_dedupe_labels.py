"""Learning from reviewers (crmkit._dedupe._labels): labels are read strictly, move the
model in the direction of the answers, and re-choose the threshold only with enough."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
import pytest
from dedupe_samples import MakeFrame

from crmkit._dedupe import Comparison, find_duplicates
from crmkit._dedupe._labels import MIN_LABELS_PER_CLASS, choose_threshold, learn, read_labels
from crmkit._dedupe._model import MatchModel
from crmkit._exceptions import ValidationError
from crmkit.samples import generate


def generated(seed: int, n: int = 1500) -> tuple[pd.DataFrame, dict[int, Any]]:
    """Messy generated contacts with ids 1..n, and the entity of each id (the truth)."""
    data = generate(n // 10, n, seed=seed, messiness=0.8, duplicates=0.15, locales=["fr", "en"])
    frame = data.contacts.reset_index(drop=True)
    frame["id"] = np.arange(1, len(frame) + 1)
    truth = dict(zip(frame["id"].tolist(), frame["entity_id"].tolist(), strict=True))
    return frame.drop(columns=["entity_id"]), truth


def test_labels_are_read_from_pandas_or_polars_and_the_last_decision_wins(
    make_frame: MakeFrame,
) -> None:
    labels = read_labels(
        make_frame(
            {
                "id_a": [1, 3, 2, 5],
                "id_b": [2, 4, 1, 6],
                "decision": ["different", "same", "same", "different"],
            }
        )
    )
    assert (labels.id_a, labels.id_b, labels.same.tolist()) == (
        [3, 2, 5],
        [4, 1, 6],
        [True] * 2 + [False],
    )
    assert (labels.n_same, labels.n_different, labels.different_pairs()) == (2, 1, [(5, 6)])


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (pd.DataFrame({"id_a": [1], "id_b": [2]}), "missing decision"),
        (
            pd.DataFrame({"id_a": [1, 1], "id_b": [2, 3], "decision": ["same", "Same"]}),
            "row 1: decision .* got 'Same'",
        ),
        ([(4, 4, "same")], "row 0: id_a and id_b are both 4"),
        ([(1, 2)], r"row 0: expected \(id_a, id_b, decision\), got \(1, 2\)"),
    ],
)
def test_bad_labels_are_refused_naming_the_row_and_value(labels: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        read_labels(labels)


def test_labels_move_m_and_u_the_way_of_the_answers() -> None:
    """Pairs at ~0.8 that agree on the surname: "different" answers lower m and raise u of
    the surname's agreement, "same" answers raise m (the band was thought 80% duplicates)."""
    model = MatchModel.defaults([Comparison("last_name", "last_name")], n_records=200)
    levels = np.asarray([[0]] * 30 + [[3]] * 170, dtype=np.int8)
    probability = np.asarray([0.8] * 30 + [0.02] * 170)
    labelled = (levels[:10], probability[:10])
    different = learn(
        model, (levels[10:], probability[10:]), labelled, np.zeros(10, bool), 0.9, 200
    )
    same = learn(model, (levels[10:], probability[10:]), labelled, np.ones(10, bool), 0.9, 200)
    assert different.m[0][0] < model.m[0][0] < same.m[0][0]
    assert different.u[0][0] > model.u[0][0]
    assert different.weights[0][0] < model.weights[0][0] < same.weights[0][0]
    assert different.info["labels_different"] == 10 and same.info["labels_same"] == 10


def test_answers_on_borderline_pairs_move_their_scores() -> None:
    frame, _truth = generated(seed=1)
    plain = find_duplicates(frame)
    borderline = plain.pairs[plain.pairs["probability"].between(0.5, 0.9, inclusive="left")]
    assert len(borderline)
    a, b = int(borderline["id_a"].iloc[0]), int(borderline["id_b"].iloc[0])
    pairs = borderline[["id_a", "id_b"]]
    same = find_duplicates(frame, labels=pairs.assign(decision="same"))
    different = find_duplicates(frame, labels=pairs.assign(decision="different"))

    def weight(report: Any) -> float:
        return float(report.explain(a, b)["weight"].sum())

    assert weight(different) < weight(plain) < weight(same)
    assert same.stats["labels"] == {"same": len(pairs), "different": 0}
    assert same.model is not None and same.model.info["labels_same"] == len(pairs)
    # "different" pairs stay out of pairs and clusters.
    listed = set(zip(different.pairs["id_a"], different.pairs["id_b"], strict=True))
    assert (a, b) not in listed and (b, a) not in listed
    assert not any({a, b} <= set(c) for c in different.clusters)


def test_the_threshold_is_rechosen_only_with_enough_labels_of_each_kind() -> None:
    rng = np.random.default_rng(0)
    probability = np.r_[rng.uniform(0.6, 1.0, 30), rng.uniform(0.0, 0.4, 30)]
    same = np.r_[np.ones(30, bool), np.zeros(30, bool)]
    chosen = choose_threshold(probability, same, 0.9)
    assert 0.5 <= chosen < 0.6  # between the lowest "same" and the highest "different"
    few = MIN_LABELS_PER_CLASS - 1
    assert (
        choose_threshold(np.r_[probability[:30], probability[30 : 30 + few]], same[: 30 + few], 0.9)
        == 0.9
    )
    assert choose_threshold(probability[25:], same[25:], 0.9) == 0.9  # 5 "same" only


def test_a_search_rechooses_its_threshold_from_labels_unless_given_one() -> None:
    frame, truth = generated(seed=2)
    plain = find_duplicates(frame)
    ranked = plain.pairs.sort_values("probability")
    # Ten true duplicates and ten pairs called different, all judged by the truth.
    pairs = list(zip(ranked["id_a"], ranked["id_b"], strict=True))
    same = [(a, b, "same") for a, b in pairs if truth[a] == truth[b]][:10]
    different = [(a, b, "different") for a, b in pairs if truth[a] != truth[b]][:10]
    ids = sorted(truth)
    strangers = [(a, b) for a, b in itertools.pairwise(ids) if truth[a] != truth[b]]
    different += [(a, b, "different") for a, b in strangers[: 10 - len(different)]]
    labels = pd.DataFrame(same + different, columns=["id_a", "id_b", "decision"])
    learned = find_duplicates(frame, labels=labels)
    assert learned.threshold != 0.9
    assert find_duplicates(frame, labels=labels, threshold=0.9).threshold == 0.9
    assert find_duplicates(frame, labels=labels.iloc[1:]).threshold == 0.9  # nine "same"


def test_labels_need_the_crmkit_engine(make_frame: MakeFrame) -> None:
    frame = make_frame({"id": [1, 2], "first_name": ["a", "b"], "last_name": ["c", "d"]})
    with pytest.raises(ValidationError, match="crmkit engine"):
        find_duplicates(frame, engine="splink", labels=[(1, 2, "same")])


def test_answers_in_review_order_do_not_cost_recall() -> None:
    """Regression: the pairs a reviewer sees first are the least certain, so counting their
    levels as a sample of duplicates (or of different records) taught the model that
    duplicates rarely agree, and 20 such answers cut recall (0.97 to 0.92 on 4,600
    contacts). Learning is stratified by probability band; answers from the truth on
    the first pairs of the review order must not lose true pairs."""
    from crmkit.widgets._review import informative_order

    frame, truth = generated(seed=7, n=3000)
    plain = find_duplicates(frame)
    rows = list(
        zip(plain.pairs["id_a"], plain.pairs["id_b"], plain.pairs["probability"], strict=True)
    )
    first = [rows[k] for k in informative_order(rows, plain.threshold, plain.clusters)[:20]]
    labels = pd.DataFrame(
        [(a, b, "same" if truth[a] == truth[b] else "different") for a, b, _ in first],
        columns=["id_a", "id_b", "decision"],
    )
    learned = find_duplicates(frame, labels=labels)

    def found(report: Any) -> int:
        above = report.pairs[report.pairs["probability"] >= report.threshold]
        return sum(truth[a] == truth[b] for a, b in zip(above["id_a"], above["id_b"], strict=True))

    assert found(learned) >= found(plain) > 0


def test_labels_with_the_person_identity() -> None:
    frame, _truth = generated(seed=1, n=600)
    plain = find_duplicates(frame, identity="person")
    pairs = plain.pairs[["id_a", "id_b"]].head(3)
    learned = find_duplicates(frame, identity="person", labels=pairs.assign(decision="same"))
    assert learned.stats["labels"] == {"same": 3, "different": 0}
    assert learned.accuracy().method == "reviews"
