"""``import``, ``validate`` and ``preview`` (``crmkit.cli._commands._files``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import crmkit as ck
from crmkit._importing._options import ImportOptions
from crmkit.cli import EXIT_ERROR, EXIT_OK, EXIT_REJECTED

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


@pytest.fixture
def bad_csv(tmp_path: Path) -> Path:
    """Two contacts, the first without the required last name."""
    path = tmp_path / "bad.csv"
    path.write_text("Nom,E-mail\n,x@y.fr\nBlou,h@aprool.com\n", encoding="utf-8")
    return path


@pytest.fixture
def passed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """The facade calls the commands make: (method name, keywords), in order."""
    calls: list[tuple[str, dict[str, Any]]] = []
    for name in ("import_file", "preview_import"):
        method = getattr(ck.CRM, name)

        def spy(self: ck.CRM, *args: Any, _name: str = name, _m: Any = method, **kw: Any) -> Any:
            calls.append((_name, {"args": args, **kw}))
            return _m(self, *args, **kw)

        monkeypatch.setattr(ck.CRM, name, spy)
    return calls


def test_preview_and_validate(
    run: Callable[..., int], db: Path, bad_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("preview", str(SAMPLES / "google_contacts.csv")) == EXIT_OK
    assert "layout=google" in capsys.readouterr().out
    assert run("validate", str(bad_csv), "--quiet") == EXIT_REJECTED
    out = capsys.readouterr().out
    assert "DRY RUN" in out and "last_name: required" in out
    with ck.open(db, read_only=True) as crm:
        assert len(crm.contacts) == 0


def test_commands_pass_one_import_options(
    run: Callable[..., int],
    bad_csv: Path,
    passed: list[tuple[str, dict[str, Any]]],
) -> None:
    run("import", str(bad_csv), "--quiet", "--mode", "create", "--map", "Nom=last_name")
    run("validate", str(bad_csv), "--month-first")
    run("preview", str(bad_csv), "--rows", "5", "--encoding", "utf-8")
    mapping = {"Nom": "last_name"}
    assert passed == [
        (
            "import_file",
            {
                "args": (str(bad_csv),),
                "options": ImportOptions(mode="create", mapping=mapping, progress=False),
            },
        ),
        (
            "import_file",
            {"args": (str(bad_csv),), "options": ImportOptions(dry_run=True, dayfirst=False)},
        ),
        (
            "preview_import",
            {"args": (str(bad_csv),), "options": ImportOptions(encoding="utf-8"), "rows": 5},
        ),
    ]


def test_import_writes_rejects_and_exits_3(
    run: Callable[..., int], db: Path, bad_csv: Path, tmp_path: Path
) -> None:
    rejects = tmp_path / "rejects.csv"
    assert run("import", str(bad_csv), "--quiet", "--rejects", str(rejects)) == EXIT_REJECTED
    assert len(pd.read_csv(rejects)) == 1
    with ck.open(db, read_only=True) as crm:
        assert len(crm.contacts) == 1
    assert run("import", str(bad_csv), "--quiet", "--dry-run", "--map", "Nom=") == EXIT_REJECTED


def test_import_dry_run_writes_nothing(
    run: Callable[..., int], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run("import", str(SAMPLES / "google_contacts.csv"), "--dry-run", "--quiet")
    assert code in (EXIT_OK, EXIT_REJECTED)
    assert "DRY RUN" in capsys.readouterr().out
    with ck.open(db, read_only=True) as crm:
        assert len(crm.contacts) == 0


def test_bad_flag_values_are_one_line_errors(
    run: Callable[..., int], bad_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("preview", str(bad_csv), "--map", "bad") == EXIT_ERROR
    assert capsys.readouterr().err == "crmkit: error: --map takes 'Header=field', got 'bad'\n"
    assert run("import", str(bad_csv), "--quiet", "--match-on", "emial") == EXIT_ERROR
    assert "unknown contacts field 'emial'" in capsys.readouterr().err


def test_preview_lists_problems(
    run: Callable[..., int], bad_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("preview", str(bad_csv), "--show", "1") == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("ImportPreview(contacts") and "\nProblems:\n" in out
