"""``crmkit convert`` (``crmkit.cli._commands._convert``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import crmkit as ck
from crmkit.cli import EXIT_ERROR, EXIT_OK


@pytest.fixture
def leads(db: Path) -> Path:
    """Account Acme SAS; leads 1 (ACME), 2 and 3 (Blue Widgets); customer 4."""
    with ck.open(db, user="CLI") as crm:
        crm.accounts.add(name="Acme SAS")
        crm.contacts.add(last_name="Lee", lifecycle_stage="lead", company_name="ACME")
        crm.contacts.add(last_name="Roy", lifecycle_stage="qualified", company_name="Blue Widgets")
        crm.contacts.add(last_name="Ng", lifecycle_stage="lead", company_name="Blue Widgets")
        crm.contacts.add(last_name="Old", lifecycle_stage="customer", company_name="Zeta")
    return db


def _stages(db: Path) -> list[str | None]:
    with ck.open(db, read_only=True) as crm:
        return [crm.contacts.get(i).lifecycle_stage for i in (1, 2, 3, 4)]


def test_convert_without_ids_takes_every_lead(
    run: Callable[..., int], leads: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("convert") == EXIT_OK
    out = capsys.readouterr().out
    assert "3 contacts converted" in out and "1 account created" in out
    assert _stages(leads) == ["customer", "customer", "customer", "customer"]
    with ck.open(leads, read_only=True) as crm:
        assert sorted(crm.accounts.df()["name"]) == ["Acme SAS", "Blue Widgets"]


def test_convert_ids_to_a_stage_and_an_account(
    run: Callable[..., int], leads: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("convert", "--ids", "2", "--to-account", "1", "--to-stage", "former") == EXIT_OK
    assert "given Acme SAS" in capsys.readouterr().out
    assert _stages(leads) == ["lead", "former", "lead", "customer"]


def test_convert_filter_flags_and_dry_run(
    run: Callable[..., int], leads: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("convert", "--stage", "qualified", "--dry-run") == EXIT_OK
    out = capsys.readouterr().out
    assert "1 contact to convert" in out and "dry run" in out
    assert _stages(leads) == ["lead", "qualified", "lead", "customer"]


def test_convert_refusals_exit_with_an_error_and_write_nothing(
    run: Callable[..., int], leads: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("convert", "--ids", "1", "4") == EXIT_ERROR
    err = capsys.readouterr().err
    assert "contact 4" in err and "lifecycle_stage" in err and "'customer'" in err
    assert run("convert", "--ids", "2", "--no-create-account") == EXIT_ERROR
    assert "'Blue Widgets': no matching account" in capsys.readouterr().err
    assert run("convert", "--stage", "hot") == EXIT_ERROR
    assert "'hot'" in capsys.readouterr().err
    assert run("convert", "--kind", "accounts") == EXIT_ERROR
    assert "not accounts" in capsys.readouterr().err
    assert _stages(leads) == ["lead", "qualified", "lead", "customer"]
