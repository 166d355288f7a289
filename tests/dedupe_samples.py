"""Shared by the tests of crmkit._dedupe: generated contacts with known duplicates."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pandas as pd

from crmkit.samples import generate

__all__ = ["MakeFrame", "cluster_pairs", "sample", "true_pairs"]

MakeFrame = Callable[[dict[str, list[Any]]], Any]


def sample(n: int, seed: int = 7, backend: str = "pandas") -> Any:
    """``n`` generated contacts (15% duplicates), ``source_id`` renamed ``id``."""
    data = generate(max(n // 10, 5), n, seed=seed, messiness=0.3, duplicates=0.15, backend=backend)  # type: ignore[arg-type]
    return (
        data.contacts.rename({"source_id": "id"})
        if backend == "polars"
        else (data.contacts.rename(columns={"source_id": "id"}))
    )


def true_pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
    """Every pair of ids of one entity (``entity_id``)."""
    out: set[tuple[str, str]] = set()
    for ids in frame.groupby("entity_id")["id"].apply(list):
        out.update(itertools.combinations(sorted(ids), 2))
    return out


def cluster_pairs(clusters: list[list[Any]]) -> set[tuple[Any, Any]]:
    """Every pair of ids put in one cluster."""
    return {p for c in clusters for p in itertools.combinations(sorted(c), 2)}
