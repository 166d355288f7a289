"""The interactive table in a real browser: Voila renders a notebook showing a selection.

The table is itables' DataTable, its JavaScript sent with the output (offline mode): the
page fixture refuses and lists every request that leaves 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

KERNEL_READY_MS = 60_000  # first render: server page + kernel start + imports

NOTEBOOK = """\
import crmkit as ck
crm = ck.open(user="Nicole Bertrand")
crm.owners.add("Nicole Bertrand", email="nb@example.com")
account = crm.accounts.add(name="APROOL", annual_revenue=7_074_600, currency="EUR")
for i in range(29):
    crm.contacts.add(first_name=f"Person {i:02d}", last_name=f"Name {i:02d}",
                     account_id=account, owner="Nicole Bertrand")
crm.contacts.add(first_name="Hélène", last_name="Blou", email="helene.blou@aprool.com")
crm.contacts.filter()
"""


def test_a_selection_sorts_by_value_pages_and_searches_offline(
    notebook_path: Callable[..., Path],
    voila_server: Callable[[Path], Any],
    page: Any,
    page_blocked: list[str],
    tmp_path: Path,
    screenshot: Callable[..., Path],
) -> None:
    from playwright.sync_api import expect

    server = voila_server(notebook_path("selection.ipynb", NOTEBOOK))
    page.goto(server.url)
    table = page.locator(".crmkit-selection table.dataTable")
    expect(table).to_be_visible(timeout=KERNEL_READY_MS)
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(20)  # one page of display_rows
    first_id = rows.first.locator("td").first
    expect(first_id).to_have_text("1")

    # Ids sort as numbers: descending starts at 30, not at "9".
    header = table.locator("thead th", has_text="Id")
    header.click()
    header.click()
    expect(first_id).to_have_text("30")

    # Names: the company shows, not an id; the search box filters the rows.
    expect(rows.first).to_contain_text("Blou")
    page.locator(".crmkit-selection .dt-search input").fill("helene.blou")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("helene.blou@aprool.com")
    # Names read left-aligned, numbers right-aligned, whatever the notebook's own CSS says.
    cells = rows.first.locator("td")
    align = "el => getComputedStyle(el).textAlign"
    assert cells.nth(0).evaluate(align) == "right"
    assert cells.nth(3).evaluate(align) == "left"
    screenshot(page, ".crmkit-selection", tmp_path, "table_selection.png")

    # Only Voila's own template asks for something remote (Font Awesome from a CDN).
    assert all("fontawesome" in url for url in page_blocked), page_blocked
