"""``quality`` (``crmkit.cli._commands._quality``): the report printed, written as HTML,
in the language asked, and bad input refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import crmkit as ck
from crmkit.cli import EXIT_ERROR, EXIT_OK


@pytest.fixture
def contacts(db: Path) -> Path:
    """The CLI database with three contacts, one with a phone not in E.164."""
    with ck.open(db, user="CLI") as crm:
        li_wei = crm.owners.get("Li Wei").id
        for name, mobile in (("Blou", "+33625341257"), ("Kahn", None), ("Lee", "+33625341258")):
            crm.contacts.add(last_name=name, mobile=mobile, owner_id=li_wei)
        crm.connection.execute("UPDATE contacts SET mobile = '06 25' WHERE last_name = 'Lee'")
    return db


def test_prints_the_report(
    run: Callable[..., int], contacts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("quality") == EXIT_OK
    out = capsys.readouterr().out
    assert "Data quality of contacts" in out and "3 records" in out
    mobile = next(line for line in out.splitlines() if line.startswith("Mobile"))
    assert "66.7%" in mobile and "50.0%" in mobile  # filled 2 of 3, 1 of 2 in E.164


def test_html_by_owner_in_french(
    run: Callable[..., int], contacts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "q.html"
    assert run("quality", "--by", "owner", "--html", str(page), "--lang", "fr") == EXIT_OK
    out = capsys.readouterr().out
    assert "Qualité des données" in out and str(page) in out
    text = page.read_text(encoding="utf-8")
    assert "Portable" in text and "Li Wei" in text and "<svg" in text


def test_bad_by_is_an_error(
    run: Callable[..., int], contacts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("quality", "--by", "shoe_size") == EXIT_ERROR
    assert "shoe_size" in capsys.readouterr().err
