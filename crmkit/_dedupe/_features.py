"""Feature tables: records normalised and encoded, ready to be blocked and compared.

:func:`prepare` turns the records of a pandas or polars DataFrame into a
:class:`FeatureTable`: for every comparison, one integer code per normalised value
(:mod:`crmkit._dedupe._normalise`) in vocabularies shared by the tables of one run, so that
equal values are equal codes. No database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crmkit._dedupe._arrays import BoolArray, CodeArray
from crmkit._dedupe._comparisons import Comparison
from crmkit._dedupe._frames import frame_columns
from crmkit._dedupe._names import has_cjk, name_words
from crmkit._dedupe._normalise import map_text, normalise, split_full_names
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


def prepare(
    frame: Any,
    comparisons: Sequence[Comparison],
    *,
    ids: Sequence[Any],
    vocabs: Vocabs | None = None,
    phone_region: str = "FR",
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
    # The columns are read comparison by comparison and let go once encoded: a column of
    # distinct values (names, streets, phones, web sites) is a Python string per record,
    # and holding them all at once was most of the preparation's peak.
    region_column = next((c for c in REGION_COLUMNS if c in set(frame.columns)), None)
    regions: Sequence[str | None] = (
        map_text(frame_columns(frame, [region_column])[region_column], normalize_country)
        if region_column is not None
        else [None] * len(frame)
    )
    first = next((c for c in comparisons if c.method == "first_name"), None)
    last = next((c for c in comparisons if c.method == "last_name"), None)
    # The names first (a full name in the last-name cell is split between the two).
    person = [c for c in comparisons if c.method in ("first_name", "last_name")]
    columns = frame_columns(frame, sorted({c for p in person for c in p.columns}))
    names = {c.name: normalise(c, columns, regions, phone_region) for c in (first, last) if c}
    chinese = np.zeros(len(frame), dtype=bool)
    words = {
        c.name: [map_text(columns[column], name_words) for column in c.columns] for c in person
    }
    if first is not None and last is not None:
        written = columns[last.columns[0]]
        split_full_names(names[first.name][0], names[last.name][0], written)
        split_full_names(words[first.name][0], words[last.name][0], written, words=True)
        for column in (*first.columns, *last.columns):
            chinese |= np.asarray([has_cjk(v) for v in columns[column]], dtype=bool)
    del columns
    # A table prepared on its own lets go of each vocabulary's lookup once its last
    # comparison is encoded (a dict entry and an int a value: 13 MB on 55,000 accounts,
    # rebuilt if records are added later); shared vocabularies keep theirs.
    fresh = not vocabs.spaces
    last_of = {_space(c): k for k, c in enumerate(comparisons)}
    codes: dict[str, CodeArray] = {}
    for k, comparison in enumerate(comparisons):
        vocab = vocabs.get(_space(comparison))
        keys = names.pop(comparison.name, None)
        if keys is None:
            columns = frame_columns(frame, comparison.columns)
            keys = normalise(comparison, columns, regions, phone_region)
            del columns
        per_column = [vocab.encode(v) for v in keys]
        del keys
        stacked = np.stack(per_column, axis=1) if per_column else np.empty((len(frame), 0))
        codes[comparison.name] = np.ascontiguousarray(stacked, dtype=np.int32)
        if fresh and last_of[_space(comparison)] == k:
            vocab.release_index()
    words_vocab = vocabs.get(NAME_WORDS)
    word_codes = {
        name: np.ascontiguousarray(
            np.stack([words_vocab.encode(v) for v in per_column], axis=1), dtype=np.int32
        )
        for name, per_column in words.items()
    }
    if fresh:
        words_vocab.release_index()
    return FeatureTable(list(ids), codes, tuple(comparisons), vocabs, chinese, word_codes)
