"""Which cells an import reports as changed: the rule, on any mix of values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from crmkit._importing import _changed_rows


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
    st.text(max_size=4),
    st.integers(-3, 3),
    st.floats(allow_nan=False, min_value=-3, max_value=3),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2000, 1, 3)),
    st.lists(st.text(max_size=2), max_size=2),
)


@given(st.lists(st.tuples(cell, cell), max_size=30), st.booleans())
def test_changed_rows_follow_the_rule(pairs: list[tuple[Any, Any]], exact: bool) -> None:
    raw = [a for a, _ in pairs]
    values = [b for _, b in pairs]
    assert _changed_rows(raw, values, exact=exact) == reference(raw, values, exact)


def test_examples() -> None:
    raw = ["85", " Paris", "2001-02-03", "a; b", None, "x", "03/02/2001"]
    values = [85, "Paris", dt.date(2001, 2, 3), ["a", "b"], "y", None, dt.date(2001, 2, 3)]
    assert _changed_rows(raw, values, exact=False) == [1, 3, 6]
    assert _changed_rows(raw, values, exact=True) == [0, 1, 2, 3, 6]


def test_cells_that_compare_element_wise() -> None:
    raw: list[Any] = [np.array([1, 2]), "a"]
    assert _changed_rows(raw, [[1, 2], "b"], exact=True) == [1]  # same items: unchanged
