"""Clustering (crmkit._dedupe._cluster): average linkage, no chaining, forbidden pairs."""

from __future__ import annotations

import numpy as np
import pytest

from crmkit._dedupe._cluster import cluster, clustering


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


# -- very strong, supported links (#13 part 4) ------------------------------------------


def test_a_strong_triangle_with_an_uncompared_edge_is_one_cluster() -> None:
    # 0-1 and 1-2 very strong; blocking never proposed 0-2, which scores 0 on demand:
    # the average (0.995 + 0) / 2 is below 0.5, but the only compared pair agrees.
    a, b = np.asarray([0, 1]), np.asarray([1, 2])
    found = clustering(
        3,
        a,
        b,
        np.asarray([0.999, 0.995]),
        threshold=0.9,
        score_missing=lambda x, y: np.zeros(len(x)),
    )
    assert found.groups == [[0, 1, 2]]
    assert (found.vetoed_links, found.strong_joins) == (0, 1)


def test_a_compared_weak_edge_is_no_support() -> None:
    # The same triangle with 0-2 compared and scored 0: one of two compared pairs
    # agrees, a tie, and a tie does not join (two colleagues sharing a switchboard).
    a, b = np.asarray([0, 1, 0]), np.asarray([1, 2, 2])
    found = clustering(3, a, b, np.asarray([0.999, 0.995, 0.0]), threshold=0.9)
    assert found.groups == [[0, 1]]
    assert (found.vetoed_links, found.strong_joins) == (1, 0)


def test_a_chain_of_colleagues_is_not_merged() -> None:
    # Colleagues 0..5 of one company: each very strongly linked to the next (company,
    # city, switchboard), every other pair compared and scored low.
    n = 6
    a, b, p = [], [], []
    for i in range(n):
        for j in range(i + 1, n):
            a.append(i)
            b.append(j)
            p.append(0.995 if j == i + 1 else 0.05)
    pairs = (np.asarray(a), np.asarray(b), np.asarray(p))
    found = clustering(n, *pairs, threshold=0.9)
    # Average linkage lets a colleague join a pair ((0.995 + 0.05) / 2 > 0.5), never more;
    # the very strong links add no join: the compared colleagues do not support them.
    assert found.groups == clustering(n, *pairs, threshold=0.9, strong_link=1.01).groups
    assert max(len(g) for g in found.groups) <= 3
    assert found.strong_joins == 0 and found.vetoed_links >= 1


def test_a_strong_link_never_joins_a_forbidden_pair() -> None:
    a, b = np.asarray([0, 1]), np.asarray([1, 2])
    found = clustering(
        3,
        a,
        b,
        np.asarray([0.999, 0.995]),
        threshold=0.9,
        forbidden=[(2, 0)],
        score_missing=lambda x, y: np.zeros(len(x)),
    )
    assert found.groups == [[0, 1]] and found.vetoed_links == 1


def test_strong_link_above_one_is_average_linkage_alone() -> None:
    a, b = np.asarray([0, 1]), np.asarray([1, 2])
    found = clustering(
        3,
        a,
        b,
        np.asarray([0.999, 0.995]),
        threshold=0.9,
        strong_link=1.01,
        score_missing=lambda x, y: np.zeros(len(x)),
    )
    assert found.groups == [[0, 1]] and (found.vetoed_links, found.strong_joins) == (1, 0)
