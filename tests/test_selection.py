"""Filters, selections, bulk operations and their undo, saved views and summaries."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import crmkit as ck


@pytest.fixture
def crm_data(crm: ck.CRM) -> ck.CRM:
    """Three owners in two teams, four accounts, six contacts."""
    crm.owners.add("Marc Durand", email="md@example.com", team="Paris")
    crm.owners.add("Zoé Martin", email="zm@example.com", team="Paris")
    crm.owners.add("Li Wei", email="lw@example.cn", team="Shanghai")
    a1 = crm.accounts.add(
        name="APROOL",
        sector="Software",
        annual_revenue=4_200_000,
        employees=85,
        owner="Marc Durand",
        entity="France",
        is_client=True,
        tags=["b2b"],
    )
    a2 = crm.accounts.add(
        name="Northwind Ltd",
        sector="Retail",
        annual_revenue=30_000_000,
        employees=250,
        owner="Zoé Martin",
        entity="UK",
    )
    a3 = crm.accounts.add(
        name="华信科技",
        sector="Software",
        annual_revenue=500_000,
        employees=12,
        owner="Li Wei",
        entity="China",
        archived=True,
    )
    crm.accounts.add(name="Empty Co", owner="Li Wei")
    crm.contacts.add(
        first_name="Hélène",
        last_name="Blou",
        account_id=a1,
        job_title="Chef de projet",
        email="helene.blou@aprool.com",
        mobile="06 25 34 12 57",
        owner="Marc Durand",
        origin="Salon",
        skills=["SAP", "Java"],
        tags=["vip"],
    )
    crm.contacts.add(
        first_name="François",
        last_name="Lefèvre",
        account_id=a1,
        job_title="DSI",
        email="f.lefevre@aprool.com",
        owner="Zoé Martin",
        origin="Site web",
        skills=["Java"],
    )
    crm.contacts.add(
        first_name="John",
        last_name="Smith",
        account_id=a2,
        job_title="Buyer",
        email="john@northwind.co.uk",
        owner="Zoé Martin",
        active=False,
    )
    crm.contacts.add(
        first_name="伟",
        last_name="张",
        account_id=a3,
        job_title="总经理",
        email="zhang.wei@huaxin.cn",
        owner="Li Wei",
        email_opt_out=True,
    )
    crm.contacts.add(first_name="Paul", last_name="Roy", owner="Li Wei", origin="salon")
    crm.contacts.add(
        first_name="Anne",
        last_name="Nadal",
        account_id=a2,
        owner="Marc Durand",
        email="anne@northwind.co.uk",
        tags=["vip", "newsletter"],
    )
    return crm


def names(sel: ck.Selection) -> list[str]:
    return sorted(sel.df()["last_name"])


def test_contract_filter(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.filter(
        search="blou",
        owner=["Marc Durand"],
        sector="Software",
        revenue_band="1M-10M",
        headcount_band="51-200",
        active=True,
    )
    assert names(sel) == ["Blou"]
    assert len(sel) == 1 and sel.ids == [1]
    assert isinstance(sel.df(), pd.DataFrame)
    assert isinstance(sel.pl(), pl.DataFrame)
    assert isinstance(sel.arrow(), pa.Table)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"search": "helene"}, ["Blou"]),
        ({"search": "HÉLÈNE aprool"}, ["Blou"]),
        ({"search": "06 25 34"}, ["Blou"]),
        ({"search": "northwind"}, ["Nadal", "Smith"]),
        ({"search": "总经理"}, ["张"]),
        ({"owner": "Paris"}, ["Blou", "Lefèvre", "Nadal", "Smith"]),
        ({"owner": "zm@example.com"}, ["Lefèvre", "Smith"]),
        ({"owner": ["Li Wei", "Marc Durand"]}, ["Blou", "Nadal", "Roy", "张"]),
        ({"account": "aprool"}, ["Blou", "Lefèvre"]),
        ({"entity": "UK"}, ["Nadal", "Smith"]),
        ({"account_archived": True}, ["张"]),
        ({"active": False}, ["Smith"]),
        ({"sector": "logiciel"}, ["Blou", "Lefèvre", "张"]),
        ({"sector": ["Retail", "Software"]}, ["Blou", "Lefèvre", "Nadal", "Smith", "张"]),
        ({"revenue_band": "10M-50M"}, ["Nadal", "Smith"]),
        ({"revenue_min": 1_000_000, "revenue_max": 10_000_000}, ["Blou", "Lefèvre"]),
        ({"headcount_band": ["11-50"]}, ["张"]),
        ({"employees_min": 100}, ["Nadal", "Smith"]),
        ({"origin": "SALON"}, ["Blou", "Roy"]),
        ({"skills": "java"}, ["Blou", "Lefèvre"]),
        ({"skills_all": ["Java", "SAP"]}, ["Blou"]),
        ({"tags": ["vip"]}, ["Blou", "Nadal"]),
        ({"tags_all": ["vip", "newsletter"]}, ["Nadal"]),
        ({"has_email": False}, ["Roy"]),
        ({"email_opt_out": True}, ["张"]),
        ({"is_client": True}, ["Blou", "Lefèvre"]),
        ({"job_title": "DSI"}, ["Lefèvre"]),
        ({"account": None}, ["Roy"]),
    ],
)
def test_contact_filters(crm_data: ck.CRM, filters: dict, expected: list[str]) -> None:
    assert names(crm_data.contacts.filter(**filters)) == sorted(expected)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"search": "north"}, ["Northwind Ltd"]),
        ({"archived": True}, ["华信科技"]),
        ({"owner": "Shanghai"}, ["Empty Co", "华信科技"]),
        ({"revenue_band": "0-1M"}, ["华信科技"]),
        ({"tags": "B2B"}, ["APROOL"]),
        ({"sector": None}, ["Empty Co"]),
    ],
)
def test_account_filters(crm_data: ck.CRM, filters: dict, expected: list[str]) -> None:
    assert sorted(crm_data.accounts.filter(**filters).df()["name"]) == sorted(expected)


def test_date_range_filters(crm_data: ck.CRM) -> None:
    today = dt.date.today()
    assert len(crm_data.contacts.filter(created=(today, today))) == 6
    assert len(crm_data.contacts.filter(created=f"{today.isoformat()}..")) == 6
    assert len(crm_data.contacts.filter(updated=("2000-01-01", "2000-12-31"))) == 0


@pytest.mark.parametrize(
    ("filters", "what", "suggestion"),
    [
        ({"owner": "Marc Durant"}, "owner", "Marc Durand"),
        ({"sector": "Sofware"}, "sector", "Software"),
        ({"revenue_band": "1M-10"}, "revenue band", "1M-10M"),
        ({"headcount_band": "51-20"}, "headcount band", "51-200"),
        ({"revnue_band": "1M-10M"}, "contact filter", "revenue_band"),
    ],
)
def test_unknown_values_list_valid_ones(
    crm_data: ck.CRM, filters: dict, what: str, suggestion: str
) -> None:
    with pytest.raises(ck.UnknownValueError) as err:
        crm_data.contacts.filter(**filters)
    assert err.value.what == what
    assert err.value.suggestion == suggestion
    assert "Valid values" in str(err.value)


@pytest.mark.parametrize(
    "hostile",
    [
        "'; DROP TABLE contacts; --",
        "x' OR '1'='1",
        "%",
        "_",
        "\\",
        "Robert'); DELETE FROM history; --",
        "\x00",
        "$1",
        "?",
    ],
)
def test_hostile_strings_never_become_sql(crm_data: ck.CRM, hostile: str) -> None:
    assert len(crm_data.contacts.filter(search=hostile)) == 0
    assert len(crm_data.contacts.filter(origin=hostile)) == 0
    assert len(crm_data.contacts.filter(job_title=[hostile, "DSI"])) == 1
    with pytest.raises(ck.UnknownValueError):
        crm_data.contacts.filter(owner=hostile)
    assert crm_data.counts()["contacts"] == 6


def test_chaining_sort_columns(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.filter(owner="Paris").filter(active=True)
    assert names(sel) == ["Blou", "Lefèvre", "Nadal"]
    ordered = sel.sort("-last_name").columns("last_name", "email")
    frame = ordered.df()
    assert list(frame.columns) == ["last_name", "email"]
    assert list(frame["last_name"]) == ["Nadal", "Lefèvre", "Blou"]
    assert len(sel.limit(2)) == 2
    with pytest.raises(ck.UnknownValueError):
        sel.columns("nom")


def test_display(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.filter(owner="Paris")
    text = repr(sel)
    assert text.startswith("Selection(contacts: 4 records; owner='Paris')")
    page = sel._repr_html_()
    for label in (
        "Company",
        "Account owner",
        "Last name",
        "First name",
        "Job title",
        "Phone",
        "Mobile",
        "Fax",
        "Owner",
    ):
        assert label in page
    assert "APROOL" in page


def test_sql_escape_hatch(crm_data: ck.CRM) -> None:
    rel = crm_data.sql("SELECT count(*) AS n FROM contacts_v WHERE owner = ?", ["Li Wei"])
    assert rel.fetchall() == [(2,)]


def test_summary(crm_data: ck.CRM) -> None:
    by_band = crm_data.accounts.summary(by="revenue_band")
    bands = [None if pd.isna(b) else b for b in by_band.frame["revenue_band"]]
    assert bands == ["0-1M", "1M-10M", "10M-50M", None]
    assert list(by_band.frame["revenue"][:3]) == [500_000, 4_200_000, 30_000_000]
    svg = by_band.to_svg()
    assert svg.count("crmkit-bar") == 4 and "<svg" in svg
    assert "crmkit-summary" in by_band._repr_html_()
    by_owner = crm_data.contacts.filter(active=True).summary(["owner"])
    assert dict(zip(by_owner.frame["owner"], by_owner.frame["count"], strict=True)) == {
        "Marc Durand": 2,
        "Li Wei": 2,
        "Zoé Martin": 1,
    }
    assert isinstance(by_owner.pl(), pl.DataFrame)
    with pytest.raises(ck.UnknownValueError):
        crm_data.contacts.summary(by="secteur")


def test_saved_views_keep_the_filter(crm_data: ck.CRM) -> None:
    crm_data.views.save(
        "paris actifs", crm_data.contacts.filter(owner="Paris", active=True).sort("last_name")
    )
    assert len(crm_data.views.load("paris actifs")) == 3
    crm_data.contacts.add(last_name="Neuf", owner="Zoé Martin")
    assert len(crm_data.views.load("paris actifs")) == 4  # the filter, not the rows
    with pytest.raises(ck.ValidationError, match="replace=True"):
        crm_data.views.save("paris actifs", crm_data.contacts.all())
    crm_data.views.save("paris actifs", crm_data.contacts.all(), replace=True)
    assert len(crm_data.views.load("paris actifs")) == 7
    with pytest.raises(ck.UnknownValueError) as err:
        crm_data.views.load("paris actif")
    assert err.value.suggestion == "paris actifs"
    crm_data.views.delete("paris actifs")
    assert crm_data.views.names() == []


def test_reassign_one_owner_and_undo(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.filter(owner="Paris")
    report = sel.reassign(to="Li Wei")
    assert (report.selected, report.changed) == (4, 4)
    assert len(crm_data.contacts.filter(owner="Li Wei")) == 6
    hist = crm_data.history(batch_id=report.batch_id)
    assert len(hist) == 4 and set(hist["field"]) == {"owner_id"}
    crm_data.undo(report.batch_id)
    assert len(crm_data.contacts.filter(owner="Li Wei")) == 2
    again = crm_data.contacts.filter(owner="Li Wei").reassign(to="Li Wei")
    assert again.changed == 0 and len(again.skipped) == 2 and again.batch_id is None


def test_reassign_round_robin_balanced(crm_data: ck.CRM) -> None:
    report = crm_data.contacts.all().reassign(to=["Marc Durand", "Zoé Martin", "Li Wei"])
    counts = crm_data.contacts.summary("owner").frame.set_index("owner")["count"]
    assert sorted(counts.tolist()) == [2, 2, 2]
    assert report.details["per owner"] == {"Marc Durand": 2, "Zoé Martin": 2, "Li Wei": 2}


def test_reassign_accounts_cascade(crm_data: ck.CRM) -> None:
    report = crm_data.accounts.filter(name="APROOL").reassign(to="Li Wei", cascade=True)
    assert report.changed == 1 and "2 contacts" in report.details["cascade"]
    assert set(crm_data.contacts.filter(account="APROOL").df()["owner"]) == {"Li Wei"}
    crm_data.undo(report.batch_id)
    assert set(crm_data.contacts.filter(account="APROOL").df()["owner"]) == {
        "Marc Durand",
        "Zoé Martin",
    }
    with pytest.raises(ck.ValidationError, match="cascade"):
        crm_data.contacts.all().reassign(to="Li Wei", cascade=True)


def test_bulk_update_validated_and_undone(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.filter(account="Northwind Ltd")
    report = sel.update(department="Achats", country="Royaume-Uni")
    assert report.changed == 2
    assert set(sel.df()["country"]) == {"GB"}
    with pytest.raises(ck.ValidationError, match="last_name"):
        sel.update(last_name=None)
    with pytest.raises(ck.ValidationError, match="max_length"):
        sel.update(job_title="x" * 200)
    with pytest.raises(ck.UnknownValueError):
        sel.update(departement="Achats")
    crm_data.undo(report.batch_id)
    assert set(sel.df()["department"].dropna()) == set()


def test_tags(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.filter(owner="Paris")
    report = sel.tag("vip", "2025")
    assert report.changed == 4
    assert len(crm_data.contacts.filter(tags_all=["vip", "2025"])) == 4
    blou = crm_data.contacts.filter(search="blou").df()["tags"].iloc[0]
    assert list(blou) == ["vip", "2025"]
    assert sel.tag("vip").changed == 0
    removed = sel.untag("2025")
    assert removed.changed == 4
    assert len(crm_data.contacts.filter(tags="2025")) == 0
    crm_data.undo(removed.batch_id)
    assert len(crm_data.contacts.filter(tags="2025")) == 4


def test_subscribe_only_eligible(crm_data: ck.CRM) -> None:
    report = crm_data.contacts.all().subscribe("Newsletter FR")
    assert report.changed == 4
    reasons = dict(zip(report.skipped["id"], report.skipped["reason"], strict=True))
    assert sorted(reasons.values()) == ["no email", "opted out of email"]
    assert len(crm_data.contacts.filter(subscribed="Newsletter FR")) == 4
    since = crm_data.sql("SELECT min(subscribed_at) FROM subscriptions").fetchall()[0][0]
    assert since is not None
    again = crm_data.contacts.all().subscribe("Newsletter FR")
    assert again.changed == 0 and "already subscribed" in set(again.skipped["reason"])
    out = crm_data.contacts.filter(search="blou").unsubscribe("Newsletter FR")
    assert out.changed == 1
    assert len(crm_data.contacts.filter(subscribed="Newsletter FR")) == 3
    crm_data.undo(out.batch_id)
    assert len(crm_data.contacts.filter(subscribed="Newsletter FR")) == 4
    with pytest.raises(ck.ValidationError):
        crm_data.accounts.all().subscribe("x")


def test_deactivate_and_delete_with_reasons(crm_data: ck.CRM) -> None:
    report = crm_data.contacts.filter(account="APROOL").deactivate()
    assert report.changed == 2
    assert crm_data.contacts.filter(account="APROOL").activate().changed == 2
    archived = crm_data.accounts.filter(name="APROOL").deactivate()
    assert archived.changed == 1 and len(crm_data.accounts.filter(archived=True)) == 2
    deleted = crm_data.accounts.all().delete()
    assert deleted.changed == 1  # only Empty Co has no contacts
    assert len(deleted.skipped) == 3
    assert all("still has" in r for r in deleted.skipped["reason"])
    assert sorted(crm_data.accounts.all().df()["name"]) == ["APROOL", "Northwind Ltd", "华信科技"]
    crm_data.undo(deleted.batch_id)
    assert len(crm_data.accounts) == 4


def test_export_vcf_round_trip(crm_data: ck.CRM, tmp_path) -> None:
    path = crm_data.contacts.filter(owner="Paris").export_vcf(tmp_path / "paris.vcf")
    cards = ck.read_vcf(path)
    assert sorted(cards["last_name"]) == ["Blou", "Lefèvre", "Nadal", "Smith"]
    assert "APROOL" in set(cards["org"])
    zipped = crm_data.contacts.all().export_vcf(tmp_path / "all.zip", zip=True, version="4.0")
    import zipfile

    with zipfile.ZipFile(zipped) as archive:
        names_in_zip = archive.namelist()
    assert len(names_in_zip) == 6 and len(set(names_in_zip)) == 6
    assert all("/" not in n and n.endswith(".vcf") for n in names_in_zip)
    with pytest.raises(ck.ValidationError):
        crm_data.accounts.all().export_vcf(tmp_path / "x.vcf")


@pytest.mark.parametrize("ext", ["csv", "xlsx", "parquet"])
def test_selection_export_read_back(crm_data: ck.CRM, tmp_path, ext: str) -> None:
    sel = crm_data.contacts.filter(owner="Paris").sort("last_name")
    columns = ["last_name", "first_name", "company", "mobile", "owner"]
    result = sel.export(tmp_path / f"paris.{ext}", columns=columns, lang="fr")
    assert result.rows == 4
    if ext == "csv":
        back = pd.read_csv(result.path, dtype=str)
    elif ext == "xlsx":
        back = _read_xlsx(result.path)
    else:
        back = pd.read_parquet(result.path)
    assert list(back.columns) == ["Nom", "Prénom", "Société", "Portable", "Affecté à"]
    assert list(back["Nom"]) == ["Blou", "Lefèvre", "Nadal", "Smith"]
    assert back["Portable"].iloc[0] == "+33625341257"


def _read_xlsx(path) -> pd.DataFrame:
    import openpyxl

    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_export_neutralises_formulas(crm: ck.CRM, tmp_path) -> None:
    crm.contacts.add(last_name='=HYPERLINK("http://evil","x")', job_title="@SUM(1+1)")
    path = crm.contacts.all().export(tmp_path / "c.csv", columns=["last_name", "job_title"])
    text = path.path.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'@SUM" in text


def test_pages(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.all().sort("last_name")
    pages = [sel.page(i, size=4)["last_name"].tolist() for i in range(3)]
    assert pages == [["Blou", "Lefèvre", "Nadal", "Roy"], ["Smith", "张"], []]
    with pytest.raises(ck.ValidationError):
        sel.page(-1)
