"""Explanations (crmkit._dedupe._explain): field by field, summing to the match weight."""

from __future__ import annotations

import pytest
from dedupe_samples import MakeFrame

from crmkit._dedupe import find_duplicates


def test_explanation_sums_to_the_match_weight(make_frame: MakeFrame) -> None:
    frame = make_frame(
        {
            "id": ["a", "b", "c"],
            "first_name": ["Hélène", "Helene", "Marc"],
            "last_name": ["Blou", "BLOU", "Durand"],
            "email": ["helene.blou@aprool.com", "h.blou@aprool.com", "marc@durand.fr"],
            "phone": ["06 25 34 12 57", "+33 6 25 34 12 57", None],
            "company": ["Aprool SAS", "APROOL", "Durand SA"],
        }
    )
    report = find_duplicates(frame, min_probability=0.0, identity="role")
    pair = report.pairs[(report.pairs.id_a == "a") & (report.pairs.id_b == "b")].iloc[0]
    explained = report.explain("a", "b")
    assert explained["weight"].sum() == pytest.approx(pair["match_weight"])
    assert list(explained["field"]) == [
        "first_name",
        "last_name",
        "email",
        "phone",
        "company",
        "(prior)",
    ]
    shown = explained.set_index("field")
    assert shown.loc["phone", "value_a"] == "06 25 34 12 57"
    assert shown.loc["phone", "normalized_b"] == "+33625341257"
    assert shown.loc["email", "level"] == "different"  # h.blou is not helene.blou
    # The text names every compared field with its level and its bits.
    for field in ("first_name", "last_name", "phone", "company"):
        level = shown.loc[field, "level"]
        assert f"{field} {level}" in pair["explanation"]
    assert f"({shown.loc['phone', 'weight']:+.1f})" in pair["explanation"]
