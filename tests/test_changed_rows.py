"""Which cells an import reports as changed: the rule, on any mix of values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from crmkit._importing._chunks import _changed_rows


def reference(raw: list[Any], values: list[Any], exact: bool) -> list[int]:
    return [
        i
        for i, (a, b) in enumerate(zip(raw, values, strict=True))
        if a is not None
        and b is not None
        and a != b
        and (exact or str(a).lower() != str(b).lower())
    ]


cell = st.one_of(
    st.none(),
    st.text(max_size=3),
    st.integers(-3, 3),
    st.floats(min_value=-3, max_value=3).filter(lambda x: not x.is_integer()),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2000, 1, 3)),
)
# An import stores a function of the cell: the same cell always gives the same value.
normalizers: list[Callable[[Any], Any]] = [
    lambda a: a,
    str,
    lambda a: str(a).upper(),
    lambda a: None,
    lambda a: [a],
    lambda a: a.isoformat() if isinstance(a, dt.date) else a,
    lambda a: a.strip() if isinstance(a, str) else a,
]


@given(st.lists(cell, max_size=30), st.sampled_from(normalizers), st.booleans())
def test_changed_rows_follow_the_rule(
    raw: list[Any], normalize: Callable[[Any], Any], exact: bool
) -> None:
    values = [None if a is None else normalize(a) for a in raw]
    assert _changed_rows(raw, values, exact=exact) == reference(raw, values, exact)


def test_examples() -> None:
    raw = ["85", " Paris", "2001-02-03", "a; b", None, "x", "03/02/2001"]
    values = [85, "Paris", dt.date(2001, 2, 3), ["a", "b"], "y", None, dt.date(2001, 2, 3)]
    assert _changed_rows(raw, values, exact=False) == [1, 3, 6]
    assert _changed_rows(raw, values, exact=True) == [0, 1, 2, 3, 6]


def test_unhashable_cells() -> None:
    raw: list[Any] = [["a", "b"], ["a"], None]
    assert _changed_rows(raw, [["a", "b"], ["A"], ["x"]], exact=False) == []
    assert _changed_rows(raw, [["a", "b"], ["b"], ["x"]], exact=False) == [1]


def test_cells_that_compare_element_wise() -> None:
    raw: list[Any] = [np.array([1, 2]), "a"]
    assert _changed_rows(raw, [[1, 2], "b"], exact=True) == [1]  # same items: unchanged
