"""Blocking keys: values two records must share for the pair to be compared at all.

:func:`blocking_keys` derives them from a :class:`~crmkit._dedupe._features.FeatureTable`
(:mod:`crmkit._dedupe._blocking` joins on them, :mod:`crmkit._dedupe._key_index` looks them
up); :func:`sort_key` orders the records inside a big block.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from crmkit._dedupe._arrays import CodeArray, IntArray
from crmkit._dedupe._comparisons import Comparison
from crmkit._dedupe._features import FeatureTable
from crmkit._dedupe._names import canonical_first, soundex
from crmkit._dedupe._normalise import ROLE_LOCALS, phone_tails
from crmkit._dedupe._vocab import Vocab

__all__ = ["RuleKeys", "blocking_key_codes", "blocking_keys", "sort_key", "sort_ranks"]


@dataclass(frozen=True)
class RuleKeys:
    """The blocking keys of one rule, in long form: record rows and their keys.

    The keys are strings (:func:`blocking_keys`), or integers equal where the strings are
    (:func:`blocking_key_codes`: a search's own keys, which need not be compared with
    another preparation's).
    """

    rule: str
    rows: IntArray
    keys: list[str] | IntArray
    fields: tuple[str, ...] = ()  # comparisons that agree (more or less) within a block
    # Whether different records sharing this key are otherwise like random pairs (a shared
    # name or e-mail: namesakes are strangers), so that EM may learn m from its pairs.
    identity: bool = False


def _long(
    rule: str, per_row: Sequence[str | None], fields: tuple[str, ...], identity: bool = False
) -> RuleKeys:
    rows = [i for i, k in enumerate(per_row) if k]
    return RuleKeys(
        rule, np.asarray(rows, dtype=np.int64), [per_row[i] or "" for i in rows], fields, identity
    )


def _long_multi(
    rule: str,
    codes: CodeArray,
    strings: Callable[[int], str],
    fields: tuple[str, ...],
    identity: bool = False,
) -> RuleKeys:
    rows, cols = np.nonzero(codes >= 0)
    keys = [strings(c) for c in codes[rows, cols].tolist()]
    keep = [i for i, k in enumerate(keys) if k]
    return RuleKeys(rule, rows[keep].astype(np.int64), [keys[i] for i in keep], fields, identity)


def _strings(table_: FeatureTable, name: str) -> list[str]:
    comparison = next(c for c in table_.comparisons if c.name == name)
    vocab = table_.vocab(comparison).values
    return [vocab[c] if c >= 0 else "" for c in table_.primary(name).tolist()]


def sort_key(table_: FeatureTable) -> list[str]:
    """The order of records inside a big block: by name, so that neighbours look alike."""
    names = [c.name for c in table_.comparisons if c.method in ("last_name", "first_name")]
    if not names:
        names = [c.name for c in table_.comparisons if c.method in ("company", "text", "street")][
            :1
        ]
    if not names:
        return [""] * len(table_)
    parts = [_strings(table_, n) for n in names]
    return ["|".join(p) for p in zip(*parts, strict=True)]


def blocking_keys(table_: FeatureTable) -> list[RuleKeys]:
    """Blocking keys of every record, one :class:`RuleKeys` per rule.

    Rules follow the comparisons present: exact e-mail, e-mail local part, each phone,
    each domain, exact identifiers and dates; for people, Soundex of first and last name
    in either order, name prefixes in either order, last name with first initial,
    company with city and postal code with last-name Soundex; for companies, the
    normalised name, and each word of the name with the city.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmkit._dedupe._comparisons import resolve_comparisons
    >>> from crmkit._dedupe._features import prepare
    >>> frame = pd.DataFrame({"first_name": ["Bill"], "last_name": ["Smith"],
    ...                       "email": ["B.Smith+crm@X.com"]})
    >>> keys = blocking_keys(prepare(frame, resolve_comparisons("contacts", None,
    ...                                                         frame.columns), ids=[1]))
    >>> {k.rule: k.keys[0] for k in keys}["email"]
    'b.smith@x.com'
    """
    out: list[RuleKeys] = []
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
    codes, tails = phone_tails(phones), phones.sub("tail").values

    def tail(code: int) -> str:
        found = int(codes[code])
        return tails[found] if found >= 0 else ""

    return tail


# Keys shared by different records only by chance (an e-mail, an identifier, a birthday, a
# web domain), unlike a phone (a switchboard) or a city.
_IDENTITY_METHODS = frozenset({"email", "code", "date", "domain"})


def _email_local(vocab: Sequence[str]) -> Callable[[int], str]:
    def local(code: int) -> str:
        part = vocab[code].rpartition("@")[0]
        if len(part) < 4 or part in ROLE_LOCALS:
            return ""
        return part

    return local


def _name_keys(table_: FeatureTable, first: Comparison, last: Comparison) -> list[RuleKeys]:
    vocab = table_.vocab(first)
    canon = canonical_first()
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


# fmt: off
GENERIC_COMPANY_WORDS = frozenset({
    # trades and sectors, English
    "accounting", "advisory", "agency", "apps", "architects", "architecture", "associates",
    "auto", "automotive", "bakery", "bank", "bar", "bistro", "builders", "building", "cafe",
    "capital", "care", "catering", "center", "centre", "chemicals", "clinic", "commerce",
    "communications", "construction", "consultants", "consulting", "contracting", "design",
    "development", "digital", "distribution", "electric", "electronics", "energy",
    "engineering", "enterprises", "equipment", "estates", "export", "express", "farm",
    "farms", "finance", "financial", "foods", "freight", "global", "grill", "group",
    "growers", "health", "healthcare", "holding", "holdings", "home", "homes", "hotel",
    "import", "industrial", "industries", "insurance", "international", "investments",
    "kitchen", "labs", "law", "logistics", "management", "manufacturing", "marketing",
    "media", "medical", "motors", "network", "networks", "outlet", "partners", "pharma",
    "pharmacy", "plumbing", "printing", "products", "properties", "property", "realty",
    "restaurant", "retail", "security", "services", "shop", "software", "solutions",
    "stores", "studio", "supplies", "supply", "systems", "tech", "technologies",
    "technology", "telecom", "trading", "training", "transport", "travel", "ventures",
    "wholesale", "academy", "asset", "assets", "banking", "biotech", "communication",
    "education", "estate", "hospitality", "hotels", "inns", "institute",
    "learning", "legal", "publishing", "real", "studios",
    # French
    "agence", "ateliers", "atelier", "assurances", "avocats", "banque", "batiment",
    "batiments", "boulangerie", "boutique", "boutiques", "btp", "cabinet",
    "clinique", "conseil", "conseils", "entreprise", "etablissements",
    "ets", "expertise", "garage", "gestion", "groupe", "immobilier", "industrie",
    "informatique", "ingenierie", "laboratoires", "laboratoire", "logiciels", "logistique",
    "maison", "mutuelle", "pharmacie", "sante", "societe", "systemes", "transports",
    "travaux", "associes", "automobiles", "comptoir", "cooperative", "editions", "fils",
    "fondation", "fonciere", "formation", "hotellerie", "institut", "medias", "negoce",
    "patrimoine", "solaire", "agri",
    # German, Spanish, Italian
    "bau", "beratung", "gruppe", "handel", "technik", "verwaltung", "grupo", "servicios",
    "soluciones", "construcciones", "gruppo", "servizi", "costruzioni",
})
# fmt: on
"""Words that many unrelated companies of one city share ("Cabinet", "Consulting",
"Solutions"): :func:`_company_tokens` keys them with the initials of the name's other
words. A fixed list, not counts over the table: a record's keys must not depend on the
others (an index adds records and looks them up one at a time)."""


def _company_token_parts(
    companies: Sequence[str], cities: Sequence[str]
) -> Iterator[tuple[int, str, str]]:
    """``(row, word, initial)`` of each company-word key, ``initial`` ``""`` where none."""
    for i, (company, city) in enumerate(zip(companies, cities, strict=True)):
        words = company.split(" ")
        # The city in the name ("Shenzhen Jinhong Import", in Shenzhen) is generic too.
        in_city = city.replace(" ", "")
        generic = {w for w in words if w in GENERIC_COMPANY_WORDS or w == in_city}
        # The initials of the name's own words ("Cabinet Aprool Assurances": a of Aprool),
        # of the other generic ones only when it has no other ("Import Export").
        own = {w[0] for w in words if w and w not in generic}
        for token in sorted(set(words)):
            if len(token) < 3 or token in _COMPANY_STOP:
                continue
            initials = sorted(own or {w[0] for w in words if w and w != token})
            if token not in generic or not initials:
                yield i, token, ""
                continue
            for initial in initials:
                yield i, token, initial


def _company_tokens(
    companies: list[str], cities: list[str], name: str, fields: tuple[str, ...]
) -> RuleKeys:
    """Each word of the name with the city; a generic one with each other word's initial.

    Generic words ("consulting", "cabinet") made blocks of hundreds of accounts in a city,
    paired as sorted neighbourhoods: 178,562 of 179,862 candidates on 55,000 generated
    accounts, for 22 true pairs that no other rule proposes ("Capiot Solutions" and
    "Cpaiot Solutions": the other word is misspelt, rarely its initial). Keyed with the
    initials of the other words, those blocks split into small ones that keep these pairs
    (53,600 candidates, the same true pairs). A name of a generic word alone keeps the
    word with the city.
    """
    rows: list[int] = []
    keys: list[str] = []
    for i, token, initial in _company_token_parts(companies, cities):
        rows.append(i)
        keys.append(f"{token}|{cities[i]}|{initial}" if initial else f"{token}|{cities[i]}")
    return RuleKeys(f"{name}_word_city", np.asarray(rows, dtype=np.int64), keys, fields)


def _company_token_codes(
    table_: FeatureTable, company: Comparison, city: Comparison | None, fields: tuple[str, ...]
) -> RuleKeys:
    """:func:`_company_tokens` with an integer per key: the word's number, the city's code
    and the initial's code point, in place of a string per key (about 90,000 on 55,000
    accounts).

    The names and cities are read as strings :data:`TOKEN_CHUNK` records at a time (the
    vocabularies hold them packed: each read is a new string) and the keys' parts kept
    as int32 until they are put together.
    """
    companies = table_.primary(company.name)
    city_codes = (
        table_.primary(city.name).astype(np.int64) + 1
        if city is not None
        else np.zeros(len(table_), dtype=np.int64)
    )
    company_values = table_.vocab(company).values
    city_values = table_.vocab(city).values if city is not None else ()
    word_of: dict[str, int] = {}
    rows, words, initials = array("i"), array("i"), array("i")
    for start in range(0, len(table_), TOKEN_CHUNK):
        names = [
            company_values[c] if c >= 0 else ""
            for c in companies[start : start + TOKEN_CHUNK].tolist()
        ]
        cities = [
            city_values[c - 1] if c > 0 else ""
            for c in city_codes[start : start + TOKEN_CHUNK].tolist()
        ]
        for i, token, initial in _company_token_parts(names, cities):
            rows.append(start + i)
            words.append(word_of.setdefault(token, len(word_of)))
            initials.append(ord(initial) + 1 if initial else 0)
    del word_of
    row = np.frombuffer(rows, dtype=np.int32)
    # word, city, initial (0: none; code points below 0x110000) in one integer.
    keys = _pair(
        _pair(np.frombuffer(words, dtype=np.int32), city_codes[row]),
        np.frombuffer(initials, dtype=np.int32),
    )
    return _narrow(RuleKeys(f"{company.name}_word_city", row, keys, fields))


TOKEN_CHUNK = 8_192
"""Records whose company names :func:`_company_token_codes` reads as strings at a time."""


# Integer keys (blocking_key_codes): the same rules as blocking_keys, with an integer key
# per record where that builds a string per record (some 80 bytes each, several per record:
# most of what blocking added to a search's memory at a million contacts).


def _string_codes(strings: Sequence[str], *, sort: bool = False) -> IntArray:
    """Integers equal where the strings are (``sort``: in the strings' order)."""
    return pd.factorize(np.asarray([*strings, ""], dtype=object)[:-1], sort=sort)[0].astype(
        np.int64
    )


def _pair(first: IntArray, second: IntArray) -> IntArray:
    """One integer per pair of non-negative integers, equal where both are."""
    return first.astype(np.int64) * (int(second.max(initial=0)) + 1) + second


def _present(
    rule: str, keys: IntArray, fields: tuple[str, ...], identity: bool = False
) -> RuleKeys:
    """The rows whose key is not negative (``-1``: no key)."""
    rows = np.flatnonzero(keys >= 0)
    return _narrow(RuleKeys(rule, rows, keys[rows], fields, identity))


def _multi_codes(
    rule: str, codes: CodeArray, key_of: IntArray, fields: tuple[str, ...], identity: bool = False
) -> RuleKeys:
    """:func:`_long_multi` with ``key_of[code]`` for the string of a value (-1: none)."""
    rows, cols = np.nonzero(codes >= 0)
    keys = np.asarray(key_of, dtype=np.int64)[codes[rows, cols]]
    keep = keys >= 0
    return _narrow(RuleKeys(rule, rows[keep], keys[keep], fields, identity))


def _value_ranks(values: Sequence[str]) -> tuple[IntArray, int]:
    """The rank of each value in string order, and the rank of ``""`` (a missing value)."""
    ranks = _string_codes([*values, ""], sort=True)
    return ranks[:-1], int(ranks[-1])


def _narrow(keys: RuleKeys) -> RuleKeys:
    """``keys`` with int32 rows and keys where they fit (int64: 16 bytes a record and rule,
    held through blocking: 0.4 GB at 1.1M contacts), as each rule's are made: the rules'
    int64 keys are never all held at once."""
    small = np.iinfo(np.int32).max
    rows, codes = keys.rows, keys.keys
    if len(rows) and rows.max() <= small:
        rows = rows.astype(np.int32)
    if isinstance(codes, np.ndarray) and len(codes) and codes.min() >= -1 and codes.max() <= small:
        codes = codes.astype(np.int32)
    return replace(keys, rows=rows, keys=codes)


def blocking_key_codes(table_: FeatureTable) -> list[RuleKeys]:
    """:func:`blocking_keys` with integer keys: the same rules, rows and blocks.

    Two records share an integer key of a rule exactly where they share its string key,
    so the candidate pairs are the same; the strings are made once per distinct value
    (an e-mail's local part, a name's Soundex), not once per record. Keys of different
    tables are not comparable (:class:`~crmkit._dedupe._key_index.KeyIndex` keeps strings).

    Examples
    --------
    >>> import pandas as pd
    >>> from crmkit._dedupe._comparisons import resolve_comparisons
    >>> from crmkit._dedupe._features import prepare
    >>> frame = pd.DataFrame({"first_name": ["Bill", "William", "Ann"],
    ...                       "last_name": ["Smith", "Smith", "Lee"]})
    >>> table_ = prepare(frame, resolve_comparisons("contacts", None, frame.columns),
    ...                  ids=[1, 2, 3])
    >>> [k.keys for k in blocking_keys(table_)][0]
    ['s530|w450', 's530|w450', 'a500|l000']
    >>> [k.keys.tolist() for k in blocking_key_codes(table_)][0]
    [19, 19, 7]
    """
    methods = {c.method for c in table_.comparisons}
    people = "first_name" in methods and "last_name" in methods
    if not people and methods & {"first_name", "last_name"}:
        # A first or a last name alone: the string keys.
        return blocking_keys(table_)
    out: list[RuleKeys] = []
    by_method: dict[str, Comparison] = {}
    for comparison in table_.comparisons:
        by_method.setdefault(comparison.method, comparison)
        vocab = table_.vocab(comparison)
        codes = table_.codes[comparison.name]
        method = comparison.method
        if method == "phone":
            out.append(_multi_codes(comparison.name, codes, phone_tails(vocab), (comparison.name,)))
        elif method in ("email", "domain", "code", "date"):
            out.append(
                _multi_codes(
                    comparison.name,
                    codes,
                    np.arange(len(vocab), dtype=np.int64),
                    (comparison.name,),
                    method in _IDENTITY_METHODS,
                )
            )
        if method == "email":
            local = _email_local(vocab.values)
            locals_ = [local(c) for c in range(len(vocab))]
            key_of = np.where(np.asarray([bool(x) for x in locals_]), _string_codes(locals_), -1)
            out.append(_multi_codes(f"{comparison.name}_local", codes, key_of, (comparison.name,)))
    company = by_method.get("company")
    city = by_method.get("city")
    if not people:  # accounts: the name itself, and each of its words with the city
        if company is not None:
            together = (company.name, city.name) if city is not None else (company.name,)
            names = table_.primary(company.name).astype(np.int64)
            out.append(_present(company.name, names, (company.name,), True))
            out.append(_company_token_codes(table_, company, city, together))
        return [k for k in out if len(k.rows)]
    first, last = by_method["first_name"], by_method["last_name"]
    out.extend(_name_key_codes(table_, first, last))
    if company is not None:
        companies = table_.primary(company.name).astype(np.int64)
        together = (company.name, city.name) if city is not None else (company.name,)
        if city is not None:
            keys = _pair(companies, table_.primary(city.name).astype(np.int64) + 1)
            keys[companies < 0] = -1
        else:
            keys = companies
        out.append(_present(f"{company.name}_{city.name if city else 'city'}", keys, together))
    postal = by_method.get("postal_code")
    if postal is not None:
        postals = table_.primary(postal.name).astype(np.int64)
        lasts = table_.primary(last.name).astype(np.int64)
        used = np.unique(lasts[lasts >= 0])
        last_values = table_.vocab(last).values
        sound_of = np.full(len(last_values) + 1, -1, dtype=np.int64)
        sound_of[used] = _string_codes([soundex(last_values[c]) for c in used.tolist()])
        keys = _pair(np.maximum(postals, 0), sound_of[lasts])
        keys[(postals < 0) | (lasts < 0)] = -1
        out.append(_present(f"{postal.name}_{last.name}", keys, (postal.name, last.name)))
    return [k for k in out if len(k.rows)]


def _name_key_codes(table_: FeatureTable, first: Comparison, last: Comparison) -> list[RuleKeys]:
    """:func:`_name_keys` as integers: each string part ranked once per distinct name."""
    vocab = table_.vocab(first)
    canon = canonical_first()
    sounds = vocab.sub("soundex")
    sound = vocab.derived(
        "soundex", lambda values: sounds.encode([soundex(canon.get(v, v)) for v in values])
    )
    canonical = vocab.derived(
        "canonical", lambda vs: np.asarray([canon.get(v, v) for v in vs], dtype=object)
    )
    firsts = table_.codes[first.name][:, 0].astype(np.int64)
    lasts = table_.codes[last.name][:, 0].astype(np.int64)
    has_f, has_s = firsts >= 0, lasts >= 0
    f, s = np.maximum(firsts, 0), np.maximum(lasts, 0)

    def either_order(ranks: IntArray, empty: int) -> IntArray:
        # "a|b" with a <= b: the pair of ranks, smaller first ("" for a missing name).
        padded = np.append(ranks, empty)  # row len(ranks): a missing name (no names at all)
        rf = padded[np.where(has_f, firsts, len(ranks))]
        rs = padded[np.where(has_s, lasts, len(ranks))]
        keys = _pair(np.minimum(rf, rs), np.maximum(rf, rs))
        keys[~has_f & ~has_s] = -1
        return keys

    # sound_values[-1] where a name has no Soundex (code -1), as the string keys index it.
    sound_ranks, empty_sound = _value_ranks(sounds.values)
    sound_codes = np.asarray(sound, dtype=np.int64)
    if not len(sound_ranks):  # no name has a Soundex
        sound_codes = np.full(len(sound_codes), -1, dtype=np.int64)
        sound_ranks = np.asarray([empty_sound], dtype=np.int64)
    phonetic = either_order(sound_ranks[sound_codes], empty_sound)
    prefix_ranks, empty_prefix = _value_ranks([v[:3] for v in vocab.values])
    prefix = either_order(prefix_ranks, empty_prefix)
    initials = _string_codes([*(c[:1] for c in canonical.tolist()), ""])
    initial = _pair(s, np.where(has_f, initials[f], initials[-1]))
    initial[~has_s] = -1
    both = (first.name, last.name)
    return [
        _present("name_soundex", phonetic, both, True),
        _present("name_prefix", prefix, both),
        _present("last_name_initial", initial, both),
    ]


def sort_ranks(table_: FeatureTable) -> IntArray:
    """The rank of each record's :func:`sort_key` in string order, equal where the keys
    are: the strings made once per distinct combination of names, not once per record.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmkit._dedupe._comparisons import resolve_comparisons
    >>> from crmkit._dedupe._features import prepare
    >>> frame = pd.DataFrame({"first_name": ["Bill", "Ann", "Bill"],
    ...                       "last_name": ["Smith", "Smith", "Smith"]})
    >>> table_ = prepare(frame, resolve_comparisons("contacts", None, frame.columns),
    ...                  ids=[1, 2, 3])
    >>> sort_ranks(table_).tolist()
    [1, 0, 1]
    """
    names = [c.name for c in table_.comparisons if c.method in ("last_name", "first_name")]
    if not names:
        names = [c.name for c in table_.comparisons if c.method in ("company", "text", "street")][
            :1
        ]
    if not names:
        return np.zeros(len(table_), dtype=np.int64)
    by_name = {c.name: c for c in table_.comparisons}
    values = [table_.vocab(by_name[n]).values for n in names]
    combined = np.zeros(len(table_), dtype=np.int64)  # one integer per combination
    for n, v in zip(names, values, strict=True):
        combined = combined * (len(v) + 1) + table_.primary(n).astype(np.int64) + 1
    distinct, inverse = np.unique(combined, return_inverse=True)
    strings = []
    for code in distinct.tolist():
        parts = []
        for v in reversed(values):
            code, c = divmod(code, len(v) + 1)
            parts.append(v[c - 1] if c else "")
        strings.append("|".join(reversed(parts)))
    return _string_codes(strings, sort=True)[inverse]
