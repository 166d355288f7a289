"""Normalise the messy values found in CRM exports (French, English and Chinese).

Pure functions, no database. Each scalar function has a vectorised twin for the import
pipeline that parses every *distinct* value once. The twins take a list, a pandas Series
or a polars Series and return plain lists.

Phones and e-mails need more: a contact file holds about as many distinct phones and
addresses as rows, and phonenumbers and email-validator manage about 20k values a second.
:func:`normalize_phones` and :func:`normalize_emails` give exactly the results of
:func:`normalize_phone` and :func:`normalize_email` (value, ok and reason), 6 to 12
times faster on two CPUs (``benchmarks/normalize_bench.py``):

- Fast paths answer the plain cases, nearly all of them, without calling the libraries.
  A phone made of digits and the usual separators (spaces, no-break spaces, dots, dashes,
  parentheses, slashes), with ``+``, ``00`` or nothing in front, is read with
  phonenumbers' own metadata: the country calling code from
  ``COUNTRY_CODE_TO_REGION_CODE``, then the steps of ``parse``,
  ``is_possible_number_with_reason`` and ``is_valid_number`` in their order and with
  their regular expressions (international and national prefixes, possible lengths,
  general and per-type patterns, leading digits of the regions that share a code). A
  plain ASCII address (dot-atom before the ``@``, letter-digit-hyphen labels, alphabetic
  top-level domain, within email-validator's length limits) is all email-validator would
  accept unchanged but for three things the fast path also does: lower-case the domain,
  lower-case the RFC 2142 role names (``info@``, ``sales@`` ...) and refuse the
  special-use domains (``.local``, ``.test``, ``.invalid`` ...).
- Why that is safe: a fast path answers only when every step goes a way it retraces. At
  any other turn (letters, an extension, an IDD such as 011, a ``+`` inside, an unknown or
  non-geographic country code, a national-prefix transform that applies, a number that
  is not possible, quotes, non-ASCII characters, Punycode, a special-use domain ...) it
  stands aside and the library decides. It reads the libraries' data and settings at run
  time instead of copying them, and ``tests/test_normalize_fast.py`` compares it with the
  scalars on generated numbers and addresses, with cases chosen so that leaving out any
  one step changes a result.
- Both cores: when the work is long (more than :data:`PARALLEL_THRESHOLD` values for the
  libraries, the fast ones counting for less, as estimated on a sample), helper
  processes (one per idle CPU, on POSIX) take chunks from one end while this process
  works from the other, so that a helper that is slow to start never slows a call down.
  They are started with ``python -c`` and import this module only: no fork of a process
  that runs threads (DuckDB, Jupyter), no re-run of the caller's script as
  multiprocessing's spawn and forkserver do, and nothing waits for the GIL because this
  thread talks to them between two of its own chunks. They get this process's
  email-validator settings, and what a helper fails to do is done here.
- The garbage collector waits while the results are built: they hold no cycles, and its
  passes over a million new objects would triple the run time.

Parsers that can fail (numbers, booleans, dates, headcounts, revenues) raise
:class:`~crmkit.ValidationError` naming the value; their vectorised twins return
``(values, errors)`` with one error message (or ``None``) per item instead, so a bulk
import can report every bad cell at once.
"""

from __future__ import annotations

import math
import numbers
import os
import pickle
import re
import selectors
import struct
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache, partial
from typing import IO, Any, Literal, TypeVar
from urllib.parse import urlsplit, urlunsplit

import email_validator
import phonenumbers
from anyascii import anyascii
from email_validator import EmailNotValidError, validate_email
from email_validator import rfc_constants as email_validator_rfc

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._util._gc import gc_paused
from crmkit._util._shorten import shorten
from crmkit.schemas._catalog import BIGINT_MAX
from crmkit.schemas._vocab import COUNTRY_CODES, CURRENCY_CODES, country_names, fold

__all__ = [
    "PARALLEL_THRESHOLD",
    "EmailResult",
    "HeadcountResult",
    "PhoneResult",
    "RevenueResult",
    "clean_text",
    "company_key",
    "drop_controls",
    "email_domain",
    "email_key",
    "map_distinct",
    "map_distinct_checked",
    "name_key",
    "normalize_country",
    "normalize_email",
    "normalize_emails",
    "normalize_phone",
    "normalize_phones",
    "normalize_url",
    "parse_bool",
    "parse_bools",
    "parse_currency",
    "parse_date",
    "parse_dates",
    "parse_headcount",
    "parse_number",
    "parse_numbers",
    "parse_revenue",
    "phone_digits",
    "split_list",
    "unquote_formula",
    "url_domain",
]

T = TypeVar("T")
DecimalMark = Literal[",", "."]

# --------------------------------------------------------------------------------------
# Vectorising with dedupe
# --------------------------------------------------------------------------------------


def _as_list(values: Iterable[Any]) -> list[Any]:
    # pandas and polars Series both have to_list(); it yields Python scalars and None.
    to_list = getattr(values, "to_list", None) or getattr(values, "tolist", None)
    return list(to_list()) if callable(to_list) else list(values)


def _cache_key(value: Any) -> tuple[type, Any] | None:
    # The type is part of the key so that 1, 1.0 and True never share a result.
    try:
        hash(value)
    except TypeError:
        return None
    return (type(value), value)


def map_distinct(values: Iterable[Any], func: Callable[[Any], T]) -> list[T]:
    """Apply ``func`` to each item, calling it once per distinct value.

    Parameters
    ----------
    values
        A list, tuple, pandas Series, polars Series or any iterable.
    func
        A scalar function such as :func:`normalize_country`.

    Returns
    -------
    list
        ``[func(v) for v in values]``, computed once per distinct (hashable) value.

    Examples
    --------
    >>> map_distinct(["France", "Chine", "France"], normalize_country)
    ['FR', 'CN', 'FR']
    """
    items = _as_list(values)
    try:
        distinct = dict.fromkeys(items)
    except TypeError:  # an unhashable item: keyed one by one below
        distinct = {}
    if distinct and {type(v) for v in distinct} <= {str, type(None)}:
        # Cells read from a CSV: a plain dict does the dedupe, and the results are
        # mapped back in C. (Other types need the type in the key, below.)
        results = {v: func(v) for v in distinct}
        return list(map(results.__getitem__, items))
    cache_: dict[tuple[type, Any], T] = {}
    out: list[T] = []
    for value in items:
        key = _cache_key(value)
        if key is None:
            out.append(func(value))
        elif key in cache_:
            out.append(cache_[key])
        else:
            out.append(cache_.setdefault(key, func(value)))
    return out


def map_distinct_checked(
    values: Iterable[Any], func: Callable[[Any], T]
) -> tuple[list[T | None], list[str | None]]:
    """Like :func:`map_distinct`, but a :class:`ValidationError` becomes an error message.

    Returns
    -------
    tuple of list
        ``(results, errors)``: ``results[i]`` is ``None`` where ``errors[i]`` holds the
        message of the error raised for item ``i``.

    Examples
    --------
    >>> map_distinct_checked(["oui", "peut-être"], parse_bool)
    ([True, None], [None, "not a yes/no value: 'peut-être'"])
    """

    def checked(value: Any) -> tuple[T | None, str | None]:
        try:
            return func(value), None
        except ValidationError as exc:
            return None, str(exc)

    pairs = map_distinct(values, checked)
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _is_missing(value: object) -> bool:
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value != value


# --------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------

# Matched after casefold(); exports write "missing" in many ways.
# fmt: off
_MISSING_TEXT = frozenset({
    "", "n/c", "n.c.", "n/a", "na", "n/d", "-", "--", "—", "–", "?", "null", "none", "nan",
    "nat", "<na>", "#n/a", "#na", "#value!", "#ref!", "#div/0!", "#name?", "#num!", "#null!",
    "未知", "无", "non renseigné", "non renseigne",
})
# fmt: on
# Real given names and surnames that casefold onto a "missing" token: kept as written.
_NAMES_LIKE_MISSING = frozenset({"Nan", "Na", "Nat"})
# Terminal escape sequences (ECMA-48), removed whole: CSI (ESC [ or U+009B, parameters,
# intermediates, a final byte: colours, cursor moves), the strings OSC, DCS, SOS, PM and
# APC up to their terminator (BEL or ST: window titles, hyperlinks), and the short ESC
# sequences (ESC ( B ...). Written so that Python and RE2 (the Arrow kernels) read it alike.
ESCAPE_SEQUENCE = (
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
    r"|\x1b[\x50\x58\x5d\x5e\x5f][^\x07\x1b\x9c]*(?:\x07|\x1b\x5c|\x9c)"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"
)
# Characters dropped from every text: C0 and C1 controls and DEL (those that are spaces,
# tab, vertical tab, form feed, U+001C-U+001F and U+0085, become a space and CR a newline
# instead), the bidirectional overrides and isolates (they make a text read otherwise than
# it is stored), zero-width spaces and byte order marks. Python and RE2 syntax alike.
CONTROL_CHARACTERS = (
    "[\\x00-\\x08\\x0e-\\x1b\\x7f-\\x84\\x86-\\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]"
)
_ESCAPE_SEQUENCE = re.compile(ESCAPE_SEQUENCE)
_CONTROL_CHARACTERS = re.compile(CONTROL_CHARACTERS)
# Lone surrogates (a file decoded with "surrogateescape"): no UTF-8 text holds them.
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACE_CONTROLS = re.compile("[\x0b\x0c\x1c-\x1f\x85]")
_SPACE_RUN = re.compile(r"[^\S\n]+")
_NEWLINE_EDGE = re.compile(r" ?\n ?")


def _already_clean(text: str) -> bool:
    """True when :func:`clean_text` would return ``text`` unchanged (checked in C)."""
    return (
        text.isprintable()  # no tabs, newlines, NBSP, zero-width or other odd spaces
        and text[:1] != " "
        and text[-1:] != " "
        and "  " not in text
        and unicodedata.is_normalized("NFC", text)
        and (text.casefold() not in _MISSING_TEXT or text in _NAMES_LIKE_MISSING)
    )


def clean_text(value: Any) -> str | None:
    """Trim and tidy a cell; ``None`` for empty cells and the usual "missing" markers.

    Unicode NFC; ends stripped; runs of spaces, tabs and Unicode spaces (no-break, narrow
    no-break ...) become one space; newlines are kept (a carriage return becomes one);
    terminal escape sequences (``ESC [ 31 m`` ...) are removed whole; other control
    characters (NUL, DEL, C1 ...), bidirectional overrides, zero-width spaces and BOMs
    are dropped; a lone surrogate becomes U+FFFD. So no text stored holds a character
    that a terminal or a spreadsheet would act on. ``""``, ``"N/A"``, ``"NA"``,
    ``"n/c"``, ``"-"``, ``"—"``, ``"null"``, ``"none"``, ``"nan"``, ``"#N/A"`` (and other
    Excel errors), ``"未知"``, ``"无"`` become ``None`` whatever their case, except the
    names ``"Nan"``, ``"Na"`` and ``"Nat"`` written in title case.

    Examples
    --------
    >>> clean_text("  Hélène\\u00a0\\t Blou ")
    'Hélène Blou'
    >>> clean_text("#N/A") is None
    True
    >>> clean_text("Dupont\\x1b[31m\\x00 \\u202eSA")
    'Dupont SA'
    """
    if type(value) is str and value and _already_clean(value):
        return value  # most cells: nothing to do
    if _is_missing(value):
        return None
    text = value if isinstance(value, str) else _str(value)
    if not text.isprintable():  # controls, escape sequences, odd spaces (checked in C)
        text = drop_controls(text)
    text = _NEWLINE_EDGE.sub("\n", _SPACE_RUN.sub(" ", text)).strip()
    # NFC last: removing characters above could otherwise leave composable pairs behind.
    text = unicodedata.normalize("NFC", text)
    if text.casefold() in _MISSING_TEXT and text not in _NAMES_LIKE_MISSING:
        return None
    return text


_LONGEST_PRINTABLE_INT_BITS = 14_000  # about 4,214 decimal digits; str() stops at 4,300


def _str(value: Any) -> str:
    # str() refuses a whole number of more than 4,300 digits; Decimal writes them all.
    if isinstance(value, int) and value.bit_length() > _LONGEST_PRINTABLE_INT_BITS:
        return str(Decimal(value))
    return str(value)


def drop_controls(text: str) -> str:
    """``text`` without the characters a terminal or a reader would act on.

    Terminal escape sequences are removed whole, and so are the other control characters
    (NUL, DEL, C1 ...), bidirectional overrides and isolates, zero-width spaces and BOMs;
    a carriage return becomes a newline, the controls that are spaces (vertical tab, form
    feed, U+001C-U+001F, U+0085) a space, a lone surrogate U+FFFD. Tabs and newlines stay.
    :func:`clean_text` does this and more; this is for texts kept as written (the values
    inside ``custom``).

    Examples
    --------
    >>> drop_controls("\\x1b[1mGras\\x1b[0m\\tet\\x00 \\u202eRTL\\r\\n")
    'Gras\\tet RTL\\n'
    """
    if text.isprintable():
        return text
    text = _CONTROL_CHARACTERS.sub("", _ESCAPE_SEQUENCE.sub("", text))
    text = _SURROGATE.sub("\ufffd", text).replace("\r\n", "\n").replace("\r", "\n")
    return _SPACE_CONTROLS.sub(" ", text)


def _nfkc(value: Any) -> str | None:
    # NFKC maps full-width digits and signs and every Unicode space to ASCII.
    text = clean_text(value)
    return None if text is None else unicodedata.normalize("NFKC", text)


# A cell that a spreadsheet would run as a formula (= + - @ first) gets a "'" in front in
# crmkit's CSV export (crmkit._formats._export.neutralize_formula), and so does a text that already
# is one or more "'" then = + - @, so that one rule undoes both: a cell of a file made of
# one or more "'" then = + - @ loses its first "'". The same pattern in Python and RE2.
QUOTED_FORMULA = r"'+[=+\-@]"
_QUOTED_FORMULA = re.compile(QUOTED_FORMULA)


def unquote_formula(text: str) -> str:
    """A cell of a CSV file without the ``'`` that kept it from running as a formula.

    The inverse of the CSV export's protection: a cell made of one or more ``'`` then
    ``=``, ``+``, ``-`` or ``@`` loses its first ``'``; any other cell is as it is. So
    importing an export gives back the values exported.

    Examples
    --------
    >>> unquote_formula("'=HYPERLINK(1)"), unquote_formula("''=x"), unquote_formula("'x")
    ('=HYPERLINK(1)', "'=x", "'x")
    """
    return text[1:] if _QUOTED_FORMULA.match(text) else text


_LIST_SEPARATORS = re.compile(r"[;,|/\n、，；]")


def split_list(value: Any) -> list[str]:
    """Split a tags / skills / categories cell into clean, distinct items.

    Splits on ``; , | /``, newlines and the Chinese ``、，；``; trims, drops empty items
    and keeps the first of case-insensitive duplicates, in order. A list or tuple is
    cleaned item by item without splitting.

    Examples
    --------
    >>> split_list("CRM; Python,python | 数据、BI\\n")
    ['CRM', 'Python', '数据', 'BI']
    >>> split_list(["VIP", " vip ", None])
    ['VIP']
    """
    if isinstance(value, list | tuple):
        items: list[Any] = list(value)
    else:
        text = clean_text(value)
        items = [] if text is None else _LIST_SEPARATORS.split(text)
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        cleaned = clean_text(item)
        if cleaned is not None and cleaned.casefold() not in seen:
            seen.add(cleaned.casefold())
            out.append(cleaned)
    return out


# --------------------------------------------------------------------------------------
# Phones
# --------------------------------------------------------------------------------------


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
# Phones: the fast path of the vectorised twin
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
    (see :data:`PARALLEL_THRESHOLD`) is shared with helper processes.

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
    return _map_distinct_fast(values, "phone", region, workers, PhoneResult)


# --------------------------------------------------------------------------------------
# Emails, URLs
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmailResult:
    """A normalised email address.

    Attributes
    ----------
    value
        The address with its domain lower-cased (the local part kept as written), or the
        cleaned text as given when it is not valid; ``None`` for an empty cell.
    ok
        True when the syntax is valid (or the cell is empty).
    reason
        email-validator's explanation when the address is not valid.
    """

    value: str | None
    ok: bool
    reason: str | None = None


_ANGLE_ADDRESS = re.compile(r"<([^<>]*@[^<>]*)>")


def _bare_email(value: Any) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    if match := _ANGLE_ADDRESS.search(text):  # "Hélène Blou <helene@aprool.com>"
        text = match.group(1).strip()
    if text[:7].casefold() == "mailto:":
        text = text[7:].split("?", 1)[0].strip()
    return text.strip("\"'") or None


def normalize_email(value: Any) -> EmailResult:
    """Check and normalise an email address.

    Trims, strips ``mailto:`` and a display name (``Name <addr>``), lower-cases the
    domain and keeps the local part as written. Internationalised domains are allowed.
    The check is syntax only (no DNS).

    Examples
    --------
    >>> normalize_email(" mailto:Helene.Blou@APROOL.com ")
    EmailResult(value='Helene.Blou@aprool.com', ok=True, reason=None)
    >>> normalize_email("helene.blou@aprool").ok
    False
    """
    text = _bare_email(value)
    if text is None:
        return EmailResult(None, True)
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        return EmailResult(clean_text(value), False, str(exc))
    return EmailResult(str(checked.normalized), True)


# The fast path of normalize_emails(): addresses that are plain ASCII dot-atoms at a plain
# ASCII domain, alone or in "Name <address>" or "mailto:address". For those,
# email-validator (check_deliverability=False) only lower-cases the domain, lower-cases
# the RFC 2142 role names (info@, sales@ ...) and rejects the special-use domains;
# everything else goes to normalize_email().
_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~-"
# The lookaheads keep email-validator's length limits: 254 characters in all (so at most
# 252 after the "@"), 64 before the "@" (its strict limit, so that both settings agree).
# No quote first: _bare_email() strips quotes at the ends. Domain labels of at most 63
# characters that neither start nor end with "-"; an alphabetic top-level domain.
_PLAIN_EMAIL = re.compile(
    r"(?=.{1,254}\Z)(?=[^@]{1,64}@)(?!')"
    rf"([{_ATEXT}]+(?:\.[{_ATEXT}]+)*)"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)


@dataclass(frozen=True, slots=True)
class _EmailRules:
    """email-validator's settings that decide the fate of a plain address, read per call."""

    special_names: frozenset[str]
    special_suffixes: tuple[str, ...]
    role_names: frozenset[str]

    def normalize(self, value: Any) -> EmailResult | None:
        """:func:`normalize_email` for a plain ASCII address, or ``None`` (slow path)."""
        if type(value) is not str:
            return None
        # For a text without inner spaces, quotes, "<", ":" or invisible characters,
        # _bare_email() only strips the ends.
        match = _PLAIN_EMAIL.fullmatch(value.strip())
        if match is None:
            if "<" not in value and ":" not in value:
                return None
            # "Name <address>", "mailto:address": normalize_email() checks the address
            # that _bare_email() takes out, and that address is plain or not.
            bare = _bare_email(value)
            match = None if bare is None else _PLAIN_EMAIL.fullmatch(bare)
            if match is None:
                return None
        local, domain = match.groups()
        if "--" in domain:  # Punycode (xn--) and other reserved "ab--" labels
            return None
        domain = domain.lower()
        if domain in self.special_names or domain.endswith(self.special_suffixes):
            return None
        if local.lower() in self.role_names:
            local = local.lower()
        return EmailResult(f"{local}@{domain}", True)


def _email_rules() -> _EmailRules | None:
    # Module attributes that users may change, so they are read on each call.
    special = getattr(email_validator, "SPECIAL_USE_DOMAIN_NAMES", None)
    roles = getattr(email_validator_rfc, "CASE_INSENSITIVE_MAILBOX_NAMES", None)
    if special is None or roles is None:
        return None
    if getattr(email_validator, "TEST_ENVIRONMENT", False):
        special = [name for name in special if name != "test"]
    names = frozenset(name.lower() for name in special)
    return _EmailRules(names, tuple(f".{name}" for name in names), frozenset(roles))


def _no_fast_path(value: Any) -> None:
    return None


def normalize_emails(values: Iterable[Any], *, workers: int | None = None) -> list[EmailResult]:
    """:func:`normalize_email` on many values: the same results, many times faster.

    Each distinct value is checked once. Plain ASCII addresses (``first.last@company.fr``,
    any case, spaces around) take a fast path; the others go to :func:`normalize_email`.
    Long work (see :data:`PARALLEL_THRESHOLD`) is shared with helper processes.

    Parameters
    ----------
    values
        A list, tuple, pandas Series, polars Series or any iterable.
    workers
        Processes that share the work, this one included: ``None`` for one per idle CPU
        (going by the load average), ``1`` to start none.

    Returns
    -------
    list of EmailResult
        ``[normalize_email(v) for v in values]``.

    Examples
    --------
    >>> [r.ok for r in normalize_emails(["a@b.fr", "a@b.fr", "nope"])]
    [True, True, False]
    """
    return _map_distinct_fast(values, "email", None, workers, EmailResult)


_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def email_key(value: Any) -> str | None:
    """A matching key for duplicate detection: case, ``+tag`` and Gmail dots ignored.

    Examples
    --------
    >>> email_key("John.Smith+crm@GoogleMail.com")
    'johnsmith@gmail.com'
    >>> email_key("H.Blou+news@aprool.com")
    'h.blou@aprool.com'
    """
    text = _bare_email(value)
    if text is None or "@" not in text:
        return None
    local, _, domain = text.lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in _GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def email_domain(value: Any) -> str | None:
    """The lower-cased domain of an email address.

    Examples
    --------
    >>> email_domain("Helene.Blou@Aprool.COM")
    'aprool.com'
    """
    text = _bare_email(value)
    if text is None or "@" not in text:
        return None
    return text.rpartition("@")[2].casefold() or None


_HAS_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# A URL that comes out unchanged: lower-case host, a path, nothing else (most cells).
_CANONICAL_URL = re.compile(r"https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?:/[\w.~%-]+)+/?")


def normalize_url(value: Any) -> str | None:
    """Normalise a website: ``https://`` added when no scheme, host lower-cased.

    A trailing slash on a bare domain is dropped. The path, query and fragment are
    kept as written. Nothing is checked beyond that (the schemas validate formats).

    Examples
    --------
    >>> normalize_url("WWW.Aprool.com/")
    'https://www.aprool.com'
    >>> normalize_url("http://Aprool.com/Produits/")
    'http://aprool.com/Produits/'
    """
    text = clean_text(value)
    if text is None or _CANONICAL_URL.fullmatch(text):
        return text
    return _rebuilt_url(text)


def _rebuilt_url(text: str) -> str:
    """:func:`normalize_url` of a clean text, taken apart and put back together."""
    written = text
    text = text.strip("<>\"' ")
    if text.startswith("//"):
        text = "https:" + text
    elif not _HAS_SCHEME.match(text):
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:  # "[": an IPv6 host without its "]", a bad port ...
        return written  # kept as written; the schemas flag what is no URL
    userinfo, at, hostport = parts.netloc.rpartition("@")
    path = "" if parts.path == "/" and not parts.query and not parts.fragment else parts.path
    netloc = userinfo + at + hostport.lower()
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, parts.fragment))


def url_domain(value: Any) -> str | None:
    """The host of a website without ``www.``.

    Examples
    --------
    >>> url_domain("https://WWW.aprool.com/contact")
    'aprool.com'
    """
    url = normalize_url(value)
    host = None if url is None else urlsplit(url).hostname
    return host.removeprefix("www.") if host else None


# --------------------------------------------------------------------------------------
# Vectorising with fast paths and helper processes
# --------------------------------------------------------------------------------------

PARALLEL_THRESHOLD = 20_000
"""Work, counted in values for phonenumbers or email-validator, above which
:func:`normalize_phones` and :func:`normalize_emails` share it with helper processes.

A value the fast path answers counts as :data:`_FAST_PATH_SHARE` of one; the mix is
estimated on a sample. 20,000 values is about 0.8 s of work, and a helper takes about
0.5 s to start.
"""
_FAST_PATH_SHARE = 1 / 8  # about 5 us against 40 us
_SAMPLE_SIZE = 1_000
_CHUNK_SIZE = 1_000  # this process looks after its helpers between two chunks (2-40 ms)
_CHUNKS_PER_TASK = 32  # a helper's task: long, so that it seldom waits for the next one
_FRAME_HEADER = struct.Struct(">Q")
# email-validator reads these module attributes, which users may set; helpers get this
# process's values so that they give the same results.
_EMAIL_SETTINGS = (
    "ALLOW_SMTPUTF8",
    "ALLOW_EMPTY_LOCAL",
    "ALLOW_QUOTED_LOCAL",
    "ALLOW_DOMAIN_LITERAL",
    "ALLOW_DISPLAY_NAME",
    "STRICT",
    "GLOBALLY_DELIVERABLE",
    "TEST_ENVIRONMENT",
    "SPECIAL_USE_DOMAIN_NAMES",
)
# A helper imports this module only: a bare "crmkit" package object skips
# crmkit/__init__.py, which would load DuckDB, pandas and pandera (2 s instead of 0.5 s).
_HELPER_SOURCE = """
import pickle, sys, types
setup = pickle.load(sys.stdin.buffer)
sys.path[:] = setup["path"]
package = types.ModuleType("crmkit")
package.__path__ = setup["package_path"]
sys.modules["crmkit"] = package
from crmkit._normalize._values import _serve_helper
_serve_helper(sys.stdin.buffer, sys.stdout.buffer)
"""
SlowKind = Literal["phone", "email"]
ResultT = TypeVar("ResultT", PhoneResult, EmailResult)
_Columns = tuple[list[str | None], list[bool], list[str | None]]


def _worker_count(workers: int | None) -> int:
    if workers is None:
        return _idle_cpus()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValidationError(
            f"workers must be a whole number of at least 1, got {shorten(workers)}"
        )
    return workers


def _idle_cpus() -> int:
    """CPUs this process may use: those the load average leaves idle, this one included.

    A helper on a CPU that other programs keep busy slows a call down instead.
    """
    cpus = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]  # this process counts in it when it has been busy
    except (AttributeError, OSError):  # not on Windows
        return cpus
    return max(1, min(cpus, round(cpus + 1 - load)))


def _slow_one(kind: SlowKind, value: Any, region: str | None) -> Any:
    return normalize_phone(value, region) if kind == "phone" else normalize_email(value)


def _fast_path(kind: SlowKind, region: str | None) -> Callable[[Any], Any]:
    """The fast path for ``kind``: a function giving the scalar's result or ``None``."""
    if kind == "email":
        rules = _email_rules()
        return _no_fast_path if rules is None else rules.normalize
    if region is not None and not isinstance(region, str):
        return _no_fast_path  # phonenumbers decides what such a region means
    default = _phone_rules(region) if region in phonenumbers.SUPPORTED_REGIONS else None
    return partial(_fast_phone, default)


def _normalize_texts(kind: SlowKind, texts: list[str], region: str | None) -> list[Any]:
    """Fast path, else slow path, on each text (all distinct)."""
    fast = _fast_path(kind, region)
    out = []
    for text in texts:
        result = fast(text)
        out.append(result if result is not None else _slow_one(kind, text, region))
    return out


def _email_settings() -> dict[str, Any]:
    settings = {
        name: getattr(email_validator, name)
        for name in _EMAIL_SETTINGS
        if hasattr(email_validator, name)
    }
    roles = email_validator_rfc.CASE_INSENSITIVE_MAILBOX_NAMES
    settings["CASE_INSENSITIVE_MAILBOX_NAMES"] = list(roles)
    return settings


def _normalize_task(
    kind: SlowKind, texts: list[str], region: str | None, settings: dict[str, Any]
) -> _Columns:
    """A helper's task: results as three plain lists, which are quick to send back."""
    for name, value in settings.items():
        if name == "CASE_INSENSITIVE_MAILBOX_NAMES":  # also bound in validate_email's module
            email_validator_rfc.CASE_INSENSITIVE_MAILBOX_NAMES[:] = value
        else:
            setattr(email_validator, name, value)
    with gc_paused():
        results = _normalize_texts(kind, texts, region)
        return [r.value for r in results], [r.ok for r in results], [r.reason for r in results]


def _read_frame(stream: IO[bytes]) -> bytes | None:
    header = stream.read(_FRAME_HEADER.size)
    if len(header) < _FRAME_HEADER.size:
        return None
    (size,) = _FRAME_HEADER.unpack(header)
    payload = stream.read(size)
    return payload if len(payload) == size else None


def _write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_FRAME_HEADER.pack(len(payload)) + payload)
    stream.flush()


def _serve_helper(requests: IO[bytes], replies: IO[bytes]) -> None:
    """A helper process's loop: a frame says it is ready, then one reply per task."""
    _write_frame(replies, b"")
    while (frame := _read_frame(requests)) is not None:
        columns = _normalize_task(*pickle.loads(frame))
        _write_frame(replies, pickle.dumps(columns, protocol=pickle.HIGHEST_PROTOCOL))


class _Helper:
    """A helper process (``python -c``, so nothing of the caller's script is re-run)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _HELPER_SOURCE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.requests: IO[bytes] = self.process.stdin
        self.replies: IO[bytes] = self.process.stdout
        self.ready = False
        self.alive = True
        self.task = range(0)  # the chunks it works on
        crmkit_folder = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        setup = {"path": sys.path, "package_path": [crmkit_folder]}
        try:
            pickle.dump(setup, self.requests)
            self.requests.flush()
        except OSError:  # it died at once
            self.alive = False

    def fileno(self) -> int:
        return self.replies.fileno()

    def close(self) -> None:
        if self.process.poll() is None and not (self.ready and self.alive and not self.task):
            self.process.kill()  # still starting, broken, or busy with a task we gave up on
        for stream in (self.requests, self.replies):
            with suppress(OSError):
                stream.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _SharedWork:
    """Chunks of distinct texts shared by this process and helper processes.

    This process takes chunks from the end; between two chunks it hands tasks of several
    chunks from the start to the helpers that are ready and collects what they sent
    back. Everything happens in this thread, so nothing waits for the GIL, and a helper
    that is slow to start never makes a call slower than working alone. Whatever a
    helper could not do (it failed to start, died, or met an error) is done here, so an
    error in a value is raised here, where the caller sees it.
    """

    def __init__(
        self,
        kind: SlowKind,
        texts: list[str],
        region: str | None,
        helpers: int,
        result_type: type[Any],
    ) -> None:
        self.kind = kind
        self.region = region
        self.result_type = result_type
        self.chunks = [texts[i : i + _CHUNK_SIZE] for i in range(0, len(texts), _CHUNK_SIZE)]
        self.results: list[list[Any] | None] = [None] * len(self.chunks)
        self.helper_count = helpers
        self.chunks_by_helpers = 0
        self._settings = _email_settings() if kind == "email" else {}
        self._front = 0  # next chunk for a helper
        self._back = len(self.chunks)  # one past the next chunk for this process

    def run(self) -> list[Any]:
        """The results of every text, in order."""
        helpers = self._start_helpers()
        replies = selectors.DefaultSelector()  # poll/epoll: no limit on descriptor numbers
        try:
            for helper in helpers:
                if helper.alive:
                    replies.register(helper.replies, selectors.EVENT_READ, helper)
            while self._front < self._back:
                self._look_after(helpers, replies, wait=False)
                if self._front < self._back:
                    self._back -= 1
                    chunk = self.chunks[self._back]
                    self.results[self._back] = _normalize_texts(self.kind, chunk, self.region)
            while any(helper.task for helper in helpers):
                self._look_after(helpers, replies, wait=True)
        finally:
            replies.close()
            for helper in helpers:
                helper.close()
        out: list[Any] = []
        for index, part in enumerate(self.results):
            if part is None:  # a helper could not do it
                part = _normalize_texts(self.kind, self.chunks[index], self.region)
            out += part
        return out

    def _start_helpers(self) -> list[_Helper]:
        helpers: list[_Helper] = []
        if os.name != "posix" or getattr(sys, "frozen", False) or not sys.executable:
            return helpers  # selectors wait on pipes on POSIX only; "python -c" must work
        for _ in range(self.helper_count):
            try:
                helpers.append(_Helper())
            except OSError:  # no processes allowed here
                break
        return helpers

    def _look_after(
        self, helpers: list[_Helper], replies: selectors.BaseSelector, *, wait: bool
    ) -> None:
        """Collect replies; give a task to each helper that is ready and idle."""
        if replies.get_map():
            for key, _ in replies.select(None if wait else 0):
                self._receive(key.data, replies)
        for helper in helpers:
            if helper.alive and helper.ready and not helper.task:
                self._send(helper)

    def _receive(self, helper: _Helper, replies: selectors.BaseSelector | None = None) -> None:
        frame = _read_frame(helper.replies)
        if frame is None:  # the helper died: its chunks are done here
            helper.alive, helper.task = False, range(0)
            if replies is not None:
                replies.unregister(helper.replies)
            return
        if not helper.ready:
            helper.ready = True
            return
        task, helper.task = helper.task, range(0)
        self._send(helper)  # first, so that it works while its results are unpacked here
        values, oks, reasons = pickle.loads(frame)
        results = list(map(self.result_type, values, oks, reasons))
        start = 0
        for index in task:
            end = start + len(self.chunks[index])
            self.results[index] = results[start:end]
            start = end
        self.chunks_by_helpers += len(task)

    def _send(self, helper: _Helper) -> None:
        # Never more than half of the chunks left, so that both sides finish together.
        count = min(_CHUNKS_PER_TASK, (self._back - self._front) // 2)
        if count < 1:
            return
        task = range(self._front, self._front + count)
        self._front += count
        texts = [text for index in task for text in self.chunks[index]]
        request = (self.kind, texts, self.region, self._settings)
        try:
            _write_frame(helper.requests, pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # the helper died: its chunks are done here
            helper.alive = False
            return
        helper.task = task


def _estimated_work(kind: SlowKind, texts: list[str], region: str | None) -> float:
    """The work ahead, in values for the libraries, from the fast path's share of a sample."""
    if len(texts) <= PARALLEL_THRESHOLD:  # even if none took the fast path
        return len(texts)
    fast = _fast_path(kind, region)
    sample = texts[:: max(1, len(texts) // _SAMPLE_SIZE)]
    slow = sum(fast(text) is None for text in sample) / len(sample)
    return len(texts) * (slow + (1 - slow) * _FAST_PATH_SHARE)


def _map_distinct_fast(
    values: Iterable[Any],
    kind: SlowKind,
    region: str | None,
    workers: int | None,
    result_type: type[ResultT],
) -> list[ResultT]:
    """:func:`map_distinct` of the scalar, with the fast path and helper processes.

    Each distinct text goes through the fast path, else the scalar; when that is more
    work than :data:`PARALLEL_THRESHOLD` and ``workers`` is above 1, helper processes
    take their share. The other cells (None, NaN, numbers) go to the scalar, as in
    :func:`map_distinct`: keyed by type and value, so that 1, 1.0 and True stay apart.
    """
    count = _worker_count(workers)  # bad arguments fail before any work
    items = _as_list(values)
    with gc_paused():
        others = [value for value in items if type(value) is not str]
        try:
            distinct: Iterable[Any] = dict.fromkeys(items)  # a loop in C
        except TypeError:  # an unhashable cell
            distinct = dict.fromkeys(value for value in items if type(value) is str)
        texts = [text for text in distinct if type(text) is str] if others else list(distinct)
        if count > 1 and _estimated_work(kind, texts, region) > PARALLEL_THRESHOLD:
            results = _SharedWork(kind, texts, region, count - 1, result_type).run()
        else:
            results = _normalize_texts(kind, texts, region)
        by_text: dict[str, ResultT] = dict(zip(texts, results, strict=True))
        if not others:
            return list(map(by_text.__getitem__, items))  # a loop in C
        by_key: dict[tuple[type, Any], ResultT] = {}
        for value in others:
            if (key := _cache_key(value)) is not None and key not in by_key:
                by_key[key] = _slow_one(kind, value, region)
        try:
            out: list[Any] = list(map(by_text.get, items))
        except TypeError:  # an unhashable cell
            out = [by_text[value] if type(value) is str else None for value in items]
        for i, value in enumerate(items):
            if type(value) is not str:
                key = _cache_key(value)
                out[i] = by_key[key] if key is not None else _slow_one(kind, value, region)
        return out


# --------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------

# ISO 3166-1 alpha-2 -> alpha-3, complete, plus XK (Kosovo) and AN (former Netherlands Antilles).
_ALPHA3 = dict(
    re.findall(
        r"([A-Z]{2}):([A-Z]{3})",
        """AF:AFG AX:ALA AL:ALB DZ:DZA AS:ASM AD:AND AO:AGO AI:AIA AQ:ATA AG:ATG AR:ARG AM:ARM
        AW:ABW AU:AUS AT:AUT AZ:AZE BS:BHS BH:BHR BD:BGD BB:BRB BY:BLR BE:BEL BZ:BLZ BJ:BEN BM:BMU
        BT:BTN BO:BOL BQ:BES BA:BIH BW:BWA BV:BVT BR:BRA IO:IOT BN:BRN BG:BGR BF:BFA BI:BDI CV:CPV
        KH:KHM CM:CMR CA:CAN KY:CYM CF:CAF TD:TCD CL:CHL CN:CHN CX:CXR CC:CCK CO:COL KM:COM CG:COG
        CD:COD CK:COK CR:CRI CI:CIV HR:HRV CU:CUB CW:CUW CY:CYP CZ:CZE DK:DNK DJ:DJI DM:DMA DO:DOM
        EC:ECU EG:EGY SV:SLV GQ:GNQ ER:ERI EE:EST SZ:SWZ ET:ETH FK:FLK FO:FRO FJ:FJI FI:FIN FR:FRA
        GF:GUF PF:PYF TF:ATF GA:GAB GM:GMB GE:GEO DE:DEU GH:GHA GI:GIB GR:GRC GL:GRL GD:GRD GP:GLP
        GU:GUM GT:GTM GG:GGY GN:GIN GW:GNB GY:GUY HT:HTI HM:HMD VA:VAT HN:HND HK:HKG HU:HUN IS:ISL
        IN:IND ID:IDN IR:IRN IQ:IRQ IE:IRL IM:IMN IL:ISR IT:ITA JM:JAM JP:JPN JE:JEY JO:JOR KZ:KAZ
        KE:KEN KI:KIR KP:PRK KR:KOR KW:KWT KG:KGZ LA:LAO LV:LVA LB:LBN LS:LSO LR:LBR LY:LBY LI:LIE
        LT:LTU LU:LUX MO:MAC MG:MDG MW:MWI MY:MYS MV:MDV ML:MLI MT:MLT MH:MHL MQ:MTQ MR:MRT MU:MUS
        YT:MYT MX:MEX FM:FSM MD:MDA MC:MCO MN:MNG ME:MNE MS:MSR MA:MAR MZ:MOZ MM:MMR NA:NAM NR:NRU
        NP:NPL NL:NLD NC:NCL NZ:NZL NI:NIC NE:NER NG:NGA NU:NIU NF:NFK MK:MKD MP:MNP NO:NOR OM:OMN
        PK:PAK PW:PLW PS:PSE PA:PAN PG:PNG PY:PRY PE:PER PH:PHL PN:PCN PL:POL PT:PRT PR:PRI QA:QAT
        RE:REU RO:ROU RU:RUS RW:RWA BL:BLM SH:SHN KN:KNA LC:LCA MF:MAF PM:SPM VC:VCT WS:WSM SM:SMR
        ST:STP SA:SAU SN:SEN RS:SRB SC:SYC SL:SLE SG:SGP SX:SXM SK:SVK SI:SVN SB:SLB SO:SOM ZA:ZAF
        GS:SGS SS:SSD ES:ESP LK:LKA SD:SDN SR:SUR SJ:SJM SE:SWE CH:CHE SY:SYR TW:TWN TJ:TJK TZ:TZA
        TH:THA TL:TLS TG:TGO TK:TKL TO:TON TT:TTO TN:TUN TR:TUR TM:TKM TC:TCA TV:TUV UG:UGA UA:UKR
        AE:ARE GB:GBR US:USA UM:UMI UY:URY UZ:UZB VU:VUT VE:VEN VN:VNM VG:VGB VI:VIR WF:WLF EH:ESH
        YE:YEM ZM:ZMB ZW:ZWE XK:XKX AN:ANT""",
    )
)

# Names people write that are not phonenumbers' en/fr/zh names.
# fmt: off
_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales",
           "Northern Ireland", "Grande-Bretagne", "Angleterre", "Ecosse", "Royaume Uni",
           "大不列颠", "英格兰", "联合王国"),
    "US": ("USA", "U.S.A.", "U.S.", "United States of America", "America", "Amérique",
           "États-Unis d'Amérique", "美利坚合众国", "美國"),
    "CN": ("PRC", "P.R.C.", "P.R. China", "People's Republic of China", "Mainland China",
           "China Mainland", "Chine continentale", "中国大陆", "大陆", "中华人民共和国", "中國"),
    "DE": ("Deutschland", "德國"),
    "HK": ("Hong Kong SAR", "Hongkong", "中国香港", "香港特别行政区", "香港特區"),
    "TW": ("台湾", "臺灣", "中国台湾", "Taïwan", "Taiwan, Province of China"),
    "MO": ("Macau", "澳门", "中国澳门", "澳門"),
    "KR": ("Korea", "Republic of Korea", "Korea, Republic of", "Korea (South)", "Corée",
           "Corée du Sud", "南韩", "大韩民国", "韓國"),
    "KP": ("Korea, Democratic People's Republic of", "Korea (North)", "北韩"),
    "CH": ("Schweiz", "Svizzera", "Suisse", "瑞士联邦"),
    "BE": ("België", "Belgie", "Belgien"),
    "NL": ("Holland", "The Netherlands", "Nederland", "Hollande"),
    "ES": ("España", "Espana"),
    "IT": ("Italia",),
    "AT": ("Österreich", "Osterreich"),
    "JP": ("Nippon", "日本国"),
    "RU": ("Russian Federation", "Fédération de Russie", "俄罗斯联邦"),
    "VN": ("Viet Nam",),
    "CZ": ("Czechia", "Tchéquie", "捷克"),
    "CI": ("Ivory Coast", "Cote d'Ivoire", "科特迪瓦"),
    "MK": ("North Macedonia", "Macédoine du Nord", "北马其顿"),
    "SZ": ("Eswatini",),
    "AE": ("UAE", "U.A.E.", "EAU", "Émirats", "阿联酋"),
    "TR": ("Türkiye", "Turkiye", "Turquie"),
    "BR": ("Brasil",),
    "MX": ("México",),
    "MM": ("Burma", "Birmanie"),
    "CV": ("Cabo Verde",),
    "VA": ("Vatican", "Holy See", "Saint-Siège"),
    "IR": ("Iran, Islamic Republic of", "Persia"),
    "SY": ("Syrian Arab Republic",),
    "LA": ("Lao PDR", "Lao People's Democratic Republic"),
    "BA": ("Bosnia", "Bosnie", "波黑", "波斯尼亚和黑塞哥维那"),
    "CD": ("DRC", "RDC", "DR Congo", "Congo-Kinshasa", "République démocratique du Congo"),
    "CG": ("Congo-Brazzaville", "Republic of the Congo"),
    "SG": ("Singapour", "新加坡共和国"),
    "IE": ("Éire", "Eire", "Republic of Ireland"),
    "NZ": ("Aotearoa",),
    "SA": ("KSA", "Saudi", "Arabie"),
    "PS": ("Palestine", "Palestinian Territories"),
}
# fmt: on


def _country_key(text: str) -> str:
    # fold() drops accents and case; \W also drops spaces, dots, hyphens, apostrophes.
    return re.sub(r"[\W_]+", "", fold(text))


@cache
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, aliases in _COUNTRY_ALIASES.items():
        for alias in aliases:
            index.setdefault(_country_key(alias), code)
    for code in sorted(COUNTRY_CODES):
        index.setdefault(code.casefold(), code)
    for code in sorted(COUNTRY_CODES):
        if code in _ALPHA3:
            index.setdefault(_ALPHA3[code].casefold(), code)
    for lang in ("en", "fr", "zh"):
        for code in sorted(COUNTRY_CODES):
            index.setdefault(_country_key(country_names(code)[lang]), code)
    return index


def normalize_country(value: Any) -> str | None:
    """The ISO 3166 alpha-2 code of a country code or name (English, French, Chinese).

    Accepts alpha-2 and alpha-3 codes and names in any case, with or without accents,
    spaces or punctuation, plus common aliases (UK, USA, PRC, Holland, 中国大陆 ...).
    Returns ``None`` for an empty cell and for an unknown name (the caller keeps the raw
    value and warns). ``"NA"`` is read as a missing value, not as Namibia.

    Examples
    --------
    >>> [normalize_country(v) for v in ["fra", "États-Unis", "中国大陆", "England", "Atlantis"]]
    ['FR', 'US', 'CN', 'GB', None]
    """
    text = clean_text(value)
    return None if text is None else _country_index().get(_country_key(text))


# --------------------------------------------------------------------------------------
# Names and companies
# --------------------------------------------------------------------------------------


def _ascii_tokens(text: str) -> list[str]:
    folded = re.sub(r"['`.]", "", anyascii(text).casefold())
    return re.sub(r"[^a-z0-9]+", " ", folded).split()


def _merge_initials(tokens: list[str]) -> list[str]:
    # "S A S" and "I B M" are initials written with spaces: read them as one word.
    out: list[str] = []
    after_initial = False
    for token in tokens:
        initial = len(token) == 1 and token.isalpha()
        if initial and after_initial:
            out[-1] += token
        else:
            out.append(token)
        after_initial = initial
    return out


def name_key(value: Any) -> str:
    """A matching key for a person's name: transliterated, case-folded, no punctuation.

    Chinese characters are transliterated with anyascii (``张伟`` -> ``zhangwei``),
    accents dropped, apostrophes and dots removed, other punctuation read as a space.

    Examples
    --------
    >>> name_key("Hélène  O'Brien-Blou")
    'helene obrien blou'
    >>> name_key("J.-P. Dupont") == name_key("JP Dupont")
    True
    >>> name_key("张伟")
    'zhangwei'
    """
    text = clean_text(value)
    return "" if text is None else " ".join(_merge_initials(_ascii_tokens(text)))


# fmt: off
_LEGAL_FORMS = frozenset({
    "sa", "sas", "sasu", "sarl", "eurl", "snc", "sci", "scop", "scs", "sca", "selarl", "gie",
    "cie", "gmbh", "ag", "kg", "kgaa", "ug", "ev", "ltd", "limited", "llc", "llp", "lp", "inc",
    "incorporated", "corp", "corporation", "co", "company", "plc", "bv", "nv", "spa", "srl",
    "sl", "oy", "oyj", "ab", "as", "asa", "aps", "kk", "pty", "pte", "se",
})
# fmt: on
# Longest first, so that 股份有限公司 goes before 有限公司 and 公司.
# fmt: off
_CJK_LEGAL_SUFFIXES = (
    "股份有限公司", "有限责任公司", "有限責任公司", "集团公司", "集團公司", "株式会社",
    "有限会社", "合同会社", "有限公司", "集团", "集團", "公司",
)
# fmt: on
_CJK_LEGAL_PREFIXES = ("株式会社", "有限会社", "合同会社")


_ONLY_CJK_LEGAL = re.compile("(?:" + "|".join(_CJK_LEGAL_SUFFIXES) + ")+")


def _strip_cjk_legal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    changed = not _ONLY_CJK_LEGAL.fullmatch(text)  # "有限公司" alone stays a name
    while changed:
        changed = False
        for suffix in _CJK_LEGAL_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)].rstrip(" ,.-"), True
        for prefix in _CJK_LEGAL_PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix) :].lstrip(" ,.-"), True
    return text


def company_key(value: Any) -> str:
    """A matching key for a company name: legal forms, case, accents and word order ignored.

    Chinese and Japanese legal suffixes (有限公司, 股份有限公司, 集团, 株式会社 ...) are
    removed before transliteration; then Latin legal forms (SA, SAS, SARL, GmbH, Ltd, Inc,
    LLC, BV, SpA ...) and a leading "The" are removed from both ends, initials written with
    spaces joined (``S A S`` -> ``sas``), and the remaining words sorted. A name
    that is nothing but a legal form keeps its folded self, so the key is never empty for
    a non-empty name.

    Examples
    --------
    >>> company_key("S.A.S. Aprool") == company_key("APROOL") == company_key("Aprool SAS")
    True
    >>> company_key("Conseil Dupont & Cie SARL")
    'conseil dupont'
    >>> company_key("北京科技有限公司") == company_key("北京科技")
    True
    >>> company_key("SA")
    'sa'
    """
    text = clean_text(value)
    if text is None:
        return ""
    tokens = _merge_initials(_ascii_tokens(_strip_cjk_legal(text)))
    start, end = 0, len(tokens)
    while start < end and (tokens[start] in _LEGAL_FORMS or tokens[start] == "the"):
        start += 1
    while end > start and tokens[end - 1] in _LEGAL_FORMS:
        end -= 1
    core = tokens[start:end] or _merge_initials(_ascii_tokens(text))
    return " ".join(sorted(core))


# --------------------------------------------------------------------------------------
# Numbers and currencies
# --------------------------------------------------------------------------------------

# Matched on NFKC, case-folded text, longest first.
# fmt: off
_CURRENCY_SIGNS: dict[str, str] = {
    "人民币": "CNY", "美元": "USD", "欧元": "EUR", "英镑": "GBP", "港元": "HKD", "港币": "HKD",
    "日元": "JPY", "us$": "USD", "hk$": "HKD", "c$": "CAD", "a$": "AUD", "s$": "SGD",
    "r$": "BRL", "€": "EUR", "£": "GBP", "$": "USD", "¥": "CNY", "元": "CNY", "₹": "INR",
    "₩": "KRW", "₽": "RUB", "₺": "TRY",
}
_CURRENCY_WORDS: dict[str, str] = {
    "euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD", "rmb": "CNY",
    "yuan": "CNY", "yuans": "CNY",
}
# fmt: on
_SIGN_PATTERN = re.compile("|".join(re.escape(s) for s in _CURRENCY_SIGNS))
_LETTER_RUN = re.compile(r"[a-z]+")
_MULTIPLIER_PREFIXES = frozenset({"k", "m", "b"})  # kEUR, MEUR, bUSD

_MULTIPLIERS: dict[str, Decimal] = {
    word: Decimal(scale)
    for scale, words in {
        "1e3": "k ke mille 千",
        "1e4": "万",
        "1e5": "十万",
        "1e6": "m mn mm mio mios million millions 百万",
        "1e7": "千万",
        "1e8": "亿",
        "1e9": "md mds mrd mrds milliard milliards bn b billion billions 十亿",
        "1e10": "百亿",
        "1e11": "千亿",
        "1e12": "t tn trillion trillions 万亿",
    }.items()
    for word in words.split()
}


def _currency_of_run(run: str) -> str | None:
    if run in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[run]
    if len(run) == 3 and run.upper() in CURRENCY_CODES:
        return run.upper()
    if len(run) == 4 and run[0] in _MULTIPLIER_PREFIXES and run[1:].upper() in CURRENCY_CODES:
        return run[1:].upper()
    return None


def parse_currency(value: Any) -> str | None:
    """The ISO 4217 code named by a sign or a code in an amount, else ``None``.

    Examples
    --------
    >>> [parse_currency(v) for v in ["4,2 M€", "$3.5M", "¥3,000万", "12 kEUR", "1 250"]]
    ['EUR', 'USD', 'CNY', 'EUR', None]
    """
    text = _nfkc(value)
    if text is None:
        return None
    text = text.casefold()
    for run in _LETTER_RUN.findall(text):
        if code := _currency_of_run(run):
            return code
    match = _SIGN_PATTERN.search(text)
    return _CURRENCY_SIGNS[match.group()] if match else None


def _strip_currency(text: str) -> str:
    text = _SIGN_PATTERN.sub(" ", text)
    text = re.sub(r"\b(?:d['’]\s*|de\s+)(?=euros?\b|dollars?\b|yuans?\b)", "", text)

    def drop(match: re.Match[str]) -> str:
        run = match.group()
        if _currency_of_run(run) is None:
            return run
        return run[0] if len(run) == 4 and run not in _CURRENCY_WORDS else " "

    return _LETTER_RUN.sub(drop, text).strip()


_AMOUNT = re.compile(
    r"(?P<sign>[-+]?)\s*(?P<num>[\d.,'’ ]*\d[\d.,'’ ]*?)\s*(?P<mult>[a-z\u4e00-\u9fff]+)?\.?"
)
_SCIENTIFIC = re.compile(r"[-+]?\d+(?:\.\d+)?e[-+]?\d+")


_GROUPED_NUMBER = {  # by decimal mark: thousands groups of 3 (or none), then decimals
    ",": re.compile(r"(\d{1,3}(?:[ .]\d{3})+|\d*)(?:,(\d+))?"),
    ".": re.compile(r"(\d{1,3}(?:[ ,]\d{3})+|\d*)(?:\.(\d+))?"),
}


def _digits_value(num: str, decimal: str | None) -> Decimal | None:
    text = re.sub(r"['’ ]+", " ", num.strip())
    if decimal is None:
        comma, dot = text.rfind(","), text.rfind(".")
        if comma >= 0 and dot >= 0:
            decimal = "," if comma > dot else "."
        elif comma >= 0:
            if text.count(",") > 1:
                decimal = "."
            elif " " in text:  # spaces group thousands, so the comma is French decimal
                decimal = ","
            else:  # "1,250" is 1250 but "1,25" and "0,250" are decimals
                decimal = "." if re.fullmatch(r"[1-9]\d{0,2},\d{3}", text) else ","
        else:
            decimal = "," if text.count(".") > 1 else "."
    match = _GROUPED_NUMBER[decimal].fullmatch(text)
    if match is None or not (match.group(1) or match.group(2)):
        return None
    whole = re.sub(r"\D", "", match.group(1)) or "0"
    return Decimal(f"{whole}.{match.group(2) or '0'}")


def _parse_amount(text: str, decimal: str | None) -> tuple[Decimal, Decimal | None] | None:
    """``(number, multiplier or None)`` of an amount text, or ``None`` when unreadable."""
    text = _strip_currency(unicodedata.normalize("NFKC", text).casefold())
    if _SCIENTIFIC.fullmatch(text):
        return Decimal(text), None
    match = _AMOUNT.fullmatch(text)
    if match is None:
        return None
    scale = None
    if match.group("mult"):
        scale = _MULTIPLIERS.get(match.group("mult"))
        if scale is None:
            return None
    number = _digits_value(match.group("num"), decimal)
    if number is None:
        return None
    return (-number if match.group("sign") == "-" else number), scale


# No amount, number, headcount or date is written with more characters; a longer cell is
# refused before any regular expression runs (some backtrack: a 1.5 MB cell would take
# hours).
_MAX_QUANTITY_CHARS = 100


def _too_long(text: str, what: str, value: Any) -> None:
    if len(text) > _MAX_QUANTITY_CHARS:
        raise ValidationError(f"not {what}: {shorten(value)} (too long)")


def _check_decimal(decimal: str | None) -> None:
    if decimal not in (None, ",", "."):
        raise UnknownValueError("decimal separator", decimal, [",", "."])


def _number_of(value: Any) -> float | None:
    # Numbers that arrive typed (not as text); None means "parse it as text".
    if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
        return None
    return _finite(value, value)


def _finite(number: Any, value: Any) -> float:
    """``number`` as a float, which a DOUBLE column holds; an error for NaN, infinities
    and numbers beyond a float's range (``10**400``, ``Decimal("1e400")``, "1e400")."""
    try:
        result = float(number)
    except OverflowError:
        result = math.inf
    except ValueError:  # Decimal("sNaN")
        result = math.nan
    if not math.isfinite(result):
        raise ValidationError(f"not a finite number: {shorten(value)}")
    return result


def parse_number(value: Any, decimal: DecimalMark | None = None) -> float | None:
    """Read a number written the French, English or Chinese way.

    Thousands separators (space, no-break spaces, apostrophe, comma or dot), a decimal
    comma or dot, currency signs and codes (``€ $ £ ¥ 元 EUR USD CNY`` ...) and
    multipliers (``k``, ``M``, ``Md``, ``bn``, ``B``, ``万``, ``亿`` ...) are understood.
    A single comma followed by exactly three digits (``"1,250"``) groups thousands unless
    ``decimal=","``; a single dot is a decimal point (``"1.250"`` is 1.25) unless
    ``decimal=","``. ``bn``, ``B`` and ``billion`` are 10**9 (``Md``/``milliard`` in French).

    Parameters
    ----------
    value
        The cell.
    decimal
        Force the decimal separator (``","`` for French files); ``None`` guesses.

    Returns
    -------
    float or None
        ``None`` for an empty cell.

    Raises
    ------
    ValidationError
        When the text is not a number; the message names the value.

    Examples
    --------
    >>> parse_number("1 250 000,50 €")
    1250000.5
    >>> [parse_number(v) for v in ["4,2 M€", "3K", "1.5bn", "¥3,000万", "1.2亿"]]
    [4200000.0, 3000.0, 1500000000.0, 30000000.0, 120000000.0]
    >>> parse_number("1,250"), parse_number("1,250", decimal=",")
    (1250.0, 1.25)
    """
    _check_decimal(decimal)
    if _is_missing(value):
        return None
    typed = _number_of(value)
    if typed is not None:
        return typed
    text = clean_text(value)
    if text is None:
        return None
    _too_long(text, "a number", value)
    amount = _parse_amount(text, decimal)
    if amount is None:
        raise ValidationError(f"not a number: {shorten(value)}")
    number, scale = amount
    return _finite(number * scale if scale is not None else number, value)


def parse_numbers(
    values: Iterable[Any], decimal: DecimalMark | None = None
) -> tuple[list[float | None], list[str | None]]:
    """:func:`parse_number` on many values: ``(numbers, errors)``, each distinct value once.

    Examples
    --------
    >>> parse_numbers(["3 k€", "lots", "3 k€"])
    ([3000.0, None, 3000.0], [None, "not a number: 'lots'", None])
    """
    _check_decimal(decimal)
    return map_distinct_checked(values, lambda v: parse_number(v, decimal))


# --------------------------------------------------------------------------------------
# Booleans and dates
# --------------------------------------------------------------------------------------

# fmt: off
_TRUE_WORDS = (
    "yes", "y", "oui", "o", "vrai", "true", "t", "1", "1.0", "x", "on",
    "✓", "✔", "☑", "✅", "是", "对", "對", "真", "有",
)
_FALSE_WORDS = (
    "no", "n", "non", "faux", "false", "f", "0", "0.0", "off",
    "✗", "✘", "☐", "❌", "否", "错", "錯", "假", "不是", "没有",
)
# fmt: on
_BOOL_WORDS = {**dict.fromkeys(_TRUE_WORDS, True), **dict.fromkeys(_FALSE_WORDS, False)}


def parse_bool(value: Any) -> bool | None:
    """Read a yes/no cell in English, French or Chinese.

    True: yes, y, oui, o, vrai, true, t, 1, x, on, ✓, ✔, 是, 对, 真. False: no, n, non,
    faux, false, f, 0, off, ✗, 否, 错, 假. Any case. ``None`` for an empty cell.

    Raises
    ------
    ValidationError
        For anything else; the message names the value.

    Examples
    --------
    >>> [parse_bool(v) for v in ["Oui", "n", "X", "是", 0, ""]]
    [True, False, True, True, False, None]
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Real) and not _is_missing(value) and value in (0, 1):
        return bool(value)
    text = clean_text(value)
    if text is None:
        return None
    try:
        return _BOOL_WORDS[text.casefold()]
    except KeyError:
        raise ValidationError(f"not a yes/no value: {shorten(value)}") from None


def parse_bools(values: Iterable[Any]) -> tuple[list[bool | None], list[str | None]]:
    """:func:`parse_bool` on many values: ``(booleans, errors)``.

    Examples
    --------
    >>> parse_bools(["oui", "non", "oui"])
    ([True, False, True], [None, None, None])
    """
    return map_distinct_checked(values, parse_bool)


_MONTHS: dict[str, int] = {
    word: month
    for month, words in enumerate(
        [
            "janvier janv jan january",
            "fevrier fevr fev february feb",
            "mars mar march",
            "avril avr april apr",
            "mai may",
            "juin june jun",
            "juillet juil july jul",
            "aout august aug",
            "septembre sept sep september",
            "octobre oct october",
            "novembre nov november",
            "decembre dec december",
        ],
        start=1,
    )
    for word in words.split()
}
# fmt: off
_DATE_NOISE = frozenset({
    "le", "the", "of", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
})
# fmt: on
_TIME = r"(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?[ap]m)?(?:z|\s?[+-]\d{2}:?\d{2})?)?"
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_CJK_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # two-digit years: 00-69 -> 2000s, 70-99 -> 1900s
        year += 2000 if year < 70 else 1900
    return year


def _excel_serial(number: float, value: Any) -> date:
    if not 1 <= number <= 80000:
        raise ValidationError(f"not a date: {shorten(value)} (outside Excel serial range 1-80000)")
    return _EXCEL_EPOCH + timedelta(days=int(number))


def _textual_date(text: str) -> tuple[int, int, int] | None:
    tokens = [t for t in re.split(r"[\s,./-]+", fold(text)) if t and t not in _DATE_NOISE]
    tokens = [re.sub(r"^(\d{1,2})(?:er|e|eme|st|nd|rd|th)$", r"\1", t) for t in tokens]
    months = [t for t in tokens if t in _MONTHS]
    numeric = [i for i, t in enumerate(tokens) if t.isdigit()]
    if len(tokens) != 3 or len(months) != 1 or len(numeric) != 2:
        return None
    four_digits = [i for i in numeric if len(tokens[i]) == 4]
    if len(four_digits) == 1:
        year = four_digits[0]
    elif numeric[-1] == 2 and len(tokens[2]) == 2:  # 05-Mar-24
        year = 2
    else:
        return None
    day = tokens[numeric[0] if numeric[1] == year else numeric[1]]
    if len(day) > 2:
        return None
    return _year(tokens[year]), _MONTHS[months[0]], int(day)


def _date_parts(text: str, dayfirst: bool) -> tuple[int, int, int] | None:
    for pattern in (_ISO_DATE, _COMPACT_DATE, _CJK_DATE):
        if match := pattern.fullmatch(text):
            return int(match[1]), int(match[2]), int(match[3])
    if match := _NUMERIC_DATE.fullmatch(text):
        first, second, year = int(match[1]), int(match[3]), _year(match[4])
        day, month = (first, second) if dayfirst or match[2] == "." else (second, first)
        if month > 12 >= day:  # only one reading is a date
            day, month = month, day
        return year, month, day
    return _textual_date(text)


def parse_date(value: Any, dayfirst: bool = True) -> date | None:
    """Read a date: ISO, numeric (day or month first), French, English, Chinese or Excel.

    Understands ``2024-03-05``, ``2024/03/05``, ``20240305``, ``05/03/2024``,
    ``05.03.2024``, ``5 mars 2024``, ``1er avril 2024``, ``March 5, 2024``,
    ``05-Mar-24``, ``2024年3月5日``, Excel serial numbers (1 to 80000 days after
    1899-12-30) and ``date``/``datetime``/``pandas.Timestamp`` objects. A time part is
    ignored.

    Parameters
    ----------
    value
        The cell.
    dayfirst
        Read ``05/03/2024`` as 5 March (True, the French way) or May 3 (False). When only
        one reading is a valid date, that reading wins.

    Raises
    ------
    ValidationError
        When the value is not a date; the message names the value.

    Examples
    --------
    >>> parse_date("5 mars 2024")
    datetime.date(2024, 3, 5)
    >>> parse_date("03/05/2024", dayfirst=False), parse_date("2024年3月5日")
    (datetime.date(2024, 3, 5), datetime.date(2024, 3, 5))
    >>> parse_date(45356)
    datetime.date(2024, 3, 5)
    """
    if _is_missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            serial = float(value)
        except OverflowError:  # a whole number beyond a float: no serial day anyway
            serial = math.inf
        return _excel_serial(serial, value)
    text = _nfkc(value)
    if text is None:
        return None
    _too_long(text, "a date", value)
    text = text.casefold()
    if _SERIAL_TEXT.fullmatch(text):
        return _excel_serial(float(text), value)
    parts = _date_parts(text, dayfirst)
    if parts is None:
        raise ValidationError(f"not a date: {shorten(value)}")
    try:
        return date(*parts)
    except ValueError:
        raise ValidationError(f"not a date: {shorten(value)} (no such day)") from None


def parse_dates(
    values: Iterable[Any], dayfirst: bool = True
) -> tuple[list[date | None], list[str | None]]:
    """:func:`parse_date` on many values: ``(dates, errors)``, each distinct value once.

    Examples
    --------
    >>> parse_dates(["05/03/2024", "bientôt"])
    ([datetime.date(2024, 3, 5), None], [None, "not a date: 'bientôt'"])
    """
    return map_distinct_checked(values, lambda v: parse_date(v, dayfirst))


# --------------------------------------------------------------------------------------
# Headcounts and revenues
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeadcountResult:
    """A headcount: an exact number, or a range whose ``high`` may be open (``None``)."""

    exact: int | None = None
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True, slots=True)
class RevenueResult:
    """A revenue: an exact amount or a range, with the currency the text named."""

    exact: float | None = None
    low: float | None = None
    high: float | None = None
    currency: str | None = None


# INSEE "tranche d'effectif salarié" codes (SIRENE); NN: no employee during the year.
# fmt: off
_INSEE_BANDS: dict[str, tuple[int, int | None]] = {
    "NN": (0, 0), "00": (0, 0), "01": (1, 2), "02": (3, 5), "03": (6, 9), "11": (10, 19),
    "12": (20, 49), "21": (50, 99), "22": (100, 199), "31": (200, 249), "32": (250, 499),
    "41": (500, 999), "42": (1000, 1999), "51": (2000, 4999), "52": (5000, 9999),
    "53": (10000, None),
}
# fmt: on
_HEADCOUNT_WORDS = re.compile(
    r"\b(?:salaries?|employes?|employees?|staff|people|personnes?|persons?|etp|fte|"
    r"collaborateurs?|environ|approx|about|circa|ca)\b|[人名位]|员工|大约|约|^~"
)
_NUMBER = r"(\d(?:[\d.,'’]|\s(?=\d))*(?:\s?k)?)"
_RANGE_SEPARATOR = r"(?:\s*(?:[-–—~]|至|到)\s*|\s+(?:a|to|and|et|ou|or)\s+)"
_OPEN_LOW_PREFIX = (
    r"(?:plus de|more than|over|above|greater than|at least|au moins|>=?|≥|超过|大于|多于)"
)
_OPEN_LOW_SUFFIX = r"(?:\+|et plus|and more|and above|and over|or more|ou plus|及以上|以上)"
_OPEN_HIGH_PREFIX = r"(?:moins de|less than|under|fewer than|below|<=?|≤|少于|小于|不到|低于)"
_OPEN_HIGH_SUFFIX = r"(?:ou moins|or less|or fewer|及以下|以下)"
_RANGE_PREFIX = r"(?:de|from|between|entre|从)?\s*"


def _shape_patterns(number: str) -> list[tuple[re.Pattern[str], str]]:
    """Regexes for the shapes of a quantity text: exact, range, open low, open high."""
    return [
        (re.compile(number), "exact"),
        (re.compile(_RANGE_PREFIX + number + _RANGE_SEPARATOR + number), "range"),
        (re.compile(_OPEN_LOW_PREFIX + r"\s*" + number), "low"),
        (re.compile(number + r"\s*" + _OPEN_LOW_SUFFIX), "low"),
        (re.compile(_OPEN_HIGH_PREFIX + r"\s*" + number), "high"),
        (re.compile(number + r"\s*" + _OPEN_HIGH_SUFFIX), "high"),
    ]


_HEADCOUNT_SHAPES = _shape_patterns(_NUMBER)
_NO_EMPLOYEE = frozenset({"unites non employeuses", "non employeur", "aucun", "aucun salarie"})


def _shapes(
    text: str, shapes: list[tuple[re.Pattern[str], str]]
) -> Iterator[tuple[str, list[str]]]:
    """Every shape the text fits, in order, with its number texts."""
    for pattern, shape in shapes:
        if match := pattern.fullmatch(text):
            yield shape, list(match.groups())


def _whole(text: str, value: Any) -> int:
    # Headcounts are whole: "10.000" groups thousands, it is not ten. Read as a Decimal,
    # so that a long number is not rounded on its way.
    decimal: DecimalMark | None = "," if re.search(r"\.\d{3}(?!\d)", text) else None
    amount = _parse_amount(text, decimal)
    if amount is None:
        raise ValidationError(f"not a headcount: {shorten(value)}")
    number = amount[0] * amount[1] if amount[1] is not None else amount[0]
    if number < 0 or number != number.to_integral_value():
        raise ValidationError(f"not a headcount: {shorten(value)}")
    return _headcount_int(int(number), value)


def _headcount_int(number: int, value: Any) -> int:
    if number > BIGINT_MAX:
        raise ValidationError(f"not a headcount: {shorten(value)} (too large)")
    return number


def parse_headcount(value: Any, insee: bool = False) -> HeadcountResult:
    """Read a headcount: an exact number, a range, an open range or an INSEE band code.

    Parameters
    ----------
    value
        ``85``, ``"10 000 salariés"``, ``"50-99"``, ``"50 à 99"``, ``"100+"``,
        ``"plus de 5000"``, ``"> 1000"``, ``"1000 et plus"``, ``"moins de 10"``,
        ``"100人以上"`` ...
    insee
        Read the value as an INSEE "tranche d'effectif salarié" code (``"12"`` means
        20-49). The codes ``"00"`` to ``"03"`` are read as codes even without this flag,
        because a leading zero is never written for a plain number.

    Returns
    -------
    HeadcountResult
        ``exact`` for a single number, else ``low``/``high`` (``high`` is ``None`` for an
        open range; "less than N" gives ``low=0, high=N``). All ``None`` for an empty cell.

    Raises
    ------
    ValidationError
        When the value is not a headcount; the message names the value.

    Examples
    --------
    >>> parse_headcount("10 000 salariés")
    HeadcountResult(exact=10000, low=None, high=None)
    >>> parse_headcount("50 à 99")
    HeadcountResult(exact=None, low=50, high=99)
    >>> parse_headcount("12", insee=True)
    HeadcountResult(exact=None, low=20, high=49)
    >>> parse_headcount("plus de 5000")
    HeadcountResult(exact=None, low=5000, high=None)
    """
    if insee and isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:02d}"
    text = _nfkc(value)
    if text is None:
        return HeadcountResult()
    _too_long(text, "a headcount", value)
    code = text.upper()
    if insee or code in ("00", "01", "02", "03"):
        if code not in _INSEE_BANDS:
            valid = ", ".join(_INSEE_BANDS)
            raise ValidationError(
                f"not an INSEE headcount band code: {shorten(value)} (valid: {valid})"
            )
        low, high = _INSEE_BANDS[code]
        return HeadcountResult(None, low, high)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if value < 0:
            raise ValidationError(f"not a headcount: {shorten(value)}")
        return HeadcountResult(exact=_headcount_int(int(value), value))
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return HeadcountResult(exact=_whole(str(value), value))
    folded = fold(text)
    if folded in _NO_EMPLOYEE:
        return HeadcountResult(None, 0, 0)
    folded = " ".join(_HEADCOUNT_WORDS.sub(" ", folded).split())
    for shape, parts in _shapes(folded, _HEADCOUNT_SHAPES):
        return _quantity(shape, [_whole(p, value) for p in parts], value, HeadcountResult)
    raise ValidationError(f"not a headcount: {shorten(value)}")


R = TypeVar("R", HeadcountResult, RevenueResult)


def _quantity(shape: str, ends: list[Any], raw: Any, result: type[R], **extra: Any) -> R:
    if shape == "exact":
        return result(ends[0], None, None, **extra)
    if shape == "range":
        if ends[0] > ends[1]:
            raise ValidationError(
                f"not a range: {shorten(raw)} (the low end is above the high end)"
            )
        return result(None, ends[0], ends[1], **extra)
    if shape == "low":
        return result(None, ends[0], None, **extra)
    return result(None, type(ends[0])(0), ends[0], **extra)


_AMOUNT_TEXT = r"([-+]?[\d.,'’ ]*\d[\d.,'’ ]*?\s*(?:[a-z\u4e00-\u9fff]+)?\.?)"
_REVENUE_SHAPES = _shape_patterns(_AMOUNT_TEXT)


def parse_revenue(value: Any, decimal: DecimalMark | None = None) -> RevenueResult:
    """Read a revenue: an amount or a range of amounts, with its currency.

    In a range, a multiplier written once applies to both ends when the low end is the
    smaller number: ``"1 à 10 M€"`` is 1M to 10M, ``"500 - 1M"`` is 500 to 1M.

    Raises
    ------
    ValidationError
        When the value is not an amount or a range of amounts; the message names it.

    Examples
    --------
    >>> parse_revenue("4,2 M€")
    RevenueResult(exact=4200000.0, low=None, high=None, currency='EUR')
    >>> parse_revenue("1 à 10 M€")
    RevenueResult(exact=None, low=1000000.0, high=10000000.0, currency='EUR')
    >>> parse_revenue("> 1 Md€")
    RevenueResult(exact=None, low=1000000000.0, high=None, currency='EUR')
    >>> parse_revenue("between 1M and 10M").high
    10000000.0
    """
    _check_decimal(decimal)
    if _is_missing(value):
        return RevenueResult()
    typed = _number_of(value)
    if typed is not None:
        return RevenueResult(exact=typed)
    text = _nfkc(value)
    if text is None:
        return RevenueResult()
    _too_long(text, "a revenue amount or range", value)
    currency = parse_currency(text)
    folded = " ".join(_strip_currency(fold(text)).split())
    for shape, parts in _shapes(folded, _REVENUE_SHAPES):
        amounts = [_parse_amount(p, decimal) for p in parts]
        pairs = [a for a in amounts if a is not None]
        if len(pairs) < len(amounts):
            continue  # e.g. "1亿以上" is not the exact amount "1 亿以上" but "1亿" + "以上"
        low, high = pairs[0], pairs[-1]
        if shape == "range" and low[1] is None and high[1] is not None and low[0] < high[0]:
            pairs[0] = (low[0], high[1])  # "1 à 10 M€": the M applies to both ends
        ends = [_finite(n * s if s is not None else n, value) for n, s in pairs]
        return _quantity(shape, ends, value, RevenueResult, currency=currency)
    raise ValidationError(f"not a revenue amount or range: {shorten(value)}")
