"""Clustering (crmkit._dedupe._cluster): average linkage, no chaining, forbidden pairs."""

from __future__ import annotations

import numpy as np
import pytest

from crmkit._dedupe._cluster import cluster


def test_one_weak_link_does_not_chain() -> None:
    a, b = np.asarray([0, 1]), np.asarray([1, 2])
    # A-B 0.99, B-C 0.55: C is no strong link away from anyone.
    assert cluster(3, a, b, np.asarray([0.99, 0.55]), threshold=0.9) == [[0, 1]]
    # A-B 0.99, B-C 0.95, A-C 0.01: C matches B but not A; on average not the group.
    a, b = np.asarray([0, 1, 0]), np.asarray([1, 2, 2])
    assert cluster(3, a, b, np.asarray([0.99, 0.95, 0.01]), threshold=0.9) == [[0, 1]]
    # Without A-C among the scored pairs, it is scored on demand.
    assert cluster(
        3,
        a[:2],
        b[:2],
        np.asarray([0.99, 0.95]),
        threshold=0.9,
        score_missing=lambda x, y: np.full(len(x), 0.02),
    ) == [[0, 1]]
    # When A-C is fine, all three are one entity.
    assert cluster(3, a, b, np.asarray([0.99, 0.95, 0.9]), threshold=0.9) == [[0, 1, 2]]


@pytest.mark.parametrize("with_scorer", [True, False])
def test_a_long_chain_of_borderline_links_is_not_one_cluster(with_scorer: bool) -> None:
    n = 1000
    a = np.arange(n - 1, dtype=np.int64)
    b = a + 1

    def score(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        gap = np.abs(x - y)
        return np.where(gap == 1, 0.91, np.where(gap == 2, 0.3, 0.0))

    groups = cluster(
        n, a, b, np.full(n - 1, 0.91), threshold=0.9, score_missing=score if with_scorer else None
    )
    assert max(len(g) for g in groups) <= 3
    assert not any(0 in g and n - 1 in g for g in groups)
    assert all(max(g) - min(g) <= 2 for g in groups)


def test_forbidden_pairs_never_share_a_cluster() -> None:
    a, b = np.asarray([0, 1, 0]), np.asarray([1, 2, 2])
    groups = cluster(3, a, b, np.asarray([0.99, 0.98, 0.97]), threshold=0.9, forbidden=[(2, 0)])
    assert groups == [[0, 1]]
