"""Feature tables: records normalised and encoded, ready to be blocked and compared.

:func:`prepare` turns the records of a pandas or polars DataFrame into a
:class:`FeatureTable`: for every comparison, one integer code per normalised value
(:mod:`crmkit._dedupe._normalise`) in vocabularies shared by the tables of one run, so that
equal values are equal codes. No database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crmkit._dedupe._arrays import BoolArray, CodeArray
from crmkit._dedupe._comparisons import Comparison
from crmkit._dedupe._frames import column_chunks, drop_column
from crmkit._dedupe._names import has_cjk, name_words
from crmkit._dedupe._normalise import map_text, name_key, normalise_column, split_full_names
from crmkit._dedupe._vocab import Vocab, Vocabs
from crmkit._normalize import normalize_country

__all__ = ["NAME_WORDS", "REGION_COLUMNS", "FeatureTable", "prepare"]


NAME_WORDS = "person_words"
"""The vocabulary of :attr:`FeatureTable.name_words`."""

# Where a record's country is: it decides how a phone without a country code is read.
REGION_COLUMNS = ("country", "billing_country")


@dataclass
class FeatureTable:
    """Normalised, encoded values of a set of records.

    Attributes
    ----------
    ids
        Record ids, in row order.
    codes
        Comparison name -> ``(n, w)`` int32 codes (``-1``: null); ``w > 1`` for "any of"
        comparisons (several phones, e-mails or domains).
    comparisons
        The comparisons the codes are for.
    vocabs
        Shared vocabularies (one per value space).
    chinese_names
        Per record, whether its name is written in Chinese characters (compared through
        pinyin, but two Chinese names one character apart are different names).
    name_words
        Per first- and last-name comparison, the codes of each record's name with its
        parts apart (:func:`~crmkit._dedupe._names.name_words`, in the vocabulary
        :data:`NAME_WORDS`): a middle name, initials, particles.
    """

    ids: list[Any]
    codes: dict[str, CodeArray]
    comparisons: tuple[Comparison, ...]
    vocabs: Vocabs
    chinese_names: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    name_words: dict[str, CodeArray] = field(default_factory=dict)
    tf_cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Term-frequency counts per comparison (:mod:`crmkit._dedupe._tf`), computed once."""

    def __len__(self) -> int:
        return len(self.ids)

    def vocab(self, comparison: Comparison) -> Vocab:
        """The vocabulary of a comparison's codes."""
        return self.vocabs.get(_space(comparison))

    def primary(self, name: str) -> CodeArray:
        """The first non-null code of each record for a comparison."""
        codes = self.codes[name]
        if codes.shape[1] == 1:
            return codes[:, 0]
        first = codes[:, 0].copy()
        for k in range(1, codes.shape[1]):
            first = np.where(first < 0, codes[:, k], first)
        return first

    def extend(self, other: FeatureTable) -> FeatureTable:
        """This table followed by ``other`` (prepared with the same vocabularies)."""
        codes = {}
        for name, mine in self.codes.items():
            theirs = other.codes[name]
            width = max(mine.shape[1], theirs.shape[1])
            codes[name] = np.concatenate([_widen(mine, width), _widen(theirs, width)])
        chinese = np.concatenate([self.chinese_names, other.chinese_names])
        words = {
            name: np.concatenate([mine, other.name_words[name]])
            for name, mine in self.name_words.items()
        }
        return FeatureTable(
            self.ids + other.ids, codes, self.comparisons, self.vocabs, chinese, words
        )


def _widen(codes: CodeArray, width: int) -> CodeArray:
    if codes.shape[1] == width:
        return codes
    pad = np.full((codes.shape[0], width - codes.shape[1]), -1, dtype=np.int32)
    return np.concatenate([codes, pad], axis=1)


def _space(comparison: Comparison) -> str:
    if comparison.method in ("first_name", "last_name"):
        return "person"
    return f"{comparison.method}:{comparison.name}"


CHUNK_ROWS = 32_768
"""Records read and normalised at a time by :func:`prepare`: a chunk's Python strings (its
values and their keys) are let go once encoded, and only each vocabulary's distinct values
stay (250,000 before: on 55,000 accounts, each column's strings and keys at once, the
highest peak of a search)."""


def prepare(
    frame: Any,
    comparisons: Sequence[Comparison],
    *,
    ids: Sequence[Any],
    vocabs: Vocabs | None = None,
    phone_region: str = "FR",
    drop_columns: bool = False,
) -> FeatureTable:
    """Normalise and encode the compared columns of ``frame``.

    Parameters
    ----------
    frame
        pandas or polars DataFrame of records.
    comparisons
        From :func:`resolve_comparisons`.
    ids
        The record ids, one per row.
    vocabs
        Vocabularies to share with an existing table (incremental use); new ones if
        ``None``.
    phone_region
        Region of phone numbers written without a country code, when the record has no
        ``country`` / ``billing_country``.
    drop_columns
        Remove each compared column from ``frame`` once encoded (a frame read for the
        search alone, which nothing else holds: its memory goes as the codes come).

    Examples
    --------
    >>> import pandas as pd
    >>> from crmkit._dedupe._comparisons import resolve_comparisons
    >>> frame = pd.DataFrame({"first_name": ["Bill", "伟"], "last_name": ["Smith", "张"]})
    >>> table_ = prepare(frame, resolve_comparisons("contacts", None, frame.columns), ids=[1, 2])
    >>> table_.vocab(table_.comparisons[0]).take(table_.codes["first_name"][:, 0]).tolist()
    ['bill', 'wei']
    """
    vocabs = vocabs if vocabs is not None else Vocabs()
    # A table prepared on its own lets go of each vocabulary's lookup once its last
    # comparison is encoded (a dict entry and an int a value: 13 MB on 55,000 accounts,
    # rebuilt if records are added later); shared vocabularies keep theirs.
    fresh = not vocabs.spaces
    for space in [*(_space(c) for c in comparisons), NAME_WORDS]:
        vocabs.get(space)  # made in this order, as the comparisons are
    plan = _Plan(frame, comparisons, drop_columns)
    person = plan.person
    codes: dict[str, CodeArray] = {}
    chinese = np.zeros(len(frame), dtype=bool)
    word_codes: dict[str, CodeArray] = {}
    if person:
        names, words = vocabs.get(_space(person[0])), vocabs.get(NAME_WORDS)
        keys, word_keys = plan.name_codes(chinese)
        codes.update({c.name: _in_order(names, keys[c.name]) for c in person})
        word_codes.update({c.name: _in_order(words, word_keys[c.name]) for c in person})
        if fresh:
            names.release_index()
            words.release_index()
        plan.done(plan.person_columns)
    for comparison in comparisons:
        if comparison.method in _PERSON:
            continue
        vocab = vocabs.get(_space(comparison))
        per_column = []
        for k, column in enumerate(comparison.columns):
            per_column.append(_encode(vocab, plan.keys(comparison, k, phone_region)))
            plan.done(plan.read_for(comparison, column))
        codes[comparison.name] = _stacked(per_column, len(frame))
        if fresh:
            vocab.release_index()
    codes = {c.name: codes[c.name] for c in comparisons}  # in the comparisons' order
    return FeatureTable(list(ids), codes, tuple(comparisons), vocabs, chinese, word_codes)


_PERSON = ("first_name", "last_name")


def _bound(caches: Iterable[dict[Any, str]]) -> None:
    """Empty the normalising caches grown past a chunk's size: a cache of names or cities
    is kept from chunk to chunk, not one of every record's e-mail."""
    for cache in caches:
        if len(cache) > CHUNK_ROWS:
            cache.clear()


def _encode(vocab: Vocab, chunks: Iterator[list[str]]) -> CodeArray:
    """The codes of a column's keys, chunk after chunk."""
    parts = [vocab.encode(keys) for keys in chunks]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)


def _in_order(vocab: Vocab, columns: list[tuple[Vocab, CodeArray]]) -> CodeArray:
    """Codes in ``vocab`` of columns encoded apart (each in its own vocabulary).

    ``vocab`` meets each column's distinct values in the order that column met them,
    column after column: the codes are those of encoding the whole columns in turn.
    """
    per_column = []
    for own, own_codes in columns:
        to_shared = np.append(vocab.encode(own.values), np.int32(-1))  # -1 stays -1
        per_column.append(to_shared[own_codes])
    return _stacked(per_column, len(columns[0][1]) if columns else 0)


def _stacked(per_column: list[CodeArray], rows: int) -> CodeArray:
    stacked = np.stack(per_column, axis=1) if per_column else np.empty((rows, 0))
    return np.ascontiguousarray(stacked, dtype=np.int32)


class _Plan:
    """The columns a preparation reads, chunk by chunk, and when each is done with."""

    def __init__(self, frame: Any, comparisons: Sequence[Comparison], drop: bool) -> None:
        self.frame, self.drop = frame, drop
        present = set(frame.columns)
        self.region = next((c for c in REGION_COLUMNS if c in present), None)
        self.person = [c for c in comparisons if c.method in _PERSON]
        self.first = next((c for c in comparisons if c.method == "first_name"), None)
        self.last = next((c for c in comparisons if c.method == "last_name"), None)
        self.person_columns = sorted({c for p in self.person for c in p.columns})
        # How many more reads each column has (its last one may drop it from the frame).
        self.uses: dict[str, int] = dict.fromkeys(self.person_columns, 1)
        for comparison in comparisons:
            if comparison.method not in _PERSON:
                for column in comparison.columns:
                    for name in self.read_for(comparison, column):
                        self.uses[name] = self.uses.get(name, 0) + 1

    def read_for(self, comparison: Comparison, column: str) -> list[str]:
        """The frame's columns read to normalise ``column`` of ``comparison``."""
        if comparison.method == "phone" and self.region is not None:
            return list(dict.fromkeys([column, self.region]))
        return [column]

    def done(self, columns: Sequence[str]) -> None:
        """One read of each of ``columns`` is over; drop those read for the last time."""
        for name in columns:
            self.uses[name] -= 1
            if self.drop and self.uses[name] == 0:
                drop_column(self.frame, name)

    def name_codes(
        self, chinese: BoolArray
    ) -> tuple[dict[str, list[tuple[Vocab, CodeArray]]], dict[str, list[tuple[Vocab, CodeArray]]]]:
        """Per name comparison and column, its keys and its :func:`name_words` encoded each
        in a vocabulary of its own (few distinct values), in one reading of the names.

        A full name in the last-name cell with no first name is split between the two;
        ``chinese`` is filled on the way.
        """
        first, last = self.first, self.last
        columns_of = [(c, k) for c in self.person for k in range(len(c.columns))]
        own = {(c.name, k, w): Vocab() for c, k in columns_of for w in (False, True)}
        parts: dict[tuple[str, int, bool], list[CodeArray]] = {key: [] for key in own}
        caches: dict[tuple[str, int, bool], dict[Any, str]] = {key: {} for key in own}
        row = 0
        for columns in column_chunks(self.frame, self.person_columns, CHUNK_ROWS):
            _bound(caches.values())
            rows = len(columns[self.person_columns[0]])
            for words in (False, True):
                key = name_words if words else name_key
                chunk = {
                    (c.name, k): map_text(columns[c.columns[k]], key, caches[c.name, k, words])
                    for c, k in columns_of
                }
                if first is not None and last is not None:
                    written = columns[last.columns[0]]
                    both = chunk[first.name, 0], chunk[last.name, 0]
                    split_full_names(*both, written, words=words)
                for (name, k), values in chunk.items():
                    parts[name, k, words].append(own[name, k, words].encode(values))
            if first is not None and last is not None:
                for column in (*first.columns, *last.columns):
                    chinese[row : row + rows] |= np.asarray(
                        [has_cjk(v) for v in columns[column]], dtype=bool
                    )
            row += rows
        out: tuple[dict[str, list[tuple[Vocab, CodeArray]]], ...] = ({}, {})
        for (name, k, words), vocab in own.items():
            encoded = parts[name, k, words]
            codes = np.concatenate(encoded) if encoded else np.empty(0, dtype=np.int32)
            out[words].setdefault(name, []).append((vocab, codes))
        return out[0], out[1]

    def keys(self, comparison: Comparison, k: int, phone_region: str) -> Iterator[list[str]]:
        """Per chunk, the keys of column ``k`` of a comparison (not a name's)."""
        column = comparison.columns[k]
        phone = comparison.method == "phone"
        cache: dict[Any, str] = {}
        for columns in column_chunks(self.frame, self.read_for(comparison, column), CHUNK_ROWS):
            _bound([cache])
            regions: Sequence[str | None] = ()
            if phone:
                regions = (
                    map_text(columns[self.region], normalize_country)
                    if self.region is not None
                    else [None] * len(columns[column])
                )
            yield normalise_column(comparison, k, columns, regions, phone_region, cache)
