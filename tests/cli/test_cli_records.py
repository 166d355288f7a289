"""``filter``, ``export`` and ``reassign`` (``crmkit.cli._commands._records``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import crmkit as ck
from crmkit.cli import EXIT_ERROR, EXIT_OK


@pytest.fixture
def people(db: Path) -> Path:
    """Two accounts (one archived) and three contacts of Paris owners, one in Lyon."""
    with ck.open(db, user="CLI") as crm:
        acc = crm.accounts.add(name="APROOL", owner="Marc Durand")
        old = crm.accounts.add(name="Libius", owner="Li Wei")
        crm.accounts.update(old, archived=True)
        for last, city in (("Blou", "Paris"), ("Roy", "Lyon"), ("Zhang", "Paris")):
            crm.contacts.add(last_name=last, city=city, account_id=acc, owner="Zoé Martin")
    return db


def test_filter_prints_the_first_rows_and_counts_them_all(
    run: Callable[..., int], people: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("filter", "--owner", "Paris", "--limit", "1", "--columns", "id,last_name") == 0
    out = capsys.readouterr().out
    assert out.startswith("Selection(contacts: 3 records; owner=['Paris'])")
    assert run("filter", "--where", "city=Lyon") == EXIT_OK
    assert "Roy" in capsys.readouterr().out
    assert run("filter", "--kind", "accounts", "--inactive") == EXIT_OK
    out = capsys.readouterr().out
    assert "archived=True" in out and "Libius" in out and "APROOL" not in out


def test_filter_out_writes_a_file(
    run: Callable[..., int], people: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "paris.csv"
    assert run("filter", "--where", "city=Paris", "--out", str(out), "--lang", "fr") == 0
    assert capsys.readouterr().out == f"2 contacts written to {out}\n"
    assert "Nom" in pd.read_csv(out).columns


def test_export_tables_and_vcards(
    run: Callable[..., int], people: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "c.csv"
    assert run("export", str(csv), "--columns", "id,last_name", "--excel") == EXIT_OK
    assert capsys.readouterr().out == f"3 contacts written to {csv}\n"
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    vcf = tmp_path / "c.vcf"
    assert run("export", str(vcf), "--vcard-version", "4.0", "--search", "blou") == EXIT_OK
    assert capsys.readouterr().out == f"1 contact written to {vcf}\n"
    assert "VERSION:4.0" in vcf.read_text(encoding="utf-8")
    accounts = tmp_path / "a.xlsx"
    assert run("export", str(accounts), "--kind", "accounts") == EXIT_OK
    assert capsys.readouterr().out == f"2 accounts written to {accounts}\n"


def test_reassign_round_robin_and_errors(
    run: Callable[..., int], people: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("reassign", "--to", "Li Wei", "--to", "Marc Durand", "--owner", "Paris") == 0
    assert "BulkReport(reassign" in capsys.readouterr().out
    with ck.open(people, read_only=True) as crm:
        owners = crm.contacts.filter().df()["owner"]
        assert sorted(set(owners)) == ["Li Wei", "Marc Durand"]
    assert run("reassign", "--to", "Nobody") == EXIT_ERROR
    assert "unknown owner 'Nobody'" in capsys.readouterr().err
