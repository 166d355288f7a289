"""Which record each imported row is: a stored one, an earlier row of the file, or new.

:class:`Matcher` gives each row its match keys (strongest first) and finds the existing
live record they name. :class:`FileGroups` remembers the rows of the file seen so far by
their keys, so that a later row naming the same record joins the earlier one's
:class:`Group`; :func:`fold` merges two such rows of one chunk.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from crmkit import _normalize as norm
from crmkit._core._results import first
from crmkit._core._session import Session
from crmkit._importing._chunks import Chunk
from crmkit._importing._scratch import HASH_SQL, Scratch, hashed_keys
from crmkit._normalize._columns import company_key_column
from crmkit._util._shorten import shorten
from crmkit.schemas._catalog import Table
from crmkit.schemas._vocab import fold as fold_text

__all__ = ["FileGroups", "Group", "Matcher", "fold"]

_LIVE = "deleted_at IS NULL AND merged_into IS NULL"
_KEY_TABLE = "_crmkit_import_keys"
_FILE_KEYS = "file_keys"  # in the import's Scratch DuckDB
_FILE_GROUPS = "file_groups"
# Contacts' keys by kind, strongest first, as DuckDB computes them for stored records.
_CONTACT_KEYS = (
    ("uid:", "'uid:' || uid"),
    ("email:", "'email:' || lower(email)"),
    (
        "name:",
        "'name:' || lower(strip_accents(coalesce(first_name, ''))) || '|' || "
        "lower(strip_accents(last_name)) || '|' || "
        "coalesce(CAST(account_id AS VARCHAR), '')",
    ),
)


class Matcher:
    """Match keys of imported rows and the existing records they name.

    Parameters
    ----------
    session
        The session whose records are matched.
    kind
        ``"contacts"`` or ``"accounts"``.
    match_on
        Fields that make the one match key instead of the default ones (``None``: the
        defaults).
    """

    def __init__(self, session: Session, kind: str, match_on: Sequence[str] | None) -> None:
        self.session = session
        self.kind = kind
        self.match_on = list(match_on) if match_on else None
        self._existing_accounts: dict[str, list[tuple[int, str]]] | None = None
        self._key_table_made = False
        self._stored_keys = 0  # rows of the key table (0: nothing to look up)

    def keys(self, chunk: Chunk) -> list[list[str]]:
        """Each row's match keys, strongest first (an empty list: the row has none).

        Contacts: the external id (``uid``), then the email, then first name + last name
        + account for a row without an email; accounts: the company key and website
        domain. ``match_on`` replaces them with one key made of those fields.
        """
        cols = chunk.columns
        n = len(chunk.lines)

        def col(name: str) -> list[Any]:
            return cols.get(name) or [None] * n

        if self.match_on:
            parts = [col(f) for f in self.match_on]
            return [
                [] if any(p is None for p in row) else ["|".join(fold_text(str(p)) for p in row)]
                for row in zip(*parts, strict=True)
            ]
        if self.kind == "contacts":
            fields = ("uid", "email", "first_name", "last_name", "account_id")
            return [_contact_keys(*row) for row in zip(*map(col, fields), strict=True)]
        name_keys = cols.get("_name_key") or company_key_column(col("name"))
        domains = norm.map_distinct(col("website"), norm.url_domain)
        return [
            [f"name:{name_key}|{domain or ''}"] if name_key else []
            for name_key, domain in zip(name_keys, domains, strict=True)
        ]

    def existing(self, keys: list[list[str]], uids: list[Any]) -> list[int | None]:
        """The id of the existing record each row matches, if any.

        Keys are tried strongest first; a record that carries another external id than
        the row's is not the same record, whatever else they share.
        """
        if self._nothing_stored():
            return [None] * len(keys)  # an import into an empty table: nothing to match
        wanted = sorted({k for row in keys for k in row})
        if not wanted:
            return [None] * len(keys)
        found = self._lookup_existing(wanted)
        out: list[int | None] = []
        for row, uid in zip(keys, uids, strict=True):
            match = None
            for key in row:
                hit = found.get(key)
                if hit is not None and (uid is None or hit[1] is None or hit[1] == uid):
                    match = hit[0]
                    break
            out.append(match)
        return out

    def _nothing_stored(self) -> bool:
        """Whether no live record has a key (checked once; updates only add keys to ones)."""
        if self.match_on or self.kind == "contacts":
            if not self._key_table_made:
                self._make_key_table()
            return self._stored_keys == 0
        return not self._accounts_by_name_domain()

    def _lookup_existing(self, wanted: list[str]) -> dict[str, tuple[int, Any]]:
        """Existing live records by key: ``{key: (id, uid)}`` (the oldest record wins)."""
        if self.match_on:
            folded = {fold_text(k): k for k in wanted}
            found = self._lookup_stored(list(folded))
            return {folded[k]: (hit[0], None) for k, hit in found.items()}
        if self.kind == "contacts":
            return self._lookup_stored(wanted)
        return self._lookup_accounts(wanted)

    def _lookup_stored(self, wanted: list[str]) -> dict[str, tuple[int, Any]]:
        """Look keys up in the table of stored records' keys (made on the first call)."""
        if not self._key_table_made:
            self._make_key_table()
        if not self._stored_keys:
            return {}
        rows = self.session.con.execute(
            f"SELECT k, min(id), arg_min(uid, id) FROM {_KEY_TABLE} "
            "WHERE k IN (SELECT unnest(?::VARCHAR[])) GROUP BY k",
            [wanted],
        ).fetchall()
        return {k: (int(i), u) for k, i, u in rows}

    def _key_select(self, where: str = "") -> str:
        """A query of the ``k, id, uid`` of live stored records (one row per key)."""
        live = f"{_LIVE} {where}"
        if self.match_on:
            expr = " || '|' || ".join(
                f"lower(strip_accents(CAST({f} AS VARCHAR)))" for f in self.match_on
            )
            return f"SELECT {expr} AS k, id, NULL::VARCHAR AS uid FROM {self.kind} WHERE {live}"
        return " UNION ALL ".join(
            f"SELECT {expr} AS k, id, uid FROM contacts WHERE {live}"
            + (" AND email IS NULL" if prefix == "name:" else "")
            for prefix, expr in _CONTACT_KEYS
        )

    def _make_key_table(self) -> None:
        """Compute the stored records' keys once per import, not once per chunk.

        A temporary table (DuckDB spills it to disk if memory runs short) read by a hash
        join for each chunk; the file's own new records are found by ``FileGroups``, and
        records the import updates are refreshed (:meth:`refresh`).
        """
        con = self.session.con
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_KEY_TABLE} AS "
            f"SELECT * FROM ({self._key_select()}) WHERE k IS NOT NULL"
        )
        row = first(con.execute(f"SELECT count(*) FROM {_KEY_TABLE}"))
        self._stored_keys = int(row[0]) if row else 0
        self._key_table_made = True

    def refresh(self, ids: Sequence[int]) -> None:
        """Recompute the keys of records the import has just changed."""
        if not self._key_table_made or not ids or (self.kind != "contacts" and not self.match_on):
            return
        con = self.session.con
        id_list = [int(i) for i in ids]
        con.execute(f"DELETE FROM {_KEY_TABLE} WHERE id IN (SELECT unnest(?::BIGINT[]))", [id_list])
        inserted = first(
            con.execute(
                f"INSERT INTO {_KEY_TABLE} SELECT * FROM "
                f"({self._key_select('AND id IN (SELECT unnest($ids::BIGINT[]))')}) "
                "WHERE k IS NOT NULL",
                {"ids": id_list},
            )
        )
        self._stored_keys += int(inserted[0]) if inserted else 0

    def close(self) -> None:
        """Drop the table of stored keys (at the end of the import)."""
        if self._key_table_made:
            self.session.con.execute(f"DROP TABLE IF EXISTS {_KEY_TABLE}")
            self._key_table_made = False

    def _lookup_accounts(self, wanted: list[str]) -> dict[str, tuple[int, Any]]:
        """Accounts: same company key, and the same website domain when both have one."""
        found: dict[str, tuple[int, Any]] = {}
        by_name = self._accounts_by_name_domain()
        for k in wanted:
            name_key, domain = k[5:].split("|", 1)
            for account_id, existing_domain in by_name.get(name_key, []):
                if not domain or not existing_domain or domain == existing_domain:
                    found[k] = (account_id, None)
                    break
        return found

    def _accounts_by_name_domain(self) -> dict[str, list[tuple[int, str]]]:
        """Live accounts by company key, with their website domains (built once)."""
        if self._existing_accounts is None:
            rows = self.session.con.execute(
                f"SELECT id, name, website FROM accounts WHERE {_LIVE} ORDER BY id"
            ).fetchall()
            keys = company_key_column([r[1] for r in rows])
            domains = norm.map_distinct([r[2] for r in rows], norm.url_domain)
            index: dict[str, list[tuple[int, str]]] = {}
            for (account_id, _, _), key, domain in zip(rows, keys, domains, strict=True):
                if key:
                    index.setdefault(key, []).append((int(account_id), domain or ""))
            self._existing_accounts = index
        return self._existing_accounts


def _contact_keys(uid: Any, email: Any, first_name: Any, last_name: Any, account: Any) -> list[str]:
    """A contact row's keys: the external id, then the email or, without one, the name."""
    row: list[str] = []
    if uid:
        row.append(f"uid:{uid}")
    if email:
        row.append(f"email:{email.lower()}")
    elif last_name:
        row.append(f"name:{fold_text(first_name or '')}|{fold_text(last_name)}|{account or ''}")
    return row


@dataclass(eq=False)
class Group:
    """The rows of a file that are one record: where the first one is, what it became.

    Attributes
    ----------
    key
        The first row's strongest key (named in the report).
    line, uid
        The first row's line and external id (a later row's id fills a missing one).
    chunk, row
        Where the first row waits to be written (``None`` once its chunk is written).
    record_id
        The record the rows are: matched, or inserted for the first row.
    number
        Its number among the file's groups (``None`` until its chunk is written).
    """

    key: str
    line: int
    uid: Any
    chunk: Chunk | None
    row: int | None
    record_id: int | None = None
    number: int | None = None


class FileGroups:
    """The rows of the file seen so far, by each of their match keys.

    Only the groups the current chunk names are :class:`Group` objects; the others are
    rows of two tables of a private DuckDB (:class:`~crmkit._importing._scratch.Scratch`):
    each key's 128-bit hash and group number, and each group's first line, record, first
    key and external id. The memory they take is bounded by that DuckDB's
    ``memory_limit`` (it spills to disk beyond), not by the file; each chunk finds its
    keys with one hash join. Call :meth:`load` with a chunk's keys before routing its rows,
    :meth:`flush` once the chunk is written, and :meth:`close` at the end.

    Parameters
    ----------
    scratch
        The DuckDB to keep them in (``None``: one of its own).
    """

    def __init__(self, scratch: Scratch | None = None) -> None:
        self._scratch = scratch or Scratch()
        self._owns_scratch = scratch is None
        self._made = False
        self._seen: dict[str, Group] = {}
        self._added: list[tuple[str, Group]] = []  # keys the current chunk added
        self._uids_filled: dict[int, Any] = {}  # ids a later row gave a written group
        self._count = 0

    def _con(self) -> duckdb.DuckDBPyConnection:
        con = self._scratch.con
        if not self._made:
            con.execute(f"CREATE TABLE {_FILE_KEYS} (h UHUGEINT, number BIGINT)")
            con.execute(
                f"CREATE TABLE {_FILE_GROUPS} (number BIGINT, line BIGINT, record BIGINT, "
                "first_key VARCHAR, uid VARCHAR)"
            )
            self._made = True
        return con

    def load(self, keys: Sequence[Sequence[str]]) -> None:
        """Bring back the written groups these rows' keys name (call before routing them)."""
        self._seen = {}
        self._added = []
        if not self._count:
            return
        wanted = list(dict.fromkeys(k for row in keys for k in row))
        if not wanted:
            return
        con = self._con()
        con.register("_crmkit_wanted", hashed_keys(wanted, pos=range(len(wanted))))
        try:
            found = con.execute(
                f"SELECT w.pos, k.number FROM _crmkit_wanted w JOIN {_FILE_KEYS} k "
                f"ON k.h = {HASH_SQL}"
            ).fetchall()
        finally:
            con.unregister("_crmkit_wanted")
        if not found:
            return
        numbers = sorted({int(n) for _, n in found})
        rows = con.execute(
            f"SELECT number, line, record, first_key, uid FROM {_FILE_GROUPS} "
            "WHERE number BETWEEN ? AND ? AND number IN (SELECT unnest(?::BIGINT[]))",
            [numbers[0], numbers[-1], numbers],
        ).fetchall()
        loaded: dict[int, Group] = {}
        for number, line, record, first_key, uid in rows:
            uid = self._uids_filled.get(number, uid)
            loaded[number] = Group(first_key, line, uid, None, None, record, number)
        for pos, number in found:
            self._seen[wanted[pos]] = loaded[number]

    def group_of(self, keys: list[str], uid: Any) -> Group | None:
        """The earlier row of this file that is the same record, if any."""
        for key in keys:
            group = self._seen.get(key)
            if group is not None and (uid is None or group.uid is None or group.uid == uid):
                return group
        return None

    def join(self, group: Group, keys: list[str], uid: Any) -> None:
        """Make every key of a row find its group (a later row may share only one)."""
        for key in keys:
            if key not in self._seen:
                self._seen[key] = group
                self._added.append((key, group))
        if group.uid is None and uid is not None:
            group.uid = uid
            if group.number is not None:
                self._uids_filled[group.number] = uid

    def flush(self) -> None:
        """Store the current chunk's new groups and keys (its rows are written)."""
        fresh = list({id(g): g for _, g in self._added if g.number is None}.values())
        for number, group in enumerate(fresh, self._count):
            group.number = number
        con = self._con() if fresh or self._added or self._uids_filled else None
        if con is not None and fresh:
            self._count += len(fresh)
            groups = pa.table(
                {
                    "number": pa.array([g.number for g in fresh], pa.int64()),
                    "line": pa.array([g.line for g in fresh], pa.int64()),
                    "record": pa.array([g.record_id for g in fresh], pa.int64()),
                    "first_key": pa.array([g.key for g in fresh], pa.string()),
                    "uid": pa.array([g.uid for g in fresh], pa.string()),
                }
            )
            self._insert(con, _FILE_GROUPS, groups, "*")
        if con is not None and self._added:
            numbers = [g.number for _, g in self._added]
            keys = hashed_keys([k for k, _ in self._added], number=numbers)  # type: ignore[arg-type]
            self._insert(con, _FILE_KEYS, keys, f"{HASH_SQL}, number")
        if con is not None and self._uids_filled:
            filled = pa.table(
                {
                    "number": pa.array(list(self._uids_filled), pa.int64()),
                    "uid": pa.array(list(self._uids_filled.values()), pa.string()),
                }
            )
            con.register("_crmkit_filled", filled)
            try:
                con.execute(
                    f"UPDATE {_FILE_GROUPS} g SET uid = f.uid FROM _crmkit_filled f "
                    "WHERE g.number = f.number"
                )
            finally:
                con.unregister("_crmkit_filled")
            self._uids_filled = {}
        self._seen = {}
        self._added = []

    @staticmethod
    def _insert(con: duckdb.DuckDBPyConnection, name: str, data: pa.Table, select: str) -> None:
        con.register("_crmkit_rows", data)
        try:
            con.execute(f"INSERT INTO {name} SELECT {select} FROM _crmkit_rows")
        finally:
            con.unregister("_crmkit_rows")

    def close(self) -> None:
        """Drop what was kept (the DuckDB too, when it is this object's own)."""
        if self._made and not self._owns_scratch:
            con = self._scratch.con
            con.execute(f"DROP TABLE IF EXISTS {_FILE_KEYS}")
            con.execute(f"DROP TABLE IF EXISTS {_FILE_GROUPS}")
        if self._owns_scratch:
            self._scratch.close()
        self._made = False
        self._count = 0


def fold(tbl: Table, chunk: Chunk, into: int, row: int) -> None:
    """Merge row ``row`` into the earlier row ``into`` of the same chunk.

    Blanks are filled, a later non-empty value wins (the replaced value is reported as a
    warning, so nothing is lost unseen), lists are united and custom fields merged.
    """
    line, first_line = chunk.lines[row], chunk.lines[into]
    for name, values in chunk.columns.items():
        new = values[row]
        old = values[into]
        if new is None or (name.startswith("_") and name != "_parent"):
            continue
        if old is None:
            values[into] = new
        elif name in tbl and tbl[name].kind == "list":
            values[into] = list(dict.fromkeys([*old, *new]))
        elif name == "custom":
            merged = {**json.loads(old), **json.loads(new)}
            values[into] = json.dumps(merged, ensure_ascii=False, default=str)
        elif new != old:
            values[into] = new
            chunk.warnings.append(
                (
                    line,
                    name,
                    new,
                    f"{name}: {shorten(old)} of line {first_line} replaced by "
                    f"{shorten(new)} (line {line} is the same record)",
                )
            )
