"""Consent: the legal basis per channel, its source and date (migration 8), subscriptions
that need an email basis, the quality count, filters, imports and the form's section."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

import crmkit as ck
from crmkit._core._store import CONSENT_FIELDS, SCHEMA_VERSION
from crmkit.schemas import LEGAL_BASES
from crmkit.widgets import ContactForm


def test_the_vocabulary_and_its_labels() -> None:
    assert LEGAL_BASES.values == [
        "consent",
        "contract",
        "legal_obligation",
        "vital_interest",
        "public_task",
        "legitimate_interest",
    ]
    assert LEGAL_BASES.label("consent", "fr") == "Consentement"
    assert LEGAL_BASES.label("legitimate_interest", "fr") == "Intérêt légitime"
    assert LEGAL_BASES.label("consent", "zh") == "同意"
    assert LEGAL_BASES.lookup("Intérêt légitime") == "legitimate_interest"
    assert LEGAL_BASES.lookup("合同") == "contract"


def test_add_and_update_take_values_and_labels(crm: ck.CRM) -> None:
    cid = crm.contacts.add(
        last_name="Blou",
        email="helene.blou@aprool.com",
        email_basis="Consentement",
        email_consent_source="formulaire salon 2025",
        email_consent_at="2025-03-14",
        phone_basis="legitimate interest",
    )
    record = crm.contacts.get(cid)
    assert (record.email_basis, record.phone_basis) == ("consent", "legitimate_interest")
    assert record.email_consent_at == dt.date(2025, 3, 14)
    assert record.email_consent_source == "formulaire salon 2025"
    crm.contacts.update(cid, phone_basis="Contrat", phone_consent_at="2025-04-01")
    assert crm.contacts.get(cid).phone_basis == "contract"
    crm.undo(int(crm.batches().iloc[0]["id"]))
    assert crm.contacts.get(cid).phone_basis == "legitimate_interest"
    assert crm.contacts.get(cid).phone_consent_at is None


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("email_basis", "because", "Email legal basis: not in the list ('because')"),
        ("phone_basis", "yes", "Phone legal basis: not in the list ('yes')"),
        ("email_consent_at", "last spring", "Email consent date: not a date ('last spring')"),
        ("phone_consent_at", "2025-13-45", "Phone consent date: not a date ('2025-13-45')"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(
    crm: ck.CRM, field: str, value: str, says: str
) -> None:
    with pytest.raises(ck.ValidationError) as error:
        crm.contacts.add(last_name="Blou", **{field: value})
    assert says in str(error.value)
    assert len(crm.contacts.all()) == 0
    cid = crm.contacts.add(last_name="Blou")
    batches = len(crm.batches())
    with pytest.raises(ck.ValidationError, match="not"):
        crm.contacts.update(cid, **{field: value})
    assert crm.contacts.get(cid)[field] is None and len(crm.batches()) == batches


@pytest.mark.parametrize("frame_kind", ["pandas", "polars"])
def test_add_many_from_pandas_and_polars(crm: ck.CRM, frame_kind: str) -> None:
    rows = {
        "last_name": ["A", "B"],
        "email_basis": ["consent", "Obligation légale"],
        "email_consent_at": ["2025-01-02", None],
    }
    frame = pd.DataFrame(rows) if frame_kind == "pandas" else pl.DataFrame(rows)
    ids = crm.contacts.add_many(frame)
    got = crm.contacts.filter(ids=ids).df()
    assert got["email_basis"].tolist() == ["consent", "legal_obligation"]
    assert crm.contacts.filter(ids=ids).pl()["email_consent_at"].to_list() == [
        dt.date(2025, 1, 2),
        None,
    ]


@pytest.mark.parametrize(
    ("basis", "source", "date"),
    [
        ("Email legal basis", "Email consent source", "Email consent date"),
        ("Base légale e-mail", "Source du consentement e-mail", "Date du consentement e-mail"),
        ("邮件法律依据", "邮件同意来源", "邮件同意日期"),
        ("email consent", "email opt-in source", "email opt-in date"),
    ],
)
def test_import_maps_the_headers(
    crm: ck.CRM, tmp_path: Path, basis: str, source: str, date: str
) -> None:
    path = tmp_path / "consent.csv"
    pd.DataFrame(
        {"Nom": ["Blou"], basis: ["Consentement"], source: ["salon"], date: ["14/03/2025"]}
    ).to_csv(path, index=False)
    report = crm.import_file(path, kind="contacts")
    assert report.inserted == 1
    row = crm.contacts.all().df().iloc[0]
    assert (row["email_basis"], row["email_consent_source"]) == ("consent", "salon")
    assert row["email_consent_at"] == pd.Timestamp(2025, 3, 14)


def test_import_rejects_an_unknown_basis_and_a_bad_date(crm: ck.CRM, tmp_path: Path) -> None:
    path = tmp_path / "consent.csv"
    pd.DataFrame(
        {
            "Nom": ["Ok", "Basis", "Date"],
            "Base légale e-mail": ["contrat", "peut-être", "consent"],
            "Date du consentement e-mail": ["2025-01-02", "2025-01-02", "pas une date"],
        }
    ).to_csv(path, index=False)
    report = crm.import_file(path, kind="contacts")
    assert report.inserted == 1
    reasons = dict(zip(report.rejected["__line__"], report.rejected["__reasons__"], strict=True))
    assert "email_basis" in reasons[3] and "peut-être" in reasons[3]
    assert "email_consent_at" in reasons[4] and "pas une date" in reasons[4]
    assert crm.contacts.all().df()["email_basis"].tolist() == ["contract"]


def test_filters_by_value_label_or_none(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="A", email_basis="consent")
    b = crm.contacts.add(last_name="B", email_basis="legitimate_interest", phone_basis="contract")
    c = crm.contacts.add(last_name="C")
    assert crm.contacts.filter(email_basis="Consentement").ids == [a]
    assert crm.contacts.filter(email_basis=["consent", "Intérêt légitime"]).ids == [a, b]
    assert crm.contacts.filter(email_basis=None).ids == [c]
    assert crm.contacts.filter(phone_basis="Contrat").ids == [b]
    with pytest.raises(ck.UnknownValueError, match="legal basis"):
        crm.contacts.filter(email_basis="opt-in-ish")


# -- subscriptions ------------------------------------------------------------------------


def test_subscribe_skips_contacts_without_an_email_basis(crm: ck.CRM) -> None:
    assert crm.settings.require_email_basis is True  # on by default
    ok = crm.contacts.add(last_name="Ok", email="ok@example.com", email_basis="consent")
    none = crm.contacts.add(last_name="Nobody", email="none@example.com")
    phone_only = crm.contacts.add(
        last_name="Phone", email="phone@example.com", phone_basis="consent"
    )
    report = crm.contacts.all().subscribe("Newsletter")
    assert report.changed == 1
    assert dict(zip(report.skipped["id"], report.skipped["reason"], strict=True)) == {
        none: "no legal basis for email",
        phone_only: "no legal basis for email",
    }
    assert crm.contacts.filter(subscribed="Newsletter").ids == [ok]
    assert "no legal basis for email" in repr(report)


def test_a_selection_with_no_basis_subscribes_nobody(crm: ck.CRM) -> None:
    cid = crm.contacts.add(last_name="Nobody", email="none@example.com")
    batches = len(crm.batches())
    report = crm.contacts.filter(ids=[cid]).subscribe("Newsletter")
    assert report.changed == 0 and report.batch_id is None
    assert report.skipped["id"].tolist() == [cid]
    assert len(crm.batches()) == batches


def test_the_check_can_be_turned_off_and_stays_off(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path) as crm:
        cid = crm.contacts.add(last_name="Us", email="us@example.com")
        crm.settings.require_email_basis = False
    with ck.open(path) as crm:
        assert crm.settings.require_email_basis is False
        assert crm.contacts.filter(ids=[cid]).subscribe("News").changed == 1
        with pytest.raises(ck.ValidationError, match="True or False"):
            crm.settings.require_email_basis = "no"  # type: ignore[assignment]


# -- quality --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en", "2 contacts with no legal basis for email"),
        ("fr", "2 contacts sans base légale pour l'e-mail"),
        ("zh", "2 位联系人没有邮件法律依据"),
    ],
)
def test_quality_counts_contacts_with_no_email_basis(crm: ck.CRM, lang: str, line: str) -> None:
    crm.contacts.add(last_name="A", email_basis="consent")
    crm.contacts.add(last_name="B")
    crm.contacts.add(last_name="C", phone_basis="consent")
    with ck.config_context(lang=lang):
        report = crm.quality("contacts")
        assert line in repr(report) and line in report.to_html().replace("&#x27;", "'")
    assert report.groups_df()["no_email_basis"].tolist() == [2]
    assert "no_email_basis" not in crm.quality("accounts").groups_df().columns


# -- form and migration -------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr", "zh"])
def test_the_form_has_a_consent_section(crm: ck.CRM, lang: str) -> None:
    form = ContactForm(crm, lang=lang)
    sections = [c for c in form.children if "crmkit-section-consent" in c._dom_classes]
    assert len(sections) == 1
    title = {"en": "Consent", "fr": "Consentement", "zh": "同意"}[lang]
    assert title in sections[0].children[0].value
    assert set(CONSENT_FIELDS) <= set(form.fields)
    options = [label for label, _ in form.inputs["email_basis"].options]
    assert {"en": "Consent", "fr": "Consentement", "zh": "同意"}[lang] in options


def test_migration_8_adds_the_columns_to_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with ck.open(path) as crm:
        cid = crm.contacts.add(last_name="Blou", email="b@example.com")
    con = duckdb.connect(str(path))
    con.execute("DROP VIEW IF EXISTS contacts_v")
    for column in CONSENT_FIELDS:
        con.execute(f"ALTER TABLE contacts DROP COLUMN {column}")
    con.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    con.close()
    with ck.open(path) as crm:
        assert crm.contacts.get(cid).email_basis is None  # nobody's consent is assumed
        version = crm.sql("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        assert int(version[0][0]) == SCHEMA_VERSION >= 8
        crm.contacts.update(cid, email_basis="consent")
        assert crm.contacts.filter(email_basis="consent").ids == [cid]
        assert crm.quality("contacts").groups_df()["no_email_basis"].tolist() == [0]
