"""One record's timeline: what happened to a contact or an account, oldest first.

The events come from a small list of sources, :data:`SOURCES`, one function each
(``session, scope -> events``): the history rows grouped per batch (field changes,
creations, imports, merges, deletions, undos), mailing-list subscriptions, duplicate
review decisions, and activities (notes and tasks, read only when the ``activities``
table exists). A new source is one more function in that list.

Reading only.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import pandas as pd
import polars as pl

from crmkit._core._results import first
from crmkit._core._session import Session
from crmkit._exceptions import ValidationError
from crmkit._ops._filters import _date
from crmkit._ops._records import check_live
from crmkit._util._config import current_lang
from crmkit._util._messages import message, record_noun, short, unknown_value
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import table
from crmkit.schemas._labels import column_label

__all__ = ["KINDS", "SOURCES", "Event", "Timeline", "timeline"]

#: The kinds of events, in the order a legend lists them.
KINDS: tuple[str, ...] = (
    "create",
    "change",
    "import",
    "merge",
    "delete",
    "undo",
    "subscription",
    "duplicate",
    "note",
    "task",
)

Scope = Mapping[str, Sequence[int]]  # table -> record ids


@dataclass(frozen=True)
class Event:
    """One thing that happened to one record; its sentence is written when shown."""

    at: dt.datetime
    kind: str
    table: str
    record_id: int
    key: str
    params: tuple[tuple[str, Any], ...] = ()
    changes: tuple[tuple[str, Any, Any], ...] = ()
    batch_id: int | None = None
    actor: str | None = None

    def text(self, lang: str | None = None) -> str:
        """The event as a sentence in ``lang`` (default: the language in force)."""
        lang = lang or current_lang()
        head = message(self.key, lang, **dict(self.params))
        if not self.changes:
            return head
        parts = [
            message(
                "tl_change",
                lang,
                field=column_label(self.table, name, lang),
                old=_shown(old),
                new=_shown(new),
            )
            for name, old, new in self.changes
        ]
        return message("colon", lang, a=head, b=message("semicolon_sep", lang).join(parts))


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _ids(scope: Scope, name: str) -> list[int]:
    return sorted({int(i) for i in scope.get(name, ())})


# -- sources --------------------------------------------------------------------------


def _decode(value: Any) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def _names(session: Session, name: str, ids: Iterable[Any]) -> dict[int, str]:
    wanted = sorted({int(i) for i in ids if isinstance(i, int) and not isinstance(i, bool)})
    if not wanted:
        return {}
    label = {
        "owners": "name",
        "accounts": "name",
        "contacts": "trim(concat_ws(' ', first_name, last_name))",
    }[name]
    rows = session.con.execute(
        f"SELECT id, {label} FROM {name} WHERE id IN (SELECT unnest(?::BIGINT[]))", [wanted]
    ).fetchall()
    return {int(i): str(n) for i, n in rows if n}


def _refs(kind: str) -> dict[str, str]:
    return {f.name: f.ref or kind for f in table(kind) if f.kind == "ref"}


_QUIET = frozenset({"updated_at", "updated_by", "created_at", "created_by"})
_MERGES = ("merge", "merge all")


def history_events(session: Session, scope: Scope) -> list[Event]:
    """Field changes, creations, imports, merges, deletions and undos (from ``history``)."""
    events: list[Event] = []
    for name in ("accounts", "contacts"):
        ids = _ids(scope, name)
        if not ids:
            continue
        rows = session.con.execute(
            "SELECT h.batch_id, h.changed_at, h.actor, h.operation, h.record_id, h.field, "
            "h.old_value::VARCHAR, h.new_value::VARCHAR, b.operation, b.details::VARCHAR, "
            "b.undoes FROM history h JOIN batches b ON b.id = h.batch_id "
            "WHERE h.table_name = ? AND h.record_id IN (SELECT unnest(?::BIGINT[])) "
            "ORDER BY h.batch_id, h.record_id, h.field NULLS FIRST",
            [name, ids],
        ).fetchall()
        refs = _refs(name)
        wanted: dict[str, set[Any]] = {}
        for row in rows:
            if row[5] in refs:
                for value in (_decode(row[6]), _decode(row[7])):
                    wanted.setdefault(refs[row[5]], set()).add(value)
        names = {t: _names(session, t, v) for t, v in wanted.items()}
        groups: dict[tuple[int, int], list[Any]] = {}
        for row in rows:
            groups.setdefault((int(row[0]), int(row[4])), []).append(row)
        for (batch, rid), group in groups.items():
            events += _batch_events(name, rid, batch, group, refs, names)
        events += _absorbed(session, name, ids)
    return events


def _batch_events(
    name: str,
    rid: int,
    batch: int,
    group: list[Any],
    refs: Mapping[str, str],
    names: Mapping[str, Mapping[int, str]],
) -> list[Event]:
    at, actor, batch_op, details, undoes = (
        group[0][1],
        group[0][2],
        group[0][8],
        group[0][9],
        group[0][10],
    )
    base = {"table": name, "record_id": rid, "batch_id": batch, "actor": actor, "at": at}
    changes: list[tuple[str, Any, Any]] = []
    events: list[Event] = []
    for row in group:
        field_name, old, new = row[5], _decode(row[6]), _decode(row[7])
        if field_name is None:
            if row[3] == "insert" and batch_op == "import":
                events.append(
                    Event(
                        kind="import", key="tl_imported", params=(("file", _file(details)),), **base
                    )
                )
            elif row[3] == "insert":
                events.append(Event(kind="create", key="tl_created", **base))
            else:
                events.append(Event(kind="delete", key="tl_deleted_for_good", **base))
        elif field_name == "merged_into" and new is not None:
            into = message("record_ref", noun=record_noun(name), id=new)
            events.append(
                Event(kind="merge", key="tl_merged_into", params=(("into", into),), **base)
            )
        elif field_name == "deleted_at" and batch_op != "undo":
            key = "tl_deleted" if new is not None else "tl_restored"
            events.append(Event(kind="delete", key=key, **base))
        elif field_name not in _QUIET:
            if field_name in refs:
                shown = names.get(refs[field_name], {})
                old = shown.get(old, old) if isinstance(old, int) else old
                new = shown.get(new, new) if isinstance(new, int) else new
            changes.append((field_name, old, new))
    if batch_op == "undo":
        return [
            Event(
                kind="undo",
                key="tl_undo",
                params=(("batch", undoes),),
                changes=tuple(changes),
                **base,
            )
        ]
    if changes:
        params: tuple[tuple[str, Any], ...] = ()
        if batch_op == "import":
            kind, key, params = "import", "tl_import_changed", (("file", _file(details)),)
        elif batch_op in _MERGES:
            kind, key = "merge", "tl_merge_filled"
        else:
            kind, key = "change", "tl_changed"
        events.append(Event(kind=kind, key=key, params=params, changes=tuple(changes), **base))
    return events


def _file(details: Any) -> str:
    decoded = _decode(details)
    source = decoded.get("source") if isinstance(decoded, dict) else None
    return PurePath(str(source)).name if source else "?"


def _absorbed(session: Session, name: str, ids: list[int]) -> list[Event]:
    """The records merged into these ones (the survivor's side of a merge)."""
    rows = session.con.execute(
        "SELECT h.batch_id, h.changed_at, h.actor, h.record_id, "
        "TRY_CAST(h.new_value::VARCHAR AS BIGINT) AS into_id FROM history h "
        "JOIN batches b ON b.id = h.batch_id "
        "WHERE h.table_name = ? AND h.field = 'merged_into' AND b.operation <> 'undo' "
        "AND TRY_CAST(h.new_value::VARCHAR AS BIGINT) IN (SELECT unnest(?::BIGINT[])) "
        "ORDER BY h.batch_id, h.record_id",
        [name, ids],
    ).fetchall()
    noun = record_noun(name)
    return [
        Event(
            at=at,
            kind="merge",
            table=name,
            record_id=int(into),
            key="tl_absorbed",
            params=(("other", message("record_ref", noun=noun, id=int(merged))),),
            batch_id=int(batch),
            actor=actor,
        )
        for batch, at, actor, merged, into in rows
    ]


def subscription_events(session: Session, scope: Scope) -> list[Event]:
    """Subscriptions to and unsubscriptions from mailing lists (contacts)."""
    ids = _ids(scope, "contacts")
    if not ids:
        return []
    rows = session.con.execute(
        "SELECT contact_id, list_name, subscribed_at, unsubscribed_at, created_by, updated_by "
        "FROM subscriptions WHERE contact_id IN (SELECT unnest(?::BIGINT[])) ORDER BY id",
        [ids],
    ).fetchall()
    events = []
    for contact, list_name, since, until, by, later_by in rows:
        params = (("list", list_name),)
        if since is not None:
            events.append(
                Event(
                    since,
                    "subscription",
                    "contacts",
                    int(contact),
                    "tl_subscribed",
                    params,
                    actor=by,
                )
            )
        if until is not None:
            events.append(
                Event(
                    until,
                    "subscription",
                    "contacts",
                    int(contact),
                    "tl_unsubscribed",
                    params,
                    actor=later_by,
                )
            )
    return events


def decision_events(session: Session, scope: Scope) -> list[Event]:
    """Duplicate review decisions ("same" / "different") on pairs holding these records."""
    events = []
    for name in ("accounts", "contacts"):
        ids = _ids(scope, name)
        if not ids:
            continue
        rows = session.con.execute(
            "SELECT id_a, id_b, decision, updated_at, updated_by FROM duplicate_decisions "
            "WHERE kind = ? AND (id_a IN (SELECT unnest(?::BIGINT[])) "
            "OR id_b IN (SELECT unnest(?::BIGINT[]))) ORDER BY id",
            [name, ids, ids],
        ).fetchall()
        noun = record_noun(name)
        wanted = set(ids)
        for a, b, decision, at, by in rows:
            for rid, other in ((int(a), int(b)), (int(b), int(a))):
                if rid in wanted:
                    key = "tl_same" if decision == "same" else "tl_different"
                    params = (("other", message("record_ref", noun=noun, id=other)),)
                    events.append(Event(at, "duplicate", name, rid, key, params, actor=by))
    return events


def _has_table(session: Session, name: str) -> bool:
    row = first(
        session.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
            "AND database_name = current_database() AND schema_name = current_schema()",
            [name],
        )
    )
    return bool(row and row[0])


def activity_events(session: Session, scope: Scope) -> list[Event]:
    """Notes added, tasks due and tasks completed (nothing when ``activities`` is absent)."""
    if not _has_table(session, "activities"):
        return []
    contacts, accounts = _ids(scope, "contacts"), _ids(scope, "accounts")
    rows = session.con.execute(
        "SELECT kind, contact_id, account_id, subject, body, created_at, due_at, "
        "completed_at, author, owner_id FROM activities "
        "WHERE NOT coalesce(deleted, FALSE) AND (contact_id IN (SELECT unnest(?::BIGINT[])) "
        "OR account_id IN (SELECT unnest(?::BIGINT[]))) ORDER BY id",
        [contacts, accounts],
    ).fetchall()
    owners = _names(session, "owners", [r[9] for r in rows])
    events = []
    for kind, contact, account, subject, body, created, due, done, author, owner in rows:
        name, rid = ("contacts", contact) if contact in contacts else ("accounts", account)
        text = (("text", _shown(subject or body)),)
        if kind == "note":
            events.append(Event(created, "note", name, int(rid), "tl_note", text, actor=author))
            continue
        by = owners.get(owner, author) if isinstance(owner, int) else author
        for at, key in ((due, "tl_task_due"), (done, "tl_task_done")):
            if at is not None:
                events.append(Event(at, "task", name, int(rid), key, text, actor=by))
    return events


#: Where events come from: one function each, ``(session, scope) -> events``.
SOURCES: tuple[Callable[[Session, Scope], list[Event]], ...] = (
    history_events,
    subscription_events,
    decision_events,
    activity_events,
)


# -- the timeline ---------------------------------------------------------------------


@dataclass
class Timeline:
    """Events around one record, oldest first.

    ``.df()`` / ``.pl()``: one row per event (``at, kind, table, record_id, record,
    event, actor, batch_id``), sentences in the language in force; ``len()``; in a
    notebook an HTML list; in a terminal one line per event.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> cid = crm.contacts.add(last_name="Blou")
    >>> _ = crm.contacts.update(cid, job_title="CTO")
    >>> tl = crm.contacts.timeline(cid)
    >>> tl.df()["event"].tolist()
    ['created', 'changed: Job title: — → CTO']
    >>> crm.close()
    """

    events: list[Event] = field(default_factory=list)
    title: str = ""

    def __len__(self) -> int:
        return len(self.events)

    def df(self) -> pd.DataFrame:
        """The events as a pandas frame."""
        frame = pd.DataFrame(self._rows(), columns=_COLUMNS)
        return frame.astype({"record_id": "int64", "batch_id": "Int64"})

    def pl(self) -> pl.DataFrame:
        """The events as a polars frame."""
        rows = self._rows()
        schema: dict[str, Any] = {
            "at": pl.Datetime("us"),
            "kind": pl.String,
            "table": pl.String,
            "record_id": pl.Int64,
            "record": pl.String,
            "event": pl.String,
            "actor": pl.String,
            "batch_id": pl.Int64,
        }
        return pl.DataFrame(rows, schema=schema, orient="row")

    def _rows(self) -> list[tuple[Any, ...]]:
        lang = current_lang()
        return [
            (
                e.at,
                e.kind,
                e.table,
                e.record_id,
                message("record_ref", lang, noun=record_noun(e.table, lang), id=e.record_id),
                e.text(lang),
                e.actor,
                e.batch_id,
            )
            for e in self.events
        ]

    def __repr__(self) -> str:
        lang = current_lang()
        lines = [f"Timeline({self.title}: {message('tl_count', lang, count=len(self))})"]
        for at, kind, _t, _r, record, text, actor, _b in self._rows():
            who = f" ({actor})" if actor else ""
            lines.append(f"  {at:%Y-%m-%d %H:%M}  {record}  {_kind_label(kind, lang)}: {text}{who}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        lang = current_lang()
        items = []
        for at, kind, _t, _r, record, text, actor, _b in self._rows():
            who = f' <span class="crmkit-tl-actor">{html.escape(actor)}</span>' if actor else ""
            items.append(
                f'<li class="crmkit-tl-{kind}"><time datetime="{at.isoformat()}">'
                f"{at:%Y-%m-%d %H:%M}</time> <b>{html.escape(_kind_label(kind, lang))}</b> "
                f"{html.escape(record)}: {html.escape(text)}{who}</li>"
            )
        if not items:
            items.append(f"<li>{html.escape(message('tl_empty', lang))}</li>")
        head = html.escape(f"{self.title}: {message('tl_count', lang, count=len(self))}")
        return (
            f'<div class="crmkit-timeline"><p>{head}</p><ul style="list-style:none;'
            f'padding-left:0">{"".join(items)}</ul></div>'
        )


_COLUMNS = ["at", "kind", "table", "record_id", "record", "event", "actor", "batch_id"]


def _kind_label(kind: str, lang: str) -> str:
    return message(f"tl_kind_{kind}", lang)


def _moment(value: Any, name: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        moment = _date(value)
    except ValidationError:
        moment = None
    if moment is None:
        raise ValidationError(message("tl_bad_date", name=name, value=short(value)))
    return moment


def timeline(
    session: Session,
    kind: str,
    record_id: Any,
    *,
    kinds: Iterable[str] | str | None = None,
    since: Any = None,
    until: Any = None,
    include_contacts: bool = False,
) -> Timeline:
    """The timeline of one live record (an account's contacts too with ``include_contacts``).

    ``kinds`` keeps the events of those :data:`KINDS`; ``since`` / ``until`` (dates,
    datetimes or text) keep events from / up to those moments (a date as ``until``: the
    whole of that day).
    """
    name = table(kind).name
    rid = check_live(session, name, record_id)
    wanted = _kinds(kinds)
    start, end = _moment(since, "since"), _moment(until, "until")
    if end is not None and end.time() == dt.time() and not isinstance(until, dt.datetime):
        end += dt.timedelta(days=1)
    scope: dict[str, list[int]] = {name: [rid]}
    if name == "accounts" and include_contacts:
        scope["contacts"] = [
            int(r[0])
            for r in session.con.execute(
                "SELECT id FROM contacts WHERE account_id = ? ORDER BY id", [rid]
            ).fetchall()
        ]
    events = [e for source in SOURCES for e in source(session, scope)]
    events = [
        e
        for e in events
        if e.at is not None
        and (wanted is None or e.kind in wanted)
        and (start is None or e.at >= start)
        and (end is None or e.at < end)
    ]
    events.sort(key=lambda e: (e.at, e.batch_id or 0, e.table, e.record_id, KINDS.index(e.kind)))
    title = message("record_ref", noun=record_noun(name), id=rid)
    return Timeline(events, title)


def _kinds(kinds: Iterable[str] | str | None) -> set[str] | None:
    if kinds is None:
        return None
    chosen = [kinds] if isinstance(kinds, str) else list(kinds)
    for value in chosen:
        if value not in KINDS:
            raise unknown_value(
                "timeline kind", value, list(KINDS), closest(str(value), list(KINDS))
            )
    return set(chosen)
