"""One labels table: every language and every column label listed once, and shown alike.

The columns of the views are read from a real database, so a view column added without a
label fails here; every place that shows labels (export headers, widgets, a selection's
HTML) is checked against :func:`column_label`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

import crmkit as ck
from crmkit._exceptions import UnknownValueError
from crmkit._formats import export_table, header_labels
from crmkit.schemas import (
    ACCOUNTS,
    CONTACTS,
    DEFAULT_SECTORS,
    DERIVED_LABELS,
    LANGS,
    column_label,
    column_labels,
    table,
)
from crmkit.schemas._vocab import Term

KINDS = ("contacts", "accounts")


def view_columns(crm: ck.CRM, kind: str) -> list[str]:
    """The columns of ``<kind>_v`` as the database has them."""
    rows = crm.sql(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position",
        [f"{kind}_v"],
    ).fetchall()
    assert rows, f"no view {kind}_v"
    return [name for (name,) in rows]


def derived_columns(crm: ck.CRM, kind: str) -> list[str]:
    """The columns ``<kind>_v`` adds to the catalog's fields."""
    return [name for name in view_columns(crm, kind) if name not in table(kind)]


@pytest.fixture
def crm_data(crm: ck.CRM) -> ck.CRM:
    """One owner, one account with a parent, one contact: every view column has a value."""
    crm.owners.add("Marc Durand", email="md@example.com", team="Paris")
    parent = crm.accounts.add(name="Groupe APROOL")
    account = crm.accounts.add(
        name="APROOL",
        sector="Software",
        annual_revenue=4_200_000,
        employees=85,
        owner="Marc Durand",
        parent_id=parent,
    )
    crm.contacts.add(first_name="Hélène", last_name="Blou", account_id=account, owner="Marc Durand")
    return crm


# -- one label per column and language ------------------------------------------------


def test_every_label_has_every_language() -> None:
    for name, labels in DERIVED_LABELS.items():
        assert len(labels) == len(LANGS), name
        assert all(label.strip() for label in labels), name
    for tbl in (ACCOUNTS, CONTACTS):
        for f in tbl:
            assert f.labels == tuple(getattr(f, lang) for lang in LANGS)
            assert all(f.labels), f.name
            for lang in LANGS:
                assert f.label(lang) == getattr(f, lang)
    for term in DEFAULT_SECTORS.terms:
        assert term.labels == tuple(term.label(lang) for lang in LANGS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_derived_view_column_has_a_label_in_every_language(crm: ck.CRM, kind: str) -> None:
    derived = derived_columns(crm, kind)
    assert "revenue_band" in derived and "owner" in derived
    missing = [name for name in derived if name not in DERIVED_LABELS]
    assert not missing, f"{kind}_v columns without labels: {missing}"
    for lang in LANGS:
        labels = [column_label(kind, name, lang) for name in derived]
        assert all(label and label != name for label, name in zip(labels, derived, strict=True))
        assert len(set(labels)) == len(labels), (kind, lang, labels)


def test_no_label_for_a_column_no_view_has(crm: ck.CRM) -> None:
    shown = {name for kind in KINDS for name in derived_columns(crm, kind)}
    assert set(DERIVED_LABELS) == shown


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGS)
def test_column_label_answers_for_fields_and_derived_columns(kind: str, lang: str) -> None:
    for f in table(kind):
        assert column_label(kind, f.name, lang) == f.label(lang)
    assert column_label(kind, "x_extra", lang) == "x_extra"
    assert column_labels(kind, lang) == {
        name: column_label(kind, name, lang) for name in [*table(kind).names, *DERIVED_LABELS]
    }
    assert column_label(kind[:-1], "owner", lang) == column_label(kind, "owner", lang)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(UnknownValueError):
        column_label("leads", "owner")


def test_revenue_terms_agree_with_the_catalog() -> None:
    assert column_label("accounts", "revenue_band", "fr") == "Tranche de CA"
    assert column_label("contacts", "revenue_band", "fr") == "Tranche de CA"
    revenue = ACCOUNTS["annual_revenue"]
    assert revenue.fr == "Chiffre d'affaires"
    assert ACCOUNTS["revenue_range_min"].fr.startswith("CA ")
    for name in ("revenue_band", "revenue_base", "account_annual_revenue", "account_revenue_base"):
        assert "CA" in column_label("contacts", name, "fr").split(), name
    for lang in ("en", "zh"):
        word = revenue.label(lang).casefold()
        for name in ("revenue_base", "account_annual_revenue", "account_revenue_base"):
            assert word in column_label("contacts", name, lang).casefold(), (name, lang)
    for labels in DERIVED_LABELS.values():
        assert not any("Fourchette" in label for label in labels)


def test_stored_sector_terms_take_every_language() -> None:
    term = Term.from_dict({"value": "Biotech", "zh": "生物技术", "synonyms": ["biotechs"]})
    assert term.labels == ("Biotech", "Biotech", "生物技术")
    assert term.synonyms == ("biotechs",)


# -- every place that shows labels agrees ----------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGS)
def test_export_headers_are_the_column_labels(
    crm_data: ck.CRM, kind: str, lang: str, tmp_path: Path
) -> None:
    derived = derived_columns(crm_data, kind)
    data = crm_data.sql(f"SELECT {', '.join(derived)} FROM {kind}_v").arrow()
    result = export_table(data, tmp_path / "out.csv", kind=kind, lang=lang)
    assert list(result.headers) == [column_label(kind, name, lang) for name in derived]
    # All the view's columns: each header is its column's label (ids of a named reference
    # get a suffix, the rest exactly).
    columns = view_columns(crm_data, kind)
    for name, header in zip(columns, header_labels(columns, kind, lang), strict=True):
        assert header.startswith(column_label(kind, name, lang)), (name, header)
        if name in DERIVED_LABELS:
            assert header == column_label(kind, name, lang)


def test_french_export_of_a_view(crm_data: ck.CRM, tmp_path: Path) -> None:
    data = crm_data.sql("SELECT name, revenue_band, owner, contact_count FROM accounts_v")
    result = export_table(data.arrow(), tmp_path / "a.csv", kind="accounts", lang="fr")
    assert result.headers == ("Société", "Tranche de CA", "Affecté à", "Nombre de contacts")


@pytest.mark.parametrize("lang", LANGS)
def test_widgets_show_the_column_labels(crm_data: ck.CRM, lang: str) -> None:
    from crmkit.widgets import AccountBrowser, ContactBrowser
    from crmkit.widgets._text import ui

    for kind in KINDS:
        for name in derived_columns(crm_data, kind):
            assert ui(f"col_{name}", lang) == column_label(kind, name, lang)
    assert ui("revenue_bands", lang) == column_label("accounts", "revenue_band", lang)
    assert ui("headcount_bands", lang) == column_label("accounts", "headcount_band", lang)
    assert ui("archived", lang) == column_label("accounts", "archived", lang)
    for kind, browser_class in (("contacts", ContactBrowser), ("accounts", AccountBrowser)):
        browser = browser_class(crm_data, lang=lang)
        for name in browser._columns:
            label = column_label(kind, name, lang)
            assert browser._label(name) == label
            # The label, then (but for the last column) the handle that resizes the column.
            cell = re.search(
                rf">{re.escape(html.escape(label))}(<span class=\"crmkit-col-resize\"|</th>)",
                browser.header.value,
            )
            assert cell is not None, label


def test_selection_html_shows_the_column_labels(crm_data: ck.CRM) -> None:
    from crmkit._api._selection import LIST_COLUMNS

    for kind in KINDS:
        for lang in LANGS:
            with ck.config_context(lang=lang, table_display="static"):
                page = getattr(crm_data, kind).filter()._repr_html_()
            for name in LIST_COLUMNS[kind]:
                assert f">{html.escape(column_label(kind, name, lang))}</th>" in page, name


def test_header_labels_take_the_one_table() -> None:
    names = ["last_name", "company", "revenue_band", "account_owner", "display_name"]
    for lang in LANGS:
        assert header_labels(names, "contacts", lang) == [
            column_label("contacts", name, lang) for name in names
        ]
    assert header_labels(["revenue_band"], "accounts", "fr") == ["Tranche de CA"]
