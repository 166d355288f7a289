"""String similarities of coded value pairs (crmkit._dedupe._similarity): each distinct pair
scored once by rapidfuzz, spread back over the pairs."""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from crmkit._dedupe._similarity import DistinctPairs, similarities
from crmkit._dedupe._vocab import Vocab


def _vocab(*values: str) -> Vocab:
    vocab = Vocab()
    vocab.encode(values)
    return vocab


def test_similarities_match_rapidfuzz_pair_by_pair() -> None:
    vocab = _vocab("martin", "martine", "dupont", "dupond")
    ca = np.asarray([0, 2, 0, 0, 1], dtype=np.int32)
    cb = np.asarray([1, 3, 1, 2, 0], dtype=np.int32)
    got = similarities(ca, cb, vocab, JaroWinkler.similarity)
    expected = [
        JaroWinkler.similarity(vocab.values[a], vocab.values[b])
        for a, b in zip(ca.tolist(), cb.tolist(), strict=True)
    ]
    assert got.dtype == np.float32
    assert np.allclose(got, expected, atol=1e-6)
    scaled = similarities(ca, cb, vocab, fuzz.ratio, scale=100.0, cutoff=90.0)
    assert scaled.tolist()[3] == 0.0  # martin / dupont: under the cutoff
    assert abs(scaled[0] - fuzz.ratio("martin", "martine") / 100) < 1e-6
    assert similarities(ca[:0], cb[:0], vocab, fuzz.ratio).tolist() == []


def test_each_distinct_pair_is_scored_once() -> None:
    vocab = _vocab("a", "b", "c")
    pairs = DistinctPairs(
        np.asarray([0, 0, 1, 0], dtype=np.int32), np.asarray([1, 1, 2, 1], dtype=np.int32), vocab
    )
    assert (pairs.left, pairs.right) == (["a", "b"], ["b", "c"])
    assert pairs.inverse.tolist() == [0, 0, 1, 0]
    calls: list[tuple[str, str]] = []

    def scorer(x: str, y: str, **_: object) -> float:
        calls.append((x, y))
        return float(ord(y) - ord(x))

    assert pairs.score(scorer).tolist() == [1.0, 1.0, 1.0, 1.0]
    assert sorted(calls) == [("a", "b"), ("b", "c")]


def test_mostly_distinct_pairs_skip_the_deduplication() -> None:
    n = 200_000
    vocab = Vocab()
    vocab.encode([f"v{i}" for i in range(n + 1)])
    ca = np.arange(n, dtype=np.int32)
    pairs = DistinctPairs(ca, ca + 1, vocab)
    assert pairs.inverse.tolist()[:3] == [0, 1, 2] and len(pairs.left) == n
    assert pairs.left[:2] == ["v0", "v1"] and pairs.right[:2] == ["v1", "v2"]
