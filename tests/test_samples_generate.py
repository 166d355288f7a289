"""The seeded sample data generator (crmkit.samples._generate): columns, determinism, backends,
clean values, messiness, duplicates, arguments, files written, phone numbers."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import phonenumbers
import polars as pl
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit.samples import LOCALES, SampleData, generate
from crmkit.samples import _pools as pools
from crmkit.samples._generate import (
    Backend,
    _landlines,
    _mobiles,
    _phone_strings,
    format_phone,
    sample_columns,
)
from crmkit.schemas import (
    ACCOUNT_TYPES,
    ACCOUNTS,
    CONTACTS,
    COUNTRY_CODES,
    CURRENCY_CODES,
    DEFAULT_SECTORS,
    GENDERS,
    OWNERSHIPS,
    SALUTATIONS,
)

EXTRA_COLUMNS = {"company", "owner", "parent", "entity_id", "source_id"}
CJK = re.compile(r"[\u3400-\u9fff]")
PHONE_COLUMNS = {
    "accounts": ("phone", "fax"),
    "contacts": ("phone", "mobile", "fax", "home_phone"),
}
COUNTRY_COLUMN = {"accounts": "billing_country", "contacts": "country"}


@pytest.fixture(params=["pandas", "polars"])
def backend(request: pytest.FixtureRequest) -> Backend:
    return "polars" if request.param == "polars" else "pandas"


@pytest.fixture(scope="module")
def clean() -> SampleData:
    return generate(n_accounts=300, n_contacts=3000, seed=7)


@pytest.fixture(scope="module")
def messy() -> SampleData:
    return generate(n_accounts=300, n_contacts=3000, seed=7, messiness=1.0)


def values(frame: Any, column: str) -> list[Any]:
    """A column as plain Python values, missing as None, whatever the backend."""
    if isinstance(frame, pl.DataFrame):
        return frame[column].to_list()
    out: list[Any] = []
    for v in frame[column].tolist():
        if isinstance(v, list):
            out.append(v)
        elif pd.isna(v):
            out.append(None)
        elif isinstance(v, pd.Timestamp):
            out.append(v.date())
        else:
            out.append(v)
    return out


def present(frame: Any, column: str) -> list[Any]:
    return [v for v in values(frame, column) if v is not None]


def rows(frame: Any, *columns: str) -> list[tuple[Any, ...]]:
    return list(zip(*(values(frame, c) for c in columns), strict=True))


# ---------------------------------------------------------------------------------------
# Shape, columns, determinism, backends
# ---------------------------------------------------------------------------------------


def test_columns_are_catalog_fields_plus_the_extras(clean: SampleData) -> None:
    for frame, table in ((clean.accounts, ACCOUNTS), (clean.contacts, CONTACTS)):
        columns = list(frame.columns)
        assert columns == list(sample_columns(table))
        assert set(columns) - EXTRA_COLUMNS <= set(table.names)
        assert columns[0] == "source_id"
        assert columns[-1] == "entity_id"
    assert "company" in clean.contacts.columns
    assert {"owner", "parent"} <= set(clean.accounts.columns)
    assert list(clean.owners.columns) == ["name", "email", "team"]


def test_sizes_and_row_keys(clean: SampleData) -> None:
    assert len(clean.accounts) == 300
    assert len(clean.contacts) == 3000
    assert len(clean.owners) == 8
    for frame in (clean.accounts, clean.contacts):
        ids = values(frame, "source_id")
        assert len(set(ids)) == len(ids)
        assert sorted(values(frame, "entity_id")) == list(range(len(frame)))
    assert values(clean.contacts, "source_id")[:2] == ["C0000001", "C0000002"]


def test_same_seed_same_frames(backend: Backend) -> None:
    first = generate(40, 200, seed=3, messiness=0.6, duplicates=0.3, backend=backend)
    second = generate(40, 200, seed=3, messiness=0.6, duplicates=0.3, backend=backend)
    for name in ("owners", "accounts", "contacts"):
        a, b = getattr(first, name), getattr(second, name)
        if backend == "polars":
            assert a.equals(b)
        else:
            pd.testing.assert_frame_equal(a, b)


def test_other_seed_other_frames() -> None:
    a = generate(40, 200, seed=1).contacts
    b = generate(40, 200, seed=2).contacts
    assert values(a, "last_name") != values(b, "last_name")


def test_clean_records_do_not_depend_on_messiness_or_contact_count() -> None:
    plain = generate(40, 200, seed=11)
    messy = generate(40, 200, seed=11, messiness=0.8)
    more_contacts = generate(40, 500, seed=11)
    assert values(plain.contacts, "entity_id") == values(messy.contacts, "entity_id")
    assert values(plain.contacts, "gender") == values(messy.contacts, "gender")
    pd.testing.assert_frame_equal(plain.accounts, more_contacts.accounts)


def test_backends_hold_the_same_content() -> None:
    on_pandas = generate(30, 150, seed=5, messiness=0.7, duplicates=0.2, backend="pandas")
    on_polars = generate(30, 150, seed=5, messiness=0.7, duplicates=0.2, backend="polars")
    for name in ("owners", "accounts", "contacts"):
        a, b = getattr(on_pandas, name), getattr(on_polars, name)
        assert isinstance(a, pd.DataFrame)
        assert isinstance(b, pl.DataFrame)
        assert list(a.columns) == b.columns
        for column in a.columns:
            assert values(a, column) == values(b, column), (name, column)


def test_column_types(backend: Backend) -> None:
    data = generate(20, 60, seed=2, messiness=1.0, backend=backend)
    if backend == "polars":
        schema = data.contacts.schema
        assert schema["tags"] == pl.List(pl.String)
        assert schema["birthday"] == pl.Date
        assert schema["entity_id"] == pl.Int64
        assert schema["active"] == pl.Boolean
        assert data.accounts.schema["employees"] == pl.Int64
        assert data.accounts.schema["annual_revenue"] == pl.Float64
    else:
        assert data.contacts["last_name"].dtype == "str"
        assert str(data.contacts["birthday"].dtype).startswith("datetime64")
        assert data.accounts["employees"].dtype == "Int64"
        assert data.contacts["active"].dtype == bool
        assert all(isinstance(v, list) for v in data.contacts["tags"])
    tags = values(data.contacts, "tags")
    assert all(isinstance(t, list) and all(isinstance(x, str) for x in t) for t in tags)
    assert len({id(t) for t in tags}) == len(tags)  # never one list object shared by rows


def test_repr_counts_duplicates() -> None:
    data = generate(10, 40, seed=0, duplicates=0.5)
    assert repr(data) == (
        "SampleData(owners=8, accounts=15 (5 duplicates), contacts=60 (20 duplicates), "
        "backend='pandas')"
    )


# ---------------------------------------------------------------------------------------
# Clean data is valid
# ---------------------------------------------------------------------------------------


def test_clean_phones_are_valid_numbers_of_the_row_country(clean: SampleData) -> None:
    checked = 0
    for table, columns in PHONE_COLUMNS.items():
        frame = getattr(clean, table)
        for column in columns:
            for number, country in rows(frame, column, COUNTRY_COLUMN[table]):
                if number is None:
                    continue
                parsed = phonenumbers.parse(number, country)
                assert phonenumbers.is_valid_number(parsed), (column, number, country)
                assert phonenumbers.region_code_for_number(parsed) == country, number
                checked += 1
    assert checked > 3000


def test_clean_phones_use_the_national_format(clean: SampleData) -> None:
    patterns = {
        "FR": r"0\d( \d\d){4}",
        "US": r"\(\d{3}\) \d{3}-\d{4}",
        "GB": r"0\d{2,4} \d{3,4} \d{3,4}|07\d{3} \d{6}",
        "CN": r"(0\d{2,3} \d{4} \d{4})|(1\d{2} \d{4} \d{4})",
    }
    for number, country in rows(clean.contacts, "phone", "country"):
        if number is not None:
            assert re.fullmatch(patterns[country], number), (number, country)


def test_clean_emails_are_valid(clean: SampleData) -> None:
    addresses = (
        present(clean.contacts, "email")
        + present(clean.contacts, "secondary_email")
        + present(clean.accounts, "email")
        + present(clean.owners, "email")
    )
    assert len(addresses) > 3000
    for address in addresses:
        assert address == address.strip().lower()
        validate_email(address, check_deliverability=False)


def test_distinct_people_never_share_a_work_email(clean: SampleData) -> None:
    emails = present(clean.contacts, "email")
    assert len(emails) == len(set(emails))


def test_emails_use_the_company_domain(clean: SampleData) -> None:
    websites = dict(rows(clean.accounts, "name", "website"))
    for company, email in rows(clean.contacts, "company", "email"):
        site = websites[company]
        if email is not None and site is not None:
            assert email.endswith("@" + site.removeprefix("https://www."))


def test_clean_values_are_in_the_vocabularies(clean: SampleData) -> None:
    accounts, contacts = clean.accounts, clean.contacts
    assert set(present(accounts, "sector")) <= set(DEFAULT_SECTORS.values)
    assert set(present(accounts, "account_type")) <= set(ACCOUNT_TYPES.values)
    assert set(present(accounts, "ownership")) <= set(OWNERSHIPS.values)
    assert set(present(accounts, "currency")) <= CURRENCY_CODES
    assert set(present(accounts, "billing_country")) <= COUNTRY_CODES
    assert set(present(contacts, "country")) <= COUNTRY_CODES
    assert set(present(contacts, "gender")) <= set(GENDERS.values)
    assert set(present(contacts, "salutation")) <= set(SALUTATIONS.values)
    currency = {"FR": "EUR", "GB": "GBP", "US": "USD", "CN": "CNY"}
    for country, code in rows(accounts, "billing_country", "currency"):
        assert currency[country] == code


def test_clean_required_and_numeric_fields(clean: SampleData) -> None:
    assert all(name and name.strip() for name in values(clean.contacts, "last_name"))
    assert all(name and name.strip() for name in values(clean.accounts, "name"))
    revenue = present(clean.accounts, "annual_revenue")
    employees = present(clean.accounts, "employees")
    assert len(revenue) == len(employees) == 300
    assert min(revenue) >= 4e4
    assert max(revenue) <= 5e9 * 7.8
    assert min(employees) >= 1
    # Larger companies employ more people.
    assert np.corrcoef(np.log(revenue), np.log(employees))[0, 1] > 0.5
    assert all(v is None for v in values(clean.accounts, "revenue_range_min"))


def test_clean_references_resolve(clean: SampleData) -> None:
    owners = set(values(clean.owners, "name"))
    names = set(values(clean.accounts, "name"))
    assert set(present(clean.accounts, "owner")) <= owners
    assert set(present(clean.contacts, "owner")) <= owners
    assert set(values(clean.contacts, "company")) <= names
    parents = dict(rows(clean.accounts, "name", "parent"))
    with_parent = [p for p in parents.values() if p is not None]
    assert with_parent
    assert all(parents[p] is None for p in with_parent)  # one level: no cycles
    assert len(names) == 300


def test_siren_numbers_pass_the_luhn_check(clean: SampleData) -> None:
    sirens = present(clean.accounts, "siren")
    assert sirens
    for siren in sirens:
        digits = [int(c) for c in siren]
        total = sum(
            d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits)
        )
        assert len(siren) == 9 and total % 10 == 0, siren


def test_flags_follow_job_titles(clean: SampleData) -> None:
    for title, dpo, ciso in rows(clean.contacts, "job_title", "is_dpo", "is_ciso"):
        if title in {"DPO", "Data Protection Officer", "数据保护官"}:
            assert dpo
        if title in {"RSSI", "CISO", "首席信息安全官"}:
            assert ciso
        if title in {"Chef de projet", "Sales Manager", "销售经理"}:
            assert not dpo and not ciso


def test_contacts_have_owners_and_teams(clean: SampleData) -> None:
    assert set(values(clean.owners, "team")) == {
        "Paris",
        "Lyon",
        "London",
        "New York",
        "Shanghai",
        "Beijing",
    }
    team_of = dict(rows(clean.owners, "name", "team"))
    team_country = {
        "Paris": "FR",
        "Lyon": "FR",
        "London": "GB",
        "New York": "US",
        "Shanghai": "CN",
        "Beijing": "CN",
    }
    for owner, country in rows(clean.accounts, "owner", "billing_country"):
        assert team_country[team_of[owner]] == country


# ---------------------------------------------------------------------------------------
# Locales
# ---------------------------------------------------------------------------------------


def test_chinese_locale_writes_names_in_chinese_characters() -> None:
    data = generate(20, 200, seed=4, locales=["zh"])
    assert set(values(data.accounts, "billing_country")) == {"CN"}
    assert set(values(data.accounts, "currency")) == {"CNY"}
    for first, last, company in rows(data.contacts, "first_name", "last_name", "company"):
        assert CJK.search(first) and CJK.search(last) and CJK.search(company)
        assert 1 <= len(last) <= 2  # family name: 张, 欧阳
    assert all(e.endswith((".cn", ".com")) for e in present(data.contacts, "email"))


def test_french_locale() -> None:
    data = generate(20, 200, seed=4, locales="fr")
    assert set(values(data.contacts, "country")) == {"FR"}
    assert set(values(data.owners, "team")) <= {"Paris", "Lyon"}
    assert any(re.search(r"[éèêëïôç]", n) for n in values(data.contacts, "first_name"))
    forms = ("SAS", "SARL", "SA", "SASU", "EURL")
    assert any(name.endswith(forms) for name in values(data.accounts, "name"))


def test_locale_weights() -> None:
    data = generate(400, 10, seed=1, locales={"fr": 3, "en": 1, "zh": 0})
    countries = values(data.accounts, "billing_country")
    assert set(countries) <= {"FR", "GB", "US"}
    assert countries.count("FR") > 2 * (countries.count("GB") + countries.count("US"))


def test_all_locales_by_default(clean: SampleData) -> None:
    assert set(values(clean.accounts, "billing_country")) == {"FR", "GB", "US", "CN"}
    assert LOCALES == ("fr", "en", "zh")


# ---------------------------------------------------------------------------------------
# Messiness
# ---------------------------------------------------------------------------------------


def missing_share(frame: Any, column: str) -> float:
    column_values = values(frame, column)
    return sum(v is None for v in column_values) / len(column_values)


def test_messiness_removes_values(clean: SampleData, messy: SampleData) -> None:
    for column in ("email", "phone", "job_title", "mobile"):
        assert missing_share(messy.contacts, column) > missing_share(clean.contacts, column)
    for column in ("sector", "annual_revenue", "employees", "website"):
        assert missing_share(messy.accounts, column) > missing_share(clean.accounts, column)


def test_messiness_varies_phone_formats_but_keeps_the_numbers(
    clean: SampleData, messy: SampleData
) -> None:
    changed = 0
    pairs = zip(
        rows(clean.contacts, "phone", "country"), values(messy.contacts, "phone"), strict=True
    )
    for (before, country), after in pairs:
        if before is None or after is None:
            continue
        if before != after:
            changed += 1
        assert phonenumbers.parse(after, country) == phonenumbers.parse(before, country)
    assert changed > 500
    phones = present(messy.contacts, "phone")
    assert len({re.sub(r"\d", "9", p) for p in phones}) > 40
    assert any(p.startswith("+33 ") for p in phones)
    assert any(p.startswith("0033 ") for p in phones)
    assert any(re.fullmatch(r"0\d(\.\d\d){4}", p) for p in phones)


def test_messiness_spacing_case_and_typos(clean: SampleData, messy: SampleData) -> None:
    names = present(messy.contacts, "last_name")
    assert any(n != n.strip() or "  " in n for n in names)
    assert any(n.isupper() and len(n) > 3 for n in names)
    before = values(clean.contacts, "last_name")
    after = values(messy.contacts, "last_name")
    typos = [
        (b, a)
        for b, a in zip(before, after, strict=True)
        if a is not None
        and a.strip().lower() != b.lower()
        and len(a) in {len(b), len(b) - 1, len(b) + 1}
    ]
    assert typos
    emails = present(messy.contacts, "email")
    assert any(e != e.lower() for e in emails)
    invalid = 0
    for email in emails:
        try:
            validate_email(email.strip(), check_deliverability=False)
        except EmailNotValidError:
            invalid += 1
    assert 0 < invalid < len(emails) * 0.05


def test_messiness_localizes_labels(messy: SampleData) -> None:
    sectors = set(present(messy.accounts, "sector"))
    assert sectors - set(DEFAULT_SECTORS.values)
    assert all(DEFAULT_SECTORS.lookup(s) is not None for s in sectors)
    countries = set(present(messy.contacts, "country"))
    assert countries & {"France", "Royaume-Uni", "中国", "USA", "China", "United Kingdom"}
    salutations = set(present(messy.contacts, "salutation"))
    assert salutations - set(SALUTATIONS.values)
    assert all(SALUTATIONS.lookup(s) is not None for s in salutations)


def test_messiness_writes_company_names_differently(clean: SampleData, messy: SampleData) -> None:
    names = set(values(messy.accounts, "name")) | set(values(clean.accounts, "name"))
    companies = present(messy.contacts, "company")
    assert sum(c not in names for c in companies) > 300
    assert any(re.search(r"S\.A\.S\.|S\.A\.R\.L\.|Ltd\.|Limited|Inc\.", c) for c in companies)


def test_messiness_gives_some_revenue_as_a_range(messy: SampleData) -> None:
    triples = rows(messy.accounts, "annual_revenue", "revenue_range_min", "revenue_range_max")
    ranged = [t for t in triples if t[1] is not None]
    assert ranged
    assert all(t[0] is None for t in ranged)
    assert all(t[2] is None or t[1] < t[2] for t in ranged)


# ---------------------------------------------------------------------------------------
# Duplicates
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("share", [0.0, 0.1, 0.5, 1.0])
def test_duplicate_count_matches_the_share(share: float, backend: Backend) -> None:
    data = generate(50, 400, seed=9, duplicates=share, backend=backend)
    for frame, n in ((data.accounts, 50), (data.contacts, 400)):
        ids = values(frame, "entity_id")
        assert len(ids) == n + round(share * n)
        assert set(ids) == set(range(n))
        assert len(set(values(frame, "source_id"))) == len(ids)


def test_duplicates_are_variants_of_their_entity() -> None:
    data = generate(100, 1000, seed=12, duplicates=0.4, locales=["en", "zh"])
    columns = ("first_name", "last_name", "email", "phone", "company")
    records: dict[int, list[tuple[Any, ...]]] = {}
    for entity, *record in rows(data.contacts, "entity_id", *columns):
        records.setdefault(entity, []).append(tuple(record))
    groups = [g for g in records.values() if len(g) > 1]
    assert len(groups) > 200
    assert sum(len(set(g)) > 1 for g in groups) > 0.8 * len(groups)
    firsts = [{r[0] for r in g if r[0] is not None} for g in groups]
    # Nicknames, and Chinese names in pinyin next to the characters.
    pairs = ({"Bill", "William"}, {"Bob", "Robert"}, {"Jim", "James"}, {"Mike", "Michael"})
    assert any(pair <= f for f in firsts for pair in pairs)
    assert any(any(CJK.search(x) for x in f) and any(x.isascii() for x in f) for f in firsts)
    emails = [r[2] for g in groups for r in g if r[2] is not None]
    assert any("+" in e.split("@")[0] for e in emails)


def test_duplicate_accounts_change_the_legal_form() -> None:
    data = generate(200, 0, seed=13, duplicates=0.5, locales=["fr"])
    by_entity: dict[int, set[str]] = {}
    for entity, name in rows(data.accounts, "entity_id", "name"):
        by_entity.setdefault(entity, set()).add(name)
    variants = [names for names in by_entity.values() if len(names) > 1]
    assert variants
    assert any(
        any(n.endswith(" SAS") for n in v) and any(not n.endswith("SAS") for n in v)
        for v in variants
    )


def test_duplicates_are_shuffled_in() -> None:
    ids = values(generate(10, 200, seed=1, duplicates=0.5).contacts, "entity_id")
    first_seen: dict[int, int] = {}
    for position, entity in enumerate(ids):
        first_seen.setdefault(entity, position)
    repeats = [p for p, e in enumerate(ids) if first_seen[e] != p]
    assert min(repeats) < 200  # not all appended at the end


# ---------------------------------------------------------------------------------------
# Edge cases and errors
# ---------------------------------------------------------------------------------------


def test_empty_tables(backend: Backend) -> None:
    data = generate(0, 0, n_owners=0, backend=backend)
    assert len(data.accounts) == len(data.contacts) == len(data.owners) == 0
    assert list(data.contacts.columns) == list(sample_columns(CONTACTS))


def test_contacts_without_accounts() -> None:
    data = generate(0, 50, seed=1, duplicates=0.2)
    assert len(data.contacts) == 60
    assert all(c is None for c in values(data.contacts, "company"))
    for email in present(data.contacts, "email"):
        validate_email(email, check_deliverability=False)


def test_no_owners() -> None:
    data = generate(5, 10, n_owners=0)
    assert all(v is None for v in values(data.accounts, "owner"))
    assert all(v is None for v in values(data.contacts, "owner"))


def test_owner_names_and_emails_are_unique() -> None:
    owners = generate(0, 0, n_owners=3000, locales={"fr": 1, "en": 1}).owners
    assert len(owners) == 3000
    assert owners["name"].is_unique and owners["email"].is_unique


def test_fewer_owners_than_locales() -> None:
    data = generate(30, 30, n_owners=2)
    assert len(data.owners) == 2
    assert set(present(data.accounts, "owner")) <= set(values(data.owners, "name"))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"messiness": 1.5}, ValidationError, "messiness must be a number between 0 and 1"),
        ({"duplicates": -0.1}, ValidationError, "duplicates"),
        ({"n_contacts": -1}, ValidationError, "n_contacts must be a whole number"),
        ({"n_accounts": 2.5}, ValidationError, "n_accounts"),
        ({"n_owners": 10**6}, ValidationError, "n_owners must be at most 5000"),
        ({"locales": ["fr", "de"]}, UnknownValueError, "unknown locale 'de'"),
        ({"locales": {"fr": -1}}, ValidationError, "locales weight for 'fr'"),
        ({"locales": {"fr": 0}}, ValidationError, "must not all be 0"),
        ({"locales": []}, ValidationError, "locales is empty"),
        ({"backend": "polar"}, UnknownValueError, "Did you mean 'polars'"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
    arguments: dict[str, Any] = {"n_accounts": 5, "n_contacts": 5, **kwargs}
    with pytest.raises(error, match=re.escape(message)):
        generate(**arguments)


# ---------------------------------------------------------------------------------------
# write()
# ---------------------------------------------------------------------------------------


def test_write_produces_readable_csvs(tmp_path: Path, backend: Backend) -> None:
    data = generate(20, 80, seed=6, messiness=0.5, duplicates=0.1, backend=backend)
    paths = data.write(tmp_path / "out")
    assert {p.name for p in paths.values()} == {"owners.csv", "accounts.csv", "contacts.csv"}
    contacts = pd.read_csv(paths["contacts"], dtype=str, keep_default_na=False)
    assert list(contacts.columns) == list(sample_columns(CONTACTS))
    assert len(contacts) == 88
    assert contacts["last_name"].tolist() == [v or "" for v in values(data.contacts, "last_name")]
    expected_tags = ["; ".join(t) for t in values(data.contacts, "tags")]
    assert contacts["tags"].tolist() == expected_tags
    assert set(contacts["active"]) <= {"true", "false"}
    birthdays = [b for b in contacts["birthday"] if b]
    assert birthdays and all(dt.date.fromisoformat(b) for b in birthdays)
    accounts = pl.read_csv(paths["accounts"], infer_schema=False)
    assert accounts.columns == list(sample_columns(ACCOUNTS))
    assert accounts.height == 22
    raw = paths["accounts"].read_bytes()
    raw.decode("utf-8")


def test_write_tiny_samples(tmp_path: Path, backend: Backend) -> None:
    for seed in range(5):  # some with no tag at all in a column
        data = generate(1, 1, seed=seed, n_owners=1, backend=backend)
        paths = data.write(tmp_path / str(seed))
        for name in ("accounts", "contacts"):
            written = pd.read_csv(paths[name], dtype=str, keep_default_na=False)
            assert written["tags"].tolist() == ["; ".join(values(getattr(data, name), "tags")[0])]


def test_write_is_the_same_for_both_backends(tmp_path: Path) -> None:
    args = {"n_accounts": 15, "n_contacts": 40, "seed": 8, "messiness": 0.5}
    generate(**args, backend="pandas").write(tmp_path / "pd")  # type: ignore[arg-type]
    generate(**args, backend="polars").write(tmp_path / "pl")  # type: ignore[arg-type]
    for name in ("owners.csv", "accounts.csv", "contacts.csv"):
        assert (tmp_path / "pd" / name).read_text() == (tmp_path / "pl" / name).read_text()


# ---------------------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------------------


@settings(max_examples=examples(60), deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    country=st.sampled_from(pools.COUNTRIES),
    style=st.integers(0, 9),
    mobile=st.booleans(),
)
def test_every_phone_style_parses_back_to_the_number(
    seed: int, country: str, style: int, mobile: bool
) -> None:
    rng = np.random.default_rng(seed)
    cities = np.asarray([i for i, c in enumerate(pools.CITIES) if c.country == country])
    city = rng.choice(cities, size=20)
    country_index = np.full(20, pools.COUNTRIES.index(country))
    numbers = _mobiles(rng, country_index, city) if mobile else _landlines(rng, city)
    texts = _phone_strings(numbers, country_index, np.full(20, style))
    for number, text in zip(numbers.tolist(), texts, strict=True):
        assert text == format_phone(str(number), country, style)
        parsed = phonenumbers.parse(text, country)
        assert phonenumbers.is_valid_number(parsed), text
        assert str(parsed.national_number) == str(number)
        assert phonenumbers.region_code_for_number(parsed) == country


def test_format_phone_examples() -> None:
    assert format_phone("625341257", "FR") == "06 25 34 12 57"
    assert format_phone("625341257", "FR", 1) == "+33 6 25 34 12 57"
    assert format_phone("625341257", "FR", 5) == "+33625341257"
    assert format_phone("2079460123", "GB") == "020 7946 0123"
    assert format_phone("1614960123", "GB") == "0161 496 0123"
    assert format_phone("7400123456", "GB") == "07400 123456"
    assert format_phone("4153421234", "US", 3) == "415-342-1234"
    assert format_phone("13800138000", "CN") == "138 0013 8000"
    assert format_phone("1065529988", "CN") == "010 6552 9988"
    assert format_phone("75588886666", "CN", 1) == "+86 755 8888 6666"


def test_namesakes_never_share_a_personal_mailbox() -> None:
    # One mailbox is one person: two different people with the same name get
    # 'peter.harris@outlook.com' and 'peter.harris2@outlook.com', as providers do, also
    # when a duplicate record is written with a personal address.
    from crmkit.samples import _pools, generate

    contacts = generate(6000, 60000, seed=1, messiness=0.3, duplicates=0.1).contacts
    providers = {p for ps in _pools.PERSONAL_MAIL_PROVIDERS.values() for p in ps}
    both = contacts.melt(id_vars="entity_id", value_vars=["email", "secondary_email"])
    both = both.dropna(subset=["value"])
    personal = both[both["value"].str.partition("@")[2].isin(providers)]
    owners = personal.groupby("value")["entity_id"].nunique()
    assert len(owners) > 1000
    assert (owners == 1).all(), owners[owners > 1].head()
