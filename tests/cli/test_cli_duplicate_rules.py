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
