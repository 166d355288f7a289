"""Column-wise normalisation of imported values, by field (pure, no database).

Given the raw values of one column mapped to a catalog field, :func:`normalize_column`
returns the stored values plus, per row, an error (the value cannot be stored: the row is
rejected) or a warning (stored, but flagged), and the side columns a value implies (a
revenue written as a range fills ``revenue_range_min``/``max``; "4,2 M€" implies the
currency ``EUR``). Every distinct value is parsed once.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from crmkit import _normalize as norm
from crmkit._exceptions import ValidationError
from crmkit._normalize._arrow_emails import plain_emails
from crmkit._normalize._arrow_keys import company_keys
from crmkit._normalize._arrow_phones import plain_phones
from crmkit._normalize._text import _MISSING_TEXT, _NAMES_LIKE_MISSING
from crmkit._util._shorten import shorten
from crmkit.schemas._catalog import BIGINT_MAX, BIGINT_MIN, Field
from crmkit.schemas._vocab import (
    FIXED_VOCABULARIES,
    Vocabulary,
)

__all__ = [
    "ColumnOptions",
    "ColumnResult",
    "clean_array",
    "clean_column",
    "company_key_column",
    "normalize_column",
    "text_of",
]

_PHONE_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)

# Vocabularies whose unknown values are an error (the row is rejected) rather than kept
# in ``custom``: a lifecycle stage decides what a conversion does, a legal basis whether a
# person may be written to, so none is guessed.
_REJECT_OUTSIDE = frozenset({"lifecycle_stage", "legal_basis"})


@dataclass(frozen=True)
class ColumnOptions:
    """How to read values: phone region, date order, decimal mark, sector vocabulary.

    ``unquote_formulas``: the values are cells of a file, where a ``'`` in front of a
    text that a spreadsheet would run as a formula only protects it (as crmkit's CSV
    export writes it) and is dropped (:func:`crmkit._normalize.unquote_formula`). False
    for values typed in (``add``, ``update``, forms), which are kept as written.
    """

    region: str = "FR"
    dayfirst: bool = True
    decimal: str | None = None
    sectors: Vocabulary | None = None
    workers: int | None = None  # processes for phones and emails; None: decide by size
    unquote_formulas: bool = True


@dataclass
class ColumnResult:
    """The normalised values of one column and what was found on the way."""

    values: list[Any]
    errors: list[str | None]
    warnings: list[str | None]
    side: dict[str, list[Any]] = field(default_factory=dict)
    to_custom: list[Any] | None = None  # values that belong in ``custom`` instead


# clean_text's rules as Arrow kernels (RE2 has no Unicode \s, so the spaces are listed).
_ARROW_SPACES = "[\t\x0b\x0c\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
# Anything clean_text would change: an outer or double space, an odd whitespace, or a
# character it drops (controls, escape sequences, bidirectional overrides).
_NEEDS_CLEANING = (
    "^ | $|  |"
    "[\t\n\r\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]|"
    + norm.CONTROL_CHARACTERS
)
_MISSING_ARRAY = pa.array(sorted(_MISSING_TEXT), pa.string())
_NAMES_ARRAY = pa.array(sorted(_NAMES_LIKE_MISSING), pa.string())
_MISSING_MAX_LENGTH = max(len(word) for word in _MISSING_TEXT)


def clean_array(values: list[Any] | pa.Array, *, unquote: bool = True) -> pa.Array | None:
    """:func:`text_of` on every value as an Arrow string array; ``None`` unless all are text.

    Same results as :func:`text_of` value by value (a property test checks it), at a
    fraction of the cost on the columns of a large CSV: each rule runs as an Arrow kernel,
    and only on the rows it can change.
    """
    if isinstance(values, pa.Array):
        text = values
    else:
        try:
            text = pa.array(values, type=pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
            return None  # not all text, or lone surrogates: text_of decides
    # Most rows need none of the rewriting below: one scan finds those that do.
    needs = pc.match_substring_regex(text, _NEEDS_CLEANING)
    if pc.any(needs).as_py():
        text = _rewrite_rows(text, needs, _clean_spaces)
    non_ascii = pc.invert(pc.string_is_ascii(text))
    if pc.any(non_ascii).as_py():
        text = _rewrite_rows(text, non_ascii, lambda rows: pc.utf8_normalize(rows, "NFC"))
    if unquote:  # before the "missing" words: "'-" is a protected "-"
        quoted = pc.starts_with(text, "'")  # one cheap pass; the regex on those only
        if pc.any(quoted).as_py():
            text = _rewrite_rows(text, quoted, _unquoted)
    # Only short texts can be a word meaning "missing" ("n/a", "-", "néant" ...).
    short = pc.less_equal(pc.utf8_length(text), _MISSING_MAX_LENGTH)
    missing = pc.and_(
        short,
        pc.and_(
            pc.is_in(pc.utf8_lower(text), value_set=_MISSING_ARRAY),
            pc.invert(pc.is_in(text, value_set=_NAMES_ARRAY)),
        ),
    )
    if pc.any(missing).as_py():
        text = pc.if_else(missing, pa.scalar(None, pa.string()), text)
    return text


def _unquoted(text: pa.Array) -> pa.Array:
    """:func:`crmkit._normalize.unquote_formula` of texts that start with ``'``."""
    quoted = pc.match_substring_regex(text, "^" + norm.QUOTED_FORMULA)
    return pc.if_else(quoted, pc.utf8_slice_codeunits(text, 1), text)


def _clean_spaces(text: pa.Array) -> pa.Array:
    # As clean_text: escape sequences first (their parameters are printable), then the
    # characters dropped, then spaces and line ends.
    text = pc.replace_substring_regex(text, norm.ESCAPE_SEQUENCE, "")
    text = pc.replace_substring_regex(text, norm.CONTROL_CHARACTERS, "")
    text = pc.replace_substring(pc.replace_substring(text, "\r\n", "\n"), "\r", "\n")
    text = pc.replace_substring_regex(text, _ARROW_SPACES, " ")
    text = pc.replace_substring_regex(text, " ?\n ?", "\n")
    return pc.utf8_trim_whitespace(text)


def _rewrite_rows(
    text: pa.Array, rows: pa.Array, rewrite: Callable[[pa.Array], pa.Array]
) -> pa.Array:
    """``text`` with ``rewrite`` applied to the rows where ``rows`` is true."""
    rows = pc.fill_null(rows, False)
    changed = rewrite(pc.filter(text, rows))
    return pc.replace_with_mask(text, rows, changed)


def clean_column(values: list[Any], *, unquote: bool = True) -> list[str | None]:
    """:func:`text_of` on every value; one pass of Arrow kernels when all are text.

    Same results as :func:`text_of` value by value (a property test checks it), at a
    fraction of the cost on the columns of a large CSV. Most columns repeat their values
    (cities, job titles, first names), so each distinct value is cleaned once and the
    cleaned strings are shared by the rows that hold them.
    """
    try:
        array = pa.array(values, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
        return norm.map_distinct(values, _text_function(unquote))
    encoded = array.dictionary_encode()
    distinct = encoded.dictionary
    if 2 * len(distinct) > len(array):  # nearly all distinct: clean them where they are
        cleaned = clean_array(array, unquote=unquote)
        assert cleaned is not None
        result: list[str | None] = cleaned.to_pylist()
        return result
    cleaned = clean_array(distinct, unquote=unquote)
    assert cleaned is not None
    shared = np.asarray([*cleaned.to_pylist(), None], dtype=object)  # the last one: empty
    return list(shared[pc.fill_null(encoded.indices, len(distinct)).to_numpy()].tolist())


def company_key_column(names: Sequence[Any]) -> list[str | None]:
    """The company matching key of each name (``None`` for an empty one).

    :func:`crmkit._normalize.company_key` of each distinct name, computed once, with
    Arrow kernels for the names they can read (:func:`crmkit._normalize._arrow_keys.company_keys`,
    property-tested against the scalar) and value by value for the others.

    Examples
    --------
    >>> company_key_column(["Aprool SAS", None, "S.A.S. Aprool", "北京科技有限公司"])
    ['aprool', None, 'aprool', 'beijingkeji']
    """
    try:
        encoded = pa.array(list(names), pa.string()).dictionary_encode()
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return norm.map_distinct(list(names), _company_key_or_none)
    distinct = encoded.dictionary
    keys, handled = company_keys(distinct)
    key_list: list[str | None] = keys.to_pylist()
    texts = distinct.to_pylist()
    for i in np.flatnonzero(~np.asarray(handled, dtype=bool)).tolist():
        key_list[i] = _company_key_or_none(texts[i])
    for i, text in enumerate(texts):
        if not text:
            key_list[i] = None
    result: list[str | None] = pa.array(key_list, pa.string()).take(encoded.indices).to_pylist()
    return result


def _company_key_or_none(name: Any) -> str | None:
    return norm.company_key(name) if name else None


def text_of(value: Any, *, unquote: bool = True) -> str | None:
    """A cell as clean text: spreadsheet floats that are whole numbers lose their ``.0``.

    :func:`crmkit._normalize.clean_text`, then, with ``unquote`` (a cell of a file), the
    ``'`` that a CSV export writes in front of a formula-like text is dropped
    (:func:`crmkit._normalize.unquote_formula`), so that an export read back gives the
    values exported.

    Examples
    --------
    >>> text_of(75008.0), text_of("  Paris "), text_of(None), text_of("'=A1")
    ('75008', 'Paris', None, '=A1')
    """
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = norm.clean_text(value)
    if unquote and text is not None and text[:1] == "'":
        # Still clean without its "'", but it may be a word for "missing" ("'-").
        return norm.clean_text(norm.unquote_formula(text))
    return text


def _literal_text_of(value: Any) -> str | None:
    return text_of(value, unquote=False)


def _text_function(unquote: bool) -> Callable[[Any], str | None]:
    return text_of if unquote else _literal_text_of


def _none_list(n: int) -> list[Any]:
    return [None] * n


def _simple(values: list[Any], func: Callable[[Any], Any]) -> ColumnResult:
    return _plain(norm.map_distinct(values, func))


def _plain(values: list[Any]) -> ColumnResult:
    return ColumnResult(values, _none_list(len(values)), _none_list(len(values)))


def _checked(values: list[Any], func: Callable[[Any], Any]) -> ColumnResult:
    out, errors = norm.map_distinct_checked(values, func)
    return ColumnResult(out, errors, _none_list(len(values)))


def _text_array(values: list[Any], unquote: bool) -> pa.Array:
    """The cells as cleaned text in an Arrow array (numbers from a spreadsheet included)."""
    array = clean_array(values, unquote=unquote)
    if array is None:  # not all text: cleaned one by one
        array = pa.array(norm.map_distinct(values, _text_function(unquote)), pa.string())
    return array


def _phones(
    values: list[Any], opts: ColumnOptions, regions: Sequence[str | None] | None
) -> ColumnResult:
    n = len(values)
    array = _text_array(values, opts.unquote_formulas)
    # A number written without +country is read in its row's country when known.
    if regions is None:
        row_regions = pa.repeat(pa.scalar(opts.region), n).dictionary_encode()
    else:
        known = [r if r in _PHONE_REGIONS else opts.region for r in regions]
        row_regions = pa.array(known, pa.string()).dictionary_encode()
    region_of_row = np.asarray(row_regions.indices)
    present = np.asarray(array.is_valid(), dtype=bool)  # empty cells need no work
    stored = np.full(n, None, dtype=object)
    warned = np.full(n, None, dtype=object)
    left: list[int] = []
    for index, region in enumerate(row_regions.dictionary.to_pylist()):
        rows = np.flatnonzero((region_of_row == index) & present)
        if rows.size == 0:
            continue
        # Plain numbers in one pass of Arrow kernels; the rest value by value.
        found = plain_phones(array.take(rows), region)
        decided = rows[found.handled]
        stored[decided] = found.e164[found.handled]
        unassigned = decided[~found.valid[found.handled]]
        warned[unassigned] = [
            f"phone {shorten(v)}: {norm.UNASSIGNED_PHONE}" for v in stored[unassigned]
        ]
        left.extend(rows[~found.handled].tolist())
    by_region: dict[str, dict[str, None]] = {}
    row_region_names = row_regions.dictionary.to_pylist()
    texts = dict(zip(left, array.take(pa.array(left, pa.int64())).to_pylist(), strict=True))
    for i in left:
        if (text := texts[i]) is not None:
            by_region.setdefault(row_region_names[region_of_row[i]], {})[text] = None
    parsed: dict[tuple[str, str], norm.PhoneResult] = {}
    for region, unique in by_region.items():
        results = norm.normalize_phones(list(unique), region, workers=opts.workers)
        parsed.update(zip(((region, t) for t in unique), results, strict=True))
    for i in left:
        text = texts[i]
        if text is not None:
            result = parsed[(row_region_names[region_of_row[i]], text)]
            stored[i] = result.value
            if not (result.ok and result.reason is None):
                warned[i] = f"phone {shorten(result.value)}: {result.reason}"
    return ColumnResult(stored.tolist(), _none_list(n), warned.tolist())


def _emails(values: list[Any], opts: ColumnOptions) -> ColumnResult:
    array = _text_array(values, opts.unquote_formulas)
    # Plain addresses in one pass of Arrow kernels; the rest value by value.
    found, decided = plain_emails(array)
    stored = np.asarray(found.to_pylist(), dtype=object)
    warned = np.full(len(values), None, dtype=object)
    left = np.flatnonzero(~np.asarray(decided, dtype=bool))
    texts = array.take(pa.array(left, pa.int64())).to_pylist()
    unique = list(dict.fromkeys(t for t in texts if t is not None))
    parsed = dict(zip(unique, norm.normalize_emails(unique, workers=opts.workers), strict=True))
    for i, text in zip(left.tolist(), texts, strict=True):
        if text is not None:
            result = parsed[text]
            stored[i] = result.value
            if not result.ok:
                warned[i] = f"email {shorten(result.value)}: {_clip(result.reason)}"
    return ColumnResult(stored.tolist(), _none_list(len(values)), warned.tolist())


def _clip(reason: str | None, limit: int = 200) -> str | None:
    """A library's explanation, cut short should it quote a long value."""
    return reason if reason is None or len(reason) <= limit else reason[: limit - 1] + "…"


def _lookup(vocab: Vocabulary, unquote: bool) -> Callable[[Any], tuple[Any, bool]]:
    text_of_cell = _text_function(unquote)

    def find(value: Any) -> tuple[Any, bool]:
        text = text_of_cell(value)
        if text is None:
            return None, True
        found = vocab.lookup(text)
        return (found, True) if found is not None else (text, False)

    return find


def _vocabulary(values: list[Any], f: Field, opts: ColumnOptions) -> ColumnResult:
    if f.vocabulary == "sector":
        vocab = opts.sectors
        assert vocab is not None
        pairs = norm.map_distinct(values, _lookup(vocab, opts.unquote_formulas))
        # An unknown sector is stored as written; the schema flags it as a warning.
        return ColumnResult([p[0] for p in pairs], _none_list(len(values)), _none_list(len(values)))
    vocab = f.choices or FIXED_VOCABULARIES[f.vocabulary or ""]
    pairs = norm.map_distinct(values, _lookup(vocab, opts.unquote_formulas))
    if f.vocabulary in _REJECT_OUTSIDE:
        errors = [
            None if ok else f"{shorten(v)} is not one of {', '.join(vocab.values)}"
            for v, ok in pairs
        ]
        return ColumnResult([v if ok else None for v, ok in pairs], errors, _none_list(len(values)))
    kept = [p[0] if p[1] else None for p in pairs]
    moved = [None if p[1] else p[0] for p in pairs]
    warnings = [
        None
        if m is None
        else f"{f.name}: {shorten(m)} is not one of {', '.join(vocab.values)}; kept in custom"
        for m in moved
    ]
    return ColumnResult(
        kept,
        _none_list(len(values)),
        warnings,
        to_custom=moved if any(m is not None for m in moved) else None,
    )


def _revenue(values: list[Any], opts: ColumnOptions) -> ColumnResult:
    def parse(value: Any) -> Any:
        if _is_number(value):  # finite, or an error (NaN: an empty cell)
            result = norm.parse_revenue(value)
            return None if result.exact is None else result
        text = text_of(value)
        return None if text is None else norm.parse_revenue(text, opts.decimal)  # type: ignore[arg-type]

    results, errors = norm.map_distinct_checked(values, parse)
    res = ColumnResult([r.exact if r else None for r in results], errors, _none_list(len(values)))
    res.side = {
        "revenue_range_min": [r.low if r else None for r in results],
        "revenue_range_max": [r.high if r else None for r in results],
        "currency": [r.currency if r else None for r in results],
    }
    return res


def _headcount(values: list[Any]) -> ColumnResult:
    def parse(value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            # A negative one is kept, for the schema to name the rule it breaks.
            return norm.HeadcountResult(exact=_int64(value, value))
        text = text_of(value)
        return None if text is None else norm.parse_headcount(text)

    results, errors = norm.map_distinct_checked(values, parse)
    res = ColumnResult([r.exact if r else None for r in results], errors, _none_list(len(values)))
    res.side = {
        "employees_range_min": [r.low if r else None for r in results],
        "employees_range_max": [r.high if r else None for r in results],
    }
    return res


# A whole number written as digits only: read exactly, not through a float.
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]{1,30}")


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real | Decimal) and not isinstance(value, bool | np.bool_)


def _int64(number: int, value: Any) -> int:
    """``number`` when a BIGINT column holds it, else an error naming ``value``."""
    if not BIGINT_MIN <= number <= BIGINT_MAX:
        raise ValidationError(f"not a whole number from -2**63 to 2**63-1: {shorten(value)}")
    return number


def _number(kind: str, opts: ColumnOptions) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if isinstance(value, bool | np.bool_):
            raise ValidationError(f"not a number: {shorten(value)}")
        if kind == "int" and isinstance(value, numbers.Integral):
            return _int64(int(value), value)
        if _is_number(value):
            number = norm.parse_number(value)  # finite, or an error (NaN: an empty cell)
        else:
            text = text_of(value)
            if text is None:
                return None
            if kind == "int" and _INTEGER_TEXT.fullmatch(text):
                return _int64(int(text), value)
            number = norm.parse_number(text, opts.decimal)  # type: ignore[arg-type]
        if number is None:
            return None
        if kind == "int":
            if not number.is_integer():
                raise ValidationError(f"not a whole number: {shorten(value)}")
            return _int64(int(number), value)
        return number

    return parse


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = text_of(value)
    return None if text is None else norm.parse_bool(text)


def _date(dayfirst: bool) -> Callable[[Any], dt.date | None]:
    def parse(value: Any) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            text = text_of(value)
            return None if text is None else norm.parse_date(text, dayfirst=dayfirst)
        return norm.parse_date(value, dayfirst=dayfirst)

    return parse


def _json(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict | list):
        return json.dumps(_without_controls(value), ensure_ascii=False, default=str)
    text = text_of(value)
    if text is None:
        return None
    try:
        decoded = json.loads(text)
    except ValueError as exc:
        raise ValidationError(f"not JSON: {shorten(text)}") from exc
    if "\\u" in text:  # an escaped control character may hide in a string
        cleaned = _without_controls(decoded)
        if cleaned != decoded:
            return json.dumps(cleaned, ensure_ascii=False)
    return text


def _without_controls(value: Any) -> Any:
    """A JSON value with :func:`crmkit._normalize.drop_controls` on every string in it."""
    if isinstance(value, str):
        return norm.drop_controls(value)
    if isinstance(value, dict):
        return {_without_controls(k): _without_controls(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_controls(v) for v in value]
    return value


def _bytes(value: Any) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    text = text_of(value)
    if text is None:
        return None
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(f"not base64 data: {shorten(text)}") from exc


def _ref(value: Any) -> int | None:
    if value is None:
        return None
    number = _number("int", ColumnOptions())(value)
    return None if number is None else int(number)


def normalize_column(
    f: Field,
    values: Sequence[Any],
    opts: ColumnOptions,
    regions: Sequence[str | None] | None = None,
) -> ColumnResult:
    """Normalise the raw values of one column mapped to catalog field ``f``.

    ``regions`` (one ISO country per row, or ``None``) tells in which country to read
    phone numbers written without a country code; other rows use ``opts.region``.

    Examples
    --------
    >>> from crmkit.schemas import CONTACTS, ACCOUNTS
    >>> normalize_column(CONTACTS["mobile"], ["06 25 34 12 57", "abc"],
    ...                  ColumnOptions()).values
    ['+33625341257', 'abc']
    >>> res = normalize_column(ACCOUNTS["annual_revenue"], ["4,2 M€", "1M-10M"],
    ...                        ColumnOptions())
    >>> res.values, res.side["revenue_range_min"], res.side["currency"]
    ([4200000.0, None], [None, 1000000.0], ['EUR', None])
    """
    vals = list(values)
    unquote = opts.unquote_formulas
    text = _text_function(unquote)
    if f.kind == "text":
        if f.format == "phone":
            return _phones(vals, opts, regions)
        if f.format == "email":
            return _emails(vals, opts)
        if f.format == "url" and f.name != "twitter":
            return _simple(clean_column(vals, unquote=unquote), norm.normalize_url)
        if f.format == "country":
            return _simple(
                vals, lambda v: norm.normalize_country(t) or t if (t := text(v)) else None
            )
        if f.format == "currency":
            return _simple(
                vals, lambda v: norm.parse_currency(t) or t.upper() if (t := text(v)) else None
            )
        if f.vocabulary is not None:
            return _vocabulary(vals, f, opts)
        return _plain(clean_column(vals, unquote=unquote))
    if f.name == "annual_revenue":
        return _revenue(vals, opts)
    if f.name == "employees":
        return _headcount(vals)
    if f.kind in ("float", "int"):
        return _checked(vals, _number(f.kind, opts))
    if f.kind == "bool":
        return _checked(vals, _boolean)
    if f.kind == "date":
        return _checked(vals, _date(opts.dayfirst))
    if f.kind == "list":  # a cell of a file is one text: its protection covers it whole
        return _simple(vals, lambda v: norm.split_list(text(v) if isinstance(v, str) else v))
    if f.kind == "json":
        return _checked(vals, _json)
    if f.kind == "bytes":
        return _checked(vals, _bytes)
    if f.kind in ("ref", "id"):
        return _checked(vals, _ref)
    return _simple(vals, lambda v: v)
