"""The word pools of the sample generator (crmkit.samples._pools): one entry per country and
language everywhere, cities and phone plans that agree."""

from __future__ import annotations

import phonenumbers

from crmkit.samples import _pools as pools


def test_every_country_has_its_language_currency_rate_and_phone_plan() -> None:
    for country in pools.COUNTRIES:
        lang = pools.LANG_OF_COUNTRY[country]
        assert lang in pools.FIRST_NAMES and lang in pools.TITLES, country
        assert country in pools.CURRENCIES and pools.EUR_RATES[country] > 0
        plan = pools.PHONE_PLANS[country]
        assert phonenumbers.country_code_for_region(country) == int(plan.calling_code)
        assert any(c.country == country for c in pools.CITIES), country
    assert pools.EUR_RATES["FR"] == 1.0 and pools.CURRENCIES["CN"] == "CNY"


def test_titles_have_both_forms_and_a_department() -> None:
    for lang, titles in pools.TITLES.items():
        assert titles, lang
        for title in titles:
            assert title.masculine and title.feminine and title.department and title.weight > 0
    assert any(t.is_dpo for t in pools.TITLES["fr"])


def test_city_landlines_make_valid_numbers() -> None:
    for city in pools.CITIES:
        plan = pools.PHONE_PLANS[city.country]
        assert city.weight > 0 and city.postal_codes, city.name
        for prefix in city.landline:
            digits = prefix + "1234567890"[: plan.length_for(prefix) - len(prefix)]
            number = phonenumbers.parse("+" + plan.calling_code + digits)
            assert phonenumbers.is_possible_number(number), (city.name, digits)


def test_phone_number_lengths() -> None:
    china = pools.PHONE_PLANS["CN"]
    assert china.length_for("138") == 11  # a mobile
    assert china.length_for("10") == 10  # Beijing
    assert china.length_for("21") == 10  # a two-digit area: 8-digit numbers
    assert china.length_for("7551") == 11  # a four-character prefix of a 3-digit area
    assert pools.PHONE_PLANS["FR"].length_for("1") == 9
    assert pools.PHONE_PLANS["FR"].mobile[:3] == ("60", "61", "62")
