"""The contact form under duplicate rules: a block shows the reason and saves nothing, an
alert saves and shows the matching record."""

from __future__ import annotations

from pathlib import Path

import crmkit as ck
from crmkit.widgets import ContactForm


def test_form_block_and_alert(tmp_path: Path) -> None:
    with ck.open(tmp_path / "crm.duckdb") as crm:
        first = crm.contacts.add(first_name="Hélène", last_name="Blou", mobile="0625341257")
        crm.settings.duplicate_rule("contacts", "mobile", ["mobile"], on_create="block")
        crm.settings.duplicate_rule("contacts", "name", ["last_name"], on_create="alert")
        form = ContactForm(crm)
        form.inputs["last_name"].value = "Martin"
        form.inputs["mobile"].value = "06 25 34 12 57"
        assert form.save() is None
        assert "duplicate rule &#x27;mobile&#x27;" in form.status.value or (
            "duplicate rule 'mobile'" in form.status.value
        )
        assert len(crm.contacts.df()) == 1
        form = ContactForm(crm, lang="fr")
        form.inputs["last_name"].value = "BLOU"
        saved = form.save()
        assert saved is not None and len(crm.contacts.df()) == 2
        assert "une règle de doublons correspond" in form.status.value
        assert f"matches contact {first}" in form.status.value
