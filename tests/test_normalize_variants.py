"""Spelling-variant keys and clustering (crmkit._normalize._variants): OpenRefine's
fingerprint, n-gram fingerprint, phonetic keys (en/fr) and the blocked nearest-neighbour
method, checked against the unblocked rule."""

from __future__ import annotations

import itertools
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples
from rapidfuzz.distance import Levenshtein

from crmkit._normalize._variants import (
    METHODS,
    Cluster,
    canonical_value,
    cluster_values,
    fingerprint,
    french_phonetic,
    ngram_fingerprint,
    phonetic_key,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Directeur commercial", "directeur  Commercial"),
        ("Directeur commercial", "Commercial, directeur"),
        ("Paris", "PARIS"),
        ("Paris", "paris "),
        ("Saint-Étienne", "saint etienne"),
        ("Œuvre", "oeuvre"),
        ("Ressources humaines", "ressources humaines ressources"),  # repeated word
    ],
)
def test_fingerprint_same_key(a: str, b: str) -> None:
    assert fingerprint(a) == fingerprint(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Directeur commercial", "Dir. commercial"),  # an abbreviation is another word
        ("Paris", "Pariss"),  # a typo: levenshtein's job
        ("Saint-Étienne", "St Etienne"),
        ("Lyon", "Lyons"),
    ],
)
def test_fingerprint_different_key(a: str, b: str) -> None:
    assert fingerprint(a) != fingerprint(b)


def test_fingerprint_of_punctuation_only_is_empty() -> None:
    assert fingerprint(" -- ") == ""
    assert fingerprint("") == ""


def test_ngram_fingerprint_ignores_spaces_inside_words() -> None:
    assert ngram_fingerprint("Ile de France") == ngram_fingerprint("Île-de-France")
    assert ngram_fingerprint("Ile de France") == ngram_fingerprint("iledefrance")
    assert ngram_fingerprint("Paris") != ngram_fingerprint("Lyon")
    assert ngram_fingerprint("a") == "a"
    assert ngram_fingerprint("abc", 1) == "abc"


def test_ngram_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ngram_fingerprint("Paris", 0)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Paris", "Pariss"),
        ("Bordeaux", "Bordo"),
        ("Philippe", "Filipe"),
        ("Commercial", "Comercial"),
        ("Marseille", "Marseilles"),
        ("Étienne", "Ettiene"),
        ("Gironde", "Jironde"),
    ],
)
def test_french_phonetic_same_sound(a: str, b: str) -> None:
    assert french_phonetic(a) == french_phonetic(b)


@pytest.mark.parametrize(("a", "b"), [("Paris", "Lyon"), ("Bon", "Bonne"), ("Pain", "Pont")])
def test_french_phonetic_different_sound(a: str, b: str) -> None:
    assert french_phonetic(a) != french_phonetic(b)


def test_english_phonetic_key_is_metaphone_per_word() -> None:
    assert phonetic_key("Smith John", "en") == phonetic_key("jon smyth", "en")
    assert phonetic_key("Smith", "en") != phonetic_key("Jones", "en")


def test_phonetic_key_refuses_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="en, fr"):
        phonetic_key("Paris", "de")


def test_canonical_prefers_frequency_then_casing_then_accents() -> None:
    assert canonical_value([("paris", 5), ("Paris", 1)]) == "paris"
    assert canonical_value([("PARIS", 2), ("paris", 2), ("Paris", 2)]) == "Paris"
    assert canonical_value([("Saint-Etienne", 3), ("Saint-Étienne", 3)]) == "Saint-Étienne"
    assert canonical_value([("B", 1), ("A", 1)]) == "A"  # then alphabetical: stable


def test_cluster_values_fingerprint() -> None:
    counts = {
        "Directeur commercial": 4,
        "directeur  Commercial": 2,
        "DIRECTEUR COMMERCIAL": 1,
        "Dir. commercial": 3,
        "Chef de projet": 1,
        "chef de projet": 1,
        "DRH": 9,
    }
    clusters = cluster_values(counts, "fingerprint")
    assert [c.canonical for c in clusters] == ["Directeur commercial", "Chef de projet"]
    assert clusters[0].values == (
        ("Directeur commercial", 4),
        ("directeur  Commercial", 2),
        ("DIRECTEUR COMMERCIAL", 1),
    )
    assert clusters[0].count == 7
    assert clusters[1].canonical == "Chef de projet"  # a tie: the well-cased one


def test_cluster_values_min_count_leaves_small_clusters_out() -> None:
    counts = {"Paris": 3, "PARIS": 1, "Lyon": 1, "LYON": 1}
    assert [c.canonical for c in cluster_values(counts, min_count=3)] == ["Paris"]


@pytest.mark.parametrize(
    ("method", "options", "together", "apart"),
    [
        ("ngram-fingerprint", {"n": 2}, {"Ile de France", "Île-de-France"}, {"Lyon"}),
        ("phonetic", {"lang": "fr"}, {"Bordeaux", "Bordo"}, {"Brest"}),
        ("phonetic", {"lang": "en"}, {"Smith", "Smyth"}, {"Jones"}),
        ("levenshtein", {"radius": 1}, {"Paris", "Pariss", "PARIS"}, {"Pau"}),
        ("levenshtein", {"radius": 4}, {"Saint-Étienne", "St Etienne"}, {"Lyon"}),
    ],
)
def test_each_method(
    method: str, options: dict[str, object], together: set[str], apart: set[str]
) -> None:
    counts = dict.fromkeys(together | apart, 1)
    clusters = cluster_values(counts, method, **options)  # type: ignore[arg-type]
    assert [{v for v, _ in c.values} for c in clusters] == [together]


def test_levenshtein_radius_zero_is_folded_equality() -> None:
    clusters = cluster_values({"Paris": 1, "PARIS": 1, "Pariss": 1}, "levenshtein", radius=0)
    assert [{v for v, _ in c.values} for c in clusters] == [{"Paris", "PARIS"}]


def test_unknown_method() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        cluster_values({"a": 1}, "soundex")
    assert "levenshtein" in METHODS


def test_cluster_count() -> None:
    assert Cluster((("a", 2), ("A", 3)), "A").count == 5


# -- properties ------------------------------------------------------------------------

_WORDS = st.lists(
    st.text(alphabet="abcdeéèçoôiïuü", min_size=1, max_size=6), min_size=1, max_size=4
)


@given(words=_WORDS, data=st.data())
@settings(max_examples=examples(200))
def test_fingerprint_invariances(words: list[str], data: st.DataObject) -> None:
    """Idempotent, and blind to case, accents, word order, repeats and extra spaces."""
    text = " ".join(words)
    key = fingerprint(text)
    assert fingerprint(key) == key
    assert fingerprint(text.upper()) == key
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    assert fingerprint(bare) == key
    shuffled = data.draw(st.permutations(words))
    assert fingerprint("   ".join([*shuffled, words[0]]) + "  ") == key


@st.composite
def _near_values(draw: st.DrawFn) -> list[str]:
    """Texts and copies of them with a few random edits: pairs near the radius."""
    bases = draw(st.lists(st.text(alphabet="abcdeé -", max_size=16), min_size=1, max_size=8))
    values = list(bases)
    for base in bases:
        for _ in range(draw(st.integers(0, 2))):
            text = base
            for _ in range(draw(st.integers(1, 3))):
                at = draw(st.integers(0, len(text)))
                letter = draw(st.sampled_from("abcdeé"))
                edit = draw(st.sampled_from(["insert", "delete", "replace"]))
                if edit == "insert":
                    text = text[:at] + letter + text[at:]
                elif edit == "delete":
                    text = text[:at] + text[at + 1 :]
                else:
                    text = text[:at] + letter + text[at + 1 :]
            values.append(text)
    return values


@given(values=_near_values(), radius=st.integers(min_value=0, max_value=2))
@settings(max_examples=examples(300))
def test_blocked_levenshtein_equals_all_pairs(values: list[str], radius: int) -> None:
    """The blocking loses no pair: the clusters are those of comparing every pair."""
    counts = dict.fromkeys(values, 1)
    found = {
        frozenset(v for v, _ in c.values)
        for c in cluster_values(counts, "levenshtein", radius=radius)
    }
    folded = {v: " ".join(fingerprint_free(v).split()) for v in counts}
    names = [v for v in sorted(counts) if folded[v]]
    parent = {v: v for v in names}

    def root(v: str) -> str:
        while parent[v] != v:
            v = parent[v]
        return v

    for a, b in itertools.combinations(names, 2):
        if Levenshtein.distance(folded[a], folded[b]) <= radius:
            parent[root(a)] = root(b)
    groups: dict[str, set[str]] = {}
    for v in names:
        groups.setdefault(root(v), set()).add(v)
    expected = {frozenset(g) for g in groups.values() if len(g) > 1}
    assert found == expected


def fingerprint_free(text: str) -> str:
    """The folding levenshtein compares (lower case ASCII), without sorting words."""
    from anyascii import anyascii

    return anyascii(unicodedata.normalize("NFKC", text)).lower()
