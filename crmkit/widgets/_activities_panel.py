"""The notes and tasks of the record a form shows: :class:`ActivitiesPanel`.

A screen over ``crm.activities``: it lists the record's notes and its open and done
tasks, and adds a note, adds a task (subject, type, due date and time, priority, who
follows it up) or marks a task done. Each action is one batch of the facade; the panel
hands the batch to the form (``on_action``), whose Undo button then reverts it.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as ipw
import pandas as pd

from crmkit._exceptions import CRMKitError
from crmkit.schemas._activities import TASK_PRIORITIES, TASK_STATUSES, TASK_TYPES, activity_label
from crmkit.schemas._catalog import table
from crmkit.widgets._inputs import DATE_FORMATS, OwnerInput, action_button, message_html
from crmkit.widgets._text import ui

if TYPE_CHECKING:
    from crmkit._api._crm import CRM

__all__ = ["ActivitiesPanel", "due_value"]

_TIME_FORMAT = "%H:%M"


def due_value(date_text: str, time_text: str, lang: str) -> Any:
    """What the panel passes as ``due``: a date or datetime read in ``lang``, else the text.

    Text that is no date goes to the facade as typed, which refuses it naming the value.

    Examples
    --------
    >>> due_value("09/12/2026", "14:30", "fr")
    datetime.datetime(2026, 12, 9, 14, 30)
    >>> due_value("2026-12-09", "", "fr"), due_value("", "", "en")
    (datetime.date(2026, 12, 9), None)
    >>> due_value("demain", "", "fr")
    'demain'
    """
    date_text, time_text = date_text.strip(), time_text.strip()
    if not date_text and not time_text:
        return None
    pattern = DATE_FORMATS.get(lang, DATE_FORMATS["en"])[0]
    day = None
    for form in (pattern, "%Y-%m-%d"):
        try:
            day = dt.datetime.strptime(date_text, form).date()
            break
        except ValueError:
            continue
    if day is None:
        return f"{date_text} {time_text}".strip()
    if not time_text:
        return day
    try:
        moment = dt.datetime.strptime(time_text, _TIME_FORMAT).time()
    except ValueError:
        return f"{day.isoformat()} {time_text}"
    return dt.datetime.combine(day, moment)


def _choices(vocabulary: Any, lang: str) -> list[tuple[str, str]]:
    return [(term.label(lang), term.value) for term in vocabulary.terms]


def _labelled(label: str, widget: ipw.Widget, width: str = "auto") -> ipw.VBox:
    head = ipw.HTML(f"<b>{html.escape(label)}</b>")
    return ipw.VBox([head, widget], layout=ipw.Layout(width=width, margin="0 12px 4px 0"))


def _text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


class ActivitiesPanel(ipw.VBox):
    """Notes and tasks of one contact or account, with the verbs to add and complete.

    Parameters
    ----------
    crm
        The CRM the panel reads and writes.
    kind
        ``"contacts"`` or ``"accounts"``: whose activities.
    lang
        ``"en"``, ``"fr"`` or ``"zh"``.
    on_action
        Called with the batch of each action (the form keeps it for Undo).
    make_button
        Builds the buttons (the form gives its synced buttons).

    Attributes
    ----------
    record_id
        The record shown; ``None``: nothing to show, every input disabled.
    inputs
        ``note``, ``subject``, ``type``, ``due_date``, ``due_time``, ``priority``,
        ``owner``, ``task`` (the open task to complete) and ``report``.
    buttons
        ``add_note``, ``add_task`` and ``complete``.
    listing
        The HTML list of notes and tasks.
    status
        What the last action did.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open(user="Nicole Bertrand")
    >>> cid = crm.contacts.add(last_name="Blou")
    >>> panel = ActivitiesPanel(crm, "contacts", "fr")
    >>> panel.show(cid)
    >>> panel.inputs["subject"].value = "Rappeler"
    >>> panel.inputs["due_date"].value = "09/12/2026"
    >>> task = panel.add_task()
    >>> crm.activities.get(task)["due_at"]
    datetime.datetime(2026, 12, 9, 0, 0)
    >>> panel.complete(task)
    True
    >>> crm.activities.get(task)["status"]
    'done'
    >>> crm.close()
    """

    def __init__(
        self,
        crm: CRM,
        kind: str,
        lang: str,
        *,
        on_action: Callable[[int], None] | None = None,
        make_button: Callable[..., ipw.Button] = ipw.Button,
    ) -> None:
        super().__init__(layout=ipw.Layout(width="100%"))
        self.crm = crm
        self.kind = kind
        self.lang = lang
        self.record_id: int | None = None
        self._on_action = on_action
        self.owner = OwnerInput(crm, table(kind)["owner_id"], lang)
        placeholder = DATE_FORMATS.get(lang, DATE_FORMATS["en"])[1]
        self.inputs: dict[str, Any] = {
            "note": ipw.Textarea(layout=ipw.Layout(width="100%", height="4em")),
            "subject": ipw.Text(layout=ipw.Layout(width="260px")),
            "type": ipw.Dropdown(options=_choices(TASK_TYPES, lang), value="todo"),
            "due_date": ipw.Text(placeholder=placeholder, layout=ipw.Layout(width="120px")),
            "due_time": ipw.Text(placeholder="hh:mm", layout=ipw.Layout(width="80px")),
            "priority": ipw.Dropdown(options=_choices(TASK_PRIORITIES, lang), value="normal"),
            "owner": self.owner.widget,
            "task": ipw.Dropdown(options=[(ui("none_choice", lang), None)], index=0),
            "report": ipw.Text(layout=ipw.Layout(width="260px")),
        }
        for key in ("type", "priority", "owner", "task"):
            self.inputs[key].layout = ipw.Layout(width="auto")
        for key, widget in self.inputs.items():
            widget.add_class(f"crmkit-activity-{key}")

        def button(key: str, handler: Callable[[], Any]) -> ipw.Button:
            return action_button(ui(key, lang), f"crmkit-{key.replace('_', '-')}", handler,
                                 make=make_button)  # fmt: skip

        self.buttons = {
            "add_note": button("add_note", self.add_note),
            "add_task": button("add_task", self.add_task),
            "complete": button("complete_task", self.complete),
        }
        self.buttons["complete"].add_class("crmkit-complete")
        self.listing = ipw.HTML()
        self.listing.add_class("crmkit-activities-list")
        self.status = ipw.HTML()
        self.status.add_class("crmkit-activities-status")
        self.children = [self.listing, self._note_box(), self._task_box(), self._complete_box(),
                         self.status]  # fmt: skip
        self.add_class("crmkit-activities")
        self.show(None)

    # -- building ----------------------------------------------------------------------

    def _heading(self, key: str) -> ipw.HTML:
        return ipw.HTML(f'<h4 style="margin:10px 0 2px 0">{html.escape(ui(key, self.lang))}</h4>')

    def _row(self, *boxes: ipw.Widget) -> ipw.HBox:
        return ipw.HBox(
            list(boxes), layout=ipw.Layout(flex_flow="row wrap", align_items="flex-end")
        )

    def _note_box(self) -> ipw.VBox:
        # Each child keeps its own width: stretched, the button ran across the panel.
        return ipw.VBox(
            [self._heading("new_note"), self.inputs["note"], self.buttons["add_note"]],
            layout=ipw.Layout(align_items="flex-start", width="100%"),
        )

    def _task_box(self) -> ipw.VBox:
        label = activity_label  # the activities' own column labels
        return ipw.VBox(
            [
                self._heading("new_task"),
                self._row(
                    _labelled(label("subject", self.lang), self.inputs["subject"]),
                    _labelled(label("task_type", self.lang), self.inputs["type"]),
                    _labelled(label("priority", self.lang), self.inputs["priority"]),
                ),
                self._row(
                    _labelled(ui("due_date", self.lang), self.inputs["due_date"]),
                    _labelled(ui("due_time", self.lang), self.inputs["due_time"]),
                    _labelled(label("owner_id", self.lang), self.inputs["owner"]),
                    self.buttons["add_task"],
                ),
            ]
        )

    def _complete_box(self) -> ipw.VBox:
        return ipw.VBox(
            [
                self._heading("complete_task"),
                self._row(
                    _labelled(ui("open_tasks", self.lang), self.inputs["task"]),
                    _labelled(activity_label("report", self.lang), self.inputs["report"]),
                    self.buttons["complete"],
                ),
            ]
        )

    # -- public verbs ------------------------------------------------------------------

    def show(self, record_id: int | None) -> None:
        """Show the activities of ``record_id`` (``None``: none, and disable the panel)."""
        self.record_id = None if record_id is None else int(record_id)
        disabled = self.record_id is None
        for widget in [*self.inputs.values(), *self.buttons.values()]:
            widget.disabled = disabled
        if not disabled:
            self.owner.refresh()
            if self.inputs["owner"].value is None:
                self.owner.clear(self.owner.default())
        self.refresh()

    def refresh(self) -> None:
        """Read the record's notes and tasks again."""
        if self.record_id is None:
            self.listing.value = f"<i>{html.escape(ui('save_first_activities', self.lang))}</i>"
            self._set_open_tasks(pd.DataFrame(columns=["id", "subject", "status", "kind"]))
            return
        records = self.crm.accounts if self.kind == "accounts" else self.crm.contacts
        frame = records.activities(self.record_id).df()
        self.listing.value = self._listing_html(frame)
        self._set_open_tasks(frame)

    def add_note(self) -> int | None:
        """Write the typed note on the record (same as clicking Add note); its id."""
        text = str(self.inputs["note"].value).strip()
        if not text:
            self._say(ui("type_note", self.lang), "error")
            return None
        note = self._act(lambda: self.crm.activities.add_note(text, **self._record()))
        if note is not None:
            self.inputs["note"].value = ""
            self._done("note_added", note)
        return note

    def add_task(self) -> int | None:
        """Create the typed task on the record (same as clicking Add task); its id."""
        subject = str(self.inputs["subject"].value).strip()
        if not subject:
            self._say(ui("type_subject", self.lang), "error")
            return None
        due = due_value(self.inputs["due_date"].value, self.inputs["due_time"].value, self.lang)
        task = self._act(
            lambda: self.crm.activities.add_task(
                subject,
                type=self.inputs["type"].value,
                due=due,
                priority=self.inputs["priority"].value,
                owner=self.inputs["owner"].value,
                **self._record(),
            )
        )
        if task is not None:
            for key in ("subject", "due_date", "due_time"):
                self.inputs[key].value = ""
            self._done("task_added", task)
        return task

    def complete(self, task_id: int | None = None) -> bool:
        """Mark a task done with the typed report (the task picked when ``task_id`` is
        ``None``; same as clicking Mark done); whether it was done."""
        task = task_id if task_id is not None else self.inputs["task"].value
        if task is None:
            self._say(ui("pick_task", self.lang), "error")
            return False
        report = str(self.inputs["report"].value).strip() or None
        done = self._act(lambda: self.crm.activities.complete(int(task), report=report)["id"])
        if done is None:
            return False
        self.inputs["report"].value = ""
        self._done("task_done", int(task))
        return True

    # -- helpers -----------------------------------------------------------------------

    def _record(self) -> dict[str, Any]:
        assert self.record_id is not None
        return {"account" if self.kind == "accounts" else "contact": self.record_id}

    def _act(self, action: Callable[[], Any]) -> Any:
        if self.record_id is None:
            self._say(ui("save_first_activities", self.lang), "error")
            return None
        try:
            return action()
        except CRMKitError as exc:
            self._say(ui("action_failed", self.lang, error=str(exc)), "error")
            return None

    def _done(self, key: str, activity_id: int) -> None:
        batch = self.crm.last_batch_id
        assert batch is not None
        self.refresh()
        self._say(ui(key, self.lang, id=activity_id, batch=batch), "ok")
        if self._on_action is not None:
            self._on_action(batch)

    def _say(self, text: str, severity: str) -> None:
        self.status.value = message_html(text, severity)

    def _set_open_tasks(self, frame: pd.DataFrame) -> None:
        tasks = frame[(frame["kind"] == "task") & (frame["status"] == "open")]
        options: list[tuple[str, int | None]] = [(ui("none_choice", self.lang), None)]
        ids = [int(i) for i in tasks["id"].tolist()]
        options += [(f"{_text(s)} (#{i})", i) for s, i in zip(tasks["subject"], ids, strict=True)]
        widget = self.inputs["task"]
        widget.options = options
        widget.value = options[1][1] if len(options) == 2 else None  # one: picked already

    def _when(self, value: Any) -> str:
        if value is None or pd.isna(value):
            return ""
        moment = pd.Timestamp(value).to_pydatetime()
        day = moment.strftime(DATE_FORMATS.get(self.lang, DATE_FORMATS["en"])[0])
        return day if moment.time() == dt.time() else f"{day} {moment:%H:%M}"

    def _listing_html(self, frame: pd.DataFrame) -> str:
        if frame.empty:
            return f"<i>{html.escape(ui('no_activities', self.lang))}</i>"
        notes = frame[frame["kind"] == "note"]
        tasks = frame[frame["kind"] == "task"]
        parts = []
        if not tasks.empty:
            columns: tuple[str, ...] = (
                "status", "due_at", "task_type", "subject", "priority", "owner_id", "report"
            )  # fmt: skip
            rows = [
                [
                    TASK_STATUSES.label(_text(r.status), self.lang),
                    self._when(r.due_at),
                    TASK_TYPES.label(_text(r.task_type), self.lang),
                    _text(r.subject),
                    TASK_PRIORITIES.label(_text(r.priority), self.lang),
                    _text(r.owner),
                    _text(r.report),
                ]
                for r in tasks.itertuples()
            ]
            css = [f"crmkit-task crmkit-task-{_text(r.status)}" for r in tasks.itertuples()]
            parts.append(self._table("tasks", columns, rows, css))
        if not notes.empty:
            columns = ("created_at", "author", "body")
            rows = [
                [self._when(r.created_at), _text(r.author), _text(r.body)]
                for r in notes.itertuples()
            ]
            parts.append(self._table("notes", columns, rows, ["crmkit-note"] * len(rows)))
        return "".join(parts)

    def _table(
        self, title: str, columns: tuple[str, ...], rows: list[list[str]], css: list[str]
    ) -> str:
        head = "".join(
            f'<th style="text-align:left;padding:2px 8px">'
            f"{html.escape(activity_label(c, self.lang))}</th>"
            for c in columns
        )
        body = "".join(
            f'<tr class="{c}">'
            + "".join(f'<td style="padding:2px 8px">{html.escape(v)}</td>' for v in row)
            + "</tr>"
            for row, c in zip(rows, css, strict=True)
        )
        return (
            f"<h4 style='margin:6px 0 2px 0'>{html.escape(ui(title, self.lang))}</h4>"
            f'<table class="crmkit-{title}-table" style="border-collapse:collapse">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
