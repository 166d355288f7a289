"""Blocking (crmkit._dedupe._blocking): candidate pairs sharing a key, big blocks as sorted
neighbourhoods, new records against existing ones, the DuckDB connection left clean.
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from dedupe_samples import sample
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit._dedupe import find_duplicates
from crmkit._dedupe._blocking import Candidates, candidate_pairs, drop_excluded
from crmkit._dedupe._keys import RuleKeys
from crmkit._exceptions import ValidationError


def test_a_thousand_identical_records_make_one_cluster_without_a_million_pairs() -> None:
    n = 1000
    frame = pd.DataFrame(
        {
            "id": range(n),
            "first_name": ["Jean"] * n,
            "last_name": ["Dupont"] * n,
            "email": ["jean.dupont@aprool.fr"] * n,
            "phone": ["06 12 34 56 78"] * n,
            "company": ["Aprool"] * n,
        }
    )
    report = find_duplicates(frame)
    assert [len(c) for c in report.clusters] == [n]
    # Each big block is a sorted neighbourhood: a few pairs per record, not n²/2.
    assert report.stats["candidate_pairs"] < 20 * n


def test_uses_the_given_duckdb_connection_and_leaves_it_clean() -> None:
    connection = duckdb.connect()
    connection.execute("CREATE TABLE kept AS SELECT 1 AS x")
    frame = sample(300, seed=2)
    report = find_duplicates(frame, connection=connection)
    assert report.clusters
    tables = connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    views = connection.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    assert tables == [("kept",)] and views == []


# -- the module's own functions ----------------------------------------------------------


def _keys(rule: str, keys: list[str]) -> RuleKeys:
    rows = [i for i, k in enumerate(keys) if k]
    return RuleKeys(rule, np.asarray(rows, dtype=np.int64), [keys[i] for i in rows])


def test_pairs_sharing_a_key_with_the_rules_that_found_them() -> None:
    keys = [_keys("email", ["a", "a", "b", "b", ""]), _keys("phone", ["1", "", "", "1", "1"])]
    pairs = candidate_pairs(keys, [""] * 5)
    assert list(zip(pairs.a.tolist(), pairs.b.tolist(), pairs.rules.tolist(), strict=True)) == [
        (0, 1, 0b01),
        (0, 3, 0b10),
        (0, 4, 0b10),
        (2, 3, 0b01),
        (3, 4, 0b10),
    ]
    assert pairs.hits() == {"email": 2, "phone": 3} and len(pairs) == 5
    kept = pairs.drop(pairs.rules == 0b10)
    assert kept.b.tolist() == [3, 4, 4] and kept.names == ("email", "phone")


def test_a_record_twice_in_a_block_is_paired_once() -> None:
    keys = [RuleKeys("phone", np.asarray([0, 0, 1]), ["1", "1", "1"])]
    pairs = candidate_pairs(keys, ["", ""])
    assert (pairs.a.tolist(), pairs.b.tolist()) == ([0], [1])


def test_a_big_block_is_a_sorted_neighbourhood() -> None:
    n = 30
    keys = [RuleKeys("company", np.arange(n), ["acme"] * n)]
    order = [f"{i:02d}" for i in range(n)]
    pairs = candidate_pairs(keys, order, max_block_size=10, window=2)
    found = set(zip(pairs.a.tolist(), pairs.b.tolist(), strict=True))
    neighbours = {(i, i + d) for i in range(n) for d in (1, 2) if i + d < n}
    first = {(0, j) for j in range(1, n)}
    assert found == neighbours | first
    full = candidate_pairs(keys, order, max_block_size=n)
    assert len(full) == n * (n - 1) // 2


def test_new_records_against_existing_ones() -> None:
    keys = [_keys("email", ["a", "a", "b", "a", "b", "c"])]
    pairs = candidate_pairs(keys, [""] * 6, new_from=3)
    assert list(zip(pairs.a.tolist(), pairs.b.tolist(), strict=True)) == [
        (0, 3),
        (1, 3),
        (2, 4),
    ]


def test_no_keys_and_too_many_rules() -> None:
    assert len(candidate_pairs([], [])) == 0
    assert candidate_pairs([_keys("email", ["", ""])], ["", ""]).names == ("email",)
    with pytest.raises(ValidationError, match="at most 62 blocking rules"):
        candidate_pairs([_keys(f"r{i}", ["a", "a"]) for i in range(63)], ["", ""])


def test_drop_excluded() -> None:
    rows = np.asarray([0, 0, 1], dtype=np.int64)
    candidates = Candidates(rows, np.asarray([1, 2, 2]), np.asarray([1, 1, 1]), ("email",))
    assert drop_excluded(candidates, set()) is candidates
    kept = drop_excluded(candidates, {(0, 2), (5, 6)})
    assert (kept.a.tolist(), kept.b.tolist()) == ([0, 1], [1, 2])


def _both_paths(
    keys: list[RuleKeys], sort_keys: list[str], new_from: int | None, max_block: int, window: int
) -> tuple[tuple[list[int], list[int]], tuple[list[int], list[int]]]:
    """The distinct pairs and masks of the NumPy path and of DuckDB's query, same keys."""
    from crmkit._dedupe._block_numpy import numpy_pairs
    from crmkit._dedupe._blocking import _PAIRS_SQL, _distinct_pairs, _keys_table, _sql

    table = _keys_table(keys, sort_keys, new_from)
    params: dict[str, int | bool] = {
        "incremental": new_from is not None,
        "window": window,
        "max_block": max_block,
    }
    found = numpy_pairs(
        *(table.column(c).to_numpy() for c in ("rule", "key", "rid", "sortkey", "is_new")),
        incremental=new_from is not None,
        max_block=max_block,
        window=window,
    )
    assert found is not None
    pair, mask = found
    connection = duckdb.connect()
    connection.register("keys", table)
    a, b, masks = _distinct_pairs(
        connection, _sql(_PAIRS_SQL.format(table="keys"), params), len(sort_keys), len(keys)
    )
    connection.close()
    duck = ((a.astype(np.int64) << 32) | b).tolist(), masks.tolist()
    return (pair.tolist(), mask.tolist()), duck


@settings(max_examples=examples(60))
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 39), st.integers(0, 6)), max_size=60),
        min_size=1,
        max_size=4,
    ),
    st.lists(st.sampled_from(["", "a", "b", "c", "d"]), min_size=40, max_size=40),
    st.one_of(st.none(), st.integers(0, 40)),
    st.integers(1, 6),
    st.integers(1, 4),
)
def test_small_key_sets_are_paired_in_numpy_exactly_as_in_duckdb(
    rules: list[list[tuple[int, int]]],
    sort_keys: list[str],
    new_from: int | None,
    max_block: int,
    window: int,
) -> None:
    # Random rules (rows and keys: a few keys, so that blocks big and small form), every
    # sort order, incremental or not: the NumPy path (below NUMPY_MAX_KEY_ROWS key rows,
    # no DuckDB query) must give the query's pairs and rule masks.
    keys = [
        RuleKeys(
            f"r{i}", np.asarray([r for r, _ in rows], dtype=np.int64), [str(k) for _, k in rows]
        )
        for i, rows in enumerate(rules)
    ]
    numpy_result, duckdb_result = _both_paths(keys, sort_keys, new_from, max_block, window)
    assert numpy_result == duckdb_result


def test_a_small_key_set_runs_no_duckdb_query() -> None:
    # Below NUMPY_MAX_KEY_ROWS key rows the connection is not used (DuckDB's first query
    # costs ~9 MB, more than the rest of a search on a thousand records): a closed one,
    # which fails any query, shows it.
    connection = duckdb.connect()
    connection.close()
    keys = [RuleKeys("email", np.asarray([0, 1, 2]), ["a@x.fr", "a@x.fr", "b@x.fr"])]
    pairs = candidate_pairs(keys, ["", "", ""], connection=connection)
    assert (pairs.a.tolist(), pairs.b.tolist(), pairs.hits()) == ([0], [1], {"email": 1})


def test_numpy_blocking_declines_more_pairs_than_its_bound() -> None:
    # Counted before any pair is made: a block of 4 records makes 6 pairs, over a bound of
    # 5 the caller runs DuckDB's query instead (which spills to disk).
    from crmkit._dedupe._block_numpy import numpy_pairs

    rows = np.arange(4)
    columns = (np.zeros(4, np.int16), np.zeros(4, np.int64), rows, rows, np.zeros(4, bool))
    options = {"incremental": False, "max_block": 20, "window": 5}
    assert numpy_pairs(*columns, **options, max_pairs=5) is None  # type: ignore[arg-type]
    found = numpy_pairs(*columns, **options, max_pairs=6)  # type: ignore[arg-type]
    assert found is not None and len(found[0]) == 6


def test_numpy_blocking_of_mostly_single_record_keys_holds_little() -> None:
    # Accounts' keys are mostly one record's (a phone, a web site): pairing them offset by
    # offset over every key row held several arrays of all the rows at each step (about
    # 90 traced bytes a key row at the peak); only the rows of shared keys are walked now.
    import tracemalloc

    from crmkit._dedupe._block_numpy import numpy_pairs

    n = 300_000
    rows = np.arange(n, dtype=np.int64)
    key = rows.copy()
    key[: n // 10] //= 2  # a tenth of the rows in blocks of two
    tracemalloc.start()
    try:
        found = numpy_pairs(
            np.zeros(n, np.int16), key, rows, rows, np.zeros(n, bool),
            incremental=False, max_block=20, window=5,
        )  # fmt: skip
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found is not None and len(found[0]) == n // 20
    assert peak / n < 60, f"{peak / n:.0f} traced bytes a key row"


def test_blocking_a_key_set_in_numpy_holds_under_seventy_bytes_a_key_row() -> None:
    # The whole of candidate_pairs on 300,000 integer key rows (two rules, a tenth of the
    # rows in blocks of two, as the accounts' phones and web sites): int64 key rows and a
    # lexsort of four columns peaked at about 88 traced bytes a key row; int32 key rows
    # and one int64 sorted in place, at about 58 (the rest: each rule's keys made distinct).
    import tracemalloc

    n = 150_000
    rows = np.arange(n, dtype=np.int64)
    shared = rows.copy()
    shared[: n // 10] //= 2
    keys = [RuleKeys("phone", rows, shared), RuleKeys("domain", rows, shared * 3 + 1)]
    ranks = np.arange(n, dtype=np.int64)[::-1].copy()
    tracemalloc.start()
    try:
        pairs = candidate_pairs(keys, ranks)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(pairs) == n // 20 and pairs.hits() == {"phone": n // 20, "domain": n // 20}
    assert peak / (2 * n) < 70, f"{peak / (2 * n):.0f} traced bytes a key row"


def test_key_rows_are_int32_and_duckdb_pairs_records_past_two_to_the_sixteen() -> None:
    # int32 record rows: DuckDB's query widens them before shifting (a 32-bit shift of an
    # INTEGER would overflow); the pairs are those of the NumPy path.
    from crmkit._dedupe._blocking import _keys_table

    rows = np.asarray([70_000, 70_001, 99_999], dtype=np.int64)
    keys = [RuleKeys("phone", rows, np.asarray([4, 4, 4]))]
    table = _keys_table(keys, np.zeros(100_000, dtype=np.int64), None)
    assert {str(table.schema.field(c).type) for c in ("key", "rid", "sortkey")} == {"int32"}
    numpy_result, duckdb_result = _both_paths(keys, [""] * 100_000, None, 20, 5)
    assert numpy_result == duckdb_result
    assert numpy_result[0] == [70_000 << 32 | 70_001, 70_000 << 32 | 99_999, 70_001 << 32 | 99_999]


def test_marking_big_blocks_holds_a_few_bytes_a_candidate_pair(monkeypatch: Any) -> None:
    # Both records' keys of every pair at once were 16 bytes a pair, and the block size of
    # each 8 more: 1.7 GB at 5.5M contacts' 104M pairs, the blocking stage's peak there.
    import tracemalloc

    from crmkit._dedupe import _blocking
    from crmkit._dedupe._blocking import rule_big_blocks

    monkeypatch.setattr(_blocking, "_MARK_PAIRS", 100_000)
    rng = np.random.default_rng(0)
    records, n_pairs = 200_000, 4_000_000
    keys = [RuleKeys("name", np.arange(records), np.arange(records) // 50, identity=True)]
    a = np.sort(rng.integers(0, records - 5, n_pairs)).astype(np.int32)
    b = a + rng.integers(1, 5, n_pairs).astype(np.int32)
    pairs = Candidates(a, b, np.ones(n_pairs, dtype=np.int8), ("name",))
    tracemalloc.start()
    try:
        (big,) = rule_big_blocks(keys, pairs, 20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    expected = a // 50 == b // 50
    assert (big == expected).all() and 0 < expected.sum() < n_pairs
    per_pair = (peak - 80 * records) / n_pairs  # less the arrays per record
    assert per_pair < 8, f"{per_pair:.1f} traced bytes a candidate pair"
