"""The Arrow phone path decides exactly as normalize_phone would, row by row."""

from __future__ import annotations

import numpy as np
import phonenumbers
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit._normalize import UNASSIGNED_PHONE, normalize_phone
from crmkit._normalize._arrow_phones import plain_phones
from crmkit._normalize._columns import ColumnOptions, clean_column, normalize_column
from crmkit.samples import generate
from crmkit.schemas import CONTACTS

REGIONS = ["FR", "GB", "US", "CN", "DE", "IT", "BE", "CH", "GG", "CA", "AR", "JP", None, "ZZ"]


def assert_same_as_scalar(texts: list[str | None], region: str | None) -> np.ndarray:
    found = plain_phones(pa.array(texts, pa.string()), region)
    for i in np.flatnonzero(found.handled):
        expected = normalize_phone(texts[i], region)
        got = (found.e164[i], True, None if found.valid[i] else UNASSIGNED_PHONE)
        assert got == (expected.value, expected.ok, expected.reason), texts[i]
    return np.asarray(found.handled)


separator = st.sampled_from([" ", "", "", ".", "-", "(", ")", "/", "\u00a0", "  "])
digit_run = st.text(alphabet="0123456789", min_size=1, max_size=5)
phone_text = st.builds(
    lambda prefix, code, parts, seps: (
        prefix + code + "".join(p + s for p, s in zip(parts, seps, strict=False))
    ),
    st.sampled_from(["", "", "+", "00", "0", " +", "+0", "011"]),
    st.sampled_from(["", "33", "44", "1", "86", "49", "39", "32", "41", "7", "999", "0"]),
    st.lists(digit_run, min_size=1, max_size=6),
    st.lists(separator, min_size=6, max_size=6),
)


@settings(max_examples=examples(400), deadline=None)
@given(
    st.lists(st.one_of(phone_text, st.none(), st.text(max_size=12)), max_size=30),
    st.sampled_from(REGIONS),
)
def test_same_results_as_normalize_phone(texts: list[str | None], region: str | None) -> None:
    assert_same_as_scalar(texts, region)


@pytest.mark.parametrize(
    ("text", "region", "e164"),
    [
        ("06 25 34 12 57", "FR", "+33625341257"),
        ("+33 (0)6 25 34 12 57", "FR", "+33625341257"),
        ("0033 6 25 34 12 57", "GB", "+33625341257"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("(415) 362-5437", "US", "+14153625437"),
        ("183 8809 1568", "CN", "+8618388091568"),
        ("+1 613 555 0199", "FR", "+16135550199"),
    ],
)
def test_common_numbers_are_decided_here(text: str, region: str, e164: str) -> None:
    found = plain_phones(pa.array([text]), region)
    assert found.handled.tolist() == [True]
    assert found.e164.tolist() == [e164]
    assert normalize_phone(text, region).value == e164


@pytest.mark.parametrize(
    "text", [None, "", "abc", "12", "+", "06 25 34 12 57 ext. 12", " 0625341257", "+33+6"]
)
def test_other_texts_are_left_to_the_scalar_path(text: str | None) -> None:
    assert plain_phones(pa.array([text], pa.string()), "FR").handled.tolist() == [False]


def test_generated_contacts_agree_and_are_mostly_decided_here() -> None:
    data = generate(n_accounts=400, n_contacts=3000, seed=11, messiness=0.3, n_owners=5)
    frame = data.contacts
    countries = normalize_column(
        CONTACTS["country"], frame["country"].tolist(), ColumnOptions()
    ).values
    decided = total = 0
    for column in ("phone", "mobile", "home_phone", "fax"):
        texts = clean_column([None if v != v else v for v in frame[column].tolist()])
        for region in set(countries):
            rows = [t for t, c in zip(texts, countries, strict=True) if c == region]
            handled = assert_same_as_scalar(rows, region)
            decided += int(handled.sum())
            total += sum(t is not None for t in rows)
    assert decided >= 0.9 * total


def test_column_results_match_value_by_value() -> None:
    texts = ["06 25 34 12 57", "+44 20 7946 0018", "0625341257 poste 12", "n/c", None, "0800 123"]
    regions = ["FR", "GB", "FR", "FR", "FR", "ZZ"]
    result = normalize_column(CONTACTS["phone"], texts, ColumnOptions(), regions)
    expected = [
        normalize_phone(t, r if r != "ZZ" else "FR") if t != "n/c" else None
        for t, r in zip(texts, regions, strict=True)
    ]
    assert result.values == [None if e is None else e.value for e in expected]


# Numbers whose E.164 form would read back as another number (issue #11): the scalar
# keeps them as written, so the kernel leaves them to it.
@pytest.mark.parametrize(
    ("text", "region"),
    [("0.00000", "DE"), ("0.0022006060325", "DE"), ("012 9506676043", "CN"),
     ("+860024400105", "ID"), ("0.007700", "AU"), ("+310042802062", "GB")],
)  # fmt: skip
def test_numbers_whose_e164_would_not_read_back_are_left_to_the_scalar(
    text: str, region: str
) -> None:
    assert plain_phones(pa.array([text]), region).handled.tolist() == [False]
    result = normalize_column(CONTACTS["phone"], [text], ColumnOptions(region=region))
    assert result.values == [text] and result.warnings[0] is not None


national_prefixed = st.builds(
    str.__add__,
    st.sampled_from(["0", "00", "0.", "+", "+0", "8", "0 0", ""]),
    st.text("00000123456789 .", min_size=2, max_size=14),
)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(st.one_of(national_prefixed, phone_text), max_size=20),
    st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)),
)
def test_numbers_led_by_a_national_prefix_match_the_scalar(
    texts: list[str | None], region: str
) -> None:
    assert_same_as_scalar(texts, region)
