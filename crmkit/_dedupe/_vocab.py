"""Vocabularies: distinct normalised strings and their integer codes.

Equal values get equal codes, so that comparing is comparing integers, and whatever is
derived from a value (its length, its Soundex, the parts of an e-mail) is computed once
per distinct value and cached with the vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from crmkit._dedupe._arrays import CodeArray, ObjArray

__all__ = ["Vocab", "Vocabs"]


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
        self.values: list[str] = []
        self._index: dict[str, int] | None = {}
        self._array: ObjArray | None = None
        self._derived: dict[str, npt.NDArray[Any]] = {}
        self._subs: dict[str, Vocab] = {}

    def __len__(self) -> int:
        return len(self.values)

    @property
    def index(self) -> dict[str, int]:
        """Value -> code (rebuilt after :meth:`release_index`)."""
        if self._index is None:
            self._index = {value: code for code, value in enumerate(self.values)}
        return self._index

    def release_index(self) -> None:
        """Let go of the value -> code lookup until the next :meth:`encode`.

        Some 60 bytes a value (a dict entry and an int object): on 55,000 accounts about
        13 MB, which a search holds in vain once its records are encoded.

        Examples
        --------
        >>> v = Vocab()
        >>> v.encode(["a", "b"]).tolist()
        [0, 1]
        >>> v.release_index()
        >>> v.encode(["b", "c"]).tolist()
        [1, 2]
        """
        self._index = None

    def encode(self, values: Iterable[str]) -> CodeArray:
        """Codes of ``values`` (``""`` is null: ``-1``), adding unknown values."""
        index, vals = self.index, self.values
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
        if self._array is None or len(self._array) != len(self.values):
            self._array = np.asarray([*self.values, ""], dtype=object)[:-1]
        return self._array

    def derived(self, key: str, func: Callable[[list[str]], npt.NDArray[Any]]) -> npt.NDArray[Any]:
        """``func`` of every value, as an array aligned with the codes (cached, extended as
        the vocabulary grows)."""
        known = self._derived.get(key)
        start = 0 if known is None else len(known)
        if start < len(self.values) or known is None:
            new = np.asarray(func(self.values[start:]))
            known = new if known is None else np.concatenate([known, new])
            self._derived[key] = known
        return known

    def sub(self, key: str) -> Vocab:
        """A vocabulary of values derived from these (local parts of e-mails ...)."""
        if key not in self._subs:
            self._subs[key] = Vocab()
        return self._subs[key]

    def take(self, codes: npt.NDArray[np.integer[Any]]) -> ObjArray:
        """The strings of ``codes`` (which must not be null)."""
        if len(codes) < 256:
            vals = self.values
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
