"""The command line: every subcommand on real files, exit codes, errors without traceback."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import crmkit as ck
from crmkit.cli import EXIT_ERROR, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, main

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "crm.duckdb"
    with ck.open(path, user="CLI") as crm:
        for name, team in (("Marc Durand", "Paris"), ("Zoé Martin", "Paris"), ("Li Wei", None)):
            crm.owners.add(name, team=team)
    return path


def run(db: Path, *args: str) -> int:
    return main(["--db", str(db), "--user", "CLI", *args])


def test_import_filter_reassign_export_undo(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db, "import", str(SAMPLES / "accounts.csv"), "--kind", "accounts", "--quiet") in (
        EXIT_OK,
        EXIT_REJECTED,
    )
    code = run(
        db,
        "import",
        str(SAMPLES / "contacts_fr.csv"),
        "--create-accounts",
        "--create-owners",
        "--quiet",
        "--rejects",
        str(tmp_path / "rejects.csv"),
    )
    out = capsys.readouterr().out
    assert "ImportReport(contacts" in out
    assert code in (EXIT_OK, EXIT_REJECTED)
    if code == EXIT_REJECTED:
        assert (tmp_path / "rejects.csv").exists()

    assert run(db, "filter", "--owner", "Paris", "--limit", "5") == EXIT_OK
    assert "Selection(contacts" in capsys.readouterr().out

    assert run(db, "reassign", "--to", "Li Wei", "--search", "a") == EXIT_OK
    out = capsys.readouterr().out
    assert "BulkReport(reassign" in out
    batch = int(out.split("batch ")[1].split(")")[0])

    assert (
        run(db, "export", str(tmp_path / "li.xlsx"), "--owner", "Li Wei", "--lang", "fr") == EXIT_OK
    )
    assert (tmp_path / "li.xlsx").exists()
    assert run(db, "export", str(tmp_path / "li.zip"), "--owner", "Li Wei") == EXIT_OK
    with zipfile.ZipFile(tmp_path / "li.zip") as archive:
        assert archive.namelist() and all(n.endswith(".vcf") for n in archive.namelist())
    assert run(db, "filter", "--owner", "Li Wei", "--out", str(tmp_path / "li.csv")) == EXIT_OK
    exported = pd.read_csv(tmp_path / "li.csv")
    assert len(exported) > 0

    assert run(db, "undo", str(batch)) == EXIT_OK
    assert "undid batch" in capsys.readouterr().out
    assert run(db, "undo", str(batch)) == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("crmkit: error:") and "already undone" in err

    assert run(db, "history") == EXIT_OK
    assert "reassign" in capsys.readouterr().out
    assert run(db, "history", "--id", "1") == EXIT_OK
    assert "insert" in capsys.readouterr().out


def test_preview_and_validate(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db, "preview", str(SAMPLES / "google_contacts.csv")) == EXIT_OK
    assert "layout=google" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("Nom,E-mail\n,x@y.fr\nBlou,h@aprool.com\n", encoding="utf-8")
    assert run(db, "validate", str(bad), "--quiet") == EXIT_REJECTED
    out = capsys.readouterr().out
    assert "DRY RUN" in out and "last_name: required" in out
    with ck.open(db, read_only=True) as crm:
        assert len(crm.contacts) == 0


def test_errors_and_usage(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db, "reassign", "--to", "Nobody") == EXIT_ERROR
    err = capsys.readouterr().err
    assert "unknown owner 'Nobody'" in err and "Traceback" not in err
    assert run(db, "filter", "--sector", "Sofware") == EXIT_ERROR
    assert "Did you mean 'Software'" in capsys.readouterr().err
    missing = tmp_path / "nope.csv"
    assert run(db, "import", str(missing)) == EXIT_ERROR
    assert run(db, "frobnicate") == EXIT_USAGE
    assert run(db, "import") == EXIT_USAGE
    assert main(["--help"]) == EXIT_OK
    for command in (
        "import",
        "preview",
        "export",
        "filter",
        "reassign",
        "undo",
        "history",
        "validate",
    ):
        assert main([command, "--help"]) == EXIT_OK
    assert "usage: crmkit " + "import" in capsys.readouterr().out


def test_installed_entry_point(db: Path) -> None:
    """The real `crmkit` executable: exit codes and a one-line error, no traceback."""
    exe = Path(sys.executable).with_name("crmkit")
    result = subprocess.run(
        [str(exe), "--db", str(db), "undo", "999"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == EXIT_ERROR
    assert result.stderr.strip() == "crmkit: error: no batch 999"


def test_dedupe_and_merge(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with ck.open(db, user="CLI") as crm:
        a = crm.contacts.add(last_name="Blou", first_name="Hélène", email="h@aprool.com")
        b = crm.contacts.add(last_name="BLOU", first_name="Helene", email="H@aprool.com")
        crm.contacts.add(last_name="Roy", first_name="Jean", email="j@roy.fr")
    assert run(db, "dedupe", "--out", str(tmp_path / "pairs.csv")) == EXIT_OK
    out = capsys.readouterr().out
    assert "DuplicateReport(1 pairs" in out and "email exact" in out
    assert len(pd.read_csv(tmp_path / "pairs.csv")) == 1
    assert run(db, "merge", str(a), str(b), "--survivor", str(a)) == EXIT_OK
    out = capsys.readouterr().out
    assert f"[{b}] -> {a}" in out
    batch = int(out.split("batch ")[1].split(")")[0])
    assert run(db, "undo", str(batch)) == EXIT_OK
    assert run(db, "merge", "--all", "--min-probability", "0.5") == EXIT_OK
    assert "1 merges" in capsys.readouterr().out
    assert run(db, "merge", str(a)) == EXIT_ERROR
