"""Import of notes and tasks from CSV or XLSX files.

The file is read with the formats layer's :func:`~crmkit._formats.read_table` (encodings,
delimiters, workbooks), its headers are matched with the header keys of
:mod:`crmkit._importing._mapping` against the activities' field names and labels in every
language, and each row goes through the same checks as ``crm.activities.add_task`` /
``add_note``. A row that breaks a rule is rejected with its line and reason (kept like
any import's rejects, ``crm.rejects(batch_id)``); the others are written in one batch.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from crmkit._core._session import Session
from crmkit._core._store import now_utc
from crmkit._exceptions import CRMKitError, ImportFormatError
from crmkit._formats import read_table
from crmkit._importing._mapping import header_key
from crmkit._ops import _activities as activities
from crmkit._util._messages import message, unknown_value
from crmkit._util._shorten import shorten
from crmkit.schemas._activities import ACTIVITY_LABELS, TASK_STATUSES

__all__ = ["ActivityImportReport", "activity_header_field", "import_activities"]

# Fields a file may give, with the extra headers that name them (labels come from schemas).
_TARGETS: dict[str, tuple[str, ...]] = {
    "contact": ("contact", "contact_id", "contact email", "email", "e-mail", "uid", "联系人"),
    "account": ("account", "account_id", "company", "société", "compte", "entreprise"),
    "subject": ("subject", "objet", "title", "titre", "nom", "name", "intitulé"),
    "body": ("body", "text", "note", "notes", "texte", "description", "commentaire"),
    "type": ("type", "task_type", "task type", "type de tâche", "类型"),
    "due": ("due", "due_at", "due date", "date", "échéance", "date et heure", "截止日期"),
    "priority": ("priority", "priorité", "优先级"),
    "status": ("status", "statut", "état", "状态"),
    "owner": ("owner", "owner_id", "followed by", "suivi par", "assigned to", "affecté à"),
    "report": ("report", "compte rendu", "résultat", "result"),
    "author": ("author", "auteur", "作者"),
}
_LABEL_OF = {"body": "body", "type": "task_type", "due": "due_at", "owner": "owner_id"}


def _index() -> dict[str, str]:
    out: dict[str, str] = {}
    for target, extra in _TARGETS.items():
        labels = ACTIVITY_LABELS.get(_LABEL_OF.get(target, target), ())
        for text in (target, *extra, *labels):
            out.setdefault(header_key(text), target)
    return out


def activity_header_field(header: str) -> str | None:
    """The field a file's header names, in any language (``None`` when none).

    Examples
    --------
    >>> activity_header_field("Échéance"), activity_header_field("Contact e-mail")
    ('due', 'contact')
    >>> activity_header_field("Priorité"), activity_header_field("Colour")
    ('priority', None)
    """
    return _index().get(header_key(header))


@dataclass
class ActivityImportReport:
    """What :meth:`crmkit.Activities.import_file` did (or would do, ``dry_run=True``).

    Attributes
    ----------
    kind
        ``tasks`` or ``notes``.
    inserted
        Activities written (would be, in a dry run).
    rejected
        pandas DataFrame ``line, reasons, raw`` of the rows not imported.
    mapping
        File header -> field used.
    batch_id
        The batch (``None`` in a dry run or when nothing was written).
    ids
        The new activities' ids.
    """

    kind: str
    inserted: int
    rejected: pd.DataFrame
    mapping: dict[str, str]
    batch_id: int | None = None
    dry_run: bool = False
    ids: list[int] = field(default_factory=list, repr=False)

    def __repr__(self) -> str:
        head = "dry run: " if self.dry_run else ""
        batch = f", batch {self.batch_id}" if self.batch_id is not None else ""
        return (
            f"ActivityImportReport({head}{self.inserted} {self.kind} imported, "
            f"{len(self.rejected)} rejected{batch})"
        )

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>" + (
            self.rejected.to_html(index=False) if len(self.rejected) else ""
        )


def _mapping(columns: tuple[str, ...], given: dict[str, str] | None) -> dict[str, str]:
    if given:
        unknown = [f for f in given.values() if f not in _TARGETS]
        if unknown:
            raise unknown_value("activity field", unknown[0], list(_TARGETS))
        missing = [h for h in given if h not in columns]
        if missing:
            raise ImportFormatError(
                message(
                    "activities_import_no_column",
                    field=shorten(missing[0]),
                    columns=", ".join(columns),
                )
            )
        return dict(given)
    out: dict[str, str] = {}
    for column in columns:
        target = activity_header_field(column)
        if target is not None and target not in out.values():
            out[column] = target
    return out


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return value.strip() or None
    return value


def _row_values(session: Session, kind: str, cells: dict[str, Any]) -> dict[str, Any]:
    """One checked activity row from a file's cells (raises the rule's error)."""
    contact, account = cells.get("contact"), cells.get("account")
    if isinstance(contact, float) and contact.is_integer():
        contact = int(contact)
    if isinstance(account, float) and account.is_integer():
        account = int(account)
    if kind == "notes":
        row = activities.note_row(
            session,
            cells.get("body"),
            contact=contact,
            account=account,
            author=cells.get("author"),
        )
        return row
    row = activities.task_row(
        session,
        cells.get("subject"),
        type=cells.get("type") or "todo",
        due=cells.get("due"),
        priority=cells.get("priority") or "normal",
        owner=cells.get("owner"),
        contact=contact,
        account=account,
        body=cells.get("body"),
    )
    if cells.get("status") is not None:
        status = TASK_STATUSES.lookup(str(cells["status"]))
        if status is None:
            raise unknown_value("status", cells["status"], TASK_STATUSES.values)
        row["status"] = status
        if status == "done":
            row["completed_at"] = now_utc()
    if cells.get("report") is not None:
        row["report"] = str(cells["report"])
    return row


def import_activities(
    session: Session,
    path: str | Path,
    kind: str,
    mapping: dict[str, str] | None = None,
    *,
    dry_run: bool = False,
) -> ActivityImportReport:
    """Import notes or tasks from ``path`` (see :meth:`crmkit.Activities.import_file`)."""
    if kind not in ("tasks", "notes"):
        raise unknown_value("kind", kind, ["tasks", "notes"])
    source = read_table(path)
    used = _mapping(source.columns, mapping)
    chunk = source.read()
    good: list[dict[str, Any]] = []
    rejects: list[tuple[int, str, str]] = []
    for position, (_, record) in enumerate(chunk.frame.iterrows()):
        line = int(chunk.lines[position])
        raw = {str(k): _clean(v) for k, v in record.items()}
        cells = {target: raw.get(header) for header, target in used.items()}
        try:
            good.append(_row_values(session, kind, cells))
        except CRMKitError as exc:
            rejects.append((line, str(exc), json.dumps(raw, default=str, ensure_ascii=False)))
    rejected = pd.DataFrame(rejects, columns=["line", "reasons", "raw"])
    report = ActivityImportReport(kind, len(good), rejected, used, dry_run=dry_run)
    if dry_run or (not good and not rejects):
        return report
    with session.batch("import activities", f"import {kind} from {Path(path).name}") as batch:
        report.ids = activities.insert_rows(session, good, batch)
        if rejects:
            session.store.save_rejects(
                pa.table(
                    {
                        "batch_id": pa.array([batch] * len(rejects), pa.int64()),
                        "kind": pa.array(["activities"] * len(rejects), pa.string()),
                        "source": pa.array([str(path)] * len(rejects), pa.string()),
                        "line": pa.array([r[0] for r in rejects], pa.int64()),
                        "raw": pa.array([r[2] for r in rejects], pa.string()),
                        "reasons": pa.array([r[1] for r in rejects], pa.string()),
                    }
                )
            )
    report.batch_id = batch
    return report
