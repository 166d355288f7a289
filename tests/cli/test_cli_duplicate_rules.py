"""The command line under duplicate rules: an import's blocked rows are rejected (exit 3)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import crmkit as ck
from crmkit.cli import EXIT_REJECTED


def test_import_with_a_blocking_rule_exits_3_naming_the_rule(
    db: Path, run: Callable[..., int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ck.open(db) as crm:
        crm.contacts.add(first_name="Hélène", last_name="Blou", mobile="0625341257")
        crm.settings.duplicate_rule("contacts", "mobile", ["mobile"], on_import="block")
    path = tmp_path / "in.csv"
    pd.DataFrame({"last_name": ["Martin", "Durand"], "mobile": ["06 25 34 12 57", ""]}).to_csv(
        path, index=False
    )
    assert run("import", str(path), "--kind", "contacts") == EXIT_REJECTED
    out = capsys.readouterr().out
    assert "line 2 matches contact 1" in out and "duplicate rule 'mobile'" in out
    with ck.open(db) as crm:
        assert sorted(crm.contacts.df()["last_name"]) == ["Blou", "Durand"]


def test_rules_are_defined_listed_switched_and_removed_from_the_command_line(
    db: Path, run: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("rules") == 0
    assert "no duplicate rules" in capsys.readouterr().out
    assert run("rules", "add", "same mobile", "--fields", "mobile", "--on-create", "block") == 0
    assert "create=block" in capsys.readouterr().out
    with ck.open(db) as crm:  # the rule acts in Python as one defined there
        crm.contacts.add(last_name="Blou", mobile="06 25 34 12 57")
        with pytest.raises(ck.DuplicateRecordError, match="same mobile"):
            crm.contacts.add(last_name="Martin", mobile="0625341257")
    assert run("rules", "disable", "same mobile") == 0
    assert run("rules", "list", "--kind", "contacts") == 0
    assert "[disabled]" in capsys.readouterr().out
    with ck.open(db) as crm:
        crm.contacts.add(last_name="Martin", mobile="0625341257")
    assert run("rules", "remove", "same mobile") == 0
    with ck.open(db) as crm:
        assert crm.settings.duplicate_rules() == []


def test_a_rule_on_an_unknown_field_is_refused_with_the_closest_name(
    db: Path, run: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("rules", "add", "x", "--fields", "mobil") != 0
    assert "Did you mean 'mobile'?" in capsys.readouterr().err
