"""Text cleaning (crmkit._normalize._text): tidy cells, missing markers, control characters,
the CSV formula protection, list cells."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from crmkit._normalize._text import clean_text, drop_controls, split_list, unquote_formula


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Hélène  Blou ", "Hélène Blou"),
        ("Hélène\u00a0\u202fBlou", "Hélène Blou"),  # no-break and narrow no-break spaces
        ("a\t\tb", "a b"),
        ("12 rue de la Paix \r\n 75002 Paris", "12 rue de la Paix\n75002 Paris"),
        ("\ufeffAPROOL\u200b", "APROOL"),  # BOM and zero-width space from exports
        ("He\u0301le\u0300ne", "Hélène"),  # NFC
        (85, "85"),
        ("Nan", "Nan"),  # a given name, not a missing value
        ("Na", "Na"),
        ("张伟", "张伟"),
    ],
)
def test_clean_text_tidies(raw: Any, expected: str) -> None:
    assert clean_text(raw) == expected


# fmt: off
@pytest.mark.parametrize(
    "raw",
    [
        "", "   ", "n/c", "N/C", "N/A", "NA", "na", "-", "null", "NULL", "none", "None", "nan",
        "NaN", "#N/A", "—", "未知", "无", "#VALUE!", None, float("nan"), pd.NA, pd.NaT,
    ],
)
def test_clean_text_missing_markers(raw: Any) -> None:
    assert clean_text(raw) is None
# fmt: on


@given(st.text())
def test_clean_text_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


class _Text(str):
    """A str subclass: clean_text takes its general path for it, not the shortcut."""


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
@example("Cafe\u0301")  # not NFC
@example("a\u00a0b")
@example(" a")
@example("a  b")
@example("N/A")
@example("Nan")
@example("\u200bx")
@example("a\r\nb")
def test_clean_text_shortcut_gives_the_general_result(text: str) -> None:
    assert clean_text(text) == clean_text(_Text(text))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dupont\x1b[31m", "Dupont"),  # the whole escape sequence, not only ESC
        ("\x1b[1;31mDupont\x1b[0m", "Dupont"),
        ("Du\x9b31mpont", "Dupont"),  # the one-character CSI
        ("x\x1b]0;titre\x07y", "xy"),  # OSC (window title) up to BEL
        ("x\x1b]8;;http://evil\x1b\\lien\x1b]8;;\x1b\\y", "xlieny"),  # hyperlink, up to ST
        ("a\x1b(Bb", "ab"),
        ("Du\x00pont\x7f", "Dupont"),  # NUL, DEL
        ("Bl\x08ou\x81", "Blou"),  # backspace, C1
        ("\u202eeilA\u202c Blou", "eilA Blou"),  # bidirectional override
        ("a\u2066b\u2069", "ab"),  # isolates
        ("a\x0bb\x0cc\x1fd\x85e", "a b c d e"),  # the controls that are spaces
        ("ligne 1\r\nligne 2\rligne 3", "ligne 1\nligne 2\nligne 3"),
        ("\x00\x1b[31m", None),  # nothing left
        ("n\x00/a", None),  # a "missing" marker once cleaned
        ("a\ud800b", "a\ufffdb"),  # a lone surrogate (surrogateescape) cannot be stored
        ("\x1b", None),
    ],
)
def test_clean_text_drops_control_characters(raw: str, expected: str | None) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\tb\nc", "a\tb\nc"),  # tabs and newlines stay
        ("  a  ", "  a  "),  # spaces are kept as written
        ("\x1b[1mGras\x1b[0m", "Gras"),
        ("a\r\nb\rc", "a\nb\nc"),
        ("a\x0bb\x85c", "a b c"),
        ("a\x00b\u202ec\ufeff", "abc"),
        ("a\ud800b", "a\ufffdb"),
        ("N/A", "N/A"),  # no "missing" markers here
    ],
)
def test_drop_controls_keeps_the_text_as_written_otherwise(raw: str, expected: str) -> None:
    assert drop_controls(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CRM; Python,python | 数据、BI\n", ["CRM", "Python", "数据", "BI"]),
        ("a/b/c", ["a", "b", "c"]),
        ("tag1，tag2；tag3", ["tag1", "tag2", "tag3"]),
        ("VIP, ,vip,  Grand compte ", ["VIP", "Grand compte"]),
        ("N/A", []),
        (None, []),
        (["x", "X", " y ", None, ""], ["x", "y"]),
        (("a;b",), ["a;b"]),  # a list's items are not split again
    ],
)
def test_split_list(raw: Any, expected: list[str]) -> None:
    assert split_list(raw) == expected


@given(st.one_of(st.text(), st.lists(st.text())))
def test_split_list_has_no_empties_and_no_duplicates(value: str | list[str]) -> None:
    items = split_list(value)
    assert all(items)
    assert all(clean_text(item) == item for item in items)
    assert len({item.casefold() for item in items}) == len(items)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("'=HYPERLINK(1)", "=HYPERLINK(1)"),
        ("'+x", "+x"),
        ("'-x", "-x"),
        ("'@x", "@x"),
        ("''=x", "'=x"),
        ("'+33612345678", "+33612345678"),
        ("'x", "'x"),
        ("'", "'"),
        ("=x", "=x"),
        ("x'=y", "x'=y"),
    ],
)
def test_unquote_formula_undoes_the_csv_protection(cell: str, value: str) -> None:
    assert unquote_formula(cell) == value
