"""Person names (crmkit._dedupe._names): nickname groups, name keys, Soundex."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crmkit._dedupe._names import nickname_groups, person_key, soundex


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
