"""``samples`` and ``demo`` (``crmkit.cli._commands._demo``) and ``crmkit.cli._sample_data``."""

from __future__ import annotations

from pathlib import Path

import pytest

import crmkit as ck
from crmkit.cli import EXIT_OK, band_summary, load_sample_folder, main


@pytest.fixture
def small_samples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A small sample folder written by ``crmkit samples``."""
    folder = tmp_path / "samples"
    argv = ["samples", "--out", str(folder), "--accounts", "6", "--contacts", "12", "--seed", "3"]
    assert main(argv) == EXIT_OK
    out = capsys.readouterr().out
    assert "owners.csv" in out and str(folder) in out
    return folder


def test_load_sample_folder_and_bands(small_samples: Path) -> None:
    with ck.open(user="Demo") as crm:
        accounts, contacts = load_sample_folder(crm, small_samples)
        assert accounts.kind == "accounts" and contacts.kind == "contacts"
        assert accounts.inserted > 0 and len(crm.contacts) > 0
        assert len(crm.owners) > 0
        bands = band_summary(crm, "revenue")
        assert list(bands.columns[:2]) == ["band", "accounts"]
        assert bands["accounts"].sum() == len(crm.accounts)
        assert band_summary(crm, "headcount")["accounts"].sum() == len(crm.accounts)


def test_demo_loads_a_folder_into_a_new_file(
    small_samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "out" / "crm.duckdb"
    assert main(["--db", str(db), "demo", "--samples", str(small_samples)]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith(f"Loading {small_samples} into {db}\n")
    assert "Rows per table:" in out and "Accounts by headcount band:" in out
    with ck.open(db, read_only=True) as crm:
        assert set(crm.batches()["actor"]) == {"Demo"}
        assert len(crm.accounts) > 0
