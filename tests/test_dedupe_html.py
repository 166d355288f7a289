"""The report as HTML (crmkit._dedupe._html): rendered from a summary, every value escaped."""

from __future__ import annotations

from crmkit._dedupe._html import render_html
from crmkit._dedupe._summary import FieldSummary, PairSummary, ReportSummary


def _summary(pairs: list[PairSummary], more: int = 0) -> ReportSummary:
    return ReportSummary("crmkit", 1234, 56, 7, 0.9, 3, 8, 1.234, pairs, more)


def test_header() -> None:
    shown = render_html(_summary([]))
    assert shown.startswith('<div class="crmkit-duplicates"><p><strong>Duplicates</strong>')
    assert "(crmkit engine): 1,234 records, 56 candidate pairs, <b>7</b> pairs" in shown
    assert "at or above 0.9, <b>3</b> clusters (8 records), 1.23 s.</p>" in shown
    assert "more pairs" not in shown and "<table>" not in shown


def test_values_are_escaped_and_missing_ones_blank() -> None:
    fields = [
        FieldSummary("company", "<b>Acme</b>", None, "exact", 7.61),
        FieldSummary("phone", float("nan"), "06", None, -1.0),
    ]
    shown = render_html(_summary([PairSummary(0.98765, "<x>", 2, "a & b", fields)], more=1_500))
    assert "<p><b>0.988</b> &lt;x&gt; ↔ 2: a &amp; b</p>" in shown
    assert "<td>&lt;b&gt;Acme&lt;/b&gt;</td><td></td><td>exact</td><td>+7.6</td>" in shown
    assert "<td></td><td>06</td><td></td><td>-1.0</td>" in shown
    assert "<p>... 1,500 more pairs in .pairs</p>" in shown
    assert "<b>Acme</b>" not in shown
