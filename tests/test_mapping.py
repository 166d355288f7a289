"""Header mapping: export layouts, catalog names, overrides, conflicts, fuzzy matches, rules."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._importing._mapping import (
    FULL_NAME,
    LAYOUTS,
    PSEUDO_FIELDS,
    FullName,
    MappingPlan,
    TypedPair,
    apply_full_names,
    apply_typed_pairs,
    detect_layout,
    header_key,
    header_unit,
    parse_full_name,
    propose_mapping,
    split_full_name,
)
from crmkit.schemas._catalog import table

# --------------------------------------------------------------------------------------
# Real export headers
# --------------------------------------------------------------------------------------

GOOGLE = [
    "First Name", "Middle Name", "Last Name", "Name Prefix", "Name Suffix", "Nickname",
    "Birthday", "Notes", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label",
    "E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label",
    "Phone 2 - Value", "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street",
    "Address 1 - City", "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code",
    "Address 1 - Country", "Organization Name", "Organization Title",
    "Organization Department", "Website 1 - Label", "Website 1 - Value",
]  # fmt: skip
GOOGLE_OLD = [
    "Name", "Given Name", "Family Name", "E-mail 1 - Type", "E-mail 1 - Value",
    "Phone 1 - Type", "Phone 1 - Value", "Organization 1 - Name", "Organization 1 - Title",
    "Group Membership",
]  # fmt: skip
OUTLOOK = [
    "First Name", "Middle Name", "Last Name", "Title", "Suffix", "Company", "Department",
    "Job Title", "Business Street", "Business City", "Business State", "Business Postal Code",
    "Business Country/Region", "Home Street", "Home City", "Business Fax", "Business Phone",
    "Business Phone 2", "Mobile Phone", "Home Phone", "E-mail Address", "E-mail 2 Address",
    "E-mail 3 Address", "Notes", "Web Page", "Birthday", "Categories", "Gender",
]  # fmt: skip
SALESFORCE_CONTACTS = [
    "Salutation", "First Name", "Last Name", "Title", "Account Name", "Mailing Street",
    "Mailing City", "Mailing State/Province", "Mailing Zip/Postal Code", "Mailing Country",
    "Phone", "Mobile", "Fax", "Email", "Contact Owner", "Lead Source", "Description",
    "Birthdate", "Department", "Email Opt Out", "Do Not Call",
]  # fmt: skip
SALESFORCE_ACCOUNTS = [
    "Account Name", "Type", "Industry", "Annual Revenue", "Employees", "Billing Street",
    "Billing City", "Billing State/Province", "Billing Zip/Postal Code", "Billing Country",
    "Phone", "Fax", "Website", "Account Owner", "Account Number", "Ownership",
    "Ticker Symbol", "SIC Code", "Parent Account", "Account Source",
]  # fmt: skip
HUBSPOT_CONTACTS = [
    "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "Job Title",
    "Company Name", "Contact owner", "Lifecycle Stage", "Street Address", "City",
    "State/Region", "Postal Code", "Country/Region", "Website URL", "LinkedIn URL",
]  # fmt: skip
HUBSPOT_COMPANIES = [
    "Company name", "Company Domain Name", "Industry", "Annual Revenue",
    "Number of Employees", "Company owner", "Phone Number", "City", "Country/Region",
]  # fmt: skip
ZOHO_CONTACTS = [
    "Salutation", "First Name", "Last Name", "Account Name", "Title", "Department", "Email",
    "Secondary Email", "Phone", "Mobile", "Home Phone", "Fax", "Contact Owner", "Lead Source",
    "Mailing Street", "Mailing City", "Mailing State", "Mailing Zip", "Mailing Country",
    "Date of Birth", "Email Opt Out", "Skype ID", "Twitter", "Description", "Reports To",
    "Tag",
]  # fmt: skip
ZOHO_ACCOUNTS = [
    "Account Name", "Account Owner", "Account Type", "Industry", "Annual Revenue",
    "Employees", "Rating", "Ownership", "Parent Account", "Account Number", "Ticker Symbol",
    "SIC Code", "Website", "Billing Street", "Billing City", "Billing State", "Billing Code",
    "Billing Country", "Description",
]  # fmt: skip
FRENCH = [
    "Société", "Affecté à", "Nom", "Prénom", "Fonction", "Téléphone", "Portable", "Fax",
    "E-mail", "Ville", "Code postal", "Pays", "Secteur", "Effectif", "Chiffre d'affaires",
    "Origine commerciale", "Compétences", "Client", "Entité", "Civilité", "Service",
]  # fmt: skip
CHINESE = [
    "客户名称", "客户所有者", "年收入", "员工数", "行业", "姓名", "姓", "名", "手机", "电话",
    "邮箱", "职位", "部门", "地址", "城市", "省份", "国家", "网站", "备注", "来源",
]  # fmt: skip

ALL_SETS = {
    "google": (GOOGLE, "contacts"),
    "google_old": (GOOGLE_OLD, "contacts"),
    "outlook": (OUTLOOK, "contacts"),
    "salesforce_contacts": (SALESFORCE_CONTACTS, "contacts"),
    "salesforce_accounts": (SALESFORCE_ACCOUNTS, "accounts"),
    "hubspot_contacts": (HUBSPOT_CONTACTS, "contacts"),
    "hubspot_companies": (HUBSPOT_COMPANIES, "accounts"),
    "zoho_contacts": (ZOHO_CONTACTS, "contacts"),
    "zoho_accounts": (ZOHO_ACCOUNTS, "accounts"),
    "french_contacts": (FRENCH, "contacts"),
    "french_accounts": (FRENCH, "accounts"),
    "chinese_contacts": (CHINESE, "contacts"),
    "chinese_accounts": (CHINESE, "accounts"),
}


def assert_maps(plan: MappingPlan, expected: dict[str, str | None]) -> None:
    got = {h: plan.fields[h] for h in expected}
    assert got == expected


def assert_well_formed(plan: MappingPlan) -> None:
    """Every header once: mapped, in custom, or read by a rule; no field filled twice."""
    mapped = [h for h, t in plan.fields.items() if t is not None]
    assert sorted(mapped + plan.custom + plan.rule_columns) == sorted(plan.headers)
    targets = list(plan.mapped.values())
    assert len(targets) == len(set(targets))
    valid = set(table(plan.kind).names) | set(PSEUDO_FIELDS[plan.kind])
    assert set(targets) <= valid
    assert set(plan.scores) == set(plan.headers)


# --------------------------------------------------------------------------------------
# Layouts
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ALL_SETS))
def test_every_header_set_gives_a_well_formed_plan(name: str) -> None:
    headers, kind = ALL_SETS[name]
    assert_well_formed(propose_mapping(headers, kind))


def test_google_contacts_layout_uses_typed_pairs() -> None:
    plan = propose_mapping(GOOGLE, "contacts")
    assert plan.layout == "google"
    assert_maps(plan, {
        "First Name": "first_name", "Last Name": "last_name", "Name Prefix": "salutation",
        "Birthday": "birthday", "Notes": "notes", "Labels": "tags",
        "Address 1 - Street": "street", "Address 1 - City": "city",
        "Address 1 - Region": "region", "Address 1 - Postal Code": "postal_code",
        "Address 1 - Country": "country", "Organization Name": "company",
        "Organization Title": "job_title", "Organization Department": "department",
        "Middle Name": None, "Nickname": None, "Address 1 - Formatted": None,
    })  # fmt: skip
    assert {"Middle Name", "Name Suffix", "Nickname", "Address 1 - PO Box"} <= set(plan.custom)
    pairs = {r.value_column: r for r in plan.rules if isinstance(r, TypedPair)}
    assert set(pairs) == {"E-mail 1 - Value", "E-mail 2 - Value", "Phone 1 - Value",
                          "Phone 2 - Value", "Website 1 - Value"}  # fmt: skip
    phone = pairs["Phone 1 - Value"]
    assert phone.label_column == "Phone 1 - Label"
    assert (phone.route("Mobile"), phone.route("Work"), phone.route("Home")) == (
        "mobile", "phone", "home_phone")  # fmt: skip
    assert phone.route("Work Fax") == "fax"
    assert phone.route("") == phone.default_field == "phone"
    assert pairs["E-mail 2 - Value"].spill == {"email": "secondary_email"}
    assert pairs["Website 1 - Value"].route("LinkedIn") == "linkedin"
    # Columns read by a rule are neither direct targets nor custom.
    assert plan.fields["Phone 1 - Value"] is None
    assert "Phone 1 - Label" not in plan.custom
    assert plan.scores["Phone 1 - Value"][2] == "layout"


def test_old_google_layout_full_name_gives_way_to_given_and_family() -> None:
    plan = propose_mapping(GOOGLE_OLD, "contacts")
    assert plan.layout == "google_old"
    assert_maps(plan, {
        "Given Name": "first_name", "Family Name": "last_name",
        "Organization 1 - Name": "company", "Organization 1 - Title": "job_title",
        "Group Membership": "tags", "Name": None,
    })  # fmt: skip
    assert "Name" in plan.custom
    assert any("'Name'" in c for c in plan.conflicts)
    assert {r.label_column for r in plan.rules if isinstance(r, TypedPair)} == {
        "E-mail 1 - Type", "Phone 1 - Type"}  # fmt: skip


def test_old_google_full_name_alone_becomes_a_rule() -> None:
    plan = propose_mapping(["Name", "E-mail 1 - Type", "E-mail 1 - Value", "Group Membership",
                            "Organization 1 - Name"], "contacts")  # fmt: skip
    assert plan.rules[0] == FullName("Name")
    assert plan.fields["Name"] is None and "Name" not in plan.custom
    assert plan.scores["Name"][0] == "first_name + last_name (split)"


def test_outlook_title_is_the_salutation() -> None:
    plan = propose_mapping(OUTLOOK, "contacts")
    assert plan.layout == "outlook"
    assert_maps(plan, {
        "Title": "salutation", "Job Title": "job_title", "Company": "company",
        "Business Street": "street", "Business City": "city", "Business State": "region",
        "Business Postal Code": "postal_code", "Business Country/Region": "country",
        "Business Phone": "phone", "Mobile Phone": "mobile", "Home Phone": "home_phone",
        "Business Fax": "fax", "E-mail Address": "email", "E-mail 2 Address": "secondary_email",
        "Web Page": "website", "Categories": "tags", "Gender": "gender", "Notes": "notes",
        "Home Street": None, "Business Phone 2": None, "E-mail 3 Address": None, "Suffix": None,
    })  # fmt: skip
    assert plan.scores["Title"] == ("salutation", 95, "layout")
    assert not plan.conflicts


def test_salesforce_title_is_the_job_title() -> None:
    plan = propose_mapping(SALESFORCE_CONTACTS, "contacts")
    assert plan.layout == "salesforce"
    assert_maps(plan, {
        "Salutation": "salutation", "Title": "job_title", "Account Name": "company",
        "Mailing Street": "street", "Mailing City": "city", "Mailing State/Province": "region",
        "Mailing Zip/Postal Code": "postal_code", "Mailing Country": "country",
        "Phone": "phone", "Mobile": "mobile", "Fax": "fax", "Email": "email",
        "Contact Owner": "owner", "Lead Source": "origin", "Description": "notes",
        "Birthdate": "birthday", "Email Opt Out": "email_opt_out", "Do Not Call": "do_not_call",
    })  # fmt: skip
    assert plan.custom == []


def test_salesforce_accounts() -> None:
    plan = propose_mapping(SALESFORCE_ACCOUNTS, "accounts")
    assert plan.layout == "salesforce"
    assert_maps(plan, {
        "Account Name": "name", "Type": "account_type", "Industry": "sector",
        "Annual Revenue": "annual_revenue", "Employees": "employees",
        "Billing Street": "billing_street", "Billing State/Province": "billing_region",
        "Billing Zip/Postal Code": "billing_postal_code", "Account Owner": "owner",
        "Account Number": "account_number", "Ticker Symbol": "ticker", "SIC Code": "sic_code",
        "Parent Account": "parent", "Account Source": "origin", "Website": "website",
    })  # fmt: skip
    assert plan.custom == []


def test_hubspot_contacts_and_companies() -> None:
    plan = propose_mapping(HUBSPOT_CONTACTS, "contacts")
    assert plan.layout == "hubspot"
    assert_maps(plan, {
        "Phone Number": "phone", "Mobile Phone Number": "mobile", "Company Name": "company",
        "Contact owner": "owner", "Lifecycle Stage": None, "Street Address": "street",
        "State/Region": "region", "Country/Region": "country", "Website URL": "website",
        "LinkedIn URL": "linkedin",
    })  # fmt: skip
    assert plan.custom == ["Lifecycle Stage"]
    plan = propose_mapping(HUBSPOT_COMPANIES, "accounts")
    assert plan.layout == "hubspot"
    assert_maps(plan, {
        "Company name": "name", "Company Domain Name": "website", "Industry": "sector",
        "Number of Employees": "employees", "Company owner": "owner",
        "Annual Revenue": "annual_revenue", "City": "billing_city",
        "Country/Region": "billing_country",
    })  # fmt: skip


def test_zoho_contacts_and_accounts() -> None:
    plan = propose_mapping(ZOHO_CONTACTS, "contacts")
    assert plan.layout == "zoho"
    assert_maps(plan, {
        "Account Name": "company", "Title": "job_title", "Secondary Email": "secondary_email",
        "Home Phone": "home_phone", "Mailing State": "region", "Mailing Zip": "postal_code",
        "Date of Birth": "birthday", "Twitter": "twitter", "Tag": "tags", "Skype ID": None,
        "Reports To": None, "Contact Owner": "owner",
    })  # fmt: skip
    assert set(plan.custom) == {"Skype ID", "Reports To"}
    plan = propose_mapping(ZOHO_ACCOUNTS, "accounts")
    assert plan.layout == "zoho"
    assert_maps(plan, {
        "Account Owner": "owner", "Account Type": "account_type", "Rating": None,
        "Parent Account": "parent", "Billing Code": "billing_postal_code",
        "Billing State": "billing_region", "Description": "description",
    })  # fmt: skip
    assert plan.custom == ["Rating"]


def test_french_crm_headers() -> None:
    contacts = propose_mapping(FRENCH, "contacts")
    assert contacts.layout == "french_crm"
    assert_maps(contacts, {
        "Société": "company", "Affecté à": "owner", "Nom": "last_name", "Prénom": "first_name",
        "Fonction": "job_title", "Téléphone": "phone", "Portable": "mobile", "E-mail": "email",
        "Ville": "city", "Code postal": "postal_code", "Pays": "country",
        "Origine commerciale": "origin", "Compétences": "skills", "Civilité": "salutation",
        "Service": "department",
    })  # fmt: skip
    # Account columns in a contact list are kept, in custom.
    assert {"Secteur", "Effectif", "Chiffre d'affaires", "Client", "Entité"} <= set(
        contacts.custom)  # fmt: skip
    accounts = propose_mapping(FRENCH, "accounts")
    assert_maps(accounts, {
        "Société": "name", "Affecté à": "owner", "Secteur": "sector", "Effectif": "employees",
        "Chiffre d'affaires": "annual_revenue", "Client": "is_client", "Entité": "entity",
        "Ville": "billing_city", "Nom": None, "Prénom": None,
    })  # fmt: skip


def test_chinese_headers() -> None:
    contacts = propose_mapping(CHINESE, "contacts")
    assert contacts.layout == "chinese"
    assert_maps(contacts, {
        "客户名称": "company", "客户所有者": "owner", "姓": "last_name", "名": "first_name",
        "手机": "mobile", "电话": "phone", "邮箱": "email", "职位": "job_title",
        "部门": "department", "地址": "street", "城市": "city", "省份": "region",
        "国家": "country", "网站": "website", "备注": "notes", "来源": "origin",
        # 姓 and 名 give the name; the whole name 姓名 goes to custom.
        "姓名": None,
    })  # fmt: skip
    assert "姓名" in contacts.custom and contacts.conflicts
    accounts = propose_mapping(CHINESE, "accounts")
    assert_maps(accounts, {
        "客户名称": "name", "客户所有者": "owner", "年收入": "annual_revenue",
        "员工数": "employees", "行业": "sector", "省份": "billing_region",
        "备注": "description",
    })  # fmt: skip


def test_chinese_full_name_alone_is_split() -> None:
    plan = propose_mapping(["姓名", "手机", "公司"], "contacts")
    assert plan.rules == [FullName("姓名")]
    assert plan.fields["公司"] == "company"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["First Name", "Last Name", "Title", "Job Title", "Business Phone", "Categories"],
         "outlook"),
        (["Given Name", "Family Name", "Group Membership"], "google_old"),
        (["E-mail 1 - Label", "E-mail 1 - Value", "Organization Name", "Labels"], "google"),
        (["Email", "Phone", "City"], None),  # "City" alone is HubSpot's, not enough
        (["Name", "Phone 1 - Type"], "google_old"),
        ([], None),
    ],
)  # fmt: skip
def test_detect_layout(headers: list[str], expected: str | None) -> None:
    assert detect_layout(headers) == expected


def test_forced_layout_and_unknown_layout() -> None:
    plan = propose_mapping(["Title", "Name"], "contacts", layout="outlook")
    assert plan.layout == "outlook"
    assert plan.fields["Title"] == "salutation"
    assert propose_mapping(["Title"], "contacts").fields["Title"] == "job_title"
    with pytest.raises(UnknownValueError, match="outlok") as err:
        propose_mapping(["Title"], "contacts", layout="outlok")
    assert err.value.suggestion == "outlook"
    assert set(LAYOUTS) == {"google", "google_old", "outlook", "salesforce", "hubspot",
                            "zoho", "french_crm", "chinese"}  # fmt: skip


# --------------------------------------------------------------------------------------
# Catalog names, folding, pseudo-fields
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header", ["E-mail", "email", "E_MAIL", "Courriel", " e-mail * ", "E-Mail :", "EMAIL"]
)
def test_folded_headers_match_exactly(header: str) -> None:
    plan = propose_mapping([header], "contacts")
    assert plan.fields[header] == "email"
    assert plan.scores[header][2] in ("exact", "synonym")


@pytest.mark.parametrize(
    ("header", "field", "unit"),
    [
        ("Chiffre d'affaires (k€)", "annual_revenue", "k€"),
        ("CA (K€)", "annual_revenue", "k€"),
        ("Annual Revenue (USD)", "annual_revenue", "usd"),
        ("Effectif (人)", "employees", "人"),
        ("员工数（人）", "employees", "人"),
        ("年收入(万元)", "annual_revenue", "万元"),
        ("Société *", "name", None),
        ("Account #", "account_number", None),
    ],
)
def test_units_and_markers_are_stripped(header: str, field: str, unit: str | None) -> None:
    plan = propose_mapping([header], "accounts")
    assert plan.fields[header] == field
    assert header_unit(header) == unit
    assert plan.units.get(header) == unit


def test_header_key_keeps_words_that_are_not_units() -> None:
    assert header_key("Title (salutation)") == "titlesalutation"
    assert header_key("N° de compte") == header_key("No de compte")


@pytest.mark.parametrize(
    ("kind", "header", "target"),
    [
        ("contacts", "Société", "company"),
        ("contacts", "Company", "company"),
        ("contacts", "公司", "company"),
        ("contacts", "Account Name", "company"),
        ("contacts", "account_id", "account_id"),
        ("contacts", "Account ID", "account_id"),
        ("contacts", "Affecté à", "owner"),
        ("contacts", "Contact Owner", "owner"),
        ("contacts", "客户所有者", "owner"),
        ("contacts", "owner_id", "owner_id"),
        ("accounts", "Account Owner", "owner"),
        ("accounts", "Parent Account", "parent"),
        ("accounts", "Maison mère", "parent"),
        ("accounts", "parent_id", "parent_id"),
        ("accounts", "Company", "name"),
        ("accounts", "员工数", "employees"),
        ("accounts", "Effectif", "employees"),
        ("accounts", "Annual Revenue", "annual_revenue"),
    ],
)
def test_references_map_to_pseudo_fields_unless_an_id(kind: str, header: str, target: str) -> None:
    assert propose_mapping([header], kind).fields[header] == target


def test_managed_fields_and_name_only_references_are_not_filled() -> None:
    headers = ["id", "Created Time", "Modified Time", "Reports To"]
    plan = propose_mapping(headers, "contacts")
    assert plan.custom == headers


# --------------------------------------------------------------------------------------
# Explicit mapping
# --------------------------------------------------------------------------------------


def test_explicit_mapping_overrides_everything() -> None:
    plan = propose_mapping(
        ["Title", "Email", "Mail perso", "Zone"],
        "contacts",
        mapping={"Title": "salutation", "Email": None, "Mail perso": "email"},
    )
    assert plan.fields == {"Title": "salutation", "Email": None, "Mail perso": "email",
                           "Zone": None}  # fmt: skip
    assert plan.custom == ["Email", "Zone"]
    assert plan.scores["Email"] == (None, 100, "explicit")
    assert plan.scores["Title"] == ("salutation", 100, "explicit")


def test_explicit_mapping_wins_a_conflict() -> None:
    plan = propose_mapping(["Email", "Courriel pro"], "contacts",
                           mapping={"Courriel pro": "email"})  # fmt: skip
    assert plan.fields == {"Email": None, "Courriel pro": "email"}
    assert plan.conflicts and "'Email'" in plan.conflicts[0]


def test_explicit_mapping_accepts_a_folded_header_and_pseudo_fields() -> None:
    plan = propose_mapping(
        ["E-MAIL", "Boss"], "contacts", mapping={"e-mail": "secondary_email", "Boss": "owner"}
    )
    assert plan.fields == {"E-MAIL": "secondary_email", "Boss": "owner"}


def test_explicit_full_name() -> None:
    plan = propose_mapping(["Contact"], "contacts", mapping={"Contact": FULL_NAME})
    assert plan.rules == [FullName("Contact")]


def test_unknown_target_suggests_a_field() -> None:
    with pytest.raises(UnknownValueError) as err:
        propose_mapping(["Mail"], "contacts", mapping={"Mail": "emial"})
    assert err.value.suggestion == "email"
    assert "Did you mean 'email'?" in str(err.value)
    # A label or synonym given as a target points to the field it names.
    with pytest.raises(UnknownValueError) as err:
        propose_mapping(["X"], "contacts", mapping={"X": "Prénom"})
    assert err.value.suggestion == "first_name"
    with pytest.raises(UnknownValueError):
        propose_mapping(["X"], "contacts", mapping={"X": "id"})  # crmkit sets ids


def test_unknown_mapping_column_raises() -> None:
    with pytest.raises(UnknownValueError) as err:
        propose_mapping(["Email", "Phone"], "contacts", mapping={"Emali": "email"})
    assert err.value.suggestion == "Email"


def test_two_explicit_columns_to_one_field_raise() -> None:
    with pytest.raises(ValidationError, match="'A' and 'B' both map to 'email'"):
        propose_mapping(["A", "B"], "contacts", mapping={"A": "email", "B": "email"})


def test_repeated_header_raises() -> None:
    with pytest.raises(ValidationError, match="columns 1 and 3"):
        propose_mapping(["Email", "Nom", "Email"], "contacts")


def test_to_mapping_round_trips() -> None:
    for headers, kind in ALL_SETS.values():
        plan = propose_mapping(headers, kind)
        again = propose_mapping(headers, kind, mapping=plan.to_mapping())
        assert again.fields == plan.fields
        assert again.rules == plan.rules


# --------------------------------------------------------------------------------------
# Conflicts, fuzzy matches, custom
# --------------------------------------------------------------------------------------


def test_second_email_column_goes_to_secondary_email() -> None:
    plan = propose_mapping(["Email", "Email 2"], "contacts")
    assert plan.fields == {"Email": "email", "Email 2": "secondary_email"}
    assert plan.conflicts == []


def test_two_email_columns_keep_the_first_and_report() -> None:
    plan = propose_mapping(["Nom", "Email", "E-mail"], "contacts")
    assert plan.fields["Email"] == "email"
    assert plan.fields["E-mail"] is None
    assert plan.custom == ["E-mail"]
    assert len(plan.conflicts) == 1
    note = plan.conflicts[0]
    assert "'E-mail'" in note and "'Email'" in note and "email" in note
    assert "taken by 'Email'" in plan.notes["E-mail"]


def test_the_more_confident_column_wins_whatever_the_order() -> None:
    plan = propose_mapping(["Emial adress", "Email"], "contacts")
    assert plan.fields == {"Emial adress": None, "Email": "email"}
    assert "fuzzy" in plan.conflicts[0]


@pytest.mark.parametrize(
    ("kind", "header", "target"),
    [
        ("contacts", "Emial adress", "email"),
        ("contacts", "Compagny", "company"),
        ("accounts", "Compagny", "name"),
        ("contacts", "Job Titel", "job_title"),
    ],
)
def test_fuzzy_fallback(kind: str, header: str, target: str) -> None:
    plan = propose_mapping([header], kind)
    assert plan.fields[header] == target
    mapped, score, how = plan.scores[header]
    assert (mapped, how) == (target, "fuzzy")
    assert 87 <= score < 100


@pytest.mark.parametrize(
    "header",
    ["Eml", "Nmo", "E-mail 3 Address", "Phone 3 - Value", "Other Street", "Hobby",
     "Shoe size", "Unnamed: 7", "Account ID 2", ""],
)  # fmt: skip
def test_unknown_columns_go_to_custom(header: str) -> None:
    plan = propose_mapping([header], "contacts")
    assert plan.fields == {header: None}
    assert plan.custom == [header]
    assert plan.scores[header] == (None, 0, "custom")


def test_custom_keeps_column_order() -> None:
    plan = propose_mapping(["Zeta", "Nom", "Alpha", "Hobby"], "contacts")
    assert plan.custom == ["Zeta", "Alpha", "Hobby"]


def test_a_typed_pair_never_routes_to_a_field_another_column_fills() -> None:
    plan = propose_mapping(["Mobile", "Phone 1 - Label", "Phone 1 - Value"], "contacts")
    (rule,) = plan.rules
    assert isinstance(rule, TypedPair)
    assert "mobile" not in rule.targets
    assert rule.route("Mobile") is None  # -> overflow, kept in custom
    assert any("'Phone 1 - Value'" in c and "mobile" in c for c in plan.conflicts)


def test_a_value_column_without_its_label_maps_directly() -> None:
    plan = propose_mapping(["E-mail 1 - Value", "Phone 1 - Label"], "contacts")
    assert plan.fields == {"E-mail 1 - Value": "email", "Phone 1 - Label": None}
    assert plan.rules == []


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(sorted({h for hs, _ in ALL_SETS.values() for h in hs})),
            st.text(max_size=12),
        ),
        max_size=25,
        unique=True,
    ),
    st.sampled_from(["contacts", "accounts"]),
)
def test_any_headers_give_a_well_formed_plan(headers: list[str], kind: str) -> None:
    assert_well_formed(propose_mapping(headers, kind))


# --------------------------------------------------------------------------------------
# Display
# --------------------------------------------------------------------------------------


def test_plan_displays_itself() -> None:
    plan = propose_mapping(["Nom", "Email", "E-mail", "<b>Hobby</b>"], "contacts")
    frame = plan.to_frame()
    assert list(frame.columns) == ["header", "field", "how", "score", "note"]
    assert frame["header"].tolist() == plan.headers
    assert frame.loc[frame["header"] == "Nom", "field"].item() == "last_name"
    text = repr(plan)
    assert text.startswith("MappingPlan(contacts")
    assert "Nom" in text and "last_name" in text and "(custom)" in text
    page = plan._repr_html_()
    assert "<table" in page and "Conflicts" in page
    assert "<b>Hobby</b>" not in page and "&lt;b&gt;Hobby&lt;/b&gt;" in page


# --------------------------------------------------------------------------------------
# Applying typed pairs and full names
# --------------------------------------------------------------------------------------


def _column(frame: Any, name: str) -> list[Any]:
    values = frame[name].to_list()
    return [None if isinstance(v, float) and v != v else v for v in values]


def test_apply_typed_pairs_routes_google_phones_and_emails(
    make_frame: Callable[[dict[str, list[Any]]], Any],
) -> None:
    headers = [
        "Phone 1 - Label",
        "Phone 1 - Value",
        "Phone 2 - Label",
        "Phone 2 - Value",
        "E-mail 1 - Label",
        "E-mail 1 - Value",
        "E-mail 2 - Label",
        "E-mail 2 - Value",
    ]
    plan = propose_mapping(headers, "contacts")
    frame = make_frame({
        "Phone 1 - Label": ["Mobile", "Work Fax", "Pager", "* Mobile", "Mobile", None],
        "Phone 1 - Value": ["06 11", "01 99", "555", "06 22 ::: 06 33", "06 44", None],
        "Phone 2 - Label": ["Work", "Home", "", "Work", "Mobile", "Home"],
        "Phone 2 - Value": ["01 11", "01 22", "01 33", None, "06 55", ""],
        "E-mail 1 - Label": ["* Work", None, None, None, None, None],
        "E-mail 1 - Value": ["a@x.fr", "b@x.fr", None, None, None, None],
        "E-mail 2 - Label": ["Home", "Newsletter", None, None, None, None],
        "E-mail 2 - Value": ["c@x.fr", "d@x.fr", None, None, None, None],
    })  # fmt: skip
    out = apply_typed_pairs(frame, plan.rules)
    assert type(out) is type(frame)
    assert len(out) == len(frame)
    assert _column(out, "mobile") == ["06 11", None, None, "06 22", "06 44", None]
    assert _column(out, "phone") == ["01 11", None, "01 33", None, None, None]
    assert _column(out, "home_phone") == [None, "01 22", None, None, None, None]
    assert _column(out, "fax") == [None, "01 99", None, None, None, None]
    assert _column(out, "email") == ["a@x.fr", "b@x.fr", None, None, None, None]
    assert _column(out, "secondary_email") == ["c@x.fr", None, None, None, None, None]
    assert out["_overflow"].to_list() == [
        {},
        {"E-mail 2 - Value": "d@x.fr", "E-mail 2 - Label": "Newsletter"},  # unknown label
        {"Phone 1 - Value": "555", "Phone 1 - Label": "Pager"},  # unknown label
        {"Phone 1 - Value": "06 33", "Phone 1 - Label": "* Mobile"},  # multi-value cell
        {"Phone 2 - Value": "06 55", "Phone 2 - Label": "Mobile"},  # mobile already filled
        {},
    ]


def test_a_multi_value_email_cell_spills_to_secondary_email() -> None:
    rules = propose_mapping(["E-mail 1 - Label", "E-mail 1 - Value"], "contacts").rules
    frame = pd.DataFrame(
        {
            "E-mail 1 - Label": ["* Home", "Work"],
            "E-mail 1 - Value": ["a@x.fr ::: b@x.fr ::: c@x.fr", " ::: "],
        }
    )
    out = apply_typed_pairs(frame, rules)
    assert _column(out, "email") == ["a@x.fr", None]
    assert _column(out, "secondary_email") == ["b@x.fr", None]
    assert out["_overflow"].tolist() == [
        {"E-mail 1 - Value": "c@x.fr", "E-mail 1 - Label": "* Home"},
        {},
    ]


def test_apply_typed_pairs_with_a_missing_column_and_no_rules() -> None:
    frame = pd.DataFrame({"Phone 1 - Value": ["06 11", None]}, index=[10, 11])
    rule = TypedPair("Phone 1 - Value", "Phone 1 - Label", {"mobile": "mobile"}, "phone")
    out = apply_typed_pairs(frame, [rule, FullName("Name")])
    assert list(out.index) == [10, 11]
    assert out["phone"].tolist() == ["06 11", None]
    empty = apply_typed_pairs(pl.DataFrame({"a": [1, 2]}), [])
    assert empty.columns == ["_overflow"] and empty.height == 2


def test_apply_full_names(make_frame: Callable[[dict[str, list[Any]]], Any]) -> None:
    frame = make_frame({
        "Name": ["Dr. Jean-Marc de la Tour", "BLOU Hélène", "张伟", "John Smith Jr.", None],
        "Nom complet": ["X Y", None, None, None, "Marie Curie"],
    })  # fmt: skip
    out = apply_full_names(frame, [FullName("Name"), FullName("Nom complet")])
    assert type(out) is type(frame)
    assert _column(out, "first_name") == ["Jean-Marc", "Hélène", "伟", "John", "Marie"]
    assert _column(out, "last_name") == ["de la Tour", "BLOU", "张", "Smith", "Curie"]
    assert _column(out, "salutation") == ["Dr.", None, None, None, None]
    assert out["_overflow"].to_list() == [
        {"Nom complet": "X Y"}, {}, {}, {"Name": "John Smith Jr."}, {}]  # fmt: skip


# --------------------------------------------------------------------------------------
# Splitting names
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("Hélène Blou", "Hélène", "Blou"),
        ("BLOU Hélène", "Hélène", "BLOU"),
        ("Hélène BLOU", "Hélène", "BLOU"),
        ("Blou, Hélène", "Hélène", "Blou"),
        ("Blou,Hélène", "Hélène", "Blou"),
        ("DE LA TOUR Jean-Marc", "Jean-Marc", "DE LA TOUR"),
        ("Jean-Marc de LA TOUR", "Jean-Marc", "de LA TOUR"),
        ("Dr. Jean-Marc de la Tour", "Jean-Marc", "de la Tour"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("Mary Jane Watson", "Mary Jane", "Watson"),
        ("M. Paul Durand", "Paul", "Durand"),
        ("M Durand", "M", "Durand"),  # an initial, not "Monsieur"
        ("Mme Nicole Bertrand", "Nicole", "Bertrand"),
        ("J. BLOU", "J.", "BLOU"),
        ("Madonna", None, "Madonna"),
        ("张伟", "伟", "张"),
        ("王小明", "小明", "王"),
        ("欧阳娜娜", "娜娜", "欧阳"),
        ("司马相如", "相如", "司马"),
        ("诸葛亮", "亮", "诸葛"),
        ("上官婉儿", "婉儿", "上官"),
        ("张 伟", "伟", "张"),
        ("约翰·史密斯", "约翰", "史密斯"),
        ("山田 太郎", "太郎", "山田"),
        ("王先生", None, "王"),
        ("  ", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_split_full_name(text: str | None, first: str | None, last: str | None) -> None:
    assert split_full_name(text) == (first, last)


def test_parse_full_name_keeps_salutation_and_suffix() -> None:
    assert parse_full_name("Dr. Jean-Marc de la Tour") == ("Dr.", "Jean-Marc", "de la Tour", None)
    assert parse_full_name("John Smith III") == (None, "John", "Smith", "III")
    assert parse_full_name("Smith, John, Jr.") == (None, "John", "Smith", "Jr.")
    assert parse_full_name("Blou, Mme Hélène") == ("Mme", "Hélène", "Blou", None)
    assert parse_full_name("张伟先生") == ("先生", "伟", "张", None)


_SEPARATORS = set(",，·•・‧")


def _letters(text: str) -> list[str]:
    return sorted(c for c in unicodedata.normalize("NFC", text)
                  if not c.isspace() and c not in _SEPARATORS)  # fmt: skip


_NAME_PIECES = st.sampled_from(
    [*"abcéèABCÉ-'.", " ", ",", "·", "\u3000", "张", "伟", "欧阳", "ナ", "김", "Dr. ", "M. ",
     " de ", " Jr.", "BLOU ", "先生", "Hélène", " van "]
)  # fmt: skip


@settings(max_examples=examples(300), deadline=None)
@given(st.one_of(st.lists(_NAME_PIECES, max_size=10).map("".join), st.text(max_size=25)))
def test_split_never_loses_characters(text: str) -> None:
    parts = parse_full_name(text)
    assert _letters("".join(p or "" for p in parts)) == _letters(text)
    assert all(p is None or (p and p == p.strip()) for p in parts)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.sampled_from(["Hélène", "BLOU", "Jean-Marc", "de", "la", "Tour", "O'Brien",
                                 "张伟", "Anne", "MARTIN"]), min_size=1, max_size=5))  # fmt: skip
def test_first_and_last_reassemble_the_words(words: list[str]) -> None:
    text = " ".join(words)
    first, last = split_full_name(text)
    got = [*(first or "").split(), *(last or "").split()]
    if len(words) == 1 and _is_cjk(text):
        assert sorted("".join(got)) == sorted(text)  # one Chinese word, cut after the surname
    else:
        assert sorted(got) == sorted(text.split())


def _is_cjk(word: str) -> bool:
    return all("\u4e00" <= c <= "\u9fff" for c in word)
