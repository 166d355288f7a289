"""``crm.accounts.tree`` (a group's accounts with roll-ups) and the ``within=`` filter."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import crmkit as ck


@pytest.fixture
def db(tmp_path: Path) -> ck.CRM:
    crm = ck.open(tmp_path / "crm.duckdb", user="Ann")
    yield crm
    crm.close()


def _group(db: ck.CRM) -> dict[str, int]:
    db.settings.set_rate("USD", 0.5)  # 1 USD = 0.5 EUR
    ids = {"top": db.accounts.add(name="Groupe", annual_revenue=1_000_000, employees=100)}
    ids["fr"] = db.accounts.add(
        name="Filiale FR", parent_id=ids["top"], annual_revenue=200_000, employees=20
    )
    ids["us"] = db.accounts.add(
        name="Subsidiary US",
        parent_id=ids["top"],
        annual_revenue=400_000,
        currency="USD",
        employees=30,
    )
    ids["jp"] = db.accounts.add(
        name="Branch JP", parent_id=ids["us"], annual_revenue=9_000_000, currency="JPY", employees=5
    )
    ids["other"] = db.accounts.add(name="Other", annual_revenue=1)
    for name, n in (("top", 1), ("fr", 2), ("jp", 3), ("other", 1)):
        for k in range(n):
            db.contacts.add(last_name=f"{name}{k}", account_id=ids[name])
    return ids


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_tree_rolls_up_contacts_revenue_and_headcount(db: ck.CRM, backend: str) -> None:
    ids = _group(db)
    tree = db.accounts.tree(ids["jp"])  # any member: the tree starts at the top
    frame = tree.df() if backend == "pandas" else tree.pl().to_pandas()
    if backend == "polars":
        assert isinstance(tree.pl(), pl.DataFrame)
    assert frame["name"].tolist() == ["Groupe", "Filiale FR", "Subsidiary US", "Branch JP"]
    assert frame["depth"].tolist() == [0, 1, 1, 2]
    assert frame["path"].iloc[3] == "Groupe / Subsidiary US / Branch JP"
    assert frame["contacts"].tolist() == [1, 2, 0, 3]
    assert frame["contacts_total"].tolist() == [6, 2, 3, 3]
    assert frame["employees_total"].tolist() == [155, 20, 35, 5]
    # USD converted at 0.5; JPY has no rate: left out of the totals and said so
    assert frame["revenue"].tolist()[:3] == [1_000_000.0, 200_000.0, 200_000.0]
    assert frame["revenue_total"].tolist()[:3] == [1_400_000.0, 200_000.0, 200_000.0]
    assert tree.currency == "EUR" and tree.unconverted == [ids["jp"]]
    assert tree.root_id == ids["top"] and len(tree) == 4
    text = repr(tree)
    assert "revenue in EUR" in text and "1 revenue without an exchange rate" in text
    assert "\n      Branch JP" in text
    html = tree._repr_html_()
    assert "Groupe" in html and "\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0Branch JP" in html
    with ck.config_context(lang="fr"):
        assert "chiffre d&#x27;affaires en EUR" in tree._repr_html_()


def test_a_lone_account_is_a_tree_of_one(db: ck.CRM) -> None:
    acc = db.accounts.add(name="Alone")
    frame = db.accounts.tree(acc).df()
    assert frame["name"].tolist() == ["Alone"] and frame["revenue_total"].tolist() == [0.0]


def test_bad_accounts_and_cycles_are_refused(db: ck.CRM) -> None:
    with pytest.raises(ck.RecordNotFoundError, match="no account with id 5"):
        db.accounts.tree(5)
    a = db.accounts.add(name="A")
    b = db.accounts.add(name="B", parent_id=a)
    db._session.con.execute("UPDATE accounts SET parent_id = ? WHERE id = ?", [b, a])
    with pytest.raises(ck.ParentCycleError, match="cycle"):
        db.accounts.tree(a)
    with pytest.raises(ck.ParentCycleError, match="cycle"):
        db.accounts.filter(within=a).df()


# -- within= ----------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_within_keeps_an_account_and_its_members(db: ck.CRM, backend: str) -> None:
    ids = _group(db)
    sel = db.accounts.filter(within="subsidiary us")
    names = sel.df()["name"] if backend == "pandas" else sel.pl()["name"]
    assert sorted(names) == ["Branch JP", "Subsidiary US"]
    assert len(db.accounts.filter(within=ids["top"])) == 4
    assert len(db.accounts.filter(within=[ids["fr"], ids["jp"]])) == 2
    assert len(db.accounts.filter(within=str(ids["us"]))) == 2
    contacts = db.contacts.filter(within="Groupe")
    assert len(contacts) == 6
    assert len(db.contacts.filter(within="Groupe", search="jp")) == 3


def test_within_works_in_saved_views(db: ck.CRM) -> None:
    ids = _group(db)
    db.views.save("group", db.contacts.filter(within=ids["us"]))
    assert len(db.views.load("group")) == 3


def test_within_names_no_account(db: ck.CRM) -> None:
    _group(db)
    with pytest.raises(ck.UnknownValueError, match=r"Groupee.*Did you mean 'Groupe'"):
        db.contacts.filter(within="Groupee")
    with pytest.raises(ck.RecordNotFoundError, match="no account with id 99"):
        db.accounts.filter(within=99)
    gone = db.accounts.add(name="Gone")
    db.accounts.delete(gone)
    with pytest.raises(ck.RecordNotFoundError, match="deleted or merged away"):
        db.contacts.filter(within=gone)
    with pytest.raises(ck.CRMKitError):
        db.contacts.filter(within=None)
