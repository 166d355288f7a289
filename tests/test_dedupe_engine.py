"""The duplicate-finding engine: normalised matching, explanations, clustering, incremental
checks, the in-memory index, bad inputs, pandas and polars, and the optional Splink engine."""

from __future__ import annotations

import builtins
import itertools
import sys
from collections.abc import Callable
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit._dedupe._cluster import cluster
from crmkit._dedupe._engine import DedupeIndex, DuplicateReport, find_duplicates
from crmkit._dedupe._features import (
    Comparison,
    compare,
    nickname_groups,
    person_key,
    prepare,
    resolve_comparisons,
    soundex,
)
from crmkit._exceptions import (
    MissingDependencyError,
    RecordNotFoundError,
    UnknownValueError,
    ValidationError,
)
from crmkit.samples import generate

MakeFrame = Callable[[dict[str, list[Any]]], Any]


def _pair_levels(make_frame: MakeFrame, a: dict[str, Any], b: dict[str, Any]) -> pd.DataFrame:
    """find_duplicates on two records, and the explanation of the pair."""
    columns = sorted(set(a) | set(b))
    frame = make_frame({"id": [1, 2], **{c: [a.get(c), b.get(c)] for c in columns}})
    return find_duplicates(frame).explain(1, 2).set_index("field")


def _level(explained: pd.DataFrame, field: str) -> str:
    return str(explained.loc[field, "level"])


# --------------------------------------------------------------------------------------
# Normalised matching
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value_a", "value_b", "level"),
    [
        ("last_name", "Hélène", "HELENE", "exact"),  # accents and case
        ("first_name", "Bill", "William", "nickname"),
        ("first_name", "Bob", "Robert", "nickname"),
        ("first_name", "JB", "Jean-Baptiste", "nickname"),
        ("first_name", "Liz", "Elizabeth", "nickname"),
        ("first_name", "Bill", "Robert", "different"),
        ("email", "Helene.Blou+crm@Aprool.com", "helene.blou@aprool.com", "exact"),
        ("email", "john.smith@gmail.com", "JohnSmith@googlemail.com", "exact"),
        ("phone", "06 12 34 56 78", "+33 (0)6 12 34 56 78", "exact"),
        ("phone", "0033 6 12 34 56 78", "06.12.34.56.78", "exact"),
        ("phone", "06 12 34 56 78", "06 12 34 56 79", "close"),
        ("company", "Aprool SAS", "APROOL", "exact"),
        ("company", "S.A.S. Aprool", "Aprool S.A.S", "exact"),
        ("company", "Conseil Dupont SARL", "Dupont Conseil", "exact"),  # word order
        ("company", "北京华信科技有限公司", "北京华信科技", "exact"),
        ("company", "Huaxin Technology", "北京华信科技", "partial"),  # the brand in pinyin
        ("company", "Tengda Technology", "北京华信科技", "different"),
    ],
)
def test_normalised_values_agree(
    make_frame: MakeFrame, field: str, value_a: str, value_b: str, level: str
) -> None:
    explained = _pair_levels(make_frame, {field: value_a}, {field: value_b})
    assert _level(explained, field) == level


def test_chinese_name_matches_its_pinyin(make_frame: MakeFrame) -> None:
    explained = _pair_levels(
        make_frame,
        {"first_name": "伟", "last_name": "张"},
        {"first_name": "Wei", "last_name": "Zhang"},
    )
    assert _level(explained, "first_name") == "exact"
    assert _level(explained, "last_name") == "exact"
    # Written as one full name in the last-name cell, without a space.
    joined = _pair_levels(
        make_frame, {"last_name": "张伟"}, {"first_name": "Wei", "last_name": "Zhang"}
    )
    assert _level(joined, "last_name") == "exact"


def test_chinese_names_one_character_apart_differ(make_frame: MakeFrame) -> None:
    # In pinyin xiaohong and xiaolong look close; in characters they are two names.
    explained = _pair_levels(
        make_frame,
        {"first_name": "晓红", "last_name": "于"},
        {"first_name": "小龙", "last_name": "于"},
    )
    assert _level(explained, "first_name") == "different"
    latin = _pair_levels(
        make_frame,
        {"first_name": "Xiaohong", "last_name": "Yu"},
        {"first_name": "Xiaohon", "last_name": "Yu"},
    )
    assert _level(latin, "first_name") == "close"


def test_swapped_names(make_frame: MakeFrame) -> None:
    frame = make_frame(
        {
            "id": [1, 2, 3],
            "first_name": ["Dupont", "Jean", "Marc"],
            "last_name": ["Jean", "Dupont", "Petit"],
            "email": ["jean.dupont@aprool.com", "Jean.Dupont@aprool.com", None],
        }
    )
    report = find_duplicates(frame)
    assert report.clusters == [[1, 2]]
    row = report.pairs.iloc[0]
    assert bool(row["names_swapped"])
    assert row["first_name"] == "exact" and row["last_name"] == "exact"
    assert "(swapped)" in row["explanation"]


def test_nicknames_are_symmetric_and_shared_short_forms_work() -> None:
    groups = nickname_groups()
    assert groups["pat"] & groups["patrick"] and groups["pat"] & groups["patricia"]
    assert not groups["patrick"] & groups["patricia"]
    assert not groups["bill"] & groups["bob"]


# --------------------------------------------------------------------------------------
# Explanations and the report
# --------------------------------------------------------------------------------------


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
    report = find_duplicates(frame, min_probability=0.0)
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


# --------------------------------------------------------------------------------------
# Clustering
# --------------------------------------------------------------------------------------


def test_one_weak_link_does_not_chain() -> None:
    a, b = np.asarray([0, 1]), np.asarray([1, 2])
    # A-B 0.99, B-C 0.55: C is no strong link away from anyone.
    assert cluster(3, a, b, np.asarray([0.99, 0.55]), threshold=0.9) == [[0, 1]]
    # A-B 0.99, B-C 0.95, A-C 0.01: C matches B but not A; on average not the group.
    a, b = np.asarray([0, 1, 0]), np.asarray([1, 2, 2])
    assert cluster(3, a, b, np.asarray([0.99, 0.95, 0.01]), threshold=0.9) == [[0, 1]]
    # Without A-C among the scored pairs, it is scored on demand.
    assert cluster(
        3,
        a[:2],
        b[:2],
        np.asarray([0.99, 0.95]),
        threshold=0.9,
        score_missing=lambda x, y: np.full(len(x), 0.02),
    ) == [[0, 1]]
    # When A-C is fine, all three are one entity.
    assert cluster(3, a, b, np.asarray([0.99, 0.95, 0.9]), threshold=0.9) == [[0, 1, 2]]


@pytest.mark.parametrize("with_scorer", [True, False])
def test_a_long_chain_of_borderline_links_is_not_one_cluster(with_scorer: bool) -> None:
    n = 1000
    a = np.arange(n - 1, dtype=np.int64)
    b = a + 1

    def score(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        gap = np.abs(x - y)
        return np.where(gap == 1, 0.91, np.where(gap == 2, 0.3, 0.0))

    groups = cluster(
        n, a, b, np.full(n - 1, 0.91), threshold=0.9, score_missing=score if with_scorer else None
    )
    assert max(len(g) for g in groups) <= 3
    assert not any(0 in g and n - 1 in g for g in groups)
    assert all(max(g) - min(g) <= 2 for g in groups)


def test_forbidden_pairs_never_share_a_cluster() -> None:
    a, b = np.asarray([0, 1, 0]), np.asarray([1, 2, 2])
    groups = cluster(3, a, b, np.asarray([0.99, 0.98, 0.97]), threshold=0.9, forbidden=[(2, 0)])
    assert groups == [[0, 1]]


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


# --------------------------------------------------------------------------------------
# Generated CRM data, incremental checks, the index
# --------------------------------------------------------------------------------------


def _sample(n: int, seed: int = 7, backend: str = "pandas") -> Any:
    data = generate(max(n // 10, 5), n, seed=seed, messiness=0.3, duplicates=0.15, backend=backend)  # type: ignore[arg-type]
    return (
        data.contacts.rename({"source_id": "id"})
        if backend == "polars"
        else (data.contacts.rename(columns={"source_id": "id"}))
    )


def _true_pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for ids in frame.groupby("entity_id")["id"].apply(list):
        out.update(itertools.combinations(sorted(ids), 2))
    return out


def _cluster_pairs(clusters: list[list[Any]]) -> set[tuple[Any, Any]]:
    return {p for c in clusters for p in itertools.combinations(sorted(c), 2)}


def test_generated_contacts_are_found() -> None:
    frame = _sample(1500)
    report = find_duplicates(frame)
    truth, found = _true_pairs(frame), _cluster_pairs(report.clusters)
    precision = len(truth & found) / len(found)
    recall = len(truth & found) / len(truth)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_generated_accounts_are_found() -> None:
    data = generate(1500, 0, seed=3, messiness=0.3, duplicates=0.15)
    frame = data.accounts.rename(columns={"source_id": "id"})
    report = find_duplicates(frame, kind="accounts")
    truth, found = _true_pairs(frame), _cluster_pairs(report.clusters)
    assert len(truth & found) / len(found) >= 0.9
    assert len(truth & found) / len(truth) >= 0.9
    assert "domain" in report.pairs.columns and "siren" in report.pairs.columns


def test_new_against_existing_gives_the_full_run_pairs_involving_new_records() -> None:
    frame = _sample(1200, seed=11)
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


def test_index_similar_finds_the_typed_duplicate() -> None:
    frame = _sample(2000, seed=5)
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
    frame = _sample(1200, seed=13)
    existing, new = frame.iloc[:1000], frame.iloc[1000:]
    index = DedupeIndex.build(existing)
    checked = index.check(new)
    direct = find_duplicates(new, existing, model=index.model)
    assert _cluster_pairs(checked.clusters) == _cluster_pairs(direct.clusters)
    assert checked.stats["new_records"] == len(new)


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


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------


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


def test_bad_arguments(make_frame: MakeFrame) -> None:
    frame = make_frame({"id": [1, 1], "first_name": ["a", "b"], "last_name": ["c", "d"]})
    with pytest.raises(ValidationError, match="more than once"):
        find_duplicates(frame)
    no_id = make_frame({"first_name": ["a"], "last_name": ["c"]})
    with pytest.raises(ValidationError, match="'id'"):
        find_duplicates(no_id)
    good = make_frame({"id": [1, 2], "first_name": ["a", "b"], "last_name": ["c", "d"]})
    with pytest.raises(ValidationError, match="threshold"):
        find_duplicates(good, threshold=1.5)
    with pytest.raises(UnknownValueError, match="splink"):
        find_duplicates(good, engine="splnk")  # type: ignore[arg-type]
    with pytest.raises(UnknownValueError):
        find_duplicates(good, kind="leads")
    with pytest.raises(UnknownValueError, match="method"):
        Comparison("x", "fuzzy")  # type: ignore[arg-type]


def test_pandas_and_polars_give_the_same_report() -> None:
    pandas_frame = _sample(600, seed=21)
    polars_frame = _sample(600, seed=21, backend="polars")
    left, right = find_duplicates(pandas_frame), find_duplicates(polars_frame)
    assert left.clusters == right.clusters
    pd.testing.assert_frame_equal(left.pairs, right.pairs)


def test_uses_the_given_duckdb_connection_and_leaves_it_clean() -> None:
    connection = duckdb.connect()
    connection.execute("CREATE TABLE kept AS SELECT 1 AS x")
    frame = _sample(300, seed=2)
    report = find_duplicates(frame, connection=connection)
    assert report.clusters
    tables = connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    views = connection.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    assert tables == [("kept",)] and views == []


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

_NAMES = st.sampled_from(
    [
        "Jean",
        "Jéan",
        "JEAN",
        "Bill",
        "William",
        "Dupont",
        "Dupond",
        "张",
        "伟",
        "Zhang",
        "Wei",
        "Marie-Claire",
        "O'Brien",
        "",
        None,
    ]
)


@settings(max_examples=examples(40), deadline=None)
@given(st.lists(st.tuples(_NAMES, _NAMES), min_size=2, max_size=6))
def test_comparing_is_symmetric(names: list[tuple[str | None, str | None]]) -> None:
    frame = pd.DataFrame(
        {"first_name": [f for f, _ in names], "last_name": [s for _, s in names]},
        dtype=object,
    )
    table = prepare(
        frame, resolve_comparisons("contacts", None, frame.columns), ids=list(range(len(names)))
    )
    pairs = np.asarray(list(itertools.combinations(range(len(names)), 2)))
    forward = compare(table, pairs[:, 0], table, pairs[:, 1])
    backward = compare(table, pairs[:, 1], table, pairs[:, 0])
    assert forward.levels.tolist() == backward.levels.tolist()
    assert forward.swapped.tolist() == backward.swapped.tolist()


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèÀÇ -'", max_size=20))
def test_person_key_ignores_case_and_accents(text: str) -> None:
    key = person_key(text)
    assert key == person_key(text.upper()) == person_key(key)
    assert key.isascii()
    assert soundex(key.replace(" ", "")) == soundex(person_key(text.lower()).replace(" ", ""))


# --------------------------------------------------------------------------------------
# Splink
# --------------------------------------------------------------------------------------


def test_splink_engine_on_a_small_table() -> None:
    pytest.importorskip("splink", reason="splink is not installed (pip install crmkit[splink])")
    connection = duckdb.connect()
    frame = _sample(400, seed=4)
    report = find_duplicates(frame, engine="splink", connection=connection)
    assert report.engine == "splink" and report.clusters
    truth, found = _true_pairs(frame), _cluster_pairs(report.clusters)
    assert len(truth & found) >= 0.5 * len(truth)
    assert {"id_a", "id_b", "probability", "explanation"} <= set(report.pairs.columns)
    # Splink's tables were dropped and the connection's schema put back.
    assert connection.execute("SELECT current_schema()").fetchall() == [("main",)]
    assert connection.execute("SELECT count(*) FROM duckdb_tables()").fetchall() == [(0,)]


def test_splink_engine_names_the_extra_when_splink_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = builtins.__import__

    def blocked(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "splink" or name.startswith("splink."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    for module in [m for m in sys.modules if m == "splink" or m.startswith("splink.")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "splink", None)
    monkeypatch.setattr(builtins, "__import__", blocked)
    frame = pd.DataFrame({"id": [1, 2], "first_name": ["a", "a"], "last_name": ["b", "b"]})
    with pytest.raises(MissingDependencyError, match=r"pip install crmkit\[splink\]"):
        find_duplicates(frame, engine="splink")
    # The crmkit engine does not need it.
    assert find_duplicates(frame).clusters == [[1, 2]]
