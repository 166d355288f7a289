"""HTML of a duplicate report (Jupyter's ``_repr_html_``), rendered from its summary.

Every value is escaped; nothing is computed here (see :mod:`crmkit._dedupe._summary`).
"""

from __future__ import annotations

import html
import math
from typing import Any

from crmkit._dedupe._summary import PairSummary, ReportSummary

__all__ = ["render_html"]

_HEAD = (
    "<p><strong>Duplicates</strong> ({engine} engine): {records:,} records, "
    "{candidate_pairs:,} candidate pairs, <b>{matches:,}</b> pairs at or above "
    "{threshold:g}, <b>{clusters:,}</b> clusters ({clustered_records:,} records), "
    "{seconds:.2f} s.</p>"
)
_PAIR = "<p><b>{probability:.3f}</b> {id_a} ↔ {id_b}: {explanation}</p>"
_FIELD = (
    "<tr><th style='text-align:left'>{field}</th><td>{value_a}</td><td>{value_b}</td>"
    "<td>{level}</td><td>{weight:+.1f}</td></tr>"
)
_FIELDS = (
    "<table><tr><th></th><th>record A</th><th>record B</th><th>level</th>"
    "<th>bits</th></tr>{rows}</table>"
)
_MORE = "<p>... {more:,} more pairs in .pairs</p>"
_NOTES = "<p>{notes}</p>"
_REPORT = '<div class="crmkit-duplicates">{head}{pairs}{more}</div>'


def render_html(summary: ReportSummary, pairs_table: str = "") -> str:
    """The report as one HTML ``<div>``: header, the top pairs with their fields, a note of
    how many more pairs there are, or ``pairs_table`` (every pair, rendered by the caller).

    Examples
    --------
    >>> from crmkit._dedupe._summary import PairSummary
    >>> summary = ReportSummary("crmkit", 2, 1, 1, 0.9, 1, 2, 0.01,
    ...                         [PairSummary(0.99, 1, 2, "name <exact>", None)], 0)
    >>> "1 ↔ 2: name &lt;exact&gt;" in render_html(summary)
    True
    """
    head = _HEAD.format(
        engine=html.escape(summary.engine),
        records=summary.records,
        candidate_pairs=summary.candidate_pairs,
        matches=summary.matches,
        threshold=summary.threshold,
        clusters=summary.clusters,
        clustered_records=summary.clustered_records,
        seconds=summary.seconds,
    )
    if summary.notes:
        head += _NOTES.format(notes=html.escape(summary.notes))
    pairs = "".join(_pair(pair) for pair in summary.pairs)
    more = _MORE.format(more=summary.more_pairs) if summary.more_pairs > 0 else ""
    return _REPORT.format(head=head, pairs=pairs, more=pairs_table or more)


def _pair(pair: PairSummary) -> str:
    title = _PAIR.format(
        probability=pair.probability,
        id_a=html.escape(str(pair.id_a)),
        id_b=html.escape(str(pair.id_b)),
        explanation=html.escape(str(pair.explanation)),
    )
    if pair.fields is None:
        return title
    rows = "".join(
        _FIELD.format(
            field=html.escape(str(f.field)),
            value_a=html.escape(_text(f.value_a)),
            value_b=html.escape(_text(f.value_b)),
            level=html.escape(_text(f.level)),
            weight=f.weight,
        )
        for f in pair.fields
    )
    return title + _FIELDS.format(rows=rows)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)
