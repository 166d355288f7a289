"""Blocking keys in memory (crmkit._dedupe._key_index): the rows a typed record shares a key
with, as candidate_pairs would pair them."""

from __future__ import annotations

import numpy as np

from crmkit._dedupe._blocking import candidate_pairs
from crmkit._dedupe._key_index import KeyIndex
from crmkit._dedupe._keys import RuleKeys


def _keys(rule: str, rows: list[int], keys: list[str]) -> RuleKeys:
    return RuleKeys(rule, np.asarray(rows, dtype=np.int64), keys)


def test_small_blocks_give_every_row_with_the_key() -> None:
    index = KeyIndex()
    index.add(
        [_keys("email", [0, 1, 2], ["a", "b", "a"]), _keys("phone", [1], ["1"])], ["", "", ""]
    )
    probe = [_keys("email", [0], ["a"]), _keys("phone", [0], ["1"])]
    assert index.lookup(probe, [""]) == [0, 2, 1]
    assert index.lookup([_keys("email", [0], ["zz"])], [""]) == []
    # Rows added later are numbered from the offset; a row twice in a block is kept once.
    index.add([_keys("email", [0, 0], ["a", "a"])], ["x"], offset=3)
    assert index.blocks[("email", "a")].rows == [0, 2, 3]


def test_lookup_many_pairs_each_record_with_the_rows_once() -> None:
    index = KeyIndex()
    index.add([_keys("email", [0, 1], ["a", "b"])], ["", ""])
    probe = [_keys("email", [0, 1, 1], ["a", "b", "a"]), _keys("email_local", [0], ["a"])]
    assert index.lookup_many(probe, ["", ""]) == [(0, 0), (1, 1), (1, 0)]


def test_a_big_block_is_looked_up_as_a_neighbourhood_like_candidate_pairs() -> None:
    n = 30
    sort_keys = [f"{i:02d}" for i in range(n)]
    keys = [_keys("company", list(range(n)), ["acme"] * n)]
    index = KeyIndex(max_block_size=10, window=2)
    index.add(keys, sort_keys)
    assert index.blocks[("company", "acme")].ordered is not None
    # A new record sorting between 14 and 15: its two neighbours each side, and the first.
    found = index.lookup([_keys("company", [0], ["acme"])], ["14x"])
    assert sorted(found) == [0, 13, 14, 15, 16]
    # The pairs of a full run that involve the new record are the same rows.
    pairs = candidate_pairs(
        [_keys("company", list(range(n + 1)), ["acme"] * (n + 1))],
        [*sort_keys, "14x"],
        new_from=n,
        max_block_size=10,
        window=2,
    )
    assert sorted(pairs.a.tolist()) == sorted(found) and set(pairs.b.tolist()) == {n}


def test_a_block_growing_past_the_limit_becomes_ordered() -> None:
    index = KeyIndex(max_block_size=2, window=1)
    index.add([_keys("email", [0, 1], ["a", "a"])], ["c", "a"])
    assert index.blocks[("email", "a")].ordered is None
    index.add([_keys("email", [0], ["a"])], ["b"], offset=2)
    assert index.blocks[("email", "a")].ordered == [("a", 1), ("b", 2), ("c", 0)]
    index.add([_keys("email", [0], ["a"])], ["bb"], offset=3)
    assert index.blocks[("email", "a")].ordered == [("a", 1), ("b", 2), ("bb", 3), ("c", 0)]
