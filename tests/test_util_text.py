"""Folding text for comparisons (crmkit._util._text)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crmkit._util._text import fold


def test_fold() -> None:
    assert fold("  Santé  Publique ") == "sante publique"
    assert fold("SOCIÉTÉ\tGÉNÉRALE\n") == "societe generale"
    assert fold("Straße") == "strasse"  # casefold, not lower
    assert fold("ﬁnance ²") == "finance 2"  # compatibility forms
    assert fold("王伟") == "王伟" and fold("") == ""


@given(st.text(max_size=40))
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
