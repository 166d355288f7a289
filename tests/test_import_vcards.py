"""A vCard file as the rows an import reads (``crmkit._importing._vcards``): one row per
card with its line, unreadable cards as rejected rows, a family name found for each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crmkit._importing._vcards import _name_fallback, read_vcard_rows

CARDS = [
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;Marc;;;\r\nEMAIL:marc@example.com\r\nEND:VCARD\r\n",
    "BEGIN:VCARD\r\n garbage\r\nEND:VCARD\r\n",
    "BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Acme\r\nEND:VCARD\r\n",
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Blou;Hélène;;;\r\nEND:VCARD\r\n",
]


def test_cards_become_rows_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "carnet.vcf"
    path.write_text("".join(CARDS), encoding="utf-8")
    rows = read_vcard_rows(path)
    assert list(rows.frame["__line__"]) == [1, 9, 13]
    assert list(rows.frame["last_name"]) == ["Marc", "Acme", "Blou"]
    assert [r["__line__"] for r in rows.rejects] == [6]
    assert rows.rejects[0]["__reasons__"] == (
        "vCard 2 cannot be read: no readable property in this card"
    )
    assert rows.rejects[0]["first_lines"].startswith("BEGIN:VCARD\n garbage")
    assert [w[3] for w in rows.warnings] == [
        "the card has no family name; last_name taken from the given name",
        "the card has no family name; last_name taken from ORG",
    ]


@pytest.mark.parametrize(
    ("record", "source", "after"),
    [
        ({"last_name": "Roy"}, None, {"last_name": "Roy"}),
        (
            {"custom": {"FN": " Jean Roy "}, "org": "Acme"},
            "FN",
            {"custom": {}, "org": "Acme", "last_name": "Jean Roy"},
        ),
        ({"first_name": "Marc"}, "the given name", {"last_name": "Marc"}),
        ({"org": "Acme"}, "ORG", {"org": "Acme", "last_name": "Acme"}),
        ({"email": "x@y.fr"}, "EMAIL", {"email": "x@y.fr", "last_name": "x@y.fr"}),
        ({"phone": "+33 1"}, None, {"phone": "+33 1"}),
    ],
)
def test_a_family_name_from_what_the_card_has(
    record: dict[str, Any], source: str | None, after: dict[str, Any]
) -> None:
    assert _name_fallback(record) == source
    assert record == after
