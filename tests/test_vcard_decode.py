"""vCard bytes to text (crmkit._formats._vcard_decode): UTF-8 at once, or property by
property with its CHARSET; BOMs; line ends.
"""

from __future__ import annotations

import pytest
from vcard_samples import (
    FIXTURES,
    card,
    one,
)

from crmkit._formats import parse_vcards
from crmkit._formats._vcard_decode import codec_of, decode_input


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


def test_bom_utf16_and_missing_final_newline() -> None:
    text = card("N:Blou;Hélène").rstrip()
    assert one(text.encode("utf-16"))["first_name"] == "Hélène"
    assert one(b"\xef\xbb\xbf" + text.encode())["first_name"] == "Hélène"


# -- the module's own functions ----------------------------------------------------------


def test_codec_of() -> None:
    assert codec_of("UTF-8") == "utf-8"
    assert codec_of('"ISO-8859-1"') == "iso8859-1"
    assert codec_of("GB2312") == codec_of("gbk") == "gb18030"  # the superset
    assert codec_of("Shift_JIS") == "shift_jis"
    assert codec_of("klingon") is None and codec_of(None) is None and codec_of("") is None


def test_decode_input_normalises_line_ends() -> None:
    notes: list[tuple[int, str]] = []
    assert decode_input("\ufeffA\r\nB\rC\r\r\nD", notes) == "A\nB\nC\nD"
    assert decode_input("A\r\nB".encode("utf-16"), notes) == "A\nB"
    assert decode_input(b"\xef\xbb\xbfN:H\xc3\xa9l\xc3\xa8ne\r\n", notes) == "N:Hélène\n"
    assert notes == []


def test_decode_input_per_property_notes_bad_bytes() -> None:
    notes: list[tuple[int, str]] = []
    data = b"BEGIN:VCARD\r\nN;CHARSET=SHIFT_JIS:\xff\xff\r\nNOTE:caf\xe9\r\nEND:VCARD\r\n"
    text = decode_input(data, notes)
    assert text.split("\n")[2] == "NOTE:café"  # not UTF-8 and undeclared: cp1252
    assert notes == [(2, "bytes not valid in shift_jis; replaced")]
    # Latin-1 declared on UTF-8 bytes: read as UTF-8; another charset declared is trusted.
    notes.clear()
    text = decode_input("N;CHARSET=ISO-8859-1:Hélène\nNOTE;CHARSET=GBK:王".encode(), notes)
    assert text.startswith("N;CHARSET=ISO-8859-1:Hélène\nNOTE;CHARSET=GBK:")
    assert text.endswith("\ufffd") and notes == [(2, "bytes not valid in gb18030; replaced")]


def test_a_value_ending_in_a_legacy_accent_keeps_it() -> None:
    # "é" in cp1252 is 0xE9, a UTF-8 lead byte: at the end of a value it used to be taken
    # for a character cut by folding and dropped without a word.
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Blou;H\xe9l\xe8ne\r\nFN:Jos\xe9\r\n"
        b"NOTE:Rendez-vous\r\n au caf\xe9\r\nTITLE;CHARSET=UTF-8:Chef\xc3\r\nEND:VCARD\r\n"
    )
    result = parse_vcards(data)
    (rec,) = result.records
    assert rec["custom"]["FN"] == "José" and rec["notes"] == "Rendez-vousau café"
    assert rec["job_title"] == "Chef\ufffd"  # declared UTF-8, cut short: replaced and said
    assert [(w.line, w.reason) for w in result.warnings] == [
        (7, "bytes not valid in utf-8; replaced")
    ]
    notes: list[tuple[int, str]] = []
    assert decode_input(b"NOTE;CHARSET=UTF-8:Caf\xc3\r\n \xa9\r\n", notes) == (
        "NOTE;CHARSET=UTF-8:Caf\n é\n"
    )
    assert notes == []  # a character cut by folding is whole again
