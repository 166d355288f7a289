"""Duplicate rules enforced on every path: add, add_many, clone, update, bulk edits,
imports (tables and vCards), never merges nor undo; each match mode, blanks, inactive."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import polars as pl
import pytest

import crmkit as ck


@pytest.fixture
def crm(tmp_path: Path) -> ck.CRM:
    with ck.open(tmp_path / "crm.duckdb", user="Nicole Bertrand") as db:
        db.contacts.add(
            first_name="Hélène",
            last_name="Blou",
            email="helene.blou@aprool.com",
            mobile="06 25 34 12 57",
        )
        yield db


def _count(crm: ck.CRM) -> int:
    return len(crm.contacts.df())


# -- add, add_many, clone -----------------------------------------------------------------


def test_block_on_add_names_rule_fields_and_match_and_writes_nothing(crm: ck.CRM) -> None:
    crm.settings.duplicate_rule("contacts", "same email", ["email"], on_create="block")
    batches = len(crm.batches())
    with pytest.raises(ck.DuplicateRecordError) as caught:
        crm.contacts.add(last_name="Other", email=" HELENE.Blou@aprool.com ")
    message = str(caught.value)
    assert "duplicate rule 'same email'" in message
    assert "contact 1 ('Hélène Blou')" in message
    assert "email = 'helene.blou@aprool.com'" in message
    assert _count(crm) == 1 and len(crm.batches()) == batches
    assert [a.match_id for a in caught.value.alerts] == [1]


def test_alert_on_add_saves_and_lists_the_match_then_undo(crm: ck.CRM) -> None:
    crm.settings.duplicate_rule("contacts", "same name", ["first_name", "last_name"])
    new = crm.contacts.add(first_name="HELENE", last_name="blou")
    [alert] = crm.last_alerts
    assert (alert.record_id, alert.match_id, alert.rule, alert.action) == (
        new,
        1,
        "same name",
        "alert",
    )
    assert alert.fields == ("first_name", "last_name") and alert.match_name == "Hélène Blou"
    assert f"new contact {new} matches contact 1" in str(alert)
    crm.undo(crm.last_batch_id)
    assert _count(crm) == 1
    assert crm.last_alerts == []  # undo is never checked
    crm.contacts.add(first_name="Zoé", last_name="Martin")
    assert crm.last_alerts == []


@pytest.mark.parametrize("frame", [pd.DataFrame, pl.DataFrame])
def test_add_many_matches_stored_records_and_each_other(crm: ck.CRM, frame: type) -> None:
    crm.settings.duplicate_rule("contacts", "same name", ["first_name", "last_name"])
    rows = frame(
        {"first_name": ["Marc", "marc", "Hélène"], "last_name": ["Durand", "DURAND", "Blou"]}
    )
    ids = crm.contacts.add_many(rows)
    pairs = sorted((a.record_id, a.match_id) for a in crm.last_alerts)
    assert pairs == sorted([(ids[0], ids[1]), (ids[1], ids[0]), (ids[2], 1)])
    crm.settings.duplicate_rule(
        "contacts", "same name", ["first_name", "last_name"], on_create="block"
    )
    with pytest.raises(ck.DuplicateRecordError):
        crm.contacts.add_many(
            [{"first_name": "Li", "last_name": "Wei"}, {"first_name": "li", "last_name": "wei"}]
        )
    assert _count(crm) == 4


def test_clone_is_a_create(crm: ck.CRM) -> None:
    crm.settings.duplicate_rule("contacts", "same mobile", ["mobile"], on_create="block")
    with pytest.raises(ck.DuplicateRecordError, match="mobile"):
        crm.contacts.clone(1, first_name="Marie", email="marie@aprool.com")
    crm.contacts.clone(1, mobile="06 00 00 00 01")
    assert _count(crm) == 2


# -- update, bulk edits -------------------------------------------------------------------


def test_update_checks_changed_rule_fields_only(crm: ck.CRM) -> None:
    other = crm.contacts.add(first_name="Marc", last_name="Durand")
    crm.settings.duplicate_rule(
        "contacts", "same email", ["email"], on_create="block", on_update="block"
    )
    with pytest.raises(ck.DuplicateRecordError, match=f"contact {other} matches contact 1"):
        crm.contacts.update(other, email="Helene.Blou@aprool.com")
    assert crm.contacts.get(other).email is None
    crm.settings.duplicate_rule("contacts", "same email", ["email"], on_update="alert")
    crm.contacts.update(other, email="helene.blou@aprool.com")
    assert [(a.record_id, a.match_id, a.event) for a in crm.last_alerts] == [(other, 1, "update")]
    crm.contacts.update(other, job_title="CTO")  # the email is not changed: nothing to say
    assert crm.last_alerts == []


def test_bulk_update_of_a_selection_is_checked(crm: ck.CRM) -> None:
    ids = crm.contacts.add_many([{"last_name": "Xavier"}, {"last_name": "Yann"}])
    crm.settings.duplicate_rule("contacts", "same mobile", ["mobile"], on_update="block")
    selection = crm.contacts.filter(search="Xavier")
    with pytest.raises(ck.DuplicateRecordError, match="same mobile"):
        selection.update(mobile="+33 6 25 34 12 57")
    assert crm.contacts.get(ids[0]).mobile is None
    report = crm.contacts.filter(search="Yann").update(mobile="06 11 11 11 11")
    assert report.changed == 1 and crm.last_alerts == []


def test_merge_is_never_blocked(crm: ck.CRM) -> None:
    crm.settings.duplicate_rule("contacts", "same name", ["last_name"], on_create="alert")
    twin = crm.contacts.add(first_name="H.", last_name="Blou")
    crm.settings.duplicate_rule(
        "contacts", "same name", ["last_name"], on_create="block", on_update="block"
    )
    crm.contacts.merge([1, twin])
    assert _count(crm) == 1 and crm.last_alerts == []


# -- match modes, blanks, inactive records ------------------------------------------------


def test_exact_folded_and_fuzzy(crm: ck.CRM) -> None:
    crm.settings.duplicate_rule("contacts", "r", ["last_name"], match="exact", on_create="block")
    crm.contacts.add(last_name="BLOU")  # exact: case counts
    with pytest.raises(ck.DuplicateRecordError):
        crm.contacts.add(last_name="Blou")
    crm.settings.duplicate_rule("contacts", "r", ["last_name"], match="folded", on_create="block")
    with pytest.raises(ck.DuplicateRecordError):
        crm.contacts.add(last_name="b-l.o ù")
    crm.contacts.add(last_name="Blouet")
    crm.settings.duplicate_rule(
        "contacts",
        "r",
        ["first_name", "last_name"],
        match="fuzzy",
        threshold=0.8,
        on_create="block",
    )
    with pytest.raises(ck.DuplicateRecordError):
        crm.contacts.add(first_name="Helen", last_name="Blou")
    crm.contacts.add(first_name="Hector", last_name="Blou")  # the first name is too far
    assert _count(crm) == 4


def test_phones_fold_to_their_digits(crm: ck.CRM) -> None:
    crm.settings.duplicate_rule("contacts", "phone", ["mobile"], on_create="block")
    with pytest.raises(ck.DuplicateRecordError):
        crm.contacts.add(last_name="X", mobile="+33 (0)6-25-34-12-57")


def test_ignore_blanks(crm: ck.CRM) -> None:
    crm.settings.duplicate_rule("contacts", "r", ["last_name", "job_title"], on_create="block")
    crm.contacts.add(last_name="Blou")  # blank job titles never match
    crm.settings.duplicate_rule(
        "contacts", "r", ["last_name", "job_title"], on_create="block", ignore_blanks=False
    )
    with pytest.raises(ck.DuplicateRecordError, match="job_title = blank"):
        crm.contacts.add(last_name="Blou")
    crm.settings.duplicate_rule(
        "contacts", "r", ["job_title"], on_create="block", ignore_blanks=False
    )
    crm.contacts.add(last_name="Y")  # all fields blank: never a duplicate


def test_exclude_inactive_and_reactivation(crm: ck.CRM) -> None:
    crm.contacts.update(1, active=False)
    crm.settings.duplicate_rule(
        "contacts", "email", ["email"], on_create="block", on_update="block"
    )
    new = crm.contacts.add(last_name="Blou", email="helene.blou@aprool.com")
    with pytest.raises(ck.DuplicateRecordError):
        crm.contacts.update(1, active=True)  # back among the candidates: checked
    crm.settings.duplicate_rule(
        "contacts", "email", ["email"], on_create="block", exclude_inactive=False
    )
    with pytest.raises(ck.DuplicateRecordError) as caught:
        crm.contacts.add(last_name="Z", email="helene.blou@aprool.com")
    assert sorted(a.match_id for a in caught.value.alerts) == [1, new]


def test_archived_accounts_and_disabled_rules(crm: ck.CRM) -> None:
    crm.accounts.add(name="APROOL", archived=True)
    crm.settings.duplicate_rule("accounts", "name", ["name"], on_create="block")
    crm.accounts.add(name="Aprool")
    with pytest.raises(ck.DuplicateRecordError, match="account"):
        crm.accounts.add(name="aprool ")
    crm.settings.enable_duplicate_rule("accounts", "name", False)
    crm.accounts.add(name="aprool")


# -- imports ------------------------------------------------------------------------------


def test_import_rejects_blocked_rows_and_reports_alerts(crm: ck.CRM, tmp_path: Path) -> None:
    crm.settings.duplicate_rule(
        "contacts", "name", ["first_name", "last_name"], on_create="alert", on_import="block"
    )
    crm.settings.duplicate_rule("contacts", "mobile", ["mobile"], on_import="alert")
    path = tmp_path / "in.csv"
    pd.DataFrame(
        {
            "first_name": ["helene", "Marc", "Zoé", "MARC"],
            "last_name": ["BLOU", "Durand", "Li", "du-rand"],
            "mobile": ["", "", "+33625341257", ""],
        }
    ).to_csv(path, index=False)
    report = crm.import_file(path, "contacts", progress=False)
    assert report.inserted == 2
    assert list(report.rejected["__line__"]) == [2, 5]  # the header is line 1
    reasons = list(report.rejected["__reasons__"])
    assert "matches contact 1 ('Hélène Blou') by duplicate rule 'name'" in reasons[0]
    assert "matches line 3 of this import" in reasons[1]
    alerts = report.duplicate_alerts
    assert alerts[["line", "rule", "match_id"]].to_dict("records") == [
        {"line": 4, "rule": "mobile", "match_id": 1}
    ]
    assert "duplicate rules: 1 alert ('mobile': 1)" in repr(report)
    assert len(crm.rejects(report.batch_id)) == 2
    crm.undo(report.batch_id)
    assert _count(crm) == 1


def test_import_updates_use_the_update_action(crm: ck.CRM) -> None:
    other = crm.contacts.add(first_name="Marc", last_name="Durand", email="marc@d.com")
    crm.settings.duplicate_rule("contacts", "name", ["first_name", "last_name"], on_update="block")
    frame = pd.DataFrame({"email": ["marc@d.com"], "first_name": ["Hélène"], "last_name": ["Blou"]})
    report = crm.import_frame(frame, "contacts", progress=False)
    assert report.updated == 0 and report.n_rejected == 1
    assert crm.contacts.get(other).first_name == "Marc"


def test_vcard_import_goes_through_the_rules(crm: ck.CRM, tmp_path: Path) -> None:
    path = tmp_path / "cards.vcf"
    ck.write_vcf([{"first_name": "Hélène", "last_name": "Blou", "email": "hb@other.com"}], path)
    crm.settings.duplicate_rule("contacts", "name", ["first_name", "last_name"], on_import="block")
    report = crm.import_file(path, "contacts", progress=False)
    assert report.inserted == 0 and report.n_rejected == 1


def test_a_big_import_matches_rows_of_earlier_chunks(crm: ck.CRM) -> None:
    crm.settings.duplicate_rule("contacts", "mobile", ["mobile"], on_import="alert")
    frame = pd.DataFrame(
        {"last_name": ["A", "B", "C"], "mobile": ["0611111111", "0622222222", "+33 6 11 11 11 11"]}
    )
    report = crm.import_frame(frame, "contacts", chunk_rows=1, progress=False)
    assert report.duplicate_alerts[["line", "match_id"]].to_dict("records") == [
        {"line": 3, "match_id": report.inserted_ids[0]}
    ]


def test_a_bulk_edit_reports_its_alerts(crm: ck.CRM) -> None:
    """Regression: the alerts of a bulk edit were only in ``crm.last_alerts``, not in the
    BulkReport the user holds."""
    other = crm.contacts.add(first_name="Marc", last_name="Durand")
    third = crm.contacts.add(first_name="Léa", last_name="Roy")
    crm.settings.duplicate_rule("contacts", "same email", ["email"], on_update="alert")
    report = crm.contacts.filter(ids=[other, third]).update(email="helene.blou@aprool.com")
    assert report.changed == 2
    # Each edited record matches the first one and the other edited one.
    assert sorted((a.record_id, a.match_id) for a in report.alerts) == [
        (other, 1),
        (other, third),
        (third, 1),
        (third, other),
    ]
    assert "duplicate alerts" in repr(report) and "duplicate alerts" in report._repr_html_()
    assert report.alerts == crm.last_alerts
    quiet = crm.contacts.filter(ids=[other]).update(job_title="CTO")
    assert quiet.alerts == [] and "duplicate alerts" not in repr(quiet)
