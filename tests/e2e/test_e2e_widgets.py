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
    # One batch for the contact and its new account.
    saved_text = r"Contact (\d+) enregistré et compte \d+ créé \(lot (\d+)\)"
    expect(status).to_contain_text(re.compile(saved_text))
    saved = re.search(saved_text, status.inner_text())
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
        changed = crm.history(batch_id=batch_id)
        assert set(changed[changed["table"] == "contacts"]["record_id"]) == {contact_id}
        assert set(changed[changed["table"] == "accounts"]["record_id"]) == {contact.account_id}
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

    owners = browser.locator(".crmkit-filter-owner")
    owners.get_by_label("Marc Durand").check()  # a plain click, no Ctrl
    expect(count).to_have_text("3 contacts")
    owners.get_by_label("Zoé Martin").check()
    expect(count).to_have_text("4 contacts")
    picked = owners.locator(".crmkit-picked")
    expect(picked).to_contain_text("2 sélectionné(s) : Marc Durand, Zoé Martin")
    owners.get_by_label("Zoé Martin").uncheck()
    expect(picked).to_contain_text("1 sélectionné(s) : Marc Durand")
    browser.locator(".crmkit-search input").fill("aprool")
    expect(count).to_have_text("2 contacts")
    owners.locator(".crmkit-pick-clear").click()  # every owner again: APROOL's three contacts
    expect(count).to_have_text("3 contacts")
    expect(picked).to_have_text("Tous")
    for record_id in marc_aprool:
        box = browser.locator(f".crmkit-row-select-{record_id} input")
        box.check()
        expect(box).to_be_checked()
    expect(browser.locator(".crmkit-selected-count")).to_contain_text("2 sélectionné")

    browser.locator(".crmkit-reassign-to").get_by_label("Zoé Martin").check()
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


def test_contact_browser_sorts_names_as_read_and_shows_the_chosen_columns(
    tmp_path: Path,
    notebook_path: Callable[..., Path],
    voila_server: Callable[[Path], Any],
    page: Any,
) -> None:
    from playwright.sync_api import expect

    path = tmp_path / "names.duckdb"
    with ck.open(path, user="Nicole Bertrand") as crm:
        for name in ["MARTIN", "Barron", "Marrtin", "Barré", "martin"]:
            crm.contacts.add(last_name=name, email=f"{fold(name)}@example.com", city="Lyon")
    notebook = notebook_path(
        "names.ipynb",
        open_code(path, "ContactBrowser")
        + 'ck.set_config(lang="fr")\nbrowser = ContactBrowser(crm)\nbrowser',
    )
    server = voila_server(notebook)
    page.goto(server.url)
    browser = page.locator(".crmkit-contact-browser")
    expect(browser.locator(".crmkit-count")).to_have_text("5 contacts", timeout=KERNEL_READY_MS)
    rows = browser.locator(".crmkit-row")
    expected = ["Barré", "Barron", "Marrtin", "martin", "MARTIN"]  # accents, case: ties only
    for position, name in enumerate(expected):
        expect(rows.nth(position).locator("td").first).to_have_text(name)

    header = browser.locator(".crmkit-table th")
    expect(header).to_contain_text(["Nom", "E-mail"])
    browser.locator(".crmkit-columns").get_by_text("Colonnes").click()
    picker = browser.locator(".crmkit-column-picker")
    picker.get_by_label("Ville", exact=True).check()
    picker.get_by_label("E-mail", exact=True).uncheck()
    expect(browser.locator(".crmkit-table th", has_text="Ville")).to_have_count(1)
    expect(browser.locator(".crmkit-table th", has_text="E-mail")).to_have_count(0)
    expect(rows.first).to_contain_text("Lyon")
    browser.locator(".crmkit-search input").fill("mart")  # the choice stays
    expect(browser.locator(".crmkit-count")).to_have_text("2 contacts")
    expect(rows.first).to_contain_text("Lyon")
    expect(rows.first.locator("td").first).to_have_text("martin")
    server.stop()


def test_contact_browser_column_dragged_wider_stays_so_on_the_next_page(
    tmp_path: Path,
    notebook_path: Callable[..., Path],
    voila_server: Callable[[Path], Any],
    page: Any,
) -> None:
    from playwright.sync_api import expect

    path = tmp_path / "many.duckdb"
    with ck.open(path, user="Nicole Bertrand") as crm:
        for n in range(8):
            crm.contacts.add(last_name=f"Nom{n}", first_name="Anne", email=f"a{n}@example.com")
    notebook = notebook_path(
        "resize.ipynb",
        open_code(path, "ContactBrowser")
        + 'browser = ContactBrowser(crm, lang="fr", page_size=5)\nbrowser',
    )
    server = voila_server(notebook)
    page.goto(server.url)
    browser = page.locator(".crmkit-contact-browser")
    expect(browser.locator(".crmkit-count")).to_have_text("8 contacts", timeout=KERNEL_READY_MS)
    header = browser.locator(".crmkit-table th").first  # "Nom"
    first_cell = browser.locator(".crmkit-row").first.locator("td").first

    def width(locator: Any) -> float:
        # Releasing the mouse sends the widths to the kernel, which may draw the table
        # again: an element read at that moment is detached and has no box. Read the
        # element drawn in its place (the widths are the same: the kernel drew it with them).
        for _ in range(100):
            locator.wait_for(state="visible")
            box = locator.bounding_box()
            if box is not None:
                return float(box["width"])
            page.wait_for_timeout(50)
        raise AssertionError("the element never stood still long enough to be measured")

    before = width(header)
    assert abs(width(first_cell) - before) < 2  # rows line up with the header

    # Drag the edge between "Nom" and "Prénom" 60 px to the right, as a person would
    # ("Prénom" gives the room, down to 30 px).
    handle = header.locator(".crmkit-col-resize")
    handle.hover()  # waits until the handle stands still (the page has settled)
    edge = handle.bounding_box()
    assert edge is not None
    page.mouse.move(edge["x"] + edge["width"] / 2, edge["y"] + edge["height"] / 2)
    page.mouse.down()
    page.mouse.move(edge["x"] + edge["width"] / 2 + 60, edge["y"] + 5, steps=6)
    page.mouse.up()
    dragged = width(header)
    assert dragged == pytest.approx(before + 60, abs=3)
    assert abs(width(first_cell) - dragged) < 2  # every row followed the header

    # The next page is drawn by the kernel: with the widths it was sent on release.
    browser.locator(".crmkit-page-next").click()
    expect(browser.locator(".crmkit-page")).to_contain_text("Page 2 / 2")
    expect(browser.locator(".crmkit-row").first.locator("td").first).to_have_text("Nom5")
    assert width(header) == pytest.approx(dragged, abs=2)
    assert abs(width(first_cell) - dragged) < 2
    server.stop()


# -- a busy kernel: the index of a larger CRM, and a save clicked while typing -------------


@pytest.fixture
def larger_crm_path(tmp_path: Path) -> Path:
    """A CRM file of 2 000 generated contacts (200 accounts, 8 owners), closed.

    Big enough that the duplicate index takes a noticeable time to build; the tests hold
    the kernel or the index builder at a gate instead of relying on that time.
    """
    from crmkit.samples import generate

    data = generate(n_accounts=200, n_contacts=2000, seed=3)
    path = tmp_path / "larger.duckdb"
    with ck.open(path, user="Nicole Bertrand") as crm:
        crm.owners.add("Nicole Bertrand", email="nb@example.com", team="Paris")
        for owner in data.owners.to_dict("records"):
            crm.owners.add(owner["name"], email=owner["email"], team=owner["team"])
        crm.import_frame(
            data.contacts.drop(columns=["entity_id"]),
            "contacts",
            create_accounts=True,
            progress=False,
            mode="create",
        )
    return path


def test_save_clicked_on_a_busy_kernel_stores_everything_typed(
    larger_crm_path: Path,
    notebook_path: Callable[..., Path],
    voila_server: Callable[[Path], Any],
    gate: Callable[[], Any],
    page: Any,
) -> None:
    """Issue #11, item 8: Save clicked while the kernel is busy stored "S" for "Smith".

    The kernel is held on the first keystroke (as the duplicate index once held it for
    14 s): the browser keeps the rest of each field's typing until the kernel is idle for
    that field again, but sends the click at once. The save must still store everything
    typed, normalised, and say so.
    """
    from playwright.sync_api import expect

    busy = gate()
    notebook = notebook_path(
        "busy_form.ipynb",
        open_code(larger_crm_path, "ContactForm")
        + busy.definition
        + 'form = ContactForm(crm, lang="en")\n'
        + "last_name = form.inputs['last_name']\n"
        + "def hold(_change):\n"
        + "    last_name.unobserve(hold, 'value')  # the first keystroke only\n"
        + f"    wait_at_gate({busy.port})\n"
        + "last_name.observe(hold, 'value')\n"
        + "form",
    )
    server = voila_server(notebook)
    page.goto(server.url)
    form = page.locator(".crmkit-contact-form")
    expect(form.locator(".crmkit-input-last_name input")).to_be_visible(timeout=KERNEL_READY_MS)

    typed = {
        "last_name": "Martin-Dupuis",  # its first keystroke holds the kernel
        "first_name": "Hélène",
        "email": "helene.martin-dupuis@example.fr",
        "mobile": "06 25 34 12 57",
        "job_title": "Directrice des achats",
        "account_id": "Quillardet Dupuis",  # a new account (no close name): created on save
    }
    for key, text in typed.items():
        # Key by key, as a person types: one browser message per keystroke.
        form.locator(f".crmkit-input-{key} input").press_sequentially(text)
    form.locator(".crmkit-save").click()
    busy.release()  # the kernel goes on: keystrokes, the click, then the held edits

    status = form.locator(".crmkit-status")
    saved_text = re.compile(r"Saved contact (\d+) and created account \d+ \(batch (\d+)\)")
    expect(status).to_contain_text(saved_text)  # one batch for both
    expect(status).to_contain_text("Last name = 'Martin-Dupuis'")
    expect(status).to_contain_text("Mobile = '+33625341257'")
    expect(status).to_contain_text("Email = 'helene.martin-dupuis@example.fr'")
    saved = saved_text.search(status.inner_text())
    assert saved is not None
    contact_id, batch_id = int(saved[1]), int(saved[2])
    # The form shows the stored record: the mobile as stored, in E.164.
    expect(form.locator(".crmkit-input-mobile input")).to_have_value("+33625341257")
    expect(form.locator(".crmkit-input-last_name input")).to_have_value("Martin-Dupuis")

    server.stop()
    with ck.open(larger_crm_path, read_only=True) as crm:
        contact = crm.contacts.get(contact_id)
        stored = {
            "last_name": contact.last_name,
            "first_name": contact.first_name,
            "email": contact.email,
            "mobile": contact.mobile,
            "job_title": contact.job_title,
            "account_id": crm.accounts.get(contact.account_id).name,
        }
        assert stored == {**typed, "mobile": "+33625341257"}
        changed = crm.history(batch_id=batch_id)
        assert set(changed[changed["table"] == "contacts"]["record_id"]) == {contact_id}
        assert set(changed[changed["table"] == "accounts"]["record_id"]) == {contact.account_id}
        # One save, one contact: no earlier save of a partly typed one.
        assert len(crm.contacts.filter(search="Martin-Dupuis")) == 1


def test_keystrokes_do_not_wait_for_the_duplicate_index(
    larger_crm_path: Path,
    notebook_path: Callable[..., Path],
    voila_server: Callable[[Path], Any],
    gate: Callable[[], Any],
    page: Any,
) -> None:
    """The index of a larger CRM is built in the background from when the form opens.

    Its build is held at a gate: keystrokes are answered meanwhile (a field's message
    appears), the duplicate panel says the index is coming (in French), and once the
    build is let go the panel lists the duplicate of what was typed, with no further
    keystroke.
    """
    from playwright.sync_api import expect

    with ck.open(larger_crm_path, read_only=True) as crm:
        existing = (
            crm.sql(
                "SELECT id, first_name, last_name, email FROM contacts_v WHERE email IS NOT NULL "
                "AND first_name IS NOT NULL AND last_name IS NOT NULL ORDER BY id LIMIT 1"
            )
            .df()
            .iloc[0]
        )
    held = gate()
    notebook = notebook_path(
        "index_form.ipynb",
        open_code(larger_crm_path, "ContactForm")
        + held.definition
        + "from crmkit._ops._duplicates import INDEX_BUILDER\n"
        + f"INDEX_BUILDER.submit(wait_at_gate, {held.port})  # builds queue behind this\n"
        + 'form = ContactForm(crm, lang="fr")\n'
        + "form",
    )
    server = voila_server(notebook)
    page.goto(server.url)
    form = page.locator(".crmkit-contact-form")
    expect(form.locator(".crmkit-input-last_name input")).to_be_visible(timeout=KERNEL_READY_MS)

    form.locator(".crmkit-input-first_name input").press_sequentially(existing["first_name"])
    form.locator(".crmkit-input-last_name input").press_sequentially(existing["last_name"])
    panel = form.locator(".crmkit-duplicates")
    expect(panel).to_contain_text("indexation des fiches existantes en cours")
    form.locator(".crmkit-input-email input").press_sequentially("pas-une-adresse")
    expect(form.locator(".crmkit-error-email")).to_have_text("Adresse e-mail invalide")
    form.locator(".crmkit-input-email input").fill(existing["email"])
    expect(panel).to_contain_text("indexation des fiches existantes en cours")

    held.release()  # the build runs; the kernel refreshes the panel when it is done
    expect(form.locator(f".crmkit-duplicate-open-{int(existing['id'])}")).to_be_visible()
    expect(panel).not_to_contain_text("indexation")
    server.stop()
