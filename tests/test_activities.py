"""Notes and tasks (``crm.activities``): verbs, undo, bad input, filters, frames, iCalendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from icalendar import Calendar

import crmkit as ck
from crmkit._ops._activities import build_query, due_range


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[ck.CRM]:
    with ck.open(tmp_path / "crm.duckdb", user="Nicole Bertrand") as crm:
        crm.owners.add("Nicole Bertrand", email="nb@example.com")
        crm.owners.add("Marc Durand")
        yield crm


@pytest.fixture
def ids(crm: ck.CRM) -> dict[str, int]:
    acc = crm.accounts.add(name="APROOL", owner="Marc Durand")
    other = crm.accounts.add(name="Kheops")
    cid = crm.contacts.add(
        first_name="Hélène", last_name="Blou", account_id=acc, email="helene@aprool.com"
    )
    lone = crm.contacts.add(last_name="Seul")
    return {"acc": acc, "other": other, "cid": cid, "lone": lone}


def _table(crm: ck.CRM) -> list[tuple[object, ...]]:
    return crm.connection.execute("SELECT * FROM activities ORDER BY id").fetchall()


def _count(crm: ck.CRM) -> int:
    return int(crm.connection.execute("SELECT count(*) FROM activities").fetchall()[0][0])


def test_note_fills_the_account_from_the_contact_and_undo_removes_it(
    crm: ck.CRM, ids: dict[str, int]
) -> None:
    note = crm.activities.add_note("Met at the fair", contact=ids["cid"])
    got = crm.activities.get(note)
    assert (got["kind"], got["body"], got["author"]) == ("note", "Met at the fair", crm.user)
    assert (got["contact_id"], got["account_id"]) == (ids["cid"], ids["acc"])
    history = crm.history(batch_id=crm.last_batch_id)
    assert set(history["table"]) == {"activities"}
    crm.undo(crm.last_batch_id)
    assert _count(crm) == 0


def test_task_values_and_lookups(crm: ck.CRM, ids: dict[str, int]) -> None:
    task = crm.activities.add_task(
        "Send the quote",
        type="Rendez-vous",  # a label in French names the value
        due="2026-12-10T14:00:00+01:00",
        priority="HIGH",
        owner="nb@example.com",
        contact="helene@aprool.com",
        body="Pricing v2",
    )
    got = crm.activities.get(task)
    assert got["task_type"] == "meeting"
    assert got["due_at"] == dt.datetime(2026, 12, 10, 13, 0)  # stored in UTC
    assert (got["priority"], got["status"], got["body"]) == ("high", "open", "Pricing v2")
    assert got["owner_id"] == crm.owners.resolve("Nicole Bertrand")
    on_account = crm.activities.add_task("Visit", account=ids["other"])
    assert crm.activities.get(on_account)["contact_id"] is None
    # the owner defaults to the CRM's user
    assert crm.activities.get(on_account)["owner_id"] == crm.owners.resolve("Nicole Bertrand")


def test_update_complete_delete_each_one_undoable_batch(crm: ck.CRM, ids: dict[str, int]) -> None:
    task = crm.activities.add_task("Call", type="call", contact=ids["cid"])
    before = _table(crm)
    updated = crm.activities.update(task, priority="low", due=dt.date(2026, 12, 24))
    assert (updated["priority"], updated["due_at"]) == ("low", dt.datetime(2026, 12, 24))
    crm.undo(crm.last_batch_id)
    assert [r[:13] + r[17:] for r in _table(crm)] == [r[:13] + r[17:] for r in before]
    done = crm.activities.complete(task, report="Reached her")
    assert (done["status"], done["report"]) == ("done", "Reached her")
    assert done["completed_at"] is not None
    crm.undo(crm.last_batch_id)
    again = crm.activities.get(task)
    assert (again["status"], again["report"], again["completed_at"]) == ("open", None, None)
    crm.activities.delete(task)
    assert crm.activities.get(task)["deleted"] is True
    assert len(crm.activities.filter()) == 0
    crm.undo(crm.last_batch_id)
    assert len(crm.activities.filter()) == 1


def test_update_moves_to_another_contact_with_its_account(crm: ck.CRM, ids: dict[str, int]) -> None:
    note = crm.activities.add_note("x", account=ids["other"])
    moved = crm.activities.update(note, contact=ids["cid"])
    assert (moved["contact_id"], moved["account_id"]) == (ids["cid"], ids["acc"])
    reopened = crm.activities.update(
        crm.activities.add_task("t", contact=ids["cid"]), status="done"
    )
    assert reopened["completed_at"] is not None
    assert crm.activities.update(reopened["id"], status="open")["completed_at"] is None


# -- bad input: a CRMKitError naming the field and value, nothing written ----------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"due": "next tuesday"}, ck.ValidationError, ["due_at", "next tuesday"]),
        ({"due": 12}, ck.ValidationError, ["due_at", "12"]),
        ({"type": "fax"}, ck.UnknownValueError, ["task_type", "fax"]),
        ({"priority": "urgent"}, ck.UnknownValueError, ["priority", "urgent"]),
        ({"contact": 999}, ck.RecordNotFoundError, ["contact_id", "999"]),
        ({"account": 999}, ck.RecordNotFoundError, ["account_id", "999"]),
        ({"owner": "Nobody"}, ck.UnknownValueError, ["owner", "Nobody"]),
    ],
)
def test_bad_task_input_is_refused_and_nothing_written(
    crm: ck.CRM, ids: dict[str, int], kwargs: dict[str, object], error: type, words: list[str]
) -> None:
    batches = len(crm.batches())
    options: dict[str, object] = {"contact": ids["cid"], **kwargs}
    with pytest.raises(error) as info:
        crm.activities.add_task("Call", **options)  # type: ignore[arg-type]
    assert isinstance(info.value, ck.CRMKitError)
    for word in words:
        assert word in str(info.value)
    assert _count(crm) == 0 and len(crm.batches()) == batches


def test_unknown_status_and_field_on_update(crm: ck.CRM, ids: dict[str, int]) -> None:
    task = crm.activities.add_task("Call", contact=ids["cid"])
    before = _table(crm)
    with pytest.raises(ck.UnknownValueError, match="status 'maybe'"):
        crm.activities.update(task, status="maybe")
    with pytest.raises(ck.ValidationError, match="'colour': not a field"):
        crm.activities.update(task, colour="red")
    with pytest.raises(ck.ValidationError, match="due_at: '31/02/2026' is not a date"):
        crm.activities.update(task, due="31/02/2026")
    assert _table(crm) == before


def test_activity_on_a_deleted_or_missing_record(crm: ck.CRM, ids: dict[str, int]) -> None:
    crm.contacts.delete(ids["lone"])
    with pytest.raises(ck.ValidationError, match=f"contact_id: contact {ids['lone']} is deleted"):
        crm.activities.add_note("too late", contact=ids["lone"])
    with pytest.raises(ck.RecordNotFoundError, match="account_id: no account with id 12345"):
        crm.activities.add_note("nowhere", account=12345)
    with pytest.raises(ck.ValidationError, match="needs a contact or an account"):
        crm.activities.add_note("floating")
    with pytest.raises(ck.ValidationError, match="body: '' is empty"):
        crm.activities.add_note("", contact=ids["cid"])
    assert _count(crm) == 0


def test_completing_a_deleted_task_or_a_note(crm: ck.CRM, ids: dict[str, int]) -> None:
    task = crm.activities.add_task("Call", contact=ids["cid"])
    crm.activities.delete(task)
    before = _table(crm)
    with pytest.raises(ck.ValidationError, match=f"activity {task} is deleted"):
        crm.activities.complete(task)
    with pytest.raises(ck.ValidationError, match=f"activity {task} is deleted"):
        crm.activities.update(task, subject="again")
    note = crm.activities.add_note("n", contact=ids["cid"])
    with pytest.raises(ck.ValidationError, match=f"activity {note} is a note"):
        crm.activities.complete(note)
    with pytest.raises(ck.RecordNotFoundError):
        crm.activities.complete(9999)
    assert _table(crm)[: len(before)] == before


def test_errors_speak_the_language_chosen(crm: ck.CRM, ids: dict[str, int]) -> None:
    with ck.config_context(lang="fr"), pytest.raises(ck.ValidationError, match="pas une date"):
        crm.activities.add_task("Appel", due="demain", contact=ids["cid"])


# -- bulk ---------------------------------------------------------------------------------------


def test_add_tasks_round_robin_is_one_batch(crm: ck.CRM, ids: dict[str, int]) -> None:
    report = crm.activities.add_tasks(
        crm.contacts.all(),
        "Follow-up call",
        type="call",
        due="2026-12-15",
        owner=["Nicole Bertrand", "Marc Durand"],
    )
    assert report.count == 2 and report.per_owner == {"Nicole Bertrand": 1, "Marc Durand": 1}
    assert "2 tasks" in repr(report)
    frame = crm.activities.filter(kind="task").df()
    assert sorted(frame["contact_id"]) == sorted([ids["cid"], ids["lone"]])
    assert set(crm.history(batch_id=report.batch_id)["batch_id"]) == {report.batch_id}
    crm.undo(report.batch_id)
    assert _count(crm) == 0


def test_add_tasks_to_each_records_owner(crm: ck.CRM, ids: dict[str, int]) -> None:
    report = crm.activities.add_tasks(
        [ids["acc"], ids["other"]], "Review", kind="accounts", owner="record", priority="high"
    )
    assert report.per_owner == {"Marc Durand": 1, "Nicole Bertrand": 1}
    with pytest.raises(ck.RecordNotFoundError, match="contact_id: no contact with id 777"):
        crm.activities.add_tasks([ids["cid"], 777], "x")
    with pytest.raises(ck.UnknownValueError, match="task_type 'visit'"):
        crm.activities.add_tasks([ids["cid"]], "x", type="visit")
    assert _count(crm) == 2


# -- filters and frames -------------------------------------------------------------------------


def test_due_ranges() -> None:
    wednesday = dt.date(2026, 12, 9)
    assert due_range("today", wednesday) == (dt.datetime(2026, 12, 9), dt.datetime(2026, 12, 10))
    assert due_range("next week", wednesday) == (
        dt.datetime(2026, 12, 14),
        dt.datetime(2026, 12, 21),
    )
    assert due_range("this month", dt.date(2026, 2, 27)) == (
        dt.datetime(2026, 2, 1),
        dt.datetime(2026, 3, 1),
    )
    pair = ("2026-01-01", dt.date(2026, 2, 1))
    assert due_range(pair, wednesday) == (dt.datetime(2026, 1, 1), dt.datetime(2026, 2, 1))
    with pytest.raises(ck.UnknownValueError, match="due 'someday'"):
        due_range("someday", wednesday)


def test_filters_with_pandas_and_polars(crm: ck.CRM, ids: dict[str, int]) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    late = crm.activities.add_task(
        "Late", contact=ids["cid"], due=now - dt.timedelta(days=3), owner="Marc Durand"
    )
    soon = crm.activities.add_task("Soon", account=ids["other"], due=now + dt.timedelta(hours=1))
    done = crm.activities.add_task("Done", contact=ids["cid"], due=now - dt.timedelta(days=5))
    crm.activities.complete(done)
    crm.activities.add_note("A note", contact=ids["cid"])

    overdue = crm.activities.filter(overdue=True)
    assert overdue.ids() == [late]
    assert crm.activities.filter(owner="Marc Durand").ids() == [late]
    assert crm.activities.filter(status="done").ids() == [done]
    assert crm.activities.filter(kind="note").df()["body"].tolist() == ["A note"]
    assert set(crm.contacts.activities(ids["cid"]).ids()) == {
        late,
        done,
        crm.activities.all().ids()[-1],
    }
    assert crm.accounts.activities(ids["other"]).ids() == [soon]
    window = (now - dt.timedelta(days=4), now)
    assert crm.activities.filter(due=window).ids() == [late]

    frame = crm.activities.filter(kind="task").df()
    assert isinstance(frame, pd.DataFrame)
    assert frame.loc[frame["id"] == late, "contact"].item() == "Hélène Blou"
    assert frame.loc[frame["id"] == late, "account"].item() == "APROOL"
    polars = crm.activities.filter(kind="task").pl()
    assert isinstance(polars, pl.DataFrame)
    assert polars.filter(pl.col("id") == late)["owner"].to_list() == ["Marc Durand"]
    assert len(crm.activities.filter(kind="task")) == 3
    assert "Hélène Blou" in crm.activities.filter(kind="task")._repr_html_()
    assert "Late" in repr(crm.activities.filter(kind="task"))
    with ck.config_context(lang="fr"):
        assert "Échéance" in repr(crm.activities.filter(kind="task"))


def test_due_words_use_the_clock(crm: ck.CRM, ids: dict[str, int]) -> None:
    crm.activities.add_task("Monday", contact=ids["cid"], due="2026-12-07 10:00")
    crm.activities.add_task("Next", contact=ids["cid"], due="2026-12-15 10:00")
    session = crm._session
    wednesday = dt.datetime(2026, 12, 9, 12)
    this_week = build_query(session, due="this week", now=wednesday)
    next_week = build_query(session, due="next week", now=wednesday)
    read = crm.activities.filter()
    assert [r["subject"] for r in _rows(read, this_week)] == ["Monday"]
    assert [r["subject"] for r in _rows(read, next_week)] == ["Next"]
    overdue = build_query(session, overdue=True, now=wednesday)
    assert [r["subject"] for r in _rows(read, overdue)] == ["Monday"]


def _rows(selection: ck.ActivitySelection, query: object) -> list[dict[str, object]]:
    return type(selection)(selection._crm, query).arrow().to_pylist()  # type: ignore[arg-type]


def test_bad_filters(crm: ck.CRM, ids: dict[str, int]) -> None:
    with pytest.raises(ck.UnknownValueError, match="kind 'call'"):
        crm.activities.filter(kind="call")
    with pytest.raises(ck.UnknownValueError, match="status 'late'"):
        crm.activities.filter(status="late")
    with pytest.raises(ck.RecordNotFoundError):
        crm.activities.filter(contact=424242)


# -- the views ------------------------------------------------------------------------------------


def test_last_activity_and_next_task_are_derived(crm: ck.CRM, ids: dict[str, int]) -> None:
    contacts = crm.contacts.df().set_index("id")
    assert pd.isna(contacts.loc[ids["cid"], "last_activity_at"])
    crm.activities.add_task("Later", contact=ids["cid"], due="2027-01-10")
    crm.activities.add_task("Sooner", contact=ids["cid"], due="2027-01-05")
    done = crm.activities.add_task("Before", contact=ids["cid"], due="2026-01-01")
    crm.activities.complete(done)
    contacts = crm.contacts.df().set_index("id")
    assert contacts.loc[ids["cid"], "next_task_at"] == pd.Timestamp("2027-01-05")
    completed = crm.activities.get(done)["completed_at"]
    assert contacts.loc[ids["cid"], "last_activity_at"] == pd.Timestamp(completed)
    accounts = crm.accounts.pl()
    row = accounts.filter(pl.col("id") == ids["acc"])
    assert row["next_task_at"].to_list() == [dt.datetime(2027, 1, 5)]
    columns = crm.connection.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'contacts'"
    ).fetchall()
    assert ("next_task_at",) not in columns  # derived in the view, never stored


# -- iCalendar ------------------------------------------------------------------------------------


def test_export_ics_reads_back_with_every_field(
    crm: ck.CRM, ids: dict[str, int], tmp_path: Path
) -> None:
    call = crm.activities.add_task(
        "Call back",
        type="call",
        due="2026-12-08 09:30",
        priority="high",
        contact=ids["cid"],
        body="About the quote",
    )
    meeting = crm.activities.add_task(
        "Demo", type="meeting", due="2026-12-09 14:00", contact=ids["cid"]
    )
    day = crm.activities.add_task(
        "Renewal", type="todo", due="2026-12-31", account=ids["other"], priority="low"
    )
    crm.activities.complete(day, report="Signed")
    crm.activities.add_note("not exported", contact=ids["cid"])
    path = crm.activities.all().export_ics(tmp_path / "tasks.ics")
    cal = Calendar.from_ical(path.read_bytes())
    todos = {str(c["UID"]): c for c in cal.walk("VTODO")}
    events = {str(c["UID"]): c for c in cal.walk("VEVENT")}
    assert set(todos) == {f"crmkit-task-{call}@crmkit", f"crmkit-task-{day}@crmkit"}
    assert set(events) == {f"crmkit-task-{meeting}@crmkit"}
    first = todos[f"crmkit-task-{call}@crmkit"]
    assert first.decoded("DUE") == dt.datetime(2026, 12, 8, 9, 30, tzinfo=dt.UTC)
    assert int(first["PRIORITY"]) == 1
    assert str(first["STATUS"]) == "NEEDS-ACTION"
    assert str(first["SUMMARY"]) == "Call back — Hélène Blou"
    assert "About the quote" in str(first["DESCRIPTION"])
    assert "Hélène Blou" in str(first["DESCRIPTION"]) and str(first["CONTACT"]) == "Hélène Blou"
    renewal = todos[f"crmkit-task-{day}@crmkit"]
    assert renewal.decoded("DUE") == dt.date(2026, 12, 31)
    assert (str(renewal["STATUS"]), int(renewal["PRIORITY"])) == ("COMPLETED", 9)
    assert "Signed" in str(renewal["DESCRIPTION"]) and "Kheops" in str(renewal["DESCRIPTION"])
    demo = events[f"crmkit-task-{meeting}@crmkit"]
    assert demo.decoded("DTSTART") == dt.datetime(2026, 12, 9, 14, 0, tzinfo=dt.UTC)
    assert str(demo["SUMMARY"]) == "Demo — Hélène Blou"
    # the UID is stable: a second export names the same tasks the same way
    again = Calendar.from_ical(crm.activities.all().export_ics(tmp_path / "again.ics").read_bytes())
    assert {str(c["UID"]) for c in again.walk("VTODO")} == set(todos)


def test_migration_4_adds_the_table_to_an_older_file(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with ck.open(path) as crm:
        cid = crm.contacts.add(last_name="Blou")
        crm.connection.execute("DROP VIEW contacts_v")
        crm.connection.execute("DROP VIEW accounts_v")
        crm.connection.execute("DROP TABLE activities")
        crm.connection.execute("DROP SEQUENCE activities_id_seq")
        crm.connection.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    with ck.open(path) as crm:
        assert crm.activities.add_note("after the upgrade", contact=cid) == 1
        version = crm.connection.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchall()
        assert int(version[0][0]) >= 4


def test_activities_in_shared_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.duckdb"
    with ck.open(path) as crm:
        cid = crm.contacts.add(last_name="Blou")
    crm = ck.open(path, shared=True)
    try:
        task = crm.activities.add_task("Call", contact=cid)
        crm.activities.complete(task)
        assert crm.activities.filter(status="done").ids() == [task]
        assert len(crm.contacts.activities(cid)) == 1
    finally:
        crm.close()
