"""Erase people for real: ``crm.contacts.erase`` (and ``crm.accounts.erase``).

One transaction: the ids are checked (each exists, none erased before), the records
merged into them join them, live records pointing at them are detached (as a delete with
``force=True`` does), then :func:`crmkit._core._erasure.erase_rows` removes their
personal values everywhere crmkit keeps them and adds their emails and phones to the
blocklist, and one row of ``erasures`` logs who, when, why and how many, with no personal
value. The batch (operation ``erase``) cannot be undone, and undo refuses every earlier
batch that changed an erased record.

After the commit the facade rewrites the database file
(:meth:`crmkit._core._store.Store.rewrite_file`): DuckDB keeps the old values in blocks
it freed, which ``CHECKPOINT`` alone does not overwrite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from crmkit._core._erasure import (
    erase_rows,
    log_erasure,
    mentions_of,
    needles_of,
    next_erasure_id,
)
from crmkit._core._personal import personal_names
from crmkit._core._results import first
from crmkit._core._session import Session
from crmkit._core._store import whole_id
from crmkit._exceptions import ErasureError, RecordNotFoundError
from crmkit._ops._records import reference_fields
from crmkit._util._messages import kind_noun, message, record_noun
from crmkit.schemas._catalog import table

__all__ = ["ErasureReport", "erase", "personal_fields"]


def personal_fields(session: Session, kind: str) -> frozenset[str]:
    """The personal fields of ``kind`` in the session's database (standard and custom).

    Examples
    --------
    >>> from crmkit._core._store import Store
    >>> session = Session(Store())
    >>> {"email", "last_name"} <= personal_fields(session, "contacts")
    True
    >>> session.store.close()
    """
    return personal_names(session.store, kind)


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure did (counts only: it keeps no personal value).

    Attributes
    ----------
    erasure_id, batch_id
        The row of the ``erasures`` log and the batch (which cannot be undone).
    kind
        ``"contacts"`` or ``"accounts"``.
    ids
        The records asked for; ``records`` counts them with the records merged into them.
    counts
        ``values`` (personal values of the records), ``history_values`` (history rows
        cleared), ``other_history`` (other contacts' history rows that held one of
        their emails or phones: a duplicate removed before, a typo fixed),
        ``tombstones`` (records kept, emptied, because others point at them),
        ``removed`` (records removed outright), ``activities``, ``subscriptions``,
        ``duplicate_decisions``, ``rejects`` (rejected import rows removed),
        ``reject_texts`` (other rejected rows whose cells, file name or reasons named
        them), ``views``, ``batches`` and ``settings`` (texts scrubbed), ``blocked``
        (new blocklist hashes), ``detached`` (live references set to nothing).
    mentions
        Other records whose free text (notes, titles, an activity's text) still names
        an erased person by email or full name, by table (``contacts``, ``accounts``,
        ``activities``). They are someone else's data: erase leaves them, and warns.
    """

    erasure_id: int
    batch_id: int
    kind: str
    ids: tuple[int, ...]
    records: int
    counts: dict[str, int] = field(default_factory=dict)
    mentions: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def __str__(self) -> str:
        shown = ", ".join(f"{k} {v}" for k, v in self.counts.items() if v)
        noun = kind_noun(self.kind, self.records)
        return f"erasure {self.erasure_id} (batch {self.batch_id}): {self.records} {noun}; {shown}"


def _group(session: Session, name: str, ids: list[int]) -> list[int]:
    """``ids`` with every record merged into one of them, directly or not."""
    rows = session.con.execute(
        f"WITH RECURSIVE g(id) AS (SELECT unnest(?::BIGINT[]) UNION "
        f"SELECT t.id FROM {name} t JOIN g ON t.merged_into = g.id) "
        "SELECT DISTINCT id FROM g ORDER BY id",
        [ids],
    ).fetchall()
    return [int(r[0]) for r in rows]


def erase(session: Session, kind: str, ids: Sequence[int], *, reason: str) -> ErasureReport:
    """Erase records ``ids`` of ``kind`` (see the module); nothing written on an error.

    Raises :class:`RecordNotFoundError` for an id with no record, :class:`ErasureError`
    for a record erased before, for no ids and for a blank reason.
    """
    name = table(kind).name
    noun = name[:-1]
    wanted = list(dict.fromkeys(whole_id(i, noun) for i in ids))
    if not wanted:
        raise ErasureError(message("erase_nothing"))
    if not isinstance(reason, str) or not reason.strip():
        raise ErasureError(message("erase_reason"))
    con = session.con
    for record_id in wanted:
        done = first(
            con.execute(
                "SELECT erasure_id FROM erased_records WHERE table_name = ? AND record_id = ?",
                [name, record_id],
            )
        )
        record = message("record_ref", noun=record_noun(name), id=record_id)
        if done is not None:
            raise ErasureError(message("erase_twice", record=record, erasure=done[0]))
        found = first(con.execute(f"SELECT count(*) FROM {name} WHERE id = ?", [record_id]))
        if not found or not found[0]:
            raise RecordNotFoundError(
                message("record_not_found", noun=record_noun(name), id=record_id)
            )
    store = session.store
    personal = sorted(personal_names(store, name))
    description = f"erase {len(wanted)} {kind_noun(name, len(wanted), 'en')}"
    with session.batch("erase", description) as batch:
        group = _group(session, name, wanted)
        erasure_id = next_erasure_id(store)
        detached = 0
        for table_name, ref in reference_fields(name):
            # A record of the group pointing at another one goes with it: not detached.
            own = "AND id NOT IN (SELECT unnest(?::BIGINT[]))" if table_name == name else ""
            detached += store.set_where_ids(
                table_name,
                f"SELECT id FROM {table_name} WHERE {ref} IN (SELECT unnest(?::BIGINT[])) "
                f"AND deleted_at IS NULL AND merged_into IS NULL {own}",
                [group, group] if own else [group],
                {ref: None},
                batch,
                session.user,
                "detach",
            )
        needles = needles_of(store, name, group, personal)
        counts = erase_rows(
            store,
            name,
            group,
            personal,
            needles=needles,
            erasure_id=erasure_id,
            batch=batch,
            actor=session.user,
        )
        counts["detached"] = detached
        mentions = mentions_of(store, needles)
        # The log keeps no personal value, even one the reason gave.
        logged_reason = needles.scrub(reason.strip())
        log_erasure(store, erasure_id, session.user, name, logged_reason, batch, counts)
    return ErasureReport(erasure_id, batch, name, tuple(wanted), len(group), counts, mentions)
