"""``crmkit.cli._database``: opening the database of ``--db`` as ``--user``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import crmkit as ck
from crmkit.cli import EXIT_OK
from crmkit.cli._database import KINDS, open_crm, open_to_read, records_of


def test_open_as_the_user(db: Path) -> None:
    args = argparse.Namespace(db=str(db), user="Zoé Martin")
    with open_crm(args) as crm:
        assert crm.user == "Zoé Martin" and not crm.read_only
        assert records_of(crm, "contacts") is crm.contacts
        assert records_of(crm, "accounts") is crm.accounts
    with open_to_read(args) as crm:
        assert crm.read_only


def test_open_to_read_creates_a_missing_file(tmp_path: Path) -> None:
    args = argparse.Namespace(db=str(tmp_path / "new.duckdb"), user=None)
    with open_to_read(args) as crm:
        assert not crm.read_only and len(crm.contacts) == 0
    assert KINDS[0] == "contacts"


def test_shared_beside_a_notebook(db: Path, run: Callable[..., int]) -> None:
    notebook = ck.open(db, shared=True, user="notebook")
    acc = notebook.accounts.add(name="APROOL")
    notebook.contacts.add(last_name="Blou", account_id=acc, owner="Li Wei")
    args = argparse.Namespace(db=str(db), user="CLI", shared=True, timeout=1.0)
    with open_crm(args) as crm:  # a writing command with --shared
        assert crm.shared and not crm.read_only
    with open_to_read(argparse.Namespace(db=str(db), user=None)) as crm:
        assert crm.shared and crm.read_only  # commands that only read are always shared
    assert run("--shared", "reassign", "--owner", "Li Wei", "--to", "Marc Durand") == EXIT_OK
    assert notebook.contacts.df()["owner"].tolist() == ["Marc Durand"]  # seen at once
    notebook.close()
