"""Duplicates in a CRM: find on labelled data, explain, review, warn, import.

(Merges: tests/test_merge.py.)
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pandas as pd
import pytest

import crmkit as ck
from crmkit.samples import generate


@pytest.fixture
def labelled() -> tuple[ck.CRM, dict[int, int]]:
    """A CRM with generated contacts holding injected duplicates; id -> entity id."""
    data = generate(n_accounts=60, n_contacts=400, seed=21, messiness=0.2, duplicates=0.15)
    crm = ck.open(user="Dedupe")
    for owner in data.owners.to_dict("records"):
        crm.owners.add(owner["name"], email=owner["email"], team=owner["team"])
    frame = data.contacts.rename(columns={"entity_id": "Entity"})
    report = crm.import_frame(
        frame, "contacts", create_accounts=True, progress=False, mode="create", match_on=["uid"]
    )
    ids = report.inserted_ids
    df = crm.contacts.df().set_index("id")
    entities = {int(i): int(json.loads(df.loc[i, "custom"])["Entity"]) for i in ids}
    yield crm, entities
    crm.close()


def _pairs(clusters: list[list[int]]) -> set[tuple[int, int]]:
    return {tuple(sorted(p)) for c in clusters for p in itertools.combinations(c, 2)}


def test_find_on_labelled_data(labelled: tuple[ck.CRM, dict[int, int]]) -> None:
    crm, entity = labelled
    report = crm.contacts.find_duplicates()
    found = _pairs(report.clusters)
    by_entity: dict[int, list[int]] = {}
    for record_id, e in entity.items():
        by_entity.setdefault(e, []).append(record_id)
    truth = _pairs([c for c in by_entity.values() if len(c) > 1])
    assert truth, "the generator injected duplicates"
    precision = len(found & truth) / len(found)
    recall = len(found & truth) / len(truth)
    assert precision >= 0.9 and recall >= 0.7, (precision, recall)
    assert "explanation" in report.pairs.columns
    a, b = report.pairs.iloc[0][["id_a", "id_b"]]
    explained = report.explain(int(a), int(b))
    assert {"field", "weight"} <= set(explained.columns)
    assert "crmkit-" in report._repr_html_() or "<table" in report._repr_html_()


def test_filters_and_new_records_against_all(labelled: tuple[ck.CRM, dict[int, int]]) -> None:
    crm, _ = labelled
    owner = crm.owners.list().query("kind == 'user'")["name"].iloc[0]
    scoped = crm.contacts.find_duplicates(owner=owner)
    mine = set(crm.contacts.filter(owner=owner).ids)
    assert all(int(i) in mine for c in scoped.clusters for i in c)
    before = crm.contacts.df().iloc[0]
    frame = pd.DataFrame(
        {
            "Prénom": [before["first_name"]],
            "Nom": [before["last_name"]],
            "E-mail": [before["email"]],
        }
    )
    report = crm.import_frame(frame, "contacts", progress=False, mode="create", match_on=["uid"])
    new = crm.contacts.find_duplicates(new=report.batch_id)
    assert any(int(before["id"]) in c for c in new.clusters)
    assert all(any(i in report.inserted_ids for i in c) for c in new.clusters)


def test_review_decisions_are_remembered(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="Martin", first_name="Jean", email="jean.martin@x.fr")
    b = crm.contacts.add(last_name="Martin", first_name="Jean", email="jean.martin@x.fr")
    assert crm.contacts.find_duplicates().clusters == [[a, b]]
    crm.contacts.mark_different(b, a)
    assert crm.contacts.find_duplicates().clusters == []
    decisions = crm.contacts.duplicate_decisions()
    assert decisions[["id_a", "id_b", "decision"]].values.tolist() == [[a, b, "different"]]
    with pytest.raises(ck.ValidationError):
        crm.contacts.mark_same(a, a)


def test_similar_while_typing(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="APROOL")
    target = crm.contacts.add(
        last_name="Blou", first_name="Hélène", account_id=acc, email="helene.blou@aprool.com"
    )
    crm.contacts.add(last_name="Roy", first_name="Jean", email="jean@roy.fr")
    found = crm.contacts.similar(last_name="Blou", first_name="Helene")
    assert list(found["id"])[:1] == [target]
    assert {"probability", "explanation", "display_name"} <= set(found.columns)
    assert crm.contacts.similar(last_name="Zzyzx").empty
    newer = crm.contacts.add(last_name="Nadal", first_name="Léa", email="lea@nadal.fr")
    assert list(crm.contacts.similar(email="LEA@nadal.fr")["id"]) == [newer]  # index updated
    crm.contacts.delete(newer)
    assert crm.contacts.similar(email="lea@nadal.fr").empty


@pytest.mark.parametrize("action", ["flag", "skip", "merge"])
def test_import_on_duplicate(crm: ck.CRM, action: str) -> None:
    existing = crm.contacts.add(
        last_name="Blou",
        first_name="Hélène",
        email="helene.blou@aprool.com",
        mobile="06 25 34 12 57",
    )
    frame = pd.DataFrame(
        {
            "Nom": ["BLOU", "Roy"],
            "Prénom": ["Helene", "Jean"],
            "Portable": ["+33 6 25 34 12 57", "06 11 22 33 44"],
            "Fonction": ["CTO", "DSI"],
        }
    )
    report = crm.import_frame(frame, "contacts", progress=False, on_duplicate=action)
    assert list(report.likely_duplicates["existing_id"]) == [existing]
    if action == "flag":
        assert report.inserted == 2 and "likely duplicate" in " ".join(report.warnings["message"])
    elif action == "skip":
        assert report.inserted == 1 and report.n_rejected == 1
        assert "skipped: likely duplicate" in report.rejected["__reasons__"].item()
    else:
        assert (report.inserted, report.updated) == (1, 1)
        assert crm.contacts.get(existing).job_title == "CTO"
    with pytest.raises(ck.UnknownValueError):
        crm.import_frame(frame, "contacts", progress=False, on_duplicate="ignore")


def test_bad_inputs(crm: ck.CRM) -> None:
    assert crm.contacts.find_duplicates().clusters == []  # empty table
    crm.contacts.add(last_name="Seul")
    assert crm.contacts.find_duplicates().clusters == []  # one record
    for _ in range(3):
        crm.contacts.add(last_name="X")  # all other fields null
    crm.contacts.find_duplicates()  # must not fail


def test_a_cluster_of_a_thousand(crm: ck.CRM) -> None:
    frame = pd.DataFrame(
        {"Nom": ["Dupont"] * 1000, "Prénom": ["Jean"] * 1000, "E-mail": ["jean.dupont@x.fr"] * 1000}
    )
    crm.import_frame(frame, "contacts", progress=False, mode="create", match_on=["uid"])
    report = crm.contacts.find_duplicates()
    assert len(report.clusters) == 1 and len(report.clusters[0]) == 1000
    merged = crm.contacts.merge_all(report, min_probability=0.5)
    assert merged.merged_count == 999 and len(crm.contacts) == 1
    crm.undo(merged.batch_id)
    assert len(crm.contacts) == 1000


def test_splink_engine_on_the_store_connection(
    labelled: tuple[ck.CRM, dict[int, int]],
) -> None:
    pytest.importorskip("splink", reason="the splink extra is not installed")
    crm, entity = labelled
    before = crm.counts()
    report = crm.contacts.find_duplicates(engine="splink")
    assert report.engine == "splink" and report.clusters
    by_entity: dict[int, list[int]] = {}
    for record_id, e in entity.items():
        by_entity.setdefault(e, []).append(record_id)
    truth = _pairs([c for c in by_entity.values() if len(c) > 1])
    assert len(_pairs(report.clusters) & truth) >= 0.5 * len(truth)
    assert crm.counts() == before  # Splink's own tables are gone from the store
    assert len(crm.contacts.filter(active=True)) > 0


def test_decisions_stored_in_a_file_teach_the_next_search(tmp_path: Path) -> None:
    """mark_same / mark_different are kept in the database; the next find_duplicates
    learns from them (learn=True by default) and its accuracy() is estimated from them."""
    path = tmp_path / "crm.duckdb"
    with ck.open(path, user="Nicole Bertrand") as crm:
        helene = crm.contacts.add(first_name="Hélène", last_name="Blou", email="hb@aprool.com")
        helene2 = crm.contacts.add(first_name="Helene", last_name="BLOU", email="hb@aprool.com")
        marc = crm.contacts.add(first_name="Marc", last_name="Durand", phone="01 23 45 67 89")
        marc2 = crm.contacts.add(first_name="Marc", last_name="Durant", phone="01 23 45 67 89")
        crm.contacts.add(first_name="Li", last_name="Wei", email="li.wei@example.cn")
        before = crm.contacts.find_duplicates()
        assert "labels" not in before.stats and before.accuracy().method == "model"
        crm.contacts.mark_same(helene, helene2)
        crm.contacts.mark_different(marc, marc2)
    with ck.open(path, read_only=True) as crm:
        report = crm.contacts.find_duplicates()
        assert report.stats["labels"] == {"same": 1, "different": 1}
        assert report.model is not None and report.model.info["labels_different"] == 1
        assert {marc, marc2} not in [set(c) for c in report.clusters]
        accuracy = report.accuracy()
        assert (accuracy.method, accuracy.reviewed_same, accuracy.reviewed_different) == (
            "reviews",
            1,
            1,
        )
        assert report.threshold == 0.9  # two decisions: too few to re-choose it
        plain = crm.contacts.find_duplicates(learn=False)
        assert "labels" not in plain.stats and plain.accuracy().method == "model"
        assert {marc, marc2} not in [set(c) for c in plain.clusters]  # still excluded


def test_find_duplicates_identity_person_through_the_crm() -> None:
    with ck.open(user="Dedupe") as crm:
        crm.accounts.add(name="Aprool")
        crm.accounts.add(name="Bexa")
        for first, email, company, city in (
            ("Hélène", "helene.panescu@aprool.com", "Aprool", "Paris"),
            ("Helene", "hpanescu@bexa.fr", "Bexa", "Lyon"),
        ):
            crm.contacts.add(
                first_name=first,
                last_name="Panescu",
                email=email,
                company=company,
                city=city,
                birthday="1980-03-04",
            )
        crm.contacts.add(first_name="Jean", last_name="Roy", email="j@roy.fr")
        person = crm.contacts.find_duplicates(identity="person")
        assert person.stats["identity"] == "person"
        changes = person.job_changes
        assert len(changes) == 1
        # Hélène at Bexa was added (and updated) after Hélène at Aprool.
        assert (changes["company_old"].iloc[0], changes["company_new"].iloc[0]) == (
            "Aprool",
            "Bexa",
        )
        assert bool(changes["dated"].iloc[0])
        assert "job change: Aprool → Bexa" in person.pairs["explanation"].iloc[0]
        assert bool(person.pairs["job_change"].iloc[0])
        assert crm.contacts.find_duplicates(identity="role").job_changes.empty


def test_decide_on_the_facade_stores_and_checks_the_decision(tmp_path: Path) -> None:
    with ck.open(tmp_path / "crm.duckdb") as crm:
        a = crm.contacts.add(last_name="Blou", first_name="Hélène")
        b = crm.contacts.add(last_name="Blou", first_name="Helene")
        with pytest.raises(ck.ValidationError, match="'same' or 'different', got 'maybe'"):
            crm.contacts.decide(a, b, "maybe")
        batch = crm.contacts.decide(b, a, "same")
        assert crm.contacts.duplicate_decisions()[["id_a", "id_b", "decision"]].values.tolist() == [
            [a, b, "same"]
        ]
        crm.undo(batch)
        assert crm.contacts.duplicate_decisions().empty


def test_find_duplicates_without_term_frequencies_through_the_crm() -> None:
    # tf_adjust (until now only on ck.find_duplicates(frame)) reaches the search: a pair
    # sharing a surname five others have is explained as "common" only with it.
    with ck.open(user="Dedupe") as crm:
        crm.contacts.add_many(
            [{"first_name": f"Anna{i}", "last_name": f"Surname{i:03d}x"} for i in range(60)]
            + [{"first_name": f"Marc{i}", "last_name": "Ito"} for i in range(5)]
            + [{"first_name": "Sorin", "last_name": "Ito", "city": "Lyon"}] * 2
        )
        adjusted = crm.contacts.find_duplicates(learn=False)
        flat = crm.contacts.find_duplicates(learn=False, tf_adjust=False)
    assert "common last_name" in " ".join(adjusted.pairs["explanation"])
    assert "common" not in " ".join(flat.pairs["explanation"])
    assert len(flat.pairs) and flat.clusters == adjusted.clusters


def test_a_stores_search_holds_no_records_and_reads_back_those_it_explains(
    labelled: tuple[ck.CRM, dict[int, int]],
) -> None:
    crm, _ = labelled
    report = crm.contacts.find_duplicates(learn=False)
    # The records read for the search are let go once prepared (0.5 GB at 1.1M
    # contacts): the report's source holds no frame.
    assert report._run is not None and report._run.source.frames == []
    # The same search on the same records held in a frame: the same report.
    held = ck.find_duplicates(crm.contacts._duplicates.frame())
    pd.testing.assert_frame_equal(report.pairs, held.pairs)
    assert report.clusters == held.clusters
    assert report.job_changes.equals(held.job_changes)
    a, b = (int(v) for v in report.pairs.iloc[0][["id_a", "id_b"]])
    pd.testing.assert_frame_equal(report.explain(a, b), held.explain(a, b))


def test_a_report_explains_from_the_database_until_it_is_closed(tmp_path: Path) -> None:
    crm = ck.open(tmp_path / "x.duckdb", user="Dedupe")
    crm.contacts.add(first_name="Ann", last_name="Lee", email="ann@x.fr")
    crm.contacts.add(first_name="Ann", last_name="LEE", email="ann@x.fr")
    report = crm.contacts.find_duplicates()
    a, b = (int(v) for v in report.pairs.iloc[0][["id_a", "id_b"]])
    explained = report.explain(a, b)
    assert explained.set_index("field").loc["last_name", "value_b"] in ("LEE", "Lee")
    crm.close()
    with pytest.raises(ck.ValidationError, match="read back from the database"):
        report.explain(a, b)


def test_the_records_read_for_a_search_are_let_go_before_blocking(tmp_path: Path) -> None:
    import gc

    with ck.open(tmp_path / "x.duckdb", user="Dedupe") as crm:
        for k in range(12):
            crm.contacts.add(first_name="Ann", last_name=f"Lee{k % 4}", email=f"a{k % 6}@x.fr")
        seen: list[int] = []

        def frames_of_the_records(stage: str, done: int, total: int) -> None:
            if stage == "blocking":  # told as the stage starts, the records prepared
                gc.collect()
                frames = (o for o in gc.get_objects() if isinstance(o, pd.DataFrame))
                seen.append(sum(1 for f in frames if len(f) == 12 and "email" in f.columns))

        crm.contacts.find_duplicates(progress=frames_of_the_records)
    assert seen == [0]  # the frame read (0.5 KB a record at 1.1M) is no longer held


def test_a_shared_crms_report_explains_between_operations(tmp_path: Path) -> None:
    crm = ck.open(tmp_path / "x.duckdb", shared=True, user="Dedupe")
    crm.contacts.add(first_name="Ann", last_name="Lee", email="ann@x.fr")
    crm.contacts.add(first_name="Ann", last_name="LEE", email="ann@x.fr")
    report = crm.contacts.find_duplicates()
    a, b = (int(v) for v in report.pairs.iloc[0][["id_a", "id_b"]])
    # No connection between operations: the read back takes the file as a verb does.
    explained = report.explain(a, b).set_index("field")
    assert {explained.loc["last_name", "value_a"], explained.loc["last_name", "value_b"]} == {
        "Lee",
        "LEE",
    }
    crm.close()
