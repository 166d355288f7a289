"""Writing vCards (crmkit._formats._vcard_write): 3.0 and 4.0 cards, folding, photos,
custom entries, and round trips checked against vobject.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import polars as pl
import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples
from vcard_samples import (
    FIXTURES,
    JPEG,
    PNG,
    crmkit_view,
    norm,
    one,
    vobject_view,
    vtext,
    written,
)

from crmkit._exceptions import UnknownValueError
from crmkit._formats import (
    display_name,
    parse_vcards,
    write_vcards,
)
from crmkit._formats._vcard_write import chunked, records_of, text_of


def test_write_simple_card_3_0() -> None:
    text = write_vcards(
        [
            {
                "first_name": "Hélène",
                "last_name": "Blou",
                "salutation": "Mme",
                "org": "APROOL",
                "department": "R&D; Lab",
                "job_title": "Chef de projet",
                "email": "helene.blou@aprool.com",
                "secondary_email": "hb@perso.fr",
                "phone": "01 23 45 67 89",
                "mobile": "06 25 34 12 57",
                "home_phone": "09 00 00 00 00",
                "fax": "01 23 45 67 00",
                "street": "12 rue de la Paix\nBât. B",
                "city": "Paris",
                "postal_code": "75002",
                "country": "FR",
                "website": "https://aprool.fr",
                "birthday": date(1980, 1, 15),
                "notes": "Rappeler lundi, avant 10h; voir devis\\n°12",
                "tags": ["vip", "client, grand compte"],
                "uid": "crm-1",
            }
        ],
        rev=datetime(2025, 3, 1, 12, 30, tzinfo=UTC),
    )
    assert text.split("\r\n") == [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "PRODID:-//crmkit//crmkit vCard writer//EN",
        "N:Blou;Hélène;;Mme;",
        "FN:Hélène Blou",
        "ORG:APROOL;R&D\\; Lab",
        "TITLE:Chef de projet",
        "EMAIL;TYPE=INTERNET,WORK:helene.blou@aprool.com",
        "EMAIL;TYPE=INTERNET,HOME:hb@perso.fr",
        "TEL;TYPE=WORK,VOICE:01 23 45 67 89",
        "TEL;TYPE=CELL,VOICE:06 25 34 12 57",
        "TEL;TYPE=HOME,VOICE:09 00 00 00 00",
        "TEL;TYPE=WORK,FAX:01 23 45 67 00",
        "ADR;TYPE=WORK:;;12 rue de la Paix\\nBât. B;Paris;;75002;FR",
        "URL:https://aprool.fr",
        "BDAY:1980-01-15",
        "NOTE:Rappeler lundi\\, avant 10h\\; voir devis\\\\n°12",
        "CATEGORIES:vip,client\\, grand compte",
        "UID:crm-1",
        "REV:20250301T123000Z",
        "END:VCARD",
        "",
    ]


def test_write_4_0_and_photo_types() -> None:
    gif = b"GIF89a" + bytes(30)
    text = write_vcards(
        [
            {
                "last_name": "王",
                "first_name": "伟",
                "photo": gif,
                "gender": "M",
                "birthday": "1980-01-15",
            }
        ],
        "4.0",
        rev=False,
    )
    lines = text.split("\r\n")
    assert lines[:5] == ["BEGIN:VCARD", "VERSION:4.0", lines[2], "N:王;伟;;;", "FN:王伟"]
    assert "BDAY:19800115" in lines and "GENDER:M" in lines
    assert "PHOTO:data:image/gif;base64," + base64.b64encode(gif).decode() in text.replace(
        "\r\n ", ""
    )
    jpeg_3 = write_vcards([{"last_name": "A", "photo": JPEG + bytes(10)}], rev=False)
    assert "PHOTO;ENCODING=b;TYPE=JPEG:/9j/" in jpeg_3
    png_3 = write_vcards([{"last_name": "A", "photo": PNG + bytes(10)}], rev=False)
    assert "PHOTO;ENCODING=b;TYPE=PNG:iVBOR" in png_3
    assert "REV:" not in jpeg_3
    now = write_vcards([{"last_name": "A"}])
    assert re.search(r"\r\nREV:\d{8}T\d{6}Z\r\n", now)
    with pytest.raises(UnknownValueError, match="vCard version"):
        write_vcards([], "2.1")  # type: ignore[arg-type]


def test_folding_at_75_octets_never_splits_a_character() -> None:
    long_note = "é" * 50 + "王" * 40 + "x" * 100 + "😀" * 30
    text = write_vcards([{"last_name": "A", "notes": long_note, "org": "a" * 200}], rev=False)
    raw = text.encode("utf-8")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # each physical line is valid UTF-8 on its own
    assert one(text)["notes"] == long_note


def test_written_custom_entries_come_back() -> None:
    rec = {
        "last_name": "Doe",
        "first_name": "John",
        "street": "2 Work Rd",
        "custom": {
            "FN": "Mr. John Richter, James Doe Sr.",
            "ADDITIONAL-NAMES": "Richter, James",
            "X-SKYPE": ["jd1", "jd2"],
            "TEL (pager)": "905-111",
            "TEL (AssistantPhone)": "905-222",
            "TEL (费)": "1",
            "ADR (home)": {"street": "1 Main St", "city": "NY"},
            "not a property": "dropped",
        },
    }
    back = one(write_vcards([rec], rev=False))
    assert back["custom"] == {
        "FN": "Mr. John Richter, James Doe Sr.",
        "ADDITIONAL-NAMES": "Richter, James",
        "X-SKYPE": ["jd1", "jd2"],
        "TEL (pager)": "905-111",
        "TEL (AssistantPhone)": "905-222",
        "TEL (费)": "1",
        "ADR (home)": {"street": "1 Main St", "city": "NY"},
    }


def test_fixture_cards_survive_export_and_import() -> None:
    for path in sorted(FIXTURES.glob("*.vcf")):
        records = parse_vcards(path.read_bytes()).records
        for version in ("3.0", "4.0"):
            text = write_vcards(records, version, rev=False)  # type: ignore[arg-type]
            assert len(list(vobject.readComponents(text))) == len(records)
            again = parse_vcards(text).records
            for before, after in zip(records, again, strict=True):
                for key in ("first_name", "last_name", "org", "email", "phone", "mobile", "notes"):
                    assert before.get(key) == after.get(key), (path.name, version, key)
                assert before.get("photo") == after.get("photo")
                assert before.get("birthday") == after.get("birthday")


def test_non_text_values_are_written_as_text() -> None:
    rec = {
        "last_name": "Blou",
        "postal_code": 75002,
        "phone": float("nan"),
        "mobile": pd.NA,
        "birthday": pd.Timestamp("1980-01-15"),
        "tags": ("a", "b"),
    }
    back = one(write_vcards([rec], rev=False))
    assert back["postal_code"] == "75002"
    assert "phone" not in back and "mobile" not in back
    assert back["birthday"] == date(1980, 1, 15) and back["tags"] == ["a", "b"]


# Text without surrogates; the writer's only change is that CR LF and CR become LF.
TEXT = st.text(max_size=40)


ROUND_TRIP_FIELDS = (
    "first_name",
    "last_name",
    "org",
    "department",
    "job_title",
    "email",
    "secondary_email",
    "phone",
    "mobile",
    "home_phone",
    "fax",
    "notes",
)


def expected_after_round_trip(rec: dict[str, Any]) -> dict[str, Any]:
    out = {k: norm(written(rec.get(k))) for k in ROUND_TRIP_FIELDS}
    if out["email"] is None:  # vCard has no "secondary": the only e-mail comes back first
        out["email"], out["secondary_email"] = out["secondary_email"], None
    tags: list[str] = []
    for tag in rec["tags"]:
        cleaned = norm(written(tag))
        if cleaned and cleaned not in tags:
            tags.append(cleaned)
    out["tags"] = tags or None
    return out


RECORDS = st.fixed_dictionaries(
    {k: st.one_of(st.none(), TEXT) for k in ROUND_TRIP_FIELDS}
    | {"notes": st.one_of(st.none(), st.text(max_size=200)), "tags": st.lists(TEXT, max_size=4)}
)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rec=RECORDS, version=st.sampled_from(["3.0", "4.0"]))
def test_export_then_import_gives_back_the_same_fields(rec: dict[str, Any], version: str) -> None:
    text = write_vcards([rec], version, rev=False)  # type: ignore[arg-type]
    for line in text.encode().split(b"\r\n"):
        assert len(line) <= 75
    back = one(text)
    expected = expected_after_round_trip(rec)
    assert {k: back.get(k) for k in expected} == expected

    # vobject reads the same card and sees the same N, FN and NOTE.
    (comp,) = list(vobject.readComponents(text))
    assert norm(vtext(comp.n.value.family)) == expected["last_name"]
    assert norm(vtext(comp.n.value.given)) == expected["first_name"]
    fn = back["custom"].get("FN") or display_name(back.get("first_name"), back.get("last_name"))
    fn = fn or back.get("org")  # a card without a person's name shows the company
    assert norm(comp.fn.value) == (norm(fn) if fn else None)
    note = comp.contents.get("note")
    assert (norm(note[0].value) if note else None) == expected["notes"]
    theirs = vobject_view(comp)
    mine = crmkit_view(back)
    assert sorted(theirs["emails"]) == sorted(mine["emails"])
    assert sorted(theirs["phones"]) == sorted(mine["phones"])
    assert theirs.get("job_title", "") == mine["job_title"]
    assert theirs.get("org", "") == mine["org"]


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    family=st.text(min_size=1, max_size=40).filter(str.strip),  # else the names come from FN
    given=TEXT,
    org=TEXT,
    title=TEXT,
    email=TEXT,
    phones=st.lists(TEXT, max_size=3),
    note=st.text(max_size=200),
)
def test_same_fields_as_vobject_on_cards_vobject_writes(
    family: str, given: str, org: str, title: str, email: str, phones: list[str], note: str
) -> None:
    """Cards generated and serialised by vobject: crmkit reads what vobject reads back."""
    made = vobject.vCard()
    made.add("n").value = vobject.vcard.Name(family=family, given=given)
    made.add("fn").value = display_name(given, family)
    made.add("org").value = [org]
    made.add("title").value = title
    made.add("email").value = email
    for phone in phones:
        made.add("tel").value = phone
    made.add("note").value = note
    text = made.serialize()
    (comp,) = list(vobject.readComponents(text))
    rec = one(text)
    theirs, mine = vobject_view(comp), crmkit_view(rec)
    for key in ("last_name", "first_name", "org", "job_title"):
        assert norm(mine[key]) == norm(theirs[key]), key
    assert norm(mine["fn"]) == norm(theirs["fn"])
    assert sorted(map(norm, mine["emails"])) == sorted(map(norm, theirs["emails"]))
    assert sorted(map(norm, mine["phones"])) == sorted(map(norm, theirs["phones"]))
    assert rec.get("notes") == norm(comp.note.value)


# -- the module's own functions ----------------------------------------------------------


def test_text_of() -> None:
    assert [text_of(v) for v in (None, "", float("nan"), pd.NaT, pd.NA)] == [None] * 5
    assert text_of("Blou") == "Blou" and text_of(75002) == "75002"
    assert text_of(datetime(2024, 3, 5, 14, 30)) == "2024-03-05T14:30:00"


def test_records_of_and_chunked() -> None:
    pandas_rows = records_of(pd.DataFrame({"last_name": ["Blou", None], "n": [1.5, None]}))
    assert list(pandas_rows) == [{"last_name": "Blou", "n": 1.5}, {"last_name": None, "n": None}]
    polars_rows = records_of(pl.DataFrame({"last_name": ["Blou"]}))
    assert list(polars_rows) == [{"last_name": "Blou"}]
    assert records_of({"last_name": "Blou"}) == [{"last_name": "Blou"}]
    records = [{"i": i} for i in range(5)]
    assert [len(c) for c in chunked(records, 2)] == [2, 2, 1]
    assert list(chunked([], 2)) == []


def test_escaping_and_control_characters_in_cards() -> None:
    text = write_vcards([{"last_name": "Bl\x1b[31mou;x", "notes": "a\\b\r\nc,d"}], rev=False)
    lines = text.split("\r\n")
    assert "N:Blou\\;x;;;;" in lines and "NOTE:a\\\\b\\nc\\,d" in lines
    assert "\x1b" not in text
    assert write_vcards([], rev=False) == ""
