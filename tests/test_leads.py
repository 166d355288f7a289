"""Leads: the lifecycle stage, a lead's company_name, imports of leads and conversion
(``crm.contacts.convert``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pytest

import crmkit as ck
from crmkit._core._store import SCHEMA_VERSION
from crmkit.schemas import CONTACTS, LIFECYCLE_STAGES


def _state(crm: ck.CRM) -> tuple[list[Any], list[Any]]:
    """Every contact and account as stored (all columns but the update stamps)."""
    skip = ("updated_at", "updated_by")
    contacts = crm.sql("SELECT * FROM contacts ORDER BY id").df().drop(columns=list(skip))
    accounts = crm.sql("SELECT * FROM accounts ORDER BY id").df().drop(columns=list(skip))
    return contacts.astype(str).values.tolist(), accounts.astype(str).values.tolist()


# -- the field ------------------------------------------------------------------------------


def test_stage_vocabulary_has_labels_in_three_languages() -> None:
    assert LIFECYCLE_STAGES.values == ["lead", "qualified", "customer", "former"]
    assert LIFECYCLE_STAGES.label("qualified", "fr") == "Qualifié"
    assert LIFECYCLE_STAGES.label("lead", "zh") == "线索"
    assert LIFECYCLE_STAGES.lookup("Ancien client") == "former"
    field = CONTACTS["lifecycle_stage"]
    assert (field.en, field.fr, field.zh) == ("Lifecycle stage", "Étape", "阶段")


def test_new_contacts_have_no_stage_unless_given(crm: ck.CRM) -> None:
    plain = crm.contacts.add(last_name="Blou")
    lead = crm.contacts.add(last_name="Lee", lifecycle_stage="Piste", company_name="Acme")
    assert crm.contacts.get(plain).lifecycle_stage is None
    assert crm.contacts.get(lead).lifecycle_stage == "lead"
    assert crm.contacts.get(lead).company_name == "Acme"


@pytest.mark.parametrize("how", ["add", "update"])
def test_an_unknown_stage_is_refused_and_nothing_written(crm: ck.CRM, how: str) -> None:
    cid = crm.contacts.add(last_name="Lee", lifecycle_stage="lead")
    before = _state(crm)
    with pytest.raises(ck.ValidationError, match=r"Lifecycle stage.*'hot'"):
        if how == "add":
            crm.contacts.add(last_name="Roy", lifecycle_stage="hot")
        else:
            crm.contacts.update(cid, lifecycle_stage="hot")
    assert _state(crm) == before


def test_filter_by_stage_takes_values_labels_and_none(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="A", lifecycle_stage="lead")
    b = crm.contacts.add(last_name="B", lifecycle_stage="qualified")
    c = crm.contacts.add(last_name="C")
    assert crm.contacts.filter(lifecycle_stage="Piste").ids == [a]
    assert crm.contacts.filter(lifecycle_stage=["lead", "Qualified"]).ids == [a, b]
    assert crm.contacts.filter(lifecycle_stage=None).ids == [c]
    with pytest.raises(ck.UnknownValueError, match="hot"):
        crm.contacts.filter(lifecycle_stage="hot")


def test_migration_5_adds_the_columns_to_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with ck.open(path) as crm:
        cid = crm.contacts.add(last_name="Blou")
    con = duckdb.connect(str(path))
    con.execute("DROP VIEW IF EXISTS contacts_v")
    for column in ("company_name", "lifecycle_stage"):
        con.execute(f"ALTER TABLE contacts DROP COLUMN {column}")
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.close()
    with ck.open(path) as crm:
        assert crm.contacts.get(cid).lifecycle_stage is None  # existing contacts: no stage
        version = crm.sql("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        assert int(version[0][0]) == SCHEMA_VERSION
        lead = crm.contacts.add(last_name="Lee", lifecycle_stage="lead", company_name="Acme")
        assert crm.contacts.filter(lifecycle_stage="lead").ids == [lead]


# -- imports --------------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["Lifecycle stage", "Étape", "阶段", "Lead status"])
def test_stage_headers_map_to_the_field(crm: ck.CRM, tmp_path: Path, header: str) -> None:
    path = tmp_path / "leads.csv"
    pd.DataFrame({"Nom": ["Lee"], header: ["Qualifié"]}).to_csv(path, index=False)
    report = crm.import_file(path, kind="contacts", progress=False)
    assert report.inserted == 1
    assert crm.contacts.df()["lifecycle_stage"].tolist() == ["qualified"]


def test_company_headers_keep_meaning_the_account() -> None:
    from crmkit._importing._mapping import propose_mapping

    plan = propose_mapping(["Company Name", "Lead company"], "contacts")
    # "Company Name" is the account, as before: linking fills a lead's company_name.
    assert plan.fields == {"Company Name": "company", "Lead company": "company_name"}
    assert propose_mapping(["Société du lead"], "contacts").fields == {
        "Société du lead": "company_name"
    }


def test_import_keeps_a_leads_company_without_creating_accounts(
    crm: ck.CRM, tmp_path: Path
) -> None:
    known = crm.accounts.add(name="Baz SA")
    path = tmp_path / "leads.csv"
    pd.DataFrame(
        {
            "Nom": ["Lee", "Roy", "Ng", "Wu"],
            "Étape": ["lead", "client", "qualifié", None],
            "Société": ["Foo", "Qux", "Baz", "Quux"],
        }
    ).to_csv(path, index=False)
    report = crm.import_file(path, kind="contacts", create_accounts=True, progress=False)
    assert report.inserted == 4
    rows = crm.contacts.df().set_index("last_name")
    # The lead of a new company: no account, its company kept as typed.
    assert pd.isna(rows.loc["Lee", "account_id"]) and rows.loc["Lee", "company_name"] == "Foo"
    # A qualified lead of a known company: linked (nothing created), company kept too.
    assert rows.loc["Ng", "account_id"] == known and rows.loc["Ng", "company_name"] == "Baz"
    # Customers and contacts without a stage: linked and created as before.
    assert pd.isna(rows.loc["Roy", "company_name"]) and pd.isna(rows.loc["Wu", "company_name"])
    assert sorted(crm.accounts.df()["name"]) == ["Baz SA", "Quux", "Qux"]


def test_import_rejects_a_row_with_an_unknown_stage(crm: ck.CRM, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    pd.DataFrame({"Nom": ["Lee", "Roy"], "Étape": ["lead", "hot"]}).to_csv(path, index=False)
    report = crm.import_file(path, kind="contacts", progress=False)
    assert (report.inserted, len(report.rejected)) == (1, 1)
    assert "'hot' is not one of lead, qualified, customer, former" in repr(report)
    assert crm.contacts.df()["last_name"].tolist() == ["Lee"]


# -- conversion -----------------------------------------------------------------------------


@pytest.fixture
def leads(crm: ck.CRM) -> dict[str, int]:
    """Accounts Acme SAS and Zeta Corp; four leads: of Acme, two of Blue Widgets, and one
    whose company name differs from Acme's but whose e-mail has its domain."""
    acme = crm.accounts.add(name="Acme SAS", website="acme.example")
    crm.accounts.add(name="Zeta Corp", website="zeta.example")
    return {
        "acme": acme,
        "lee": crm.contacts.add(last_name="Lee", lifecycle_stage="lead", company_name="ACME"),
        "roy": crm.contacts.add(
            last_name="Roy", lifecycle_stage="qualified", company_name="Blue Widgets"
        ),
        "ng": crm.contacts.add(
            last_name="Ng", lifecycle_stage="lead", company_name="Blue Widgets Ltd"
        ),
        "wu": crm.contacts.add(
            last_name="Wu",
            lifecycle_stage="lead",
            company_name="Acme Group Holding",
            email="wu@acme.example",
        ),
    }


def test_convert_links_matches_and_creates_one_account_per_new_company(
    crm: ck.CRM, leads: dict[str, int]
) -> None:
    ids = [leads["lee"], leads["roy"], leads["ng"], leads["wu"]]
    report = crm.contacts.convert(ids)
    rows = report.df().set_index("contact")
    assert rows.loc[leads["lee"], "action"] == "matched"
    assert rows.loc[leads["wu"], "action"] == "similar"  # by the domain of the e-mail
    assert rows.loc[leads["wu"], "account"] == leads["acme"]
    assert report.created == ["Blue Widgets"] and len(report.accounts_created) == 1
    new = report.accounts_created[0]
    assert crm.contacts.get(leads["roy"]).account_id == new
    assert crm.contacts.get(leads["ng"]).account_id == new
    assert sorted(crm.accounts.df()["name"]) == ["Acme SAS", "Blue Widgets", "Zeta Corp"]
    assert set(crm.contacts.df()["lifecycle_stage"]) == {"customer"}
    assert report.converted == ids and sorted(report.linked) == [leads["lee"], leads["wu"]]
    assert report.refused.empty


def test_convert_is_one_batch_and_undo_restores_exactly(crm: ck.CRM, leads: dict[str, int]) -> None:
    before = _state(crm)
    report = crm.contacts.convert(crm.contacts.filter(lifecycle_stage=["lead", "qualified"]))
    assert report.batch_id is not None and crm.batches().iloc[0]["operation"] == "convert"
    crm.undo(report.batch_id)
    assert _state(crm) == before


def test_dry_run_writes_nothing_and_reports_refusals(crm: ck.CRM, leads: dict[str, int]) -> None:
    customer = crm.contacts.add(last_name="Old", lifecycle_stage="customer")
    before = _state(crm)
    batches = len(crm.batches())
    report = crm.contacts.convert([leads["roy"], leads["ng"], customer], dry_run=True)
    assert report.dry_run and report.batch_id is None
    assert report.created == ["Blue Widgets"]
    assert report.refused["contact"].tolist() == [customer]
    assert "not lead or qualified" in report.refused["reason"].iloc[0]
    assert _state(crm) == before and len(crm.batches()) == batches


def test_convert_to_a_given_account_and_a_former_stage(crm: ck.CRM, leads: dict[str, int]) -> None:
    other = crm.accounts.add(name="Other")
    report = crm.contacts.convert(leads["roy"], account="Other", stage="Ancien client")
    assert report.df()["action"].tolist() == ["given"]
    contact = crm.contacts.get(leads["roy"])
    assert (contact.account_id, contact.lifecycle_stage) == (other, "former")


def test_convert_takes_pandas_and_polars_frames(crm: ck.CRM, leads: dict[str, int]) -> None:
    frame = crm.contacts.filter(lifecycle_stage="lead").df()
    report = crm.contacts.convert(pl.from_pandas(frame[["id"]]), dry_run=True)
    assert report.converted == frame["id"].tolist()
    again = crm.contacts.convert(frame, dry_run=True)
    assert again.df().equals(report.df())
    out = report.pl()
    assert isinstance(out, pl.DataFrame) and out["contact"].to_list() == report.converted


def test_report_speaks_three_languages(crm: ck.CRM, leads: dict[str, int]) -> None:
    report = crm.contacts.convert([leads["roy"], leads["ng"]], dry_run=True)
    assert "2 contacts to convert" in repr(report)
    assert "1 account created" in report._repr_html_()
    with ck.config_context(lang="fr"):
        assert "2 contacts à convertir" in repr(report)
        assert "1 compte créé" in report._repr_html_()
    with ck.config_context(lang="zh"):
        assert "新建 1 个客户" in repr(report)


# -- bad input: a CRMKitError naming the record, field and value; nothing written --------

Bad = Callable[[ck.CRM, dict[str, int]], Any]


def _customer(crm: ck.CRM, ids: dict[str, int]) -> Any:
    return crm.contacts.convert(crm.contacts.add(last_name="Old", lifecycle_stage="customer"))


def _no_stage(crm: ck.CRM, ids: dict[str, int]) -> Any:
    return crm.contacts.convert([ids["lee"], crm.contacts.add(last_name="Plain")])


def _deleted(crm: ck.CRM, ids: dict[str, int]) -> Any:
    crm.contacts.delete(ids["ng"])
    return crm.contacts.convert([ids["lee"], ids["ng"]])


def _unknown_stage(crm: ck.CRM, ids: dict[str, int]) -> Any:
    return crm.contacts.convert(ids["lee"], stage="hot")


def _lead_stage(crm: ck.CRM, ids: dict[str, int]) -> Any:
    return crm.contacts.convert(ids["lee"], stage="qualified")


def _no_account(crm: ck.CRM, ids: dict[str, int]) -> Any:
    return crm.contacts.convert([ids["lee"], ids["roy"]], create_account=False)


def _no_company(crm: ck.CRM, ids: dict[str, int]) -> Any:
    return crm.contacts.convert(crm.contacts.add(last_name="Anon", lifecycle_stage="lead"))


def _unknown_id(crm: ck.CRM, ids: dict[str, int]) -> Any:
    return crm.contacts.convert([ids["lee"], 999])


@pytest.mark.parametrize(
    ("bad", "error", "words"),
    [
        (_customer, ck.ValidationError, ["contact 5", "lifecycle_stage", "'customer'"]),
        (_no_stage, ck.ValidationError, ["contact 5", "lifecycle_stage", "NULL"]),
        (_deleted, ck.ValidationError, ["contact 3 is deleted"]),
        (_unknown_stage, ck.UnknownValueError, ["'hot'"]),
        (_lead_stage, ck.ValidationError, ["'qualified'"]),
        (_no_account, ck.ValidationError, ["contact 2", "company_name", "'Blue Widgets'"]),
        (_no_company, ck.ValidationError, ["contact 5", "company_name", "is empty"]),
        (_unknown_id, ck.RecordNotFoundError, ["contact 999"]),
    ],
)
def test_bad_conversions_are_refused_and_nothing_written(
    crm: ck.CRM, leads: dict[str, int], bad: Bad, error: type[Exception], words: list[str]
) -> None:
    batches = len(crm.batches())
    with pytest.raises(error) as caught:
        bad(crm, leads)
    for word in words:
        assert word in str(caught.value)
    # Only the setup of the case (an add, a delete) wrote anything.
    assert len(crm.batches()) - batches <= 1
    assert crm.contacts.get(leads["lee"]).lifecycle_stage == "lead"
    assert crm.contacts.get(leads["lee"]).account_id is None
    assert len(crm.accounts) == 2
