"""Street addresses (crmkit._dedupe._streets): abbreviations, ordinals, directions, notes,
Chinese addresses; accounts' streets compared with them."""

from __future__ import annotations

import pytest
from dedupe_samples import MakeFrame
from hypothesis import given
from hypothesis import strategies as st

from crmkit._dedupe import find_duplicates
from crmkit._dedupe._streets import street_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("12 Av. des Champs-Élysées", "12 avenue des Champs Elysées"),
        ("5th Ave", "Fifth Avenue"),
        ("1er Bd Haussmann", "1 boulevard Haussmann"),
        ("3 Bld. de la Villette", "3 Bd de la Villette"),
        ("7 R. de Rivoli", "7 rue de Rivoli"),
        ("Pl. Bellecour", "Place Bellecour"),
        ("12 Chem. des Vignes", "12 chemin des Vignes"),
        ("4 Rte de Lyon", "4 route de Lyon"),
        ("9 Imp. des Lilas", "9 impasse des Lilas"),
        ("25 Fbg Saint-Honoré", "25 faubourg Saint Honore"),
        ("12bis rue Monge", "12 bis rue Monge"),
        ("100 N. Main St.", "100 North Main Street"),
        ("8 rue du Nord", "8 R. du N."),
        ("435 S. La Cienega Blvd.", "435 s. la cienega blv."),
        ("350 5th Ave. (between 33rd and 34th Sts.)", "350 Fifth Avenue"),
        ("804 Northpoint St. at Hyde St.", "804 Northpoint Street"),
        ("2 Main St, nr. the station", "2 Main Street"),
        ("建国路８８号", "建国路 88 号"),
        ("建国路88號", "建国路 88"),
    ],
)
def test_same_street_same_key(a: str, b: str) -> None:
    assert street_key(a) == street_key(b) != ""


def test_different_streets_differ() -> None:
    assert street_key("5th Ave") != street_key("6th Ave")
    assert street_key("12 rue de Rivoli") != street_key("14 rue de Rivoli")
    assert street_key(None) == street_key("  ") == ""


@given(st.text(max_size=60))
def test_street_key_never_raises_and_is_idempotent(text: str) -> None:
    key = street_key(text)
    assert street_key(key) == key
    assert key == key.strip() and "  " not in key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("12 Av. des Champs-Élysées", "12 avenue des Champs Elysées"),
        ("500 5th Ave", "500 Fifth Avenue"),
    ],
)
def test_find_duplicates_links_street_variants(make_frame: MakeFrame, a: str, b: str) -> None:
    frame = make_frame(
        {
            "id": [1, 2, 3],
            "name": ["Aprool", "Aprool SAS", "Aprool"],
            "billing_street": [a, b, "3 rue Monge"],
            "billing_city": ["Paris", "Paris", "Lyon"],
        }
    )
    report = find_duplicates(frame, kind="accounts")
    assert report.clusters == [[1, 2]]
    assert report.explain(1, 2).set_index("field").loc["street", "level"] == "exact"


def test_another_house_number_is_at_most_similar(make_frame: MakeFrame) -> None:
    frame = make_frame(
        {
            "id": [1, 2],
            "name": ["Aprool", "Tengda"],
            "billing_street": ["12 rue de la République", "14 rue de la République"],
        }
    )
    explained = find_duplicates(frame, kind="accounts").explain(1, 2).set_index("field")
    assert explained.loc["street", "level"] == "similar"
