"""Comparing pairs of records: the agreement level of every comparison, and why.

:func:`compare` gives, for pairs of rows of two :class:`~crmkit._dedupe._features.FeatureTable`
sharing vocabularies, each :class:`~crmkit._dedupe._comparisons.Comparison`'s agreement
level (``exact``, ``nickname``, ``close``, ... ``different``) and the similarity behind it;
first and last names are also compared crosswise (swapped names).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import distance, fuzz

from crmkit._dedupe._arrays import BoolArray, CodeArray, IntArray, LevelArray, SimilarityArray
from crmkit._dedupe._comparisons import Comparison
from crmkit._dedupe._features import NAME_WORDS, FeatureTable
from crmkit._dedupe._names import (
    GLUED_PARTICLES,
    first_name_parts_agree,
    last_name_parts_agree,
    nickname_groups,
)
from crmkit._dedupe._normalise import ROLE_LOCALS, phone_tails
from crmkit._dedupe._similarity import DistinctPairs, similarities
from crmkit._dedupe._vocab import Vocab
from crmkit._exceptions import ValidationError

__all__ = ["COMPARE_CHUNK", "PairLevels", "compare", "compare_levels"]


# Similarity cut-offs of the fuzzy levels (rapidfuzz scores scaled to 0..1). They are the
# usual values in record linkage, not fitted to a dataset.
_JW_FIRST_CLOSE = 0.90
_JW_LAST_CLOSE = 0.92
_JW_LAST_SIMILAR = 0.84
_JW_EMAIL_CLOSE = 0.92
_JW_CITY_CLOSE = 0.90
_COMPANY_CLOSE = 0.90
_COMPANY_PARTIAL = 0.90
_TEXT_CLOSE = 0.90
_TEXT_SIMILAR = 0.70
_SWAP_MARGIN = 0.15


@dataclass
class PairLevels:
    """Agreement levels of pairs of records.

    Attributes
    ----------
    levels
        ``(pairs, comparisons)`` int8: index into :attr:`Comparison.levels`, ``-1`` null.
    similarity
        ``(pairs, comparisons)`` float32 similarity in 0..1 of the primary values (1 for
        exact, NaN when not computed or null).
    swapped
        True where first and last names agree crosswise (and were compared that way).
    """

    levels: LevelArray
    similarity: SimilarityArray
    swapped: BoolArray


def _any_equal(a: CodeArray, b: CodeArray) -> BoolArray:
    equal = np.zeros(len(a), dtype=bool)
    for i in range(a.shape[1]):
        ai = a[:, i]
        valid = ai >= 0
        for j in range(b.shape[1]):
            equal |= valid & (ai == b[:, j])
    return equal


def _primary(codes: CodeArray) -> CodeArray:
    first = codes[:, 0].copy()
    for k in range(1, codes.shape[1]):
        first = np.where(first < 0, codes[:, k], first)
    return first


def _any_tail_equal(a: CodeArray, b: CodeArray, vocab: Vocab) -> BoolArray:
    tails = phone_tails(vocab)
    if len(tails) == 0:  # the column is empty everywhere: nothing can be equal
        return np.zeros(a.shape[0], dtype=bool)
    ta = np.where(a >= 0, tails[np.maximum(a, 0)], -1)
    tb = np.where(b >= 0, tails[np.maximum(b, 0)], -1)
    return _any_equal(ta, tb)


NameWords = tuple[CodeArray, CodeArray, Vocab]
"""Codes of two sides' names with their parts apart, and their vocabulary."""


def _levels_for(
    comparison: Comparison,
    a: CodeArray,
    b: CodeArray,
    vocab: Vocab,
    chinese: BoolArray | None = None,
    words: NameWords | None = None,
) -> tuple[LevelArray, SimilarityArray]:
    """Levels and similarities of one comparison for code matrices ``a`` and ``b``.

    ``chinese`` marks the pairs of two names written in Chinese characters: for them,
    pinyin that is merely close (晓红 and 小龙: xiaohong and xiaolong) is no agreement.
    ``words`` are the names with their parts apart (first and last names), compared part
    by part where the keys differ.
    """
    n = len(a)
    pa, pb = _primary(a), _primary(b)
    null = (pa < 0) | (pb < 0)
    exact = _any_equal(a, b) if a.shape[1] > 1 or b.shape[1] > 1 else (pa == pb) & ~null
    if comparison.method == "phone":
        exact |= _any_tail_equal(a, b, vocab) & ~null
    levels = np.full(n, -1, dtype=np.int8)
    sims = np.full(n, np.nan, dtype=np.float32)
    levels[~null] = len(comparison.levels) - 1  # different unless shown otherwise
    levels[exact] = 0
    sims[exact] = 1.0
    rest = np.flatnonzero(~null & ~exact)
    if len(rest) == 0:
        return levels, sims
    ra, rb = pa[rest], pb[rest]
    method = comparison.method
    sub = np.full(len(rest), len(comparison.levels) - 1, dtype=np.int8)
    distinct = DistinctPairs(ra, rb, vocab)
    jaro_winkler = distance.JaroWinkler.normalized_similarity
    if method == "first_name":
        sim = distinct.score(jaro_winkler, cutoff=_JW_FIRST_CLOSE)
        sub[(sim >= _JW_FIRST_CLOSE) | _one_typo(ra, rb, vocab)] = 2
        sub[_initial_match(ra, rb, vocab)] = 3
        if words is not None:
            parts = _parts_agree(words, rest, first_name_parts_agree)
            sub[(parts == "initial") & (sub == 4)] = 3
            sub[parts == "close"] = 2
        sub[_nickname_match(ra, rb, vocab)] = 1
    elif method == "last_name":
        sim = distinct.score(jaro_winkler, cutoff=_JW_LAST_SIMILAR)
        sub[sim >= _JW_LAST_SIMILAR] = 2
        if words is not None:
            parts = _parts_agree(words, rest, last_name_parts_agree)
            sub[parts == "similar"] = np.minimum(sub[parts == "similar"], 2)
            sub[parts == "close"] = 1
        sub[(sim >= _JW_LAST_CLOSE) | _one_typo(ra, rb, vocab)] = 1
    elif method == "email":
        sim = np.full(len(rest), np.nan, dtype=np.float32)
        same_local, typo = _email_parts_equal(ra, rb, vocab)
        sub[typo] = 2
        sub[same_local] = 1
    elif method in ("phone", "code", "postal_code", "date"):
        osa = distinct.score(distance.OSA.distance)
        lengths = _lengths(vocab)
        longest = np.maximum(np.maximum(lengths[ra], lengths[rb]), 1)
        sim = np.asarray(1.0 - np.minimum(osa, longest) / longest, dtype=np.float32)
        close = osa <= 1
        if method == "date":
            close |= _day_month_swapped(ra, rb, vocab)
        sub[close] = 1
    elif method == "company":
        sim = distinct.score(fuzz.token_set_ratio, 100.0, cutoff=100 * _COMPANY_PARTIAL)
        partial = sim >= _COMPANY_PARTIAL
        close = np.zeros(len(rest), dtype=bool)
        if partial.any():
            close[partial] = (
                similarities(
                    ra[partial], rb[partial], vocab, fuzz.ratio, 100.0, 100 * _COMPANY_CLOSE
                )
                >= _COMPANY_CLOSE
            )
        sub[partial | _brand_in_transliteration(distinct)] = 2
        sub[close] = 1
    elif method == "city":
        sim = distinct.score(jaro_winkler, cutoff=_JW_CITY_CLOSE)
        sub[sim >= _JW_CITY_CLOSE] = 1
    elif method in ("text", "street"):
        sim = distinct.score(fuzz.token_set_ratio, 100.0, cutoff=100 * _TEXT_SIMILAR)
        sub[sim >= _TEXT_SIMILAR] = 2
        sub[sim >= _TEXT_CLOSE] = 1
        if method == "street":  # another house number is another building
            numbers = _house_numbers(vocab)
            other = (numbers[ra] != numbers[rb]) & (numbers[ra] >= 0) & (numbers[rb] >= 0)
            sub[other & (sub == 1)] = 2
    else:  # exact, domain: nothing between equal and different
        sim = np.zeros(len(rest), dtype=np.float32)
    if chinese is not None and method in ("first_name", "last_name"):
        sub[chinese[rest] & (sub > 0)] = len(comparison.levels) - 1
    levels[rest] = sub
    sims[rest] = sim
    return levels, sims


_NUMBER = re.compile(r"\d+")


def _house_numbers(vocab: Vocab) -> CodeArray:
    """Per address, the code of its first number (``-1`` if it has none)."""
    numbers = vocab.sub("house_number")

    def first_numbers(values: list[str]) -> CodeArray:
        found = (_NUMBER.search(v) for v in values)
        return numbers.encode([m.group().lstrip("0") or "0" if m else "" for m in found])

    return vocab.derived("house_number", first_numbers)


def _several_parts(values: list[str]) -> BoolArray:
    """Whether a name has parts: several words, or a particle glued to it ("Lafontaine")."""
    return np.asarray([" " in v or v.startswith(GLUED_PARTICLES) for v in values], dtype=bool)


def _parts_agree(
    words: NameWords, rest: IntArray, agree: Callable[[str, str], str | None]
) -> npt.NDArray[np.object_]:
    """``agree`` of the names with their parts apart, for the pairs ``rest``, where one of
    them has several parts (each distinct pair once)."""
    wa, wb, vocab = words
    ca, cb = _primary(wa)[rest], _primary(wb)[rest]
    several = vocab.derived("several_parts", _several_parts)
    out = np.full(len(rest), None, dtype=object)
    if len(several) == 0:
        return out
    ia, ib = np.maximum(ca, 0), np.maximum(cb, 0)
    maybe = np.flatnonzero((ca >= 0) & (cb >= 0) & (several[ia] | several[ib]))
    if len(maybe) == 0:
        return out
    distinct = DistinctPairs(ca[maybe], cb[maybe], vocab)
    found = np.asarray(
        [agree(x, y) for x, y in zip(distinct.left, distinct.right, strict=True)], dtype=object
    )
    out[maybe] = found[distinct.inverse]
    return out


def _brand_in_transliteration(distinct: DistinctPairs) -> BoolArray:
    """A word of one company name inside the other written as one transliterated run.

    A Chinese name transliterates to one run of pinyin ("杭州佳锦旅游" is
    ``hangzhoujiajinlvyou``); its brand written in Latin letters ("Jiajin Travel") is in it.
    """
    vocab = distinct.vocab
    single = vocab.derived(
        "one_long_word",
        lambda values: np.asarray([" " not in v and len(v) >= 8 for v in values], dtype=bool),
    )
    ua, ub = distinct.codes_a, distinct.codes_b
    found = np.zeros(len(ua), dtype=bool)
    maybe = np.flatnonzero(single[ua] != single[ub])
    values = vocab.values
    for i, x, y in zip(maybe.tolist(), ua[maybe].tolist(), ub[maybe].tolist(), strict=True):
        run, words = (values[x], values[y]) if single[x] else (values[y], values[x])
        found[i] = any(len(w) >= 5 and w in run for w in words.split(" "))
    return np.asarray(found[distinct.inverse])


def _lengths(vocab: Vocab) -> IntArray:
    return vocab.derived(
        "length", lambda values: np.asarray([len(v) for v in values], dtype=np.int64)
    )


def _first_chars(vocab: Vocab) -> CodeArray:
    return vocab.derived(
        "first_char", lambda values: vocab.sub("first_char").encode([v[:1] for v in values])
    )


def _initial_match(ra: CodeArray, rb: CodeArray, vocab: Vocab) -> BoolArray:
    lengths = _lengths(vocab)
    first = _first_chars(vocab)
    return np.asarray(((lengths[ra] == 1) | (lengths[rb] == 1)) & (first[ra] == first[rb]))


def _nickname_match(ra: CodeArray, rb: CodeArray, vocab: Vocab) -> BoolArray:
    groups = nickname_groups()
    known = vocab.derived(
        "nickname", lambda values: np.asarray([v in groups for v in values], dtype=bool)
    )
    out = np.zeros(len(ra), dtype=bool)
    both = np.flatnonzero(known[ra] & known[rb])
    if len(both):
        values = vocab.values
        out[both] = [
            bool(groups[values[x]] & groups[values[y]])
            for x, y in zip(ra[both].tolist(), rb[both].tolist(), strict=True)
        ]
    return out


def _one_typo(ra: CodeArray, rb: CodeArray, vocab: Vocab) -> BoolArray:
    """One edit apart (a typo), for values of at least 4 characters."""
    lengths = _lengths(vocab)
    out = np.zeros(len(ra), dtype=bool)
    maybe = np.flatnonzero(
        (np.minimum(lengths[ra], lengths[rb]) >= 4) & (np.abs(lengths[ra] - lengths[rb]) <= 1)
    )
    if len(maybe):
        out[maybe] = similarities(ra[maybe], rb[maybe], vocab, distance.OSA.distance) <= 1
    return out


_DIGITS = re.compile(r"\d+")


def _email_parts(vocab: Vocab) -> tuple[CodeArray, CodeArray, CodeArray, BoolArray]:
    """Per address: codes of its local part, domain and local part without digits, and
    whether the local part names a person (not a role such as ``info``)."""
    locals_ = vocab.sub("local")

    def split(values: list[str]) -> npt.NDArray[Any]:
        pieces = [v.rpartition("@") for v in values]
        local_parts = [p[0] for p in pieces]
        return (
            np.stack(
                [
                    locals_.encode(local_parts),
                    vocab.sub("domain").encode([p[2] for p in pieces]),
                    vocab.sub("bare_local").encode(
                        [_DIGITS.sub("", p) or "-" for p in local_parts]
                    ),
                    np.asarray(
                        [len(p) >= 4 and p not in ROLE_LOCALS for p in local_parts], dtype=np.int32
                    ),
                ],
                axis=1,
            )
            if values
            else np.zeros((0, 4), dtype=np.int32)
        )

    parts = vocab.derived("email_parts", split)
    return parts[:, 0], parts[:, 1], parts[:, 2], parts[:, 3].astype(bool)


def _email_parts_equal(ra: CodeArray, rb: CodeArray, vocab: Vocab) -> tuple[BoolArray, BoolArray]:
    """Pairs of addresses with the same personal local part at different domains, and
    pairs at the same domain whose local parts are one typo apart.

    A typo is one edit in a local part of at least 5 characters that keeps its first
    character (``gnoel`` and ``hnoel`` are two colleagues' initials) and is not a number
    (``jean.martin2`` is the second Jean Martin of the company, not a typo).
    """
    local, domain, bare, personal = _email_parts(vocab)
    same_local = (local[ra] == local[rb]) & personal[ra]
    typo = np.zeros(len(ra), dtype=bool)
    locals_ = vocab.sub("local")
    lengths = _lengths(locals_)
    first = _first_chars(locals_)
    la, lb = local[ra], local[rb]
    maybe = np.flatnonzero(
        (domain[ra] == domain[rb])
        & ~same_local
        & (np.minimum(lengths[la], lengths[lb]) >= 5)
        & (np.abs(lengths[la] - lengths[lb]) <= 1)
        & (first[la] == first[lb])
        & (bare[ra] != bare[rb])
    )
    if len(maybe):
        typo[maybe] = similarities(la[maybe], lb[maybe], locals_, distance.OSA.distance) <= 1
    return same_local, typo


def _day_month_swapped(ra: CodeArray, rb: CodeArray, vocab: Vocab) -> BoolArray:
    left = vocab.take(ra).tolist()
    right = vocab.take(rb).tolist()
    return np.asarray(
        [
            len(x) == 8 and len(y) == 8 and x[:4] == y[:4] and x[4:6] == y[6:8] and x[6:8] == y[4:6]
            for x, y in zip(left, right, strict=True)
        ],
        dtype=bool,
    )


def _swap_mask(
    codes: tuple[CodeArray, CodeArray, CodeArray, CodeArray],
    straight: SimilarityArray,
    vocab: Vocab,
) -> BoolArray:
    """Pairs whose first and last names agree crosswise clearly better than straight.

    ``codes`` are first and last names of each side, ``straight`` the sum of the straight
    similarities. Only pairs whose crosswise names start alike are scored.
    """
    fa, la, fb, lb = codes
    out = np.zeros(len(fa), dtype=bool)
    first = _first_chars(vocab)
    full = (fa >= 0) & (la >= 0) & (fb >= 0) & (lb >= 0)
    maybe = np.flatnonzero(
        full
        & (straight < 2.0 - _SWAP_MARGIN)
        & (first[np.maximum(fa, 0)] == first[np.maximum(lb, 0)])
        & (first[np.maximum(la, 0)] == first[np.maximum(fb, 0)])
    )
    if len(maybe) == 0:
        return out
    jaro_winkler = distance.JaroWinkler.normalized_similarity
    cross_first = similarities(fa[maybe], lb[maybe], vocab, jaro_winkler)
    cross_last = similarities(la[maybe], fb[maybe], vocab, jaro_winkler)
    good = (
        (cross_first + cross_last >= straight[maybe] + _SWAP_MARGIN)
        & (cross_first >= _JW_LAST_SIMILAR)
        & (cross_last >= _JW_LAST_SIMILAR)
    )
    out[maybe[good]] = True
    return out


def compare(
    left: FeatureTable,
    ia: IntArray,
    right: FeatureTable,
    ib: IntArray,
    only: Iterable[str] | None = None,
) -> PairLevels:
    """Agreement levels of the pairs ``(left[ia[k]], right[ib[k]])``.

    Both tables must share vocabularies (``right`` prepared with ``left.vocabs``, or the
    same table). First and last names are compared crosswise when that agrees clearly
    better (swapped names). With ``only``, the other comparisons are left null.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmkit._dedupe._comparisons import resolve_comparisons
    >>> from crmkit._dedupe._features import prepare
    >>> frame = pd.DataFrame({"first_name": ["Bill", "William", "Smith"],
    ...                       "last_name": ["Smith", "Smyth", "Bill"]})
    >>> t = prepare(frame, resolve_comparisons("contacts", None, frame.columns), ids=[1, 2, 3])
    >>> pairs = compare(t, np.asarray([0, 0]), t, np.asarray([1, 2]))
    >>> pairs.levels.tolist(), pairs.swapped.tolist()
    ([[1, 1], [0, 0]], [False, True])
    """
    comparisons = left.comparisons
    n = len(ia)
    levels = np.full((n, len(comparisons)), -1, dtype=np.int8)
    sims = np.full((n, len(comparisons)), np.nan, dtype=np.float32)
    swapped = np.zeros(n, dtype=bool)
    wanted = None if only is None else set(only)
    chinese = None
    if len(left.chinese_names) and len(right.chinese_names):
        chinese = left.chinese_names[ia] & right.chinese_names[ib]
    words_vocab = left.vocabs.get(NAME_WORDS)
    for k, comparison in enumerate(comparisons):
        if wanted is not None and comparison.name not in wanted:
            continue
        a = left.codes[comparison.name][ia]
        b = right.codes[comparison.name][ib]
        words = None
        if comparison.name in left.name_words and comparison.name in right.name_words:
            words = (
                left.name_words[comparison.name][ia],
                right.name_words[comparison.name][ib],
                words_vocab,
            )
        levels[:, k], sims[:, k] = _levels_for(
            comparison, a, b, left.vocab(comparison), chinese, words
        )
    first = next((k for k, c in enumerate(comparisons) if c.method == "first_name"), None)
    last = next((k for k, c in enumerate(comparisons) if c.method == "last_name"), None)
    if first is None or last is None or levels[:, first].max(initial=-1) < 0:
        return PairLevels(levels, sims, swapped)
    first_name, last_name = comparisons[first].name, comparisons[last].name
    codes = (
        left.codes[first_name][ia, 0],
        left.codes[last_name][ia, 0],
        right.codes[first_name][ib, 0],
        right.codes[last_name][ib, 0],
    )
    straight = np.nan_to_num(sims[:, first]) + np.nan_to_num(sims[:, last])
    vocab = left.vocab(comparisons[first])
    swapped = _swap_mask(codes, straight, vocab)
    rows = np.flatnonzero(swapped)
    if len(rows):
        fa, la, fb, lb = (c[rows][:, None] for c in codes)
        both = None if chinese is None else chinese[rows]
        cross_one: NameWords | None = None
        cross_two: NameWords | None = None
        if first_name in left.name_words and last_name in left.name_words:
            cross_one = (
                left.name_words[first_name][ia[rows], :1],
                right.name_words[last_name][ib[rows], :1],
                words_vocab,
            )
            cross_two = (
                left.name_words[last_name][ia[rows], :1],
                right.name_words[first_name][ib[rows], :1],
                words_vocab,
            )
        # Which crosswise pair is "the first names" depends on the side one stands on:
        # each comparison takes the better of the two, so that comparing is symmetric.
        for k in (first, last):
            one, sim_one = _levels_for(comparisons[k], fa, lb, vocab, both, cross_one)
            two, sim_two = _levels_for(comparisons[k], la, fb, vocab, both, cross_two)
            better = _rank(two) < _rank(one)
            levels[rows, k] = np.where(better, two, one)
            sims[rows, k] = np.where(better, sim_two, sim_one)
    _local_part_is_the_name(comparisons, levels, first, last)
    return PairLevels(levels, sims, swapped)


COMPARE_CHUNK = 50_000
"""Pairs compared at a time by :func:`compare_levels`. Comparing gathers both sides' codes
and similarities of every pair it is given: four million candidates at once held about
1 GB of such arrays (220,000 contacts); 250,000 at a time hold a few tens of MB, whatever
the number of candidates, at no measurable cost in time."""


def compare_levels(
    left: FeatureTable,
    ia: IntArray,
    right: FeatureTable,
    ib: IntArray,
    *,
    chunk: int = COMPARE_CHUNK,
) -> LevelArray:
    """The agreement levels of :func:`compare`, computed ``chunk`` pairs at a time.

    Only the levels are kept (one byte per pair and comparison): the similarities and
    swapped names, which explanations need, are computed again for the pairs listed.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmkit._dedupe._comparisons import resolve_comparisons
    >>> from crmkit._dedupe._features import prepare
    >>> frame = pd.DataFrame({"first_name": ["Bill", "William", "Smith"],
    ...                       "last_name": ["Smith", "Smyth", "Bill"]})
    >>> t = prepare(frame, resolve_comparisons("contacts", None, frame.columns), ids=[1, 2, 3])
    >>> compare_levels(t, np.asarray([0, 0]), t, np.asarray([1, 2]), chunk=1).tolist()
    [[1, 1], [0, 0]]
    """
    if chunk < 1:
        raise ValidationError(f"chunk must be at least 1, got {chunk}")
    n = len(ia)
    out = np.empty((n, len(left.comparisons)), dtype=np.int8)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        out[start:stop] = compare(left, ia[start:stop], right, ib[start:stop]).levels
    return out


def _rank(levels: LevelArray) -> npt.NDArray[np.int16]:
    """Levels ordered strongest first, nulls last."""
    return np.where(levels < 0, 127, levels).astype(np.int16)


def _local_part_is_the_name(
    comparisons: Sequence[Comparison], levels: LevelArray, first: int, last: int
) -> None:
    """Two addresses with the same local part at different domains ("jean.dupont@a.fr",
    "jean.dupont@b.com") say no more than the names they are made of when the names agree:
    count them as different addresses then, or namesakes would look like duplicates."""
    names_agree = (
        (levels[:, first] >= 0)
        & (levels[:, first] <= 2)
        & (levels[:, last] >= 0)
        & (levels[:, last] <= 1)
    )
    for k, comparison in enumerate(comparisons):
        if comparison.method == "email":
            column = levels[:, k]
            column[names_agree & (column == 1)] = len(comparison.levels) - 1
