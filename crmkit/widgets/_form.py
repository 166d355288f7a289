"""Entry forms: :class:`ContactForm` and :class:`AccountForm`.

A form is a screen over the records API. It reads what is typed, checks it with the same
rules as every other write (the database's required fields, the pandera models) and saves
through ``crm.contacts.add / update / clone`` — one history batch per save, undoable with
``crm.undo``. It keeps nothing but what is on screen: the record shown (``record_id``) and
the batches of its last save, for its Undo button.

Two things keep a busy kernel from changing what is saved:

- A button clicked in the browser acts only once every edit typed before the click has
  reached the kernel (:class:`BrowserSync`): the browser holds a widget's later edits back
  while the kernel is busy with its previous one, but sends a click at once, so without
  this a click can overtake the end of what was typed.
- The duplicate warning's index is built in the background from when the form opens
  (``Duplicates.prepare_index``); until it is ready the panel says so, and no keystroke
  waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import json
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, ClassVar

import ipywidgets as ipw
import pandas as pd

from crmkit._exceptions import CRMKitError, UndoError, ValidationError
from crmkit._util._config import current_lang
from crmkit._util._shorten import shorten
from crmkit.schemas._catalog import Field, Table
from crmkit.widgets._activities_panel import ActivitiesPanel
from crmkit.widgets._inputs import (
    BoolInput,
    FieldInput,
    OwnerInput,
    RefInput,
    action_button,
    build_input,
    message_html,
)
from crmkit.widgets._text import check_lang, reasons_text, rule_message, section_title, ui
from crmkit.widgets._timeline_panel import TimelinePanel

if TYPE_CHECKING:
    from crmkit._api._crm import CRM
    from crmkit._api._records import _Records

__all__ = ["AccountForm", "BrowserSync", "ContactForm", "RecordForm", "SyncedButton"]

SECTION_ORDER = (
    "identity", "company", "contact", "address", "social", "flags", "consent", "custom",
    "other",
)  # fmt: skip
# Stands for an account that the save will create, so that validation sees a link.
_NEW_RECORD_PLACEHOLDER = -1
_MAX_DUPLICATES = 5


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


def _same(f: Field, new: Any, old: Any) -> bool:
    """Whether a prepared form value equals the stored one (no change to write)."""
    if _is_empty(new) and _is_empty(old):
        return True
    if _is_empty(new) or _is_empty(old):
        return False
    if f.kind in ("int", "float") and not isinstance(new, bool):
        try:
            return float(new) == float(old)
        except (TypeError, ValueError):
            return False
    if f.kind == "json":
        try:
            return bool(json.loads(new) == json.loads(old))
        except (TypeError, ValueError):
            return False
    if f.kind == "list":
        return list(new) == list(old)
    return bool(new == old)


class BrowserSync:
    """Run an action once the browser has sent every edit made before the action's click.

    Why it is needed: the browser sends the changes of one widget one message at a time.
    While the kernel has not finished with a widget's last message, later edits of that
    widget wait in the browser (ipywidgets' per-widget throttle) and leave when the kernel
    reports it is idle for that message. A click is a message of another widget and is
    sent at once. On a busy kernel (the first keystroke of a contact form once built the
    duplicate index for 14 s) "Save" therefore arrived before the rest of what was typed,
    and the save stored "S" for "Smith" and "0" for the mobile.

    How: a click from the browser only takes a ticket, and the kernel writes the ticket's
    number in ``ticket``, a widget the page never shows. A link that runs in the browser
    (``jsdlink``) copies it into ``seen``, which the browser sends back like any edit. The
    kernel handles messages in the order they arrive, and it reported idle for every
    message sent before the click before it handled the click; the browser sends each
    held edit as soon as it reads that report, which comes before the ticket. So when the
    ticket comes back in ``seen``, every edit made before the click has arrived, and the
    action runs with what was typed.

    Attributes
    ----------
    ticket
        Kernel to browser: the number of the last action that waits.
    seen
        Browser to kernel: the last number the browser has copied from ``ticket``.
    """

    def __init__(self) -> None:
        self.ticket = ipw.IntText(value=0)
        self.seen = ipw.IntText(value=0)
        self.link = ipw.jsdlink((self.ticket, "value"), (self.seen, "value"))
        self._waiting: list[tuple[int, Callable[[], None]]] = []
        self.seen.observe(self._caught_up, "value")

    @property
    def waiting(self) -> int:
        """How many actions wait for the browser."""
        return len(self._waiting)

    def after_browser_edits(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the browser has sent the edits made until now."""
        number = int(self.ticket.value) + 1
        self._waiting.append((number, action))
        self.ticket.value = number

    def _caught_up(self, change: dict[str, Any]) -> None:
        seen = int(change["new"])
        due = [action for number, action in self._waiting if number <= seen]
        self._waiting = [(n, a) for n, a in self._waiting if n > seen]
        for action in due:
            action()


class SyncedButton(ipw.Button):
    """A Button whose clicks in the browser act once the browser's earlier edits are in.

    ``button.click()`` from Python acts at once: nothing typed in a browser is pending.
    """

    def __init__(self, sync: BrowserSync, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sync = sync

    def _handle_button_msg(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if content.get("event", "") == "click":
            self._sync.after_browser_edits(self.click)


class RecordForm(ipw.VBox):
    """What the contact and account forms share. Use a subclass.

    Attributes
    ----------
    crm
        The CRM the form reads and writes.
    lang
        ``"en"``, ``"fr"`` or ``"zh"``: labels, vocabularies and messages.
    record_id
        The record shown, or ``None`` for a new one.
    inputs
        Field name to the ipywidget the user types in (``inputs["last_name"].value``).
    fields
        Field name to its :class:`~crmkit.widgets._inputs.FieldInput` (label, widget,
        message line).
    buttons
        ``save``, ``save_new``, ``clone``, ``new`` and ``undo``.
    status
        The line that says what the last action did.
    duplicates
        The last answer of ``crm.<kind>.similar`` (empty when none or not available).
    sync
        The :class:`BrowserSync` the buttons wait on.
    activities
        The *Notes & tasks* tab: an :class:`~crmkit.widgets._activities_panel.ActivitiesPanel`
        over the record shown (disabled while there is none); its actions are what the
        Undo button undoes next.
    timeline
        The *Timeline* tab: a :class:`~crmkit.widgets._timeline_panel.TimelinePanel`,
        read again after each save and activity.
    tabs
        The Tab that holds them, below the fields.
    """

    kind: ClassVar[str] = ""
    _create_refs: ClassVar[frozenset[str]] = frozenset()
    _similar_fields: ClassVar[tuple[str, ...]] = ()
    _title_field: ClassVar[str] = ""

    def __init__(self, crm: CRM, lang: str | None = None, record_id: int | None = None) -> None:
        super().__init__(layout=ipw.Layout(max_width="980px", padding="4px 8px"))
        self.crm = crm
        self.lang = check_lang(lang if lang is not None else current_lang())
        self._catalog: Table = crm.settings.catalog(self.kind)  # with its custom fields
        self.record_id: int | None = None
        self.duplicates = pd.DataFrame(
            columns=["id", "display_name", "company", "email", "probability", "explanation"]
        )
        self._loading = False
        self._index_watched: Future[Any] | None = None
        self.sync = BrowserSync()
        self._last_batches: list[int] = []
        self._errors: dict[str, str] = {}
        self._warnings: dict[str, str] = {}
        self._required = set(crm.settings.required_fields(self.kind))

        self.fields: dict[str, FieldInput] = {}
        sections = [self._section(group) for group in self._groups()]
        self._by_field = {fi.field: fi for fi in self.fields.values()}
        self.inputs: dict[str, ipw.DOMWidget] = {k: fi.widget for k, fi in self.fields.items()}

        self.title = ipw.HTML()
        self.title.add_class("crmkit-title")
        self.duplicate_panel = ipw.VBox(
            layout=ipw.Layout(
                display="none", border="1px solid #e0a800", padding="4px 8px", margin="4px 0"
            )
        )
        self.duplicate_panel.add_class("crmkit-duplicates")
        self._pending_note = ipw.HTML(f"<i>{html.escape(ui('duplicates_pending', self.lang))}</i>")
        self._pending_note.add_class("crmkit-duplicates-pending")
        self.buttons = {
            "save": self._button("save", "crmkit-save", self._on_save, "primary"),
            "save_new": self._button("save_new", "crmkit-save-new", self._on_save_new),
            "clone": self._button("clone", "crmkit-clone", self._on_clone),
            "new": self._button("new", "crmkit-new", self._on_new),
            "undo": self._button("undo", "crmkit-undo", self._on_undo),
        }
        self.status = ipw.HTML()
        self.status.add_class("crmkit-status")
        note = ipw.HTML(
            f'<small style="color:#666">{html.escape(ui("required_note", self.lang))}</small>'
        )
        bar = ipw.HBox(list(self.buttons.values()), layout=ipw.Layout(flex_flow="row wrap"))
        bar.add_class("crmkit-buttons")
        self.activities = ActivitiesPanel(
            crm,
            self.kind,
            self.lang,
            on_action=self._activity_done,
            make_button=functools.partial(SyncedButton, self.sync),
        )
        self.timeline = TimelinePanel(crm, self.kind, self.lang)
        self.tabs = ipw.Tab(
            [self.activities, self.timeline],
            titles=(ui("tab_activities", self.lang), ui("tab_timeline", self.lang)),
            layout=ipw.Layout(margin="12px 0 0 0"),
        )
        self.tabs.add_class("crmkit-around")
        # The warning sits just above Save, where the user's eyes are when deciding to
        # save; at the top of a long form it was scrolled out of sight.
        self.children = [
            self.title,
            *sections,
            note,
            self.duplicate_panel,
            bar,
            self.status,
            self.tabs,
        ]
        self.add_class("crmkit-form")
        self.add_class(f"crmkit-{self.kind[:-1]}-form")

        for fi in self.fields.values():
            fi.on_change(self._changed)
        # Start the duplicate index now, in the background, not on the first keystroke.
        with contextlib.suppress(CRMKitError):  # no warning panel then, as in similar()
            self._index_pending()
        if record_id is None:
            self.new()
        else:
            self.load(record_id)

    # -- building ----------------------------------------------------------------------

    @property
    def _records(self) -> _Records:
        return self.crm.accounts if self.kind == "accounts" else self.crm.contacts

    def _shown(self, f: Field) -> bool:
        if f.name in self._required:
            return True
        return f.editable and f.group != "system" and f.kind != "bytes"

    def _groups(self) -> list[str]:
        present = {f.group for f in self._catalog if self._shown(f)}
        extra = sorted(present - set(SECTION_ORDER))
        return [g for g in SECTION_ORDER if g in present] + extra

    def _input(self, f: Field) -> FieldInput:
        """The input of one field; subclasses change a few."""
        return build_input(
            self.crm,
            f,
            self.lang,
            required=f.name in self._required,
            create_refs=f.name in self._create_refs,
        )

    def _section(self, group: str) -> ipw.VBox:
        inputs = []
        for f in self._catalog:
            if not self._shown(f) or f.group != group:
                continue
            fi = self._input(f)
            self.fields[fi.key] = fi
            inputs.append(fi)
        heading = ipw.HTML(
            f'<h4 style="margin:10px 0 2px 0">{html.escape(section_title(group, self.lang))}</h4>'
        )
        if all(isinstance(fi, BoolInput) for fi in inputs):
            body: ipw.Box = ipw.HBox(
                [fi.box for fi in inputs], layout=ipw.Layout(flex_flow="row wrap", width="100%")
            )
            for fi in inputs:
                fi.box.layout.width = "auto"
                fi.box.layout.margin = "0 18px 0 0"
        else:
            for fi in inputs:
                if getattr(fi, "multiline", False):
                    fi.box.layout.grid_column = "1 / span 2"
            body = ipw.GridBox(
                [fi.box for fi in inputs],
                layout=ipw.Layout(
                    grid_template_columns="repeat(2, minmax(0, 1fr))",
                    grid_gap="0px 16px",
                    width="100%",
                ),
            )
        section = ipw.VBox([heading, body], layout=ipw.Layout(width="100%"))
        section.add_class("crmkit-section")
        section.add_class(f"crmkit-section-{group}")
        return section

    def _button(self, key: str, css: str, handler: Any, style: str = "") -> ipw.Button:
        make = functools.partial(SyncedButton, self.sync)
        return action_button(ui(key, self.lang), css, handler, style, make=make)

    # -- public verbs ------------------------------------------------------------------

    @property
    def errors(self) -> dict[str, str]:
        """Field name to the error shown next to it (a value that cannot be saved)."""
        return dict(self._errors)

    @property
    def warnings(self) -> dict[str, str]:
        """Field name to the warning shown next to it (saved, but flagged)."""
        return dict(self._warnings)

    def values(self) -> dict[str, Any]:
        """The keywords a save passes to ``crm.<kind>.add`` (links resolved to ids).

        A link typed as a new name (an account to create) is left out.
        """
        values, _new, _errors = self._read()
        return values

    def new(self) -> None:
        """Show an empty form for a new record (owner: the current user, when an owner)."""
        self._loading = True
        try:
            for fi in self.fields.values():
                if isinstance(fi, OwnerInput):
                    fi.refresh()
                    fi.clear(fi.default())
                else:
                    fi.clear(None)
        finally:
            self._loading = False
        self.record_id = None
        self._errors.clear()
        self._warnings.clear()
        self._hide_duplicates()
        self._refresh_title()
        self._show_around()

    def load(self, record_id: int) -> None:
        """Show a stored record; Save then updates it."""
        record = self._records.get(int(record_id))
        self._loading = True
        try:
            for fi in self.fields.values():
                if isinstance(fi, OwnerInput):
                    fi.refresh()
                fi.set(record.get(fi.field))
                fi.show("", "")
        finally:
            self._loading = False
        self.record_id = int(record_id)
        self._errors.clear()
        self._warnings.clear()
        self._check(list(self.fields))
        self._refresh_title()
        self._update_duplicates()
        self._show_around()

    def save(self) -> int | None:
        """Save what is on screen (same as clicking Save); return the id, ``None`` if refused.

        A new record is created with ``crm.<kind>.add``; a shown record is changed with
        ``crm.<kind>.update`` (only the fields that really change).
        """
        values, new_names, ref_errors = self._read()
        if not self._check_before_write(values, new_names, ref_errors):
            return None
        new = self.record_id is None
        try:
            if self.record_id is None:
                record_id, batches, created, written = self._write_new(values, new_names)
            else:
                record_id, batches, created, written = self._write_changes(values, new_names)
        except CRMKitError as exc:
            self._refused(exc)
            return None
        # The screen shows the record as stored (normalised: the mobile in E.164), also
        # when nothing changed, so that what is on screen is what the database holds.
        self.load(record_id)
        if not batches:
            self._say(ui("unchanged", self.lang), "info")
            return record_id
        self._last_batches = batches
        self._say_saved(self._saved_text(record_id, batches, created), written, new=new)
        return record_id

    def save_and_new(self) -> int | None:
        """Save, then show an empty form (same as clicking Save & New)."""
        record_id = self.save()
        if record_id is not None:
            status = self.status.value
            self.new()
            self.status.value = status
        return record_id

    def clone(self) -> int | None:
        """Create a copy of the shown record with what is on screen (same as clicking Clone).

        Uses ``crm.<kind>.clone(record_id, **changed_fields)``; the form then shows the
        copy. Returns the new id, or ``None`` if refused.
        """
        if self.record_id is None:
            self._say(ui("clone_first", self.lang), "error")
            return None
        source = self.record_id
        values, new_names, ref_errors = self._read()
        if not self._check_before_write(values, new_names, ref_errors):
            return None
        try:
            changes = self._changes(values, new_names)
            new_id = self._records.clone(source, create_account=bool(new_names), **changes)
        except CRMKitError as exc:
            self._refused(exc)
            return None
        batches = [self._latest_batch()]
        self._last_batches = batches
        self.load(new_id)
        text = ui(
            "cloned",
            self.lang,
            what=self._what(),
            What=self._what().capitalize(),
            source=source,
            id=new_id,
            batch=batches[-1],
        )
        self._say_saved(text, [self._field_of(k) for k in changes], new=False)
        return new_id

    def undo(self) -> None:
        """Undo the last save or note/task action of this form with ``crm.undo`` (same as
        clicking Undo)."""
        if not self._last_batches:
            self._say(ui("nothing_to_undo", self.lang), "info")
            return
        batches, self._last_batches = self._last_batches, []
        try:
            self._undo_batches(batches)
        except UndoError as exc:
            self._say(ui("action_failed", self.lang, error=str(exc)), "error")
            return
        if self.record_id is not None and self._records.exists(self.record_id):
            self.load(self.record_id)
        else:
            self.record_id = None  # the record's creation was undone; what was typed stays
            self._refresh_title()
            self._show_around()
        text = ", ".join(str(b) for b in batches)
        self._say(ui("undone", self.lang, batch=text), "ok")

    # -- reading and checking ----------------------------------------------------------

    def _read(self) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
        """(value by field, name to create by link field, error by input key)."""
        values: dict[str, Any] = {}
        new_names: dict[str, str] = {}
        ref_errors: dict[str, str] = {}
        for fi in self.fields.values():
            if isinstance(fi, RefInput):
                ref = fi.resolve()
                values[fi.field] = ref.id
                if ref.new_name is not None:
                    new_names[fi.field] = ref.new_name
                if ref.error is not None:
                    ref_errors[fi.key] = ref.error
            else:
                values[fi.field] = fi.get()
        return values, new_names, ref_errors

    def _prepared(self, values: dict[str, Any]) -> dict[str, Any]:
        return self._records.prepare(**values)

    def _failures(self, values: dict[str, Any], only: str | None = None) -> pd.DataFrame:
        """Failure cases for the typed values: the whole row, or one field."""
        prepared = self._prepared(values if only is None else {only: values[only]})
        return self._records.check(prepared, only=only).failure_cases

    def _check(self, keys: Iterable[str]) -> None:
        """Validate and show the messages of the inputs ``keys`` (all: the whole row)."""
        keys = list(keys)
        values, new_names, ref_errors = self._read()
        for field in new_names:
            values[field] = _NEW_RECORD_PLACEHOLDER
        whole = len(keys) == len(self.fields)
        if whole:
            failures = self._failures(values)
        else:
            frames = [self._failures(values, self.fields[k].field) for k in keys]
            failures = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        self._show(failures, keys, new_names, ref_errors)

    def _check_before_write(
        self, values: dict[str, Any], new_names: dict[str, str], ref_errors: dict[str, str]
    ) -> bool:
        checked = dict(values)
        for field in new_names:
            checked[field] = _NEW_RECORD_PLACEHOLDER
        failures = self._failures(checked)
        self._show(failures, list(self.fields), new_names, ref_errors)
        if self._errors:
            # A required field the form does not show has no line of its own: name it here.
            hidden = [f"{k}: {m}" for k, m in self._errors.items() if k not in self.fields]
            self._say("; ".join([ui("fix_fields", self.lang), *hidden]), "error")
            return False
        return True

    def _show(
        self,
        failures: pd.DataFrame,
        keys: Iterable[str],
        new_names: dict[str, str] | None = None,
        ref_errors: dict[str, str] | None = None,
    ) -> None:
        errors: dict[str, str] = {}
        warnings: dict[str, str] = {}
        elsewhere: dict[str, str] = {}
        for row in failures.itertuples(index=False):
            fi = self._by_field.get(str(row.field))
            if fi is None:
                if row.severity == "error":
                    elsewhere.setdefault(str(row.field), rule_message(str(row.check), self.lang))
                continue
            target = errors if row.severity == "error" else warnings
            target.setdefault(fi.key, rule_message(str(row.check), self.lang))
        errors.update(ref_errors or {})
        for key in [k for k in self._errors if k not in self.fields]:
            del self._errors[key]
        new_keys = {self._by_field[f].key for f in (new_names or {})}
        for key in keys:
            fi = self.fields[key]
            self._errors.pop(key, None)
            self._warnings.pop(key, None)
            if key in errors:
                self._errors[key] = errors[key]
                fi.show(errors[key], "error")
            elif key in warnings:
                self._warnings[key] = warnings[key]
                fi.show(warnings[key], "warning")
            elif key in new_keys:
                fi.show(ui("will_create", self.lang), "info")
            else:
                fi.show("", "")
        self._errors.update(elsewhere)

    def _changed(self, fi: FieldInput) -> None:
        if self._loading:
            return
        self._check([fi.key])
        if fi.field in self._similar_fields:
            self._update_duplicates()

    # -- writing -----------------------------------------------------------------------

    # A link typed as a new name goes to the facade under its name keyword, which creates
    # the account in the record's own batch: one save, one batch, one undo.
    _NAME_KEYWORDS: ClassVar[dict[str, str]] = {"account_id": "account"}

    def _by_name(self, new_names: dict[str, str]) -> dict[str, str]:
        return {self._NAME_KEYWORDS[field]: name for field, name in new_names.items()}

    def _created(self, record_id: int, new_names: dict[str, str]) -> dict[str, int]:
        """The ids of the records created for ``new_names``, read from the saved record."""
        if not new_names:
            return {}
        record = self._records.get(record_id)
        return {field: int(record[field]) for field in new_names}

    def _write_new(
        self, values: dict[str, Any], new_names: dict[str, str]
    ) -> tuple[int, list[int], dict[str, int], list[str]]:
        """Add the record; return its id, the batches, the accounts created, the fields."""
        keywords = {k: v for k, v in values.items() if v is not None and k not in new_names}
        record_id = self._records.add(
            create_account=bool(new_names), **keywords, **self._by_name(new_names)
        )
        created = self._created(record_id, new_names)
        return record_id, [self._latest_batch()], created, [*keywords, *new_names]

    def _changes(self, values: dict[str, Any], new_names: dict[str, str]) -> dict[str, Any]:
        """The fields that differ from the stored record, new names by their keyword."""
        assert self.record_id is not None
        current = self._records.get(self.record_id)
        prepared = self._prepared(values)
        changes = {
            name: values[name]
            for name in values
            if name not in new_names
            and not _same(self._catalog[name], prepared[name], current[name])
        }
        changes.update(self._by_name(new_names))
        return changes

    def _write_changes(
        self, values: dict[str, Any], new_names: dict[str, str]
    ) -> tuple[int, list[int], dict[str, int], list[str]]:
        """Update the changed fields; return the id, batches, accounts created, fields."""
        assert self.record_id is not None
        changes = self._changes(values, new_names)
        if not changes:
            return self.record_id, [], {}, []
        self._records.update(self.record_id, create_account=bool(new_names), **changes)
        created = self._created(self.record_id, new_names)
        written = [self._field_of(k) for k in changes]
        return self.record_id, [self._latest_batch()], created, written

    def _field_of(self, keyword: str) -> str:
        names = {v: k for k, v in self._NAME_KEYWORDS.items()}
        return names.get(keyword, keyword)

    def _latest_batch(self) -> int:
        return int(self.crm.batches(limit=1)["id"].iloc[0])

    def _undo_batches(self, batches: list[int]) -> None:
        for batch in reversed(batches):
            self.crm.undo(batch)

    def _refused(self, exc: CRMKitError) -> None:
        cases = exc.failure_cases if isinstance(exc, ValidationError) else None
        if cases is not None and not cases.empty:
            self._show(
                cases, [self._by_field[f].key for f in cases["field"] if f in self._by_field]
            )
        self._say(ui("not_saved", self.lang, error=str(exc)), "error")

    # -- display -----------------------------------------------------------------------

    def _what(self) -> str:
        return ui(f"{self.kind[:-1]}_word", self.lang)

    def _saved_text(self, record_id: int, batches: list[int], created: dict[str, int]) -> str:
        what = self._what()
        if created:
            return ui(
                "saved_with_account",
                self.lang,
                what=what,
                What=what.capitalize(),
                id=record_id,
                batch=batches[-1],
                account=", ".join(str(i) for i in created.values()),
            )
        return ui(
            "saved", self.lang, what=what, What=what.capitalize(), id=record_id, batch=batches[-1]
        )

    def _say(self, text: str, severity: str) -> None:
        self.status.value = message_html(text, severity)

    def _say_saved(self, text: str, fields: Iterable[str], *, new: bool) -> None:
        """Say what was saved, then the values stored, as the form now shows them."""
        stored = self._stored_text(fields, new=new)
        line = message_html(text, "ok")
        if stored:
            line += "<br>" + message_html(stored, "ok")
        alerts = self.crm.last_alerts  # the duplicate rules' matches of this save
        if alerts:
            shown = "; ".join(str(a) for a in alerts[:3])
            line += "<br>" + message_html(ui("duplicate_alert", self.lang, alerts=shown), "warning")
        self.status.value = line

    def _stored_text(self, fields: Iterable[str], *, new: bool) -> str:
        """``Stored values: Last name = 'Smith'; Mobile = '+33625341257'`` for ``fields``.

        Read from the inputs once the stored record is loaded in them, so the line names
        the values the database holds, not those typed. A new record's flags left at
        their default are not listed.
        """
        wanted = set(fields)
        parts = []
        for fi in self.fields.values():
            if fi.field not in wanted:
                continue
            f = self._catalog[fi.field]
            if new and f.kind == "bool" and fi.get() == bool(f.default):
                continue
            shown = fi.display()
            text = ui("none_choice", self.lang) if shown is None else shorten(shown)
            parts.append(f"{fi.caption} = {text}")
        return ui("stored", self.lang, values="; ".join(parts)) if parts else ""

    def _refresh_title(self) -> None:
        kind = self.kind[:-1]
        if self.record_id is None:
            text = ui(f"new_{kind}", self.lang)
        else:
            text = ui(f"edit_{kind}", self.lang, id=self.record_id)
            name = self._display_name()
            if name:
                text += f" — {name}"
        self.title.value = f'<h3 style="margin:4px 0">{html.escape(text)}</h3>'
        self.buttons["clone"].disabled = self.record_id is None

    def _display_name(self) -> str:
        fi = self.fields.get(self._title_field)
        return str(fi.get() or "") if fi is not None else ""

    # -- notes, tasks and timeline -----------------------------------------------------

    def _show_around(self) -> None:
        """Show the record's activities and timeline (none while no record is loaded)."""
        self.activities.show(self.record_id)
        self.timeline.show(self.record_id)

    def _activity_done(self, batch: int) -> None:
        """An action of the Notes & tasks tab: Undo undoes it next; the timeline shows it."""
        self._last_batches = [batch]
        self.timeline.refresh()

    # -- likely duplicates -------------------------------------------------------------

    def _similar_query(self) -> dict[str, Any]:
        query = {}
        for name in self._similar_fields:
            fi = self._by_field.get(name)
            if fi is not None and fi.get() is not None:
                query[name] = fi.get()
        return query

    def _hide_duplicates(self) -> None:
        self.duplicates = self.duplicates.iloc[0:0]
        self.duplicate_panel.children = ()
        self.duplicate_panel.layout.display = "none"

    def refresh_duplicates(self, wait: bool = False) -> None:
        """List the likely duplicates of what is typed now.

        The form does it as the fields change, and again when the duplicate index it
        builds in the background is ready (in a notebook). ``wait=True`` waits for that
        index first (a script has no event loop to be told when it is ready).
        """
        if wait:
            with contextlib.suppress(CRMKitError):  # the panel is hidden below
                pending = self._records.prepare_similar()
                while pending is not None:  # a build; then any change since it began
                    pending.result()
                    pending = self._records.prepare_similar()
        self._update_duplicates()

    def _index_pending(self) -> Future[Any] | None:
        """Start (or follow) the background build of the duplicate index; ``None`` if ready."""
        pending = self._records.prepare_similar()
        if pending is not None:
            self._watch_index(pending)
        return pending

    def _watch_index(self, pending: Future[Any]) -> None:
        """Refresh the panel when the background build ends, on the kernel's own thread."""
        if pending is self._index_watched:
            return
        self._index_watched = pending
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop (a script): the next change or refresh_duplicates()

        def built(_done: Future[Any]) -> None:
            # Called on the builder thread. The database connection and the widgets are
            # the kernel thread's: the refresh is handed to its event loop, which runs it
            # between two messages, never during one.
            with contextlib.suppress(RuntimeError):  # the loop is closed: kernel gone
                loop.call_soon_threadsafe(self._index_built, pending)

        pending.add_done_callback(built)

    def _index_built(self, pending: Future[Any]) -> None:
        if pending is self._index_watched and not self.crm.closed:
            self._update_duplicates()

    def _show_index_pending(self) -> None:
        self.duplicates = self.duplicates.iloc[0:0]
        self.duplicate_panel.children = (self._pending_note,)
        self.duplicate_panel.layout.display = "flex"

    def _update_duplicates(self) -> None:
        """List the records ``crm.<kind>.similar`` finds for what is typed."""
        finder = getattr(self._records, "similar", None)
        query = self._similar_query()
        if finder is None or not query:
            self._hide_duplicates()
            return
        try:
            if self._index_pending() is not None:
                # similar() would build the index here, blocking the kernel for seconds
                # on a large CRM: say it is coming instead.
                self._show_index_pending()
                return
            found = finder(**query)
        except CRMKitError:
            self._hide_duplicates()
            return
        if self.record_id is not None:
            found = found[found["id"] != self.record_id]
        found = found.head(_MAX_DUPLICATES).reset_index(drop=True)
        if found.empty:
            self._hide_duplicates()
            return
        self.duplicates = found
        heading = ipw.HTML(f"<b>⚠ {html.escape(ui('duplicates', self.lang))}</b>")
        rows: list[ipw.Widget] = [heading]
        for rec in found.to_dict("records"):
            rows.append(self._duplicate_row(rec))
        self.duplicate_panel.children = rows
        self.duplicate_panel.layout.display = "flex"

    def _label_of(self, name: str) -> str:
        """A compared field's label in the form's language (``company``: the account)."""
        if name in self._catalog:
            return self._catalog[name].label(self.lang)
        try:
            return ui(f"col_{name}", self.lang)
        except KeyError:
            return name

    def _duplicate_row(self, rec: dict[str, Any]) -> ipw.HBox:
        record_id = int(rec["id"])
        parts = [
            f"<b>{html.escape(str(rec.get('display_name') or rec.get('name') or ''))}</b>",
            *(
                html.escape(str(rec[c]))
                for c in ("company", "email")
                if c in rec and rec[c] is not None and not pd.isna(rec[c])
            ),
        ]
        probability = rec.get("probability")
        share = f"{float(probability):.0%}" if probability is not None else ""
        reasons = reasons_text(str(rec.get("explanation") or ""), self.lang, self._label_of)
        why = ui("duplicates_why", self.lang, reasons=reasons) if reasons else ""
        text = ipw.HTML(
            f"{' · '.join(parts)} — {share} <small style='color:#555'>{html.escape(why)}</small>",
            layout=ipw.Layout(flex="1 1 auto", min_width="0"),
        )
        # The text shrinks, never the button: squeezed, "Ouvrir" was cut to "O…".
        button = SyncedButton(
            self.sync,
            description=ui("open", self.lang),
            layout=ipw.Layout(width="auto", min_width="fit-content", flex="0 0 auto"),
        )
        button.add_class(f"crmkit-duplicate-open-{record_id}")
        button.on_click(lambda _b: self.load(record_id))
        row = ipw.HBox(
            [text, button], layout=ipw.Layout(align_items="center", width="100%", grid_gap="8px")
        )
        row.add_class("crmkit-duplicate")
        return row

    # -- button handlers ---------------------------------------------------------------

    def _on_save(self) -> None:
        self.save()

    def _on_save_new(self) -> None:
        self.save_and_new()

    def _on_clone(self) -> None:
        self.clone()

    def _on_new(self) -> None:
        self.new()
        self.status.value = ""

    def _on_undo(self) -> None:
        self.undo()


class ContactForm(RecordForm):
    """Enter or edit a contact.

    Parameters
    ----------
    crm
        The CRM (``crmkit.open(...)``).
    lang
        ``"en"``, ``"fr"`` or ``"zh"``: labels, lists and messages; ``None``: the
        language of ``ck.set_config(lang=...)``.
    record_id
        Show this contact; Save then updates it. ``None``: a new contact.

    Examples
    --------
    >>> import crmkit as ck
    >>> from crmkit.widgets import ContactForm
    >>> crm = ck.open(user="Nicole Bertrand")
    >>> form = ContactForm(crm, lang="fr")
    >>> form.inputs["last_name"].value = "Blou"
    >>> form.inputs["mobile"].value = "06 25 34 12 57"
    >>> form.inputs["account_id"].value = "APROOL"          # a new account
    >>> cid = form.save()
    >>> crm.contacts.get(cid).mobile, crm.accounts.get(crm.contacts.get(cid).account_id).name
    ('+33625341257', 'APROOL')
    >>> crm.close()
    """

    kind: ClassVar[str] = "contacts"
    _create_refs: ClassVar[frozenset[str]] = frozenset({"account_id"})
    _similar_fields: ClassVar[tuple[str, ...]] = (
        "first_name",
        "last_name",
        "email",
        "mobile",
        "phone",
        "account_id",
    )
    _title_field: ClassVar[str] = "last_name"

    def _input(self, f: Field) -> FieldInput:
        if f.name == "active":
            # People leave companies; "left the company" is what a user ticks.
            return BoolInput(
                "left_company", f, ui("left_company", self.lang), invert=True, lang=self.lang
            )
        return super()._input(f)

    def _similar_query(self) -> dict[str, Any]:
        query = {k: v for k, v in super()._similar_query().items() if k != "account_id"}
        account = self.fields.get("account_id")
        if account is not None and str(account.widget.value).strip():
            query["company"] = str(account.widget.value).strip()
        return query

    def _display_name(self) -> str:
        first = self.fields["first_name"].get() if "first_name" in self.fields else None
        last = self.fields["last_name"].get() if "last_name" in self.fields else None
        return " ".join(str(p) for p in (first, last) if p)


class AccountForm(RecordForm):
    """Enter or edit an account.

    Parameters
    ----------
    crm
        The CRM (``crmkit.open(...)``).
    lang
        ``"en"``, ``"fr"`` or ``"zh"``: labels, lists and messages; ``None``: the
        language of ``ck.set_config(lang=...)``.
    record_id
        Show this account; Save then updates it. ``None``: a new account.

    Examples
    --------
    >>> import crmkit as ck
    >>> from crmkit.widgets import AccountForm
    >>> crm = ck.open(user="Nicole Bertrand")
    >>> form = AccountForm(crm, lang="zh")
    >>> form.inputs["name"].value = "华信科技"
    >>> form.inputs["sector"].value = "Software"
    >>> form.inputs["annual_revenue"].value = "4,2 M€"
    >>> acc = form.save()
    >>> crm.accounts.get(acc).annual_revenue
    4200000.0
    >>> crm.close()
    """

    kind: ClassVar[str] = "accounts"
    _similar_fields: ClassVar[tuple[str, ...]] = (
        "name",
        "website",
        "email",
        "phone",
        "billing_city",
        "billing_country",
    )
    _title_field: ClassVar[str] = "name"
