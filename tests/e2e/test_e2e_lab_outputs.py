"""crmkit's HTML outputs in a real JupyterLab: every report and table renders, offline.

One notebook displays each kind of output an analyst meets (the CRM, a selection, a
record, an import report with rejected rows, history, a bulk edit's report, duplicate
pairs, a merge report, a summary, the list of imports, the data-quality report, the
proposed fixes and the spelling variants), then some in French and Chinese. JupyterLab runs
it in headless Chromium; the test checks that every cell ran without an error, that no
request left 127.0.0.1 (tables bring their scripts with them) and that the outputs say
what they should, and photographs each output. With ``CRMKIT_SCREENSHOTS=1`` the
pictures are copied to ``docs/images/`` (the README shows them).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e._lab import LabServer, run_notebook_in_lab

pytestmark = pytest.mark.e2e

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"

SETUP = f"""\
# output: setup
import shutil
from pathlib import Path
import pandas as pd
import crmkit as ck

samples = Path(r"{SAMPLES}")
crm = ck.open("crm.duckdb", user="Nicole Bertrand")
owners = pd.read_csv(samples / "owners.csv", dtype=str, keep_default_na=False)
for team in sorted({{t for t in owners["team"] if t}}):
    crm.owners.add(team, kind="team")
for row in owners.to_dict("records"):
    crm.owners.add(row["name"], email=row["email"] or None, team=row["team"] or None)
accounts_report = crm.import_file(samples / "accounts.csv", "accounts", progress=False)
# A file with rows that cannot go in: a missing last name, a bad e-mail, an unknown owner.
contacts = pd.read_csv(samples / "contacts.csv", dtype=str, keep_default_na=False)
rows = [{{"first_name": "Ana", "email": "ana@example.com"}},
        {{"first_name": "Bob", "last_name": "Stone", "email": "not-an-email"}}]
bad = Path("bad_contacts.csv")
pd.concat([contacts, pd.DataFrame(rows)]).fillna("").to_csv(bad, index=False)
import_report = crm.import_file(bad, "contacts", create_accounts=True, progress=False)
"""

OUTPUTS = {
    "crm": "crm",
    "selection": "crm.contacts.filter(country='FR').sort('last_name')",
    "record": "crm.contacts.get(crm.contacts.all().ids[0])",
    "import_report": "import_report",
    "history": "crm.batches()",
    "bulk_report": (
        "owner = crm.owners.names(active_only=True)[0]\n"
        "crm.contacts.filter(country='FR').limit(5).reassign(owner)"
    ),
    "duplicates": "report = crm.contacts.find_duplicates(progress=False)\nreport",
    "merge_report": "crm.contacts.merge(report.clusters[0])",
    "summary": "crm.accounts.summary(by='revenue_band')",
    "imports": "crm.imports()",
    "quality": "crm.quality('contacts', by='owner')",
    "fixes": "crm.contacts.suggest_fixes()",
    "variants": "crm.contacts.variants('job_title')",
}
IN_OTHER_LANGUAGES = {
    "selection_fr": "with ck.config_context(lang='fr'):\n"
    "    display(crm.contacts.filter(country='FR').sort('last_name'))",
    "import_report_zh": "with ck.config_context(lang='zh'):\n    display(import_report)",
    "quality_fr": "with ck.config_context(lang='fr'):\n    display(crm.quality('contacts'))",
}


def _cells() -> list[str]:
    cells = [SETUP]
    for name, code in {**OUTPUTS, **IN_OTHER_LANGUAGES}.items():
        cells.append(f"# output: {name}\n{code}")
    return cells


def _no_windowing(home: Path) -> None:
    """Render every cell (JupyterLab 4 keeps only the visible ones in the page)."""
    folder = home / "lab-settings" / "@jupyterlab" / "notebook-extension"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))


def test_every_output_renders_in_jupyterlab_offline(
    lab: Callable[[Path], LabServer],
    page: Any,
    page_blocked: list[str],
    tmp_path: Path,
    screenshot: Callable[..., Path],
) -> None:
    root = tmp_path / "work"
    root.mkdir()
    _no_windowing(tmp_path / "jupyter")
    server = run_notebook_in_lab(page, lab, root, "outputs.ipynb", *_cells())
    from playwright.sync_api import expect

    errors = page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
        " .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']"
    )
    tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
    assert tracebacks == [], [*tracebacks, server.log_tail()]

    # Each output area gets the id "crmkit-output-NAME" from its cell's first line.
    page.evaluate(
        """() => {
            for (const cell of document.querySelectorAll('.jp-CodeCell')) {
                const first = cell.querySelector('.cm-line');
                const match = first && first.textContent.match(/^# output: (\\w+)$/);
                const area = cell.querySelector('.jp-OutputArea');
                if (match && area) { area.id = 'crmkit-output-' + match[1]; }
            }
        }"""
    )

    def output(name: str) -> Any:
        return page.locator(f"#crmkit-output-{name}")

    texts = {name: output(name).inner_text() for name in {**OUTPUTS, **IN_OTHER_LANGUAGES}}
    assert "Nicole Bertrand" in texts["crm"] or "contacts" in texts["crm"].lower()
    assert "@" in texts["selection"]  # e-mail addresses are shown
    assert "317" in texts["import_report"]  # the rejected line (Ana, no last name)
    # One setting speaks French or Chinese: headers, the table's controls, the report.
    assert "Rechercher" in texts["selection_fr"] and "Prénom" in texts["selection_fr"]
    assert "被拒绝的行" in texts["import_report_zh"] and "搜索" in texts["import_report_zh"]
    # The data-quality outputs: the report, the proposed fixes, the spelling variants.
    assert "bad_contacts.csv" in texts["imports"]
    assert "Nicole Bertrand" in texts["quality"]  # broken down by owner
    assert "Dumont" in texts["fixes"] and "DUMONT" in texts["fixes"]
    assert "PRODUCT MANAGER" in texts["variants"] and "Product Manager" in texts["variants"]
    assert "Taux de remplissage" in texts["quality_fr"] or "remplissage" in texts["quality_fr"]
    # Tables sort: a click on the name header orders the rows by it.
    selection = output("selection")
    column = [
        h.strip() for h in selection.locator("table.dataTable thead th").all_inner_texts()
    ].index("Last name")

    def last_names() -> list[str]:
        cells = selection.locator(f"table.dataTable tbody tr td:nth-child({column + 1})")
        return [c.strip() for c in cells.all_inner_texts()]

    ascending = last_names()
    header = selection.locator("table.dataTable thead th").nth(column)
    header.click()
    expect(header).to_have_class(re.compile(r"\bdt-ordering-asc\b"))
    header.click()  # the selection came sorted ascending; twice is descending
    expect(header).to_have_class(re.compile(r"\bdt-ordering-desc\b"))
    descending = last_names()
    assert descending[0] != ascending[0]
    for name, text in texts.items():
        assert "NaN" not in text and "<NA>" not in text, (name, text[:500])
        assert "datetime.datetime(" not in text, (name, text[:500])
    assert page_blocked == []

    for name in {**OUTPUTS, **IN_OTHER_LANGUAGES}:
        output(name).scroll_into_view_if_needed()
        screenshot(page, f"#crmkit-output-{name}", tmp_path, f"output_{name}.png")
    assert all((tmp_path / f"output_{name}.png").stat().st_size > 0 for name in OUTPUTS)
    shutil.rmtree(root / ".ipynb_checkpoints", ignore_errors=True)
