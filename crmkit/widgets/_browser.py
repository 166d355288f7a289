"""List screens: :class:`ContactBrowser` and :class:`AccountBrowser`.

A filter panel builds the keywords of ``crm.<kind>.filter(...)``; the table shows one page
of that selection, sorted as the language sorts names (``Selection.sort``'s collation:
"Barré" next to "Barron", case ignored, Chinese by pinyin), in the columns the user
ticked under "Columns", as wide as the user dragged them; the multi-value filters are
tick lists that name what is picked (:class:`~crmkit.widgets._checklist.CheckList`).
The mass actions call the selection's own bulk verbs (``reassign``, ``tag``,
``subscribe``, ``export``, ``export_vcf``, ``deactivate``, ``delete``) on the rows
ticked, and show the
:class:`~crmkit._ops._bulk.BulkReport` they return. The browser keeps only what is on
screen: the filter values, the columns and their widths, the page number and which rows
are ticked.

Resizing a column: each row of the table is its own HTML table (a widget next to its
tick box), so the header's edges carry a small inline handler (ipywidgets' HTML runs no
``<script>``, but it keeps event attributes; no front-end extension is needed). Dragging
an edge widens that column and narrows the next one in every row at once; on release the
handler writes the columns' widths (percent of the table) into a hidden text box, whose
value the kernel receives like any typing and keeps in :attr:`RecordBrowser.column_widths`.
Every later page, sort or filter draws its rows with those widths.
"""

from __future__ import annotations

import datetime
import html
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import ipywidgets as ipw
import pandas as pd

from crmkit._api._selection import LIST_COLUMNS
from crmkit._exceptions import CRMKitError, UnknownValueError, ValidationError
from crmkit._util._config import config_context, current_lang
from crmkit.widgets._checklist import CheckList
from crmkit.widgets._inputs import action_button, message_html, undo_batch
from crmkit.widgets._paging import Paged
from crmkit.widgets._text import check_lang, ui

if TYPE_CHECKING:
    from crmkit._api._crm import CRM
    from crmkit._api._records import _Records
    from crmkit._api._selection import Selection
    from crmkit._ops._bulk import BulkReport

__all__ = ["AccountBrowser", "ContactBrowser", "RecordBrowser"]

PAGE_SIZE = 25
# Relative column widths; the others get 1.
_WIDTHS = {
    "email": 2.2,
    "name": 1.8,
    "company": 1.6,
    "job_title": 1.5,
    "last_name": 1.2,
    "owner": 1.3,
    "billing_country": 0.8,
    "contact_count": 0.7,
}
_CELL = "overflow:hidden;text-overflow:ellipsis;white-space:nowrap;padding:2px 6px;"
# Wrapped cells break lines between words, and inside a word only if it is wider than
# the column (never "Comparais/on").
_CELL_WRAPPED = "overflow:hidden;white-space:normal;overflow-wrap:break-word;padding:2px 6px;"
# The narrowest a column can be dragged to, in pixels.
_MIN_WIDTH_PX = 30
# The drag handler of a header edge (between column ``data-col`` and the next): moves the
# two columns' widths in every row of the table, then writes all widths (percent, by
# column name) into the browser's hidden ``.crmkit-column-widths`` box for the kernel.
_RESIZE_JS = (
    "(function(e){e.preventDefault();e.stopPropagation();"
    "var h=e.currentTarget,i=+h.dataset.col,head=h.closest('table'),"
    "ths=Array.prototype.slice.call(head.querySelectorAll('th')),"
    "total=head.getBoundingClientRect().width,"
    "w=ths.map(function(t){return t.getBoundingClientRect().width;}),"
    "x0=e.clientX,a=w[i],b=w[i+1],root=h.closest('.crmkit-table');"
    "function show(){root.querySelectorAll('table.crmkit-cells').forEach(function(t){"
    "var cs=t.querySelectorAll('col');w.forEach(function(v,k){"
    "if(cs[k]){cs[k].style.width=(100*v/total)+'%';}});});}"
    "function move(ev){var d=Math.max(MIN-a,Math.min(b-MIN,ev.clientX-x0));"
    "w[i]=a+d;w[i+1]=b-d;show();}"
    "function up(){document.removeEventListener('mousemove',move);"
    "document.removeEventListener('mouseup',up);var out={};"
    "ths.forEach(function(t,k){out[t.dataset.column]=Math.round(10000*w[k]/total)/100;});"
    "var box=h.closest('.crmkit-browser').querySelector('.crmkit-column-widths input');"
    "box.value=JSON.stringify(out);"
    "box.dispatchEvent(new Event('input',{bubbles:true}));"
    "box.dispatchEvent(new Event('change',{bubbles:true}));}"
    "document.addEventListener('mousemove',move);document.addEventListener('mouseup',up);"
    "})(event)"
).replace("MIN", str(_MIN_WIDTH_PX))
_HANDLE = (
    "position:absolute;top:0;right:0;width:7px;height:100%;cursor:col-resize;"
    "border-right:2px solid #ccc;box-sizing:border-box;"
)


@dataclass
class _Row:
    """One line of the table: its tick box, its cells, and the record it shows."""

    checkbox: ipw.Checkbox
    cells: ipw.HTML
    box: ipw.HBox
    css: str = ""
    record_id: int | None = None


class RecordBrowser(Paged, ipw.VBox):
    """What the contact and account browsers share. Use a subclass.

    Attributes
    ----------
    filters
        Filter name to its widget: ``search``, ``owner``, ``sector``, ``revenue_band``,
        ``headcount_band`` (tick lists: :class:`~crmkit.widgets._checklist.CheckList`),
        ``archived`` (and ``active`` for contacts).
    column_picker
        The tick list of the columns shown (under "Columns"); ``shown_columns`` reads it.
    wrap
        The "Wrap long text" box: long cells show whole, on several lines.
    report
        The :class:`~crmkit._ops._bulk.BulkReport` of the last mass action.
    buttons
        The mass-action and paging buttons by name.
    """

    kind: ClassVar[str] = ""
    _columns: ClassVar[tuple[str, ...]] = ()
    # Further columns the "Columns" list offers (those of the view only).
    _more_columns: ClassVar[tuple[str, ...]] = ()
    _default_sort: ClassVar[str] = "id"

    def __init__(self, crm: CRM, lang: str | None = None, page_size: int = PAGE_SIZE) -> None:
        super().__init__(layout=ipw.Layout(width="100%", padding="4px 8px"))
        self.crm = crm
        self.lang = check_lang(lang) if lang is not None else current_lang()
        lang = self.lang
        self.page_size = int(page_size)
        self.report: BulkReport | None = None
        self._page = 0
        self._count = 0
        self._picked: set[int] = set()
        self._all_matching = False
        self._rendering = False
        self._last_batch: int | None = None
        # Widths the user gave columns (percent of the table, by column name).
        self._widths: dict[str, float] = {}

        self.filters = self._filter_widgets()
        in_view = set(self._records.all().available_columns())
        choosable = [c for c in (*self._columns, *self._more_columns) if c in in_view]
        self.column_picker = CheckList(
            [(self._label(c), c) for c in choosable], self._columns, lang=lang, rows=8
        )
        self.column_picker.add_class("crmkit-column-picker")
        self.wrap = ipw.Checkbox(value=False, description=ui("wrap_text", lang), indent=False)
        self.wrap.add_class("crmkit-wrap")
        self.sort = ipw.Dropdown(options=self._sort_options(), value=self._default_sort)
        self.sort.layout = ipw.Layout(width="220px")
        self.sort.add_class("crmkit-sort")
        self.count_label = ipw.HTML()
        self.count_label.add_class("crmkit-count")
        self.selected_label = ipw.HTML()
        self.selected_label.add_class("crmkit-selected-count")
        self.buttons: dict[str, ipw.Button] = {}
        self.select_page_box = ipw.Checkbox(
            value=False, indent=False, layout=ipw.Layout(width="28px", margin="0 4px")
        )
        self.select_page_box.add_class("crmkit-select-page")
        self.select_page_box.observe(self._on_select_page, "value")
        self.header = ipw.HTML(
            self._row_html(None), layout=ipw.Layout(flex="1 1 auto", width="100%")
        )
        header_row = ipw.HBox(
            [self.select_page_box, self.header],
            layout=ipw.Layout(align_items="center", border_bottom="2px solid #999"),
        )
        self._rows = [self._new_row(i) for i in range(self.page_size)]
        self.empty_note = ipw.HTML(f"<i>{html.escape(ui('no_records', lang))}</i>")
        # Where the header's drag handler writes the widths (see the module's notes).
        self.width_box = ipw.Text(value="", layout=ipw.Layout(display="none"))
        self.width_box.add_class("crmkit-column-widths")
        self.width_box.observe(self._on_widths_dragged, "value")
        self.table = ipw.VBox(
            [header_row, *(r.box for r in self._rows), self.empty_note, self.width_box]
        )
        self.table.layout = ipw.Layout(width="100%")
        self.table.add_class("crmkit-table")
        self.page_label = ipw.HTML()
        self.page_label.add_class("crmkit-page")

        self.reassign_to = CheckList(self._owner_options(), lang=lang, rows=4)
        self.reassign_to.add_class("crmkit-reassign-to")
        self.tag_name = ipw.Text(placeholder=ui("tag_name", lang), layout=ipw.Layout(width="160px"))
        self.tag_name.add_class("crmkit-tag-name")
        self.list_name = ipw.Text(
            placeholder=ui("list_name", lang), layout=ipw.Layout(width="160px")
        )
        self.list_name.add_class("crmkit-list-name")
        self.export_path = ipw.Text(value=f"{self.kind}.xlsx", layout=ipw.Layout(width="260px"))
        self.export_path.add_class("crmkit-export-path")
        self.report_view = ipw.HTML()
        self.report_view.add_class("crmkit-bulk-report")
        self.confirm_bar = ipw.HBox(layout=ipw.Layout(display="none"))

        self.children = [
            self._filter_panel(),
            self._count_bar(),
            self.table,
            self._paging_bar(),
            self._action_panel(),
            self.confirm_bar,
            self.report_view,
        ]
        self.add_class("crmkit-browser")
        self.add_class(f"crmkit-{self.kind[:-1]}-browser")
        for widget in self.filters.values():
            widget.observe(lambda _change: self._filters_changed(), "value")
        self.sort.observe(lambda _change: self.refresh(), "value")
        self.column_picker.observe(lambda _change: self._columns_changed(), "value")
        self.wrap.observe(lambda _change: self._render(), "value")
        self.refresh()

    # -- building ----------------------------------------------------------------------

    @property
    def _records(self) -> _Records:
        return self.crm.accounts if self.kind == "accounts" else self.crm.contacts

    def _owner_options(self) -> list[tuple[str, int]]:
        owners = self.crm.owners.list(include_inactive=False)
        team = ui("team", self.lang)
        return [
            (str(name) if kind == "user" else f"{name} ({team})", int(owner_id))
            for owner_id, name, kind in zip(
                owners["id"].tolist(), owners["name"].tolist(), owners["kind"].tolist(), strict=True
            )
        ]

    def _filter_widgets(self) -> dict[str, ipw.DOMWidget]:
        lang = self.lang
        sectors = self.crm.settings.sectors
        widgets: dict[str, ipw.DOMWidget] = {
            "search": ipw.Text(value="", placeholder=ui("search", lang)),
            "owner": CheckList(self._owner_options(), lang=lang),
            "sector": CheckList([(t.label(lang), t.value) for t in sectors.terms], lang=lang),
            "revenue_band": CheckList(list(self.crm.settings.bands("revenue").labels), lang=lang),
            "headcount_band": CheckList(
                list(self.crm.settings.bands("headcount").labels), lang=lang
            ),
        }
        if self.kind == "contacts":
            widgets["active"] = ipw.Dropdown(
                options=[
                    (ui("any", lang), None),
                    (ui("active_only", lang), True),
                    (ui("inactive_only", lang), False),
                ],
                index=0,  # not value=None, which would show an empty box
            )
        widgets["archived"] = ipw.Dropdown(
            options=[
                (ui("any", lang), None),
                (ui("archived_only", lang), True),
                (ui("not_archived", lang), False),
            ],
            index=0,
        )
        widgets["search"].add_class("crmkit-search")
        for name, widget in widgets.items():
            widget.add_class(f"crmkit-filter-{name}")
            if not isinstance(widget, CheckList):
                widget.layout = ipw.Layout(width="100%" if name == "search" else "170px")
        return widgets

    def _filter_panel(self) -> ipw.Box:
        titles = {
            "owner": ui("owners", self.lang),
            "sector": ui("sectors", self.lang),
            "revenue_band": ui("revenue_bands", self.lang),
            "headcount_band": ui("headcount_bands", self.lang),
            "active": ui("active", self.lang),
            "archived": ui("archived", self.lang),
        }
        boxes = [
            ipw.VBox([ipw.HTML(f"<b>{html.escape(title)}</b>"), self.filters[name]])
            for name, title in titles.items()
            if name in self.filters
        ]
        sort_box = ipw.VBox([ipw.HTML(f"<b>{html.escape(ui('sort', self.lang))}</b>"), self.sort])
        # Collapsed until opened; the ticked columns stay for the widget's life.
        columns = ipw.Accordion(
            [ipw.VBox([self.column_picker, self.wrap])],
            titles=(ui("columns", self.lang),),
            selected_index=None,
            layout=ipw.Layout(width="260px"),
        )
        columns.add_class("crmkit-columns")
        panel = ipw.VBox(
            [
                self.filters["search"],
                ipw.HBox(
                    [*boxes, sort_box, columns],
                    layout=ipw.Layout(flex_flow="row wrap", grid_gap="4px 12px"),
                ),
            ],
            layout=ipw.Layout(width="100%", margin="0 0 6px 0"),
        )
        panel.add_class("crmkit-filters")
        return panel

    def _count_bar(self) -> ipw.HBox:
        self.buttons["select_all"] = self._button(
            "select_all", "crmkit-select-all", self.select_all, n="0"
        )
        self.buttons["select_none"] = self._button(
            "select_none", "crmkit-select-none", self.clear_selection
        )
        return ipw.HBox(
            [self.count_label, self.selected_label, *self._buttons("select_all", "select_none")],
            layout=ipw.Layout(align_items="center", grid_gap="12px"),
        )

    def _paging_bar(self) -> ipw.HBox:
        self.buttons["previous"] = self._button(
            "previous", "crmkit-page-previous", lambda: self._go(-1)
        )
        self.buttons["next"] = self._button("next", "crmkit-page-next", lambda: self._go(+1))
        return ipw.HBox(
            [self.buttons["previous"], self.page_label, self.buttons["next"]],
            layout=ipw.Layout(align_items="center", grid_gap="8px", margin="4px 0"),
        )

    def _action_panel(self) -> ipw.VBox:
        deactivate_key = f"deactivate_{self.kind}"
        self.buttons["reassign"] = self._button("reassign", "crmkit-action-reassign", self.reassign)
        self.buttons["tag"] = self._button("tag", "crmkit-action-tag", self.tag)
        self.buttons["export_xlsx"] = self._button(
            "export_xlsx", "crmkit-action-export-xlsx", self.export_xlsx
        )
        self.buttons["deactivate"] = self._button(
            deactivate_key, "crmkit-action-deactivate", self.deactivate
        )
        self.buttons["delete"] = self._button(
            "delete", "crmkit-action-delete", self._ask_delete, "danger"
        )
        self.buttons["undo"] = self._button("undo_action", "crmkit-action-undo", self.undo)
        groups: list[ipw.Widget] = [
            self._labelled("reassign_to", self.reassign_to, self.buttons["reassign"]),
            self._labelled("tag_name", self.tag_name, self.buttons["tag"]),
        ]
        exports: list[ipw.Widget] = [self.export_path, self.buttons["export_xlsx"]]
        if self.kind == "contacts":
            self.buttons["subscribe"] = self._button(
                "subscribe", "crmkit-action-subscribe", self.subscribe
            )
            self.buttons["export_vcf"] = self._button(
                "export_vcf", "crmkit-action-export-vcf", self.export_vcf
            )
            groups.append(self._labelled("list_name", self.list_name, self.buttons["subscribe"]))
            exports.append(self.buttons["export_vcf"])
        groups.append(self._labelled("export_path", *exports))
        panel = ipw.VBox(
            [
                ipw.HBox(groups, layout=ipw.Layout(flex_flow="row wrap", grid_gap="4px 18px")),
                ipw.HBox(
                    list(self._buttons("deactivate", "delete", "undo")),
                    layout=ipw.Layout(grid_gap="6px", margin="4px 0"),
                ),
            ],
            layout=ipw.Layout(border_top="1px solid #ccc", padding="6px 0 0 0", margin="6px 0"),
        )
        panel.add_class("crmkit-actions")
        return panel

    def _labelled(self, key: str, *widgets: ipw.Widget) -> ipw.VBox:
        return ipw.VBox(
            [
                ipw.HTML(f"<b>{html.escape(ui(key, self.lang))}</b>"),
                ipw.HBox(list(widgets), layout=ipw.Layout(align_items="flex-start")),
            ]
        )

    def _button(
        self, key: str, css: str, handler: Callable[[], Any], style: str = "", **values: Any
    ) -> ipw.Button:
        words = ui(key, self.lang, **values)
        return action_button(words, css, handler, style, margin="0 4px 0 0")

    def _buttons(self, *keys: str) -> list[ipw.Button]:
        return [self.buttons[k] for k in keys]

    def _new_row(self, position: int) -> _Row:
        checkbox = ipw.Checkbox(
            value=False, indent=False, layout=ipw.Layout(width="28px", margin="0 4px")
        )
        checkbox.observe(lambda change: self._on_tick(position, bool(change["new"])), "value")
        cells = ipw.HTML(layout=ipw.Layout(flex="1 1 auto", width="100%"))
        box = ipw.HBox(
            [checkbox, cells],
            layout=ipw.Layout(align_items="center", border_bottom="1px solid #eee", display="none"),
        )
        box.add_class("crmkit-row")
        return _Row(checkbox, cells, box)

    def _sort_options(self) -> list[tuple[str, str]]:
        options = []
        for column in dict.fromkeys((*self._columns, *self._more_columns)):
            label = self._label(column)
            options += [(f"{label} ↑", column), (f"{label} ↓", f"-{column}")]
        return options

    def _label(self, column: str) -> str:
        tbl = self.crm.settings.catalog(self.kind)  # with its custom fields
        if column in tbl:
            return tbl[column].label(self.lang)
        return ui(f"col_{column}", self.lang)

    # -- the selection -----------------------------------------------------------------

    def filter_keywords(self) -> dict[str, Any]:
        """The keywords of ``crm.<kind>.filter(...)`` that the filter panel stands for.

        Examples
        --------
        >>> import crmkit as ck
        >>> from crmkit.widgets import ContactBrowser
        >>> crm = ck.open()
        >>> browser = ContactBrowser(crm)
        >>> browser.filters["search"].value = "blou"
        >>> browser.filters["active"].value = True
        >>> browser.filter_keywords()
        {'search': 'blou', 'active': True}
        >>> crm.close()
        """
        f = self.filters
        keywords: dict[str, Any] = {}
        text = str(f["search"].value).strip()
        if text:
            keywords["search"] = text
        for name in ("owner", "sector", "revenue_band", "headcount_band"):
            if f[name].value:
                keywords[name] = list(f[name].value)
        if "active" in f and f["active"].value is not None:
            keywords["active"] = f["active"].value
        if f["archived"].value is not None:
            archived = "account_archived" if self.kind == "contacts" else "archived"
            keywords[archived] = f["archived"].value
        return keywords

    @property
    def selection(self) -> Selection:
        """The records the filters match, sorted as shown."""
        keywords = self.filter_keywords()
        return self._records.filter(**keywords).sort(self.sort.value, collation=self.lang)

    @property
    def shown_columns(self) -> list[str]:
        """The columns the table shows, as ticked under "Columns" (in the list's order)."""
        return list(self.column_picker.value)

    @property
    def column_widths(self) -> dict[str, float]:
        """The width of each column shown, in percent of the table (they add up to 100).

        Dragging the edge between two headers sets them; so does assigning a mapping of
        column names to percents (the columns not named share the rest, in proportion).
        They last for the widget's life, across pages, sorts, filters and column choices.

        Examples
        --------
        >>> import crmkit as ck
        >>> from crmkit.widgets import ContactBrowser
        >>> crm = ck.open()
        >>> browser = ContactBrowser(crm)
        >>> browser.column_picker.value = ("last_name", "first_name")
        >>> browser.column_widths
        {'last_name': 54.55, 'first_name': 45.45}
        >>> browser.column_widths = {"first_name": 80, "last_name": 20}
        >>> browser.column_widths
        {'last_name': 20.0, 'first_name': 80.0}
        >>> crm.close()
        """
        shown = self.shown_columns
        weights = self._weights(shown)
        total = sum(weights) or 1.0
        return {c: round(100 * w / total, 2) for c, w in zip(shown, weights, strict=True)}

    @column_widths.setter
    def column_widths(self, widths: dict[str, float]) -> None:
        self._set_widths(widths)

    def _set_widths(self, widths: dict[str, Any]) -> None:
        """Keep these widths (percent; validated first, all or none) and redraw."""
        shown = self.shown_columns
        current = self.column_widths
        given: dict[str, float] = {}
        for column, width in widths.items():
            if column not in shown:
                raise UnknownValueError("column", column, shown)
            try:
                value = float(width)
            except (TypeError, ValueError):
                value = math.nan
            if not (math.isfinite(value) and value > 0):
                raise ValidationError(
                    f"column_widths: the width of {column!r} must be a positive number, "
                    f"got {width!r}"
                )
            given[column] = value
        # Keep the others' share: the new ones are percent of the same table.
        scale = (100 - sum(given.values())) / (
            sum(v for c, v in current.items() if c not in given) or 1.0
        )
        merged = {c: given.get(c, v * scale if scale > 0 else v) for c, v in current.items()}
        total = sum(merged.values()) or 1.0
        self._widths.update({c: 100 * v / total for c, v in merged.items()})
        self._columns_changed()

    def _weights(self, shown: list[str]) -> list[float]:
        """Relative widths of ``shown``: those the user gave, else the defaults, scaled
        so a default column keeps its share next to ones the user sized."""
        defaults = [_WIDTHS.get(c, 1.0) for c in shown]
        total = sum(defaults) or 1.0
        return [self._widths.get(c, 100 * d / total) for c, d in zip(shown, defaults, strict=True)]

    def _on_widths_dragged(self, change: dict[str, Any]) -> None:
        try:
            dragged = json.loads(change["new"] or "{}")
        except ValueError:
            return  # not from the handler: nothing to keep
        if not isinstance(dragged, dict):
            return
        shown = set(self.shown_columns)
        try:
            self._set_widths({c: w for c, w in dragged.items() if c in shown})
        except CRMKitError:
            return  # a stale or odd message from the page: keep the widths as they are

    @property
    def count(self) -> int:
        """How many records the filters match (as of the last refresh)."""
        return self._count

    def _item_count(self) -> int:
        return self._count  # the matching records

    @property
    def selected_ids(self) -> list[int]:
        """Ids of the ticked records (all matching ones after "select all")."""
        if self._all_matching:
            return sorted(self.selection.ids)
        return sorted(self._picked)

    @property
    def checkboxes(self) -> dict[int, ipw.Checkbox]:
        """Record id to its tick box, for the rows of the page shown."""
        return {r.record_id: r.checkbox for r in self._rows if r.record_id is not None}

    def target(self) -> Selection:
        """The ticked records as a selection (what the mass actions act on)."""
        if self._all_matching:
            return self.selection
        return self._records.filter(ids=sorted(self._picked))

    def select_all(self) -> None:
        """Tick every record the filters match, on every page."""
        self._all_matching = True
        self._picked.clear()
        self._render()

    def select_page(self) -> None:
        """Tick the records of the page shown."""
        self.select_page_box.value = True

    def clear_selection(self) -> None:
        """Untick everything."""
        self._all_matching = False
        self._picked.clear()
        self._render()

    def select(self, *record_ids: int) -> None:
        """Tick records by id (as ticking their boxes does)."""
        self._picked.update(int(i) for i in record_ids)
        self._render()

    # -- refreshing --------------------------------------------------------------------

    def _filters_changed(self) -> None:
        self._page = 0
        self._all_matching = False
        self._picked.clear()
        self.refresh()

    def refresh(self) -> None:
        """Count the matching records again and redraw the page (ticks are kept)."""
        try:
            self._count = len(self.selection)
        except CRMKitError as exc:
            self._count = 0
            self.count_label.value = message_html(
                ui("filter_failed", self.lang, error=str(exc)), "error"
            )
            self._show_rows(pd.DataFrame())
            return
        self._page = min(self._page, self.pages - 1)
        self._render()

    def _columns_changed(self) -> None:
        self.header.value = self._row_html(None)
        self._render()

    def _page_frame(self) -> pd.DataFrame:
        extra = ["active"] if self.kind == "contacts" else ["archived"]
        columns = list(dict.fromkeys(["id", *self.shown_columns, *extra]))
        query = self.selection.columns(*columns).query
        offset = self._page * self.page_size
        with self.crm._session.store.operation() as con:
            return con.execute(*query.page_sql(con, offset, self.page_size)).df()

    def _render(self) -> None:
        self._show_rows(self._page_frame())
        key = f"count_{self.kind}"
        self.count_label.value = (
            f"<b>{html.escape(ui(key, self.lang, n=f'{self._count:,}', count=self._count))}</b>"
        )
        picked = self._count if self._all_matching else len(self._picked)
        self.selected_label.value = html.escape(ui("selected", self.lang, n=f"{picked:,}"))
        self.buttons["select_all"].description = ui("select_all", self.lang, n=f"{self._count:,}")
        self.page_label.value = html.escape(
            ui("page", self.lang, page=self._page + 1, pages=self.pages)
        )
        self.buttons["previous"].disabled = self._page == 0
        self.buttons["next"].disabled = self._page >= self.pages - 1

    def _show_rows(self, frame: pd.DataFrame) -> None:
        records = [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
        self._rendering = True
        try:
            for position, row in enumerate(self._rows):
                if position < len(records):
                    record = records[position]
                    record_id = int(record["id"])
                    css = f"crmkit-row-select-{record_id}"
                    if row.css != css:
                        if row.css:
                            row.checkbox.remove_class(row.css)
                        row.checkbox.add_class(css)
                        row.css = css
                    row.record_id = record_id
                    row.checkbox.value = self._is_picked(record_id)
                    row.cells.value = self._row_html(record)
                    row.box.layout.display = "flex"
                else:
                    row.record_id = None
                    row.box.layout.display = "none"
            shown = [r.record_id for r in self._rows if r.record_id is not None]
            self.select_page_box.value = bool(shown) and all(self._is_picked(i) for i in shown)
            self.empty_note.layout.display = "none" if records else "block"
        finally:
            self._rendering = False

    def _is_picked(self, record_id: int) -> bool:
        return self._all_matching or record_id in self._picked

    def _row_html(self, record: dict[str, Any] | None) -> str:
        shown = self.shown_columns
        widths = self._weights(shown)
        total = sum(widths) or 1.0
        cols = "".join(f'<col style="width:{100 * w / total:.2f}%">' for w in widths)
        cell = _CELL_WRAPPED if self.wrap.value else _CELL
        if record is None:
            # Headers wrap rather than cut ("Revenue b…"): every word of a label shows.
            # Each edge but the last is a drag handle (see the module's notes).
            handler = html.escape(_RESIZE_JS)
            cells = "".join(
                f'<th data-column="{html.escape(c)}" style="{_CELL_WRAPPED}'
                f'position:relative;text-align:left;vertical-align:bottom">'
                f"{html.escape(self._label(c))}"
                + (
                    f'<span class="crmkit-col-resize" data-col="{i}" style="{_HANDLE}" '
                    f'onmousedown="{handler}"></span>'
                    if i < len(shown) - 1
                    else ""
                )
                + "</th>"
                for i, c in enumerate(shown)
            )
            style = ""
        else:
            cells = "".join(
                f'<td style="{cell}vertical-align:top" '
                f'title="{html.escape(self._cell(c, record.get(c)))}">'
                f"{html.escape(self._cell(c, record.get(c)))}</td>"
                for c in shown
            )
            faded = record.get("active") is False or record.get("archived") is True
            style = "color:#888;font-style:italic;" if faded else ""
        return (
            '<table class="crmkit-cells" '
            f'style="table-layout:fixed;width:100%;border-collapse:collapse;{style}">'
            f"<colgroup>{cols}</colgroup><tr>{cells}</tr></table>"
        )

    def _cell(self, column: str, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        if isinstance(value, float):
            if math.isnan(value):
                return ""
            return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
        if pd.isna(value):
            return ""
        if isinstance(value, datetime.datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, datetime.date):
            return value.isoformat()
        if column in ("sector", "account_sector"):
            return self.crm.settings.sectors.label(str(value), self.lang)
        return str(value)

    # -- ticking -----------------------------------------------------------------------

    def _on_tick(self, position: int, ticked: bool) -> None:
        if self._rendering:
            return
        record_id = self._rows[position].record_id
        if record_id is None:
            return
        if ticked:
            self._picked.add(record_id)
        else:
            self._leave_all_matching()
            self._picked.discard(record_id)
        self._render()

    def _on_select_page(self, change: dict[str, Any]) -> None:
        if self._rendering:
            return
        shown = {r.record_id for r in self._rows if r.record_id is not None}
        if change["new"]:
            self._picked |= shown
        else:
            self._leave_all_matching()
            self._picked -= shown
        self._render()

    def _leave_all_matching(self) -> None:
        """Turn "all matching" into the explicit ids, so that one can be unticked."""
        if self._all_matching:
            self._picked = set(self.selection.ids)
            self._all_matching = False

    def _go(self, step: int) -> None:
        self.page = self._page + step

    # -- mass actions ------------------------------------------------------------------

    def _act(self, run: Callable[[Selection], BulkReport]) -> BulkReport | None:
        if not self._all_matching and not self._picked:
            self._say(ui("nothing_selected", self.lang), "error")
            return None
        try:
            report = run(self.target())
        except CRMKitError as exc:
            self._say(ui("action_failed", self.lang, error=str(exc)), "error")
            return None
        self.report = report
        self._last_batch = report.batch_id
        # Static: a widget runs no script, and the itables bundle belongs to the notebook.
        with config_context(table_display="static", lang=self.lang):
            self.report_view.value = report._repr_html_()
        self.refresh()
        return report

    def _say(self, text: str, severity: str) -> None:
        self.report_view.value = message_html(text, severity)

    def reassign(self) -> BulkReport | None:
        """Give the ticked records to the owner(s) picked in "Reassign to" (round-robin)."""
        owners = list(self.reassign_to.value)
        if not owners:
            self._say(ui("pick_owner", self.lang), "error")
            return None
        return self._act(lambda sel: sel.reassign(to=owners))

    def tag(self) -> BulkReport | None:
        """Add the tag typed in "Tag" to the ticked records."""
        name = str(self.tag_name.value).strip()
        if not name:
            self._say(ui("give_name", self.lang), "error")
            return None
        return self._act(lambda sel: sel.tag(name))

    def subscribe(self) -> BulkReport | None:
        """Subscribe the ticked contacts to the mailing list typed in "Mailing list"."""
        name = str(self.list_name.value).strip()
        if not name:
            self._say(ui("give_name", self.lang), "error")
            return None
        return self._act(lambda sel: sel.subscribe(name))

    def deactivate(self) -> BulkReport | None:
        """Contacts: mark the ticked ones as having left; accounts: archive them."""
        return self._act(lambda sel: sel.deactivate())

    def delete(self) -> BulkReport | None:
        """Soft-delete the ticked records (the Delete button asks for confirmation first)."""
        self.confirm_bar.layout.display = "none"
        report = self._act(lambda sel: sel.delete())
        if report is not None:
            self._picked.clear()
            self._all_matching = False
            self.refresh()
        return report

    def _ask_delete(self) -> None:
        n = self._count if self._all_matching else len(self._picked)
        if n == 0:
            self._say(ui("nothing_selected", self.lang), "error")
            return
        confirm = self._button(
            "confirm_delete", "crmkit-action-delete-confirm", self.delete, "danger", n=f"{n:,}"
        )
        cancel = self._button("cancel", "crmkit-action-delete-cancel", self._cancel_delete)
        self.confirm_bar.children = [confirm, cancel]
        self.confirm_bar.layout.display = "flex"

    def _cancel_delete(self) -> None:
        self.confirm_bar.layout.display = "none"
        self.confirm_bar.children = ()

    def export_xlsx(self) -> Path | None:
        """Write the ticked records to the XLSX file named in "Export to"."""
        path = self._export_target(".xlsx")
        if path is None:
            return None
        try:
            result = self.target().export(path, lang=self.lang)
        except CRMKitError as exc:
            self._say(ui("action_failed", self.lang, error=str(exc)), "error")
            return None
        self._say(ui("exported", self.lang, n=f"{result.rows:,}", path=result.path), "ok")
        return Path(result.path)

    def export_vcf(self) -> Path | None:
        """Write the ticked contacts as vCards next to "Export to" (``.zip``: one card each)."""
        path = self._export_target(".vcf")
        if path is None:
            return None
        target = self.target()
        try:
            written = target.export_vcf(path, zip=path.suffix.lower() == ".zip")
        except CRMKitError as exc:
            self._say(ui("action_failed", self.lang, error=str(exc)), "error")
            return None
        self._say(ui("exported", self.lang, n=f"{written.rows:,}", path=written.path), "ok")
        return written.path

    def _export_target(self, suffix: str) -> Path | None:
        if not self._all_matching and not self._picked:
            self._say(ui("nothing_selected", self.lang), "error")
            return None
        text = str(self.export_path.value).strip() or f"{self.kind}{suffix}"
        path = Path(text).expanduser()
        if not (suffix == ".vcf" and path.suffix.lower() == ".zip"):
            path = path.with_suffix(suffix)
        return path.resolve()

    def undo(self) -> None:
        """Undo the last mass action with ``crm.undo``."""
        if self._last_batch is None:
            self._say(ui("nothing_to_undo", self.lang), "info")
            return
        batch, self._last_batch = self._last_batch, None
        if undo_batch(self.crm, batch, self.lang, self._say):
            self.refresh()


class ContactBrowser(RecordBrowser):
    """Find contacts, tick them, and act on them in bulk.

    Parameters
    ----------
    crm
        The CRM (``crmkit.open(...)``).
    lang
        ``"en"``, ``"fr"`` or ``"zh"``; default: the language in force
        (``ck.set_config(lang=...)``).
    page_size
        Rows per page.

    Examples
    --------
    >>> import crmkit as ck
    >>> from crmkit.widgets import ContactBrowser
    >>> crm = ck.open(user="Nicole Bertrand")
    >>> marc = crm.owners.add("Marc Durand")
    >>> ids = [crm.contacts.add(last_name=n) for n in ("Blou", "Durand", "Martin")]
    >>> browser = ContactBrowser(crm)
    >>> browser.filters["search"].value = "blou"
    >>> browser.count
    1
    >>> browser.select_all()
    >>> browser.reassign_to.value = (marc,)
    >>> browser.reassign().changed
    1
    >>> crm.close()
    """

    kind: ClassVar[str] = "contacts"
    _columns: ClassVar[tuple[str, ...]] = (
        "last_name",
        "first_name",
        "company",
        "job_title",
        "email",
        "mobile",
        "owner",
    )
    _more_columns: ClassVar[tuple[str, ...]] = (
        "salutation",
        "department",
        "phone",
        "city",
        "postal_code",
        "country",
        "account_sector",
        "revenue_band",
        "headcount_band",
        "tags",
        "created_at",
        "updated_at",
    )
    _default_sort: ClassVar[str] = "last_name"


class AccountBrowser(RecordBrowser):
    """Find accounts, tick them, and act on them in bulk.

    Parameters
    ----------
    crm
        The CRM (``crmkit.open(...)``).
    lang
        ``"en"``, ``"fr"`` or ``"zh"``; default: the language in force
        (``ck.set_config(lang=...)``).
    page_size
        Rows per page.

    Examples
    --------
    >>> import crmkit as ck
    >>> from crmkit.widgets import AccountBrowser
    >>> crm = ck.open()
    >>> _ = crm.accounts.add(name="APROOL", employees=85)
    >>> browser = AccountBrowser(crm, lang="fr")
    >>> browser.filters["headcount_band"].value = ("51-200",)
    >>> browser.count
    1
    >>> crm.close()
    """

    kind: ClassVar[str] = "accounts"
    # The accounts list of the Selection display (the id is shown apart).
    _columns: ClassVar[tuple[str, ...]] = tuple(c for c in LIST_COLUMNS["accounts"] if c != "id")
    _more_columns: ClassVar[tuple[str, ...]] = (
        "website",
        "phone",
        "email",
        "annual_revenue",
        "employees",
        "billing_postal_code",
        "parent",
        "tags",
        "created_at",
        "updated_at",
    )
    _default_sort: ClassVar[str] = "name"
