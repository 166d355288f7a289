"""Lists an import grows with the file, kept compactly: ids as ranges, names as Arrow.

An import of ten million rows reports the ids it inserted and the accounts it created. As
Python lists they cost some 36 bytes an id and 80 a name, and grow with the file; kept as
runs of consecutive ids (a ``range``, 48 bytes a chunk) or NumPy arrays, and as Arrow
string arrays, they cost a few bytes an item. Both read as ordinary sequences.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

import numpy as np
import pyarrow as pa

__all__ = ["IdSequence", "NameSequence"]

_T = TypeVar("_T")


class _Parts(Sequence[_T], Generic[_T]):
    """A read-only sequence made of parts appended one after another."""

    def __init__(self) -> None:
        self._parts: list[Any] = []
        self._starts: list[int] = []  # the position of each part's first item
        self._len = 0

    def _add(self, part: Any, n: int) -> None:
        if n:
            self._parts.append(part)
            self._starts.append(self._len)
            self._len += n

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, index: int) -> _T: ...

    @overload
    def __getitem__(self, index: slice) -> list[_T]: ...

    def __getitem__(self, index: int | slice) -> _T | list[_T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._len))]
        i = int(index)
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError(f"index {index} out of range (length {self._len})")
        at = bisect.bisect_right(self._starts, i) - 1
        return self._item(self._parts[at], i - self._starts[at])

    def _item(self, part: Any, offset: int) -> _T:
        raise NotImplementedError

    def _part_items(self, part: Any) -> Iterable[_T]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[_T]:
        for part in self._parts:
            yield from self._part_items(part)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Parts | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # compared by value, like a list

    def __repr__(self) -> str:
        return repr(list(self)) if self._len <= 20 else f"[{self[0]!r}, ... ({self._len:,} items)]"


class IdSequence(_Parts[int]):
    """Record ids, in the order they were added: consecutive ids cost nothing per id.

    Examples
    --------
    >>> ids = IdSequence()
    >>> ids.extend([1, 2, 3, 4])
    >>> ids.extend([10, 7])
    >>> len(ids), ids[0], ids[-1], 7 in ids, 5 in ids
    (6, 1, 7, True, False)
    >>> ids
    [1, 2, 3, 4, 10, 7]
    >>> ids == [1, 2, 3, 4, 10, 7]
    True
    """

    def extend(self, ids: Sequence[int] | np.ndarray) -> None:
        """Append ids (a run of consecutive ids is kept as a ``range``)."""
        values = np.asarray(ids, dtype=np.int64)
        n = len(values)
        if n == 0:
            return
        first = int(values[0])
        if n == 1 or bool(np.all(np.diff(values) == 1)):
            self._add(range(first, first + n), n)
        else:
            self._add(values, n)

    def to_numpy(self) -> np.ndarray:
        """All the ids as one NumPy ``int64`` array."""
        if not self._parts:
            return np.empty(0, dtype=np.int64)
        return np.concatenate(
            [
                np.arange(p.start, p.stop, dtype=np.int64) if isinstance(p, range) else p
                for p in self._parts
            ]
        )

    def _item(self, part: Any, offset: int) -> int:
        return int(part[offset])

    def _part_items(self, part: Any) -> Iterable[int]:
        return part if isinstance(part, range) else (int(v) for v in part)

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int | np.integer):
            return False
        v = int(value)
        return any(v in p if isinstance(p, range) else bool(np.any(p == v)) for p in self._parts)


class NameSequence(_Parts[str]):
    """Names, in the order they were added, in Arrow string arrays.

    Examples
    --------
    >>> names = NameSequence()
    >>> names.extend(["Acme", "Zeta"])
    >>> names.extend(["Orion"])
    >>> len(names), names[1], names[-1], "Acme" in names
    (3, 'Zeta', 'Orion', True)
    >>> ", ".join(names)
    'Acme, Zeta, Orion'
    """

    def extend(self, names: Sequence[str]) -> None:
        """Append names."""
        self._add(pa.array(list(names), pa.string()), len(names))

    def _item(self, part: Any, offset: int) -> str:
        return str(part[offset].as_py())

    def _part_items(self, part: Any) -> Iterable[str]:
        return iter(part.to_pylist())
