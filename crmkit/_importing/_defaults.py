"""The defaults an import gives new records: the current user as owner, the currency.

Defaults apply to new records only, so that an update changes nothing the file does not
name; the one exception is an amount given to a record with no currency anywhere, which
takes the database's currency as a new record's amount would.
"""

from __future__ import annotations

from crmkit._core._integrity import owner_states
from crmkit._core._session import Session
from crmkit._importing._chunks import Chunk, set_arrow_column
from crmkit._ops import _owners as owner_ops
from crmkit._util._messages import message, short
from crmkit.schemas._catalog import Table
from crmkit.schemas._labels import message_field

__all__ = ["fill_blank_currency", "fill_defaults"]

_AMOUNTS = ("annual_revenue", "revenue_range_min", "revenue_range_max")


def fill_defaults(
    session: Session, tbl: Table, chunk: Chunk, rows: list[int], batch: int, currency: str
) -> list[int]:
    """Give the rows to insert the default owner and, for an amount, ``currency``.

    Returns the rows still to insert: a row with no owner is rejected when the default
    owner is deactivated.
    """
    default_owner = owner_ops.default_owner_id(session, batch)
    if default_owner is not None and "owner_id" in tbl:
        _fill_owner(session, chunk, rows, default_owner)
        rows = [i for i in rows if not chunk.errors[i]]
    if tbl.name == "accounts":
        _fill_currency(tbl, chunk, rows, currency)
    return rows


def _fill_owner(session: Session, chunk: Chunk, rows: list[int], default_owner: int) -> None:
    owners = list(chunk.columns.get("owner_id") or [None] * len(chunk.lines))
    usable = owner_states(session.con, [default_owner]).get(default_owner, False)
    for i in rows:
        if owners[i] is not None:
            continue
        if usable:
            owners[i] = default_owner
        else:
            chunk.errors[i].append(
                message(
                    "reject_default_owner_deactivated",
                    # the import's owner column: one label for contacts and accounts
                    field=message_field("contacts", "owner"),
                    name=short(session.user),
                )
            )
    chunk.columns["owner_id"] = owners


def _fill_currency(tbl: Table, chunk: Chunk, rows: list[int], currency: str) -> None:
    n = len(chunk.lines)
    currencies = list(chunk.columns.get("currency") or [None] * n)
    amounts = [chunk.columns.get(name) or [None] * n for name in _AMOUNTS]
    filled = False
    for i in rows:
        if currencies[i] is None and any(a[i] is not None for a in amounts):
            currencies[i] = currency
            filled = True
    if filled:
        chunk.columns["currency"] = currencies
        set_arrow_column(tbl, chunk, "currency")


def fill_blank_currency(
    session: Session, kind: str, ids: list[int], batch: int, currency: str
) -> None:
    """An updated amount with no currency in the file or the record gets ``currency``."""
    if kind != "accounts":
        return
    session.store.set_where_ids(
        "accounts",
        "SELECT id FROM accounts WHERE id IN (SELECT unnest(?::BIGINT[])) "
        "AND currency IS NULL AND (annual_revenue IS NOT NULL OR "
        "revenue_range_min IS NOT NULL OR revenue_range_max IS NOT NULL)",
        [ids],
        {"currency": currency},
        batch,
        session.user,
        "import",
    )
