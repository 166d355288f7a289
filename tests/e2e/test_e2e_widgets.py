"""The widgets in a real browser: Voila renders a notebook, Chromium clicks through it.

Each test writes a DuckDB file and a notebook that opens it, starts Voila on that
notebook, drives the page with Playwright, then stops Voila and checks the database.

Why the database is read only after Voila stops: the kernel that runs the notebook holds
DuckDB's write lock on the file for as long as it lives, and DuckDB lets no other process
open a locked file, not even read-only. Stopping the server shuts its kernel down, which
closes the CRM and releases the lock; the test then opens the file read-only. (Having the
notebook open the CRM per operation would change the widgets under test; reading through
the kernel would test the kernel, not the file.)

With ``CRMKIT_SCREENSHOTS=1`` the screenshots are also copied to ``docs/images/`` (the
README shows them); otherwise they stay in the test's temporary directory.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import crmkit as ck
from crmkit.schemas._vocab import fold

pytestmark = pytest.mark.e2e

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
KERNEL_READY_MS = 60_000  # first render: server page + kernel start + imports + widgets


@pytest.fixture
def crm_path(tmp_path: Path) -> Path:
    """A CRM file with three owners, three accounts and six contacts, closed."""
    path = tmp_path / "crm.duckdb"
    with ck.open(path, user="Nicole Bertrand") as crm:
        crm.owners.add("Nicole Bertrand", email="nb@example.com", team="Paris")
        crm.owners.add("Marc Durand", email="md@example.com", team="Paris")
        crm.owners.add("Zoé Martin", email="zm@example.com")
        aprool = crm.accounts.add(
            name="APROOL", sector="Software", annual_revenue=4_200_000, employees=85
        )
        north = crm.accounts.add(
            name="Northwind Ltd", sector="Retail", annual_revenue=30_000_000, employees=250
        )
        people = [
            ("Hélène", "Blou", aprool, "Marc Durand", "Chef de projet", "06 25 34 12 57"),
            ("Marie", "Blanc", aprool, "Marc Durand", "DSI", "07 11 22 33 44"),
            ("Luc", "Bernard", aprool, "Nicole Bertrand", "Acheteur", None),
            ("John", "Smith", north, "Zoé Martin", "Buyer", "+44 7700 900123"),
            ("Paul", "Martin", north, "Marc Durand", "CFO", None),
            ("Li", "Wei", None, "Nicole Bertrand", None, "+86 139 1234 5678"),
        ]
        for first, last, account, owner, job, mobile in people:
            domain = {aprool: "aprool.com", north: "northwind.co.uk"}.get(account, "example.cn")
            crm.contacts.add(
                first_name=first,
                last_name=last,
                account_id=account,
                owner=owner,
                job_title=job,
                mobile=mobile,
                email=f"{fold(first)}.{fold(last)}@{domain}",
            )
    return path


def open_code(crm_path: Path, widget: str) -> str:
    return (
        "import crmkit as ck\n"
        f"from crmkit.widgets import {widget}\n"
        f'crm = ck.open(r"{crm_path}", user="Nicole Bertrand")\n'
    )


def test_contact_form_in_french_refuses_then_saves(
    crm_path: Path,
    notebook_path: Callable[..., Path],
    voila_server: Callable[[Path], Any],
    page: Any,
    page_blocked: list[str],
    tmp_path: Path,
    screenshot: Callable[..., Path],
) -> None:
    from playwright.sync_api import expect

    notebook = notebook_path(
        "contact_form.ipynb",
        open_code(crm_path, "ContactForm") + 'form = ContactForm(crm, lang="fr")\nform',
    )
    server = voila_server(notebook)
    page.goto(server.url)
    form = page.locator(".crmkit-contact-form")
    expect(form.locator(".crmkit-input-last_name input")).to_be_visible(timeout=KERNEL_READY_MS)
    expect(form.locator(".crmkit-label-last_name")).to_contain_text("Nom *")

    form.locator(".crmkit-input-first_name input").fill("Hélène")
    form.locator(".crmkit-input-email input").fill("helene.martin@aprool.com")
    form.locator(".crmkit-input-mobile input").fill("06 25 34 12 57")
    form.locator(".crmkit-input-job_title input").fill("Directrice des achats")
    form.locator(".crmkit-input-account_id input").fill("Nouvelle Société")
    expect(form.locator(".crmkit-error-account_id")).to_contain_text("Nouveau compte")
    form.locator(".crmkit-save").click()
    expect(form.locator(".crmkit-error-last_name")).to_have_text("Obligatoire")
    expect(form.locator(".crmkit-status")).to_contain_text("Non enregistré")

    form.locator(".crmkit-input-last_name input").fill("Martin")
    expect(form.locator(".crmkit-error-last_name")).to_have_text("")
    form.locator(".crmkit-save").click()
    status = form.locator(".crmkit-status")
    expect(status).to_contain_text(re.compile(r"Contact \d+ enregistré \(lot \d+\)"))
    saved = re.search(r"Contact (\d+) enregistré \(lot (\d+)\)", status.inner_text())
    assert saved is not None
    contact_id, batch_id = int(saved[1]), int(saved[2])
    # The form now shows the stored, normalised record.
    expect(form.locator(".crmkit-input-mobile input")).to_have_value("+33625341257")
    screenshot(page, ".crmkit-contact-form", tmp_path, "contact_form.png")

    server.stop()
    with ck.open(crm_path, read_only=True) as crm:
        contact = crm.contacts.get(contact_id)
        assert (contact.first_name, contact.last_name, contact.mobile, contact.email) == (
            "Hélène",
            "Martin",
            "+33625341257",
            "helene.martin@aprool.com",
        )
        assert crm.accounts.get(contact.account_id).name == "Nouvelle Société"
        assert crm.owners.get(contact.owner_id).name == "Nicole Bertrand"
        assert set(crm.history(batch_id=batch_id)["record_id"]) == {contact_id}
    # Nothing but Voila's own page template (a Font Awesome style sheet) asked the internet.
    assert all("fontawesome" in url for url in page_blocked), page_blocked


def test_contact_browser_filters_and_reassigns(
    crm_path: Path,
    notebook_path: Callable[..., Path],
    voila_server: Callable[[Path], Any],
    page: Any,
    tmp_path: Path,
    screenshot: Callable[..., Path],
) -> None:
    from playwright.sync_api import expect

    with ck.open(crm_path, read_only=True) as crm:
        marc_aprool = crm.contacts.filter(owner="Marc Durand", search="aprool").ids
        untouched = {i: crm.contacts.get(i).owner_id for i in crm.contacts.all().ids}
    assert len(marc_aprool) == 2
    notebook = notebook_path(
        "contact_browser.ipynb",
        open_code(crm_path, "ContactBrowser") + 'browser = ContactBrowser(crm, lang="fr")\nbrowser',
    )
    server = voila_server(notebook)
    page.goto(server.url)
    browser = page.locator(".crmkit-contact-browser")
    count = browser.locator(".crmkit-count")
    expect(count).to_have_text("6 contacts", timeout=KERNEL_READY_MS)

    owners = browser.locator(".crmkit-filter-owner select")
    owners.select_option(label="Marc Durand")
    expect(count).to_have_text("3 contacts")
    browser.locator(".crmkit-search input").fill("aprool")
    expect(count).to_have_text("2 contacts")
    owners.select_option([])  # every owner again: APROOL's three contacts
    expect(count).to_have_text("3 contacts")
    for record_id in marc_aprool:
        box = browser.locator(f".crmkit-row-select-{record_id} input")
        box.check()
        expect(box).to_be_checked()
    expect(browser.locator(".crmkit-selected-count")).to_contain_text("2 sélectionné")

    browser.locator(".crmkit-reassign-to select").select_option(label="Zoé Martin")
    browser.locator(".crmkit-action-reassign").click()
    report = browser.locator("div.crmkit-bulk-report").first
    expect(report).to_contain_text("reassign")
    expect(report).to_contain_text("2 changed")
    batch = re.search(r"batch (\d+)", report.inner_text())
    assert batch is not None
    expect(browser.locator(".crmkit-table")).to_contain_text("Zoé Martin")
    screenshot(page, ".crmkit-contact-browser", tmp_path, "contact_browser.png")

    server.stop()
    with ck.open(crm_path, read_only=True) as crm:
        zoe = crm.owners.resolve("Zoé Martin")
        after = {i: crm.contacts.get(i).owner_id for i in untouched}
        assert {after[i] for i in marc_aprool} == {zoe}
        assert {i: o for i, o in after.items() if i not in marc_aprool} == {
            i: o for i, o in untouched.items() if i not in marc_aprool
        }
        history = crm.history(batch_id=int(batch[1]))
        assert set(history["field"]) == {"owner_id"}
        assert sorted(history["record_id"]) == sorted(marc_aprool)
