"""Seeded, realistic sample CRM data: owners, accounts and contacts, clean or messy.

:func:`generate` draws owners, accounts and contacts in French, English and Chinese from
the small built-in lists of :mod:`crmkit.samples._pools`, then optionally

- injects duplicates: extra records that are variants of an existing entity (typos,
  nicknames, swapped names, other phone formats, email variants, company suffix changes,
  missing fields, Chinese names in pinyin) sharing its ground-truth ``entity_id``;
- adds messiness: odd spacing, case, phone formats, missing values, typos, localized
  vocabulary labels, country names instead of codes.

It is fast enough for benchmarks (a million contacts and 200 000 accounts in about 15 s on
one core, under 2 GB): random choices are drawn with numpy for all rows at once, strings
are taken from precomputed pools, phone numbers and identifiers are formatted as code
point matrices, and a messiness operation touches only the rows it selected.

Each table and phase (clean entities, duplicates, messiness) draws from its own child of
the seed, so the clean records of a seed do not change when messiness or the duplicate
share changes, and accounts do not change when the number of contacts does.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import polars as pl
import pyarrow as pa
from anyascii import anyascii

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._util._gc import gc_paused
from crmkit._util._suggest import closest
from crmkit.samples import _pools
from crmkit.schemas._bands import DEFAULT_HEADCOUNT_EDGES, DEFAULT_REVENUE_EDGES
from crmkit.schemas._catalog import ACCOUNTS, CONTACTS, Table
from crmkit.schemas._vocab import (
    ACCOUNT_TYPES,
    DEFAULT_SECTORS,
    OWNERSHIPS,
    SALUTATIONS,
    Vocabulary,
)

__all__ = ["LOCALES", "SampleData", "format_phone", "generate", "sample_columns"]

Backend = Literal["pandas", "polars"]
ObjArray = npt.NDArray[np.object_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
CodeArray = npt.NDArray[np.uint32]

LOCALES: tuple[str, ...] = ("fr", "en", "zh")
"""Locales :func:`generate` knows: French (France), English (UK and US), Chinese (China)."""

_BACKENDS = ("pandas", "polars")
_MAX_OWNERS = 5000  # well below the number of distinct names in each language's lists
_LANGS = LOCALES
_LANG_INDEX = {lang: i for i, lang in enumerate(_LANGS)}
_COUNTRY_INDEX = {code: i for i, code in enumerate(_pools.COUNTRIES)}
_COUNTRY_CODES = np.asarray(_pools.COUNTRIES, dtype=object)
_COUNTRY_LANG = np.asarray([_LANG_INDEX[_pools.LANG_OF_COUNTRY[c]] for c in _pools.COUNTRIES])
# English-speaking accounts split between the United Kingdom and the United States.
_EN_SPLIT = {"GB": 0.45, "US": 0.55}
_CURRENCY = np.asarray([_pools.CURRENCIES[c] for c in _pools.COUNTRIES], dtype=object)
_EUR_RATE = np.asarray([_pools.EUR_RATES[c] for c in _pools.COUNTRIES])
_SECTORS = DEFAULT_SECTORS.values
_CITY_NAMES = np.asarray([c.name for c in _pools.CITIES], dtype=object)
_CITY_REGIONS = np.asarray([c.region for c in _pools.CITIES], dtype=object)
_N_PHONE_STYLES = 10
# Industries whose Chinese name never takes a company suffix (firms, foundations ...).
_ZH_NO_LEGAL = {
    "law",
    "foundation",
    "assoc",
    "promotion",
    "institute",
    "devcenter",
    "servicecenter",
}
_NO_LEGAL_SECTORS = {"Non-profit", "Government"}
_CJK = re.compile(r"[\u3400-\u9fff]")
# Invented brands with three vowels in a row or a doubled vowel read badly ('Jadaool').
_UNPRONOUNCEABLE = re.compile(r"[aeiouyéèêëàâîïôû]{3}|aa|ii|uu|yy|éé|ée|ae|ieo")
# Email address patterns of all languages, in one list: accounts store an index.
_EMAIL_PATTERNS: tuple[str, ...] = tuple(
    dict.fromkeys(p for options in _pools.EMAIL_PATTERNS.values() for p, _ in options)
)
_EMAIL_FORMATS: dict[str, Callable[[str, str], str]] = {
    "{f}.{l}": lambda f, s: f"{f}.{s}",
    "{i}{l}": lambda f, s: f"{f[:1]}{s}",
    "{f}": lambda f, s: f,
    "{f}_{l}": lambda f, s: f"{f}_{s}",
    "{l}.{f}": lambda f, s: f"{s}.{f}",
    "{f}{l}": lambda f, s: f"{f}{s}",
    "{l}{f}": lambda f, s: f"{s}{f}",
    "{l}_{f}": lambda f, s: f"{s}_{f}",
}

# Columns standing in for the catalog's reference fields: names, not ids.
_REF_COLUMNS = {"owner_id": "owner", "parent_id": "parent", "account_id": "company"}
_SKIPPED_KINDS = {"id", "json", "bytes", "timestamp"}
# Fields the samples leave out: their contacts are a CRM's kept contacts, not leads (no
# lifecycle stage, hence no lead's company_name; no legal basis nor consent, which a
# generator cannot know), and the sample files stay as they were.
_NOT_GENERATED = {
    "lifecycle_stage",
    "company_name",
    *(f.name for f in CONTACTS if f.group == "consent"),
}


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------


def sample_columns(table: Table) -> dict[str, str]:
    """Columns of a generated table and their kinds, in order.

    The catalog's editable fields, with ``owner`` / ``parent`` / ``company`` (names) in
    place of the reference ids, ``source_id`` first and ``entity_id`` last.

    Parameters
    ----------
    table
        :data:`crmkit.schemas.ACCOUNTS` or :data:`crmkit.schemas.CONTACTS`.

    Returns
    -------
    dict
        Column name to catalog kind (``text``, ``int``, ``float``, ``bool``, ``date``,
        ``list``).

    Examples
    --------
    >>> from crmkit.schemas import CONTACTS
    >>> cols = sample_columns(CONTACTS)
    >>> list(cols)[:4], cols["company"], cols["entity_id"]
    (['source_id', 'salutation', 'gender', 'first_name'], 'text', 'int')
    """
    columns = {"source_id": "text"}
    for field in table:
        if field.kind in _SKIPPED_KINDS or not field.editable or field.name in _NOT_GENERATED:
            continue
        if field.kind == "ref":
            if field.name in _REF_COLUMNS:
                columns[_REF_COLUMNS[field.name]] = "text"
            continue
        columns[field.name] = field.kind
    columns["entity_id"] = "int"
    return columns


@dataclass(frozen=True, repr=False)
class SampleData:
    """Generated owners, accounts and contacts (pandas or polars DataFrames).

    Attributes
    ----------
    owners
        ``name``, ``email``, ``team`` of each sales rep.
    accounts
        One row per account record: catalog fields, ``owner`` and ``parent`` (names),
        ``entity_id`` (duplicates share it) and ``source_id`` (a stable row key).
    contacts
        One row per contact record: catalog fields, ``company`` (the account's name as
        text), ``owner``, ``entity_id`` and ``source_id``.
    backend
        ``"pandas"`` or ``"polars"``.
    """

    owners: Any
    accounts: Any
    contacts: Any
    backend: str

    def write(self, folder: str | Path) -> dict[str, Path]:
        """Write ``owners.csv``, ``accounts.csv`` and ``contacts.csv`` into ``folder``.

        Files are UTF-8 with a header row; list columns (tags, skills) are joined with
        ``"; "``, booleans are written ``true`` / ``false`` and dates as ``YYYY-MM-DD``,
        whichever backend produced the frames.

        Parameters
        ----------
        folder
            Created if missing.

        Returns
        -------
        dict
            ``{"owners": path, "accounts": path, "contacts": path}``.

        Examples
        --------
        >>> import tempfile
        >>> paths = generate(3, 5, seed=1).write(tempfile.mkdtemp())
        >>> sorted(p.name for p in paths.values())
        ['accounts.csv', 'contacts.csv', 'owners.csv']
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        paths: dict[str, Path] = {}
        for name in ("owners", "accounts", "contacts"):
            frame = _as_polars(getattr(self, name))
            lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
            if lists:
                frame = frame.with_columns(pl.col(c).list.join("; ") for c in lists)
            path = out / f"{name}.csv"
            frame.write_csv(path)
            paths[name] = path
        return paths

    def __repr__(self) -> str:
        def describe(frame: Any) -> str:
            n = len(frame)
            if "entity_id" not in frame.columns:
                return str(n)
            column = frame["entity_id"]
            unique = column.n_unique() if isinstance(frame, pl.DataFrame) else column.nunique()
            return f"{n} ({n - unique} duplicates)"

        return (
            f"SampleData(owners={len(self.owners)}, accounts={describe(self.accounts)}, "
            f"contacts={describe(self.contacts)}, backend={self.backend!r})"
        )


def generate(
    n_accounts: int = 200,
    n_contacts: int = 1000,
    *,
    seed: int = 0,
    messiness: float = 0.0,
    duplicates: float = 0.0,
    locales: Sequence[str] | Mapping[str, float] = LOCALES,
    n_owners: int = 8,
    backend: Backend = "pandas",
) -> SampleData:
    """Generate seeded, realistic sample owners, accounts and contacts.

    Parameters
    ----------
    n_accounts
        Number of distinct accounts (companies). Duplicates come on top.
    n_contacts
        Number of distinct contacts (people). Duplicates come on top.
    seed
        Same seed and arguments, same frames.
    messiness
        From 0 (clean: canonical formats, valid phones and emails, vocabulary values) to
        1 (very messy: odd spacing and case, varied phone formats, missing values, typos,
        localized sector / country / salutation labels, company suffix variants, revenue
        given as a range, a few invalid emails). Each kind of mess hits a share of rows
        proportional to it.
    duplicates
        Share of extra records injected: ``round(duplicates * n)`` more rows per table,
        each a variant of a randomly chosen entity (some entities get several) with the
        same ``entity_id``. Rows are shuffled, so duplicates are not at the end.
    locales
        ``"fr"``, ``"en"``, ``"zh"`` (equal weights) or a mapping of locale to weight,
        e.g. ``{"fr": 0.6, "en": 0.3, "zh": 0.1}``. English splits between the UK and US.
    n_owners
        Number of sales reps; teams follow the locales (Paris, Lyon, London, New York,
        Shanghai, Beijing). With 0, ``owner`` columns are empty.
    backend
        ``"pandas"`` or ``"polars"``: the type of the returned frames.

    Returns
    -------
    SampleData
        ``owners``, ``accounts`` and ``contacts`` frames, and ``write(folder)``.

    Raises
    ------
    ValidationError
        A count is negative, or ``messiness`` / ``duplicates`` / a weight is out of range.
    UnknownValueError
        An unknown locale or backend.

    Notes
    -----
    Names of distinct accounts are distinct up to about 100 000 accounts per language (past
    the plain names, a city is added: "Aprool Conseil Lyon"); beyond millions some repeat.
    Contacts work for accounts chosen with a skewed distribution: a few accounts have many
    contacts, most have a handful, and contacts use their account's address. ``company``
    carries the account's canonical name, or a variant of it when messy or duplicated. Two
    distinct people at one company never share an email address (a digit is appended, as
    mail admins do).

    Examples
    --------
    >>> data = generate(n_accounts=5, n_contacts=20, seed=42)
    >>> len(data.accounts), len(data.contacts)
    (5, 20)
    >>> messy = generate(5, 20, seed=42, messiness=0.5, duplicates=0.25, locales=["fr"])
    >>> len(messy.contacts), messy.contacts["entity_id"].nunique()
    (25, 20)
    >>> int(messy.contacts["entity_id"].value_counts().max()) >= 2
    True
    """
    _check_count("n_accounts", n_accounts)
    _check_count("n_contacts", n_contacts)
    _check_count("n_owners", n_owners)
    if n_owners > _MAX_OWNERS:
        raise ValidationError(f"n_owners must be at most {_MAX_OWNERS}, got {n_owners!r}")
    _check_share("messiness", messiness)
    _check_share("duplicates", duplicates)
    if backend not in _BACKENDS:
        raise UnknownValueError("backend", backend, _BACKENDS, closest(str(backend), _BACKENDS))
    weights = _locale_weights(locales)
    with gc_paused():
        return _generate(
            n_accounts,
            n_contacts,
            seed,
            float(messiness),
            float(duplicates),
            weights,
            n_owners,
            backend,
        )


def _generate(
    n_accounts: int,
    n_contacts: int,
    seed: int,
    messiness: float,
    duplicates: float,
    weights: dict[str, float],
    n_owners: int,
    backend: str,
) -> SampleData:
    owner_seq, account_seq, contact_seq = np.random.SeedSequence(seed).spawn(3)
    owners = _make_owners(np.random.default_rng(owner_seq), n_owners, weights)
    accounts, account_columns = _make_accounts(
        account_seq, n_accounts, weights, owners, messiness, duplicates
    )
    accounts_frame = _frame(account_columns, backend)
    del account_columns
    contact_columns = _make_contacts(
        contact_seq, n_contacts, weights, owners, accounts, messiness, duplicates
    )
    del accounts
    contacts_frame = _frame(contact_columns, backend)
    owner_columns: dict[str, tuple[str, Any]] = {
        "name": ("text", _obj(owners.names)),
        "email": ("text", _obj(owners.emails)),
        "team": ("text", _obj(owners.teams)),
    }
    return SampleData(
        owners=_frame(owner_columns, backend),
        accounts=accounts_frame,
        contacts=contacts_frame,
        backend=backend,
    )


# ---------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------


def _check_count(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValidationError(f"{name} must be a whole number >= 0, got {value!r}")


def _check_share(name: str, value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0.0 <= float(value) <= 1.0
    ):
        raise ValidationError(f"{name} must be a number between 0 and 1, got {value!r}")


def _locale_weights(locales: Sequence[str] | Mapping[str, float]) -> dict[str, float]:
    """Country code to weight (summing to 1), from locales or locale weights."""
    if isinstance(locales, str):
        locales = (locales,)
    if isinstance(locales, Mapping):
        given: dict[str, object] = {str(k): v for k, v in locales.items()}
    else:
        given = {str(k): 1.0 for k in locales}
    if not given:
        raise ValidationError("locales is empty: give at least one of 'fr', 'en', 'zh'")
    for locale, weight in given.items():
        if locale not in LOCALES:
            raise UnknownValueError("locale", locale, LOCALES, closest(locale, LOCALES))
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not math.isfinite(weight)
            or weight < 0
        ):
            raise ValidationError(
                f"locales weight for {locale!r} must be a number >= 0, got {weight!r}"
            )
    numbers = {k: float(v) for k, v in given.items()}  # type: ignore[arg-type]
    total = sum(numbers.values())
    if total <= 0:
        raise ValidationError(f"locales weights must not all be 0, got {numbers!r}")
    return {
        code: numbers.get(_pools.LANG_OF_COUNTRY[code], 0.0) * _EN_SPLIT.get(code, 1.0) / total
        for code in _pools.COUNTRIES
    }


# ---------------------------------------------------------------------------------------
# Small numpy and string helpers
# ---------------------------------------------------------------------------------------


def _obj(values: Iterable[Any]) -> ObjArray:
    """An object array holding ``values`` (strings or None) as they are."""
    items = values if isinstance(values, list) else list(values)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _pick(rng: np.random.Generator, n: int, p: float) -> IntArray:
    """Indices of the rows an operation applies to, each with probability ``p``."""
    if p <= 0 or n == 0:
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(rng.random(n) < p).astype(np.int64)


def _present(values: ObjArray) -> BoolArray:
    return np.asarray(~pd.isna(values), dtype=bool)


def _pick_present(rng: np.random.Generator, values: ObjArray, p: float) -> IntArray:
    """Like :func:`_pick`, restricted to rows whose value is not missing."""
    rows = _pick(rng, len(values), p)
    return rows[_present(values[rows])] if len(rows) else rows


def _weighted(rng: np.random.Generator, n: int, weights: Sequence[float]) -> IntArray:
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(w), size=n, p=w / w.sum()).astype(np.int64)


def _assign(target: ObjArray, rows: IntArray, values: Iterable[Any]) -> None:
    if len(rows):
        target[rows] = _obj(values)


def _dedupe(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _is_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


@cache
def _ascii_slug(text: str, sep: str = "") -> str:
    """Lower-case ASCII for addresses: 'Hélène' -> 'helene', "O'Brien" -> 'obrien'."""
    words = re.findall(r"[a-z0-9]+", anyascii(text).lower().replace("'", ""))
    return sep.join(words)


@cache
def _pinyin(text: str) -> str:
    """Pinyin of a Chinese name as people write it in Latin script: '秀英' -> 'Xiuying'."""
    return anyascii(text).capitalize()


_LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _typo(text: str, kind: float, where: float) -> str:
    """One keyboard slip: swap, delete, replace or double a letter (homophone in CJK)."""
    if _is_cjk(text):
        for i, char in enumerate(text):
            if char in _pools.HOMOPHONES and (i > 0 or len(text) == 1):
                return text[:i] + _pools.HOMOPHONES[char] + text[i + 1 :]
        return text
    if len(text) < 3:
        return text
    pos = 1 + int(where * (len(text) - 2))  # a first letter is rarely wrong
    if kind < 0.3:
        return text[: pos - 1] + text[pos] + text[pos - 1] + text[pos + 1 :]
    if kind < 0.55:
        return text[:pos] + text[pos + 1 :]
    if kind < 0.8:
        letter = _LATIN_LETTERS[int(where * 7919) % 26]
        if text[pos].isupper():
            letter = letter.upper()
        return text[:pos] + letter + text[pos + 1 :]
    return text[:pos] + text[pos] + text[pos:]


def _spacing(text: str, kind: float) -> str:
    """Stray spaces: trailing, leading, doubled, around, or a non-breaking one."""
    if kind < 0.3:
        return text + " "
    if kind < 0.5:
        return " " + text
    if kind < 0.75 and " " in text:
        return text.replace(" ", "  ", 1)
    if kind < 0.9:
        return "  " + text + "  "
    return text + "\u00a0"


def _case(text: str, kind: float) -> str:
    if kind < 0.5:
        return text.upper()
    if kind < 0.85:
        return text.lower()
    return text.title()


def _mutate(
    rng: np.random.Generator,
    values: ObjArray,
    p: float,
    change: Callable[[str, float], str],
) -> None:
    """Apply ``change(value, u)`` to a random share ``p`` of the non-missing values."""
    rows = _pick_present(rng, values, p)
    if len(rows):
        u = rng.random(len(rows))
        _assign(values, rows, [change(v, x) for v, x in zip(values[rows], u, strict=True)])


def _blank(rng: np.random.Generator, values: ObjArray, p: float) -> None:
    """Remove a random share ``p`` of the values."""
    values[_pick(rng, len(values), p)] = None


def _typos(rng: np.random.Generator, values: ObjArray, p: float) -> None:
    rows = _pick_present(rng, values, p)
    if len(rows):
        kind, where = rng.random(len(rows)), rng.random(len(rows))
        _assign(
            values,
            rows,
            [_typo(v, k, w) for v, k, w in zip(values[rows], kind, where, strict=True)],
        )


def _choose_from(
    rng: np.random.Generator, options: Sequence[Sequence[str]], keys: IntArray
) -> ObjArray:
    """For each row, one of ``options[key]`` at random."""
    u = rng.random(len(keys))
    return _obj(
        [opts[int(x * len(opts))] for opts, x in zip((options[k] for k in keys), u, strict=True)]
    )


def _codepoints_to_strings(codes: CodeArray) -> ObjArray:
    """Each row of a code point matrix as a Python string (trailing NULs dropped)."""
    n, width = codes.shape
    if width == 0:
        return _obj([""] * n)
    text = np.ascontiguousarray(codes, dtype=np.uint32).view(f"<U{width}").reshape(n)
    return text.astype(object)


def _digit_codes(values: IntArray, width: int) -> CodeArray:
    """Code points of the zero-padded decimal digits of each value, ``width`` wide."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // powers) % 10 + ord("0")).astype(np.uint32)


def _numbered(prefix: str, values: IntArray, width: int) -> ObjArray:
    """``prefix`` + zero-padded numbers: ``_numbered("C", [7], 4) -> ['C0007']``."""
    head = np.broadcast_to(
        np.asarray([ord(c) for c in prefix], dtype=np.uint32), (len(values), len(prefix))
    )
    return _codepoints_to_strings(np.hstack([head, _digit_codes(values, width)]))


def _hex_strings(rng: np.random.Generator, n: int, width: int) -> list[str]:
    nbytes = (width + 1) // 2
    text = rng.bytes(n * nbytes).hex()
    step = 2 * nbytes
    return [text[i : i + width] for i in range(0, n * step, step)]


def _digit_count(values: IntArray) -> IntArray:
    powers = 10 ** np.arange(1, 19, dtype=np.int64)
    return (np.searchsorted(powers, values, side="right") + 1).astype(np.int64)


# ---------------------------------------------------------------------------------------
# Phones
# ---------------------------------------------------------------------------------------


@cache
def _phone_layout(country: str, head: str) -> tuple[str, str, tuple[int, ...]]:
    """(calling code, trunk, groups) of ``country``'s numbers that start with ``head``."""
    plan = _pools.PHONE_PLANS[country]
    trunk = plan.trunk
    if not plan.mobile_trunk and head.startswith(plan.mobile):
        trunk = ""
    for prefix in sorted(plan.groups, key=len, reverse=True):
        if head.startswith(prefix):
            return plan.calling_code, trunk, plan.groups[prefix]
    return plan.calling_code, trunk, plan.groups[""]


def _render_phone(nsn: str, cc: str, trunk: str, groups: tuple[int, ...], style: int) -> str:
    national = trunk + nsn
    parts: list[str] = []
    start = 0
    for size in groups:
        parts.append(national[start : start + size])
        start += size
    if start < len(national):
        parts[-1] += national[start:]
    intl = [parts[0][len(trunk) :], *parts[1:]]
    if style == 0:
        if cc == "1":
            return f"({parts[0]}) {parts[1]}-{parts[2]}"
        return " ".join(parts)
    if style == 1:
        return f"+{cc} " + " ".join(intl)
    if style == 2:
        return ".".join(parts)
    if style == 3:
        return "-".join(parts)
    if style == 4:
        return national
    if style == 5:
        return f"+{cc}{nsn}"
    if style == 6:
        if cc == "1":  # North America dials 011, not 00, abroad: use dots instead
            return f"+1.{'.'.join(parts)}"
        return f"00{cc} " + " ".join(intl)
    if style == 7:
        if trunk:
            return f"+{cc} ({trunk})" + " ".join(intl)
        return f"+{cc} ({parts[0]}) " + " ".join(parts[1:])
    if style == 8:
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    if cc == "1":
        return "1-" + "-".join(parts)
    return f"+{cc}-" + "-".join(intl)


def format_phone(nsn: str, country: str, style: int = 0) -> str:
    """Write a national significant number the way people do in ``country``.

    Style 0 is the clean national form (``01 42 68 53 00``, ``020 7946 0123``,
    ``(212) 634-1234``, ``138 0013 8000``); styles 1 to 9 are the other forms found in
    files: international, dots, dashes, compact, ``+33142685300``, ``0033 1 ...``
    (``+1.212...`` in North America),
    ``+33 (0)1 ...``, irregular grouping, dashes after the calling code.

    Parameters
    ----------
    nsn
        The national significant number: digits, without trunk prefix or country code.
    country
        ``FR``, ``GB``, ``US`` or ``CN``.
    style
        0 to 9.

    Examples
    --------
    >>> format_phone("142685300", "FR"), format_phone("142685300", "FR", 7)
    ('01 42 68 53 00', '+33 (0)1 42 68 53 00')
    >>> format_phone("2126341234", "US"), format_phone("13800138000", "CN", 1)
    ('(212) 634-1234', '+86 138 0013 8000')
    """
    return _render_phone(nsn, *_phone_layout(country, nsn[:3]), style)


_PLACEHOLDER = 0xE000  # private-use code points stand for digit positions


# Phone layouts met so far: (country, length, calling code, trunk, groups), by id.
_LAYOUTS: list[tuple[str, int, str, str, tuple[int, ...]]] = []


@cache
def _layout_id(country: str, head: str, length: int) -> int:
    layout = (country, length, *_phone_layout(country, head))
    if layout not in _LAYOUTS:
        _LAYOUTS.append(layout)
    return _LAYOUTS.index(layout)


@cache
def _layout_template(layout: int, style: int) -> tuple[IntArray, CodeArray]:
    """Digit position (or -1) and literal code point of each character of a format."""
    _, length, cc, trunk, groups = _LAYOUTS[layout]
    probe = "".join(chr(_PLACEHOLDER + i) for i in range(length))
    text = _render_phone(probe, cc, trunk, groups, style)
    position = np.asarray(
        [ord(c) - _PLACEHOLDER if ord(c) >= _PLACEHOLDER else -1 for c in text], dtype=np.int64
    )
    literal = np.asarray(
        [0 if p >= 0 else ord(c) for c, p in zip(text, position, strict=True)], dtype=np.uint32
    )
    return position, literal


def _groups_of(keys: IntArray) -> Iterable[tuple[int, IntArray]]:
    """Each distinct key with the positions where it occurs."""
    uniques, inverse = np.unique(keys, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(uniques) + 1))
    for g, key in enumerate(uniques.tolist()):
        yield key, order[bounds[g] : bounds[g + 1]]


def _phone_strings(nsn: IntArray, country: IntArray, style: IntArray) -> ObjArray:
    """Formatted numbers (``None`` where ``nsn`` is 0), one vectorized pass per format."""
    out = np.full(len(nsn), None, dtype=object)
    rows = np.flatnonzero(nsn > 0)
    if len(rows) == 0:
        return out
    numbers = nsn[rows]
    length = _digit_count(numbers)
    # The layout (trunk prefix, grouping) depends on the first three digits only.
    head_key = (country[rows] * 100 + length) * 1000 + numbers // 10 ** (length - 3)
    layout = np.zeros(len(rows), dtype=np.int64)
    for key, members in _groups_of(head_key):
        rest, head = divmod(key, 1000)
        code, size = divmod(rest, 100)
        layout[members] = _layout_id(_pools.COUNTRIES[code], str(head), size)
    for key, members in _groups_of(layout * 16 + style[rows]):
        layout_id, fmt_style = divmod(key, 16)
        position, literal = _layout_template(layout_id, fmt_style)
        size = int(length[members[0]])
        digits = _digit_codes(numbers[members], size)
        codes = np.where(position >= 0, digits[:, np.maximum(position, 0)], literal)
        out[rows[members]] = _codepoints_to_strings(codes.astype(np.uint32))
    return out


def _landlines(rng: np.random.Generator, city: IntArray) -> IntArray:
    """A random landline number (national significant number) in each element's city."""
    out = np.zeros(len(city), dtype=np.int64)
    for c in np.unique(city).tolist():
        rows = np.flatnonzero(city == c)
        place = _pools.CITIES[c]
        prefixes = np.asarray([int(p) for p in place.landline], dtype=np.int64)
        chosen = prefixes[rng.integers(0, len(prefixes), size=len(rows))]
        if place.country == "US":
            # Exchange codes start 2-9 and never end in 11 (N11 codes are services).
            exchange = (
                rng.integers(2, 10, size=len(rows)) * 100
                + rng.integers(2, 10, size=len(rows)) * 10
                + rng.choice(np.asarray([0, 2, 3, 4, 5, 6, 7, 8, 9]), size=len(rows))
            )
            out[rows] = chosen * 10**7 + exchange * 10**4 + rng.integers(0, 10**4, size=len(rows))
        else:
            plan = _pools.PHONE_PLANS[place.country]
            width = plan.length_for(place.landline[0]) - len(place.landline[0])
            out[rows] = chosen * 10**width + rng.integers(0, 10**width, size=len(rows))
    return out


def _mobiles(rng: np.random.Generator, country: IntArray, city: IntArray) -> IntArray:
    """A random mobile number per element (US mobiles use the city's area codes)."""
    out = np.zeros(len(country), dtype=np.int64)
    for c in np.unique(country).tolist():
        rows = np.flatnonzero(country == c)
        plan = _pools.PHONE_PLANS[_pools.COUNTRIES[c]]
        if not plan.mobile:
            out[rows] = _landlines(rng, city[rows])
            continue
        prefixes = np.asarray([int(p) for p in plan.mobile], dtype=np.int64)
        width = plan.length_for(plan.mobile[0]) - len(plan.mobile[0])
        chosen = prefixes[rng.integers(0, len(prefixes), size=len(rows))]
        out[rows] = chosen * 10**width + rng.integers(0, 10**width, size=len(rows))
    return out


def _some_landlines(rng: np.random.Generator, city: IntArray, share: float) -> IntArray:
    """Landlines for a random ``share`` of the rows, 0 (none) elsewhere."""
    out = np.zeros(len(city), dtype=np.int64)
    rows = _pick(rng, len(city), share)
    out[rows] = _landlines(rng, city[rows])
    return out


# ---------------------------------------------------------------------------------------
# Lists (tags, skills)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lists:
    """A list column as a matrix of indices into ``pool`` (-1: no item), one row each."""

    items: IntArray
    pool: tuple[str, ...]

    def take(self, rows: IntArray) -> _Lists:
        return _Lists(self.items[rows], self.pool)


def _lists(
    rng: np.random.Generator,
    lang: IntArray,
    pools: Mapping[str, Sequence[str]],
    p_any: float,
    max_items: int,
) -> _Lists:
    """Per row, 0 to ``max_items`` (at most 3) distinct items of its language's pool.

    The pool holds every language's items, then the same items in lower case and in upper
    case, so messiness can switch case by shifting indices.
    """
    base = [item for lg in _LANGS for item in pools[lg]]
    offsets = np.cumsum([0] + [len(pools[lg]) for lg in _LANGS])[:-1]
    sizes = np.asarray([len(pools[lg]) for lg in _LANGS])
    n = len(lang)
    count = np.where(rng.random(n) < p_any, rng.integers(1, max_items + 1, size=n), 0)
    size = sizes[lang]
    start = (rng.random(n) * size).astype(np.int64)
    # Two distinct non-zero steps keep the (up to) three items distinct.
    step1 = 1 + (rng.random(n) * (size - 1)).astype(np.int64)
    step2 = 1 + (rng.random(n) * (size - 2)).astype(np.int64)
    step2 = np.where(step2 >= step1, step2 + 1, step2)
    columns = [start, (start + step1) % size, (start + step2) % size][:max_items]
    items = np.stack(
        [np.where(count > j, offsets[lang] + col, -1) for j, col in enumerate(columns)], axis=1
    )
    pool = tuple(base + [t.lower() for t in base] + [t.upper() for t in base])
    return _Lists(items.astype(np.int64), pool)


def _recase_lists(rng: np.random.Generator, lists: _Lists, p: float) -> None:
    """Write a share ``p`` of the lists in lower or upper case ('vip' for 'VIP')."""
    rows = _pick(rng, len(lists.items), p)
    if len(rows):
        shift = (len(lists.pool) // 3) * rng.integers(1, 3, size=len(rows))
        block = lists.items[rows]
        lists.items[rows] = np.where(
            block >= 0, block % (len(lists.pool) // 3) + shift[:, None], -1
        )


def _lists_to_python(lists: _Lists) -> ObjArray:
    """One fresh Python list per row (rows never share a list object)."""
    items = lists.items
    width = len(lists.pool) + 1
    key = np.zeros(len(items), dtype=np.int64)
    for j in range(items.shape[1]):
        key = key * width + (items[:, j] + 1)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    shapes = [[lists.pool[i] for i in items[r] if i >= 0] for r in first.tolist()]
    out = np.empty(len(items), dtype=object)
    # Slice assignment keeps each list whole (numpy stops at the target's one dimension).
    out[:] = [shapes[k][:] for k in inverse.tolist()]
    return out


def _lists_to_arrow(lists: _Lists) -> pa.Array:
    items = lists.items
    present = items >= 0
    offsets = np.concatenate([[0], np.cumsum(present.sum(axis=1))]).astype(np.int64)
    values = pa.array(list(lists.pool), type=pa.large_string()).take(
        pa.array(items[present], type=pa.int64())
    )
    return pa.LargeListArray.from_arrays(pa.array(offsets), values)


# ---------------------------------------------------------------------------------------
# Owners
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Owners:
    names: list[str]
    emails: list[str]
    teams: list[str]
    countries: list[str]

    def candidates(self, country: str) -> list[int]:
        """Owners who take accounts in ``country``: its team, else its language, else any."""
        same = [i for i, c in enumerate(self.countries) if c == country]
        if same:
            return same
        lang = _pools.LANG_OF_COUNTRY[country]
        same_lang = [i for i, c in enumerate(self.countries) if _pools.LANG_OF_COUNTRY[c] == lang]
        return same_lang or list(range(len(self.names)))


def _make_owners(rng: np.random.Generator, n: int, countries: dict[str, float]) -> _Owners:
    lang_weight = dict.fromkeys(_LANGS, 0.0)
    for code, w in countries.items():
        lang_weight[_pools.LANG_OF_COUNTRY[code]] += w
    active = [lang for lang in _LANGS if lang_weight[lang] > 0]
    # One owner per locale first when there are enough, then by largest remainder.
    counts = dict.fromkeys(active, 1 if n >= len(active) else 0)
    remaining = n - sum(counts.values())
    quotas = {lang: remaining * lang_weight[lang] for lang in active}
    for lang in active:
        counts[lang] += int(quotas[lang])
    leftover = n - sum(counts.values())
    by_remainder = sorted(active, key=lambda k: quotas[k] - int(quotas[k]), reverse=True)
    for lang in by_remainder[:leftover]:
        counts[lang] += 1

    owners = _Owners([], [], [], [])
    seen: set[str] = set()  # names and addresses: both identify an owner
    for lang in active:
        for k in range(counts[lang]):
            while True:
                firsts = _pools.FIRST_NAMES[lang]["F" if rng.random() < 0.5 else "M"]
                lasts = _pools.LAST_NAMES[lang]
                first = firsts[int(rng.integers(len(firsts)))]
                last = lasts[int(rng.integers(len(lasts)))]
                name = last + first if lang == "zh" else f"{first} {last}"
                if lang == "zh":
                    email = f"{_ascii_slug(last)}.{_ascii_slug(first)}@example.com"
                else:
                    email = f"{_ascii_slug(first, '-')}.{_ascii_slug(last, '-')}@example.com"
                if name not in seen and email not in seen:
                    break
            seen.update((name, email))
            team, country = _pools.TEAMS[lang][k % len(_pools.TEAMS[lang])]
            owners.names.append(name)
            owners.emails.append(email)
            owners.teams.append(team)
            owners.countries.append(country)
    return owners


def _owner_for(rng: np.random.Generator, owners: _Owners, country: IntArray) -> ObjArray:
    """An owner name per element, among the owners covering its country."""
    out = np.full(len(country), None, dtype=object)
    if not owners.names:
        return out
    names = _obj(owners.names)
    for c in np.unique(country).tolist():
        rows = np.flatnonzero(country == c)
        pool = np.asarray(owners.candidates(_pools.COUNTRIES[c]))
        out[rows] = names[pool[rng.integers(0, len(pool), size=len(rows))]]
    return out


# ---------------------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------------------


@cache
def _brand_pool(lang: str) -> tuple[str, ...]:
    brands = []
    for family in _pools.BRANDS[lang]:
        for combo in itertools.product(*family):
            if lang == "zh" and combo[0] == combo[1]:
                continue
            word = "".join(combo)
            if _UNPRONOUNCEABLE.search(word.lower()) is None:
                brands.append(word)
    if lang != "zh":
        brands.extend(_pools.LAST_NAMES[lang])
    return _dedupe(brands)


@cache
def _city_indices(country: str) -> tuple[tuple[int, ...], tuple[float, ...]]:
    rows = [(i, c.weight) for i, c in enumerate(_pools.CITIES) if c.country == country]
    return tuple(i for i, _ in rows), tuple(w for _, w in rows)


def _random_cities(rng: np.random.Generator, country: IntArray) -> IntArray:
    city = np.zeros(len(country), dtype=np.int64)
    for c in np.unique(country).tolist():
        rows = np.flatnonzero(country == c)
        idx, w = _city_indices(_pools.COUNTRIES[c])
        city[rows] = np.asarray(idx)[_weighted(rng, len(rows), w)]
    return city


def _name_keys(rng: np.random.Generator, n: int, base: int, tiers: int) -> IntArray:
    """``n`` distinct keys: from the ``base`` first ones while possible, then from the
    next ``tiers - 1`` blocks of ``base`` (names with a city qualifier), then repeats."""
    if n <= base:
        return rng.choice(base, size=n, replace=False).astype(np.int64)
    more = base * (tiers - 1)
    if n - base <= more:
        extra = base + rng.choice(more, size=n - base, replace=False)
    elif more:
        extra = base + rng.integers(0, more, size=n - base)
    else:
        extra = rng.integers(0, base, size=n - base)
    return rng.permutation(np.concatenate([np.arange(base), extra])).astype(np.int64)


@cache
def _template_slug(template: str) -> tuple[str, str]:
    before, _, after = template.partition("{}")
    return _ascii_slug(before, "-"), _ascii_slug(after, "-")


@dataclass
class _AccountEntities:
    """Clean account entities, one element per entity."""

    country: IntArray
    sector: IntArray
    city: IntArray
    core: ObjArray  # name without its legal form
    legal: ObjArray  # canonical legal form ('' for none)
    legal_alts: ObjArray  # other spellings of the legal form
    name: ObjArray  # canonical name
    zh_parts: ObjArray  # (city, brand, industry, brand pinyin, city latin) or None
    domain: ObjArray
    email_pattern: IntArray  # index into _EMAIL_PATTERNS
    phone: IntArray  # national significant number
    owner: ObjArray
    street: ObjArray
    postal: ObjArray


def _account_entities(
    rng: np.random.Generator, n: int, countries: dict[str, float], owners: _Owners
) -> _AccountEntities:
    country = _weighted(rng, n, [countries[c] for c in _pools.COUNTRIES])
    sector = _weighted(rng, n, [_pools.SECTOR_WEIGHTS[s] for s in _SECTORS])
    city = np.zeros(n, dtype=np.int64)
    core = np.empty(n, dtype=object)
    zh_parts = np.full(n, None, dtype=object)
    domain = np.empty(n, dtype=object)
    fixed_city = np.zeros(n, dtype=bool)
    lang = _COUNTRY_LANG[country]

    for lg, lang_code in enumerate(_LANGS):
        rows = np.flatnonzero(lang == lg)
        if len(rows) == 0:
            continue
        brands = _brand_pool(lang_code)
        if lang_code == "zh":
            zh_cities, _ = _city_indices("CN")
            slots, cities = 3, len(zh_cities)
            keys = _name_keys(rng, len(rows), len(brands) * slots * cities, 1)
            brand_idx, slot = keys // (slots * cities), (keys // cities) % slots
            city[rows] = np.asarray(zh_cities)[keys % cities]
            fixed_city[rows] = True
            for r, b, s in zip(rows.tolist(), brand_idx.tolist(), slot.tolist(), strict=True):
                place = _pools.CITIES[city[r]]
                industry = _pools.SECTOR_QUALIFIERS[_SECTORS[sector[r]]][2][s]
                brand = brands[b]
                brand_py = _pinyin(brand)
                core[r] = place.name + brand + industry.zh
                zh_parts[r] = (place.name, brand, industry, brand_py, place.latin)
                abbr = _pools.CITY_ABBREVIATIONS.get(place.latin, _ascii_slug(place.latin)[:2])
                domain[r] = abbr + brand_py.lower() + industry.slug
            continue
        slots = 4
        lang_pos = 0 if lang_code == "fr" else 1
        # Past the plain names, "Aprool Conseil Lyon": a city of the language.
        places = [
            i for i, c in enumerate(_pools.CITIES) if _pools.LANG_OF_COUNTRY[c.country] == lang_code
        ]
        base = len(brands) * slots
        keys = _name_keys(rng, len(rows), base, 1 + len(places))
        tier, brand_idx, slot = keys // base, (keys % base) // slots, keys % slots
        for r, t, b, s in zip(
            rows.tolist(), tier.tolist(), brand_idx.tolist(), slot.tolist(), strict=True
        ):
            brand = brands[b]
            brand_slug = _ascii_slug(brand, "-")
            if s == 0:
                text, slug = brand, brand_slug
            else:
                template = _pools.SECTOR_QUALIFIERS[_SECTORS[sector[r]]][lang_pos][s - 1]
                text = template.format(brand)
                slug = "-".join(
                    p
                    for p in (_template_slug(template)[0], brand_slug, _template_slug(template)[1])
                    if p
                )
            if t > 0:
                place = _pools.CITIES[places[t - 1]]
                text = f"{text} {place.name}"
                slug = f"{slug}-{_ascii_slug(place.latin, '-')}"
                city[r] = places[t - 1]
                country[r] = _COUNTRY_INDEX[place.country]
                fixed_city[r] = True
            core[r] = text
            domain[r] = slug

    free = np.flatnonzero(~fixed_city)
    city[free] = _random_cities(rng, country[free])

    tld_choices = {
        "FR": (("fr", 0.7), ("com", 0.3)),
        "GB": (("co.uk", 0.7), ("com", 0.3)),
        "US": (("com", 0.85), ("io", 0.08), ("net", 0.07)),
        "CN": (("com.cn", 0.5), ("cn", 0.3), ("com", 0.2)),
    }
    for code, options in tld_choices.items():
        rows = np.flatnonzero(country == _COUNTRY_INDEX[code])
        if len(rows):
            tlds = [t for t, _ in options]
            pick = _weighted(rng, len(rows), [w for _, w in options])
            _assign(
                domain,
                rows,
                [f"{d}.{tlds[k]}" for d, k in zip(domain[rows], pick.tolist(), strict=True)],
            )

    legal = np.empty(n, dtype=object)
    legal_alts = np.empty(n, dtype=object)
    name = np.empty(n, dtype=object)
    for code in _pools.COUNTRIES:
        rows = np.flatnonzero(country == _COUNTRY_INDEX[code])
        if len(rows) == 0:
            continue
        forms = _pools.LEGAL_FORMS[code]
        pick = _weighted(rng, len(rows), [w for _, w, _ in forms])
        for r, k in zip(rows.tolist(), pick.tolist(), strict=True):
            canonical, _, alts = forms[k]
            parts = zh_parts[r]
            if _SECTORS[sector[r]] in _NO_LEGAL_SECTORS or (
                parts is not None and parts[2].slug in _ZH_NO_LEGAL
            ):
                canonical, alts = "", ("",)
            legal[r] = canonical
            legal_alts[r] = alts
            if not canonical:
                name[r] = core[r]
            elif code == "CN":
                name[r] = core[r] + canonical
            else:
                name[r] = f"{core[r]} {canonical}"

    email_pattern = np.zeros(n, dtype=np.int64)
    for lg, lang_code in enumerate(_LANGS):
        rows = np.flatnonzero(_COUNTRY_LANG[country] == lg)
        if len(rows):
            options = _pools.EMAIL_PATTERNS[lang_code]
            codes = np.asarray([_EMAIL_PATTERNS.index(p) for p, _ in options])
            email_pattern[rows] = codes[_weighted(rng, len(rows), [w for _, w in options])]

    street = _streets(rng, country, city)
    postal = _postal_codes(rng, city)
    return _AccountEntities(
        country=country,
        sector=sector,
        city=city,
        core=core,
        legal=legal,
        legal_alts=legal_alts,
        name=name,
        zh_parts=zh_parts,
        domain=domain,
        email_pattern=email_pattern,
        phone=_landlines(rng, city),
        owner=_owner_for(rng, owners, country),
        street=street,
        postal=postal,
    )


def _company_variant(ent: _AccountEntities, e: int, style: float, alt: float) -> str:
    """Another way of writing account ``e``'s name (suffix, case, short or English form)."""
    kind = int(style * 6)
    parts = ent.zh_parts[e]
    legal = str(ent.legal[e])
    if parts is not None:
        city, brand, industry, brand_py, city_latin = parts
        if kind == 0:
            return f"{brand}{industry.zh}{legal}"
        if kind == 1:
            return f"{brand}{industry.zh}"
        if kind == 2:
            alts = ent.legal_alts[e]
            return f"{city}{brand}{industry.zh}{alts[int(alt * len(alts))]}"
        if kind == 3:
            return f"{city_latin} {brand_py} {industry.en} {_pools.ZH_LEGAL_EN[legal]}".strip()
        if kind == 4:
            return f"{brand_py} {industry.en}"
        return f"{brand}{industry.zh}（{city}）{legal}"
    core = str(ent.core[e])
    if not legal:
        return core if kind % 2 == 0 else core.upper()
    if kind == 0:
        return core
    if kind == 1:
        alts = ent.legal_alts[e]
        return f"{core} {alts[int(alt * len(alts))]}"
    if kind == 2:
        return f"{core.upper()} {legal}"
    if kind == 3:
        return core.upper()
    if kind == 4:
        return f"{core} {legal.lower()}"
    return f"{core}, {legal}" if ent.country[e] == _COUNTRY_INDEX["US"] else f"{core} {legal}."


def _company_variants(
    rng: np.random.Generator, ent: _AccountEntities, entity: IntArray
) -> list[str]:
    style, alt = rng.random(len(entity)), rng.random(len(entity))
    return [
        _company_variant(ent, e, s, a) for e, s, a in zip(entity.tolist(), style, alt, strict=True)
    ]


def _luhn_complete(digits: IntArray) -> IntArray:
    """Append the Luhn check digit to each row of a digit matrix (SIREN, SIRET)."""
    width = digits.shape[1]
    doubled = digits.copy()
    # The check digit goes rightmost, so digits at an odd distance from it are doubled.
    mask = (width - np.arange(width)) % 2 == 1
    doubled[:, mask] *= 2
    doubled[doubled > 9] -= 9
    check = (10 - doubled.sum(axis=1) % 10) % 10
    return np.concatenate([digits, check[:, None]], axis=1)


def _round_significant(values: FloatArray, digits: int) -> FloatArray:
    safe = np.where(values > 0, values, 1.0)
    scale = 10.0 ** (np.floor(np.log10(safe)) - (digits - 1))
    return np.asarray(np.where(values > 0, np.round(values / scale) * scale, 0.0))


def _localize(
    rng: np.random.Generator, values: ObjArray, vocab: Vocabulary, lang: IntArray, p: float
) -> None:
    """Write a share ``p`` of vocabulary values as a label or synonym, mostly the label in
    the row's language (``Logiciel`` for a French account)."""
    rows = _pick_present(rng, values, p)
    if len(rows) == 0:
        return
    index = {t.value: i for i, t in enumerate(vocab.terms)}
    labels = [_dedupe((t.fr, t.zh, t.en.lower(), t.en.upper(), *t.synonyms)) for t in vocab.terms]
    u, v = rng.random(len(rows)), rng.random(len(rows))
    out = []
    for value, lg, a, b in zip(values[rows], lang[rows].tolist(), u, v, strict=True):
        k = index[value]
        if a < 0.6:
            term = vocab.terms[k]
            out.append(term.en.lower() if _LANGS[lg] == "en" else term.label(_LANGS[lg]))
        else:
            out.append(labels[k][int(b * len(labels[k]))])
    _assign(values, rows, out)


def _bands(
    values: FloatArray, edges: Sequence[float], whole: bool
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper bound of the band each value falls in (upper NaN for the last)."""
    edge = np.asarray(edges, dtype=float)
    k = np.clip(np.searchsorted(edge, values, side="right") - 1, 0, len(edge) - 1)
    upper = np.append(edge[1:], np.nan)[k]
    return edge[k], upper - 1 if whole else upper


def _rows(rng: np.random.Generator, n: int, share: float) -> tuple[IntArray, BoolArray]:
    """Entity of each row (each entity once, plus the duplicates) shuffled, and dup flags."""
    extra = round(share * n) if n else 0
    src = np.concatenate([np.arange(n, dtype=np.int64), rng.integers(0, max(n, 1), size=extra)])
    is_dup = np.concatenate([np.zeros(n, dtype=bool), np.ones(extra, dtype=bool)])
    order = rng.permutation(len(src))
    return src[order].astype(np.int64), is_dup[order]


def _make_accounts(
    seq: np.random.SeedSequence,
    n: int,
    countries: dict[str, float],
    owners: _Owners,
    messiness: float,
    duplicates: float,
) -> tuple[_AccountEntities, dict[str, tuple[str, Any]]]:
    clean_seq, dup_seq, mess_seq = seq.spawn(3)
    rng = np.random.default_rng(clean_seq)
    ent = _account_entities(rng, n, countries, owners)
    code = _COUNTRY_CODES[ent.country]
    lang = _COUNTRY_LANG[ent.country]

    # Revenue on a log scale between 50k and 5B; the Beta law keeps most companies small.
    revenue_eur = 10 ** (math.log10(5e4) + 5 * rng.beta(1.3, 3.0, size=n))
    revenue = _round_significant(revenue_eur * _EUR_RATE[ent.country], 3)
    per_head = np.exp(rng.normal(math.log(150_000), 0.6, size=n))
    employees = np.maximum(1, np.round(revenue_eur / per_head))
    account_type = np.asarray(ACCOUNT_TYPES.values, dtype=object)[
        _weighted(rng, n, [0.3, 0.45, 0.08, 0.05, 0.07, 0.02, 0.0, 0.03])
    ]
    is_client = (account_type == "Customer") | ((account_type == "Partner") & (rng.random(n) < 0.3))
    archived = rng.random(n) < 0.04

    # A few subsidiaries of the largest accounts of the same language.
    parent = np.full(n, None, dtype=object)
    if n >= 20:
        top = np.argsort(-revenue_eur, kind="stable")[: max(1, n // 30)]
        is_group = np.zeros(n, dtype=bool)
        is_group[top] = True
        for lg in np.unique(lang).tolist():
            groups = top[lang[top] == lg]
            if len(groups) == 0:
                continue
            members = np.flatnonzero((lang == lg) & ~is_group)
            children = members[rng.random(len(members)) < 0.06]
            parent[children] = ent.name[groups[rng.integers(0, len(groups), size=len(children))]]
    government = np.asarray(_SECTORS, dtype=object)[ent.sector] == "Government"
    ownership = np.asarray(OWNERSHIPS.values, dtype=object)[
        np.where(
            _present(parent),
            2,
            np.where(government, 3, np.where((revenue_eur > 3e8) & (rng.random(n) < 0.6), 0, 1)),
        )
    ]

    sector_names = np.asarray(_SECTORS, dtype=object)[ent.sector]
    website = _obj([f"https://www.{d}" for d in ent.domain])
    website[rng.random(n) < 0.08] = None
    mailbox = _choose_from(rng, [_pools.GENERIC_MAILBOXES[lg] for lg in _LANGS], lang)
    email = _obj([f"{m}@{d}" for m, d in zip(mailbox, ent.domain, strict=True)])
    email[rng.random(n) < 0.35] = None
    phone = ent.phone.copy()
    phone[rng.random(n) < 0.06] = 0
    fax = np.zeros(n, dtype=np.int64)
    faxed = np.flatnonzero(rng.random(n) < np.where(code == "FR", 0.2, 0.05))
    fax[faxed] = _landlines(rng, ent.city[faxed])
    origin = np.asarray([o[0] for o in _pools.ORIGINS], dtype=object)[
        _weighted(rng, n, [3, 2, 2, 1.5, 1.5, 1, 1, 0.5, 1, 0.5])
    ]
    origin[rng.random(n) < 0.2] = None
    business_unit = np.asarray([_pools.BUSINESS_UNITS[c] for c in _pools.COUNTRIES], dtype=object)[
        ent.country
    ]
    number = np.full(n, None, dtype=object)
    for c, prefix in enumerate(("CLI-", "ACC-", "ACC-", "KH-")):
        rows = np.flatnonzero((ent.country == c) & (rng.random(n) < 0.5))
        number[rows] = _numbered(prefix, 100_000 + rows, 6)
    ticker = np.full(n, None, dtype=object)
    listed = np.flatnonzero(ownership == "Public")
    _assign(
        ticker,
        listed,
        [(_ascii_slug(str(ent.core[i]))[:4] or "CRM").upper() for i in listed.tolist()],
    )
    codes = np.asarray([_pools.SECTOR_CODES[s] for s in _SECTORS], dtype=object)
    sic = codes[ent.sector, 1]
    sic[(code != "US") | (rng.random(n) < 0.6)] = None
    naf = codes[ent.sector, 0]
    naf[(code != "FR") | (rng.random(n) < 0.15)] = None
    siren_digits = rng.integers(0, 10, size=(n, 8))
    siren_digits[:, 0] = rng.integers(1, 10, size=n)
    siren_digits = _luhn_complete(siren_digits)
    siren = _codepoints_to_strings((siren_digits + ord("0")).astype(np.uint32))
    siren[(code != "FR") | (rng.random(n) < 0.15)] = None
    description = np.full(n, None, dtype=object)
    described = np.flatnonzero(rng.random(n) < 0.3)
    description[described] = _descriptions(
        lang[described],
        sector_names[described],
        _CITY_NAMES[ent.city[described]],
        employees[described].astype(np.int64),
    )
    tags = _lists(rng, lang, _pools.ACCOUNT_TAGS, 0.35, 2)

    # Rows: every entity once, plus duplicates, in shuffled order.
    rng = np.random.default_rng(dup_seq)
    src, is_dup = _rows(rng, n, duplicates)
    total = len(src)
    dup_rows = np.flatnonzero(is_dup)
    row_country = ent.country[src]
    row_lang = lang[src]
    name = ent.name[src]
    website_row = website[src]
    email_row = email[src]
    phone_row = phone[src]
    sector_row = sector_names[src]
    revenue_row = revenue[src]
    employees_row = employees[src]
    owner_row = ent.owner[src]
    street_row = ent.street[src]
    siren_row = siren[src]
    number_row = number[src]
    description_row = description[src]
    phone_style = np.zeros(total, dtype=np.int64)
    if len(dup_rows):
        d = len(dup_rows)
        # A duplicate came from another source: another spelling, format, owner ...
        renamed = dup_rows[rng.random(d) < 0.75]
        _assign(name, renamed, _company_variants(rng, ent, src[renamed]))
        dup_names = name[dup_rows]
        _typos(rng, dup_names, 0.15)
        name[dup_rows] = dup_names
        phone_style[dup_rows] = rng.integers(0, _N_PHONE_STYLES, size=d)
        phone_row[dup_rows[rng.random(d) < 0.2]] = 0
        for values, p_missing in (
            (website_row, 0.2),
            (email_row, 0.3),
            (sector_row, 0.2),
            (street_row, 0.25),
            (siren_row, 0.3),
            (number_row, 0.6),
            (description_row, 0.5),
        ):
            values[dup_rows[rng.random(d) < p_missing]] = None
        web = dup_rows[rng.random(d) < 0.4]
        web = web[_present(website_row[web])]
        _assign(
            website_row,
            web,
            [
                _website_variant(w, u)
                for w, u in zip(website_row[web], rng.random(len(web)), strict=True)
            ],
        )
        changed = dup_rows[rng.random(d) < 0.3]
        revenue_row[changed] = _round_significant(
            revenue_row[changed] * rng.uniform(0.8, 1.25, size=len(changed)), 2
        )
        employees_row[changed] = np.maximum(
            1, np.round(employees_row[changed] * rng.uniform(0.8, 1.25, size=len(changed)))
        )
        revenue_row[dup_rows[rng.random(d) < 0.3]] = np.nan
        employees_row[dup_rows[rng.random(d) < 0.3]] = np.nan
        moved = dup_rows[rng.random(d) < 0.3]
        owner_row[moved] = _owner_for(rng, owners, row_country[moved])

    # Messiness, on every row.
    rng = np.random.default_rng(mess_seq)
    m = messiness
    renamed = _pick(rng, total, 0.2 * m)
    _assign(name, renamed, _company_variants(rng, ent, src[renamed]))
    _mutate(rng, name, 0.1 * m, _case)
    _typos(rng, name, 0.03 * m)
    _mutate(rng, name, 0.08 * m, _spacing)
    _mutate(rng, website_row, 0.3 * m, _website_variant)
    _blank(rng, website_row, 0.1 * m)
    _mutate(rng, email_row, 0.05 * m, _email_case)
    _blank(rng, email_row, 0.1 * m)
    styled = _pick(rng, total, 0.5 * m)
    phone_style[styled] = rng.integers(1, _N_PHONE_STYLES, size=len(styled))
    phone_row[_pick(rng, total, 0.1 * m)] = 0
    _localize(rng, sector_row, DEFAULT_SECTORS, row_lang, 0.3 * m)
    _mutate(rng, sector_row, 0.05 * m, _case)
    _blank(rng, sector_row, 0.12 * m)
    _blank(rng, street_row, 0.05 * m)
    _mutate(rng, street_row, 0.05 * m, _spacing)
    spaced = _pick_present(rng, siren_row, 0.2 * m)
    _assign(siren_row, spaced, [f"{s[:3]} {s[3:6]} {s[6:]}" for s in siren_row[spaced]])
    # Revenue or headcount given as a band instead of a figure, as many files do.
    rev_min, rev_max = np.full(total, np.nan), np.full(total, np.nan)
    as_range = _pick(rng, total, 0.08 * m)
    rev_min[as_range], rev_max[as_range] = _bands(
        revenue_row[as_range], DEFAULT_REVENUE_EDGES, whole=False
    )
    revenue_row[as_range] = np.nan
    revenue_row[_pick(rng, total, 0.12 * m)] = np.nan
    emp_min, emp_max = np.full(total, np.nan), np.full(total, np.nan)
    as_range = _pick(rng, total, 0.06 * m)
    emp_min[as_range], emp_max[as_range] = _bands(
        employees_row[as_range], DEFAULT_HEADCOUNT_EDGES, whole=True
    )
    employees_row[as_range] = np.nan
    employees_row[_pick(rng, total, 0.12 * m)] = np.nan
    currency = _CURRENCY[row_country]
    _mutate(rng, currency, 0.05 * m, _currency_variant)
    _blank(rng, currency, 0.05 * m)
    account_type_row = account_type[src]
    _localize(rng, account_type_row, ACCOUNT_TYPES, row_lang, 0.2 * m)
    ownership_row = ownership[src]
    _localize(rng, ownership_row, OWNERSHIPS, row_lang, 0.1 * m)
    city_row = _CITY_NAMES[ent.city[src]]
    _mutate(rng, city_row, 0.1 * m, _city_variant)
    origin_row = origin[src]
    _localize_origin(rng, origin_row, row_lang, 0.3 * m)
    tag_row = tags.take(src)
    _recase_lists(rng, tag_row, 0.1 * m)

    columns: dict[str, Any] = {
        "source_id": _numbered("A", np.arange(1, total + 1), max(6, len(str(total)))),
        "name": name,
        "website": website_row,
        "phone": _phone_strings(phone_row, row_country, phone_style),
        "fax": _phone_strings(fax[src], row_country, phone_style),
        "email": email_row,
        "sector": sector_row,
        "annual_revenue": revenue_row,
        "currency": currency,
        "employees": employees_row,
        "account_type": account_type_row,
        "ownership": ownership_row,
        "parent": parent[src],
        "owner": owner_row,
        "account_number": number_row,
        "ticker": ticker[src],
        "sic_code": sic[src],
        "naf_code": naf[src],
        "siren": siren_row,
        "billing_street": street_row,
        "billing_city": city_row,
        "billing_postal_code": ent.postal[src],
        "billing_region": _CITY_REGIONS[ent.city[src]],
        "billing_country": _countries(rng, row_country, 0.25 * m),
        "origin": origin_row,
        "entity": business_unit[src],
        "is_client": is_client[src],
        "archived": archived[src],
        "revenue_range_min": rev_min,
        "revenue_range_max": rev_max,
        "employees_range_min": emp_min,
        "employees_range_max": emp_max,
        "description": description_row,
        "tags": tag_row,
        "entity_id": src,
    }
    return ent, _typed(ACCOUNTS, columns)


def _typed(table: Table, columns: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """Pair each column with its kind, in catalog order; fail loudly on a mismatch."""
    kinds = sample_columns(table)
    if set(kinds) != set(columns):
        missing = sorted(set(kinds) - set(columns))
        extra = sorted(set(columns) - set(kinds))
        raise AssertionError(f"{table.name}: missing columns {missing}, unexpected {extra}")
    return {name: (kind, columns[name]) for name, kind in kinds.items()}


def _streets(rng: np.random.Generator, country: IntArray, city: IntArray) -> ObjArray:
    n = len(country)
    out = np.empty(n, dtype=object)
    number = rng.integers(1, 200, size=n)
    kind_u, name_u, extra_u = rng.random(n), rng.random(n), rng.random(n)
    for c in np.unique(country).tolist():
        rows = np.flatnonzero(country == c)
        code = _pools.COUNTRIES[c]
        kinds, names = _pools.STREETS[code]
        kind = [kinds[int(u * len(kinds))] for u in kind_u[rows]]
        street = [names[int(u * len(names))] for u in name_u[rows]]
        numbers = number[rows].tolist()
        extra = extra_u[rows].tolist()
        if code == "FR":
            text = [
                f"{k}{' bis' if e < 0.05 else ''} {t} {s}"
                for k, t, s, e in zip(numbers, kind, street, extra, strict=True)
            ]
        elif code == "GB":
            text = [f"{k} {s} {t}" for k, t, s in zip(numbers, kind, street, strict=True)]
        elif code == "US":
            text = [
                f"{k * 10 + 1} {s} {t}" + (f", Suite {int(e * 40) * 10 + 100}" if e < 0.3 else "")
                for k, t, s, e in zip(numbers, kind, street, extra, strict=True)
            ]
        else:
            districts = [_pools.CITIES[ct].districts for ct in city[rows].tolist()]
            text = [
                f"{ds[int(e * len(ds))] if ds else ''}{s}{t}{k}号"
                for ds, k, t, s, e in zip(districts, numbers, kind, street, extra, strict=True)
            ]
        _assign(out, rows, text)
    return out


def _postal_codes(rng: np.random.Generator, city: IntArray) -> ObjArray:
    codes = [_pools.CITIES[c].postal_codes for c in range(len(_pools.CITIES))]
    return _obj(
        [
            codes[c][int(u * len(codes[c]))]
            for c, u in zip(city.tolist(), rng.random(len(city)), strict=True)
        ]
    )


def _descriptions(
    lang: IntArray, sector: ObjArray, city: ObjArray, employees: IntArray
) -> ObjArray:
    out = []
    for lg, s, c, e in zip(lang.tolist(), sector, city, employees.tolist(), strict=True):
        code = _LANGS[lg]
        label = DEFAULT_SECTORS.label(s, code)
        if code == "fr":
            out.append(
                f"Entreprise du secteur {label.lower()} basée à {c}, "
                f"{e} salarié{'s' if e > 1 else ''}."
            )
        elif code == "en":
            out.append(f"{label} company based in {c}, {e} employee{'s' if e > 1 else ''}.")
        else:
            out.append(f"位于{c}的{label}企业，员工{e}人。")
    return _obj(out)


def _website_variant(url: str, u: float) -> str:
    host = url.split("://", 1)[-1].removeprefix("www.").rstrip("/")
    return (
        f"www.{host}",
        host,
        f"http://{host}/",
        f"https://{host}",
        f"HTTPS://WWW.{host.upper()}",
        f"https://www.{host}/fr/",
    )[int(u * 6)]


def _currency_variant(code: str, u: float) -> str:
    symbols = {"EUR": "€", "GBP": "£", "USD": "$", "CNY": "¥"}
    return code.lower() if u < 0.5 else symbols.get(code, code)


@cache
def _latin_city(name: str) -> str:
    return next((c.latin for c in _pools.CITIES if c.name == name), name)


def _city_variant(city: str, u: float) -> str:
    if _is_cjk(city):
        return _latin_city(city) if u < 0.6 else city + "市"
    if u < 0.4:
        return city.upper()
    if u < 0.7:
        return city.lower()
    return _strip_accents(city).replace("-", " ") if u < 0.9 else city + " Cedex"


def _countries(rng: np.random.Generator, country: IntArray, p: float) -> ObjArray:
    """ISO codes, a share ``p`` of them written as a name ('France', 'Royaume-Uni', '中国')."""
    out = _COUNTRY_CODES[country]
    rows = _pick(rng, len(country), p)
    if len(rows):
        options = [_pools.COUNTRY_VARIANTS[c] for c in _pools.COUNTRIES]
        out[rows] = _choose_from(rng, options, country[rows])
    return out


def _localize_origin(rng: np.random.Generator, values: ObjArray, lang: IntArray, p: float) -> None:
    rows = _pick_present(rng, values, p)
    if len(rows):
        labels = {o[0]: o for o in _pools.ORIGINS}
        # ORIGINS rows are (English, French, Chinese): the language index fits, but en=0.
        column = {0: 1, 1: 0, 2: 2}
        _assign(
            values,
            rows,
            [
                labels[v][column[lg]]
                for v, lg in zip(values[rows], lang[rows].tolist(), strict=True)
            ],
        )


# ---------------------------------------------------------------------------------------
# Contacts
# ---------------------------------------------------------------------------------------


@cache
def _name_pools(lang: str) -> tuple[ObjArray, ObjArray, int, ObjArray, ObjArray]:
    """First names (male then female) and their ASCII forms, the number of male ones,
    last names and their ASCII forms."""
    first = [*_pools.FIRST_NAMES[lang]["M"], *_pools.FIRST_NAMES[lang]["F"]]
    last = list(_pools.LAST_NAMES[lang])
    return (
        _obj(first),
        _obj([_ascii_slug(f, "-") for f in first]),
        len(_pools.FIRST_NAMES[lang]["M"]),
        _obj(last),
        _obj([_ascii_slug(s) for s in last]),
    )


def _email_case(email: str, u: float) -> str:
    local, _, domain = email.partition("@")
    if u < 0.5:
        return ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.capitalize()
    if u < 0.8:
        return email.upper()
    return local.capitalize() + "@" + domain


def _email_invalid(email: str, u: float) -> str:
    local, _, domain = email.partition("@")
    if u < 0.3:
        return f"{local}@@{domain}"
    if u < 0.55:
        return f"{local}@{domain.rsplit('.', 1)[0]}"
    if u < 0.8:
        return f"{local.replace('.', ' ', 1) if '.' in local else local + ' '}@{domain}"
    return f"{local}{domain}"


def _work_emails(pattern: IntArray, first: ObjArray, last: ObjArray, domain: ObjArray) -> ObjArray:
    out = np.empty(len(pattern), dtype=object)
    for k in np.unique(pattern).tolist():
        rows = np.flatnonzero(pattern == k)
        local = _EMAIL_FORMATS[_EMAIL_PATTERNS[k]]
        _assign(
            out,
            rows,
            [
                f"{local(f, s)}@{d}"
                for f, s, d in zip(first[rows], last[rows], domain[rows], strict=True)
            ],
        )
    return out


def _make_contacts(
    seq: np.random.SeedSequence,
    n: int,
    countries: dict[str, float],
    owners: _Owners,
    accounts: _AccountEntities,
    messiness: float,
    duplicates: float,
) -> dict[str, tuple[str, Any]]:
    clean_seq, dup_seq, mess_seq = seq.spawn(3)
    rng = np.random.default_rng(clean_seq)
    n_accounts = len(accounts.country)

    # Employer: a few accounts have many contacts, most have a handful.
    if n_accounts:
        weight = rng.lognormal(0.0, 1.1, size=n_accounts)
        account = rng.choice(n_accounts, size=n, p=weight / weight.sum()).astype(np.int64)
        country = accounts.country[account]
        city = accounts.city[account]
    else:
        account = np.full(n, -1, dtype=np.int64)
        country = _weighted(rng, n, [countries[c] for c in _pools.COUNTRIES])
        city = _random_cities(rng, country)
    work_lang = _COUNTRY_LANG[country]

    # Most people's names are in their employer's language, some come from elsewhere.
    active_langs = np.asarray(
        sorted({_LANG_INDEX[_pools.LANG_OF_COUNTRY[c]] for c, w in countries.items() if w > 0})
    )
    name_lang = work_lang.copy()
    movers = np.flatnonzero(rng.random(n) < 0.08)
    name_lang[movers] = active_langs[rng.integers(0, len(active_langs), size=len(movers))]
    gender_u = rng.random(n)
    female = gender_u < 0.495
    neutral = gender_u >= 0.99
    gender = np.where(female, "F", np.where(neutral, "X", "M")).astype(object)
    first = np.empty(n, dtype=object)
    last = np.empty(n, dtype=object)
    first_ascii = np.empty(n, dtype=object)
    last_ascii = np.empty(n, dtype=object)
    for lg in np.unique(name_lang).tolist():
        rows = np.flatnonzero(name_lang == lg)
        firsts, firsts_ascii, n_male, lasts, lasts_ascii = _name_pools(_LANGS[lg])
        lo = np.where(female[rows], n_male, 0)
        hi = np.where(female[rows] | neutral[rows], len(firsts), n_male)
        pick = (lo + rng.random(len(rows)) * (hi - lo)).astype(np.int64)
        first[rows], first_ascii[rows] = firsts[pick], firsts_ascii[pick]
        pick = rng.integers(0, len(lasts), size=len(rows))
        last[rows], last_ascii[rows] = lasts[pick], lasts_ascii[pick]
    is_zh_name = name_lang == _LANG_INDEX["zh"]

    # Job titles in the employer's language, feminine forms for women.
    title = np.empty(n, dtype=object)
    department = np.empty(n, dtype=object)
    is_dpo = np.zeros(n, dtype=bool)
    is_ciso = np.zeros(n, dtype=bool)
    for lg in np.unique(work_lang).tolist():
        rows = np.flatnonzero(work_lang == lg)
        titles = _pools.TITLES[_LANGS[lg]]
        pick = _weighted(rng, len(rows), [t.weight for t in titles])
        masculine = _obj([t.masculine for t in titles])[pick]
        feminine = _obj([t.feminine for t in titles])[pick]
        title[rows] = np.where(female[rows], feminine, masculine)
        department[rows] = _obj([t.department for t in titles])[pick]
        is_dpo[rows] = np.asarray([t.is_dpo for t in titles])[pick]
        is_ciso[rows] = np.asarray([t.is_ciso for t in titles])[pick]
    title[rng.random(n) < 0.04] = None
    department[rng.random(n) < 0.35] = None

    salutation_u = rng.random(n)
    salutation = np.where(female, "Ms", np.where(neutral, "Mx", "Mr")).astype(object)
    salutation[salutation_u < 0.03] = "Dr"
    salutation[(salutation_u >= 0.03) & (salutation_u < 0.04)] = "Prof"
    salutation[rng.random(n) < 0.2] = None

    # Work email: the company's pattern on its domain; homonyms get a digit.
    if n_accounts:
        email = _work_emails(
            accounts.email_pattern[account], first_ascii, last_ascii, accounts.domain[account]
        )
    else:
        email = _personal_emails(rng, country, first_ascii, last_ascii)
    _number_homonyms(email)
    email[rng.random(n) < 0.05] = None
    secondary = np.full(n, None, dtype=object)
    rows = _pick(rng, n, 0.12)
    personal = _personal_emails(rng, country[rows], first_ascii[rows], last_ascii[rows])
    # Namesakes do not share a mailbox: a taken personal address gets a digit too.
    _number_homonyms(personal, taken=(e for e in email.tolist() if e is not None))
    secondary[rows] = personal

    # Phones: a direct line or the switchboard, a mobile, rarely a fax or home phone.
    line_u = rng.random(n)
    phone = np.zeros(n, dtype=np.int64)
    direct = np.flatnonzero(line_u < 0.8)
    phone[direct] = _landlines(rng, city[direct])
    if n_accounts:
        switchboard = np.flatnonzero(line_u < 0.25)
        phone[switchboard] = accounts.phone[account[switchboard]]
    mobile = np.zeros(n, dtype=np.int64)
    rows = _pick(rng, n, 0.65)
    mobile[rows] = _mobiles(rng, country[rows], city[rows])
    fax = _some_landlines(rng, city, 0.04)
    home_phone = _some_landlines(rng, city, 0.02)

    # Address: the employer's.
    if n_accounts:
        street = accounts.street[account]
        postal = accounts.postal[account]
    else:
        street = _streets(rng, country, city)
        postal = _postal_codes(rng, city)
    no_address = rng.random(n) < 0.3
    street[no_address] = None
    postal[no_address] = None

    linkedin = np.full(n, None, dtype=object)
    rows = np.flatnonzero(rng.random(n) < np.where(is_zh_name, 0.15, 0.45))
    _assign(
        linkedin,
        rows,
        [
            f"https://www.linkedin.com/in/{f}-{s}-{h}"
            for f, s, h in zip(
                first_ascii[rows], last_ascii[rows], _hex_strings(rng, len(rows), 6), strict=True
            )
        ],
    )
    twitter = np.full(n, None, dtype=object)
    rows = _pick(rng, n, 0.04)
    _assign(
        twitter,
        rows,
        [f"@{(f[:1] + s)[:15]}" for f, s in zip(first_ascii[rows], last_ascii[rows], strict=True)],
    )
    website = np.full(n, None, dtype=object)
    rows = _pick(rng, n, 0.02)
    _assign(
        website,
        rows,
        [
            f"https://www.{f}{s}.com"
            for f, s in zip(first_ascii[rows], last_ascii[rows], strict=True)
        ],
    )
    birthday = np.datetime64("1955-01-01") + rng.integers(0, 45 * 365, size=n).astype(
        "timedelta64[D]"
    )
    birthday[rng.random(n) >= 0.15] = np.datetime64("NaT")
    active = rng.random(n) >= 0.06
    opt_out = rng.random(n) < 0.07
    do_not_call = rng.random(n) < 0.03
    origin = np.asarray([o[0] for o in _pools.ORIGINS], dtype=object)[
        _weighted(rng, n, [3, 2, 2, 1.5, 2, 1, 1, 0.5, 1, 0.5])
    ]
    origin[rng.random(n) < 0.25] = None
    skills = _lists(rng, work_lang, _pools.SKILLS, 0.4, 3)
    tags = _lists(rng, work_lang, _pools.CONTACT_TAGS, 0.35, 2)
    notes = np.full(n, None, dtype=object)
    rows = _pick(rng, n, 0.12)
    notes[rows] = _choose_from(rng, [_pools.NOTES[lg] for lg in _LANGS], work_lang[rows])
    uid = np.full(n, None, dtype=object)
    rows = _pick(rng, n, 0.4)
    _assign(
        uid,
        rows,
        [
            f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"
            for h in _hex_strings(rng, len(rows), 32)
        ],
    )
    if n_accounts:
        owner = accounts.owner[account]
        others = np.flatnonzero(rng.random(n) < 0.15)
        owner[others] = _owner_for(rng, owners, country[others])
        company = accounts.name[account]
    else:
        owner = _owner_for(rng, owners, country)
        company = np.full(n, None, dtype=object)

    # Rows: every person once, plus duplicates, in shuffled order.
    rng = np.random.default_rng(dup_seq)
    src, is_dup = _rows(rng, n, duplicates)
    total = len(src)
    dup_rows = np.flatnonzero(is_dup)
    row_country = country[src]
    row_lang = work_lang[src]
    first_row = first[src]
    last_row = last[src]
    email_row = email[src]
    phone_row = phone[src]
    mobile_row = mobile[src]
    company_row = company[src]
    title_row = title[src]
    street_row = street[src]
    postal_row = postal[src]
    salutation_row = salutation[src]
    linkedin_row = linkedin[src]
    owner_row = owner[src]
    uid_row = uid[src]
    phone_style = np.zeros(total, dtype=np.int64)
    mobile_style = np.zeros(total, dtype=np.int64)
    if len(dup_rows):
        d = len(dup_rows)
        _duplicate_names(rng, dup_rows, first_row, last_row, is_zh_name[src])
        taken = {e for e in (*email_row.tolist(), *secondary.tolist()) if e is not None}
        _duplicate_emails(
            rng,
            dup_rows,
            email_row,
            row_country,
            first_ascii[src],
            last_ascii[src],
            secondary[src],
            taken,
        )
        phone_style[dup_rows] = rng.integers(0, _N_PHONE_STYLES, size=d)
        mobile_style[dup_rows] = rng.integers(0, _N_PHONE_STYLES, size=d)
        phone_row[dup_rows[rng.random(d) < 0.2]] = 0
        mobile_row[dup_rows[rng.random(d) < 0.3]] = 0
        if n_accounts:
            renamed = dup_rows[rng.random(d) < 0.4]
            _assign(company_row, renamed, _company_variants(rng, accounts, account[src[renamed]]))
        for values, p_missing in (
            (title_row, 0.2),
            (street_row, 0.3),
            (salutation_row, 0.3),
            (linkedin_row, 0.5),
        ):
            values[dup_rows[rng.random(d) < p_missing]] = None
        promoted = dup_rows[rng.random(d) < 0.1]
        _assign(title_row, promoted, _other_titles(rng, row_lang[promoted], female[src[promoted]]))
        uid_row[dup_rows] = None  # the other source had its own ids, or none
        moved = dup_rows[rng.random(d) < 0.2]
        owner_row[moved] = _owner_for(rng, owners, row_country[moved])

    # Messiness, on every row.
    rng = np.random.default_rng(mess_seq)
    m = messiness
    swapped = _pick(rng, total, 0.02 * m)
    first_row[swapped], last_row[swapped] = last_row[swapped], first_row[swapped]
    joined = _pick_present(rng, first_row, 0.02 * m)
    _assign(
        last_row,
        joined,
        [f"{f} {s}" for f, s in zip(first_row[joined], last_row[joined], strict=True)],
    )
    first_row[joined] = None
    _mutate(rng, last_row, 0.12 * m, _case)
    _mutate(rng, first_row, 0.06 * m, _case)
    _typos(rng, last_row, 0.04 * m)
    _typos(rng, first_row, 0.04 * m)
    _mutate(rng, last_row, 0.08 * m, _spacing)
    _mutate(rng, first_row, 0.08 * m, _spacing)
    _localize(rng, salutation_row, SALUTATIONS, row_lang, 0.3 * m)
    _blank(rng, salutation_row, 0.1 * m)
    _blank(rng, title_row, 0.15 * m)
    _mutate(rng, title_row, 0.05 * m, _case)
    _mutate(rng, title_row, 0.05 * m, _spacing)
    _mutate(rng, email_row, 0.08 * m, _email_case)
    _mutate(rng, email_row, 0.03 * m, lambda e, u: _spacing(e, u * 0.9))
    _mutate(rng, email_row, 0.01 * m, _email_invalid)
    _blank(rng, email_row, 0.12 * m)
    for styles, numbers in ((phone_style, phone_row), (mobile_style, mobile_row)):
        styled = _pick(rng, total, 0.5 * m)
        styles[styled] = rng.integers(1, _N_PHONE_STYLES, size=len(styled))
        numbers[_pick(rng, total, 0.12 * m)] = 0
    if n_accounts:
        renamed = _pick(rng, total, 0.3 * m)
        _assign(company_row, renamed, _company_variants(rng, accounts, account[src[renamed]]))
    _typos(rng, company_row, 0.03 * m)
    _mutate(rng, company_row, 0.05 * m, _spacing)
    _blank(rng, street_row, 0.05 * m)
    _blank(rng, postal_row, 0.05 * m)
    city_row = _CITY_NAMES[city[src]]
    city_row[~_present(street_row) & ~_present(postal_row) & (rng.random(total) < 0.5)] = None
    _mutate(rng, city_row, 0.1 * m, _city_variant)
    region_row = _CITY_REGIONS[city[src]]
    region_row[~_present(city_row)] = None
    origin_row = origin[src]
    _localize_origin(rng, origin_row, row_lang, 0.3 * m)
    tag_row = tags.take(src)
    _recase_lists(rng, tag_row, 0.1 * m)

    columns: dict[str, Any] = {
        "source_id": _numbered("C", np.arange(1, total + 1), max(7, len(str(total)))),
        "salutation": salutation_row,
        "gender": gender[src],
        "first_name": first_row,
        "last_name": last_row,
        "company": company_row,
        "job_title": title_row,
        "department": department[src],
        "email": email_row,
        "secondary_email": secondary[src],
        "phone": _phone_strings(phone_row, row_country, phone_style),
        "mobile": _phone_strings(mobile_row, row_country, mobile_style),
        "home_phone": _phone_strings(home_phone[src], row_country, phone_style),
        "fax": _phone_strings(fax[src], row_country, phone_style),
        "street": street_row,
        "city": city_row,
        "postal_code": postal_row,
        "region": region_row,
        "country": _countries(rng, row_country, 0.25 * m),
        "website": website[src],
        "linkedin": linkedin_row,
        "twitter": twitter[src],
        "birthday": birthday[src],
        "owner": owner_row,
        "active": active[src],
        "is_dpo": is_dpo[src],
        "is_ciso": is_ciso[src],
        "email_opt_out": opt_out[src],
        "do_not_call": do_not_call[src],
        "origin": origin_row,
        "skills": skills.take(src),
        "notes": notes[src],
        "uid": uid_row,
        "tags": tag_row,
        "entity_id": src,
    }
    return _typed(CONTACTS, columns)


def _number_homonyms(emails: ObjArray, taken: Iterable[str] = ()) -> None:
    """Make addresses unique: the second 'jean.martin@x' becomes 'jean.martin2@x'.

    ``taken`` are addresses already given (a mailbox belongs to one person, so two
    namesakes never share one); blanks are left alone.
    """
    used = set(taken)
    for i, address in enumerate(emails.tolist()):
        if address is None:
            continue
        if address in used:
            address = _free_address(address, used)
            emails[i] = address
        used.add(address)


def _free_address(address: str, used: set[str]) -> str:
    """``address`` with the first number that makes it unused: 'jean.martin2@x' ..."""
    local, _, domain = address.partition("@")
    count = 2
    while f"{local}{count}@{domain}" in used:
        count += 1
    return f"{local}{count}@{domain}"


def _personal_emails(
    rng: np.random.Generator, country: IntArray, first: ObjArray, last: ObjArray
) -> ObjArray:
    """Personal addresses at the usual providers of each country; QQ addresses are numbers."""
    n = len(country)
    out = np.empty(n, dtype=object)
    year = rng.integers(60, 100, size=n)
    style = rng.random(n)
    qq = rng.integers(10_000_000, 3_000_000_000, size=n)
    for c in np.unique(country).tolist():
        rows = np.flatnonzero(country == c)
        providers = _pools.PERSONAL_MAIL_PROVIDERS[_pools.COUNTRIES[c]]
        pick = rng.integers(0, len(providers), size=len(rows))
        _assign(
            out,
            rows,
            [
                f"{q}@qq.com"
                if providers[k] == "qq.com"
                else f"{f}.{s}@{providers[k]}"
                if u < 0.5
                else f"{f}{s}{y}@{providers[k]}"
                for k, f, s, y, u, q in zip(
                    pick.tolist(),
                    first[rows],
                    last[rows],
                    year[rows].tolist(),
                    style[rows],
                    qq[rows].tolist(),
                    strict=True,
                )
            ],
        )
    return out


def _duplicate_names(
    rng: np.random.Generator, rows: IntArray, first: ObjArray, last: ObjArray, is_zh: BoolArray
) -> None:
    """Spell a duplicate's name differently: pinyin, nickname, no accents, typo, swap."""
    d = len(rows)
    zh_rows = rows[is_zh[rows] & (rng.random(d) < 0.45)]
    _assign(first, zh_rows, [_pinyin(f) for f in first[zh_rows]])
    _assign(last, zh_rows, [_pinyin(s) for s in last[zh_rows]])
    nick_rows = rows[rng.random(d) < 0.3]
    _assign(
        first,
        nick_rows,
        [
            _pools.NICKNAMES[f][int(x * len(_pools.NICKNAMES[f]))] if f in _pools.NICKNAMES else f
            for f, x in zip(first[nick_rows], rng.random(len(nick_rows)), strict=True)
        ],
    )
    plain = rows[rng.random(d) < 0.2]
    _assign(first, plain, [_strip_accents(f) for f in first[plain]])
    _assign(last, plain, [_strip_accents(s) for s in last[plain]])
    firsts, lasts = first[rows], last[rows]
    _typos(rng, firsts, 0.15)
    _typos(rng, lasts, 0.2)
    first[rows], last[rows] = firsts, lasts
    upper = rows[rng.random(d) < 0.15]
    _assign(last, upper, [s.upper() for s in last[upper]])
    swapped = rows[rng.random(d) < 0.1]
    first[swapped], last[swapped] = last[swapped], first[swapped]


def _duplicate_emails(
    rng: np.random.Generator,
    rows: IntArray,
    email: ObjArray,
    country: IntArray,
    first: ObjArray,
    last: ObjArray,
    own: ObjArray,
    taken: set[str],
) -> None:
    """Same person, another address: case, plus-addressing, personal mailbox, pattern.

    ``own`` is each row's person's own personal address (or None); a new personal
    mailbox is numbered when another person already holds it (``taken``).
    """
    kind = rng.random(len(rows))
    u = rng.random(len(rows))
    personal = _personal_emails(rng, country[rows], first[rows], last[rows])
    for i, (address, mine) in enumerate(zip(personal.tolist(), own[rows].tolist(), strict=True)):
        if address != mine and address in taken:
            personal[i] = _free_address(address, taken)
        taken.add(personal[i])
    out = []
    for r, k, x, own in zip(rows.tolist(), kind, u, personal, strict=True):
        value = email[r]
        if value is None or k < 0.4:
            out.append(value)
        elif k < 0.55:
            out.append(_email_case(value, x))
        elif k < 0.65:
            local, _, domain = value.partition("@")
            out.append(f"{local}+{('crm', 'news', 'work')[int(x * 3)]}@{domain}")
        elif k < 0.8:
            out.append(own)
        elif k < 0.85:
            out.append(f"{first[r][:1]}{last[r]}@{value.partition('@')[2]}")
        else:
            out.append(None)
    _assign(email, rows, out)


def _other_titles(rng: np.random.Generator, lang: IntArray, female: BoolArray) -> list[str]:
    out = []
    for lg, f, u in zip(lang.tolist(), female.tolist(), rng.random(len(lang)), strict=True):
        titles = _pools.TITLES[_LANGS[lg]]
        t = titles[int(u * len(titles))]
        out.append(t.feminine if f else t.masculine)
    return out


# ---------------------------------------------------------------------------------------
# Frames
# ---------------------------------------------------------------------------------------


def _frame(columns: dict[str, tuple[str, Any]], backend: str) -> Any:
    """Build the frame, releasing each source column as soon as it is converted."""
    names = list(columns)
    if backend == "polars":
        series = [_polars_series(name, *columns.pop(name)) for name in names]
        return pl.DataFrame(series)
    data = {name: _pandas_series(*columns.pop(name)) for name in names}
    return pd.DataFrame(data)


def _int_parts(values: Any) -> tuple[IntArray, BoolArray]:
    data = np.asarray(values)
    if data.dtype.kind == "f":
        missing = np.isnan(data)
        return np.where(missing, 0, data).astype(np.int64), missing
    return data.astype(np.int64), np.zeros(len(data), dtype=bool)


def _pandas_series(kind: str, values: Any) -> Any:
    if kind == "text":
        # Through Arrow: a little faster than pd.Series(values, dtype="str"), same dtype.
        return pa.chunked_array([pa.array(values, type=pa.large_string())]).to_pandas()
    if kind == "int":
        data, missing = _int_parts(values)
        return pd.Series(pd.arrays.IntegerArray(data, missing))
    if kind == "float":
        return pd.Series(np.asarray(values, dtype=float))
    if kind == "bool":
        return pd.Series(np.asarray(values, dtype=bool))
    if kind == "date":
        return pd.Series(np.asarray(values, dtype="datetime64[D]").astype("datetime64[us]"))
    return pd.Series(_lists_to_python(values), dtype=object)


def _polars_series(name: str, kind: str, values: Any) -> pl.Series:
    if kind == "text":
        return pl.Series(name, pa.array(values, type=pa.large_string()))
    if kind == "int":
        data, missing = _int_parts(values)
        return pl.Series(name, pa.array(data, mask=missing))
    if kind == "float":
        return pl.Series(name, np.asarray(values, dtype=float), nan_to_null=True)
    if kind == "bool":
        return pl.Series(name, np.asarray(values, dtype=bool))
    if kind == "date":
        return pl.Series(name, np.asarray(values, dtype="datetime64[D]")).cast(pl.Date)
    return pl.Series(name, _lists_to_arrow(values))


def _as_polars(frame: Any) -> pl.DataFrame:
    if isinstance(frame, pl.DataFrame):
        return frame
    # Object columns hold lists; all-empty ones would otherwise come out as list[null].
    lists = {c: pl.List(pl.String) for c in frame.columns if frame[c].dtype == object}
    converted = pl.from_pandas(frame, schema_overrides=lists)
    dates = [c for c in frame.columns if str(frame[c].dtype).startswith("datetime64")]
    if dates:
        converted = converted.with_columns(pl.col(c).cast(pl.Date) for c in dates)
    return converted
