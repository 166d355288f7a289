"""One input per catalog field (crmkit.widgets._inputs): the widget each field gets, values
read and shown as stored, messages, links resolved to records on a real CRM."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as ipw
import pytest

import crmkit as ck
from crmkit.schemas import ACCOUNTS, CONTACTS
from crmkit.widgets._inputs import (
    BoolInput,
    ChoiceInput,
    CountryInput,
    DateInput,
    FieldInput,
    ListInput,
    OwnerInput,
    RefInput,
    RefValue,
    TextInput,
    build_input,
    message_html,
)


@pytest.mark.parametrize(
    ("table", "field", "kind", "widget"),
    [
        (CONTACTS, "owner_id", OwnerInput, ipw.Dropdown),
        (CONTACTS, "account_id", RefInput, ipw.Combobox),
        (CONTACTS, "active", BoolInput, ipw.Checkbox),
        (CONTACTS, "birthday", DateInput, ipw.Text),
        (CONTACTS, "country", CountryInput, ipw.Combobox),
        (CONTACTS, "tags", ListInput, ipw.TagsInput),
        (ACCOUNTS, "sector", ChoiceInput, ipw.Dropdown),
        (CONTACTS, "gender", ChoiceInput, ipw.Dropdown),
        (CONTACTS, "last_name", TextInput, ipw.Text),
        (CONTACTS, "notes", TextInput, ipw.Textarea),
        (CONTACTS, "custom", TextInput, ipw.Textarea),
        (ACCOUNTS, "annual_revenue", TextInput, ipw.Text),
    ],
)
def test_each_field_gets_its_widget(
    crm: ck.CRM, table: Any, field: str, kind: type, widget: type
) -> None:
    made = build_input(crm, table[field], "en")
    assert type(made) is kind and type(made.widget) is widget
    assert f"crmkit-input-{field}" in made.widget._dom_classes
    assert f"crmkit-field-{field}" in made.box._dom_classes


def test_message_lines_and_required_stars(crm: ck.CRM) -> None:
    assert message_html("<b>Requis</b>", "warning") == (
        '<span style="color:#a65e00">&lt;b&gt;Requis&lt;/b&gt;</span>'
    )
    assert message_html("x", "whatever") == '<span style="color:inherit">x</span>'
    required = build_input(crm, CONTACTS["last_name"], "fr", required=True)
    assert required.caption == "Nom" and "*" in required.label.value
    assert "crmkit-required" in required.box._dom_classes
    required.show("Champ requis", "error")
    assert required.message.value == '<span style="color:#b00020">Champ requis</span>'
    required.clear()
    assert required.message.value == "" and required.get() is None
    seen: list[str] = []
    required.on_change(lambda changed: seen.append(changed.key))
    required.widget.value = "Blou"
    assert seen == ["last_name"]


def test_text_inputs_read_and_show_values(crm: ck.CRM) -> None:
    text = build_input(crm, ACCOUNTS["annual_revenue"], "en")
    text.widget.value = "  4,2 M€ "
    assert (text.get(), text.display()) == ("4,2 M€", "  4,2 M€ ")
    for value, shown in ((4_200_000.0, "4200000"), (12.5, "12.5"), (None, ""), (85, "85")):
        text.set(value)
        assert text.widget.value == shown
    text.widget.value = "   "
    assert text.get() is None


def test_choices_flags_dates_and_lists(crm: ck.CRM) -> None:
    gender = build_input(crm, CONTACTS["gender"], "fr")
    assert gender.get() is None and gender.display() is None
    gender.set("F")
    assert (gender.get(), gender.display()) == ("F", "Femme")
    gender.set("Z")  # a stored value outside the vocabulary stays visible
    assert (gender.get(), gender.display()) == ("Z", "Z")
    gender.set(None)  # the "none" option is shown again, not an empty box
    assert (gender.widget.index, gender.widget.label, gender.get()) == (0, "—", None)
    left = BoolInput("left_company", CONTACTS["active"], "Left", invert=True, lang="fr")
    left.set(None)  # active defaults to true: not "left"
    assert (left.widget.value, left.get(), left.display()) == (False, True, "non")
    left.widget.value = True
    assert left.get() is False and left.display() == "oui"
    birthday = build_input(crm, CONTACTS["birthday"], "en")
    for value in (dt.datetime(1980, 1, 15, 10, 0), "1980-01-15T00:00:00", dt.date(1980, 1, 15)):
        birthday.set(value)
        assert birthday.get() == dt.date(1980, 1, 15) and birthday.display() == "1980-01-15"
    birthday.set("")
    assert birthday.get() is None
    tags = build_input(crm, CONTACTS["tags"], "en")
    tags.widget.value = ["vip", " ", " 2024 "]
    assert (tags.get(), tags.display()) == (["vip", "2024"], "vip, 2024")
    tags.set(None)
    assert tags.get() is None and tags.display() is None


def test_owner_dropdown(crm: ck.CRM) -> None:
    marc = crm.owners.add("Marc Durand", team="Paris")
    owner = build_input(crm, CONTACTS["owner_id"], "fr")
    assert owner.default() is None  # the user is no owner yet
    crm.contacts.add(last_name="Blou")  # the current user becomes an owner
    nicole = crm.owners.resolve("Nicole Bertrand")
    owner.refresh()
    labels = [label for label, _ in owner.widget.options]
    assert labels[0] == "—" and "Marc Durand" in labels and "Paris (équipe)" in labels
    owner.set(marc)
    assert (owner.get(), owner.display()) == (marc, "Marc Durand")
    assert owner.default() == nicole
    crm.owners.deactivate("Marc Durand")
    owner.refresh()
    assert owner.get() is None  # a deactivated owner is no longer offered
    owner.set(marc)  # but a record's stored owner is still shown
    assert owner.display() == "Marc Durand"


def test_links_resolve_to_records(crm: ck.CRM) -> None:
    aprool = crm.accounts.add(name="APROOL")
    twin_a = crm.accounts.add(name="Twin")
    twin_b = crm.accounts.add(name="Twin")
    link = build_input(crm, CONTACTS["account_id"], "en", create_refs=True)
    assert set(link.widget.options) == {"APROOL", f"Twin (#{twin_a})", f"Twin (#{twin_b})"}
    link.widget.value = "apr"
    assert link.widget.options == ("APROOL",)
    # No record is named "apr", but APROOL is close: it is offered, creating is a choice.
    assert link.offered == {"APROOL": aprool}
    assert link.resolve() == RefValue(error="Pick an existing account below, or create a new one")
    link.create_new()
    assert link.resolve() == RefValue(new_name="apr")
    link.widget.value = "APROOL"
    assert link.resolve() == RefValue(id=aprool) and link.get() == aprool
    link.widget.value = f"Twin (#{twin_b})"
    assert link.get() == twin_b
    link.widget.value = "Twin"
    assert link.resolve().error is not None  # two records have that name
    link.set(aprool)
    assert (link.widget.value, link.get(), link.display()) == ("APROOL", aprool, "APROOL")
    link.set(None)
    assert link.resolve() == RefValue() and link.display() is None
    strict = build_input(crm, CONTACTS["account_id"], "en")
    strict.widget.value = "Nowhere Inc"
    assert strict.resolve().error is not None and strict.resolve().new_name is None


def test_a_plain_field_input() -> None:
    box = ipw.Dropdown(options=[("none", None), ("three", 3)], value=3)
    plain = FieldInput("n", "employees", "Employees", box, show_label=False)
    assert (plain.get(), plain.display()) == (3, "3")
    assert plain.box.children == (box, plain.message)  # no label line
    plain.set(None)
    assert plain.display() is None


def test_a_french_date_is_typed_and_shown_day_first(crm: ck.CRM) -> None:
    birthday = build_input(crm, CONTACTS["birthday"], "fr")
    assert birthday.widget.placeholder == "jj/mm/aaaa"
    birthday.set(dt.date(1980, 3, 4))
    assert birthday.widget.value == "04/03/1980" and birthday.get() == dt.date(1980, 3, 4)
    birthday.widget.value = "1980-03-04"  # ISO is read in every language
    assert birthday.get() == dt.date(1980, 3, 4)
    birthday.widget.value = "31/02/1980"  # no such day: kept as typed, the check says so
    assert birthday.get() == "31/02/1980"
    assert build_input(crm, CONTACTS["birthday"], "zh").widget.placeholder == "年-月-日"


def test_countries_are_offered_by_name_in_the_form_language_and_stored_as_codes(
    crm: ck.CRM,
) -> None:
    country = build_input(crm, CONTACTS["country"], "fr")
    assert "Allemagne" in country.widget.options and "Germany" not in country.widget.options
    country.widget.value = "Allemagne"
    assert country.get() == "DE"
    country.set("CN")
    assert country.widget.value == "Chine" and country.display() == "Chine"
    assert build_input(crm, CONTACTS["country"], "zh").widget.options != ()
    cid = crm.contacts.add(last_name="Wang", country=country.get())
    assert crm.contacts.get(cid).country == "CN"
