"""``crm.accounts.org_chart``: an account's contacts by reports_to, as a tree and an SVG;
and reports_to cycles refused on every path."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

import crmkit as ck

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def db(tmp_path: Path) -> ck.CRM:
    crm = ck.open(tmp_path / "crm.duckdb", user="Ann")
    yield crm
    crm.close()


def _company(db: ck.CRM) -> tuple[int, dict[str, int]]:
    acc = db.accounts.add(name="APROOL")
    other = db.accounts.add(name="Elsewhere")
    outside = db.contacts.add(last_name="Outside", account_id=other)
    ids = {
        "ceo": db.contacts.add(
            first_name="Hélène",
            last_name="Blou",
            account_id=acc,
            job_title="CEO",
            department="Direction",
        )
    }
    ids["cto"] = db.contacts.add(
        last_name="王芳",
        account_id=acc,
        job_title="首席技术官",
        department="技术部",
        reports_to_id=ids["ceo"],
    )
    ids["dev"] = db.contacts.add(
        last_name="Dev <&>", account_id=acc, department="技术部", reports_to_id=ids["cto"]
    )
    ids["sales"] = db.contacts.add(
        last_name="Martin", account_id=acc, department="Sales", reports_to_id=ids["ceo"]
    )
    ids["loose"] = db.contacts.add(last_name="Loose", account_id=acc, reports_to_id=outside)
    gone = db.contacts.add(last_name="Gone", account_id=acc, reports_to_id=ids["ceo"])
    db.contacts.delete(gone)
    return acc, ids


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_tree_frame(db: ck.CRM, backend: str) -> None:
    acc, ids = _company(db)
    chart = db.accounts.org_chart(acc)
    frame = chart.df() if backend == "pandas" else chart.pl().to_pandas()
    if backend == "polars":
        assert isinstance(chart.pl(), pl.DataFrame)
    assert list(frame.columns) == [
        "id",
        "name",
        "job_title",
        "department",
        "reports_to_id",
        "depth",
        "path",
        "n_reports",
    ]
    assert frame["id"].tolist() == [ids["ceo"], ids["sales"], ids["cto"], ids["dev"], ids["loose"]]
    by_id = frame.set_index("id")
    assert by_id.loc[ids["ceo"], "n_reports"] == 2
    assert by_id.loc[ids["dev"], "depth"] == 2
    assert by_id.loc[ids["dev"], "path"] == "Hélène Blou / 王芳 / Dev <&>"
    assert by_id.loc[ids["loose"], "depth"] == 0  # manager in another account: a root
    assert pd.isna(by_id.loc[ids["ceo"], "reports_to_id"])
    assert len(chart) == 5


def test_svg_has_every_contact_escaped_and_coloured_by_department(
    db: ck.CRM, tmp_path: Path
) -> None:
    acc, ids = _company(db)
    chart = db.accounts.org_chart(acc)
    svg = chart.svg()
    root = ET.fromstring(svg)  # well-formed: names with < & > are escaped
    boxes = {
        int(g.get("data-id", 0)): g for g in root.iter(f"{SVG}g") if g.get("class") == "contact"
    }
    assert set(boxes) == set(ids.values())
    texts = {i: [t.text for t in g.iter(f"{SVG}text")] for i, g in boxes.items()}
    assert texts[ids["dev"]][0] == "Dev <&>"
    assert texts[ids["cto"]] == ["王芳", "首席技术官"]
    fills = {i: g.find(f"{SVG}rect").get("fill") for i, g in boxes.items()}  # type: ignore[union-attr]
    assert fills[ids["cto"]] == fills[ids["dev"]] != fills[ids["sales"]]
    assert fills[ids["loose"]] == "#ffffff"  # no department
    links = [p for p in root.iter(f"{SVG}path") if p.get("class") == "link"]
    assert len(links) == 3
    assert chart._repr_svg_() == svg
    out = chart.save(tmp_path / "chart.svg")
    assert ET.parse(out).getroot().tag == f"{SVG}svg"
    with pytest.raises(ck.ValidationError, match=r"\.svg"):
        chart.save(tmp_path / "chart.png")
    assert "OrgChart(APROOL: 5 contacts)" in repr(chart)


def test_long_and_wide_names_are_cut_to_the_box(db: ck.CRM) -> None:
    acc = db.accounts.add(name="A")
    db.contacts.add(last_name="王" * 40, account_id=acc)
    root = ET.fromstring(db.accounts.org_chart(acc).svg())
    name = next(t.text for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold")
    assert name is not None and name.endswith("…") and len(name) <= 13


def test_an_empty_account_has_an_empty_chart(db: ck.CRM) -> None:
    acc = db.accounts.add(name="Empty")
    chart = db.accounts.org_chart(acc)
    assert len(chart) == 0 and chart.df().empty
    assert ET.fromstring(chart.svg()).tag == f"{SVG}svg"


def test_bad_accounts_are_refused(db: ck.CRM) -> None:
    with pytest.raises(ck.RecordNotFoundError, match="no account with id 9"):
        db.accounts.org_chart(9)
    acc = db.accounts.add(name="A")
    db.accounts.delete(acc)
    with pytest.raises(ck.RecordNotFoundError, match="account 1 is deleted"):
        db.accounts.org_chart(acc)


def test_a_cycle_written_outside_crmkit_is_refused(db: ck.CRM) -> None:
    acc = db.accounts.add(name="A")
    a = db.contacts.add(last_name="A", account_id=acc)
    b = db.contacts.add(last_name="B", account_id=acc, reports_to_id=a)
    db._session.con.execute("UPDATE contacts SET reports_to_id = ? WHERE id = ?", [b, a])
    with pytest.raises(ck.ParentCycleError, match="cycle"):
        db.accounts.org_chart(acc)


# -- reports_to cycles on every path ---------------------------------------------------


def test_bulk_update_cannot_make_a_reports_to_loop(db: ck.CRM) -> None:
    boss = db.contacts.add(last_name="Boss")
    aide = db.contacts.add(last_name="Aide", reports_to_id=boss)
    before = len(db.batches())
    with pytest.raises(ck.ParentCycleError, match="cycle"):
        db.contacts.filter(ids=[boss]).update(reports_to_id=aide)
    assert db.contacts.get(boss).reports_to_id is None
    assert len(db.batches()) == before


def test_bulk_update_cannot_make_a_parent_loop(db: ck.CRM) -> None:
    top = db.accounts.add(name="Top")
    sub = db.accounts.add(name="Sub", parent_id=top)
    with pytest.raises(ck.ParentCycleError, match="cycle"):
        db.accounts.filter(ids=[top]).update(parent_id=sub)
    assert db.accounts.get(top).parent_id is None


def test_contacts_import_cannot_make_a_reports_to_loop(db: ck.CRM, tmp_path: Path) -> None:
    boss = db.contacts.add(last_name="Boss", email="boss@x.fr")
    aide = db.contacts.add(last_name="Aide", email="aide@x.fr", reports_to_id=boss)
    path = tmp_path / "loop.csv"
    path.write_text(f"email,reports_to_id\nboss@x.fr,{aide}\n", encoding="utf-8")
    db.import_file(path, kind="contacts")
    assert db.contacts.get(boss).reports_to_id is None


def test_undo_cannot_bring_back_a_loop(db: ck.CRM) -> None:
    boss = db.contacts.add(last_name="Boss")
    aide = db.contacts.add(last_name="Aide")
    first = db.contacts.update(aide, reports_to_id=boss)
    assert first.reports_to_id == boss
    undo_me = int(db.batches()["id"].max())
    db.undo(undo_me)
    db.contacts.update(boss, reports_to_id=aide)
    with pytest.raises(ck.CRMKitError):
        db.undo(int(db.batches()["id"].max()) - 1)  # an undo of an undo
    assert db.contacts.get(aide).reports_to_id is None
