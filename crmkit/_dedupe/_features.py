"""What duplicate detection compares: comparisons, normalised values, blocking keys, levels.

Pure logic over columns of values; no database. :func:`prepare` turns the records of a
DataFrame into a :class:`FeatureTable` (one integer code per normalised value, shared
vocabularies, so that equal values are equal codes); :func:`blocking_keys` derives the keys
that :mod:`crmkit._dedupe._blocking` joins on; :func:`compare` gives, for pairs of records,
the agreement level of every :class:`Comparison` and the similarity behind it.

Values are compared normalised: person names without case, accents or punctuation and
transliterated with anyascii (``张伟`` is ``zhang wei``), first names through a nickname table
(Bill is William, JB is Jean-Baptiste); e-mails without case or ``+tag``; phones in E.164;
company names without legal forms and in any word order; web and e-mail domains without
``www.`` (free mail providers such as gmail.com are not a company's domain).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
from rapidfuzz import distance, fuzz, process

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._normalize._values import (
    clean_text,
    company_key,
    email_key,
    name_key,
    normalize_country,
    normalize_phones,
    parse_date,
    phone_digits,
    url_domain,
)
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import table

__all__ = [
    "LEVELS",
    "NICKNAMES",
    "Comparison",
    "FeatureTable",
    "Method",
    "PairLevels",
    "Vocab",
    "blocking_keys",
    "compare",
    "default_comparisons",
    "frame_columns",
    "nickname_groups",
    "person_key",
    "prepare",
    "resolve_comparisons",
    "soundex",
]

IntArray = npt.NDArray[np.int64]
CodeArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]
ObjArray = npt.NDArray[np.object_]
LevelArray = npt.NDArray[np.int8]

Method = Literal[
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "domain",
    "city",
    "postal_code",
    "date",
    "code",
    "text",
    "exact",
]
_METHODS: tuple[str, ...] = get_args(Method)

LEVELS: dict[str, tuple[str, ...]] = {
    "first_name": ("exact", "nickname", "close", "initial", "different"),
    "last_name": ("exact", "close", "similar", "different"),
    "email": ("exact", "same_local", "close", "different"),
    "phone": ("exact", "close", "different"),
    "company": ("exact", "close", "partial", "different"),
    "domain": ("exact", "different"),
    "city": ("exact", "close", "different"),
    "postal_code": ("exact", "close", "different"),
    "date": ("exact", "close", "different"),
    "code": ("exact", "close", "different"),
    "text": ("exact", "close", "similar", "different"),
    "exact": ("exact", "different"),
}
"""Agreement levels of each comparison method, strongest first; ``-1`` codes a null."""

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


@dataclass(frozen=True)
class Comparison:
    """How one field of two records is compared.

    Parameters
    ----------
    name
        Label of the comparison: a column of :attr:`DuplicateReport.pairs` and a word of
        the explanations.
    method
        How values are normalised and compared: ``first_name`` (with nicknames and
        initials), ``last_name``, ``email`` (case and ``+tag`` ignored), ``phone`` (E.164),
        ``company`` (legal forms and word order ignored), ``domain`` (web sites and e-mail
        domains), ``city``, ``postal_code``, ``date``, ``code`` (identifiers: one typo is
        "close"), ``text`` (word-set similarity) or ``exact``.
    columns
        Input columns; several columns are compared "any of" (a phone matches a mobile).
        Defaults to ``(name,)``.
    given
        Names of comparisons this one depends on: when one of them agrees (the first that
        does, in this order), agreement here is weighed against how often *different*
        records that agree there also agree here (colleagues share their company's city
        and switchboard: same company and same city is not twice the evidence).

    Examples
    --------
    >>> Comparison("soc_sec_id", "code").levels
    ('exact', 'close', 'different')
    >>> Comparison("phone", "phone", ("phone", "mobile")).columns
    ('phone', 'mobile')
    """

    name: str
    method: Method
    columns: tuple[str, ...] = ()
    given: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        given = (self.given,) if isinstance(self.given, str) else tuple(self.given or ())
        object.__setattr__(self, "given", given)
        if self.method not in _METHODS:
            raise UnknownValueError(
                "comparison method", self.method, _METHODS, closest(str(self.method), _METHODS)
            )
        if not self.columns:
            object.__setattr__(self, "columns", (self.name,))
        elif isinstance(self.columns, str):
            object.__setattr__(self, "columns", (self.columns,))
        else:
            object.__setattr__(self, "columns", tuple(self.columns))

    @property
    def levels(self) -> tuple[str, ...]:
        """The agreement levels, strongest first."""
        return LEVELS[self.method]


_CONTACT_COMPARISONS = (
    Comparison("first_name", "first_name"),
    Comparison("last_name", "last_name"),
    Comparison("email", "email", ("email", "secondary_email"), given=("company",)),
    Comparison("phone", "phone", ("phone", "mobile", "home_phone"), given=("company",)),
    Comparison("company", "company"),
    Comparison("city", "city", given=("company",)),
    Comparison("postal_code", "postal_code", given=("company", "city")),
    Comparison("birthday", "date"),
)
_ACCOUNT_COMPARISONS = (
    Comparison("name", "company"),
    Comparison("domain", "domain", ("website", "email")),
    Comparison("phone", "phone"),
    Comparison("street", "text", ("billing_street",), given=("postal_code", "city")),
    Comparison("city", "city", ("billing_city",)),
    Comparison("postal_code", "postal_code", ("billing_postal_code",), given=("city",)),
    Comparison("siren", "code"),
    Comparison("naf_code", "exact"),
    Comparison("country", "exact", ("billing_country",)),
)
_REGION_COLUMNS = ("country", "billing_country")
_COLUMN_METHODS: dict[str, Method] = {
    "first_name": "first_name",
    "given_name": "first_name",
    "last_name": "last_name",
    "surname": "last_name",
    "company": "company",
    "name": "company",
    "email": "email",
    "secondary_email": "email",
    "website": "domain",
    "birthday": "date",
    "city": "city",
    "billing_city": "city",
    "postal_code": "postal_code",
    "billing_postal_code": "postal_code",
    "siren": "code",
    "naf_code": "exact",
    "sic_code": "exact",
    "country": "exact",
    "billing_country": "exact",
    "region": "exact",
    "billing_region": "exact",
    "gender": "exact",
}


def _kind(kind: str) -> str:
    return table(kind).name


def default_comparisons(kind: str) -> tuple[Comparison, ...]:
    """The comparisons used for ``"contacts"`` or ``"accounts"`` when none are given.

    Examples
    --------
    >>> [c.name for c in default_comparisons("contacts")][:4]
    ['first_name', 'last_name', 'email', 'phone']
    """
    return _CONTACT_COMPARISONS if _kind(kind) == "contacts" else _ACCOUNT_COMPARISONS


def _method_of(kind: str, column: str) -> Method:
    if column in _COLUMN_METHODS and not (column == "name" and _kind(kind) == "contacts"):
        return _COLUMN_METHODS[column]
    catalog = table(kind)
    if column in catalog:
        found = catalog[column]
        if found.format == "phone":
            return "phone"
        if found.format == "email":
            return "email"
        if found.format == "url":
            return "domain"
        if found.kind == "date":
            return "date"
        if found.vocabulary is not None or found.kind in ("bool", "int"):
            return "exact"
    return "text"


def resolve_comparisons(
    kind: str,
    fields: Sequence[str | Comparison] | None,
    columns: Iterable[str],
) -> tuple[Comparison, ...]:
    """The comparisons to run on a frame with ``columns``.

    ``fields=None`` takes :func:`default_comparisons` and keeps those with at least one
    column in the frame. A string names a default comparison or a column (its method is
    guessed from the catalog: phones, e-mails, web sites, dates, vocabularies; else
    ``text``); a :class:`Comparison` is used as given.

    Raises
    ------
    ValidationError
        A comparison names no column of the frame, or two comparisons share a name.

    Examples
    --------
    >>> [c.method for c in resolve_comparisons("contacts", ["email", "mobile", "notes"],
    ...                                         ["email", "mobile", "notes"])]
    ['email', 'phone', 'text']
    """
    present = set(columns)
    defaults = {c.name: c for c in default_comparisons(kind)}
    if fields is None:
        out = []
        for comparison in defaults.values():
            kept = tuple(c for c in comparison.columns if c in present)
            if kept:
                out.append(Comparison(comparison.name, comparison.method, kept, comparison.given))
        return _drop_missing_given(out)
    resolved: list[Comparison] = []
    for item in fields:
        if isinstance(item, Comparison):
            comparison = item
        elif item in defaults and item not in present:
            comparison = defaults[item]
        elif item in defaults:
            base = defaults[item]
            others = tuple(c for c in base.columns if c != item and c in present)
            comparison = Comparison(base.name, base.method, (item, *others), base.given)
        else:
            comparison = Comparison(item, _method_of(kind, item))
        kept = tuple(c for c in comparison.columns if c in present)
        if not kept:
            raise ValidationError(
                f"comparison {comparison.name!r}: none of its columns "
                f"{list(comparison.columns)} is in the frame (columns: {sorted(present)})"
            )
        resolved.append(Comparison(comparison.name, comparison.method, kept, comparison.given))
    names = [c.name for c in resolved]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValidationError(f"comparisons must have distinct names; repeated: {repeated}")
    return _drop_missing_given(resolved)


def _drop_missing_given(comparisons: Sequence[Comparison]) -> tuple[Comparison, ...]:
    names = {c.name for c in comparisons}
    return tuple(
        Comparison(
            c.name, c.method, c.columns, tuple(g for g in c.given if g in names and g != c.name)
        )
        for c in comparisons
    )


# --------------------------------------------------------------------------------------
# Nicknames and phonetic keys
# --------------------------------------------------------------------------------------

# Formal first name -> the short forms people go by (English and French). A short form may
# belong to several names (Pat: Patrick and Patricia); any shared name makes two first
# names a "nickname" match.
# fmt: off
NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Bill", "Billy", "Will", "Willy", "Liam"),
    "Robert": ("Bob", "Bobby", "Rob", "Robbie", "Bert"),
    "Elizabeth": ("Liz", "Lizzie", "Beth", "Betty", "Betsy", "Eliza", "Lisa", "Elise", "Babeth"),
    "Katherine": ("Kate", "Kathy", "Katie", "Kat", "Kay"),
    "Catherine": ("Cathy", "Kate", "Katie", "Cat", "Cathie"),
    "Kathryn": ("Kate", "Kathy", "Katie"),
    "Margaret": ("Maggie", "Meg", "Peggy", "Marge", "Margot", "Greta"),
    "Richard": ("Rick", "Ricky", "Rich", "Richie", "Dick"),
    "James": ("Jim", "Jimmy", "Jamie", "Jem"),
    "John": ("Jack", "Johnny", "Jon"),
    "Jonathan": ("Jon", "Jonny", "Nathan"),
    "Michael": ("Mike", "Mikey", "Mick", "Mickey"),
    "Christopher": ("Chris", "Kit", "Topher"),
    "Christian": ("Chris",),
    "Christine": ("Chris", "Chrissie", "Tina", "Christina"),
    "Alexander": ("Alex", "Al", "Sandy", "Xander"),
    "Alexandra": ("Alex", "Sandra", "Sasha", "Lexie"),
    "Alexandre": ("Alex",),
    "Nicholas": ("Nick", "Nicky", "Nico"),
    "Nicolas": ("Nico", "Nick"),
    "Jennifer": ("Jen", "Jenny", "Jenn"),
    "Patricia": ("Pat", "Patty", "Trish", "Tricia"),
    "Patrick": ("Pat", "Paddy"),
    "Anthony": ("Tony", "Ant"),
    "Antoine": ("Toine", "Tony"),
    "Steven": ("Steve", "Stevie"),
    "Stephen": ("Steve", "Stevie"),
    "Daniel": ("Dan", "Danny"),
    "Danielle": ("Dani",),
    "Thomas": ("Tom", "Tommy", "Thom"),
    "Joseph": ("Joe", "Joey", "Jo"),
    "Josephine": ("Jo", "Josie"),
    "Charles": ("Charlie", "Chuck", "Chas"),
    "Edward": ("Ed", "Eddie", "Ted", "Teddy", "Ned"),
    "Andrew": ("Andy", "Drew"),
    "Samuel": ("Sam", "Sammy"),
    "Samantha": ("Sam", "Sammy"),
    "Benjamin": ("Ben", "Benny", "Benji"),
    "Matthew": ("Matt", "Matty"),
    "Mathieu": ("Matt", "Math"),
    "Frederick": ("Fred", "Freddie", "Freddy"),
    "Frédéric": ("Fred", "Fredo"),
    "Joshua": ("Josh",),
    "Kenneth": ("Ken", "Kenny"),
    "Timothy": ("Tim", "Timmy"),
    "Nathaniel": ("Nathan", "Nate", "Nat"),
    "Gregory": ("Greg",),
    "Raymond": ("Ray",),
    "Douglas": ("Doug",),
    "Philip": ("Phil", "Pip"),
    "Phillip": ("Phil",),
    "Philippe": ("Phil",),
    "Peter": ("Pete",),
    "Susan": ("Sue", "Susie", "Suzy"),
    "Deborah": ("Debbie", "Deb"),
    "Jessica": ("Jess", "Jessie"),
    "Victoria": ("Vicky", "Tori", "Vic"),
    "Rebecca": ("Becky", "Becca"),
    "Abigail": ("Abby", "Gail"),
    "Theodore": ("Ted", "Teddy", "Theo"),
    "Lawrence": ("Larry", "Laurie"),
    "Leonard": ("Leo", "Len", "Lenny"),
    "Ronald": ("Ron", "Ronnie"),
    "Donald": ("Don", "Donny"),
    "Gerald": ("Gerry", "Jerry"),
    "Harold": ("Harry", "Hal"),
    "Henry": ("Harry", "Hank", "Hal"),
    "Albert": ("Al", "Bert", "Bertie"),
    "Alfred": ("Alfie", "Fred", "Al"),
    "Walter": ("Walt", "Wally"),
    "Vincent": ("Vince", "Vinny"),
    "Zachary": ("Zach", "Zack"),
    "Jacob": ("Jake",),
    "Judith": ("Judy",),
    "Jacqueline": ("Jackie", "Jacky", "Jacquie"),
    "Jacques": ("Jacky", "Jack"),
    "Pamela": ("Pam",),
    "Cynthia": ("Cindy",),
    "Kimberly": ("Kim",),
    "Melissa": ("Mel", "Missy"),
    "Melanie": ("Mel",),
    "Amanda": ("Mandy",),
    "Stephanie": ("Steph", "Stef"),
    "Stéphanie": ("Steph", "Stef"),
    "Stéphane": ("Steph", "Stef"),
    "Isabelle": ("Isa", "Izzy", "Bella"),
    "Isabel": ("Isa", "Izzy", "Bella"),
    "Gabriel": ("Gabe", "Gaby"),
    "Gabrielle": ("Gaby", "Gabi"),
    "Louise": ("Lou", "Lulu"),
    "Louis": ("Lou",),
    "Eleanor": ("Ellie", "Nora", "Nell"),
    "Dorothy": ("Dot", "Dolly"),
    "Barbara": ("Barb", "Babs"),
    "Angela": ("Angie",),
    "Caroline": ("Caro", "Carrie"),
    "Valérie": ("Val",),
    "Véronique": ("Véro",),
    "Dominique": ("Dom",),
    "Sébastien": ("Seb", "Sébastien"),
    "Christophe": ("Chris", "Christo"),
    "Maxime": ("Max",),
    "Maximilien": ("Max",),
    "Emmanuel": ("Manu",),
    "Emmanuelle": ("Manue", "Manu"),
    "François": ("Fanfan", "Francis"),
    "Françoise": ("Fanfan", "Fanny"),
    "Benoît": ("Ben",),
    "Guillaume": ("Guigui", "Will"),
    "Jean-Baptiste": ("JB",),
    "Jean-Pierre": ("JP",),
    "Jean-François": ("JF",),
    "Jean-Marc": ("JM",),
    "Jean-Claude": ("JC",),
    "Jean-Luc": ("JL",),
    "Jean-Michel": ("JM",),
    "Pierre-Yves": ("PY",),
    "Pierre-Henri": ("PH",),
    "Marie-Christine": ("MC",),
    "Marie-Claire": ("MC",),
    "Marie-Hélène": ("MH",),
    "Anne-Sophie": ("AS",),
    "Marie-Pierre": ("MP",),
}
# fmt: on


def _flat(text: str) -> str:
    return person_key(text).replace(" ", "")


@cache
def nickname_groups() -> dict[str, frozenset[int]]:
    """Flat name key -> ids of the nickname groups it belongs to.

    Examples
    --------
    >>> groups = nickname_groups()
    >>> bool(groups["bill"] & groups["william"]), bool(groups["bill"] & groups["robert"])
    (True, False)
    >>> bool(groups["jb"] & groups["jeanbaptiste"])
    True
    """
    groups: dict[str, set[int]] = {}
    for number, (formal, short) in enumerate(NICKNAMES.items()):
        for name in (formal, *short):
            groups.setdefault(_flat(name), set()).add(number)
    return {name: frozenset(ids) for name, ids in groups.items()}


@cache
def _canonical_first() -> dict[str, str]:
    """Flat first name -> the formal name of its first nickname group (for blocking)."""
    formal = [_flat(name) for name in NICKNAMES]
    return {name: formal[min(ids)] for name, ids in nickname_groups().items()}


_SOUNDEX_CODES = str.maketrans("abcdefghijklmnopqrstuvwxyz", "01230120022455012623010202")


def soundex(text: str) -> str:
    """American Soundex of an ASCII name key (``""`` for an empty one).

    Examples
    --------
    >>> soundex("robert"), soundex("rupert"), soundex("tymczak"), soundex("")
    ('r163', 'r163', 't522', '')
    """
    letters = re.sub(r"[^a-z]", "", text)
    if not letters:
        return text[:4]
    digits = letters.translate(_SOUNDEX_CODES)
    out = [letters[0]]
    last = digits[0]
    for char, digit in zip(letters[1:], digits[1:], strict=True):
        if digit != "0" and digit != last:
            out.append(digit)
            if len(out) == 4:
                break
        if char not in "hw":
            last = digit
    return "".join(out).ljust(4, "0")


# --------------------------------------------------------------------------------------
# Normalised values
# --------------------------------------------------------------------------------------

_CJK_CHAR = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")


def person_key(value: Any) -> str:
    """:func:`~crmkit._normalize._values.name_key`, each Chinese character a syllable of its own.

    Examples
    --------
    >>> person_key("张伟"), person_key("Zhang  Wei"), person_key("Hélène")
    ('zhang wei', 'zhang wei', 'helene')
    """
    text = clean_text(value)
    if text is None:
        return ""
    return name_key(_CJK_CHAR.sub(r" \1 ", text))


def _has_cjk(value: Any) -> bool:
    return isinstance(value, str) and _CJK_CHAR.search(value) is not None


_CITY_NOISE = re.compile(r"\s+cedex(\s*\d+)?$|市$")


def _city_key(value: Any) -> str:
    text = clean_text(value)
    if text is None:
        return ""
    return person_key(_CITY_NOISE.sub("", text.casefold()))


def _code_key(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value)
    return "" if text is None else re.sub(r"[\W_]+", "", text).upper()


def _exact_key(value: Any) -> str:
    text = clean_text(value)
    if text is None:
        return ""
    return re.sub(r"[\W_]+", " ", person_key(text)).strip()


def _country_or_text(value: Any) -> str:
    code = normalize_country(value)
    return code if code is not None else _exact_key(value)


def _date_key(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    if isinstance(value, np.datetime64):
        return "" if np.isnat(value) else str(value.astype("datetime64[D]")).replace("-", "")
    try:
        parsed = parse_date(value)
    except ValidationError:
        return _code_key(value)
    return "" if parsed is None else parsed.strftime("%Y%m%d")


# Free mail providers: sharing one says nothing about a company.
# fmt: off
_FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.fr", "yahoo.co.uk", "hotmail.com",
    "hotmail.fr", "hotmail.co.uk", "outlook.com", "outlook.fr", "live.com", "live.fr",
    "msn.com", "aol.com", "icloud.com", "me.com", "mac.com", "protonmail.com", "proton.me",
    "gmx.com", "gmx.fr", "gmx.de", "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr",
    "laposte.net", "neuf.fr", "bbox.fr", "numericable.fr", "btinternet.com", "sky.com",
    "virginmedia.com", "mail.com", "qq.com", "163.com", "126.com", "sina.com", "sohu.com",
    "yeah.net", "foxmail.com", "139.com", "aliyun.com", "web.de", "t-online.de",
})
# Mailboxes of a role, not of a person: their local part does not identify anyone.
_ROLE_LOCALS = frozenset({
    "info", "contact", "contacts", "sales", "admin", "office", "hello", "support", "noreply",
    "no-reply", "bonjour", "accueil", "commercial", "service", "team", "marketing", "rh", "hr",
    "jobs", "compta", "comptabilite", "direction", "secretariat", "mail", "email", "webmaster",
    "enquiries", "inquiries", "billing", "facturation", "ventes", "presse", "press",
})
# fmt: on


def _email_domain_of_key(key: str) -> str:
    return key.rpartition("@")[2]


# --------------------------------------------------------------------------------------
# Vocabularies and feature tables
# --------------------------------------------------------------------------------------


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
        self.index: dict[str, int] = {}
        self._array: ObjArray | None = None
        self._derived: dict[str, npt.NDArray[Any]] = {}
        self._subs: dict[str, Vocab] = {}

    def __len__(self) -> int:
        return len(self.values)

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
class _Vocabs:
    """The vocabularies of one model, by value space (first and last names share one)."""

    spaces: dict[str, Vocab] = field(default_factory=dict)

    def get(self, space: str) -> Vocab:
        if space not in self.spaces:
            self.spaces[space] = Vocab()
        return self.spaces[space]


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
    """

    ids: list[Any]
    codes: dict[str, CodeArray]
    comparisons: tuple[Comparison, ...]
    vocabs: _Vocabs
    chinese_names: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))

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
        return FeatureTable(self.ids + other.ids, codes, self.comparisons, self.vocabs, chinese)


def _widen(codes: CodeArray, width: int) -> CodeArray:
    if codes.shape[1] == width:
        return codes
    pad = np.full((codes.shape[0], width - codes.shape[1]), -1, dtype=np.int32)
    return np.concatenate([codes, pad], axis=1)


def _space(comparison: Comparison) -> str:
    if comparison.method in ("first_name", "last_name"):
        return "person"
    return f"{comparison.method}:{comparison.name}"


def frame_columns(frame: Any, names: Iterable[str]) -> dict[str, list[Any]]:
    """Columns of a pandas or polars frame as lists (``None`` for missing values).

    Examples
    --------
    >>> import pandas as pd
    >>> frame_columns(pd.DataFrame({"a": ["x", None]}), ["a", "b"])
    {'a': ['x', None], 'b': [None, None]}
    """
    n = len(frame)
    present = set(frame.columns)
    out: dict[str, list[Any]] = {}
    for name in names:
        out[name] = _column_list(frame[name]) if name in present else [None] * n
    return out


def _column_list(column: Any) -> list[Any]:
    to_arrow = getattr(column, "to_arrow", None)  # polars
    try:
        array = to_arrow() if callable(to_arrow) else pa.array(column, from_pandas=True)
        return list(array.to_pylist())
    except (pa.ArrowException, TypeError, ValueError):
        values = column.to_list() if hasattr(column, "to_list") else list(column)
        return [None if _missing(v) else v for v in values]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    return type(value).__name__ in ("NAType", "NaTType")


def _map_text(values: list[Any], func: Callable[[Any], str | None]) -> list[str]:
    """``func`` of each value (``""`` for ``None`` results), once per distinct value."""
    cache: dict[Any, str] = {None: ""}
    out = []
    for value in values:
        try:
            out.append(cache[value])
        except KeyError:
            result = cache[value] = func(value) or ""
            out.append(result)
        except TypeError:  # unhashable
            out.append(func(value) or "")
    return out


_PLAIN_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+")


def _email_key(value: Any) -> str | None:
    """:func:`~crmkit._normalize._values.email_key`, with a fast path for plain addresses."""
    if isinstance(value, str):
        text = value.strip()
        if _PLAIN_EMAIL.fullmatch(text):
            local, _, domain = text.lower().rpartition("@")
            local = local.split("+", 1)[0]
            if domain in ("gmail.com", "googlemail.com"):
                local, domain = local.replace(".", ""), "gmail.com"
            return f"{local}@{domain}"
    return email_key(value)


def _phones(
    columns: list[list[Any]], regions: Sequence[str | None], default: str
) -> list[list[str]]:
    out: list[list[str]] = []
    region_of = [r or default for r in regions]
    distinct = sorted(set(region_of))
    for values in columns:
        keys = [""] * len(values)
        for region in distinct:
            rows = [i for i, r in enumerate(region_of) if r == region and values[i] is not None]
            if not rows:
                continue
            results = normalize_phones([values[i] for i in rows], region, workers=1)
            for i, result in zip(rows, results, strict=True):
                if result.value is None:
                    continue
                if result.ok:
                    keys[i] = result.value
                else:
                    digits = phone_digits(result.value)
                    keys[i] = digits if len(digits) >= 6 else ""
        out.append(keys)
    return out


def _domains(columns: list[list[Any]], names: Sequence[str]) -> list[list[str]]:
    out = []
    for name, values in zip(names, columns, strict=True):
        if "mail" in name:
            keys = _map_text(values, lambda v: _email_domain_of_key(_email_key(v) or ""))
        else:
            keys = _map_text(values, url_domain)
        out.append(["" if k in _FREE_MAIL else k for k in keys])
    return out


def _split_full_names(first: list[str], last: list[str], written: list[Any]) -> None:
    """A full name written in the last-name cell, with no first name: split it.

    At the first space ("Jean Dupont", "淑珍 冯"); a Chinese name written without a space
    ("张伟") splits after its first character, the family name. Which part is the first
    name matters little: swapped names are recognised when comparing.
    """
    for i, f in enumerate(first):
        text = clean_text(written[i])
        if f or text is None:
            continue
        head, _, tail = text.partition(" ")
        if not tail and _has_cjk(text) and len(text) > 1:
            head, tail = text[1:], text[:1]
        if head and tail:
            first[i] = person_key(head).replace(" ", "")
            last[i] = person_key(tail).replace(" ", "")


_NORMALISERS: dict[str, Callable[[Any], str]] = {
    "company": company_key,
    "city": _city_key,
    "postal_code": _code_key,
    "date": _date_key,
    "code": _code_key,
    "text": person_key,
}


def _normalise(
    comparison: Comparison,
    columns: dict[str, list[Any]],
    regions: Sequence[str | None],
    phone_region: str,
) -> list[list[str]]:
    cols = [columns[c] for c in comparison.columns]
    method = comparison.method
    if method in ("first_name", "last_name"):
        return [_map_text(v, lambda x: person_key(x).replace(" ", "")) for v in cols]
    if method == "email":
        return [_map_text(v, _email_key) for v in cols]
    if method == "phone":
        return _phones(cols, regions, phone_region)
    if method == "domain":
        return _domains(cols, comparison.columns)
    if method == "exact":
        country = any("country" in c for c in comparison.columns)
        exact: Callable[[Any], str | None] = _country_or_text if country else _exact_key
        return [_map_text(v, exact) for v in cols]
    return [_map_text(v, _NORMALISERS[method]) for v in cols]


def prepare(
    frame: Any,
    comparisons: Sequence[Comparison],
    *,
    ids: Sequence[Any],
    vocabs: _Vocabs | None = None,
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
    >>> frame = pd.DataFrame({"first_name": ["Bill", "伟"], "last_name": ["Smith", "张"]})
    >>> table_ = prepare(frame, resolve_comparisons("contacts", None, frame.columns), ids=[1, 2])
    >>> table_.vocab(table_.comparisons[0]).take(table_.codes["first_name"][:, 0]).tolist()
    ['bill', 'wei']
    """
    vocabs = vocabs if vocabs is not None else _Vocabs()
    needed = {c for comparison in comparisons for c in comparison.columns}
    region_column = next((c for c in _REGION_COLUMNS if c in set(frame.columns)), None)
    if region_column is not None:
        needed.add(region_column)
    columns = frame_columns(frame, sorted(needed))
    regions: Sequence[str | None] = (
        _map_text(columns[region_column], normalize_country)
        if region_column is not None
        else [None] * len(frame)
    )
    normalised = {c.name: _normalise(c, columns, regions, phone_region) for c in comparisons}
    first = next((c for c in comparisons if c.method == "first_name"), None)
    last = next((c for c in comparisons if c.method == "last_name"), None)
    chinese = np.zeros(len(frame), dtype=bool)
    if first is not None and last is not None:
        _split_full_names(
            normalised[first.name][0], normalised[last.name][0], columns[last.columns[0]]
        )
        for column in (*first.columns, *last.columns):
            chinese |= np.asarray([_has_cjk(v) for v in columns[column]], dtype=bool)
    codes: dict[str, CodeArray] = {}
    for comparison in comparisons:
        vocab = vocabs.get(_space(comparison))
        per_column = [vocab.encode(v) for v in normalised[comparison.name]]
        stacked = np.stack(per_column, axis=1) if per_column else np.empty((len(frame), 0))
        codes[comparison.name] = np.ascontiguousarray(stacked, dtype=np.int32)
    return FeatureTable(list(ids), codes, tuple(comparisons), vocabs, chinese)


# --------------------------------------------------------------------------------------
# Blocking keys
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Keys:
    """The blocking keys of one rule, in long form: record rows and their key strings."""

    rule: str
    rows: IntArray
    keys: list[str]
    fields: tuple[str, ...] = ()  # comparisons that agree (more or less) within a block
    # Whether different records sharing this key are otherwise like random pairs (a shared
    # name or e-mail: namesakes are strangers), so that EM may learn m from its pairs.
    identity: bool = False


def _long(
    rule: str, per_row: Sequence[str | None], fields: tuple[str, ...], identity: bool = False
) -> _Keys:
    rows = [i for i, k in enumerate(per_row) if k]
    return _Keys(
        rule, np.asarray(rows, dtype=np.int64), [per_row[i] or "" for i in rows], fields, identity
    )


def _long_multi(
    rule: str,
    codes: CodeArray,
    strings: Callable[[int], str],
    fields: tuple[str, ...],
    identity: bool = False,
) -> _Keys:
    rows, cols = np.nonzero(codes >= 0)
    keys = [strings(c) for c in codes[rows, cols].tolist()]
    keep = [i for i, k in enumerate(keys) if k]
    return _Keys(rule, rows[keep].astype(np.int64), [keys[i] for i in keep], fields, identity)


def _strings(table_: FeatureTable, name: str) -> list[str]:
    comparison = next(c for c in table_.comparisons if c.name == name)
    vocab = table_.vocab(comparison).values
    return [vocab[c] if c >= 0 else "" for c in table_.primary(name).tolist()]


def sort_key(table_: FeatureTable) -> list[str]:
    """The order of records inside a big block: by name, so that neighbours look alike."""
    names = [c.name for c in table_.comparisons if c.method in ("last_name", "first_name")]
    if not names:
        names = [c.name for c in table_.comparisons if c.method in ("company", "text")][:1]
    if not names:
        return [""] * len(table_)
    parts = [_strings(table_, n) for n in names]
    return ["|".join(p) for p in zip(*parts, strict=True)]


def blocking_keys(table_: FeatureTable) -> list[_Keys]:
    """Blocking keys of every record, one :class:`_Keys` per rule.

    Rules follow the comparisons present: exact e-mail, e-mail local part, each phone,
    each domain, exact identifiers and dates; for people, Soundex of first and last name
    in either order, name prefixes in either order, last name with first initial,
    company with city and postal code with last-name Soundex; for companies, the
    normalised name, and each word of the name with the city.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"first_name": ["Bill"], "last_name": ["Smith"],
    ...                       "email": ["B.Smith+crm@X.com"]})
    >>> keys = blocking_keys(prepare(frame, resolve_comparisons("contacts", None,
    ...                                                         frame.columns), ids=[1]))
    >>> {k.rule: k.keys[0] for k in keys}["email"]
    'b.smith@x.com'
    """
    out: list[_Keys] = []
    by_method: dict[str, Comparison] = {}
    for comparison in table_.comparisons:
        by_method.setdefault(comparison.method, comparison)
        vocab = table_.vocab(comparison).values
        codes = table_.codes[comparison.name]
        method = comparison.method
        if method == "phone":  # the subscriber number: whatever country was assumed
            out.append(
                _long_multi(
                    comparison.name, codes, _tail_of(table_.vocab(comparison)), (comparison.name,)
                )
            )
        elif method in ("email", "domain", "code", "date"):
            out.append(
                _long_multi(
                    comparison.name,
                    codes,
                    vocab.__getitem__,
                    (comparison.name,),
                    method in _IDENTITY_METHODS,
                )
            )
        if method == "email":
            out.append(
                _long_multi(
                    f"{comparison.name}_local", codes, _email_local(vocab), (comparison.name,)
                )
            )
    first = by_method.get("first_name")
    last = by_method.get("last_name")
    if first is not None and last is not None:
        out.extend(_name_keys(table_, first, last))
    company = by_method.get("company")
    city = by_method.get("city")
    if company is not None:
        companies = _strings(table_, company.name)
        cities = _strings(table_, city.name) if city is not None else [""] * len(table_)
        together = (company.name, city.name) if city is not None else (company.name,)
        if first is None and last is None:
            out.append(_long(company.name, companies, (company.name,), True))
            out.append(_company_tokens(companies, cities, company.name, together))
        else:
            out.append(
                _long(
                    f"{company.name}_{city.name if city else 'city'}",
                    [f"{c}|{t}" if c else "" for c, t in zip(companies, cities, strict=True)],
                    together,
                )
            )
    postal = by_method.get("postal_code")
    if postal is not None and last is not None:
        postals = _strings(table_, postal.name)
        lasts = _strings(table_, last.name)
        out.append(
            _long(
                f"{postal.name}_{last.name}",
                [
                    f"{p}|{soundex(s)}" if p and s else ""
                    for p, s in zip(postals, lasts, strict=True)
                ],
                (postal.name, last.name),
            )
        )
    return [k for k in out if len(k.rows)]


def _tail_of(phones: Vocab) -> Callable[[int], str]:
    codes, tails = _tails(phones), phones.sub("tail").values

    def tail(code: int) -> str:
        found = int(codes[code])
        return tails[found] if found >= 0 else ""

    return tail


# Keys shared by different records only by chance (an e-mail, an identifier, a birthday, a
# web domain), unlike a phone (a switchboard) or a city.
_IDENTITY_METHODS = frozenset({"email", "code", "date", "domain"})


def _email_local(vocab: list[str]) -> Callable[[int], str]:
    def local(code: int) -> str:
        part = vocab[code].rpartition("@")[0]
        if len(part) < 4 or part in _ROLE_LOCALS:
            return ""
        return part

    return local


def _name_keys(table_: FeatureTable, first: Comparison, last: Comparison) -> list[_Keys]:
    vocab = table_.vocab(first)
    canon = _canonical_first()
    sounds = vocab.sub("soundex")
    sound = vocab.derived(
        "soundex", lambda values: sounds.encode([soundex(canon.get(v, v)) for v in values])
    )
    sound_values = sounds.values
    values = vocab.values
    canonical = vocab.derived(
        "canonical", lambda vs: np.asarray([canon.get(v, v) for v in vs], dtype=object)
    )
    phonetic, prefix, initial = [], [], []
    firsts = table_.codes[first.name][:, 0].tolist()
    lasts = table_.codes[last.name][:, 0].tolist()
    for f, s in zip(firsts, lasts, strict=True):
        if f < 0 and s < 0:
            phonetic.append("")
            prefix.append("")
            initial.append("")
            continue
        fs = sound_values[sound[f]] if f >= 0 else ""
        ss = sound_values[sound[s]] if s >= 0 else ""
        phonetic.append(f"{fs}|{ss}" if fs <= ss else f"{ss}|{fs}")
        fp = values[f][:3] if f >= 0 else ""
        sp = values[s][:3] if s >= 0 else ""
        prefix.append(f"{fp}|{sp}" if fp <= sp else f"{sp}|{fp}")
        initial.append(f"{values[s]}|{canonical[f][:1] if f >= 0 else ''}" if s >= 0 else "")
    both = (first.name, last.name)
    return [
        _long("name_soundex", phonetic, both, True),
        _long("name_prefix", prefix, both),
        _long("last_name_initial", initial, both),
    ]


_COMPANY_STOP = frozenset({"and", "et", "the", "de", "du", "des", "la", "le", "les", "of", "&"})


def _company_tokens(
    companies: list[str], cities: list[str], name: str, fields: tuple[str, ...]
) -> _Keys:
    rows: list[int] = []
    keys: list[str] = []
    for i, (company, city) in enumerate(zip(companies, cities, strict=True)):
        for token in set(company.split(" ")):
            if len(token) >= 3 and token not in _COMPANY_STOP:
                rows.append(i)
                keys.append(f"{token}|{city}")
    return _Keys(f"{name}_word_city", np.asarray(rows, dtype=np.int64), keys, fields)


# --------------------------------------------------------------------------------------
# Comparing pairs
# --------------------------------------------------------------------------------------


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
    similarity: FloatArray
    swapped: BoolArray


Scorer = Callable[..., Any]


class _Distinct:
    """The distinct value pairs among pairs of codes, scored once each by rapidfuzz."""

    def __init__(self, ca: CodeArray, cb: CodeArray, vocab: Vocab) -> None:
        self.vocab = vocab
        combined = ca.astype(np.int64) * (len(vocab) + 1) + cb.astype(np.int64)
        if _mostly_distinct(combined):
            self.inverse = np.arange(len(combined))
            unique = combined
        else:
            self.inverse, unique = pd.factorize(combined)  # a hash table: faster than sorting
        self.codes_a = (unique // (len(vocab) + 1)).astype(np.int64)
        self.codes_b = (unique % (len(vocab) + 1)).astype(np.int64)
        self.left = vocab.take(self.codes_a).tolist()
        self.right = vocab.take(self.codes_b).tolist()

    def score(self, scorer: Scorer, scale: float = 1.0, cutoff: float | None = None) -> FloatArray:
        """``scorer`` of every pair (each distinct pair computed once), divided by ``scale``;
        below ``cutoff`` (in the scorer's own scale), 0."""
        return np.asarray(self.distinct_scores(scorer, scale, cutoff)[self.inverse])

    def distinct_scores(
        self, scorer: Scorer, scale: float = 1.0, cutoff: float | None = None
    ) -> FloatArray:
        """``scorer`` of each distinct pair, in the order of :attr:`codes_a`."""
        if not self.left:
            return np.zeros(0, dtype=np.float32)
        workers = -1 if len(self.left) > 50_000 else 1
        scores = process.cpdist(
            self.left,
            self.right,
            scorer=scorer,
            workers=workers,
            dtype=np.float32,
            score_cutoff=cutoff,
        )
        out = np.asarray(scores, dtype=np.float32)
        if scale != 1.0:
            out = out / np.float32(scale)
        return out


_SAMPLE = 20_000


def _mostly_distinct(combined: IntArray) -> bool:
    """Whether nearly every pair of values is distinct (then deduplicating costs more than
    it saves), judged on a sample."""
    if len(combined) < 10 * _SAMPLE:
        return False
    sample = combined[:: len(combined) // _SAMPLE]
    return len(np.unique(sample)) > 0.8 * len(sample)


def _similarity(
    ca: CodeArray,
    cb: CodeArray,
    vocab: Vocab,
    scorer: Scorer,
    scale: float = 1.0,
    cutoff: float | None = None,
) -> FloatArray:
    """rapidfuzz ``scorer`` of the value pairs, computed once per distinct pair."""
    if len(ca) == 0:
        return np.zeros(0, dtype=np.float32)
    return _Distinct(ca, cb, vocab).score(scorer, scale, cutoff)


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


_PHONE_TAIL = 8


def _tail(phone: str) -> str:
    """The last 8 digits of a phone: the same number however its country was guessed."""
    digits = re.sub(r"\D", "", phone)
    return digits[-_PHONE_TAIL:] if len(digits) >= _PHONE_TAIL else ""


def _tails(vocab: Vocab) -> CodeArray:
    return vocab.derived(
        "tail", lambda values: vocab.sub("tail").encode([_tail(v) for v in values])
    )


def _any_tail_equal(a: CodeArray, b: CodeArray, vocab: Vocab) -> BoolArray:
    tails = _tails(vocab)
    if len(tails) == 0:  # the column is empty everywhere: nothing can be equal
        return np.zeros(a.shape[0], dtype=bool)
    ta = np.where(a >= 0, tails[np.maximum(a, 0)], -1)
    tb = np.where(b >= 0, tails[np.maximum(b, 0)], -1)
    return _any_equal(ta, tb)


def _levels_for(
    comparison: Comparison,
    a: CodeArray,
    b: CodeArray,
    vocab: Vocab,
    chinese: BoolArray | None = None,
) -> tuple[LevelArray, FloatArray]:
    """Levels and similarities of one comparison for code matrices ``a`` and ``b``.

    ``chinese`` marks the pairs of two names written in Chinese characters: for them,
    pinyin that is merely close (晓红 and 小龙: xiaohong and xiaolong) is no agreement.
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
    distinct = _Distinct(ra, rb, vocab)
    jaro_winkler = distance.JaroWinkler.normalized_similarity
    if method == "first_name":
        sim = distinct.score(jaro_winkler, cutoff=_JW_FIRST_CLOSE)
        sub[(sim >= _JW_FIRST_CLOSE) | _one_typo(ra, rb, vocab)] = 2
        sub[_initial_match(ra, rb, vocab)] = 3
        sub[_nickname_match(ra, rb, vocab)] = 1
    elif method == "last_name":
        sim = distinct.score(jaro_winkler, cutoff=_JW_LAST_SIMILAR)
        sub[sim >= _JW_LAST_SIMILAR] = 2
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
                _similarity(
                    ra[partial], rb[partial], vocab, fuzz.ratio, 100.0, 100 * _COMPANY_CLOSE
                )
                >= _COMPANY_CLOSE
            )
        sub[partial | _brand_in_transliteration(distinct)] = 2
        sub[close] = 1
    elif method == "city":
        sim = distinct.score(jaro_winkler, cutoff=_JW_CITY_CLOSE)
        sub[sim >= _JW_CITY_CLOSE] = 1
    elif method == "text":
        sim = distinct.score(fuzz.token_set_ratio, 100.0, cutoff=100 * _TEXT_SIMILAR)
        sub[sim >= _TEXT_SIMILAR] = 2
        sub[sim >= _TEXT_CLOSE] = 1
    else:  # exact, domain: nothing between equal and different
        sim = np.zeros(len(rest), dtype=np.float32)
    if chinese is not None and method in ("first_name", "last_name"):
        sub[chinese[rest] & (sub > 0)] = len(comparison.levels) - 1
    levels[rest] = sub
    sims[rest] = sim
    return levels, sims


def _brand_in_transliteration(distinct: _Distinct) -> BoolArray:
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
        out[maybe] = _similarity(ra[maybe], rb[maybe], vocab, distance.OSA.distance) <= 1
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
                        [len(p) >= 4 and p not in _ROLE_LOCALS for p in local_parts], dtype=np.int32
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
        typo[maybe] = _similarity(la[maybe], lb[maybe], locals_, distance.OSA.distance) <= 1
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
    straight: FloatArray,
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
    cross_first = _similarity(fa[maybe], lb[maybe], vocab, jaro_winkler)
    cross_last = _similarity(la[maybe], fb[maybe], vocab, jaro_winkler)
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
    for k, comparison in enumerate(comparisons):
        if wanted is not None and comparison.name not in wanted:
            continue
        a = left.codes[comparison.name][ia]
        b = right.codes[comparison.name][ib]
        levels[:, k], sims[:, k] = _levels_for(comparison, a, b, left.vocab(comparison), chinese)
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
        # Which crosswise pair is "the first names" depends on the side one stands on:
        # each comparison takes the better of the two, so that comparing is symmetric.
        for k in (first, last):
            one, sim_one = _levels_for(comparisons[k], fa, lb, vocab, both)
            two, sim_two = _levels_for(comparisons[k], la, fb, vocab, both)
            better = _rank(two) < _rank(one)
            levels[rows, k] = np.where(better, two, one)
            sims[rows, k] = np.where(better, sim_two, sim_one)
    _local_part_is_the_name(comparisons, levels, first, last)
    return PairLevels(levels, sims, swapped)


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
