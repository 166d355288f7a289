"""``undo`` and ``history`` (``crmkit.cli._commands._history``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import crmkit as ck
from crmkit.cli import EXIT_ERROR, EXIT_OK
from crmkit.cli._commands._history import last_batch


def test_last_batch_is_the_newest_in_force() -> None:
    with ck.open(user="CLI") as crm:
        with pytest.raises(ck.UndoError, match="there is no batch to undo"):
            last_batch(crm)
        first = crm.contacts.add(last_name="Blou")
        crm.contacts.update(first, job_title="DSI")
        update = int(crm.batches().iloc[0]["id"])
        assert last_batch(crm) == update
        crm.undo(update)  # the undo is itself a batch, never "last"
        assert last_batch(crm) == update - 1


def test_undo_last_then_errors(
    run: Callable[..., int], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ck.open(db, user="CLI") as crm:
        cid = crm.contacts.add(last_name="Blou")
        crm.contacts.update(cid, job_title="DSI")
    assert run("undo", "last") == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("undid batch ") and "1 field restored" in out
    with ck.open(db, read_only=True) as crm:
        assert crm.contacts.get(cid)["job_title"] is None
    assert run("undo", "abc") == EXIT_ERROR
    assert capsys.readouterr().err == "crmkit: error: undo takes a batch id or 'last', got 'abc'\n"


def test_undo_last_with_nothing_to_undo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crmkit.cli import main

    assert main(["--db", str(tmp_path / "empty.duckdb"), "undo", "last"]) == EXIT_ERROR
    assert capsys.readouterr().err == "crmkit: error: there is no batch to undo\n"


def test_history_of_batches_records_and_one_batch(
    run: Callable[..., int], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ck.open(db, user="CLI") as crm:
        cid = crm.contacts.add(last_name="Blou")
        crm.contacts.update(cid, job_title="DSI")
        batch = int(crm.batches().iloc[0]["id"])
    assert run("history", "--limit", "2") == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0].split()[:3] == ["id", "created_at", "actor"]
    assert run("history", "--id", str(cid)) == EXIT_OK
    out = capsys.readouterr().out
    assert "insert" in out and "DSI" in out
    assert run("history", "--batch", str(batch)) == EXIT_OK
    out = capsys.readouterr().out
    assert "job_title" in out and "insert" not in out
