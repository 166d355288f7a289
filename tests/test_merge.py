"""Merging duplicate records (crmkit._ops._merge): survivorship per field, related records
re-pointed, one batch undone whole.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

import crmkit as ck
from crmkit._exceptions import RecordNotFoundError, ValidationError
from crmkit._ops._merge import MergeReport, merge_groups


def test_merge_survivorship_repointing_and_undo(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="APROOL")
    old = crm.contacts.add(
        last_name="Blou",
        first_name="Hélène",
        email="h@aprool.com",
        tags=["vip"],
        job_title="Stagiaire",
        account_id=acc,
    )
    new = crm.contacts.add(
        last_name="BLOU",
        first_name="Helene",
        mobile="06 25 34 12 57",
        tags=["salon"],
        job_title="Cheffe de projet",
    )
    boss_of = crm.contacts.add(last_name="Roy", reports_to_id=old)
    crm.settings.require_email_basis = False  # consent: test_consent.py
    crm.contacts.all().filter(ids=[old, new]).subscribe("News")
    report = crm.contacts.merge([old, new], prefer="recent")
    keep = crm.contacts.get(report.survivor)
    assert report.survivor == new  # the most recently updated
    assert keep.email == "h@aprool.com" and keep.mobile == "+33625341257"
    assert keep.job_title == "Cheffe de projet"
    assert keep.tags == ["salon", "vip"]
    assert keep.account_id == acc
    assert crm.contacts.get(old).merged_into == new
    assert not crm.contacts.exists(old)
    assert crm.contacts.get(boss_of).reports_to_id == new
    assert report.repointed["contacts.reports_to_id"] == 1
    assert len(crm.contacts) == 2
    crm.undo(report.batch_id)
    assert crm.contacts.get(old).merged_into is None
    assert crm.contacts.get(boss_of).reports_to_id == old
    assert crm.contacts.get(new).email is None
    assert len(crm.contacts) == 3


def test_merge_rules_and_choices(crm: ck.CRM) -> None:
    a = crm.contacts.add(
        last_name="Durand", job_title="CTO", email="a@x.fr", city="Lyon", origin="Salon"
    )
    b = crm.contacts.add(last_name="Durand", job_title="DSI", phone="01 42 68 53 00")
    report = crm.contacts.merge([a, b], prefer="complete")
    assert report.survivor == a and crm.contacts.get(a).phone == "+33142685300"
    crm.undo(report.batch_id)
    report = crm.contacts.merge([a, b], survivor=b, take={"job_title": a}, values={"city": "Paris"})
    kept = crm.contacts.get(b)
    assert (kept.job_title, kept.city, kept.email) == ("CTO", "Paris", "a@x.fr")
    crm.undo(report.batch_id)
    report = crm.contacts.merge([a, b], prefer="oldest", source=None)
    assert report.survivor == a
    crm.undo(report.batch_id)
    with pytest.raises(ck.UnknownValueError):
        crm.contacts.merge([a, b], prefer="newest")
    with pytest.raises(ck.ValidationError):
        crm.contacts.merge([a])
    with pytest.raises(ck.RecordNotFoundError):
        crm.contacts.merge([a, 999])
    crm.contacts.merge([a, b])
    with pytest.raises(ck.ValidationError, match="already merged"):
        crm.contacts.merge([a, b])


def test_account_merge_moves_contacts(crm: ck.CRM) -> None:
    a = crm.accounts.add(name="Aprool SAS", website="aprool.com")
    b = crm.accounts.add(name="APROOL", employees=85)
    child = crm.accounts.add(name="Filiale Martin", parent_id=b)
    c = crm.contacts.add(last_name="Blou", account_id=b)
    report = crm.accounts.find_duplicates()
    assert report.clusters and sorted(report.clusters[0]) == sorted([a, b])
    merged = crm.accounts.merge_all(report, min_probability=0.5)
    survivor = merged.survivor
    assert survivor in (a, b)
    assert crm.contacts.get(c).account_id == survivor
    assert crm.accounts.get(child).parent_id == survivor
    rec = crm.accounts.get(survivor)
    assert rec.website == "https://aprool.com" and rec.employees == 85
    crm.undo(merged.batch_id)
    assert crm.contacts.get(c).account_id == b


def test_account_merge_repoints_contacts_whose_ids_collide(crm: ck.CRM) -> None:
    a = crm.accounts.add(name="Aprool")
    b = crm.accounts.add(name="APROOL SAS")
    first = crm.contacts.add(last_name="Un", account_id=b)  # contact id 1 == account id a
    second = crm.contacts.add(last_name="Deux", account_id=b)
    assert first == a
    crm.accounts.merge([a, b], survivor=a)
    assert crm.contacts.get(first).account_id == a
    assert crm.contacts.get(second).account_id == a


def test_merge_all_on_an_old_report(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="Martin", first_name="Jean", email="jean.martin@x.fr")
    b = crm.contacts.add(last_name="Martin", first_name="Jean", email="jean.martin@x.fr")
    report = crm.contacts.find_duplicates()
    crm.contacts.merge([a, b])
    again = crm.contacts.merge_all(report, min_probability=0.5)
    assert again.merges.empty and "already merged" in again.skipped["reason"].item()


# -- the module's own functions ----------------------------------------------------------


def test_merge_groups_merges_several_groups_in_one_batch(crm: ck.CRM) -> None:
    session = crm._session
    a = crm.contacts.add(last_name="Blou", custom={"score": 1, "from": "a"}, origin="Salon")
    b = crm.contacts.add(last_name="Blou", custom={"from": "b"}, tags=["x"])
    c = crm.contacts.add(last_name="Roy", email="roy@x.fr")
    d = crm.contacts.add(last_name="Roy", city="Lyon")
    report = merge_groups(session, "contacts", [[a, b, b], [c, d]], prefer="oldest", source="Salon")
    assert report.merges.to_dict("records") == [
        {"survivor": a, "merged": [b], "fields_changed": ["custom", "tags"]},
        {"survivor": c, "merged": [d], "fields_changed": ["city"]},
    ]
    assert report.merged_count == 2 and report.survivor == a
    assert json.loads(crm.contacts.get(a).custom) == {"score": 1, "from": "a"}  # a wins
    assert crm.contacts.get(a).tags == ["x"] and crm.contacts.get(c).city == "Lyon"
    assert crm.batches()["id"].tolist()[0] == report.batch_id  # one batch
    text = repr(report)
    assert text.startswith("MergeReport(contacts: 2 merges, 2 records merged away, batch ")
    assert f"  [{b}] -> {a} (custom, tags)" in text and f"  [{d}] -> {c} (city)" in text
    shown = report._repr_html_()
    assert "<strong>2 merges</strong> of contacts, 2 records merged away" in shown
    crm.undo(report.batch_id)
    assert len(crm.contacts) == 4


def test_merge_groups_refusals(crm: ck.CRM) -> None:
    session = crm._session
    a, b, c = (crm.contacts.add(last_name=n) for n in ("A", "B", "C"))
    with pytest.raises(ValidationError, match="single group"):
        merge_groups(session, "contacts", [[a, b], [b, c]], survivor=a)
    with pytest.raises(RecordNotFoundError, match="survivor 9 is not one of"):
        merge_groups(session, "contacts", [[a, b]], survivor=9)
    with pytest.raises(RecordNotFoundError, match="take: record"):
        merge_groups(session, "contacts", [[a, b]], take={"last_name": c})
    report = merge_groups(session, "contacts", [[a, b]], prefer={"last_name": "AB"})
    assert crm.contacts.get(report.survivor).last_name == "AB"
    assert len(crm.contacts) == 2


def test_an_empty_report() -> None:
    report = MergeReport("accounts", pd.DataFrame(columns=["survivor", "merged", "fields_changed"]))
    assert (report.survivor, report.merged_count) == (None, 0)
    assert repr(report) == "MergeReport(accounts: 0 merges, 0 records merged away)"
