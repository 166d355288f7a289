"""Two 64-bit hashes of each match key: the import's keys as fixed-width numbers.

An import remembers every key of the rows it has seen, to find a later row that is the
same record. It keeps them in its own DuckDB (:mod:`crmkit._importing._scratch`) as
128-bit hashes instead of strings: 16 bytes a key whatever its length. Two different keys
share a hash with a probability of about n² / 2¹²⁹ (1e-25 for ten million keys), far
below any other source of error.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

__all__ = ["key_hashes"]

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
