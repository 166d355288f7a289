"""pandas or polars (crmkit._util._frames): which kind of DataFrame, and the verbs that differ."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import polars as pl

from crmkit._util._frames import (
    collect,
    is_pandas,
    is_polars,
    is_polars_frame,
    is_polars_lazy,
    row_slice,
    to_pandas,
)


def test_kinds_of_frame() -> None:
    pandas, polars, lazy = pd.DataFrame({"a": [1]}), pl.DataFrame({"a": [1]}), pl.LazyFrame()
    assert [is_pandas(x) for x in (pandas, polars, lazy, pd.Series([1]))] == [
        True,
        False,
        False,
        False,
    ]
    assert [is_polars_frame(x) for x in (pandas, polars, lazy)] == [False, True, False]
    assert [is_polars_lazy(x) for x in (pandas, polars, lazy)] == [False, False, True]
    assert [is_polars(x) for x in (pandas, polars, lazy, pl.Series([1]))] == [
        False,
        True,
        True,
        False,
    ]


def test_collect_row_slice_and_to_pandas() -> None:
    lazy = pl.LazyFrame({"a": [1, 2, 3]})
    assert collect(lazy).equals(pl.DataFrame({"a": [1, 2, 3]}))
    frame = pd.DataFrame({"a": [1, 2, 3]}, index=[10, 11, 12])
    assert collect(frame) is frame
    part = row_slice(frame, 1, 5)
    assert part["a"].tolist() == [2, 3] and part.index.tolist() == [11, 12]
    assert row_slice(pl.DataFrame({"a": [1, 2, 3]}), 2, 1)["a"].to_list() == [3]
    assert row_slice(frame, 3, 1).empty
    converted = to_pandas(lazy)
    assert is_pandas(converted) and converted["a"].tolist() == [1, 2, 3]
    assert to_pandas(frame) is frame and to_pandas("x") == "x"


def test_asking_loads_neither_library_and_a_blocked_one_answers_no() -> None:
    code = (
        "import sys\n"
        "sys.modules['polars'] = None\n"
        "from crmkit._util._frames import is_pandas, is_polars, to_pandas\n"
        "print(is_polars(object()), is_pandas(object()), to_pandas(3), 'pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False", "3", "False"]
