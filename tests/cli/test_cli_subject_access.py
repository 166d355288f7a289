"""``subject-access`` (``crmkit.cli._commands._subject_access``)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import crmkit as ck
from crmkit.cli import EXIT_ERROR, EXIT_OK


def test_subject_access_writes_the_zip(
    run: Callable[..., int], db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ck.open(db, user="CLI") as crm:
        cid = crm.contacts.add(last_name="Blou", email="helene.blou@aprool.com")
        crm.contacts.update(cid, job_title="DSI")
    out = tmp_path / "blou.zip"
    assert run("subject-access", str(cid), str(out)) == EXIT_OK
    printed = capsys.readouterr().out
    assert f"contact {cid} written to {out}" in printed and "History of the values: 2" in printed
    with zipfile.ZipFile(out) as archive:
        history = json.loads(archive.read("history.json"))
        assert "DSI" in [row["new"] for row in history]
        assert "Blou" in archive.read("index.html").decode("utf-8")


def test_subject_access_in_french_and_errors(
    run: Callable[..., int], db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ck.open(db, user="CLI") as crm:
        cid = crm.contacts.add(last_name="Blou")
    assert run("--lang", "fr", "subject-access", str(cid), str(tmp_path / "b.zip")) == EXIT_OK
    assert "droit d'accès" in capsys.readouterr().out
    assert run("subject-access", "999", str(tmp_path / "x.zip")) == EXIT_ERROR
    assert capsys.readouterr().err == "crmkit: error: no contact with id 999\n"
    assert not (tmp_path / "x.zip").exists()
