"""What every batch must leave true, whichever path wrote it.

Adding, updating, importing, bulk edits, merges, forms, the command line and undo all
write through the store inside one batch; before the batch commits, the store asks this
module what the batch broke and refuses the whole batch if anything:

- a **reference** (account, owner, parent, reports_to, team, merged_into, subscription)
  that points at no row, or a live record's account, parent or reports_to that points at
  a deleted or merged-away record;
- a **cycle** of parent accounts (A → B → C → A) or of reports_to links;
- a record **given to a deactivated owner** (a merge or an undo may keep or put back the
  owner a record already had).

Paths that can do better than refusing the whole batch (an import rejects the one row
that breaks a rule) check first with :func:`cycle_path` and :func:`owner_states`; this
module is the net under all of them. Only records the batch wrote, and records pointing
at records it wrote, are looked at, so the cost follows the batch, not the database.
Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import duckdb

from crmkit._core._results import first
from crmkit._util._config import chosen_lang
from crmkit._util._messages import message, record_noun
from crmkit.schemas._catalog import ACCOUNTS, CONTACTS
from crmkit.schemas._labels import message_field

__all__ = [
    "GRAPHS",
    "KEEPS_OWNER",
    "REFERENCES",
    "Breach",
    "batch_breaches",
    "cycle_path",
    "owner_states",
]

#: Every reference between rows: (table, field, table pointed at, live), ``live`` when a
#: live record must point at a live one (not deleted, not merged away).
REFERENCES: tuple[tuple[str, str, str, bool], ...] = (
    *(
        (tbl.name, f.name, f.ref or tbl.name, f.ref in ("accounts", "contacts"))
        for tbl in (ACCOUNTS, CONTACTS)
        for f in tbl
        if f.kind == "ref"
    ),
    ("owners", "team_id", "owners", False),
    ("subscriptions", "contact_id", "contacts", False),
    ("activities", "contact_id", "contacts", False),
    ("activities", "account_id", "accounts", False),
    ("activities", "owner_id", "owners", False),
)
#: Links that must never loop: (table, field).
GRAPHS: tuple[tuple[str, str], ...] = (("accounts", "parent_id"), ("contacts", "reports_to_id"))
#: Operations that may leave or put back an owner a record already had.
KEEPS_OWNER = ("undo", "merge", "merge all", "detach")

Kind = Literal["missing", "removed", "cycle", "inactive owner"]


@dataclass(frozen=True)
class Breach:
    """One rule a batch broke: ``table`` record ``record_id``'s ``field`` and why."""

    table: str
    record_id: int
    field: str
    target: int | None
    kind: Kind
    path: tuple[int, ...] = ()

    def describe(self) -> str:
        """A sentence for an error message, in the language in force.

        Fields show by name until a language is chosen (the English crmkit always
        printed), by label once one is (:func:`crmkit.set_config`).
        """
        noun = record_noun(_target_of(self.table, self.field))
        record = message("record_ref", noun=record_noun(self.table), id=self.record_id)
        field = message_field(self.table, self.field)
        if self.kind == "missing":
            key = "breach_missing"
        elif self.kind == "removed":
            key = "breach_removed"
        elif self.kind == "cycle":
            chain = " → ".join(str(i) for i in self.path)
            if chosen_lang() is None:
                field = "parent" if self.field == "parent_id" else "reports_to"
            return message("breach_cycle", record=record, field=field, chain=chain)
        else:
            if chosen_lang() is None:
                field = "owner"
            return message("breach_inactive_owner", record=record, field=field, target=self.target)
        return message(key, record=record, field=field, noun=noun, target=self.target)


def _target_of(table: str, field: str) -> str:
    return next(t for s, f, t, _ in REFERENCES if (s, f) == (table, field))


def touched_fields(con: duckdb.DuckDBPyConnection, batch_id: int) -> set[tuple[str, str | None]]:
    """The (table, field) pairs the batch wrote; ``None`` for whole rows (insert, delete)."""
    rows = con.execute(
        "SELECT DISTINCT table_name, field FROM history WHERE batch_id = ?", [batch_id]
    ).fetchall()
    return {(str(t), None if f is None else str(f)) for t, f in rows}


def _wrote(touched: set[tuple[str, str | None]], table: str, *fields: str) -> bool:
    """Whether the batch wrote one of ``fields`` (or whole rows) of ``table``."""
    return (table, None) in touched or any((table, f) in touched for f in fields)


def batch_breaches(
    con: duckdb.DuckDBPyConnection,
    batch_id: int,
    touched: set[tuple[str, str | None]] | None = None,
) -> list[Breach]:
    """Every rule the batch's writes break (an empty list when it may commit).

    Only the rules the batch's fields can break are checked: a reassign (``owner_id``)
    cannot break a parent cycle, nor leave a reference to a deleted account. ``touched``
    is :func:`touched_fields` of the batch when the caller read it already.
    """
    if touched is None:
        touched = touched_fields(con, batch_id)
    found = dangling(con, batch_id, touched)
    for table, field in GRAPHS:
        if not _wrote(touched, table, field):
            continue
        touched_links = [
            (int(r[0]), int(r[1]))
            for r in con.execute(
                f"SELECT t.id, t.{field} FROM {table} t WHERE t.{field} IS NOT NULL AND t.id IN "
                f"(SELECT record_id FROM history WHERE batch_id = ? AND table_name = ? "
                f"AND (field = ? OR field IS NULL))",
                [batch_id, table, field],
            ).fetchall()
        ]
        if touched_links:
            links = _links(con, table, field)
            for record_id, _ in touched_links:
                path = cycle_path(links, record_id)
                if path:
                    found.append(Breach(table, record_id, field, path[1], "cycle", path))
    if not any(_wrote(touched, table, "owner_id") for table in ("accounts", "contacts")):
        return found  # the owner rule below reads only records whose owner was written
    operation = first(con.execute("SELECT operation FROM batches WHERE id = ?", [batch_id]))
    if operation is not None and operation[0] in KEEPS_OWNER:
        # An undo (or a merge) gives records back the owner they had, deactivated or not:
        # a record an undo puts back is written as an 'insert' row of the undo batch.
        return found
    for table in ("accounts", "contacts"):
        if not _wrote(touched, table, "owner_id"):
            continue
        rows = con.execute(
            f"SELECT t.id, t.owner_id FROM {table} t JOIN owners o ON o.id = t.owner_id "
            f"WHERE NOT coalesce(o.active, TRUE) AND t.id IN (SELECT record_id FROM history "
            f"WHERE batch_id = ? AND table_name = ? AND operation NOT IN "
            f"(SELECT unnest(?::VARCHAR[])) AND (field = 'owner_id' OR "
            f"(field IS NULL AND operation = 'insert')))",
            [batch_id, table, list(KEEPS_OWNER)],
        ).fetchall()
        found += [Breach(table, int(i), "owner_id", int(o), "inactive owner") for i, o in rows]
    return found


def dangling(
    con: duckdb.DuckDBPyConnection,
    batch_id: int,
    touched: set[tuple[str, str | None]] | None = None,
) -> list[Breach]:
    """References the batch left pointing at nothing, or live ones at removed records.

    ``touched`` (:func:`touched_fields`, read when not given) skips the references the
    batch cannot have broken: neither their field nor their target's rows or liveness.
    """
    touched = touched_fields(con, batch_id) if touched is None else touched
    found: list[Breach] = []
    for table, field, target, live in REFERENCES:
        sides = []
        params: list[Any] = []
        if _wrote(touched, table, field):
            sides.append(
                "s.id IN (SELECT record_id FROM history WHERE batch_id = ? AND table_name = ?)"
            )
            params += [batch_id, table]
        if _wrote(touched, target, "deleted_at", "merged_into", "id"):
            sides.append(
                f"s.{field} IN (SELECT record_id FROM history WHERE batch_id = ? "
                "AND table_name = ?)"
            )
            params += [batch_id, target]
        if not sides:
            continue
        removed = (
            "OR (s.deleted_at IS NULL AND s.merged_into IS NULL AND "
            "(t.deleted_at IS NOT NULL OR t.merged_into IS NOT NULL))"
            if live
            else ""
        )
        rows = con.execute(
            f"SELECT s.id, s.{field}, t.id IS NULL FROM {table} s "
            f"LEFT JOIN {target} t ON t.id = s.{field} "
            f"WHERE s.{field} IS NOT NULL AND (t.id IS NULL {removed}) AND ("
            f"{' OR '.join(sides)}) ORDER BY s.id",
            params,
        ).fetchall()
        found += [
            Breach(table, int(i), field, int(ref), "missing" if gone else "removed")
            for i, ref, gone in rows
        ]
    return found


def _links(con: duckdb.DuckDBPyConnection, table: str, field: str) -> dict[int, int]:
    rows = con.execute(f"SELECT id, {field} FROM {table} WHERE {field} IS NOT NULL").fetchall()
    return {int(a): int(b) for a, b in rows}


def links(con: duckdb.DuckDBPyConnection, table: str, field: str) -> dict[int, int]:
    """Every stored ``id -> field`` link of a graph (parents, reports_to)."""
    return _links(con, table, field)


def cycle_path(links: Mapping[int, int], start: int) -> tuple[int, ...]:
    """The loop through ``start`` when following ``links`` up from it, else ``()``.

    Examples
    --------
    >>> cycle_path({1: 2, 2: 3, 3: 1}, 1)
    (1, 2, 3, 1)
    >>> cycle_path({1: 2, 2: 3}, 1)
    ()
    """
    path = [start]
    seen = {start}
    node = links.get(start)
    while node is not None:
        path.append(node)
        if node == start:
            return tuple(path)
        if node in seen:  # a loop above start, not through it: its own records say so
            return ()
        seen.add(node)
        node = links.get(node)
    return ()


def owner_states(con: duckdb.DuckDBPyConnection, ids: Iterable[int]) -> dict[int, bool]:
    """Whether each owner id exists and is active (missing ids are left out)."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return {}
    rows = con.execute(
        "SELECT id, coalesce(active, TRUE) FROM owners WHERE id IN (SELECT unnest(?::BIGINT[]))",
        [wanted],
    ).fetchall()
    return {int(i): bool(a) for i, a in rows}
