"""The value of a vCard property (crmkit._formats._vcard_values): escapes, commas,
quoted-printable, dates, tel: URIs, photos good and corrupt.
"""

from __future__ import annotations

import base64
from datetime import date

import pytest
from vcard_samples import (
    JPEG,
    card,
    one,
)

from crmkit._formats import (
    parse_vcards,
    read_vcf,
)
from crmkit._formats._vcard_values import (
    BAD_PHOTO_KEY,
    clean,
    parse_date,
    split_values,
    tel_text,
    unescape,
)


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


def test_invalid_utf8_after_qp_is_replaced() -> None:
    result = parse_vcards(card("N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:A=80B", version="2.1"))
    assert result.records[0]["last_name"] == "A\ufffdB"
    assert "not valid utf-8" in result.warnings[0].reason


# -- the module's own functions ----------------------------------------------------------


def test_unescape_split_values_and_clean() -> None:
    assert unescape(r"a\,b\;c\\d\ne\Nf\:g\"h\x") == 'a,b;c\\d\ne\nf:g"h\\x'
    assert split_values(r"Doe\;Jr;John;;", ";") == [r"Doe\;Jr", "John", "", ""]
    assert split_values(r"a\\;b", ";") == ["a\\\\", "b"]  # an escaped backslash, then ;
    assert split_values("vip,client", ",") == ["vip", "client"]
    assert clean("  ligne 1\\nligne 2\r\nligne 3\r ") == "ligne 1\nligne 2\nligne 3"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("19800115", date(1980, 1, 15)),
        (" 1980-01-15 ", date(1980, 1, 15)),
        ("1980-01-15T10:00:00+02:00", date(1980, 1, 15)),
        ("--0115", None),
        ("1980-13-01", None),
        ("15/01/1980", None),
    ],
)
def test_parse_date(text: str, day: date | None) -> None:
    assert parse_date(text) == day


def test_tel_text() -> None:
    assert tel_text("tel:+1-418-656-9254;ext=102") == "+1-418-656-9254 ext. 102"
    assert tel_text("TEL:+33625341257;phone-context=x") == "+33625341257"
    assert tel_text("06 25 34 12 57") == "06 25 34 12 57"
