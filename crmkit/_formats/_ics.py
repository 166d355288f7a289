"""iCalendar (``.ics``) export of tasks, through the ``icalendar`` library.

Pure: rows in (dicts with an activity's columns and the contact's name), bytes or a file
out. One ``VTODO`` per task, or a ``VEVENT`` for a meeting with a time; the ``UID`` is
stable per task id, so importing the file again updates a calendar's copy instead of
adding one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from icalendar import Calendar, Event, Todo

__all__ = ["ICS_PRIORITY", "ICS_STATUS", "task_uid", "tasks_ics", "write_ics"]

#: RFC 5545 PRIORITY: 1 highest, 5 medium, 9 lowest.
ICS_PRIORITY = {"high": 1, "normal": 5, "low": 9}
#: RFC 5545 STATUS of a VTODO and of a VEVENT.
ICS_STATUS = {"open": "NEEDS-ACTION", "done": "COMPLETED", "cancelled": "CANCELLED"}
_EVENT_STATUS = {"open": "CONFIRMED", "done": "CONFIRMED", "cancelled": "CANCELLED"}
_MEETING_LENGTH = dt.timedelta(hours=1)


def task_uid(task_id: int) -> str:
    """The UID of a task: the same for a task in every export.

    Examples
    --------
    >>> task_uid(12)
    'crmkit-task-12@crmkit'
    """
    return f"crmkit-task-{int(task_id)}@crmkit"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC)


def _description(row: Mapping[str, Any]) -> str:
    parts = [str(row[k]) for k in ("body", "report") if row.get(k)]
    who = [str(row[k]) for k in ("contact", "account") if row.get(k)]
    if who:
        parts.append(" — ".join(who))
    return "\n\n".join(parts)


def tasks_ics(rows: Iterable[Mapping[str, Any]], *, stamp: dt.datetime | None = None) -> bytes:
    """A calendar with one component per task row.

    ``due_at`` and ``completed_at`` are naive UTC (as stored). A meeting whose due time is
    not midnight becomes a one-hour ``VEVENT``; every other task a ``VTODO``. The contact's
    name goes into ``SUMMARY`` ("Call — Hélène Blou"), ``DESCRIPTION`` and ``CONTACT``.

    Examples
    --------
    >>> data = tasks_ics([{"id": 3, "subject": "Call back", "task_type": "call",
    ...                    "priority": "high", "status": "open", "contact": "Hélène Blou",
    ...                    "due_at": dt.datetime(2026, 12, 8, 9, 30)}])
    >>> b"BEGIN:VTODO" in data, b"PRIORITY:1" in data, b"DUE:20261208T093000Z" in data
    (True, True, True)
    """
    stamp = _utc(stamp or dt.datetime.now(dt.UTC).replace(tzinfo=None))
    cal = Calendar()
    cal.add("prodid", "-//crmkit//tasks//EN")
    cal.add("version", "2.0")
    for row in rows:
        due = row.get("due_at")
        status = str(row.get("status") or "open")
        timed = isinstance(due, dt.datetime) and due.time() != dt.time(0)
        meeting = row.get("task_type") == "meeting" and timed
        item: Event | Todo = Event() if meeting else Todo()
        item.add("uid", task_uid(int(row["id"])))
        item.add("dtstamp", stamp)
        summary = str(row.get("subject") or "")
        if row.get("contact"):
            summary += f" — {row['contact']}"
        item.add("summary", summary)
        description = _description(row)
        if description:
            item.add("description", description)
        if row.get("contact"):
            item.add("contact", str(row["contact"]))
        item.add("priority", ICS_PRIORITY.get(str(row.get("priority")), 0))
        if row.get("task_type"):
            item.add("categories", [str(row["task_type"]).upper()])
        if meeting:
            assert isinstance(due, dt.datetime)
            item.add("dtstart", _utc(due))
            item.add("dtend", _utc(due + _MEETING_LENGTH))
            item.add("status", _EVENT_STATUS.get(status, "CONFIRMED"))
        else:
            if isinstance(due, dt.datetime):
                item.add("due", _utc(due) if timed else due.date())
            item.add("status", ICS_STATUS.get(status, "NEEDS-ACTION"))
            if status == "done" and isinstance(row.get("completed_at"), dt.datetime):
                item.add("completed", _utc(row["completed_at"]))
        cal.add_component(item)
    return bytes(cal.to_ical())


def write_ics(rows: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """Write :func:`tasks_ics` of ``rows`` to ``path``; return the path."""
    target = Path(path)
    target.write_bytes(tasks_ics(rows))
    return target
