"""Vocabularies (crmkit.schemas._vocab): terms and their labels, lookups by label or synonym,
sectors, countries and currencies.
"""

from __future__ import annotations

import pytest

from crmkit.schemas import (
    ACCOUNT_TYPES,
    COUNTRY_CODES,
    CURRENCY_CODES,
    DEFAULT_SECTORS,
    GENDERS,
    country_names,
)
from crmkit.schemas._vocab import Term, Vocabulary


def test_vocabularies() -> None:
    assert DEFAULT_SECTORS.lookup("Santé") == "Healthcare"
    assert DEFAULT_SECTORS.lookup("软件") == "Software"
    assert DEFAULT_SECTORS.lookup("nothing like it") is None
    assert DEFAULT_SECTORS.label("Software", "fr") == "Logiciel"
    assert country_names("CN") == {"en": "China", "fr": "Chine", "zh": "中国"}


def test_country_codes_match_phonenumbers_names() -> None:
    from phonenumbers.geodata.locale import LOCALE_DATA

    from crmkit.schemas import COUNTRY_CODES

    assert {c for c in LOCALE_DATA if len(c) == 2 and c.isalpha()} == set(COUNTRY_CODES)


def test_country_names_come_from_phonenumbers_without_its_geocoding_tables() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from crmkit.schemas._vocab import _locale_data, country_names\n"
        "assert country_names('CN') == {'en': 'China', 'fr': 'Chine', 'zh': '中国'}\n"
        "assert 'phonenumbers.geodata' not in sys.modules\n"
        "data = _locale_data()\n"
        "from phonenumbers.geodata.locale import LOCALE_DATA\n"
        "assert data == LOCALE_DATA\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


# -- the module's own functions ----------------------------------------------------------


def test_a_vocabulary_looks_values_up_by_value_label_or_synonym() -> None:
    vocabulary = Vocabulary(
        "size",
        (Term("S", "Small", "Petit", "小", ("sm",)), Term("L", "Large", "Grand", "大")),
    )
    assert vocabulary.values == ["S", "L"] and len(vocabulary) == 2
    assert [vocabulary.lookup(t) for t in ("s", "PETIT", "小", " Sm ", "large", "xl", None)] == [
        "S",
        "S",
        "S",
        "S",
        "L",
        None,
        None,
    ]
    assert vocabulary.label("L", "fr") == "Grand" and vocabulary.label("XL", "fr") == "XL"
    assert "S" in vocabulary and "Small" not in vocabulary and 1 not in vocabulary


def test_term_from_dict() -> None:
    term = Term.from_dict({"value": "Biotech", "zh": "生物技术", "synonyms": ["biotechnologie"]})
    assert term.labels == ("Biotech", "Biotech", "生物技术")
    assert term.synonyms == ("biotechnologie",) and term.label("zh") == "生物技术"


def test_standard_vocabularies_and_codes() -> None:
    assert ACCOUNT_TYPES.lookup("client") == "Customer"
    assert GENDERS.values == ["F", "M", "X", "U"] and GENDERS.lookup("female") in GENDERS
    assert {"EUR", "GBP", "USD", "CNY"} <= CURRENCY_CODES and "XAU" not in CURRENCY_CODES
    assert {"FR", "GB", "US", "CN"} <= COUNTRY_CODES and "UK" not in COUNTRY_CODES
    assert country_names("fr") == {"en": "France", "fr": "France", "zh": "法国"}
    with pytest.raises(KeyError):
        country_names("ZZ")
