"""Person names (crmkit._dedupe._names): nickname groups, name keys, Soundex, name parts."""

from __future__ import annotations

import pytest
from dedupe_samples import MakeFrame
from hypothesis import given
from hypothesis import strategies as st

from crmkit._dedupe import find_duplicates
from crmkit._dedupe._names import (
    first_name_parts_agree,
    last_name_parts_agree,
    name_words,
    nickname_groups,
    person_key,
    soundex,
)


def test_nicknames_are_symmetric_and_shared_short_forms_work() -> None:
    groups = nickname_groups()
    assert groups["pat"] & groups["patrick"] and groups["pat"] & groups["patricia"]
    assert not groups["patrick"] & groups["patricia"]
    assert not groups["bill"] & groups["bob"]


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèÀÇ -'", max_size=20))
def test_person_key_ignores_case_and_accents(text: str) -> None:
    key = person_key(text)
    assert key == person_key(text.upper()) == person_key(key)
    assert key.isascii()
    assert soundex(key.replace(" ", "")) == soundex(person_key(text.lower()).replace(" ", ""))


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("J.-P.", "j p"),
        ("Jean-Pierre", "jean pierre"),
        ("Jun-Se", "jun se"),
        ("Smith Jr.", "smith"),
        ("John Smith, III", "john smith"),
        ("Dupont fils", "dupont"),
        ("Junior", "junior"),  # a name, not a suffix, when it is the whole name
        ("de la Fontaine", "de la fontaine"),
        ("丽娟", "lijuan"),  # Chinese characters are syllables, not parts
        (None, ""),
    ],
)
def test_name_words(written: str | None, words: str) -> None:
    assert name_words(written) == words


@pytest.mark.parametrize(
    ("a", "b", "agreement"),
    [
        ("Mary Ann", "Mary", "close"),  # a middle name
        ("Jean Marc", "Jean", "close"),
        ("Jean-Marc", "Marc", "close"),  # the part the person goes by
        ("Jun-Se", "Jun", "close"),
        ("J.-P.", "Jean-Pierre", "initial"),
        ("J. Pierre", "Jean Pierre", "initial"),
        ("Jean", "Jeanne", None),
        ("Jean-Pierre", "Jean-Paul", None),
        ("J.-P.", "Jean", None),
    ],
)
def test_first_names_part_by_part(a: str, b: str, agreement: str | None) -> None:
    assert first_name_parts_agree(name_words(a), name_words(b)) == agreement
    assert first_name_parts_agree(name_words(b), name_words(a)) == agreement


@pytest.mark.parametrize(
    ("a", "b", "agreement"),
    [
        ("de la Fontaine", "Lafontaine", "close"),
        ("de la Fontaine", "Fontaine", "close"),
        ("Lafontaine", "Fontaine", "close"),
        ("van der Berg", "Berg", "close"),
        ("Da Silva", "Silva", "close"),
        ("Martin-Dupont", "Dupont", "similar"),  # one part of a double-barrelled name
        ("Dupont", "Pont", None),  # too short to be a glued particle's name
        ("Martin", "Dupont", None),
    ],
)
def test_last_names_part_by_part(a: str, b: str, agreement: str | None) -> None:
    assert last_name_parts_agree(name_words(a), name_words(b)) == agreement
    assert last_name_parts_agree(name_words(b), name_words(a)) == agreement


@given(st.text(max_size=40))
def test_name_words_never_raise_and_are_idempotent(text: str) -> None:
    words = name_words(text)
    assert name_words(words) == words
    assert words == words.strip() and "  " not in words
    first_name_parts_agree(words, "jean pierre")
    last_name_parts_agree(words, "de la fontaine")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("J.", "Smith Jr."), ("John", "Smith")),
        (("Jun-Se", "Park"), ("Junse", "Park")),
        (("Jun Se", "Park"), ("Jun-Se", "Park")),
    ],
)
def test_find_duplicates_links_name_variants(
    make_frame: MakeFrame, a: tuple[str, str], b: tuple[str, str]
) -> None:
    frame = make_frame(
        {
            "id": [1, 2, 3],
            "first_name": [a[0], b[0], "Marc"],
            "last_name": [a[1], b[1], "Petit"],
            "company": ["Aprool", "Aprool", "Aprool"],
            "city": ["Lyon", "Lyon", "Lyon"],
        }
    )
    assert find_duplicates(frame).clusters == [[1, 2]]
