"""The crmkit engine (crmkit._dedupe._engine): generated CRM data, new records against
existing ones, reviewed pairs, extra fields, small and huge blocks, pandas and polars,
the given DuckDB connection."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import pytest
from dedupe_samples import MakeFrame, cluster_pairs, sample, true_pairs

from crmkit._dedupe import Comparison, DedupeIndex, DuplicateReport, find_duplicates
from crmkit._exceptions import ValidationError
from crmkit.samples import generate


def test_exclude_pairs_are_not_proposed_again(make_frame: MakeFrame) -> None:
    frame = make_frame(
        {
            "id": [1, 2, 3],
            "first_name": ["Jean", "Jean", "Jean"],
            "last_name": ["Martin", "Martin", "Martin"],
            "email": ["jean.martin@x.fr", "jean.martin@x.fr", "jean.martin@x.fr"],
        }
    )
    assert find_duplicates(frame).clusters == [[1, 2, 3]]
    report = find_duplicates(frame, exclude_pairs={(3, 1)})
    listed = {tuple(sorted(p)) for p in zip(report.pairs.id_a, report.pairs.id_b, strict=True)}
    assert (1, 3) not in listed and (1, 2) in listed
    assert not any(1 in c and 3 in c for c in report.clusters)
    assert report.stats["excluded_pairs"] == 1
    with pytest.raises(ValidationError, match="pairs"):
        find_duplicates(frame, exclude_pairs=[1, 2])


def test_generated_contacts_are_found() -> None:
    frame = sample(1500)
    report = find_duplicates(frame)
    truth, found = true_pairs(frame), cluster_pairs(report.clusters)
    precision = len(truth & found) / len(found)
    recall = len(truth & found) / len(truth)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_generated_accounts_are_found() -> None:
    data = generate(1500, 0, seed=3, messiness=0.3, duplicates=0.15)
    frame = data.accounts.rename(columns={"source_id": "id"})
    report = find_duplicates(frame, kind="accounts")
    truth, found = true_pairs(frame), cluster_pairs(report.clusters)
    assert len(truth & found) / len(found) >= 0.9
    assert len(truth & found) / len(truth) >= 0.9
    assert "domain" in report.pairs.columns and "siren" in report.pairs.columns


def test_new_against_existing_gives_the_full_run_pairs_involving_new_records() -> None:
    frame = sample(1200, seed=11)
    existing, new = frame.iloc[:1000], frame.iloc[1000:]
    full = find_duplicates(frame, min_probability=0.0)
    incremental = find_duplicates(new, existing, model=full.model, min_probability=0.0)
    new_ids = set(new["id"])

    def scored(report: DuplicateReport) -> dict[tuple[Any, Any], float]:
        pairs = report.pairs
        return {
            (a, b): round(p, 9)
            for a, b, p in zip(pairs.id_a, pairs.id_b, pairs.probability, strict=True)
            if a in new_ids or b in new_ids
        }

    expected = scored(full)
    assert expected and scored(incremental) == expected
    assert incremental.stats["new_records"] == len(new)
    assert incremental.stats["candidate_pairs"] < full.stats["candidate_pairs"]
    with pytest.raises(ValidationError, match="both"):
        find_duplicates(frame, existing)


def test_extra_fields_febrl_like() -> None:
    """Extra generic columns (a social security number) through ``fields=``."""
    frame = pd.DataFrame(
        {
            "id": ["rec-1-org", "rec-1-dup-0", "rec-2-org", "rec-2-dup-0", "rec-3-org"],
            "first_name": ["mitchell", "mitchel", "harley", None, "madeline"],
            "last_name": ["green", "green", "mccarthy", "mccarthy", "mason"],
            "street": [
                "7 wallaby place",
                "7 wallaby pl",
                "177 pridham street",
                "177 pridhamstreet",
                "54 hoseason street",
            ],
            "city": ["cleveland", "clevelnd", "marsden", "marsden", "granville"],
            "postal_code": ["2119", "2119", "3165", "3165", "4881"],
            "birthday": ["19560409", "19560409", "19080419", "19080491", "19081128"],
            "soc_sec_id": ["1804974", "1804974", "6089216", "6089261", "2185997"],
        }
    )
    fields = [
        "first_name",
        "last_name",
        Comparison("street", "text"),
        "city",
        "postal_code",
        "birthday",
        Comparison("soc_sec_id", "code"),
    ]
    report = find_duplicates(frame, fields=fields)
    assert sorted(map(sorted, report.clusters)) == [
        ["rec-1-dup-0", "rec-1-org"],
        ["rec-2-dup-0", "rec-2-org"],
    ]
    assert (
        report.explain("rec-2-org", "rec-2-dup-0").set_index("field").loc["soc_sec_id", "level"]
        == "close"
    )
    assert report.stats["blocking_rule_hits"]["soc_sec_id"] == 1
    with pytest.raises(ValidationError, match="none of its columns"):
        find_duplicates(frame, fields=["first_name", "nickname"])


def test_empty_one_record_and_all_null(make_frame: MakeFrame) -> None:
    empty = make_frame({"id": [], "first_name": [], "last_name": []})
    report = find_duplicates(empty)
    assert report.pairs.empty and report.clusters == [] and report.stats["records"] == 0
    one = make_frame({"id": [1], "first_name": ["Ann"], "last_name": ["Lee"]})
    assert find_duplicates(one).clusters == []
    nulls = make_frame(
        {"id": [1, 2, 3], "first_name": [None] * 3, "last_name": [None] * 3, "email": [None] * 3}
    )
    report = find_duplicates(nulls)
    assert report.pairs.empty and report.clusters == []
    assert DedupeIndex.build(one).similar({"first_name": "Ann", "last_name": "Lee"})[
        "id"
    ].tolist() == [1]


def test_a_thousand_identical_records_make_one_cluster_without_a_million_pairs() -> None:
    n = 1000
    frame = pd.DataFrame(
        {
            "id": range(n),
            "first_name": ["Jean"] * n,
            "last_name": ["Dupont"] * n,
            "email": ["jean.dupont@aprool.fr"] * n,
            "phone": ["06 12 34 56 78"] * n,
            "company": ["Aprool"] * n,
        }
    )
    report = find_duplicates(frame)
    assert [len(c) for c in report.clusters] == [n]
    # Each big block is a sorted neighbourhood: a few pairs per record, not n²/2.
    assert report.stats["candidate_pairs"] < 20 * n


def test_pandas_and_polars_give_the_same_report() -> None:
    pandas_frame = sample(600, seed=21)
    polars_frame = sample(600, seed=21, backend="polars")
    left, right = find_duplicates(pandas_frame), find_duplicates(polars_frame)
    assert left.clusters == right.clusters
    pd.testing.assert_frame_equal(left.pairs, right.pairs)


def test_uses_the_given_duckdb_connection_and_leaves_it_clean() -> None:
    connection = duckdb.connect()
    connection.execute("CREATE TABLE kept AS SELECT 1 AS x")
    frame = sample(300, seed=2)
    report = find_duplicates(frame, connection=connection)
    assert report.clusters
    tables = connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    views = connection.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    assert tables == [("kept",)] and views == []
