"""Retention rules: defined, stored, listed and removed per database; bad rules refused;
a dry run lists what each rule touches; applying is one batch (archive undoable).

Time is moved by writing ``created_at`` / ``updated_at`` (and activity dates) directly
in the test database, as the quality trend tests do.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import crmkit as ck
from crmkit._normalize._durations import parse_duration

OLD = "2020-01-01"


def _age(crm: ck.CRM, kind: str, ids: list[int], when: str = OLD) -> None:
    """Make records look last changed (and created) on ``when``."""
    crm.connection.execute(
        f"UPDATE {kind} SET created_at = CAST(? AS TIMESTAMP), updated_at = CAST(? AS TIMESTAMP) "
        "WHERE id IN (SELECT unnest(?::BIGINT[]))",
        [when, when, ids],
    )


# -- durations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "months", "days"),
    [
        ("36 months", 36, 0),
        ("3 years", 36, 0),
        ("90 days", 0, 90),
        ("36 mois", 36, 0),
        ("3 ans", 36, 0),
        ("90 jours", 0, 90),
        ("2 weeks", 0, 14),
        ("6个月", 6, 0),
        ("1 year", 12, 0),
    ],
)
def test_durations_are_read_in_english_french_and_chinese(
    text: str, months: int, days: int
) -> None:
    duration = parse_duration(text)
    assert (duration.months, duration.days) == (months, days)


@given(st.integers(1, 2000))
def test_a_duration_in_years_is_twelve_times_the_months(n: int) -> None:
    assert parse_duration(f"{n} years").months == parse_duration(f"{n * 12} mois").months


def test_months_go_back_on_the_calendar() -> None:
    assert parse_duration("1 month").before(datetime(2026, 3, 31)) == datetime(2026, 2, 28)
    assert parse_duration("3 years").before(datetime(2026, 12, 7)) == datetime(2023, 12, 7)
    assert parse_duration("90 days").before(datetime(2026, 4, 1)) == datetime(2026, 1, 1)


@pytest.mark.parametrize(
    "text", ["soon", "36", "months", "-3 months", "0 days", "3 fortnights", 36]
)
def test_a_bad_duration_is_refused_naming_it(crm: ck.CRM, text: object) -> None:
    with pytest.raises(ck.ValidationError, match="after") as info:
        crm.settings.retention("contacts", after=text)  # type: ignore[arg-type]
    assert str(text) in str(info.value)
    assert crm.settings.retention_rules() == []


def test_a_bad_duration_speaks_french() -> None:
    with ck.config_context(lang="fr"), pytest.raises(ck.ValidationError, match="pas une durée"):
        parse_duration("bientôt", "after")


# -- rules -------------------------------------------------------------------------------


def test_rules_are_stored_per_database_listed_and_removed(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path) as crm:
        first = crm.settings.retention("contacts", after="3 years", where={"active": False})
        second = crm.settings.retention(
            "accounts", after="90 days", action="archive", based_on="created_at"
        )
        again = crm.settings.retention("contacts", after="3 years", where={"active": False})
        assert again == first  # an identical rule is not stored twice
    with ck.open(path) as crm:
        rules = crm.settings.retention_rules()
        assert rules == [first, second]
        assert (first.id, first.kind, first.action, first.based_on) == (
            1, "contacts", "anonymise", "last_activity"
        )  # fmt: skip
        assert dict(first.where or {}) == {"active": False}
        removed = crm.settings.remove_retention_rule(1)
        assert removed == first
        third = crm.settings.retention("contacts", after="5 ans", action="delete")
        assert third.id == 3  # ids are never reused
        assert [r.id for r in crm.settings.retention_rules()] == [2, 3]


def test_a_rule_on_a_field_that_does_not_exist_is_refused_with_the_closest(crm: ck.CRM) -> None:
    with pytest.raises(ck.UnknownValueError, match="Did you mean 'active'"):
        crm.settings.retention("contacts", where={"activ": False})
    assert crm.settings.retention_rules() == []


def test_a_rule_with_a_bad_filter_value_is_refused(crm: ck.CRM) -> None:
    with pytest.raises(ck.CRMKitError):
        crm.settings.retention("contacts", where={"owner": "Nobody At All"})
    with pytest.raises(ck.ValidationError, match="where"):
        crm.settings.retention("contacts", where=["active"])  # type: ignore[arg-type]
    assert crm.settings.retention_rules() == []


def test_an_unknown_action_kind_or_date_is_refused(crm: ck.CRM) -> None:
    with pytest.raises(ck.UnknownValueError, match="retention action 'purge'"):
        crm.settings.retention("contacts", action="purge")
    with pytest.raises(ck.UnknownValueError, match="people"):
        crm.settings.retention("people")
    with pytest.raises(ck.UnknownValueError, match="Did you mean 'created_at'"):
        crm.settings.retention("contacts", based_on="created")
    with pytest.raises(ck.UnknownValueError, match="retention rule"):
        crm.settings.remove_retention_rule(7)
    assert crm.settings.retention_rules() == []


def test_a_rule_describes_itself_in_three_languages(crm: ck.CRM) -> None:
    rule = crm.settings.retention("contacts", after="3 ans", action="archive")
    assert rule.describe("en") == "rule 1: archive contacts whose last activity is older than 3 ans"
    assert rule.describe("fr").startswith("règle 1 : archiver les contacts")
    assert rule.describe("zh").startswith("规则 1：归档")


# -- dry run and apply -------------------------------------------------------------------


def test_a_dry_run_lists_what_each_rule_touches_and_writes_nothing(crm: ck.CRM) -> None:
    old = crm.contacts.add(last_name="Old", active=False)
    busy = crm.contacts.add(last_name="Busy", active=False)
    new = crm.contacts.add(last_name="New", active=False)
    active = crm.contacts.add(last_name="Active")
    _age(crm, "contacts", [old, busy, active])
    crm.activities.add_note("called last week", contact=busy)  # recent activity keeps it
    crm.settings.retention("contacts", after="36 months", action="archive", where={"active": True})
    crm.settings.retention("contacts", after="3 ans", action="anonymise", where={"active": False})
    batches = len(crm.batches())
    report = crm.apply_retention()
    assert report.dry_run and report.batch_id is None
    assert report.ids == {1: [active], 2: [old]} and report.count == 2 and report.erasing == 1
    assert report.counts() == {1: 1, 2: 1}
    frame = report.df()
    assert list(frame.columns) == ["rule", "kind", "action", "id", "name", "reference_at"]
    assert frame[["rule", "id", "name"]].values.tolist() == [[1, active, "Active"], [2, old, "Old"]]
    assert frame["reference_at"].dt.year.tolist() == [2020, 2020]
    assert isinstance(report.pl(), pl.DataFrame) and report.pl().height == 2
    assert len(crm.batches()) == batches
    assert new not in frame["id"].tolist() and busy not in frame["id"].tolist()
    assert "2 records would be touched" in repr(report)
    assert "cannot be undone" in repr(report)


def test_the_report_shows_in_every_language(crm: ck.CRM) -> None:
    c = crm.contacts.add(last_name="Blou")
    _age(crm, "contacts", [c])
    crm.settings.retention("contacts", after="2 years", action="archive")
    report = crm.apply_retention()
    for lang, words in (("en", "would be touched"), ("fr", "serait touchée"), ("zh", "将处理")):
        with ck.config_context(lang=lang):
            page = report._repr_html_()
            assert words in page and "Blou" in page
    with ck.config_context(lang="fr"):
        assert "Règle" in report._repr_html_() or "règle" in report._repr_html_()


def test_based_on_chooses_the_date(crm: ck.CRM) -> None:
    created_long_ago = crm.contacts.add(last_name="A")
    crm.connection.execute(
        "UPDATE contacts SET created_at = TIMESTAMP '2019-01-01' WHERE id = ?", [created_long_ago]
    )
    crm.settings.retention("contacts", after="3 years", action="archive", based_on="created_at")
    assert crm.apply_retention().ids == {1: [created_long_ago]}
    crm.settings.remove_retention_rule(1)
    crm.settings.retention("contacts", after="3 years", action="archive", based_on="updated_at")
    assert crm.apply_retention().ids == {2: []}  # changed just now


def test_an_old_task_done_does_not_keep_a_contact(crm: ck.CRM) -> None:
    c = crm.contacts.add(last_name="Blou")
    note = crm.activities.add_note("met at a fair", contact=c)
    _age(crm, "contacts", [c])
    crm.connection.execute(
        "UPDATE activities SET created_at = TIMESTAMP '2020-06-01' WHERE id = ?", [note]
    )
    crm.settings.retention("contacts", after="3 years", action="archive")
    frame = crm.apply_retention().df()
    assert frame["id"].tolist() == [c]
    assert frame["reference_at"].iloc[0] == pd.Timestamp("2020-06-01")


def test_archiving_is_one_batch_and_undoable(crm: ck.CRM) -> None:
    contacts = [crm.contacts.add(last_name=f"C{i}") for i in range(3)]
    acc = crm.accounts.add(name="Dormant SA")
    _age(crm, "contacts", contacts[:2])
    _age(crm, "accounts", [acc])
    crm.settings.retention("contacts", after="36 months", action="archive")
    crm.settings.retention("accounts", after="36 months", action="archive")
    report = crm.apply_retention(dry_run=False)
    assert not report.dry_run and report.batch_id is not None
    assert report.ids == {1: contacts[:2], 2: [acc]}
    assert "3 records touched" in repr(report)
    assert [crm.contacts.get(c)["active"] for c in contacts] == [False, False, True]
    assert crm.accounts.get(acc)["archived"] is True
    changed = crm.history(batch_id=report.batch_id)[["table", "record_id"]]
    assert len(changed.drop_duplicates()) == 3
    again = crm.apply_retention()
    assert again.count == 0  # already archived: nothing left to do
    crm.undo(report.batch_id)
    assert [crm.contacts.get(c)["active"] for c in contacts] == [True, True, True]
    assert crm.accounts.get(acc)["archived"] is False


def test_a_record_goes_to_the_first_rule_that_finds_it(crm: ck.CRM) -> None:
    c = crm.contacts.add(last_name="Blou")
    _age(crm, "contacts", [c])
    crm.settings.retention("contacts", after="1 year", action="archive")
    crm.settings.retention("contacts", after="2 years", action="delete")
    assert crm.apply_retention().ids == {1: [c], 2: []}


def test_nothing_to_do_makes_no_batch(crm: ck.CRM) -> None:
    crm.contacts.add(last_name="Blou")
    crm.settings.retention("contacts", after="3 years", action="archive")
    batches = len(crm.batches())
    report = crm.apply_retention(dry_run=False)
    assert report.count == 0 and report.batch_id is None
    assert len(crm.batches()) == batches


def test_erasing_needs_confirm_and_writes_nothing_without_it(crm: ck.CRM) -> None:
    c = crm.contacts.add(last_name="Blou", email="helene.blou@aprool.com")
    _age(crm, "contacts", [c])
    crm.settings.retention("contacts", after="3 years", action="anonymise")
    batches = len(crm.batches())
    with pytest.raises(ck.ValidationError, match="confirm=True"):
        crm.apply_retention(dry_run=False)
    assert crm.contacts.get(c)["email"] == "helene.blou@aprool.com"
    assert len(crm.batches()) == batches


def test_read_only_dry_run(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path) as crm:
        c = crm.contacts.add(last_name="Blou")
        _age(crm, "contacts", [c])
        crm.settings.retention("contacts", after="3 years", action="archive")
    with ck.open(path, read_only=True) as crm:
        assert crm.apply_retention().ids == {1: [c]}
        with pytest.raises(ck.ReadOnlyError):
            crm.apply_retention(dry_run=False)


def test_anonymise_and_delete_erase_as_erase_does_and_cannot_be_undone(crm: ck.CRM) -> None:
    gone = crm.contacts.add(last_name="Blou", email="helene.blou@aprool.com")
    boss = crm.contacts.add(last_name="Roy", email="roy@aprool.com", active=False)
    report_to = crm.contacts.add(last_name="Lee", reports_to_id=boss, active=False)
    crm.contacts.delete(report_to)  # a deleted contact still points at boss: a tombstone
    dormant = crm.contacts.add(last_name="Dormant")
    _age(crm, "contacts", [gone, boss, dormant])
    crm.settings.retention("contacts", after="3 years", action="archive", where={"active": True},
                           based_on="created_at")  # fmt: skip
    crm.settings.retention("contacts", after="3 years", action="anonymise")
    report = crm.apply_retention(dry_run=False, confirm=True)
    assert report.ids == {1: [gone, dormant], 2: [boss]}
    # ``gone`` was archived by rule 1 (first rule wins); boss erased by rule 2.
    assert crm.contacts.get(gone)["active"] is False
    row = crm.connection.execute("SELECT last_name, email, deleted_at FROM contacts WHERE id = ?",
                                 [boss]).fetchall()  # fmt: skip
    assert row and row[0][0] is None and row[0][1] is None and row[0][2] is not None
    leaked = crm.connection.execute(
        "SELECT count(*) FROM history WHERE contains(coalesce(old_value::VARCHAR, '') || "
        "coalesce(new_value::VARCHAR, ''), 'roy@aprool.com')"
    ).fetchall()[0][0]
    assert leaked == 0
    assert "cannot be undone" in repr(report)
    # A batch that erased cannot be undone at all: undo refuses and changes nothing.
    with pytest.raises(ck.UndoError, match="erasure"):
        crm.undo(report.batch_id)
    assert crm.contacts.get(gone)["active"] is False


def test_delete_rules_on_accounts(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="Dormant SA")
    kept = crm.accounts.add(name="Busy SA")
    _age(crm, "accounts", [acc])
    crm.settings.retention("accounts", after="3 years", action="delete")
    with pytest.raises(ck.ValidationError, match="delete 1 record"):
        crm.apply_retention(dry_run=False)
    report = crm.apply_retention(dry_run=False, confirm=True)
    assert report.ids == {1: [acc]} and report.erasing == 1
    assert crm.accounts.df()["id"].tolist() == [kept]
