"""The records and the model of one search, kept for what is asked after it.

A :class:`Run` lets a report explain any pair of its records, list the records in no
cluster, and lets clustering score, on demand, pairs that blocking did not propose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from crmkit._dedupe._arrays import FloatArray, IntArray
from crmkit._dedupe._compare import compare
from crmkit._dedupe._explain import explain_pair
from crmkit._dedupe._features import FeatureTable
from crmkit._dedupe._frames import Source
from crmkit._dedupe._model import MatchModel
from crmkit._dedupe._tf import score_pairs
from crmkit._exceptions import RecordNotFoundError

__all__ = ["Run"]


@dataclass
class Run:
    """A feature table and its model: what explanations and on-demand scores need."""

    table: FeatureTable
    model: MatchModel
    source: Source
    tf_adjust: bool = False
    _row_of: dict[Any, int] | None = None

    def row(self, record_id: Any) -> int:
        """The row of a record id.

        Raises
        ------
        RecordNotFoundError
            The id is not among the records.
        """
        if self._row_of is None:
            self._row_of = {record_id: row for row, record_id in enumerate(self.table.ids)}
        try:
            return self._row_of[record_id]
        except KeyError:
            raise RecordNotFoundError(
                f"no record with id {record_id!r} among the records"
            ) from None

    def score_rows(self, ia: IntArray, ib: IntArray) -> FloatArray:
        """Match probabilities of the pairs of rows ``(ia[k], ib[k])``."""
        levels = compare(self.table, ia, self.table, ib).levels
        scores, _ = score_pairs(self.model, self.table, ia, self.table, ib, levels, self.tf_adjust)
        return scores[1]

    def explain(self, id_a: Any, id_b: Any) -> pd.DataFrame:
        """:func:`~crmkit._dedupe._explain.explain_pair` of two record ids."""
        return explain_pair(
            self.table,
            self.model,
            self.source,
            self.row(id_a),
            self.row(id_b),
            tf_adjust=self.tf_adjust,
        )
