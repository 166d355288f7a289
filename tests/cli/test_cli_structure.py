"""``timeline``, ``org-chart`` and ``tree`` (``crmkit.cli._commands._structure``), and the
``--within`` filter."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

import crmkit as ck
from crmkit.cli import EXIT_ERROR, EXIT_OK


@pytest.fixture
def group(db: Path) -> dict[str, int]:
    with ck.open(db, user="CLI") as crm:
        top = crm.accounts.add(name="Groupe", annual_revenue=1_000_000, employees=10)
        sub = crm.accounts.add(name="Filiale", parent_id=top, annual_revenue=500, employees=2)
        boss = crm.contacts.add(
            last_name="Blou", account_id=sub, job_title="CEO", department="Direction"
        )
        aide = crm.contacts.add(last_name="王芳", account_id=sub, reports_to_id=boss)
        crm.contacts.update(aide, job_title="CTO", owner="Li Wei")
        return {"top": top, "sub": sub, "boss": boss, "aide": aide}


def test_timeline_of_a_contact_and_an_account(
    run: Callable[..., int], group: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("timeline", "contact", str(group["aide"])) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("Timeline(contact 2: 2 events)")
    assert "Job title: — → CTO" in out and "Owner: CLI → Li Wei" in out
    assert run("timeline", "contact", str(group["aide"]), "--kind", "create") == EXIT_OK
    assert "1 event)" in capsys.readouterr().out
    assert run("timeline", "account", "Filiale", "--with-contacts") == EXIT_OK
    assert "4 events" in capsys.readouterr().out
    assert run("--lang", "fr", "timeline", "account", str(group["sub"])) == EXIT_OK
    assert "1 événement" in capsys.readouterr().out


def test_timeline_bad_input(
    run: Callable[..., int], group: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("timeline", "contact", "99") == EXIT_ERROR
    assert "no contact with id 99" in capsys.readouterr().err
    assert run("timeline", "contact", "Blou") == EXIT_ERROR
    assert "takes an id" in capsys.readouterr().err
    assert run("timeline", "contact", "1", "--kind", "nope") == EXIT_ERROR
    assert "unknown timeline kind 'nope'" in capsys.readouterr().err
    assert run("timeline", "account", "Nowhere") == EXIT_ERROR
    assert "Nowhere" in capsys.readouterr().err


def test_org_chart_prints_and_writes_an_svg(
    run: Callable[..., int],
    group: dict[str, int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out_file = tmp_path / "chart.svg"
    assert run("org-chart", "Filiale", "--svg", str(out_file)) == EXIT_OK
    out = capsys.readouterr().out
    assert "OrgChart(Filiale: 2 contacts)" in out and "\n    王芳 (CTO)" in out
    assert f"wrote {out_file}" in out
    root = ET.parse(out_file).getroot()
    ids = {
        g.get("data-id")
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if g.get("class") == "contact"
    }
    assert ids == {str(group["boss"]), str(group["aide"])}
    assert run("org-chart", "99") == EXIT_ERROR
    assert "no account with id 99" in capsys.readouterr().err


def test_tree_and_within(
    run: Callable[..., int], group: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("tree", "Filiale") == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("AccountTree(Groupe: 2 accounts; revenue in EUR)")
    assert "\n    Filiale  [2 ·" in out
    assert run("filter", "--kind", "accounts", "--within", "Groupe") == EXIT_OK
    out = capsys.readouterr().out
    assert "Groupe" in out and "Filiale" in out
    assert run("filter", "--within", str(group["sub"])) == EXIT_OK
    assert "王芳" in capsys.readouterr().out
    assert run("filter", "--within", "Nowhere") == EXIT_ERROR
    assert "Nowhere" in capsys.readouterr().err
