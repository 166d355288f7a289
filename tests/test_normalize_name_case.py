"""Name case of person names (crmkit._normalize._name_case): examples and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit._normalize._name_case import name_case, needs_name_case


@pytest.mark.parametrize(
    ("written", "cased"),
    [
        ("DUPONT", "Dupont"),
        ("jean-pierre", "Jean-Pierre"),
        ("MCDONALD", "McDonald"),
        ("O'BRIEN", "O'Brien"),
        ("o’neill", "O’Neill"),
        ("D'ALEMBERT", "d'Alembert"),
        ("DE LA FONTAINE", "de la Fontaine"),
        ("jean de la fontaine", "Jean de la Fontaine"),
        ("LE GOFF", "Le Goff"),  # an article first in a name is part of it
        ("VAN DER BERG", "van der Berg"),
        ("LUDWIG VON MISES", "Ludwig von Mises"),
        ("DU", "Du"),  # a particle alone is a name
        ("MACLEOD", "MacLeod"),
        ("MACHADO", "Machado"),  # "Mac" only before Scottish names
        ("ÉLODIE", "Élodie"),
        ("  MARIE  CLAIRE ", "  Marie  Claire "),  # separators kept as written
        ("McEwan", "McEwan"),  # both cases: left as written
        ("DeVito", "DeVito"),
        ("王芳", "王芳"),
        ("", ""),
    ],
)
def test_examples(written: str, cased: str) -> None:
    assert name_case(written) == cased


_NAME = st.text(
    alphabet=st.sampled_from(list("abcdeéilmnorsvxyz -'’ABCDEÉILMNORSVXYZ")), max_size=30
)


@settings(max_examples=examples(300))
@given(_NAME)
def test_only_the_case_changes_and_once_is_enough(text: str) -> None:
    cased = name_case(text)
    assert cased.lower() == text.lower()
    assert name_case(cased) == cased
    if not needs_name_case(text):
        assert cased == text
