"""Values cut short for messages (crmkit._util._shorten): short, printable, their length said."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crmkit._util._shorten import MESSAGE_VALUE_CHARS, printable, shorten


def test_printable() -> None:
    assert printable("Dupont\x1b[31m\x00") == "Dupont\\x1b[31m\\x00"
    assert printable("a\tb\nc") == "a\tb\nc"  # tab and newline stay
    assert printable("\u202eevil\x9b") == "\\u202eevil\\x9b"
    assert printable("Hélène 王伟") == "Hélène 王伟"


def test_shorten() -> None:
    assert shorten("Hélène") == "'Hélène'"
    assert shorten(None) == "None" and shorten(12) == "12"
    long = shorten("é" * 1000, limit=10)
    assert long == "'éééééé'… (1,000 characters)"
    assert shorten(b"\x00" * 5000) == "<5,000 bytes>"
    assert shorten(bytearray(3)) == "<3 bytes>"
    assert shorten(10**5000) == "<a whole number of about 5,000 digits>"
    assert shorten(list(range(100)), limit=12) == "[0, 1, 2, 3…"
    assert shorten("a\x1b[31m") == "'a\\x1b[31m'"


@given(st.text(max_size=300) | st.binary(max_size=300) | st.integers())
def test_shortened_values_are_bounded_and_printable(value: object) -> None:
    text = shorten(value)
    assert len(text) <= MESSAGE_VALUE_CHARS + 30
    assert printable(text) == text
