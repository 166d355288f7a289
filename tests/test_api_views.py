"""Saved views (crmkit._api._views): crm.views saves a selection's filter, sort and columns
under a name and loads them again on today's records.
"""

from __future__ import annotations

import pytest
from crm_samples import add_sample_records

import crmkit as ck


@pytest.fixture
def crm_data(crm: ck.CRM) -> ck.CRM:
    """Three owners in two teams, four accounts, six contacts."""
    return add_sample_records(crm)


def test_saved_views_keep_the_filter(crm_data: ck.CRM) -> None:
    crm_data.views.save(
        "paris actifs", crm_data.contacts.filter(owner="Paris", active=True).sort("last_name")
    )
    assert len(crm_data.views.load("paris actifs")) == 3
    crm_data.contacts.add(last_name="Neuf", owner="Zoé Martin")
    assert len(crm_data.views.load("paris actifs")) == 4  # the filter, not the rows
    with pytest.raises(ck.ValidationError, match="replace=True"):
        crm_data.views.save("paris actifs", crm_data.contacts.all())
    crm_data.views.save("paris actifs", crm_data.contacts.all(), replace=True)
    assert len(crm_data.views.load("paris actifs")) == 7
    with pytest.raises(ck.UnknownValueError) as err:
        crm_data.views.load("paris actif")
    assert err.value.suggestion == "paris actifs"
    crm_data.views.delete("paris actifs")
    assert crm_data.views.names() == []


def test_views_keep_sort_and_columns_and_show_themselves(crm_data: ck.CRM) -> None:
    assert repr(crm_data.views) == "SavedViews(none)"
    selection = crm_data.contacts.filter(owner="Paris").sort("-last_name").columns("last_name")
    crm_data.views.save("paris", selection)
    crm_data.views.save("clients", crm_data.accounts.filter(is_client=True))
    assert repr(crm_data.views) == "SavedViews(clients, paris)"
    loaded = crm_data.views.load("paris")
    assert loaded.kind == "contacts" and list(loaded.df().columns) == ["last_name"]
    assert loaded.df()["last_name"].tolist() == ["Smith", "Nadal", "Lefèvre", "Blou"]
    assert crm_data.views.load("clients").df()["name"].tolist() == ["APROOL"]
    assert crm_data.views.list()["name"].tolist() == ["clients", "paris"]
