"""Person names: nickname groups (Bill is William), Soundex, and name keys.

Pure functions of strings. :func:`person_key` is a name without case, accents or
punctuation, transliterated with anyascii (``张伟`` is ``zhang wei``), each Chinese character
a syllable of its own; first names meet through a nickname table (Bill is William, JB is
Jean-Baptiste).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from crmkit._normalize import clean_text, name_key

__all__ = [
    "NICKNAMES",
    "canonical_first",
    "has_cjk",
    "nickname_groups",
    "person_key",
    "soundex",
]


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
def canonical_first() -> dict[str, str]:
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


_CJK_CHAR = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")


def person_key(value: Any) -> str:
    """:func:`~crmkit._normalize.name_key`, each Chinese character a syllable of its own.

    Examples
    --------
    >>> person_key("张伟"), person_key("Zhang  Wei"), person_key("Hélène")
    ('zhang wei', 'zhang wei', 'helene')
    """
    text = clean_text(value)
    if text is None:
        return ""
    return name_key(_CJK_CHAR.sub(r" \1 ", text))


def has_cjk(value: Any) -> bool:
    """Whether ``value`` is a string with a Chinese character."""
    return isinstance(value, str) and _CJK_CHAR.search(value) is not None
