"""Shared by the tests of selections, bulk operations and saved views: a small CRM with
owners in teams, accounts in three countries and contacts with every filterable field."""

from __future__ import annotations

import crmkit as ck

__all__ = ["add_sample_records"]


def add_sample_records(crm: ck.CRM) -> ck.CRM:
    """Three owners in two teams, four accounts, six contacts."""
    crm.owners.add("Marc Durand", email="md@example.com", team="Paris")
    crm.owners.add("Zoé Martin", email="zm@example.com", team="Paris")
    crm.owners.add("Li Wei", email="lw@example.cn", team="Shanghai")
    a1 = crm.accounts.add(
        name="APROOL",
        sector="Software",
        annual_revenue=4_200_000,
        employees=85,
        owner="Marc Durand",
        entity="France",
        is_client=True,
        tags=["b2b"],
    )
    a2 = crm.accounts.add(
        name="Northwind Ltd",
        sector="Retail",
        annual_revenue=30_000_000,
        employees=250,
        owner="Zoé Martin",
        entity="UK",
    )
    a3 = crm.accounts.add(
        name="华信科技",
        sector="Software",
        annual_revenue=500_000,
        employees=12,
        owner="Li Wei",
        entity="China",
        archived=True,
    )
    crm.accounts.add(name="Empty Co", owner="Li Wei")
    crm.contacts.add(
        first_name="Hélène",
        last_name="Blou",
        account_id=a1,
        job_title="Chef de projet",
        email="helene.blou@aprool.com",
        mobile="06 25 34 12 57",
        owner="Marc Durand",
        origin="Salon",
        skills=["SAP", "Java"],
        tags=["vip"],
    )
    crm.contacts.add(
        first_name="François",
        last_name="Lefèvre",
        account_id=a1,
        job_title="DSI",
        email="f.lefevre@aprool.com",
        owner="Zoé Martin",
        origin="Site web",
        skills=["Java"],
    )
    crm.contacts.add(
        first_name="John",
        last_name="Smith",
        account_id=a2,
        job_title="Buyer",
        email="john@northwind.co.uk",
        owner="Zoé Martin",
        active=False,
    )
    crm.contacts.add(
        first_name="伟",
        last_name="张",
        account_id=a3,
        job_title="总经理",
        email="zhang.wei@huaxin.cn",
        owner="Li Wei",
        email_opt_out=True,
    )
    crm.contacts.add(first_name="Paul", last_name="Roy", owner="Li Wei", origin="salon")
    crm.contacts.add(
        first_name="Anne",
        last_name="Nadal",
        account_id=a2,
        owner="Marc Durand",
        email="anne@northwind.co.uk",
        tags=["vip", "newsletter"],
    )
    return crm
