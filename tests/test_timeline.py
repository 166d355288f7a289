"""``crm.contacts.timeline`` / ``crm.accounts.timeline``: one chronological view of a record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import crmkit as ck
from crmkit._ops._timeline import KINDS, SOURCES


@pytest.fixture
def db(tmp_path: Path) -> ck.CRM:
    crm = ck.open(tmp_path / "crm.duckdb", user="Ann")
    yield crm
    crm.close()


def test_changes_are_grouped_per_batch_with_names(db: ck.CRM) -> None:
    db.owners.add("Marc Durand")
    db.owners.add("Zoé Martin")
    acc = db.accounts.add(name="APROOL")
    cid = db.contacts.add(last_name="Blou", owner="Marc Durand")
    db.contacts.update(cid, owner="Zoé Martin", job_title="CTO", account_id=acc)
    tl = db.contacts.timeline(cid)
    frame = tl.df()
    assert list(frame["kind"]) == ["create", "change"]
    change = frame["event"].iloc[1]
    assert "Owner: Marc Durand → Zoé Martin" in change
    assert "Job title: — → CTO" in change and "APROOL" in change
    assert frame["batch_id"].iloc[1] == db.batches()["id"].max()
    assert frame["actor"].tolist() == ["Ann", "Ann"]
    assert len(tl) == 2
    polars = tl.pl()
    assert isinstance(polars, pl.DataFrame)
    assert polars["event"].to_list() == frame["event"].tolist()
    assert polars.schema["batch_id"] == pl.Int64


def test_imports_merges_deletions_undo_subscriptions_and_decisions(
    db: ck.CRM, tmp_path: Path
) -> None:
    a = db.contacts.add(last_name="Blou", email="hb@aprool.com")
    b = db.contacts.add(last_name="Blou", phone="01 42 68 53 00")
    db.contacts.decide(a, b, "same")
    merged = db.contacts.merge([a, b], prefer="oldest")
    db.settings.require_email_basis = False  # consent: test_consent.py
    db.contacts.filter(ids=[a]).subscribe("news")
    db.contacts.filter(ids=[a]).unsubscribe("news")
    path = tmp_path / "in.csv"
    path.write_text("last_name,email,job_title\nBlou,hb@aprool.com,DSI\n", encoding="utf-8")
    db.import_file(path, kind="contacts")
    frame = db.contacts.timeline(a).df()
    events = frame["event"].tolist()
    assert "marked the same as contact 2" in events
    assert "absorbed contact 2" in events
    assert any(e.startswith("filled by a merge: Phone") for e in events)
    assert "subscribed to news" in events and "unsubscribed from news" in events
    assert "updated by the import of in.csv: Job title: — → DSI" in events
    assert frame["at"].is_monotonic_increasing
    assert db.contacts.get(b).merged_into == a
    db.undo(merged.batch_id)  # b lives again: its own timeline says what happened
    other = db.contacts.timeline(b).df()
    assert other["kind"].tolist() == ["create", "duplicate", "merge", "undo"]
    assert "merged into contact 1" in other["event"].tolist()
    c = db.contacts.add(last_name="Gone")
    deleted = db.batches()["id"].max() + 1
    db.contacts.delete(c)
    db.undo(int(deleted))
    assert db.contacts.timeline(c).df()["kind"].tolist() == ["create", "delete", "undo"]


def test_imported_records_say_from_which_file(db: ck.CRM, tmp_path: Path) -> None:
    path = tmp_path / "contacts_fr.csv"
    path.write_text("nom,email\nBlou,hb@aprool.com\n", encoding="utf-8")
    db.import_file(path, kind="contacts")
    cid = int(db.contacts.df()["id"].iloc[0])
    frame = db.contacts.timeline(cid).df()
    assert frame["kind"].tolist() == ["import"]
    assert frame["event"].tolist() == ["imported from contacts_fr.csv"]


def test_kinds_since_and_until_filter(db: ck.CRM) -> None:
    cid = db.contacts.add(last_name="Blou")
    db.contacts.update(cid, job_title="CTO")
    assert db.contacts.timeline(cid, kinds=["change"]).df()["kind"].tolist() == ["change"]
    assert len(db.contacts.timeline(cid, kinds="create")) == 1
    today = dt.datetime.now(dt.UTC).replace(tzinfo=None).date()
    assert len(db.contacts.timeline(cid, since=today + dt.timedelta(days=2))) == 0
    assert len(db.contacts.timeline(cid, until=today - dt.timedelta(days=2))) == 0
    assert len(db.contacts.timeline(cid, since="2000-01-01", until="2999-12-31")) == 2


def test_account_timeline_with_its_contacts(db: ck.CRM) -> None:
    acc = db.accounts.add(name="APROOL")
    db.accounts.update(acc, sector="Software")
    cid = db.contacts.add(last_name="Blou", account_id=acc)
    alone = db.accounts.timeline(acc).df()
    assert set(alone["table"]) == {"accounts"} and len(alone) == 2
    both = db.accounts.timeline(acc, include_contacts=True).df()
    assert len(both) == 3
    assert both.loc[both["table"] == "contacts", "record_id"].tolist() == [cid]
    assert both["record"].tolist()[-1] == "contact 1"


def test_labels_follow_the_language(db: ck.CRM) -> None:
    cid = db.contacts.add(last_name="Blou")
    db.contacts.update(cid, job_title="DSI")
    tl = db.contacts.timeline(cid)
    with ck.config_context(lang="fr"):
        html = tl._repr_html_()
        assert "modification" in html and "Fonction : — → DSI" in html
        assert "2 événements" in repr(tl)
    with ck.config_context(lang="zh"):
        assert "修改" in tl._repr_html_()
    assert "<ul" in tl._repr_html_() and "changed: Job title" in repr(tl)


def test_html_escapes_values(db: ck.CRM) -> None:
    cid = db.contacts.add(last_name="Blou")
    db.contacts.update(cid, job_title="<script>x</script>")
    html = db.contacts.timeline(cid)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_activities_are_one_more_source(db: ck.CRM) -> None:
    cid = db.contacts.add(last_name="Blou")
    acc = db.accounts.add(name="APROOL")
    assert not db.contacts.timeline(cid, kinds=["note", "task"])  # none yet: nothing
    db.owners.add("Marc Durand")
    db.activities.add_note("Called, wants a demo", contact=cid, author="Ann")
    task = db.activities.add_task(
        "Demo", type="meeting", due="2030-01-05 14:00", owner="Marc Durand", contact=cid
    )
    db.activities.complete(task)
    gone = db.activities.add_note("gone", contact=cid, author="Ann")
    db.activities.delete(gone)
    db.activities.add_note("Account note", account=acc, author="Ann")
    frame = db.contacts.timeline(cid, kinds=["note", "task"]).df()
    assert sorted(frame["event"].tolist()) == [
        "note added: Called, wants a demo",
        "task completed: Demo",
        "task due: Demo",
    ]
    assert frame.loc[frame["event"].str.startswith("note"), "actor"].tolist() == ["Ann"]
    assert set(frame.loc[frame["event"].str.startswith("task"), "actor"]) == {"Marc Durand"}
    account = db.accounts.timeline(acc, kinds="note").df()
    assert account["event"].tolist() == ["note added: Account note"]
    assert len(SOURCES) == 4


@pytest.mark.parametrize("bad", [99, "x", None])
def test_unknown_ids_are_refused(db: ck.CRM, bad: object) -> None:
    with pytest.raises(ck.CRMKitError):
        db.contacts.timeline(bad)  # type: ignore[arg-type]


def test_removed_records_and_bad_filters_are_refused(db: ck.CRM) -> None:
    cid = db.contacts.add(last_name="Blou")
    with pytest.raises(ck.RecordNotFoundError, match="no contact with id 42"):
        db.contacts.timeline(42)
    with pytest.raises(ck.UnknownValueError, match=r"unknown timeline kind 'chnage'.*'change'"):
        db.contacts.timeline(cid, kinds=["chnage"])
    with pytest.raises(ck.ValidationError, match="since takes a date"):
        db.contacts.timeline(cid, since="not a date")
    db.contacts.delete(cid)
    with pytest.raises(ck.RecordNotFoundError, match="contact 1 is deleted or merged away"):
        db.contacts.timeline(cid)
    with ck.config_context(lang="fr"), pytest.raises(ck.UnknownValueError, match="type"):
        db.accounts.timeline(db.accounts.add(name="A"), kinds="x")


def test_every_kind_has_a_label_in_every_language() -> None:
    from crmkit._util._messages import message

    for kind in KINDS:
        assert len({message(f"tl_kind_{kind}", lang) for lang in ("en", "fr", "zh")}) >= 2
