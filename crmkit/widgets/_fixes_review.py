"""The review screen of suggested fixes: :class:`FixesReview`.

It shows what ``crm.<kind>.suggest_fixes()`` proposes, grouped by rule and field with
counts ("Name case — Last name: 1,204"), each group tickable as a whole, over a paged
table of the proposals (record, field, current → proposed, rule) whose rows can be
unticked one by one, with a filter by rule and field and a text search. "Apply ticked"
calls :meth:`Fixes.apply <crmkit._ops._fixes.Fixes.apply>` with exactly the ticked
proposals: one batch, its :class:`~crmkit._ops._bulk.BulkReport` on screen, an Undo
button (``crm.undo`` of that batch). What was applied leaves the list; a proposal whose
stored value changed since it was proposed is not forced: ``Fixes.apply`` skips it, the
status line counts it, and :attr:`FixesReview.stale` lists it.

The screen keeps only the proposals still open, which of them are ticked, the page and
the last batch (for Undo); every change goes through ``Fixes.apply`` and ``crm.undo``,
so anything done here can be typed in a notebook as well.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as ipw
import pandas as pd

from crmkit._exceptions import CRMKitError, UnknownValueError, ValidationError
from crmkit._ops._fixes import FIX_RULES, Fixes, fixable_fields
from crmkit._util._config import config_context, current_lang
from crmkit._util._messages import message
from crmkit.schemas._catalog import table
from crmkit.widgets._inputs import action_button, message_html
from crmkit.widgets._paging import Paged, page_count
from crmkit.widgets._text import check_lang, ui

if TYPE_CHECKING:
    from crmkit._api._crm import CRM
    from crmkit._api._records import _Records
    from crmkit._ops._bulk import BulkReport

__all__ = ["FixesReview"]

PAGE_SIZE = 20
_KEY = ["id", "field"]
_PROPOSAL_COLUMNS = ["id", "field", "current", "proposed", "rule"]
_CELL = "overflow:hidden;text-overflow:ellipsis;white-space:nowrap;padding:2px 6px;"
# Record, field, current → proposed, rule: relative widths of the table's columns.
_WIDTHS = (24, 12, 50, 14)
_CURRENT = "color:#8a1c1c;text-decoration:line-through;text-decoration-color:#c99"
_PROPOSED = "color:#1b6e20;font-weight:600"


@dataclass
class _Row:
    """One line of the table: its tick box, its cells and the proposal shown."""

    checkbox: ipw.Checkbox
    cells: ipw.HTML
    box: ipw.HBox
    key: tuple[int, str] | None = None
    css: str = ""


class FixesReview(Paged, ipw.VBox):
    """Review suggested fixes of stored values, tick those to apply, apply them as one batch.

    Parameters
    ----------
    crm
        The CRM (``crmkit.open(...)``).
    fixes
        What ``crm.contacts.suggest_fixes(...)`` (or ``crm.accounts...``) returned, with
        the ``fields=``, ``rules=`` or ``where=`` you chose; ``None``: the widget asks
        ``crm.<kind>.suggest_fixes()`` for every field and rule.
    lang
        ``"en"``, ``"fr"`` or ``"zh"``; ``None``: the language of ``ck.set_config(lang=...)``.
    kind
        ``"contacts"`` or ``"accounts"``; ``None``: the kind of ``fixes``, or contacts.
    page_size
        Proposals per page of the table.

    Every proposal starts ticked: untick what should stay as it is (a group at once, or
    a row), then "Apply ticked".

    Attributes
    ----------
    fixes
        The :class:`~crmkit._ops._fixes.Fixes` reviewed.
    report
        The :class:`~crmkit._ops._bulk.BulkReport` of the last apply (``None`` before).
    stale
        pandas frame of the proposals the last apply left out because their stored value
        had changed since (``id, field, current, proposed, rule``).
    status
        The line saying what the last action did.
    group_boxes
        ``(rule, field)`` to the tick box of that group.
    filters
        ``rule``, ``field`` (drop-downs) and ``search`` (text: a record's name or a value).
    buttons
        ``apply``, ``undo``, ``tick_shown``, ``untick_shown``, ``previous``, ``next``.

    Frames returned (:attr:`ticked`, :attr:`proposals`, :attr:`groups`, :attr:`stale`)
    are pandas, whichever frame library the CRM's data came from: ``pl.from_pandas``
    turns one into polars.

    Examples
    --------
    >>> import crmkit as ck
    >>> from crmkit.widgets import FixesReview
    >>> crm = ck.open(user="Nicole Bertrand")
    >>> ada = crm.contacts.add(first_name="ADA", last_name="LOVELACE")
    >>> review = FixesReview(crm, lang="fr")
    >>> review.groups[["rule", "field", "count"]].values.tolist()
    [['name_case', 'first_name', 1], ['name_case', 'last_name', 1]]
    >>> review.untick(field="first_name")
    >>> report = review.apply()
    >>> crm.contacts.get(ada)["first_name"], crm.contacts.get(ada)["last_name"]
    ('ADA', 'Lovelace')
    >>> review.proposals[["field", "current", "proposed"]].values.tolist()
    [['first_name', 'ADA', 'Ada']]
    >>> review.undo()
    >>> crm.contacts.get(ada)["last_name"], len(review.proposals)
    ('LOVELACE', 2)
    >>> crm.close()
    """

    def __init__(
        self,
        crm: CRM,
        fixes: Fixes | None = None,
        lang: str | None = None,
        kind: str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(layout=ipw.Layout(max_width="1100px", padding="4px 8px"))
        self.crm = crm
        self.lang = check_lang(lang if lang is not None else current_lang())
        if fixes is not None and kind is not None and table(kind).name != fixes.kind:
            raise ValidationError(f"kind={kind!r} but these fixes are of {fixes.kind}")
        self.kind = fixes.kind if fixes is not None else table(kind or "contacts").name
        self.fixes = fixes if fixes is not None else self._records.suggest_fixes()
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ValidationError(f"page_size must be a whole number >= 1, got {page_size!r}")
        self.page_size = page_size
        self.report: BulkReport | None = None
        self.stale = pd.DataFrame({c: pd.Series([], dtype=object) for c in _PROPOSAL_COLUMNS})
        self._catalog = crm.settings.catalog(self.kind)  # with its custom fields
        self._open = self._with_names(self.fixes.df())
        self._ticked: set[tuple[int, str]] = set(self._keys(self._open))
        # The proposals of the last apply that were written, for Undo to list them again.
        self._last: tuple[int, pd.DataFrame] | None = None
        self._page = 0
        self._rendering = False

        title = html.escape(ui(f"fixes_title_{self.kind}", self.lang))
        self.title = ipw.HTML(f'<h3 style="margin:4px 0">{title}</h3>')
        self.summary = ipw.HTML()
        self.summary.add_class("crmkit-fixes-summary")
        self.group_boxes: dict[tuple[str, str], ipw.Checkbox] = {}
        # Three groups a line: a dozen groups stay a few lines above the table.
        self.group_panel = ipw.GridBox(
            layout=ipw.Layout(grid_template_columns="repeat(3, minmax(0, 1fr))", width="100%")
        )
        self.group_panel.add_class("crmkit-fixes-groups")
        self.filters = self._filter_widgets()
        self.shown_label = ipw.HTML()
        self.shown_label.add_class("crmkit-fixes-shown")
        self.buttons: dict[str, ipw.Button] = {
            "tick_shown": self._button("fixes_tick_shown", "crmkit-fixes-tick-shown",
                                       lambda: self._tick_shown(True)),
            "untick_shown": self._button("fixes_untick_shown", "crmkit-fixes-untick-shown",
                                         lambda: self._tick_shown(False)),
            "previous": self._button("previous", "crmkit-fixes-page-previous",
                                     lambda: self._go(-1)),
            "next": self._button("next", "crmkit-fixes-page-next", lambda: self._go(+1)),
            "apply": self._button("fixes_apply", "crmkit-fixes-apply", self.apply, "success",
                                  n=0),
            "undo": self._button("fixes_undo", "crmkit-fixes-undo", self.undo),
        }  # fmt: skip
        self._rows = [self._new_row() for _ in range(self.page_size)]
        header = ipw.HTML(self._row_html(None), layout=ipw.Layout(flex="1 1 auto", width="100%"))
        header_row = ipw.HBox(
            [ipw.HTML(layout=ipw.Layout(width="28px", margin="0 4px")), header],
            layout=ipw.Layout(align_items="center", border_bottom="2px solid #999"),
        )
        self.empty_note = ipw.HTML()
        self.empty_note.add_class("crmkit-fixes-empty")
        self.table = ipw.VBox([header_row, *(r.box for r in self._rows), self.empty_note])
        self.table.layout = ipw.Layout(width="100%")
        self.table.add_class("crmkit-fixes-table")
        self.page_label = ipw.HTML()
        self.page_label.add_class("crmkit-fixes-page")
        self.status = ipw.HTML()
        self.status.add_class("crmkit-fixes-status")
        self.report_view = ipw.HTML()
        self.report_view.add_class("crmkit-bulk-report")

        groups_title = ipw.HTML(f"<b>{html.escape(ui('fixes_groups', self.lang))}</b>")
        filter_bar = ipw.HBox(
            [self.filters["rule"], self.filters["field"], self.filters["search"]],
            layout=ipw.Layout(align_items="center", grid_gap="8px", flex_flow="row wrap"),
        )
        filter_bar.add_class("crmkit-fixes-filters")
        shown_bar = ipw.HBox(
            [self.shown_label, self.buttons["tick_shown"], self.buttons["untick_shown"]],
            layout=ipw.Layout(align_items="center", grid_gap="8px"),
        )
        paging = ipw.HBox(
            [self.buttons["previous"], self.page_label, self.buttons["next"]],
            layout=ipw.Layout(align_items="center", grid_gap="8px"),
        )
        actions = ipw.HBox([self.buttons["apply"], self.buttons["undo"]])
        actions.add_class("crmkit-fixes-actions")
        self.children = [
            self.title,
            self.summary,
            groups_title,
            self.group_panel,
            filter_bar,
            shown_bar,
            self.table,
            paging,
            actions,
            self.status,
            self.report_view,
        ]
        self.add_class("crmkit-fixes-review")
        self.add_class(f"crmkit-fixes-review-{self.kind}")
        for widget in self.filters.values():
            widget.observe(lambda _change: self._filters_changed(), "value")
        self._rebuild_groups()
        self._render()

    # -- building ----------------------------------------------------------------------

    @property
    def _records(self) -> _Records:
        return self.crm.accounts if self.kind == "accounts" else self.crm.contacts

    def _button(
        self, key: str, css: str, handler: Callable[[], Any], style: str = "", **values: Any
    ) -> ipw.Button:
        words = ui(key, self.lang, **values)
        return action_button(words, css, handler, style, margin="0 4px 0 0")

    def _filter_widgets(self) -> dict[str, ipw.ValueWidget]:
        every = ui("fixes_all", self.lang)
        rules = [r for r in FIX_RULES if r in set(self._open["rule"])]
        fields = [f.name for f in fixable_fields(self.kind) if f.name in set(self._open["field"])]
        rule = ipw.Dropdown(
            options=[(every, ""), *((self._rule_label(r), r) for r in rules)],
            value="",
            description=ui("fixes_filter_rule", self.lang),
            layout=ipw.Layout(width="260px"),
        )
        rule.add_class("crmkit-fixes-filter-rule")
        field = ipw.Dropdown(
            options=[(every, ""), *((self._field_label(f), f) for f in fields)],
            value="",
            description=ui("fixes_filter_field", self.lang),
            layout=ipw.Layout(width="260px"),
        )
        field.add_class("crmkit-fixes-filter-field")
        search = ipw.Text(
            placeholder=ui("fixes_search", self.lang), layout=ipw.Layout(width="260px")
        )
        search.add_class("crmkit-fixes-search")
        return {"rule": rule, "field": field, "search": search}

    def _new_row(self) -> _Row:
        checkbox = ipw.Checkbox(
            value=False, indent=False, layout=ipw.Layout(width="28px", margin="0 4px")
        )
        cells = ipw.HTML(layout=ipw.Layout(flex="1 1 auto", width="100%"))
        box = ipw.HBox(
            [checkbox, cells],
            layout=ipw.Layout(align_items="center", border_bottom="1px solid #eee", display="none"),
        )
        box.add_class("crmkit-fixes-row")
        row = _Row(checkbox, cells, box)
        checkbox.observe(lambda change: self._on_tick(row, bool(change["new"])), "value")
        return row

    def _records_text(self, count: int) -> str:
        """``count`` records in words: "1 contact", "12 comptes"."""
        return ui(f"count_{self.kind}", self.lang, n=f"{count:,}", count=count)

    def _rule_label(self, rule: str) -> str:
        return message(f"fixes_rule_{rule}", self.lang)

    def _field_label(self, name: str) -> str:
        return self._catalog[name].label(self.lang)

    # -- the proposals -----------------------------------------------------------------

    @staticmethod
    def _keys(frame: pd.DataFrame) -> list[tuple[int, str]]:
        return list(zip(frame["id"].astype(int).tolist(), frame["field"].tolist(), strict=True))

    def _names(self, ids: Iterable[int]) -> dict[int, str]:
        """Each record's name (first and last names of a contact, an account's name)."""
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return {}
        columns = ("first_name", "last_name") if self.kind == "contacts" else ("name",)
        frame = self._records.filter(ids=wanted).columns("id", *columns).df()
        rows: list[list[Any]] = frame.astype(object).where(frame.notna(), None).values.tolist()
        return {
            int(row[0]): " ".join(str(v) for v in row[1:] if v is not None and str(v).strip())
            for row in rows
        }

    def _with_names(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with a ``record`` column: "12 — Hélène Blou"."""
        names = self._names(frame["id"])
        frame = frame[_PROPOSAL_COLUMNS].reset_index(drop=True).copy()
        frame.insert(
            1,
            "record",
            [
                f"{i} — {names[i]}" if names.get(i) else str(i)
                for i in frame["id"].astype(int).tolist()
            ],
        )
        return frame

    def _is_ticked(self, frame: pd.DataFrame) -> list[bool]:
        return [key in self._ticked for key in self._keys(frame)]

    @property
    def proposals(self) -> pd.DataFrame:
        """The proposals still open (pandas): ``id, record, field, current, proposed, rule,
        ticked``; ``record`` is the id and the record's name."""
        frame = self._open.copy()
        frame["ticked"] = self._is_ticked(frame)
        return frame

    @property
    def ticked(self) -> pd.DataFrame:
        """The ticked proposals (pandas): ``id, field, current, proposed, rule``, what
        :meth:`apply` writes."""
        frame = self._open[self._is_ticked(self._open)]
        return frame[_PROPOSAL_COLUMNS].reset_index(drop=True)

    @property
    def groups(self) -> pd.DataFrame:
        """One row per rule and field (pandas): ``rule, field, label, count, ticked``.

        In the order of ``Fixes.counts()``: by rule, the largest group first.
        """
        frame = self._open
        if frame.empty:
            return pd.DataFrame(
                {"rule": pd.Series([], dtype=object), "field": pd.Series([], dtype=object),
                 "label": pd.Series([], dtype=object), "count": pd.Series([], dtype="int64"),
                 "ticked": pd.Series([], dtype="int64")}
            )  # fmt: skip
        rows = self._group_rows()
        return pd.DataFrame(
            {
                "rule": [r[0] for r in rows],
                "field": [r[1] for r in rows],
                "label": [self._group_label(*r) for r in rows],
                "count": pd.Series([r[2] for r in rows], dtype="int64"),
                "ticked": pd.Series([r[3] for r in rows], dtype="int64"),
            }
        )

    def _group_rows(self) -> list[tuple[str, str, int, int]]:
        """``(rule, field, proposals, ticked)`` of each group, in :attr:`groups` order."""
        marked = self._open.assign(ticked=self._is_ticked(self._open))
        sizes = marked.groupby(["rule", "field"], sort=False)["ticked"].agg(["size", "sum"])
        rows = [
            (str(rule), str(field), int(size), int(ticked))
            for rule, field, size, ticked in zip(
                sizes.index.get_level_values(0),
                sizes.index.get_level_values(1),
                sizes["size"].tolist(),
                sizes["sum"].tolist(),
                strict=True,
            )
        ]
        rank = {rule: i for i, rule in enumerate(FIX_RULES)}
        return sorted(rows, key=lambda row: (rank[row[0]], -row[2], row[1]))

    def _group_label(self, rule: str, field: str, count: int, ticked: int) -> str:
        key = "fixes_group" if ticked in (0, count) else "fixes_group_partial"
        return ui(
            key,
            self.lang,
            rule=self._rule_label(rule),
            field=self._field_label(field),
            count=f"{count:,}",
            ticked=f"{ticked:,}",
        )

    @property
    def shown(self) -> pd.DataFrame:
        """The open proposals the filters and the search keep (pandas, as :attr:`proposals`)."""
        frame = self.proposals
        rule, field = self.filters["rule"].value, self.filters["field"].value
        if rule:
            frame = frame[frame["rule"] == rule]
        if field:
            frame = frame[frame["field"] == field]
        words = str(self.filters["search"].value).strip().casefold()
        if words:
            text = (
                frame["record"].astype(str) + "\n" + frame["current"].astype(str) + "\n"
                + frame["proposed"].astype(str)
            )  # fmt: skip
            frame = frame[text.str.casefold().str.contains(words, regex=False)]
        return frame

    # -- ticking -----------------------------------------------------------------------

    def _matching(
        self, record_ids: tuple[int, ...], rule: str | None, field: str | None
    ) -> list[tuple[int, str]]:
        if rule is not None and rule not in FIX_RULES:
            raise UnknownValueError("rule", rule, FIX_RULES)
        names = [f.name for f in fixable_fields(self.kind)]
        if field is not None and field not in names:
            raise UnknownValueError("field", field, names)
        frame = self._open
        if record_ids:
            frame = frame[frame["id"].isin([int(i) for i in record_ids])]
        if rule is not None:
            frame = frame[frame["rule"] == rule]
        if field is not None:
            frame = frame[frame["field"] == field]
        return self._keys(frame)

    def tick(self, *record_ids: int, rule: str | None = None, field: str | None = None) -> None:
        """Tick the open proposals of these records, of this rule and of this field.

        Each given criterion narrows: ``tick(rule="name_case", field="last_name")`` ticks
        a group, ``tick(12, 40)`` every proposal of records 12 and 40, ``tick()`` all.

        Raises
        ------
        UnknownValueError
            An unknown rule or field (the message lists the valid ones).
        """
        self._ticked |= set(self._matching(record_ids, rule, field))
        self._render()

    def untick(self, *record_ids: int, rule: str | None = None, field: str | None = None) -> None:
        """Untick the open proposals of these records, rule and field (see :meth:`tick`)."""
        self._ticked -= set(self._matching(record_ids, rule, field))
        self._render()

    def _tick_shown(self, ticked: bool) -> None:
        keys = set(self._keys(self.shown))
        self._ticked = self._ticked | keys if ticked else self._ticked - keys
        self._render()

    def _on_tick(self, row: _Row, ticked: bool) -> None:
        if self._rendering or row.key is None:
            return
        if ticked:
            self._ticked.add(row.key)
        else:
            self._ticked.discard(row.key)
        self._render()

    def _on_group(self, rule: str, field: str, ticked: bool) -> None:
        if self._rendering:
            return
        (self.tick if ticked else self.untick)(rule=rule, field=field)

    # -- applying ----------------------------------------------------------------------

    def apply(self) -> BulkReport | None:
        """Apply exactly the ticked proposals through ``Fixes.apply``: one undoable batch.

        Returns the :class:`~crmkit._ops._bulk.BulkReport` (also in :attr:`report`), or
        ``None`` when nothing is ticked or the fixes were refused (the status line says
        why). Written proposals leave the list; those whose stored value changed since
        they were proposed are left as they are, listed in :attr:`stale` and leave the
        list too (ask ``suggest_fixes()`` again for a fresh proposal).
        """
        chosen = self.ticked
        if chosen.empty:
            self._say(ui("fixes_nothing_ticked", self.lang), "error")
            return None
        try:
            report = self.fixes.apply(chosen)
        except CRMKitError as exc:
            self._say(ui("fixes_failed", self.lang, error=str(exc)), "error")
            return None
        stored = self._stored(chosen)
        written = chosen[[s == p for s, p in zip(stored, chosen["proposed"], strict=True)]]
        self.stale = chosen[[s != p for s, p in zip(stored, chosen["proposed"], strict=True)]]
        self.stale = self.stale.reset_index(drop=True)
        self.report = report
        done = set(self._keys(chosen))
        self._open = self._open[[k not in done for k in self._keys(self._open)]]
        self._open = self._with_names(self._open)  # a fixed name shows as it is now
        self._ticked -= done
        if report.batch_id is not None:
            self._last = (report.batch_id, written.reset_index(drop=True))
        lines = []
        if report.batch_id is not None:
            lines.append(
                ui(
                    "fixes_applied",
                    self.lang,
                    n=f"{len(written):,}",
                    count=len(written),
                    records=self._records_text(written["id"].nunique()),
                    batch=report.batch_id,
                )
            )
        if len(self.stale):
            lines.append(ui("fixes_stale", self.lang, n=f"{len(self.stale):,}"))
        severity = "warning" if len(self.stale) else "ok"
        self.status.value = "<br>".join(message_html(line, severity) for line in lines)
        # Static: a widget runs no script, and the itables bundle belongs to the notebook.
        with config_context(table_display="static", lang=self.lang):
            self.report_view.value = report._repr_html_()
        self._rebuild_groups()
        self._render()
        return report

    def _stored(self, frame: pd.DataFrame) -> list[Any]:
        """The value each proposal's record holds now in the proposal's field."""
        values: dict[tuple[int, str], Any] = {}
        for name in frame["field"].unique().tolist():
            ids = frame.loc[frame["field"] == name, "id"].astype(int).tolist()
            stored = self._records.filter(ids=ids).columns("id", str(name)).df()
            stored = stored.astype(object).where(stored.notna(), None)
            values.update({(int(i), str(name)): v for i, v in stored[["id", name]].values.tolist()})
        return [values.get(key) for key in self._keys(frame)]

    def undo(self) -> None:
        """Undo the last apply with ``crm.undo``: its fixes are back in the list, ticked."""
        if self._last is None:
            self._say(ui("nothing_to_undo", self.lang), "info")
            return
        batch, written = self._last
        try:
            self.crm.undo(batch)
        except CRMKitError as exc:
            self._say(ui("action_failed", self.lang, error=str(exc)), "error")
            return
        self._last = None
        back = pd.concat([self._open[_PROPOSAL_COLUMNS], written], ignore_index=True)
        order = {key: i for i, key in enumerate(self._keys(self.fixes.df()))}
        keys = self._keys(back)
        back = back.iloc[sorted(range(len(back)), key=lambda i: order[keys[i]])]
        self._open = self._with_names(back)
        self._ticked |= set(self._keys(written))
        self.report_view.value = ""
        self._say(ui("fixes_undone", self.lang, batch=batch, n=f"{len(written):,}"), "ok")
        self._rebuild_groups()
        self._render()

    def _say(self, text: str, severity: str) -> None:
        self.status.value = message_html(text, severity)

    # -- drawing -----------------------------------------------------------------------

    def _item_count(self) -> int:
        return len(self.shown)  # the proposals the filters keep

    def _go(self, step: int) -> None:
        self.page = self._page + step

    def _filters_changed(self) -> None:
        self._page = 0
        self._render()

    def _rebuild_groups(self) -> None:
        """One tick box per rule and field still holding proposals."""
        boxes = {}
        for rule, field, _count, _ticked in self._group_rows():
            box = ipw.Checkbox(value=False, indent=False, layout=ipw.Layout(width="auto"))
            box.add_class("crmkit-fixes-group")
            box.add_class(f"crmkit-fixes-group-{rule}-{field}")
            box.observe(
                lambda change, r=rule, f=field: self._on_group(r, f, bool(change["new"])),
                "value",
            )
            boxes[(rule, field)] = box
        self.group_boxes = boxes
        self.group_panel.children = list(boxes.values())

    def _render(self) -> None:
        self._rendering = True
        try:
            for rule, field, count, ticked in self._group_rows():
                box = self.group_boxes.get((rule, field))
                if box is not None:
                    box.value = ticked == count
                    box.description = self._group_label(rule, field, count, ticked)
            shown = self.shown
            self._page = min(self._page, page_count(len(shown), self.page_size) - 1)
            start = self._page * self.page_size
            page = [
                {str(k): v for k, v in record.items()}
                for record in shown.iloc[start : start + self.page_size].to_dict("records")
            ]
            for position, row in enumerate(self._rows):
                if position < len(page):
                    self._show_row(row, page[position])
                else:
                    row.key = None
                    row.box.layout.display = "none"
            if self._open.empty:
                empty = ui("fixes_none", self.lang)
            elif shown.empty:
                empty = ui("fixes_no_match", self.lang)
            else:
                empty = ""
            self.empty_note.value = f"<i>{html.escape(empty)}</i>" if empty else ""
        finally:
            self._rendering = False
        count = len(self._ticked)
        self.summary.value = "<b>{}</b>".format(
            html.escape(
                ui(
                    "fixes_summary",
                    self.lang,
                    n=f"{len(self._open):,}",
                    count=len(self._open),
                    records=self._records_text(self._open["id"].nunique()),
                    ticked=f"{count:,}",
                )
            )
        )
        self.shown_label.value = html.escape(ui("fixes_shown", self.lang, n=f"{len(shown):,}"))
        pages = page_count(len(shown), self.page_size)
        self.page_label.value = html.escape(ui("page", self.lang, page=self._page + 1, pages=pages))
        self.buttons["previous"].disabled = self._page == 0
        self.buttons["next"].disabled = self._page >= pages - 1
        self.buttons["apply"].description = ui("fixes_apply", self.lang, n=f"{count:,}")
        self.buttons["apply"].disabled = count == 0
        self.buttons["undo"].disabled = self._last is None

    def _show_row(self, row: _Row, proposal: dict[str, Any]) -> None:
        key = (int(proposal["id"]), str(proposal["field"]))
        css = f"crmkit-fixes-tick-{key[0]}-{key[1]}"
        if row.css != css:
            if row.css:
                row.checkbox.remove_class(row.css)
            row.checkbox.add_class(css)
            row.css = css
        row.key = key
        row.checkbox.value = key in self._ticked
        row.cells.value = self._row_html(proposal)
        row.box.layout.display = "flex"

    def _row_html(self, proposal: dict[str, Any] | None) -> str:
        cols = "".join(f'<col style="width:{w}%">' for w in _WIDTHS)
        if proposal is None:
            heads = ("fixes_col_id", "fixes_col_field", "fixes_col_proposed", "fixes_col_rule")
            labels = [message(k, self.lang) for k in heads]
            labels[2] = f"{message('fixes_col_current', self.lang)} → {labels[2]}"
            cells = "".join(
                f'<th style="{_CELL}text-align:left">{html.escape(label)}</th>' for label in labels
            )
        else:
            current, proposed = str(proposal["current"]), str(proposal["proposed"])
            # Spaces are what a "spaces" fix is about: show them (· for each one).
            if proposal["rule"] == "spaces":
                current = current.replace(" ", "·")
            change = (
                f'<span class="crmkit-fixes-current" style="{_CURRENT}">'
                f"{html.escape(current)}</span> → "
                f'<span class="crmkit-fixes-proposed" style="{_PROPOSED}">'
                f"{html.escape(proposed)}</span>"
            )
            texts = [
                str(proposal["record"]),
                self._field_label(str(proposal["field"])),
                None,
                self._rule_label(str(proposal["rule"])),
            ]
            cells = "".join(
                f'<td style="{_CELL}" title="{html.escape(t)}">{html.escape(t)}</td>'
                if t is not None
                else f'<td style="{_CELL}" title="{html.escape(f"{current} → {proposed}")}">'
                f"{change}</td>"
                for t in texts
            )
        return (
            '<table class="crmkit-fixes-cells" '
            'style="table-layout:fixed;width:100%;border-collapse:collapse">'
            f"<colgroup>{cols}</colgroup><tr>{cells}</tr></table>"
        )
