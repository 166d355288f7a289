"""The review of suggested fixes in a real JupyterLab: Chromium unticks a group and a row,
applies the rest as one batch, and the database holds exactly what was ticked.

The database is read only after JupyterLab stops: the kernel holds DuckDB's write lock
on the file for as long as it lives. With ``CRMKIT_SCREENSHOTS=1`` the screenshot
(``fixes_review.png``) is also copied to ``docs/images/`` (the README shows it).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import crmkit as ck
from tests.e2e._lab import LabServer, run_notebook_in_lab

pytestmark = pytest.mark.e2e

# Stored values as an old tool may have left them (add would normalise them).
_MESSY: list[dict[str, Any]] = [
    {"first_name": "JEAN-PIERRE", "last_name": "DUPONT", "email": "JP.Dupont@APROOL.COM"},
    {"first_name": "marie", "last_name": "de la fontaine", "mobile": "06 25 34 12 57"},
    {"first_name": "Sean", "last_name": "O'BRIEN", "country": "France", "city": "  Paris "},
    {"first_name": "Ada", "last_name": "MCDONALD", "website": "WWW.Aprool.com/"},
    {"first_name": "Léa", "last_name": "MARTIN", "job_title": "Directrice  commerciale"},
    {"first_name": "Li", "last_name": "Wei", "mobile": "020 7946 0958", "country": "GB"},
    {"first_name": "HÉLÈNE", "last_name": "BLOU", "email": "Helene.Blou@Aprool.com"},
]


@pytest.fixture
def crm_path(tmp_path: Path) -> Path:
    """A CRM file whose contacts hold messy values, closed."""
    root = tmp_path / "work"
    root.mkdir()
    path = root / "crm.duckdb"
    with ck.open(path, user="Nicole Bertrand") as crm:
        for values in _MESSY:
            record = crm.contacts.add(last_name="x")
            sets = ", ".join(f"{name} = ?" for name in values)
            crm._session.con.execute(
                f"UPDATE contacts SET {sets} WHERE id = ?", [*values.values(), record]
            )
    return path


def test_fixes_review_applies_what_is_ticked_in_jupyterlab(
    crm_path: Path,
    lab: Callable[[Path], LabServer],
    page: Any,
    page_blocked: list[str],
    tmp_path: Path,
    screenshot: Callable[..., Path],
) -> None:
    from playwright.sync_api import expect

    root = crm_path.parent
    with ck.open(crm_path, read_only=True) as crm:
        before = crm.contacts.df().set_index("id")
        fixes = crm.contacts.suggest_fixes().df()
    dupont = int(before.index[before["last_name"] == "DUPONT"][0])
    server = run_notebook_in_lab(
        page,
        lab,
        root,
        "fixes.ipynb",
        "import crmkit as ck\n"
        "from crmkit.widgets import FixesReview\n"
        'crm = ck.open("crm.duckdb", user="Nicole Bertrand")\n'
        'review = FixesReview(crm, lang="en", page_size=10)\n'
        "review",
    )
    review = page.locator(".crmkit-fixes-review")
    expect(review).to_be_visible()
    total = len(fixes)
    apply = review.locator(".crmkit-fixes-apply")
    expect(apply).to_have_text(f"Apply ticked ({total})")
    phones = review.locator(".crmkit-fixes-group-phone-mobile")
    expect(phones).to_contain_text("Phone format — Mobile: 2")
    expect(review.locator(".crmkit-fixes-row").first).to_contain_text("JEAN-PIERRE")
    expect(review.locator(".crmkit-fixes-page")).to_have_text(
        re.compile(rf"Page 1 / {-(-total // 10)}")
    )
    screenshot(page, ".crmkit-fixes-review", tmp_path, "fixes_review.png")

    # Untick a whole group, and one row found by the search.
    phones.locator("input[type=checkbox]").uncheck()
    expect(apply).to_have_text(f"Apply ticked ({total - 2})")
    review.locator(".crmkit-fixes-search input").fill("dupont")
    shown = review.locator(".crmkit-fixes-shown")
    expect(shown).to_have_text("3 shown")  # first and last names, and the e-mail
    review.locator(f".crmkit-fixes-tick-{dupont}-last_name input").uncheck()
    expect(apply).to_have_text(f"Apply ticked ({total - 3})")
    apply.click()
    status = review.locator(".crmkit-fixes-status")
    expect(status).to_contain_text(f"Applied {total - 3} fixes")
    expect(review.locator("div.crmkit-bulk-report").last).to_contain_text(
        "fixes on 6 contacts: 6 changed, 0 skipped (batch "
    )
    expect(review.locator(".crmkit-fixes-undo")).to_be_enabled()
    # What was applied left the list: the unticked ones stay, unticked.
    review.locator(".crmkit-fixes-search input").fill("")
    expect(review.locator(".crmkit-fixes-summary")).to_contain_text("3 proposed fixes")
    batch = re.search(r"batch (\d+)", status.inner_text())
    assert batch is not None

    server.stop()
    with ck.open(crm_path, read_only=True) as crm:
        after = crm.contacts.df().set_index("id")
        assert after.loc[dupont, "last_name"] == "DUPONT"  # unticked row
        assert after.loc[dupont, "first_name"] == "Jean-Pierre"
        assert after["mobile"].dropna().tolist() == before["mobile"].dropna().tolist()
        left = crm.contacts.suggest_fixes().df()
        assert sorted(left["field"]) == ["last_name", "mobile", "mobile"]
        history = crm.history(batch_id=int(batch[1]))
        assert set(history["operation"]) == {"fixes"}
    assert page_blocked == []
    shutil.rmtree(root / ".ipynb_checkpoints", ignore_errors=True)
