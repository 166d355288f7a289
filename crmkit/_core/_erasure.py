"""Erasure: a person's personal values removed from every place crmkit keeps them.

:func:`erase_rows` runs inside the erase batch's transaction (``crmkit._ops._erase``
checks the ids, detaches live references, and opens the batch). It writes its changes
directly, never through :meth:`Store.update` or :meth:`Store.hard_delete`, which would
copy the values into ``history`` — the one thing an erasure must not do:

- the records: a record something still points at (a record merged into it, a deleted
  contact reporting to it) stays as a **tombstone** (its id and non-personal fields,
  personal fields ``NULL``, ``deleted_at`` set); the others are removed outright;
- ``history``: the old and new values of personal fields of these records are set to
  ``NULL``, and whole-row JSON (removals for good) loses its personal keys; the rows of
  the activities, subscriptions and duplicate decisions removed lose every value;
- their activities, subscriptions and duplicate decisions are removed;
- ``import_rejects`` rows whose cells hold the person's email or phone, or their last
  name with their first name, are removed;
- saved views' literal values and batches' descriptions and details naming them read
  ``[erased]``: their emails, phones and full names wherever they appear as whole words,
  a first or last name alone where it is a whole value (:class:`Needles`);
- the blocklist gets the hashes of their emails and phones
  (:mod:`crmkit._core._blocklist`);
- ``erasures`` gets one row (who, when, why, counts) and ``erased_records`` the ids it
  touched, so undo refuses every earlier batch that changed one (it would find nothing
  to put back).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crmkit._core._blocklist import add_hashes
from crmkit._core._integrity import REFERENCES
from crmkit._core._results import first
from crmkit._core._store import now_utc

if TYPE_CHECKING:
    from crmkit._core._store import Store

__all__ = [
    "ERASED",
    "Needles",
    "erase_rows",
    "log_erasure",
    "needles_of",
    "next_erasure_id",
    "scrub_text",
]

ERASED = "[erased]"
_IDS = "(SELECT unnest(?::BIGINT[]))"


@dataclass(frozen=True)
class Needles:
    """What names the people being erased, to find them in free text.

    ``words`` (emails, phones, full names) are replaced wherever they appear as whole
    words; ``names`` (a first or a last name alone, common words for others too) only
    where a whole value is one of them (a saved view's literal, a detail of a batch).
    """

    words: tuple[str, ...] = ()
    names: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.words or self.names)


def needles_of(store: Store, name: str, ids: Sequence[int], personal: Iterable[str]) -> Needles:
    """The :class:`Needles` of the records ``ids``: current and past values."""
    tbl = store.catalog[name]
    chosen = set(personal)
    wanted = [
        f.name
        for f in tbl
        if f.name in chosen
        and f.kind == "text"
        and (f.format in ("email", "phone") or f.name in ("first_name", "last_name", "name"))
    ]
    if not wanted:
        return Needles()
    strong = {f for f in wanted if tbl[f].format in ("email", "phone")}
    words: set[str] = set()
    names: set[str] = set()
    columns = ", ".join(wanted)
    for row in store.con.execute(
        f"SELECT {columns} FROM {name} WHERE id IN {_IDS}", [list(ids)]
    ).fetchall():
        values = dict(zip(wanted, row, strict=True))
        for field, value in values.items():
            if value:
                (words if field in strong else names).add(str(value))
        if values.get("first_name") and values.get("last_name"):
            words.add(f"{values['first_name']} {values['last_name']}")
    for field, value in store.con.execute(
        f"SELECT DISTINCT field, json_extract_string(v, '$') FROM (SELECT field, "
        f"unnest([old_value, new_value]) AS v FROM history WHERE table_name = ? AND "
        f"record_id IN {_IDS} AND field IN (SELECT unnest(?::VARCHAR[]))) WHERE v IS NOT NULL",
        [name, list(ids), wanted],
    ).fetchall():
        if value:
            (words if field in strong else names).add(str(value))
    return Needles(
        tuple(sorted((w.strip() for w in words if len(w.strip()) >= 2), key=len, reverse=True)),
        frozenset(n.strip().casefold() for n in names if n.strip()),
    )


def scrub_text(text: str, words: Sequence[str]) -> str:
    """``text`` with each of ``words``, as a whole word and in any case, replaced by
    ``[erased]``.

    Examples
    --------
    >>> scrub_text("merge of Hélène BLOU (h.blou@ex.com)", ["Hélène Blou", "h.blou@ex.com"])
    'merge of [erased] ([erased])'
    >>> scrub_text("Hélène Bloutte", ["Hélène Blou"])
    'Hélène Bloutte'
    """
    for word in sorted(words, key=len, reverse=True):
        pattern = r"(?<!\w)" + re.escape(word) + r"(?!\w)"
        text = re.sub(pattern, ERASED, text, flags=re.IGNORECASE)
    return text


def _scrub_json(value: Any, needles: Needles) -> Any:
    if isinstance(value, str):
        if value.strip().casefold() in needles.names:
            return ERASED
        return scrub_text(value, needles.words)
    if isinstance(value, list):
        return [_scrub_json(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_json(v, needles) for k, v in value.items()}
    return value


def _scrubbed(text: str | None, needles: Needles) -> str | None:
    """JSON text scrubbed, or ``None`` when nothing in it changed."""
    if text is None or not needles:
        return None
    new = json.dumps(_scrub_json(json.loads(text), needles), ensure_ascii=False)
    return None if json.loads(new) == json.loads(text) else new


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _names_person(
    cells: Sequence[str], emails: set[str], phones: set[str], names: set[tuple[str, str]]
) -> bool:
    """Whether the raw cells of a rejected import row hold one of the people's emails or
    phones, or a last name with its first name (``names``: folded pairs)."""
    folded = [c.strip().casefold() for c in cells]
    for cell in folded:
        if any(e in cell for e in emails):
            return True
        digits = _digits(cell).lstrip("0")
        if len(digits) >= 6 and any(p.endswith(digits) for p in phones):
            return True
    for first_name, last_name in names:
        if any(last_name in c.split() or c == last_name for c in folded) and (
            not first_name or any(first_name in c.split() or c == first_name for c in folded)
        ):
            return True
    return False


def erase_rows(
    store: Store,
    name: str,
    ids: Sequence[int],
    personal: Sequence[str],
    *,
    erasure_id: int,
    batch: int,
    actor: str,
) -> dict[str, int]:
    """Erase records ``ids`` of table ``name`` (see the module); returns the counts."""
    con = store.con
    ids = [int(i) for i in ids]
    counts: dict[str, int] = {"records": len(ids)}
    needles = needles_of(store, name, ids, personal)
    tbl = store.catalog[name]
    emails = {n.casefold() for n in needles.words if "@" in n}
    phones = {
        _digits(n)
        for n in needles.words
        if n.startswith("+") and len(_digits(n)) >= 6 and f"+{_digits(n)}" == n
    }
    person = _person_names(store, name, ids)
    counts["blocked"] = (
        add_hashes(store, f"(SELECT * FROM {name} WHERE id IN {_IDS})", [ids], batch, actor)
        if name == "contacts"
        else 0
    )
    # Values held now, for the log's count.
    fields = [f for f in personal if f in tbl]
    if fields:
        nonnull = " + ".join(f"(CASE WHEN {f} IS NULL THEN 0 ELSE 1 END)" for f in fields)
        row = first(
            con.execute(f"SELECT coalesce(sum({nonnull}), 0) FROM {name} WHERE id IN {_IDS}", [ids])
        )
        counts["values"] = int(row[0]) if row else 0
    else:
        counts["values"] = 0
    # History of the records: personal fields' values, and whole rows' personal keys.
    row = first(
        con.execute(
            "SELECT count(*) FROM history WHERE table_name = ? AND record_id IN "
            f"{_IDS} AND field IN (SELECT unnest(?::VARCHAR[])) "
            "AND (old_value IS NOT NULL OR new_value IS NOT NULL)",
            [name, ids, fields],
        )
    )
    counts["history_values"] = int(row[0]) if row else 0
    con.execute(
        "UPDATE history SET old_value = NULL, new_value = NULL WHERE table_name = ? AND "
        f"record_id IN {_IDS} AND field IN (SELECT unnest(?::VARCHAR[]))",
        [name, ids, fields],
    )
    patch = json.dumps(dict.fromkeys(fields))
    for side in ("old_value", "new_value"):
        con.execute(
            f"UPDATE history SET {side} = json_merge_patch({side}, ?::JSON) WHERE table_name = ? "
            f"AND record_id IN {_IDS} AND field IS NULL AND json_type({side}) = 'OBJECT'",
            [patch, name, ids],
        )
    # What hangs on the records: activities, subscriptions, duplicate decisions.
    removed: dict[str, list[int]] = {}
    column = f"{name[:-1]}_id"
    removed["activities"] = _ids_where(
        store, f"SELECT id FROM activities WHERE {column} IN {_IDS}", [ids]
    )
    removed["subscriptions"] = (
        _ids_where(store, f"SELECT id FROM subscriptions WHERE contact_id IN {_IDS}", [ids])
        if name == "contacts"
        else []
    )
    removed["duplicate_decisions"] = _ids_where(
        store,
        f"SELECT id FROM duplicate_decisions WHERE kind = ? AND (id_a IN {_IDS} OR id_b IN {_IDS})",
        [name, ids, ids],
    )
    for table_name, gone in removed.items():
        counts[table_name] = len(gone)
        if not gone:
            continue
        con.execute(
            f"UPDATE history SET old_value = NULL, new_value = NULL WHERE table_name = ? "
            f"AND record_id IN {_IDS}",
            [table_name, gone],
        )
        con.execute(f"DELETE FROM {table_name} WHERE id IN {_IDS}", [gone])
        _mark(store, erasure_id, table_name, gone, tombstone=False)
    # Activities removed for good before: their whole rows in history.
    con.execute(
        "UPDATE history SET old_value = NULL WHERE table_name = 'activities' AND field IS NULL "
        f"AND TRY_CAST(json_extract_string(old_value, '$.{column}') AS BIGINT) IN {_IDS}",
        [ids],
    )
    # The records: tombstones where something still points at them, else removed.
    tombstones = _still_referenced(store, name, ids)
    gone_records = [i for i in ids if i not in tombstones]
    if tombstones:
        keep = sorted(tombstones)
        nulls = ", ".join(f"{f} = NULL" for f in fields)
        setters = (nulls + ", " if nulls else "") + (
            "deleted_at = coalesce(deleted_at, now()::TIMESTAMP), updated_by = ?"
        )
        con.execute(f"UPDATE {name} SET {setters} WHERE id IN {_IDS}", [actor, keep])
        _mark(store, erasure_id, name, keep, tombstone=True)
    if gone_records:
        con.execute(f"DELETE FROM {name} WHERE id IN {_IDS}", [gone_records])
        _mark(store, erasure_id, name, gone_records, tombstone=False)
    counts["tombstones"] = len(tombstones)
    counts["removed"] = len(gone_records)
    # Rejected import rows naming them.
    counts["rejects"] = 0
    if emails or phones or person:
        doomed = []
        for rowid, raw in con.execute(
            "SELECT rowid, raw FROM import_rejects WHERE raw IS NOT NULL"
        ).fetchall():
            cells = _cells(json.loads(raw))
            if _names_person(cells, emails, phones, person):
                doomed.append(int(rowid))
        if doomed:
            con.execute(f"DELETE FROM import_rejects WHERE rowid IN {_IDS}", [doomed])
        counts["rejects"] = len(doomed)
    # Free text naming them: saved views, their history, batches.
    counts["views"] = counts["batches"] = 0
    if needles:
        for view_id, definition in con.execute("SELECT id, definition FROM saved_views").fetchall():
            new = _scrubbed(definition, needles)
            if new is not None:
                con.execute("UPDATE saved_views SET definition = ? WHERE id = ?", [new, view_id])
                counts["views"] += 1
        for rowid, old, new_value in con.execute(
            "SELECT rowid, old_value, new_value FROM history WHERE table_name = 'saved_views'"
        ).fetchall():
            old_s, new_s = _scrubbed(old, needles), _scrubbed(new_value, needles)
            if old_s is not None or new_s is not None:
                con.execute(
                    "UPDATE history SET old_value = coalesce(?::JSON, old_value), "
                    "new_value = coalesce(?::JSON, new_value) WHERE rowid = ?",
                    [old_s, new_s, rowid],
                )
        for batch_id, description, details in con.execute(
            "SELECT id, description, details FROM batches"
        ).fetchall():
            text = scrub_text(description, needles.words) if description else description
            new_details = _scrubbed(details, needles)
            if text != description or new_details is not None:
                con.execute(
                    "UPDATE batches SET description = ?, details = coalesce(?::JSON, details) "
                    "WHERE id = ?",
                    [text, new_details, batch_id],
                )
                counts["batches"] += 1
    return counts


def next_erasure_id(store: Store) -> int:
    """A new id for the ``erasures`` log."""
    row = first(store.con.execute("SELECT nextval('erasures_id_seq')"))
    assert row is not None
    return int(row[0])


def log_erasure(
    store: Store,
    erasure_id: int,
    actor: str,
    kind: str,
    reason: str,
    batch: int,
    counts: dict[str, int],
) -> None:
    """Write the erasure's row of the log: who, when, why, the batch and the counts."""
    store.con.execute(
        "INSERT INTO erasures VALUES (?, ?, ?, ?, ?, ?, ?)",
        [erasure_id, now_utc(), actor, kind, reason, batch, json.dumps(counts)],
    )


def _person_names(store: Store, name: str, ids: Sequence[int]) -> set[tuple[str, str]]:
    """The people's first and last names, folded (``""``: none), for matching import rows."""
    if name != "contacts":
        return set()
    rows = store.con.execute(
        f"SELECT first_name, last_name FROM contacts WHERE id IN {_IDS}", [list(ids)]
    ).fetchall()
    pairs = {(str(f or "").strip().casefold(), str(n or "").strip().casefold()) for f, n in rows}
    return {pair for pair in pairs if pair[1]}


def _cells(raw: Any) -> list[str]:
    if isinstance(raw, dict):
        return [str(v) for v in raw.values() if v is not None]
    if isinstance(raw, list):
        return [str(v) for v in raw if v is not None]
    return [str(raw)]


def _ids_where(store: Store, sql: str, params: Sequence[Any]) -> list[int]:
    return [int(r[0]) for r in store.con.execute(sql, list(params)).fetchall()]


def _mark(
    store: Store, erasure_id: int, table_name: str, ids: Sequence[int], *, tombstone: bool
) -> None:
    store.con.execute(
        "INSERT INTO erased_records SELECT ?, ?, unnest(?::BIGINT[]), ?",
        [erasure_id, table_name, list(ids), tombstone],
    )


def _still_referenced(store: Store, name: str, ids: Sequence[int]) -> set[int]:
    """The records of ``ids`` another record still points at once the others go.

    Activities and subscriptions are removed with them and do not count; a record of
    ``ids`` removed does not keep another one of them.
    """
    removable = set(ids)
    sources = [
        (s, f)
        for s, f, t, _ in REFERENCES
        if t == name and s not in ("activities", "subscriptions")
    ]
    kept: set[int] = set()
    while True:
        gone = sorted(removable)
        found: set[int] = set()
        for source, field in sources:
            outside = f"AND id NOT IN {_IDS}" if source == name else ""
            params: list[Any] = [gone, gone] if outside else [gone]
            found.update(
                int(r[0])
                for r in store.con.execute(
                    f"SELECT DISTINCT {field} FROM {source} WHERE {field} IN {_IDS} {outside}",
                    params,
                ).fetchall()
            )
        new = found & removable
        if not new:
            return kept
        kept |= new
        removable -= new
