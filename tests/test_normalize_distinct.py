"""map_distinct and map_distinct_checked (crmkit._normalize._distinct): one call per distinct
value, on lists, pandas and polars Series."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import polars as pl
import pytest

from crmkit._normalize._distinct import map_distinct, map_distinct_checked
from crmkit._normalize._quantities import HeadcountResult, parse_headcount
from crmkit._normalize._text import split_list


@pytest.fixture(params=["list", "pandas", "polars"])
def as_container(request: pytest.FixtureRequest) -> Callable[[list[Any]], Any]:
    """Wrap a list of values as a list, a pandas Series or a polars Series."""
    kind = request.param

    def wrap(values: list[Any]) -> Any:
        if kind == "pandas":
            return pd.Series(values)  # pandas 3 infers the "str" dtype: None becomes NaN
        if kind == "polars":
            return pl.Series(values, dtype=pl.String)
        return list(values)

    return wrap


def test_map_distinct_calls_once_per_distinct_value(as_container: Callable[..., Any]) -> None:
    calls: list[Any] = []

    def spy(value: Any) -> Any:
        calls.append(value)
        return value

    values = ["a", "b", "a", None, "b", None, "a"] * 1000
    assert len(map_distinct(as_container(values), spy)) == len(values)
    assert len(calls) == 3


def test_map_distinct_keeps_types_apart_and_handles_unhashables() -> None:
    assert map_distinct([1, 1.0, True], repr) == ["1", "1.0", "True"]
    assert map_distinct([["a"], ["a"]], split_list) == [["a"], ["a"]]


def test_map_distinct_checked_pairs_results_and_errors() -> None:
    results, errors = map_distinct_checked(["12", "douze", "12"], parse_headcount)
    assert results == [HeadcountResult(12), None, HeadcountResult(12)]
    assert errors[0] is None and errors[2] is None
    assert errors[1] is not None and "'douze'" in errors[1]
