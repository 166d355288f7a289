"""Tests of the pure vCard layer: reading and writing (crmkit._formats._vcard_read, _write).

The 30 real-world files in ../shared/fixtures/vcards are read one by one with the values
written down by reading each file; vobject 0.9.9 is the reference reader for every card it
can read, except where it is documented to cut a value at its first comma.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tracemalloc
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit._exceptions import ExportError, ImportFormatError, UnknownValueError
from crmkit._formats import (
    VCARD_COLUMNS,
    VCardWarning,
    display_name,
    parse_vcards,
    read_vcf,
    records_to_frame,
    strip_controls,
    vcard_file_name,
    write_vcards,
    write_vcf,
)
from crmkit._formats._vcard_values import BAD_PHOTO_KEY, tel_text
from crmkit.schemas._catalog import CONTACTS

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "vcards"
SHIFT_JIS_FILES = {
    "android__v21_japanese_1.vcf",
    "android__v21_japanese_2.vcf",
    "android__v21_multiple_entry.vcf",
    "android__v30_japanese.vcf",
}
JPEG, PNG = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module", autouse=True)
def fixtures_unchanged() -> None:
    """Every fixture file still has the checksum recorded in SHA256SUMS (none skipped)."""
    listed = {}
    for row in (FIXTURES / "SHA256SUMS").read_text().splitlines():
        digest, name = row.split(maxsplit=1)
        listed[name.lstrip("*")] = digest
    on_disk = {p.name for p in FIXTURES.glob("*.vcf")}
    assert on_disk <= set(listed), f"files missing from SHA256SUMS: {on_disk - set(listed)}"
    assert len(on_disk) == 30
    for name, digest in listed.items():
        assert hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest() == digest, name


@pytest.fixture(params=["pandas", "polars"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def column(frame: Any, name: str) -> list[Any]:
    """A DataFrame column as a list, None for missing values, for either backend."""
    if isinstance(frame, pl.DataFrame):
        return frame[name].to_list()
    return [None if (not isinstance(v, list | bytes) and pd.isna(v)) else v for v in frame[name]]


# --------------------------------------------------------------------------- fixtures


@dataclass(frozen=True)
class Text:
    """A long value checked by its start, end and length."""

    starts: str
    ends: str
    length: int


def check(value: Any, expected: Any, where: str) -> None:
    if isinstance(expected, Text):
        assert isinstance(value, str), where
        assert value.startswith(expected.starts), f"{where}: {value[:80]!r}"
        assert value.endswith(expected.ends), f"{where}: {value[-80:]!r}"
        assert len(value) == expected.length, f"{where}: {len(value)}"
    elif expected is JPEG or expected is PNG:
        assert isinstance(value, bytes) and value.startswith(expected), where
    elif isinstance(expected, dict) and isinstance(value, dict):
        for key, sub in expected.items():
            check(value.get(key), sub, f"{where}.{key}")
    else:
        assert value == expected, f"{where}: {value!r} != {expected!r}"


BSD_NOTE_START = (
    'THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY '
    "EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES"
)
N4 = "Ñ Ñ Ñ Ñ"
QP_NOTE = "Ñ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ"

# File -> expected values for each card, in order. Fields not listed are not checked;
# a field listed as None must be absent.
EXPECTED: dict[str, list[dict[str, Any]]] = {
    "android__v21_adr_multiple_line.vcf": [
        {
            "last_name": "bogus",
            "first_name": None,
            "website": "http://bogus.com/",
            "birthday": date(2008, 12, 3),
            "street": "Grindelberg 999",
            "city": "Hamburg",
            "postal_code": "99999",
            "country": "Deutschland",
            # The ADR continued on two lines ending in "\" is read whole.
            "custom": {
                "ADR (home)": {
                    "street": "Hermann v. Brevern\n9999999\nPackstation 999",
                    "city": "Hamburg",
                    "postal_code": "99999",
                    "country": "Deutschland",
                }
            },
        }
    ],
    "android__v21_backslash.vcf": [
        {
            "last_name": None,
            "first_name": "A;B\\",
            "salutation": "D",
            "custom": {
                "ADDITIONAL-NAMES": "C\\;",
                "HONORIFIC-SUFFIXES": ":E",
                "FN": "A;B\\C;D:E\\",
            },
        }
    ],
    "android__v21_base64_no_2_crlf.vcf": [
        {"last_name": "name", "photo": JPEG, "custom": {"FN": "fullname"}, "phone": None}
    ],
    "android__v21_blackberry_photo.vcf": [
        {
            "last_name": "boogie",
            "photo": PNG,
            "phone": "+5555555",
            "mobile": "+5555556",
            "email": "forrestgump@walladalla.com",
        }
    ],
    "android__v21_complicated.vcf": [
        {
            "last_name": "Gump",
            "first_name": "Forrest",
            "salutation": "Pos",
            "org": "Gump Shrimp Co.",
            "department": "Sales Dept.;Manager",
            "job_title": "Shrimp Man",
            "phone": "(111) 555-1212",
            "home_phone": "(404) 555-1212",
            "mobile": "0311111111",
            "email": "forrestgump@walladalla.com",
            "secondary_email": "cell@example.com",
            "notes": "The following note is the example from RFC 2045.\n\n"
            "Now's the time for all folk to come to the aid of their country.",
            "street": "100 Waters Edge",
            "city": "Baytown",
            "birthday": date(1980, 1, 1),
            "photo": JPEG,
            "custom": {
                "ROLE": "Fish Cake Keeper!",
                "TEL (video)": "0322222222",
                "TEL": "0333333333",
                "ORG-UNITS": "Fish keeper",
                "FN": "Joe Due",
                # vobject keeps only "100 Waters Edge\r\nBaytown": a 2.1 comma is text.
                "LABEL (work)": "100 Waters Edge\nBaytown, LA 30314\nUnited  States of America",
                "LABEL (home)": "42 Plantation St.\nBaytown, LA 30314\nUnited  States of America",
            },
        }
    ],
    "android__v21_japanese_1.vcf": [
        {
            "last_name": "安藤ロイド",
            "first_name": None,
            "phone": "0300000000",
            "custom": {"SOUND (x-irmc-n)": "ｱﾝﾄﾞｳﾛｲﾄﾞ;;;;"},
        }
    ],
    "android__v21_japanese_2.vcf": [
        {
            "last_name": "安藤",
            "first_name": "ロイド1",
            "street": "東京都渋谷区桜丘町26-1セルリアンタワー6階",
            "postal_code": "150-8512",
            "notes": "メモ",
            "custom": {"FN": "安藤 ロイド 1"},
        }
    ],
    "android__v21_multiple_entry.vcf": [
        {
            "last_name": "安藤ロイド3",
            "fax": "12",
            "phone": None,
            "custom": {"TEL (x-nec-secret)": "9", "TEL (x-nec-school)": "11"},
        },
        {"last_name": "安藤ロイド4", "custom": {"TEL (pager)": "14", "TEL (modem)": "13"}},
        {"last_name": "安藤ロイド5", "custom": {"TEL (x-nec-restaurant)": "20"}},
    ],
    "android__v21_winmo_65.vcf": [
        {
            "last_name": "Example",
            "custom": {
                "ANNIVERSARY": "20091010",
                "AGENT": "Invalid line which must be handled correctly.",
                "X-CLASS": "PUBLIC",
            },
        }
    ],
    "android__v21_x_android_custom_after_photo.vcf": [
        {
            "last_name": "Ando",
            "first_name": "Roid",
            "photo": PNG,
            "birthday": date(1975, 8, 20),
            "custom": {
                "X-ANDROID-CUSTOM": "vnd.android.cursor.item/contact_event;1999-07-10;1" + ";" * 13
            },
        }
    ],
    "android__v30_ios_613_multiline.vcf": [
        {
            "last_name": "Smith",
            "first_name": "Bob",
            "org": "Smith Auto Repair",
            "department": None,
            "mobile": "(650) 555-1212",
            "email": "bob@smithauto.com",
            "website": "www.smithauto.com",
            "photo": JPEG,
        }
    ],
    "android__v30_japanese.vcf": [
        {
            "last_name": "伊能",
            "first_name": "圭一",
            "custom": {"ADDITIONAL-NAMES": "伊予", "FN": "伊能 圭一 伊予"},
        }
    ],
    "android__v30_multibyte_param.vcf": [
        {"last_name": "F", "first_name": "G", "custom": {"TEL (费)": "1"}}
    ],
    "android__v40_sort_as.vcf": [
        {"last_name": "安藤", "first_name": "ロイド", "org": "グーグル", "department": "検索部門"}
    ],
    "ezvcard__John_Doe_ANDROID.vcf": [
        {"last_name": None, "email": "john.doe@company.com", "tags": ["My Contacts"]},
        {"last_name": None, "email": "jane.doe@company.com", "tags": ["My Contacts"]},
        {"last_name": N4, "mobile": "123456789", "custom": {"FN": "Ñ Ñ Ñ Ñ Ñ"}},
        {
            "last_name": " ".join(["Ñ"] * 11),
            "mobile": "123456",
            "home_phone": "234567",
            "notes": f"{QP_NOTE}\n\n{QP_NOTE}",
            "custom": {"TEL (cell)": "3456789", "TEL (home)": "45678901"},
        },
        {
            "last_name": "Ñ Ñ",
            "first_name": "Ñ Ñ Ñ",
            "mobile": "123456",
            "phone": "123456",
            "fax": "123456",
            "email": "bob@company.com",
            "secondary_email": "Ñ" * 14,
            "org": "Ñ" * 12,
            "website": "www.company.com",
            "photo": None,  # corrupt base64: dropped, with a warning
        },
        {
            "last_name": "ÑÑÑÑ",
            "mobile": "55556666",
            "email": "henry@company.com",
            "org": "Ñ" * 44,
            "custom": {"ORG": {"org": "Ñ" * 44 + "\ufffd"}},  # the lone =80
        },
    ],
    "ezvcard__John_Doe_BLACK_BERRY.vcf": [
        {
            "last_name": "Doe",
            "first_name": "john",
            "org": "Acme Solutions",
            "mobile": "+96123456789",
            "photo": JPEG,
            "notes": None,
        }
    ],
    "ezvcard__John_Doe_EVOLUTION.vcf": [
        {
            "last_name": "Doe",
            "first_name": "John",
            "salutation": "Mr.",
            "mobile": "905-666-1234",
            "phone": "905-555-1234",
            "email": "john.doe@ibm.com",
            "org": "IBM",
            "department": "Accounting",
            "job_title": "Money Counter",
            "uid": "477343c8e6bf375a9bac1f96a5000837",
            "birthday": date(1980, 3, 22),
            "tags": ["VIP"],
            "street": "15 Crescent moon drive\nASB-123",
            "country": "United States of America",
            "notes": Text(
                BSD_NOTE_START, "EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.", 755
            ),
            "custom": {
                "FN": "Mr. John Richter, James Doe Sr.",
                "ADDITIONAL-NAMES": "Richter, James",
                "ORG-UNITS": "Dungeon",
                "X-AIM (home)": "johnny5@aol.com",
                "X-EVOLUTION-FILE-AS": "Doe, John",
            },
        }
    ],
    "ezvcard__John_Doe_GMAIL.vcf": [
        {
            "last_name": "Doe",
            "first_name": "John",
            "salutation": "Mr.",
            "mobile": "905-555-1234",
            "home_phone": "905-666-1234",
            "email": "john.doe@ibm.com",
            "org": "IBM",
            "job_title": "Money Counter",
            "website": "http://www.ibm.com",
            "street": "Crescent moon drive\n555-asd\nNice Area, Albaney, New York 12345\n"
            "United States of America",
            "notes": Text(BSD_NOTE_START, "SUCH DAMAGE.\nFavotire Color: Blue", 776),
            "custom": {
                # vobject reads "Mr. John Richter": it cuts at the first comma.
                "FN": "Mr. John Richter, James Doe Sr.",
                "X-ABDATE (Anniversary)": "1975-03-01",
                "X-ABRELATEDNAMES (Spouse)": "Jenny",
            },
        }
    ],
    "ezvcard__John_Doe_IPHONE.vcf": [
        {
            "last_name": "Doe",
            "first_name": "John",
            "org": "IBM",
            "department": "Accounting",
            "job_title": "Money Counter",
            "email": "john.doe@ibm.com",
            "mobile": "905-555-1234",
            "home_phone": "905-666-1234",
            "phone": "905-777-1234",
            "fax": "905-999-1234",
            "street": "Street4\nBuilding 6\nFloor 8",
            "website": "http://www.ibm.com",
            "birthday": date(2012, 6, 6),
            "photo": JPEG,
            "custom": {
                "TEL (home,fax)": "905-888-1234",
                "TEL (pager)": "905-111-1234",
                "TEL (AssistantPhone)": "905-222-1234",
                "X-ABADR": ["Silicon Alley", "Street 4, Building 6,\n Floor 8\nNew York\nUSA"],
            },
        }
    ],
    "ezvcard__John_Doe_LOTUS_NOTES.vcf": [
        {
            "last_name": "Doe",
            "first_name": "John",
            "email": "john.doe@ibm.com",
            "secondary_email": "billy_bob@gmail.com",
            "mobile": "+1 (212) 204-34456",
            "fax": "00-1-212-555-7777",
            "org": "IBM",
            "department": "SUN",
            "job_title": "Generic Accountant",
            "uid": "0e7602cc-443e-4b82-b4b1-90f62f99a199",
            "photo": JPEG,
            "notes": Text(
                'THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"\n'
                "AND ANY EXPRESS",
                "POSSIBILITY OF SUCH DAMAGE.",
                762,
            ),
            "custom": {"ROLE": "Counting Money", "NAME": "VCard for John Doe", "PROFILE": None},
        }
    ],
    "ezvcard__John_Doe_MAC_ADDRESS_BOOK.vcf": [
        {
            "last_name": "Doe",
            "first_name": "John",
            "phone": "905-777-1234",
            "home_phone": "905-666-1234",
            "mobile": "905-555-1234",
            "fax": "905-999-1234",
            "email": "john.doe@ibm.com",
            "org": "IBM",
            "department": "Accounting",
            "photo": JPEG,
            "notes": Text(BSD_NOTE_START, "SUCH DAMAGE.\nFavotire Color: Blue", 776),
            "custom": {
                "TEL (AssistantPhone)": "905-222-1234",
                "FN": "Mr. John Richter,James Doe Sr.",
                "X-ABUID": "6B29A774-D124-4822-B8D0-2780EC117F60:ABPerson",
                "X-ABADR": ["Silicon Alley", "Street 4, Building 6,\nFloor 8\nNew York\nUSA"],
            },
        }
    ],
    "ezvcard__John_Doe_MS_OUTLOOK.vcf": [
        {
            "last_name": "Doe",
            "first_name": "John",
            "salutation": "Mr.",
            "phone": "(905) 555-1234",
            "home_phone": "(905) 666-1234",
            "email": "john.doe@ibm.cm",
            "org": "IBM",
            "job_title": "Money Counter",
            "street": "Cresent moon drive",
            "birthday": date(1980, 3, 22),
            "photo": JPEG,
            # A 2.1 NOTE with plain commas: vobject would keep only up to "WARRANTIES".
            "notes": Text(
                "THIS SOFTWARE IS PROVIDED BY GEORGE EL-HADDAD ''AS IS'' AND ANY EXPRESS OR "
                "IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO,",
                "EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.",
                731,
            ),
            "custom": {
                "LABEL (work)": "Cresent moon drive\nAlbaney, New York  12345",
                "ROLE": "Counting Money",
            },
        }
    ],
    "ezvcard__fullcontact.vcf": [
        {
            "last_name": "LastName",
            "first_name": "FirstName",
            "salutation": "Prefix",
            "gender": "M",
            "home_phone": "555-555-1111",
            "phone": "555-555-1112",
            "mobile": "555-555-1113",
            "fax": "555-555-1117",
            "email": "home@example.com",
            "secondary_email": "work@example.com",
            "org": "Organization1",
            "department": "Department1",
            "job_title": "Title1",
            "birthday": date(2016, 8, 1),
            "notes": "Notes line 1\nNotes line 2",
            "tags": ["Tag"],
            "website": "http://www.homepage.com",
            "street": "WorkStreet\nWorkExtended",
            "photo": None,
            "custom": {
                "TITLE": "Title2",
                "ORG": {"org": "Organization2", "department": "Department2"},
                "TEL": ["555-555-1115", "555-555-1118", "555-555-1119"],
                "EMAIL (school)": "school@example.com",
                "PHOTO": [
                    "https://d3m0kzytmr41b1.cloudfront.net/c335e945d1b60edd9d75eb4837c432f637e95c8a",
                    "https://d3m0kzytmr41b1.cloudfront.net/c335e945d1b60edd9d75eb4837c432f637e95c8a",
                    "https://d2ojpxxtu63wzl.cloudfront.net/static/aa915d1f29f19baf560e5491decdd30a"
                    "_67c95da9133249fde8b0da7ceebc298bf680117e6f52054f7f5f7a95e8377238",
                ],
            },
        }
    ],
    "ezvcard__gmail-list.vcf": [
        {"last_name": "Smith", "first_name": "Arnold", "email": "asmithk@gmail.com"},
        {"last_name": "Beatle", "first_name": "Chris", "email": "chrisy55d@yahoo.com"},
        {"last_name": "White", "first_name": "Doug", "email": "dwhite@gmail.com"},
    ],
    "ezvcard__gmail-single2.vcf": [
        {
            "last_name": "Test",
            "first_name": "VCard",
            "email": "email@example.com",
            "secondary_email": "homeemail@example.com",
            "home_phone": "5555551112",
            "phone": "5555551113",
            "mobile": "5555551115",
            "fax": "5555551118",
            "notes": "note line 1\nnote line 2\nCustomField: field value",
            "org": "TheCompany",
            "job_title": "TheJobTitle",
            "birthday": date(1912, 6, 23),
            "website": "http://www.example1.com",
            "street": "113 Main St",
            "custom": {
                "TEL (GRAND_CENTRAL)": "5555551119",
                "TEL (main)": "5555551116",
                "EMAIL (CustomEmailCategory)": "customcategory@example.com",
                "URL (HomePage)": "http://www.example4.com",
                "X-ABRELATEDNAMES (Spouse)": "Name2",
            },
        }
    ],
    "ezvcard__outlook-2003.vcf": [
        {
            "last_name": "Doe",
            "first_name": "John",
            "org": "Company, The",  # a 2.1 comma is an ordinary character
            "department": "TheDepartment",
            "job_title": "The Job Title",
            "notes": "This is the note field!!\nSecond line\n\nThird line is empty",
            "phone": "BusinessPhone",
            "home_phone": "HomePhone",
            "mobile": "MobilePhone",
            "fax": "BusinessFaxPhone",
            "email": "jdoe@hotmail.com",
            "custom": {
                "LABEL (work)": "TheOffice\n123 Main St\nAustin, TX 12345\n"
                "United States of America",
                "ROLE": "TheProfession",
                "HONORIFIC-SUFFIXES": "III",
            },
        }
    ],
    "ezvcard__outlook-2007.vcf": [
        {
            "last_name": "Angstadt",
            "first_name": "Michael",
            "notes": "This is the NOTE field\t\nI assume it encodes this text inside a NOTE vCard "
            "type.\nBut I'm not sure because there's text formatting going on here.\n"
            "It does not preserve the formatting",
            "phone": "(111) 555-1111",
            "home_phone": "(111) 555-2222",
            "mobile": "(111) 555-4444",
            "fax": "(111) 555-3333",
            "email": "mike.angstadt@gmail.com",
            "org": "TheCompany",
            "street": "222 Broadway\nTheOffice",
            "photo": JPEG,
            "custom": {
                "X-MS-TEL (callback)": "(111) 555-4444",
                "LABEL (work)": "222 Broadway\nNew York, NY 99999\nUSA",
            },
        }
    ],
    "ezvcard__rfc2426-example.vcf": [
        {
            "first_name": "Frank",
            "last_name": "Dawson",
            "org": "Lotus Development Corporation",
            "phone": "+1-919-676-9515",
            "fax": "+1-919-676-9564",
            "email": "Frank_Dawson@Lotus.com",
            "secondary_email": "fdawson@earthlink.net",
            "street": "6544 Battleford Drive",
            "city": "Raleigh",
            "postal_code": "27613-3502",
            "custom": {},
        },
        {
            "first_name": "Tim",
            "last_name": "Howes",
            "org": "Netscape Communications Corp.",
            "phone": "+1-415-937-3419",
            "fax": "+1-415-528-4164",
            "email": "howes@netscape.com",
            "city": "Mountain View",
            "postal_code": "94043",
        },
    ],
    "ezvcard__rfc6350-example.vcf": [
        {
            "last_name": "Perreault",
            "first_name": "Simon",
            "gender": "M",
            "org": "Viagenie",
            "phone": "+1-418-656-9254 ext. 102",
            "mobile": "+1-418-262-6501",
            "email": "simon.perreault@viagenie.ca",
            "street": "2875 Laurier\nSuite D2-630",
            "city": "Quebec",
            "country": "Canada",
            "birthday": None,
            "custom": {"BDAY": "--0203", "HONORIFIC-SUFFIXES": "ing. jr,M.Sc."},
        }
    ],
    "ezvcard__thunderbird-MoreFunctionsForAddressBook-extension.vcf": [
        {
            "last_name": "Doe",
            "first_name": "John",
            "org": "TheOrganization",
            "department": "TheDepartment",
            "job_title": "TheTitle",
            "phone": "555-555-1111",
            "home_phone": "555-555-2222",
            "mobile": "555-555-5555",
            "fax": "555-555-3333",
            "email": "doe.john@hotmail.com",
            "secondary_email": "additional-email@company.com",
            "notes": "This is the notes field.\nSecond Line\n\nFourth Line\n"
            'You can put anything in the "note" field; even curse words.',
            "tags": ["category1, category2, category3"],  # escaped commas: one category
            "birthday": date(1970, 9, 21),
            "photo": JPEG,
            "custom": {"TEL (pager)": "555-555-4444"},
        }
    ],
}


def test_expected_table_covers_every_fixture() -> None:
    assert set(EXPECTED) == {p.name for p in FIXTURES.glob("*.vcf")}
    assert sum(map(len, EXPECTED.values())) == 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_file(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    cards = len(re.findall(rb"(?im)^BEGIN:VCARD", data))
    result = parse_vcards(data)
    assert cards == len(EXPECTED[name])
    assert len(result.records) == cards
    assert result.errors == []
    for i, (rec, expected) in enumerate(zip(result.records, EXPECTED[name], strict=True)):
        for key, value in expected.items():
            check(rec.get(key), value, f"{name} card {i + 1} {key}")
        assert set(rec) <= {*VCARD_COLUMNS}, set(rec) - set(VCARD_COLUMNS)


def test_fixture_warnings_name_card_and_line() -> None:
    result = parse_vcards((FIXTURES / "ezvcard__John_Doe_ANDROID.vcf").read_bytes())
    reasons = {(w.card, w.line): w.reason for w in result.warnings}
    assert "PHOTO base64 data is corrupt" in reasons[(5, 52)]
    assert "not valid utf-8" in reasons[(6, 82)]


# --------------------------------------------------------------------------- vobject


def vobject_cards(name: str) -> list[Any]:
    """The components vobject 0.9.9 yields with its default arguments before it fails."""
    raw = (FIXTURES / name).read_bytes()
    text = raw.decode("shift_jis" if name in SHIFT_JIS_FILES else "utf-8")
    cards: list[Any] = []
    try:
        for comp in vobject.readComponents(text):
            cards.append(comp)
    except Exception:
        pass
    return cards


def _vtext(value: Any) -> str:
    return (",".join(value) if isinstance(value, list) else str(value)).strip()


def vobject_view(comp: Any) -> dict[str, Any]:
    """Names, FN, emails, phones, org and title as vobject reads them."""
    contents = comp.contents
    view: dict[str, Any] = {}
    if "n" in contents:
        view["last_name"] = _vtext(contents["n"][0].value.family)
        view["first_name"] = _vtext(contents["n"][0].value.given)
    if "fn" in contents:
        view["fn"] = contents["fn"][0].value.strip()
    # crmkit drops blank values, and turns a 4.0 tel: URI into a dialable number.
    view["emails"] = [e.value.strip() for e in contents.get("email", []) if e.value.strip()]
    view["phones"] = [tel_text(t.value.strip()) for t in contents.get("tel", []) if t.value.strip()]
    if "org" in contents:
        view["org"] = _vtext(contents["org"][0].value[0])
    if "title" in contents:
        view["job_title"] = contents["title"][0].value.strip()
    return view


def custom_values(rec: dict[str, Any], prop: str) -> list[str]:
    out: list[str] = []
    for key, value in rec["custom"].items():
        if key == prop or key.startswith(prop + " ("):
            out.extend(value if isinstance(value, list) else [value])
    return out


def crmkit_view(rec: dict[str, Any]) -> dict[str, Any]:
    return {
        "last_name": rec.get("last_name") or "",
        "first_name": rec.get("first_name") or "",
        "fn": rec["custom"].get("FN") or display_name(rec.get("first_name"), rec.get("last_name")),
        "emails": [rec[k] for k in ("email", "secondary_email") if k in rec]
        + custom_values(rec, "EMAIL"),
        "phones": [rec[k] for k in ("phone", "mobile", "home_phone", "fax") if k in rec]
        + custom_values(rec, "TEL"),
        "org": rec.get("org") or "",
        "job_title": rec.get("job_title") or "",
    }


def same_or_vobject_cut(ours: str, theirs: str) -> bool:
    """Equal, or vobject kept only the text before the first unescaped comma."""
    return ours == theirs or (ours.startswith(theirs) and ours[len(theirs)] == ",")


VOBJECT_READS = {
    name: count
    for name, count in {
        "android__v21_backslash.vcf": 1,
        "android__v21_base64_no_2_crlf.vcf": 1,
        "android__v21_blackberry_photo.vcf": 1,
        "android__v21_japanese_1.vcf": 1,
        "android__v21_multiple_entry.vcf": 3,
        "android__v21_winmo_65.vcf": 1,
        "android__v21_x_android_custom_after_photo.vcf": 1,
        "android__v30_japanese.vcf": 1,
        "android__v30_multibyte_param.vcf": 1,
        "android__v40_sort_as.vcf": 1,
        "ezvcard__John_Doe_ANDROID.vcf": 3,
        "ezvcard__John_Doe_BLACK_BERRY.vcf": 1,
        "ezvcard__John_Doe_EVOLUTION.vcf": 1,
        "ezvcard__John_Doe_GMAIL.vcf": 1,
        "ezvcard__John_Doe_MAC_ADDRESS_BOOK.vcf": 1,
        "ezvcard__fullcontact.vcf": 1,
        "ezvcard__gmail-list.vcf": 3,
        "ezvcard__gmail-single2.vcf": 1,
        "ezvcard__rfc2426-example.vcf": 2,
        "ezvcard__rfc6350-example.vcf": 1,
        "ezvcard__thunderbird-MoreFunctionsForAddressBook-extension.vcf": 1,
    }.items()
}


def test_vobject_reads_28_of_40_fixture_cards() -> None:
    counts = {p.name: len(vobject_cards(p.name)) for p in FIXTURES.glob("*.vcf")}
    assert {k: v for k, v in counts.items() if v} == VOBJECT_READS
    assert sum(counts.values()) == 28


@pytest.mark.parametrize("name", sorted(VOBJECT_READS))
def test_same_fields_as_vobject_on_fixture_cards(name: str) -> None:
    ours = parse_vcards((FIXTURES / name).read_bytes()).records
    for i, comp in enumerate(vobject_cards(name)):
        theirs, mine = vobject_view(comp), crmkit_view(ours[i])
        for key in ("last_name", "first_name", "org", "job_title"):
            if key in theirs:
                assert mine[key] == theirs[key], (name, i, key)
        if "fn" in theirs:
            assert same_or_vobject_cut(mine["fn"], theirs["fn"]), (name, i, mine["fn"])
        for key in ("emails", "phones"):
            left = list(mine[key])
            for value in theirs[key]:
                match = next((x for x in left if same_or_vobject_cut(x, value)), None)
                assert match is not None, (name, i, key, value, left)
                left.remove(match)
            assert left == [], (name, i, key)


def test_vobject_cuts_gmail_fn_where_crmkit_keeps_it_whole() -> None:
    (comp,) = vobject_cards("ezvcard__John_Doe_GMAIL.vcf")
    assert comp.fn.value == "Mr. John Richter"
    rec = parse_vcards((FIXTURES / "ezvcard__John_Doe_GMAIL.vcf").read_bytes()).records[0]
    assert rec["custom"]["FN"] == "Mr. John Richter, James Doe Sr."


def test_vobject_cuts_second_x_abadr_where_crmkit_keeps_it_whole() -> None:
    (comp,) = vobject_cards("ezvcard__John_Doe_MAC_ADDRESS_BOOK.vcf")
    assert comp.contents["x-abadr"][1].value == "Street 4"
    rec = parse_vcards((FIXTURES / "ezvcard__John_Doe_MAC_ADDRESS_BOOK.vcf").read_bytes())
    assert rec.records[0]["custom"]["X-ABADR"][1] == "Street 4, Building 6,\nFloor 8\nNew York\nUSA"


# --------------------------------------------------------------------------- reading


def card(*lines: str, version: str = "3.0") -> str:
    return "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD", ""])


def one(text: str | bytes) -> dict[str, Any]:
    result = parse_vcards(text)
    assert len(result.records) == 1, result
    return result.records[0]


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


def test_value_escapes_and_commas() -> None:
    rec = one(
        card(
            r"N:Doe\, Jr;John\;Paul;;;",
            r"NOTE:a\,b\;c\\d\ne\Nf\:g\"h, plain comma",
            r"ORG:Acme\; Co;Sales\, EMEA",
            r"TITLE:C:\path\x",
        )
    )
    assert rec["last_name"] == "Doe, Jr" and rec["first_name"] == "John;Paul"
    assert rec["notes"] == 'a,b;c\\d\ne\nf:g"h, plain comma'
    assert (rec["org"], rec["department"]) == ("Acme; Co", "Sales, EMEA")
    assert rec["job_title"] == "C:\\path\\x"  # unknown escapes stay as written


def test_v21_comma_is_text_everywhere() -> None:
    rec = one(card("N:Doe;John", "FN:Doe, John", "NOTE:one, two, three", version="2.1"))
    assert rec["notes"] == "one, two, three"
    assert rec["custom"]["FN"] == "Doe, John"


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


def test_photo_forms() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
    b64 = base64.b64encode(png).decode()
    uri = one(card("N:A", f"PHOTO:data:image/png;base64,{b64}", version="4.0"))
    assert uri["photo"] == png
    bare = one(card("N:A", "PHOTO;BASE64:", "  " + b64[:20], "  " + b64[20:]))
    assert bare["photo"] == png
    linked = one(card("N:A", "PHOTO;VALUE=uri:https://example.com/a.jpg"))
    assert "photo" not in linked and linked["custom"]["PHOTO"] == "https://example.com/a.jpg"
    broken = parse_vcards(card("N:A", "PHOTO;ENCODING=b:AAAAA"))
    assert "photo" not in broken.records[0]
    assert "corrupt" in broken.warnings[0].reason


def test_invalid_base64_photo_is_reported_and_kept_in_custom() -> None:
    # The lenient decoder skipped every character it did not know: "!!!!" became b"".
    result = parse_vcards(card("N:Blou", "PHOTO;ENCODING=b;TYPE=JPEG:!!!!", "TEL:1"))
    rec = result.records[0]
    assert "photo" not in rec and rec["phone"] == "1"
    assert rec["custom"][BAD_PHOTO_KEY] == "!!!!"
    [warning] = result.warnings
    assert (warning.card, warning.line) == (1, 4)
    assert "corrupt" in warning.reason and BAD_PHOTO_KEY in warning.reason
    # Junk inside real data: not a photo with a few bytes missing.
    damaged = base64.b64encode(JPEG).decode()
    damaged = damaged[:8] + "é*" + damaged[8:]
    rec = one(card("N:Blou", f"PHOTO;ENCODING=b:{damaged}"))
    assert "photo" not in rec and rec["custom"][BAD_PHOTO_KEY] == damaged
    frame = read_vcf(card("N:Blou", "PHOTO;ENCODING=b:!!!!").encode())
    assert frame.loc[0, "photo"] is None and BAD_PHOTO_KEY in frame.loc[0, "custom"]


def test_photo_base64_variants_that_lose_nothing_are_read() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) + b"!"
    b64 = base64.b64encode(png).decode()
    assert one(card("N:A", "PHOTO;ENCODING=b:" + b64.rstrip("=")))["photo"] == png
    urlsafe = base64.urlsafe_b64encode(png).decode()
    assert "-" in urlsafe or "_" in urlsafe
    assert one(card("N:A", "PHOTO;ENCODING=b:" + urlsafe))["photo"] == png
    # An empty PHOTO is no photo (not b""); a data URI of another kind is kept as a link.
    assert "photo" not in one(card("N:A", "PHOTO;ENCODING=b:"))
    svg = "data:image/svg+xml,%3Csvg%2F%3E"
    linked = parse_vcards(card("N:A", f"PHOTO:{svg}", version="4.0"))
    assert linked.records[0]["custom"]["PHOTO"] == svg and linked.warnings == []


def test_nul_and_escape_sequences_in_a_vcard_are_read_whole() -> None:
    rec = one(card("N:Bl\x00ou;H\x1b[31mélène", "NOTE:a\x00b\x1b]0;x\x07c", "TEL:1"))
    assert rec["last_name"] == "Bl\x00ou" and rec["first_name"] == "H\x1b[31mélène"
    assert rec["notes"] == "a\x00b\x1b]0;x\x07c" and rec["phone"] == "1"
    raw = card("N:Bl\x00ou", "TEL:1").encode("utf-8")
    assert one(raw)["phone"] == "1"


def test_v21_base64_ended_by_blank_line_or_next_property() -> None:
    data = base64.b64encode(JPEG + bytes(100)).decode()
    blank = one(
        card("N:A", f"PHOTO;ENCODING=BASE64;TYPE=JPEG:{data[:40]}", data[40:], "", "TEL:1", "")
    )
    assert blank["photo"] == JPEG + bytes(100) and blank["phone"] == "1"
    runs_on = one(card("N:A", "PHOTO;ENCODING=BASE64:", " " + data, "TEL;TYPE=WORK:2"))
    assert runs_on["photo"] == JPEG + bytes(100) and runs_on["phone"] == "2"
    inner_blank = one(card("N:A", "PHOTO;ENCODING=b:" + data[:40], "", " " + data[40:]))
    assert inner_blank["photo"] == JPEG + bytes(100)


def test_quoted_printable_soft_breaks_and_charsets() -> None:
    qp = card(
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Lef=C3=A8vre;H=C3=A9l=C3=A8=",
        "ne",
        "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:caf=E9 cr=E8me=0D=0A=",
        "=0A",
        "TITLE;QUOTED-PRINTABLE:Chef=20de=20projet",
        version="2.1",
    )
    rec = one(qp)
    assert (rec["last_name"], rec["first_name"]) == ("Lefèvre", "Hélène")
    assert rec["notes"] == "café crème"
    assert rec["job_title"] == "Chef de projet"
    # Quoted-printable without CHARSET that is not UTF-8: Windows-1252 (Outlook).
    assert one(card("NOTE;ENCODING=QUOTED-PRINTABLE:=E9t=E9", "N:A", version="2.1"))["notes"] == (
        "été"
    )


@pytest.mark.parametrize(
    ("charset", "codec"),
    [
        ("ISO-8859-1", "latin-1"),
        ("GB2312", "gb2312"),
        ("GB18030", "gb18030"),
        ("Shift_JIS", "sjis"),
    ],
)
def test_raw_bytes_decoded_per_property_charset(charset: str, codec: str) -> None:
    name = "王伟" if codec.startswith("gb") else "安藤" if codec == "sjis" else "Hélène"
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        + f"N;CHARSET={charset}:".encode()
        + name.encode(codec)
        + b";\r\nNOTE:"
        + "déjà vu".encode()
        + b"\r\nEND:VCARD\r\n"
    )
    rec = one(data)
    assert rec["last_name"] == name
    assert rec["notes"] == "déjà vu"  # another property, undeclared: UTF-8


def test_shift_jis_backslash_second_byte_is_not_an_escape() -> None:
    rec = one((FIXTURES / "android__v30_japanese.vcf").read_bytes())
    assert rec["custom"]["FN"] == "伊能 圭一 伊予"  # 能 and 予 end in byte 0x5C


def test_utf8_character_split_by_folding_is_rejoined() -> None:
    raw = "NOTE:Hélène est là".encode()
    cut = raw.index("è".encode()) + 1  # fold in the middle of è
    data = b"BEGIN:VCARD\r\nN:A\r\n" + raw[:cut] + b"\r\n " + raw[cut:] + b"\r\nEND:VCARD\r\n"
    assert one(data)["notes"] == "Hélène est là"


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r", "\r\r\n"])
@pytest.mark.parametrize("fold", [" ", "\t"])
def test_line_endings_and_folding(ending: str, fold: str) -> None:
    lines = ["BEGIN:VCARD", "VERSION:3.0", "N:Blou;Hé", f"{fold}lène", "END:VCARD"]
    assert one(ending.join(lines))["first_name"] == "Hélène"
    mixed = "BEGIN:VCARD\r\nVERSION:3.0\nN:Blou;Hé\r\r\n" + fold + "lène\rEND:VCARD"
    assert one(mixed)["first_name"] == "Hélène"


def test_bom_utf16_and_missing_final_newline() -> None:
    text = card("N:Blou;Hélène").rstrip()
    assert one(text.encode("utf-16"))["first_name"] == "Hélène"
    assert one(b"\xef\xbb\xbf" + text.encode())["first_name"] == "Hélène"


def test_profile_line_is_ignored_and_x_properties_kept() -> None:
    rec = one(card("N:Blou", "PROFILE:VCard", "X-SKYPE:hblou", "X-SKYPE:hb2", "NICKNAME:Léna"))
    assert rec["custom"] == {"X-SKYPE": ["hblou", "hb2"], "NICKNAME": "Léna"}


# --------------------------------------------------------------------------- bad input


def test_garbage_text() -> None:
    result = parse_vcards("hello\nthis is not a vCard\n")
    assert result.records == []
    (error,) = result.errors
    assert error.reason == "no vCard found (no BEGIN:VCARD line)"
    assert error.excerpt == ("hello", "this is not a vCard")
    with pytest.raises(ImportFormatError, match="no vCard found"):
        read_vcf("hello\nthis is not a vCard\n", errors="raise")


def test_empty_and_binary_input(backend: str) -> None:
    assert parse_vcards(b"").errors[0].reason == "the input is empty"
    assert parse_vcards("  \n ").errors[0].reason == "the input is empty"
    junk = bytes(range(256)) * 20
    assert "binary" in parse_vcards(junk).errors[0].reason
    with pytest.warns(VCardWarning, match="empty"):
        frame = read_vcf(b"", backend=backend)
    assert list(frame.columns) == list(VCARD_COLUMNS) and len(frame) == 0
    with pytest.raises(ImportFormatError, match="line 1"):
        read_vcf(junk, errors="raise")


def test_truncated_card_is_reported_and_kept_when_it_has_a_name() -> None:
    text = card("N:Blou;Hélène") + "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Durand;Marc\r\nTEL:01\r\n"
    result = parse_vcards(text)
    assert [r["last_name"] for r in result.records] == ["Blou", "Durand"]
    (error,) = result.errors
    assert (error.card, error.line, error.kept) == (2, 5, True)
    assert error.excerpt == ("BEGIN:VCARD", "VERSION:3.0", "N:Durand;Marc", "TEL:01")
    assert "ends inside this card" in error.reason
    assert str(error).startswith("card 2, line 5: no END:VCARD")


def test_card_cut_by_the_next_begin_and_empty_truncated_card() -> None:
    text = "BEGIN:VCARD\nVERSION:3.0\n" + card("N:Blou") + "BEGIN:VCARD\nVERSION:3.0\n"
    result = parse_vcards(text)
    assert [r["last_name"] for r in result.records] == ["Blou"]
    assert [(e.card, e.line, e.kept) for e in result.errors] == [(1, 1, False), (3, 7, False)]
    assert "before the next BEGIN:VCARD (line 3)" in result.errors[0].reason


def test_card_with_no_name_is_kept() -> None:
    rec = one(card("EMAIL:contact@aprool.com", "ORG:APROOL"))
    assert rec == {"email": "contact@aprool.com", "org": "APROOL", "custom": {}}


def test_unreadable_card_is_reported_and_others_still_import(backend: str) -> None:
    text = card("N:Blou") + "BEGIN:VCARD\r\n=?!garbage\r\n%%%\r\nEND:VCARD\r\n" + card("N:Durand")
    result = parse_vcards(text)
    assert [r["last_name"] for r in result.records] == ["Blou", "Durand"]
    (error,) = result.errors
    assert (error.card, error.line, error.reason) == (2, 5, "no readable property in this card")
    with pytest.warns(VCardWarning, match="card 2, line 5"):
        frame = read_vcf(text, backend=backend)
    assert column(frame, "last_name") == ["Blou", "Durand"]
    with pytest.raises(ImportFormatError, match="card 2, line 5") as raised:
        read_vcf(text, errors="raise")
    assert raised.value.line == 5


def test_junk_lines_inside_a_card_are_joined_or_skipped() -> None:
    result = parse_vcards(card("N:Blou", "NOTE:line one", "line two", "TEL:01"))
    assert result.records[0]["notes"] == "line one\nline two"
    assert "joined to NOTE" in result.warnings[0].reason


def test_invalid_utf8_after_qp_is_replaced() -> None:
    result = parse_vcards(card("N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:A=80B", version="2.1"))
    assert result.records[0]["last_name"] == "A\ufffdB"
    assert "not valid utf-8" in result.warnings[0].reason


def test_huge_photo_is_read_with_bounded_memory() -> None:
    photo = JPEG + bytes(range(256)) * (5 * 1024 * 1024 // 256)
    encoded = base64.b64encode(photo).decode()
    folded = "\r\n ".join(encoded[i : i + 74] for i in range(0, len(encoded), 74))
    text = card("N:Blou", "PHOTO;ENCODING=b;TYPE=JPEG:" + folded, "NOTE:after")
    data = text.encode()
    tracemalloc.start()
    try:
        rec = one(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rec["photo"] == photo and rec["notes"] == "after"
    assert peak < 6 * len(data), peak


@settings(max_examples=examples(150), deadline=None)
@given(st.text(max_size=300) | st.binary(max_size=300))
def test_parser_never_crashes(data: str | bytes) -> None:
    result = parse_vcards(data)
    assert isinstance(result.records, list)
    if not result.records:
        assert result.errors


# --------------------------------------------------------------------------- DataFrames


def test_read_vcf_sources_and_backends(tmp_path: Path, backend: str) -> None:
    path = FIXTURES / "ezvcard__gmail-list.vcf"
    for source in (
        path,
        str(path),
        path.read_bytes(),
        path.read_text(),
        io.BytesIO(path.read_bytes()),
    ):
        frame = read_vcf(source, backend=backend)
        assert list(frame.columns) == list(VCARD_COLUMNS)
        assert column(frame, "last_name") == ["Smith", "Beatle", "White"]
        assert column(frame, "email")[2] == "dwhite@gmail.com"
    with pytest.raises(FileNotFoundError):
        read_vcf(str(tmp_path / "missing.vcf"))


def test_frame_types(backend: str) -> None:
    frame = read_vcf(FIXTURES / "ezvcard__fullcontact.vcf", backend=backend)
    assert column(frame, "tags") == [["Tag"]]
    birthday = column(frame, "birthday")[0]
    assert birthday == date(2016, 8, 1) or birthday == pd.Timestamp("2016-08-01")
    assert '"TITLE": "Title2"' in column(frame, "custom")[0]
    photo = column(
        read_vcf(FIXTURES / "android__v21_blackberry_photo.vcf", backend=backend), "photo"
    )
    assert photo[0].startswith(PNG)
    with pytest.raises(UnknownValueError):
        records_to_frame([], "spark")  # type: ignore[arg-type]


def test_columns_follow_the_catalog() -> None:
    fields = [f.name for f in CONTACTS]
    positions = [fields.index("account_id" if c == "org" else c) for c in VCARD_COLUMNS]
    assert positions == sorted(positions)


# --------------------------------------------------------------------------- writing


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


def test_write_vcf_file_and_dataframes(tmp_path: Path, backend: str) -> None:
    frame = read_vcf(FIXTURES / "ezvcard__rfc2426-example.vcf", backend=backend)
    out = write_vcf(frame, tmp_path / "out.vcf", version="4.0")
    assert out == tmp_path / "out.vcf"
    again = read_vcf(out, backend=backend)
    for name in ("first_name", "last_name", "org", "phone", "fax", "email", "city"):
        assert column(again, name) == column(frame, name), name
    assert [p.name for p in tmp_path.iterdir()] == ["out.vcf"]  # no temporary file left


def test_write_vcf_zip_names_are_readable_unique_and_safe(tmp_path: Path) -> None:
    records = [
        {"first_name": "Hélène", "last_name": "Blou"},
        {"first_name": "Helene", "last_name": "Blou"},
        {"first_name": "HÉLÈNE", "last_name": "BLOU"},
        {"last_name": "../../etc/passwd"},
        {"last_name": "\x00\x1f..\\..\\con"},
        {"first_name": "伟", "last_name": "王"},
        {"org": "APROOL"},
        {"email": "marc@aprool.com"},
        {},
        {"last_name": "x" * 300},
    ]
    path = write_vcf(records, tmp_path / "contacts.zip", zip=True)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names == [
            "Helene_Blou.vcf",
            "Helene_Blou-2.vcf",
            "HELENE_BLOU-3.vcf",
            "etc_passwd.vcf",
            "con_.vcf",
            "WangWei.vcf",
            "APROOL.vcf",
            "marc.vcf",
            "contact.vcf",
            "x" * 80 + ".vcf",
        ]
        for name, rec in zip(names, records, strict=True):
            back = parse_vcards(archive.read(name)).records
            assert [r.get("last_name") for r in back] == [
                strip_controls(rec.get("last_name") or "").strip() or None
            ]
    for name in names:
        assert "/" not in name and "\\" not in name and ".." not in name
        assert name.isprintable() and name.isascii()


def test_vcard_file_name_never_empty() -> None:
    assert vcard_file_name({"last_name": "..."}) == "contact.vcf"
    assert vcard_file_name({"last_name": "  "}) == "contact.vcf"


def test_write_vcf_failure_leaves_no_file(tmp_path: Path) -> None:
    class Boom(dict[str, Any]):
        def get(self, key: str, default: Any = None) -> Any:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_vcf([{"last_name": "A"}, Boom()], tmp_path / "x.vcf")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ExportError, match="cannot write"):
        write_vcf([{"last_name": "A"}], tmp_path / "missing" / "x.vcf")


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


# --------------------------------------------------------------------------- round trips

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


def norm(value: str | None) -> str | None:
    """What a text value becomes after export and import."""
    if value is None:
        return None
    return value.replace("\r\n", "\n").replace("\r", "\n").strip() or None


def written(value: str | None) -> str | None:
    """A text value as the writer puts it in a card: without control characters."""
    return None if value is None else strip_controls(value)


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
    assert norm(_vtext(comp.n.value.family)) == expected["last_name"]
    assert norm(_vtext(comp.n.value.given)) == expected["first_name"]
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
