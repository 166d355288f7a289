"""Company and person matching keys over a whole column at once, with Arrow and NumPy.

:func:`company_keys` gives, for a column of cleaned company names, the keys
:func:`crmkit._normalize.company_key` gives value by value, without a Python loop over the
rows. The scalar rule is retraced step by step:

* ``clean_text`` is assumed done: a row it would still change (an outer or double space,
  a control character) is left to the scalar; a "missing" marker (``N/A``, ``-``,
  ``Non renseigné`` ...) gets the empty key, like ``company_key`` gives it;
* ``_strip_cjk_legal`` (有限公司, 集团, 株式会社 ...) runs its loop, affix by affix and
  pass after pass, on NumPy arrays of code points, for the rows that start or end with the
  first or last character of such an affix;
* ``anyascii``, ``casefold``, the removal of ``'`.`` and the reading of any other
  punctuation as a space are one table lookup per character: the table holds, for each
  code point of the ranges below that passes the checks of :func:`_transliterable` (ASCII,
  Latin letters, punctuation, kana, CJK ideographs, full-width forms), what those steps
  make of it (built once, on first use). A row with a character outside the table is left
  to the scalar;
* tokens, the merging of initials (``S A S`` -> ``sas``), the removal of legal forms at
  both ends and the sorting of the words are done on NumPy arrays of token offsets.

A row whose legal-form removal leaves nothing and whose CJK affixes were removed is left to
the scalar (its fallback reads the text before the removal). :func:`name_keys` does the
same for :func:`crmkit._normalize.name_key`. Property tests check both against the
scalar functions.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from anyascii import anyascii

from crmkit._normalize import _keys, _text

__all__ = ["company_keys", "name_keys"]

# Code points [start, stop) looked at for the transliteration table: ASCII, Latin-1 and
# Latin Extended A/B, Latin Extended Additional, general punctuation, kana, CJK ideographs,
# full-width forms.
_TABLE_RANGES = (
    (0x20, 0x7F),
    (0xA1, 0x250),
    (0x1E00, 0x1F00),
    (0x2010, 0x2028),
    (0x3041, 0x3100),
    (0x4E00, 0xA000),
    (0xFF01, 0xFF5F),
)
_BEYOND_BMP = 0x10000  # every code point from here on is read as this one: not in the table
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_SPACE = 0x20
_LOWER_A = 0x61

_MISSING = pa.array(sorted(_text._MISSING_TEXT), pa.string())
_NAMES_LIKE_MISSING = pa.array(sorted(_text._NAMES_LIKE_MISSING), pa.string())
_LONGEST_MISSING = max(len(text) for text in _text._MISSING_TEXT)
_LEGAL_OR_THE = pa.array(sorted(_keys._LEGAL_FORMS | {"the"}), pa.string())
_THE_INDEX = _LEGAL_OR_THE.to_pylist().index("the")
_CONNECTORS = pa.array(sorted(_keys._CONNECTORS), pa.string())
_ONLY_CJK_LEGAL = "^(?:" + "|".join(_keys._CJK_LEGAL_SUFFIXES) + ")+$"
_AFFIX_TRIM = " ,.-"
_SUFFIX_CPS = [[ord(c) for c in s] for s in _keys._CJK_LEGAL_SUFFIXES]
_PREFIX_CPS = [[ord(c) for c in p] for p in _keys._CJK_LEGAL_PREFIXES]
_SUFFIX_FIRST_CPS = np.array(sorted({s[0] for s in _SUFFIX_CPS}))
_SUFFIX_LAST_CPS = np.array(sorted({s[-1] for s in _SUFFIX_CPS}))
_PREFIX_FIRST_CPS = np.array(sorted({p[0] for p in _PREFIX_CPS}))
_AFFIX_TRIM_CPS = np.array([ord(c) for c in _AFFIX_TRIM])


def _fold(text: str) -> str:
    """``_ascii_tokens``'s rewriting of an ASCII text, before the split on spaces."""
    out = []
    for char in text.casefold():
        if char in "'`.":
            continue
        out.append(char if char in _ALNUM else " ")
    return "".join(out)


def _transliterable(char: str) -> bool:
    """True when a text made of such characters can go through the table.

    The character is printable and not a space (``clean_text`` leaves it alone), is its
    own NFC form and no combining mark (so NFC leaves a text of such characters as it is,
    and anyascii reads it one character at a time), and its casefold is its lower case (so
    Arrow's ``utf8_lower`` finds the "missing" markers). It is its own NFKC form too, or
    (full-width forms) NFKC makes it one ASCII character, not one of those
    ``_strip_cjk_legal`` trims, that anyascii reads as it reads the character itself: then
    the NFKC text has the same characters, one for one, and the same key.
    """
    if char.isascii():
        return " " <= char <= "~"
    if not (
        unicodedata.category(char)[0] in "LNPS"
        and unicodedata.combining(char) == 0
        and unicodedata.normalize("NFC", char) == char
        and char.casefold() == char.lower()
    ):
        return False
    compat = unicodedata.normalize("NFKC", char)
    # A full-width form reads as its ASCII self, one for one (company_key reads NFKC).
    return compat == char or (
        len(compat) == 1
        and " " < compat <= "~"
        and compat not in _AFFIX_TRIM
        and _fold(anyascii(compat)) == _fold(anyascii(char))
    )


@dataclass(frozen=True)
class _Table:
    """What each code point becomes: ``entry[code point]`` indexes ``data`` slices."""

    entry: np.ndarray  # int32 per code point up to _BEYOND_BMP; -1: not in the table
    starts: np.ndarray
    lengths: np.ndarray
    data: np.ndarray  # uint8
    missing_heads: np.ndarray  # code points that lower-case to a "missing" marker's first


@functools.cache
def _table() -> _Table:
    chars = [chr(cp) for start, stop in _TABLE_RANGES for cp in range(start, stop)]
    chars = [c for c in chars if _transliterable(c)]
    # Arrow must lower-case them as Python does, for the "missing" test.
    arrow_lower = pc.utf8_lower(pa.array(chars, pa.string())).to_pylist()
    entries: dict[str, int] = {"": 0}
    entry = np.full(_BEYOND_BMP + 1, -1, dtype=np.int32)
    for char, lower in zip(chars, arrow_lower, strict=True):
        if lower == char.lower():
            entry[ord(char)] = entries.setdefault(_fold(anyascii(char)), len(entries))
    lengths = np.array([len(e) for e in entries], dtype=np.int32)
    starts = (np.cumsum(lengths) - lengths).astype(np.int32)
    data = np.frombuffer("".join(entries).encode("ascii"), dtype=np.uint8)
    heads = {text[0] for text in _text._MISSING_TEXT if text}
    missing_heads = np.array(
        sorted(ord(c) for c in chars if entry[ord(c)] >= 0 and c.lower()[:1] in heads),
        dtype=np.int32,
    )
    return _Table(entry, starts, lengths, data, missing_heads)


def _bools(array: Any) -> np.ndarray:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _string_array(texts: Any) -> pa.Array:
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks else pa.array([], pa.string())
    if not isinstance(texts, pa.Array):
        texts = pa.array(texts, pa.string())
    if texts.type != pa.string():
        texts = texts.cast(pa.string())
    return texts


@dataclass
class _Rows:
    """The rows of a column read into tokens (all arrays NumPy)."""

    handled: np.ndarray  # bool per row: decided here
    missing: np.ndarray  # bool per row: clean_text reads it as missing (key "")
    stripped: np.ndarray  # bool per row: CJK legal affixes were removed
    tokens: np.ndarray  # uint8: the tokens' bytes, one after the other
    bounds: np.ndarray  # int64, one more than tokens: each token's byte offset
    row_tokens: np.ndarray  # int64, one more than rows: each row's first token


def _any_in_row(flags: np.ndarray, row_ends: np.ndarray) -> np.ndarray:
    """Per row, whether ``flags`` (one per character) is True for one of its characters."""
    counted = np.zeros(len(flags) + 1, dtype=np.int32)
    np.cumsum(flags, dtype=np.int32, out=counted[1:])
    return counted[row_ends[1:]] > counted[row_ends[:-1]]


def _spans(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """All of ``range(start, stop)`` for each pair, one after the other (NumPy)."""
    size = (stops - starts).astype(np.int32)
    ends = np.zeros(len(size) + 1, dtype=np.int32)
    np.cumsum(size, out=ends[1:])
    return np.repeat(starts.astype(np.int32) - ends[:-1], size) + np.arange(
        ends[-1], dtype=np.int32
    )


def _code_points(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Code points of all rows, one after the other, and each row's character offsets."""
    n = len(texts)
    buffers = texts.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32, count=n + 1, offset=4 * texts.offset)
    first, stop = int(offsets[0]), int(offsets[-1])
    if buffers[2] is None or stop == first:
        return np.zeros(0, dtype=np.int32), np.zeros(n + 1, dtype=np.int32)
    data = np.frombuffer(buffers[2], dtype=np.uint8)[first:stop]
    relative = offsets - np.int32(first)
    if data.max() < 0x80:
        return data.astype(np.int32), relative
    lead = (data & 0xC0) != 0x80
    counted = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum(lead, dtype=np.int32, out=counted[1:])
    cps = data[lead].astype(np.int32)  # right for ASCII; multi-byte ones are fixed below
    at = np.flatnonzero(data >= 0xC0)
    b0 = data[at].astype(np.int32)
    b1 = (data[at + 1] & 0x3F).astype(np.int32)
    b2 = (data[np.minimum(at + 2, len(data) - 1)] & 0x3F).astype(np.int32)
    cps[counted[at]] = np.where(
        b0 < 0xE0,
        ((b0 & 0x1F) << 6) | b1,
        np.where(b0 < 0xF0, ((b0 & 0x0F) << 12) | (b1 << 6) | b2, _BEYOND_BMP),
    )
    return cps, counted[relative]


def _trimmed(cps: np.ndarray, lo: np.ndarray, hi: np.ndarray, rows: np.ndarray, back: bool) -> None:
    """``rstrip(" ,.-")`` (``lstrip`` when not ``back``) of rows ``rows``, in place."""
    while len(rows):
        if back:
            rows = rows[(hi[rows] > lo[rows]) & np.isin(cps[hi[rows] - 1], _AFFIX_TRIM_CPS)]
            hi[rows] -= 1
        else:
            rows = rows[(hi[rows] > lo[rows]) & np.isin(cps[lo[rows]], _AFFIX_TRIM_CPS)]
            lo[rows] += 1


def _cjk_affixes(
    texts: pa.Array, cps: np.ndarray, chars: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``_strip_cjk_legal`` on rows ``rows``: the character span left of each."""
    lo, hi = chars[rows].astype(np.int64), chars[rows + 1].astype(np.int64)
    padded = np.concatenate([cps, np.zeros(8, dtype=np.int32)])  # reads past the end: 0
    # 有限公司 alone stays a name: a row made of affixes only is kept whole.
    maybe = np.flatnonzero(np.isin(padded[lo], _SUFFIX_FIRST_CPS))
    whole = np.zeros(len(rows), dtype=bool)
    if len(maybe):
        some = texts.take(pa.array(rows[maybe], pa.int64()))
        whole[maybe] = _bools(pc.match_substring_regex(some, _ONLY_CJK_LEGAL))
    active = np.flatnonzero(~whole)
    while len(active):
        # A row whose ends are no affix's ends is left as it is by this pass.
        active = active[
            np.isin(padded[hi[active] - 1], _SUFFIX_LAST_CPS)
            | np.isin(padded[lo[active]], _PREFIX_FIRST_CPS)
        ]
        lo_before, hi_before = lo[active], hi[active]
        for affixes, back in ((_SUFFIX_CPS, True), (_PREFIX_CPS, False)):
            for affix in affixes:
                size = len(affix)
                found = active[(hi[active] - lo[active]) > size]
                for j, cp in enumerate(affix):
                    at = hi[found] - size + j if back else lo[found] + j
                    found = found[padded[at] == cp]
                if not len(found):
                    continue
                if back:
                    hi[found] -= size
                else:
                    lo[found] += size
                _trimmed(padded, lo, hi, found, back)
        changed = (lo[active] != lo_before) | (hi[active] != hi_before)
        active = active[changed]
    return lo, hi


def _read(texts: pa.Array, *, cjk_legal: bool) -> _Rows:
    """Tokens of each row as ``_merge_initials(_ascii_tokens(...))`` makes them."""
    table = _table()
    n = len(texts)
    cps, chars = _code_points(texts)
    entry = np.take(table.entry, cps)
    # Rows decided here: no null, every character in the table, nothing for clean_text.
    space = cps == _SPACE
    odd = entry < 0
    odd[:-1] |= space[:-1] & space[1:]
    handled = ~_any_in_row(odd, chars)
    if texts.null_count:
        handled &= _bools(pc.is_valid(texts))
    count = np.diff(chars)
    some = np.flatnonzero(count > 0)
    heads, tails = chars[some], chars[some + 1] - 1
    handled[some] &= ~(space[heads] | space[tails])
    # clean_text's "missing" markers: short, and starting with few characters.
    missing = handled & (count == 0)
    short = some[(count[some] <= _LONGEST_MISSING) & np.isin(cps[heads], table.missing_heads)]
    short = short[handled[short]]
    if len(short):
        few = texts.take(pa.array(short, pa.int64()))
        missing[short] = _bools(pc.is_in(pc.utf8_lower(few), value_set=_MISSING)) & ~_bools(
            pc.is_in(few, value_set=_NAMES_LIKE_MISSING)
        )
    stripped = np.zeros(n, dtype=bool)
    if cjk_legal and len(some):
        edge = np.isin(cps[tails], _SUFFIX_LAST_CPS) | np.isin(cps[heads], _PREFIX_FIRST_CPS)
        rows = some[edge]
        rows = rows[handled[rows] & ~missing[rows]]
        if len(rows):
            lo, hi = _cjk_affixes(texts, cps, chars, rows)
            cut = (lo > chars[rows]) | (hi < chars[rows + 1])
            rows, lo, hi = rows[cut], lo[cut], hi[cut]
            stripped[rows] = True
            # The characters removed read as nothing.
            entry[_spans(chars[rows], lo)] = 0
            entry[_spans(hi, chars[rows + 1])] = 0
    np.maximum(entry, 0, out=entry)
    # Each character becomes its table text: lower-case letters, digits and spaces.
    size = np.take(table.lengths, entry)
    ends = np.zeros(len(size) + 1, dtype=np.int32)
    np.cumsum(size, out=ends[1:])
    from_table = np.repeat(np.take(table.starts, entry) - ends[:-1], size)
    folded = np.take(table.data, from_table + np.arange(ends[-1], dtype=np.int32))
    row_bytes = np.take(ends, chars)
    # Tokens: runs of non-spaces, each starting after a space or at a row's start.
    blank = folded == _SPACE
    starts = ~blank
    starts[1:] &= blank[:-1]
    row_heads = row_bytes[:-1][np.diff(row_bytes) > 0]
    starts[row_heads] = ~blank[row_heads]
    letters = ~blank
    tokens = folded[letters]
    bounds = np.append(np.flatnonzero(starts[letters]), len(tokens))
    row_tokens = np.searchsorted(np.flatnonzero(starts), row_bytes)
    # _merge_initials: a one-letter token right after another one joins it.
    length = np.diff(bounds)
    initial = (length == 1) & (tokens[bounds[:-1]] >= _LOWER_A)
    parent = np.repeat(np.arange(n), np.diff(row_tokens))
    joins = initial[1:] & initial[:-1] & (parent[1:] == parent[:-1])
    if joins.any():
        first = np.concatenate([[True], ~joins, [True]])
        bounds = bounds[first]
        row_tokens = np.concatenate([[0], np.cumsum(first[:-1])])[row_tokens]
    return _Rows(handled, missing, stripped, tokens, bounds, row_tokens)


def _token_array(rows: _Rows) -> pa.Array:
    count = len(rows.bounds) - 1
    return pa.StringArray.from_buffers(
        count, pa.py_buffer(rows.bounds.astype(np.int32)), pa.py_buffer(rows.tokens)
    )


def _in_row_order(rows: _Rows, picked: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """``picked`` (token numbers, by row) with each row's tokens sorted as ``sorted()``."""
    per_row = np.bincount(parent[picked], minlength=len(rows.row_tokens) - 1)
    several = per_row[parent[picked]] > 1
    if not several.any():
        return picked
    chosen = picked[several]
    words = _token_array(rows).take(pa.array(chosen, pa.int64()))
    # Byte order of ASCII words is Python's str order.
    order = pc.sort_indices(
        pa.table({"row": parent[chosen], "word": words}),
        sort_keys=[("row", "ascending"), ("word", "ascending")],
    )
    out = picked.copy()
    out[several] = chosen[np.asarray(order.to_numpy(), dtype=np.int64)]
    return out


def _joined(rows: _Rows, order: np.ndarray, parent: np.ndarray, handled: np.ndarray) -> pa.Array:
    """Tokens ``order`` (grouped by row) joined with spaces, row by row; null if not handled."""
    n = len(handled)
    owner = parent[order]
    size = rows.bounds[order + 1] - rows.bounds[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = owner[1:] != owner[:-1]
    out_size = (size + ~last).astype(np.int32)
    ends = np.zeros(len(order) + 1, dtype=np.int32)
    np.cumsum(out_size, out=ends[1:])
    source = np.append(rows.tokens, np.uint8(_SPACE))
    from_source = rows.bounds[order].astype(np.int32) - ends[:-1]
    data = np.take(source, np.repeat(from_source, out_size) + np.arange(ends[-1], dtype=np.int32))
    data[(ends[:-1] + size)[~last]] = _SPACE
    per_row = np.bincount(owner, minlength=n)
    offsets = ends[np.concatenate([[0], np.cumsum(per_row)])]
    validity = np.packbits(handled, bitorder="little")
    return pa.StringArray.from_buffers(
        n,
        pa.py_buffer(offsets.astype(np.int32)),
        pa.py_buffer(data),
        pa.py_buffer(validity),
        null_count=int(n - handled.sum()),
    )


def company_keys(texts: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(keys, handled) for a string array of cleaned company names (may contain nulls).

    ``handled[i]`` is True only when the vectorised rules decide row ``i`` for certain;
    then ``keys[i] == company_key(texts[i])``. Other rows (nulls included) have a null
    key and are left to the scalar :func:`crmkit._normalize.company_key` by the caller.
    Latin names (accented or not), Chinese and Japanese names are decided here: all the
    rows of the generated sample data. Left to the scalar are rows with a character
    outside the table (Cyrillic, Greek, Hangul, emoji, combining marks, odd spaces ...),
    rows ``clean_text`` would still change, and rows with nothing but legal words once
    their CJK affixes are gone.

    Parameters
    ----------
    texts
        Company names, cleaned by :func:`crmkit._normalize._columns.clean_column` (an Arrow string
        array or chunked array; a list is converted).

    Returns
    -------
    tuple of pyarrow.Array
        The keys (string, null where not handled) and ``handled`` (bool, never null).

    Examples
    --------
    >>> import pyarrow as pa
    >>> keys, handled = company_keys(pa.array(["S.A.S. Aprool", "Dupont & Cie SARL", None]))
    >>> keys.to_pylist(), handled.to_pylist()
    (['aprool', 'dupont', None], [True, True, False])
    >>> company_keys(pa.array(["北京科技有限公司", "The Aprool Company Ltd"]))[0].to_pylist()
    ['beijingkeji', 'aprool']
    """
    texts = _string_array(texts)
    rows = _read(texts, cjk_legal=True)
    n = len(texts)
    words = _token_array(rows)
    count = np.diff(rows.row_tokens)
    parent = np.repeat(np.arange(n), count)
    position = np.arange(len(parent)) - rows.row_tokens[:-1][parent]
    # Legal forms (and a leading "the") off the front, then legal forms off the back.
    found = pc.index_in(words, value_set=_LEGAL_OR_THE)
    leading = _bools(pc.is_valid(found))
    trailing = leading & _bools(pc.not_equal(found, _THE_INDEX))
    start = count.copy()
    other = np.flatnonzero(~leading)
    if len(other):
        first = np.ones(len(other), dtype=bool)
        first[1:] = parent[other][1:] != parent[other][:-1]
        start[parent[other][first]] = position[other][first]
    from_start = position >= start[parent]
    end = start.copy()
    other = np.flatnonzero(~trailing & from_start)
    if len(other):
        last = np.ones(len(other), dtype=bool)
        last[:-1] = parent[other][1:] != parent[other][:-1]
        end[parent[other][last]] = position[other][last] + 1
    # Nothing left: the scalar keeps the whole name, read before any CJK affix went.
    empty = start >= end
    handled = rows.handled & ~(empty & rows.stripped)
    keep = (from_start & (position < end[parent])) | empty[parent]
    keep &= handled[parent] & ~rows.missing[parent]
    # "and", "et", "und" go, unless the row keeps nothing else.
    joining = _bools(pc.is_in(words, value_set=_CONNECTORS))
    others = np.bincount(parent[keep & ~joining], minlength=n)
    keep &= ~joining | (others[parent] == 0)
    order = _in_row_order(rows, np.flatnonzero(keep), parent)
    return _joined(rows, order, parent, handled), pa.array(handled, pa.bool_())


def name_keys(texts: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(keys, handled) for cleaned person names, as :func:`company_keys` for ``name_key``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> keys, handled = name_keys(pa.array(["Hélène  O'Brien-Blou", "J.-P. Dupont", "张伟"]))
    >>> keys.to_pylist(), handled.to_pylist()
    ([None, 'jp dupont', 'zhangwei'], [False, True, True])
    """
    texts = _string_array(texts)
    rows = _read(texts, cjk_legal=False)
    n = len(texts)
    parent = np.repeat(np.arange(n), np.diff(rows.row_tokens))
    keep = rows.handled[parent] & ~rows.missing[parent]
    return _joined(rows, np.flatnonzero(keep), parent, rows.handled), pa.array(rows.handled)
