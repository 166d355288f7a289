"""What the vCard reader and writer agree on (crmkit._formats._vcard_names): formatted names,
CJK names, crmkit's PRODID."""

from __future__ import annotations

import pytest
from vcard_samples import card, one

from crmkit._formats._vcard_names import CJK_ONLY_RE, PRODID, display_name, is_cjk


@pytest.mark.parametrize(
    ("text", "cjk"),
    [("王伟", True), ("安藤ロイド", True), ("ｱﾝﾄﾞｳ", True), ("김민수", True), ("Hélène", False),
     ("Wang 伟", True), ("", False)],
)  # fmt: skip
def test_is_cjk(text: str, cjk: bool) -> None:
    assert is_cjk(text) is cjk


@pytest.mark.parametrize(
    ("first", "last", "name"),
    [
        ("Hélène", "Blou", "Hélène Blou"),
        ("伟", "王", "王伟"),
        ("ロイド", "安藤", "安藤ロイド"),
        ("Wei", "王", "Wei 王"),  # only when both names are CJK
        ("  Marc ", " Durand", "Marc Durand"),
        (None, "Blou", "Blou"),
        ("Hélène", "", "Hélène"),
        (None, None, ""),
    ],
)
def test_display_name(first: str | None, last: str | None, name: str) -> None:
    assert display_name(first, last) == name


def test_cjk_only_and_prodid() -> None:
    assert CJK_ONLY_RE.fullmatch("王伟") and not CJK_ONLY_RE.fullmatch("王 伟")
    # The reader drops crmkit's own PRODID, and an FN that only repeats the names.
    rec = one(card("N:王;伟;;;", "FN:王伟", f"PRODID:{PRODID}"))
    assert (rec["last_name"], rec["first_name"], rec["custom"]) == ("王", "伟", {})
