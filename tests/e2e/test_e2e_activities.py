"""The contact form's Notes & tasks tab and Timeline tab in a real browser (Voila +
Chromium), in French: a note and a task typed and added from the panel are stored on the
contact (read after Voila stops: the kernel holds DuckDB's lock while it lives), listed in
the panel, and shown by the Timeline tab.
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


@pytest.fixture
def crm_path(tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "crm.duckdb"
    with ck.open(path, user="Nicole Bertrand") as crm:
        crm.owners.add("Nicole Bertrand", email="nb@example.com")
        crm.owners.add("Marc Durand", email="md@example.com")
        aprool = crm.accounts.add(name="APROOL", sector="Software")
        cid = crm.contacts.add(
            first_name="Hélène",
            last_name="Blou",
            email="helene.blou@aprool.com",
            account_id=aprool,
            job_title="Chef de projet",
        )
    return path, cid


def test_note_and_task_added_from_the_panel_are_stored_and_in_the_timeline(
    crm_path: tuple[Path, int],
    notebook_path: Callable[..., Path],
    voila_server: Callable[[Path], Any],
    page: Any,
    tmp_path: Path,
    screenshot: Callable[..., Path],
) -> None:
    from playwright.sync_api import expect

    path, cid = crm_path
    notebook = notebook_path(
        "contact_activities_fr.ipynb",
        "import crmkit as ck\n"
        "from crmkit.widgets import ContactForm\n"
        f'crm = ck.open(r"{path}", user="Nicole Bertrand")\n'
        f'form = ContactForm(crm, lang="fr", record_id={cid})\n'
        "form",
    )
    server = voila_server(notebook)
    page.goto(server.url)
    form = page.locator(".crmkit-contact-form")
    panel = form.locator(".crmkit-activities")
    note = panel.locator(".crmkit-activity-note textarea")
    expect(note).to_be_visible(timeout=KERNEL_READY_MS)
    expect(note).to_be_enabled()

    note.fill("Rencontrée au salon de Lyon ; veut une démo")
    panel.locator(".crmkit-add-note").click()
    status = panel.locator(".crmkit-activities-status")
    # The first write of a fresh kernel builds what validation needs: slow on a busy machine.
    expect(status).to_contain_text(
        re.compile(r"Note \d+ ajoutée \(lot \d+\)"), timeout=KERNEL_READY_MS
    )
    expect(note).to_have_value("")

    panel.locator(".crmkit-activity-subject input").fill("Rappeler pour la démo")
    panel.locator(".crmkit-activity-type select").select_option(label="Appel")
    panel.locator(".crmkit-activity-due_date input").fill("09/12/2026")
    panel.locator(".crmkit-activity-due_time input").fill("14:30")
    panel.locator(".crmkit-activity-priority select").select_option(label="Haute")
    panel.locator(".crmkit-activity-owner select").select_option(label="Marc Durand")
    panel.locator(".crmkit-add-task").click()
    expect(status).to_contain_text(re.compile(r"Tâche \d+ ajoutée \(lot \d+\)"))
    listing = panel.locator(".crmkit-activities-list")
    expect(listing.locator(".crmkit-task-open")).to_contain_text("Rappeler pour la démo")
    expect(listing.locator(".crmkit-task-open")).to_contain_text("09/12/2026 14:30")
    expect(listing.locator(".crmkit-note")).to_contain_text("salon de Lyon")
    screenshot(page, ".crmkit-around", tmp_path, "activities.png")

    form.locator(".crmkit-around .lm-TabBar-tab", has_text="Historique").click()
    view = form.locator(".crmkit-timeline-view")
    expect(view).to_be_visible()
    expect(view).to_contain_text("note ajoutée : Rencontrée au salon de Lyon")
    expect(view).to_contain_text("tâche à échéance : Rappeler pour la démo")
    expect(view.locator("li")).to_have_count(3)  # created, the note, the task

    server.stop()
    with ck.open(path, read_only=True) as crm:
        frame = crm.contacts.activities(cid).df().set_index("kind")
        assert sorted(frame.index) == ["note", "task"]
        assert frame.loc["note", "body"] == "Rencontrée au salon de Lyon ; veut une démo"
        task = frame.loc["task"]
        assert task["subject"] == "Rappeler pour la démo"
        assert (task["task_type"], task["priority"], task["status"]) == ("call", "high", "open")
        assert task["due_at"] == dt.datetime(2026, 12, 9, 14, 30)
        assert task["owner"] == "Marc Durand"
        assert task["account"] == "APROOL"
        assert len(crm.contacts.timeline(cid, kinds=["note", "task"])) == 2
