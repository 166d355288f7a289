"""Reading vCards (crmkit._formats._vcard_read): the 30 real-world files of
../shared/fixtures/vcards read one by one with the values written down by reading each file;
vobject 0.9.9 is the reference reader for every card it can read, except where it is
documented to cut a value at its first comma. Bad input, and read_vcf's sources and backends.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples
from vcard_samples import (
    FIXTURES,
    JPEG,
    PNG,
    card,
    column,
    crmkit_view,
    same_or_vobject_cut,
    vobject_cards,
    vobject_view,
)

from crmkit._exceptions import ImportFormatError
from crmkit._formats import (
    VCARD_COLUMNS,
    VCardWarning,
    parse_vcards,
    read_vcf,
)


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


@settings(max_examples=examples(150), deadline=None)
@given(st.text(max_size=300) | st.binary(max_size=300))
def test_parser_never_crashes(data: str | bytes) -> None:
    result = parse_vcards(data)
    assert isinstance(result.records, list)
    if not result.records:
        assert result.errors


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


# -- the module's own functions ----------------------------------------------------------


def test_read_vcf_takes_a_path_as_text_and_an_open_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.vcf"
    path.write_bytes(card("N:Blou;Hélène").encode())
    monkeypatch.chdir(tmp_path)
    assert read_vcf("c.vcf")["last_name"].tolist() == ["Blou"]  # a name, not vCard text
    with path.open("rb") as handle:
        assert read_vcf(handle)["first_name"].tolist() == ["Hélène"]
    with pytest.raises(ImportFormatError, match="cannot read vCards from a int"):
        read_vcf(42)  # type: ignore[arg-type]


def test_read_vcf_sums_up_many_problems_in_one_warning() -> None:
    broken = "BEGIN:VCARD\r\n%%%\r\nEND:VCARD\r\n"
    text = card("N:Blou") + broken * 7
    with pytest.warns(VCardWarning) as caught:
        frame = read_vcf(text)
    assert frame["last_name"].tolist() == ["Blou"]
    (warning,) = caught
    message = str(warning.message)
    assert message.startswith("7 vCard problem(s) in the input: card 2, line 5:")
    assert message.count("no readable property") == 5 and message.endswith("(and 2 more)")


def test_parse_vcards_lines_and_binary_input() -> None:
    result = parse_vcards(card("N:A") + "\r\n" + card("N:B"))
    assert result.lines == [1, 6] and [r["last_name"] for r in result.records] == ["A", "B"]
    binary = parse_vcards("\x00\x01 not a card")
    assert binary.errors[0].reason == "no vCard found: the input looks like binary data"
    assert binary.errors[0].excerpt == ("\\x00\\x01 not a card",)
