"""Reading pandas and polars frames: columns as lists, and records back by row number.

The only module of :mod:`crmkit._dedupe` that tells pandas from polars.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from crmkit._util._frames import is_polars_frame, row_slice

__all__ = [
    "ReadBackSource",
    "RecordReader",
    "Source",
    "StoredRecords",
    "column_chunks",
    "drop_column",
    "frame_columns",
]


def frame_columns(frame: Any, names: Iterable[str]) -> dict[str, list[Any]]:
    """Columns of a pandas or polars frame as lists (``None`` for missing values).

    Examples
    --------
    >>> import pandas as pd
    >>> frame_columns(pd.DataFrame({"a": ["x", None]}), ["a", "b"])
    {'a': ['x', None], 'b': [None, None]}
    """
    n = len(frame)
    present = set(frame.columns)
    out: dict[str, list[Any]] = {}
    for name in names:
        out[name] = _column_list(frame[name]) if name in present else [None] * n
    return out


def column_chunks(frame: Any, names: Sequence[str], rows: int) -> Iterator[dict[str, list[Any]]]:
    """:func:`frame_columns` of ``rows`` records at a time, in row order.

    What a preparation reads instead of whole columns: a column of distinct values (e-mails,
    phones) is a Python string per record, some 60-80 bytes each.

    Examples
    --------
    >>> import pandas as pd
    >>> list(column_chunks(pd.DataFrame({"a": ["x", "y", None]}), ["a"], 2))
    [{'a': ['x', 'y']}, {'a': [None]}]
    """
    for start in range(0, len(frame), rows):
        yield frame_columns(row_slice(frame, start, rows), names)


def drop_column(frame: Any, name: str) -> None:
    """Remove a column from a pandas or polars frame in place (its memory goes with it
    once nothing else holds it); nothing if it has none.

    Examples
    --------
    >>> import pandas as pd, polars as pl
    >>> frame, other = pd.DataFrame({"a": [1], "b": [2]}), pl.DataFrame({"a": [1], "b": [2]})
    >>> drop_column(frame, "a"), drop_column(other, "b"), drop_column(other, "c")
    (None, None, None)
    >>> list(frame.columns), other.columns
    (['b'], ['a'])
    """
    if name not in set(frame.columns):
        return
    if is_polars_frame(frame):
        frame.drop_in_place(name)
    else:
        del frame[name]


def _column_list(column: Any) -> list[Any]:
    to_arrow = getattr(column, "to_arrow", None)  # polars
    try:
        array = to_arrow() if callable(to_arrow) else pa.array(column, from_pandas=True)
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            return _shared_strings(array)
        return list(array.to_pylist())
    except (pa.ArrowException, TypeError, ValueError):
        values = column.to_list() if hasattr(column, "to_list") else list(column)
        return [None if _missing(v) else v for v in values]


def _shared_strings(array: pa.Array | pa.ChunkedArray) -> list[Any]:
    """A string column as a list holding one Python string per distinct value.

    ``to_pylist`` makes a string object per row (some 60 bytes each): a city or a first
    name repeated over millions of records is held once here, each row a reference to it.
    """
    encoded = pc.dictionary_encode(array)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    distinct = np.empty(len(encoded.dictionary) + 1, dtype=object)  # the last: None
    distinct[:-1] = encoded.dictionary.to_pylist()
    indices = encoded.indices.fill_null(len(encoded.dictionary)).to_numpy(zero_copy_only=False)
    return list(distinct[indices].tolist())


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    return type(value).__name__ in ("NAType", "NaTType")


@dataclass
class Source:
    """Where the records of a feature table came from, to show their values.

    Examples
    --------
    >>> import pandas as pd
    >>> old, new = pd.DataFrame({"a": ["x", "y"]}), pd.DataFrame({"a": ["z"]})
    >>> Source([(old, 0), (new, 2)]).values(2, ["a", "b"])
    {'a': 'z', 'b': None}
    """

    frames: list[tuple[Any, int]]  # (frame, first row number in the table)

    def values(self, row: int, columns: Sequence[str]) -> dict[str, Any]:
        """The values of ``columns`` (``None`` where missing) of the record at ``row``."""
        for frame, start in reversed(self.frames):
            if row >= start:
                local = row - start
                piece = row_slice(frame, local, 1)
                return {c: v[0] for c, v in frame_columns(piece, columns).items()}
        return dict.fromkeys(columns)

    def values_of(self, rows: Sequence[int], columns: Sequence[str]) -> list[dict[str, Any]]:
        """:meth:`values` of many rows, reading each frame's columns once.

        Examples
        --------
        >>> import pandas as pd
        >>> old, new = pd.DataFrame({"a": ["x", "y"]}), pd.DataFrame({"a": ["z"]})
        >>> Source([(old, 0), (new, 2)]).values_of([2, 0], ["a"])
        [{'a': 'z'}, {'a': 'x'}]
        """
        read: dict[int, dict[str, list[Any]]] = {}
        out: list[dict[str, Any]] = []
        for row in rows:
            for number in range(len(self.frames) - 1, -1, -1):
                frame, start = self.frames[number]
                if row >= start:
                    if number not in read:
                        read[number] = frame_columns(frame, columns)
                    local = row - start
                    out.append({c: read[number][c][local] for c in columns})
                    break
            else:
                out.append(dict.fromkeys(columns))
        return out


RecordReader = Callable[[list[Any], list[str]], Any]
"""Reads records back by id: ``(ids, columns)`` -> a pandas or polars frame with an ``id``
column and those of ``columns`` it has, one row per id found."""


@dataclass
class ReadBackSource(Source):
    """A :class:`Source` that holds no records: it reads the rows asked for back by id.

    What a search run on a store keeps instead of the records read for it: at 1.1M
    contacts the frame held 0.5 GB through the whole search, and only the pairs shown,
    explained or found to be job changes need their values again.

    Examples
    --------
    >>> import pandas as pd
    >>> stored = pd.DataFrame({"id": [7, 9], "a": ["x", "y"]})
    >>> def read(ids, columns):
    ...     return stored[stored["id"].isin(ids)][["id", *columns]]
    >>> ReadBackSource(ids=[9, 7], read=read).values_of([1, 0], ["a"])
    [{'a': 'x'}, {'a': 'y'}]
    """

    frames: list[tuple[Any, int]] = field(default_factory=list)
    ids: Sequence[Any] = ()
    read: RecordReader | None = None

    def values(self, row: int, columns: Sequence[str]) -> dict[str, Any]:
        """The values of ``columns`` (``None`` where missing) of the record at ``row``."""
        return self.values_of([row], columns)[0]

    def values_of(self, rows: Sequence[int], columns: Sequence[str]) -> list[dict[str, Any]]:
        """:meth:`values` of many rows, read back in one query."""
        wanted = [self.ids[row] for row in rows]
        found: dict[Any, dict[str, Any]] = {}
        if wanted and self.read is not None:
            frame = self.read(list(dict.fromkeys(wanted)), list(columns))
            read = frame_columns(frame, ["id", *columns])
            for k, record_id in enumerate(read["id"]):
                found[record_id] = {c: read[c][k] for c in columns}
        return [found.get(record_id, dict.fromkeys(columns)) for record_id in wanted]


@dataclass
class StoredRecords:
    """Records handed to a search that lets them go once prepared.

    ``frame`` is taken (and dropped) by the preparation; the values asked for afterwards
    (explanations, job changes) are read back by id with ``read``. A store's search
    passes these so that nothing but this object holds the frame.

    Examples
    --------
    >>> import pandas as pd
    >>> records = StoredRecords(pd.DataFrame({"id": [1]}), read=lambda ids, columns: None)
    >>> len(records.take()), records.frame
    (1, None)
    """

    frame: Any
    read: RecordReader

    def take(self) -> Any:
        """The frame, no longer held here."""
        frame, self.frame = self.frame, None
        return frame
