"""Matching keys (crmkit._normalize._keys): person names and company names."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit._normalize._keys import _LEGAL_FORMS, company_key, name_key


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Hélène  O'Brien-Blou", "helene obrien blou"),
        ("HÉLÈNE O’BRIEN BLOU", "helene obrien blou"),
        ("张伟", "zhangwei"),
        ("José María", "jose maria"),
        ("J.-P. Dupont", "jp dupont"),
        ("Müller", "muller"),
        (None, ""),
    ],
)
def test_name_key(raw: Any, key: str) -> None:
    assert name_key(raw) == key


@pytest.mark.parametrize(
    "names",
    [
        ["Aprool SAS", "APROOL", "S.A.S. Aprool", "aprool s.a.s", "S A S Aprool", "Aprool SA"],
        ["北京科技有限公司", "北京科技", "北京科技集团有限公司", "北京科技股份有限公司"],
        ["Acme, Inc.", "ACME Corp.", "Acme Co., Ltd.", "The Acme Company", "acme llc"],
        ["Müller GmbH & Co. KG", "MULLER", "müller gmbh"],
        ["Conseil Dupont SARL", "Dupont Conseil", "SARL DUPONT CONSEIL"],
        ["株式会社トヨタ", "トヨタ"],
    ],
)
def test_company_key_equal_for_variants(names: list[str]) -> None:
    assert len({company_key(n) for n in names}) == 1, [company_key(n) for n in names]


def test_company_key_never_empty_for_a_name() -> None:
    assert company_key("SA") == "sa"
    assert company_key("GmbH & Co. KG") == "co gmbh kg"
    assert company_key("有限公司") == "youxiangongsi"
    assert company_key(None) == ""
    assert company_key("Aprool") != company_key("Aprool Conseil")


_WORD = st.from_regex(r"[A-Za-zéèàç]{3,9}", fullmatch=True).filter(
    lambda w: company_key(w) not in _LEGAL_FORMS and company_key(w) != "the"
)


# fmt: off
_LEGAL_SPELLINGS = [
    "SAS", "S.A.S.", "SARL", "SA", "S.A.", "GmbH", "AG", "Ltd", "Ltd.", "Limited", "LLC", "Inc.",
    "Corp", "PLC", "B.V.", "S.p.A.", "Co., Ltd.", "Pty Ltd", "Oy", "AB", "KK", "EURL", "SCI",
]
# fmt: on


@given(
    st.lists(_WORD, min_size=1, max_size=4),
    st.sampled_from(_LEGAL_SPELLINGS),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_company_key_ignores_legal_form_and_word_order(
    words: list[str], legal: str, legal_first: bool, rnd: Any
) -> None:
    shuffled = list(words)
    rnd.shuffle(shuffled)
    name = " ".join(shuffled)
    decorated = f"{legal} {name}" if legal_first else f"{name} {legal}"
    assert company_key(decorated) == company_key(" ".join(words))
