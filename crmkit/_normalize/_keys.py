"""Matching keys for duplicate detection: person names and company names.

A key is transliterated (anyascii: ``张伟`` -> ``zhangwei``), case-folded and stripped of
punctuation; a company key also drops legal forms (SAS, GmbH, Ltd, 有限公司 ...) and sorts
its words. The Arrow kernels of :mod:`crmkit._normalize._arrow_keys` retrace these rules
over whole columns and read the same vocabularies (``_LEGAL_FORMS``,
``_CJK_LEGAL_SUFFIXES``, ``_CJK_LEGAL_PREFIXES``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from anyascii import anyascii

from crmkit._normalize._text import clean_text

__all__ = ["company_key", "name_key"]


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
_CONNECTORS = frozenset({"and", "et", "und"})
"""Words that join names like "&" does ("Baker and Sons" is "Baker & Sons"): not in a key."""
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
    spaces joined (``S A S`` -> ``sas``), the words that join names as "&" does ("and",
    "et", "und") dropped, and the remaining words sorted. A name
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
    >>> company_key("Baker & Sons") == company_key("Baker and Sons Ltd")
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
    core = [token for token in core if token not in _CONNECTORS] or core
    return " ".join(sorted(core))
