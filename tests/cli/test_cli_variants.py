"""``variants`` (``crmkit.cli._commands._variants``): clusters printed, applied if asked."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import crmkit as ck
from crmkit.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, main


@pytest.fixture
def titles(db: Path) -> Path:
    """The CLI database with five contacts: two job titles, each spelt several ways."""
    with ck.open(db, user="CLI") as crm:
        for i, title in enumerate(
            [
                "Directeur commercial",
                "DIRECTEUR COMMERCIAL",
                "Chef de projet",
                "chef de projet",
                "DRH",
            ]
        ):
            crm.contacts.add(last_name=f"Blou{i}", job_title=title)
    return db


def _titles(db: Path) -> list[str]:
    with ck.open(db, read_only=True) as crm:
        return sorted(crm.contacts.df()["job_title"])


def test_prints_the_clusters_and_writes_nothing(
    run: Callable[..., int], titles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _titles(titles)
    assert run("variants", "job_title") == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("Job title of contacts (fingerprint): 2 clusters, 4 values")
    assert "DIRECTEUR COMMERCIAL" in out and "Proposed value" in out
    assert _titles(titles) == before


def test_apply_some_clusters_then_undo(
    run: Callable[..., int], titles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _titles(titles)
    assert run("variants", "job_title", "--apply", "1") == EXIT_OK  # the first by name
    out = capsys.readouterr().out
    assert "variants on 1 contact: 1 changed" in out
    assert _titles(titles).count("Chef de projet") == 2
    assert "DIRECTEUR COMMERCIAL" in _titles(titles)
    assert run("undo", "last") == EXIT_OK
    assert _titles(titles) == before


def test_db_as_first_argument_and_french(
    titles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["variants", str(titles), "job_title", "--apply", "all", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "Fonction des contacts (fingerprint) : 2 groupes" in out
    assert _titles(titles) == [
        "Chef de projet",
        "Chef de projet",
        "DRH",
        *["Directeur commercial"] * 2,
    ]


def test_dry_run_and_methods(
    run: Callable[..., int], titles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _titles(titles)
    assert (
        run(
            "variants",
            "job_title",
            "--method",
            "levenshtein",
            "--radius",
            "2",
            "--apply",
            "all",
            "--dry-run",
        )
        == EXIT_OK
    )
    assert "would change: 2" in capsys.readouterr().out
    assert _titles(titles) == before


def test_bad_input(
    run: Callable[..., int], titles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("variants", "nope") == EXIT_ERROR
    assert "unknown field 'nope' of contacts" in capsys.readouterr().err
    assert run("variants", "job_title", "--apply", "9") == EXIT_ERROR
    assert "no cluster 9" in capsys.readouterr().err
    assert run("variants", "job_title", "--apply", "x") == EXIT_USAGE
    assert "expected 'all' or cluster numbers" in capsys.readouterr().err
    assert run("variants", "job_title", "--method", "soundex") == EXIT_USAGE
    assert "invalid choice: 'soundex'" in capsys.readouterr().err


def test_as_a_process(titles: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "crmkit",
            "--db",
            str(titles),
            "variants",
            "job_title",
            "--kind",
            "contacts",
            "--lang",
            "zh",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == EXIT_OK, done.stderr
    assert done.stdout.startswith("联系人的职位（fingerprint）：2 组")
