"""Street addresses as comparable keys: abbreviations, ordinals and directions spelt one way.

:func:`street_key` writes "12 Av. des Champs-Élysées" and "12 avenue des Champs Elysees"
alike (``12 avenue des champs elysees``), "5th Ave" and "Fifth Avenue" alike (``5 avenue``),
drops what only helps a visitor find the door ("between 5th and 6th", "(at Main St)",
"nr. the station") and reads Chinese and Japanese addresses written with full-width digits
and 号 / 號. Pure functions of strings, English and French.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from crmkit._dedupe._names import person_key
from crmkit._normalize import clean_text

__all__ = ["street_key"]


# Abbreviation or spelling -> the word it stands for (English and French street types,
# directions, "bis" and "ter"). Keys are name keys: lower case, no accents or dots.
# fmt: off
_WORDS: dict[str, str] = {
    "st": "street", "str": "street", "street": "street",
    "ave": "avenue", "av": "avenue", "avn": "avenue", "avenue": "avenue",
    "blvd": "boulevard", "blv": "boulevard", "bd": "boulevard", "bld": "boulevard",
    "bvd": "boulevard", "boul": "boulevard", "boulevard": "boulevard",
    "rd": "road", "road": "road",
    "dr": "drive", "drive": "drive",
    "ln": "lane", "lane": "lane",
    "ct": "court", "court": "court",
    "pl": "place", "place": "place",
    "sq": "square", "square": "square",
    "hwy": "highway", "highway": "highway",
    "pkwy": "parkway", "pky": "parkway", "parkway": "parkway",
    "ter": "ter", "terr": "terrace", "terrace": "terrace",
    "r": "rue", "rue": "rue",
    "chem": "chemin", "ch": "chemin", "chemin": "chemin",
    "rte": "route", "route": "route",
    "imp": "impasse", "impasse": "impasse",
    "fbg": "faubourg", "fg": "faubourg", "faubourg": "faubourg",
    "all": "allee", "allee": "allee",
    "crs": "cours", "cours": "cours",
    "qu": "quai", "quai": "quai",
    "sts": "streets", "streets": "streets",
    "b": "bis", "bis": "bis",
    "n": "n", "north": "n", "nord": "n",
    "s": "s", "south": "s", "sud": "s",
    "e": "e", "east": "e", "est": "e",
    "w": "w", "west": "w", "o": "w", "ouest": "w",
    "ne": "ne", "northeast": "ne", "nw": "nw", "northwest": "nw",
    "se": "se", "southeast": "se", "sw": "sw", "southwest": "sw",
    "mt": "mount", "mount": "mount",
    "ste": "suite", "suite": "suite",
    "fl": "floor", "floor": "floor",
    "hao": "", "haozi": "",  # 号 / 號: "number", after the number of a Chinese address
}
# Ordinals written out -> their number ("fifth", "5th", "1er", "premier" are all "5" or "1").
_ORDINAL_WORDS: dict[str, str] = {
    "first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6",
    "seventh": "7", "eighth": "8", "ninth": "9", "tenth": "10", "eleventh": "11",
    "twelfth": "12", "premier": "1", "premiere": "1", "deuxieme": "2", "troisieme": "3",
    "quatrieme": "4", "cinquieme": "5", "sixieme": "6", "septieme": "7", "huitieme": "8",
    "neuvieme": "9", "dixieme": "10",
}
# fmt: on
_ORDINAL_NUMBER = re.compile(r"^(\d+)(?:st|nd|rd|th|er|ere|e|eme|ieme|e)$")
# Notes that locate the door rather than name the street: from the keyword to the end.
_NOTES = re.compile(
    r"\((?:[^()]*)\)|\[[^\]]*\]"  # anything in brackets
    r"|\s(?:between|btwn|betw|bet|at|near|nr|off|corner\s+of|cnr|entre|pres\s+de|angle)"
    r"[\s.,].*$",
    re.IGNORECASE,
)
_CJK_NUMBER_SIGN = re.compile(r"[号號番]")
_BIS_TER = re.compile(r"(\d)(bis|ter|quater)\b", re.IGNORECASE)


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def street_key(value: Any) -> str:
    """A street address without case, accents, punctuation, abbreviations or visitor notes.

    ``""`` for a null or empty value; never raises.

    Examples
    --------
    >>> street_key("12 Av. des Champs-Élysées") == street_key("12 avenue des Champs Elysees")
    True
    >>> street_key("5th Ave"), street_key("Fifth Avenue")
    ('5 avenue', '5 avenue')
    >>> street_key("350 5th Ave. (between 33rd and 34th Sts.)")
    '350 5 avenue'
    >>> street_key("1er Bd du Nord"), street_key("８８号 建国路")
    ('1 boulevard du n', '88 jian guo lu')
    """
    text = clean_text(value)
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _CJK_NUMBER_SIGN.sub(" ", text)
    text = _BIS_TER.sub(r"\1 \2", _strip_accents(text).casefold())
    located, previous = text, None
    while previous != located:  # nested brackets, several notes
        previous = located
        located = _NOTES.sub(" ", " " + located).strip()
    words = []
    for word in person_key(located or text).split():
        ordinal = _ORDINAL_NUMBER.match(word)
        if ordinal is not None:
            word = str(int(ordinal.group(1)))
        else:
            word = _ORDINAL_WORDS.get(word, _WORDS.get(word, word))
        if word:
            words.append(word)
    return " ".join(words)
