"""A pandas DataFrame that shows itself through crmkit's table renderer.

History and batches are returned as DataFrames (every pandas verb works on them), but
shown as pandas shows them they mix ``NaN``, ``None`` and ``<NA>``. A
:class:`DisplayFrame` is that same DataFrame with crmkit's display: blank nulls,
labelled headers, interactive in notebooks. Anything derived from it (a filter, a
column, a copy) is a plain DataFrame again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import pandas as pd

from crmkit._util._table_html import Column, rows_to_read, table_html

__all__ = ["DisplayFrame", "display_frame"]


class DisplayFrame(pd.DataFrame):
    """A DataFrame shown with crmkit's tables (labels and kinds in ``_display_columns``).

    Examples
    --------
    >>> frame = display_frame(pd.DataFrame({"old": [None, 2.5]}), [Column("old", "Old")])
    >>> isinstance(frame, pd.DataFrame), "NaN" in repr(frame), "None" in repr(frame)
    (True, False, False)
    >>> type(frame[frame["old"] > 1]).__name__
    'DataFrame'
    """

    _metadata: ClassVar[list[str]] = ["_display_columns"]
    _display_columns: list[Column] | None

    @property
    def _constructor(self) -> Any:
        return pd.DataFrame  # a derived frame is an ordinary one

    def _plain(self) -> pd.DataFrame:
        return pd.DataFrame(self)

    def __repr__(self) -> str:
        frame = self._plain()
        return repr(frame.astype(object).where(frame.notna(), ""))

    def _repr_html_(self) -> str:
        frame = self._plain()
        return table_html(frame.head(rows_to_read()), self._display_columns, total=len(frame))


def display_frame(frame: pd.DataFrame, columns: Sequence[Column] | None = None) -> DisplayFrame:
    """``frame`` as a :class:`DisplayFrame` with these column labels and kinds."""
    result = DisplayFrame(frame)
    result._display_columns = list(columns) if columns is not None else None
    return result
