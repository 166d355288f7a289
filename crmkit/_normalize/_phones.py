"""Phone numbers to E.164, one at a time or many at once.

:func:`normalize_phone` calls phonenumbers; :func:`normalize_phones` gives exactly its
results (value, ok and reason) many times faster, for a contact file holds about as many
distinct phones as rows and phonenumbers manages about 20k values a second:

- A fast path (``_fast_phone``) answers the plain cases, nearly all of them, without
  calling the library. A phone made of digits and the usual separators (spaces, no-break
  spaces, dots, dashes, parentheses, slashes), with ``+``, ``00`` or nothing in front, is
  read with phonenumbers' own metadata: the country calling code from
  ``COUNTRY_CODE_TO_REGION_CODE``, then the steps of ``parse``,
  ``is_possible_number_with_reason`` and ``is_valid_number`` in their order and with
  their regular expressions (international and national prefixes, possible lengths,
  general and per-type patterns, leading digits of the regions that share a code).
- Why that is safe: the fast path answers only when every step goes a way it retraces. At
  any other turn (letters, an extension, an IDD such as 011, a ``+`` inside, an unknown or
  non-geographic country code, a national-prefix transform that applies, a number that
  is not possible ...) it stands aside and the library decides. It reads the library's
  data at run time instead of copying it, and ``tests/test_phones.py`` compares it with
  the scalar on generated numbers, with cases chosen so that leaving out any one step
  changes a result.
- Long work is shared with helper processes (:mod:`crmkit._normalize._fastmap`).

The compiled rules (``_PhoneRules``, ``_phone_rules``, ``_main_rules``) are also read by
the Arrow kernels of :mod:`crmkit._normalize._arrow_phones`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

import phonenumbers

from crmkit._normalize._fastmap import (
    Columns,
    _columns_of,
    _map_distinct_fast,
    _no_fast_path,
    _normalize_texts,
    _Twin,
    _worker_count,
)
from crmkit._normalize._text import _nfkc, clean_text

__all__ = [
    "UNASSIGNED_PHONE",
    "UNSTABLE_PHONE",
    "PhoneResult",
    "normalize_phone",
    "normalize_phones",
    "phone_digits",
]


@dataclass(frozen=True, slots=True)
class PhoneResult:
    """A normalised phone number.

    Attributes
    ----------
    value
        E.164 (``+33625341257``) when the number parses and has a possible length, else
        the cleaned text as given; ``None`` for an empty cell.
    ok
        True when ``value`` is E.164 (or the cell is empty).
    reason
        Why the number was not normalised, or a note (extension dropped, number not
        assigned in its plan); ``None`` when there is nothing to say.
    """

    value: str | None
    ok: bool
    reason: str | None = None


_EXTENSION = re.compile(
    r"\s*(?:ext\.?|extension|poste|p\.|x|#|转|分机)\s*(\d{1,6})\s*$", re.IGNORECASE
)
_PARSE_ERRORS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "unknown country calling code",
    phonenumbers.NumberParseException.NOT_A_NUMBER: "not a phone number",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
    phonenumbers.NumberParseException.TOO_LONG: "too long",
}
_LENGTH_ERRORS = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country calling code",
    phonenumbers.ValidationResult.TOO_SHORT: "too short",
    phonenumbers.ValidationResult.TOO_LONG: "too long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "invalid length",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "local number without area code",
}
UNASSIGNED_PHONE = "not an assigned number in its numbering plan"
# A national number that starts with its country's national prefix ("0" in Germany): its
# E.164 form would lose that prefix when read again, so it is no form of the number.
UNSTABLE_PHONE = "its E.164 form would read back as another number"


def normalize_phone(value: Any, region: str | None = "FR") -> PhoneResult:
    """Normalise a phone number to E.164.

    Parameters
    ----------
    value
        The cell: text in any national or international form, or a number read from a
        spreadsheet.
    region
        ISO 3166 alpha-2 region used for numbers written without a country code.

    Returns
    -------
    PhoneResult
        ``value`` is E.164 when the number is possible, else the cleaned text with
        ``ok=False`` and a reason. An extension is dropped and named in ``reason``.

    Examples
    --------
    >>> normalize_phone("+33 (0)6 25 34 12 57")
    PhoneResult(value='+33625341257', ok=True, reason=None)
    >>> normalize_phone("138 0013 8000", region="CN").value
    '+8613800138000'
    >>> normalize_phone("+33 1 23 45 67 89 ext. 12")
    PhoneResult(value='+33123456789', ok=True, reason='extension dropped: 12')
    >>> normalize_phone("appeler le standard")
    PhoneResult(value='appeler le standard', ok=False, reason='not a phone number')
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = clean_text(value)
    if raw is None:
        return PhoneResult(None, True)
    text = unicodedata.normalize("NFKC", raw)
    notes: list[str] = []
    match = _EXTENSION.search(text)
    if match and match.start() > 0:
        notes.append(f"extension dropped: {match.group(1)}")
        text = text[: match.start()]
    if re.match(r"\s*00", text):  # international prefix written out, as in 0033...
        text = "+" + text.lstrip()[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        return PhoneResult(raw, False, _PARSE_ERRORS.get(exc.error_type, str(exc)))
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != phonenumbers.ValidationResult.IS_POSSIBLE:
        where = phonenumbers.region_code_for_number(number) or region
        return PhoneResult(raw, False, f"{_LENGTH_ERRORS.get(possible, 'impossible')} ({where})")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if _may_lose_prefix(number) and not _reads_back(e164):
        return PhoneResult(raw, False, UNSTABLE_PHONE)  # stored values are fixed points
    if not phonenumbers.is_valid_number(number):
        notes.append(UNASSIGNED_PHONE)
    return PhoneResult(e164, True, "; ".join(notes) or None)


def _may_lose_prefix(number: phonenumbers.PhoneNumber) -> bool:
    """False when reading the E.164 form of ``number`` again cannot strip a national
    prefix (nearly always: no national number starts with one), which saves a parse."""
    try:
        rules = _main_rules(number.country_code or 0)
    except _SlowPathError:  # a non-geographic code: phonenumbers decides
        return True
    nsn = phonenumbers.national_significant_number(number)
    return rules.national_prefix is not None and rules.national_prefix.match(nsn) is not None


def _reads_back(e164: str) -> bool:
    """True when ``e164``, read again, is the same number (so normalising it changes
    nothing). phonenumbers strips a national prefix from the national number even after
    a "+": ``+4900000`` reads as ``+490000``."""
    try:
        again = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.format_number(again, phonenumbers.PhoneNumberFormat.E164) == e164


def phone_digits(value: Any) -> str:
    """The digits of a phone number, for search (``""`` for an empty cell).

    Examples
    --------
    >>> phone_digits("+33 (0)6 25-34")
    '33062534'
    """
    text = _nfkc(value)
    return "" if text is None else re.sub(r"\D", "", text)


# --------------------------------------------------------------------------------------
# The fast path of normalize_phones()
# --------------------------------------------------------------------------------------
# _fast_phone() retraces, for plain digit strings only, the steps that normalize_phone()
# takes through phonenumbers.parse, is_possible_number_with_reason, is_valid_number and
# format_number(E164): same metadata, same regular expressions, same order of decisions.
# Whenever a step could go a way it does not retrace (an IDD such as 011, a "+" that is not
# the first character, an unknown country code, a national prefix transform, a number that
# is not possible), it raises _SlowPathError and the value goes to normalize_phone().


class _SlowPathError(Exception):
    """A fast path leaves this value to the libraries."""


_IS_POSSIBLE = phonenumbers.ValidationResult.IS_POSSIBLE
_LOCAL_ONLY = phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY
_TOO_SHORT = phonenumbers.ValidationResult.TOO_SHORT
_TOO_LONG = phonenumbers.ValidationResult.TOO_LONG
_INVALID_LENGTH = phonenumbers.ValidationResult.INVALID_LENGTH
_LENGTH_NOT_STRIPPED = frozenset({_TOO_SHORT, _LOCAL_ONLY, _INVALID_LENGTH})
_MAX_NSN_LENGTH = 17  # phonenumbers' _MAX_LENGTH_FOR_NSN
# Spaces (clean_text turns each run into one space) and the punctuation phonenumbers skips.
_PHONE_SEPARATORS = " \t\u00a0\u2009\u202f.-()/"
_PLAIN_PHONE = re.compile(f"[0-9+{re.escape(_PHONE_SEPARATORS)}]{{3,40}}")
_DROP_PHONE_SEPARATORS = str.maketrans("", "", _PHONE_SEPARATORS)
_REGIONS_OF_COUNTRY_CODE: dict[int, tuple[str, ...]] = phonenumbers.COUNTRY_CODE_TO_REGION_CODE
_SHARED_COUNTRY_CODES = frozenset(c for c, r in _REGIONS_OF_COUNTRY_CODE.items() if len(r) > 1)


@dataclass(frozen=True, slots=True)
class _NumberDesc:
    """A ``PhoneNumberDesc``: the lengths it allows (``None``: any) and its pattern."""

    lengths: frozenset[int] | None
    pattern: re.Pattern[str]


def _number_desc(desc: Any) -> _NumberDesc | None:
    if desc is None or not desc.national_number_pattern:
        return None  # phonenumbers matches nothing against a missing or empty pattern
    lengths = frozenset(desc.possible_length) if len(desc.possible_length) > 0 else None
    return _NumberDesc(lengths, re.compile(desc.national_number_pattern))


def _compiled(pattern: str | None) -> re.Pattern[str] | None:
    return None if pattern is None else re.compile(pattern)


@dataclass(frozen=True, slots=True)
class _PhoneRules:
    """What phonenumbers reads in one region's metadata, compiled once."""

    country_code: int
    country_code_text: str
    general: _NumberDesc | None
    possible_lengths: tuple[int, ...]
    local_only_lengths: frozenset[int]
    international_prefix: re.Pattern[str] | None
    national_prefix: re.Pattern[str] | None
    has_prefix_transform: bool
    leading_digits: re.Pattern[str] | None
    # By NSN length, the descriptions of every number type as one alternation; None when
    # they do not compile as one (then the fast path stands aside).
    types_by_length: dict[int, re.Pattern[str]] | None

    def general_match(self, number: str) -> bool:
        # _match_national_number(number, metadata.general_desc, False)
        return self.general is not None and self.general.pattern.fullmatch(number) is not None

    def length_result(self, number: str) -> int:
        # _test_number_length(number, metadata) for PhoneNumberType.UNKNOWN
        lengths = self.possible_lengths
        if not lengths:
            raise _SlowPathError
        size = len(number)
        if size in self.local_only_lengths:
            return _LOCAL_ONLY
        if lengths[0] == size:
            return _IS_POSSIBLE
        if lengths[0] > size:
            return _TOO_SHORT
        if lengths[-1] < size:
            return _TOO_LONG
        return _IS_POSSIBLE if size in lengths[1:] else _INVALID_LENGTH

    def strip_national_prefix(self, number: str) -> str:
        # _maybe_strip_national_prefix_carrier_code(), carrier code left out (E.164 has none)
        if not number or self.national_prefix is None:
            return number
        match = self.national_prefix.match(number)
        if match is None:
            return number
        if self.has_prefix_transform:
            groups = match.groups()
            if not groups or groups[-1] is not None:  # the transform rule would apply
                raise _SlowPathError
        rest = number[match.end() :]
        if self.general_match(number) and not self.general_match(rest):
            return number
        return rest

    def reads_back(self, nsn: str) -> bool:
        # phonenumbers.parse("+<code><nsn>") gives the NSN back: the tail of parse(),
        # which strips a national prefix when what is left has a plausible length,
        # leaves it as it is (these are the rules of the code's main region).
        stripped = self.strip_national_prefix(nsn)
        return stripped == nsn or self.length_result(stripped) in _LENGTH_NOT_STRIPPED

    def is_valid(self, nsn: str) -> bool:
        # _number_type_helper(nsn, metadata) != PhoneNumberType.UNKNOWN: the general
        # description matches, and so does the description of at least one type.
        if self.types_by_length is None:
            raise _SlowPathError
        types = self.types_by_length.get(len(nsn))
        return (
            types is not None
            and self.general is not None
            and self.general.pattern.fullmatch(nsn) is not None
            and types.fullmatch(nsn) is not None
        )


def _types_by_length(
    general: _NumberDesc | None, types: list[_NumberDesc]
) -> dict[int, re.Pattern[str]] | None:
    # A fullmatch of "(?:a)|(?:b)" succeeds exactly when a or b fully matches, so one
    # search per length replaces up to ten. Lengths the general description or every type
    # rules out get no entry: no number of that length is valid.
    by_length: dict[int, re.Pattern[str]] = {}
    if general is None:
        return by_length
    for size in range(1, _MAX_NSN_LENGTH + 1):
        if general.lengths is not None and size not in general.lengths:
            continue
        alternatives = [d.pattern.pattern for d in types if d.lengths is None or size in d.lengths]
        if alternatives:
            try:
                by_length[size] = re.compile("|".join(f"(?:{a})" for a in alternatives))
            except re.error:
                return None
    return by_length


@cache
def _phone_rules(region: str) -> _PhoneRules | None:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
    if metadata is None or metadata.country_code is None:
        return None
    general = metadata.general_desc
    general_desc = _number_desc(general)
    type_descs = [metadata.fixed_line]
    if not metadata.same_mobile_and_fixed_line_pattern:  # else phonenumbers never tries mobile
        type_descs.append(metadata.mobile)
    type_descs += [
        metadata.premium_rate,
        metadata.toll_free,
        metadata.shared_cost,
        metadata.voip,
        metadata.personal_number,
        metadata.pager,
        metadata.uan,
        metadata.voicemail,
    ]
    return _PhoneRules(
        country_code=metadata.country_code,
        country_code_text=str(metadata.country_code),
        general=general_desc,
        possible_lengths=tuple(general.possible_length) if general is not None else (),
        local_only_lengths=frozenset(general.possible_length_local_only if general else ()),
        international_prefix=_compiled(metadata.international_prefix),
        national_prefix=_compiled(metadata.national_prefix_for_parsing or None),
        has_prefix_transform=bool(metadata.national_prefix_transform_rule),
        leading_digits=_compiled(metadata.leading_digits),
        types_by_length=_types_by_length(
            general_desc, [d for d in map(_number_desc, type_descs) if d is not None]
        ),
    )


_MAIN_RULES: dict[int, _PhoneRules] = {}


def _main_rules(country_code: int) -> _PhoneRules:
    # The metadata phonenumbers parses with and checks lengths against: the code's main region.
    if (rules := _MAIN_RULES.get(country_code)) is not None:
        return rules
    regions = _REGIONS_OF_COUNTRY_CODE.get(country_code)
    if not regions or regions[0] == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
        raise _SlowPathError
    rules = _phone_rules(regions[0])
    if rules is None:
        raise _SlowPathError
    _MAIN_RULES[country_code] = rules
    return rules


def _split_country_code(digits: str) -> tuple[int, str]:
    # _extract_country_code(): the first 1 to 3 digits that are a known country code
    if digits[0] == "0":
        raise _SlowPathError  # phonenumbers retries without the "+"
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in _REGIONS_OF_COUNTRY_CODE:
            return code, digits[size:]
    raise _SlowPathError


def _national_number(digits: str, rules: _PhoneRules) -> tuple[int, str, _PhoneRules]:
    # _maybe_extract_country_code() for a number written without "+" in the default region
    if rules.international_prefix is not None and rules.international_prefix.match(digits):
        raise _SlowPathError
    code = rules.country_code_text
    if digits.startswith(code):  # maybe the country code written without "+"
        rest = rules.strip_national_prefix(digits[len(code) :])
        if rules.length_result(digits) == _TOO_LONG or (
            not rules.general_match(digits) and rules.general_match(rest)
        ):
            return rules.country_code, rest, _main_rules(rules.country_code)
    return rules.country_code, digits, rules


def _region_rules_of_number(country_code: int, nsn: str) -> _PhoneRules | None:
    # region_code_for_number() for a code shared by several regions: the first region
    # whose leading digits or patterns fit
    for region in _REGIONS_OF_COUNTRY_CODE[country_code]:
        rules = _phone_rules(region)
        if rules is None:
            continue
        if rules.leading_digits is not None:
            if rules.leading_digits.match(nsn):
                return rules
        elif rules.is_valid(nsn):
            return rules
    return None


def _fast_phone(default: _PhoneRules | None, value: Any) -> PhoneResult | None:
    """:func:`normalize_phone` for a plain digit string, or ``None`` to take the slow path.

    ``default`` holds the rules of the default region, ``None`` when it is not a region
    phonenumbers knows (then only numbers written with "+" or "00" are handled here).
    """
    if type(value) is not str or _PLAIN_PHONE.fullmatch(value) is None:
        return None
    text = value.lstrip()
    if text.startswith("00"):  # normalize_phone() reads a leading 00 as "+"
        body, international = text[2:], True
    elif text.startswith("+"):
        body, international = text[1:], True
    else:
        body, international = text, False
    if "+" in body:
        return None
    digits = body.replace(" ", "")
    if not digits.isdigit():
        digits = digits.translate(_DROP_PHONE_SEPARATORS)
    if len(digits) < 3:
        return None
    try:
        if international:
            country_code, national = _split_country_code(digits)
            rules = _main_rules(country_code)
        elif default is not None:
            country_code, national, rules = _national_number(digits, default)
        else:
            return None
        # The tail of phonenumbers.parse(): strip the national prefix when what is left
        # still has a plausible length.
        if len(national) < 2:
            return None
        stripped = rules.strip_national_prefix(national)
        if rules.length_result(stripped) not in _LENGTH_NOT_STRIPPED:
            national = stripped
        if len(national) > _MAX_NSN_LENGTH:
            return None
        # The national number keeps its leading zeros (Italy), so it is the NSN as is.
        main = _main_rules(country_code)
        if main.length_result(national) != _IS_POSSIBLE:
            return None  # not possible: normalize_phone() words the reason
        if not main.reads_back(national):
            return None  # its E.164 form is no form of it: normalize_phone() says so
        # is_valid_number(): the rules of the region the number belongs to
        if country_code in _SHARED_COUNTRY_CODES:
            region_rules = _region_rules_of_number(country_code, national)
        else:
            region_rules = main
        valid = (
            region_rules is not None
            and region_rules.country_code == country_code
            and region_rules.is_valid(national)
        )
    except _SlowPathError:
        return None
    return PhoneResult(f"+{country_code}{national}", True, None if valid else UNASSIGNED_PHONE)


def normalize_phones(
    values: Iterable[Any], region: str | None = "FR", *, workers: int | None = None
) -> list[PhoneResult]:
    """:func:`normalize_phone` on many values: the same results, many times faster.

    Each distinct value is parsed once. Plain numbers (digits, spaces, dots, dashes,
    parentheses, slashes, a leading ``+`` or ``00``) take a fast path that reads
    phonenumbers' metadata directly; the others go to :func:`normalize_phone`. Long work
    (see :data:`~crmkit._normalize.PARALLEL_THRESHOLD`) is shared with helper processes.

    Parameters
    ----------
    values
        A list, tuple, pandas Series, polars Series or any iterable.
    region
        As for :func:`normalize_phone`.
    workers
        Processes that share the work, this one included: ``None`` for one per idle CPU
        (going by the load average), ``1`` to start none.

    Returns
    -------
    list of PhoneResult
        ``[normalize_phone(v, region) for v in values]``.

    Examples
    --------
    >>> [r.value for r in normalize_phones(["06 25 34 12 57", "0625341257", None])]
    ['+33625341257', '+33625341257', None]
    """
    count = _worker_count(workers)  # bad arguments fail before any work
    return _map_distinct_fast(values, _phone_twin(region), count)


def _phone_twin(region: str | None) -> _Twin[PhoneResult]:
    """What :func:`normalize_phones` needs for ``region``: fast path, scalar, helper task."""
    scalar = partial(normalize_phone, region=region)
    return _Twin(
        _phone_fast_path(region), scalar, lambda: partial(_phone_task, region), PhoneResult
    )


def _phone_fast_path(region: str | None) -> Callable[[Any], PhoneResult | None]:
    """The fast path for ``region``: a function giving the scalar's result or ``None``."""
    if region is not None and not isinstance(region, str):
        return _no_fast_path  # phonenumbers decides what such a region means
    default = _phone_rules(region) if region in phonenumbers.SUPPORTED_REGIONS else None
    return partial(_fast_phone, default)


def _phone_task(region: str | None, texts: list[str]) -> Columns:
    """A helper process's share of :func:`normalize_phones`: distinct texts in, results
    out as three plain lists, which are quick to send back."""
    fast = _phone_fast_path(region)
    return _columns_of(_normalize_texts(fast, partial(normalize_phone, region=region), texts))
