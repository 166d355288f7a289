"""Notes and tasks: ``crm.activities`` and the :class:`ActivitySelection` its filters give.

A thin facade over :mod:`crmkit._ops._activities`: each verb is one batch with history,
undone by ``crm.undo(batch_id)``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import polars as pl
import pyarrow as pa

from crmkit._core._operation import per_operation
from crmkit._formats import write_ics
from crmkit._importing._activities import ActivityImportReport, import_activities
from crmkit._ops import _activities as activities
from crmkit._util._config import current_lang
from crmkit._util._table_html import Column, table_html, table_text
from crmkit.schemas._activities import activity_label

if TYPE_CHECKING:
    from crmkit._api._crm import CRM

__all__ = ["Activities", "ActivitySelection"]

_KINDS = {"due_at": "datetime", "created_at": "datetime", "completed_at": "datetime"}
_SHOWN = ("id", "kind", "subject", "body", "task_type", "due_at", "priority", "status")
_SHOWN_MORE = ("owner", "contact", "account", "report", "created_at")


@per_operation(lambda sel: sel._crm._session.store)
class ActivitySelection:
    """Activities matching a filter of :meth:`Activities.filter`, read when asked.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> cid = crm.contacts.add(last_name="Blou")
    >>> _ = crm.activities.add_task("Call back", type="call", contact=cid)
    >>> sel = crm.activities.filter(kind="task", status="open")
    >>> len(sel), sel.df()["subject"].tolist(), sel.pl()["contact"].to_list()
    (1, ['Call back'], ['Blou'])
    >>> crm.close()
    """

    def __init__(self, crm: CRM, query: activities.ActivityQuery) -> None:
        self._crm = crm
        self._query = query

    def arrow(self) -> pa.Table:
        """The activities as an Arrow table (names of the linked records included)."""
        return activities.read(self._crm._session, self._query)

    def df(self) -> pd.DataFrame:
        """The activities as a pandas DataFrame."""
        return self.arrow().to_pandas()

    def pl(self) -> pl.DataFrame:
        """The activities as a polars DataFrame."""
        frame = pl.from_arrow(self.arrow())
        assert isinstance(frame, pl.DataFrame)
        return frame

    def ids(self) -> list[int]:
        """The activities' ids, in the order shown."""
        return [int(i) for i in self.arrow().column("id").to_pylist()]

    def __len__(self) -> int:
        return self.arrow().num_rows

    def export_ics(self, path: str | Path) -> Path:
        """Write the selected tasks (notes are left out) to an iCalendar file.

        One ``VTODO`` per task (a ``VEVENT`` for a meeting with a time), its ``UID``
        stable per task; see :func:`crmkit._formats.tasks_ics`.
        """
        rows = [r for r in self.arrow().to_pylist() if r["kind"] == "task"]
        return write_ics(rows, path)

    def _columns(self) -> list[Column]:
        lang = current_lang()
        return [
            Column(n, activity_label(n, lang), _KINDS.get(n, "auto"))  # type: ignore[arg-type]
            for n in (*_SHOWN, *_SHOWN_MORE)
        ]

    def __repr__(self) -> str:
        frame = self.df()
        return f"ActivitySelection({len(frame)})\n" + table_text(frame, self._columns())

    def _repr_html_(self) -> str:
        frame = self.df()
        return (
            f'<div class="crmkit-activities"><p><strong>{len(frame):,} '
            f"{html.escape('activities')}</strong></p>"
            + table_html(frame, self._columns(), total=len(frame))
            + "</div>"
        )


@per_operation(lambda acts: acts._crm._session.store)
class Activities:
    """``crm.activities``: notes and tasks on contacts and accounts.

    Every verb is one batch with history (``crm.undo(crm.last_batch_id)`` reverts it).
    A contact given without an account brings its own account.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> acc = crm.accounts.add(name="APROOL")
    >>> cid = crm.contacts.add(last_name="Blou", account_id=acc)
    >>> note = crm.activities.add_note("Met at the fair", contact=cid)
    >>> task = crm.activities.add_task("Send the quote", type="email", due="2026-12-10",
    ...                                priority="high", contact=cid)
    >>> crm.activities.get(task)["account_id"] == acc
    True
    >>> _ = crm.activities.complete(task, report="Sent")
    >>> crm.activities.get(task)["status"]
    'done'
    >>> _ = crm.undo(crm.last_batch_id)
    >>> crm.activities.get(task)["status"]
    'open'
    >>> crm.close()
    """

    def __init__(self, crm: CRM) -> None:
        self._crm = crm

    @property
    def _session(self) -> Any:
        return self._crm._session

    def add_note(
        self, text: str, *, contact: Any = None, account: Any = None, author: str | None = None
    ) -> int:
        """Write a note on a contact and/or an account; return its id.

        ``author`` defaults to the CRM's user.
        """
        return activities.add_note(
            self._session, text, contact=contact, account=account, author=author
        )

    def add_task(
        self,
        subject: str,
        *,
        type: str = "todo",
        due: Any = None,
        priority: str = "normal",
        owner: Any = None,
        contact: Any = None,
        account: Any = None,
        body: str | None = None,
    ) -> int:
        """Create an open task; return its id.

        ``type``: ``call``, ``meeting``, ``email`` or ``todo`` (labels in any language
        work too); ``due``: a date, a datetime or ISO text (naive = UTC);
        ``priority``: ``low``, ``normal`` or ``high``; ``owner``: who follows it up
        (name, email or id; the CRM's user by default).
        """
        return activities.add_task(
            self._session,
            subject,
            type=type,
            due=due,
            priority=priority,
            owner=owner,
            contact=contact,
            account=account,
            body=body,
        )

    def add_tasks(
        self,
        selection_or_ids: Any,
        subject: str,
        *,
        type: str = "todo",
        due: Any = None,
        owner: Any = None,
        priority: str = "normal",
        body: str | None = None,
        kind: str = "contacts",
    ) -> activities.TasksReport:
        """One task for each record of a selection (or of a list of ``kind`` ids): ONE batch.

        ``owner``: one owner, a list (spread round-robin), or ``"record"`` (each
        record's own owner). Returns a report with the count per owner and the batch.
        """
        ids = selection_or_ids
        if hasattr(selection_or_ids, "ids") and hasattr(selection_or_ids, "kind"):
            kind, ids = selection_or_ids.kind, list(selection_or_ids.ids)
        return activities.add_tasks(
            self._session,
            kind,
            list(ids),
            subject,
            type=type,
            due=due,
            owner=owner,
            priority=priority,
            body=body,
        )

    def update(self, activity_id: int, **fields: Any) -> dict[str, Any]:
        """Change fields of an activity (``subject``, ``body``, ``type``, ``due``,
        ``priority``, ``status``, ``owner``, ``report``, ``contact``, ``account``);
        return it as stored afterwards."""
        return self.get(activities.update(self._session, activity_id, fields))

    def complete(self, activity_id: int, report: str | None = None) -> dict[str, Any]:
        """Mark a task done (with a report of what happened); return it."""
        return self.get(activities.complete(self._session, activity_id, report))

    def delete(self, activity_id: int) -> None:
        """Delete an activity (kept in history; ``crm.undo`` brings it back)."""
        activities.delete(self._session, activity_id)

    def get(self, activity_id: int) -> dict[str, Any]:
        """One activity's stored values (deleted ones included)."""
        return activities.fetch(self._session, activity_id)

    def filter(
        self,
        kind: str | None = None,
        contact: Any = None,
        account: Any = None,
        owner: Any = None,
        status: str | Sequence[str] | None = None,
        overdue: bool = False,
        due: Any = None,
    ) -> ActivitySelection:
        """Live activities matching every filter given.

        ``due``: ``"today"``, ``"this week"``, ``"next week"``, ``"this month"`` (UTC
        dates, weeks from Monday) or a ``(start, end)`` pair (end excluded);
        ``overdue=True``: open tasks due before now.
        """
        query = activities.build_query(
            self._session,
            kind=kind,
            contact=contact,
            account=account,
            owner=owner,
            status=status,
            overdue=overdue,
            due=due,
        )
        return ActivitySelection(self._crm, query)

    def all(self) -> ActivitySelection:
        """Every live activity."""
        return self.filter()

    def import_file(
        self,
        path: str | Path,
        *,
        kind: str = "tasks",
        mapping: dict[str, str] | None = None,
        dry_run: bool = False,
    ) -> ActivityImportReport:
        """Import notes or tasks from a CSV or XLSX file (see the README's example).

        Headers map to the activities' fields in English, French or Chinese (``mapping``
        overrides: file header -> field). Each row names its contact by id, email or
        uid (``contact``), or its account (``account``). Rows that break a rule are
        kept in the report's ``rejected`` frame and in ``crm.rejects(batch_id)``.
        """
        return import_activities(self._session, path, kind, mapping, dry_run=dry_run)

    def __len__(self) -> int:
        return len(self.filter())

    def __repr__(self) -> str:
        return f"Activities({len(self)} live)"
