"""``DuplicateReport.explain()`` for the Splink engine: :class:`SplinkExplainer`.

Nothing is re-run: the explainer keeps the rows that ``linker.inference.predict`` returned
(the candidate pairs scoring at least the search's floor, ``min(min_probability,
threshold)``), reduced to their ids, match weight and per-comparison ``gamma_*``, ``mw_*``
and ``mw_tf_adj_*`` columns, plus each comparison level's label, ``m`` and ``u`` and the
prior. A pair below the floor, or one Splink's blocking rules never proposed, cannot be
explained and says which of the two it is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crmkit._dedupe._explain import _joined
from crmkit._dedupe._frames import Source
from crmkit._exceptions import RecordNotFoundError, ValidationError

__all__ = ["Level", "SplinkExplainer", "splink_levels"]


@dataclass(frozen=True)
class Level:
    """One Splink comparison level: its label, ``m`` and ``u`` (NaN for the null level)."""

    label: str
    m: float
    u: float


def splink_levels(linker: Any) -> tuple[dict[str, dict[int, Level]], float]:
    """Each comparison's levels by gamma value, and the prior match probability."""
    out: dict[str, dict[int, Level]] = {}
    settings = linker._settings_obj
    for comparison in settings.comparisons:
        levels: dict[int, Level] = {}
        for level in comparison.comparison_levels:
            if level.is_null_level:
                levels[level.comparison_vector_value] = Level(
                    level.label_for_charts, math.nan, math.nan
                )
            else:
                levels[level.comparison_vector_value] = Level(
                    level.label_for_charts, float(level.m_probability), float(level.u_probability)
                )
        out[comparison.output_column_name] = levels
    return out, float(settings._probability_two_random_records_match)


@dataclass
class SplinkExplainer:
    """Explains pairs of a Splink search from its kept prediction rows."""

    ids: Sequence[Any]
    names: list[str]
    columns: list[tuple[str, ...]]  # each comparison's source columns
    records: pd.DataFrame  # prepare_for_splink(): unique_id and the normalised values
    source: Source
    edges: pd.DataFrame  # kept prediction rows
    levels: dict[str, dict[int, Level]]
    prior: float
    rules: list[list[str]]
    floor: float
    _row_of: dict[Any, int] = field(default_factory=dict, repr=False)
    _edge_of: dict[tuple[int, int], int] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        ids: Sequence[Any],
        names: list[str],
        columns: list[tuple[str, ...]],
        records: pd.DataFrame,
        source: Source,
        edges: pd.DataFrame,
        levels: dict[str, dict[int, Level]],
        prior: float,
        rules: list[list[str]],
        floor: float,
    ) -> SplinkExplainer:
        """Keep only the columns an explanation reads."""
        wanted = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
        for name in names:
            wanted += [f"gamma_{name}", f"mw_{name}", f"mw_tf_adj_{name}"]
        kept = edges[[c for c in wanted if c in edges.columns]].reset_index(drop=True)
        return cls(ids, names, columns, records, source, kept, levels, prior, rules, floor)

    def row(self, record_id: Any) -> int:
        if not self._row_of:
            self._row_of = {record_id: row for row, record_id in enumerate(self.ids)}
        try:
            return self._row_of[record_id]
        except KeyError:
            raise RecordNotFoundError(
                f"no record with id {record_id!r} among the records"
            ) from None

    def _edge(self, ra: int, rb: int) -> int | None:
        if not self._edge_of and len(self.edges):
            left = self.edges["unique_id_l"].to_numpy(dtype=np.int64)
            right = self.edges["unique_id_r"].to_numpy(dtype=np.int64)
            low, high = np.minimum(left, right).tolist(), np.maximum(left, right).tolist()
            self._edge_of = {(a, b): k for k, (a, b) in enumerate(zip(low, high, strict=True))}
        return self._edge_of.get((min(ra, rb), max(ra, rb)))

    def _blocked_together(self, ra: int, rb: int) -> bool:
        a, b = self.records.iloc[ra], self.records.iloc[rb]
        return any(all(a[c] is not None and a[c] == b[c] for c in cols) for cols in self.rules)

    def explain(self, id_a: Any, id_b: Any) -> pd.DataFrame:
        """The crmkit engine's explain table, from Splink's levels and weights."""
        ra, rb = self.row(id_a), self.row(id_b)
        if ra == rb:
            raise ValidationError(f"explain() needs two different records, got {id_a!r} twice")
        k = self._edge(ra, rb)
        if k is None:
            if self._blocked_together(ra, rb):
                raise ValidationError(
                    f"Splink compared {id_a!r} and {id_b!r} but scored them below "
                    f"{self.floor:g}, the lowest probability this report keeps; lower "
                    "min_probability to explain it"
                )
            raise ValidationError(
                f"Splink never compared {id_a!r} and {id_b!r}: they are not a candidate "
                "pair under its blocking rules"
            )
        edge = self.edges.iloc[k]
        rows = []
        for comparison, name in zip(self.columns, self.names, strict=True):
            gamma = int(edge[f"gamma_{name}"])
            level = self.levels.get(name, {}).get(gamma)
            weight = float(edge.get(f"mw_{name}", 0.0))
            tf = edge.get(f"mw_tf_adj_{name}")
            tf_bits = 0.0 if tf is None or pd.isna(tf) else float(tf)
            rows.append(
                {
                    "field": name,
                    "value_a": _joined(self.source.values(ra, comparison).values()),
                    "value_b": _joined(self.source.values(rb, comparison).values()),
                    "normalized_a": self.records[name].iat[ra],
                    "normalized_b": self.records[name].iat[rb],
                    "level": level.label if level is not None and gamma >= 0 else None,
                    "similarity": math.nan,
                    "m": level.m if level is not None else math.nan,
                    "u": level.u if level is not None else math.nan,
                    "weight": (0.0 if math.isnan(weight) else weight) + tf_bits,
                    "term_frequency": tf_bits,
                    "value_count": None,
                }
            )
        rows.append(
            {
                "field": "(prior)",
                "weight": math.log2(self.prior / (1.0 - self.prior)),
                "m": math.nan,
                "u": math.nan,
                "similarity": math.nan,
            }
        )
        out = pd.DataFrame(rows)
        out.attrs["match_weight"] = float(edge["match_weight"])
        out.attrs["probability"] = float(edge["match_probability"])
        return out
