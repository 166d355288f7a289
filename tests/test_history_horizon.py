"""The history horizon: personal values leave history once older than it (opt-in); undo
inside the horizon works as before, undo of a compacted batch refuses and says why.

Time is moved by writing ``changed_at`` of history rows directly in the test database.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import crmkit as ck

EMAIL = "helene.blou@aprool.com"


def _backdate(crm: ck.CRM, batch_id: int, when: str = "2020-01-01") -> None:
    crm.connection.execute(
        "UPDATE history SET changed_at = CAST(? AS TIMESTAMP) WHERE batch_id = ?",
        [when, batch_id],
    )


def _values(crm: ck.CRM, batch_id: int, field: str) -> list[tuple[object, object]]:
    return crm.connection.execute(
        "SELECT old_value, new_value FROM history WHERE batch_id = ? AND field = ?",
        [batch_id, field],
    ).fetchall()


def test_no_horizon_by_default_keeps_history_whole(crm: ck.CRM) -> None:
    c = crm.contacts.add(last_name="Blou", email=EMAIL)
    crm.contacts.update(c, email="h.blou@aprool.com")
    batch = crm.last_batch_id
    assert batch is not None
    _backdate(crm, batch)
    assert crm.settings.history_horizon is None
    report = crm.compact_history()
    assert (report.horizon, report.values, report.batch_id) == (None, 0, None)
    assert _values(crm, batch, "email") == [(f'"{EMAIL}"', '"h.blou@aprool.com"')]
    assert "kept whole" in str(report)


def test_old_personal_values_go_and_recent_batches_still_undo(crm: ck.CRM) -> None:
    c = crm.contacts.add(last_name="Blou", email=EMAIL, job_title="Chef de projet")
    crm.contacts.update(c, email="h.blou@aprool.com", job_title="Directrice")
    old = crm.last_batch_id
    crm.contacts.update(c, email="helene@aprool.com")
    recent = crm.last_batch_id
    assert old is not None and recent is not None
    _backdate(crm, old)
    crm.settings.history_horizon = "24 months"
    report = crm.compact_history()
    assert report.horizon == "24 months" and report.values == 2 and report.rows == 1
    assert dict(report.by_field) == {"contacts.email": 2}
    assert _values(crm, old, "email") == [(None, None)]
    assert _values(crm, old, "job_title") == [('"Chef de projet"', '"Directrice"')]  # not personal
    assert _values(crm, recent, "email") == [('"h.blou@aprool.com"', '"helene@aprool.com"')]
    # The log holds counts, never the values.
    log = crm.connection.execute(
        "SELECT operation, description, details::VARCHAR FROM batches WHERE id = ?",
        [report.batch_id],
    ).fetchall()[0]
    assert log[0] == "compact history"
    assert "aprool" not in log[1] + log[2] and "Blou" not in log[1] + log[2]
    assert "2 personal values" in log[1]
    # Undo inside the horizon works; the compacted batch refuses, naming batch and horizon.
    crm.undo(recent)
    assert crm.contacts.get(c)["email"] == "h.blou@aprool.com"
    with pytest.raises(ck.UndoError, match=rf"batch {old}.*history horizon \(24 months\)"):
        crm.undo(old)
    assert crm.contacts.get(c)["job_title"] == "Directrice"  # nothing half done


def test_compacting_twice_removes_nothing_more_and_logs_nothing(crm: ck.CRM) -> None:
    c = crm.contacts.add(last_name="Blou", email=EMAIL)
    _backdate(crm, crm.last_batch_id or 0)
    crm.contacts.update(c, mobile="+33625341257")
    _backdate(crm, crm.last_batch_id or 0)
    crm.settings.history_horizon = "2 ans"
    assert crm.compact_history().values == 1
    batches = len(crm.batches())
    again = crm.compact_history()
    assert (again.values, again.batch_id) == (0, None)
    assert len(crm.batches()) == batches


def test_a_removed_record_loses_its_personal_values_in_history(crm: ck.CRM) -> None:
    c = crm.contacts.add(last_name="Blou", email=EMAIL, job_title="Chef de projet")
    crm.contacts.delete(c, hard=True)
    deleted = crm.last_batch_id
    assert deleted is not None
    _backdate(crm, deleted)
    crm.settings.history_horizon = "90 days"
    report = crm.compact_history()
    assert report.values >= 2  # last_name and email at least
    kept = crm.connection.execute(
        "SELECT old_value FROM history WHERE batch_id = ? AND operation = 'delete'", [deleted]
    ).fetchall()[0][0]
    assert "aprool" not in kept and "Blou" not in kept and "Chef de projet" in kept
    with pytest.raises(ck.UndoError, match="history horizon"):
        crm.undo(deleted)


def test_the_refusal_speaks_french(crm: ck.CRM) -> None:
    c = crm.contacts.add(last_name="Blou")
    crm.contacts.update(c, email=EMAIL)
    batch = crm.last_batch_id or 0
    _backdate(crm, batch)
    crm.settings.history_horizon = "24 mois"
    crm.compact_history()
    with ck.config_context(lang="fr"), pytest.raises(ck.UndoError, match="horizon de l'historique"):
        crm.undo(batch)


def test_a_bad_horizon_is_refused_and_none_turns_it_off(crm: ck.CRM) -> None:
    with pytest.raises(ck.ValidationError, match="history_horizon: 'forever'"):
        crm.settings.history_horizon = "forever"
    assert crm.settings.history_horizon is None
    crm.settings.history_horizon = "3 years"
    crm.settings.history_horizon = None
    assert crm.settings.history_horizon is None


def test_apply_retention_compacts_history_too(tmp_path: Path) -> None:
    with ck.open(tmp_path / "crm.duckdb") as crm:
        c = crm.contacts.add(last_name="Blou")
        crm.contacts.update(c, email=EMAIL)
        batch = crm.last_batch_id or 0
        _backdate(crm, batch)
        crm.settings.history_horizon = "24 months"
        report = crm.apply_retention(dry_run=False)
        assert report.count == 0
        assert report.compaction is not None and report.compaction.values == 1
        assert _values(crm, batch, "email") == [(None, None)]
        assert crm.apply_retention().compaction is None  # a dry run compacts nothing


def test_compacted_values_leave_the_file_itself(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path) as crm:
        c = crm.contacts.add(last_name="Blou", email="first.address@compact.example")
        crm.contacts.update(c, email="h.blou@aprool.com")
        _backdate(crm, crm.last_batch_id or 0)
        crm.contacts.update(c, job_title="DSI")
        crm.connection.execute("CHECKPOINT")
        crm.settings.history_horizon = "24 months"
        crm.compact_history()
        # The insert of the contact is recent: its values are in the record's insert only
        # as the record itself, which now holds the new address.
        assert crm.contacts.get(c)["email"] == "h.blou@aprool.com"
    assert b"first.address@compact.example" not in path.read_bytes()


def test_anonymised_by_retention_leaves_the_file(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path) as crm:
        c = crm.contacts.add(last_name="Blou", email="gone.person@retention.example")
        crm.connection.execute(
            "UPDATE contacts SET created_at = TIMESTAMP '2020-01-01', "
            "updated_at = TIMESTAMP '2020-01-01' WHERE id = ?",
            [c],
        )
        crm.connection.execute("CHECKPOINT")
        crm.settings.retention("contacts", after="3 years", action="anonymise")
        report = crm.apply_retention(dry_run=False, confirm=True)
        assert report.ids == {1: [c]}
    assert b"gone.person@retention.example" not in path.read_bytes()
