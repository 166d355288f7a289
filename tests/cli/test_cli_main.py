"""``crmkit.cli._main``: whole sessions through ``main``, exit codes, one-line errors."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from crmkit.cli import EXIT_ERROR, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, main

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def test_import_filter_reassign_export_undo(
    run: Callable[..., int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("import", str(SAMPLES / "accounts.csv"), "--kind", "accounts", "--quiet") in (
        EXIT_OK,
        EXIT_REJECTED,
    )
    code = run(
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

    assert run("filter", "--owner", "Paris", "--limit", "5") == EXIT_OK
    assert "Selection(contacts" in capsys.readouterr().out

    assert run("reassign", "--to", "Li Wei", "--search", "a") == EXIT_OK
    out = capsys.readouterr().out
    assert "BulkReport(reassign" in out
    batch = int(out.split("batch ")[1].split(")")[0])

    assert run("export", str(tmp_path / "li.xlsx"), "--owner", "Li Wei", "--lang", "fr") == EXIT_OK
    assert (tmp_path / "li.xlsx").exists()
    assert run("export", str(tmp_path / "li.zip"), "--owner", "Li Wei") == EXIT_OK
    with zipfile.ZipFile(tmp_path / "li.zip") as archive:
        assert archive.namelist() and all(n.endswith(".vcf") for n in archive.namelist())
    assert run("filter", "--owner", "Li Wei", "--out", str(tmp_path / "li.csv")) == EXIT_OK
    exported = pd.read_csv(tmp_path / "li.csv")
    assert len(exported) > 0

    assert run("undo", str(batch)) == EXIT_OK
    assert "undid batch" in capsys.readouterr().out
    assert run("undo", str(batch)) == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("crmkit: error:") and "already undone" in err

    assert run("history") == EXIT_OK
    assert "reassign" in capsys.readouterr().out
    assert run("history", "--id", "1") == EXIT_OK
    assert "insert" in capsys.readouterr().out


def test_errors_and_usage(
    run: Callable[..., int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("reassign", "--to", "Nobody") == EXIT_ERROR
    err = capsys.readouterr().err
    assert "unknown owner 'Nobody'" in err and "Traceback" not in err
    assert run("filter", "--sector", "Sofware") == EXIT_ERROR
    assert "Did you mean 'Software'" in capsys.readouterr().err
    missing = tmp_path / "nope.csv"
    assert run("import", str(missing)) == EXIT_ERROR
    assert run("frobnicate") == EXIT_USAGE
    assert run("import") == EXIT_USAGE
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


def test_an_error_is_one_line_on_stderr(
    run: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("undo", "999") == EXIT_ERROR
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "crmkit: error: no batch 999\n"


def test_debug_adds_the_traceback_after_the_line(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(db), "--user", "CLI", "--debug", "undo", "999"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("crmkit: error: no batch 999\n")
    assert "Traceback (most recent call last)" in err and "UndoError: no batch 999" in err


def test_installed_entry_point(db: Path) -> None:
    """The real `crmkit` executable: exit codes and a one-line error, no traceback."""
    exe = Path(sys.executable).with_name("crmkit")
    result = subprocess.run(
        [str(exe), "--db", str(db), "undo", "999"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == EXIT_ERROR
    assert result.stderr.strip() == "crmkit: error: no batch 999"


@pytest.mark.parametrize("module", ["crmkit", "crmkit.cli"])
def test_python_dash_m(module: str) -> None:
    """``python -m crmkit`` and ``python -m crmkit.cli`` run the same command line."""
    result = subprocess.run(
        [sys.executable, "-m", module, "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == EXIT_OK
    assert result.stdout.startswith("usage: crmkit ")
