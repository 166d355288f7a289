"""What an import tells its user: the report, the preview, and the rows gathered for them.

:class:`ImportReport` and :class:`ImportPreview` are the public results (they display
themselves in a shell and in Jupyter). :class:`ReportParts` gathers, while the import
runs, the rows that become the report's tables: rejected rows, warnings, changed values,
rows merged or rejected as repeats, likely duplicates, the accounts and owners created.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from crmkit._importing._chunks import RESERVED, Chunk, custom_value
from crmkit._importing._compact import IdSequence, NameSequence
from crmkit._util._config import current_lang
from crmkit._util._messages import kind_noun, message
from crmkit._util._table_html import rows_to_read, table_html
from crmkit.schemas._display import report_columns
from crmkit.schemas._labels import column_label, shown_name

if TYPE_CHECKING:
    from crmkit._importing._mapping import MappingPlan

__all__ = ["ImportPreview", "ImportReport", "ReportParts"]

CHANGES_KEPT = 100_000  # normalisation changes listed in a report; counts are always full


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do).

    Attributes
    ----------
    kind, source, mode, dry_run, batch_id
        What was imported, from where, how, and the history batch (``None`` for a dry run
        or when nothing changed). ``crm.undo(report.batch_id)`` reverts the import.
    read, inserted, updated, unchanged
        Row counts. ``unchanged`` counts rows that matched a record and changed nothing
        (or, in ``create`` mode, matched a record and were skipped).
    rejected
        pandas DataFrame of the rows that could not be stored: ``__line__``,
        ``__reasons__`` and the raw cells under the file's own headers. Fix it and pass
        it to ``crm.import_frame`` again. The reasons are worded once, in the language
        in force when the import started (:func:`crmkit.set_config`; fields by label),
        and kept so in the database's import_rejects: a report is read once, by the
        person who ran the import. With no language chosen they are the English of
        earlier versions, fields by name.
    warnings
        pandas DataFrame ``line, field, value, message``: stored, but flagged.
    changes
        pandas DataFrame ``line, field, raw, value`` of values normalisation changed (the
        first 20,000 of each chunk of rows, 100,000 at most; ``changes_count`` has the
        full count per field).
    mapping
        The :class:`~crmkit._importing._mapping.MappingPlan` used.
    merged_in_file
        pandas DataFrame ``line, merged_into_line, key`` of rows that name the same record
        as an earlier row of the file (same external id, email, or name and company):
        merged into it (blanks filled, later non-empty values win and the values they
        replace are listed in ``warnings``, lists united). Counted here, not in
        ``inserted`` or ``updated``.
    duplicates_in_file
        With ``in_file_duplicates="reject"``: pandas DataFrame ``line, duplicate_of, key``
        of rows repeating an earlier row, rejected.
    likely_duplicates
        With ``on_duplicate``: pandas DataFrame ``line, existing_id, probability,
        action`` of new rows that probably duplicate an existing record.
    duplicate_alerts
        pandas DataFrame ``line, record_id, rule, fields, action, match_id, match_line,
        match_name``: rows stored although a duplicate rule with the action ``alert``
        matched them to a record (``match_id``) or to an earlier line of the file
        (``match_line``). Rows a rule blocks are in ``rejected``, the rule in their reasons.
    created_accounts, created_owners
        Names of the accounts and owners this import created (``created_accounts``: a
        read-only sequence kept compactly, as Arrow strings).
    inserted_ids
        Ids of the records inserted, in order: a read-only sequence of ``int`` that keeps
        runs of consecutive ids as ranges (a few bytes a chunk, not a Python ``int`` a
        row); ``list(report.inserted_ids)`` or ``.to_numpy()`` for a list or an array.
    profile, profile_recalled
        The import profile used (``crm.import_profiles``), and whether the file's headers
        chose it.
    previous_imports
        Batches of earlier imports (not undone) of a file with the same content: the
        report says so; the import still runs.
    """

    kind: str
    source: str
    mode: str
    dry_run: bool
    mapping: MappingPlan
    batch_id: int | None = None
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: pd.DataFrame = field(default_factory=pd.DataFrame)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    changes_count: dict[str, int] = field(default_factory=dict)
    duplicates_in_file: pd.DataFrame = field(default_factory=pd.DataFrame)
    merged_in_file: pd.DataFrame = field(default_factory=pd.DataFrame)
    created_accounts: Sequence[str] = field(default_factory=NameSequence)
    created_owners: list[str] = field(default_factory=list)
    inserted_ids: IdSequence = field(default_factory=IdSequence)
    likely_duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)
    duplicate_alerts: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0
    profile: str | None = None
    profile_recalled: bool = False
    previous_imports: list[int] = field(default_factory=list)

    @property
    def n_rejected(self) -> int:
        """How many rows were rejected."""
        return len(self.rejected)

    def warnings_by_field(self) -> pd.DataFrame:
        """Warnings counted by field and message kind."""
        if self.warnings.empty:
            return pd.DataFrame(columns=["field", "warnings"])
        return (
            self.warnings.groupby("field")
            .size()
            .rename("warnings")
            .sort_values(ascending=False)
            .reset_index()
        )

    def counts(self) -> dict[str, int]:
        """The headline numbers."""
        return {
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "merged_in_file": len(self.merged_in_file),
            "rejected": self.n_rejected,
            "warnings": len(self.warnings),
        }

    def __repr__(self) -> str:
        sep = message("list_sep")
        counts = sep.join(f"{message('count_' + k)}={v}" for k, v in self.counts().items())
        head = message(
            "import_head",
            kind=kind_noun(self.kind),
            source=self.source,
            mode=self.mode,
            counts=counts,
        )
        if self.batch_id is not None:
            head += sep + message("batch", batch=self.batch_id)
        lines = [f"ImportReport({message('import_dry') if self.dry_run else ''}{head})"]
        lines += ["  " + note for note in source_notes(self)]
        if self.created_accounts:
            lines.append(
                "  " + message("import_created_accounts", count=len(self.created_accounts))
            )
        if self.created_owners:
            names = sep.join(self.created_owners)
            lines.append("  " + message("import_created_owners", names=names))
        if not self.rejected.empty:
            lines.append("  " + message("import_rejected_rows"))
            for rec in self.rejected.head(10).itertuples(index=False):
                lines.append("    " + message("colon", a=message("line", line=rec[0]), b=rec[1]))
            if len(self.rejected) > 10:
                more = len(self.rejected) - 10
                lines.append("    " + message("import_more_rejected", count=more))
        if not self.duplicate_alerts.empty:
            rules = self.duplicate_alerts["rule"].value_counts()
            lines.append(
                "  "
                + message(
                    "import_alerts",
                    count=len(self.duplicate_alerts),
                    rules=sep.join(f"{name!r}: {n}" for name, n in rules.items()),
                )
            )
        by_field = self.warnings_by_field()
        if not by_field.empty:
            fields = sep.join(
                f"{shown_name(self.kind, str(r.field))}={r.warnings}"
                for r in by_field.itertuples(index=False)
            )
            lines.append("  " + message("import_warnings_by_field", fields=fields))
        return "\n".join(lines)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        c = self.counts()
        cells = "".join(
            f"<td><b>{message('number', value=v)}</b><br>{html.escape(message('count_' + k))}</td>"
            for k, v in c.items()
        )
        details = [html.escape(message("html_mode", mode=self.mode))]
        if self.dry_run:
            details.append(f"<b>{html.escape(message('html_dry_run'))}</b>")
        if self.batch_id is not None:
            details.append(html.escape(message("batch", batch=self.batch_id)))
        title = html.escape(message("html_import_title", kind=kind_noun(self.kind)))
        parts = [
            f'<div class="crmkit-import-report"><p><strong>{title}</strong> '
            f"{html.escape(message('html_from'))} <code>{html.escape(self.source)}</code> "
            f"({html.escape(message('list_sep')).join(details)})</p>"
            f"<table><tr>{cells}</tr></table>"
        ]
        parts += [f"<p>{html.escape(note)}</p>" for note in source_notes(self)]
        if not self.rejected.empty:
            parts.append(
                f"<p>{html.escape(message('html_rejected_rows'))}</p>"
                + _report_table(self.rejected, self.kind)
            )
        by_field = self.warnings_by_field()
        if not by_field.empty:
            parts.append(
                f"<p>{html.escape(message('html_warnings_by_field'))}</p>"
                + _report_table(_field_labels(by_field, self.kind), self.kind)
                + _report_table(_field_labels(self.warnings, self.kind), self.kind)
            )
        parts.append(
            f"<details><summary>{html.escape(message('html_column_mapping'))}</summary>"
            + table_html(
                self.mapping.to_frame(), mode="static", max_rows=len(self.mapping.fields) + 1
            )
            + "</details></div>"
        )
        return "".join(parts)


@dataclass
class ImportPreview:
    """What :meth:`CRM.preview_import` found, without writing anything.

    Attributes
    ----------
    kind, source, mapping
        What would be imported, from where, and the proposed column mapping.
    sample
        pandas DataFrame of the first normalised rows, with their ``line``.
    problems
        pandas DataFrame ``line, field, value, message, severity`` of the errors and
        warnings found in the rows checked.
    rows_checked
        How many rows were read.
    profile, profile_recalled, previous_imports
        As in :class:`ImportReport`: the profile that applies, and earlier imports of the
        same file.
    """

    kind: str
    source: str
    mapping: MappingPlan
    sample: pd.DataFrame
    problems: pd.DataFrame
    rows_checked: int
    profile: str | None = None
    profile_recalled: bool = False
    previous_imports: list[int] = field(default_factory=list)

    def __repr__(self) -> str:
        head = message(
            "preview_head",
            kind=kind_noun(self.kind),
            source=self.source,
            columns=message("preview_columns", count=len(self.mapping.fields)),
            rows=message("preview_rows", count=self.rows_checked),
            problems=message("preview_problems", count=len(self.problems)),
        )
        notes = "".join(f"\n  {note}" for note in source_notes(self))
        return f"ImportPreview({head}){notes}\n{self.mapping!r}"

    def _repr_html_(self) -> str:
        return (
            f'<div class="crmkit-import-preview"><p><strong>'
            f"{html.escape(message('html_preview_title'))}</strong> "
            f"<code>{html.escape(self.source)}</code> "
            f"{html.escape(message('html_as_kind', kind=kind_noun(self.kind)))}</p>"
            + "".join(f"<p>{html.escape(note)}</p>" for note in source_notes(self))
            + self.mapping._repr_html_()
            + f"<p>{html.escape(message('html_sample_rows'))}</p>"
            + _report_table(self.sample, self.kind)
            + f"<p>{html.escape(message('html_problems_first', count=self.rows_checked))}</p>"
            + _report_table(_field_labels(self.problems, self.kind), self.kind)
            + "</div>"
        )


def source_notes(found: ImportReport | ImportPreview) -> list[str]:
    """The profile an import uses and, for a file imported before, a warning."""
    notes = []
    if found.profile is not None:
        key = "import_profile_recalled" if found.profile_recalled else "import_profile_used"
        notes.append(message(key, name=found.profile))
    if found.previous_imports:
        batches = message("list_sep").join(str(b) for b in found.previous_imports)
        notes.append(
            message("import_already_imported", count=len(found.previous_imports), batches=batches)
        )
    return notes


def _report_table(frame: pd.DataFrame, kind: str) -> str:
    """One of a report's frames through the table renderer: labelled headers, every row
    pageable (interactive) or the first ones and "N more" (static)."""
    lang = current_lang()
    shown = _cut_cells(frame.head(rows_to_read()))
    columns = report_columns(kind, [str(c) for c in frame.columns], lang)
    return table_html(shown, columns, total=len(frame), lang=lang)


def _field_labels(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``frame`` with its ``field`` column holding labels in the current language."""
    if "field" not in frame.columns or frame.empty:
        return frame
    lang = current_lang()
    labels = {name: column_label(kind, str(name), lang) for name in frame["field"].unique()}
    return frame.assign(field=frame["field"].map(labels))


def _cut_cells(frame: pd.DataFrame, limit: int = 200) -> pd.DataFrame:
    """A copy of ``frame`` whose long text cells are cut short, for display only."""

    def cut(value: Any) -> Any:
        if isinstance(value, str) and len(value) > limit:
            return value[: limit - 1] + f"… ({len(value):,} characters)"
        return value

    return frame.apply(lambda column: column.map(cut)) if not frame.empty else frame


@dataclass
class ReportParts:
    """The rows an import gathers for its report while it runs.

    The steps of an import append to these lists; :meth:`finish` turns them into the
    report's DataFrames once, at the end.

    Attributes
    ----------
    rejects
        Rejected rows: ``__line__``, ``__reasons__`` and the raw cells.
    warnings, changes
        ``(line, field, value, message)`` and ``(line, field, raw, value)`` rows.
    change_counts
        Changed values per field, every one counted.
    duplicates_in_file, merged_in_file
        ``(line, duplicate_of, key)`` and ``(line, merged_into_line, key)`` rows.
    likely_duplicates
        ``(line, existing_id, probability, action)`` rows.
    duplicate_alerts
        Rows of ``report.duplicate_alerts`` (dicts).
    created_accounts, created_owners
        Names of the accounts and owners created.
    """

    rejects: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[tuple[int, str, Any, str]] = field(default_factory=list)
    changes: list[tuple[int, str, Any, Any]] = field(default_factory=list)
    change_counts: dict[str, int] = field(default_factory=dict)
    duplicates_in_file: list[tuple[int, int, str]] = field(default_factory=list)
    merged_in_file: list[tuple[int, int, str]] = field(default_factory=list)
    likely_duplicates: list[tuple[int, int, float, str]] = field(default_factory=list)
    duplicate_alerts: list[dict[str, Any]] = field(default_factory=list)
    created_accounts: NameSequence = field(default_factory=NameSequence)
    created_owners: list[str] = field(default_factory=list)
    #: Lines whose raw cells are not kept (they match an erased person: line and reason only).
    hidden_lines: set[int] = field(default_factory=set)

    def collect(self, chunk: Chunk) -> None:
        """Take a written chunk's rejected rows, warnings and changes."""
        for i, errs in enumerate(chunk.errors):
            if errs:
                assert chunk.raw is not None
                raw = (
                    {}
                    if chunk.lines[i] in self.hidden_lines
                    else {
                        str(k): custom_value(v, unquote=False) for k, v in chunk.raw.iloc[i].items()
                    }
                )
                self.rejects.append(
                    {"__line__": chunk.lines[i], "__reasons__": "; ".join(errs), **raw}
                )
        self.warnings.extend(chunk.warnings)
        room = CHANGES_KEPT - len(self.changes)
        if room > 0:
            self.changes.extend(chunk.changes[:room])
        for f, count in chunk.change_counts.items():
            self.change_counts[f] = self.change_counts.get(f, 0) + count

    def rejects_table(self, batch: int, kind: str, source: str) -> pa.Table:
        """The rejected rows as the store keeps them (``import_rejects``): raw cells as JSON."""
        n = len(self.rejects)
        raws = [
            json.dumps(
                {k: v for k, v in r.items() if k not in RESERVED}, ensure_ascii=False, default=str
            )
            for r in self.rejects
        ]
        return pa.table(
            {
                "batch_id": pa.array([batch] * n, pa.int64()),
                "kind": pa.array([kind] * n, pa.string()),
                "source": pa.array([source] * n, pa.string()),
                "line": pa.array([r["__line__"] for r in self.rejects], pa.int64()),
                "raw": pa.array(raws, pa.string()),
                "reasons": pa.array([r["__reasons__"] for r in self.rejects], pa.string()),
            }
        )

    def finish(self, report: ImportReport, started: float, dry_run: bool) -> None:
        """Put the gathered rows on ``report``, with the time since ``started``."""
        if dry_run:
            report.batch_id = None
        report.rejected = (
            pd.DataFrame(self.rejects) if self.rejects else pd.DataFrame(columns=list(RESERVED))
        )
        report.warnings = pd.DataFrame(self.warnings, columns=["line", "field", "value", "message"])
        report.changes = pd.DataFrame(self.changes, columns=["line", "field", "raw", "value"])
        report.changes_count = dict(self.change_counts)
        report.duplicates_in_file = pd.DataFrame(
            self.duplicates_in_file, columns=["line", "duplicate_of", "key"]
        )
        report.merged_in_file = pd.DataFrame(
            self.merged_in_file, columns=["line", "merged_into_line", "key"]
        )
        report.likely_duplicates = pd.DataFrame(
            self.likely_duplicates, columns=["line", "existing_id", "probability", "action"]
        )
        report.duplicate_alerts = pd.DataFrame(
            self.duplicate_alerts,
            columns=[
                "line",
                "record_id",
                "rule",
                "fields",
                "action",
                "match_id",
                "match_line",
                "match_name",
            ],
        )
        report.created_accounts = self.created_accounts
        report.created_owners = list(self.created_owners)
        report.seconds = time.perf_counter() - started
