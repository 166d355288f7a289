"""rename_field and drop_field take care of what names the field: saved views, duplicate
rules and import profiles (same batch, undoable; drop refuses unless force=True)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import crmkit as ck


@pytest.fixture
def named(crm: ck.CRM) -> ck.CRM:
    """A custom field ``tier`` named by a view, two rules and a profile (and an accounts
    field of the same name, which nothing must touch)."""
    crm.settings.add_field("contacts", "tier", "text")
    crm.settings.add_field("accounts", "tier", "text")
    crm.views.save("gold", crm.contacts.filter(tier="Gold").sort("-tier"))
    crm.views.save("gold accounts", crm.accounts.filter(tier="Gold"))
    crm.views.save("all", crm.contacts.filter(active=True))
    crm.settings.duplicate_rule("contacts", "same tier", ["last_name", "tier"])
    crm.settings.duplicate_rule("contacts", "same name", ["last_name", "first_name"])
    crm.settings.duplicate_rule("accounts", "tier", ["tier"])
    crm.import_profiles.save(
        "shop",
        mapping={"Niveau": "tier", "Nom": "last_name"},
        defaults={"tier": "Silver"},
        overwrite={"tier": "never"},
        options={"match_on": ["email", "tier"]},
    )
    return crm


def _state(crm: ck.CRM) -> dict[str, Any]:
    views = crm.sql("SELECT name, kind, definition::VARCHAR AS d FROM saved_views ORDER BY name")
    return {
        "views": [(n, k, json.loads(d)) for n, k, d in views.fetchall()],
        "rules": [r.to_dict() for r in crm.settings.duplicate_rules()],
        "profiles": {n: crm.import_profiles.get(n).to_dict() for n in ["shop"]},
    }


def test_rename_rewrites_views_rules_and_profiles_in_one_undoable_batch(named: ck.CRM) -> None:
    before = _state(named)
    batch = named.settings.rename_field("contacts", "tier", "segment")
    assert named.views.load("gold").filters == (("segment", "Gold"),)
    assert named.views.load("gold").order == (("segment", True),)
    assert named.views.load("gold accounts").filters == (("tier", "Gold"),)  # accounts' own
    rules = {r.name: r.fields for r in named.settings.duplicate_rules()}
    assert rules == {
        "same tier": ("last_name", "segment"),
        "same name": ("last_name", "first_name"),
        "tier": ("tier",),
    }
    shop = named.import_profiles.get("shop")
    assert shop.mapping == {"Niveau": "segment", "Nom": "last_name"}
    assert shop.defaults == {"segment": "Silver"} and shop.overwrite == {"segment": "never"}
    assert shop.options == {"match_on": ["email", "segment"]}
    assert named.batches().iloc[0]["id"] == batch  # one batch
    named.undo(batch)
    assert _state(named) == before
    assert len(named.views.load("gold")) == 0  # loads: the field is tier again


def test_undo_of_the_undo_renames_again(named: ck.CRM) -> None:
    batch = named.settings.rename_field("contacts", "tier", "segment")
    after = _state(named)
    undo = named.undo(batch)
    named.undo(undo.batch_id)
    assert _state(named) == after


def test_drop_refuses_naming_each_reference_and_writes_nothing(named: ck.CRM) -> None:
    before = _state(named)
    batches = len(named.batches())
    with pytest.raises(ck.ValidationError) as err:
        named.settings.drop_field("contacts", "tier", confirm=True)
    text = str(err.value)
    for name in ("saved view 'gold'", "duplicate rule 'same tier'", "import profile 'shop'"):
        assert name in text
    assert "'gold accounts'" not in text and "'same name'" not in text
    assert "force=True" in text
    assert _state(named) == before and len(named.batches()) == batches
    assert "tier" in named.settings.catalog("contacts")


def test_drop_with_force_removes_the_references_and_undo_puts_them_back(named: ck.CRM) -> None:
    before = _state(named)
    batch = named.settings.drop_field("contacts", "tier", confirm=True, force=True)
    assert named.views.load("gold").filters == () and named.views.load("gold").order == ()
    assert [r.name for r in named.settings.duplicate_rules("contacts")] == ["same name"]
    shop = named.import_profiles.get("shop")
    assert shop.mapping == {"Niveau": None, "Nom": "last_name"}
    assert shop.defaults == {} and shop.overwrite == {} and shop.options == {"match_on": ["email"]}
    assert [r.name for r in named.settings.duplicate_rules("accounts")] == ["tier"]
    named.undo(batch)
    assert _state(named) == before
    assert "tier" in named.settings.catalog("contacts")


def test_drop_without_references_needs_no_force(crm: ck.CRM) -> None:
    crm.settings.add_field("contacts", "hobby", "text")
    crm.views.save("all", crm.contacts.filter(active=True))
    crm.settings.drop_field("contacts", "hobby", confirm=True)
    assert "hobby" not in crm.settings.catalog("contacts")


def test_undo_is_refused_when_a_rule_changed_since(named: ck.CRM) -> None:
    batch = named.settings.rename_field("contacts", "tier", "segment")
    named.settings.duplicate_rule("contacts", "same email", ["email"])
    with pytest.raises(ck.UndoConflictError, match="duplicate_rules"):
        named.undo(batch)
    assert "segment" in named.settings.catalog("contacts")
    assert named.views.load("gold").filters == (("segment", "Gold"),)


def test_the_refusal_speaks_french(named: ck.CRM) -> None:
    with ck.config_context(lang="fr"), pytest.raises(ck.ValidationError) as err:
        named.settings.drop_field("contacts", "tier", confirm=True)
    assert "vue enregistrée 'gold'" in str(err.value) and "profil d'import" in str(err.value)
