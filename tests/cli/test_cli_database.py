"""``crmkit.cli._database``: opening the database of ``--db`` as ``--user``."""

from __future__ import annotations

import argparse
from pathlib import Path

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
