"""Phones (crmkit._normalize._phones): normalize_phone, and the fast path of normalize_phones,
which must give exactly the scalar's results: its tests compare the two, value by value."""

from __future__ import annotations

import math
import random
from typing import Any

import pandas as pd
import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

import crmkit._normalize._phones as phones_module
from crmkit._normalize._phones import (
    UNSTABLE_PHONE,
    PhoneResult,
    _fast_phone,
    _phone_rules,
    normalize_phone,
    normalize_phones,
    phone_digits,
)

REGIONS = ["FR", "GB", "US", "CN", "DE", "BE", "CH", "ES", "IT", "JP"]
DEFAULT_REGIONS = ["FR", "US", "CN", "GB", "DE", "JP", "IT", "CA", None]
ALL_REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
CODES = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
COUNTRY_CODES = st.sampled_from(CODES)
TYPES = [
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.VOIP,
]
# (region, country code, national prefix, example national significant number)
EXAMPLES = [
    (
        region,
        phonenumbers.country_code_for_region(region),
        phonenumbers.ndd_prefix_for_region(region, True) or "",
        phonenumbers.national_significant_number(number),
    )
    for region in REGIONS
    for kind in TYPES
    if (number := phonenumbers.example_number_for_type(region, kind)) is not None
]
# How a number starts: national prefix, country code with "+", "00", an IDD, or neither.
STARTS = ["national", "bare", "+cc", "+cc ", "00cc ", "00cc", "+cc (0)", "+cc 0", "(+cc) "]
STARTS += ["cc ", "idd cc "]
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
SEPARATORS = [" ", ".", "-", "", "\u00a0", "/", "  ", " - "]


def _dialling_prefix(region: str) -> str:
    """The international dialling prefix of a region when it is one string (011), else 00."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    prefix = metadata.international_prefix if metadata is not None else None
    return prefix if prefix is not None and prefix.isdigit() else "00"


def _assert_phones_match(values: list[Any], region: str | None) -> None:
    expected = [normalize_phone(v, region) for v in values]
    assert normalize_phones(values, region, workers=1) == expected
    rules = _phone_rules(region) if region in phonenumbers.SUPPORTED_REGIONS else None
    for value, want in zip(values, expected, strict=True):
        got = _fast_phone(rules, value)
        assert got is None or got == want, (value, region)


# --------------------------------------------------------------------------------------
# normalize_phone
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("06 25 34 12 57", "FR", "+33625341257"),
        ("+33 (0)6 25 34 12 57", "FR", "+33625341257"),
        ("0033625341257", "FR", "+33625341257"),
        ("0033625341257", "US", "+33625341257"),  # 00 is read as international anywhere
        ("06.25.34.12.57", "FR", "+33625341257"),
        ("０６２５３４１２５７", "FR", "+33625341257"),  # full-width digits
        (625341257.0, "FR", "+33625341257"),  # a spreadsheet number lost its leading 0
        ("(415) 555-0199", "US", "+14155550199"),
        ("138 0013 8000", "CN", "+8613800138000"),
        ("+86 10 1234 5678", "FR", "+861012345678"),
        ("+44 20 7946 0958", "FR", "+442079460958"),
    ],
)
def test_normalize_phone_to_e164(raw: Any, region: str, expected: str) -> None:
    assert normalize_phone(raw, region) == PhoneResult(expected, True, None)


@pytest.mark.parametrize(
    "raw", ["+33 1 23 45 67 89 ext. 12", "01 23 45 67 89 poste 12", "01 23 45 67 89 x12"]
)
def test_normalize_phone_drops_extension_and_says_so(raw: str) -> None:
    assert normalize_phone(raw) == PhoneResult("+33123456789", True, "extension dropped: 12")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("appeler le standard", "not a phone number"),
        ("12", "too short"),
        ("+33 6 25 34 12 5", "too short"),
        ("+999 123 456", "unknown country calling code"),
        ("06 25 34 12 57 / 01 23 45 67 89", "too long"),
    ],
)
def test_normalize_phone_keeps_bad_numbers_as_given(raw: str, reason: str) -> None:
    result = normalize_phone(raw)
    assert result.value == raw
    assert not result.ok
    assert result.reason is not None and result.reason.startswith(reason)


def test_normalize_phone_empty() -> None:
    assert normalize_phone("  ") == PhoneResult(None, True, None)
    assert normalize_phone(None) == PhoneResult(None, True, None)


@pytest.mark.parametrize("region", ["FR", "US", "CN", "GB", "DE", "BE", "CH", "HK"])
def test_normalize_phone_example_numbers_are_fixed_points(region: str) -> None:
    example = phonenumbers.example_number(region)
    assert example is not None
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    result = normalize_phone(national, region)
    assert result.ok
    assert normalize_phone(result.value, "FR") == result


@given(
    st.from_regex(r"\+?[0-9 ().-]{0,18}", fullmatch=True),
    st.sampled_from(["FR", "US", "CN", "GB", "DE"]),
)
def test_normalize_phone_output_is_a_fixed_point(raw: str, region: str) -> None:
    result = normalize_phone(raw, region)
    assert normalize_phone(result.value, region) == result
    if result.ok and result.value is not None:  # E.164 does not depend on the region
        assert normalize_phone(result.value, "JP").value == result.value


def test_phone_digits() -> None:
    assert phone_digits("+33 (0)6 25-34") == "33062534"
    assert phone_digits("１３８ 0013") == "1380013"
    assert phone_digits(None) == ""


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("0.00000", "DE"),  # the CI flake: +4900000 read again is +490000
        ("0.0022006060325", "DE"),
        ("012 9506676043", "CN"),
        ("0.80132859155", "BY"),  # national prefix 8
        ("+860024400105", "ID"),
        ("0430330023", "IM"),
    ],
)
def test_phone_whose_e164_would_not_read_back_is_kept_as_written(raw: str, region: str) -> None:
    result = normalize_phone(raw, region)
    assert result == PhoneResult(raw, False, UNSTABLE_PHONE)
    assert normalize_phone(result.value, region) == result


def test_phone_written_in_e164_reads_back_as_itself() -> None:
    # "+4900000" is +49 0000 (the national prefix goes), and that is a fixed point.
    assert normalize_phone("+4900000", "DE").value == "+490000"
    assert normalize_phone("+490000", "DE").value == "+490000"


_NATIONAL_PREFIXED = st.builds(
    lambda head, digits, seps: head + "".join(d + s for d, s in zip(digits, seps, strict=False)),
    st.sampled_from(["", "0", "00", "0.", "+", "+0", "8", "1", "01", "0 0"]),
    st.lists(st.text(alphabet="0000123456789", min_size=1, max_size=4), min_size=1, max_size=5),
    st.lists(st.sampled_from(["", "", " ", ".", "-"]), min_size=5, max_size=5),
)


@settings(max_examples=examples(600))
@given(_NATIONAL_PREFIXED, st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)))
@example("0.00000", "DE")
def test_phone_output_is_a_fixed_point_in_every_region(raw: str, region: str) -> None:
    result = normalize_phone(raw, region)
    assert normalize_phone(result.value, region) == result
    if result.ok and result.value is not None:  # E.164 reads the same in any region
        assert normalize_phone(result.value, "JP").value == result.value
        assert normalize_phones([raw], region, workers=1) == [result]


# --------------------------------------------------------------------------------------
# The fast path of normalize_phones: generated numbers
# --------------------------------------------------------------------------------------


@st.composite
def realistic_phones(draw: st.DrawFn) -> str:
    """A number shaped like a real one, written the ways CRM exports write numbers."""
    region, country_code, prefix, example = draw(st.sampled_from(EXAMPLES))
    kept = draw(st.integers(min_value=1, max_value=len(example)))
    tail = draw(st.text("0123456789", min_size=len(example) - kept, max_size=len(example) - kept))
    nsn = example[:kept] + tail
    start = draw(st.sampled_from(STARTS))
    lead = {
        "national": prefix,
        "bare": "",
        "+cc": f"+{country_code}",
        "+cc ": f"+{country_code} ",
        "00cc ": f"00{country_code} ",
        "00cc": f"00{country_code}",
        "+cc (0)": f"+{country_code} ({prefix or '0'})",
        "+cc 0": f"+{country_code} {prefix or '0'}",
        "(+cc) ": f"(+{country_code}) ",
        "cc ": f"{country_code} ",
        "idd cc ": f"{_dialling_prefix(region)} {country_code} ",
    }[start]
    sizes = draw(st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=6))
    groups: list[str] = []
    rest = nsn
    for size in sizes:
        if rest:
            groups.append(rest[:size])
            rest = rest[size:]
    if rest:
        groups.append(rest)
    separator = draw(st.sampled_from(SEPARATORS))
    if draw(st.booleans()) and len(groups) > 1:
        groups[0] = f"({groups[0]})"
    body = separator.join(groups)
    padding = draw(st.sampled_from(["", " ", "\t", "\u202f"]))
    return f"{padding}{lead}{body}{padding}"


@st.composite
def library_formatted_phones(draw: st.DrawFn) -> str:
    """An example number with random trailing digits, formatted by phonenumbers itself."""
    _, country_code, _, example = draw(st.sampled_from(EXAMPLES))
    kept = draw(st.integers(min_value=2, max_value=len(example)))
    tail = draw(st.text("0123456789", min_size=len(example) - kept, max_size=len(example) - kept))
    nsn = example[:kept] + tail
    number = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(nsn))
    if nsn.startswith("0"):
        number.italian_leading_zero = True
        number.number_of_leading_zeros = len(nsn) - len(nsn.lstrip("0")) or None
    fmt = draw(
        st.sampled_from(
            [
                phonenumbers.PhoneNumberFormat.NATIONAL,
                phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                phonenumbers.PhoneNumberFormat.E164,
            ]
        )
    )
    return str(phonenumbers.format_number(number, fmt))


@given(st.lists(realistic_phones(), max_size=8), st.sampled_from(DEFAULT_REGIONS))
def test_realistic_phones_match_the_scalar(values: list[str], region: str | None) -> None:
    _assert_phones_match(values, region)


@st.composite
def any_region_phones(draw: st.DrawFn) -> tuple[str, str]:
    """A default region among all of phonenumbers', and a number written for it or not."""
    region = draw(st.sampled_from(ALL_REGIONS))
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    assert metadata is not None
    national_prefix = metadata.national_prefix or ""
    kind = draw(st.sampled_from(TYPES[:2]))
    example = phonenumbers.example_number_for_type(region, kind)
    nsn = phonenumbers.national_significant_number(example) if example else "123456789"
    kept = draw(st.integers(min_value=0, max_value=len(nsn)))
    size = max(0, len(nsn) - kept + draw(st.integers(min_value=-2, max_value=2)))
    nsn = nsn[:kept] + draw(st.text("0123456789", min_size=size, max_size=size))
    code = draw(st.one_of(st.just(metadata.country_code), COUNTRY_CODES))
    idd = _dialling_prefix(region)
    digits = draw(st.integers(0, 99))
    leads = ["", national_prefix, f"+{code} ", f"{code} ", f"{idd} {code} ", "0", "1", "8"]
    lead = draw(st.sampled_from([*leads, f"{national_prefix}{digits}"]))
    return lead + nsn, region


@settings(max_examples=examples(400))
@given(st.lists(any_region_phones(), max_size=4))
def test_phones_in_every_region_match_the_scalar(cases: list[tuple[str, str]]) -> None:
    for raw, region in cases:
        _assert_phones_match([raw], region)


@given(st.lists(library_formatted_phones(), max_size=8), st.sampled_from(DEFAULT_REGIONS))
def test_library_formatted_phones_match_the_scalar(values: list[str], region: str | None) -> None:
    _assert_phones_match(values, region)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "+", "00", "0", "+0", "1", "+1", "+7", "+44", "(", " +"]),
            st.text("0123456789", min_size=4, max_size=16),
            st.sampled_from(["", " ", ".", "-"]),
        ).map(lambda t: t[0] + t[2].join([t[1][:3], t[1][3:6], t[1][6:]])),
        max_size=10,
    ),
    st.sampled_from(DEFAULT_REGIONS),
)
def test_random_digit_strings_match_the_scalar(values: list[str], region: str | None) -> None:
    _assert_phones_match(values, region)


@given(
    st.lists(
        st.one_of(
            st.from_regex(r"[0-9+ ().\-/a-zA-Z#,;:xX\u00a0]{0,24}", fullmatch=True),
            st.tuples(
                realistic_phones(),
                st.sampled_from(
                    [" ext. 12", " x12", " poste 3", "#45", " / 01 23 45 67 89", ";ext=9", " 转 8"]
                ),
            ).map("".join),
            st.tuples(
                st.sampled_from(["tel: ", "Tel ", "mobile ", "tel:", "T. "]), realistic_phones()
            ).map("".join),
            realistic_phones().map(lambda s: s.translate(FULL_WIDTH_DIGITS)),
        ),
        max_size=8,
    ),
    st.sampled_from(DEFAULT_REGIONS),
)
def test_phones_with_letters_and_extensions_match_the_scalar(
    values: list[str], region: str | None
) -> None:
    _assert_phones_match(values, region)


# --------------------------------------------------------------------------------------
# The fast path of normalize_phones: fixed cases
# --------------------------------------------------------------------------------------

# fmt: off
PLAIN_PHONES = [
    ("06 25 34 12 57", "FR"), ("06.25.34.12.57", "FR"), ("0625341257", "FR"),
    ("+33 6 25 34 12 57", "FR"), ("+33 (0)6 25 34 12 57", "FR"), ("0033 6 25 34 12 57", "FR"),
    ("01-23-45-67-89", "FR"), ("(415) 555-0199", "US"), ("+1 415 555 0199", "FR"),
    ("1 415 555 0199", "US"), ("138 0013 8000", "CN"), ("+86 10 1234 5678", "FR"),
    ("+44 20 7946 0958", "FR"), ("020 7946 0958", "GB"), ("030 123456", "DE"),
    ("+39 06 1234 5678", "FR"), ("03-1234-5678", "JP"), ("+41 21 234 56 78", "FR"),
    ("+7 912 345 67 89", "FR"), ("+44 1481 256789", "FR"), ("0800 123 456", "CH"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "region"), PLAIN_PHONES)
def test_plain_phones_take_the_fast_path(raw: str, region: str) -> None:
    fast = _fast_phone(_phone_rules(region), raw)
    assert fast is not None  # the common shapes must not fall back to the libraries
    assert fast == normalize_phone(raw, region)


# fmt: off
@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("01 23 45 67 89 poste 12", "FR"), ("+33 1 23 45 67 89 ext. 12", "FR"),
        ("appeler le standard", "FR"), ("12", "FR"), ("+999 123 456", "FR"),
        ("06 25 34 12 57 / 01 23 45 67 89", "FR"), ("011 33 6 25 34 12 57", "US"),
        ("+800 1234 5678", "FR"), ("0312345678", None), ("(+33) 6 25 34 12 57", "FR"),
        ("1-800-FLOWERS", "US"), ("+54 9 11 1234 5678", "FR"), ("011 15 2345 6789", "AR"),
        ("0312345678", "JP"), ("0 801 23 45 67", "FR"), ("+33 6 25 34 12 5", "FR"),
        ("6 25 34 12 57", "fr"),
    ],
)
def test_unusual_phones_match_the_scalar(raw: str, region: str | None) -> None:
    _assert_phones_match([raw], region)
# fmt: on


# Each of these numbers changes result if one step of the fast path is left out or
# simplified (found by breaking each step on purpose and searching random numbers).
# fmt: off
EDGE_PHONES = [
    # the national prefix is not stripped when the number was valid and what is left is not
    ("82949118", "BY"), ("81294911928", "BY"), ("829491192", "BY"),
    # the default country code written without "+"
    ("11990982412", "US"), ("358 412340385", "FI"), ("504 22375557", "HN"),
    ("30 6912345678", "GR"), ("11447500111", "GD"), ("81 3 1234 5678", "JP"),
    # the national prefix is kept when what is left would be too short or local-only
    ("0166733414", "IM"), ("0779771234", "JE"), ("0777912185", "JE"),
    # the general description must match as well as a type's
    ("049301695853", "DE"), ("04930123490", "DE"),
    # an international dialling prefix (IDD) written out
    ("010 261 901282970572", "JP"), ("010 61 901234567", "JP"), ("026221", "WS"),
    ("0207586694", "WS"), ("810 502 904299423", "RU"), ("011 33 6 25 34 12 57", "US"),
    # national prefix transform rules
    ("99330211", "CC"), ("011 15 2345-6789", "AR"), ("+54 11 15 2345 6789", "FR"),
    ("0 21 11 2345 6789", "BR"), ("0002 123456", "JP"), ("01481 256789", "GG"),
    # a "+" anywhere but first
    ("00+33 6 25 34 12 57", "FR"), ("++33 6 25 34 12 57", "FR"), ("+33+6 25 34 12 57", "FR"),
    ("06 25 34+12 57", "FR"), ("+ 33 6 25 34 12 57", "FR"),
    # country codes shared by several regions
    ("+1 416 555 0199", "FR"), ("(416) 555-0199", "CA"), ("+7 727 123 4567", "FR"),
    ("8 727 123 4567", "KZ"), ("+39 06 698 12345", "FR"), ("+44 7781 123456", "FR"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "region"), EDGE_PHONES)
def test_edge_phones_match_the_scalar(raw: str, region: str) -> None:
    _assert_phones_match([raw], region)


# Plain numbers whose E.164 form would read back as another number: the national number
# starts with the national prefix, which phonenumbers strips again after the "+" (issue
# #11). normalize_phone keeps them as written; the fast path must stand aside.
UNSTABLE_PHONES = [
    ("0.00000", "DE"), ("0.0022006060325", "DE"), ("012 9506676043", "CN"),
    ("0.80132859155", "BY"), ("+860024400105", "ID"), ("0430330023", "IM"),
    ("0.007700", "AU"), ("0.080025", "KR"), ("+310042802062", "GB"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "region"), UNSTABLE_PHONES)
def test_phones_whose_e164_would_not_read_back_take_the_slow_path(raw: str, region: str) -> None:
    assert _fast_phone(_phone_rules(region), raw) is None
    assert not normalize_phone(raw, region).ok
    _assert_phones_match([raw], region)


@settings(max_examples=examples(400))
@given(
    st.lists(
        st.tuples(
            st.builds(
                str.__add__,
                st.sampled_from(["0", "00", "0.", "+", "+0", "8", "0 0", ""]),
                st.text("00000123456789 .", min_size=2, max_size=14),
            ),
            st.sampled_from(ALL_REGIONS),
        ),
        max_size=4,
    )
)
def test_phones_led_by_a_national_prefix_match_the_scalar(cases: list[tuple[str, str]]) -> None:
    for raw, region in cases:
        _assert_phones_match([raw], region)


def test_random_sweep_over_every_region_matches_the_scalar() -> None:
    # Seeded, so it is the same sweep each run; it reaches shapes the fixed lists miss.
    rng = random.Random(20240305)
    for _ in range(3000):
        region = rng.choice(ALL_REGIONS)
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        assert metadata is not None
        example = phonenumbers.example_number_for_type(region, rng.choice(TYPES[:2]))
        nsn = phonenumbers.national_significant_number(example) if example else "123456789"
        kept = rng.randrange(len(nsn) + 1)
        size = max(0, len(nsn) - kept + rng.choice([-2, -1, 0, 0, 1, 2]))
        nsn = nsn[:kept] + "".join(rng.choice("0123456789") for _ in range(size))
        code = rng.choice([metadata.country_code, rng.choice(CODES)])
        prefix = metadata.national_prefix or ""
        lead = rng.choice(
            ["", prefix, f"+{code} ", f"{code} ", f"{_dialling_prefix(region)} {code} ", "0", "8"]
        )
        _assert_phones_match([lead + nsn], region)


@pytest.mark.parametrize(
    "value", [None, float("nan"), pd.NA, 625341257.0, 625341257, True, "", "  ", "n/a", ["06"]]
)
def test_phone_cells_that_are_not_text_match_the_scalar(value: Any) -> None:
    expected = normalize_phone(value, "FR")
    (got,) = normalize_phones([value], "FR", workers=1)
    assert got == expected


def test_each_distinct_value_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = phones_module.normalize_phone

    def spy(value: Any, region: str | None = "FR") -> PhoneResult:
        calls.append(value)
        return real(value, region)

    monkeypatch.setattr(phones_module, "normalize_phone", spy)
    values = ["06 25 34 12 57", "poste 12 au 01 23 45 67 89", None, math.nan] * 500
    results = normalize_phones(values, "FR", workers=1)
    assert len(results) == len(values)
    assert results[0] == results[4] and results[1] == results[5]
    # the plain number never reaches the library; the other three once each
    assert sorted(map(repr, calls)) == sorted(map(repr, values[1:4]))


def test_fast_phone_rules_compile_for_every_region() -> None:
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        rules = _phone_rules(region)
        assert rules is not None
        assert rules.types_by_length is not None, region


def test_non_text_region_uses_the_scalar() -> None:
    region: Any = 33
    assert normalize_phones(["06 25 34 12 57"], region) == [
        normalize_phone("06 25 34 12 57", region)
    ]
    with pytest.raises(AttributeError):  # phonenumbers calls region.upper()
        normalize_phone("+33 6 25 34 12 57", region)
    with pytest.raises(AttributeError):
        normalize_phones(["+33 6 25 34 12 57"], region)
