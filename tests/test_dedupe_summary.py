"""What a report shows (crmkit._dedupe._summary): plain data, computed apart from HTML."""

from __future__ import annotations

import pandas as pd
from dedupe_samples import MakeFrame

from crmkit._dedupe import find_duplicates
from crmkit._dedupe._summary import FieldSummary, summarize


def _pairs(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id_a": list(range(n)),
            "id_b": list(range(1, n + 1)),
            "probability": [0.99] * n,
            "explanation": ["email exact (+9.0)"] * n,
        }
    )


def test_header_and_top_pairs_without_records() -> None:
    stats = {"records": 13, "candidate_pairs": 20, "matches": 12, "clustered_records": 13}
    summary = summarize(_pairs(12), [[0, 1]], 0.9, "splink", stats, None, top=10)
    assert (summary.records, summary.candidate_pairs, summary.matches) == (13, 20, 12)
    assert summary.clusters == 1 and summary.seconds == 0.0 and summary.engine == "splink"
    assert len(summary.pairs) == 10 and summary.more_pairs == 2
    assert all(pair.fields is None for pair in summary.pairs)
    assert summarize(_pairs(3), [], 0.9, "crmkit", {}, None).more_pairs == 0


def test_fields_of_a_pair_come_from_its_explanation(make_frame: MakeFrame) -> None:
    frame = make_frame(
        {
            "id": [1, 2],
            "first_name": ["Ann", "Ann"],
            "last_name": ["Lee", "Lee"],
            "email": ["ann@x.fr", None],
        }
    )
    report = find_duplicates(frame, min_probability=0.0)
    summary = summarize(
        report.pairs,
        report.clusters,
        report.threshold,
        report.engine,
        report.stats,
        report.explain,
    )
    fields = summary.pairs[0].fields
    assert fields is not None
    assert [f.field for f in fields] == ["first_name", "last_name", "email"]  # no (prior)
    assert fields[0] == FieldSummary("first_name", "Ann", "Ann", "exact", fields[0].weight)
    assert pd.isna(fields[2].value_b) and pd.isna(fields[2].level)  # shown blank
