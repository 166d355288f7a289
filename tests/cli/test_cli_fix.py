"""``fix`` (``crmkit.cli._commands._fix``): proposed fixes printed, applied if asked."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import crmkit as ck
from crmkit.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, main


@pytest.fixture
def messy(db: Path) -> Path:
    """The CLI database with three contacts whose stored names and phones are messy."""
    with ck.open(db, user="CLI") as crm:
        for last_name, mobile in [("DUPONT", "06 25 34 12 57"), ("o'brien", None), ("Blou", None)]:
            record = crm.contacts.add(last_name="x")
            crm._session.con.execute(
                "UPDATE contacts SET last_name = ?, mobile = ? WHERE id = ?",
                [last_name, mobile, record],
            )
    return db


def _names(db: Path) -> list[str]:
    with ck.open(db, read_only=True) as crm:
        return crm.contacts.df()["last_name"].tolist()


def test_prints_the_fixes_and_writes_nothing(
    run: Callable[..., int], messy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("fix") == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("contacts: 3 proposed fixes on 2 records")
    assert "O'Brien" in out and "+33625341257" in out and "Name case" in out
    assert _names(messy) == ["DUPONT", "o'brien", "Blou"]


def test_apply_chosen_rules_then_undo(
    run: Callable[..., int], messy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("fix", "--rule", "name_case", "--field", "last_name", "--apply") == EXIT_OK
    out = capsys.readouterr().out
    assert "fixes on 2 contacts: 2 changed" in out
    assert _names(messy) == ["Dupont", "O'Brien", "Blou"]
    with ck.open(messy, read_only=True) as crm:
        assert crm.contacts.df()["mobile"].iloc[0] == "06 25 34 12 57"  # another rule
    assert run("undo", "last") == EXIT_OK
    assert _names(messy) == ["DUPONT", "o'brien", "Blou"]


def test_db_as_first_argument_and_french(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fix", str(messy), "--apply", "--lang", "fr"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "contacts : 3 corrections proposées sur 2 fiches" in out
    assert "Casse du nom" in out
    assert _names(messy) == ["Dupont", "O'Brien", "Blou"]


def test_bad_input(
    run: Callable[..., int], messy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("fix", "--field", "nope", "--apply") == EXIT_ERROR
    assert "unknown field 'nope' of contacts" in capsys.readouterr().err
    assert run("fix", "--rule", "typo") == EXIT_USAGE
    assert "invalid choice: 'typo'" in capsys.readouterr().err
    assert _names(messy) == ["DUPONT", "o'brien", "Blou"]


def test_as_a_process(messy: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crmkit", "--db", str(messy), "fix", "--kind", "contacts",
         "--lang", "zh"],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == EXIT_OK, done.stderr
    assert done.stdout.startswith("联系人：2 条记录中有 3 处建议修正")
