"""The one table renderer (crmkit._util._table_html) and every output that uses it.

Issue #15, "Seen, to fix": records showed ids and ``datetime.datetime(...)``, revenue as
``7074600.0``, history mixed ``NaN``/``None``/``<NA>``; import reports had ``__line__``
headers, 20 rejected rows with no "N more" note and warnings as counts only; lists
omitted email and printed "None"; no HTML table could be sorted, paged or searched.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import crmkit as ck
from crmkit._util import _table_html
from crmkit._util._table_html import Column, table_html, table_text

NNBSP = "\u202f"  # French thousands separator


def dt_args(page: str) -> dict[str, Any]:
    """The DataTables arguments of the (first) interactive table of ``page``."""
    found = re.search(r"let dt_args = (\{.*?\});\n", page, flags=re.S)
    assert found is not None, "no interactive table in the page"
    arguments: dict[str, Any] = json.loads(found.group(1))
    arguments["data"] = json.loads(arguments["data_json"])
    return arguments


def without_style(page: str) -> str:
    return re.sub(r"<style>.*?</style>", "", page, flags=re.S)


@pytest.fixture
def revenue_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["APROOL", "Northwind Ltd", "Blou SA"],
            "annual_revenue": [7_074_600.0, None, 950_000.0],
            "currency": ["EUR", "GBP", "EUR"],
            "created_at": [dt.datetime(2026, 12, 6, 19, 58, 52, 15276), None, None],
        }
    )


COLUMNS = [
    Column("name", "Name", "text"),
    Column("annual_revenue", "Revenue", "money", currency_column="currency"),
    Column("created_at", "Created", "datetime"),
]


# -- the renderer ------------------------------------------------------------------------


def test_interactive_table_carries_the_data_formatted_and_sorts_by_value(
    revenue_frame: pd.DataFrame,
) -> None:
    page = table_html(revenue_frame, COLUMNS, mode="interactive")
    arguments = dt_args(page)
    first = arguments["data"][0]
    assert first[:3] == ["APROOL", "7,074,600 EUR", "Dec 6, 2026 19:58"]
    assert arguments["data"][1][1:3] == ["", ""]  # nulls blank
    # Revenue and date sort on hidden typed columns, not on their text.
    definitions = {d["targets"]: d for d in arguments["columnDefs"]}
    revenue_key = definitions[1]["orderData"][0]
    assert definitions[revenue_key] | {"visible": False} == definitions[revenue_key]
    assert definitions[revenue_key]["type"] == "num"
    assert first[revenue_key] == 7_074_600.0
    assert first[definitions[2]["orderData"][0]].startswith("2026-12-06T19:58:52")
    assert arguments["pageLength"] == ck.get_config()["display_rows"]
    assert "crmkit-num" in definitions[1]["className"]
    assert "datetime.datetime" not in page and "NaN" not in json.dumps(arguments["data"])


def test_interactive_table_is_offline_and_sends_the_bundle_once(
    revenue_frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_table_html, "_bundle_sent", False)
    first = table_html(revenue_frame, COLUMNS, mode="interactive")
    second = table_html(revenue_frame, COLUMNS, mode="interactive")
    assert "injectModule" in first and "injectModule" not in second
    assert len(first) > 500_000 > len(second)  # DataTables itself, embedded once
    for page in (first, second):
        # Nothing is fetched: no remote script, style sheet or module import.
        assert not re.search(r"""src=["']?https?://""", page)
        assert not re.search(r"""<link[^>]*https?://""", page)
        assert not re.search(r"""import[^;\n]*https?://""", page)
    # Where no script runs, the static table shows (the interactive one starts hidden).
    assert '<table class="crmkit-table">' in second and "7,074,600 EUR" in second


def test_static_mode_is_a_plain_table_with_a_more_note(revenue_frame: pd.DataFrame) -> None:
    with ck.config_context(table_display="static", display_rows=2):
        page = table_html(revenue_frame, COLUMNS, total=10)
    assert "<script" not in page and page.count("<tr>") == 3  # header and two rows
    assert "… 8 more rows" in page
    assert '<td class="crmkit-num">7,074,600 EUR</td>' in page
    assert "<th>Name</th>" in page  # names and their header left-aligned


@pytest.mark.parametrize(
    ("lang", "amount", "date"),
    [
        ("en", "7,074,600 EUR", "Dec 6, 2026 19:58"),
        ("fr", f"7{NNBSP}074{NNBSP}600\u00a0€", "6 déc. 2026 19:58"),
        ("zh", "€7,074,600", "2026年12月6日 19:58"),
    ],
)
def test_numbers_currency_and_dates_follow_the_language(
    revenue_frame: pd.DataFrame, lang: str, amount: str, date: str
) -> None:
    with ck.config_context(lang=lang, table_display="static"):
        page = table_html(revenue_frame, COLUMNS)
        text = table_text(revenue_frame, COLUMNS)
    assert f">{amount}</td>" in page and f">{date}</td>" in page
    assert amount in text and date in text


def test_pandas_polars_and_arrow_render_alike(revenue_frame: pd.DataFrame) -> None:
    frames = [revenue_frame, pl.from_pandas(revenue_frame), pa.Table.from_pandas(revenue_frame)]
    pages = {table_html(f, COLUMNS, mode="static") for f in frames}
    assert len(pages) == 1


def test_text_rendering_aligns_columns_and_notes_the_rest() -> None:
    frame = pd.DataFrame({"name": ["Li Wei", "张伟", None], "employees": [85, 1_250, None]})
    text = table_text(frame, [Column("name", "Name"), Column("employees", "Staff")], total=7)
    lines = text.splitlines()
    assert lines == [
        "Name    Staff",
        "Li Wei     85",
        "张伟    1,250",  # a Chinese character is two columns wide
        "",
        "… 4 more rows",
    ]


def test_long_text_wraps_between_words_and_headers_stay_whole() -> None:
    reason = "email 'not-an-email': An email address must have an @-sign " * 2
    frame = pd.DataFrame({"line": [3], "reasons": [reason]})
    page = table_html(frame, [Column("line", "Line", "id"), Column("reasons", "Reasons")])
    definitions = {d["targets"]: d for d in dt_args(page)["columnDefs"]}
    assert definitions[1]["className"] == "crmkit-wrap"
    assert "word-break: normal" in page and "table.crmkit-table th { white-space: nowrap" in page


# -- records and lists ---------------------------------------------------------------------


@pytest.fixture
def filled(crm: ck.CRM) -> tuple[ck.CRM, int, int]:
    crm.owners.add("Nicole Bertrand", email="nb@example.com")
    account = crm.accounts.add(
        name="APROOL", annual_revenue=7_074_600, currency="EUR", employees=85,
        owner="Nicole Bertrand",
    )  # fmt: skip
    contact = crm.contacts.add(
        first_name="Hélène", last_name="Blou", account_id=account, owner="Nicole Bertrand",
        email="helene.blou@aprool.com",
    )  # fmt: skip
    crm.contacts.add(first_name="Marc", last_name="Durand")
    return crm, account, contact


def test_a_record_shows_names_formatted_values_and_no_python_reprs(
    filled: tuple[ck.CRM, int, int],
) -> None:
    crm, account, contact = filled
    person = without_style(crm.contacts.get(contact)._repr_html_())
    assert "<td>APROOL</td>" in person and "<td>Nicole Bertrand</td>" in person
    assert "<td>Company</td>" in person and "<td>Account</td>" not in person
    company = without_style(crm.accounts.get(account)._repr_html_())
    assert "7,074,600 EUR" in company and "7074600.0" not in company
    assert "datetime.datetime" not in company and re.search(r"\d{2}:\d{2}</td>", company)
    with ck.config_context(lang="fr"):
        french = without_style(crm.accounts.get(account)._repr_html_())
    assert f"7{NNBSP}074{NNBSP}600\u00a0€" in french and "<td>Affecté à</td>" in french


def test_a_list_shows_email_names_and_blanks(filled: tuple[ck.CRM, int, int]) -> None:
    crm, _, _ = filled
    selection = crm.contacts.filter()
    with ck.config_context(table_display="static"):
        page = without_style(selection._repr_html_())
    assert "<th>Email</th>" in page and "<td>helene.blou@aprool.com</td>" in page
    assert "<td>Blou</td>" in page and "<td>Nicole Bertrand</td>" in page  # left-aligned
    assert "None" not in page and "nan" not in page.lower().replace("nanos", "")
    assert "<th>Account owner</th>" in page  # headers whole, not "Conta…"
    text = repr(selection)
    assert "helene.blou@aprool.com" in text and "None" not in text
    interactive = dt_args(selection._repr_html_())
    assert len(interactive["data"]) == 2 and interactive["data"][0][0] == "1"


def test_a_list_is_interactive_with_every_row_up_to_the_cap(crm: ck.CRM) -> None:
    crm.import_frame(
        pd.DataFrame({"last_name": [f"Name {i:03d}" for i in range(45)]}), kind="contacts"
    )
    with ck.config_context(display_rows=10):
        arguments = dt_args(crm.contacts.filter()._repr_html_())
        static = crm.contacts.filter()._repr_html_
        with ck.config_context(table_display="static"):
            assert "… 35 more rows" in static()
    assert len(arguments["data"]) == 45 and arguments["pageLength"] == 10


def test_history_shows_blanks_not_nan_none_or_na(crm: ck.CRM) -> None:
    account = crm.accounts.add(name="APROOL")
    crm.accounts.update(account, annual_revenue=7_074_600, employees=3)
    crm.accounts.update(account, annual_revenue=None)
    history = crm.accounts.history(account)
    assert isinstance(history, pd.DataFrame)
    for shown in (repr(history), without_style(history._repr_html_())):
        for null in ("NaN", "None", "<NA>", "&lt;NA&gt;", "NaT"):
            assert null not in shown, null
    assert "7,074,600" in history._repr_html_()
    assert "Old value" in history._repr_html_()


# -- reports --------------------------------------------------------------------------------


def test_import_report_lists_every_rejected_row_with_labelled_headers(
    crm: ck.CRM, tmp_path: Path
) -> None:
    rows = ["Nom,Prénom,Email"] + [f",Marc{i},marc{i}@x.com" for i in range(30)]
    rows += ["Blou,Hélène,not-an-email"]
    path = tmp_path / "contacts.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = crm.import_file(path, kind="contacts")
    assert len(report.rejected) == 30
    page = report._repr_html_()
    assert "__line__" not in page and "__reasons__" not in page
    rejected = dt_args(page)
    assert len(rejected["data"]) == 30  # every rejected row, pageable
    assert rejected["data"][0][:2] == ["2", "last_name: required, but empty"]
    with ck.config_context(table_display="static"):
        static = without_style(report._repr_html_())
    assert ">Line</th>" in static and "<th>Reasons</th>" in static
    assert "… 10 more rows" in static
    # Warnings say which row, which field and which value.
    assert ">32</td><td>Email</td><td>not-an-email</td>" in static
    with ck.config_context(table_display="static", lang="fr"):
        french = without_style(report._repr_html_())
    assert ">Ligne</th>" in french and "<th>Motifs</th>" in french


def test_duplicate_pairs_sort_by_probability(crm: ck.CRM) -> None:
    for i in range(3):
        crm.contacts.add(first_name="Hélène", last_name="Blou", email=f"h{i}@aprool.com")
    report = crm.contacts.find_duplicates()
    arguments = dt_args(report._repr_html_())
    definitions = {d["targets"]: d for d in arguments["columnDefs"]}
    probability_key = definitions[2]["orderData"][0]
    assert definitions[probability_key]["type"] == "num"
    assert all(0 < row[probability_key] <= 1 for row in arguments["data"])
    assert all(row[2].endswith("%") for row in arguments["data"])


@pytest.mark.parametrize(("lang", "word"), [("fr", "Rechercher"), ("zh", "搜索"), ("en", "")])
def test_the_table_controls_speak_the_language(lang: str, word: str) -> None:
    frame = pd.DataFrame({"id": [1, 2]})
    with ck.config_context(lang=lang):
        html = table_html(frame, None)
    assert word in html or json.dumps(word)[1:-1] in html  # the options are JSON
    assert ("Rechercher" in html) == (lang == "fr")


def test_countries_show_by_name_in_the_language(tmp_path: Path) -> None:
    with ck.open(tmp_path / "crm.duckdb") as crm:
        contact = crm.contacts.add(last_name="Blou", country="DE")
        with ck.config_context(lang="fr", table_display="static"):
            listed = crm.contacts.all().columns("last_name", "country")._repr_html_()
            shown = crm.contacts.get(contact)._repr_html_()
        with ck.config_context(lang="zh", table_display="static"):
            chinese = crm.contacts.get(contact)._repr_html_()
        assert "Allemagne" in listed and "Allemagne" in shown and "德国" in chinese
        assert crm.contacts.get(contact).country == "DE"  # the code is what is stored
