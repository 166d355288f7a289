"""Control characters no export writes (crmkit._formats._controls): found, stripped, counted,
and said in the export's warnings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit._formats._controls import (
    CONTROL_CHARS,
    Cleaner,
    cleaning_warning,
    has_controls,
    holds_controls,
    strip_controls,
    strip_text,
)


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("Bl\x00ou", "Blou"),
        ("rouge\x1b[31m!", "rouge!"),
        ("\x1b]8;;http://evil.example\x1b\\lien\x1b]8;;\x1b\\", "lien"),
        ("\x9b2Jefface", "efface"),
        ("a\x0bb\x0cc", "a\nb\nc"),
        ("a\x1cb\x85c", "a b c"),
        ("\u202eevil\u2066", "evil"),
        ("tab\there\r\nnew line", "tab\there\r\nnew line"),
        ("Hélène 王伟 \ufffe", "Hélène 王伟 \ufffe"),
    ],
)
def test_strip_controls(text: str, stripped: str) -> None:
    assert strip_controls(text) == stripped
    assert has_controls(text) == (text != stripped)


def test_xlsx_also_loses_the_two_xml_non_characters() -> None:
    assert strip_text("a\ufffeb\uffff", xlsx=True) == "ab"
    assert strip_text("a\ufffeb\uffff") == "a\ufffeb\uffff"
    assert holds_controls("a\ufffe", xlsx=True) and not holds_controls("a\ufffe")


def test_long_texts_are_scanned_alike() -> None:
    # From 100,000 characters on the scan runs in pyarrow's RE2: the same answers.
    long = "x" * 100_000
    assert not holds_controls(long) and not holds_controls(long + "\ufffe")
    assert holds_controls(long + "\x07") and holds_controls(long + "\ufffe", xlsx=True)
    assert holds_controls(long + "\ud800\x07")  # a lone surrogate: Python's re instead


def test_cleaner_counts_the_values_it_changed() -> None:
    cleaner = Cleaner()
    values = ["ok", None, "a\x00b", 3, "\x1b[1mgras"]
    assert cleaner.texts(values) == ["ok", None, "ab", 3, "gras"]
    assert cleaner.changed == 2
    clean = ["a", "b"]
    assert cleaner.texts(clean) is clean and cleaner.changed == 2
    xlsx = Cleaner(xlsx=True)
    assert xlsx.texts(["a\uffff"]) == ["a"] and xlsx.changed == 1


def test_cleaning_warning() -> None:
    assert cleaning_warning({}, "csv") == ()
    (one,) = cleaning_warning({"notes": 1}, "vcf")
    assert one.startswith("1 value written without their control characters (notes: 1)")
    assert "vCard text cannot hold them" in one
    many = {f"c{i}": 1 for i in range(12)} | {"x" * 50: 1000}
    (text,) = cleaning_warning(many, "parquet")
    assert text.startswith("1,012 values") and "... (13 columns)" in text
    assert "the format cannot hold them" in text
    (hostile,) = cleaning_warning({"a\x1b[31m": 2}, "csv")
    assert "\x1b" not in hostile and "'a\\x1b[31m': 2" in hostile


@given(st.text(max_size=60))
def test_stripped_text_holds_no_control_character(text: str) -> None:
    stripped = strip_controls(text)
    assert CONTROL_CHARS.search(stripped) is None
    assert strip_controls(stripped) == stripped
