"""Person names: nickname groups (Bill is William), Soundex, name keys and name parts.

Pure functions of strings. :func:`person_key` is a name without case, accents or
punctuation, transliterated with anyascii (``张伟`` is ``zhang wei``), each Chinese character
a syllable of its own; first names meet through a nickname table (Bill is William, JB is
Jean-Baptiste). :func:`name_words` keeps the parts of a name ("Jean-Pierre", "Mary Ann",
"J.-P.") and drops suffixes (Jr., III, fils); :func:`first_name_parts_agree` and
:func:`last_name_parts_agree` compare names part by part (a middle name, initials, the
particles of "de la Fontaine").
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from crmkit._normalize import clean_text, name_key

__all__ = [
    "GLUED_PARTICLES",
    "NICKNAMES",
    "canonical_first",
    "first_name_parts_agree",
    "has_cjk",
    "last_name_parts_agree",
    "name_words",
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


# Generation suffixes written after a name: not part of it ("John Smith Jr." is John Smith).
_SUFFIXES = frozenset(
    {"jr", "jnr", "junior", "sr", "snr", "senior", "ii", "iii", "iv", "fils", "pere", "aine"}
)
# Particles of family names: "de la Fontaine", "van der Berg", "Da Silva" are also written
# without them, or glued to the name ("Lafontaine", "Vanderberg").
_PARTICLES = frozenset(
    {"de", "du", "des", "d", "la", "le", "les", "l", "van", "von", "der", "den", "ter", "ten",
     "da", "di", "do", "dos", "das", "del", "della", "dei", "degli", "zu", "y", "af", "av"}
)  # fmt: skip
GLUED_PARTICLES = ("della", "van", "von", "der", "del", "de", "du", "la", "le", "da", "di")
"""Particles written glued to a family name ("Lafontaine", "Vanderberg")."""
_GLUED_REST = 5  # "Lafontaine" is "Fontaine"; "Dupont" is not "Pont"
_PART_BREAK = re.compile(r"[\s\-\u2010-\u2015.,/_·・]+")


def _piece_words(piece: str) -> list[str]:
    # A name in Chinese characters is one part: its syllables are not a middle name.
    key = person_key(piece)
    return [key.replace(" ", "")] if key and has_cjk(piece) else key.split()


def name_words(value: Any) -> str:
    """The words of a person's name as :func:`person_key` writes them, one per part
    (initials kept apart: "J.-P." is ``j p``), without generation suffixes.

    Its words joined without spaces are the name's key: "Jun-Se", "Jun Se" and "Junse"
    have the same. ``""`` for a null value; never raises.

    Examples
    --------
    >>> name_words("J.-P."), name_words("Jean-Pierre"), name_words("Smith Jr."), name_words("Jr")
    ('j p', 'jean pierre', 'smith', 'jr')
    >>> name_words("Louis de Broglie III"), name_words("丽娟"), name_words("Jun Se")
    ('louis de broglie', 'lijuan', 'jun se')
    """
    text = clean_text(value)
    if text is None:
        return ""
    words = [w for piece in _PART_BREAK.split(text) for w in _piece_words(piece)]
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    return " ".join(words)


def _is_initial_of(short: str, long: str) -> bool:
    return len(short) == 1 and long[:1] == short


def first_name_parts_agree(a: str, b: str) -> str | None:
    """How two first names (:func:`name_words`) with different keys agree part by part.

    ``"close"`` when the parts of one are among those of the other (a middle name or the
    part of a hyphenated name the person goes by: "Mary Ann" and "Mary", "Jun-Se" and
    "Jun"); ``"initial"`` when, part for part, each is the other or its initial ("J.-P."
    and "Jean-Pierre"); else ``None``.

    Examples
    --------
    >>> first_name_parts_agree("mary ann", "mary"), first_name_parts_agree("j p", "jean pierre")
    ('close', 'initial')
    >>> first_name_parts_agree("jean", "jeanne") is None
    True
    """
    wa, wb = a.split(), b.split()
    if not wa or not wb or (len(wa) == 1 and len(wb) == 1):
        return None
    if len(wa) == len(wb) and all(
        x == y or _is_initial_of(x, y) or _is_initial_of(y, x) for x, y in zip(wa, wb, strict=True)
    ):
        return "initial"
    short, long = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    if len(short) < len(long) and all(len(w) > 1 for w in short) and set(short) <= set(long):
        return "close"
    return None


def _last_name_forms(words: str) -> set[str]:
    """A family name without its leading particles, as written and glued."""
    parts = words.split()
    forms = set()
    for start in range(len(parts)):
        rest = parts[start:]
        forms.add("".join(rest))
        head = rest[0]
        for particle in GLUED_PARTICLES:
            if head.startswith(particle) and len(head) - len(particle) >= _GLUED_REST:
                forms.add(head[len(particle) :] + "".join(rest[1:]))
        if parts[start] not in _PARTICLES:
            break
    return forms


def last_name_parts_agree(a: str, b: str) -> str | None:
    """How two family names (:func:`name_words`) with different keys agree part by part.

    ``"close"`` when they are one name with or without its particles ("de la Fontaine",
    "Lafontaine", "Fontaine"); ``"similar"`` when the words of one are among those of the
    other (one part of a double-barrelled name: "Martin-Dupont" and "Dupont"); else
    ``None``.

    Examples
    --------
    >>> last_name_parts_agree("de la fontaine", "lafontaine")
    'close'
    >>> last_name_parts_agree("fontaine", "lafontaine")
    'close'
    >>> last_name_parts_agree("martin dupont", "dupont")
    'similar'
    >>> last_name_parts_agree("dupont", "pont") is None
    True
    """
    if not a or not b:
        return None
    if _last_name_forms(a) & _last_name_forms(b):
        return "close"
    wa = {w for w in a.split() if w not in _PARTICLES}
    wb = {w for w in b.split() if w not in _PARTICLES}
    if wa and wb and wa != wb and (wa <= wb or wb <= wa) and min(len(w) for w in wa | wb) > 1:
        return "similar"
    return None
