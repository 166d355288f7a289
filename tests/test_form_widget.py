"""The entry forms (crmkit.widgets._form), driven as a user would: values typed, buttons
clicked, clicks that wait for the edits typed before them. Every assertion that matters
is made on the database (``crm.contacts.get``, ``crm.history``, ``crm.batches``).
"""

from __future__ import annotations

import datetime as dt
import html
import threading
from pathlib import Path
from typing import Any

import pytest
from widget_samples import add_widget_records, last_batch, owner_id

import crmkit as ck
from crmkit.widgets import AccountForm, ContactBrowser, ContactForm


@pytest.fixture
def crm_data(crm: ck.CRM) -> ck.CRM:
    """Nicole (the current user), Marc and Zoé in team Paris; three accounts; five contacts."""
    return add_widget_records(crm)


def test_french_form_shows_catalog_labels_sections_and_required_star(crm_data: ck.CRM) -> None:
    form = ContactForm(crm_data, lang="fr")
    assert "Nom" in form.fields["last_name"].label.value
    assert "*" in form.fields["last_name"].label.value  # required by the database
    assert "*" not in form.fields["first_name"].label.value
    assert "crmkit-required" in form.fields["last_name"].box._dom_classes
    assert form.inputs["left_company"].description == "A quitté la société"
    assert [label for label, _ in form.inputs["gender"].options][1:3] == ["Femme", "Homme"]
    assert [label for label, _ in form.inputs["salutation"].options][1:3] == ["M.", "Mme"]
    assert form.buttons["save"].description == "Enregistrer"
    assert "Nouveau contact" in form.title.value
    titles = " ".join(
        child.children[0].value for child in form.children if "crmkit-section" in child._dom_classes
    )
    assert "Identité" in titles and "Coordonnées" in titles and "Adresse" in titles
    assert "crmkit-contact-form" in form._dom_classes


def test_chinese_form_and_browser_labels(crm_data: ck.CRM) -> None:
    form = ContactForm(crm_data, lang="zh")
    assert "姓" in form.fields["last_name"].label.value
    assert form.buttons["save"].description == "保存"
    assert form.inputs["left_company"].description == "已离职"
    account = AccountForm(crm_data, lang="zh")
    assert "客户名称" in account.fields["name"].label.value
    sectors = [label for label, _ in account.inputs["sector"].options]
    assert "软件" in " ".join(sectors)
    browser = ContactBrowser(crm_data, lang="zh")
    assert "公司" in browser.header.value
    assert "个联系人" in browser.count_label.value


def test_owner_defaults_to_current_user(crm_data: ck.CRM) -> None:
    form = ContactForm(crm_data)
    assert form.inputs["owner_id"].value == owner_id(crm_data, "Nicole Bertrand")


def test_missing_last_name_is_shown_next_to_the_field_and_nothing_is_saved(
    crm_data: ck.CRM,
) -> None:
    before = crm_data.counts()
    form = ContactForm(crm_data, lang="fr")
    form.inputs["first_name"].value = "Hélène"
    form.inputs["mobile"].value = "06 25 34 12 57"
    assert form.errors == {}  # nothing said about untouched fields while typing
    form.buttons["save"].click()
    assert form.record_id is None
    assert form.errors == {"last_name": "Obligatoire"}
    assert "Obligatoire" in form.fields["last_name"].message.value
    assert "#b00020" in form.fields["last_name"].message.value  # red
    assert "Non enregistré" in form.status.value
    assert crm_data.counts() == before


def test_fix_and_save_stores_a_normalised_record_in_one_batch(crm_data: ck.CRM) -> None:
    form = ContactForm(crm_data, lang="fr")
    form.inputs["first_name"].value = "Hélène"
    form.inputs["mobile"].value = "06 25 34 12 57"
    form.inputs["email"].value = "Helene.Martin@APROOL.com"
    form.save()
    form.inputs["last_name"].value = "Martin"
    assert form.errors == {}  # the message goes as soon as the field is filled
    assert form.fields["last_name"].message.value == ""
    form.buttons["save"].click()
    cid = form.record_id
    assert cid is not None
    stored = crm_data.contacts.get(cid)
    assert (stored.last_name, stored.mobile, stored.email) == (
        "Martin",
        "+33625341257",
        "Helene.Martin@aprool.com",
    )
    batch = last_batch(crm_data)
    assert f"Contact {cid} enregistré (lot {batch})" in form.status.value
    history = crm_data.history(batch_id=batch)
    assert set(history["record_id"]) == {cid}
    assert form.inputs["mobile"].value == "+33625341257"  # the form shows what is stored


def test_messages_as_typed_use_the_schema_rules(crm_data: ck.CRM) -> None:
    form = ContactForm(crm_data, lang="en")
    form.inputs["last_name"].value = "x" * 101
    assert form.errors["last_name"] == "At most 100 characters"
    form.inputs["last_name"].value = "Blou"
    form.inputs["email"].value = "not-an-email"
    assert form.warnings["email"] == "Not a valid email address"
    assert "email" not in form.errors  # a warning does not block a save
    assert form.save() is not None
    account = AccountForm(crm_data, lang="fr")
    account.inputs["employees"].value = "beaucoup"
    assert account.errors["employees"] == "Ce n'est pas un nombre entier"


def test_required_fields_follow_the_database_setting(crm_data: ck.CRM) -> None:
    crm_data.settings.set_required_fields("contacts", ["email"])
    form = ContactForm(crm_data)
    assert "*" in form.fields["email"].label.value
    form.inputs["last_name"].value = "Blou"
    assert form.save() is None
    assert form.errors == {"email": "Required"}


def test_save_and_new_clears_the_form(crm_data: ck.CRM) -> None:
    form = ContactForm(crm_data)
    form.inputs["last_name"].value = "Durand"
    form.inputs["job_title"].value = "CTO"
    form.inputs["is_dpo"].value = True
    form.buttons["save_new"].click()
    saved = crm_data.contacts.filter(search="durand", job_title="CTO").df()
    assert len(saved) == 1 and bool(saved["is_dpo"].iloc[0])
    assert form.record_id is None
    assert form.inputs["last_name"].value == ""
    assert form.inputs["job_title"].value == ""
    assert form.inputs["is_dpo"].value is False
    assert form.inputs["owner_id"].value == owner_id(crm_data, "Nicole Bertrand")
    assert "Saved contact" in form.status.value


def test_edit_mode_fills_the_form_and_save_updates_changed_fields_only(crm_data: ck.CRM) -> None:
    cid = crm_data.contacts.filter(search="blou").ids[0]
    form = ContactForm(crm_data, lang="fr", record_id=cid)
    assert form.inputs["last_name"].value == "Blou"
    assert form.inputs["account_id"].value == "APROOL"
    assert form.inputs["owner_id"].value == owner_id(crm_data, "Marc Durand")
    assert form.inputs["left_company"].value is False
    assert "Contact" in form.title.value and "Hélène Blou" in form.title.value
    form.inputs["job_title"].value = "Directrice"
    form.inputs["left_company"].value = True
    form.inputs["birthday"].value = "04/03/1980"  # the French form: day first
    form.inputs["tags"].value = ["vip", "salon"]
    form.save()
    stored = crm_data.contacts.get(cid)
    assert (stored.job_title, stored.active, stored.birthday, stored.tags) == (
        "Directrice",
        False,
        dt.date(1980, 3, 4),
        ["vip", "salon"],
    )
    batch = last_batch(crm_data)
    changed = set(crm_data.history(batch_id=batch)["field"])
    assert changed == {"job_title", "active", "birthday", "tags"}
    form.save()  # nothing changed: no new batch
    assert last_batch(crm_data) == batch
    assert "Aucune modification" in form.status.value


def test_clone_creates_a_copy_with_the_changes_on_screen(crm_data: ck.CRM) -> None:
    cid = crm_data.contacts.filter(search="blou").ids[0]
    form = ContactForm(crm_data, record_id=cid)
    form.inputs["first_name"].value = "Marie"
    form.buttons["clone"].click()
    copy = form.record_id
    assert copy is not None and copy != cid
    original, twin = crm_data.contacts.get(cid), crm_data.contacts.get(copy)
    assert (original.first_name, twin.first_name) == ("Hélène", "Marie")
    assert (twin.last_name, twin.account_id, twin.email) == (
        original.last_name,
        original.account_id,
        original.email,
    )
    assert f"as {copy}" in form.status.value


def test_clone_needs_a_saved_record(crm_data: ck.CRM) -> None:
    form = ContactForm(crm_data)
    assert form.buttons["clone"].disabled
    assert form.clone() is None
    assert "Save the record before cloning it" in form.status.value


def test_existing_account_is_found_by_the_combobox(crm_data: ck.CRM) -> None:
    form = ContactForm(crm_data)
    form.inputs["account_id"].value = "apr"
    assert form.inputs["account_id"].options == ("APROOL",)
    form.inputs["account_id"].value = "APROOL"
    form.inputs["last_name"].value = "Neuf"
    cid = form.save()
    assert cid is not None
    assert crm_data.contacts.get(cid).account_id == crm_data.accounts.find_id("APROOL")
    assert crm_data.counts()["accounts"] == 3


def test_new_account_is_created_on_save_and_linked(crm_data: ck.CRM) -> None:
    form = ContactForm(crm_data, lang="fr")
    form.inputs["last_name"].value = "Lemoine"
    form.inputs["account_id"].value = "Nouvelle Société"
    assert "créé à l'enregistrement" in form.fields["account_id"].message.value.replace(
        "&#x27;", "'"
    )
    assert form.errors == {}
    cid = form.save()
    assert cid is not None
    account_id = crm_data.accounts.find_id("Nouvelle Société")
    assert crm_data.contacts.get(cid).account_id == account_id
    assert crm_data.accounts.get(account_id).owner_id == owner_id(crm_data, "Nicole Bertrand")
    assert f"compte {account_id} créé" in form.status.value
    form.buttons["undo"].click()  # undoes the contact, then the account
    assert not crm_data.contacts.exists(cid)
    assert not crm_data.accounts.exists(account_id)
    assert form.record_id is None
    assert form.inputs["last_name"].value == "Lemoine"  # what was typed stays


def test_unknown_reports_to_is_an_error_next_to_the_field(crm_data: ck.CRM) -> None:
    form = ContactForm(crm_data)
    form.inputs["last_name"].value = "Neuf"
    form.inputs["reports_to_id"].value = "Nobody Known"
    assert form.save() is None
    assert form.errors == {"reports_to_id": "No such record"}
    form.inputs["reports_to_id"].value = "Hélène Blou"
    assert form.save() is not None
    assert (
        crm_data.contacts.get(form.record_id).reports_to_id
        == (crm_data.contacts.filter(search="blou").ids[0])
    )


def test_each_save_is_a_batch_that_crm_undo_reverts(crm_data: ck.CRM) -> None:
    cid = crm_data.contacts.filter(search="smith").ids[0]
    form = ContactForm(crm_data, record_id=cid)
    form.inputs["job_title"].value = "Buyer"
    form.inputs["mobile"].value = "+44 7700 900123"
    form.save()
    batch = last_batch(crm_data)
    assert crm_data.contacts.get(cid).mobile == "+447700900123"
    crm_data.undo(batch)
    restored = crm_data.contacts.get(cid)
    assert (restored.job_title, restored.mobile) == (None, None)


def test_read_only_database_says_why_nothing_was_saved(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path) as db:
        db.accounts.add(name="APROOL")
    with ck.open(path, read_only=True) as reader:
        form = AccountForm(reader)
        form.inputs["name"].value = "Other"
        assert form.save() is None
        assert "read_only=True" in form.status.value


def test_account_form_saves_vocabularies_and_amounts(crm_data: ck.CRM) -> None:
    form = AccountForm(crm_data, lang="fr")
    assert "Société" in form.fields["name"].label.value
    form.inputs["name"].value = "Durand SA"
    form.inputs["sector"].value = "Software"
    form.inputs["account_type"].value = "Customer"
    form.inputs["annual_revenue"].value = "4,2 M€"
    form.inputs["employees"].value = "85"
    form.inputs["billing_country"].value = "Allemagne"
    form.inputs["parent_id"].value = "APROOL"
    form.inputs["is_client"].value = True
    acc = form.save()
    assert acc is not None
    stored = crm_data.accounts.get(acc)
    assert (
        stored.sector,
        stored.account_type,
        stored.annual_revenue,
        stored.employees,
        stored.billing_country,
        stored.parent_id,
        stored.is_client,
    ) == ("Software", "Customer", 4_200_000.0, 85, "DE", crm_data.accounts.find_id("APROOL"), True)
    edit = AccountForm(crm_data, lang="fr", record_id=acc)
    assert edit.inputs["annual_revenue"].value == "4200000"
    assert edit.inputs["sector"].value == "Software"


def test_duplicate_panel_lists_similar_contacts(crm_data: ck.CRM) -> None:
    if not hasattr(crm_data.contacts, "similar"):
        pytest.skip("crm.contacts.similar is not there yet (the duplicates issue adds it)")
    form = ContactForm(crm_data)
    assert form.duplicate_panel.layout.display == "none"
    form.inputs["first_name"].value = "Helene"
    form.inputs["last_name"].value = "Blou"
    form.inputs["email"].value = "helene.blou@aprool.com"
    form.refresh_duplicates(wait=True)  # the index is built in the background
    blou = crm_data.contacts.filter(search="blou").ids[0]
    assert blou in form.duplicates["id"].tolist()
    assert form.duplicate_panel.layout.display != "none"
    buttons = [
        w
        for row in form.duplicate_panel.children[1:]
        for w in row.children
        if f"crmkit-duplicate-open-{blou}" in w._dom_classes
    ]
    buttons[0].click()
    assert form.record_id == blou


# -- what is saved is what was typed (issue #11, item 8) -----------------------------------


def browser_edit(widget: Any, **state: Any) -> None:
    """Deliver an edit as the browser sends it: a comm ``update`` message."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state}}, "buffers": []})


def browser_click(button: Any) -> None:
    """Deliver a click as the browser sends it: a comm ``custom`` message."""
    message = {"method": "custom", "content": {"event": "click"}}
    button._handle_msg({"content": {"data": message}, "buffers": []})


def test_a_browser_click_waits_for_the_edits_typed_before_it(crm_data: ck.CRM) -> None:
    """The order in which a busy kernel receives a fast typist's messages.

    The browser sends one message at a time per widget: "S" and "0" go, the rest of each
    field waits in the browser until the kernel is idle for them, and the click on Save
    (another widget) is sent at once, so it arrives first. The save must wait until the
    browser has copied the form's ticket back, which it does after sending what it held.
    """
    form = ContactForm(crm_data)
    before = crm_data.counts()["contacts"]
    browser_edit(form.inputs["last_name"], value="S")
    browser_edit(form.inputs["mobile"], value="0")
    browser_click(form.buttons["save"])
    assert form.record_id is None and form.status.value == ""  # nothing saved yet
    assert form.sync.waiting == 1
    browser_edit(form.inputs["last_name"], value="Smith")  # what the browser held back
    browser_edit(form.inputs["mobile"], value="06 25 34 12 57")
    assert crm_data.counts()["contacts"] == before
    browser_edit(form.sync.seen, value=form.sync.ticket.value)  # the browser's jsdlink
    assert form.sync.waiting == 0
    cid = form.record_id
    assert cid is not None
    stored = crm_data.contacts.get(cid)
    assert (stored.last_name, stored.mobile) == ("Smith", "+33625341257")
    assert crm_data.counts()["contacts"] == before + 1
    assert "Last name = &#x27;Smith&#x27;" in form.status.value
    assert "Mobile = &#x27;+33625341257&#x27;" in form.status.value


def test_a_click_from_python_acts_at_once(crm_data: ck.CRM) -> None:
    form = ContactForm(crm_data)
    form.inputs["last_name"].value = "Durand"
    form.buttons["save"].click()  # nothing is typed in a browser: no wait
    assert form.record_id is not None and form.sync.waiting == 0


def test_status_names_the_stored_values_and_the_form_shows_them(crm_data: ck.CRM) -> None:
    form = ContactForm(crm_data, lang="fr")
    form.inputs["last_name"].value = "  Martin "
    form.inputs["mobile"].value = "06 25 34 12 57"
    form.inputs["email"].value = "Helene.Martin@APROOL.com"
    form.inputs["is_dpo"].value = True
    cid = form.save()
    assert cid is not None
    stored = crm_data.contacts.get(cid)
    status = html.unescape(form.status.value)
    assert f"Contact {cid} enregistré" in status
    assert "Valeurs enregistrées : " in status
    for caption, value in (
        ("Nom", stored.last_name),
        ("Portable", stored.mobile),
        ("E-mail", stored.email),
        ("Affecté à", "Nicole Bertrand"),
        ("DPO", "oui"),
    ):
        assert f"{caption} = '{value}'" in status, (caption, status)
    assert "Refus e-mail" not in status  # a flag left at its default is not listed
    assert (form.inputs["last_name"].value, form.inputs["mobile"].value) == (
        "Martin",
        "+33625341257",
    )
    assert form.inputs["email"].value == stored.email == "Helene.Martin@aprool.com"

    form.inputs["job_title"].value = "DSI"
    form.inputs["mobile"].value = "0625341257"  # the same number: not a change
    form.save()
    status = html.unescape(form.status.value)
    assert "Fonction = 'DSI'" in status and "Portable" not in status  # only what changed
    assert form.inputs["mobile"].value == "+33625341257"  # shown as stored again

    form.inputs["mobile"].value = "06 25 34 12 57"
    form.save()
    assert "Aucune modification" in form.status.value
    assert form.inputs["mobile"].value == "+33625341257"


def test_first_keystroke_does_not_wait_for_the_duplicate_index(crm_data: ck.CRM) -> None:
    """The index is built on the builder thread; held there, keystrokes are still answered."""
    from crmkit._ops._duplicates import INDEX_BUILDER

    held = threading.Event()
    INDEX_BUILDER.submit(held.wait, 60)  # the form's build queues behind this
    try:
        form = ContactForm(crm_data, lang="zh")
        form.inputs["first_name"].value = "Helene"
        form.inputs["last_name"].value = "Blou"
        assert "正在为现有记录建立索引" in form.duplicate_panel.children[0].value
        assert form.duplicate_panel.layout.display != "none"
        assert form.duplicates.empty
        form.inputs["email"].value = "not-an-email"
        assert form.warnings == {"email": "电子邮件地址无效"}  # the keystroke was answered
    finally:
        held.set()
    form.inputs["email"].value = "helene.blou@aprool.com"
    form.refresh_duplicates(wait=True)
    blou = crm_data.contacts.filter(search="blou").ids[0]
    assert form.duplicates["id"].tolist() == [blou]
    assert "可能重复" in form.duplicate_panel.children[0].value

    cid = form.save()  # a new record is indexed at once: no second build to wait for
    assert crm_data.contacts._duplicates.prepare_index() is None
    assert cid in crm_data.contacts.similar(last_name="Blou", first_name="Helene")["id"].tolist()


def test_a_contact_with_a_new_account_is_one_batch_that_one_undo_removes(
    tmp_path: Path,
) -> None:
    with ck.open(tmp_path / "crm.duckdb", user="Nicole Bertrand") as crm:
        add_widget_records(crm)
        batches_before = len(crm.batches())
        form = ContactForm(crm)
        form.inputs["last_name"].value = "Lemoine"
        form.inputs["account_id"].value = "Calanette Import-Export SARL"
        cid = form.save()
        assert cid is not None
        account_id = crm.contacts.get(cid).account_id
        assert crm.accounts.get(account_id).name == "Calanette Import-Export SARL"
        assert len(crm.batches()) == batches_before + 1
        batch = last_batch(crm)
        assert set(crm.history(batch_id=batch)["table"]) == {"accounts", "contacts"}
        crm.undo(batch)
        assert not crm.contacts.exists(cid)
        assert not crm.accounts.exists(account_id)


def test_editing_a_contact_to_a_new_account_is_one_batch(crm_data: ck.CRM) -> None:
    cid = crm_data.contacts.filter(search="smith").ids[0]
    form = ContactForm(crm_data, record_id=cid)
    form.inputs["account_id"].value = "Brand New Ltd"
    assert form.save() == cid
    batch = last_batch(crm_data)
    account_id = crm_data.contacts.get(cid).account_id
    assert crm_data.accounts.get(account_id).name == "Brand New Ltd"
    assert crm_data.accounts.get(account_id).owner_id == owner_id(crm_data, "Zoé Martin")
    crm_data.undo(batch)
    assert not crm_data.accounts.exists(account_id)
    assert crm_data.contacts.get(cid).account_id == crm_data.accounts.find_id("Northwind Ltd")


def test_duplicate_panel_sits_above_save_and_speaks_the_form_language(crm_data: ck.CRM) -> None:
    form = ContactForm(crm_data, lang="fr")
    children = list(form.children)
    bar = next(w for w in children if "crmkit-buttons" in w._dom_classes)
    assert children.index(form.duplicate_panel) == children.index(bar) - 1
    form.inputs["first_name"].value = "Helene"
    form.inputs["last_name"].value = "Blou"
    form.inputs["email"].value = "helene.blou@aprool.com"
    form.refresh_duplicates(wait=True)
    text = html.unescape(form.duplicate_panel.children[1].children[0].value)
    assert "similitudes : " in text
    assert "similitudes : E-mail identique, Nom identique" in text
    assert "exact" not in text and "(+" not in text  # the English reasons are gone
    button = form.duplicate_panel.children[1].children[1]
    assert button.description == "Ouvrir"
    assert button.layout.flex == "0 0 auto"  # never squeezed to "O…"


def test_a_partial_account_name_offers_the_existing_account(crm_data: ck.CRM) -> None:
    calanette = crm_data.accounts.add(name="Calanette Import-Export SARL")
    accounts_before = crm_data.counts()["accounts"]
    form = ContactForm(crm_data, lang="fr")
    form.inputs["last_name"].value = "Roux"
    account = form.fields["account_id"]
    account.widget.value = "Calanette"
    assert account.offered == {"Calanette Import-Export SARL": calanette}
    assert account.choices.layout.display != "none"
    labels = [b.description for b in account.choices.children[1:]]
    assert labels == ["Choisir « Calanette Import-Export SARL »", "Créer le compte « Calanette »"]
    assert form.save() is None  # nothing created silently
    assert "account_id" in form.errors
    assert crm_data.counts()["accounts"] == accounts_before
    account.choices.children[1].click()  # "Choisir …"
    assert account.choices.layout.display == "none"
    cid = form.save()
    assert cid is not None and crm_data.contacts.get(cid).account_id == calanette
    assert crm_data.counts()["accounts"] == accounts_before


def test_creating_a_new_account_beside_a_close_name_is_explicit(crm_data: ck.CRM) -> None:
    crm_data.accounts.add(name="Calanette Import-Export SARL")
    form = ContactForm(crm_data)
    form.inputs["last_name"].value = "Roux"
    account = form.fields["account_id"]
    account.widget.value = "Calanette SARL"  # found by its first word
    assert list(account.offered) == ["Calanette Import-Export SARL"]
    account.choices.children[-1].click()  # "Create new account …"
    assert form.errors == {}
    assert "created on save" in account.message.value
    cid = form.save()
    assert cid is not None
    assert crm_data.accounts.get(crm_data.contacts.get(cid).account_id).name == "Calanette SARL"
