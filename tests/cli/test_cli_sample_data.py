"""Loading sample files into a CRM and the band table of the demo
(``crmkit.cli._sample_data``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import crmkit as ck
from crmkit.cli import band_summary, load_sample_folder


def test_load_sample_folder_and_bands(small_samples: Path) -> None:
    with ck.open(user="Demo") as crm:
        accounts, contacts = load_sample_folder(crm, small_samples)
        assert accounts.kind == "accounts" and contacts.kind == "contacts"
        assert accounts.inserted > 0 and len(crm.contacts) > 0
        assert len(crm.owners) > 0
        bands = band_summary(crm, "revenue")
        assert list(bands.columns[:2]) == ["band", "accounts"]
        assert bands["accounts"].sum() == len(crm.accounts)
        assert band_summary(crm, "headcount")["accounts"].sum() == len(crm.accounts)


def test_owners_teams_and_their_members_are_loaded(tmp_path: Path) -> None:
    (tmp_path / "owners.csv").write_text(
        "name,email,team\nMarc Durand,md@example.com,Paris\nLi Wei,,\nZoé Martin,,Paris\n",
        encoding="utf-8",
    )
    (tmp_path / "accounts.csv").write_text(
        "source_id,name,annual_revenue,owner\n1,APROOL,4200000,Marc Durand\n2,Northwind,,Li Wei\n",
        encoding="utf-8",
    )
    (tmp_path / "contacts.csv").write_text(
        "source_id,first_name,last_name,company\n1,Hélène,Blou,APROOL\n2,Jean,Roy,Nouvelle SA\n",
        encoding="utf-8",
    )
    with ck.open(user="Demo") as crm:
        accounts, contacts = load_sample_folder(crm, tmp_path)
        assert (accounts.inserted, contacts.inserted) == (2, 2)
        owners = crm.owners.list().set_index("name")
        assert owners.loc["Paris", "kind"] == "team"
        assert (
            owners.loc["Marc Durand", "team"] == "Paris"
            and owners.loc["Marc Durand", "email"] == "md@example.com"
        )
        assert pd.isna(owners.loc["Li Wei", "team"]) and pd.isna(owners.loc["Li Wei", "email"])
        assert sorted(crm.accounts.df()["name"]) == ["APROOL", "Northwind", "Nouvelle SA"]
        bands = band_summary(crm).set_index("band")
        assert bands.loc["1M-10M", "accounts"] == 1
        assert bands.loc["(unknown)", "accounts"] == 2  # no revenue: no band
        assert band_summary(crm, "headcount")["band"].tolist() == ["(unknown)"]
