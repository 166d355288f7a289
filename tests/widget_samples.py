"""Shared by the tests of the notebook widgets (crmkit.widgets): a small CRM whose current
user is an owner, and lookups the tests assert with."""

from __future__ import annotations

import crmkit as ck

__all__ = ["add_widget_records", "last_batch", "owner_id"]


def add_widget_records(crm: ck.CRM) -> ck.CRM:
    """Nicole (the current user), Marc and Zoé in team Paris; three accounts; five contacts."""
    crm.owners.add("Nicole Bertrand", email="nb@example.com", team="Paris")
    crm.owners.add("Marc Durand", email="md@example.com", team="Paris")
    crm.owners.add("Zoé Martin", email="zm@example.com")
    aprool = crm.accounts.add(
        name="APROOL", sector="Software", annual_revenue=4_200_000, employees=85
    )
    north = crm.accounts.add(
        name="Northwind Ltd", sector="Retail", annual_revenue=30_000_000, employees=250
    )
    crm.accounts.add(name="Old Corp", archived=True)
    rows = [
        ("Hélène", "Blou", aprool, "Marc Durand", "helene.blou@aprool.com"),
        ("Marie", "Blanc", aprool, "Marc Durand", "marie.blanc@aprool.com"),
        ("John", "Smith", north, "Zoé Martin", "john.smith@northwind.co.uk"),
        ("Li", "Wei", None, "Nicole Bertrand", None),
        ("Paul", "Martin", north, "Marc Durand", None),
    ]
    for first, last, account, owner, email in rows:
        crm.contacts.add(
            first_name=first, last_name=last, account_id=account, owner=owner, email=email
        )
    return crm


def owner_id(crm: ck.CRM, name: str) -> int:
    return crm.owners.resolve(name)


def last_batch(crm: ck.CRM) -> int:
    return int(crm.batches(limit=1)["id"].iloc[0])
