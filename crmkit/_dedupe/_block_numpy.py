"""Blocking of a small key set in NumPy: the pairs of :mod:`crmkit._dedupe._blocking`'s
DuckDB query, without DuckDB.

DuckDB's first query on a connection allocates about 9 MB (its buffers, its thread
state): more than every other step of a search on a thousand records. Below
:data:`NUMPY_MAX_KEY_ROWS` key rows the pairs are computed here instead, in a few MB and
identical to the query's (``tests/test_dedupe_blocking.py`` compares both): the keys are
sorted into blocks (by rule, key, then the record's sort key and row, the query's
``row_number`` order); a record of a block of at most ``max_block`` records is paired with
every later one, a record of a bigger block with its ``window`` next neighbours and the
block's first record with all of its members.

At most ``max_block - 1`` pairs are made per key row, so the pairs held here stay within
a small multiple of the key rows.
"""

from __future__ import annotations

import numpy as np

from crmkit._dedupe._arrays import BoolArray, IntArray

__all__ = ["NUMPY_MAX_KEY_ROWS", "NUMPY_MAX_PAIRS", "numpy_pairs"]

NUMPY_MAX_KEY_ROWS = 1_000_000
"""Key rows (a record's key under one rule) up to which blocking may run in NumPy."""
NUMPY_MAX_PAIRS = 250_000
"""Pairs (before they are made distinct) up to which blocking runs in NumPy: about 80
bytes a pair are held while they are sorted (20 MB at most), where DuckDB's query, which
spills to disk above its ``memory_limit``, holds about 28 (``tests/test_dedupe_memory.py``:
900,000 pairs in NumPy took 81 bytes each)."""


def numpy_pairs(
    rule: IntArray,
    key: IntArray,
    rid: IntArray,
    sortkey: IntArray,
    is_new: BoolArray,
    *,
    incremental: bool,
    max_block: int,
    window: int,
    max_pairs: int = NUMPY_MAX_PAIRS,
) -> tuple[IntArray, IntArray] | None:
    """Distinct pairs ``a << 32 | b`` (``a < b``), sorted, and the bit mask of the rules
    proposing each: what :func:`crmkit._dedupe._blocking._distinct_pairs` reads from
    DuckDB.

    The arguments are the columns of :func:`crmkit._dedupe._blocking._keys_table` (one
    row per distinct rule, key and record). ``None`` when the blocks would make more than
    ``max_pairs`` pairs (counted before any is made): DuckDB's query then.

    Examples
    --------
    >>> rows = np.asarray([0, 1, 2])
    >>> pair, mask = numpy_pairs(
    ...     np.zeros(3, np.int16), np.asarray([5, 5, 7]), rows, rows, np.zeros(3, bool),
    ...     incremental=False, max_block=20, window=5,
    ... )
    >>> (pair >> 32).tolist(), (pair & 0xFFFFFFFF).tolist(), mask.tolist()
    ([0], [1], [1])
    """
    order = np.lexsort((rid, sortkey, key, rule))
    rule, key = rule[order], key[order]
    n_rows = len(order)
    boundary = np.ones(n_rows, dtype=bool)
    np.not_equal(key[1:], key[:-1], out=boundary[1:])
    del key  # the blocks are all that is read of the keys
    boundary[1:] |= rule[1:] != rule[:-1]
    # int32 per key row where that is enough (at most NUMPY_MAX_KEY_ROWS rows).
    starts = np.flatnonzero(boundary).astype(np.int32)
    del boundary
    rid, is_new = rid[order], is_new[order]
    del order
    sizes = np.diff(np.append(starts, np.int32(n_rows))).astype(np.int32)
    block = np.repeat(np.arange(len(starts), dtype=np.int32), sizes)
    size = sizes[block]
    pos = np.arange(n_rows, dtype=np.int32) - starts[block]  # 0 for a block's first record
    live = size > 1
    if incremental:
        live &= (np.add.reduceat(is_new, starts) > 0)[block] if n_rows else live
    small = live & (size <= max_block)
    big = live & (size > max_block)
    # Each record of a small block pairs with the later ones, of a big block with at most
    # window neighbours and the first record.
    if (
        int(np.sum((size - 1 - pos)[small], dtype=np.int64)) + int(big.sum()) * (window + 1)
        > max_pairs
    ):
        return None
    lefts: list[IntArray] = []
    rights: list[IntArray] = []
    # Each record with the one ``d`` places after it in its block: every pair of a small
    # block once (d up to max_block - 1), a big block's neighbours (d up to window).
    # Over the rows of blocks of two or more only (a block is all live or not): most keys
    # are a single record's (a phone, a street), and each step here held a few arrays the
    # size of all the key rows.
    rows = np.flatnonzero(live)
    row_block, row_small, row_big = block[rows], small[rows], big[rows]
    for d in range(1, max(max_block, window + 1)):
        i = np.arange(len(rows) - d) if len(rows) > d else np.zeros(0, dtype=np.int64)
        j = i + d
        same = row_block[i] == row_block[j]
        wanted = same & ((row_small[i] & (d < max_block)) | (row_big[i] & (d <= window)))
        lefts.append(rows[i[wanted]])
        rights.append(rows[j[wanted]])
    del rows, row_block, row_small, row_big
    # A big block's first record with the members beyond its window.
    far = big & (pos > window)
    lefts.append(starts[block[far]])
    rights.append(np.flatnonzero(far))
    x, y = np.concatenate(lefts), np.concatenate(rights)
    if incremental:
        touches = is_new[x] | is_new[y]
        x, y = x[touches], y[touches]
    ra, rb = rid[x].astype(np.int64), rid[y].astype(np.int64)
    pair = (np.minimum(ra, rb) << 32) | np.maximum(ra, rb)
    bit = np.left_shift(np.int64(1), rule[x].astype(np.int64))
    order = np.argsort(pair, kind="stable")
    pair, bit = pair[order], bit[order]
    if not len(pair):
        return pair, bit
    first = np.concatenate([[True], pair[1:] != pair[:-1]])
    at = np.flatnonzero(first)
    return pair[at], np.bitwise_or.reduceat(bit, at)
