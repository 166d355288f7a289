"""Two processes on one file in shared mode, one of them a notebook in a real browser.

A Voila notebook shows the contact browser on a CRM opened with ``shared=True``; while
its kernel lives, this test (another process) writes to the same file, and the browser
sees the new contact at its next refresh; the browser reassigns it, and this process reads
the change at once, without stopping the notebook: between operations, neither holds the
file (without ``shared=True`` the kernel would hold DuckDB's lock until it ends).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import crmkit as ck

pytestmark = pytest.mark.e2e

KERNEL_READY_MS = 60_000


def test_a_notebook_and_another_process_share_one_file(
    tmp_path: Path,
    notebook_path: Callable[..., Path],
    voila_server: Callable[[Path], Any],
    page: Any,
) -> None:
    from playwright.sync_api import expect

    path = tmp_path / "team.duckdb"
    with ck.open(path, user="Nicole Bertrand") as crm:
        crm.owners.add("Nicole Bertrand")
        crm.owners.add("Marc Durand")
        for name in ("Blou", "Martin", "Durand"):
            crm.contacts.add(last_name=name, owner="Nicole Bertrand")
    notebook = notebook_path(
        "shared.ipynb",
        "import crmkit as ck\n"
        "from crmkit.widgets import ContactBrowser\n"
        f'crm = ck.open(r"{path}", shared=True, user="Marc Durand")\n'
        'browser = ContactBrowser(crm, lang="en")\nbrowser',
    )
    server = voila_server(notebook)
    page.goto(server.url)
    browser = page.locator(".crmkit-contact-browser")
    count = browser.locator(".crmkit-count")
    expect(count).to_have_text("3 contacts", timeout=KERNEL_READY_MS)

    # The kernel holds no lock now: this process writes, while the notebook lives.
    with ck.open(path, shared=True, timeout=30, user="Nicole Bertrand") as other:
        new_id = other.contacts.add(last_name="Nouveau", owner="Nicole Bertrand")

    browser.locator(".crmkit-search input").fill("nouveau")  # a refresh: reads the file
    expect(count).to_have_text("1 contact")  # singular
    box = browser.locator(f".crmkit-row-select-{new_id} input")
    box.check()
    browser.locator(".crmkit-reassign-to").get_by_label("Marc Durand").check()
    browser.locator(".crmkit-action-reassign").click()
    expect(browser.locator("div.crmkit-bulk-report").first).to_contain_text("1")
    expect(browser.locator(".crmkit-table")).to_contain_text("Marc Durand")

    # Read at once, the notebook still running: the browser's change is committed.
    with ck.open(path, shared=True, read_only=True, timeout=30) as reader:
        assert reader.contacts.get(new_id).owner_id == reader.owners.resolve("Marc Durand")
        assert len(reader.contacts.all()) == 4
    assert server.process.poll() is None  # the notebook was never stopped
