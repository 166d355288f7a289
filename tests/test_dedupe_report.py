"""The report (crmkit._dedupe._report): clusters as a frame, repr, HTML, explain errors."""

from __future__ import annotations

import pytest
from dedupe_samples import MakeFrame

from crmkit._dedupe import DuplicateReport, find_duplicates
from crmkit._exceptions import RecordNotFoundError


def test_report_display_and_frames(make_frame: MakeFrame) -> None:
    frame = make_frame(
        {
            "id": [10, 11, 12, 13],
            "first_name": ["Ann", "Ann", "Bob", "Bobby"],
            "last_name": ["Lee", "Lee", "Ray", "Ray"],
            "email": ["ann.lee@x.fr", "ann.lee@x.fr", "bob.ray@y.fr", "BOB.RAY@y.fr"],
        }
    )
    report = find_duplicates(frame)
    assert isinstance(report, DuplicateReport)
    assert sorted(report.clusters) == [[10, 11], [12, 13]]
    assert report.cluster_frame()["id"].tolist() == [m for c in report.clusters for m in c]
    everyone = report.cluster_frame(singletons=True)
    assert len(everyone) == 4 and everyone["cluster_id"].nunique() == 2
    assert "2 clusters among 4 records" in repr(report)
    shown = report._repr_html_()
    assert "4 records" in shown and "bob.ray@y.fr" in shown and "<table>" in shown
    assert report.stats["candidate_pairs"] >= 2
    assert report.stats["blocking_rule_hits"]["email"] == 2
    assert set(report.pairs.columns) >= {
        "id_a",
        "id_b",
        "probability",
        "match_weight",
        "first_name",
        "email",
        "explanation",
    }
    with pytest.raises(RecordNotFoundError, match="99"):
        report.explain(10, 99)


def test_report_says_what_clustering_vetoed_and_joined() -> None:
    import pandas as pd

    stats = {"records": 5, "vetoed_links": 2, "strong_joins": 1}
    report = DuplicateReport(pd.DataFrame(), [[1, 2, 3]], 0.9, "crmkit", stats)
    assert repr(report) == (
        "DuplicateReport(0 pairs, 1 cluster among 5 records, threshold=0.9, "
        "engine='crmkit'; clustering kept 2 links >= 0.9 apart (low average across their "
        "groups) and joined 1 pair of groups on a very strong link)"
    )
    assert "joined 1 pair of groups on a very strong link" in report._repr_html_()
    quiet = DuplicateReport(pd.DataFrame(), [], 0.9, "crmkit", {"records": 5})
    assert repr(quiet).endswith("engine='crmkit')")


def test_find_duplicates_counts_clustering_in_stats(make_frame: MakeFrame) -> None:
    frame = make_frame(
        {
            "id": [1, 2, 3],
            "first_name": ["Ann", "Ann", "Bob"],
            "last_name": ["Lee", "Lee", "Ray"],
            "email": ["ann@x.fr", "ann@x.fr", "bob@y.fr"],
        }
    )
    stats = find_duplicates(frame).stats
    assert (stats["vetoed_links"], stats["strong_joins"], stats["identity"]) == (0, 0, "person")
    assert stats["job_changes"] == 0
