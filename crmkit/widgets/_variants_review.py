"""The spelling variants review screen: :class:`VariantsReview`.

OpenRefine's "Cluster and edit" dialog over ``crm.<kind>.variants(field)``: one line per
cluster with a "merge?" tick box, the variants and their counts (a click on one makes it
the new value), the method that found them and the new value, editable. "Merge ticked"
is one call a notebook user could type, ``variants.replace({cluster: value, ...})``: one
batch that ``crm.undo`` reverts. After a merge or an undo the field is clustered anew
(``variants.recluster()``), so the list always says what the database holds: merged
clusters leave it, undone ones come back. The screen keeps only the page shown, the
clusters ticked, the values typed and the batch of its last merge, for its Undo button.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as ipw
import pandas as pd
import polars as pl

from crmkit._exceptions import CRMKitError, ValidationError
from crmkit._util._config import config_context, current_lang
from crmkit._util._messages import kind_noun, message
from crmkit._util._shorten import shorten
from crmkit.schemas._catalog import table
from crmkit.widgets._inputs import action_button, message_html, undo_batch
from crmkit.widgets._paging import Paged
from crmkit.widgets._text import check_lang, ui

if TYPE_CHECKING:
    from crmkit._api._crm import CRM
    from crmkit._api._selection import Selection
    from crmkit._normalize._variants import Cluster
    from crmkit._ops._bulk import BulkReport
    from crmkit._ops._variants import Variants

__all__ = ["VariantsReview"]

_COLUMNS = ("cluster", "merge", "values", "count", "variants", "method", "new_value")
# Tick box, variants, records, method, new value.
_GRID = "64px minmax(0, 3fr) 72px minmax(0, 1fr) minmax(0, 2fr)"
_SEPARATOR = " · "


def _key(cluster: Cluster) -> frozenset[str]:
    """What a cluster is across reclustering: its values (ticks and edits follow them)."""
    return frozenset(value for value, _ in cluster.values)


def _shown(value: str) -> str:
    """A value as a button shows it: every space kept ("a  b" is not "a b")."""
    return value.replace(" ", "\u00a0")


def values_text(cluster: Cluster) -> str:
    """The variants of a cluster with their counts, most frequent first.

    Examples
    --------
    >>> from crmkit._normalize._variants import Cluster
    >>> values_text(Cluster((("Directeur commercial", 412), ("Dir. commercial", 5)),
    ...                     "Directeur commercial"))
    'Directeur commercial (412) · Dir. commercial (5)'
    """
    return _SEPARATOR.join(f"{value} ({count:,})" for value, count in cluster.values)


class VariantsReview(Paged, ipw.VBox):
    """Review spelling variants cluster by cluster, edit the new value, merge in one batch.

    Parameters
    ----------
    crm
        The CRM (``crmkit.open(...)``).
    variants
        What ``crm.contacts.variants(field)`` (or ``crm.accounts...``) returned, or the
        kind (``"contacts"``, ``"accounts"``): the widget then clusters ``field``.
    field
        With a kind: the text field to cluster (``job_title``, ``city``,
        ``custom.<key>``).
    lang
        ``"en"``, ``"fr"`` or ``"zh"``: labels, buttons and messages; ``None``: the
        language of ``ck.set_config(lang=...)``.
    method
        The clustering method to start with (see ``Variants.methods``); ``None``: the
        one ``variants`` used, fingerprint for a kind and field. The method selector
        clusters again.
    where
        With a kind: a selection of those records (``crm.contacts.filter(...)``).
    language
        With a kind: ``en`` or ``fr`` for the phonetic method; ``None``: French when
        ``lang`` is French, English otherwise.
    page_size
        Clusters on one page.

    Attributes
    ----------
    variants
        The :class:`~crmkit._ops._variants.Variants` shown (clustered anew after each
        merge, undo or change of method).
    report
        The :class:`~crmkit._ops._bulk.BulkReport` of the last merge, ``None`` before one.
    status
        The line that says what the last action did.
    method
        The method selector; ``buttons``: ``merge``, ``undo``, ``tick_page``,
        ``untick``, ``previous``, ``next``.

    Ticks and typed values belong to a cluster's values: they stay with the cluster
    when the list is clustered again, as long as the cluster is the same. Typing a new
    value ticks its cluster.

    Examples
    --------
    >>> import crmkit as ck
    >>> from crmkit.widgets import VariantsReview
    >>> crm = ck.open(user="Nicole Bertrand")
    >>> for title in ["Directeur commercial", "Directeur commercial", "DIRECTEUR COMMERCIAL",
    ...               "Dir. commercial", "Chef de projet", "chef de projet"]:
    ...     _ = crm.contacts.add(last_name="Blou", job_title=title)
    >>> review = VariantsReview(crm, "contacts", "job_title", lang="fr")
    >>> review.clusters[["cluster", "values", "new_value"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [[1, 'Directeur commercial (2) · DIRECTEUR COMMERCIAL (1)', 'Directeur commercial'],
     [2, 'Chef de projet (1) · chef de projet (1)', 'Chef de projet']]
    >>> review.tick(1, 2)
    >>> review.set_value(2, "Chef de projet")
    >>> review.apply().changed
    2
    >>> len(review.clusters), review.status.value.count("lot")
    (0, 1)
    >>> review.undo()
    >>> len(review.clusters)
    2
    >>> crm.close()
    """

    def __init__(
        self,
        crm: CRM,
        variants: Variants | str,
        field: str | None = None,
        *,
        lang: str | None = None,
        method: str | None = None,
        where: Selection | None = None,
        language: str | None = None,
        page_size: int = 20,
    ) -> None:
        super().__init__(layout=ipw.Layout(max_width="1100px", padding="4px 8px"))
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ValidationError(
                message("variants_bad_number", name="page_size", least=1, value=page_size)
            )
        self.crm = crm
        self.lang = check_lang(lang if lang is not None else current_lang())
        self.page_size = page_size
        if isinstance(variants, str):
            kind = table(variants).name
            records = crm.accounts if kind == "accounts" else crm.contacts
            variants = records.variants(
                "" if field is None else field,  # none given: the error lists the fields
                method=method or "fingerprint",
                where=where,
                language=language or ("fr" if self.lang == "fr" else "en"),
            )
        elif method is not None and method != variants.method:
            variants = variants.recluster(method)
        self.variants: Variants = variants
        self.report: BulkReport | None = None
        self._last_batch: int | None = None
        self._page = 0
        self._ticked: set[frozenset[str]] = set()
        self._edits: dict[frozenset[str], str] = {}
        self._rendering = False  # a row's observers ignore the values the screen sets
        self._boxes: dict[frozenset[str], ipw.Checkbox] = {}  # the tick boxes shown

        kind_word = kind_noun(self.kind, None, self.lang)
        heading = ui("variants_title", self.lang, field=self._field_label(), kind=kind_word)
        self.title = ipw.HTML(f'<h3 style="margin:4px 0">{html.escape(heading)}</h3>')
        self.title.add_class("crmkit-variants-title")
        self.method = ipw.Dropdown(
            options=[(ui(f"variants_method_{m}", self.lang), m) for m in variants.methods],
            value=variants.method,
            description=ui("variants_method", self.lang),
            style={"description_width": "initial"},
            layout=ipw.Layout(width="auto"),
        )
        self.method.add_class("crmkit-variants-method")
        self.method.observe(lambda change: self._recluster(change["new"]), "value")
        self.summary = ipw.HTML()
        self.summary.add_class("crmkit-variants-summary")
        header = ipw.HBox(
            [self.title, self.method, self.summary],
            layout=ipw.Layout(align_items="center", grid_gap="6px 18px", flex_flow="row wrap"),
        )
        self.buttons = {
            "tick_page": self._button("variants_tick_page", "tick-page", self.tick_page),
            "untick": self._button("variants_untick", "untick", self.untick_all),
            "merge": self._button("variants_merge", "merge", self.apply, "success"),
            "undo": self._button("variants_undo", "undo", self.undo),
            "previous": self._button("previous", "page-previous", lambda: self._go(-1)),
            "next": self._button("next", "page-next", lambda: self._go(1)),
        }
        self.headings = ipw.GridBox(
            [
                ipw.HTML(f"<b>{html.escape(ui(f'variants_col_{name}', self.lang))}</b>")
                for name in ("merge", "values", "records", "method", "new_value")
            ],
            layout=ipw.Layout(
                grid_template_columns=_GRID,
                grid_gap="0 8px",
                width="100%",
                border_bottom="1px solid #999",
            ),
        )
        self.headings.add_class("crmkit-variants-headings")
        self.rows = ipw.VBox(layout=ipw.Layout(width="100%"))
        self.rows.add_class("crmkit-variants-rows")
        self.page_label = ipw.HTML()
        self.page_label.add_class("crmkit-variants-page")
        self.ticked_label = ipw.HTML()
        self.ticked_label.add_class("crmkit-variants-ticked")
        paging = ipw.HBox(
            [self.buttons["previous"], self.page_label, self.buttons["next"]],
            layout=ipw.Layout(align_items="center", grid_gap="8px"),
        )
        paging.add_class("crmkit-variants-paging")
        actions = ipw.HBox(
            [
                self.buttons["tick_page"],
                self.buttons["untick"],
                self.ticked_label,
                self.buttons["merge"],
                self.buttons["undo"],
            ],
            layout=ipw.Layout(
                align_items="center",
                flex_flow="row wrap",
                grid_gap="4px 12px",
                border_top="1px solid #ccc",
                padding="6px 0 0 0",
            ),
        )
        actions.add_class("crmkit-variants-actions")
        self.status = ipw.HTML()
        self.status.add_class("crmkit-variants-status")
        self.report_view = ipw.HTML()
        self.report_view.add_class("crmkit-variants-report")
        self.children = [
            header,
            self.headings,
            self.rows,
            paging,
            actions,
            self.status,
            self.report_view,
        ]
        self.add_class("crmkit-variants-review")
        self.add_class(f"crmkit-variants-review-{self.kind}")
        self._render()

    # -- what is shown -----------------------------------------------------------------

    @property
    def kind(self) -> str:
        """``contacts`` or ``accounts``."""
        return self.variants.kind

    @property
    def field(self) -> str:
        """The field clustered, as given (``custom.<key>`` for a custom field)."""
        return self.variants.field

    def _item_count(self) -> int:
        return len(self.variants.clusters)

    @property
    def ticked(self) -> list[int]:
        """The numbers of the clusters ticked, in order."""
        return [
            number
            for number, cluster in enumerate(self.variants.clusters, start=1)
            if _key(cluster) in self._ticked
        ]

    def value_of(self, number: int) -> str:
        """The new value of cluster ``number``: as typed, else the proposed one."""
        cluster = self._cluster(number)
        return self._edits.get(_key(cluster), cluster.canonical)

    def _rows(self) -> dict[str, list[Any]]:
        method = ui(f"variants_method_{self.variants.method}", self.lang)
        rows: dict[str, list[Any]] = {name: [] for name in _COLUMNS}
        for number, cluster in enumerate(self.variants.clusters, start=1):
            rows["cluster"].append(number)
            rows["merge"].append(_key(cluster) in self._ticked)
            rows["values"].append(values_text(cluster))
            rows["count"].append(cluster.count)
            rows["variants"].append(len(cluster.values))
            rows["method"].append(method)
            rows["new_value"].append(self._edits.get(_key(cluster), cluster.canonical))
        return rows

    @property
    def clusters(self) -> pd.DataFrame:
        """The clusters as pandas, one row each: ``cluster`` (its number), ``merge``
        (ticked?), ``values`` ("A (412) · a (37)"), ``count`` (records), ``variants``
        (distinct values), ``method`` and ``new_value``."""
        rows = self._rows()
        return pd.DataFrame(
            {
                "cluster": pd.Series(rows["cluster"], dtype="int64"),
                "merge": pd.Series(rows["merge"], dtype="bool"),
                "values": pd.Series(rows["values"], dtype=object),
                "count": pd.Series(rows["count"], dtype="int64"),
                "variants": pd.Series(rows["variants"], dtype="int64"),
                "method": pd.Series(rows["method"], dtype=object),
                "new_value": pd.Series(rows["new_value"], dtype=object),
            }
        )

    @property
    def clusters_pl(self) -> pl.DataFrame:
        """:attr:`clusters` as polars."""
        return pl.DataFrame(
            self._rows(),
            schema={
                "cluster": pl.Int64,
                "merge": pl.Boolean,
                "values": pl.String,
                "count": pl.Int64,
                "variants": pl.Int64,
                "method": pl.String,
                "new_value": pl.String,
            },
        )

    # -- choosing ------------------------------------------------------------------------

    def _cluster(self, number: Any) -> Cluster:
        last = len(self.variants.clusters)
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= last:
            key = "variants_unknown_cluster" if last else "variants_no_clusters"
            raise ValidationError(message(key, cluster=shorten(number), count=last))
        return self.variants.clusters[number - 1]

    def tick(self, *numbers: int, ticked: bool = True) -> None:
        """Tick clusters (by number, from 1, as in :attr:`clusters`) to merge them;
        ``ticked=False`` unticks them."""
        keys = [_key(self._cluster(number)) for number in numbers]
        for key in keys:
            if ticked:
                self._ticked.add(key)
            else:
                self._ticked.discard(key)
        self._render()

    def untick(self, *numbers: int) -> None:
        """Untick clusters."""
        self.tick(*numbers, ticked=False)

    def tick_page(self) -> None:
        """Tick every cluster of the page shown."""
        first = self._page * self.page_size
        shown = self.variants.clusters[first : first + self.page_size]
        self._ticked.update(_key(cluster) for cluster in shown)
        self._render()

    def untick_all(self) -> None:
        """Untick every cluster."""
        self._ticked.clear()
        self._render()

    def set_value(self, number: int, value: str) -> None:
        """Make ``value`` the new value of cluster ``number`` and tick it (checked when
        merged: a value the field refuses is named then, and nothing is written)."""
        cluster = self._cluster(number)
        if not isinstance(value, str):
            raise ValidationError(
                message(
                    "variants_bad_value",
                    field=self.variants.target.label(self.kind, self.lang),
                    value=shorten(value),
                    cluster=number,
                    why=message("variants_not_str", self.lang),
                )
            )
        self._edits[_key(cluster)] = value
        self._ticked.add(_key(cluster))
        self._render()

    def _typed(self, cluster: Cluster, value: str) -> None:
        if self._rendering:
            return
        self._edits[_key(cluster)] = value
        self._ticked.add(_key(cluster))
        self._render_counts()
        # The tick box of that line follows (its observer ignores it).
        box = self._boxes.get(_key(cluster))
        if box is not None:
            self._rendering = True
            try:
                box.value = True
            finally:
                self._rendering = False

    def _ticked_box(self, cluster: Cluster, ticked: bool) -> None:
        if self._rendering:
            return
        if ticked:
            self._ticked.add(_key(cluster))
        else:
            self._ticked.discard(_key(cluster))
        self._render_counts()

    # -- acting ----------------------------------------------------------------------------

    def recluster(self, method: str | None = None) -> None:
        """Cluster the field anew (values and counts read again), with ``method`` if
        given: the method selector shows it."""
        if method in self.variants.methods and method != self.method.value:
            self.method.value = method  # its observer clusters
        else:
            self._recluster(method)

    def _recluster(self, method: str | None) -> None:
        try:
            self.variants = self.variants.recluster(method)
        except CRMKitError as exc:
            self._say(ui("action_failed", self.lang, error=str(exc)), "error")
            return
        self._page = min(self._page, self.pages - 1)
        self._render()

    def apply(self) -> BulkReport | None:
        """Merge the ticked clusters, each to its new value, in one batch (``None`` when
        nothing is ticked or a value is refused: the status line says why)."""
        chosen = {number: self.value_of(number) for number in self.ticked}
        if not chosen:
            self._say(ui("variants_nothing_ticked", self.lang), "error")
            return None
        try:
            report = self.variants.replace(chosen)
        except CRMKitError as exc:
            self._say(ui("variants_failed", self.lang, error=str(exc)), "error")
            return None
        self.report = report
        if report.batch_id is None:
            self._say(ui("variants_unchanged", self.lang), "info")
        else:
            self._last_batch = report.batch_id
            clusters = int(report.details.get("clusters", len(chosen)))
            text = ui(
                "variants_merged",
                self.lang,
                count=clusters,
                n=report.changed,
                batch=report.batch_id,
            )
            self._say(text, "ok")
        # Static: a widget runs no script, and the itables bundle belongs to the notebook.
        with config_context(table_display="static", lang=self.lang):
            self.report_view.value = report._repr_html_()
        self._ticked.difference_update(_key(self._cluster(n)) for n in chosen)
        self._recluster(None)
        return report

    def undo(self) -> None:
        """Undo the last merge with ``crm.undo`` and cluster anew."""
        if self._last_batch is None:
            self._say(ui("nothing_to_undo", self.lang), "info")
            return
        batch, self._last_batch = self._last_batch, None
        if undo_batch(self.crm, batch, self.lang, self._say):
            self.report_view.value = ""
            self._recluster(None)

    # -- the screen ------------------------------------------------------------------------

    def _field_label(self) -> str:
        return self.variants.target.label(self.kind, self.lang)

    def _button(
        self, key: str, css: str, handler: Callable[[], Any], style: str = ""
    ) -> ipw.Button:
        return action_button(ui(key, self.lang), f"crmkit-variants-{css}", handler, style)

    def _go(self, step: int) -> None:
        self.page = self._page + step

    def _say(self, text: str, severity: str) -> None:
        self.status.value = message_html(text, severity)

    def _row(self, number: int, cluster: Cluster, method: str) -> ipw.GridBox:
        tick = ipw.Checkbox(
            value=_key(cluster) in self._ticked,
            indent=False,
            description="",
            layout=ipw.Layout(width="auto"),
        )
        tick.add_class("crmkit-variants-tick")
        self._boxes[_key(cluster)] = tick
        tick.observe(lambda change: self._ticked_box(cluster, bool(change["new"])), "value")
        new_value = ipw.Text(
            value=self._edits.get(_key(cluster), cluster.canonical),
            # A grid cell holds its input whole: no minimum width of its own.
            layout=ipw.Layout(width="auto", min_width="0", margin="2px 4px 2px 0"),
        )
        new_value.add_class("crmkit-variants-new-value")
        new_value.observe(lambda change: self._typed(cluster, str(change["new"])), "value")
        chips = []
        for value, count in cluster.values:
            chip = ipw.Button(
                description=f"{_shown(value)} ({count:,})",
                tooltip=ui("variants_use_value", self.lang, value=repr(value)),
                layout=ipw.Layout(width="auto", height="auto", margin="1px 4px 1px 0"),
            )
            chip.add_class("crmkit-variants-value")

            def use(_button: ipw.Button, value: str = value) -> None:
                new_value.value = value  # its observer records it and ticks the cluster

            chip.on_click(use)
            chips.append(chip)
        values = ipw.HBox(chips, layout=ipw.Layout(flex_flow="row wrap", width="100%"))
        values.add_class("crmkit-variants-values")
        records = ipw.HTML(f"{cluster.count:,}")
        records.add_class("crmkit-variants-count")
        found_by = ipw.HTML(html.escape(method))
        found_by.add_class("crmkit-variants-found-by")
        row = ipw.GridBox(
            [tick, values, records, found_by, new_value],
            layout=ipw.Layout(
                grid_template_columns=_GRID,
                grid_gap="0 8px",
                width="100%",
                align_items="center",
                border_bottom="1px solid #eee",
                padding="2px 0",
            ),
        )
        row.add_class("crmkit-variants-row")
        row.add_class(f"crmkit-variants-row-{number}")
        return row

    def _render(self) -> None:
        clusters = self.variants.clusters
        self._page = max(0, min(self._page, self.pages - 1))
        first = self._page * self.page_size
        shown = clusters[first : first + self.page_size]
        method = ui(f"variants_method_{self.variants.method}", self.lang)
        self._rendering = True
        self._boxes = {}
        try:
            self.rows.children = [
                self._row(first + offset + 1, cluster, method)
                for offset, cluster in enumerate(shown)
            ]
        finally:
            self._rendering = False
        if clusters:
            self.summary.value = html.escape(
                ui(
                    "variants_summary",
                    self.lang,
                    count=len(clusters),
                    values=sum(len(c.values) for c in clusters),
                    records=sum(c.count for c in clusters),
                )
            )
            self.page_label.value = html.escape(
                ui(
                    "variants_page",
                    self.lang,
                    first=first + 1,
                    last=first + len(shown),
                    count=len(clusters),
                )
            )
        else:
            self.summary.value = html.escape(
                ui("variants_none", self.lang, field=self._field_label())
            )
            self.page_label.value = ""
        self.headings.layout.display = "grid" if clusters else "none"
        self.buttons["previous"].disabled = self._page == 0
        self.buttons["next"].disabled = self._page >= self.pages - 1
        self._render_counts()

    def _render_counts(self) -> None:
        ticked = len(self.ticked)
        self.ticked_label.value = html.escape(ui("variants_ticked", self.lang, count=ticked))
        self.buttons["merge"].disabled = False  # clicking with none ticked says what to do
        self.buttons["undo"].disabled = self._last_batch is None
