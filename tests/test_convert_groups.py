"""Lead conversion never creates two accounts for one company in one call: new companies
are grouped by their company key ("&" and "and", legal forms, accents, case) and by the
domain of their web site or work e-mail (not a webmail)."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest

import crmkit as ck


@pytest.fixture
def crm() -> ck.CRM:
    with ck.open() as opened:
        yield opened


def _lead(crm: ck.CRM, name: str, company: str, email: str | None = None) -> int:
    return crm.contacts.add(
        last_name=name, lifecycle_stage="lead", company_name=company, email=email
    )


def test_name_variants_make_one_new_account(crm: ck.CRM) -> None:
    ids = [
        _lead(crm, "Baker", "Baker & Sons"),
        _lead(crm, "Sons", "Baker and Sons Ltd"),
        _lead(crm, "Bäcker", "BAKER AND SONS SARL"),
    ]
    report = crm.contacts.convert(ids)
    assert report.created == ["Baker & Sons"] and len(report.accounts_created) == 1
    assert list(crm.accounts.df()["name"]) == ["Baker & Sons"]
    assert {crm.contacts.get(i).account_id for i in ids} == set(report.accounts_created)


def test_same_domain_makes_one_new_account(crm: ck.CRM) -> None:
    first = _lead(crm, "Baker", "Baker & Sons", "anna@bakersons.com")
    second = _lead(crm, "Cole", "BS Bakeries Group", "cole@bakersons.com")
    third = crm.contacts.add(
        last_name="Dee",
        lifecycle_stage="qualified",
        company_name="Bakersons",
        website="https://www.bakersons.com/contact",
    )
    report = crm.contacts.convert([first, second, third])
    assert len(report.accounts_created) == 1
    assert len(crm.accounts.df()) == 1
    rows = report.df()
    assert set(rows["action"]) == {"created"} and set(rows["account_name"]) == {"Baker & Sons"}
    assert pl.from_pandas(rows[["contact"]]).height == 3
    crm.undo(report.batch_id)
    assert crm.accounts.df().empty


def test_dry_run_plans_one_account_too(crm: ck.CRM) -> None:
    ids = [
        _lead(crm, "Baker", "Baker & Sons", "a@bakersons.com"),
        _lead(crm, "Sons", "Baker and Sons Ltd", "b@bakersons.com"),
    ]
    report = crm.contacts.convert(pd.DataFrame({"id": ids}), dry_run=True)
    assert report.created == ["Baker & Sons"]
    assert crm.accounts.df().empty


def test_companies_at_webmail_domains_stay_apart(crm: ck.CRM) -> None:
    ids = [
        _lead(crm, "Baker", "Baker & Sons", "baker@gmail.com"),
        _lead(crm, "Smith", "Smith Plumbing", "smith@gmail.com"),
    ]
    report = crm.contacts.convert(ids)
    assert sorted(report.created) == ["Baker & Sons", "Smith Plumbing"]
    assert len(report.accounts_created) == 2
    assert crm.contacts.get(ids[0]).account_id != crm.contacts.get(ids[1]).account_id


def test_and_matches_an_existing_ampersand_account(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="Baker & Sons")
    lead = _lead(crm, "Sons", "Baker and Sons Ltd")
    report = crm.contacts.convert([lead])
    assert report.df()["action"].tolist() == ["matched"]
    assert crm.contacts.get(lead).account_id == acc
