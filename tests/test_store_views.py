"""The views of the store (crmkit._core._store, ``rebuild_views``): a contact's account-side
columns (company, sector, revenue converted to the database's currency, bands...) are its
account's, whatever plan DuckDB picks, and the filters on them keep their meaning: a
contact without account has no band, an amount without an exchange rate has no band.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

import crmkit as ck

ACCOUNT_SIDE = {
    "company": "name",
    "account_sector": "sector",
    "account_archived": "archived",
    "account_is_client": "is_client",
    "account_entity": "entity",
    "account_annual_revenue": "annual_revenue",
    "account_revenue_base": "revenue_base",
    "account_employees": "employees",
    "revenue_band": "revenue_band",
    "headcount_band": "headcount_band",
    "account_owner": "owner",
}


def account_side_mismatches(crm: ck.CRM) -> list[tuple[int, str]]:
    """(contact id, column) where ``contacts_v`` differs from the account's ``accounts_v``."""
    pairs = " OR ".join(
        f"c.{contact_col} IS DISTINCT FROM a.{account_col}"
        for contact_col, account_col in ACCOUNT_SIDE.items()
    )
    rows = crm.connection.execute(
        f"SELECT c.id, {', '.join(f'c.{k}' for k in ACCOUNT_SIDE)} FROM contacts_v c "
        f"LEFT JOIN accounts_v a ON a.id = c.account_id WHERE {pairs} ORDER BY c.id"
    ).fetchall()
    return [(int(r[0]), str(r[1:])) for r in rows]


def ids_of(sel: ck.Selection) -> set[int]:
    return set(sel.ids)


@pytest.fixture
def mixed(tmp_path: Path) -> ck.CRM:
    """Accounts in EUR, in CNY (with rates), in JPY (no rate), with ranges, and contacts
    with and without an account."""
    crm = ck.open(tmp_path / "views.duckdb", user="Nicole Bertrand")
    crm.owners.add("Marc Durand")
    crm.accounts.add(name="APROOL", annual_revenue=4_200_000, employees=85, owner="Marc Durand")
    crm.accounts.add(name="Huaxin", annual_revenue=30_000_000, currency="CNY", sector="Software")
    crm.accounts.add(name="Sony", annual_revenue=30_000_000, currency="JPY", sector="Software")
    crm.accounts.add(name="Ranged", revenue_range_min=1_000_000, revenue_range_max=5_000_000)
    crm.accounts.add(name="Nothing known")
    for last, company in [
        ("Blou", "APROOL"),
        ("Chen", "Huaxin"),
        ("Sato", "Sony"),
        ("Roy", "Ranged"),
        ("Vide", "Nothing known"),
    ]:
        crm.contacts.add(last_name=last, account_id=crm.accounts.find_id(company))
    crm.contacts.add(last_name="Seul")  # no account
    return crm


def contact(crm: ck.CRM, last_name: str) -> int:
    return int(crm.contacts.filter(last_name=last_name).ids[0])


def test_band_filters_admitting_none_keep_contacts_without_account(mixed: ck.CRM) -> None:
    crm = mixed
    seul, vide, blou, roy = (contact(crm, n) for n in ("Seul", "Vide", "Blou", "Roy"))
    chen, sato = contact(crm, "Chen"), contact(crm, "Sato")  # no exchange rate: no band
    no_band = {seul, vide, chen, sato}
    assert ids_of(crm.contacts.filter(revenue_band=None)) == no_band
    assert ids_of(crm.contacts.filter(revenue_band=["1M-10M", None])) == no_band | {blou, roy}
    assert ids_of(crm.contacts.filter(revenue_band="1M-10M")) == {blou, roy}
    assert ids_of(crm.contacts.filter(headcount_band=[None], search="seul")) == {seul}
    assert ids_of(crm.contacts.filter(sector=None, revenue_band=None)) == {seul, vide}
    # Negated account-side conditions keep the contacts without account too.
    assert seul in ids_of(crm.contacts.filter(is_client=False, account_archived=False))
    assert account_side_mismatches(crm) == []
    crm.close()


def test_band_filters_convert_with_the_latest_rate_or_leave_the_amount_out(mixed: ck.CRM) -> None:
    crm = mixed
    chen, sato = contact(crm, "Chen"), contact(crm, "Sato")
    # No rate yet: 30M CNY and 30M JPY are in no band and match no revenue bound.
    assert chen not in ids_of(crm.contacts.filter(revenue_band="10M-50M"))
    assert ids_of(crm.contacts.filter(revenue_min=10_000_000)) == set()
    crm.settings.set_rate("CNY", 0.13, as_of="2026-12-01")
    assert ids_of(crm.contacts.filter(revenue_band="1M-10M", sector="Software")) == {chen}
    assert ids_of(crm.contacts.filter(revenue_min=3_500_000, revenue_max=4_000_000)) == {chen}
    crm.settings.set_rate("CNY", 0.5, as_of="2026-12-05")  # the latest rate wins
    assert ids_of(crm.contacts.filter(revenue_band="10M-50M", sector="Software")) == {chen}
    assert sato in ids_of(crm.contacts.filter(revenue_band=None))  # JPY: still no rate
    assert account_side_mismatches(crm) == []
    # The views are rebuilt with the settings: a new base currency converts everything.
    crm.settings.default_currency = "CNY"
    assert crm.contacts.filter(last_name="Chen").df()["account_revenue_base"].tolist() == [
        30_000_000
    ]
    assert chen in ids_of(crm.contacts.filter(revenue_band="10M-50M"))
    assert account_side_mismatches(crm) == []
    crm.close()


def test_band_edges_changed_after_a_filter_are_used_by_the_next(mixed: ck.CRM) -> None:
    crm = mixed
    blou = contact(crm, "Blou")
    assert blou in ids_of(crm.contacts.filter(revenue_band="1M-10M"))
    crm.settings.set_bands("revenue", [0, 5_000_000])
    assert blou in ids_of(crm.contacts.filter(revenue_band="0-5M"))
    assert account_side_mismatches(crm) == []
    crm.close()


def test_owner_filter_sees_owners_added_renamed_and_undone(crm: ck.CRM) -> None:
    crm.owners.add("Marc Durand")
    marc = crm.contacts.add(last_name="Blou", owner="Marc Durand")
    assert crm.contacts.filter(owner="Marc Durand").ids == [marc]
    crm.owners.add("Zoé Martin")
    zoe = crm.contacts.add(last_name="Roy", owner="Zoé Martin")
    assert crm.contacts.filter(owner=["Marc Durand", "Zoé Martin"]).ids == [marc, zoe]
    # A renamed owner is found by the new name only.
    session = crm._session
    with session.batch("owner rename") as batch:
        session.store.update(
            "owners",
            pa.table(
                {
                    "id": pa.array([crm.owners.resolve("Marc Durand")], pa.int64()),
                    "name": pa.array(["Marc Dupont"], pa.string()),
                }
            ),
            batch,
            session.user,
        )
    assert crm.contacts.filter(owner="Marc Dupont").ids == [marc]
    with pytest.raises(ck.UnknownValueError):
        crm.contacts.filter(owner="Marc Durand")
    crm.undo(crm.last_batch_id)
    assert crm.contacts.filter(owner="Marc Durand").ids == [marc]


def test_owner_filter_after_an_owner_is_undone(crm: ck.CRM) -> None:
    crm.owners.add("Marc Durand")
    assert crm.contacts.filter(owner="Marc Durand").ids == []
    crm.undo(crm.last_batch_id)
    with pytest.raises(ck.UnknownValueError):
        crm.contacts.filter(owner="Marc Durand")
    crm.owners.add("Marc Durand")
    assert crm.contacts.filter(owner="Marc Durand").ids == []


CURRENCIES = st.sampled_from([None, "EUR", "CNY", "JPY"])
AMOUNTS = st.one_of(st.none(), st.integers(0, 80_000_000))
ACCOUNTS = st.lists(
    st.tuples(CURRENCIES, AMOUNTS, AMOUNTS, st.one_of(st.none(), st.integers(0, 2_000))),
    min_size=1,
    max_size=5,
)


@settings(max_examples=examples(15))
@given(
    accounts=ACCOUNTS,
    links=st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=1, max_size=8),
    cny_rate=st.one_of(st.none(), st.sampled_from([0.13, 1.0, 7.5])),
)
def test_contact_bands_are_their_accounts_bands(
    accounts: list[tuple[str | None, int | None, int | None, int | None]],
    links: list[int | None],
    cny_rate: float | None,
) -> None:
    with ck.open(user="Nicole Bertrand") as crm:
        account_ids = []
        for i, (currency, revenue, range_min, employees) in enumerate(accounts):
            fields = {"name": f"A{i}", "annual_revenue": revenue, "employees": employees}
            if currency is not None:
                fields["currency"] = currency
            if range_min is not None:
                fields["revenue_range_min"] = range_min
            account_ids.append(crm.accounts.add(**fields))
        if cny_rate is not None:
            crm.settings.set_rate("CNY", cny_rate)
        for i, link in enumerate(links):
            account = None if link is None else account_ids[link % len(account_ids)]
            crm.contacts.add(last_name=f"C{i}", account_id=account)
        assert len(crm.contacts.all()) == len(links)  # with or without an account
        assert account_side_mismatches(crm) == []
        frame = crm.contacts.df()
        for label in [*crm.settings.bands("revenue").labels, None]:
            expected = (
                set(frame.loc[frame["revenue_band"].isna(), "id"])
                if label is None
                else set(frame.loc[frame["revenue_band"] == label, "id"])
            )
            assert ids_of(crm.contacts.filter(revenue_band=label)) == expected
