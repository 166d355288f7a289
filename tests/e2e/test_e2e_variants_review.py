"""The spelling variants review in a real JupyterLab: Chromium ticks, clicks and merges.

JupyterLab runs a one-cell notebook that shows ``VariantsReview`` over a CRM file whose
job titles are spelt several ways. The browser ticks a cluster, clicks a variant to make
it the new value of another, merges, then asks for another method. As in
``test_e2e_review.py``, the file is read only once the server (and so the kernel that
holds DuckDB's lock) has stopped.

With ``CRMKIT_SCREENSHOTS=1`` the picture is also copied to ``docs/images/`` (the
README's variants section shows it).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import crmkit as ck
from tests.e2e._lab import LabServer, run_notebook_in_lab

pytestmark = pytest.mark.e2e

TITLES = {
    "Directeur commercial": 12,
    "directeur Commercial": 3,
    "DIRECTEUR COMMERCIAL": 2,
    "Chef de projet": 8,
    "Chef de Projet": 2,
    "chef de projet": 1,
    "Responsable marketing": 5,
    "Responsable Marketing": 1,
    "Comptable": 4,
    "Comptble": 1,
}


def _crm_file(path: Path) -> None:
    with ck.open(path, user="Nicole Bertrand") as crm:
        number = 0
        for title, count in TITLES.items():
            for _ in range(count):
                crm.contacts.add(last_name=f"Blou {number}", job_title=title)
                number += 1


def test_variants_review_merges_ticked_clusters_in_jupyterlab(
    lab: Callable[[Path], LabServer],
    page: Any,
    page_blocked: list[str],
    tmp_path: Path,
    screenshot: Callable[..., Path],
) -> None:
    from playwright.sync_api import expect

    root = tmp_path / "work"
    root.mkdir()
    crm_path = root / "crm.duckdb"
    _crm_file(crm_path)
    server = run_notebook_in_lab(
        page,
        lab,
        root,
        "variants.ipynb",
        "import crmkit as ck\n"
        "from crmkit.widgets import VariantsReview\n"
        f'crm = ck.open(r"{crm_path}", user="Nicole Bertrand")\n'
        'review = VariantsReview(crm, "contacts", "job_title", lang="en")\n'
        "review",
    )

    review = page.locator(".crmkit-variants-review")
    expect(review).to_be_visible()
    rows = review.locator(".crmkit-variants-row")
    expect(rows).to_have_count(3)
    expect(review.locator(".crmkit-variants-summary")).to_have_text(
        "3 clusters: 8 values, 34 records"
    )
    first, second = rows.nth(0), rows.nth(1)
    expect(first.locator(".crmkit-variants-value")).to_have_count(3)
    expect(first.locator(".crmkit-variants-value").first).to_have_text(
        "Directeur\u00a0commercial (12)"
    )
    expect(first.locator(".crmkit-variants-found-by")).to_have_text("Fingerprint")
    expect(first.locator(".crmkit-variants-new-value input")).to_have_value("Directeur commercial")

    # Tick the first cluster; make a variant the new value of the second by clicking it.
    first.locator(".crmkit-variants-tick input").check()
    variant = re.compile(r"^Chef\sde\sProjet \(2\)$")  # case kept, spaces not broken
    second.locator(".crmkit-variants-value", has_text=variant).click()
    expect(second.locator(".crmkit-variants-new-value input")).to_have_value("Chef de Projet")
    expect(second.locator(".crmkit-variants-tick input")).to_be_checked()  # clicking ticks
    expect(review.locator(".crmkit-variants-ticked")).to_have_text("2 clusters ticked")
    screenshot(page, ".crmkit-variants-review", tmp_path, "variants_review.png")

    review.locator(".crmkit-variants-merge").click()
    status = review.locator(".crmkit-variants-status")
    expect(status).to_contain_text(
        re.compile(r"Merged 2 clusters: 14 records changed \(batch \d+\)")
    )
    batch = re.search(r"batch (\d+)", status.inner_text())
    assert batch is not None
    expect(review.locator(".crmkit-variants-report")).to_contain_text("14")
    expect(rows).to_have_count(1)  # merged clusters leave the list
    expect(rows.first).to_contain_text("Responsable")
    expect(review.locator(".crmkit-variants-undo")).to_be_enabled()

    # Another method clusters again: edit distance finds "Comptble".
    review.locator(".crmkit-variants-method select").select_option(
        label="Nearest neighbour (edit distance)"
    )
    expect(rows.filter(has_text="Comptble")).to_have_count(1)
    expect(rows.first.locator(".crmkit-variants-found-by")).to_have_text(
        "Nearest neighbour (edit distance)"
    )

    server.stop()
    with ck.open(crm_path, read_only=True) as crm:
        titles = Counter(crm.contacts.df()["job_title"])
        assert titles["Directeur commercial"] == 17
        assert titles["Chef de Projet"] == 11
        assert titles["Responsable Marketing"] == 1  # not ticked, not merged
        history = crm.history(batch_id=int(batch[1]))
        assert set(history["operation"]) == {"variants"} and len(history) == 14
    assert page_blocked == []
