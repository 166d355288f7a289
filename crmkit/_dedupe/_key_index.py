"""Blocking keys in memory, for the as-you-type lookups of :class:`crmkit.DedupeIndex`.

:class:`KeyIndex` maps each key to the rows that have it, as
:func:`~crmkit._dedupe._blocking.candidate_pairs` would join them: a block above
``max_block_size`` records is looked up as a sorted neighbourhood.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from crmkit._dedupe._blocking import DEFAULT_MAX_BLOCK_SIZE, DEFAULT_WINDOW
from crmkit._dedupe._keys import RuleKeys

__all__ = ["KeyIndex"]


@dataclass
class _Block:
    rows: list[int] = field(default_factory=list)
    ordered: list[tuple[str, int]] | None = None  # (sort key, row), once the block is big


class KeyIndex:
    """Blocking keys in memory: key -> rows, for quick lookups of one record.

    Parameters
    ----------
    max_block_size, window
        As for :func:`candidate_pairs`: in a block above ``max_block_size`` records, a
        lookup returns the ``window`` records on each side of the record's sort key, and
        the block's first record.

    Examples
    --------
    >>> import numpy as np
    >>> index = KeyIndex()
    >>> index.add([RuleKeys("email", np.asarray([0, 1]), ["a@x.fr", "b@x.fr"])], ["", ""])
    >>> index.lookup([RuleKeys("email", np.asarray([0]), ["a@x.fr"])], [""])
    [0]
    """

    def __init__(
        self, max_block_size: int = DEFAULT_MAX_BLOCK_SIZE, window: int = DEFAULT_WINDOW
    ) -> None:
        self.max_block_size = max_block_size
        self.window = window
        self.blocks: dict[tuple[str, str], _Block] = {}
        self.sort_keys: list[str] = []

    def add(self, keys: Sequence[RuleKeys], sort_keys: Sequence[str], offset: int = 0) -> None:
        """Add the keys of rows numbered from ``offset`` (their ``rows`` are relative)."""
        self.sort_keys.extend(sort_keys)
        blocks = self.blocks
        for k in keys:
            for row, key in zip((k.rows + offset).tolist(), k.keys, strict=True):
                block = blocks.get((k.rule, key))
                if block is None:
                    block = blocks[(k.rule, key)] = _Block()
                if block.rows and block.rows[-1] == row:
                    continue
                block.rows.append(row)
                if block.ordered is not None:
                    bisect.insort(block.ordered, (self.sort_keys[row], row))
                elif len(block.rows) > self.max_block_size:
                    block.ordered = sorted((self.sort_keys[r], r) for r in block.rows)

    def lookup(self, keys: Sequence[RuleKeys], sort_keys: Sequence[str]) -> list[int]:
        """Rows sharing a key with the record whose keys are given (row 0 of them)."""
        return [row for _, row in self.lookup_many(keys, sort_keys)]

    def lookup_many(
        self, keys: Sequence[RuleKeys], sort_keys: Sequence[str]
    ) -> list[tuple[int, int]]:
        """``(record, indexed row)`` pairs sharing a key, for records whose keys are given
        (rows numbered as in ``sort_keys``), each pair once, in order of discovery."""
        found: dict[tuple[int, int], None] = {}
        for k in keys:
            for record, key in zip(k.rows.tolist(), k.keys, strict=True):
                block = self.blocks.get((k.rule, key))
                if block is None:
                    continue
                if block.ordered is None:
                    found.update(dict.fromkeys((record, r) for r in block.rows))
                    continue
                me = sort_keys[record]
                at = bisect.bisect_left(block.ordered, (me, -1))
                low, high = max(0, at - self.window), at + self.window
                found.update(dict.fromkeys((record, r) for _, r in block.ordered[low:high]))
                found[(record, block.rows[0])] = None
        return list(found)
