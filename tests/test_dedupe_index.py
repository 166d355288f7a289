"""The in-memory index (crmkit._dedupe._index): similar records while typing, checks of
new records against the indexed ones."""

from __future__ import annotations

import pandas as pd
import pytest
from dedupe_samples import cluster_pairs, sample

from crmkit._dedupe import DedupeIndex, find_duplicates
from crmkit._exceptions import ValidationError


def test_index_similar_finds_the_typed_duplicate() -> None:
    frame = sample(2000, seed=5)
    index = DedupeIndex.build(frame)
    assert len(index) == len(frame) and "DedupeIndex(" in repr(index)
    known = frame.dropna(subset=["email", "first_name", "last_name"]).iloc[0]
    typed = {
        "first_name": known["first_name"].upper(),
        "last_name": known["last_name"],
        "email": known["email"].replace("@", "+web@"),
    }
    found = index.similar(typed)
    assert found["id"].iloc[0] == known["id"]
    assert found["probability"].iloc[0] > 0.9
    assert "email exact" in found["explanation"].iloc[0]
    assert index.similar(
        {"first_name": "Zéphyrin", "last_name": "Quaglioz", "email": "zq@nowhere.example"}
    ).empty
    assert index.similar({}).empty
    # Records added later are found too, without refitting.
    added = pd.DataFrame(
        {
            "id": ["NEW1"],
            "first_name": ["Zéphyrin"],
            "last_name": ["Quaglioz"],
            "email": ["zq@nowhere.example"],
        }
    )
    index.add(added)
    assert index.similar(
        {"first_name": "Zephyrin", "last_name": "QUAGLIOZ", "email": "ZQ@nowhere.example"}
    )["id"].tolist() == ["NEW1"]
    with pytest.raises(ValidationError, match="already"):
        index.add(added)


def test_index_check_matches_find_duplicates_against_existing() -> None:
    frame = sample(1200, seed=13)
    existing, new = frame.iloc[:1000], frame.iloc[1000:]
    index = DedupeIndex.build(existing)
    checked = index.check(new)
    direct = find_duplicates(new, existing, model=index.model)
    assert cluster_pairs(checked.clusters) == cluster_pairs(direct.clusters)
    assert checked.stats["new_records"] == len(new)
