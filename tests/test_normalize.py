"""Normalisers for messy CRM values: examples, bad input, properties, vectorised twins."""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd
import phonenumbers
import polars as pl
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit._exceptions import ValidationError
from crmkit._normalize._values import (
    _FALSE_WORDS,
    _LEGAL_FORMS,
    _TRUE_WORDS,
    UNSTABLE_PHONE,
    EmailResult,
    HeadcountResult,
    PhoneResult,
    RevenueResult,
    clean_text,
    company_key,
    drop_controls,
    email_domain,
    email_key,
    map_distinct,
    map_distinct_checked,
    name_key,
    normalize_country,
    normalize_email,
    normalize_emails,
    normalize_phone,
    normalize_phones,
    normalize_url,
    parse_bool,
    parse_bools,
    parse_currency,
    parse_date,
    parse_dates,
    parse_headcount,
    parse_number,
    parse_numbers,
    parse_revenue,
    phone_digits,
    split_list,
    unquote_formula,
    url_domain,
)
from crmkit.schemas._vocab import COUNTRY_CODES, country_names

# --------------------------------------------------------------------------------------
# clean_text, split_list
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Phones
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


# --------------------------------------------------------------------------------------
# Emails and URLs
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Helene.Blou@APROOL.com", "Helene.Blou@aprool.com"),
        ("  helene.blou@aprool.com\t", "helene.blou@aprool.com"),
        ("mailto:helene.blou@aprool.com", "helene.blou@aprool.com"),
        ("MAILTO:helene.blou@aprool.com?subject=Bonjour", "helene.blou@aprool.com"),
        ("Hélène Blou <helene.blou@Aprool.com>", "helene.blou@aprool.com"),
        ("jean@EXÄMPLE.fr", "jean@exämple.fr"),  # internationalised domain
        ("张伟@例子.中国", "张伟@例子.中国"),
    ],
)
def test_normalize_email(raw: str, expected: str) -> None:
    assert normalize_email(raw) == EmailResult(expected, True, None)


@pytest.mark.parametrize(
    "raw",
    [
        "helene.blou@",
        "helene.blou@aprool",
        "a..b@aprool.com",
        "helene blou@aprool.com",
        "pas d'email",
    ],
)
def test_normalize_email_keeps_bad_addresses_with_a_reason(raw: str) -> None:
    result = normalize_email(raw)
    assert result.value == raw
    assert not result.ok
    assert result.reason


def test_normalize_email_empty() -> None:
    assert normalize_email("N/A") == EmailResult(None, True, None)


_LOCAL = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,15}", fullmatch=True)
_DOMAIN = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}\.(com|fr|cn|org|CO\.UK)", fullmatch=True)


@given(st.one_of(st.emails(), st.builds("{}@{}".format, _LOCAL, _DOMAIN)))
def test_normalize_email_is_idempotent_on_valid_emails(raw: str) -> None:
    result = normalize_email(raw)
    assume(result.ok)
    assert normalize_email(result.value) == result
    assert result.value is not None
    assert result.value.rpartition("@")[2] == result.value.rpartition("@")[2].lower()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("John.Smith+crm@GoogleMail.com", "johnsmith@gmail.com"),
        ("j.o.h.n.smith@gmail.com", "johnsmith@gmail.com"),
        ("john+crm@x.com", "john@x.com"),
        ("H.Blou@Aprool.com", "h.blou@aprool.com"),  # dots matter outside Gmail
        ("not an email", None),
        (None, None),
    ],
)
def test_email_key(raw: Any, expected: str | None) -> None:
    assert email_key(raw) == expected


def test_email_domain() -> None:
    assert email_domain("Helene.Blou@Aprool.COM") == "aprool.com"
    assert email_domain("Hélène <h@Aprool.fr>") == "aprool.fr"
    assert email_domain("aprool.com") is None
    assert email_domain("") is None


@pytest.mark.parametrize(
    ("raw", "url", "domain"),
    [
        ("WWW.Aprool.com/", "https://www.aprool.com", "aprool.com"),
        ("aprool.com", "https://aprool.com", "aprool.com"),
        ("http://Aprool.com/Produits/", "http://aprool.com/Produits/", "aprool.com"),
        ("HTTPS://www.aprool.com/?q=1", "https://www.aprool.com/?q=1", "aprool.com"),
        ("//cdn.Aprool.com/", "https://cdn.aprool.com", "cdn.aprool.com"),
        ("www.aprool.fr:8080/contact", "https://www.aprool.fr:8080/contact", "aprool.fr"),
        ("n/c", None, None),
        ("", None, None),
    ],
)
def test_normalize_url_and_domain(raw: str, url: str | None, domain: str | None) -> None:
    assert normalize_url(raw) == url
    assert url_domain(raw) == domain
    if url is not None:
        assert normalize_url(url) == url


# --------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------


# fmt: off
@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("UK", "GB"), ("Great Britain", "GB"), ("England", "GB"), ("Royaume-Uni", "GB"),
        ("royaume uni", "GB"), ("USA", "US"), ("us", "US"), ("U.S.A.", "US"),
        ("United States of America", "US"), ("États-Unis", "US"), ("etats unis", "US"),
        ("美国", "US"), ("Chine", "CN"), ("中国", "CN"), ("中国大陆", "CN"), ("PRC", "CN"),
        ("Allemagne", "DE"), ("Deutschland", "DE"), ("Hong Kong", "HK"), ("香港", "HK"),
        ("Taiwan", "TW"), ("台湾", "TW"), ("Corée du Sud", "KR"), ("South Korea", "KR"),
        ("韩国", "KR"),
        ("Suisse", "CH"), ("Schweiz", "CH"), ("Belgique", "BE"), ("Pays-Bas", "NL"),
        ("Holland", "NL"), ("Espagne", "ES"), ("Italie", "IT"), ("FRA", "FR"), ("deu", "DE"),
        ("CHN", "CN"), (" france ", "FR"), ("Côte d'Ivoire", "CI"), ("cote divoire", "CI"),
        ("Macau", "MO"), ("澳门", "MO"),
    ],
)
def test_normalize_country(raw: str, code: str) -> None:
    assert normalize_country(raw) == code
# fmt: on


@pytest.mark.parametrize("raw", ["Atlantis", "Paris", "", None, "NA"])
def test_normalize_country_unknown_is_none(raw: Any) -> None:
    assert normalize_country(raw) is None


def test_normalize_country_reads_every_code_and_name() -> None:
    for code in COUNTRY_CODES - {"NA"}:  # "NA" is read as a missing value
        assert normalize_country(code.lower()) == code
        for name in country_names(code).values():
            assert normalize_country(name) == code, name
            assert normalize_country(name.upper()) == code, name


# --------------------------------------------------------------------------------------
# Name and company keys
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Numbers and currencies
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 250 000,50 €", 1250000.5),
        ("1.250.000,50", 1250000.5),
        ("1,250,000.50", 1250000.5),
        ("1\u00a0250\u202f000,50", 1250000.5),
        ("1'250'000.50", 1250000.5),
        ("4,2 M€", 4_200_000),
        ("4.2M", 4_200_000),
        ("3 k€", 3000),
        ("3K", 3000),
        ("12 kEUR", 12000),
        ("1,5 Md€", 1.5e9),
        ("1.5bn", 1.5e9),
        ("2B", 2e9),
        ("4,2 millions d'euros", 4_200_000),
        ("¥3,000万", 30_000_000),
        ("3000万元", 30_000_000),
        ("人民币3000万", 30_000_000),
        ("1.2亿", 120_000_000),
        ("$3.5M", 3_500_000),
        ("USD 3.5M", 3_500_000),
        ("4.2E+06", 4_200_000),
        ("-1 250,50", -1250.5),
        ("1,250", 1250),  # comma + exactly three digits groups thousands
        ("1,25", 1.25),
        ("0,250", 0.25),
        ("1 250,500", 1250.5),  # spaces group thousands, so the comma is decimal
        ("１２３", 123),
        (42, 42.0),
        (4.5, 4.5),
        ("n/c", None),
        ("", None),
        ("-", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_parse_number(raw: Any, expected: float | None) -> None:
    assert parse_number(raw) == expected


def test_parse_number_forced_decimal() -> None:
    assert parse_number("1,250", decimal=",") == 1.25
    assert parse_number("1.250", decimal=",") == 1250
    assert parse_number("1,250", decimal=".") == 1250
    assert parse_number("1 250,5", decimal=",") == 1250.5


@pytest.mark.parametrize(
    "raw",
    ["beaucoup", "12 %", "1.2.3", "1,2,3", "3 zillions", "€", True, "1 2", "(1 234)", "12-34"],
)
def test_parse_number_garbage_names_the_value(raw: Any) -> None:
    with pytest.raises(ValidationError, match="not a number") as info:
        parse_number(raw)
    assert repr(raw) in str(info.value)


def test_parse_number_contradicting_forced_decimal() -> None:
    with pytest.raises(ValidationError, match="'1,5'"):
        parse_number("1,5", decimal=".")


_AMOUNTS = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(_AMOUNTS, st.sampled_from([" ", "\u00a0", "\u202f", "."]))
def test_parse_number_round_trips_french_style(x: float, group: str) -> None:
    english = f"{x:,.2f}"
    french = english.replace(",", "\x00").replace(".", ",").replace("\x00", group)
    assert parse_number(french) == float(f"{x:.2f}")
    assert parse_number(french, decimal=",") == float(f"{x:.2f}")
    assert parse_number(french + " €") == float(f"{x:.2f}")


@given(_AMOUNTS)
def test_parse_number_round_trips_english_style(x: float) -> None:
    english = f"{x:,.2f}"
    assert parse_number(english) == float(f"{x:.2f}")
    assert parse_number(english, decimal=".") == float(f"{x:.2f}")
    assert parse_number(f"${english}") == float(f"{x:.2f}")


@given(st.integers(min_value=0, max_value=10**12))
def test_parse_number_round_trips_whole_numbers(n: int) -> None:
    assert parse_number(f"{n:,}") == n
    assert parse_number(f"{n:,}".replace(",", "\u202f")) == n


# fmt: off
@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("4,2 M€", "EUR"), ("€3.5m", "EUR"), ("12 kEUR", "EUR"), ("3 euros", "EUR"),
        ("$3.5M", "USD"), ("US$ 3M", "USD"), ("3 USD", "USD"), ("HK$ 3M", "HKD"), ("£200k", "GBP"),
        ("¥3,000万", "CNY"), ("3000万元", "CNY"), ("RMB 3M", "CNY"), ("3 CHF", "CHF"),
        ("300美元", "USD"), ("1 250", None), ("", None),
    ],
)
def test_parse_currency(raw: str, code: str | None) -> None:
    assert parse_currency(raw) == code
# fmt: on


# --------------------------------------------------------------------------------------
# Booleans and dates
# --------------------------------------------------------------------------------------


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


MARCH_5 = dt.date(2024, 3, 5)


# fmt: off
@pytest.mark.parametrize(
    "raw",
    [
        "2024-03-05", "2024/03/05", "20240305", "2024-3-5", "05/03/2024", "5/3/2024",
        "05.03.2024", "05-03-2024", "05/03/24", "5 mars 2024", "mardi 5 mars 2024",
        "le 5 mars 2024", "March 5, 2024", "Mar 5th, 2024", "5 March 2024", "05-Mar-24",
        "2024年3月5日", "2024 年 3 月 5 日", "2024-03-05T10:30:00Z", "2024-03-05 10:30:00",
        "05/03/2024 10:30", 45356, 45356.75, "45356", dt.datetime(2024, 3, 5, 10, 30), MARCH_5,
        pd.Timestamp("2024-03-05 08:00"),
    ],
)
def test_parse_date(raw: Any) -> None:
    assert parse_date(raw) == MARCH_5
# fmt: on


def test_parse_date_day_or_month_first() -> None:
    assert parse_date("03/05/2024", dayfirst=False) == MARCH_5
    assert parse_date("03/05/2024") == dt.date(2024, 5, 3)
    assert parse_date("05.03.2024", dayfirst=False) == MARCH_5  # dots are always day first
    assert parse_date("12/25/2024") == dt.date(2024, 12, 25)  # only one reading is a date
    assert parse_date("1er avril 2024") == dt.date(2024, 4, 1)
    assert parse_date("3 août 2023") == dt.date(2023, 8, 3)
    assert parse_date("14 févr. 2024") == dt.date(2024, 2, 14)


@pytest.mark.parametrize("raw", [None, "", "n/c", pd.NaT, float("nan")])
def test_parse_date_empty(raw: Any) -> None:
    assert parse_date(raw) is None


# fmt: off
@pytest.mark.parametrize(
    "raw",
    [
        "bientôt", "2024", "31/02/2024", "2024-13-01", "mars 2024", "5 mars", 0, 90000, True,
        "45 mars 2024",
    ],
)
def test_parse_date_garbage_names_the_value(raw: Any) -> None:
    with pytest.raises(ValidationError, match="not a date") as info:
        parse_date(raw)
    assert repr(raw) in str(info.value)
# fmt: on


FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
ENGLISH_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@given(st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_parse_date_round_trips(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day:%d/%m/%Y}") == day
    assert parse_date(f"{day:%m/%d/%Y}", dayfirst=False) == day
    assert parse_date(f"{day:%Y%m%d}") == day
    assert parse_date(f"{day.day} {FRENCH_MONTHS[day.month - 1]} {day.year}") == day
    assert parse_date(f"{ENGLISH_MONTHS[day.month - 1]} {day.day}, {day.year}") == day
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == day
    assert parse_date((day - dt.date(1899, 12, 30)).days) == day


# --------------------------------------------------------------------------------------
# Headcounts and revenues
# --------------------------------------------------------------------------------------


# fmt: off
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("85", (85, None, None)), (85, (85, None, None)), (85.0, (85, None, None)),
        ("10 000 salariés", (10000, None, None)), ("10.000", (10000, None, None)),
        ("environ 200 personnes", (200, None, None)), ("约200人", (200, None, None)),
        ("50-99", (None, 50, 99)), ("50 à 99", (None, 50, 99)), ("50 to 99", (None, 50, 99)),
        ("50–99 employees", (None, 50, 99)), ("between 50 and 99", (None, 50, 99)),
        ("de 50 à 99 salariés", (None, 50, 99)), ("50-99人", (None, 50, 99)),
        ("20 à 49 salariés", (None, 20, 49)), ("1 ou 2 salariés", (None, 1, 2)),
        ("100+", (None, 100, None)), ("10,001+ employees", (None, 10001, None)),
        ("plus de 5000", (None, 5000, None)), ("> 1000", (None, 1000, None)),
        ("1000 et plus", (None, 1000, None)), ("10 000 salariés et plus", (None, 10000, None)),
        ("100人以上", (None, 100, None)), ("moins de 10", (None, 0, 10)),
        ("少于10人", (None, 0, 10)),
        ("Unités non employeuses", (None, 0, 0)), ("00", (None, 0, 0)), ("01", (None, 1, 2)),
        ("02", (None, 3, 5)), ("03", (None, 6, 9)), ("", (None, None, None)),
        (None, (None, None, None)),
    ],
)
def test_parse_headcount(raw: Any, expected: tuple[int | None, ...]) -> None:
    assert parse_headcount(raw) == HeadcountResult(*expected)
# fmt: on


# fmt: off
@pytest.mark.parametrize(
    ("code", "low", "high"),
    [
        ("00", 0, 0), ("01", 1, 2), ("02", 3, 5), ("03", 6, 9), ("11", 10, 19), ("12", 20, 49),
        ("21", 50, 99), ("22", 100, 199), ("31", 200, 249), ("32", 250, 499), ("41", 500, 999),
        ("42", 1000, 1999), ("51", 2000, 4999), ("52", 5000, 9999), ("53", 10000, None),
        ("NN", 0, 0), (12, 20, 49), (1, 1, 2),
    ],
)
def test_parse_headcount_insee_codes(code: Any, low: int, high: int | None) -> None:
    assert parse_headcount(code, insee=True) == HeadcountResult(None, low, high)
# fmt: on


def test_parse_headcount_without_insee_flag_reads_numbers() -> None:
    assert parse_headcount("12") == HeadcountResult(12, None, None)


@pytest.mark.parametrize(
    ("raw", "insee"),
    [("beaucoup", False), ("99-50", False), ("-5", False), (85.5, False), ("99", True)],
)
def test_parse_headcount_garbage_names_the_value(raw: Any, insee: bool) -> None:
    with pytest.raises(ValidationError) as info:
        parse_headcount(raw, insee=insee)
    assert repr(raw) in str(info.value)


# fmt: off
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4,2 M€", (4.2e6, None, None, "EUR")), ("4200000", (4.2e6, None, None, None)),
        (4_200_000, (4.2e6, None, None, None)), ("1M-10M", (None, 1e6, 1e7, None)),
        ("1 à 10 M€", (None, 1e6, 1e7, "EUR")), ("de 1 à 10 M€", (None, 1e6, 1e7, "EUR")),
        ("entre 1 et 10 M€", (None, 1e6, 1e7, "EUR")),
        ("between 1M and 10M", (None, 1e6, 1e7, None)), ("$1M to $10M", (None, 1e6, 1e7, "USD")),
        ("1-5 millions", (None, 1e6, 5e6, None)), ("1-5 millions d'euros", (None, 1e6, 5e6, "EUR")),
        ("500 - 1M", (None, 500.0, 1e6, None)), ("1000万-5000万元", (None, 1e7, 5e7, "CNY")),
        ("> 1 Md€", (None, 1e9, None, "EUR")), ("plus de 50 M€", (None, 5e7, None, "EUR")),
        ("$5M+", (None, 5e6, None, "USD")), ("1亿以上", (None, 1e8, None, None)),
        ("< 1M", (None, 0.0, 1e6, None)), ("", (None, None, None, None)),
    ],
)
def test_parse_revenue(raw: Any, expected: tuple[Any, ...]) -> None:
    assert parse_revenue(raw) == RevenueResult(*expected)
# fmt: on


@pytest.mark.parametrize("raw", ["beaucoup", "10M-1M", "CA: 3M", "3 zillions"])
def test_parse_revenue_garbage_names_the_value(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_revenue(raw)
    assert repr(raw) in str(info.value)


# --------------------------------------------------------------------------------------
# Vectorised twins: same results as the scalars, on lists, pandas and polars Series
# --------------------------------------------------------------------------------------

PHONES = ["06 25 34 12 57", None, "+33 6 25 34 12 57", "06 25 34 12 57", "bad", "", "bad"]
EMAILS = ["A@Aprool.com", "a@aprool.com", None, "nope", "A@Aprool.com", "nope"]
NUMBERS = ["1 250,50", "4,2 M€", None, "n/c", "lots", "4,2 M€", "lots", "1 250,50"]
BOOLS = ["oui", "non", "X", None, "peut-être", "oui", "peut-être"]
DATES = ["05/03/2024", "5 mars 2024", None, "bientôt", "05/03/2024", "bientôt"]
COUNTRIES = ["France", "Chine", None, "Atlantis", "France", "中国"]


@pytest.fixture(params=["list", "pandas", "polars"])
def as_container(request: pytest.FixtureRequest) -> Callable[[list[Any]], Any]:
    """Wrap a list of values as a list, a pandas Series or a polars Series."""
    kind = request.param

    def wrap(values: list[Any]) -> Any:
        if kind == "pandas":
            return pd.Series(values)  # pandas 3 infers the "str" dtype: None becomes NaN
        if kind == "polars":
            return pl.Series(values, dtype=pl.String)
        return list(values)

    return wrap


def _checked(func: Callable[[Any], Any], values: list[Any]) -> tuple[list[Any], list[Any]]:
    results: list[Any] = []
    errors: list[Any] = []
    for value in values:
        try:
            results.append(func(value))
            errors.append(None)
        except ValidationError as exc:
            results.append(None)
            errors.append(str(exc))
    return results, errors


def test_vectorised_phones_and_emails_match_scalars(as_container: Callable[..., Any]) -> None:
    assert normalize_phones(as_container(PHONES)) == [normalize_phone(v) for v in PHONES]
    assert normalize_phones(as_container(PHONES), "CN") == [
        normalize_phone(v, "CN") for v in PHONES
    ]
    assert normalize_emails(as_container(EMAILS)) == [normalize_email(v) for v in EMAILS]


def test_vectorised_parsers_match_scalars(as_container: Callable[..., Any]) -> None:
    assert parse_numbers(as_container(NUMBERS)) == _checked(parse_number, NUMBERS)
    assert parse_numbers(as_container(NUMBERS), decimal=",") == _checked(
        lambda v: parse_number(v, decimal=","), NUMBERS
    )
    assert parse_bools(as_container(BOOLS)) == _checked(parse_bool, BOOLS)
    assert parse_dates(as_container(DATES)) == _checked(parse_date, DATES)
    assert parse_dates(as_container(DATES), dayfirst=False) == _checked(
        lambda v: parse_date(v, dayfirst=False), DATES
    )
    countries = map_distinct(as_container(COUNTRIES), normalize_country)
    assert countries == [normalize_country(v) for v in COUNTRIES]


def test_vectorised_errors_name_the_values() -> None:
    values, errors = parse_numbers(NUMBERS)
    assert values == [1250.5, 4.2e6, None, None, None, 4.2e6, None, 1250.5]
    assert errors == [
        None,
        None,
        None,
        None,
        "not a number: 'lots'",
        None,
        "not a number: 'lots'",
        None,
    ]


@given(st.lists(st.sampled_from(PHONES + EMAILS + NUMBERS + DATES), max_size=30))
def test_vectorised_match_scalars_on_any_mix(values: list[Any]) -> None:
    assert normalize_phones(values) == [normalize_phone(v) for v in values]
    assert parse_numbers(values) == _checked(parse_number, values)
    assert parse_dates(values) == _checked(parse_date, values)


def test_map_distinct_calls_once_per_distinct_value(as_container: Callable[..., Any]) -> None:
    calls: list[Any] = []

    def spy(value: Any) -> Any:
        calls.append(value)
        return value

    values = ["a", "b", "a", None, "b", None, "a"] * 1000
    assert len(map_distinct(as_container(values), spy)) == len(values)
    assert len(calls) == 3


def test_map_distinct_keeps_types_apart_and_handles_unhashables() -> None:
    assert map_distinct([1, 1.0, True], repr) == ["1", "1.0", "True"]
    assert map_distinct([["a"], ["a"]], split_list) == [["a"], ["a"]]


def test_map_distinct_checked_pairs_results_and_errors() -> None:
    results, errors = map_distinct_checked(["12", "douze", "12"], parse_headcount)
    assert results == [HeadcountResult(12), None, HeadcountResult(12)]
    assert errors[0] is None and errors[2] is None
    assert errors[1] is not None and "'douze'" in errors[1]


def test_results_are_frozen() -> None:
    result = normalize_phone("06 25 34 12 57")
    with pytest.raises(AttributeError):
        result.value = "x"  # type: ignore[misc]
    assert math.isclose(parse_number("4,2 M€") or 0, 4.2e6)


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


# --------------------------------------------------------------------------------------
# Stored phones are fixed points (issue #11)
# --------------------------------------------------------------------------------------


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
# Control characters and escape sequences (issue #11)
# --------------------------------------------------------------------------------------


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


_CONTROLS = [chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]] + [
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    "\x1b[31m",
    "\x1b[",
    "\x1b]0;t\x07",
    "\x9b2J",
]
hostile_text = st.lists(
    st.one_of(st.sampled_from(_CONTROLS), st.text(max_size=4), st.sampled_from(["'", "=", "@"])),
    max_size=8,
).map("".join)


_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def assert_no_controls(text: str | None, keep: str = "\n") -> None:
    """No C0 or C1 control, DEL, bidirectional override or surrogate but those in ``keep``."""
    if text is None:
        return
    bad = [c for c in _FORBIDDEN.findall(text) if c not in keep]
    assert not bad, (text, bad)


@settings(max_examples=examples(300))
@given(hostile_text)
def test_no_normaliser_outputs_a_control_character(text: str) -> None:
    cleaned = clean_text(text)
    assert_no_controls(cleaned)
    assert clean_text(cleaned) == cleaned
    for item in split_list(text):
        assert_no_controls(item)
    phone = normalize_phone(text, "FR")
    assert_no_controls(phone.value)
    email = normalize_email(text)
    assert_no_controls(email.value)
    assert_no_controls(normalize_url(text))
    assert_no_controls(normalize_country(text))
    assert_no_controls(drop_controls(text), keep="\n\t")
    assert_no_controls(name_key(text))
    assert_no_controls(company_key(text))


def test_email_and_phone_lose_their_control_characters() -> None:
    assert normalize_email("hel\x00ene@aprool.com\x1b[0m").value == "helene@aprool.com"
    assert normalize_phone("06 25\x1b[31m 34 12 57\u202e").value == "+33625341257"
    assert normalize_url("www.aprool.com\x00") == "https://www.aprool.com"


# --------------------------------------------------------------------------------------
# Numbers that are not numbers, values cut short in messages (issue #11)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parse", "raw"),
    [
        (parse_number, 10**400),  # float() would raise OverflowError
        (parse_number, Decimal("1e400")),  # float() would give inf
        (parse_number, "1e400"),
        (parse_number, "9" * 400),
        (parse_number, float("inf")),
        (parse_number, Decimal("NaN")),
        (parse_revenue, 10**400),
        (parse_revenue, Decimal("-1e400")),
        (parse_revenue, "9" * 400 + " €"),
        (parse_headcount, 2**70),
        (parse_headcount, "99 999 999 999 999 999 999"),
        (parse_headcount, 1e30),
        # too long for str() (over 4,300 digits): the message gives their size
        pytest.param(parse_headcount, 10**5000, id="headcount-10**5000"),
        pytest.param(parse_number, -(10**5000), id="number--10**5000"),
        pytest.param(parse_date, 10**400, id="date-10**400"),  # OverflowError before
        pytest.param(parse_date, 10**5000, id="date-10**5000"),
    ],
)
def test_numbers_beyond_a_column_are_refused(parse: Callable[[Any], Any], raw: Any) -> None:
    with pytest.raises(ValidationError) as err:
        parse(raw)
    assert len(str(err.value)) < 150


def test_headcounts_are_read_exactly() -> None:
    assert parse_headcount(9007199254740993).exact == 9007199254740993  # not via a float
    assert parse_headcount("9007199254740993").exact == 9007199254740993
    assert parse_headcount(2**63 - 1).exact == 2**63 - 1


@pytest.mark.parametrize(
    "call",
    [
        lambda v: parse_number(v),
        lambda v: parse_bool(v),
        lambda v: parse_date(v),
        lambda v: parse_headcount(v),
        lambda v: parse_headcount(v, insee=True),
        lambda v: parse_revenue(v),
        lambda v: parse_revenue("1 à " + v),
    ],
)
def test_error_messages_cut_huge_values_short(call: Callable[[str], Any]) -> None:
    huge = "x\x1b[31m" * 300_000  # 1.5 MB, with escape sequences
    with pytest.raises(ValidationError) as err:
        call(huge)
    message = str(err.value)
    assert len(message) < 250
    assert "\x1b" not in message


def test_checked_twins_cut_huge_values_short() -> None:
    _, errors = parse_numbers(["1,5", "x" * 1_500_000])
    assert errors[0] is None and errors[1] is not None and len(errors[1]) < 150


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


@pytest.mark.parametrize("raw", ["[", "http://[", "x]", "www.aprool.com:[80"])
def test_normalize_url_keeps_what_it_cannot_take_apart(raw: str) -> None:
    # urlsplit raises ValueError on these: it reached add() and imports as a raw error.
    assert normalize_url(raw) == raw
    assert normalize_url(normalize_url(raw)) == raw


@pytest.mark.parametrize("parse", [parse_number, parse_revenue, parse_headcount, parse_date])
@pytest.mark.parametrize("cell", ["9" * 1_500_000, "9" * 2_000 + "x!", "1 " * 5_000 + "M€ !"])
def test_huge_quantity_cells_are_refused_at_once(parse: Callable[[Any], Any], cell: str) -> None:
    # Before: minutes for 1.5 MB of digits (int(Decimal) is quadratic), and the revenue
    # shapes backtrack without end on a long text that is no amount.
    started = time.perf_counter()
    with pytest.raises(ValidationError, match="too long"):
        parse(cell)
    assert time.perf_counter() - started < 2
