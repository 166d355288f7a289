"""Vocabularies: distinct normalised strings and their integer codes.

Equal values get equal codes, so that comparing is comparing integers, and whatever is
derived from a value (its length, its Soundex, the parts of an e-mail) is computed once
per distinct value and cached with the vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np
import numpy.typing as npt
from numpy.dtypes import StringDType

from crmkit._dedupe._arrays import CodeArray, ObjArray

__all__ = ["PackedStrings", "Vocab", "Vocabs"]


class PackedStrings(Sequence[str]):
    """Strings in one NumPy ``StringDType`` array, read as a sequence of Python strings.

    A Python string is an object of some 50 bytes and its text, with a pointer in a list;
    here a string of up to 15 bytes takes 16 and a longer one 16 more than its UTF-8 text
    (55,000 accounts' vocabularies: 18 MB as lists, 6.5 packed). Each string read is a new
    Python object: packed are the values of a vocabulary read now and then, not in loops
    over every pair.

    Examples
    --------
    >>> packed = PackedStrings(["ab", "été", ""])
    >>> len(packed), packed[1], packed[1:], list(packed)
    (3, 'été', ['été', ''], ['ab', 'été', ''])
    >>> packed == ["ab", "été", ""]
    True
    """

    __slots__ = ("strings",)

    def __init__(self, values: Iterable[str]) -> None:
        self.strings: npt.NDArray[Any] = np.asarray(list(values), dtype=StringDType())

    def __len__(self) -> int:
        return len(self.strings)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return list(self.strings[index].tolist())
        return str(self.strings[index])

    def __iter__(self) -> Iterator[str]:
        return iter(self.strings.tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedStrings | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a list: unhashable as one

    def __repr__(self) -> str:
        return f"PackedStrings({list(self)!r})"

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> npt.NDArray[Any]:
        return self.strings.astype(object if dtype is None else dtype)


DERIVED_CHUNK = 16_384
"""Values given at a time to the function of :meth:`Vocab.derived`."""


class Vocab:
    """Distinct normalised strings and their integer codes; grows as records are added.

    Examples
    --------
    >>> v = Vocab()
    >>> v.encode(["a", "", "b", "a"]).tolist()
    [0, -1, 1, 0]
    >>> v.take(np.asarray([1, 0])).tolist()
    ['b', 'a']
    """

    def __init__(self) -> None:
        self._values: list[str] | PackedStrings = []
        self._index: dict[str, int] | None = {}
        self._array: ObjArray | None = None
        self._derived: dict[str, npt.NDArray[Any]] = {}
        self._subs: dict[str, Vocab] = {}

    def __len__(self) -> int:
        return len(self._values)

    @property
    def values(self) -> Sequence[str]:
        """The values, by code: a list while the vocabulary grows, packed strings
        (:class:`PackedStrings`) once its lookup is let go (:meth:`release_index`)."""
        return self._values

    @property
    def index(self) -> dict[str, int]:
        """Value -> code (rebuilt after :meth:`release_index`)."""
        if self._index is None:
            self._index = {value: code for code, value in enumerate(self.values)}
        return self._index

    def release_index(self) -> None:
        """Let go of the value -> code lookup until the next :meth:`encode`, and pack the
        values (:class:`PackedStrings`; a list again on the next :meth:`encode`).

        Some 60 bytes a value (a dict entry and an int object): on 55,000 accounts about
        13 MB, which a search holds in vain once its records are encoded; packed, the
        values themselves take 6.5 MB instead of 18.

        Examples
        --------
        >>> v = Vocab()
        >>> v.encode(["a", "b"]).tolist()
        [0, 1]
        >>> v.release_index()
        >>> type(v.values).__name__, list(v.values)
        ('PackedStrings', ['a', 'b'])
        >>> v.encode(["b", "c"]).tolist()
        [1, 2]
        """
        self._index = None
        if isinstance(self._values, list):
            self._values = PackedStrings(self._values)
            self._array = None

    def encode(self, values: Iterable[str]) -> CodeArray:
        """Codes of ``values`` (``""`` is null: ``-1``), adding unknown values."""
        index = self.index
        if isinstance(self._values, PackedStrings):
            self._values = list(self._values)
        vals = self._values
        out = []
        for value in values:
            if not value:
                out.append(-1)
                continue
            code = index.get(value)
            if code is None:
                code = index[value] = len(vals)
                vals.append(value)
            out.append(code)
        if len(vals) != (0 if self._array is None else len(self._array)):
            self._array = None
        return np.asarray(out, dtype=np.int32)

    @property
    def array(self) -> ObjArray:
        """The values as a NumPy object array (rebuilt after growth)."""
        if self._array is None or len(self._array) != len(self._values):
            self._array = np.asarray([*self._values, ""], dtype=object)[:-1]
        return self._array

    def derived(self, key: str, func: Callable[[list[str]], npt.NDArray[Any]]) -> npt.NDArray[Any]:
        """``func`` of every value, as an array aligned with the codes (cached, extended as
        the vocabulary grows).

        ``func`` is given the values :data:`DERIVED_CHUNK` at a time (it works value by
        value: the results are the same), so that packed values are not all unpacked into
        Python strings at once. Once this vocabulary's lookup is let go
        (:meth:`release_index`), so are those of the vocabularies ``func`` encoded into
        (:meth:`sub`): a search derives after encoding its records.

        Examples
        --------
        >>> v = Vocab()
        >>> v.encode(["ab", "c"]).tolist()
        [0, 1]
        >>> v.derived("length", lambda values: np.asarray([len(x) for x in values])).tolist()
        [2, 1]
        """
        known = self._derived.get(key)
        start = 0 if known is None else len(known)
        if start < len(self._values) or known is None:
            parts = [
                np.asarray(func(self._values[at : at + DERIVED_CHUNK]))
                for at in range(start, len(self._values), DERIVED_CHUNK)
            ] or [np.asarray(func([]))]
            new = parts[0] if len(parts) == 1 else np.concatenate(parts)
            del parts
            known = new if known is None else np.concatenate([known, new])
            self._derived[key] = known
            if self._index is None:
                for sub in self._subs.values():
                    sub.release_index()
        return known

    def sub(self, key: str) -> Vocab:
        """A vocabulary of values derived from these (local parts of e-mails ...)."""
        if key not in self._subs:
            self._subs[key] = Vocab()
        return self._subs[key]

    def take(self, codes: npt.NDArray[np.integer[Any]]) -> ObjArray:
        """The strings of ``codes`` (which must not be null)."""
        vals = self._values
        if isinstance(vals, PackedStrings):
            # Not unpacked whole (see :attr:`array`): one string per distinct code, which
            # the rows taking it share, as they share a list's.
            distinct, inverse = np.unique(codes, return_inverse=True)
            out: ObjArray = vals.strings[distinct].astype(object)[inverse.reshape(-1)]
            return out
        if len(codes) < 256:
            return np.asarray([vals[c] for c in codes.tolist()] + [""], dtype=object)[:-1]
        return self.array[codes]


@dataclass
class Vocabs:
    """The vocabularies of one model, by value space (first and last names share one)."""

    spaces: dict[str, Vocab] = field(default_factory=dict)

    def get(self, space: str) -> Vocab:
        if space not in self.spaces:
            self.spaces[space] = Vocab()
        return self.spaces[space]

    def release_indexes(self) -> None:
        """:meth:`Vocab.release_index` of every vocabulary (those derived from them too)."""
        pending = list(self.spaces.values())
        while pending:
            vocab = pending.pop()
            vocab.release_index()
            pending.extend(vocab._subs.values())
