"""Comparing pairs (crmkit._dedupe._compare): normalised values agree at the right level,
Chinese names and their pinyin, swapped names, symmetry."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
import pytest
from dedupe_samples import MakeFrame
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit._dedupe import find_duplicates
from crmkit._dedupe._compare import compare
from crmkit._dedupe._comparisons import resolve_comparisons
from crmkit._dedupe._features import prepare


def _pair_levels(make_frame: MakeFrame, a: dict[str, Any], b: dict[str, Any]) -> pd.DataFrame:
    """find_duplicates on two records, and the explanation of the pair."""
    columns = sorted(set(a) | set(b))
    frame = make_frame({"id": [1, 2], **{c: [a.get(c), b.get(c)] for c in columns}})
    return find_duplicates(frame).explain(1, 2).set_index("field")


def _level(explained: pd.DataFrame, field: str) -> str:
    return str(explained.loc[field, "level"])


@pytest.mark.parametrize(
    ("field", "value_a", "value_b", "level"),
    [
        ("last_name", "Hélène", "HELENE", "exact"),  # accents and case
        ("first_name", "Bill", "William", "nickname"),
        ("first_name", "Bob", "Robert", "nickname"),
        ("first_name", "JB", "Jean-Baptiste", "nickname"),
        ("first_name", "Liz", "Elizabeth", "nickname"),
        ("first_name", "Bill", "Robert", "different"),
        ("email", "Helene.Blou+crm@Aprool.com", "helene.blou@aprool.com", "exact"),
        ("email", "john.smith@gmail.com", "JohnSmith@googlemail.com", "exact"),
        ("phone", "06 12 34 56 78", "+33 (0)6 12 34 56 78", "exact"),
        ("phone", "0033 6 12 34 56 78", "06.12.34.56.78", "exact"),
        ("phone", "06 12 34 56 78", "06 12 34 56 79", "close"),
        ("company", "Aprool SAS", "APROOL", "exact"),
        ("company", "S.A.S. Aprool", "Aprool S.A.S", "exact"),
        ("company", "Conseil Dupont SARL", "Dupont Conseil", "exact"),  # word order
        ("company", "北京华信科技有限公司", "北京华信科技", "exact"),
        ("company", "Huaxin Technology", "北京华信科技", "partial"),  # the brand in pinyin
        ("company", "Tengda Technology", "北京华信科技", "different"),
    ],
)
def test_normalised_values_agree(
    make_frame: MakeFrame, field: str, value_a: str, value_b: str, level: str
) -> None:
    explained = _pair_levels(make_frame, {field: value_a}, {field: value_b})
    assert _level(explained, field) == level


def test_chinese_name_matches_its_pinyin(make_frame: MakeFrame) -> None:
    explained = _pair_levels(
        make_frame,
        {"first_name": "伟", "last_name": "张"},
        {"first_name": "Wei", "last_name": "Zhang"},
    )
    assert _level(explained, "first_name") == "exact"
    assert _level(explained, "last_name") == "exact"
    # Written as one full name in the last-name cell, without a space.
    joined = _pair_levels(
        make_frame, {"last_name": "张伟"}, {"first_name": "Wei", "last_name": "Zhang"}
    )
    assert _level(joined, "last_name") == "exact"


def test_chinese_names_one_character_apart_differ(make_frame: MakeFrame) -> None:
    # In pinyin xiaohong and xiaolong look close; in characters they are two names.
    explained = _pair_levels(
        make_frame,
        {"first_name": "晓红", "last_name": "于"},
        {"first_name": "小龙", "last_name": "于"},
    )
    assert _level(explained, "first_name") == "different"
    latin = _pair_levels(
        make_frame,
        {"first_name": "Xiaohong", "last_name": "Yu"},
        {"first_name": "Xiaohon", "last_name": "Yu"},
    )
    assert _level(latin, "first_name") == "close"


def test_swapped_names(make_frame: MakeFrame) -> None:
    frame = make_frame(
        {
            "id": [1, 2, 3],
            "first_name": ["Dupont", "Jean", "Marc"],
            "last_name": ["Jean", "Dupont", "Petit"],
            "email": ["jean.dupont@aprool.com", "Jean.Dupont@aprool.com", None],
        }
    )
    report = find_duplicates(frame)
    assert report.clusters == [[1, 2]]
    row = report.pairs.iloc[0]
    assert bool(row["names_swapped"])
    assert row["first_name"] == "exact" and row["last_name"] == "exact"
    assert "(swapped)" in row["explanation"]


_NAMES = st.sampled_from(
    [
        "Jean",
        "Jéan",
        "JEAN",
        "Bill",
        "William",
        "Dupont",
        "Dupond",
        "张",
        "伟",
        "Zhang",
        "Wei",
        "Marie-Claire",
        "O'Brien",
        "",
        None,
    ]
)


@settings(max_examples=examples(40), deadline=None)
@given(st.lists(st.tuples(_NAMES, _NAMES), min_size=2, max_size=6))
def test_comparing_is_symmetric(names: list[tuple[str | None, str | None]]) -> None:
    frame = pd.DataFrame(
        {"first_name": [f for f, _ in names], "last_name": [s for _, s in names]},
        dtype=object,
    )
    table = prepare(
        frame, resolve_comparisons("contacts", None, frame.columns), ids=list(range(len(names)))
    )
    pairs = np.asarray(list(itertools.combinations(range(len(names)), 2)))
    forward = compare(table, pairs[:, 0], table, pairs[:, 1])
    backward = compare(table, pairs[:, 1], table, pairs[:, 0])
    assert forward.levels.tolist() == backward.levels.tolist()
    assert forward.swapped.tolist() == backward.swapped.tolist()
