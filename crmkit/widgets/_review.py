"""The duplicate review screen: :class:`DuplicateReview`.

It walks the pairs of a :class:`~crmkit._dedupe._engine.DuplicateReport`, the most
informative first (nearest the threshold) or the most probable first, and shows one pair
at a time: the two records side by side with their differences marked,
the match probability and the per-field explanation. Each answer is a call a notebook
user could type: ``crm.<kind>.mark_same``, ``crm.<kind>.mark_different`` (the pair is
never proposed again) or ``crm.<kind>.merge([a, b], prefer=..., survivor=...)`` (undone
with ``crm.undo``). The screen keeps only where it is in the queue, the pairs skipped and
the batch of its last answer, for its Undo button.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as ipw
import pandas as pd

from crmkit._exceptions import CRMKitError, UnknownValueError, ValidationError
from crmkit._ops._merge import RULES
from crmkit._util._config import current_lang
from crmkit.schemas._catalog import Field, Table, table
from crmkit.widgets._inputs import action_button, message_html
from crmkit.widgets._text import check_lang, level_label, ui

if TYPE_CHECKING:
    from crmkit._api._crm import CRM
    from crmkit._api._records import _Records
    from crmkit._dedupe import DuplicateReport
    from crmkit._ops._merge import MergeReport

__all__ = ["AUDIT_EVERY", "DuplicateReview", "interleave_audits"]

SURVIVORS = ("left", "right", "rule")
ORDERS = ("informative", "probability")
AUDIT_EVERY = 5
"""In the informative order, every 5th pair is a random check (an audit pair)."""
# Never shown side by side: the id is in the column heading, the others are bookkeeping.
_HIDDEN = frozenset({"id", "photo", "created_by", "updated_by", "deleted_at", "merged_into"})
_DIFFERS = "#fff1c2"  # both records have a value, and not the same one
_ONE_SIDE = "#eef4fb"  # only one record has a value (a merge keeps it)
_POSITIVE = "#1b6e20"
_NEGATIVE = "#b00020"
_CELL = "padding:2px 6px;vertical-align:top;overflow-wrap:anywhere;"
# The explanation's words and numbers never break inside ("Comparais/on", "+24./4").
_WORDS = "padding:2px 6px;vertical-align:top;word-break:normal;overflow-wrap:normal;"
_NOWRAP = _WORDS + "white-space:nowrap;"
_LONG_VALUE = 120  # characters shown of a long value (the whole one is in the tooltip)


@dataclass(frozen=True)
class _Pair:
    """One pair of the queue: the report's two ids and their probability."""

    id_a: int
    id_b: int
    probability: float
    audit: bool = False  # a random check, drawn by report.audit_pairs()

    @property
    def key(self) -> tuple[int, int]:
        """The ids in order, as review decisions store them."""
        return (min(self.id_a, self.id_b), max(self.id_a, self.id_b))


def _bits(probability: float) -> float:
    """A probability as a match weight, ``log2(p / (1 - p))`` (finite at 0 and 1)."""
    p = min(max(probability, 1e-15), 1 - 1e-15)
    return math.log2(p / (1 - p))


def informative_order(
    pairs: list[tuple[Any, Any, float]], threshold: float, clusters: list[list[Any]]
) -> list[int]:
    """Positions of ``(id_a, id_b, probability)`` pairs, the most informative first.

    Uncertainty sampling, as dedupe and Zingg do: the pairs whose probability is nearest
    the threshold, in match weight (a tenth of a bit apart counts as a tie), are the
    answers the model is least sure of and the ones that move it and its threshold
    most; ties go to the pair in the larger cluster (more records hang on the answer),
    then to the more probable pair.

    Examples
    --------
    >>> informative_order([(1, 2, 0.9999), (3, 4, 0.5), (5, 6, 0.93)], 0.9, [[1, 2]])
    [2, 1, 0]
    """
    size = {record: len(members) for members in clusters for record in members}

    def key(position: int) -> tuple[float, int, float]:
        id_a, id_b, probability = pairs[position]
        distance = round(abs(_bits(probability) - _bits(threshold)), 1)
        return (distance, -max(size.get(id_a, 0), size.get(id_b, 0)), -probability)

    return sorted(range(len(pairs)), key=key)


def interleave_audits(
    ordered: list[tuple[Any, Any]], audits: list[tuple[Any, Any]], every: int = AUDIT_EVERY
) -> list[tuple[tuple[Any, Any], bool]]:
    """The review queue: ``ordered`` pairs with an audit pair as every ``every``-th.

    Each item is ``(pair, is_audit)``. A pair is shown once: an audit pair already
    shown is passed over (the next one comes), a pair of ``ordered`` already shown as an
    audit too. Audit pairs only come between pairs of ``ordered`` (the queue ends with
    the last of them); ``every`` of 0 means none.

    Examples
    --------
    >>> queue = interleave_audits([(1, 2), (3, 4), (5, 6), (7, 8), (9, 10)], [(1, 9)], 3)
    >>> [(pair, audit) for pair, audit in queue]  # doctest: +NORMALIZE_WHITESPACE
    [((1, 2), False), ((3, 4), False), ((1, 9), True), ((5, 6), False), ((7, 8), False),
     ((9, 10), False)]
    """

    def key(pair: tuple[Any, Any]) -> frozenset[Any]:
        return frozenset(pair)

    queue: list[tuple[tuple[Any, Any], bool]] = []
    shown: set[frozenset[Any]] = set()
    waiting = iter(audits if every > 0 else [])
    for number, pair in enumerate(ordered):
        if key(pair) in shown:
            continue
        shown.add(key(pair))
        queue.append((pair, False))
        if every <= 0 or (len(queue) + 1) % every or number + 1 == len(ordered):
            continue
        for audit in waiting:
            if key(audit) not in shown:
                shown.add(key(audit))
                queue.append((audit, True))
                break
    return queue


def _infer_kind(report: DuplicateReport) -> str:
    """``contacts`` or ``accounts``, from the comparisons a report holds."""
    columns = set(report.pairs.columns)
    if columns & {"first_name", "last_name"}:
        return "contacts"
    if columns & {"name", "domain"}:
        return "accounts"
    raise ValidationError(
        "cannot tell whether this duplicate report is about contacts or accounts: "
        "pass kind='contacts' or kind='accounts'"
    )


def _bar(weight: float, largest: float) -> str:
    """A bar from a middle line: right and green for a weight for, left and red against."""
    width = f"{100 * abs(weight) / largest:.0f}%"
    against = f'<div style="width:{width};background:{_NEGATIVE}"></div>' if weight < 0 else ""
    support = (
        f'<div style="width:{width};height:100%;background:{_POSITIVE}"></div>'
        if weight > 0
        else ""
    )
    return (
        '<div style="display:flex;width:100%;height:0.8em">'
        f'<div style="width:50%;display:flex;justify-content:flex-end">{against}</div>'
        f'<div style="width:50%;border-left:1px solid #999">{support}</div></div>'
    )


def _percent(probability: float, lang: str) -> str:
    """A probability as a percentage, rounded down (0.999999 is not "100%").

    Examples
    --------
    >>> _percent(0.999999, "en"), _percent(0.835, "fr"), _percent(1.0, "zh")
    ('99.9%', '83,5\u202f%', '100.0%')
    """
    tenths = math.floor(probability * 1000 + 1e-9) / 10
    if lang == "fr":
        return f"{tenths:.1f}".replace(".", ",") + "\u202f%"
    return f"{tenths:.1f}%"


def _is_empty(value: Any) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, list | tuple | dict) and not value


def _groups(pairs: list[_Pair]) -> list[list[int]]:
    """The records linked by ``pairs``, as groups (connected components), smallest id first.

    Examples
    --------
    >>> _groups([_Pair(1, 2, 0.99), _Pair(3, 2, 0.97), _Pair(7, 5, 0.95)])
    [[1, 2, 3], [5, 7]]
    """
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        parent.setdefault(i, i)
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for pair in pairs:
        a, b = root(pair.id_a), root(pair.id_b)
        if a != b:
            parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = {}
    for i in sorted(parent):
        members.setdefault(root(i), []).append(i)
    return sorted(members.values())


class DuplicateReview(ipw.VBox):
    """Review duplicate pairs one at a time: same, not the same, merge or skip.

    Parameters
    ----------
    crm
        The CRM (``crmkit.open(...)``).
    report
        What ``crm.contacts.find_duplicates()`` (or ``crm.accounts...``) returned;
        ``None``: the widget searches (``kind``, contacts by default) with a progress
        bar, and its "Search again" button searches anew, stage by stage on screen.
    lang
        ``"en"``, ``"fr"`` or ``"zh"``: labels, buttons and messages; ``None``: the
        language of ``ck.set_config(lang=...)``.
    kind
        ``"contacts"`` or ``"accounts"``; ``None``: read from the report.
    order
        ``"informative"`` (the default): the pairs the model is least sure of first,
        those whose probability is nearest the report's threshold (ties: the larger
        cluster first). Each answer then teaches the most: the next
        ``find_duplicates`` learns from the decisions, and the report's ``accuracy()``
        narrows fastest; the near-certain pairs are what ``merge_all`` handles without
        anyone. ``"probability"``: the most probable first, to confirm and merge the
        obvious duplicates quickly.
    audit_every
        In the informative order, every ``audit_every``-th pair (5: one in five) is a
        *random check*: a pair drawn at random (``report.audit_pairs(seed=seed)``, the
        probability bands in turn) from those the uncertainty order never shows, scored
        below the report's ``min_probability`` or near-certain (0.999 and up). It is
        labelled "random check" on screen, and answered like any other pair; with
        those answers ``report.accuracy()`` checks the model where it is trusted most
        (true pairs it scores as unlikely lower recall). ``0``: no random checks.
    seed
        Seed of the random checks.

    Attributes
    ----------
    report
        The duplicate report reviewed.
    merge_report
        The :class:`~crmkit._ops._merge.MergeReport` of the last merge, ``None`` before one.
    status
        The line that says what the last answer did.
    accuracy
        The line of the report's estimated precision and recall (``report.accuracy()``
        with the decisions made so far), updated after each answer.
    buttons
        ``same``, ``different``, ``merge``, ``skip`` and ``undo``.
    rule, survivor
        The survivorship choice of a merge: the rule (``recent``, ``complete``,
        ``oldest``) and the record kept (``left``, ``right``, or ``rule``: the record
        the rule puts first).

    The queue holds the report's pairs in ``order``, without the pairs already
    decided (``crm.<kind>.duplicate_decisions()``) and those whose records were merged
    away or deleted since; a pair whose record goes while reviewing is passed over.

    Examples
    --------
    >>> import crmkit as ck
    >>> from crmkit.widgets import DuplicateReview
    >>> crm = ck.open(user="Nicole Bertrand")
    >>> a = crm.contacts.add(first_name="Hélène", last_name="Blou", email="hb@aprool.com")
    >>> b = crm.contacts.add(first_name="Helene", last_name="BLOU", email="hb@aprool.com")
    >>> review = DuplicateReview(crm, crm.contacts.find_duplicates(), lang="fr")
    >>> review.pair == (a, b), review.position, review.total
    (True, 0, 1)
    >>> review.merge(rule="complete", survivor="left").survivor == a
    True
    >>> crm.contacts.get(b).merged_into == a, review.pair
    (True, None)
    >>> crm.close()
    """

    def __init__(
        self,
        crm: CRM,
        report: DuplicateReport | None = None,
        lang: str | None = None,
        kind: str | None = None,
        order: str = "informative",
        audit_every: int = AUDIT_EVERY,
        seed: int = 0,
    ) -> None:
        super().__init__(layout=ipw.Layout(max_width="1100px", padding="4px 8px"))
        if order not in ORDERS:
            raise UnknownValueError("review order", order, ORDERS)
        if isinstance(audit_every, bool) or not isinstance(audit_every, int) or audit_every < 0:
            raise ValidationError(f"audit_every must be a whole number >= 0, got {audit_every!r}")
        self.crm = crm
        self.order = order
        self.audit_every = audit_every
        self.seed = seed
        self.lang = check_lang(lang if lang is not None else current_lang())
        self.kind: str
        if report is None:
            # No report given: search now, with the same progress bar as find_duplicates.
            self.kind = table(kind or "contacts").name
            report = self._find(progress=True)
        else:
            self.kind = table(kind).name if kind is not None else _infer_kind(report)
        self.report = report
        self.merge_report: MergeReport | None = None
        self._catalog: Table = crm.settings.catalog(self.kind)  # with its custom fields
        self._all_pairs = self._build_queue()
        self._queue = list(self._all_pairs)
        self._index = 0
        self._skipped: set[tuple[int, int]] = set()
        # (batch, pair answered or None for a bulk merge, what it was), for Undo.
        self._last: tuple[int, _Pair | None, str] | None = None

        heading = html.escape(ui(f"review_title_{self.kind}", self.lang))
        self.title = ipw.HTML(f'<h3 style="margin:4px 0">{heading}</h3>')
        self.position_label = ipw.HTML()
        self.position_label.add_class("crmkit-review-position")
        self.progress_bar = ipw.IntProgress(
            value=0, min=0, max=max(1, self.total), layout=ipw.Layout(width="320px")
        )
        self.progress_bar.add_class("crmkit-review-progress-bar")
        progress = ipw.HBox(
            [self.position_label, self.progress_bar],
            layout=ipw.Layout(align_items="center", grid_gap="12px"),
        )
        progress.add_class("crmkit-review-progress")
        self.probability = ipw.HTML()
        self.probability.add_class("crmkit-review-probability")
        self.accuracy = ipw.HTML()
        self.accuracy.add_class("crmkit-review-accuracy")
        self.pair_view = ipw.HTML(layout=ipw.Layout(width="100%"))
        self.pair_view.add_class("crmkit-review-pair")
        self.explanation = ipw.HTML(layout=ipw.Layout(width="100%"))
        self.explanation.add_class("crmkit-review-explanation")
        body = ipw.GridBox(
            [self.pair_view, self.explanation],
            layout=ipw.Layout(
                grid_template_columns="minmax(0, 3fr) minmax(340px, 2fr)",
                grid_gap="0 16px",
                width="100%",
            ),
        )

        self.rule = ipw.Dropdown(
            options=[(ui(f"rule_{r}", self.lang), r) for r in RULES],
            value="recent",
            layout=ipw.Layout(width="200px"),
        )
        self.rule.add_class("crmkit-review-rule")
        self.survivor = ipw.RadioButtons(
            options=self._survivor_options(None), value="rule", layout=ipw.Layout(width="auto")
        )
        self.survivor.add_class("crmkit-review-survivor")
        # "Same" merges: a reviewer who says two records are one expects one record. The
        # button says so; recording "same" without merging is a button of its own.
        same_merge = self._button("same_merge", "crmkit-review-same", self.merge, "success")
        same_merge.add_class("crmkit-review-merge")
        same_merge.tooltip = ui("same_merge_tip", self.lang)
        self.buttons = {
            "same": same_merge,
            "merge": same_merge,
            "mark_same": self._button("same", "crmkit-review-mark-same", self.same),
            "different": self._button(
                "different", "crmkit-review-different", self.different, "danger"
            ),
            "skip": self._button("skip", "crmkit-review-skip", self.skip),
            # Its words name the count and the probability: written by _render_bulk.
            "accept_all": self._button(
                "merge", "crmkit-review-accept-all", self.accept_all, "warning"
            ),
            "undo": self._button("undo_merge", "crmkit-review-undo", self.undo),
        }
        self.buttons["mark_same"].tooltip = ui("mark_same_tip", self.lang)
        self.min_probability = ipw.FloatSlider(
            value=0.0,
            min=0.0,
            max=1.0,
            step=0.01,
            readout_format=".3f",  # typed in as a probability: "0.5" (a "%" would not parse)
            continuous_update=False,
            description=ui("min_probability", self.lang),
            style={"description_width": "initial"},
            layout=ipw.Layout(width="360px"),
        )
        self.min_probability.add_class("crmkit-review-threshold")
        self.min_probability.observe(lambda _change: self._filter(), "value")
        self.above = ipw.HTML()
        self.above.add_class("crmkit-review-above")
        bulk = ipw.HBox(
            [self.min_probability, self.above, self.buttons["accept_all"]],
            layout=ipw.Layout(align_items="center", flex_flow="row wrap", grid_gap="4px 12px"),
        )
        bulk.add_class("crmkit-review-bulk")
        decisions = ipw.HBox(
            [self.buttons[k] for k in ("same", "mark_same", "different", "skip")],
            layout=ipw.Layout(align_items="center", margin="6px 0", flex_flow="row wrap"),
        )
        merging = ipw.HBox(
            [
                self._labelled("rule", self.rule),
                self._labelled("survivor", self.survivor),
                self.buttons["undo"],
            ],
            layout=ipw.Layout(
                align_items="flex-end",
                flex_flow="row wrap",
                grid_gap="4px 18px",
                border_top="1px solid #ccc",
                padding="6px 0 0 0",
            ),
        )
        self.status = ipw.HTML()
        self.status.add_class("crmkit-review-status")
        self.buttons["search"] = self._button("search_again", "crmkit-review-search", self.search)
        self.search_bar = ipw.IntProgress(value=0, min=0, max=1, layout=ipw.Layout(width="200px"))
        self.search_stage = ipw.HTML()
        self.search_progress = ipw.HBox(
            [self.search_stage, self.search_bar],
            layout=ipw.Layout(display="none", align_items="center", grid_gap="8px"),
        )
        self.search_progress.add_class("crmkit-review-search-progress")
        self.merge_view = ipw.HTML()
        self.merge_view.add_class("crmkit-review-merge-report")
        header = ipw.HBox(
            [self.title, self.buttons["search"], self.search_progress],
            layout=ipw.Layout(align_items="center", grid_gap="12px", flex_flow="row wrap"),
        )
        self.children = [
            header,
            bulk,
            progress,
            self.probability,
            body,
            decisions,
            merging,
            self.status,
            self.merge_view,
            self.accuracy,
        ]
        self.add_class("crmkit-review")
        self.add_class(f"crmkit-review-{self.kind}")
        self._settle()
        self._render()

    # -- building ----------------------------------------------------------------------

    @property
    def _records(self) -> _Records:
        return self.crm.accounts if self.kind == "accounts" else self.crm.contacts

    def _button(
        self, key: str, css: str, handler: Callable[[], Any], style: str = ""
    ) -> ipw.Button:
        return action_button(ui(key, self.lang), css, handler, style)

    def _labelled(self, key: str, widget: ipw.Widget) -> ipw.VBox:
        return ipw.VBox([ipw.HTML(f"<b>{html.escape(ui(key, self.lang))}</b>"), widget])

    def _survivor_options(self, pair: _Pair | None) -> list[tuple[str, str]]:
        left = "" if pair is None else pair.id_a
        right = "" if pair is None else pair.id_b
        return [
            (ui("survivor_left", self.lang, id=left), "left"),
            (ui("survivor_right", self.lang, id=right), "right"),
            (ui("survivor_rule", self.lang), "rule"),
        ]

    # -- the queue ---------------------------------------------------------------------

    def _decided(self) -> set[tuple[int, int]]:
        decisions = self._records.duplicate_decisions()
        return {
            (min(int(a), int(b)), max(int(a), int(b)))
            for a, b in zip(decisions["id_a"].tolist(), decisions["id_b"].tolist(), strict=True)
        }

    def _build_queue(self) -> list[_Pair]:
        pairs = self.report.pairs.sort_values("probability", ascending=False, kind="stable")
        rows = self._rows(pairs)
        if self.order == "informative":
            clusters = [list(c) for c in self.report.clusters]
            rows = [rows[k] for k in informative_order(rows, self.report.threshold, clusters)]
        audits = self._audit_rows() if self.order == "informative" else []
        ids = {int(r[i]) for r in rows + audits for i in (0, 1)}
        live = set(self._records.filter(ids=sorted(ids)).ids) if ids else set()
        decided = self._decided()

        def is_open(row: tuple[Any, Any, float]) -> bool:
            a, b = int(row[0]), int(row[1])
            return (min(a, b), max(a, b)) not in decided and a in live and b in live

        rows = [r for r in rows if is_open(r)]
        audits = [r for r in audits if is_open(r)]
        probability = {frozenset((int(a), int(b))): float(p) for a, b, p in rows + audits}
        queue = interleave_audits(
            [(int(a), int(b)) for a, b, _ in rows],
            [(int(a), int(b)) for a, b, _ in audits],
            self.audit_every,
        )
        return [_Pair(a, b, probability[frozenset((a, b))], audit) for (a, b), audit in queue]

    @staticmethod
    def _rows(pairs: pd.DataFrame) -> list[tuple[Any, Any, float]]:
        return list(
            zip(
                pairs["id_a"].tolist(),
                pairs["id_b"].tolist(),
                pairs["probability"].tolist(),
                strict=True,
            )
        )

    def _audit_rows(self) -> list[tuple[Any, Any, float]]:
        """The report's random checks (:meth:`DuplicateReport.audit_pairs`), if it has any."""
        if self.audit_every <= 0:
            return []
        try:
            return self._rows(self.report.audit_pairs(seed=self.seed))
        except CRMKitError:  # a report without its scored pairs (the Splink engine)
            return []

    def _is_open(self, pair: _Pair, decided: set[tuple[int, int]]) -> bool:
        if pair.key in decided or pair.key in self._skipped:
            return False
        return self._records.exists(pair.id_a) and self._records.exists(pair.id_b)

    def _settle(self) -> None:
        """Move on to the first pair still to review (from the current position)."""
        decided = self._decided()
        while self._index < len(self._queue) and not self._is_open(
            self._queue[self._index], decided
        ):
            self._index += 1

    @property
    def _current(self) -> _Pair | None:
        return self._queue[self._index] if self._index < len(self._queue) else None

    @property
    def pair(self) -> tuple[int, int] | None:
        """The ids shown, ``(left, right)``; ``None`` once the queue is done."""
        current = self._current
        return None if current is None else (current.id_a, current.id_b)

    @property
    def position(self) -> int:
        """How many pairs of the queue are behind (the pair shown is number ``position + 1``)."""
        return self._index

    @property
    def total(self) -> int:
        """How many pairs the queue held when the review started."""
        return len(self._queue)

    @property
    def pairs(self) -> pd.DataFrame:
        """The queue: ``id_a``, ``id_b``, ``probability``, ``audit`` (a random check), in
        the review's ``order``."""
        return pd.DataFrame(
            {
                "id_a": pd.Series([p.id_a for p in self._queue], dtype="int64"),
                "id_b": pd.Series([p.id_b for p in self._queue], dtype="int64"),
                "probability": pd.Series([p.probability for p in self._queue], dtype="float64"),
                "audit": pd.Series([p.audit for p in self._queue], dtype="bool"),
            }
        )

    # -- answers -----------------------------------------------------------------------

    def same(self) -> int | None:
        """The two records are the same entity (``mark_same``); return the batch.

        Same as clicking "Same". The records are not merged.
        """
        return self._decide("same")

    def different(self) -> int | None:
        """The two records are not the same (``mark_different``); return the batch.

        Same as clicking "Not the same": ``find_duplicates`` never proposes the pair again.
        """
        return self._decide("different")

    def _decide(self, decision: str) -> int | None:
        current = self._current
        if current is None:
            self._say(ui("nothing_to_review", self.lang), "info")
            return None
        mark = self._records.mark_same if decision == "same" else self._records.mark_different
        try:
            batch = mark(current.id_a, current.id_b)
        except CRMKitError as exc:
            self._say(ui("action_failed", self.lang, error=str(exc)), "error")
            return None
        self._last = (batch, current, decision)
        self.merge_view.value = ""
        self._next()
        key = "marked_same" if decision == "same" else "marked_different"
        self._say(ui(key, self.lang, a=current.id_a, b=current.id_b, batch=batch), "ok")
        return batch

    def merge(self, rule: str | None = None, survivor: str | None = None) -> MergeReport | None:
        """Merge the two records (``crm.<kind>.merge``); same as clicking "Merge".

        Parameters
        ----------
        rule
            ``"recent"``, ``"complete"``, ``"oldest"``, ``"client_first"`` or
            ``"active_first"`` (the rules of :meth:`crmkit.Contacts.merge`): whose values
            fill the survivor.
            ``None``: the rule chosen on screen.
        survivor
            ``"left"``, ``"right"`` or ``"rule"`` (the record the rule puts first).
            ``None``: the choice on screen ("By the rule" unless changed).

        Returns
        -------
        MergeReport or None
            What the merge did (also shown, with an Undo button); ``None`` when there
            is no pair or the merge was refused (the status line says why).
        """
        if rule is not None:
            if rule not in RULES:
                raise UnknownValueError("merge rule", rule, RULES)
            self.rule.value = rule
        if survivor is not None:
            if survivor not in SURVIVORS:
                raise UnknownValueError("survivor", survivor, SURVIVORS)
            self.survivor.value = survivor
        current = self._current
        if current is None:
            self._say(ui("nothing_to_review", self.lang), "info")
            return None
        keep = {"left": current.id_a, "right": current.id_b}.get(str(self.survivor.value))
        try:
            result = self._records.merge(
                [current.id_a, current.id_b], prefer=str(self.rule.value), survivor=keep
            )
        except CRMKitError as exc:
            self._say(ui("action_failed", self.lang, error=str(exc)), "error")
            return None
        self.merge_report = result
        if result.batch_id is not None:
            self._last = (result.batch_id, current, "merge")
        self.merge_view.value = self._merge_html(result)
        self._next()
        merged = ", ".join(str(i) for i in result.merges["merged"].iloc[0])
        self._say(
            ui("merged", self.lang, merged=merged, survivor=result.survivor, batch=result.batch_id),
            "ok",
        )
        return result

    def _find(self, progress: Any) -> DuplicateReport:
        return self._records.find_duplicates(progress=progress)

    def _searching(self, stage: str, done: int, total: int) -> None:
        """The widget's own progress line, told of each stage of the search."""
        self.search_progress.layout.display = "flex" if stage != "done" else "none"
        self.search_bar.max = total
        self.search_bar.value = done
        self.search_stage.value = html.escape(ui(f"stage_{stage}", self.lang))

    def search(self) -> DuplicateReport:
        """Search the duplicates again (``find_duplicates``, with the decisions made so far)
        and review the new report; the progress shows stage by stage in the widget. Same
        as clicking "Search again"."""
        self.buttons["search"].disabled = True
        try:
            report = self._find(progress=self._searching)
        finally:
            self.buttons["search"].disabled = False
            self.search_progress.layout.display = "none"
        self.report = report
        self._all_pairs = self._build_queue()
        self._last = None
        self.merge_view.value = ""
        self._filter()
        return report

    def _filter(self) -> None:
        """Show only the pairs from the chosen probability (the slider)."""
        floor = float(self.min_probability.value)
        current = self._current
        self._queue = [p for p in self._all_pairs if p.probability >= floor]
        self._index = self._queue.index(current) if current in self._queue else 0
        self._settle()
        self._render()

    def show_from(self, min_probability: float) -> None:
        """Review only the pairs whose probability is at least ``min_probability``.

        Same as moving the slider; ``0`` shows every pair again.
        """
        if not 0.0 <= float(min_probability) <= 1.0:
            raise ValidationError(f"min_probability is between 0 and 1, got {min_probability!r}")
        self.min_probability.value = float(min_probability)
        self._filter()  # the slider does not call back when the value is unchanged

    def _open_pairs(self) -> list[_Pair]:
        """The pairs of the filtered queue still to answer, from the first one."""
        decided = self._decided() | self._skipped
        waiting = [p for p in self._queue if p.key not in decided]
        ids = sorted({i for p in waiting for i in (p.id_a, p.id_b)})
        live = set(self._records.filter(ids=ids).ids) if ids else set()  # one query
        return [p for p in waiting if p.id_a in live and p.id_b in live]

    def accept_all(self, rule: str | None = None) -> MergeReport | None:
        """Merge every pair still to review at or above the slider's probability, in ONE batch.

        Pairs that share a record are merged as one group (one survivor, chosen by the
        merge rule on screen or ``rule``); ``crm.undo(result.batch_id)`` (or the Undo
        button) reverts every merge at once. Same as clicking "Merge all … pairs".
        """
        if rule is not None:
            if rule not in RULES:
                raise UnknownValueError("merge rule", rule, RULES)
            self.rule.value = rule
        pairs = self._open_pairs()
        if not pairs:
            self._say(ui("nothing_to_review", self.lang), "info")
            return None
        try:
            result = self._records.merge(_groups(pairs), prefer=str(self.rule.value))
        except CRMKitError as exc:
            self._say(ui("action_failed", self.lang, error=str(exc)), "error")
            return None
        self.merge_report = result
        if result.batch_id is not None:
            self._last = (result.batch_id, None, "accept_all")
        self.merge_view.value = self._merge_html(result)
        self._settle()
        self._render()
        self._say(ui("accepted_all", self.lang, n=len(result.merges), batch=result.batch_id), "ok")
        return result

    def _render_bulk(self) -> None:
        floor = float(self.min_probability.value)
        count = len(self._open_pairs())
        share = _percent(floor, self.lang)
        self.above.value = html.escape(ui("pairs_above", self.lang, n=f"{count:,}", p=share))
        self.buttons["accept_all"].description = ui(
            "accept_all", self.lang, n=f"{count:,}", p=share
        )
        self.buttons["accept_all"].disabled = count == 0

    def _merge_html(self, result: MergeReport) -> str:
        """What a merge did, in the review's language: survivors, then values that differed."""
        lines = []
        for row in result.merges.head(20).to_dict("records"):
            lines.append(
                "<li>"
                + html.escape(
                    ui(
                        "merge_summary",
                        self.lang,
                        n=len(row["merged"]),
                        survivor=self._ref_text(self.kind, int(row["survivor"])),
                    )
                )
                + f" ← {html.escape(', '.join(f'#{i}' for i in row['merged']))}</li>"
            )
        head = html.escape(
            ui("merge_groups", self.lang, groups=len(result.merges), n=result.merged_count)
        )
        batch = f" ({html.escape(ui('batch_word', self.lang))} {result.batch_id})"
        parts = [f"<p><b>{head}</b>{batch if result.batch_id is not None else ''}</p>"]
        parts.append(f"<ul style='margin:2px 0'>{''.join(lines)}</ul>")
        if not result.conflicts.empty:
            columns = ("field", "kept", "lost", "from_record")
            header = "".join(
                f"<th style='{_WORDS}text-align:left'>{html.escape(ui(f'col_{c}', self.lang))}</th>"
                for c in columns
            )
            rows = []
            for r in result.conflicts.head(50).to_dict("records"):
                cells = [
                    self._field_label(str(r["field"])),
                    str(r["kept"]),
                    str(r["lost"]),
                    f"#{r['from_record']}",
                ]
                rows.append(
                    "<tr>"
                    + "".join(f"<td style='{_CELL}'>{html.escape(c)}</td>" for c in cells)
                    + "</tr>"
                )
            parts.append(
                f"<p>{html.escape(ui('conflicts', self.lang))}</p>"
                "<table style='border-collapse:collapse'>"
                f"<tr>{header}</tr>{''.join(rows)}</table>"
            )
        return f'<div class="crmkit-merge-report">{"".join(parts)}</div>'

    def skip(self) -> None:
        """Go to the next pair without answering (same as clicking "Skip").

        The pair is not shown again by this review; a new report proposes it again.
        """
        current = self._current
        if current is None:
            self._say(ui("nothing_to_review", self.lang), "info")
            return
        self._skipped.add(current.key)
        self.merge_view.value = ""
        self._next()
        self._say(ui("skipped", self.lang, a=current.id_a, b=current.id_b), "info")

    def undo(self) -> None:
        """Undo the last merge or decision with ``crm.undo`` and show its pair again."""
        if self._last is None:
            self._say(ui("nothing_to_undo", self.lang), "info")
            return
        batch, pair, _what = self._last
        try:
            self.crm.undo(batch)
        except CRMKitError as exc:
            self._say(ui("action_failed", self.lang, error=str(exc)), "error")
            return
        self._last = None
        self.merge_report = None
        self.merge_view.value = ""
        self._index = self._queue.index(pair) if pair in self._queue else 0
        self._settle()
        self._render()
        if pair is None:
            self._say(ui("undone", self.lang, batch=batch), "ok")
        else:
            self._say(ui("undone_pair", self.lang, batch=batch, a=pair.id_a, b=pair.id_b), "ok")

    def _next(self) -> None:
        self._index += 1
        self._settle()
        self._render()

    def _say(self, text: str, severity: str) -> None:
        self.status.value = message_html(text, severity)

    # -- display -----------------------------------------------------------------------

    def _render(self) -> None:
        current = self._current
        total = self.total
        self.progress_bar.max = max(1, total)
        self.progress_bar.value = self._index if total else 1
        self.progress_bar.bar_style = "success" if current is None else "info"
        if current is None:
            key = "all_reviewed" if total else "no_pairs"
            self.position_label.value = f"<b>{html.escape(ui(key, self.lang, total=total))}</b>"
            self.probability.value = ""
            self.pair_view.value = ""
            self.explanation.value = ""
        else:
            self.position_label.value = "<b>{}</b>".format(
                html.escape(ui("pair_of", self.lang, n=self._index + 1, total=total))
            )
            self.probability.value = self._probability_html(current)
            self.pair_view.value = self._pair_html(current)
            self.explanation.value = self._explanation_html(current)
        for key in ("same", "different", "skip", "merge"):
            self.buttons[key].disabled = current is None
        self.rule.disabled = current is None
        self.survivor.disabled = current is None
        self.survivor.options = self._survivor_options(current)
        self.survivor.value = "rule"  # "left" means another record on each pair
        self.accuracy.value = self._accuracy_html()
        self.buttons["undo"].disabled = self._last is None
        what = self._last[2] if self._last is not None else "merge"
        undo_key = {"merge": "undo_merge", "accept_all": "undo_accept_all"}
        self.buttons["undo"].description = ui(undo_key.get(what, "undo_decision"), self.lang)
        self._render_bulk()

    def _accuracy_html(self) -> str:
        """The report's estimated precision and recall, from the decisions made so far."""
        try:
            found = self.report.accuracy(self._records.duplicate_decisions())
        except CRMKitError:  # a report without its scored pairs (the Splink engine)
            return ""
        if found.method == "model":
            how = ui("accuracy_model", self.lang)
        else:
            n = found.reviewed_same + found.reviewed_different
            how = ui("accuracy_reviews", self.lang, n=n)
        text = ui(
            "accuracy",
            self.lang,
            p=_percent(found.precision, self.lang),
            p_low=_percent(found.precision_low, self.lang),
            p_high=_percent(found.precision_high, self.lang),
            r=_percent(found.recall, self.lang),
            r_low=_percent(found.recall_low, self.lang),
            r_high=_percent(found.recall_high, self.lang),
            how=how,
        )
        return f'<span style="color:#555">{html.escape(text)}</span>'

    def _probability_html(self, pair: _Pair) -> str:
        share = _percent(pair.probability, self.lang)
        colour = _POSITIVE if pair.probability >= self.report.threshold else "#a65e00"
        text = html.escape(ui("probability", self.lang, p=share))
        line = f'<span style="font-size:1.1em;color:{colour}"><b>{text}</b></span>'
        if pair.audit:  # why a pair the model is sure of is shown
            label = html.escape(ui("audit_pair", self.lang))
            why = html.escape(ui("audit_pair_why", self.lang))
            line += (
                f' <span class="crmkit-review-audit" title="{why}" style="margin-left:10px;'
                f'padding:1px 6px;border:1px solid #888;border-radius:8px;color:#444">'
                f"{label}</span>"
            )
        return line

    def _heading(self, record_id: int, record: dict[str, Any]) -> str:
        title = ui(f"edit_{self.kind[:-1]}", self.lang, id=record_id)
        if self.kind == "contacts":
            name = " ".join(str(record[k]) for k in ("first_name", "last_name") if record.get(k))
        else:
            name = str(record.get("name") or "")
        return f"{title} — {name}" if name else title

    def _pair_html(self, pair: _Pair) -> str:
        left = dict(self._records.get(pair.id_a))
        right = dict(self._records.get(pair.id_b))
        head = (
            "<tr style='border-bottom:2px solid #999'>"
            f"<th style='{_CELL}'></th>"
            f"<th class='crmkit-review-left' style='{_CELL}text-align:left'>"
            f"{html.escape(self._heading(pair.id_a, left))}</th>"
            f"<th class='crmkit-review-right' style='{_CELL}text-align:left'>"
            f"{html.escape(self._heading(pair.id_b, right))}</th></tr>"
        )
        rows = [head]
        for f in self._catalog:
            if f.name in _HIDDEN or f.kind == "bytes":
                continue
            a, b = left.get(f.name), right.get(f.name)
            if self._unremarkable(f, a, b):
                continue
            rows.append(self._field_row(f, a, b))
        return (
            '<table class="crmkit-review-table" style="border-collapse:collapse;width:100%;'
            'table-layout:fixed"><colgroup><col style="width:24%"><col style="width:38%">'
            f'<col style="width:38%"></colgroup>{"".join(rows)}</table>'
        )

    def _unremarkable(self, f: Field, a: Any, b: Any) -> bool:
        """Whether a field says nothing about the pair: empty (or the default) on both."""
        if _is_empty(a) and _is_empty(b):
            return True
        if f.kind == "bool":
            default = bool(f.default) if f.default is not None else False
            return bool(a) == bool(b) == default
        if f.kind == "json":
            return self._json(a) in ("", "{}") and self._json(b) in ("", "{}")
        return False

    def _field_row(self, f: Field, a: Any, b: Any) -> str:
        shown_a, shown_b = self._value_text(f, a), self._value_text(f, b)
        css = f"crmkit-review-row crmkit-review-row-{f.name}"
        background = ""
        if f.editable and f.group != "system":
            if _is_empty(a) != _is_empty(b):
                css += " crmkit-review-one-side"
                background = f"background:{_ONE_SIDE};"
            elif not self._same_value(f, a, b):
                css += " crmkit-review-differs"
                background = f"background:{_DIFFERS};"
        cells = []
        for side, text in (("left", shown_a), ("right", shown_b)):
            short = text if len(text) <= _LONG_VALUE else text[: _LONG_VALUE - 1] + "…"
            cells.append(
                f"<td class='crmkit-review-{side}' style='{_CELL}{background}' "
                f"title='{html.escape(text)}'>{html.escape(short)}</td>"
            )
        label = html.escape(f.label(self.lang))
        return (
            f"<tr class='{css}' style='border-bottom:1px solid #eee'>"
            f"<th style='{_CELL}text-align:left;font-weight:600'>{label}</th>"
            f"{''.join(cells)}</tr>"
        )

    def _same_value(self, f: Field, a: Any, b: Any) -> bool:
        if f.kind == "json":
            return self._json(a) == self._json(b)
        if f.kind == "list":
            return list(a or []) == list(b or [])
        return bool(a == b)

    def _json(self, value: Any) -> str:
        if _is_empty(value):
            return ""
        decoded = value
        if isinstance(value, str):
            try:
                decoded = json.loads(value)
            except ValueError:
                return value
        return json.dumps(decoded, ensure_ascii=False, sort_keys=True)

    def _value_text(self, f: Field, value: Any) -> str:
        if _is_empty(value):
            return ""
        if f.kind == "ref":
            return self._ref_text(f.ref or "", int(value))
        if f.kind == "bool":
            return ui("yes" if value else "no", self.lang)
        if f.kind == "list":
            return ", ".join(str(v) for v in value)
        if f.kind == "json":
            return self._json(value)
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, float):
            return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
        if f.vocabulary == "sector":
            return self.crm.settings.sectors.label(str(value), self.lang)
        return str(value)

    def _ref_text(self, target: str, record_id: int) -> str:
        try:
            if target == "owners":
                return str(self.crm.owners.get(record_id).name)
            if target == "accounts":
                return f"{self.crm.accounts.get(record_id).name} (#{record_id})"
            person = self.crm.contacts.get(record_id)
            name = " ".join(str(p) for p in (person.first_name, person.last_name) if p)
            return f"{name} (#{record_id})"
        except (CRMKitError, KeyError):
            return f"#{record_id}"

    def _field_label(self, name: str) -> str:
        if name in self._catalog:
            return self._catalog[name].label(self.lang)
        if name == "(prior)":
            return ui("col_prior", self.lang)
        try:
            return ui(f"col_{name}", self.lang)
        except KeyError:
            return name

    def _explanation_html(self, pair: _Pair) -> str:
        heading = f"<b>{html.escape(ui('why', self.lang))}</b>"
        try:
            frame = self.report.explain(pair.id_a, pair.id_b)
        except CRMKitError:
            # A report without its records (the Splink engine): its sentence is all there is.
            rows = self.report.pairs
            found = rows[(rows["id_a"] == pair.id_a) & (rows["id_b"] == pair.id_b)]
            text = str(found["explanation"].iloc[0]) if len(found) else ""
            return f"{heading}<p>{html.escape(text)}</p>"
        shown = [
            r
            for r in frame.to_dict("records")
            if r["field"] == "(prior)" or not _is_empty(r.get("level"))
        ]
        largest = max((abs(float(r["weight"])) for r in shown), default=1.0) or 1.0
        lines = []
        for r in shown:
            weight = float(r["weight"])
            level = "" if _is_empty(r.get("level")) else level_label(str(r["level"]), self.lang)
            bar = _bar(weight, largest)
            lines.append(
                f"<tr class='crmkit-review-reason'><th style='{_WORDS}text-align:left;"
                f"font-weight:600'>{html.escape(self._field_label(str(r['field'])))}</th>"
                f"<td style='{_WORDS}'>{html.escape(level)}</td>"
                f"<td style='{_NOWRAP}text-align:right;font-variant-numeric:tabular-nums'>"
                f"{weight:+.1f}</td><td style='{_WORDS}width:30%;min-width:48px'>{bar}</td></tr>"
            )
        head = (
            f"<tr style='border-bottom:1px solid #999'>"
            f"<th style='{_WORDS}text-align:left'>{html.escape(ui('col_field', self.lang))}</th>"
            f"<th style='{_WORDS}text-align:left'>{html.escape(ui('col_level', self.lang))}</th>"
            f"<th style='{_NOWRAP}text-align:right' colspan='2'>"
            f"{html.escape(ui('col_weight', self.lang))}</th></tr>"
        )
        return (
            f"{heading}{self._job_change_html(pair)}"
            f"<table style='border-collapse:collapse;width:100%'>"
            f"{head}{''.join(lines)}</table>"
        )

    def _job_change_html(self, pair: _Pair) -> str:
        """The move, older record first, when the pair is a job change (#13 part 2)."""
        changes = getattr(self.report, "job_changes", None)
        if changes is None or changes.empty:
            return ""
        ids = {pair.id_a, pair.id_b}
        found = changes[changes["id_old"].isin(ids) & changes["id_new"].isin(ids)]
        if found.empty:
            return ""
        row = found.iloc[0]
        moves = [
            f"{row[f'{field}_old']} → {row[f'{field}_new']}"
            for field in ("company", "city")
            if f"{field}_old" in row.index
            and not _is_empty(row[f"{field}_old"])
            and not _is_empty(row[f"{field}_new"])
            and row[f"{field}_old"] != row[f"{field}_new"]
        ]
        if not moves:
            return ""
        text = ui("job_change_line", self.lang, move=", ".join(str(m) for m in moves))
        return f"<p class='crmkit-review-job-change'>{html.escape(text)}</p>"
