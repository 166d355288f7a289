"""Loading a sample set into a CRM (crmkit.samples._load), on real files and a real
DuckDB file."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

import crmkit as ck
from crmkit.samples import load_sample, write_sample_files


def test_load_sample_reads_a_folder_written_by_write_sample_files(tmp_path: Path) -> None:
    folder = tmp_path / "samples"
    write_sample_files(folder, n_accounts=5, n_contacts=20)
    with ck.open(tmp_path / "crm.duckdb", user="Demo") as crm:
        accounts, contacts = load_sample(crm, folder)
        assert (accounts.kind, contacts.kind) == ("accounts", "contacts")
        assert len(crm.accounts) >= accounts.inserted > 0
        assert len(crm.contacts) == contacts.inserted > 0
        teams = crm.owners.list().query("kind == 'team'")
        assert len(teams) > 0
        crm.undo(contacts.batch_id)  # a sample load is ordinary batches
        assert len(crm.contacts) == 0


def test_load_sample_without_a_folder_writes_a_fresh_set_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with ck.open(user="Demo") as crm:
        _, contacts = load_sample(crm)
        assert contacts.inserted > 100
    assert list(tmp_path.iterdir()) == []
