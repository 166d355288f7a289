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


def _block_order(
    rule: IntArray, key: IntArray, rid: IntArray, sortkey: IntArray, is_new: BoolArray
) -> tuple[IntArray, BoolArray, IntArray, BoolArray]:
    """The key rows in block order (by rule, key, then the record's sort key and row):
    their records, whether each is new, their rules, and where each block starts.

    One int64 per key row is sorted in place (block number, then the record's rank in
    the sort order), rather than an ``np.lexsort`` of four columns, which held its int64
    permutation and a sorted copy of every column at once (some 50 bytes a key row).
    The order is the same: a record has a key of a rule once (``_keys_table``).

    Examples
    --------
    >>> rid, new, rule, starts = _block_order(
    ...     np.asarray([0, 0, 1]), np.asarray([7, 7, 7]), np.asarray([1, 0, 1]),
    ...     np.asarray([0, 1, 0]), np.zeros(3, bool),
    ... )
    >>> rid.tolist(), rule.tolist(), starts.tolist()
    ([1, 0, 1], [0, 0, 1], [True, False, True])
    """
    n_records = int(rid.max(initial=-1)) + 1
    # Each record's rank in the order of (sort key, row): the same for all its key rows.
    record_sortkey = np.zeros(n_records, dtype=np.int64)
    record_sortkey[rid] = sortkey
    by_rank = np.lexsort((np.arange(n_records), record_sortkey)).astype(rid.dtype)
    del record_sortkey
    rank = np.empty(n_records, dtype=np.int64)
    rank[by_rank] = np.arange(n_records)
    n_keys = int(key.max(initial=-1)) + 1
    if n_keys > len(key):  # sparse codes (not ``_keys_table``'s): made dense, same order
        key = np.unique(key, return_inverse=True)[1].reshape(-1)
        n_keys = int(key.max(initial=-1)) + 1
    block = rule.astype(np.int64)
    block *= n_keys
    block += key
    block *= max(n_records, 1)
    block += rank[rid]
    del rank
    block.sort()
    rank_of_row = block % max(n_records, 1)
    block //= max(n_records, 1)  # now the block's number: rule * n_keys + key
    sorted_rid = by_rank[rank_of_row]
    del rank_of_row, by_rank
    boundary = np.ones(len(block), dtype=bool)
    np.not_equal(block[1:], block[:-1], out=boundary[1:])
    block //= max(n_keys, 1)
    sorted_rule = block.astype(rule.dtype)
    del block
    # Whether a row is new is its record's (``rid >= new_from``).
    record_new = np.zeros(n_records, dtype=bool)
    record_new[rid] = is_new
    return sorted_rid, record_new[sorted_rid], sorted_rule, boundary


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
    n_rows = len(rule)
    rid, is_new, rule, boundary = _block_order(rule, key, rid, sortkey, is_new)
    del key, sortkey
    # int32 per key row where that is enough (at most NUMPY_MAX_KEY_ROWS rows).
    starts = np.flatnonzero(boundary).astype(np.int32)
    del boundary
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
    # Slices, not index arrays: views of the rows ``d`` apart.
    rows = np.flatnonzero(live).astype(np.int32)
    row_block, row_small, row_big = block[rows], small[rows], big[rows]
    for d in range(1, max(max_block, window + 1)):
        if len(rows) <= d:
            break
        wanted = row_block[:-d] == row_block[d:]
        wanted &= (row_small[:-d] & (d < max_block)) | (row_big[:-d] & (d <= window))
        lefts.append(rows[:-d][wanted])
        rights.append(rows[d:][wanted])
    del rows, row_block, row_small, row_big
    # A big block's first record with the members beyond its window.
    far = big & (pos > window)
    lefts.append(starts[block[far]])
    rights.append(np.flatnonzero(far).astype(np.int32))
    del block, size, pos, live, small, big, far
    x, y = np.concatenate(lefts), np.concatenate(rights)
    del lefts, rights
    if incremental:
        touches = is_new[x] | is_new[y]
        x, y = x[touches], y[touches]
    return _distinct(rid[x], rid[y], rule[x])


def _distinct(ra: IntArray, rb: IntArray, rule: IntArray) -> tuple[IntArray, IntArray]:
    """Distinct pairs ``a << 32 | b`` of the records ``ra``, ``rb`` (``a < b``), sorted,
    and the bit mask of the rules proposing each.

    One int64 per pair and rule (``(a * n + b) * rules + rule``) is sorted in place,
    rather than an argsort of the pairs with copies of them and their bits.

    Examples
    --------
    >>> pair, mask = _distinct(np.asarray([2, 0, 1]), np.asarray([1, 1, 2]),
    ...                        np.asarray([0, 1, 1]))
    >>> (pair >> 32).tolist(), (pair & 0xFFFFFFFF).tolist(), mask.tolist()
    ([0, 1], [1, 2], [2, 3])
    """
    if not len(ra):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    n_records = max(int(ra.max()), int(rb.max())) + 1
    n_rules = int(rule.max()) + 1
    code = np.minimum(ra, rb).astype(np.int64)
    code *= n_records
    code += np.maximum(ra, rb)
    code *= n_rules
    code += rule
    code.sort()
    bit = np.left_shift(np.int64(1), (code % n_rules).astype(np.int64))
    code //= n_rules
    first = np.ones(len(code), dtype=bool)
    np.not_equal(code[1:], code[:-1], out=first[1:])
    at = np.flatnonzero(first)
    del first
    mask = np.bitwise_or.reduceat(bit, at)
    del bit
    low, high = np.divmod(code[at], n_records)
    low <<= 32
    low |= high
    return low, mask
