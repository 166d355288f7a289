"""A card's properties as contact fields (crmkit._formats._vcard_fields): phones by type,
names from FN, salutations, birthdays, genders, URLs and social profiles, custom entries.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from vcard_samples import (
    card,
    custom_values,
    one,
)

from crmkit._formats._vcard_fields import card_to_record, has_contact_field
from crmkit._formats._vcard_result import VCardParseResult
from crmkit._formats._vcard_scan import scan


@pytest.mark.parametrize(
    "line",
    [
        "TEL;TYPE=WORK,VOICE:01 23",
        "TEL;type=work;type=pref:01 23",
        'TEL;TYPE="work,voice":01 23',
        "TEL;WORK;VOICE:01 23",
        "tel;Type=Work:01 23",
        "item1.TEL:01 23\r\nitem1.X-ABLabel:_$!<Work>!$_",
    ],
)
def test_work_phone_in_every_type_spelling(line: str) -> None:
    assert one(card("N:Blou;Hélène", line))["phone"] == "01 23"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("TEL;CELL;PREF:06", "mobile"),
        ("TEL;TYPE=cell:06", "mobile"),
        ("TEL;TYPE=iPhone:06", "mobile"),
        ("item2.TEL:06\r\nitem2.X-ABLabel:_$!<Mobile>!$_", "mobile"),
        ("TEL;TYPE=HOME:06", "home_phone"),
        ("TEL;TYPE=HOME,FAX:06", "fax"),
        ("TEL;FAX:06", "fax"),
        ("TEL:06", "phone"),
        ("TEL;TYPE=PAGER:06", None),
    ],
)
def test_phone_routing(line: str, field: str | None) -> None:
    rec = one(card("N:Blou;Hélène", line))
    if field is None:
        assert custom_values(rec, "TEL") == ["06"]
    else:
        assert rec[field] == "06"


def test_extra_phones_and_emails_go_to_custom() -> None:
    rec = one(
        card(
            "N:Blou;Hélène",
            "TEL;TYPE=CELL:1",
            "TEL;TYPE=CELL:2",
            "EMAIL:a@x.fr",
            "EMAIL:b@x.fr",
            "EMAIL;TYPE=other:c@x.fr",
        )
    )
    assert rec["mobile"] == "1" and rec["custom"]["TEL (cell)"] == "2"
    assert (rec["email"], rec["secondary_email"]) == ("a@x.fr", "b@x.fr")
    assert rec["custom"]["EMAIL (other)"] == "c@x.fr"


@pytest.mark.parametrize(
    ("fn", "first", "last"),
    [
        ("Marc Durand", "Marc", "Durand"),
        ("Jean Pierre Durand", "Jean Pierre", "Durand"),
        ("Durand, Marc", "Marc", "Durand"),
        ("王伟", None, "王伟"),
        ("安藤 ロイド", "ロイド", "安藤"),
        ("Madonna", None, "Madonna"),
    ],
)
def test_names_from_fn_when_n_is_missing(fn: str, first: str | None, last: str) -> None:
    rec = one(card(f"FN:{fn}"))
    assert rec.get("first_name") == first and rec["last_name"] == last


def test_salutation_from_fn_and_from_n() -> None:
    assert one(card("FN:Dr. Marc Durand"))["salutation"] == "Dr."
    rec = one(card("N:Durand;Marc;;M.;", "FN:Marc Durand"))
    assert (rec["salutation"], rec["custom"]) == ("M.", {})


def test_company_card_gets_no_person_name() -> None:
    rec = one(card("N:;;;;", "FN:APROOL", "ORG:APROOL", "X-ABShowAs:COMPANY"))
    assert "last_name" not in rec and rec["org"] == "APROOL"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("19800115", date(1980, 1, 15)),
        ("1980-01-15", date(1980, 1, 15)),
        ("1980-01-15T00:00:00Z", date(1980, 1, 15)),
        ("--0203", None),
        ("1980-02-30", None),
    ],
)
def test_birthday(value: str, expected: date | None) -> None:
    rec = one(card("N:Blou;Hélène", f"BDAY:{value}"))
    assert rec.get("birthday") == expected
    if expected is None:
        assert rec["custom"]["BDAY"] == value


@pytest.mark.parametrize(("value", "gender"), [("M", "M"), ("F;she", "F"), ("O", "X"), ("U", "U")])
def test_gender(value: str, gender: str) -> None:
    assert one(card("N:Blou", f"GENDER:{value}", version="4.0"))["gender"] == gender


def test_social_profiles_urls_notes_role_and_tags() -> None:
    rec = one(
        card(
            "N:Blou;Hélène",
            "URL:https://www.linkedin.com/in/hblou",
            "URL:https://aprool.fr",
            "X-SOCIALPROFILE;TYPE=twitter:https://twitter.com/hblou",
            "X-TWITTER:@hb",
            "NOTE:first",
            "NOTE:second",
            "ROLE:Chef de projet",
            "CATEGORIES:vip,client\\, grand compte",
            "CATEGORIES:vip,2024",
            "UID:abc-1",
            "REV:2024-01-01T00:00:00Z",
        )
    )
    assert rec["linkedin"] == "https://www.linkedin.com/in/hblou"
    assert rec["website"] == "https://aprool.fr"
    assert rec["twitter"] == "https://twitter.com/hblou"
    assert rec["custom"]["X-TWITTER"] == "@hb"
    assert rec["notes"] == "first\n\nsecond"
    assert rec["job_title"] == "Chef de projet"
    assert rec["tags"] == ["vip", "client, grand compte", "2024"]
    assert rec["uid"] == "abc-1" and rec["custom"]["REV"] == "2024-01-01T00:00:00Z"


def test_profile_line_is_ignored_and_x_properties_kept() -> None:
    rec = one(card("N:Blou", "PROFILE:VCard", "X-SKYPE:hblou", "X-SKYPE:hb2", "NICKNAME:Léna"))
    assert rec["custom"] == {"X-SKYPE": ["hblou", "hb2"], "NICKNAME": "Léna"}


def test_card_with_no_name_is_kept() -> None:
    rec = one(card("EMAIL:contact@aprool.com", "ORG:APROOL"))
    assert rec == {"email": "contact@aprool.com", "org": "APROOL", "custom": {}}


# -- the module's own functions ----------------------------------------------------------


def _record(*lines: str, version: str = "3.0") -> dict[str, Any]:
    (raw,) = scan(card(*lines, version=version), VCardParseResult(), [])
    return card_to_record(raw)


def test_card_to_record_routes_fields_and_custom() -> None:
    rec = _record(
        "N:Blou;Hélène;;Mme;",
        "ORG:APROOL;R&D;Lab",
        "ADR;TYPE=WORK:;;12 rue X;Paris;;75002;FR",
        "ADR;TYPE=HOME:;;1 Main St;NY;;;",
        "ROLE:Chef",
        "TITLE:DSI",
        "X-GENDER:female",
        "item1.URL:https://aprool.fr",
        "item1.X-ABLabel:_$!<HomePage>!$_",
    )
    assert {k: rec[k] for k in ("last_name", "first_name", "salutation", "org")} == {
        "last_name": "Blou",
        "first_name": "Hélène",
        "salutation": "Mme",
        "org": "APROOL",
    }
    assert (rec["department"], rec["job_title"], rec["gender"]) == ("R&D", "DSI", "F")
    assert (rec["street"], rec["city"], rec["postal_code"], rec["country"]) == (
        "12 rue X",
        "Paris",
        "75002",
        "FR",
    )
    assert rec["website"] == "https://aprool.fr"
    assert rec["custom"] == {
        "ORG-UNITS": "Lab",
        "ADR (home)": {"street": "1 Main St", "city": "NY"},
        "ROLE": "Chef",
    }


def test_has_contact_field() -> None:
    assert not has_contact_field({"custom": {}})
    assert has_contact_field({"custom": {"X-SKYPE": "hb"}})
    assert has_contact_field({"email": "a@x.fr", "custom": {}})
    assert not has_contact_field(_record())
