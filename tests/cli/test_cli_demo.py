"""``samples`` and ``demo`` (``crmkit.cli._commands._demo``)."""

from __future__ import annotations

from pathlib import Path

import pytest

import crmkit as ck
from crmkit.cli import EXIT_OK, main


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
