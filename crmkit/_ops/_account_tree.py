"""Account trees: a top parent and every member (subsidiary) account, with roll-ups.

Revenue rolls up in the database's currency (``default_currency``), converted as the
views convert it (``revenue_base``: the latest exchange rate of each currency); an
amount in a currency without a rate is left out of the roll-up and counted. Reading
only.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import polars as pl

from crmkit._core._integrity import cycle_path
from crmkit._core._session import Session
from crmkit._exceptions import ParentCycleError
from crmkit._ops._records import check_live
from crmkit._util._cell_format import format_cell
from crmkit._util._config import current_lang
from crmkit._util._messages import message, record_noun
from crmkit._util._table_html import table_html, table_text
from crmkit.schemas._display import report_columns
from crmkit.schemas._labels import message_field

__all__ = ["AccountTree", "account_tree", "members"]

_COLUMNS = [
    "id",
    "name",
    "parent_id",
    "depth",
    "path",
    "contacts",
    "contacts_total",
    "annual_revenue",
    "currency",
    "revenue",
    "revenue_total",
    "employees",
    "employees_total",
]


def _live_parents(session: Session) -> dict[int, int]:
    rows = session.con.execute(
        "SELECT id, parent_id FROM accounts WHERE parent_id IS NOT NULL "
        "AND deleted_at IS NULL AND merged_into IS NULL"
    ).fetchall()
    return {int(a): int(b) for a, b in rows}


def _refuse_cycle(parents: dict[int, int], start: int) -> None:
    path = cycle_path(parents, start)
    if path:
        record = message("record_ref", noun=record_noun("accounts"), id=start)
        chain = " → ".join(str(i) for i in path)
        field = message_field("accounts", "parent_id")
        raise ParentCycleError(message("breach_cycle", record=record, field=field, chain=chain))


def members(session: Session, roots: Iterable[int]) -> list[int]:
    """``roots`` and every live account below them by ``parent_id`` (sorted ids).

    Raises :class:`~crmkit.ParentCycleError` when parent links loop below a root.
    """
    parents = _live_parents(session)
    below: dict[int, list[int]] = {}
    for child, parent in parents.items():
        below.setdefault(parent, []).append(child)
    seen: set[int] = set()
    todo = list(roots)
    while todo:
        node = todo.pop()
        if node in seen:
            _refuse_cycle(parents, node)
            continue
        seen.add(node)
        todo += below.get(node, [])
    return sorted(seen)


@dataclass
class AccountTree:
    """A top account and its members: ``.df()``, ``.pl()``, an indented tree to show.

    ``currency`` is the currency of ``revenue`` and ``revenue_total`` (the database's);
    ``unconverted`` the ids whose revenue has no exchange rate (left out of totals).

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> top = crm.accounts.add(name="Groupe", annual_revenue=1_000_000, employees=10)
    >>> sub = crm.accounts.add(name="Filiale", parent_id=top, annual_revenue=500_000)
    >>> _ = crm.contacts.add(last_name="Blou", account_id=sub)
    >>> tree = crm.accounts.tree(sub)
    >>> tree.df()[["name", "depth", "contacts_total", "revenue_total"]].values.tolist()
    [['Groupe', 0, 1, 1500000.0], ['Filiale', 1, 1, 500000.0]]
    >>> tree.currency
    'EUR'
    >>> crm.close()
    """

    root_id: int
    frame: pd.DataFrame
    currency: str
    unconverted: list[int]

    def __len__(self) -> int:
        return len(self.frame)

    def df(self) -> pd.DataFrame:
        """The accounts as pandas, depth first (a parent before its members)."""
        return self.frame.copy()

    def pl(self) -> pl.DataFrame:
        """The accounts as polars."""
        return pl.from_pandas(self.frame)

    def _head(self, lang: str) -> str:
        name = self.frame["name"].iloc[0] if len(self.frame) else ""
        parts = [
            message("tree_title", lang, name=name, count=len(self)),
            message("tree_currency", lang, currency=self.currency),
        ]
        if self.unconverted:
            parts.append(message("tree_unconverted", lang, count=len(self.unconverted)))
        return message("semicolon_sep", lang).join(parts)

    def _shown(self) -> pd.DataFrame:
        shown = self.frame[
            ["name", "contacts", "contacts_total", "revenue_total", "employees_total"]
        ].copy()
        shown["name"] = [
            "\u00a0\u00a0\u00a0\u00a0" * int(d) + str(n)
            for d, n in zip(self.frame["depth"], self.frame["name"], strict=True)
        ]
        return shown

    def _repr_html_(self) -> str:
        lang = current_lang()
        shown = self._shown()
        columns = report_columns("accounts", list(shown.columns), lang)
        body = table_html(shown, columns, mode="static", lang=lang, max_rows=max(len(shown), 1))
        return (
            f'<div class="crmkit-account-tree"><p>{html.escape(self._head(lang))}</p>{body}</div>'
        )

    def __repr__(self) -> str:
        lang = current_lang()
        lines = [f"AccountTree({self._head(lang)})"]
        for row in self.frame.to_dict("records"):
            revenue = format_cell(row["revenue_total"], "money", lang, self.currency)
            shown = f"{row['name']}  [{row['contacts_total']} · {revenue}]"
            lines.append("  " + "  " * int(row["depth"]) + shown)
        return "\n".join(lines)

    def text(self) -> str:
        """The tree as an aligned text table."""
        lang = current_lang()
        shown = self._shown()
        return table_text(shown, report_columns("accounts", list(shown.columns), lang), lang=lang)


def account_tree(session: Session, account_id: Any) -> AccountTree:
    """The tree holding a live account: from its top parent down, with roll-ups."""
    aid = check_live(session, "accounts", account_id)
    parents = _live_parents(session)
    _refuse_cycle(parents, aid)
    top = aid
    while top in parents:
        top = parents[top]
    ids = members(session, [top])
    rows = session.con.execute(
        "SELECT id, name, parent_id, contact_count, annual_revenue, currency, revenue_base, "
        "coalesce(employees, employees_range_min) FROM accounts_v "
        "WHERE id IN (SELECT unnest(?::BIGINT[]))",
        [ids],
    ).fetchall()
    info = {int(r[0]): r for r in rows}
    below: dict[int, list[int]] = {}
    for i in ids:
        p = info[i][2]
        if i != top and p is not None:
            below.setdefault(int(p), []).append(i)
    out: list[list[Any]] = []
    unconverted: list[int] = []

    def walk(i: int, depth: int, trail: list[str]) -> tuple[int, float, int]:
        r = info[i]
        here = [*trail, str(r[1])]
        row: list[Any] = [i, r[1], r[2], depth, " / ".join(here)]
        own_contacts = int(r[3] or 0)
        revenue = None if r[6] is None else float(r[6])
        if r[4] is not None and revenue is None:
            unconverted.append(i)
        employees = None if r[7] is None else int(r[7])
        row += [own_contacts, 0, r[4], r[5], revenue, 0.0, employees, 0]
        out.append(row)
        contacts, money, people = own_contacts, revenue or 0.0, employees or 0
        for kid in sorted(below.get(i, []), key=lambda k: (str(info[k][1]).lower(), k)):
            sub = walk(kid, depth + 1, here)
            contacts, money, people = contacts + sub[0], money + sub[1], people + sub[2]
        row[6], row[10], row[12] = contacts, money, people
        return contacts, money, people

    walk(top, 0, [])
    frame = pd.DataFrame(out, columns=_COLUMNS)
    frame = frame.astype(
        {"id": "int64", "depth": "int64", "contacts": "int64", "contacts_total": "int64"}
    )
    frame["parent_id"] = frame["parent_id"].astype("Int64")
    frame["employees"] = frame["employees"].astype("Int64")
    frame["employees_total"] = frame["employees_total"].astype("int64")
    frame["revenue"] = frame["revenue"].astype("float64")
    frame["revenue_total"] = frame["revenue_total"].astype("float64")
    currency = session.settings.default_currency
    return AccountTree(top, frame, currency, sorted(unconverted))
