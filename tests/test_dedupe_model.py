"""The match model (crmkit._dedupe._model): Fellegi-Sunter weights, monotone, and the scores
they give pairs of records."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit._dedupe._comparisons import LEVELS, Comparison
from crmkit._dedupe._model import (
    DEFAULT_M,
    DEFAULT_U,
    MatchModel,
    anchors_of,
    default_u,
    effective_levels,
    given_default,
    probability_of,
)

COMPANY = Comparison("company", "company")
CITY = Comparison("city", "city", given=("company",))
EMAIL = Comparison("email", "email")


def test_defaults_have_a_value_per_level() -> None:
    for method, levels in LEVELS.items():
        assert len(DEFAULT_M[method]) == len(levels)
        assert math.isclose(sum(DEFAULT_M[method]), 1.0)
        assert len(DEFAULT_U[method]) == len(levels) - 1
    u = default_u(EMAIL)
    assert len(u) == 4 and math.isclose(u.sum(), 1.0) and u[-1] == pytest.approx(1 - 1.2e-4)


def test_probability_of() -> None:
    assert probability_of(np.asarray([0.0, 1.0, -1.0, 1e6])).tolist() == pytest.approx(
        [0.5, 2 / 3, 1 / 3, 1.0]
    )


def test_weights_are_log_ratios_made_monotone() -> None:
    model = MatchModel(
        (EMAIL,),
        [np.asarray([0.5, 0.3, 0.1, 0.1])],
        [np.asarray([0.001, 0.5, 0.001, 0.498])],
        prior=0.01,
    )
    weights = model.weights[0]
    assert weights[0] == pytest.approx(math.log2(0.5 / 0.001))
    assert weights[1] == pytest.approx(math.log2(0.3 / 0.5))
    assert weights[2] == weights[1]  # a weaker agreement never counts more than a stronger
    assert weights[3] <= 0 and all(np.diff(weights) <= 0)
    even = np.full(4, 0.25)
    against = MatchModel((EMAIL,), [np.asarray([0.1, 0.1, 0.1, 0.7])], [even], 0.5)
    assert against.weights[0][0] == 0.0  # an exact agreement never counts against


def test_scores_sum_the_prior_and_each_present_comparison() -> None:
    model = MatchModel.defaults([EMAIL, COMPANY], n_records=100)
    assert model.info == {"fitted": False}
    levels = np.asarray([[0, 0], [0, -1], [-1, -1], [3, 3]], dtype=np.int8)
    weight, probability, parts = model.score(levels)
    assert parts[1, 1] == 0 and parts[2].tolist() == [0, 0]
    assert weight[2] == pytest.approx(model.prior_weight)
    assert weight.tolist() == pytest.approx((model.prior_weight + parts.sum(axis=1)).tolist())
    assert probability.tolist() == pytest.approx(probability_of(weight).tolist())
    assert probability[0] > 0.99 > probability[3]
    table = model.table()
    assert table.columns.tolist() == ["comparison", "level", "given", "m", "u", "weight"]
    assert len(table) == 8 and table["given"].isna().all()


def test_given_comparisons_shift_the_levels() -> None:
    comparisons = [
        COMPANY,
        CITY,
        Comparison("postal_code", "postal_code", given=("company", "city")),
    ]
    anchors = anchors_of(comparisons)
    assert anchors == [[], [0], [0, 1]]
    levels = np.asarray([[0, 0, 0], [3, 0, 1], [3, 2, 0], [-1, 1, -1]], dtype=np.int8)
    effective = effective_levels(comparisons, anchors, levels)
    # city (3 levels) is shifted by 3 where the company agrees; postal_code by 3 where the
    # company agrees, else by 6 where the city agrees.
    assert effective.tolist() == [[0, 3, 3], [3, 0, 7], [3, 2, 0], [-1, 1, -1]]
    model = MatchModel.defaults(comparisons, n_records=10)
    assert [len(u) for u in model.u] == [4, 6, 9]
    assert model.table()["given"].fillna("-").tolist()[4:10] == [
        "-",
        "-",
        "-",
        "company",
        "company",
        "company",
    ]


def test_given_default() -> None:
    u = default_u(CITY)
    shifted = given_default(CITY, u)
    assert shifted[0] == 0.5 and math.isclose(shifted.sum(), 1.0)
    assert given_default(EMAIL, default_u(EMAIL)).tolist() == default_u(EMAIL).tolist()
    code = Comparison("siren", "code")
    assert given_default(code, default_u(code))[0] == pytest.approx(math.sqrt(1e-5))


@given(st.lists(st.integers(min_value=-1, max_value=3), min_size=2, max_size=2))
def test_a_stronger_level_never_scores_lower(pair: list[int]) -> None:
    model = MatchModel.defaults([EMAIL, COMPANY], n_records=1000)
    levels = np.asarray([pair], dtype=np.int8)
    better = levels.copy()
    better[0, 0] = 0
    assert model.score(better)[0][0] >= model.score(levels)[0][0] or pair[0] == -1
