"""DataFrames as sources (crmkit._formats._dataframe): pandas and polars, missing values,
typed columns, LazyFrames.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
from format_samples import (
    read_rows,
)

from crmkit._formats import (
    read_table,
)
from crmkit._formats._dataframe import frame_source


def test_frames_in(make_frame: Callable[[dict[str, list[Any]]], Any]) -> None:
    frame = make_frame(
        {
            "Nom": ["Blou", "Roy", None],
            "CA": [4.5, None, 12.0],
            "Créé le": [dt.date(2024, 1, 5), None, dt.date(2023, 2, 1)],
            "Client": [True, False, None],
        }
    )
    src = read_table(frame)
    assert (src.kind, src.columns, src.n_rows, src.line_label) == (
        "frame",
        ("Nom", "CA", "Créé le", "Client"),
        3,
        "row",
    )
    assert src.path is None and src.header_line is None
    chunks = list(src.chunks(chunk_rows=2))
    assert [c.lines.tolist() for c in chunks] == [[1, 2], [3]]
    rows = pd.concat([c.frame for c in chunks]).to_dict("records")
    assert rows == [
        {"Nom": "Blou", "CA": 4.5, "Créé le": dt.date(2024, 1, 5), "Client": True},
        {"Nom": "Roy", "CA": None, "Créé le": None, "Client": False},
        {"Nom": None, "CA": 12.0, "Créé le": dt.date(2023, 2, 1), "Client": None},
    ]


def test_pandas_nan_nat_and_typed_columns() -> None:
    frame = pd.DataFrame(
        {
            "n": [1.5, np.nan],
            "when": pd.to_datetime(["2024-01-02 10:00", None]),
            "k": pd.array([1, None], dtype="Int64"),
            "s": pd.Series(["a", None], dtype="str"),
        }
    )
    chunk = read_table(frame).read()
    assert chunk.frame.to_dict("records") == [
        {"n": 1.5, "when": dt.datetime(2024, 1, 2, 10, 0), "k": 1, "s": "a"},
        {"n": None, "when": None, "k": None, "s": None},
    ]
    assert type(chunk.frame.iloc[0]["when"]) is dt.datetime


def test_polars_lazyframe_in() -> None:
    lazy = pl.LazyFrame({"Nom": ["Blou", "Roy"], "N": [1, None]}).with_columns(pl.col("N") * 2)
    src = read_table(lazy)
    assert src.columns == ("Nom", "N") and src.n_rows is None
    assert read_rows(src) == [{"Nom": "Blou", "N": 2}, {"Nom": "Roy", "N": None}]


# -- the module's own functions ----------------------------------------------------------


def test_frame_source_names_and_counts() -> None:
    frame = pd.DataFrame([[1, 2, 3]], columns=["a", "a", 7])
    src = frame_source(frame)
    assert (src.kind, src.columns, src.n_rows, src.line_label) == (
        "frame",
        ("a", "a (2)", "7"),
        1,
        "row",
    )
    assert src.read().frame.values.tolist() == [[1, 2, 3]]


def test_frame_source_of_polars_nan_and_empty_frames() -> None:
    chunk = frame_source(pl.DataFrame({"x": [1.5, float("nan"), None]})).read()
    assert chunk.frame["x"].tolist() == [1.5, None, None]
    assert chunk.lines.tolist() == [1, 2, 3]
    empty = frame_source(pd.DataFrame({"Nom": pd.Series([], dtype=object)}))
    assert list(empty.chunks()) == [] and empty.n_rows == 0
    assert empty.read().frame.columns.tolist() == ["Nom"]
