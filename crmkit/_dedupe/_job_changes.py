"""Job changes of ``identity="person"``: the ``job_change`` column of a report's pairs,
its words in the explanations, and :attr:`DuplicateReport.job_changes`.

A job change is a pair linked by strong person evidence although its companies differ
(see :mod:`crmkit._dedupe._identity`). Which record is the older one is told by
``updated_at``, else ``created_at``, when the records have them (the earlier date is the
old job); without dates the pair's order is kept and ``dated`` is false.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmkit._dedupe._arrays import FloatArray, IntArray
from crmkit._dedupe._comparisons import Comparison
from crmkit._dedupe._frames import Source
from crmkit._dedupe._identity import PersonEvidence

__all__ = ["DATE_COLUMNS", "JOB_CHANGE_COLUMNS", "empty_job_changes", "label_job_changes"]

JOB_CHANGE_COLUMNS = (
    "id_old",
    "id_new",
    "company_old",
    "company_new",
    "city_old",
    "city_new",
    "probability",
    "dated",
)
DATE_COLUMNS = ("updated_at", "created_at")
_SHOWN_BITS = 0.05


def empty_job_changes() -> pd.DataFrame:
    """The job changes frame without a row.

    Examples
    --------
    >>> list(empty_job_changes().columns)[:4]
    ['id_old', 'id_new', 'company_old', 'company_new']
    """
    return pd.DataFrame({name: pd.Series([], dtype=object) for name in JOB_CHANGE_COLUMNS})


def _column(comparisons: Sequence[Comparison], method: str) -> str | None:
    for comparison in comparisons:
        if comparison.method == method:
            return comparison.columns[0]
    return None


def _when(values: dict[str, Any]) -> Any:
    for name in DATE_COLUMNS:
        value = values.get(name)
        if value is not None:
            try:
                return pd.Timestamp(value)
            except (TypeError, ValueError):
                continue
    return None


def label_job_changes(
    pairs: pd.DataFrame,
    comparisons: Sequence[Comparison],
    source: Source,
    rows_a: IntArray,
    rows_b: IntArray,
    evidence: PersonEvidence,
    threshold: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pairs with a ``job_change`` column and the person evidence in their explanations,
    and the job changes at or above ``threshold``.

    ``rows_a``, ``rows_b`` and ``evidence`` are those of the rows of ``pairs``, in order.
    """
    pairs = pairs.copy()
    company = _column(comparisons, "company")
    city = _column(comparisons, "city")
    wanted = [c for c in (company, city, *DATE_COLUMNS) if c is not None]
    names = [c.name for c in comparisons]
    texts = pairs["explanation"].tolist()
    bits: FloatArray = evidence.bits.sum(axis=1)
    changes: list[dict[str, Any]] = []
    probability = pairs["probability"].to_numpy()
    ids_a, ids_b = pairs["id_a"].tolist(), pairs["id_b"].tolist()
    moved = np.flatnonzero(evidence.job_change)
    # Read once for all job changes (a row at a time took 0.3 ms each: seconds for the
    # 20,000 job changes of the PatentsView inventors).
    values_of = source.values_of(np.concatenate([rows_a[moved], rows_b[moved]]).tolist(), wanted)
    value_a = dict(zip(moved.tolist(), values_of[: len(moved)], strict=True))
    value_b = dict(zip(moved.tolist(), values_of[len(moved) :], strict=True))
    for i in np.flatnonzero(evidence.strong).tolist():
        if evidence.job_change[i]:
            values_a, values_b = value_a[i], value_b[i]
            when_a, when_b = _when(values_a), _when(values_b)
            dated = when_a is not None and when_b is not None
            old, new, id_old, id_new = values_a, values_b, ids_a[i], ids_b[i]
            if dated and when_b < when_a:
                old, new, id_old, id_new = values_b, values_a, ids_b[i], ids_a[i]
            company_old = old.get(company) if company else None
            company_new = new.get(company) if company else None
            city_old = old.get(city) if city else None
            city_new = new.get(city) if city else None
            part = f"job change: {company_old} → {company_new}"
            if city_old and city_new and city_old != city_new:
                part += f", {city_old} → {city_new}"
            texts[i] = f"{texts[i]}, {part} ({bits[i]:+.1f})"
            if probability[i] >= threshold:
                changes.append(
                    {
                        "id_old": id_old,
                        "id_new": id_new,
                        "company_old": company_old,
                        "company_new": company_new,
                        "city_old": city_old,
                        "city_new": city_new,
                        "probability": float(probability[i]),
                        "dated": dated,
                    }
                )
        elif bits[i] >= _SHOWN_BITS:
            aside = [n for k, n in enumerate(names) if evidence.bits[i, k] >= _SHOWN_BITS]
            texts[i] = f"{texts[i]}, same person: {', '.join(aside)} set aside ({bits[i]:+.1f})"
    position = list(pairs.columns).index("explanation")
    pairs.insert(position, "job_change", evidence.job_change.astype(bool))
    pairs["explanation"] = texts
    if not changes:
        return pairs, empty_job_changes()
    frame = pd.DataFrame(changes, columns=list(JOB_CHANGE_COLUMNS))
    return pairs, frame
