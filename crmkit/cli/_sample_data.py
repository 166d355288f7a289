"""Loading the sample generator's files into a CRM, and the band table the demo prints.

Used by ``crmkit demo`` and by the notebooks (``from crmkit.cli import
load_sample_folder``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

import crmkit as ck

__all__ = ["band_summary", "load_sample_folder"]


def load_sample_folder(crm: ck.CRM, folder: str | Path, progress: bool = False) -> list[Any]:
    """Load the generator's ``owners.csv``, ``accounts.csv`` and ``contacts.csv``.

    Owners are added one by one; accounts and contacts go through the import pipeline
    (contacts create the accounts they name when missing). Returns the import reports.
    """
    folder = Path(folder)
    owners = pd.read_csv(folder / "owners.csv", dtype=str, keep_default_na=False)
    for team in sorted({t for t in owners.get("team", pd.Series(dtype=str)) if t}):
        crm.owners.add(team, kind="team")
    for row in owners.to_dict("records"):
        crm.owners.add(
            str(row["name"]),
            email=str(row.get("email") or "") or None,
            team=str(row.get("team") or "") or None,
        )
    accounts = crm.import_file(folder / "accounts.csv", "accounts", progress=progress)
    contacts = crm.import_file(
        folder / "contacts.csv", "contacts", create_accounts=True, progress=progress
    )
    return [accounts, contacts]


def band_summary(crm: ck.CRM, kind: str = "revenue") -> pd.DataFrame:
    """Accounts per revenue (or headcount) band, in band order, with revenue totals."""
    column = "revenue_band" if kind == "revenue" else "headcount_band"
    frame = crm.accounts.summary(by=column).frame.rename(
        columns={column: "band", "count": "accounts"}
    )
    frame["band"] = frame["band"].astype(object).where(frame["band"].notna(), "(unknown)")
    return frame
