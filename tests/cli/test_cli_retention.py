"""``retention``: rules defined, listed and removed from the command line; ``apply`` is a
dry run unless ``--yes``, and anonymising needs ``--yes`` (it cannot be undone)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import crmkit as ck
from crmkit.cli import EXIT_OK


def _old_contact(db: Path, **values: object) -> int:
    with ck.open(db) as crm:
        c = crm.contacts.add(last_name="Blou", **values)
        crm.connection.execute(
            "UPDATE contacts SET created_at = TIMESTAMP '2020-01-01', "
            "updated_at = TIMESTAMP '2020-01-01' WHERE id = ?",
            [c],
        )
    return c


def test_rules_are_added_listed_applied_and_removed(
    db: Path, run: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    c = _old_contact(db)
    assert run("retention") == EXIT_OK
    assert "no retention rules" in capsys.readouterr().out
    argv = ["retention", "add", "contacts", "--after", "3 ans", "--action", "archive"]
    assert run(*argv, "--where", '{"active": true}') == EXIT_OK
    assert "defined rule 1: archive contacts" in capsys.readouterr().out
    assert run("retention", "list") == EXIT_OK
    out = capsys.readouterr().out
    assert "rule 1" in out and "history horizon: none" in out
    assert run("retention", "apply", "--dry-run") == EXIT_OK
    assert "1 record would be touched" in capsys.readouterr().out
    assert run("retention", "apply") == EXIT_OK  # without --yes: a dry run too
    with ck.open(db) as crm:
        assert crm.contacts.get(c)["active"] is True
    assert run("retention", "apply", "--yes") == EXIT_OK
    assert "1 record touched" in capsys.readouterr().out
    with ck.open(db) as crm:
        assert crm.contacts.get(c)["active"] is False
    assert run("retention", "remove", "1") == EXIT_OK
    with ck.open(db) as crm:
        assert crm.settings.retention_rules() == []


def test_bad_rules_are_refused_without_a_traceback(
    run: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("retention", "add", "contacts", "--after", "bientôt") != EXIT_OK
    assert "'bientôt' is not a duration" in capsys.readouterr().err
    assert run("retention", "add", "contacts", "--where", '{"activ": false}') != EXIT_OK
    assert "Did you mean 'active'?" in capsys.readouterr().err
    assert run("retention", "add", "contacts", "--where", "{oops") != EXIT_OK
    assert "Traceback" not in capsys.readouterr().err
