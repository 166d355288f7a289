"""pandas or polars: the one place that tells the two kinds of DataFrame apart.

Code that takes "a pandas or polars DataFrame" asks these helpers which one it holds, and
uses them for the few verbs that differ (collecting a LazyFrame, slicing rows, converting
to pandas), instead of testing types itself.

Nothing here imports pandas or polars. An object can only be a polars (or pandas) frame
once that library has been imported, so the checks look its classes up in
:data:`sys.modules`: asking costs nothing on a path, or in a process, that never loads
the library, and a library blocked from importing (``sys.modules["polars"] = None``)
simply answers no.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TypeGuard

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = [
    "collect",
    "is_pandas",
    "is_polars",
    "is_polars_frame",
    "is_polars_lazy",
    "row_slice",
    "to_pandas",
]


def _is_instance(obj: Any, library: str, name: str) -> bool:
    module = sys.modules.get(library)
    return module is not None and isinstance(obj, getattr(module, name))


def is_pandas(obj: Any) -> TypeGuard[pd.DataFrame]:
    """True for a pandas DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> is_pandas(pd.DataFrame({"a": [1]})), is_pandas(pd.Series([1])), is_pandas([{"a": 1}])
    (True, False, False)
    """
    return _is_instance(obj, "pandas", "DataFrame")


def is_polars_frame(obj: Any) -> TypeGuard[pl.DataFrame]:
    """True for a polars DataFrame (not a LazyFrame).

    Examples
    --------
    >>> import polars as pl
    >>> is_polars_frame(pl.DataFrame({"a": [1]})), is_polars_frame(pl.LazyFrame({"a": [1]}))
    (True, False)
    """
    return _is_instance(obj, "polars", "DataFrame")


def is_polars_lazy(obj: Any) -> TypeGuard[pl.LazyFrame]:
    """True for a polars LazyFrame.

    Examples
    --------
    >>> import polars as pl
    >>> is_polars_lazy(pl.LazyFrame({"a": [1]})), is_polars_lazy(pl.DataFrame({"a": [1]}))
    (True, False)
    """
    return _is_instance(obj, "polars", "LazyFrame")


def is_polars(obj: Any) -> TypeGuard[pl.DataFrame | pl.LazyFrame]:
    """True for a polars DataFrame or LazyFrame.

    Examples
    --------
    >>> import pandas as pd, polars as pl
    >>> is_polars(pl.DataFrame()), is_polars(pl.LazyFrame()), is_polars(pd.DataFrame())
    (True, True, False)
    """
    return is_polars_frame(obj) or is_polars_lazy(obj)


def collect(frame: Any) -> Any:
    """A polars LazyFrame collected into a DataFrame; any other frame as it is.

    Examples
    --------
    >>> import polars as pl
    >>> collect(pl.LazyFrame({"a": [1, 2]})).height
    2
    """
    return frame.collect() if is_polars_lazy(frame) else frame


def row_slice(frame: Any, start: int, length: int) -> Any:
    """Rows ``start`` to ``start + length - 1`` of a pandas or polars DataFrame.

    The result is a frame of the same kind (shorter at the end of the frame); a pandas
    slice keeps its index labels.

    Examples
    --------
    >>> import pandas as pd, polars as pl
    >>> row_slice(pd.DataFrame({"a": [1, 2, 3]}), 1, 5)["a"].tolist()
    [2, 3]
    >>> row_slice(pl.DataFrame({"a": [1, 2, 3]}), 0, 2)["a"].to_list()
    [1, 2]
    """
    if is_polars_frame(frame):
        return frame.slice(start, length)
    return frame.iloc[start : start + length]


def to_pandas(frame: Any) -> Any:
    """A polars DataFrame or LazyFrame as a pandas DataFrame; anything else as it is.

    Examples
    --------
    >>> import polars as pl
    >>> is_pandas(to_pandas(pl.DataFrame({"a": [1]})))
    True
    >>> to_pandas([1, 2])
    [1, 2]
    """
    return collect(frame).to_pandas() if is_polars(frame) else frame
