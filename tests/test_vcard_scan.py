"""vCard text cut into cards of properties (crmkit._formats._vcard_scan): folding, base64
blocks, line ends, truncated and unreadable cards, junk lines, bounded memory.
"""

from __future__ import annotations

import base64
import tracemalloc

import pytest
from vcard_samples import (
    JPEG,
    card,
    one,
)

from crmkit._formats import (
    parse_vcards,
)
from crmkit._formats._vcard_result import VCardError, VCardParseResult
from crmkit._formats._vcard_scan import B64, PLAIN, QP, scan


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


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r", "\r\r\n"])
@pytest.mark.parametrize("fold", [" ", "\t"])
def test_line_endings_and_folding(ending: str, fold: str) -> None:
    lines = ["BEGIN:VCARD", "VERSION:3.0", "N:Blou;Hé", f"{fold}lène", "END:VCARD"]
    assert one(ending.join(lines))["first_name"] == "Hélène"
    mixed = "BEGIN:VCARD\r\nVERSION:3.0\nN:Blou;Hé\r\r\n" + fold + "lène\rEND:VCARD"
    assert one(mixed)["first_name"] == "Hélène"


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


def test_junk_lines_inside_a_card_are_joined_or_skipped() -> None:
    result = parse_vcards(card("N:Blou", "NOTE:line one", "line two", "TEL:01"))
    assert result.records[0]["notes"] == "line one\nline two"
    assert "joined to NOTE" in result.warnings[0].reason


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


# -- the module's own functions ----------------------------------------------------------


def test_scan_gives_logical_properties_with_their_parameters_and_lines() -> None:
    text = (
        "BEGIN:VCARD\nVERSION:2.1\n"
        'item1.TEL;TYPE="work,voice";PREF:01\n 23\n'
        "NOTE;ENCODING=QUOTED-PRINTABLE:a=\n=C3=A9\n"
        "PHOTO;BASE64:\n AAAA\n BBBB\n\n"
        "X-JUNK\nEND:VCARD\n"
        "trailing text\n"
        "BEGIN:VCARD\nN:A\n"
    )
    result = VCardParseResult()
    first, second = scan(text, result, [(3, "bytes not valid in utf-8; replaced")])
    assert first.props == [
        (None, "VERSION", {}, "2.1", 2, PLAIN),
        ("item1", "TEL", {"TYPE": ["work", "voice", "pref"]}, "0123", 3, PLAIN),
        (None, "NOTE", {"ENCODING": ["QUOTED-PRINTABLE"]}, "a=C3=A9", 5, QP),
        (None, "PHOTO", {"ENCODING": ["BASE64"]}, "AAAABBBB", 7, B64),
    ]
    assert (first.index, first.line, first.unreadable, first.truncated) == (1, 1, 1, None)
    assert first.notes == [
        (3, "bytes not valid in utf-8; replaced"),
        (11, "unreadable line ignored: 'X-JUNK'"),
    ]
    assert first.excerpt() == (
        "BEGIN:VCARD",
        "VERSION:2.1",
        'item1.TEL;TYPE="work,voice";PREF:01',
        " 23",
    )
    assert (second.index, second.line, second.props) == (2, 14, [(None, "N", {}, "A", 15, 0)])
    assert second.truncated == "no END:VCARD: the input ends inside this card"
    assert result.warnings == [
        VCardError(None, 13, "text outside any card ignored", ("trailing text",))
    ]


def test_excerpt_lines_are_cut_short() -> None:
    (raw,) = scan("BEGIN:VCARD\nNOTE:" + "x" * 200 + "\nEND:VCARD\n", VCardParseResult(), [])
    assert [len(line) for line in raw.excerpt()] == [11, 101, 9, 0]
    assert raw.excerpt()[1].endswith("…")
