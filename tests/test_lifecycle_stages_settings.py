"""A database's own lifecycle stages (``crm.settings.set_stages``): labels of the four
built-in stages in three languages, extra stages, and every path reading them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest

import crmkit as ck
from crmkit.schemas import LIFECYCLE_STAGES

STAGES: list[Any] = [
    "lead",
    "qualified",
    {"value": "trial", "en": "Trial", "fr": "Essai", "zh": "试用", "synonyms": ["pilot"]},
    {"value": "customer", "fr": "Compte client", "zh": "客户账户"},
    "former",
]


@pytest.fixture
def staged(crm: ck.CRM) -> ck.CRM:
    crm.settings.set_stages(STAGES)
    return crm


def test_labels_and_extra_stages_are_the_databases(staged: ck.CRM) -> None:
    stages = staged.settings.stages
    assert stages.values == ["lead", "qualified", "trial", "customer", "former"]
    assert stages.label("customer", "fr") == "Compte client"
    assert stages.label("customer", "zh") == "客户账户"
    assert stages.label("customer", "en") == "Customer"  # not given: the built-in label
    assert stages.label("trial", "fr") == "Essai" and stages.lookup("pilot") == "trial"
    assert stages.lookup("Piste") == "lead"  # built-in labels and synonyms stay
    field = staged.settings.catalog("contacts")["lifecycle_stage"]
    assert field.choices is not None and field.choices.values == stages.values
    assert LIFECYCLE_STAGES.values == ["lead", "qualified", "customer", "former"]


def test_add_update_and_filter_use_the_stages(staged: ck.CRM) -> None:
    cid = staged.contacts.add(last_name="Lee", lifecycle_stage="Essai")
    assert staged.contacts.get(cid).lifecycle_stage == "trial"
    other = staged.contacts.add(last_name="Roy", lifecycle_stage="lead")
    staged.contacts.update(other, lifecycle_stage="试用")
    assert staged.contacts.get(other).lifecycle_stage == "trial"
    found = staged.contacts.filter(lifecycle_stage="pilot")
    assert sorted(found.df()["id"]) == [cid, other]
    assert sorted(found.pl()["id"].to_list()) == [cid, other]
    with pytest.raises(ck.ValidationError, match="bogus"):
        staged.contacts.add(last_name="X", lifecycle_stage="bogus")
    with pytest.raises(ck.CRMKitError, match="bogus"):
        staged.contacts.filter(lifecycle_stage="bogus")
    assert len(staged.contacts) == 2


def test_an_extra_stage_is_refused_by_a_database_without_it(crm: ck.CRM) -> None:
    with pytest.raises(ck.ValidationError, match="trial"):
        crm.contacts.add(last_name="Lee", lifecycle_stage="trial")
    assert len(crm.contacts) == 0


def test_import_reads_the_stages(staged: ck.CRM, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    pd.DataFrame({"Nom": ["A", "B", "C"], "Étape": ["Essai", "Compte client", "zzz"]}).to_csv(
        path, index=False
    )
    report = staged.import_file(path, kind="contacts")
    assert report.inserted == 1 + 1 and len(report.rejected) == 1
    assert sorted(staged.contacts.df()["lifecycle_stage"]) == ["customer", "trial"]


def test_conversion_starts_from_leads_only_and_may_end_in_an_extra_stage(staged: ck.CRM) -> None:
    lead = staged.contacts.add(last_name="L", lifecycle_stage="lead", company_name="Foo")
    trial = staged.contacts.add(last_name="T", lifecycle_stage="trial", company_name="Foo")
    with pytest.raises(ck.ValidationError, match="trial"):
        staged.contacts.convert([trial])
    report = staged.contacts.convert([lead], stage="Essai")
    assert report.stage == "trial" and staged.contacts.get(lead).lifecycle_stage == "trial"


def test_the_form_offers_the_stages(staged: ck.CRM) -> None:
    pytest.importorskip("ipywidgets")
    from crmkit.widgets._inputs import build_input

    f = staged.settings.catalog("contacts")["lifecycle_stage"]
    options = [label for label, _ in build_input(staged, f, "fr").widget.options]
    assert options[1:] == ["Piste", "Qualifié", "Essai", "Compte client", "Ancien client"]


def test_stages_are_kept_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path) as crm:
        crm.settings.set_stages(STAGES)
    with ck.open(path) as crm:
        assert crm.settings.stages.label("trial", "zh") == "试用"
        crm.contacts.add(last_name="Lee", lifecycle_stage="trial")
        with pytest.raises(ck.ValidationError, match="trial"):
            crm.settings.reset_stages()  # a contact is still in trial
        assert crm.settings.stages.values[2] == "trial"


def test_reset_goes_back_to_the_built_in_stages(staged: ck.CRM) -> None:
    staged.settings.reset_stages()
    assert staged.settings.stages.values == LIFECYCLE_STAGES.values
    assert staged.settings.catalog("contacts")["lifecycle_stage"].choices is None


@pytest.mark.parametrize(
    ("stages", "words"),
    [
        (["lead", "customer"], "qualified, former"),
        ([*STAGES, "Trial"], "twice"),
        ([*STAGES, "x" * 21], "20 characters"),
        ([*STAGES, ""], "20 characters"),
        ([*STAGES, 3], "list of values"),
        ("lead", "list of values"),
        ([*STAGES, {"value": "won", "fr": 5}], "won"),
    ],
)
def test_bad_stage_lists_are_refused_and_nothing_stored(
    crm: ck.CRM, stages: Any, words: str
) -> None:
    with pytest.raises(ck.ValidationError, match=words):
        crm.settings.set_stages(stages)
    assert crm.settings.stages.values == LIFECYCLE_STAGES.values


def test_leaving_out_a_stage_in_use_is_refused(staged: ck.CRM) -> None:
    staged.contacts.add(last_name="Lee", lifecycle_stage="trial")
    staged.contacts.add(last_name="Roy", lifecycle_stage="trial")
    with pytest.raises(ck.ValidationError, match="'trial' is kept by 2 contacts"):
        staged.settings.set_stages(["lead", "qualified", "customer", "former"])
    assert "trial" in staged.settings.stages.values


def test_stage_errors_speak_french(crm: ck.CRM) -> None:
    with ck.config_context(lang="fr"), pytest.raises(ck.ValidationError, match="il manque"):
        crm.settings.set_stages(["lead"])


def test_polars_frames_show_the_stage(staged: ck.CRM) -> None:
    staged.contacts.add(last_name="Lee", lifecycle_stage="trial")
    assert staged.contacts.filter(lifecycle_stage="trial").pl().get_column(
        "lifecycle_stage"
    ).to_list() == ["trial"]
    assert isinstance(staged.contacts.df(), pd.DataFrame)
    assert isinstance(staged.contacts.pl(), pl.DataFrame)
