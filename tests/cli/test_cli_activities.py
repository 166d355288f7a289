"""``tasks`` and ``notes`` (``crmkit.cli._commands._activities``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from icalendar import Calendar

import crmkit as ck
from crmkit.cli import EXIT_ERROR, EXIT_OK


@pytest.fixture
def contact(db: Path) -> int:
    with ck.open(db, user="CLI") as crm:
        acc = crm.accounts.add(name="APROOL")
        return crm.contacts.add(last_name="Blou", email="b@aprool.com", account_id=acc)


def test_tasks_add_list_complete_export(
    run: Callable[..., int],
    db: Path,
    contact: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--type", "call", "--due", "2026-12-08 09:30", "--priority", "high"]
    assert (
        run(
            "tasks",
            "add",
            "Call back",
            *args,
            "--contact",
            "b@aprool.com",
            "--owner",
            "Marc Durand",
        )
        == EXIT_OK
    )
    assert capsys.readouterr().out.startswith("task 1 added (batch ")
    assert run("tasks", "add", "Visit", "--contact", str(contact)) == EXIT_OK
    capsys.readouterr()
    assert run("tasks", "list", "--owner", "Marc Durand") == EXIT_OK
    out = capsys.readouterr().out
    assert "Call back" in out and "Visit" not in out and "Marc Durand" in out
    assert run("tasks", "complete", "1", "--report", "Reached her") == EXIT_OK
    assert "task 1 done" in capsys.readouterr().out
    assert run("tasks", "list", "--status", "done") == EXIT_OK
    assert "Call back" in capsys.readouterr().out
    target = tmp_path / "tasks.ics"
    assert run("tasks", "export-ics", str(target)) == EXIT_OK
    assert "2 tasks written" in capsys.readouterr().out
    cal = Calendar.from_ical(target.read_bytes())
    assert {str(c["SUMMARY"]) for c in cal.walk("VTODO")} == {"Call back — Blou", "Visit — Blou"}
    with ck.open(db, read_only=True) as crm:
        assert crm.activities.get(1)["report"] == "Reached her"


def test_tasks_bad_input_is_an_error(
    run: Callable[..., int], db: Path, contact: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("tasks", "add", "X", "--due", "soon", "--contact", str(contact)) == EXIT_ERROR
    assert capsys.readouterr().err == "crmkit: error: due_at: 'soon' is not a date\n"
    assert run("tasks", "add", "X", "--type", "fax", "--contact", str(contact)) == EXIT_ERROR
    assert "unknown task_type 'fax'" in capsys.readouterr().err
    assert run("tasks", "complete", "99") == EXIT_ERROR
    capsys.readouterr()
    with ck.open(db, read_only=True) as crm:
        assert len(crm.activities.all()) == 0


def test_notes_add_and_list(
    run: Callable[..., int], contact: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("notes", "add", "Met at the fair", "--contact", str(contact)) == EXIT_OK
    assert run("notes", "add", "Account note", "--account", "1", "--author", "Zoé") == EXIT_OK
    capsys.readouterr()
    assert run("notes", "list", "--contact", str(contact)) == EXIT_OK
    out = capsys.readouterr().out
    assert "Met at the fair" in out and "Account note" not in out
    assert run("notes", "list") == EXIT_OK
    assert "Zoé" in capsys.readouterr().out
    assert run("notes", "add", "nowhere") == EXIT_ERROR
    assert "needs a contact or an account" in capsys.readouterr().err
