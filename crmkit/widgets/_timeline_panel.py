"""The timeline of the record a form shows: :class:`TimelinePanel`.

``crm.contacts.timeline(id)`` / ``crm.accounts.timeline(id)`` drawn as the HTML list a
notebook shows, in the form's language, with the kinds of events to keep (none ticked:
all) and, for an account, its contacts' events on request.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as ipw

from crmkit._exceptions import CRMKitError
from crmkit._ops._timeline import KINDS
from crmkit._util._config import config_context
from crmkit._util._messages import message
from crmkit.widgets._checklist import CheckList
from crmkit.widgets._inputs import message_html
from crmkit.widgets._text import ui

if TYPE_CHECKING:
    from crmkit._api._crm import CRM

__all__ = ["TimelinePanel"]


class TimelinePanel(ipw.VBox):
    """A record's timeline with a filter on the kinds of events.

    Attributes
    ----------
    record_id
        The record shown, or ``None``.
    kinds
        A :class:`~crmkit.widgets._checklist.CheckList` of the kinds kept (none: all).
    with_contacts
        For an account: its contacts' events too (a Checkbox; hidden for contacts).
    view
        The HTML of the timeline.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> cid = crm.contacts.add(last_name="Blou")
    >>> _ = crm.activities.add_note("Met at the fair", contact=cid)
    >>> panel = TimelinePanel(crm, "contacts", "fr")
    >>> panel.show(cid)
    >>> "Met at the fair" in panel.view.value, "2 événements" in panel.view.value
    (True, True)
    >>> panel.kinds.value = ("create",)
    >>> "Met at the fair" in panel.view.value
    False
    >>> crm.close()
    """

    def __init__(self, crm: CRM, kind: str, lang: str) -> None:
        super().__init__(layout=ipw.Layout(width="100%"))
        self.crm = crm
        self.kind = kind
        self.lang = lang
        self.record_id: int | None = None
        options = [(message(f"tl_kind_{k}", lang), k) for k in KINDS]
        self.kinds = CheckList(options, lang=lang, rows=4)
        self.kinds.add_class("crmkit-timeline-kinds")
        self.with_contacts = ipw.Checkbox(
            value=False, description=ui("with_contacts", lang), indent=False
        )
        self.with_contacts.add_class("crmkit-timeline-with-contacts")
        if kind != "accounts":
            self.with_contacts.layout.display = "none"
        self.view = ipw.HTML()
        self.view.add_class("crmkit-timeline-view")
        head = ipw.HTML(f"<b>{html.escape(ui('timeline_kinds', lang))}</b>")
        self.children = [
            ipw.HBox([ipw.VBox([head, self.kinds]), self.with_contacts],
                     layout=ipw.Layout(align_items="flex-start", grid_gap="16px")),
            self.view,
        ]  # fmt: skip
        self.add_class("crmkit-timeline-panel")
        self.kinds.observe(lambda _change: self.refresh(), "value")
        self.with_contacts.observe(lambda _change: self.refresh(), "value")

    def show(self, record_id: int | None) -> None:
        """Show the timeline of ``record_id`` (``None``: say the record is not saved yet)."""
        self.record_id = None if record_id is None else int(record_id)
        self.refresh()

    def refresh(self) -> None:
        """Read the timeline again (after a save or an activity)."""
        if self.record_id is None:
            self.view.value = f"<i>{html.escape(ui('save_first_activities', self.lang))}</i>"
            return
        options: dict[str, Any] = {"kinds": list(self.kinds.value) or None}
        if self.kind == "accounts":
            options["include_contacts"] = bool(self.with_contacts.value)
        records = self.crm.accounts if self.kind == "accounts" else self.crm.contacts
        try:
            with config_context(lang=self.lang):
                timeline = records.timeline(self.record_id, **options)
                self.view.value = timeline._repr_html_()
        except CRMKitError as exc:  # the record went (deleted elsewhere)
            self.view.value = message_html(str(exc), "error")
