"""Owners (crmkit._ops._owners): users and teams, the current user as default owner, lookups
by name, email or id, activation.
"""

from __future__ import annotations

import pytest

import crmkit as ck
from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._ops import _owners as owners


def test_owner_defaults_to_current_user(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="Northwind Ltd")
    owner = crm.owners.get(crm.accounts.get(acc).owner_id)
    assert owner.name == "Nicole Bertrand"
    assert crm.accounts.get(acc).created_by == "Nicole Bertrand"


def test_no_default_owner_without_user() -> None:
    with ck.open() as db:
        acc = db.accounts.add(name="Northwind Ltd")
        assert db.accounts.get(acc).owner_id is None
        assert len(db.owners) == 0


def test_owner_teams_and_deactivate(crm: ck.CRM) -> None:
    crm.owners.add("Paris", kind="team")
    marc = crm.owners.add("Marc Durand", email="MD@Example.com", team="Paris")
    assert crm.owners.resolve("md@example.com") == marc
    assert crm.owners.expand("Paris")[1:] == [marc]
    crm.owners.deactivate("Marc Durand")
    listing = crm.owners.list()
    assert not listing.loc[listing["name"] == "Marc Durand", "active"].item()
    assert listing.loc[listing["name"] == "Marc Durand", "team"].item() == "Paris"


def test_unknown_owner_lists_valid_and_suggests(crm: ck.CRM) -> None:
    crm.owners.add("Marc Durand")
    with pytest.raises(ck.UnknownValueError) as err:
        crm.accounts.add(name="X", owner="Marc Durant")
    assert "Marc Durand" in str(err.value)
    assert err.value.suggestion == "Marc Durand"
    assert isinstance(err.value, ValueError)


def test_duplicate_owner_and_bad_owner_email(crm: ck.CRM) -> None:
    crm.owners.add("Marc Durand")
    with pytest.raises(ck.ValidationError, match="already exists"):
        crm.owners.add("marc durand")
    with pytest.raises(ck.ValidationError, match="not valid"):
        crm.owners.add("Zoé", email="zoe@@x")


# -- the module's own functions ----------------------------------------------------------


def test_add_find_and_resolve(crm: ck.CRM) -> None:
    session = crm._session
    marc = owners.add(session, "  Marc   Durand ", email="MD@Example.com", team="Paris")
    paris = owners.find(session, "paris")
    assert paris is not None and owners.fetch(session, "Paris")["kind"] == "team"
    assert owners.find(session, "marc durand") == owners.find(session, "md@example.com") == marc
    assert owners.find(session, marc) == marc and owners.find(session, "nobody") is None
    assert owners.fetch(session, marc)["email"] == "MD@example.com"  # the domain folded
    assert owners.fetch(session, marc)["team_id"] == paris
    with pytest.raises(ValidationError, match="already exists"):
        owners.add(session, "marc durand")
    with pytest.raises(ValidationError, match="needs a name"):
        owners.add(session, " \x00 ")
    with pytest.raises(UnknownValueError, match="owner kind"):
        owners.add(session, "Zoé", kind="group")
    with pytest.raises(UnknownValueError) as caught:
        owners.resolve(session, "Marc Durant")
    assert caught.value.suggestion == "Marc Durand"


def test_teams_names_members_and_expand_many(crm: ck.CRM) -> None:
    session = crm._session
    marc = owners.add(session, "Marc Durand", team="Paris")
    zoe = owners.add(session, "Zoé Martin", email="zm@example.com", team="Paris")
    li = owners.add(session, "Li Wei", team="Shanghai")
    paris = owners.resolve(session, "Paris")
    assert owners.names(session) == ["Li Wei", "Marc Durand", "Paris", "Shanghai", "Zoé Martin"]
    assert owners.members(session, "Paris") == [marc, zoe]
    assert owners.expand_many(session, ["ZM@example.com", "Paris", li]) == [
        zoe,
        paris,
        marc,
        zoe,
        li,
    ]
    with pytest.raises(UnknownValueError):
        owners.expand_many(session, ["Paris", "Lyon"])
    assert owners.count(session) == 5


def test_activation_and_the_list(crm: ck.CRM) -> None:
    session = crm._session
    marc = owners.add(session, "Marc Durand")
    crm.contacts.add(last_name="Blou", owner="Marc Durand")
    owners.set_active(session, "Marc Durand", False)
    assert not owners.is_active(session, marc) and not owners.is_active(session, 999)
    assert owners.names(session, active_only=True) == []
    frame = owners.list_frame(session)
    assert frame[["name", "active", "accounts", "contacts"]].to_dict("records") == [
        {"name": "Marc Durand", "active": False, "accounts": 0, "contacts": 1}
    ]
    assert owners.list_frame(session, include_inactive=False).empty
    owners.set_active(session, marc, True)
    assert owners.is_active(session, marc)


def test_default_owner_is_the_explicit_user_created_once(crm: ck.CRM) -> None:
    session = crm._session
    with session.batch("test") as batch:
        first = owners.default_owner_id(session, batch)
        again = owners.default_owner_id(session, batch)
    assert first is not None and first == again
    assert owners.fetch(session, first)["name"] == "Nicole Bertrand"
    with ck.open() as anonymous, anonymous._session.batch("test") as batch:
        assert owners.default_owner_id(anonymous._session, batch) is None
