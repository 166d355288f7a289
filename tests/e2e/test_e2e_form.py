"""The contact form in a real browser (Voila + Chromium): what issue #15 saw an analyst
miss. The duplicate warning sits next to Save, in French; the French date field reads
jj/mm/aaaa; a partial account name offers the existing account; the contact and its
account are one batch.

The database is read after Voila stops (the kernel holds DuckDB's lock while it lives).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import crmkit as ck

pytestmark = pytest.mark.e2e

KERNEL_READY_MS = 60_000  # first render: server page + kernel start + imports + widgets
NEXT_TO_SAVE_PX = 60  # the warning's bottom edge is at most this far above Save's top


@pytest.fixture
def crm_path(tmp_path: Path) -> Path:
    path = tmp_path / "crm.duckdb"
    with ck.open(path, user="Nicole Bertrand") as crm:
        crm.owners.add("Nicole Bertrand", email="nb@example.com")
        crm.accounts.add(name="Calanette Import-Export SARL", sector="Retail")
        aprool = crm.accounts.add(name="APROOL", sector="Software")
        crm.contacts.add(
            first_name="Hélène",
            last_name="Blou",
            email="helene.blou@aprool.com",
            account_id=aprool,
        )
    return path


def open_form(
    crm_path: Path, notebook_path: Callable[..., Path], voila_server: Callable[[Path], Any]
) -> tuple[Any, str]:
    notebook = notebook_path(
        "contact_form_fr.ipynb",
        "import crmkit as ck\n"
        "from crmkit.widgets import ContactForm\n"
        f'crm = ck.open(r"{crm_path}", user="Nicole Bertrand")\n'
        'form = ContactForm(crm, lang="fr")\n'
        "form",
    )
    server = voila_server(notebook)
    return server, server.url


def test_duplicate_warning_next_to_save_date_in_french_and_account_offered(
    crm_path: Path,
    notebook_path: Callable[..., Path],
    voila_server: Callable[[Path], Any],
    page: Any,
    tmp_path: Path,
    screenshot: Callable[..., Path],
) -> None:
    from playwright.sync_api import expect

    server, url = open_form(crm_path, notebook_path, voila_server)
    page.goto(url)
    form = page.locator(".crmkit-contact-form")
    expect(form.locator(".crmkit-input-last_name input")).to_be_visible(timeout=KERNEL_READY_MS)

    # The date reads day first in a French form, whatever the browser's locale.
    birthday = form.locator(".crmkit-input-birthday input")
    expect(birthday).to_have_attribute("placeholder", "jj/mm/aaaa")
    birthday.fill("04/03/1980")

    # Countries by their French names.
    form.locator(".crmkit-input-country input").fill("Allemagne")

    # A partial account name offers the existing account instead of creating one.
    form.locator(".crmkit-input-account_id input").fill("Calanette")
    use = form.locator(".crmkit-choices-account_id .crmkit-choice-use-0")
    expect(use).to_have_text("Choisir « Calanette Import-Export SARL »")
    expect(form.locator(".crmkit-choices-account_id .crmkit-choice-create")).to_have_text(
        "Créer le compte « Calanette »"
    )
    use.click()
    expect(form.locator(".crmkit-input-account_id input")).to_have_value(
        "Calanette Import-Export SARL"
    )
    expect(form.locator(".crmkit-choices-account_id")).to_be_hidden()

    # A likely duplicate: the warning is in French, next to Save, its button whole.
    form.locator(".crmkit-input-first_name input").fill("Helene")
    form.locator(".crmkit-input-last_name input").fill("Blou")
    form.locator(".crmkit-input-email input").fill("helene.blou@aprool.com")
    panel = form.locator(".crmkit-duplicates")
    expect(panel).to_contain_text("Doublons possibles", timeout=KERNEL_READY_MS)
    expect(panel).to_contain_text("similitudes : E-mail identique")
    save = form.locator(".crmkit-save")
    panel_box, save_box = panel.bounding_box(), save.bounding_box()
    assert panel_box is not None and save_box is not None
    gap = save_box["y"] - (panel_box["y"] + panel_box["height"])
    assert 0 <= gap <= NEXT_TO_SAVE_PX, (panel_box, save_box)
    open_button = panel.locator("button").first
    expect(open_button).to_have_text("Ouvrir")
    assert open_button.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # not "O…"
    screenshot(page, ".crmkit-contact-form", tmp_path, "contact_form_duplicate.png")

    form.locator(".crmkit-input-last_name input").fill("Roux")
    form.locator(".crmkit-input-email input").fill("helene.roux@calanette.fr")
    save.click()
    status = form.locator(".crmkit-status")
    # The first save of a fresh kernel builds what validation and the panels below need:
    # on a busy 2-core machine that took longer than an expect's default (CI, 20 s).
    expect(status).to_contain_text(
        re.compile(r"Contact \d+ enregistré \(lot \d+\)"), timeout=KERNEL_READY_MS
    )
    saved = re.search(r"Contact (\d+) enregistré", status.inner_text())
    assert saved is not None

    server.stop()
    with ck.open(crm_path, read_only=True) as crm:
        contact = crm.contacts.get(int(saved[1]))
        assert contact.birthday == dt.date(1980, 3, 4)
        assert contact.country == "DE"
        assert contact.account_id == crm.accounts.find_id("Calanette Import-Export SARL")
        assert len(crm.accounts) == 2  # no second Calanette
