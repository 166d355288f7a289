"""A compact index of an import's match keys: each key to a number, no Python object per key.

An import remembers every key of the rows it has seen, to find a later row that is the
same record (:class:`crmkit._importing._matching.FileGroups`). A Python ``dict`` of strings
costs some 200 bytes a key, which grows to gigabytes on files of millions of rows; this
index keeps 128-bit hashes of the keys and their numbers in sorted NumPy runs: 24 bytes a
key. Two different keys share a hash with a probability of about n² / 2¹²⁹ (1e-25 for
ten million keys), far below any other source of error.

Runs are merged as a binary counter does (a run is merged into the one before it once it
is as large), so each key is copied O(log n) times and a lookup searches O(log n) runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

__all__ = ["KeyIndex", "key_hashes"]

_SEEDS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F)


def key_hashes(keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Two independent 64-bit hashes of each key (the same key, the same pair).

    Examples
    --------
    >>> high, low = key_hashes(["email:a@b.fr", "email:a@b.fr", "uid:7"])
    >>> bool(high[0] == high[1] and low[0] == low[1]), bool(high[0] == high[2])
    (True, False)
    """
    series = pl.Series(list(keys), dtype=pl.String)
    high = series.hash(seed=_SEEDS[0]).to_numpy()
    low = series.hash(seed=_SEEDS[1]).to_numpy()
    return high, low


class KeyIndex:
    """Distinct string keys mapped to non-negative numbers, in 24 bytes a key.

    Examples
    --------
    >>> index = KeyIndex()
    >>> index.add(["email:a@b.fr", "uid:7"], [0, 1])
    >>> index.add(["name:jean|dupont|"], [1])
    >>> index.find(["uid:7", "email:x@y.fr", "name:jean|dupont|"]).tolist()
    [1, -1, 1]
    >>> len(index)
    3
    """

    def __init__(self) -> None:
        # Runs of (high hash, low hash, number), each sorted by the high hash.
        self._runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return sum(len(run[0]) for run in self._runs)

    def find(self, keys: Sequence[str]) -> np.ndarray:
        """The number of each key, ``-1`` for a key not in the index."""
        found = np.full(len(keys), -1, dtype=np.int64)
        if not keys or not self._runs:
            return found
        high, low = key_hashes(keys)
        for run_high, run_low, numbers in self._runs:
            start = np.searchsorted(run_high, high, side="left")
            stop = np.searchsorted(run_high, high, side="right")
            # Almost always at most one candidate, checked at once; two keys sharing a
            # high hash are told apart by the low one.
            one = np.flatnonzero(stop - start == 1)
            same = run_low[start[one]] == low[one]
            found[one[same]] = numbers[start[one[same]]]
            for query in np.flatnonzero(stop - start > 1):
                for at in range(start[query], stop[query]):
                    if run_low[at] == low[query]:
                        found[query] = numbers[at]
                        break
        return found

    def add(self, keys: Sequence[str], numbers: Sequence[int]) -> None:
        """Add keys not yet in the index with their numbers."""
        if not keys:
            return
        high, low = key_hashes(keys)
        self._runs.append(_sorted_run(high, low, np.asarray(numbers, dtype=np.int64)))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            newer = self._runs.pop()
            older = self._runs.pop()
            self._runs.append(
                _sorted_run(*(np.concatenate([a, b]) for a, b in zip(older, newer, strict=True)))
            )


def _sorted_run(
    high: np.ndarray, low: np.ndarray, numbers: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # By the high hash only (a lookup checks every candidate of equal high hash); a
    # stable sort finds the two sorted halves of a merge and joins them in linear time.
    order = np.argsort(high, kind="stable")
    return high[order], low[order], numbers[order]
