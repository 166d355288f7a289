"""Yes/no cells (crmkit._normalize._booleans)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit._exceptions import ValidationError
from crmkit._normalize._booleans import _FALSE_WORDS, _TRUE_WORDS, parse_bool


# fmt: off
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("yes", True), ("Y", True), ("oui", True), ("O", True), ("Vrai", True), ("TRUE", True),
        ("x", True), ("X", True), ("1", True), (1, True), (1.0, True), ("✓", True), ("✔", True),
        ("是", True), ("对", True), (True, True), ("no", False), ("n", False), ("Non", False),
        ("faux", False), ("False", False), ("0", False), (0, False), ("否", False), ("错", False),
        (False, False), ("", None), ("  ", None), (None, None), (float("nan"), None),
    ],
)
def test_parse_bool(raw: Any, expected: bool | None) -> None:
    assert parse_bool(raw) is expected
# fmt: on


@given(st.sampled_from([*_TRUE_WORDS, *_FALSE_WORDS]), st.randoms(use_true_random=False))
def test_parse_bool_accepts_every_spelling_in_any_case(word: str, rnd: Any) -> None:
    mixed = "".join(c.upper() if rnd.random() < 0.5 else c.lower() for c in word)
    assert parse_bool(f" {mixed} ") is (word in _TRUE_WORDS)


@pytest.mark.parametrize("raw", ["peut-être", "maybe", "2", 2, "yes!", "真的吗"])
def test_parse_bool_garbage_names_the_value(raw: Any) -> None:
    with pytest.raises(ValidationError) as info:
        parse_bool(raw)
    assert repr(raw) in str(info.value)
