"""Counts and revenue by group (crmkit._ops._summary): bands in their order, a table and an SVG
chart.
"""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest
from crm_samples import add_sample_records

import crmkit as ck
from crmkit._ops._query import Query
from crmkit._ops._summary import Summary, summarize


@pytest.fixture
def crm_data(crm: ck.CRM) -> ck.CRM:
    """Three owners in two teams, four accounts, six contacts."""
    return add_sample_records(crm)


def names(sel: ck.Selection) -> list[str]:
    return sorted(sel.df()["last_name"])


def test_summary(crm_data: ck.CRM) -> None:
    by_band = crm_data.accounts.summary(by="revenue_band")
    bands = [None if pd.isna(b) else b for b in by_band.frame["revenue_band"]]
    assert bands == ["0-1M", "1M-10M", "10M-50M", None]
    assert list(by_band.frame["revenue"][:3]) == [500_000, 4_200_000, 30_000_000]
    svg = by_band.to_svg()
    assert svg.count("crmkit-bar") == 4 and "<svg" in svg
    assert "crmkit-summary" in by_band._repr_html_()
    by_owner = crm_data.contacts.filter(active=True).summary(["owner"])
    assert dict(zip(by_owner.frame["owner"], by_owner.frame["count"], strict=True)) == {
        "Marc Durand": 2,
        "Li Wei": 2,
        "Zoé Martin": 1,
    }
    assert isinstance(by_owner.pl(), pl.DataFrame)
    with pytest.raises(ck.UnknownValueError):
        crm_data.contacts.summary(by="secteur")


# -- the module's own functions ----------------------------------------------------------


def test_summarize_a_query(crm_data: ck.CRM) -> None:
    summary = summarize(crm_data._session, Query("contacts"), ["owner", "active"])
    assert summary.by == ("owner", "active")
    rows = summary.frame.to_dict("records")
    assert {"owner": "Zoé Martin", "active": False, "count": 1} in rows
    assert sum(r["count"] for r in rows) == 6
    assert summary.df() is not summary.frame and summary.df().equals(summary.frame)
    assert repr(summary).startswith("Summary(by owner, active)\n")
    with pytest.raises(ck.UnknownValueError) as caught:
        summarize(crm_data._session, Query("contacts"), "ownr")
    assert caught.value.suggestion == "owner"


def test_the_chart_draws_one_bar_per_group() -> None:
    summary = Summary(("sector",), pd.DataFrame({"sector": ["<b>IT</b>", None], "count": [3, 0]}))
    svg = summary.plot()
    assert svg.count('class="crmkit-bar"') == 2
    assert "&lt;b&gt;IT&lt;/b&gt;" in svg and "(none)" in svg
    assert 'width="0.0"' in svg  # a zero draws no bar
    assert summary.to_svg(width=600).startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "(none)" in summary._repr_html_()
