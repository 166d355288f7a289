"""Shared by the lead-conversion tests and ``benchmarks/convert_bench.py``: generated
accounts stored in a CRM and leads naming them, half as another record of the same
company spells it, half a company not stored."""

from __future__ import annotations

import pandas as pd

import crmkit as ck
from crmkit.samples import generate

__all__ = ["add_leads"]


def add_leads(crm: ck.CRM, accounts: int, leads: int, seed: int = 5) -> list[int]:
    """Store ``accounts`` generated accounts and ``leads`` leads; return the leads' ids.

    Half the leads (or as many as the generator's duplicates allow, at most one extra
    record per stored company) name a stored company as one of the generator's
    duplicates of it does (case, legal form, typos, another script), with its web site
    and e-mail; the others a generated company that is not stored. Leads come in a
    shuffled order.
    """
    half = leads // 2
    # Companies enough for every lead to name a new one; the generator's extra records
    # fall on stored companies in the proportion of those (about ``1.5 * half``).
    data = generate(
        n_accounts=accounts + leads,
        n_contacts=leads,
        seed=seed,
        messiness=0.5,
        duplicates=min(1.0, 1.5 * half / accounts),
    )
    rows = data.accounts.sort_values("entity_id", kind="stable")
    first = ~rows["entity_id"].duplicated()
    kept = rows["entity_id"] < rows["entity_id"].unique()[accounts]
    stored = rows[first & kept]
    variants = rows[~first & kept].head(half)
    new = rows[first & ~kept].head(leads - len(variants))
    companies = stored[["name", "website"]]
    crm.accounts.add_many(companies.astype(object).where(companies.notna(), None))
    named = pd.concat([variants, new]).sample(frac=1.0, random_state=seed)
    people = data.contacts.head(len(named))
    frame = pd.DataFrame(
        {
            "first_name": people["first_name"].tolist(),
            "last_name": people["last_name"].tolist(),
            "lifecycle_stage": "lead",
            "company_name": named["name"].tolist(),
            "website": named["website"].tolist(),
            "email": named["email"].tolist(),
        }
    )
    return list(crm.contacts.add_many(frame.astype(object).where(frame.notna(), None)))
