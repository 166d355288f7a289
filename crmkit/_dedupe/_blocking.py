"""Blocking: which pairs of records are worth comparing.

Comparing every pair of 200 000 records is 20 billion comparisons; blocking keeps the pairs
that share at least one *blocking key* (same normalised e-mail, same phone, same Soundex of
first and last name, same company and city ...; see
:func:`crmkit._dedupe._keys.blocking_keys`). Several keys are used so that a true pair
missed by one (a typo in the name) is found by another (the same phone).

:func:`candidate_pairs` runs the joins in DuckDB. A block of many records sharing one key
(1 000 records with one e-mail, every contact of a big company in one city) would give
``n²/2`` pairs; above ``max_block_size`` records a block is not joined in full but as a
*sorted neighbourhood*: records ordered by name, each paired with its ``window`` next
neighbours and with the first record of the block, which keeps them connected (so that
they can still form one cluster) in ``O(n·window)`` pairs.

:class:`~crmkit._dedupe._key_index.KeyIndex` holds the same keys in Python dictionaries for
the as-you-type lookups of :class:`crmkit.DedupeIndex`.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from crmkit._dedupe._arrays import BoolArray, IntArray
from crmkit._dedupe._block_numpy import NUMPY_MAX_KEY_ROWS, numpy_pairs
from crmkit._dedupe._keys import RuleKeys
from crmkit._exceptions import ValidationError

__all__ = [
    "DEFAULT_MAX_BLOCK_SIZE",
    "DEFAULT_WINDOW",
    "Candidates",
    "candidate_pairs",
    "drop_excluded",
    "rule_big_blocks",
]

DEFAULT_MAX_BLOCK_SIZE = 20
"""Blocks with more records than this are paired as sorted neighbourhoods."""
DEFAULT_WINDOW = 5
"""Neighbours each record of a big block is paired with, on each side."""


@dataclass(frozen=True)
class Candidates:
    """Candidate pairs of record rows, ``a < b``, sorted.

    Attributes
    ----------
    a, b
        Row numbers of the two records.
    rules
        Bit mask of the blocking rules that proposed each pair (bit ``i``: ``names[i]``).
    names
        The blocking rule names.
    """

    a: IntArray
    b: IntArray
    rules: IntArray
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.a)

    def hits(self) -> dict[str, int]:
        """Pairs proposed by each rule (a pair can be proposed by several)."""
        return {
            name: int(np.count_nonzero(self.rules & (1 << i))) for i, name in enumerate(self.names)
        }

    def drop(self, keep: BoolArray) -> Candidates:
        """The pairs where ``keep`` is True."""
        return Candidates(self.a[keep], self.b[keep], self.rules[keep], self.names)


def _key_values(keys: RuleKeys) -> Any:
    """A rule's keys as an array: integer keys as they are, strings as objects."""
    if isinstance(keys.keys, np.ndarray):
        return keys.keys
    return np.asarray(keys.keys, dtype=object)


def _keys_table(
    keys: Sequence[RuleKeys], sort_keys: Sequence[str] | IntArray, new_from: int | None
) -> Any:
    """The keys in long form, as integers: DuckDB joins and sorts those much faster.

    One rule at a time, so that only one rule's strings are hashed at once. Keys, record
    rows and sort ranks are int32 where they fit (they count key rows or records): 15
    bytes a key row, not the 27 of int64 columns (294,569 key rows on 55,000 accounts).

    Examples
    --------
    >>> from crmkit._dedupe._keys import RuleKeys
    >>> keys = [RuleKeys("phone", np.asarray([0, 1, 1]), ["1", "2", "2"])]
    >>> table = _keys_table(keys, ["b", "a"], None)
    >>> table.column("rid").to_pylist(), table.column("sortkey").to_pylist()
    ([0, 1], [1, 0])
    >>> str(table.schema.field("rid").type), str(table.schema.field("key").type)
    ('int32', 'int32')
    """
    n_records = max((int(k.rows.max()) + 1 for k in keys if len(k.rows)), default=0)
    rules, key_codes, rows = [], [], []
    for i, k in enumerate(keys):
        codes = pd.factorize(_key_values(k))[0]
        rule_rows = k.rows.astype(np.int64)
        # A record listing one value twice (same phone and mobile) has that key once: the
        # first of each (key, row), in the order given.
        pair = codes * (int(rule_rows.max(initial=0)) + 1) + rule_rows
        first = np.sort(np.unique(pair, return_index=True)[1])
        del pair
        rules.append(np.full(len(first), i, dtype=np.int16))
        key_codes.append(codes[first].astype(_row_dtype(len(codes))))
        rows.append(rule_rows[first].astype(_row_dtype(n_records)))
    rule, key, row = np.concatenate(rules), np.concatenate(key_codes), np.concatenate(rows)
    del rules, key_codes, rows
    # Ranks (sort_ranks) are their own ranks: factorized the same as their strings.
    sort_rank = pd.factorize(
        sort_keys if isinstance(sort_keys, np.ndarray) else np.asarray(sort_keys, dtype=object),
        sort=True,
    )[0].astype(_row_dtype(n_records))
    is_new = row >= new_from if new_from is not None else np.zeros(len(row), dtype=bool)
    return pa.table(
        {
            "rule": pa.array(rule),
            "key": pa.array(key),
            "rid": pa.array(row),
            "sortkey": pa.array(sort_rank[row]),
            "is_new": pa.array(is_new),
        }
    )


_PAIRS_SQL = """
WITH k AS (
    SELECT rule, key, rid, sortkey, is_new FROM {table}
), blocks AS (
    SELECT rule, key, rid, is_new,
           count(*) OVER (PARTITION BY rule, key) AS n,
           bool_or(is_new) OVER (PARTITION BY rule, key) AS has_new,
           row_number() OVER (PARTITION BY rule, key ORDER BY sortkey, rid) AS pos
    FROM k
), live AS (
    SELECT * FROM blocks WHERE n > 1 AND (has_new OR NOT $incremental)
), offsets AS (
    SELECT unnest(range(1, $window + 1)) AS d
), pairs AS (
    SELECT x.rid AS ra, y.rid AS rb, x.rule, x.is_new OR y.is_new AS touches_new
    FROM live x JOIN live y ON x.rule = y.rule AND x.key = y.key AND x.rid < y.rid
    WHERE x.n <= $max_block
    UNION ALL
    SELECT x.rid, y.rid, x.rule, x.is_new OR y.is_new
    FROM (SELECT live.*, live.pos + offsets.d AS target FROM live, offsets
          WHERE live.n > $max_block) x
    JOIN live y ON x.rule = y.rule AND x.key = y.key AND y.pos = x.target
    UNION ALL
    SELECT x.rid, y.rid, x.rule, x.is_new OR y.is_new
    FROM live x JOIN live y ON x.rule = y.rule AND x.key = y.key
    WHERE x.n > $max_block AND x.pos = 1 AND y.pos > $window + 1
)
SELECT (least(ra, rb)::BIGINT << 32) | greatest(ra, rb) AS pair, rule::TINYINT AS rule
FROM pairs
WHERE touches_new OR NOT $incremental
"""

_DISTINCT_SQL = """
CREATE TEMP TABLE {out} AS
SELECT pair, bit_or(1::BIGINT << rule) AS mask FROM {raw} GROUP BY pair
"""

_BATCH_ROWS = 1_000_000
"""Pairs read from DuckDB at a time (see :func:`_distinct_pairs`)."""

DUCKDB_MEMORY_LIMIT = "1GB"
"""DuckDB's ``memory_limit`` on the private connection blocking opens: above it, the joins,
the grouping and the sort of the candidate pairs spill to a temporary folder. 256 MB was
enough up to 1.1M contacts, not at 5.5M ("failed to pin block" in the pairs' join)."""


def _sql(template: str, params: dict[str, int | bool]) -> str:
    """``template`` with its ``$name`` parameters written in (integers and booleans only:
    ``CREATE TABLE ... AS`` takes no prepared parameters)."""
    for name, value in sorted(params.items(), key=lambda item: -len(item[0])):
        literal = ("true" if value else "false") if isinstance(value, bool) else str(int(value))
        template = template.replace(f"${name}", literal)
    return template


def _mask_dtype(n_rules: int) -> type[np.signedinteger[Any]]:
    """The smallest signed integer type holding one bit per rule."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_rules < np.iinfo(dtype).bits:
            return dtype
    return np.int64


def _row_dtype(n_rows: int) -> type[np.signedinteger[Any]]:
    return np.int32 if n_rows <= np.iinfo(np.int32).max else np.int64


def _distinct_pairs(
    connection: Any, pairs_sql: str, n_rows: int, n_rules: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Rows ``a < b`` sorted, and the bit mask of the rules proposing each pair, from the
    query ``pairs_sql`` of ``(pair, rule)`` rows (``pair`` is ``a << 32 | b``, repeated once
    per rule and block proposing it).

    The pairs are written to a temporary table, made distinct (``GROUP BY``) into another
    and sorted in DuckDB, which spills to disk above its ``memory_limit``; here only the
    result is held, read a batch at a time into arrays of their final size: row numbers
    as int32 (where they fit) and the smallest integer mask, 9 to 10 bytes a pair instead
    of the 24 of three int64 arrays and the 34 a raw row took to sort it here.
    """
    out = f"__crmkit_dedupe_pairs_{uuid.uuid4().hex}"
    raw = f"{out}_raw"
    # Three statements, each spilling on its own: the grouping read straight from the
    # joins ran out of memory under a memory_limit that each step alone stays within.
    try:
        connection.execute(f"CREATE TEMP TABLE {raw} AS {pairs_sql}")
        connection.execute(_DISTINCT_SQL.format(out=out, raw=raw))
        connection.execute(f"DROP TABLE {raw}")
        ((count,),) = connection.execute(f"SELECT count(*) FROM {out}").fetchall()
        rows, masks = _row_dtype(n_rows), _mask_dtype(n_rules)
        a, b = np.empty(count, dtype=rows), np.empty(count, dtype=rows)
        mask = np.empty(count, dtype=masks)
        reader = connection.sql(f"SELECT pair, mask FROM {out} ORDER BY pair").to_arrow_reader(
            _BATCH_ROWS
        )
        start = 0
        for batch in reader:
            pair = batch.column(0).to_numpy()
            stop = start + len(pair)
            a[start:stop] = pair >> 32
            b[start:stop] = pair & 0xFFFFFFFF
            mask[start:stop] = batch.column(1).to_numpy()
            start = stop
    finally:
        connection.execute(f"DROP TABLE IF EXISTS {raw}")
        connection.execute(f"DROP TABLE IF EXISTS {out}")
    return a, b, mask


def candidate_pairs(
    keys: Sequence[RuleKeys],
    sort_keys: Sequence[str] | IntArray,
    *,
    connection: Any = None,
    new_from: int | None = None,
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
    window: int = DEFAULT_WINDOW,
) -> Candidates:
    """Pairs of rows sharing a blocking key, computed in DuckDB.

    Parameters
    ----------
    keys
        From :func:`crmkit._dedupe._keys.blocking_keys`.
    sort_keys
        One string per row: the order of records inside a big block (or their ranks,
        :func:`crmkit._dedupe._keys.sort_ranks`).
    connection
        A DuckDB connection to run on (e.g. the CRM store's); a private in-memory one if
        ``None`` (with a ``memory_limit`` of :data:`DUCKDB_MEMORY_LIMIT`, spilling to a
        temporary folder). Only a temporary view and table are created, and removed
        afterwards. Not used at all for a small key set, paired in NumPy instead
        (:mod:`crmkit._dedupe._block_numpy`).
    new_from
        When given, rows from this number on are new records and only pairs involving at
        least one of them are returned (a big block is still ordered over all its rows, so
        the pairs are those of a full run that involve a new record).
    max_block_size, window
        Blocks above ``max_block_size`` records are paired as sorted neighbourhoods of
        ``window`` records, plus each record with the block's first.

    Examples
    --------
    >>> from crmkit._dedupe._keys import RuleKeys
    >>> keys = [RuleKeys("email", np.asarray([0, 1, 2]), ["a@x.fr", "a@x.fr", "b@x.fr"])]
    >>> pairs = candidate_pairs(keys, ["", "", ""])
    >>> pairs.a.tolist(), pairs.b.tolist(), pairs.hits()
    ([0], [1], {'email': 1})
    """
    names = tuple(k.rule for k in keys)
    empty = np.zeros(0, dtype=np.int32)
    if not keys or sum(len(k.rows) for k in keys) == 0:
        return Candidates(empty, empty, empty, names)
    if len(keys) > 62:
        raise ValidationError(f"at most 62 blocking rules, got {len(keys)}")  # a BIGINT mask
    table = _keys_table(keys, sort_keys, new_from)
    n_rows = max((int(k.rows.max()) + 1 for k in keys if len(k.rows)), default=0)
    # Up to a few hundred thousand records, NumPy: DuckDB's query holds more (its first one
    # on a connection alone costs ~9 MB, more than a search on a thousand records).
    found = (
        numpy_pairs(
            *(table.column(c).to_numpy() for c in ("rule", "key", "rid", "sortkey", "is_new")),
            incremental=new_from is not None,
            max_block=int(max_block_size),
            window=int(window),
        )
        if table.num_rows <= NUMPY_MAX_KEY_ROWS
        else None
    )
    if found is not None:
        pair, mask = found
        rows = _row_dtype(n_rows)
        a, b = (pair >> 32).astype(rows), (pair & 0xFFFFFFFF).astype(rows)
        return Candidates(a, b, mask.astype(_mask_dtype(len(keys))), names)
    own = connection is None
    spill = tempfile.TemporaryDirectory(prefix="crmkit_dedupe_") if own else None
    if spill is not None:
        import duckdb

        connection = duckdb.connect(
            config={
                "memory_limit": DUCKDB_MEMORY_LIMIT,
                "temp_directory": spill.name,
                # The pairs are sorted when read: no order to keep while grouping them.
                "preserve_insertion_order": False,
            }
        )
    name = f"__crmkit_dedupe_keys_{uuid.uuid4().hex}"
    try:
        connection.register(name, table)
        pairs_sql = _sql(
            _PAIRS_SQL.format(table=name),
            {
                "incremental": new_from is not None,
                "window": int(window),
                "max_block": int(max_block_size),
            },
        )
        a, b, rules = _distinct_pairs(connection, pairs_sql, n_rows, len(keys))
    finally:
        connection.unregister(name)
        if spill is not None:
            connection.close()
            spill.cleanup()
    return Candidates(a, b, rules, names)


def drop_excluded(candidates: Candidates, excluded: set[tuple[int, int]]) -> Candidates:
    """The candidates but the ``(low, high)`` row pairs of ``excluded``.

    Examples
    --------
    >>> rows = np.asarray([0, 0, 1])
    >>> kept = drop_excluded(Candidates(rows, rows + 1, rows, ("email",)), {(0, 1)})
    >>> kept.a.tolist(), kept.b.tolist()
    ([1], [2])
    """
    if not excluded or len(candidates) == 0:
        return candidates
    keys = candidates.a.astype(np.int64) * (1 << 32) + candidates.b
    banned = np.asarray([a * (1 << 32) + b for a, b in excluded], dtype=np.int64)
    return candidates.drop(~np.isin(keys, banned))


def rule_big_blocks(
    keys: Sequence[RuleKeys],
    candidates: Candidates,
    max_block_size: int,
    *,
    identity_only: bool = False,
) -> list[BoolArray]:
    """Per blocking rule, whether each candidate pair lies in one of its *big* blocks.

    A block of more than ``max_block_size`` records is paired as a sorted neighbourhood,
    so its candidates are a few of its ``n (n - 1) / 2`` pairs. Training counts the
    duplicates of such a block by the groups its likely duplicates link (a person's 1,000
    records linked neighbour to neighbour are 499,500 duplicate pairs, not 5,000), so that
    the prior does not shrink with the block. A pair proposed through a record with
    several keys of one rule (several phones) is not marked.

    With ``identity_only``, the other rules get an empty array: training reads only the
    identity rules', and a byte a candidate pair per rule adds up over millions of pairs.

    Examples
    --------
    >>> from crmkit._dedupe._keys import RuleKeys
    >>> keys = [RuleKeys("name", np.arange(6), ["x", "x", "x", "x", "y", "y"])]
    >>> pairs = candidate_pairs(keys, [""] * 6, max_block_size=3, window=1)
    >>> rule_big_blocks(keys, pairs, 3)[0].tolist()
    [True, True, True, True, True, False]
    """
    out: list[BoolArray] = []
    for bit, rule_keys in enumerate(keys):
        if identity_only and not rule_keys.identity:
            out.append(np.zeros(0, dtype=bool))
            continue
        chosen = (candidates.rules >> bit) & 1 == 1
        big = np.zeros(len(candidates), dtype=bool)
        if len(candidates) and chosen.any() and len(rule_keys.rows):
            codes, _ = pd.factorize(_key_values(rule_keys))
            rows = rule_keys.rows.astype(np.int64)
            n_rows = int(max(rows.max(), candidates.a.max(), candidates.b.max())) + 1
            single = np.bincount(rows, minlength=n_rows)[rows] == 1
            block_size = np.bincount(codes[single], minlength=int(codes.max()) + 1)
            # Per record, its key if that key's block is big (-1 otherwise): two records'
            # equal marks are one big block. int32 where the keys fit.
            key_of = np.full(n_rows, -1, dtype=_row_dtype(int(codes.max()) + 1))
            in_big = block_size[codes[single]] > max_block_size
            key_of[rows[single][in_big]] = codes[single][in_big]
            del codes, rows, single, block_size
            _mark_big(big, chosen, key_of, candidates)
        out.append(big)
    return out


_MARK_PAIRS = 4_000_000
"""Candidate pairs marked at a time by :func:`rule_big_blocks`: the keys of both records of
every pair at once were 16 bytes a pair (1.7 GB at 5.5M contacts' 104M pairs)."""


def _mark_big(big: BoolArray, chosen: BoolArray, key_of: IntArray, pairs: Candidates) -> None:
    """``big`` where a chosen pair's records share a mark of ``key_of`` (not -1)."""
    for start in range(0, len(pairs), _MARK_PAIRS):
        stop = start + _MARK_PAIRS
        ka, kb = key_of[pairs.a[start:stop]], key_of[pairs.b[start:stop]]
        big[start:stop] = chosen[start:stop] & (ka >= 0) & (ka == kb)
