"""Term-frequency adjustments: rare values count more, common ones less (crmkit._dedupe._tf)."""

from __future__ import annotations

import pandas as pd
import pytest

from crmkit._dedupe import DedupeIndex, find_duplicates

_FIRST = ["Anna", "Marc", "Louis", "Chloe", "Hugo", "Emma", "Jules", "Lina", "Paul", "Rose"]


def _people() -> pd.DataFrame:
    """400 contacts with distinct surnames, 12 named Ito, and two pairs of duplicates:
    Sorin Panescu (a surname nobody else has) and Sorin Ito (the common one)."""
    rows = []
    for i in range(400):
        rows.append((f"{_FIRST[i % 10]}{i}", f"Surname{i:03d}x", f"Town{i % 7}"))
    for i in range(12):
        rows.append((f"{_FIRST[i % 10]}o{i}", "Ito", f"Town{i % 5}"))
    rows += [
        ("Sorin", "Panescu", "Lyon"),
        ("Sorin", "Panescu", "Lyon"),
        ("Sorin", "Ito", "Lyon"),
        ("Sorin", "Ito", "Lyon"),
    ]
    frame = pd.DataFrame(rows, columns=["first_name", "last_name", "city"])
    frame.insert(0, "id", range(1, len(frame) + 1))
    return frame


def _pair(report, a: int, b: int) -> pd.Series:
    pairs = report.pairs
    found = pairs[
        ((pairs["id_a"] == a) & (pairs["id_b"] == b))
        | ((pairs["id_a"] == b) & (pairs["id_b"] == a))
    ]
    assert len(found) == 1, f"pair {a}-{b} not scored"
    return found.iloc[0]


def test_rare_surname_scores_higher_than_common_one() -> None:
    frame = _people()
    panescu = frame.index[frame["last_name"] == "Panescu"] + 1
    ito = frame.index[(frame["last_name"] == "Ito") & (frame["first_name"] == "Sorin")] + 1
    report = find_duplicates(frame, min_probability=0.0)
    rare = _pair(report, *panescu.tolist())
    common = _pair(report, *ito.tolist())
    assert rare["match_weight"] > common["match_weight"] + 1.0
    assert "common last_name" not in rare["explanation"]
    assert "common last_name, shared by 13 records" in common["explanation"]
    # Without the adjustment both pairs weigh the same: same levels everywhere.
    flat = find_duplicates(frame, min_probability=0.0, tf_adjust=False)
    assert _pair(flat, *panescu.tolist())["match_weight"] == pytest.approx(
        _pair(flat, *ito.tolist())["match_weight"]
    )
    assert "common" not in " ".join(flat.pairs["explanation"])


def _accounts() -> pd.DataFrame:
    """Accounts of a hotel sharing its switchboard, and two pairs of duplicates: one on
    the switchboard, one on a phone of its own."""
    rows = [
        (f"Company {i:03d} Services", f"+33 1 45 {i // 100:02d} {i % 100:02d} 10")
        for i in range(1000)
    ]
    rows += [(f"Restaurant {name}", "+33 1 40 00 00 00") for name in ("Iris", "Jade", "Opale")]
    rows += [(f"Boutique {i}", "+33 1 40 00 00 00") for i in range(12)]
    rows += [("Hotel Lumiere", "+33 1 40 00 00 00"), ("Hotel Lumiere", "+33 1 40 00 00 00")]
    rows += [("Cafe Bleu", "+33 1 47 12 34 56"), ("Cafe Bleu", "+33 1 47 12 34 56")]
    frame = pd.DataFrame(rows, columns=["name", "phone"])
    frame.insert(0, "id", range(1, len(frame) + 1))
    return frame


def test_shared_phone_is_weaker_evidence_than_a_unique_one() -> None:
    frame = _accounts()
    n = len(frame)
    report = find_duplicates(frame, kind="accounts", min_probability=0.0)
    shared = _pair(report, n - 3, n - 2)
    unique = _pair(report, n - 1, n)
    assert shared["match_weight"] < unique["match_weight"] - 3.0
    assert "common phone, shared by 16 records" in shared["explanation"]
    table = report.explain(n - 3, n - 2).set_index("field")
    assert table.loc["phone", "term_frequency"] < 0
    assert table.loc["phone", "value_count"] == 16  # the two Hotel Lumiere are one name
    assert table.loc["phone", "weight"] >= 0.0  # an exact agreement never counts against
    assert table["weight"].sum() == pytest.approx(shared["match_weight"])


def test_index_similar_agrees_with_find_duplicates() -> None:
    frame = _people()
    report = find_duplicates(frame, min_probability=0.0)
    last = frame.iloc[-1]  # the second Sorin Ito, typed again
    index = DedupeIndex.build(frame.iloc[:-1], model=report.model)
    found = index.similar(last.drop("id").to_dict(), min_probability=0.0, limit=50)
    mine = found[found["id"] == last["id"] - 1].iloc[0]
    theirs = _pair(report, int(last["id"]) - 1, int(last["id"]))
    assert mine["match_weight"] == pytest.approx(theirs["match_weight"], abs=0.05)
    assert "common last_name" in mine["explanation"]


def test_index_counts_follow_added_records() -> None:
    frame = _people()
    index = DedupeIndex.build(frame)
    query = {"first_name": "Sorin", "last_name": "Ito", "city": "Lyon"}
    before = index.similar(query, min_probability=0.0, limit=50)
    more = pd.DataFrame(
        {
            "id": range(1000, 1030),
            "first_name": [f"Other{i}" for i in range(30)],
            "last_name": ["Ito"] * 30,
            "city": ["Nice"] * 30,
        }
    )
    index.add(more)
    after = index.similar(query, min_probability=0.0, limit=50)
    sorin = int(frame.index[-1] + 1)
    weight_before = before.loc[before["id"] == sorin, "match_weight"].iloc[0]
    weight_after = after.loc[after["id"] == sorin, "match_weight"].iloc[0]
    assert weight_after < weight_before
    assert "shared by 43 records" in after.loc[after["id"] == sorin, "explanation"].iloc[0]


def test_check_agrees_with_find_duplicates_against_existing() -> None:
    frame = _people()
    old, new = frame.iloc[:-1], frame.iloc[-1:]
    report = find_duplicates(new, old, min_probability=0.0)
    checked = DedupeIndex.build(old, model=report.model).check(new, min_probability=0.0)
    a, b = int(frame["id"].iloc[-2]), int(frame["id"].iloc[-1])
    assert _pair(checked, a, b)["match_weight"] == pytest.approx(
        _pair(report, a, b)["match_weight"]
    )


def _prolific_inventor() -> pd.DataFrame:
    """400 different people, and one person with 60 records at one company and city."""
    rows = [
        (f"{_FIRST[i % 10]}{i}", f"Surname{i:03d}x", f"Company {i % 40}", f"Town{i % 7}")
        for i in range(400)
    ]
    rows += [("Kiyoshi", "Kato", "Semiconductor Energy Laboratory", "Kanagawa")] * 60
    frame = pd.DataFrame(rows, columns=["first_name", "last_name", "company", "city"])
    frame.insert(0, "id", range(1, len(frame) + 1))
    return frame


def test_one_persons_many_records_do_not_make_their_values_common() -> None:
    # Frequencies count the different names holding a value: 60 records of one person
    # are one holder of "Kato", of the company and of the city, not 60.
    frame = _prolific_inventor()
    report = find_duplicates(frame, min_probability=0.0)
    pair = _pair(report, 401, 402)
    assert "common" not in pair["explanation"]
    assert report.explain(401, 402)["term_frequency"].fillna(0).eq(0).all()
    assert len(report.clusters) == 1 and len(report.clusters[0]) == 60


def test_colleagues_still_make_a_company_common() -> None:
    # Different names at one company are different holders: the company stays common.
    rows = [(f"{_FIRST[i % 10]}{i}", f"Surname{i:03d}x", "Acme", "Lyon") for i in range(40)]
    rows += [(f"{_FIRST[i % 10]}{i}", f"Other{i:03d}x", f"Firm {i}", "Paris") for i in range(400)]
    rows += [("Sorin", "Panescu", "Acme", "Lyon")] * 2
    frame = pd.DataFrame(rows, columns=["first_name", "last_name", "company", "city"])
    frame.insert(0, "id", range(1, len(frame) + 1))
    report = find_duplicates(frame, min_probability=0.0)
    n = len(frame)
    assert "common company, shared by 41 records" in _pair(report, n - 1, n)["explanation"]
