"""Reading pandas and polars frames (crmkit._dedupe._frames): columns as lists with None for
missing values, records back by row number, the same report from either library.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import polars as pl
from dedupe_samples import sample

from crmkit._dedupe import find_duplicates
from crmkit._dedupe._frames import Source, frame_columns


def test_pandas_and_polars_give_the_same_report() -> None:
    pandas_frame = sample(600, seed=21)
    polars_frame = sample(600, seed=21, backend="polars")
    left, right = find_duplicates(pandas_frame), find_duplicates(polars_frame)
    assert left.clusters == right.clusters
    pd.testing.assert_frame_equal(left.pairs, right.pairs)


# -- the module's own functions ----------------------------------------------------------


def test_frame_columns_of_pandas_and_polars() -> None:
    pandas = pd.DataFrame(
        {
            "a": ["x", None],
            "n": [1.5, float("nan")],
            "d": pd.to_datetime(["2024-01-05", None]),
            "k": pd.array([1, None], dtype="Int64"),
        }
    )
    columns = frame_columns(pandas, ["a", "n", "d", "k", "missing"])
    assert columns["a"] == ["x", None] and columns["n"] == [1.5, None]
    assert columns["d"][1] is None and columns["d"][0].date() == dt.date(2024, 1, 5)
    assert columns["k"] == [1, None] and columns["missing"] == [None, None]
    polars = pl.DataFrame({"a": ["x", None], "n": [1.5, None]})
    assert frame_columns(polars, ["a", "n"]) == {"a": ["x", None], "n": [1.5, None]}


def test_mixed_object_columns_fall_back_to_python_values() -> None:
    mixed = pd.DataFrame({"m": pd.Series(["x", 1, float("nan"), pd.NA], dtype=object)})
    assert frame_columns(mixed, ["m"]) == {"m": ["x", 1, None, None]}


def test_source_values_by_row(backend: str) -> None:
    def frame(values: list[str]) -> Any:
        return pd.DataFrame({"a": values}) if backend == "pandas" else pl.DataFrame({"a": values})

    source = Source([(frame(["x", "y"]), 0), (frame(["z"]), 2)])
    assert [source.values(r, ["a"]) for r in range(3)] == [{"a": "x"}, {"a": "y"}, {"a": "z"}]
    assert source.values(1, ["a", "b"]) == {"a": "y", "b": None}
    assert Source([(frame(["z"]), 5)]).values(1, ["a"]) == {"a": None}
