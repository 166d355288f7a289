"""Activities: notes and tasks on contacts and accounts, written as batches with history.

Every verb checks its values first (vocabularies of :mod:`crmkit.schemas._activities`,
dates, the records linked), so bad input raises a :class:`~crmkit.CRMKitError` naming the
field and value before anything is written; then it writes one batch through the store
(table ``activities``), which ``crm.undo(batch_id)`` reverts. Dates are naive UTC, as every
timestamp the store writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import pyarrow as pa

from crmkit._core._results import first
from crmkit._core._session import Session
from crmkit._core._store import now_utc, whole_id
from crmkit._exceptions import RecordNotFoundError, ValidationError
from crmkit._ops import _owners as owners
from crmkit._util._config import chosen_lang
from crmkit._util._messages import message, record_noun, short, unknown_value
from crmkit.schemas._activities import (
    ACTIVITY_COLUMNS,
    ACTIVITY_KINDS,
    TASK_PRIORITIES,
    TASK_STATUSES,
    TASK_TYPES,
)
from crmkit.schemas._labels import message_field
from crmkit.schemas._vocab import Vocabulary

__all__ = [
    "DUE_WORDS",
    "ActivityQuery",
    "TasksReport",
    "add_note",
    "add_task",
    "add_tasks",
    "build_query",
    "check_due",
    "complete",
    "delete",
    "due_range",
    "fetch",
    "insert_rows",
    "note_row",
    "read",
    "task_row",
    "update",
]

_ARROW = {"BIGINT": pa.int64(), "VARCHAR": pa.string(), "TIMESTAMP": pa.timestamp("us")}
_ARROW["BOOLEAN"] = pa.bool_()
#: The words ``due=`` accepts besides a ``(start, end)`` pair.
DUE_WORDS = ("today", "this week", "next week", "this month")
#: What :func:`update` may change: keyword -> column.
_EDITABLE = {
    "subject": "subject",
    "body": "body",
    "text": "body",
    "type": "task_type",
    "task_type": "task_type",
    "due": "due_at",
    "due_at": "due_at",
    "priority": "priority",
    "status": "status",
    "owner": "owner_id",
    "owner_id": "owner_id",
    "report": "report",
    "contact": "contact_id",
    "contact_id": "contact_id",
    "account": "account_id",
    "account_id": "account_id",
    "author": "author",
}


# -- checking values --------------------------------------------------------------------------


def _field(name: str) -> str:
    """How a message names activity field ``name``: its label once a language is chosen
    (a keyword such as ``due`` by its column's), else the name, as crmkit always did."""
    if chosen_lang() is None:
        return name
    return message_field("activities", _EDITABLE.get(name, name))


def _term(vocab: Vocabulary, value: Any) -> str:
    """The stored value ``value`` names in ``vocab``; UnknownValueError naming the field."""
    found = vocab.lookup(value) if isinstance(value, str) else None
    if found is None:
        raise unknown_value(vocab.name, value, vocab.values)
    return found


def check_due(value: Any, field_name: str = "due_at") -> dt.datetime | None:
    """A due date as a naive timestamp (UTC when it had a time zone); ``None`` stays.

    Examples
    --------
    >>> check_due("2026-12-07 14:30")
    datetime.datetime(2026, 12, 7, 14, 30)
    >>> check_due(dt.date(2026, 12, 7))
    datetime.datetime(2026, 12, 7, 0, 0)
    >>> check_due("next tuesday")
    Traceback (most recent call last):
    ...
    crmkit._exceptions.ValidationError: due_at: 'next tuesday' is not a date
    """
    if value is None:
        return None
    moment: dt.datetime | None = None
    if isinstance(value, pd.Timestamp) and not pd.isna(value):
        moment = value.to_pydatetime()
    elif isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        raise ValidationError(
            message("activity_not_date", field=_field(field_name), value=short(value))
        )
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _text(value: Any, field_name: str, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValidationError(
            message("activity_bad_text", field=_field(field_name), value=short(value))
        )
    return value.strip() or None


def _live_id(session: Session, table: str, value: Any, field_name: str) -> int:
    """The id of a live contact or account given by id (or, for text, name/email/uid)."""
    con = session.con
    if isinstance(value, str) and not value.strip().isdigit():
        key = value.strip()
        column = "uid = ? OR lower(email) = lower(?)" if table == "contacts" else "uid = ?"
        row = first(
            con.execute(
                f"SELECT id FROM {table} WHERE ({column}) AND deleted_at IS NULL "
                "AND merged_into IS NULL ORDER BY id LIMIT 1",
                [key] * column.count("?"),
            )
        )
        if row is None:
            from crmkit._ops import _records as records

            return records.find_id(session, table, key)
        return int(row[0])
    record_id = whole_id(int(value) if isinstance(value, str) else value, table[:-1])
    row = first(
        con.execute(
            f"SELECT deleted_at IS NOT NULL, merged_into FROM {table} WHERE id = ?", [record_id]
        )
    )
    noun, shown = record_noun(table), _field(field_name)
    if row is None:
        raise RecordNotFoundError(message("ref_not_found", field=shown, noun=noun, id=record_id))
    if row[1] is not None:
        raise ValidationError(
            message("ref_merged", field=shown, noun=noun, id=record_id, into=row[1])
        )
    if row[0]:
        raise ValidationError(message("ref_deleted", field=shown, noun=noun, id=record_id))
    return record_id


def _owner_id(session: Session, value: Any) -> int | None:
    if value is None:
        return None
    owner_id = owners.resolve(session, value)
    if not owners.is_active(session, owner_id):
        name = owners.fetch(session, owner_id)["name"]
        raise ValidationError(
            message("owner_deactivated", field=_field("owner_id"), name=short(name))
        )
    return owner_id


def _links(
    session: Session, contact: Any, account: Any, current: Mapping[str, Any] | None = None
) -> dict[str, int | None]:
    """``contact_id`` and ``account_id``: both checked live, the account filled from the
    contact when only the contact is given."""
    contact_id = None if contact is None else _live_id(session, "contacts", contact, "contact_id")
    account_id = None if account is None else _live_id(session, "accounts", account, "account_id")
    if contact_id is not None and account_id is None:
        row = first(
            session.con.execute("SELECT account_id FROM contacts WHERE id = ?", [contact_id])
        )
        account_id = None if row is None or row[0] is None else int(row[0])
    if contact_id is None and account_id is None:
        raise ValidationError(message("activity_needs_link"))
    return {"contact_id": contact_id, "account_id": account_id}


# -- writing ----------------------------------------------------------------------------------


def insert_rows(session: Session, rows: Sequence[Mapping[str, Any]], batch: int) -> list[int]:
    """Store checked activity rows in ``batch``; return their ids (no checks here)."""
    if not rows:
        return []
    names = [c for c in ACTIVITY_COLUMNS if any(c in r for r in rows)]
    if "deleted" not in names:
        names.append("deleted")
    data = pa.table(
        {
            c: pa.array(
                [r.get(c, False if c == "deleted" else None) for r in rows],
                _ARROW[ACTIVITY_COLUMNS[c]],
            )
            for c in names
        }
    )
    return session.store.insert("activities", data, batch, session.user)


def _write(session: Session, activity_id: int, values: Mapping[str, Any], batch: int) -> None:
    changes = {"id": activity_id, **values}
    data = pa.table({k: pa.array([v], _ARROW[ACTIVITY_COLUMNS[k]]) for k, v in changes.items()})
    session.store.update("activities", data, batch, session.user)


def note_row(
    session: Session, text: Any, *, contact: Any = None, account: Any = None, author: Any = None
) -> dict[str, Any]:
    """One note's checked values (links included), ready for :func:`insert_rows`."""
    return {
        "kind": "note",
        "body": _text(text, "body", required=True),
        "author": _text(author, "author", required=False) or session.user,
        **_links(session, contact, account),
    }


def add_note(
    session: Session, text: Any, *, contact: Any = None, account: Any = None, author: Any = None
) -> int:
    """Write a note (see :meth:`crmkit.Activities.add_note`); return its id."""
    row = note_row(session, text, contact=contact, account=account, author=author)
    with session.batch("note add", "add note") as batch:
        return insert_rows(session, [row], batch)[0]


def task_row(
    session: Session,
    subject: Any,
    *,
    type: Any = "todo",
    due: Any = None,
    priority: Any = "normal",
    owner: Any = None,
    contact: Any = None,
    account: Any = None,
    body: Any = None,
) -> dict[str, Any]:
    """One task's checked values (links included), ready for :func:`insert_rows`."""
    return {
        **_open_task(session, subject, type, due, priority, body),
        "owner_id": _owner_id(session, owner),
        **_links(session, contact, account),
    }


def _open_task(
    session: Session, subject: Any, type: Any, due: Any, priority: Any, body: Any
) -> dict[str, Any]:
    """The checked values every new task has, whoever follows it and whatever it is on."""
    return {
        "kind": "task",
        "subject": _text(subject, "subject", required=True),
        "body": _text(body, "body", required=False),
        "task_type": _term(TASK_TYPES, type),
        "due_at": check_due(due),
        "priority": _term(TASK_PRIORITIES, priority),
        "status": "open",
        "author": session.user,
    }


def add_task(session: Session, subject: Any, **options: Any) -> int:
    """Write a task (see :meth:`crmkit.Activities.add_task`); return its id."""
    row = task_row(session, subject, **options)
    with session.batch("task add", "add task") as batch:
        if row["owner_id"] is None:
            row["owner_id"] = owners.default_owner_id(session, batch)
        return insert_rows(session, [row], batch)[0]


def fetch(session: Session, activity_id: Any) -> dict[str, Any]:
    """One activity's row (deleted ones included); RecordNotFoundError when unknown."""
    record_id = whole_id(activity_id, "activity")
    if first(session.con.execute("SELECT 1 FROM activities WHERE id = ?", [record_id])) is None:
        raise RecordNotFoundError(message("activity_not_found", id=record_id))
    return session.store.fetch_record("activities", record_id)


def _live(session: Session, activity_id: Any, verb: str) -> dict[str, Any]:
    """The activity, unless deleted; ``verb`` is ``changed``, ``completed`` or ``deleted``."""
    current = fetch(session, activity_id)
    if current["deleted"]:
        said = message(f"activity_verb_{verb}")
        raise ValidationError(message("activity_deleted", id=current["id"], verb=said))
    return current


def update(session: Session, activity_id: Any, fields: Mapping[str, Any]) -> int:
    """Change fields of one activity (see :meth:`crmkit.Activities.update`)."""
    current = _live(session, activity_id, "changed")
    unknown = [k for k in fields if k not in _EDITABLE]
    if unknown:
        valid = ", ".join(sorted(_EDITABLE))
        raise ValidationError(
            message("activity_unknown_field", field=short(unknown[0]), valid=valid)
        )
    given = {_EDITABLE[k]: v for k, v in fields.items()}
    values: dict[str, Any] = {}
    for name, value in given.items():
        if name == "subject":
            values[name] = _text(value, name, required=current["kind"] == "task")
        elif name in ("body", "report", "author"):
            values[name] = _text(value, name, required=name == "body" and current["kind"] == "note")
        elif name == "task_type":
            values[name] = _term(TASK_TYPES, value)
        elif name == "priority":
            values[name] = _term(TASK_PRIORITIES, value)
        elif name == "status":
            values[name] = _term(TASK_STATUSES, value)
            done = values[name] == "done"
            if done and current["completed_at"] is None:
                values["completed_at"] = now_utc()
            elif not done:
                values["completed_at"] = None
        elif name == "due_at":
            values[name] = check_due(value)
        elif name == "owner_id":
            values[name] = _owner_id(session, value)
    if "contact_id" in given or "account_id" in given:
        contact = given.get("contact_id", current["contact_id"])
        account = (
            given.get("account_id")
            if "account_id" in given
            else (None if "contact_id" in given else current["account_id"])
        )
        values.update(_links(session, contact, account))
    with session.batch("activity update", f"update activity {current['id']}") as batch:
        _write(session, int(current["id"]), values, batch)
    return int(current["id"])


def complete(session: Session, activity_id: Any, report: Any = None) -> int:
    """Mark a task done, with its report (see :meth:`crmkit.Activities.complete`)."""
    current = _live(session, activity_id, "completed")
    if current["kind"] != "task":
        raise ValidationError(
            message("activity_not_task", id=current["id"], verb=message("activity_verb_completed"))
        )
    values: dict[str, Any] = {"status": "done", "completed_at": now_utc()}
    if report is not None:
        values["report"] = _text(report, "report", required=True)
    with session.batch("task complete", f"complete task {current['id']}") as batch:
        _write(session, int(current["id"]), values, batch)
    return int(current["id"])


def delete(session: Session, activity_id: Any) -> int:
    """Mark an activity deleted (undoable; see :meth:`crmkit.Activities.delete`)."""
    current = _live(session, activity_id, "deleted")
    with session.batch("activity delete", f"delete activity {current['id']}") as batch:
        _write(session, int(current["id"]), {"deleted": True}, batch)
    return int(current["id"])


# -- bulk -------------------------------------------------------------------------------------


@dataclass
class TasksReport:
    """What :meth:`crmkit.Activities.add_tasks` created.

    Attributes
    ----------
    count
        Tasks created (one per record).
    per_owner
        Owner name (``None`` for tasks with no owner) to the number of tasks it got.
    batch_id
        The batch, for ``crm.undo(batch_id)``.
    ids
        The new tasks' ids, in the records' order.
    """

    count: int
    per_owner: dict[str | None, int]
    batch_id: int | None
    ids: list[int] = field(default_factory=list, repr=False)

    def __repr__(self) -> str:
        owners_text = ", ".join(f"{k}: {v}" for k, v in self.per_owner.items())
        return f"TasksReport({self.count} tasks, batch {self.batch_id}; {owners_text})"


def add_tasks(
    session: Session,
    kind: str,
    ids: Sequence[int],
    subject: Any,
    *,
    type: Any = "todo",
    due: Any = None,
    owner: Any = None,
    priority: Any = "normal",
    body: Any = None,
) -> TasksReport:
    """One task per record of ``kind`` (``contacts`` or ``accounts``), in ONE batch.

    ``owner`` is a name or id, a list (round-robin in the records' order) or
    ``"record"`` (each record's own owner).
    """
    if kind not in ("contacts", "accounts"):
        raise ValidationError(message("activity_tasks_kind", kind=short(kind)))
    record_ids = [whole_id(i, kind[:-1]) for i in ids]
    base = _open_task(session, subject, type, due, priority, body)
    rows_found = session.con.execute(
        f"SELECT id, deleted_at IS NOT NULL OR merged_into IS NOT NULL, owner_id"
        f"{', account_id' if kind == 'contacts' else ''} FROM {kind} "
        "WHERE id IN (SELECT unnest(?::BIGINT[]))",
        [record_ids],
    ).fetchall()
    found = {int(r[0]): r for r in rows_found}
    link = "contact_id" if kind == "contacts" else "account_id"
    for record_id in record_ids:
        if record_id not in found:
            raise RecordNotFoundError(
                message("ref_not_found", field=_field(link), noun=record_noun(kind), id=record_id)
            )
        if found[record_id][1]:
            raise ValidationError(
                message("ref_deleted", field=_field(link), noun=record_noun(kind), id=record_id)
            )
    if owner == "record":
        plan: list[int | None] = [
            None if found[i][2] is None else int(found[i][2]) for i in record_ids
        ]
    else:
        targets = owner if isinstance(owner, list | tuple) else [owner]
        owner_ids = [_owner_id(session, t) for t in targets] or [None]
        plan = [owner_ids[n % len(owner_ids)] for n in range(len(record_ids))]
    rows = []
    for record_id, owner_id in zip(record_ids, plan, strict=True):
        row = {**base, link: record_id, "owner_id": owner_id}
        if kind == "contacts":
            row["account_id"] = found[record_id][3]
        rows.append(row)
    with session.batch("task add", f"add {len(rows)} tasks to {kind}") as batch:
        new_ids = insert_rows(session, rows, batch)
    names = {
        int(i): str(n)
        for i, n in session.con.execute(
            "SELECT id, name FROM owners WHERE id IN (SELECT unnest(?::BIGINT[]))",
            [[o for o in plan if o is not None]],
        ).fetchall()
    }
    per_owner: dict[str | None, int] = {}
    for owner_id in plan:
        key = None if owner_id is None else names.get(owner_id)
        per_owner[key] = per_owner.get(key, 0) + 1
    return TasksReport(len(new_ids), per_owner, batch if new_ids else None, new_ids)


# -- reading ----------------------------------------------------------------------------------


def due_range(spec: Any, today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` of a ``due=`` filter: a word of :data:`DUE_WORDS` or a pair.

    Weeks start on Monday.

    Examples
    --------
    >>> due_range("this week", dt.date(2026, 12, 9))
    (datetime.datetime(2026, 12, 7, 0, 0), datetime.datetime(2026, 12, 14, 0, 0))
    >>> due_range("this month", dt.date(2026, 12, 9))[1]
    datetime.datetime(2027, 1, 1, 0, 0)
    """
    day = dt.datetime(today.year, today.month, today.day)
    if isinstance(spec, tuple | list) and len(spec) == 2:
        start, end = check_due(spec[0], "due"), check_due(spec[1], "due")
        if start is None or end is None:
            raise ValidationError(
                message("activity_not_date", field=_field("due"), value=short(spec))
            )
        return start, end
    word = spec.strip().lower() if isinstance(spec, str) else None
    if word == "today":
        return day, day + dt.timedelta(days=1)
    monday = day - dt.timedelta(days=today.weekday())
    if word == "this week":
        return monday, monday + dt.timedelta(days=7)
    if word == "next week":
        return monday + dt.timedelta(days=7), monday + dt.timedelta(days=14)
    if word == "this month":
        first_day = day.replace(day=1)
        following = (first_day + dt.timedelta(days=32)).replace(day=1)
        return first_day, following
    raise unknown_value("due", spec, [*DUE_WORDS, "(start, end)"])


@dataclass(frozen=True)
class ActivityQuery:
    """Conditions on live activities, turned into SQL with ``?`` parameters."""

    conditions: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    def where(self, sql: str, *params: Any) -> ActivityQuery:
        """This query with one more condition (AND)."""
        return replace(self, conditions=(*self.conditions, (sql, params)))

    def sql(self) -> tuple[str, list[Any]]:
        """The SELECT of the rows shown (names of the linked records joined)."""
        where = " AND ".join(["NOT coalesce(a.deleted, FALSE)", *(c for c, _ in self.conditions)])
        params = [p for _, ps in self.conditions for p in ps]
        sql = (
            "SELECT a.id, a.kind, a.subject, a.body, a.task_type, a.due_at, a.priority, "
            "a.status, a.owner_id, o.name AS owner, a.contact_id, "
            "nullif(trim(concat_ws(' ', c.first_name, c.last_name)), '') AS contact, "
            "a.account_id, ac.name AS account, a.report, a.author, a.created_at, "
            "a.updated_at, a.completed_at "
            "FROM activities a LEFT JOIN contacts c ON c.id = a.contact_id "
            "LEFT JOIN accounts ac ON ac.id = a.account_id "
            "LEFT JOIN owners o ON o.id = a.owner_id "
            f"WHERE {where} ORDER BY a.due_at NULLS LAST, a.created_at, a.id"
        )
        return sql, params


def build_query(
    session: Session,
    *,
    kind: Any = None,
    contact: Any = None,
    account: Any = None,
    owner: Any = None,
    status: Any = None,
    overdue: bool = False,
    due: Any = None,
    now: dt.datetime | None = None,
) -> ActivityQuery:
    """The query of :meth:`crmkit.Activities.filter` (``now``: naive UTC, for tests)."""
    now = now or now_utc()
    query = ActivityQuery()
    if kind is not None:
        query = query.where("a.kind = ?", _term(ACTIVITY_KINDS, kind))
    if contact is not None:
        query = query.where("a.contact_id = ?", _any_id(session, "contacts", contact))
    if account is not None:
        query = query.where("a.account_id = ?", _any_id(session, "accounts", account))
    if owner is not None:
        names = owner if isinstance(owner, list | tuple) else [owner]
        ids = [owners.resolve(session, o) for o in names]
        query = query.where("a.owner_id IN (SELECT unnest(?::BIGINT[]))", ids)
    if status is not None:
        wanted = status if isinstance(status, list | tuple) else [status]
        values = [_term(TASK_STATUSES, s) for s in wanted]
        query = query.where("a.status IN (SELECT unnest(?::VARCHAR[]))", values)
    if overdue:
        query = query.where("a.kind = 'task' AND a.status = 'open' AND a.due_at < ?", now)
    if due is not None:
        start, end = due_range(due, now.date())
        query = query.where("a.due_at >= ? AND a.due_at < ?", start, end)
    return query


def read(session: Session, query: ActivityQuery) -> pa.Table:
    """The rows of ``query`` as an Arrow table."""
    sql, params = query.sql()
    return session.con.sql(sql, params=params).to_arrow_table()


def _any_id(session: Session, table: str, value: Any) -> int:
    """A record id for a filter: deleted and merged records too (their activities stay)."""
    if isinstance(value, str) and not value.strip().isdigit():
        return _live_id(session, table, value, table[:-1])
    record_id = whole_id(int(value) if isinstance(value, str) else value, table[:-1])
    if first(session.con.execute(f"SELECT 1 FROM {table} WHERE id = ?", [record_id])) is None:
        raise RecordNotFoundError(
            message("ref_not_found", field=table[:-1], noun=record_noun(table), id=record_id)
        )
    return record_id
