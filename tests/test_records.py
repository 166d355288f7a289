"""The records API: accounts and contacts; add, get, update, clone, delete (owners:
tests/test_owners.py)."""

from __future__ import annotations

import pandas as pd
import pytest

import crmkit as ck


def test_contract_example(crm: ck.CRM) -> None:
    crm.owners.add("Nicole Bertrand", email="nb@example.com", team="Paris")
    acc = crm.accounts.add(
        name="APROOL",
        sector="Software",
        annual_revenue=4_200_000,
        employees=85,
        owner="Nicole Bertrand",
    )
    cid = crm.contacts.add(
        first_name="Hélène",
        last_name="Blou",
        account_id=acc,
        job_title="Chef de projet",
        email="helene.blou@aprool.com",
    )
    rec = crm.contacts.get(cid)
    assert (rec.first_name, rec.last_name, rec.account_id) == ("Hélène", "Blou", acc)
    updated = crm.contacts.update(cid, mobile="06 25 34 12 57")
    assert updated.mobile == "+33625341257"
    clone = crm.contacts.clone(cid, first_name="Marie")
    copy = crm.contacts.get(clone)
    assert (copy.first_name, copy.last_name, copy.email) == (
        "Marie",
        "Blou",
        "helene.blou@aprool.com",
    )
    assert copy.uid is None and copy.created_at >= rec.created_at
    view = crm.accounts.df().iloc[0]
    assert view["revenue_band"] == "1M-10M"
    assert view["headcount_band"] == "51-200"
    assert view["owner"] == "Nicole Bertrand"
    assert view["contact_count"] == 2


def test_missing_required_field(crm: ck.CRM) -> None:
    with pytest.raises(ck.ValidationError) as err:
        crm.contacts.add(first_name="Hélène")
    # The field's label, no "row 0" for the one record saved; the name stays in the cases.
    assert str(err.value) == "contact not saved: Last name: required"
    cases = err.value.failure_cases
    assert cases is not None and list(cases["field"]) == ["last_name"]
    assert len(crm.contacts) == 0


def test_required_fields_are_a_database_setting(crm_file: ck.CRM) -> None:
    crm_file.settings.set_required_fields("contacts", ["first_name", "job_title"])
    with pytest.raises(ck.ValidationError, match="First name: required"):
        crm_file.contacts.add(last_name="Blou", job_title="CTO")
    cid = crm_file.contacts.add(last_name="Blou", first_name="Hélène", job_title="CTO")
    with pytest.raises(ck.ValidationError, match="Job title: required"):
        crm_file.contacts.update(cid, job_title="  ")
    path = crm_file.path
    crm_file.close()
    with ck.open(path) as again:
        assert again.settings.required_fields("contacts") == [
            "last_name",
            "first_name",
            "job_title",
        ]
    with ck.open() as other, pytest.raises(ck.UnknownValueError, match="job_titel"):
        other.settings.set_required_fields("contacts", ["job_titel"])


def test_too_long_value(crm: ck.CRM) -> None:
    with pytest.raises(ck.ValidationError) as err:
        crm.accounts.add(name="A" * 161)
    assert "Account name: at most 160 characters ('AAAA" in str(err.value)


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("annual_revenue", "beaucoup", "Annual revenue: not a number"),
        ("annual_revenue", -10, "Annual revenue: must be at least 0"),
        ("employees", 12.5, "Employees: not a whole number"),
        ("account_type", "Friend", "Account type: not in the list"),
        ("is_client", "peut-être", "Client: not yes or no"),
    ],
)
def test_wrong_type_or_rule(crm: ck.CRM, field: str, value: object, rule: str) -> None:
    with pytest.raises(ck.ValidationError) as err:
        crm.accounts.add(name="APROOL", **{field: value})
    message = str(err.value)
    assert rule in message and str(value) in message and "row" not in message
    assert err.value.failure_cases is not None
    assert list(err.value.failure_cases["field"]) == [field]


def test_unknown_field_suggests(crm: ck.CRM) -> None:
    with pytest.raises(ck.UnknownValueError) as err:
        crm.contacts.add(last_name="Blou", job_tittle="CTO")
    assert err.value.suggestion == "job_title"


def test_system_fields_cannot_be_set(crm: ck.CRM) -> None:
    with pytest.raises(ck.ValidationError, match="managed by crmkit"):
        crm.contacts.add(last_name="Blou", created_at="2020-01-01")


def test_normalisation_on_add(crm: ck.CRM) -> None:
    acc = crm.accounts.add(
        name="  Société  Générale ",
        sector="banque",
        billing_country="Royaume-Uni",
        website="Example.COM",
        account_type="client",
        tags="b2b; grands comptes, B2B",
    )
    rec = crm.accounts.get(acc)
    assert rec.name == "Société Générale"
    assert rec.sector == "Banking"
    assert rec.billing_country == "GB"
    assert rec.website == "https://example.com"
    assert rec.account_type == "Customer"
    assert rec.tags == ["b2b", "grands comptes"]


def test_unknown_sector_is_stored_with_warning(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="Acme", sector="Basket weaving")
    assert crm.accounts.get(acc).sector == "Basket weaving"
    report = crm.validate(crm.accounts.df(), "accounts")
    assert report.ok
    assert list(report.warnings["check"]) == ["vocabulary(sector)"]


def test_account_by_name_and_unknown_account(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="Société Générale")
    cid = crm.contacts.add(last_name="Durand", account="societe generale")
    assert crm.contacts.get(cid).account_id == acc
    with pytest.raises(ck.UnknownValueError) as err:
        crm.contacts.add(last_name="Durand", account="Societe Generali")
    assert err.value.suggestion == "Société Générale"
    with pytest.raises(ck.RecordNotFoundError):
        crm.contacts.add(last_name="Durand", account_id=999)


def test_parent_cycle_refused(crm: ck.CRM) -> None:
    group = crm.accounts.add(name="Groupe")
    sub = crm.accounts.add(name="Filiale", parent=group)
    subsub = crm.accounts.add(name="Sous-filiale", parent_id=sub)
    with pytest.raises(ck.ParentCycleError, match="cycle"):
        crm.accounts.update(group, parent_id=subsub)
    with pytest.raises(ck.ParentCycleError, match="own parent"):
        crm.accounts.update(group, parent_id=group)
    assert crm.accounts.get(group).parent_id is None
    assert crm.accounts.df().set_index("name").loc["Filiale", "parent"] == "Groupe"


def test_delete_refuses_account_in_use(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="APROOL")
    cid = crm.contacts.add(last_name="Blou", account_id=acc)
    with pytest.raises(ck.RecordInUseError, match="contacts"):
        crm.accounts.delete(acc)
    crm.accounts.delete(acc, force=True)
    assert crm.contacts.get(cid).account_id is None
    assert crm.accounts.get(acc).deleted_at is not None
    assert not crm.accounts.exists(acc)
    assert len(crm.accounts) == 0


def test_soft_and_hard_delete_undo(crm: ck.CRM) -> None:
    cid = crm.contacts.add(
        last_name="Blou", photo=b"\x89PNG\x00\xff", tags=["a"], custom={"Hobby": "voile"}
    )
    crm.contacts.delete(cid, hard=True)
    with pytest.raises(ck.RecordNotFoundError):
        crm.contacts.get(cid)
    last = int(crm.batches().iloc[0]["id"])
    crm.undo(last)
    back = crm.contacts.get(cid)
    assert back.photo == b"\x89PNG\x00\xff"
    assert back.tags == ["a"]
    assert '"Hobby"' in back.custom


def test_activate_deactivate(crm: ck.CRM) -> None:
    cid = crm.contacts.add(last_name="Blou")
    assert crm.contacts.get(cid).active is True
    assert crm.contacts.deactivate(cid).active is False
    assert crm.contacts.activate(cid).active is True
    acc = crm.accounts.add(name="APROOL")
    assert crm.accounts.archive(acc).archived is True
    assert crm.accounts.unarchive(acc).archived is False


def test_update_only_records_real_changes(crm: ck.CRM) -> None:
    cid = crm.contacts.add(last_name="Blou", email="h@aprool.com")
    crm.contacts.update(cid, last_name="Blou", email="H@APROOL.COM")
    hist = crm.contacts.history(cid)
    assert list(hist["operation"]) == ["insert", "update"]
    assert hist.iloc[1]["field"] == "email"
    assert (hist.iloc[1]["old"], hist.iloc[1]["new"]) == ("h@aprool.com", "H@aprool.com")


def test_add_many_all_or_nothing(crm: ck.CRM, make_frame) -> None:
    frame = make_frame(
        {"last_name": ["Blou", None, "Durand"], "email": ["a@x.fr", "b@x.fr", "c@x.fr"]}
    )
    with pytest.raises(ck.ValidationError) as err:
        crm.contacts.add_many(frame)
    assert "row 1" in str(err.value)
    assert len(crm.contacts) == 0
    ids = crm.contacts.add_many(make_frame({"last_name": ["Blou", "Durand"]}))
    assert len(ids) == 2 and len(crm.contacts) == 2


def test_record_display(crm: ck.CRM) -> None:
    cid = crm.contacts.add(last_name="Blou", first_name="Hélène")
    rec = crm.contacts.get(cid)
    assert "Blou" in repr(rec) and "Contact(" in repr(rec)
    assert "<table" in rec._repr_html_() and "Last name" in rec._repr_html_()
    assert "contacts=1" in repr(crm)
    assert "crmkit-crm" in crm._repr_html_()


def test_history_frame(crm: ck.CRM) -> None:
    cid = crm.contacts.add(last_name="Blou")
    crm.contacts.update(cid, job_title="CTO")
    crm.contacts.update(cid, job_title="CEO")
    hist = crm.contacts.history(cid)
    assert isinstance(hist, pd.DataFrame)
    assert list(hist["new"]) == [None, "CTO", "CEO"]
    assert list(hist["old"]) == [None, None, "CTO"]
    assert set(hist["actor"]) == {"Nicole Bertrand"}


def test_save_and_associate_in_one_batch(crm: ck.CRM) -> None:
    cid = crm.contacts.add(last_name="Blou", account="Nouvelle Société", create_account=True)
    acc = crm.contacts.get(cid).account_id
    assert crm.accounts.get(acc).name == "Nouvelle Société"
    assert crm.last_batch_id is not None
    assert {"accounts", "contacts"} <= set(crm.history(batch_id=crm.last_batch_id)["table"])
    crm.undo(crm.last_batch_id)
    assert len(crm.accounts) == 0 and len(crm.contacts) == 0
    with pytest.raises(ck.UnknownValueError):
        crm.contacts.add(last_name="Blou", account="Inconnue")
