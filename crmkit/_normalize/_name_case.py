"""Person names typed all in capitals or all in lower case, put in name case.

``"DUPONT"`` → ``"Dupont"``, ``"jean-pierre"`` → ``"Jean-Pierre"``, ``"MCDONALD"`` →
``"McDonald"``, ``"O'BRIEN"`` → ``"O'Brien"``, ``"DE LA FONTAINE"`` → ``"de la
Fontaine"``. A name already written with both cases is left as its owner wrote it
("McEwan", "van Gogh", "DeVito"): only a name with no case information is rewritten.
"""

from __future__ import annotations

import re

__all__ = ["name_case", "needs_name_case"]

# Particles written in lower case inside a name ("Jean de la Fontaine", "van der Berg").
# A particle that ends the name is a name of its own ("Du", "Van"), so it is capitalised.
_PARTICLES = frozenset({"de", "des", "du", "van", "von", "der", "den", "da", "di", "del", "dos"})
# Articles lower only right after a particle ("de la Fontaine", "van den Berg"); first
# in a name they are part of it ("Le Goff", "La Rochelle").
_ARTICLES = frozenset({"la", "le", "les", "ter", "het"})
# "Mac" starts these Scottish and Irish names; elsewhere it is ordinary letters
# ("Machado", "Mackie"), so only these get a capital after it.
_MAC_NAMES = frozenset(
    {
        "allister", "arthur", "aulay", "donald", "dougall", "farlane", "gregor", "innes",
        "intosh", "iver", "kay", "kenzie", "kinnon", "lachlan", "lean", "leod", "millan",
        "naughton", "neil", "pherson", "queen", "rae",
    }
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)


def needs_name_case(text: str) -> bool:
    """True when ``text`` has letters but no case information (all upper or all lower).

    Examples
    --------
    >>> needs_name_case("DUPONT"), needs_name_case("dupont"), needs_name_case("Dupont")
    (True, True, False)
    >>> needs_name_case("王芳"), needs_name_case("42")
    (False, False)
    """
    has_case = text.upper() != text.lower()
    return has_case and (text == text.upper() or text == text.lower())


def _capital(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


def _word_case(word: str) -> str:
    """One word: ``O'Brien``, ``d'Alembert``, ``McDonald``, ``MacLeod``, ``Dupont``."""
    lower = word.lower()
    for mark in ("'", "’"):
        if mark in lower:
            head, _, tail = lower.partition(mark)
            if head == "d" and tail:
                return "d" + mark + _word_case(tail)
            return _word_case(head) + mark + _word_case(tail)
    if lower.startswith("mc") and len(lower) > 3:
        return "Mc" + _capital(lower[2:])
    if lower.startswith("mac") and lower[3:] in _MAC_NAMES:
        return "Mac" + _capital(lower[3:])
    return _capital(lower)


def name_case(text: str) -> str:
    """``text`` in name case when it is all capitals or all lower case, else unchanged.

    Words are split on spaces and hyphens (the separators are kept as written); a
    particle (de, du, van, von ...) stays lower case inside a name and the articles le /
    la follow a particle ("de la Fontaine"); Mc, Mac (of Scottish names) and O' take a
    capital after them.

    Examples
    --------
    >>> name_case("DUPONT"), name_case("jean-pierre"), name_case("MCDONALD")
    ('Dupont', 'Jean-Pierre', 'McDonald')
    >>> name_case("O'BRIEN"), name_case("DE LA FONTAINE"), name_case("LE GOFF")
    ("O'Brien", 'de la Fontaine', 'Le Goff')
    >>> name_case("VAN DER BERG"), name_case("du"), name_case("MACLEOD"), name_case("MACHADO")
    ('van der Berg', 'Du', 'MacLeod', 'Machado')
    >>> name_case("McEwan"), name_case("ÉLODIE")
    ('McEwan', 'Élodie')
    """
    if not needs_name_case(text):
        return text
    words = list(_WORD.finditer(text))
    out: list[str] = []
    last = 0
    previous_particle = False
    for index, match in enumerate(words):
        word = match.group()
        lower = word.lower()
        inside = index < len(words) - 1
        if inside and (lower in _PARTICLES or (previous_particle and lower in _ARTICLES)):
            cased = lower
            previous_particle = True
        else:
            cased = _word_case(word)
            previous_particle = False
        out.append(text[last : match.start()])
        out.append(cased)
        last = match.end()
    out.append(text[last:])
    return "".join(out)
