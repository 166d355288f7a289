"""The review widget of suggested fixes (crmkit.widgets._fixes_review), driven as an
analyst would: groups and rows ticked and unticked, filters, Apply, Undo. Messy values
are written straight into a real DuckDB file (``add`` would normalise them), and every
apply and undo is checked in the database, not on the screen alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import crmkit as ck
from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit.widgets import FixesReview

# Stored values as an old tool or a hand-edited file may have left them.
_MESSY: list[dict[str, Any]] = [
    {"first_name": "JEAN-PIERRE", "last_name": "DUPONT", "email": "JP.Dupont@APROOL.COM"},
    {"first_name": "marie", "last_name": "de la fontaine", "mobile": "06 25 34 12 57"},
    {"first_name": "Sean", "last_name": "O'BRIEN", "country": "France", "city": "  Paris "},
    {"first_name": "Ada", "last_name": "MCDONALD", "website": "WWW.Aprool.com/"},
]


def _write_raw(crm: ck.CRM, kind: str, record_id: int, values: dict[str, Any]) -> None:
    """Store ``values`` as given: straight SQL, past the normalisers."""
    sets = ", ".join(f"{name} = ?" for name in values)
    crm._session.con.execute(
        f"UPDATE {kind} SET {sets} WHERE id = ?", [*values.values(), record_id]
    )


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[ck.CRM]:
    """A CRM file with four contacts whose stored values are messy, and one account."""
    with ck.open(tmp_path / "crm.duckdb", user="Nicole Bertrand") as crm:
        for values in _MESSY:
            _write_raw(crm, "contacts", crm.contacts.add(last_name="x"), values)
        account = crm.accounts.add(name="Aprool")
        _write_raw(crm, "accounts", account, {"sector": "SOFTWARE", "billing_country": "allemagne"})
        yield crm


def _ids(crm: ck.CRM) -> list[int]:
    return [int(i) for i in crm.contacts.df().sort_values("id")["id"]]


def _click(review: FixesReview, name: str) -> None:
    review.buttons[name].click()


def test_groups_count_the_proposals_by_rule_and_field(crm: ck.CRM) -> None:
    review = FixesReview(crm, lang="en")
    groups = review.groups
    assert groups[["rule", "field", "count", "ticked"]].values.tolist() == [
        ["spaces", "city", 1, 1],
        ["phone", "mobile", 1, 1],
        ["email", "email", 1, 1],
        ["url", "website", 1, 1],
        ["country", "country", 1, 1],
        ["name_case", "last_name", 4, 4],
        ["name_case", "first_name", 2, 2],
    ]
    assert "Name case — Last name: 4" in groups["label"].tolist()
    # Every proposal starts ticked; the summary and the Apply button say how many.
    assert len(review.ticked) == 11
    assert review.buttons["apply"].description == "Apply ticked (11)"
    assert "11 proposed fixes on 4 contacts" in review.summary.value
    box = review.group_boxes[("name_case", "last_name")]
    assert box.value is True and box.description == "Name case — Last name: 4"


def test_a_group_unticked_is_not_applied(crm: ck.CRM) -> None:
    dupont = _ids(crm)[0]
    review = FixesReview(crm, lang="en")
    review.group_boxes[("name_case", "last_name")].value = False  # as a click does
    assert len(review.ticked) == 7 and "last_name" not in set(review.ticked["field"])
    _click(review, "apply")
    record = crm.contacts.get(dupont)
    assert record["last_name"] == "DUPONT"  # unticked: left as it is
    assert record["first_name"] == "Jean-Pierre"
    assert record["email"] == "JP.Dupont@aprool.com"
    # What was applied left the list; the unticked group stays, unticked.
    assert review.proposals[["field", "ticked"]].drop_duplicates().values.tolist() == [
        ["last_name", False]
    ]
    assert list(review.group_boxes) == [("name_case", "last_name")]
    assert review.report is not None and review.report.changed == 4
    assert "Applied 7 fixes to 4 contacts" in review.status.value
    assert review.report_view.value == review.report._repr_html_()  # the BulkReport shown


def test_single_rows_unticked_on_screen_stay(crm: ck.CRM) -> None:
    dupont, marie, *_ = _ids(crm)
    review = FixesReview(crm, lang="en", page_size=3)
    assert review.pages == 4
    first = review._rows[0]
    assert first.key == (dupont, "first_name")
    first.checkbox.value = False  # the reviewer unticks the row
    ticked = review.ticked
    assert (dupont, "first_name") not in set(zip(ticked["id"], ticked["field"], strict=True))
    group = review.group_boxes[("name_case", "first_name")]
    assert group.value is False and group.description == "Name case — First name: 2 (1 ticked)"
    review.untick(marie)  # every proposal of a record, scripted
    assert marie not in set(review.ticked["id"])
    review.apply()
    assert crm.contacts.get(dupont)["first_name"] == "JEAN-PIERRE"
    assert crm.contacts.get(dupont)["last_name"] == "Dupont"
    assert crm.contacts.get(marie)["mobile"] == "06 25 34 12 57"


def test_tick_by_rule_and_field_and_filters(crm: ck.CRM) -> None:
    review = FixesReview(crm, lang="en")
    review.untick()
    assert review.ticked.empty and review.buttons["apply"].disabled
    review.tick(rule="name_case", field="last_name")
    assert review.ticked[["field", "rule"]].drop_duplicates().values.tolist() == [
        ["last_name", "name_case"]
    ]
    review.filters["rule"].value = "phone"
    assert review.shown["field"].tolist() == ["mobile"]
    review.filters["rule"].value = ""
    review.filters["search"].value = "aprool"  # a current or proposed value, any case
    assert sorted(review.shown["field"]) == ["email", "website"]
    _click(review, "tick_shown")
    assert len(review.ticked) == 6
    review.filters["search"].value = "o'brien"  # a record's name
    assert review.shown["field"].tolist() == ["last_name", "city", "country"]
    review.filters["search"].value = "nothing like this"
    assert "No proposed fix matches the filters" in review.empty_note.value
    with pytest.raises(UnknownValueError, match="nome_case"):
        review.tick(rule="nome_case")
    with pytest.raises(UnknownValueError, match="lastname"):
        review.untick(field="lastname")


def test_apply_then_undo_restores_values_and_the_list(crm: ck.CRM) -> None:
    review = FixesReview(crm, lang="en")
    before = crm.contacts.df().sort_values("id").reset_index(drop=True)
    report = review.apply()
    assert report is not None and report.batch_id is not None
    assert review.proposals.empty and "No fixes to propose" in review.empty_note.value
    assert crm.contacts.suggest_fixes().df().empty
    assert set(crm.history(batch_id=report.batch_id)["operation"]) == {"fixes"}
    assert review.buttons["undo"].disabled is False
    _click(review, "undo")
    after = crm.contacts.df().sort_values("id").reset_index(drop=True)
    columns = ["first_name", "last_name", "email", "mobile", "city", "country", "website"]
    pd.testing.assert_frame_equal(after[columns], before[columns])
    assert len(review.proposals) == 11 and len(review.ticked) == 11
    assert f"Undid batch {report.batch_id}: 11 fixes back in the list" in review.status.value
    assert review.buttons["undo"].disabled is True
    review.undo()
    assert "Nothing to undo" in review.status.value


def test_a_value_changed_since_is_reported_not_forced(crm: ck.CRM) -> None:
    dupont = _ids(crm)[0]
    review = FixesReview(crm, lang="en")
    _write_raw(crm, "contacts", dupont, {"last_name": "DUPOND"})  # someone else edits it
    report = review.apply()
    assert report is not None
    assert crm.contacts.get(dupont)["last_name"] == "DUPOND"  # not forced
    assert review.stale[["id", "field", "current"]].values.tolist() == [
        [dupont, "last_name", "DUPONT"]
    ]
    assert "1 not applied: the stored value changed since it was proposed" in review.status.value
    assert "Applied 10 fixes" in review.status.value
    assert review.proposals.empty  # the stale proposal leaves the list too
    review.undo()  # undoes the 10 written; the stale one does not come back
    assert len(review.proposals) == 10
    assert crm.contacts.get(dupont)["last_name"] == "DUPOND"


def test_nothing_ticked_says_so_and_writes_nothing(crm: ck.CRM) -> None:
    review = FixesReview(crm, lang="en")
    review.untick()
    batches = len(crm.batches())
    assert review.apply() is None
    assert "Tick at least one proposed fix" in review.status.value
    assert len(crm.batches()) == batches


def test_french_and_chinese_labels(crm: ck.CRM) -> None:
    fr = FixesReview(crm, lang="fr")
    assert fr.group_boxes[("name_case", "last_name")].description == "Casse du nom — Nom : 4"
    assert fr.buttons["apply"].description == "Appliquer les cochées (11)"
    header = fr.table.children[0].children[1].value
    assert "Fiche" in header and "Valeur actuelle → Valeur proposée" in header
    assert "Casse du nom" in fr._rows[0].cells.value
    assert "Corrections proposées — contacts" in fr.title.value
    assert "11 corrections proposées sur 4 contacts · 11 cochée(s)" in fr.summary.value
    fr.untick(rule="name_case")
    fr.apply()
    assert "5 corrections appliquées à 4 contacts (lot " in fr.status.value
    zh = FixesReview(crm, lang="zh")
    assert zh.buttons["apply"].description == "应用已勾选（6）"  # 5 applied in French
    assert zh.group_boxes[("name_case", "last_name")].description == "姓名大小写 — 姓：4"
    assert "当前值 → 建议值" in zh.table.children[0].children[1].value
    zh.untick()
    zh.apply()
    assert zh.status.value.endswith("请至少勾选一项建议修正</span>")
    with ck.config_context(lang="fr"):  # no lang=: the configured language
        assert FixesReview(crm).buttons["undo"].description == "Annuler les corrections"


def test_accounts_and_a_fixes_object(crm: ck.CRM) -> None:
    fixes = crm.accounts.suggest_fixes()
    review = FixesReview(crm, fixes, lang="en")
    assert review.kind == "accounts" and "crmkit-fixes-review-accounts" in review._dom_classes
    assert review.proposals["record"].str.endswith("— Aprool").all()
    assert review.groups[["rule", "field"]].values.tolist() == [
        ["country", "billing_country"],
        ["vocabulary", "sector"],
    ]
    review.untick(field="sector")
    review.apply()
    account = crm.accounts.get(int(fixes.df()["id"].iloc[0]))
    assert account["billing_country"] == "DE" and account["sector"] == "SOFTWARE"
    assert FixesReview(crm, kind="accounts").kind == "accounts"
    with pytest.raises(ValidationError, match="accounts"):
        FixesReview(crm, fixes, kind="contacts")


def test_a_fixed_name_shows_as_it_is_now(crm: ck.CRM) -> None:
    dupont = _ids(crm)[0]
    review = FixesReview(crm, lang="en")
    review.untick(rule="email")
    review.apply()
    assert review.proposals["record"].tolist() == [f"{dupont} — Jean-Pierre Dupont"]


def test_bad_page_size_is_refused(crm: ck.CRM) -> None:
    with pytest.raises(ValidationError, match="page_size"):
        FixesReview(crm, page_size=0)


def test_an_inactive_record_is_fixed_not_called_stale(crm: ck.CRM) -> None:
    dupont = _ids(crm)[0]
    crm.contacts.deactivate(dupont)
    review = FixesReview(crm, lang="en")
    review.untick()
    review.tick(dupont)
    review.apply()
    assert crm.contacts.get(dupont)["last_name"] == "Dupont"
    assert review.stale.empty and "Applied 3 fixes to 1 contact (batch" in review.status.value


def test_an_undo_refused_says_why_and_can_be_tried_again(crm: ck.CRM) -> None:
    dupont = _ids(crm)[0]
    review = FixesReview(crm, lang="en")
    review.untick()
    review.tick(dupont, field="last_name")
    report = review.apply()
    assert report is not None
    crm.contacts.update(dupont, last_name="Dupond")  # a later batch changes the same field
    review.undo()
    assert "Failed:" in review.status.value and str(report.batch_id) in review.status.value
    assert crm.contacts.get(dupont)["last_name"] == "Dupond"
    assert review.buttons["undo"].disabled is False  # still offered: undo the edit first
    crm.undo(crm.last_batch_id)
    review.undo()
    assert crm.contacts.get(dupont)["last_name"] == "DUPONT"
    assert "Undid batch" in review.status.value
