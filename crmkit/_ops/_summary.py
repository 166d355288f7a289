"""Counts (and revenue sums) by band, sector, owner or any column, as a table and a chart.

A :class:`Summary` holds a pandas DataFrame and draws itself as a horizontal bar chart in
plain SVG, so it shows in Jupyter without matplotlib and without fetching anything.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import polars as pl

from crmkit._core._session import Session
from crmkit._exceptions import UnknownValueError
from crmkit._ops._query import Query, view_columns
from crmkit._util._config import current_lang
from crmkit._util._langs import LANGS, Labels
from crmkit._util._messages import message
from crmkit._util._suggest import closest
from crmkit._util._table_html import Column, table_html
from crmkit.schemas._labels import column_label, shown_name

__all__ = ["Summary", "summarize"]


# Headers of the summary's value columns.
_VALUE_LABELS: dict[str, Labels] = {
    "count": ("Count", "Nombre", "数量"),
    "revenue": ("Revenue", "Chiffre d'affaires", "收入"),
}


@dataclass
class Summary:
    """Counts per group, with revenue totals for accounts.

    Attributes
    ----------
    by
        The grouping columns.
    frame
        pandas DataFrame: the groups, ``count`` and, for accounts, ``revenue``.
    kind
        ``contacts`` or ``accounts``: the printed summary names the columns by their
        labels once a language is chosen (:func:`crmkit.set_config`).
    """

    by: tuple[str, ...]
    frame: pd.DataFrame
    kind: str = ""  # accounts or contacts: labels the groups' columns

    def df(self) -> pd.DataFrame:
        """The summary as pandas."""
        return self.frame.copy()

    def pl(self) -> pl.DataFrame:
        """The summary as polars."""
        return pl.from_pandas(self.frame)

    def to_svg(self, value: str = "count", width: int = 420) -> str:
        """A horizontal bar chart of ``value`` per group, as an SVG string."""
        labels = [
            " / ".join("(none)" if pd.isna(v) else str(v) for v in row)
            for row in self.frame[list(self.by)].itertuples(index=False)
        ]
        values = [0.0 if pd.isna(v) else float(v) for v in self.frame[value]]
        top = max(values, default=0.0) or 1.0
        bar_h, gap, label_w = 18, 4, 150
        height = len(values) * (bar_h + gap) + gap
        rows = []
        for i, (label, v) in enumerate(zip(labels, values, strict=True)):
            y = gap + i * (bar_h + gap)
            w = max(1.0, (width - label_w - 70) * v / top) if v else 0.0
            shown = f"{v:,.0f}"
            rows.append(
                f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12">'
                f"{html.escape(label[:24])}</text>"
                f'<rect class="crmkit-bar" x="{label_w}" y="{y}" width="{w:.1f}" '
                f'height="{bar_h}" fill="#4c78a8"/>'
                f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="12">{shown}</text>'
            )
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="crmkit-summary-chart" '
            f'width="{width}" height="{height}" font-family="sans-serif">{"".join(rows)}</svg>'
        )

    def plot(self, value: str = "count") -> str:
        """The bar chart (SVG text); in Jupyter, the summary shows it by itself."""
        return self.to_svg(value)

    def __repr__(self) -> str:
        columns = message("list_sep").join(
            shown_name(self.kind, c) if self.kind else c for c in self.by
        )
        return f"Summary({message('summary_by', columns=columns)})\n" + self.frame.to_string(
            index=False, na_rep=message("none_value")
        )

    def _repr_html_(self) -> str:
        lang = current_lang()
        frame = self.frame.assign(
            **{name: self.frame[name].astype(object).where(self.frame[name].notna(), "(none)")
               for name in self.by if name in self.frame.columns}
        )  # fmt: skip
        columns = [
            Column(name, column_label(self.kind, name, lang) if self.kind else name)
            for name in self.by
        ] + [
            Column(name, _VALUE_LABELS.get(name, (name,) * 3)[LANGS.index(lang)], "number")
            for name in frame.columns
            if name not in self.by
        ]
        table = table_html(frame, columns, mode="static", lang=lang, max_rows=len(frame) or 1)
        return (
            f'<div class="crmkit-summary" style="display:flex;gap:2em;align-items:flex-start">'
            f"{table}{self.to_svg()}</div>"
        )


def summarize(session: Session, query: Query, by: str | Sequence[str]) -> Summary:
    """Group a selection's records; bands keep their natural order.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> _ = crm.accounts.add(name="A", annual_revenue=2e6)
    >>> _ = crm.accounts.add(name="B", annual_revenue=3e6)
    >>> crm.accounts.summary(by="revenue_band").frame.to_dict("records")
    [{'revenue_band': '1M-10M', 'count': 2, 'revenue': 5000000.0}]
    >>> crm.close()
    """
    columns = [by] if isinstance(by, str) else list(by)
    valid = view_columns(session.con, query.kind)
    for name in columns:
        if name not in valid:
            raise UnknownValueError("column", name, valid, closest(name, valid))
    sql, params = query.sql()
    # Totals in the database's currency only: amounts without a rate are counted apart.
    revenue = (
        ", sum(revenue_base) AS revenue, count(*) FILTER (WHERE revenue_base IS NULL AND "
        "coalesce(annual_revenue, revenue_range_min) IS NOT NULL) AS revenue_not_converted"
        if query.kind == "accounts"
        else ""
    )
    group = ", ".join(columns)
    frame = session.con.sql(
        f"SELECT {group}, count(*) AS count{revenue} FROM ({sql}) GROUP BY {group}",
        params=params,
    ).df()
    if "revenue_not_converted" in frame and not frame["revenue_not_converted"].any():
        frame = frame.drop(columns="revenue_not_converted")  # shown only when it matters
    order: list[pd.Series] = []
    for name in columns:
        if name in ("revenue_band", "headcount_band"):
            labels = session.settings.bands(name.split("_")[0]).labels
            rank = {label: i for i, label in enumerate(labels)}
            order.append(frame[name].map(lambda v, rank=rank: rank.get(v, len(rank))))
        else:
            order.append(frame[name].astype(str))
    keys = pd.DataFrame({f"_k{i}": s for i, s in enumerate(order)})
    frame = frame.loc[keys.sort_values(list(keys.columns), kind="stable").index]
    if len(columns) == 1 and columns[0] not in ("revenue_band", "headcount_band"):
        frame = frame.sort_values("count", ascending=False, kind="stable")
    return Summary(tuple(columns), frame.reset_index(drop=True), query.kind)
