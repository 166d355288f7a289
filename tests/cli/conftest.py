"""Fixtures for the command-line tests: a database file with three owners, a runner, and a
small folder of sample files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import crmkit as ck
from crmkit.cli import EXIT_OK, main


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A CRM file holding the owners Marc Durand and Zoé Martin (team Paris) and Li Wei."""
    path = tmp_path / "crm.duckdb"
    with ck.open(path, user="CLI") as crm:
        for name, team in (("Marc Durand", "Paris"), ("Zoé Martin", "Paris"), ("Li Wei", None)):
            crm.owners.add(name, team=team)
    return path


@pytest.fixture
def run(db: Path) -> Callable[..., int]:
    """``run("filter", "--owner", "Paris")``: ``crmkit --db <db> --user CLI ...``'s exit code."""

    def run_cli(*args: str) -> int:
        return main(["--db", str(db), "--user", "CLI", *args])

    return run_cli


@pytest.fixture
def small_samples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A small sample folder written by ``crmkit samples``."""
    folder = tmp_path / "samples"
    argv = ["samples", "--out", str(folder), "--accounts", "6", "--contacts", "12", "--seed", "3"]
    assert main(argv) == EXIT_OK
    out = capsys.readouterr().out
    assert "owners.csv" in out and str(folder) in out
    return folder
