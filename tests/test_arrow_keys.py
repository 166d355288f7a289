"""Arrow company and name keys: every row decided there is exactly the scalar key."""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit import _normalize as norm
from crmkit._normalize._arrow_keys import company_keys, name_keys
from crmkit._normalize._columns import clean_column
from crmkit.samples import generate

WORDS = ["Aprool", "dupont", "CONSEIL", "Héloic", "École", "Straße", "Œuvre", "Ångström"]
WORDS += ["Zéphaès", "O'Brien", "l'Oréal", "McDo", "x", "ab", "Ａｐｒｏｏｌ", "ｓａ", "ß"]
WORDS += ["and", "AND", "et", "Und"]  # they join names as "&" does
LEGAL = ["sa", "SA", "S.A.", "SAS", "S.A.S.", "S A S", "sarl", "GmbH", "Ltd.", "Ltd", "Inc"]
LEGAL += ["Inc.", "the", "The", "THE", "Cie", "co", "Co.", "Company", "LLC", "KGaA", "as"]
CJK = ["北京", "科技", "有限公司", "股份有限公司", "集团", "集團", "株式会社", "公司", "有限"]
CJK += ["（北京）", "会社", "合同会社", "ソニー", "张伟", "控股", "有限会社"]
SINGLE = ["A", "b", "I", "B", "M", "é", "1"]
PUNCT = ["&", "-", ".", "'", ",", "/", "`", "(", ")", "’", "–", "—", "+", "@", "©", "°"]
SPACES = [" ", " ", " ", "  ", "\t", "\n", "\u00a0", "\u3000"]
ODD = ["Д", "한", "e\u0301", "ﬁ", "😀", "ǅ", "\u200b", "ς", "İ", "K"]
MISSING = ["N/A", "n/c", "-", "Non renseigné", "NA", "Na", "nan", "Nan", "?", "未知", ""]
DIGITS = ["3", "42", "2024", "０"]

pieces = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(LEGAL),
    st.sampled_from(CJK),
    st.sampled_from(SINGLE),
    st.sampled_from(PUNCT),
    st.sampled_from(SPACES),
    st.sampled_from(DIGITS),
    st.sampled_from(ODD),
)
names = st.one_of(
    st.lists(pieces, max_size=9).map("".join),
    st.lists(st.one_of(pieces, st.just(" ")), max_size=9).map(" ".join),
    st.sampled_from(MISSING),
    st.none(),
)


def check(keys: pa.Array, handled: pa.Array, texts: list[Any], scalar: Any) -> int:
    """Assert that each handled row is the scalar's key; return how many were handled."""
    assert len(keys) == len(handled) == len(texts)
    assert handled.null_count == 0
    done = 0
    for key, ok, text in zip(keys.to_pylist(), handled.to_pylist(), texts, strict=True):
        if text is None:
            assert not ok
        if ok:
            assert key == scalar(text), text
            done += 1
        else:
            assert key is None
    return done


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(names, max_size=20))
def test_company_keys_match_company_key(texts: list[str | None]) -> None:
    check(*company_keys(pa.array(texts, pa.string())), texts, norm.company_key)
    cleaned = [norm.clean_text(t) for t in texts]
    check(*company_keys(pa.array(cleaned, pa.string())), cleaned, norm.company_key)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(names, max_size=20))
def test_name_keys_match_name_key(texts: list[str | None]) -> None:
    cleaned = [norm.clean_text(t) for t in texts]
    for values in (texts, cleaned):
        check(*name_keys(pa.array(values, pa.string())), values, norm.name_key)


def _cells(column: Any) -> list[str | None]:
    return [None if isinstance(v, float) and math.isnan(v) else v for v in column.tolist()]


def test_parity_on_generated_data() -> None:
    data = generate(n_accounts=5000, n_contacts=10000, seed=7, messiness=0.3, n_owners=5)
    for column in (data.contacts["company"], data.accounts["name"]):
        texts = clean_column(_cells(column))
        done = check(*company_keys(pa.array(texts, pa.string())), texts, norm.company_key)
        assert done >= 0.7 * sum(t is not None for t in texts)
        done = check(*name_keys(pa.array(texts, pa.string())), texts, norm.name_key)
        assert done >= 0.7 * sum(t is not None for t in texts)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("S.A.S. Aprool", "aprool"),
        ("APROOL", "aprool"),
        ("Aprool SAS", "aprool"),
        ("Conseil Dupont & Cie SARL", "conseil dupont"),
        ("SA", "sa"),
        ("Baker and Sons Ltd", "baker sons"),  # "and" is "&"
        ("Baker & Sons", "baker sons"),
        ("Dupont et Fils", "dupont fils"),
        ("And", "and"),  # nothing else: the word stays
        ("The Company Ltd", "company ltd the"),  # only legal words: the whole name
        ("I B M", "ibm"),
        ("北京科技有限公司", "beijingkeji"),
        ("", ""),
        ("Hélène  Dupont", None),  # double space: clean_text's business, left to the scalar
        ("Роснефть", None),  # Cyrillic: not in the table
        (None, None),
    ],
)
def test_examples(text: str | None, key: str | None) -> None:
    keys, handled = company_keys(pa.array([text], pa.string()))
    assert keys.to_pylist() == [key]
    assert handled.to_pylist() == [key is not None]
    if key is not None:
        assert norm.company_key(text) == key


def test_inputs_of_other_shapes() -> None:
    texts = ["x", "Aprool SAS", None, "北京科技有限公司", "B.V. Delta"]
    expected = [norm.company_key(t) if t is not None else None for t in texts]
    array = pa.array(texts, pa.string())
    assert company_keys(array)[0].to_pylist() == expected
    assert company_keys(array.slice(1))[0].to_pylist() == expected[1:]
    assert company_keys(array.cast(pa.large_string()))[0].to_pylist() == expected
    chunked = pa.chunked_array([texts[:2], texts[2:]], pa.string())
    assert company_keys(chunked)[0].to_pylist() == expected
    keys, handled = company_keys(pa.array([], pa.string()))
    assert len(keys) == len(handled) == 0
    keys, handled = company_keys(pa.array([None, None], pa.string()))
    assert keys.to_pylist() == [None, None] and handled.to_pylist() == [False, False]


def test_cjk_affix_only_names_and_fallbacks() -> None:
    texts = ["有限公司", "公司有限公司", "北京有限公司集团", "株式会社ソニー", "sa有限公司"]
    texts += ["-有限公司", "北京 - 有限公司", "株式会社 - 北京", "The 公司", "集团 SA"]
    check(*company_keys(pa.array(texts, pa.string())), texts, norm.company_key)
