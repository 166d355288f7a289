"""The identity policy (crmkit._dedupe._identity, ._job_changes): ``identity="person"``
links a person across jobs and labels the job change; ``"role"`` is today's scoring."""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl
import pytest
from dedupe_samples import sample

from crmkit import DedupeIndex, find_duplicates
from crmkit._exceptions import UnknownValueError, ValidationError

# Hélène Panescu left Aprool (Paris) for Bexa (Lyon): a rare surname, nothing else alike.
# The newer record comes first, so that the order of the pair is not the order in time.
_MOVES = [
    {
        "id": "jc-new",
        "first_name": "Helene",
        "last_name": "Panescu",
        "email": "h.panescu@bexa.fr",
        "phone": "+33 4 72 00 00 02",
        "company": "Bexa",
        "city": "Lyon",
        "postal_code": "69001",
        "updated_at": "2023-05-01",
    },
    {
        "id": "jc-old",
        "first_name": "Hélène",
        "last_name": "Panescu",
        "email": "helene.panescu@aprool.com",
        "phone": "+33 1 40 00 00 01",
        "company": "Aprool",
        "city": "Paris",
        "postal_code": "75001",
        "updated_at": "2019-01-01",
    },
    # Two people named Marc Oberkampf, born years apart, at two companies.
    {
        "id": "ns-1",
        "first_name": "Marc",
        "last_name": "Oberkampf",
        "email": "marc.oberkampf@aprool.com",
        "company": "Aprool",
        "city": "Paris",
        "postal_code": "75001",
        "birthday": "1970-01-02",
    },
    {
        "id": "ns-2",
        "first_name": "Marc",
        "last_name": "Oberkampf",
        "email": "marc.oberkampf@bexa.fr",
        "company": "Bexa",
        "city": "Lyon",
        "postal_code": "69001",
        "birthday": "1985-07-09",
    },
]
_COLUMNS = [
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "city",
    "postal_code",
    "birthday",
    "updated_at",
]


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    """600 generated contacts (namesakes at other companies among them) and the moves."""
    background = sample(600, seed=3)
    background = background.assign(id=background["id"].astype(str), updated_at=None)
    frame = pd.concat([background, pd.DataFrame(_MOVES)], ignore_index=True)[_COLUMNS]
    frame["birthday"] = pd.to_datetime(frame["birthday"]).dt.date
    return frame


def _frame(people: pd.DataFrame, backend: str) -> Any:
    return pl.from_pandas(people) if backend == "polars" else people


def _pair(report: Any, a: str, b: str) -> pd.DataFrame:
    pairs = report.pairs
    return pairs[
        ((pairs["id_a"] == a) & (pairs["id_b"] == b))
        | ((pairs["id_a"] == b) & (pairs["id_b"] == a))
    ]


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_person_links_a_job_change_that_role_keeps_apart(
    people: pd.DataFrame, backend: str
) -> None:
    frame = _frame(people, backend)
    role = find_duplicates(frame)
    assert not any({"jc-old", "jc-new"} <= set(c) for c in role.clusters)
    assert role.job_changes.empty
    person = find_duplicates(frame, identity="person")
    assert any({"jc-old", "jc-new"} <= set(c) for c in person.clusters)
    row = _pair(person, "jc-old", "jc-new").iloc[0]
    assert bool(row["job_change"])
    assert row["company"] == "different" and row["city"] == "different"
    # The explanation names the move, from the older record to the newer one.
    assert "job change: Aprool → Bexa, Paris → Lyon (+" in row["explanation"]
    changes = person.job_changes
    move = changes[changes["id_old"] == "jc-old"].iloc[0]
    assert move["id_new"] == "jc-new" and bool(move["dated"])
    assert (move["company_old"], move["company_new"]) == ("Aprool", "Bexa")
    assert (move["city_old"], move["city_new"]) == ("Paris", "Lyon")
    assert person.stats["job_changes"] == len(changes) >= 1
    assert f"identity='person', {len(changes)} job change" in repr(person)


def test_person_keeps_namesakes_with_other_birthdays_apart(people: pd.DataFrame) -> None:
    person = find_duplicates(people, identity="person")
    assert not any({"ns-1", "ns-2"} <= set(c) for c in person.clusters)
    # Their birthdays differ: the company and city still count against, as in role mode.
    assert "(person)" not in set(person.explain("ns-1", "ns-2")["field"])
    role = find_duplicates(people)
    assert _pair(person, "ns-1", "ns-2")["probability"].tolist() == pytest.approx(
        _pair(role, "ns-1", "ns-2")["probability"].tolist()
    )


def test_role_is_the_default_and_scores_as_before(people: pd.DataFrame) -> None:
    default, role = find_duplicates(people), find_duplicates(people, identity="role")
    pd.testing.assert_frame_equal(default.pairs, role.pairs)
    assert "job_change" not in role.pairs.columns
    assert role.stats["identity"] == "role" and "job change" not in repr(role)


def test_person_explain_shows_the_bits_that_set_role_fields_aside(
    people: pd.DataFrame,
) -> None:
    person = find_duplicates(people, identity="person")
    table_ = person.explain("jc-old", "jc-new")
    row = table_[table_["field"] == "(person)"].iloc[0]
    assert row["level"] == "job change"
    role_fields = table_["field"].isin(["company", "city", "postal_code", "phone", "email"])
    assert row["weight"] == pytest.approx(-table_.loc[role_fields, "weight"].sum())
    match_weight = _pair(person, "jc-old", "jc-new")["match_weight"].iloc[0]
    assert table_["weight"].sum() == pytest.approx(match_weight)
    # Role mode explains without the row.
    assert "(person)" not in set(find_duplicates(people).explain("jc-old", "jc-new")["field"])


def test_same_email_at_two_company_names_is_not_a_job_change() -> None:
    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "first_name": ["Ann", "Ann"],
            "last_name": ["Lee", "Lee"],
            "email": ["ann.lee@aprool.com", "ann.lee@aprool.com"],
            "company": ["Aprool", "Bexa"],
        }
    )
    report = find_duplicates(frame, identity="person")
    assert report.clusters == [[1, 2]]
    assert not report.pairs["job_change"].any() and report.job_changes.empty


def test_index_checks_with_the_identity_it_was_built_with(people: pd.DataFrame) -> None:
    old = people[people["id"] != "jc-new"]
    new = people[people["id"] == "jc-new"]
    index = DedupeIndex.build(old, identity="person")
    report = index.check(new)
    assert any({"jc-old", "jc-new"} <= set(c) for c in report.clusters)
    assert report.job_changes["id_old"].tolist() == ["jc-old"]
    assert not any(
        {"jc-old", "jc-new"} <= set(c) for c in DedupeIndex.build(old).check(new).clusters
    )


def test_bad_identity_is_refused() -> None:
    frame = pd.DataFrame({"id": [1], "last_name": ["Lee"]})
    with pytest.raises(UnknownValueError, match="Did you mean 'person'"):
        find_duplicates(frame, identity="persons")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="identity='person' needs engine='crmkit'"):
        find_duplicates(frame, identity="person", engine="splink")
