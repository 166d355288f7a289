"""Erasure: a person's personal values removed from every place crmkit keeps them.

:func:`erase_rows` runs inside the erase batch's transaction (``crmkit._ops._erase``
checks the ids, detaches live references, and opens the batch). It writes its changes
directly, never through :meth:`Store.update` or :meth:`Store.hard_delete`, which would
copy the values into ``history`` — the one thing an erasure must not do:

- the records: a record something still points at (a record merged into it, a deleted
  contact reporting to it) stays as a **tombstone** (its id and non-personal fields,
  personal fields ``NULL``, ``deleted_at`` set); the others are removed outright;
- ``history``: the old and new values of personal fields of these records are set to
  ``NULL``, and whole-row JSON (removals for good) loses its personal keys; their emails
  and phones go from other contacts' history too (a duplicate removed before), so that
  no undo brings them back; the rows of
  the activities, subscriptions and duplicate decisions removed lose every value;
- their activities, subscriptions and duplicate decisions are removed;
- ``import_rejects`` rows whose cells hold the person's email or phone, or their last
  name with their first name, are removed; in the other rows, a cell, a file name
  (``zarbuteau_contacts.csv``) or a reason naming them reads ``[erased]`` there;
- saved views' literal values, batches' descriptions and details (file names, mappings,
  settings changed), the settings that hold literal values (duplicate rules, import
  profiles, retention rules) and the erasure's reason read ``[erased]`` where they name
  them: emails, phone digits, full names in either order and surnames wherever they
  appear as whole words (``_`` separates words, accents optional), a first name alone
  where it is a whole value (:class:`Needles`);
- the blocklist gets the hashes of their emails and phones
  (:mod:`crmkit._core._blocklist`);
- ``erasures`` gets one row (who, when, why, counts) and ``erased_records`` the ids it
  touched, so undo refuses every earlier batch that changed one (it would find nothing
  to put back).
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from anyascii import anyascii

from crmkit._core._blocklist import BLOCKED_KIND, add_hashes, channel_fields, key_sql
from crmkit._core._integrity import REFERENCES
from crmkit._core._results import first
from crmkit._core._store import now_utc
from crmkit._util._text import fold

if TYPE_CHECKING:
    from crmkit._core._store import Store

__all__ = [
    "ERASED",
    "Needles",
    "erase_rows",
    "log_erasure",
    "mentions_of",
    "needles_of",
    "next_erasure_id",
]

ERASED = "[erased]"
_IDS = "(SELECT unnest(?::BIGINT[]))"
# Scripts written without spaces between words: a name is found inside longer text.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# Settings that can hold a record's literal values (rules' conditions, profiles' defaults).
_SETTINGS_WITH_VALUES = ("duplicate_rules", "import_profiles", "retention_rules")


@dataclass(frozen=True)
class Needles:
    """What names the people being erased, to find them in free text and file names.

    ``words`` (emails, phones, full names in either order, surnames) are replaced
    wherever they appear as whole words, digits and ``_`` counting as separators so
    that file names lose them too (``zarbuteau_contacts.csv``), with or without accents;
    ``phones`` (digits) wherever those digits appear, separators allowed; ``names`` (a
    first name alone, common to many people; folded) only where a whole value is one of
    them (a saved view's literal, a detail of a batch).

    Examples
    --------
    >>> needles = Needles(("Hélène Blou", "Blou", "h.blou@ex.com"), frozenset({"helene"}))
    >>> needles.scrub("import from /data/helene_blou.vcf and blou_2024.csv")
    'import from /data/[erased].vcf and [erased]_2024.csv'
    >>> needles.scrub("Bloutte, Hélène Roux")
    'Bloutte, Hélène Roux'
    >>> needles.scrub_value(" Hélène ")
    '[erased]'
    """

    words: tuple[str, ...] = ()
    names: frozenset[str] = frozenset()
    phones: tuple[str, ...] = ()
    keep: frozenset[str] = frozenset()
    pattern: re.Pattern[str] | None = dataclasses.field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        parts = [_word_pattern(w) for w in sorted(self.words, key=len, reverse=True)]
        parts += [_phone_pattern(d) for d in self.phones if len(d) >= 6]
        compiled = re.compile("|".join(parts), re.IGNORECASE) if parts else None
        object.__setattr__(self, "pattern", compiled)

    def __bool__(self) -> bool:
        return bool(self.words or self.names or self.phones)

    def scrub(self, text: str) -> str:
        """``text`` with every whole-word occurrence of the people replaced."""
        return self.pattern.sub(ERASED, text) if self.pattern is not None else text

    def scrub_value(self, text: str) -> str:
        """A whole value: ``[erased]`` when it is one of the names, else :meth:`scrub`;
        kept as it is when it is one of ``keep`` (a field's name in a rule or a mapping:
        Mr Street's erasure leaves ``street`` there)."""
        if text in self.keep:
            return text
        if fold(text) in self.names:
            return ERASED
        return self.scrub(text)


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
    phones = {f for f in strong if tbl[f].format == "phone"}
    values: dict[str, set[str]] = {f: set() for f in wanted}
    columns = ", ".join(wanted)
    for row in store.con.execute(
        f"SELECT {columns} FROM {name} WHERE id IN {_IDS}", [list(ids)]
    ).fetchall():
        for field_name, value in zip(wanted, row, strict=True):
            if value and str(value).strip():
                values[field_name].add(str(value).strip())
    for field_name, value in store.con.execute(
        f"SELECT DISTINCT field, json_extract_string(v, '$') FROM (SELECT field, "
        f"unnest([old_value, new_value]) AS v FROM history WHERE table_name = ? AND "
        f"record_id IN {_IDS} AND field IN (SELECT unnest(?::VARCHAR[]))) WHERE v IS NOT NULL",
        [name, list(ids), wanted],
    ).fetchall():
        if value and str(value).strip():
            values[field_name].add(str(value).strip())
    words = {v for f in strong for v in values[f]}
    surnames = values.get("last_name", set())
    for last in surnames:
        for first_name in values.get("first_name", set()):
            glue = "" if _UNSPACED.search(first_name + last) else " "
            words |= {f"{first_name}{glue}{last}", f"{last}{glue}{first_name}"}
            words |= {f"{first_name}{last}", f"{last}{first_name}"}
        if not _UNSPACED.search(last):  # one Chinese character is in too many words
            words.add(last)
    names = {fold(v) for f in wanted if f not in strong and f != "last_name" for v in values[f]}
    names |= {fold(v) for v in surnames}
    digits = {_digits(v) for f in phones for v in values[f]}
    keep: set[str] = {str(t.name) for t in store.catalog.values()}
    keep |= {f.name for t in store.catalog.values() for f in t}
    return Needles(
        tuple(sorted((w for w in words if len(w) >= 2), key=len, reverse=True)),
        frozenset(n for n in names if n),
        tuple(sorted(d for d in digits if len(d) >= 6)),
        frozenset(keep | {f"custom.{k}" for k in keep}),
    )


def _word_pattern(word: str) -> str:
    """A pattern for ``word`` with or without its accents, any separator between its
    parts (``Le Goff`` finds ``le_goff``), between letters that are not part of it
    (digits and ``_`` separate: ``2024blou.csv``) unless it is written in a script
    without spaces (``王伟`` is found in ``王伟的联系人.csv``)."""
    parts = []
    for char in word:
        if not char.isalnum() and char not in "@+":
            parts.append(r"[\W_]{1,3}")
            continue
        # The letter as written, without accents, case-folded (ß: ss) and in ASCII (ø: o).
        forms = {char, _plain(char), char.casefold(), _plain(char.casefold())}
        if not _UNSPACED.search(char):
            forms.add(anyascii(char).casefold())
        forms.discard("")
        alternatives = sorted(forms, key=lambda f: (-len(f), f))
        parts.append(
            re.escape(char)
            if len(alternatives) == 1
            else "(?:" + "|".join(re.escape(f) for f in alternatives) + ")"
        )
    body = "".join(parts)
    if _UNSPACED.search(word):
        return body
    return r"(?<![^\W\d_])" + body + r"(?![^\W\d_])"


def _phone_pattern(digits: str) -> str:
    """The last eight digits of a phone number, separators allowed between them."""
    return r"(?<!\d)" + r"[\s.\-()/]{0,2}".join(digits[-8:]) + r"(?!\d)"


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _scrub_json(value: Any, needles: Needles) -> Any:
    if isinstance(value, str):
        return needles.scrub_value(value)
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


def _scrub_identifiers(store: Store, tbl: Any, emails: set[str], phones: set[str]) -> int:
    """Null every ``history`` value of a contact's email or phone field whose key is one
    of ``emails`` or ``phones`` (digits), single values and keys of whole rows alike;
    returns how many history rows changed."""
    changed = 0
    for channel, keys in (("email", sorted(emails)), ("phone", sorted(phones))):
        if not keys:
            continue
        for field_name in channel_fields(tbl, channel):
            patch = json.dumps({field_name: None})
            for side in ("old_value", "new_value"):
                one = key_sql(channel, f"json_extract_string({side}, '$')")
                whole = key_sql(channel, f"json_extract_string({side}, '$.{field_name}')")
                for sql, params in (
                    (
                        f"UPDATE history SET {side} = NULL WHERE table_name = ? AND field = ? "
                        f"AND {one} IN (SELECT unnest(?::VARCHAR[]))",
                        [BLOCKED_KIND, field_name, keys],
                    ),
                    (
                        f"UPDATE history SET {side} = json_merge_patch({side}, ?::JSON) "
                        f"WHERE table_name = ? AND field IS NULL AND json_type({side}) = "
                        f"'OBJECT' AND {whole} IN (SELECT unnest(?::VARCHAR[]))",
                        [patch, BLOCKED_KIND, keys],
                    ),
                ):
                    row = first(store.con.execute(sql, params))
                    changed += int(row[0]) if row else 0
    return changed


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
    needles: Needles,
    erasure_id: int,
    batch: int,
    actor: str,
) -> dict[str, int]:
    """Erase records ``ids`` of table ``name`` (see the module); returns the counts.

    ``needles`` (:func:`needles_of`, taken before anything changed) find them in text.
    """
    con = store.con
    ids = [int(i) for i in ids]
    counts: dict[str, int] = {"records": len(ids)}
    tbl = store.catalog[name]
    emails = {n.casefold() for n in needles.words if "@" in n}
    phones = set(needles.phones)
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
    # Their emails and phones in the history of other contacts (a duplicate deleted
    # before, a typo fixed): the person's identifiers wherever they are, so that no undo
    # brings them back.
    counts["other_history"] = (
        _scrub_identifiers(store, tbl, emails, phones) if name == BLOCKED_KIND else 0
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
    # Rejected import rows: theirs removed; the others lose what names them (a cell, the
    # file's name, a reason).
    counts["rejects"] = counts["reject_texts"] = 0
    doomed = []
    for rowid, source, raw, reasons in con.execute(
        "SELECT rowid, source, raw, reasons FROM import_rejects"
    ).fetchall():
        cells = _cells(json.loads(raw)) if raw is not None else []
        if (emails or phones or person) and _names_person(cells, emails, phones, person):
            doomed.append(int(rowid))
            continue
        new_raw = _scrubbed(raw, needles)
        new_source = needles.scrub(source) if source else source
        new_reasons = needles.scrub(reasons) if reasons else reasons
        if new_raw is not None or new_source != source or new_reasons != reasons:
            con.execute(
                "UPDATE import_rejects SET raw = coalesce(?::JSON, raw), source = ?, "
                "reasons = ? WHERE rowid = ?",
                [new_raw, new_source, new_reasons, rowid],
            )
            counts["reject_texts"] += 1
    if doomed:
        con.execute(f"DELETE FROM import_rejects WHERE rowid IN {_IDS}", [doomed])
    counts["rejects"] = len(doomed)
    # Free text naming them: saved views and their history, batches (descriptions, file
    # names, mappings, settings changed), settings that hold literal values.
    counts["views"] = counts["batches"] = counts["settings"] = 0
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
            text = needles.scrub(description) if description else description
            new_details = _scrubbed(details, needles)
            if text != description or new_details is not None:
                con.execute(
                    "UPDATE batches SET description = ?, details = coalesce(?::JSON, details) "
                    "WHERE id = ?",
                    [text, new_details, batch_id],
                )
                counts["batches"] += 1
        for key, value in con.execute(
            "SELECT key, value FROM settings WHERE key IN (SELECT unnest(?::VARCHAR[]))",
            [list(_SETTINGS_WITH_VALUES)],
        ).fetchall():
            new = _scrubbed(value, needles)
            if new is not None:
                con.execute("UPDATE settings SET value = ?::JSON WHERE key = ?", [new, key])
                counts["settings"] += 1
    return counts


def mentions_of(store: Store, needles: Needles) -> dict[str, tuple[int, ...]]:
    """Other records whose free text still names the erased people, by table.

    Their notes, titles and activities are someone else's data, so erase leaves them
    and names them for review. Only strong needles count (emails, full names): a
    surname alone is shared by too many people to flag a record.
    """
    strong = tuple(w for w in needles.words if "@" in w or " " in w.strip())
    probe = Needles(strong).pattern
    if probe is None:
        return {}
    found: dict[str, tuple[int, ...]] = {}
    texts: dict[str, list[str]] = {
        name: [f.name for f in store.catalog[name] if f.kind == "text"]
        for name in ("contacts", "accounts")
    }
    texts["activities"] = ["subject", "body"]
    likes = " OR ".join(["t ILIKE ?"] * len(strong))
    params = [f"%{w}%" for w in strong]
    for name, columns in texts.items():
        joined = ", ".join(f"coalesce({c}::VARCHAR, '')" for c in columns)
        rows = store.con.execute(
            f"SELECT id, t FROM (SELECT id, concat_ws(' ', {joined}) AS t FROM {name}) "
            f"WHERE {likes} ORDER BY id",
            params,
        ).fetchall()
        ids = tuple(int(i) for i, text in rows if probe.search(text))
        if ids:
            found[name] = ids
    return found


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
