"""Spelling variants of free text: OpenRefine's clustering methods on distinct values.

Pure: values and their counts in, clusters out (no database). Two families, as in
OpenRefine's "Cluster and edit":

- **key collision**: values with the same key are variants of each other.
  :func:`fingerprint` (case, accents, punctuation, token order and repeated tokens
  ignored), :func:`ngram_fingerprint` (the sorted distinct character n-grams: also
  ignores spaces inside words) and :func:`phonetic_key` (how the words sound, in English
  with Metaphone, in French with :func:`french_phonetic`).
- **nearest neighbour**: ``levenshtein`` links two values whose folded forms are at most
  ``radius`` edits apart; candidate pairs are blocked by their rarest character
  trigrams (and lengths within the radius), exactly (no pair within the radius is
  missed), so distinct values are not compared all with all.

:func:`cluster_values` runs one method and proposes a canonical value per cluster: the
most frequent, ties broken by a well-cased form (not all capitals, not all lower case).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from anyascii import anyascii

__all__ = [
    "METHODS",
    "Cluster",
    "canonical_value",
    "cluster_values",
    "fingerprint",
    "french_phonetic",
    "ngram_fingerprint",
    "phonetic_key",
]

#: The clustering methods, by the name users give.
METHODS: tuple[str, ...] = ("fingerprint", "ngram-fingerprint", "phonetic", "levenshtein")

#: The languages :func:`phonetic_key` knows.
PHONETIC_LANGS: tuple[str, ...] = ("en", "fr")

_PUNCTUATION = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")


def _folded(text: str) -> str:
    """Lower case ASCII: accents and ligatures folded (``Œ`` → ``oe``), NFKC first."""
    return anyascii(unicodedata.normalize("NFKC", text)).lower()


def fingerprint(text: str) -> str:
    """OpenRefine's fingerprint key: the value's words, folded, sorted and deduplicated.

    Spaces at the ends are ignored, case and accents folded, punctuation removed (a
    hyphen or an apostrophe separates words), then the distinct words sorted.

    Examples
    --------
    >>> fingerprint("Directeur  Commercial"), fingerprint("commercial, DIRECTEUR ")
    ('commercial directeur', 'commercial directeur')
    >>> fingerprint("Saint-Étienne"), fingerprint("Dir. commercial")
    ('etienne saint', 'commercial dir')
    """
    words = _PUNCTUATION.sub(" ", _folded(text.strip())).split()
    return " ".join(sorted(set(words)))


def ngram_fingerprint(text: str, n: int = 2) -> str:
    """OpenRefine's n-gram fingerprint: the distinct character ``n``-grams, sorted.

    Punctuation and every space are removed first, so "Ile de France" and "Île-de-France"
    and "iledefrance" share a key.

    Examples
    --------
    >>> ngram_fingerprint("Paris"), ngram_fingerprint("PA RIS")
    ('arispari', 'arispari')
    >>> ngram_fingerprint("Île-de-France") == ngram_fingerprint("iledefrance")
    True
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    letters = _SPACES.sub("", _PUNCTUATION.sub("", _folded(text)))
    grams = {letters[i : i + n] for i in range(max(1, len(letters) - n + 1))} if letters else set()
    return "".join(sorted(grams))


# French spellings of one sound, applied in this order (longest first where they overlap).
_FRENCH_RULES: tuple[tuple[str, str], ...] = (
    (r"ph", "f"),
    (r"sch|ch|sh", "x"),
    (r"qu|q|ck", "k"),
    (r"gu(?=[eiy])", "g"),
    (r"g(?=[eiy])", "j"),
    (r"c(?=[eiy])", "s"),
    (r"c", "k"),
    (r"gn", "n"),
    (r"th", "t"),
    (r"h", ""),
    (r"w", "v"),
    (r"z", "s"),
    (r"(?<=[aeiouy])s(?=[aeiouy])", "z"),
    (r"eaux?|aux?|au", "o"),
    (r"(?:ai|ei)n", "1"),  # the nasal "in": pain, plein
    (r"ai|ei|et$|er$|ez$", "e"),
    (r"[ae][nm](?![aeiouynm])", "2"),  # the nasal "an": Jean, temps, ambre
    (r"[iy][nm](?![aeiouynm])", "1"),
    (r"o[nm](?![aeiouynm])", "3"),
    (r"ou", "u"),
    (r"y", "i"),
)
_FRENCH_COMPILED = tuple((re.compile(pattern), repl) for pattern, repl in _FRENCH_RULES)
_SILENT_END = re.compile(r"(?<=.)[stdxpe]+$")
_DOUBLED = re.compile(r"(.)\1+")


def french_phonetic(word: str) -> str:
    """A French sound key of one word (a simple, documented cousin of Soundex-FR/Phonex).

    Folds case and accents, keeps letters, writes each group of letters that sounds alike
    the same way ("ph" = "f", "eau" = "au" = "o", "ain" = "in", "c" before e/i = "s" ...),
    drops silent final letters (s, t, d, x, p, e) and doubled letters. Two spellings of a
    word that sound the same in French usually get the same key; it is a key for finding
    variants to review, not a transcription.

    Examples
    --------
    >>> french_phonetic("Paris"), french_phonetic("Pariss"), french_phonetic("PARRIS")
    ('pari', 'pari', 'pari')
    >>> french_phonetic("Bordeaux") == french_phonetic("Bordo")
    True
    >>> french_phonetic("Philippe") == french_phonetic("Filipe")
    True
    """
    text = _DOUBLED.sub(r"\1", "".join(c for c in _folded(word) if c.isalpha()))
    for pattern, repl in _FRENCH_COMPILED:
        text = pattern.sub(repl, text)
    text = _DOUBLED.sub(r"\1", text)
    return _SILENT_END.sub("", text)


def phonetic_key(text: str, lang: str = "en") -> str:
    """A sound key of a whole value: each word's key (Metaphone for ``en``,
    :func:`french_phonetic` for ``fr``), distinct and sorted as :func:`fingerprint` does.

    Examples
    --------
    >>> phonetic_key("Smith Jon", "en") == phonetic_key("john smyth", "en")
    True
    >>> phonetic_key("Saint-Étienne", "fr") == phonetic_key("Saint-Ettiene", "fr")
    True
    >>> phonetic_key("Rue Pasteur", "fr") == phonetic_key("rue pasteurs", "fr")
    True
    """
    if lang not in PHONETIC_LANGS:
        raise ValueError(f"phonetic keys know {', '.join(PHONETIC_LANGS)}, not {lang!r}")
    words = fingerprint(text).split()
    if lang == "fr":
        keys = {french_phonetic(w) or w for w in words}
    else:
        import jellyfish  # a compiled library: loaded only by the phonetic method

        keys = {jellyfish.metaphone(w) or w for w in words}
    return " ".join(sorted(keys))


@dataclass(frozen=True)
class Cluster:
    """Values that are spelling variants of each other.

    Attributes
    ----------
    values
        ``(value, count)`` pairs, most frequent first.
    canonical
        The proposed value: :func:`canonical_value` of ``values``.
    """

    values: tuple[tuple[str, int], ...]
    canonical: str

    @property
    def count(self) -> int:
        """Records holding one of the values."""
        return sum(n for _, n in self.values)


def _casing_penalty(value: str) -> int:
    """0 for a well-cased value ("Paris"), more for capitals, lower case or stray spaces."""
    letters = [c for c in value if c.isalpha()]
    penalty = 0
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        penalty += 2
    if letters and all(c.islower() for c in letters):
        penalty += 2
    if value != value.strip() or "  " in value:
        penalty += 1
    return penalty


def canonical_value(counts: Iterable[tuple[str, int]]) -> str:
    """The value to keep among variants: the most frequent; on a tie the best-cased one
    (neither all capitals nor all lower case, no stray spaces), then with accents (more
    characters outside ASCII), then the first in alphabetical order.

    Examples
    --------
    >>> canonical_value([("PARIS", 2), ("Paris", 2), ("paris", 1)])
    'Paris'
    >>> canonical_value([("PARIS", 3), ("Paris", 2)])
    'PARIS'
    >>> canonical_value([("Saint-Etienne", 1), ("Saint-Étienne", 1)])
    'Saint-Étienne'
    """

    def rank(item: tuple[str, int]) -> tuple[int, int, int, str]:
        value, count = item
        accents = sum(1 for c in value if ord(c) > 127)
        return (-count, _casing_penalty(value), -accents, value)

    return min(counts, key=rank)[0]


def _key_groups(values: Sequence[str], key: dict[str, str]) -> list[list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, value in enumerate(values):
        k = key[value]
        if k:
            groups[k].append(i)
    return list(groups.values())


def _trigrams(text: str) -> list[str]:
    """The character trigrams of ``text``, a repeat numbered ("abc", "abc#1" ...), so the
    sets of two texts' trigrams intersect as their multisets do."""
    grams = [text[i : i + 3] for i in range(len(text) - 2)]
    if len(set(grams)) == len(grams):
        return grams
    seen: dict[str, int] = defaultdict(int)
    numbered = []
    for gram in grams:
        numbered.append(f"{gram}#{seen[gram]}" if seen[gram] else gram)
        seen[gram] += 1
    return numbered


def _deletions(text: str, radius: int) -> set[str]:
    """Every string left by deleting at most ``radius`` characters of ``text``."""
    found = {text}
    frontier = {text}
    for _ in range(radius):
        frontier = {t[:i] + t[i + 1 :] for t in frontier for i in range(len(t))}
        found |= frontier
    return found


def _neighbour_groups(values: Sequence[str], radius: int) -> list[list[int]]:
    """Values at most ``radius`` edits apart (folded), linked transitively."""
    import numpy as np
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    folded = [" ".join(_folded(v).split()) for v in values]
    parent = list(range(len(values)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Blocking, exact for the radius. Two long values within it share at least
    # max(len) - 2 - 3 * radius trigrams (the q-gram lemma: one edit breaks at most three),
    # so each long value is indexed by only its 3 * radius + 1 rarest trigrams (prefix
    # filtering: common trigrams such as "rue" make no huge block). Short values, for
    # which the lemma promises nothing, are indexed by every trigram and by every string
    # left by at most ``radius`` deletions (symmetric delete: cheap for short values).
    short = 3 * radius + 3
    grams = [_trigrams(text) for text in folded]
    frequency = Counter(gram for found in grams for gram in found)
    blocks: dict[str, list[int]] = defaultdict(list)
    keys: list[list[str]] = []
    for i, text in enumerate(folded):
        indexed: list[str] = []
        if len(text) <= short:
            indexed = ["\0" + left for left in _deletions(text, radius)] + grams[i]
        else:
            indexed = sorted(grams[i], key=lambda g: (frequency[g], g))[: 3 * radius + 1]
        if not text:
            indexed = []
        for key in indexed:
            blocks[key].append(i)
        keys.append(indexed)
    # Each value against its candidates of higher index, in C (rapidfuzz's cdist).
    lengths = np.array([len(text) for text in folded], dtype=np.int64)
    for i, text in enumerate(folded):
        found: set[int] = set()
        for key in keys[i]:
            found.update(blocks[key])
        candidates = np.fromiter(found, dtype=np.int64, count=len(found))
        keep = (candidates > i) & (np.abs(lengths[candidates] - len(text)) <= radius)
        near = candidates[keep].tolist()
        if not near:
            continue
        distances = process.cdist(
            [text],
            [folded[j] for j in near],
            scorer=Levenshtein.distance,
            score_cutoff=radius,
            dtype=np.int32,
        )[0]
        for j, distance in zip(near, distances.tolist(), strict=True):
            if distance <= radius and root(i) != root(j):
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, text in enumerate(folded):
        if text:
            groups[root(i)].append(i)
    return list(groups.values())


def cluster_values(
    counts: Mapping[str, int],
    method: str = "fingerprint",
    *,
    n: int = 2,
    radius: int = 1,
    lang: str = "en",
    min_count: int = 1,
) -> list[Cluster]:
    """Group distinct values that are spelling variants of each other.

    Parameters
    ----------
    counts
        Each distinct value and how many records hold it.
    method
        One of :data:`METHODS`.
    n
        The n-gram size of ``ngram-fingerprint``.
    radius
        The most edits between two neighbours for ``levenshtein``.
    lang
        The language of ``phonetic`` keys (``en`` or ``fr``).
    min_count
        Clusters holding fewer records than this are left out.

    Returns
    -------
    list of Cluster
        Clusters of two values or more, the biggest (in records) first.

    Examples
    --------
    >>> counts = {"Paris": 5, "PARIS": 2, "paris": 1, "Pariss": 1, "Lyon": 3}
    >>> [c.values for c in cluster_values(counts)]
    [(('Paris', 5), ('PARIS', 2), ('paris', 1))]
    >>> [c.canonical for c in cluster_values(counts, "levenshtein", radius=1)]
    ['Paris']
    >>> cluster_values(counts, "levenshtein")[0].count
    9
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    values = sorted(counts)
    if method == "levenshtein":
        if radius < 0:
            raise ValueError(f"radius must be at least 0, got {radius}")
        groups = _neighbour_groups(values, radius)
    else:
        if method == "fingerprint":
            keys = {v: fingerprint(v) for v in values}
        elif method == "ngram-fingerprint":
            keys = {v: ngram_fingerprint(v, n) for v in values}
        else:
            keys = {v: phonetic_key(v, lang) for v in values}
        groups = _key_groups(values, keys)
    clusters = []
    for group in groups:
        if len(group) < 2:
            continue
        members = sorted(((values[i], counts[values[i]]) for i in group), key=lambda m: -m[1])
        cluster = Cluster(tuple(members), canonical_value(members))
        if cluster.count >= min_count:
            clusters.append(cluster)
    clusters.sort(key=lambda c: (-c.count, c.canonical))
    return clusters
