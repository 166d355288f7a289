"""Column-wise vCard assembly (crmkit._formats._vcard_columns): the same bytes as the
per-card writer (``CardWriter.chunk_per_card``, which production still uses for the rare
cards and the fallback), on generated chunks of records of every shape.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit._formats._vcard_columns import joined_text
from crmkit._formats._vcard_write import CardWriter

# Text with what vCards care about: separators to escape, line breaks, CJK names, accents,
# 4-byte characters near the fold, whitespace to strip, and the odd control character.
_ALPHABET = st.sampled_from(list("aZ09 ,;\\:\n\r\t.-'é王伟𠀀\u00a0\u3000\x1b\x00")) | st.characters(
    codec="utf-8", exclude_categories=("Cs",)
)
# Values whose lines end on either side of the 75-octet fold, in 1- to 4-byte characters.
NEAR_FOLD = st.builds(
    lambda n, c: "a" * n + c, st.integers(40, 75), st.sampled_from(["", "é", "王", "𠀀"])
)
TEXT = st.text(_ALPHABET, max_size=30) | st.text(_ALPHABET, min_size=60, max_size=120) | NEAR_FOLD
MAYBE_TEXT = st.none() | st.just("") | TEXT
CJK_NAME = st.text(st.sampled_from(list("王伟李娜𠀀ｱ한")), min_size=1, max_size=3)

TEXT_FIELDS = [
    "salutation", "org", "department", "job_title", "email", "secondary_email", "phone",
    "mobile", "home_phone", "fax", "street", "city", "region", "postal_code", "country",
    "website", "linkedin", "twitter", "uid",
]  # fmt: skip

CUSTOM = st.dictionaries(
    st.sampled_from(
        [
            "X-SKYPE",
            "TEL (pager)",
            "X-ASSISTANT (Assistante)",
            "NOTE",
            "BDAY",
            "FN",
            "ADR (home)",
            "bad key!",
            "EMAIL (home,internet)",
            "X-A (费)",
        ]
    ),
    st.none()
    | st.just("")
    | TEXT
    | st.lists(TEXT, max_size=2)
    | st.fixed_dictionaries({"street": MAYBE_TEXT, "city": MAYBE_TEXT}),
    max_size=4,
)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    rec: dict[str, Any] = {key: draw(MAYBE_TEXT) for key in TEXT_FIELDS if draw(st.booleans())}
    names = st.none() | st.just("") | TEXT | CJK_NAME
    rec["first_name"], rec["last_name"] = draw(names), draw(names)
    if draw(st.booleans()):
        rec["notes"] = draw(MAYBE_TEXT)
    if draw(st.booleans()):
        rec["gender"] = draw(MAYBE_TEXT | st.just(1))
    if draw(st.booleans()):
        rec["tags"] = draw(
            st.none() | st.lists(TEXT, max_size=4) | st.tuples(TEXT) | st.just(["a", 1])
        )
    if draw(st.booleans()):
        rec["birthday"] = draw(
            st.none() | st.dates() | st.just("1980-02-30") | st.just(datetime(1990, 5, 1))
        )
    if draw(st.booleans()):
        custom = draw(CUSTOM)
        rec["custom"] = json.dumps(custom) if draw(st.booleans()) else custom
    if draw(st.integers(0, 9)) == 0:
        rec["photo"] = b"\xff\xd8\xff" + draw(st.binary(max_size=80))
    return rec


@settings(max_examples=examples(150))
@given(
    chunk=st.lists(records(), min_size=1, max_size=12),
    version=st.sampled_from(["3.0", "4.0"]),
)
def test_columnwise_cards_are_the_per_card_bytes(chunk: list[dict[str, Any]], version: str) -> None:
    columnwise = CardWriter(version, "20250101T000000Z")
    per_card = CardWriter(version, "20250101T000000Z")
    assert columnwise.chunk(chunk) == per_card.chunk_per_card(chunk)
    assert columnwise.changed == per_card.changed


def test_the_fast_path_writes_the_usual_chunk() -> None:
    # A value of another type sends the whole chunk card by card; plain records must not.
    writer = CardWriter("3.0", False)
    chunk = [
        {"first_name": " Hélène ", "last_name": "Blou", "org": "Acme, Inc.", "tags": ["a;b"]},
        {"first_name": "伟", "last_name": "王", "notes": "x\r\ny", "birthday": date(1980, 1, 2)},
        {"org": "Globex", "custom": {"X-SKYPE": "s", "TEL (pager)": "1"}},
    ]
    text = writer._columnar(chunk)
    assert text == writer.chunk_per_card(chunk)
    assert "FN:王伟\r\n" in text and "CATEGORIES:a\\;b\r\n" in text


def test_a_value_that_is_not_text_falls_back_to_the_per_card_writer() -> None:
    writer = CardWriter("4.0", False)
    chunk = [{"first_name": "Marc", "phone": 33123456789}]
    assert writer._columnar(chunk) is None
    assert writer.chunk(chunk) == writer.chunk_per_card(chunk)
    assert "TEL;TYPE=work,voice;VALUE=text:33123456789\r\n" in writer.chunk(chunk)


@pytest.mark.parametrize("start", [0, 1])
def test_joined_text_of_a_sliced_column(start: int) -> None:
    column = pa.array(["é\r\n", "b\r\n", "王\r\n"])[start:]
    assert joined_text(column) == "".join(column.to_pylist())


@pytest.mark.parametrize("size", range(68, 80))
@pytest.mark.parametrize("char", ["a", "é", "王", "𠀀"])
def test_lines_on_either_side_of_the_fold(size: int, char: str) -> None:
    # NOTE: plus `size` octets: the longest line of the column decides whether to fold.
    note = char * (size // len(char.encode())) + "b" * (size % len(char.encode()))
    writer = CardWriter("3.0", False)
    chunk = [{"last_name": "Blou", "notes": note}]
    text = writer._columnar(chunk)
    assert text == writer.chunk_per_card(chunk)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
