"""The forms' Notes & tasks tab and Timeline tab (crmkit.widgets._activities_panel,
_timeline_panel), driven as a user would: text typed, buttons clicked. What matters is
asserted on the database (``crm.activities``, ``crm.batches``, ``crm.undo``)."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from widget_samples import add_widget_records, owner_id

import crmkit as ck
from crmkit.widgets import AccountForm, ContactForm
from crmkit.widgets._activities_panel import due_value


@pytest.fixture
def crm_data(crm_file: ck.CRM) -> ck.CRM:
    """Nicole (the current user), Marc and Zoé; three accounts; five contacts; a file."""
    return add_widget_records(crm_file)


def _contact(crm: ck.CRM, last_name: str) -> int:
    frame = crm.contacts.df()
    return int(frame.loc[frame["last_name"] == last_name, "id"].iloc[0])


def _batches(crm: ck.CRM) -> int:
    return len(crm.batches(limit=1000))


def _controls(form: Any) -> list[Any]:
    return [*form.activities.inputs.values(), *form.activities.buttons.values()]


def test_panel_is_disabled_until_a_record_is_loaded(crm_data: ck.CRM) -> None:
    form = ContactForm(crm_data, lang="fr")
    assert all(w.disabled for w in _controls(form))
    assert "Enregistrez d'abord la fiche" in html.unescape(form.activities.listing.value)
    assert "Enregistrez d'abord la fiche" in html.unescape(form.timeline.view.value)
    before = _batches(crm_data)
    assert form.activities.add_note() is None  # nothing typed, nothing loaded
    assert _batches(crm_data) == before

    form.inputs["last_name"].value = "Roux"
    cid = form.save()
    assert cid is not None
    assert not any(w.disabled for w in _controls(form))
    assert "Aucune note ni tâche" in form.activities.listing.value
    form.new()
    assert all(w.disabled for w in _controls(form))


def test_tab_titles_and_labels_in_three_languages(crm_data: ck.CRM) -> None:
    cid = _contact(crm_data, "Blou")
    expected = {
        "en": ("Notes & tasks", "Timeline", "Add task", "Followed by"),
        "fr": ("Notes et tâches", "Historique", "Ajouter la tâche", "Suivi par"),
        "zh": ("备注与任务", "时间线", "添加任务", "跟进人"),
    }
    for lang, (tab, timeline, add_task, owner) in expected.items():
        form = ContactForm(crm_data, lang=lang, record_id=cid)
        assert form.tabs.titles == (tab, timeline)
        assert form.activities.buttons["add_task"].description == add_task
        labels = [
            child.children[0].value
            for row in form.activities.children[2].children[1:]
            for child in row.children
            if hasattr(child, "children") and child.children
        ]
        assert any(owner in label for label in labels)


def test_add_note_is_one_batch_listed_in_the_timeline_and_undone_by_the_form(
    crm_data: ck.CRM,
) -> None:
    cid = _contact(crm_data, "Blou")
    form = ContactForm(crm_data, lang="en", record_id=cid)
    before = _batches(crm_data)
    form.activities.inputs["note"].value = "Met at the Lyon fair; wants a demo"
    form.activities.buttons["add_note"].click()

    assert _batches(crm_data) == before + 1
    notes = crm_data.activities.filter(kind="note", contact=cid)
    assert notes.df()["body"].tolist() == ["Met at the Lyon fair; wants a demo"]
    assert notes.pl()["author"].to_list() == ["Nicole Bertrand"]
    assert form.activities.inputs["note"].value == ""
    assert "Added note" in form.activities.status.value
    assert "Met at the Lyon fair" in form.activities.listing.value
    assert "Met at the Lyon fair" in form.timeline.view.value

    form.buttons["undo"].click()
    assert len(crm_data.activities.filter(contact=cid)) == 0
    assert "Met at the Lyon fair" not in form.activities.listing.value
    assert "Met at the Lyon fair" not in form.timeline.view.value
    assert "Undid batch" in form.status.value


def test_add_task_reads_french_date_and_time_then_complete_and_undo(crm_data: ck.CRM) -> None:
    cid = _contact(crm_data, "Blou")
    form = ContactForm(crm_data, lang="fr", record_id=cid)
    panel = form.activities
    assert panel.inputs["owner"].value == owner_id(crm_data, "Nicole Bertrand")  # the user
    panel.inputs["subject"].value = "Rappeler pour la démo"
    panel.inputs["type"].value = "call"
    panel.inputs["due_date"].value = "09/12/2026"
    panel.inputs["due_time"].value = "14:30"
    panel.inputs["priority"].value = "high"
    panel.inputs["owner"].value = owner_id(crm_data, "Marc Durand")
    before = _batches(crm_data)
    panel.buttons["add_task"].click()
    assert _batches(crm_data) == before + 1

    (task,) = crm_data.contacts.activities(cid).ids()
    stored = crm_data.activities.get(task)
    assert stored["subject"] == "Rappeler pour la démo"
    assert stored["task_type"] == "call"
    assert stored["due_at"] == dt.datetime(2026, 12, 9, 14, 30)
    assert stored["priority"] == "high"
    assert stored["owner_id"] == owner_id(crm_data, "Marc Durand")
    assert stored["account_id"] == crm_data.contacts.get(cid).account_id  # brought along
    assert "09/12/2026 14:30" in panel.listing.value
    assert "Appel" in panel.listing.value and "Haute" in panel.listing.value
    assert panel.inputs["task"].value == task  # the only open task is picked
    assert "tâche à échéance" in form.timeline.view.value

    panel.inputs["report"].value = "Démo fixée au 15"
    panel.buttons["complete"].click()
    done = crm_data.activities.get(task)
    assert (done["status"], done["report"]) == ("done", "Démo fixée au 15")
    assert "crmkit-task-done" in panel.listing.value
    assert panel.inputs["task"].value is None  # no open task left
    assert "tâche terminée" in form.timeline.view.value

    form.undo()  # the completion, the last action
    assert crm_data.activities.get(task)["status"] == "open"
    assert "crmkit-task-open" in panel.listing.value


def test_bad_task_input_is_refused_with_the_value_and_nothing_is_written(
    crm_data: ck.CRM,
) -> None:
    cid = _contact(crm_data, "Blou")
    form = ContactForm(crm_data, lang="en", record_id=cid)
    panel = form.activities
    before = _batches(crm_data)

    panel.buttons["add_task"].click()  # no subject
    assert "subject" in panel.status.value
    panel.inputs["subject"].value = "Call back"
    panel.inputs["due_date"].value = "tomorrow"
    panel.buttons["add_task"].click()
    assert "tomorrow" in panel.status.value and "Failed" in panel.status.value
    panel.inputs["due_date"].value = "2026-12-09"
    panel.inputs["due_time"].value = "25:99"
    assert panel.add_task() is None
    assert "25:99" in panel.status.value
    panel.buttons["complete"].click()  # no open task
    assert "Pick an open task" in panel.status.value
    panel.buttons["add_note"].click()  # no text
    assert "Type the note" in panel.status.value

    assert _batches(crm_data) == before
    assert len(crm_data.activities) == 0
    assert panel.inputs["subject"].value == "Call back"  # kept, to be corrected


def test_activity_on_a_record_deleted_elsewhere_is_refused(crm_data: ck.CRM) -> None:
    cid = _contact(crm_data, "Wei")
    form = ContactForm(crm_data, lang="en", record_id=cid)
    crm_data.contacts.delete(cid)
    before = _batches(crm_data)
    form.activities.inputs["note"].value = "Too late"
    assert form.activities.add_note() is None
    assert "Failed" in form.activities.status.value
    assert _batches(crm_data) == before
    assert len(crm_data.activities) == 0
    assert form.activities.inputs["note"].value == "Too late"


def test_loaded_record_shows_existing_activities_and_timeline_follows_saves(
    crm_data: ck.CRM,
) -> None:
    cid = _contact(crm_data, "Smith")
    crm_data.activities.add_note("Prefers email", contact=cid)
    crm_data.activities.add_task("Send the quote", type="email", due="2026-12-10", contact=cid)
    form = ContactForm(crm_data, lang="en", record_id=cid)
    assert "Prefers email" in form.activities.listing.value
    assert "Send the quote" in form.activities.listing.value
    assert "Send the quote" in str(form.activities.inputs["task"].options)

    form.inputs["job_title"].value = "CFO"
    form.save()
    assert "Job title: — → CFO" in form.timeline.view.value

    form.timeline.kinds.value = ("note",)
    assert "Prefers email" in form.timeline.view.value
    assert "CFO" not in form.timeline.view.value
    assert "1 event" in form.timeline.view.value
    form.timeline.kinds.value = ()
    assert "CFO" in form.timeline.view.value and "Prefers email" in form.timeline.view.value


def test_account_form_notes_and_timeline_with_its_contacts(crm_data: ck.CRM) -> None:
    acc = crm_data.accounts.find_id("APROOL")
    blou = _contact(crm_data, "Blou")
    crm_data.activities.add_note("Contact-level note", contact=blou)
    crm_data.activities.add_note("Account-level note", account=acc)
    form = AccountForm(crm_data, lang="zh", record_id=acc)
    panel = form.activities
    assert "Account-level note" in panel.listing.value
    assert form.timeline.with_contacts.layout.display != "none"

    panel.inputs["subject"].value = "年度回顾"
    panel.inputs["type"].value = "meeting"
    panel.inputs["due_date"].value = "2026-12-20"
    task = panel.add_task()
    assert task is not None
    stored = crm_data.activities.get(task)
    assert (stored["account_id"], stored["contact_id"]) == (acc, None)
    assert "年度回顾" in form.timeline.view.value
    shown = form.timeline.view.value
    assert "Contact-level note" in shown  # a contact's note on the account shows too
    form.timeline.with_contacts.value = True
    assert "创建" in form.timeline.view.value
    assert form.timeline.view.value.count("<li") > shown.count("<li")
    assert ContactForm(crm_data).timeline.with_contacts.layout.display == "none"


@pytest.mark.parametrize(
    ("date", "time", "lang", "expected"),
    [
        ("09/12/2026", "", "fr", dt.date(2026, 12, 9)),
        ("2026-12-09", "08:05", "fr", dt.datetime(2026, 12, 9, 8, 5)),
        ("2026-12-09", "", "zh", dt.date(2026, 12, 9)),
        ("", "", "en", None),
        (" ", " ", "en", None),
        ("12/09/2026", "", "en", "12/09/2026"),  # not an English date: the facade refuses it
        ("2026-12-09", "8h", "en", "2026-12-09 8h"),
        ("", "10:00", "en", "10:00"),
    ],
)
def test_due_value(date: str, time: str, lang: str, expected: Any) -> None:
    assert due_value(date, time, lang) == expected
