"""The field catalog (crmkit.schemas._catalog): every standard field, three labels each,
tables and their DDL, lookups.
"""

from __future__ import annotations

import pytest

import crmkit as ck
from crmkit.schemas import (
    ACCOUNTS,
    CONTACTS,
    table,
)


def test_catalog_has_every_standard_field() -> None:
    for name in [
        "name",
        "website",
        "phone",
        "fax",
        "email",
        "sector",
        "annual_revenue",
        "currency",
        "employees",
        "account_type",
        "ownership",
        "parent_id",
        "owner_id",
        "account_number",
        "ticker",
        "sic_code",
        "naf_code",
        "siren",
        "billing_street",
        "billing_city",
        "billing_postal_code",
        "billing_region",
        "billing_country",
        "origin",
        "entity",
        "is_client",
        "archived",
        "tags",
        "description",
        "custom",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]:
        assert name in ACCOUNTS, name
    for name in [
        "salutation",
        "gender",
        "first_name",
        "last_name",
        "account_id",
        "job_title",
        "department",
        "reports_to_id",
        "email",
        "secondary_email",
        "phone",
        "mobile",
        "home_phone",
        "fax",
        "street",
        "city",
        "postal_code",
        "region",
        "country",
        "website",
        "linkedin",
        "twitter",
        "birthday",
        "owner_id",
        "active",
        "is_dpo",
        "is_ciso",
        "email_opt_out",
        "do_not_call",
        "origin",
        "skills",
        "tags",
        "notes",
        "photo",
        "uid",
        "custom",
        "created_at",
        "updated_at",
    ]:
        assert name in CONTACTS, name
    assert ACCOUNTS["name"].required and ACCOUNTS["name"].max_length == 160
    assert CONTACTS["last_name"].required and CONTACTS["last_name"].max_length == 100


def test_every_field_has_three_labels() -> None:
    for tbl in (ACCOUNTS, CONTACTS):
        for f in tbl:
            assert f.en and f.fr and f.zh, f.name
        assert len(set(tbl.names)) == len(tbl.names)


def test_ddl_derives_from_catalog(crm: ck.CRM) -> None:
    for tbl in (ACCOUNTS, CONTACTS):
        cols = crm.sql(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = ? ORDER BY ordinal_position",
            [tbl.name],
        ).fetchall()
        assert [c for c, _ in cols] == tbl.names
        assert [t for _, t in cols] == [f.sql_type for f in tbl]


def test_table_lookup_errors() -> None:
    assert table("contact") is CONTACTS
    with pytest.raises(ck.UnknownValueError):
        table("leads")
    with pytest.raises(ck.UnknownValueError):
        ACCOUNTS["nom"]


# -- the module's own functions ----------------------------------------------------------


def test_field_labels_header_names_and_types() -> None:
    mobile = CONTACTS["mobile"]
    assert mobile.labels == (mobile.en, mobile.fr, mobile.zh) == ("Mobile", "Portable", "手机")
    assert mobile.label("fr") == "Portable" and mobile.label("de") == "Mobile"
    assert mobile.header_names[:4] == ("mobile", "Mobile", "Portable", "手机")
    assert set(mobile.synonyms) <= set(mobile.header_names)
    assert CONTACTS["birthday"].sql_type == "DATE" and CONTACTS["tags"].sql_type == "VARCHAR[]"
    assert CONTACTS["id"].sql_type == "BIGINT" and not CONTACTS["id"].editable


def test_table_views_of_its_fields() -> None:
    assert CONTACTS.names[0] == "id" and len(CONTACTS.names) == len(list(CONTACTS))
    assert "created_at" not in [f.name for f in CONTACTS.editable]
    assert "last_name" in [f.name for f in CONTACTS.editable]
    assert CONTACTS.default_required == ["last_name"] and ACCOUNTS.default_required == ["name"]
    assert {f.name for f in ACCOUNTS.by_kind("ref")} >= {"parent_id", "owner_id"}
    assert CONTACTS.labels("zh")["last_name"] == "姓"
    assert "nom" not in CONTACTS and 3 not in CONTACTS
    ddl = ACCOUNTS.ddl()
    assert ddl.startswith("CREATE TABLE IF NOT EXISTS accounts (\n    id BIGINT PRIMARY KEY")
    assert "DEFAULT nextval('accounts_id_seq')" in ddl
    assert "name VARCHAR" in ddl


def test_an_unknown_field_lists_the_fields() -> None:
    with pytest.raises(ck.UnknownValueError) as caught:
        CONTACTS["nom"]
    assert caught.value.what == "contacts field" and "last_name" in caught.value.valid
