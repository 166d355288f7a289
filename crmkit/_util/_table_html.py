"""Every table crmkit shows, rendered once: interactive HTML, static HTML, or text.

Records, selections, import reports, history, merges and duplicate pairs hand a frame
(pandas, polars or Arrow), the labels of its columns and how each column is shown (text,
integer, money, date ...) to :func:`table_html` or :func:`table_text`; the cells are
formatted by :mod:`crmkit._util._cell_format` in the user's language.

- ``interactive`` (the default of ``ck.set_config(table_display=...)``): an itables
  DataTable, sorted, paged and searched in the browser. Its JavaScript and CSS come from
  the itables package itself (offline mode: the bundle is sent with the first table a
  process shows, and nothing is fetched from a CDN). Numbers and dates sort by value,
  through a hidden sort column per such column, not by their formatted text. Where no
  script runs (an untrusted notebook, a widget, GitHub's preview) the static table shows.
- ``static``: a plain ``<table>`` of the first ``display_rows`` rows and a "… N more
  rows" note, for exported HTML and e-mails.
- text, for terminals: aligned columns (wide characters counted twice), long cells cut.

This module sits in the bottom layer: it knows nothing of crmkit's fields, so callers
pass labels and kinds (derived from the field catalog above it).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from crmkit._util._cell_format import ColumnKind, format_cell, is_blank, sort_key
from crmkit._util._config import current_config, current_lang

if TYPE_CHECKING:
    from itables.typing import ITableOptions

__all__ = ["INTERACTIVE_ROWS", "Column", "rows_to_read", "table_html", "table_text"]

#: Most rows an interactive table carries (pages of ``display_rows`` each); a caller
#: with more says how many in ``total`` and the table notes the rest.
INTERACTIVE_ROWS = 2_000

_NUMERIC: frozenset[str] = frozenset({"id", "integer", "number", "percent", "money"})
_DATES: frozenset[str] = frozenset({"date", "datetime"})
_LONG_TEXT = 40  # characters: a column with longer cells wraps, between words only
_TEXT_CELL = 40  # characters shown of one cell in a terminal

_MORE: dict[str, str] = {
    "en": "… {n} more rows",
    "fr": "… {n} lignes de plus",
    "zh": "… 还有 {n} 行",
}

# The output's own wrapper (div.crmkit-tables) lifts these rules above JupyterLab's and
# Notebook's, which right-align every cell (":not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td").
_CSS = """
.crmkit-tables table.crmkit-table th { white-space: nowrap; text-align: left; }
.crmkit-tables table.crmkit-table td { white-space: nowrap; text-align: left; vertical-align: top; }
.crmkit-tables table.crmkit-table td.crmkit-num,
.crmkit-tables table.crmkit-table th.crmkit-num { text-align: right; }
.crmkit-tables table.crmkit-table td.crmkit-wrap { white-space: normal; word-break: normal;
  overflow-wrap: normal; hyphens: none; min-width: 20em; max-width: 40em; }
"""

# Blank numbers sort first, as DataTables sorts blank text; NaN would break its ordering.
_BLANK_FIRST = -sys.float_info.max

_bundle_sent = False  # the itables bundle goes out once per process (see module doc)


@dataclass(frozen=True)
class Column:
    """One column of a displayed table.

    Attributes
    ----------
    name
        The column of the frame.
    label
        Its header (the name when ``None``).
    kind
        How values show: ``text``, ``integer``, ``number``, ``money``, ``date``,
        ``datetime``, ``bool``, or ``auto`` (from each value's type).
    currency
        For ``money``: one ISO currency for every row ...
    currency_column
        ... or the frame's column holding each row's currency.
    shown_as
        Stored value → the text shown (country codes as the country's name); the rows
        sort by the text shown. Values not in it show as they are.
    """

    name: str
    label: str | None = None
    kind: ColumnKind = "auto"
    currency: str | None = None
    currency_column: str | None = None
    shown_as: Mapping[str, str] | None = None

    @property
    def header(self) -> str:
        """What the column's header says."""
        return self.label if self.label is not None else self.name


def rows_to_read() -> int:
    """How many rows a caller reads for one table in the display mode in force.

    Examples
    --------
    >>> import crmkit as ck
    >>> with ck.config_context(table_display="static", display_rows=15):
    ...     rows_to_read()
    15
    """
    config = current_config()
    return INTERACTIVE_ROWS if config.table_display == "interactive" else config.display_rows


def _values(frame: Any, name: str) -> list[Any]:
    if hasattr(frame, "column_names") and hasattr(frame, "column"):  # Arrow
        return list(frame.column(name).to_pylist())
    column = frame[name]
    if hasattr(column, "to_list"):  # polars
        return list(column.to_list())
    return list(column.tolist())


def _names(frame: Any) -> list[str]:
    if hasattr(frame, "column_names"):
        return [str(n) for n in frame.column_names]
    return [str(n) for n in frame.columns]


def _height(frame: Any) -> int:
    return int(frame.num_rows) if hasattr(frame, "num_rows") else len(frame)


def _columns(frame: Any, columns: Sequence[Column | str] | None) -> list[Column]:
    if columns is None:
        return [Column(name) for name in _names(frame)]
    return [c if isinstance(c, Column) else Column(c) for c in columns]


@dataclass
class _Cells:
    """A frame's columns as display text (and sort keys), computed once."""

    columns: list[Column]
    text: list[list[str]]  # one list per column
    keys: list[list[Any]]
    numeric: list[bool]
    dated: list[bool]
    rows: int


def _cells(frame: Any, columns: list[Column], lang: str) -> _Cells:
    rows = _height(frame)
    text: list[list[str]] = []
    keys: list[list[Any]] = []
    numeric: list[bool] = []
    dated: list[bool] = []
    for column in columns:
        values = _values(frame, column.name)
        currencies: list[Any] = (
            _values(frame, column.currency_column)
            if column.currency_column
            else [column.currency] * rows
        )
        if column.shown_as is not None:
            shown_as = column.shown_as
            values = [shown_as.get(v, v) if isinstance(v, str) else v for v in values]
        text.append(
            [
                format_cell(v, column.kind, lang, None if is_blank(c) else c)
                for v, c in zip(values, currencies, strict=True)
            ]
        )
        keys.append([sort_key(v, column.kind) for v in values])
        present = [v for v in values if not is_blank(v)]
        numeric.append(
            column.kind in _NUMERIC
            or (
                column.kind == "auto"
                and bool(present)
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present)
            )
        )
        dated.append(
            column.kind in _DATES
            or (
                column.kind == "auto"
                and bool(present)
                and all(isinstance(v, dt.date) or hasattr(v, "to_pydatetime") for v in present)
            )
        )
    return _Cells(columns, text, keys, numeric, dated, rows)


def _more_note(hidden: int, lang: str) -> str:
    return _MORE.get(lang, _MORE["en"]).format(n=f"{hidden:,}")


def _classes(cells: _Cells, index: int) -> str:
    if cells.numeric[index]:
        return "crmkit-num"
    if any(len(t) > _LONG_TEXT for t in cells.text[index]):
        return "crmkit-wrap"
    return ""


def _static(cells: _Cells, shown: int, hidden: int, lang: str, caption: str | None) -> str:
    attributes = [
        f' class="{c}"' if c else ""
        for c in (_classes(cells, i) for i in range(len(cells.columns)))
    ]
    head = "".join(
        f"<th{a}>{html.escape(col.header)}</th>"
        for col, a in zip(cells.columns, attributes, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{a}>{html.escape(cells.text[i][row])}</td>" for i, a in enumerate(attributes)
        )
        + "</tr>"
        for row in range(min(shown, cells.rows))
    )
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    more = f'<p class="crmkit-more">{html.escape(_more_note(hidden, lang))}</p>' if hidden else ""
    return (
        f'<div class="crmkit-tables"><style>{_CSS}</style>'
        f'<table class="crmkit-table">{title}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>{more}</div>"
    )


def _offline_bundle() -> str:
    """itables' DataTables bundle, the first time a process shows an interactive table."""
    global _bundle_sent
    if _bundle_sent:
        return ""
    from itables import options
    from itables.javascript import generate_init_offline_itables_html

    _bundle_sent = True
    return generate_init_offline_itables_html(options.dt_bundle)


#: DataTables' own words (search box, page length, "Showing 1 to 20 of 60") per language;
#: English is DataTables' default.
_DATATABLES_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "search": "Rechercher :",
        "lengthMenu": "_MENU_ lignes par page",
        "info": "Lignes _START_ à _END_ sur _TOTAL_",
        "infoEmpty": "Aucune ligne",
        "infoFiltered": "(filtrées parmi _MAX_)",
        "zeroRecords": "Aucune ligne ne correspond",
        "emptyTable": "Aucune donnée",
    },
    "zh": {
        "search": "搜索：",
        "lengthMenu": "每页 _MENU_ 行",
        "info": "第 _START_ 至 _END_ 行，共 _TOTAL_ 行",
        "infoEmpty": "没有行",
        "infoFiltered": "（从 _MAX_ 行中筛选）",
        "zeroRecords": "没有匹配的行",
        "emptyTable": "没有数据",
    },
}


def _interactive(cells: _Cells, page_rows: int, hidden: int, lang: str, caption: str | None) -> str:
    import pandas as pd
    from itables.javascript import (
        check_table_id,
        get_itable_arguments,
        html_table_from_template,
    )

    data: dict[str, Any] = {}
    headers: list[str] = []
    for column in cells.columns:
        header = column.header
        while header in headers:  # DataTables needs distinct headers
            header += " "
        headers.append(header)
    column_defs: list[dict[str, Any]] = []
    sort_columns: list[tuple[int, list[Any], bool]] = []
    for index, header in enumerate(headers):
        data[header] = cells.text[index]
        class_name = _classes(cells, index)
        definition: dict[str, Any] = {"targets": index}
        if class_name:
            definition["className"] = class_name
        if cells.numeric[index] or cells.dated[index]:
            sort_columns.append((index, cells.keys[index], cells.numeric[index]))
        column_defs.append(definition)
    for offset, (index, keys, is_number) in enumerate(sort_columns):
        position = len(headers) + offset
        # Typed columns, so the JSON holds numbers and ISO text (an invisible separator in
        # the header: it cannot clash with a label).
        data[f"\u2063sort {offset}"] = (
            pd.Series([_BLANK_FIRST if k is None else k for k in keys], dtype="float64")
            if is_number
            else pd.Series(["" if k is None else k for k in keys], dtype=object)
        )
        column_defs[index]["orderData"] = [position]
        column_defs.append(
            {
                "targets": position,
                "visible": False,
                "searchable": False,
                "type": "num" if is_number else "string",
            }
        )
    frame = pd.DataFrame(
        {k: v if isinstance(v, pd.Series) else pd.Series(v, dtype=object) for k, v in data.items()}
    )
    options: dict[str, Any] = {
        "connected": False,
        "showIndex": False,
        "pageLength": page_rows,
        "lengthMenu": sorted({10, 25, 50, 100, page_rows}),
        "maxBytes": 0,
        "maxRows": 0,
        "maxColumns": 0,
        "classes": "display compact crmkit-table",
        "columnDefs": column_defs,
        "css": _CSS,
        "display_logo_when_loading": False,
        "warn_on_unexpected_types": False,
        "format_floats_in_python": False,
        "text_in_header_can_be_selected": False,  # a click on a header sorts
    }
    if hidden:
        options["footer"] = False
    if lang in _DATATABLES_WORDS:
        options["language"] = _DATATABLES_WORDS[lang]
    table_id = check_table_id(None, cast("ITableOptions", options), df=frame)
    options["table_id"] = table_id
    arguments = get_itable_arguments(frame, caption, **options)
    arguments.pop("dt_url")
    arguments.pop("connected")
    arguments.pop("display_logo_when_loading", None)
    fallback = _static(cells, page_rows, hidden + max(0, cells.rows - page_rows), lang, caption)
    table = html_table_from_template(
        table_id=table_id,
        dt_url="",
        connected=False,
        display_logo_when_loading=False,
        kwargs=arguments,
        fallback_html=fallback,
    )
    more = f'<p class="crmkit-more">{html.escape(_more_note(hidden, lang))}</p>' if hidden else ""
    return f'{_offline_bundle()}<div class="crmkit-tables">{table}{more}</div>'


def table_html(
    frame: Any,
    columns: Sequence[Column | str] | None = None,
    *,
    total: int | None = None,
    mode: str | None = None,
    lang: str | None = None,
    caption: str | None = None,
    max_rows: int | None = None,
) -> str:
    """``frame`` as an HTML table: interactive (itables) or static.

    Parameters
    ----------
    frame
        A pandas or polars DataFrame or an Arrow table: the rows to show.
    columns
        The columns shown, in order, as :class:`Column` (label and kind) or names; all
        columns by default.
    total
        How many rows the whole result has, when ``frame`` holds only its first ones:
        the table notes the rest ("… N more rows").
    mode
        ``"interactive"`` or ``"static"``; ``ck.set_config(table_display=...)`` by default.
    lang
        Language of numbers, dates and notes; ``ck.set_config(lang=...)`` by default.
    caption
        A title shown with the table.
    max_rows
        Rows of a page (``display_rows`` by default).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"name": ["APROOL"], "annual_revenue": [7074600.0]})
    >>> columns = [Column("name", "Name"), Column("annual_revenue", "Revenue", "money", "EUR")]
    >>> page = table_html(frame, columns, mode="static", total=3)
    >>> "<td class=\\"crmkit-num\\">7,074,600 EUR</td>" in page, "… 2 more rows" in page
    (True, True)
    """
    config = current_config()
    lang = lang or current_lang()
    mode = mode or config.table_display
    chosen = _columns(frame, columns)
    cells = _cells(frame, chosen, lang)
    hidden = max(0, (total if total is not None else cells.rows) - cells.rows)
    shown = max_rows if max_rows is not None else config.display_rows
    if mode == "interactive" and cells.rows and chosen:
        return _interactive(cells, shown, hidden, lang, caption)
    return _static(cells, shown, hidden + max(0, cells.rows - shown), lang, caption)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: str, limit: int) -> str:
    text = re.sub(r"[\r\n\t]+", " ", text)  # one line per row (no-break spaces stay)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def table_text(
    frame: Any,
    columns: Sequence[Column | str] | None = None,
    *,
    total: int | None = None,
    lang: str | None = None,
    max_rows: int | None = None,
) -> str:
    """``frame`` as aligned text for a terminal: names left, numbers right.

    Shows ``max_rows`` rows (``display_rows`` by default) and notes the rest.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"name": ["APROOL", "Blou SA"], "employees": [85, None]})
    >>> print(table_text(frame, [Column("name", "Name"), Column("employees", "Employees")]))
    Name     Employees
    APROOL          85
    Blou SA
    >>> print(table_text(frame, ["name"], max_rows=1, total=10))
    name
    APROOL
    … 9 more rows
    """
    lang = lang or current_lang()
    limit = max_rows if max_rows is not None else current_config().display_rows
    chosen = _columns(frame, columns)
    cells = _cells(frame, chosen, lang)
    shown = min(limit, cells.rows)
    grid = [
        [_cut(cells.text[i][row], _TEXT_CELL) for i in range(len(chosen))] for row in range(shown)
    ]
    headers = [c.header for c in chosen]
    widths = [
        max([_width(headers[i])] + [_width(line[i]) for line in grid]) for i in range(len(chosen))
    ]

    def line(values: list[str]) -> str:
        parts = []
        for i, value in enumerate(values):
            pad = " " * (widths[i] - _width(value))
            parts.append(pad + value if cells.numeric[i] else value + pad)
        return "  ".join(parts).rstrip()

    lines = [line(headers), *(line(values) for values in grid)]
    hidden = max(0, (total if total is not None else cells.rows) - shown)
    if hidden:
        lines.append(_more_note(hidden, lang))
    return "\n".join(lines)
