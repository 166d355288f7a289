"""The records and the model of one search, kept for what is asked after it.

A :class:`Run` lets a report explain any pair of its records, list the records in no
cluster, and lets clustering score, on demand, pairs that blocking did not propose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crmkit._dedupe._arrays import FloatArray, IntArray
from crmkit._dedupe._compare import compare
from crmkit._dedupe._explain import explain_pair
from crmkit._dedupe._features import FeatureTable
from crmkit._dedupe._frames import Source
from crmkit._dedupe._identity import person_evidence, score_pairs
from crmkit._dedupe._model import MatchModel
from crmkit._exceptions import RecordNotFoundError

__all__ = ["Run"]


@dataclass
class Run:
    """A feature table and its model: what explanations and on-demand scores need."""

    table: FeatureTable
    model: MatchModel
    source: Source
    tf_adjust: bool = False
    identity: str = "role"
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
        scores, _, _ = score_pairs(
            self.model, self.table, ia, self.table, ib, levels, self.tf_adjust, self.identity
        )
        return scores[1]

    def explain(self, id_a: Any, id_b: Any) -> pd.DataFrame:
        """:func:`~crmkit._dedupe._explain.explain_pair` of two record ids.

        With ``identity="person"`` and strong person evidence, a ``(person)`` row before
        ``(prior)`` holds the bits that set the role fields aside (``level``: ``"job
        change"`` when the companies differ, else ``"same person"``).
        """
        ra, rb = self.row(id_a), self.row(id_b)
        table_ = explain_pair(self.table, self.model, self.source, ra, rb, tf_adjust=self.tf_adjust)
        if self.identity != "person":
            return table_
        ia, ib = np.asarray([ra]), np.asarray([rb])
        levels = compare(self.table, ia, self.table, ib).levels
        evidence = person_evidence(self.model, self.table, ia, self.table, ib, levels)
        bits = float(evidence.bits[0].sum())
        if not evidence.strong[0] or bits == 0.0:
            return table_
        row = {
            "field": "(person)",
            "level": "job change" if evidence.job_change[0] else "same person",
            "weight": bits,
            "m": np.nan,
            "u": np.nan,
            "similarity": np.nan,
        }
        out = pd.concat([table_.iloc[:-1], pd.DataFrame([row]), table_.iloc[-1:]])
        out = out.reset_index(drop=True)
        out.attrs.update(table_.attrs)
        return out
