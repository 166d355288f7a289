"""The blocklist: erased people's emails and phones, kept only as salted one-way hashes.

An erasure (:mod:`crmkit._core._erasure`) adds the hash of every email and phone the
person had; a contact whose email or phone hashes to one of them is refused on every
path: :meth:`~crmkit._core._session.Session.batch` checks what a batch wrote (add,
update, clone, bulk edits, forms, the command line) with :func:`check_batch_blocked`,
an import checks its rows per chunk with :func:`blocked_rows` (``crmkit._importing._rules``,
the same place as the duplicate rules). The reason names the field, never the value.

A value is hashed as ``sha256(salt + channel + ":" + key)``, computed by DuckDB, where
the key is the email trimmed and lower-cased, or the phone's digits (phones are stored
as E.164); the salt is random per database (``meta.blocklist_salt``, made by migration
7), so the same email has other hashes in other files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import duckdb

from crmkit._core._results import first
from crmkit._exceptions import BlockedRecordError, ErasureError
from crmkit._util._messages import message, record_noun
from crmkit.schemas._catalog import Table, table
from crmkit.schemas._labels import message_field

if TYPE_CHECKING:
    from crmkit._core._store import Store

__all__ = [
    "BLOCKED_KIND",
    "CHANNELS",
    "SKIPPED",
    "add_hashes",
    "blocked_rows",
    "channel_fields",
    "check_batch_blocked",
    "entry_counts",
    "hash_sql",
    "key_sql",
    "remove_entry",
    "salt",
]

#: The channels kept: the catalog format of their fields.
CHANNELS: dict[str, str] = {"email": "email", "phone": "phone"}
#: Batches not checked: undo and merges put back or combine stored values, an import
#: checks its rows itself, an erasure writes the blocklist.
SKIPPED = frozenset({"merge", "merge all", "undo", "detach", "import", "erase"})
BLOCKED_KIND = "contacts"  # the records of people


def salt(con: duckdb.DuckDBPyConnection) -> str:
    """The database's blocklist salt."""
    row = first(con.execute("SELECT value FROM meta WHERE key = 'blocklist_salt'"))
    return "" if row is None else str(row[0])


def channel_fields(tbl: Table, channel: str) -> list[str]:
    """The fields of ``tbl`` holding values of ``channel`` (``email`` or ``phone``)."""
    return [f.name for f in tbl if f.format == CHANNELS[channel] and f.kind == "text"]


def key_sql(channel: str, expr: str) -> str:
    """SQL of the comparison key of a value (``NULL`` when blank)."""
    text = f"CAST({expr} AS VARCHAR)"
    if channel == "email":
        return f"nullif(lower(trim({text})), '')"
    return f"nullif(regexp_replace({text}, '[^0-9]', '', 'g'), '')"


def hash_sql(channel: str, expr: str) -> str:
    """SQL of the salted hash of a value; binds one parameter, the salt."""
    return f"sha256(concat(?, '{channel}:', {key_sql(channel, expr)}))"


def _empty(con: duckdb.DuckDBPyConnection) -> bool:
    row = first(con.execute("SELECT count(*) FROM blocklist"))
    return not row or not row[0]


def blocked_rows(
    con: duckdb.DuckDBPyConnection, tbl: Table, relation: str, key: str
) -> dict[int, str]:
    """The rows of ``relation`` (SQL naming a relation with the fields of ``tbl`` it
    has and a column ``key``) matching the blocklist: ``key`` value to the first field
    that matches."""
    if tbl.name != BLOCKED_KIND or _empty(con):
        return {}
    columns = {
        str(r[0]) for r in con.execute(f"SELECT * FROM {relation} LIMIT 0").description or []
    }
    pepper = salt(con)
    found: dict[int, str] = {}
    for channel in CHANNELS:
        for field in channel_fields(tbl, channel):
            if field not in columns:
                continue
            rows = con.execute(
                f"SELECT x.{key} FROM {relation} x JOIN blocklist b "
                f"ON b.channel = ? AND b.hash = {hash_sql(channel, 'x.' + field)}",
                [channel, pepper],
            ).fetchall()
            for (row,) in rows:
                found.setdefault(int(row), field)
    return found


def check_batch_blocked(con: duckdb.DuckDBPyConnection, batch_id: int, operation: str) -> None:
    """Refuse a batch that wrote a contact matching the blocklist (inserted, or one of
    its emails or phones changed): :class:`BlockedRecordError`, inside the batch's
    transaction, so nothing of it is written."""
    if operation in SKIPPED or _empty(con):
        return
    tbl = table(BLOCKED_KIND)
    fields = [f for channel in CHANNELS for f in channel_fields(tbl, channel)]
    ids = [
        int(r[0])
        for r in con.execute(
            "SELECT DISTINCT record_id FROM history WHERE batch_id = ? AND table_name = ? "
            "AND ((operation = 'insert' AND field IS NULL) OR "
            "field IN (SELECT unnest(?::VARCHAR[])))",
            [batch_id, BLOCKED_KIND, fields],
        ).fetchall()
    ]
    if not ids:
        return
    listed = ", ".join(str(i) for i in ids)  # whole numbers read from history
    relation = (
        f"(SELECT * FROM {BLOCKED_KIND} WHERE id IN ({listed}) "
        "AND deleted_at IS NULL AND merged_into IS NULL)"
    )
    found = blocked_rows(con, tbl, relation, "id")
    if found:
        record_id, field = min(found.items())
        noun = record_noun(BLOCKED_KIND)
        new = first(
            con.execute(
                "SELECT count(*) FROM history WHERE batch_id = ? AND table_name = ? "
                "AND record_id = ? AND operation = 'insert' AND field IS NULL",
                [batch_id, BLOCKED_KIND, record_id],
            )
        )
        if new and new[0]:
            what = message("alert_new_record", noun=noun)
        else:
            what = message("record_ref", noun=noun, id=record_id)
        raise BlockedRecordError(
            message("blocked", what=what, field=message_field(BLOCKED_KIND, field))
        )


def add_hashes(
    store: Store, relation: str, params: Sequence[object], batch: int, actor: str
) -> int:
    """Add to the blocklist the hashes of every email and phone of the contacts rows
    ``relation`` (SQL with ``params``) holds, and of the values of those fields in
    ``history`` for the same ids; returns how many new hashes."""
    tbl = store.catalog[BLOCKED_KIND]
    pepper = salt(store.con)
    parts: list[str] = []
    args: list[object] = []
    for channel in CHANNELS:
        for field in channel_fields(tbl, channel):
            parts.append(
                f"SELECT '{channel}' AS channel, {hash_sql(channel, 'x.' + field)} AS hash "
                f"FROM {relation} x WHERE {key_sql(channel, 'x.' + field)} IS NOT NULL"
            )
            args += [pepper, *params]
            for side in ("old_value", "new_value"):
                value = f"json_extract_string(h.{side}, '$')"
                parts.append(
                    f"SELECT '{channel}', {hash_sql(channel, value)} FROM history h "
                    f"WHERE h.table_name = '{BLOCKED_KIND}' AND h.field = '{field}' "
                    f"AND h.record_id IN (SELECT id FROM {relation} y) "
                    f"AND {key_sql(channel, value)} IS NOT NULL"
                )
                args += [pepper, *params]
    found = store.con.sql(
        f"SELECT DISTINCT channel, hash FROM ({' UNION ALL '.join(parts)}) n "
        "WHERE NOT EXISTS (SELECT 1 FROM blocklist b WHERE b.channel = n.channel "
        "AND b.hash = n.hash) ORDER BY 1, 2",
        params=args,
    ).to_arrow_table()
    store.insert("blocklist", found, batch, actor)
    return found.num_rows


def entry_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How many hashes the blocklist holds per channel (every channel listed)."""
    found = dict(con.execute("SELECT channel, count(*) FROM blocklist GROUP BY 1").fetchall())
    return {channel: int(found.get(channel, 0)) for channel in CHANNELS}


def remove_entry(store: Store, actor: str, channel: str, value: str, region: str) -> int:
    """Take the hash of ``value`` (an email, or a phone read with ``region``) off the
    blocklist, as one batch (``crm.undo`` puts it back); returns the batch id.

    Raises :class:`~crmkit.ErasureError` when no entry matches (nothing written).
    """
    from crmkit._normalize._phones import normalize_phone

    if channel == "phone":
        value = normalize_phone(value, region).value or value
    row = first(
        store.con.execute(
            f"SELECT id FROM blocklist WHERE channel = ? AND hash = {hash_sql(channel, '?')}",
            [channel, salt(store.con), value],
        )
    )
    if row is None:
        raise ErasureError(message("blocklist_absent", channel=channel))
    with store.transaction():
        batch = store.new_batch("blocklist remove", actor, f"blocklist: remove one {channel}")
        store.hard_delete("blocklist", [int(row[0])], batch, actor)
        store.finish_batch(batch)
    return batch
