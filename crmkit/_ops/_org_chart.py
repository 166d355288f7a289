"""An account's org chart: its live contacts as a tree by ``reports_to``, drawn as SVG.

A contact whose manager is outside the account (or has none, or a removed one) is a
root. The layout is our own: leaves take consecutive slots left to right, a manager sits
centred over its reports; boxes are coloured by department. Reading only.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pandas as pd
import polars as pl

from crmkit._core._integrity import cycle_path
from crmkit._core._session import Session
from crmkit._exceptions import ParentCycleError, ValidationError
from crmkit._ops._records import check_live
from crmkit._util._config import current_lang
from crmkit._util._messages import message, record_noun
from crmkit.schemas._labels import message_field

__all__ = ["OrgChart", "org_chart", "text_width"]

_BOX_W, _BOX_H, _GAP_X, _GAP_Y, _MARGIN = 180, 52, 16, 36, 12
_PALETTE = (
    "#dbeafe", "#dcfce7", "#fef9c3", "#fde2e2", "#ede9fe",
    "#cffafe", "#fee2c5", "#e5e7eb", "#fbcfe8", "#d9f99d",
)  # fmt: skip
_FONT = "system-ui, 'Noto Sans', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
_COLUMNS = ["id", "name", "job_title", "department", "reports_to_id", "depth", "path", "n_reports"]


def text_width(text: str) -> int:
    """Width of ``text`` in half-width cells: wide (CJK) characters count two.

    Examples
    --------
    >>> text_width("Blou"), text_width("王芳")
    (4, 4)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, cells: int) -> str:
    """``text`` cut to ``cells`` half-width cells, with an ellipsis when cut."""
    if text_width(text) <= cells:
        return text
    out, used = [], 0
    for ch in text:
        width = text_width(ch)
        if used + width > cells - 1:
            break
        out.append(ch)
        used += width
    return "".join(out) + "…"


@dataclass
class OrgChart:
    """The contacts of one account by ``reports_to``: ``.df()``, ``.pl()``, ``.svg()``.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> acc = crm.accounts.add(name="APROOL")
    >>> boss = crm.contacts.add(last_name="Blou", account_id=acc, job_title="CEO")
    >>> _ = crm.contacts.add(last_name="Wang", account_id=acc, reports_to_id=boss)
    >>> chart = crm.accounts.org_chart(acc)
    >>> chart.df()[["name", "depth", "path", "n_reports"]].values.tolist()
    [['Blou', 0, 'Blou', 1], ['Wang', 1, 'Blou / Wang', 0]]
    >>> chart.svg().startswith("<svg")
    True
    >>> crm.close()
    """

    account_id: int
    account_name: str
    frame: pd.DataFrame

    def __len__(self) -> int:
        return len(self.frame)

    def df(self) -> pd.DataFrame:
        """The tree as pandas, depth first (a manager before its reports)."""
        return self.frame.copy()

    def pl(self) -> pl.DataFrame:
        """The tree as polars."""
        return pl.from_pandas(self.frame)

    def svg(self) -> str:
        """The chart as an SVG document (text escaped; wide characters measured)."""
        return _draw(self)

    def _repr_svg_(self) -> str:
        return self.svg()

    def save(self, path: str | Path) -> Path:
        """Write the chart to ``path`` (``.svg``); return the path."""
        target = Path(path)
        if target.suffix.lower() != ".svg":
            raise ValidationError(f"an org chart is saved as .svg, got {target.name!r}")
        target.write_text(self.svg(), encoding="utf-8")
        return target

    def __repr__(self) -> str:
        title = message("org_title", name=self.account_name, count=len(self))
        lines = [f"OrgChart({title})"]
        for row in self.frame.to_dict("records"):
            extra = ", ".join(str(v) for v in (row["job_title"], row["department"]) if v)
            shown = str(row["name"]) + (f" ({extra})" if extra else "")
            lines.append("  " + "  " * int(row["depth"]) + shown)
        return "\n".join(lines)


def org_chart(session: Session, account_id: Any) -> OrgChart:
    """The org chart of a live account (its live contacts).

    Raises :class:`~crmkit.RecordNotFoundError` for an unknown or removed account and
    :class:`~crmkit.ParentCycleError` when ``reports_to`` links loop among them.
    """
    aid = check_live(session, "accounts", account_id)
    name_row = session.con.execute("SELECT name FROM accounts WHERE id = ?", [aid]).fetchone()
    rows = session.con.execute(
        "SELECT id, display_name, job_title, department, reports_to_id FROM contacts_v "
        "WHERE account_id = ? ORDER BY id",
        [aid],
    ).fetchall()
    people = {int(r[0]): r for r in rows}
    links = {i: int(r[4]) for i, r in people.items() if r[4] is not None and int(r[4]) in people}
    for start in links:
        path = cycle_path(links, start)
        if path:
            chain = " → ".join(str(i) for i in path)
            record = message("record_ref", noun=record_noun("contacts"), id=start)
            field = message_field("contacts", "reports_to_id")
            raise ParentCycleError(message("breach_cycle", record=record, field=field, chain=chain))
    children: dict[int | None, list[int]] = {}
    for i in people:
        children.setdefault(links.get(i), []).append(i)

    def order(i: int) -> tuple[bool, str, str, int]:
        r = people[i]  # by department (none last), then name
        return (r[3] is None, str(r[3] or "").lower(), str(r[1] or "").lower(), i)

    out: list[tuple[Any, ...]] = []

    def walk(i: int, depth: int, trail: list[str]) -> None:
        r = people[i]
        name = str(r[1] or "") or message("record_ref", noun=record_noun("contacts"), id=i)
        here = [*trail, name]
        kids = sorted(children.get(i, []), key=order)
        out.append((i, name, r[2], r[3], links.get(i), depth, " / ".join(here), len(kids)))
        for kid in kids:
            walk(kid, depth + 1, here)

    for root in sorted(children.get(None, []), key=order):
        walk(root, 0, [])
    frame = pd.DataFrame(out, columns=_COLUMNS)
    frame = frame.astype({"id": "int64", "depth": "int64", "n_reports": "int64"})
    frame["reports_to_id"] = frame["reports_to_id"].astype("Int64")
    for column in ("job_title", "department"):  # None, not NaN, for an empty value
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return OrgChart(aid, str(name_row[0]) if name_row else "", frame)


def _draw(chart: OrgChart) -> str:
    frame = chart.frame
    lang = current_lang()
    records: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for r in frame.to_dict("records")
    ]
    parent = {
        int(r["id"]): (None if pd.isna(r["reports_to_id"]) else int(r["reports_to_id"]))
        for r in records
    }
    order = [int(i) for i in frame["id"]]
    kids: dict[int | None, list[int]] = {}
    for i in order:
        kids.setdefault(parent[i], []).append(i)
    slot: dict[int, float] = {}
    next_leaf = [0.0]

    def place(i: int) -> float:
        below = kids.get(i, [])
        if not below:
            slot[i] = next_leaf[0]
            next_leaf[0] += 1
        else:
            xs = [place(k) for k in below]
            slot[i] = (xs[0] + xs[-1]) / 2
        return slot[i]

    for root in kids.get(None, []):
        place(root)
    departments = sorted({str(d) for d in frame["department"] if d is not None}, key=str.lower)
    colour = {d: _PALETTE[n % len(_PALETTE)] for n, d in enumerate(departments)}
    depth = dict(zip(order, (int(d) for d in frame["depth"]), strict=True))
    legend_h = 24 if len(frame) else 0
    width = max(1.0, next_leaf[0]) * (_BOX_W + _GAP_X) - _GAP_X + 2 * _MARGIN
    levels = (max(depth.values()) + 1) if depth else 1
    height = levels * (_BOX_H + _GAP_Y) - _GAP_Y + 2 * _MARGIN + legend_h

    def x_of(i: int) -> float:
        return _MARGIN + slot[i] * (_BOX_W + _GAP_X)

    def y_of(i: int) -> float:
        return _MARGIN + legend_h + depth[i] * (_BOX_H + _GAP_Y)

    title = message("org_title", lang, name=chart.account_name, count=len(frame))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family={quoteattr(_FONT)} font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    legend_x = float(_MARGIN)
    for d in [*departments, None]:
        if d is None and frame["department"].notna().all():
            continue
        label = d if d is not None else message("org_no_department", lang)
        fill = colour.get(d, "#ffffff") if d is not None else "#ffffff"
        parts.append(
            f'<g class="legend"><rect x="{legend_x:.0f}" y="{_MARGIN}" width="12" height="12" '
            f'fill="{fill}" stroke="#555"/><text x="{legend_x + 16:.0f}" y="{_MARGIN + 10}">'
            f"{escape(_fit(label, 24))}</text></g>"
        )
        legend_x += 24 + 7 * min(text_width(label), 24)
    for i in order:
        p = parent[i]
        if p is not None:
            x1, y1 = x_of(p) + _BOX_W / 2, y_of(p) + _BOX_H
            x2, y2 = x_of(i) + _BOX_W / 2, y_of(i)
            mid = (y1 + y2) / 2
            parts.append(
                f'<path class="link" d="M{x1:.1f},{y1:.1f} V{mid:.1f} H{x2:.1f} V{y2:.1f}" '
                f'fill="none" stroke="#888"/>'
            )
    for row in records:
        i = int(row["id"])
        dept = None if row["department"] is None else str(row["department"])
        fill = colour.get(dept, "#ffffff") if dept else "#ffffff"
        x, y = x_of(i), y_of(i)
        name, job = str(row["name"]), str(row["job_title"] or "")
        title_text = " · ".join(v for v in (name, job, dept or "") if v)
        parts.append(
            f'<g class="contact" data-id="{i}" data-department={quoteattr(dept or "")}>'
            f"<title>{escape(title_text)}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{_BOX_W}" height="{_BOX_H}" rx="6" '
            f'fill="{fill}" stroke="#555"/>'
            f'<text x="{x + 8:.1f}" y="{y + 20:.1f}" font-weight="bold">'
            f"{escape(_fit(name, 26))}</text>"
            f'<text x="{x + 8:.1f}" y="{y + 38:.1f}">{escape(_fit(job, 28))}</text></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
