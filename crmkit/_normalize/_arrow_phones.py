"""Phone numbers to E.164 over a whole column at once, with Arrow kernels.

:func:`plain_phones` retraces, with RE2 kernels over an Arrow array, the decisions that
:func:`crmkit._normalize._phones._fast_phone` takes value by value (and that one retraces
phonenumbers): the same metadata, the same regular expressions, the same order. A row
whose fate depends on a step not retraced here (an IDD such as 011, a national prefix
transform, a number that is not possible, a pattern RE2 cannot compile) is left to the
scalar path, so the column's result is always ``normalize_phone`` value by value; a
property test checks it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from crmkit._normalize import _phones

__all__ = ["PlainPhones", "plain_phones"]

_SEPARATORS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _phones._PHONE_SEPARATORS) + "]"
_BODY = _SEPARATORS.replace("[", "[0-9", 1) + "*"
_FIRST = (
    "[0-9"
    + "".join(f"\\x{{{ord(c):x}}}" for c in _phones._PHONE_SEPARATORS if not c.isspace())
    + "]"
)
# A plain number: "00" or "+" then digits and separators, or the same without a prefix
# (and then not starting with a space, which the scalar path strips first).
_SHAPE = f"^(?:(?P<prefix>00|\\+)(?P<international>{_BODY})|(?P<national>{_FIRST}{_BODY}))$"
_KNOWN_CODES = pa.array(sorted(str(code) for code in _phones._REGIONS_OF_COUNTRY_CODE))


@dataclass(frozen=True)
class PlainPhones:
    """What :func:`plain_phones` decided, row by row (NumPy arrays of the input's length).

    ``handled[i]`` is True when row ``i`` was decided here; then ``normalize_phone`` of
    the text is ``PhoneResult(e164[i], True, None if valid[i] else <not assigned>)``.
    """

    e164: np.ndarray
    valid: np.ndarray
    handled: np.ndarray


def _full(pattern: str) -> str:
    return f"^(?:{pattern})$"


def _matches(array: pa.Array, pattern: str) -> np.ndarray:
    result = pc.match_substring_regex(array, pattern)
    return np.asarray(pc.fill_null(result, False).to_numpy(zero_copy_only=False), dtype=bool)


def _equals(array: pa.Array, text: str) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.equal(array, text), False), dtype=bool)


def _lengths(array: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.utf8_length(array), 0).to_numpy(zero_copy_only=False))


def _length_result(rules: _phones._PhoneRules, lengths: np.ndarray) -> np.ndarray:
    """``rules.length_result`` for each length (the rules must list possible lengths)."""
    possible = rules.possible_lengths
    out = np.full(lengths.shape, _phones._INVALID_LENGTH, dtype=object)
    out[np.isin(lengths, possible[1:])] = _phones._IS_POSSIBLE
    out[lengths > possible[-1]] = _phones._TOO_LONG
    out[lengths < possible[0]] = _phones._TOO_SHORT
    out[lengths == possible[0]] = _phones._IS_POSSIBLE
    out[np.isin(lengths, list(rules.local_only_lengths))] = _phones._LOCAL_ONLY
    return out


def _general(rules: _phones._PhoneRules, array: pa.Array) -> np.ndarray:
    if rules.general is None:
        return np.zeros(len(array), dtype=bool)
    return _matches(array, _full(rules.general.pattern.pattern))


def _valid(rules: _phones._PhoneRules, nsn: pa.Array, lengths: np.ndarray) -> np.ndarray:
    """``rules.is_valid`` for each number (raises ``_SlowPathError`` when it would)."""
    if rules.types_by_length is None:
        raise _phones._SlowPathError
    out = np.zeros(len(nsn), dtype=bool)
    if rules.general is None:
        return out
    for size, types in rules.types_by_length.items():
        rows = np.flatnonzero(lengths == size)
        if rows.size:
            picked = nsn.take(pa.array(rows))
            out[rows] = _matches(picked, _full(types.pattern)) & _general(rules, picked)
    return out


def _strip_national_prefix(rules: _phones._PhoneRules, number: pa.Array) -> pa.Array:
    """``rules.strip_national_prefix`` for each number (at least two digits each)."""
    if rules.national_prefix is None:
        return number
    if rules.has_prefix_transform:
        raise _phones._SlowPathError
    prefix = f"^(?:{rules.national_prefix.pattern})"
    rest = pc.replace_substring_regex(number, prefix, "", max_replacements=1)
    keep = _general(rules, number) & ~_general(rules, rest)
    return pc.if_else(pa.array(keep), number, rest)


def _is_in(array: pa.Array, values: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.is_in(array, value_set=values), False), dtype=bool)


def _validity(nsn: pa.Array, lengths: np.ndarray, code: int) -> tuple[np.ndarray, np.ndarray]:
    """``region_rules_of_number``, then ``is_valid`` in that region: (valid, decided)."""
    size = len(nsn)
    if code not in _phones._SHARED_COUNTRY_CODES:
        return _valid(_phones._main_rules(code), nsn, lengths), np.ones(size, dtype=bool)
    valid = np.zeros(size, dtype=bool)
    decided = np.ones(size, dtype=bool)
    pending = np.ones(size, dtype=bool)
    for region in _phones._REGIONS_OF_COUNTRY_CODE[code]:
        if not pending.any():
            break
        rules = _phones._phone_rules(region)
        if rules is None:
            continue
        in_region: np.ndarray | None = None  # is_valid in this region, once computed
        if rules.leading_digits is not None:
            here = pending & _matches(nsn, f"^(?:{rules.leading_digits.pattern})")
        else:
            try:
                in_region = _valid(rules, nsn, lengths)
            except _phones._SlowPathError:
                decided &= ~pending  # every row still looking would raise here
                break
            here = pending & in_region
        if here.any():
            pending &= ~here
            if rules.country_code == code:
                try:
                    if in_region is None:
                        in_region = _valid(rules, nsn, lengths)
                    valid[here] = in_region[here]
                except _phones._SlowPathError:
                    decided[here] = False
    return valid, decided


def plain_phones(texts: pa.Array, region: str | None) -> PlainPhones:
    """Normalise the plain phone numbers of a column to E.164, all rows at once.

    Parameters
    ----------
    texts
        Cleaned cells (:func:`crmkit._normalize._columns.clean_column`) as an Arrow string array.
    region
        The region of numbers written without a country code, as for
        :func:`crmkit._normalize.normalize_phone`.

    Returns
    -------
    PlainPhones
        Per row: the E.164 number, whether it is assigned in its numbering plan, and
        whether the row was decided here (the others are left to the scalar path).

    Examples
    --------
    >>> import pyarrow as pa
    >>> found = plain_phones(pa.array(["06 25 34 12 57", "+44 20 7946 0018", "abc", None]), "FR")
    >>> found.e164.tolist(), found.handled.tolist()
    (['+33625341257', '+442079460018', None, None], [True, True, False, False])
    """
    n = len(texts)
    e164 = np.full(n, None, dtype=object)
    valid = np.zeros(n, dtype=bool)
    handled = np.zeros(n, dtype=bool)
    if n == 0:
        return PlainPhones(e164, valid, handled)
    texts = texts.cast(pa.string())
    # One pass splits "+" or "00" from the rest; texts that are not plain numbers
    # (letters, a "+" further on, leading spaces) give null.
    parts = pc.extract_regex(texts, _SHAPE)
    prefix = parts.field("prefix")  # "" when the group took no part, as for national
    with_prefix = pc.not_equal(prefix, "")
    body = pc.if_else(with_prefix, parts.field("international"), parts.field("national"))
    sizes = _lengths(texts)
    matched = np.asarray(pc.fill_null(parts.is_valid(), False), dtype=bool)
    plain = (sizes >= 3) & (sizes <= 40) & matched
    with_00 = _equals(prefix, "00")
    with_plus = _equals(prefix, "+")
    digits = pc.replace_substring_regex(body, _SEPARATORS, "")
    plain &= _lengths(digits) >= 3
    codes = np.zeros(n, dtype=np.int64)
    # Written with + or 00: the first one to three digits that are a known country code.
    international = plain & (with_00 | with_plus) & ~_matches(digits, "^0")
    found = np.zeros(n, dtype=bool)
    for size in (1, 2, 3):
        head = pc.utf8_slice_codeunits(digits, 0, size)
        known = international & ~found & _is_in(head, _KNOWN_CODES)
        if known.any():
            rows = np.flatnonzero(known)
            codes[rows] = pc.cast(head.take(pa.array(rows)), pa.int64()).to_numpy()
            found |= known
    # Written without: the default region, unless the digits begin with its IDD or its
    # own country code (phonenumbers then tries other readings; the scalar path follows).
    default = _phones._phone_rules(region) if region in phonenumbers.SUPPORTED_REGIONS else None
    national = plain & ~(with_00 | with_plus)
    if default is None:
        national[:] = False
    elif national.any():
        national &= ~_matches(digits, f"^{default.country_code_text}")
        if default.international_prefix is not None:
            national &= ~_matches(digits, f"^(?:{default.international_prefix.pattern})")
        codes[national] = default.country_code
    for code in np.unique(codes[codes > 0]).tolist():
        for is_national in (False, True):
            rows = np.flatnonzero((codes == code) & (national == is_national))
            if rows.size == 0:
                continue
            try:
                main = _phones._main_rules(code)
                # National numbers are parsed with the default region's rules (its
                # national prefix), international ones with the country code's.
                rules = default if is_national and default is not None else main
                start = 0 if is_national else len(str(code))
                number = pc.utf8_slice_codeunits(digits.take(pa.array(rows)), start)
                ok = _lengths(number) >= 2
                number = _strip_tail(rules, number)
                lengths = _lengths(number)
                if not main.possible_lengths:
                    continue
                ok &= lengths <= _phones._MAX_NSN_LENGTH
                ok &= _length_result(main, lengths) == _phones._IS_POSSIBLE
                ok &= _reads_back(main, number)
                valid_here, decided = _validity(number, lengths, code)
            except (_phones._SlowPathError, pa.ArrowInvalid):
                continue  # every row of the group would take the scalar path
            ok &= decided
            chosen = rows[ok]
            nsn = pc.filter(number, pa.array(ok)).to_pylist()
            e164[chosen] = [f"+{code}{digits_of}" for digits_of in nsn]
            valid[chosen] = valid_here[ok]
            handled[chosen] = True
    return PlainPhones(e164, valid, handled)


def _reads_back(main: _phones._PhoneRules, nsn: pa.Array) -> np.ndarray:
    """``main.reads_back`` for each national number: its E.164 form gives it back.

    Only the numbers that start with a national prefix can lose it when read again: one
    pass finds them (nearly always none), and the tail of ``parse`` runs on those only.
    """
    out = np.ones(len(nsn), dtype=bool)
    if main.national_prefix is None:
        return out
    rows = np.flatnonzero(_matches(nsn, f"^(?:{main.national_prefix.pattern})"))
    if rows.size:
        picked = nsn.take(pa.array(rows))
        again = _strip_tail(main, picked)
        out[rows] = np.asarray(pc.fill_null(pc.equal(again, picked), False), dtype=bool)
    return out


def _strip_tail(rules: _phones._PhoneRules, number: pa.Array) -> pa.Array:
    """The tail of ``phonenumbers.parse``: strip the national prefix when what is left
    still has a plausible length."""
    if not rules.possible_lengths:
        raise _phones._SlowPathError
    stripped = _strip_national_prefix(rules, number)
    result = _length_result(rules, _lengths(stripped))
    take = ~np.isin(result, list(_phones._LENGTH_NOT_STRIPPED))
    return pc.if_else(pa.array(take), stripped, number)
