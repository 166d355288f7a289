"""Fixtures for the command-line tests: a database file with three owners, and a runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import crmkit as ck
from crmkit.cli import main


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
