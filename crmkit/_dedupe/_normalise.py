"""Normalised values: what each comparison method compares, as key strings (``""``: null).

Person names as :func:`~crmkit._dedupe._names.name_words` without spaces (no "Jr."); street
addresses as :func:`~crmkit._dedupe._streets.street_key` (abbreviations spelt out); e-mails without
case or ``+tag``; phones in E.164 (their digits when they do not parse); company names
without legal forms and in any word order; web and e-mail domains without ``www.`` (free
mail providers such as gmail.com are no company's domain); cities without ``CEDEX``; dates
as ``YYYYMMDD``; identifiers without punctuation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np

from crmkit._dedupe._arrays import CodeArray
from crmkit._dedupe._comparisons import Comparison
from crmkit._dedupe._names import has_cjk, name_words, person_key
from crmkit._dedupe._streets import street_key
from crmkit._dedupe._vocab import Vocab
from crmkit._exceptions import ValidationError
from crmkit._normalize import (
    clean_text,
    company_key,
    email_key,
    normalize_country,
    normalize_phones,
    parse_date,
    phone_digits,
    url_domain,
)

__all__ = [
    "FREE_MAIL",
    "ROLE_LOCALS",
    "map_text",
    "name_key",
    "normalise",
    "normalise_column",
    "phone_tails",
    "split_full_names",
]


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
FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.fr", "yahoo.co.uk", "hotmail.com",
    "hotmail.fr", "hotmail.co.uk", "outlook.com", "outlook.fr", "live.com", "live.fr",
    "msn.com", "aol.com", "icloud.com", "me.com", "mac.com", "protonmail.com", "proton.me",
    "gmx.com", "gmx.fr", "gmx.de", "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr",
    "laposte.net", "neuf.fr", "bbox.fr", "numericable.fr", "btinternet.com", "sky.com",
    "virginmedia.com", "mail.com", "qq.com", "163.com", "126.com", "sina.com", "sohu.com",
    "yeah.net", "foxmail.com", "139.com", "aliyun.com", "web.de", "t-online.de",
})
# Mailboxes of a role, not of a person: their local part does not identify anyone.
ROLE_LOCALS = frozenset({
    "info", "contact", "contacts", "sales", "admin", "office", "hello", "support", "noreply",
    "no-reply", "bonjour", "accueil", "commercial", "service", "team", "marketing", "rh", "hr",
    "jobs", "compta", "comptabilite", "direction", "secretariat", "mail", "email", "webmaster",
    "enquiries", "inquiries", "billing", "facturation", "ventes", "presse", "press",
})
# fmt: on


def _email_domain_of_key(key: str) -> str:
    return key.rpartition("@")[2]


def map_text(
    values: list[Any], func: Callable[[Any], str | None], cache: dict[Any, str] | None = None
) -> list[str]:
    """``func`` of each value (``""`` for ``None`` results), once per distinct value.

    ``cache`` (value -> result) is kept between calls on chunks of one column, so that a
    name or a city repeated in every chunk is normalised once.
    """
    if cache is None:
        cache = {}
    cache[None] = ""
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
    """:func:`~crmkit._normalize.email_key`, with a fast path for plain addresses."""
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
            keys = map_text(values, lambda v: _email_domain_of_key(_email_key(v) or ""))
        else:
            keys = map_text(values, url_domain)
        out.append(["" if k in FREE_MAIL else k for k in keys])
    return out


def name_key(value: Any) -> str:
    """The key of a first or last name: its :func:`~crmkit._dedupe._names.name_words`
    without spaces ("Jun-Se" and "Junse" are one key; "Smith Jr." is ``smith``)."""
    return name_words(value).replace(" ", "")


def split_full_names(
    first: list[str], last: list[str], written: list[Any], words: bool = False
) -> None:
    """A full name written in the last-name cell, with no first name: split it.

    At the first space ("Jean Dupont", "淑珍 冯"); a Chinese name written without a space
    ("张伟") splits after its first character, the family name. Which part is the first
    name matters little: swapped names are recognised when comparing. ``words``: the lists
    hold :func:`~crmkit._dedupe._names.name_words`, not keys.
    """
    key = name_words if words else name_key
    for i, f in enumerate(first):
        text = clean_text(written[i])
        if f or text is None:
            continue
        head, _, tail = text.partition(" ")
        if not tail and has_cjk(text) and len(text) > 1:
            head, tail = text[1:], text[:1]
        if head and tail:
            first[i] = key(head)
            last[i] = key(tail)


_NORMALISERS: dict[str, Callable[[Any], str]] = {
    "company": company_key,
    "city": _city_key,
    "postal_code": _code_key,
    "date": _date_key,
    "code": _code_key,
    "text": person_key,
    "street": street_key,
}


def normalise(
    comparison: Comparison,
    columns: dict[str, list[Any]],
    regions: Sequence[str | None],
    phone_region: str,
) -> list[list[str]]:
    """The key strings of each of ``comparison``'s columns (``regions``: each record's
    country, for its phones; ``phone_region`` when it has none)."""
    return [
        normalise_column(comparison, k, columns, regions, phone_region)
        for k in range(len(comparison.columns))
    ]


def normalise_column(
    comparison: Comparison,
    index: int,
    columns: dict[str, list[Any]],
    regions: Sequence[str | None],
    phone_region: str,
    cache: dict[Any, str] | None = None,
) -> list[str]:
    """The key strings of ``comparison``'s column number ``index`` (as :func:`normalise`).

    ``columns`` needs that column only, and ``regions`` only for a phone comparison: a
    preparation reads and normalises one column at a time, in chunks of rows (``cache``:
    that of :func:`map_text`, kept from chunk to chunk).

    Examples
    --------
    >>> from crmkit._dedupe._comparisons import resolve_comparisons
    >>> email = resolve_comparisons("contacts", ["email"], ["email", "secondary_email"])[0]
    >>> normalise_column(email, 1, {"secondary_email": ["A+x@Ex.fr", None]}, [], "FR")
    ['a@ex.fr', '']
    """
    name = comparison.columns[index]
    values = columns[name]
    method = comparison.method
    if method in ("first_name", "last_name"):
        return map_text(values, name_key, cache)
    if method == "email":
        return map_text(values, _email_key, cache)
    if method == "phone":
        return _phones([values], regions, phone_region)[0]
    if method == "domain":
        return _domains([values], [name])[0]
    if method == "exact":
        country = any("country" in c for c in comparison.columns)
        exact: Callable[[Any], str | None] = _country_or_text if country else _exact_key
        return map_text(values, exact, cache)
    return map_text(values, _NORMALISERS[method], cache)


_PHONE_TAIL = 8


def _tail(phone: str) -> str:
    """The last 8 digits of a phone: the same number however its country was guessed."""
    digits = re.sub(r"\D", "", phone)
    return digits[-_PHONE_TAIL:] if len(digits) >= _PHONE_TAIL else ""


def phone_tails(vocab: Vocab) -> CodeArray:
    """Per phone of ``vocab``, the code of its last 8 digits (in ``vocab.sub("tail")``)."""
    return vocab.derived(
        "tail", lambda values: vocab.sub("tail").encode([_tail(v) for v in values])
    )
