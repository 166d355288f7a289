"""The duplicate review in a real browser: Voila renders it, Chromium merges a pair.

As in ``test_e2e_widgets.py``, the database is read only after Voila stops: the kernel
that runs the notebook holds DuckDB's write lock on the file for as long as it lives,
and DuckDB lets no other process open a locked file, not even read-only. Stopping the
server shuts the kernel down (closing the CRM); the test then opens the file read-only.

With ``CRMKIT_SCREENSHOTS=1`` the screenshot is also copied to ``docs/images/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import crmkit as ck

pytestmark = pytest.mark.e2e

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
KERNEL_READY_MS = 60_000  # first render: server page + kernel start + imports + widgets


@pytest.fixture
def crm_path(tmp_path: Path) -> Path:
    """A CRM file with two pairs of duplicate contacts among six, closed."""
    path = tmp_path / "crm.duckdb"
    with ck.open(path, user="Nicole Bertrand") as crm:
        crm.owners.add("Nicole Bertrand", email="nb@example.com")
        aprool = crm.accounts.add(name="APROOL", sector="Software", employees=85)
        people: list[dict[str, Any]] = [
            {
                "first_name": "Hélène",
                "last_name": "Blou",
                "email": "helene.blou@aprool.com",
                "account_id": aprool,
                "mobile": "06 25 34 12 57",
            },
            {
                "first_name": "Helene",
                "last_name": "BLOU",
                "email": "helene.blou@aprool.com",
                "job_title": "Chef de projet",
                "city": "Paris",
            },
            {
                "first_name": "Marc",
                "last_name": "Durand",
                "email": "marc.durand@example.com",
                "phone": "01 23 45 67 89",
            },
            {
                "first_name": "Marc",
                "last_name": "Durand",
                "email": "mdurand@example.com",
                "phone": "01 23 45 67 89",
            },
            {"first_name": "John", "last_name": "Smith", "email": "john.smith@northwind.co.uk"},
            {"first_name": "Li", "last_name": "Wei", "email": "li.wei@example.cn"},
        ]
        for person in people:
            crm.contacts.add(**person)
    return path


def test_duplicate_review_in_french_merges_a_pair(
    crm_path: Path,
    notebook_path: Callable[..., Path],
    voila_server: Callable[[Path], Any],
    page: Any,
    page_blocked: list[str],
    tmp_path: Path,
    screenshot: Callable[..., Path],
) -> None:
    from playwright.sync_api import expect

    with ck.open(crm_path, read_only=True) as crm:
        before = len(crm.contacts)
    notebook = notebook_path(
        "duplicate_review.ipynb",
        "import crmkit as ck\n"
        "from crmkit.widgets import DuplicateReview\n"
        f'crm = ck.open(r"{crm_path}", user="Nicole Bertrand")\n'
        "report = crm.contacts.find_duplicates()\n"
        'review = DuplicateReview(crm, report, lang="fr")\n'
        "review",
    )
    server = voila_server(notebook)
    page.goto(server.url)
    review = page.locator(".crmkit-review")
    merge = review.locator(".crmkit-review-merge")
    expect(merge).to_be_visible(timeout=KERNEL_READY_MS)
    expect(merge).to_have_text("Identiques : fusionner")  # "Same" says that it merges
    expect(review.locator(".crmkit-review-position")).to_have_text("Paire 1 sur 2")
    pair = review.locator(".crmkit-review-pair")
    expect(pair.locator("th.crmkit-review-left")).to_contain_text(re.compile(r"Contact \d+"))
    expect(pair.locator("tr.crmkit-review-differs").first).to_be_visible()
    expect(review.locator(".crmkit-review-explanation")).to_contain_text("Pourquoi")
    left = int(re.findall(r"\d+", pair.locator("th.crmkit-review-left").inner_text())[0])
    right = int(re.findall(r"\d+", pair.locator("th.crmkit-review-right").inner_text())[0])

    review.locator(".crmkit-review-rule select").select_option(label="La plus complète")
    review.locator(".crmkit-review-survivor").get_by_text(f"Gauche ({left})").click()
    screenshot(page, ".crmkit-review", tmp_path, "duplicate_review.png")
    merge.click()
    status = review.locator(".crmkit-review-status")
    expect(status).to_contain_text(f"{right} fusionné dans {left}")
    report = review.locator("div.crmkit-review-merge-report")
    expect(report).to_contain_text("1 fusion(s) : 1 fiche(s) absorbée(s)")  # in French
    expect(review.locator(".crmkit-review-position")).to_have_text("Paire 2 sur 2")
    expect(review.locator(".crmkit-review-undo")).to_be_enabled()
    batch = re.search(r"lot (\d+)", status.inner_text())
    assert batch is not None

    server.stop()
    with ck.open(crm_path, read_only=True) as crm:
        merged = crm.sql("SELECT id, merged_into FROM contacts WHERE merged_into IS NOT NULL").df()
        assert merged.values.tolist() == [[right, left]]
        assert len(crm.contacts) == before - 1
        # Whichever pair the review showed first, the survivor now holds the other's
        # values: a blank field filled from it, its other email address kept.
        kept, gone = crm.contacts.get(left), crm.contacts.get(right)
        for name in ("job_title", "city", "mobile", "phone"):
            if gone[name] is not None:
                assert kept[name] is not None, name
        assert gone["email"] in (kept["email"], kept["secondary_email"])
        history = crm.history(batch_id=int(batch[1]))
        assert set(history["operation"]) == {"merge"}
    assert all("fontawesome" in url for url in page_blocked), page_blocked


def test_review_filters_by_probability_and_merges_all_above_in_one_batch(
    crm_path: Path,
    notebook_path: Callable[..., Path],
    voila_server: Callable[[Path], Any],
    page: Any,
    tmp_path: Path,
    screenshot: Callable[..., Path],
) -> None:
    from playwright.sync_api import expect

    with ck.open(crm_path, read_only=True) as crm:
        before = len(crm.contacts)
    notebook = notebook_path(
        "duplicate_review_bulk.ipynb",
        "import crmkit as ck\n"
        "from crmkit.widgets import DuplicateReview\n"
        f'crm = ck.open(r"{crm_path}", user="Nicole Bertrand")\n'
        "ck.set_config(lang='fr')\n"
        "review = DuplicateReview(crm, crm.contacts.find_duplicates(), audit_every=0)\n"
        "review",
    )
    server = voila_server(notebook)
    page.goto(server.url)
    review = page.locator(".crmkit-review")
    accept = review.locator(".crmkit-review-accept-all")
    expect(accept).to_be_visible(timeout=KERNEL_READY_MS)
    expect(accept).to_contain_text("Fusionner les 2 paires")  # the language of set_config
    # The explanation's words are whole: no cell is narrower than its longest word.
    for cell in review.locator(
        ".crmkit-review-explanation th, .crmkit-review-explanation td"
    ).all():
        assert cell.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), cell.inner_text()
    expect(review.locator(".crmkit-review-threshold")).to_be_visible()
    # Type the threshold in the slider's readout, as a user can.
    readout = review.locator(".crmkit-review-threshold .widget-readout")
    readout.click()
    readout.press("Control+a")
    readout.type("1")
    readout.press("Enter")
    expect(review.locator(".crmkit-review-above")).to_contain_text("0 paires à 100,0")
    readout.click()
    readout.press("Control+a")
    readout.type("0.5")
    readout.press("Enter")
    expect(review.locator(".crmkit-review-above")).to_contain_text("2 paires à 50,0")
    screenshot(page, ".crmkit-review", tmp_path, "duplicate_review_bulk.png")
    accept.click()
    status = review.locator(".crmkit-review-status")
    expect(status).to_contain_text(re.compile(r"2 groupes de fiches fusionnés \(lot \d+\)"))
    batch = re.search(r"lot (\d+)", status.inner_text())
    assert batch is not None
    expect(review.locator(".crmkit-review-position")).to_contain_text("traitées")

    server.stop()
    with ck.open(crm_path, read_only=True) as crm:
        assert len(crm.contacts) == before - 2
        merged = crm.sql("SELECT count(*) FROM contacts WHERE merged_into IS NOT NULL")
        assert merged.fetchall() == [(2,)]
        assert set(crm.history(batch_id=int(batch[1]))["batch_id"]) == {int(batch[1])}
        assert len(crm.batches()[lambda b: b["operation"].str.contains("merge")]) == 1
