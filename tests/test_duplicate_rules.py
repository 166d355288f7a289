"""Duplicate rules: defined, checked, stored in the database, listed, switched, removed."""

from __future__ import annotations

from pathlib import Path

import pytest

import crmkit as ck


def test_rules_are_stored_in_the_file_and_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path) as crm:
        rule = crm.settings.duplicate_rule(
            "contact", "same email", ["email"], on_create="block", on_import="alert"
        )
        assert rule.kind == "contacts" and rule.action("import") == "alert"
        crm.settings.duplicate_rule("accounts", "same name", "name", match="exact")
        crm.settings.enable_duplicate_rule("accounts", "same name", False)
    with ck.open(path) as again:
        rules = again.settings.duplicate_rules()
        assert [(r.kind, r.name, r.enabled) for r in rules] == [
            ("contacts", "same email", True),
            ("accounts", "same name", False),
        ]
        assert again.settings.duplicate_rules("contacts")[0] == rule
        # Defining a rule again replaces it, in place.
        again.settings.duplicate_rule("contacts", "same email", ["email", "last_name"])
        assert again.settings.duplicate_rules("contacts")[0].fields == ("email", "last_name")
        again.settings.remove_duplicate_rule("contacts", "same email")
        assert [r.name for r in again.settings.duplicate_rules()] == ["same name"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "contcts"}, "unknown kind of record 'contcts'. Did you mean 'contacts'"),
        ({"fields": ["emial"]}, "unknown contacts field 'emial'. Did you mean 'email'"),
        ({"fields": ["id"]}, "unknown contacts field 'id'"),
        ({"match": "fuzy"}, "unknown match 'fuzy'. Did you mean 'fuzzy'"),
        ({"on_create": "blok"}, "unknown on_create action 'blok'. Did you mean 'block'"),
        ({"on_import": "warn"}, "unknown on_import action 'warn'"),
    ],
)
def test_bad_definitions_raise_with_a_suggestion(arguments: dict, message: str) -> None:
    values = {"kind": "contacts", "name": "r", "fields": ["email"], **arguments}
    with ck.open() as crm, pytest.raises(ck.UnknownValueError, match=message):
        crm.settings.duplicate_rule(**values)
    with ck.open() as crm:
        assert crm.settings.duplicate_rules() == []  # nothing stored


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"name": " "}, "needs a name"),
        ({"fields": []}, "at least one field"),
        ({"fields": ["email", "email"]}, "names a field twice"),
        ({"threshold": 1.5}, "threshold"),
        ({"threshold": True}, "threshold"),
    ],
)
def test_bad_values_raise_validation_errors(arguments: dict, message: str) -> None:
    values = {"kind": "contacts", "name": "r", "fields": ["email"], **arguments}
    with ck.open() as crm, pytest.raises(ck.ValidationError, match=message):
        crm.settings.duplicate_rule(**values)


def test_unknown_rule_names_suggest_the_closest() -> None:
    with ck.open() as crm:
        crm.settings.duplicate_rule("contacts", "same email", ["email"])
        with pytest.raises(ck.UnknownValueError, match="Did you mean 'same email'"):
            crm.settings.remove_duplicate_rule("contacts", "same emial")


def test_a_rule_read_back_is_checked_again(tmp_path: Path) -> None:
    """A crmkit file is data: a rule edited by hand to name a column that is no field fails."""
    path = tmp_path / "crm.duckdb"
    with ck.open(path) as crm:
        crm.settings.duplicate_rule("contacts", "r", ["email"])
        crm.connection.execute(
            "UPDATE settings SET value = replace(value, '\"email\"', '\"email; DROP\"') "
            "WHERE key = 'duplicate_rules'"
        )
        with pytest.raises(ck.UnknownValueError, match="email; DROP"):
            crm.contacts.add(last_name="Blou")
