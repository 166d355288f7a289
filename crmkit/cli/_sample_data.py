"""The band table ``crmkit demo`` prints, and the loader it uses.

``load_sample_folder`` is :func:`crmkit.samples.load_sample` under its former name (the
public one is in :mod:`crmkit.samples`).
"""

from __future__ import annotations

import pandas as pd

import crmkit as ck
from crmkit.samples import load_sample as load_sample_folder

__all__ = ["band_summary", "load_sample_folder"]


def band_summary(crm: ck.CRM, kind: str = "revenue") -> pd.DataFrame:
    """Accounts per revenue (or headcount) band, in band order, with revenue totals."""
    column = "revenue_band" if kind == "revenue" else "headcount_band"
    frame = crm.accounts.summary(by=column).frame.rename(
        columns={column: "band", "count": "accounts"}
    )
    frame["band"] = frame["band"].astype(object).where(frame["band"].notna(), "(unknown)")
    return frame
