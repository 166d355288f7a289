"""``crmkit erase`` (``crmkit.cli._commands._privacy``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import crmkit as ck
from crmkit.cli import EXIT_ERROR, EXIT_OK, EXIT_REJECTED

EMAIL = "quillon.zarbuteau@xylophonia.example"


def test_erase_needs_yes_then_erases(
    run: Callable[..., int], db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ck.open(db, user="CLI") as crm:
        cid = crm.contacts.add(last_name="Zarbuteau", email=EMAIL)
        other = crm.contacts.add(last_name="Roux")
    assert run("erase", "--ids", str(cid), "--reason", "request") == EXIT_ERROR
    err = capsys.readouterr().err
    assert "cannot be undone" in err and "confirm=True" in err
    with ck.open(db, read_only=True) as crm:
        assert crm.contacts.exists(cid)
    assert run("erase", "--ids", str(cid), "--reason", "request", "--yes") == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("erasure 1 (batch ") and "Zarbuteau" not in out
    assert run("erase", "--ids", str(cid), "--reason", "again", "--yes") == EXIT_ERROR
    assert "already erased" in capsys.readouterr().err
    assert run("erase", "--ids", "999", "--reason", "r", "--yes") == EXIT_ERROR
    assert "999" in capsys.readouterr().err
    assert b"Zarbuteau" not in db.read_bytes()
    # The blocklist holds on the command line's import too.
    source = tmp_path / "back.csv"
    source.write_text(f"last_name,email\nAgain,{EMAIL}\nNew,new@ex.org\n", encoding="utf-8")
    assert run("import", str(source), "--kind", "contacts") == EXIT_REJECTED
    assert "matches an erased person" in capsys.readouterr().out
    with ck.open(db, read_only=True) as crm:
        assert sorted(crm.contacts.df()["id"]) == sorted([other, other + 1])
