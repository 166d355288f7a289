"""Selections (crmkit._api._selection): the contract filter, chaining, sorting, columns,
display, the SQL escape hatch, exports of a selection, pages.

(Keyword filters: tests/test_ops_filters.py; summaries: test_ops_summary.py; bulk operations:
test_bulk.py; saved views: test_api_views.py.)
"""

from __future__ import annotations

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from crm_samples import add_sample_records

import crmkit as ck
from crmkit._exceptions import UnknownValueError


@pytest.fixture
def crm_data(crm: ck.CRM) -> ck.CRM:
    """Three owners in two teams, four accounts, six contacts."""
    return add_sample_records(crm)


def names(sel: ck.Selection) -> list[str]:
    return sorted(sel.df()["last_name"])


def test_contract_filter(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.filter(
        search="blou",
        owner=["Marc Durand"],
        sector="Software",
        revenue_band="1M-10M",
        headcount_band="51-200",
        active=True,
    )
    assert names(sel) == ["Blou"]
    assert len(sel) == 1 and sel.ids == [1]
    assert isinstance(sel.df(), pd.DataFrame)
    assert isinstance(sel.pl(), pl.DataFrame)
    assert isinstance(sel.arrow(), pa.Table)


def test_chaining_sort_columns(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.filter(owner="Paris").filter(active=True)
    assert names(sel) == ["Blou", "Lefèvre", "Nadal"]
    ordered = sel.sort("-last_name").columns("last_name", "email")
    frame = ordered.df()
    assert list(frame.columns) == ["last_name", "email"]
    assert list(frame["last_name"]) == ["Nadal", "Lefèvre", "Blou"]
    assert len(sel.limit(2)) == 2
    with pytest.raises(ck.UnknownValueError):
        sel.columns("nom")


def test_display(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.filter(owner="Paris")
    text = repr(sel)
    assert text.startswith("Selection(contacts: 4 records; owner='Paris')")
    page = sel._repr_html_()
    for label in (
        "Company",
        "Account owner",
        "Last name",
        "First name",
        "Job title",
        "Phone",
        "Mobile",
        "Fax",
        "Owner",
    ):
        assert label in page
    assert "APROOL" in page


def test_sql_escape_hatch(crm_data: ck.CRM) -> None:
    rel = crm_data.sql("SELECT count(*) AS n FROM contacts_v WHERE owner = ?", ["Li Wei"])
    assert rel.fetchall() == [(2,)]


@pytest.mark.parametrize("ext", ["csv", "xlsx", "parquet"])
def test_selection_export_read_back(crm_data: ck.CRM, tmp_path, ext: str) -> None:
    sel = crm_data.contacts.filter(owner="Paris").sort("last_name")
    columns = ["last_name", "first_name", "company", "mobile", "owner"]
    result = sel.export(tmp_path / f"paris.{ext}", columns=columns, lang="fr")
    assert result.rows == 4
    if ext == "csv":
        back = pd.read_csv(result.path, dtype=str)
    elif ext == "xlsx":
        back = _read_xlsx(result.path)
    else:
        back = pd.read_parquet(result.path)
    assert list(back.columns) == ["Nom", "Prénom", "Société", "Portable", "Affecté à"]
    assert list(back["Nom"]) == ["Blou", "Lefèvre", "Nadal", "Smith"]
    assert back["Portable"].iloc[0] == "+33625341257"


def _read_xlsx(path) -> pd.DataFrame:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(book.active.iter_rows(values_only=True))
    finally:
        book.close()  # a read-only workbook keeps its file open until closed
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_export_neutralises_formulas(crm: ck.CRM, tmp_path) -> None:
    crm.contacts.add(last_name='=HYPERLINK("http://evil","x")', job_title="@SUM(1+1)")
    path = crm.contacts.all().export(tmp_path / "c.csv", columns=["last_name", "job_title"])
    text = path.path.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'@SUM" in text


def test_pages(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.all().sort("last_name")
    pages = [sel.page(i, size=4)["last_name"].tolist() for i in range(3)]
    assert pages == [["Blou", "Lefèvre", "Nadal", "Roy"], ["Smith", "张"], []]
    with pytest.raises(ck.ValidationError):
        sel.page(-1)


def test_sort_collates_text_in_the_language_in_force(crm_file: ck.CRM) -> None:
    for name in ["Barron", "MARTIN", "Barré", "Marrtin", "Martin", "李娜", "阿明", "陈静"]:
        crm_file.contacts.add(last_name=name)
    everyone = crm_file.contacts.all()
    assert everyone.sort("last_name").df()["last_name"].tolist()[:5] == [
        "Barré", "Barron", "Marrtin", "Martin", "MARTIN",
    ]  # fmt: skip
    with ck.config_context(lang="zh"):
        chinese = everyone.sort("-last_name").pl()["last_name"].to_list()
    assert chinese[-3:] == ["李娜", "陈静", "阿明"]  # pinyin, descending: li, chen, a
    binary = everyone.sort("last_name", collation="binary").df()["last_name"].tolist()
    assert binary[:3] == ["Barron", "Barré", "MARTIN"]
    # Every reader of the selection keeps its order: pages, ids, batches.
    sel = everyone.sort("last_name", collation="fr")
    assert sel.page(0, size=2)["last_name"].tolist() == ["Barré", "Barron"]
    assert [crm_file.contacts.get(i).last_name for i in sel.ids[:2]] == ["Barré", "Barron"]
    assert (
        pd.concat(list(sel.iter_batches(3)))["last_name"].tolist() == sel.df()["last_name"].tolist()
    )
    with pytest.raises(UnknownValueError, match="collation 'french'"):
        everyone.sort("last_name", collation="french")
