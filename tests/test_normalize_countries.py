"""Countries (crmkit._normalize._countries): codes and names in English, French and Chinese."""

from __future__ import annotations

from typing import Any

import pytest

from crmkit._normalize._countries import normalize_country
from crmkit.schemas._vocab import COUNTRY_CODES, country_names


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
