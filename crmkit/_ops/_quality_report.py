"""The data-quality report: frames, a terminal summary, HTML with bar charts, a file.

:class:`QualityReport` holds the figures :func:`crmkit._ops._quality.measure` computed
and shows them in the user's language (:func:`~crmkit._util._config.current_lang`):
field labels, headings and check names are translated; the bars are plain inline SVG,
so the HTML needs no script and shows the same in Jupyter, a browser or a mail.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import polars as pl

from crmkit._ops._quality import GROUP_EXTRAS, Measures
from crmkit._util._cell_format import format_cell
from crmkit._util._config import current_lang
from crmkit._util._messages import kind_noun, message
from crmkit._util._table_html import Column, table_html
from crmkit.schemas._catalog import Table, database_catalog, using_catalog
from crmkit.schemas._labels import column_label

__all__ = ["QualityReport"]

_FIELD_COLUMNS = (
    "field",
    "label",
    "required",
    "records",
    "filled",
    "fill_rate",
    "check",
    "nonconforming",
    "conformance",
    "spacing",
)
_GROUP_COLUMNS = (
    "records",
    "duplicates",
    "duplicate_share",
    "stale",
    "missing_required",
)


@dataclass
class QualityReport:
    """How clean the stored contacts or accounts are, per field and per group.

    Attributes
    ----------
    kind
        ``contacts`` or ``accounts``.
    by
        The grouping (``owner``, ``team``, ``sector``, ``source`` or a column), or None.
    duplicates_method
        ``exact`` (records sharing an exact key, computed in SQL) or ``report`` (the
        clusters of the duplicates report passed as ``duplicates=``).
    stale_after
        The age, as given, from which a record not updated is stale.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> _ = crm.contacts.add(last_name="DUPONT", email="a@example.com", mobile="0625341257")
    >>> _ = crm.contacts.add(last_name="Martin", mobile=None)
    >>> report = crm.quality("contacts")
    >>> row = report.df().set_index("field").loc["mobile"]
    >>> int(row["filled"]), float(row["fill_rate"])
    (1, 0.5)
    >>> int(report.df().set_index("field").loc["last_name", "nonconforming"])
    1
    >>> crm.close()
    """

    measures: Measures
    _trend: Callable[[str, int], pd.DataFrame] = field(repr=False)
    #: The database's catalog when measured (its custom fields' labels).
    catalog: Mapping[str, Table] | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        return self.measures.kind

    @property
    def by(self) -> str | None:
        return self.measures.by

    @property
    def duplicates_method(self) -> str:
        return self.measures.duplicates_method

    @property
    def stale_after(self) -> str:
        return self.measures.stale_after

    # -- frames --------------------------------------------------------------------------

    def df(self) -> pd.DataFrame:
        """One row per field (and per group with ``by=``), as pandas.

        Columns: the group (named after ``by``) when grouped, ``field``, ``label`` (in
        the current language), ``required``, ``records``, ``filled``, ``fill_rate``
        (filled / records), ``check`` (the format check: ``phone``, ``email``, ``url``,
        ``country``, ``currency``, ``vocabulary``, ``name_case``, or None),
        ``nonconforming`` (filled values failing it), ``conformance`` (1 -
        nonconforming / filled) and ``spacing`` (text values with leading, trailing or
        double spaces).
        """
        lang = current_lang()
        frame = self.measures.fields.copy()
        with using_catalog(self.catalog or database_catalog()):
            frame["label"] = [column_label(self.kind, f, lang) for f in frame["field"]]
        frame["fill_rate"] = _ratio(frame["filled"], frame["records"])
        bad = frame["nonconforming"].astype("Float64")
        frame["conformance"] = (1 - bad / frame["filled"].where(frame["filled"] > 0)).astype(
            "Float64"
        )
        frame["nonconforming"] = frame["nonconforming"].astype("Int64")
        frame["spacing"] = frame["spacing"].astype("Int64")
        columns = list(_FIELD_COLUMNS)
        if self.by is not None:
            frame = frame.rename(columns={"grp": self.by})
            frame[self.by] = _none_for_missing(frame[self.by])
            columns.insert(0, self.by)
        return frame[columns].reset_index(drop=True)

    def pl(self) -> pl.DataFrame:
        """The per-field table of :meth:`df`, as polars."""
        return pl.from_pandas(self.df())

    def groups_df(self) -> pd.DataFrame:
        """One row per group (one row without ``by=``), as pandas.

        Columns: the group when grouped, ``records``, ``duplicates`` (records with a
        duplicate), ``duplicate_share``, ``stale`` (not updated for ``stale_after``)
        and ``missing_required`` (records missing a field the database requires);
        contacts add ``no_email_basis`` (contacts with no legal basis for email).
        """
        frame = self.measures.groups.copy()
        extras = [name for name in GROUP_EXTRAS if name in frame.columns]
        for name in ("records", "duplicates", "stale", "missing_required", *extras):
            frame[name] = frame[name].astype("int64")
        frame["duplicate_share"] = _ratio(frame["duplicates"], frame["records"])
        columns = [*_GROUP_COLUMNS, *extras]
        if self.by is not None:
            frame = frame.rename(columns={"grp": self.by})
            frame[self.by] = _none_for_missing(frame[self.by])
            columns.insert(0, self.by)
        return frame[columns].reset_index(drop=True)

    def trend(self, field: str, months: int = 24) -> pd.DataFrame:
        """The fill rate of ``field`` month by month, read from history (pandas).

        Columns ``month`` (``YYYY-MM``), ``records`` (present at the month's end),
        ``filled`` and ``fill_rate``, for the last ``months`` months. The value at each
        month's end is replayed from history's old and new values; see
        :mod:`crmkit._ops._quality_trend` for the method and its limits. Over all
        records (not per group).
        """
        return self._trend(field, months)

    # -- display -------------------------------------------------------------------------

    def _totals(self, lang: str) -> dict[str, Any]:
        groups = self.measures.groups
        records = int(groups["records"].sum())
        duplicates = int(groups["duplicates"].sum())
        return {
            "records": records,
            "duplicates": duplicates,
            "dup_share": format_cell(duplicates / records, "percent", lang) if records else "-",
            "stale": int(groups["stale"].sum()),
            "missing": int(groups["missing_required"].sum()),
        }

    def _title(self, lang: str) -> str:
        title = message("quality_title", lang, kind=kind_noun(self.kind, lang=lang))
        if self.by is not None:
            title += " " + message("quality_by", lang, by=column_label(self.kind, self.by, lang))
        return title

    def _head(self, lang: str) -> str:
        totals = self._totals(lang)
        return message(
            "quality_head",
            lang,
            count=totals["records"],
            stale_after=self.stale_after,
            **totals,
        )

    def _method(self, lang: str) -> str:
        return message(f"quality_dup_{self.duplicates_method}", lang)

    def _consent(self, lang: str) -> list[str]:
        """The line on contacts with no legal basis for email (none for accounts)."""
        groups = self.measures.groups
        if "no_email_basis" not in groups.columns:
            return []
        return [message("quality_no_email_basis", lang, count=int(groups["no_email_basis"].sum()))]

    def __repr__(self) -> str:
        lang = current_lang()
        overall = self._overall()
        lines = [self._title(lang), self._head(lang), *self._consent(lang), self._method(lang), ""]
        width = max((len(str(label)) for label in overall["label"]), default=10)
        for row in overall.to_dict("records"):
            label = str(row["label"])
            if _blank(row["fill_rate"]):
                lines.append(f"{label:<{width}}  -")
                continue
            fill = format_cell(row["fill_rate"], "percent", lang)
            conformance = format_cell(row["conformance"], "percent", lang)
            check = "" if _blank(row["check"]) else _check_name(str(row["check"]), lang)
            lines.append(f"{label:<{width}}  {fill:>8}  {conformance:>8}  {check}".rstrip())
        return "\n".join(lines)

    def _overall(self) -> pd.DataFrame:
        """The per-field table summed over the groups."""
        frame = self.df()
        sums = (
            frame.groupby("field", sort=False)
            .agg(
                label=("label", "first"),
                required=("required", "first"),
                check=("check", "first"),
                records=("records", "sum"),
                filled=("filled", "sum"),
                nonconforming=("nonconforming", "sum"),
                spacing=("spacing", "sum"),
            )
            .reset_index()
        )
        sums["fill_rate"] = _ratio(sums["filled"], sums["records"])
        has_check = sums["check"].map(lambda c: not _blank(c)).astype(bool)
        sums["conformance"] = (
            1 - sums["nonconforming"].astype("Float64") / sums["filled"].where(sums["filled"] > 0)
        ).where(has_check)
        sums["nonconforming"] = sums["nonconforming"].astype("Int64").where(has_check)
        return sums

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        """The report as an HTML fragment: headings, bars and tables."""
        lang = current_lang()
        overall = self._overall()
        overall["check"] = [None if _blank(c) else _check_name(c, lang) for c in overall["check"]]
        fields = table_html(
            overall,
            [
                Column("label", message("quality_col_field", lang)),
                Column("required", message("quality_col_required", lang), "bool"),
                Column("filled", message("quality_col_filled", lang), "integer"),
                Column("fill_rate", message("quality_col_fill_rate", lang), "percent"),
                Column("check", message("quality_col_check", lang)),
                Column("nonconforming", message("quality_col_nonconforming", lang), "integer"),
                Column("conformance", message("quality_col_conformance", lang), "percent"),
                Column("spacing", message("quality_col_spacing", lang), "integer"),
            ],
            mode="static",
            lang=lang,
            max_rows=len(overall) or 1,
        )
        groups = self.groups_df()
        kinds: tuple[tuple[str, Literal["integer", "percent"]], ...] = (
            ("records", "integer"),
            ("duplicates", "integer"),
            ("duplicate_share", "percent"),
            ("stale", "integer"),
            ("missing_required", "integer"),
            *((name, "integer") for name in GROUP_EXTRAS if name in groups.columns),
        )
        group_columns = [
            Column(name, message(f"quality_col_{name}", lang), kind) for name, kind in kinds
        ]
        if self.by is not None:
            groups[self.by] = (
                groups[self.by]
                .astype(object)
                .where(groups[self.by].notna(), message("quality_none_group", lang))
            )
            group_columns.insert(0, Column(self.by, column_label(self.kind, self.by, lang)))
        group_table = table_html(
            groups, group_columns, mode="static", lang=lang, max_rows=len(groups) or 1
        )
        return (
            '<div class="crmkit-quality">'
            f"<h3>{html.escape(self._title(lang))}</h3>"
            f"<p>{'<br>'.join(html.escape(t) for t in [self._head(lang), *self._consent(lang)])}"
            "<br><small>"
            f"{html.escape(self._method(lang))}</small></p>"
            '<div style="display:flex;gap:2em;align-items:flex-start;flex-wrap:wrap">'
            f"{_bars(overall, lang)}{fields}</div>{group_table}</div>"
        )

    def write_html(self, path: str | Path) -> Path:
        """Write the report as a standalone HTML file (no script, no network); its path."""
        lang = current_lang()
        target = Path(path)
        page = (
            f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(self._title(lang))}</title>"
            "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{padding:2px 8px;border-bottom:1px solid #ddd}</style></head><body>"
            f"{self.to_html()}</body></html>\n"
        )
        target.write_text(page, encoding="utf-8")
        return target


def _ratio(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (part.astype("float64") / whole.where(whole > 0).astype("float64")).astype("Float64")


def _none_for_missing(values: pd.Series) -> pd.Series:
    """The group values, ``None`` (not NaN) for records in no group."""
    return values.astype(object).where(values.notna(), None)


def _blank(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _check_name(check: str, lang: str) -> str:
    return message(f"quality_check_{check}", lang)


def _bars(overall: pd.DataFrame, lang: str, width: int = 360) -> str:
    """Fill rate (blue) and conformance (orange, thin) per field, as inline SVG."""
    bar_h, gap, label_w = 14, 6, 140
    rows = []
    for i, row in enumerate(overall.to_dict("records")):
        y = gap + i * (bar_h + gap)
        fill = 0.0 if _blank(row["fill_rate"]) else float(row["fill_rate"])
        span = width - label_w - 50
        rows.append(
            f'<text x="{label_w - 6}" y="{y + 11}" text-anchor="end" font-size="11">'
            f"{html.escape(str(row['label'])[:22])}</text>"
            f'<rect x="{label_w}" y="{y}" width="{span}" height="{bar_h}" fill="#eee"/>'
            f'<rect class="crmkit-fill" x="{label_w}" y="{y}" width="{span * fill:.1f}" '
            f'height="{bar_h}" fill="#4c78a8"/>'
            f'<text x="{label_w + span + 4}" y="{y + 11}" font-size="11">{fill:.0%}</text>'
        )
        if not _blank(row["conformance"]):
            rows.append(
                f'<rect class="crmkit-conformance" x="{label_w}" y="{y + bar_h - 4}" '
                f'width="{span * float(row["conformance"]):.1f}" height="4" fill="#f58518"/>'
            )
    height = len(rows) and len(overall) * (bar_h + gap) + gap
    legend = html.escape(
        f"{message('quality_col_fill_rate', lang)} / {message('quality_col_conformance', lang)}"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="crmkit-quality-chart" '
        f'width="{width}" height="{height + 18}" font-family="sans-serif">'
        f'<text x="{label_w}" y="{height + 14}" font-size="11">{legend}</text>'
        f"{''.join(rows)}</svg>"
    )
