"""A subject-access request: everything held about one contact, as a zip of JSON and HTML.

GDPR article 15 gives a person the right to a copy of the personal data held about them.
:func:`subject_access` gathers, for one contact and the contacts merged into it (their
data now lives in the survivor): the record with every field, its account, every
``history`` row about those records, mailing-list subscriptions, tags, notes and tasks,
duplicate review decisions, the import batches that wrote the record and the rejected
import rows that name its email addresses. Each section is one JSON file of the zip;
``index.html`` shows them all on one page in the user's language, every value escaped
(no script, no PDF). Reading only: nothing in the database changes.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from crmkit._core._results import first
from crmkit._core._session import Session
from crmkit._core._store import now_utc, whole_id
from crmkit._exceptions import RecordNotFoundError
from crmkit._formats._zip_bundle import write_zip
from crmkit._util._config import current_lang
from crmkit._util._messages import message, record_noun
from crmkit._util._table_html import Column, table_html
from crmkit.schemas._activities import activity_label
from crmkit.schemas._catalog import table
from crmkit.schemas._display import report_columns
from crmkit.schemas._labels import column_label

__all__ = ["SECTIONS", "SubjectAccessReport", "subject_access"]

#: The sections of a bundle, in the order of the page: each is ``<name>.json`` in the zip.
SECTIONS: tuple[str, ...] = (
    "record",
    "account",
    "history",
    "subscriptions",
    "tags",
    "activities",
    "duplicate_decisions",
    "imports",
)


@dataclass(frozen=True)
class SubjectAccessReport:
    """What :meth:`Contacts.subject_access <crmkit.Contacts.subject_access>` wrote.

    Attributes
    ----------
    path
        The zip written.
    contact_id
        The contact exported.
    merged_ids
        The contacts merged into it, whose data the bundle includes.
    counts
        Items per section (``record``: 1; ``account``: 0 or 1; ``history``: rows;
        ``imports``: import batches; ``rejects``: rejected import rows naming the person).
    """

    path: Path
    contact_id: int
    merged_ids: tuple[int, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        lang = current_lang()
        record = message("record_ref", lang, noun=record_noun("contacts"), id=self.contact_id)
        lines = [message("sar_report", lang, record=record, path=str(self.path))]
        lines += [
            "  " + message("sar_count", lang, section=message(f"sar_{name}", lang), count=n)
            for name, n in self.counts.items()
        ]
        return "\n".join(lines)


# -- reading --------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """``value`` as JSON can hold it: dates as ISO text, bytes as base64, JSON decoded."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _json_value(value: Any) -> Any:
    """A JSON column's text decoded (history values, batch details, custom fields)."""
    if not isinstance(value, str):
        return _plain(value)
    try:
        return json.loads(value)
    except ValueError:
        return value


def _rows(session: Session, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    cursor = session.con.execute(sql, list(params))
    names = [d[0] for d in cursor.description or []]
    return [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()]


def _record(session: Session, kind: str, record_id: int, lang: str) -> dict[str, Any]:
    """Every column of one record, each with its label in ``lang``."""
    row = session.store.fetch_record(kind, record_id)
    json_fields = {f.name for f in table(kind) if f.kind == "json"}
    return {
        "table": kind,
        "id": record_id,
        "fields": [
            {
                "field": name,
                "label": column_label(kind, name, lang),
                "value": _json_value(value) if name in json_fields else _plain(value),
            }
            for name, value in row.items()
        ],
    }


def _check_subject(session: Session, record_id: Any) -> int:
    """The contact's id when it holds data to export; else :class:`RecordNotFoundError`.

    A deleted (not erased) contact is still held, so it is exported; an erased one (a
    tombstone, when the database records erasures) and a merged-away one are refused.
    """
    rid = whole_id(record_id, "contact")
    fields = table("contacts")
    erased = "erased_at IS NOT NULL" if "erased_at" in fields else "FALSE"
    row = first(
        session.con.execute(f"SELECT {erased}, merged_into FROM contacts WHERE id = ?", [rid])
    )
    noun = record_noun("contacts")
    record = message("record_ref", noun=noun, id=rid)
    if row is None:
        raise RecordNotFoundError(message("record_not_found", noun=noun, id=rid))
    if row[0]:
        raise RecordNotFoundError(message("sar_erased", record=record))
    if row[1] is not None:
        into = message("record_ref", noun=noun, id=int(row[1]))
        raise RecordNotFoundError(message("sar_merged", record=record, into=into))
    return rid


def _merged_into(session: Session, rid: int) -> list[int]:
    """The contacts merged into ``rid``, directly or through a chain of merges."""
    found: list[int] = []
    frontier = [rid]
    while frontier:
        rows = session.con.execute(
            "SELECT id FROM contacts WHERE merged_into IN (SELECT unnest(?::BIGINT[])) ORDER BY id",
            [frontier],
        ).fetchall()
        frontier = [int(r[0]) for r in rows if int(r[0]) not in found and int(r[0]) != rid]
        found += frontier
    return sorted(found)


def _history(session: Session, ids: list[int], lang: str) -> list[dict[str, Any]]:
    rows = _rows(
        session,
        "SELECT h.changed_at, h.batch_id, h.operation, h.actor, h.record_id, h.field, "
        "h.old_value::VARCHAR AS old, h.new_value::VARCHAR AS new FROM history h "
        "WHERE h.table_name = 'contacts' AND h.record_id IN (SELECT unnest(?::BIGINT[])) "
        "ORDER BY h.batch_id, h.record_id, h.field NULLS FIRST",
        [ids],
    )
    for row in rows:
        row["label"] = (
            None if row["field"] is None else column_label("contacts", row["field"], lang)
        )
        row["old"], row["new"] = _json_value(row["old"]), _json_value(row["new"])
    return rows


def _imports(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    rows = _rows(
        session,
        "SELECT b.id AS batch_id, b.created_at, b.actor, b.description, "
        "b.details::VARCHAR AS details FROM batches b WHERE b.operation = 'import' AND b.id IN "
        "(SELECT batch_id FROM history WHERE table_name = 'contacts' "
        "AND record_id IN (SELECT unnest(?::BIGINT[]))) ORDER BY b.id",
        [ids],
    )
    for row in rows:
        row["details"] = _json_value(row["details"])
    return rows


def _rejects(session: Session, emails: list[str]) -> list[dict[str, Any]]:
    """Rejected import rows of contacts whose raw cells hold one of ``emails``."""
    if not emails:
        return []
    named = " OR ".join("contains(lower(raw::VARCHAR), ?)" for _ in emails)
    rows = _rows(
        session,
        "SELECT batch_id, source, line, raw::VARCHAR AS raw, reasons FROM import_rejects "
        f"WHERE kind = 'contacts' AND ({named}) ORDER BY batch_id, line",
        emails,
    )
    for row in rows:
        row["raw"] = _json_value(row["raw"])
    return rows


def _gather(session: Session, rid: int, lang: str) -> tuple[dict[str, Any], list[int]]:
    merged = _merged_into(session, rid)
    ids = [rid, *merged]
    record = _record(session, "contacts", rid, lang)
    values = {f["field"]: f["value"] for f in record["fields"]}
    account_id = values.get("account_id")
    account = None
    if isinstance(account_id, int):
        account = _record(session, "accounts", account_id, lang)
    emails = sorted(
        {
            str(v).strip().lower()
            for r in [values, *(session.store.fetch_record("contacts", m) for m in merged)]
            for k in ("email", "secondary_email")
            if (v := r.get(k))
        }
    )
    sections: dict[str, Any] = {
        "record": {
            **record,
            "merged_records": [_record(session, "contacts", m, lang) for m in merged],
        },
        "account": account,
        "history": _history(session, ids, lang),
        "subscriptions": _rows(
            session,
            "SELECT * FROM subscriptions WHERE contact_id IN (SELECT unnest(?::BIGINT[])) "
            "ORDER BY id",
            [ids],
        ),
        "tags": sorted({t for r in ids for t in _tags(session, r)}),
        "activities": _rows(
            session,
            "SELECT * FROM activities WHERE contact_id IN (SELECT unnest(?::BIGINT[])) ORDER BY id",
            [ids],
        ),
        "duplicate_decisions": _rows(
            session,
            "SELECT * FROM duplicate_decisions WHERE kind = 'contacts' AND "
            "(id_a IN (SELECT unnest(?::BIGINT[])) OR id_b IN (SELECT unnest(?::BIGINT[]))) "
            "ORDER BY id",
            [ids, ids],
        ),
        "imports": {"batches": _imports(session, ids), "rejects": _rejects(session, emails)},
    }
    return sections, merged


def _tags(session: Session, rid: int) -> list[str]:
    row = first(session.con.execute("SELECT tags FROM contacts WHERE id = ?", [rid]))
    return [str(t) for t in (row[0] or [])] if row else []


def _counts(sections: Mapping[str, Any]) -> dict[str, int]:
    counts = {
        "record": 1,
        "account": int(sections["account"] is not None),
        "history": len(sections["history"]),
        "subscriptions": len(sections["subscriptions"]),
        "tags": len(sections["tags"]),
        "activities": len(sections["activities"]),
        "duplicate_decisions": len(sections["duplicate_decisions"]),
        "imports": len(sections["imports"]["batches"]),
        "rejects": len(sections["imports"]["rejects"]),
    }
    return counts


# -- the page -------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _table(rows: list[dict[str, Any]], columns: list[Column], lang: str) -> str:
    if not rows:
        return f"<p>{html.escape(message('sar_nothing', lang))}</p>"
    frame = pd.DataFrame(
        {c.name: [_text(r.get(c.name)) for r in rows] for c in columns}, dtype=object
    )
    shown = [Column(c.name, c.label, "text") for c in columns]
    return table_html(frame, shown, mode="static", lang=lang, max_rows=len(rows))


def _labelled(kind: str, rows: list[dict[str, Any]], lang: str) -> list[Column]:
    names = list(dict.fromkeys(k for r in rows for k in r))
    return report_columns(kind, names, lang)


def _fields_table(record: Mapping[str, Any] | None, lang: str) -> str:
    if record is None:
        return _table([], [], lang)
    columns = [
        Column("label", message("sar_col_field", lang)),
        Column("value", message("sar_col_value", lang)),
    ]
    return _table(list(record["fields"]), columns, lang)


def _page(sections: Mapping[str, Any], rid: int, lang: str, at: dt.datetime) -> str:
    values = {f["field"]: f["value"] for f in sections["record"]["fields"]}
    name = " ".join(str(values[k]) for k in ("first_name", "last_name") if values.get(k))
    record = message("record_ref", lang, noun=record_noun("contacts"), id=rid)
    title = message("sar_title", lang, name=name or record)
    history_columns = report_columns(
        "contacts", ["changed_at", "batch_id", "operation", "actor", "record_id"], lang
    )
    history_columns[5:5] = [
        Column("label", message("sar_col_field", lang)),
        *report_columns("contacts", ["old", "new"], lang),
    ]
    activities = sections["activities"]
    activity_columns = [
        Column(n, activity_label(n, lang)) for n in dict.fromkeys(k for r in activities for k in r)
    ]
    tags = [{"tag": t} for t in sections["tags"]]
    merged = "".join(
        f"<h3>{html.escape(message('record_ref', lang, noun=record_noun('contacts'), id=m['id']))}"
        f"</h3>{_fields_table(m, lang)}"
        for m in sections["record"]["merged_records"]
    )
    parts = [
        ("sar_record", _fields_table(sections["record"], lang) + merged),
        ("sar_account", _fields_table(sections["account"], lang)),
        ("sar_history", _table(sections["history"], history_columns, lang)),
        (
            "sar_subscriptions",
            _table(
                sections["subscriptions"],
                _labelled("contacts", sections["subscriptions"], lang),
                lang,
            ),
        ),
        ("sar_tags", _table(tags, [Column("tag", message("sar_col_item", lang))], lang)),
        ("sar_activities", _table(activities, activity_columns, lang)),
        (
            "sar_duplicate_decisions",
            _table(
                sections["duplicate_decisions"],
                _labelled("contacts", sections["duplicate_decisions"], lang),
                lang,
            ),
        ),
        (
            "sar_imports",
            _table(
                sections["imports"]["batches"],
                _labelled("contacts", sections["imports"]["batches"], lang),
                lang,
            ),
        ),
        (
            "sar_rejects",
            _table(
                sections["imports"]["rejects"],
                _labelled("contacts", sections["imports"]["rejects"], lang),
                lang,
            ),
        ),
    ]
    body = "".join(
        f'<section id="{key[4:]}"><h2>{html.escape(message(key, lang))}</h2>{content}</section>'
        for key, content in parts
    )
    intro = message("sar_intro", lang, record=record, at=at.strftime("%Y-%m-%d %H:%M UTC"))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;"
        "vertical-align:top}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(intro)}</p>{body}</body></html>\n"
    )


# -- the bundle -----------------------------------------------------------------------------


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n"


def subject_access(session: Session, record_id: Any, path: str | Path) -> SubjectAccessReport:
    """Write everything held about contact ``record_id`` as a zip at ``path``.

    The zip holds ``record.json``, ``account.json``, ``history.json``,
    ``subscriptions.json``, ``tags.json``, ``activities.json``,
    ``duplicate_decisions.json``, ``imports.json`` (import batches and rejected rows) and
    ``index.html`` (all of it on one page, in the language of ``ck.set_config``).

    Raises
    ------
    RecordNotFoundError
        No such contact, an erased one, or one merged into another (the error names it).
    ExportError
        The zip cannot be written; no partial file is left.
    """
    rid = _check_subject(session, record_id)
    lang = current_lang()
    sections, merged = _gather(session, rid, lang)
    members: dict[str, str] = {f"{name}.json": _dump(sections[name]) for name in SECTIONS}
    members["index.html"] = _page(sections, rid, lang, now_utc())
    target = write_zip(path, members)
    return SubjectAccessReport(target, rid, tuple(merged), _counts(sections))
