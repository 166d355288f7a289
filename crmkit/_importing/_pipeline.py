"""The import pipeline: files and DataFrames in, clean records stored, nothing lost.

read (``_readers``) -> map headers (``_mapping``) -> normalise columns (``_columns``) ->
validate (pandera, ``schemas._models``) -> link accounts and owners -> match existing
records (mode, ``match_on``) -> write (``_store``), all in one transaction and one batch.

A row is rejected only when it cannot be stored faithfully (a required field missing, a
value of the wrong type, an unknown account or owner that may not be created); rejected
rows keep their line, raw values and reasons, in ``report.rejected`` and in the
``import_rejects`` table. Everything else is stored and reported as a warning; values that
normalisation changed stay visible in ``report.changes``; columns that map to no field go
to ``custom``.
"""

from __future__ import annotations

import bisect
import html
import json
import operator
import os
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

from crmkit import _normalize as norm
from crmkit._core._integrity import cycle_path, links, owner_states
from crmkit._core._session import Session
from crmkit._core._store import arrow_type, first
from crmkit._exceptions import ValidationError
from crmkit._importing._options import ImportOptions, Mode
from crmkit._normalize._columns import (
    ColumnOptions,
    clean_column,
    company_key_column,
    normalize_column,
    text_of,
)
from crmkit._ops import _owners as owner_ops
from crmkit._ops._duplicates import duplicates_of
from crmkit._util._gc import gc_paused
from crmkit._util._shorten import shorten
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import ACCOUNTS, CONTACTS, Table, table
from crmkit.schemas._models import validate
from crmkit.schemas._vocab import fold

if TYPE_CHECKING:
    from crmkit._importing._mapping import MappingPlan

__all__ = ["ImportPreview", "ImportReport", "Importer"]

PSEUDO_FIELDS = {"contacts": ("company", "owner"), "accounts": ("owner", "parent")}
DEFAULT_CHUNK_ROWS = 100_000
PARALLEL_ROWS = 150_000  # sources at least this long are normalised in worker processes
PARALLEL_CHUNK_ROWS = 50_000
CHANGES_KEPT = 100_000  # normalisation changes listed in a report; counts are always full
CHANGES_PER_CHUNK = 20_000  # so a large file's report samples changes from every part
RESERVED = ("__line__", "__reasons__")
_LINKED = ("owner_id", "account_id")  # set by linking, after validation


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
        it to ``crm.import_frame`` again.
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
    created_accounts, created_owners
        Names of the accounts and owners this import created.
    inserted_ids
        Ids of the records inserted.
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
    created_accounts: list[str] = field(default_factory=list)
    created_owners: list[str] = field(default_factory=list)
    inserted_ids: list[int] = field(default_factory=list)
    likely_duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0

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
        c = self.counts()
        head = (
            "ImportReport("
            + ("DRY RUN, " if self.dry_run else "")
            + f"{self.kind} from {self.source}, mode={self.mode}: "
            + ", ".join(f"{k}={v}" for k, v in c.items())
            + (f", batch {self.batch_id}" if self.batch_id is not None else "")
            + ")"
        )
        lines = [head]
        if self.created_accounts:
            lines.append(f"  created {len(self.created_accounts)} accounts")
        if self.created_owners:
            lines.append(f"  created owners: {', '.join(self.created_owners)}")
        if not self.rejected.empty:
            lines.append("  rejected rows:")
            for rec in self.rejected.head(10).itertuples(index=False):
                lines.append(f"    line {rec[0]}: {rec[1]}")
            if len(self.rejected) > 10:
                lines.append(f"    ... {len(self.rejected) - 10} more in report.rejected")
        by_field = self.warnings_by_field()
        if not by_field.empty:
            lines.append(
                "  warnings by field: "
                + ", ".join(f"{r.field}={r.warnings}" for r in by_field.itertuples(index=False))
            )
        return "\n".join(lines)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        c = self.counts()
        cells = "".join(f"<td><b>{v:,}</b><br>{k}</td>" for k, v in c.items())
        parts = [
            f'<div class="crmkit-import-report"><p><strong>Import of {html.escape(self.kind)}'
            f"</strong> from <code>{html.escape(self.source)}</code> (mode {self.mode}"
            + (", <b>dry run</b>" if self.dry_run else "")
            + (f", batch {self.batch_id}" if self.batch_id is not None else "")
            + f")</p><table><tr>{cells}</tr></table>"
        ]
        if not self.rejected.empty:
            parts.append(
                "<p>Rejected rows</p>"
                + _cut_cells(self.rejected.head(20)).to_html(index=False, border=0)
            )
        by_field = self.warnings_by_field()
        if not by_field.empty:
            parts.append("<p>Warnings by field</p>" + by_field.to_html(index=False, border=0))
        parts.append(
            "<details><summary>Column mapping</summary>"
            + self.mapping.to_frame().to_html(index=False, border=0)
            + "</details></div>"
        )
        return "".join(parts)


@dataclass
class ImportPreview:
    """What :meth:`CRM.preview_import` found, without writing anything."""

    kind: str
    source: str
    mapping: MappingPlan
    sample: pd.DataFrame
    problems: pd.DataFrame
    rows_checked: int

    def __repr__(self) -> str:
        return (
            f"ImportPreview({self.kind} from {self.source}: "
            f"{len(self.mapping.fields)} columns, {self.rows_checked} rows checked, "
            f"{len(self.problems)} problems)\n{self.mapping!r}"
        )

    def _repr_html_(self) -> str:
        return (
            f'<div class="crmkit-import-preview"><p><strong>Preview</strong> of '
            f"<code>{html.escape(self.source)}</code> as {html.escape(self.kind)}</p>"
            + self.mapping._repr_html_()
            + "<p>Sample of normalised rows</p>"
            + _cut_cells(self.sample.head(10)).to_html(index=False, border=0)
            + f"<p>Problems in the first {self.rows_checked} rows</p>"
            + _cut_cells(self.problems.head(30)).to_html(index=False, border=0)
            + "</div>"
        )


@dataclass
class _Chunk:
    """One chunk after mapping and normalisation.

    Between processes a chunk travels as Arrow IPC (its values) plus small lists (errors,
    warnings, changes); the raw cells stay with the process that read them.
    """

    lines: list[int]
    raw: pd.DataFrame | None
    columns: dict[str, list[Any]]
    errors: list[list[str]]
    warnings: list[tuple[int, str, Any, str]]
    changes: list[tuple[int, str, Any, Any]]
    change_counts: dict[str, int]
    arrow: pa.Table | None = None

    def __getstate__(self) -> dict[str, Any]:
        extras = {
            k: v
            for k, v in self.columns.items()
            if self.arrow is None or k not in self.arrow.column_names
        }
        extra_table = (
            pa.table({k: pa.array(v, pa.string()) for k, v in extras.items()}) if extras else None
        )
        return {
            "lines": self.lines,
            "errors": self.errors,
            "warnings": self.warnings,
            "changes": self.changes,
            "change_counts": self.change_counts,
            "arrow": _ipc(self.arrow),
            "extras": _ipc(extra_table),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.lines = state["lines"]
        self.errors = state["errors"]
        self.warnings = state["warnings"]
        self.changes = state["changes"]
        self.change_counts = state["change_counts"]
        self.arrow = _from_ipc(state["arrow"])
        self.raw = None
        tables = [t for t in (self.arrow, _from_ipc(state["extras"])) if t is not None]
        self.columns = _LazyColumns(tables)


def _ipc(table: pa.Table | None) -> bytes | None:
    if table is None:
        return None
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def _from_ipc(data: bytes | None) -> pa.Table | None:
    if data is None:
        return None
    with pa.ipc.open_stream(pa.py_buffer(data)) as reader:
        return reader.read_all()


class _LazyColumns(dict[str, list[Any]]):
    """Column lists made from Arrow tables on first use (the main process needs few)."""

    def __init__(self, tables: list[pa.Table]) -> None:
        super().__init__()
        self._sources = {name: t for t in tables for name in t.column_names}

    def __missing__(self, key: str) -> list[Any]:
        if key not in self._sources:
            raise KeyError(key)
        values: list[Any] = self._sources.pop(key).column(key).to_pylist()
        self[key] = values
        return values

    def __contains__(self, key: object) -> bool:
        return key in self._sources or dict.__contains__(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default  # noqa: SIM401 - self.get is this

    def pop(self, key: str, *default: Any) -> Any:
        if key in self._sources:
            self[key]  # materialise, then remove below
        return dict.pop(self, key, *default)

    def __iter__(self) -> Iterator[str]:
        yield from list(dict.keys(self)) + [
            k for k in self._sources if not dict.__contains__(self, k)
        ]

    def keys(self) -> Any:
        return list(iter(self))

    def items(self) -> Any:
        return [(k, self[k]) for k in list(iter(self))]


@dataclass(frozen=True)
class _Failure:
    row: int
    field: str
    value: Any
    check: str
    severity: str


@dataclass(eq=False)
class _Group:
    """The rows of a file that are one record: where the first one is, what it became."""

    key: str
    line: int
    uid: Any
    chunk: _Chunk | None
    row: int | None
    record_id: int | None = None


class _RollbackError(Exception):
    """Raised inside the transaction to undo a dry run."""


@dataclass(frozen=True)
class ChunkNormalizer:
    """Maps and normalises one chunk of rows: pure, no database, picklable.

    The import runs it in worker processes when the source is large, so that both cores
    normalise while the main process validates, links and writes.
    """

    kind: str
    options: ColumnOptions
    default_currency: str
    required: tuple[str, ...] = ()

    @property
    def table(self) -> Table:
        return table(self.kind)

    def map_chunk(
        self, frame: pd.DataFrame, plan: MappingPlan
    ) -> tuple[dict[str, list[Any]], list[dict[str, Any]]]:
        """Target columns (raw values) and the per-row custom dicts."""
        from crmkit._importing._mapping import (
            FullName,
            TypedPair,
            apply_full_names,
            apply_typed_pairs,
        )

        n = len(frame)
        targets: dict[str, list[Any]] = {}
        for header, target in plan.fields.items():
            if target is not None and header in frame.columns:
                # Chunks hold None for every empty cell (the readers' contract).
                targets[target] = frame[header].tolist()
        customs: list[dict[str, Any]] = [{} for _ in range(n)]
        pairs = [r for r in plan.rules if isinstance(r, TypedPair)]
        if pairs:
            routed = apply_typed_pairs(frame, pairs)
            for name in routed.columns:
                if name == "_overflow":
                    for i, extra in enumerate(_values(routed[name])):
                        if extra:
                            customs[i].update(extra)
                elif name not in targets:
                    targets[name] = _values(routed[name])
        names = [r for r in plan.rules if isinstance(r, FullName)]
        if names:
            split = apply_full_names(frame, names)
            for name in split.columns:
                if name == "_overflow":
                    for i, extra in enumerate(_values(split[name])):
                        if extra:
                            customs[i].update(extra)
                elif name not in targets:
                    targets[name] = _values(split[name])
        for header in plan.custom:
            if header in frame.columns:
                key = norm.drop_controls(str(header))
                for i, v in enumerate(_values(frame[header])):
                    text = _custom_value(v, unquote=self.options.unquote_formulas)
                    if text is not None:
                        customs[i][key] = text
        return targets, customs

    # -- normalising ----------------------------------------------------------------

    def normalize(self, frame: pd.DataFrame, lines: list[int], plan: MappingPlan) -> _Chunk:
        targets, customs = self.map_chunk(frame, plan)
        n = len(frame)
        errors: list[list[str]] = [[] for _ in range(n)]
        warnings: list[tuple[int, str, Any, str]] = []
        changes: list[tuple[int, str, Any, Any]] = []
        change_counts: dict[str, int] = {}
        columns: dict[str, list[Any]] = {}
        country_field = "country" if self.kind == "contacts" else "billing_country"
        # Countries first: they tell how to read phone numbers without a country code.
        order = sorted(targets, key=lambda t: t != country_field)
        regions: list[str | None] | None = None
        for target in order:
            raw = targets[target]
            if target in PSEUDO_FIELDS[self.kind]:
                columns[target] = clean_column(raw, unquote=self.options.unquote_formulas)
                continue
            if target == "custom":
                result = normalize_column(self.table["custom"], raw, self.options)
                for i, (value, err) in enumerate(zip(result.values, result.errors, strict=True)):
                    if err:
                        errors[i].append(f"custom: {err}")
                    elif value:
                        decoded = json.loads(value)
                        if isinstance(decoded, dict):
                            customs[i].update(decoded)
                        else:
                            customs[i]["custom"] = decoded
                continue
            f = self.table[target]
            result = normalize_column(f, raw, self.options, regions)
            columns[target] = result.values
            if target == country_field:
                regions = result.values
            if any(result.errors):  # scanned in C; most columns have none
                for i, err in enumerate(result.errors):
                    if err:
                        errors[i].append(f"{target}: {err}")
            if any(result.warnings):
                for i, warn in enumerate(result.warnings):
                    if warn:
                        warnings.append((lines[i], target, raw[i], warn))
            if result.to_custom is not None:
                for i, moved in enumerate(result.to_custom):
                    if moved is not None:
                        customs[i][target] = moved
            for side, side_values in result.side.items():
                if side not in columns or all(v is None for v in columns[side]):
                    columns[side] = side_values
                else:
                    columns[side] = [
                        a if a is not None else b
                        for a, b in zip(columns[side], side_values, strict=True)
                    ]
            # Booleans are parsed, not corrected: "oui" -> True is not worth listing.
            if f.kind != "bool" and result.values != raw:  # one C-level comparison
                changed = _changed_rows(raw, result.values, exact=f.kind == "text")
                if changed:
                    change_counts[target] = change_counts.get(target, 0) + len(changed)
                    room = CHANGES_PER_CHUNK - len(changes)
                    changes.extend(
                        (lines[i], target, raw[i], result.values[i]) for i in changed[:room]
                    )
        # Keys used to link and match rows are computed here, in the worker processes.
        if "company" in columns:
            columns["_company_key"] = company_key_column(columns["company"])
        if self.kind == "accounts" and "name" in columns:
            columns["_name_key"] = company_key_column(columns["name"])
        if any(customs):
            columns["custom"] = [
                json.dumps(c, ensure_ascii=False, default=str) if c else None for c in customs
            ]
        return _Chunk(lines, frame, columns, errors, warnings, changes, change_counts)

    def to_arrow(self, chunk: _Chunk) -> pa.Table:
        """The chunk's catalog fields as Arrow, kept on the chunk for writing."""
        fields = {k: v for k, v in chunk.columns.items() if k in self.table}
        chunk.arrow = _arrow(self.table, fields, len(chunk.lines))
        return chunk.arrow

    def validate(self, chunk: _Chunk) -> None:
        """Check the chunk with the pandera model; errors and warnings go on the chunk."""
        fields = {k: v for k, v in chunk.columns.items() if k in self.table}
        data = self.to_arrow(chunk)  # reused when writing: values go to Arrow once
        frame = pl.from_arrow(data)
        assert isinstance(frame, pl.DataFrame)
        # account_id / owner_id may still come from the company / owner columns.
        required = [r for r in self.required if r in fields or r not in _LINKED]
        report = validate(
            frame,
            self.kind,
            required=required,
            sectors=self.options.sectors.values if self.options.sectors else None,
        )
        flagged = {(line, f) for line, f, _, _ in chunk.warnings}
        for case in report.failure_cases.to_dict("records"):
            rec = _Failure(
                int(case["row"]),
                str(case["field"]),
                case["value"],
                str(case["check"]),
                str(case["severity"]),
            )
            row = rec.row
            if rec.severity == "error":
                if rec.check == "required" and fields.get(rec.field) is None:
                    message = f"{rec.field}: required, but the file has no such column"
                elif rec.check == "required":
                    message = f"{rec.field}: required, but empty"
                else:
                    message = f"{rec.field}: {shorten(rec.value)} breaks rule {rec.check}"
                chunk.errors[row].append(message)
            elif (chunk.lines[row], rec.field) not in flagged:
                chunk.warnings.append(
                    (
                        chunk.lines[row],
                        str(rec.field),
                        rec.value,
                        f"{rec.field}: breaks rule {rec.check}",
                    )
                )

    def prepare(self, frame: pd.DataFrame, lines: list[int], plan: MappingPlan) -> _Chunk:
        """Map, normalise and validate a chunk (what worker processes run)."""
        chunk = self.normalize(frame, lines, plan)
        self.validate(chunk)
        return chunk


class Importer:
    """Runs one import for a CRM. Use ``crm.import_file`` / ``crm.import_frame``."""

    def __init__(self, session: Session, options: ImportOptions) -> None:
        self.session = session
        self.opts = options
        self.table: Table = table(options.kind)
        self.kind = self.table.name
        self.mapping_override = dict(options.mapping) if options.mapping else None
        self.mode: Mode = options.mode
        self.match_on = list(options.match_on) if options.match_on else None
        self.dry_run = options.dry_run
        self.create_accounts = options.create_accounts
        self.create_owners = options.create_owners
        self.layout = options.layout
        self.progress = options.progress
        self.workers = options.workers
        self.on_duplicate = options.on_duplicate
        self.duplicate_threshold = options.duplicate_threshold
        self.in_file_duplicates = options.in_file_duplicates
        region, dayfirst, decimal = options.region, options.dayfirst, options.decimal
        settings = session.settings
        self.options = ColumnOptions(
            region=region or settings.default_region,
            dayfirst=dayfirst,
            decimal=decimal,
            sectors=settings.sectors,
        )
        self.required = settings.required_fields(self.kind)
        self.default_currency = settings.default_currency
        self.normalizer = ChunkNormalizer(
            self.kind, self.options, self.default_currency, tuple(self.required)
        )
        self._accounts_by_key: dict[str, int] | None = None
        self._existing_accounts: dict[str, list[tuple[int, str]]] | None = None
        self._owners_by_key: dict[str, int] | None = None
        self._seen: dict[str, _Group] = {}
        # Problems the reader found before the pipeline (vCards that cannot be read).
        self.source_rejects: list[dict[str, Any]] = []
        self.source_warnings: list[tuple[int, str, Any, str]] = []
        self._pending_parents: list[tuple[int, str, int]] = []
        self._dup_index: Any = None
        self._had_records = bool(
            first(
                session.con.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {self.kind} "
                    f"WHERE deleted_at IS NULL AND merged_into IS NULL LIMIT 1)"
                )
            )[0]  # type: ignore[index]
        )

    # -- mapping ---------------------------------------------------------------------

    def plan(self, headers: Sequence[str]) -> MappingPlan:
        """The column mapping for these headers."""
        from crmkit._importing._mapping import propose_mapping

        usable = [h for h in headers if h not in RESERVED]
        return propose_mapping(usable, self.kind, mapping=self.mapping_override, layout=self.layout)

    def _validate(self, chunk: _Chunk) -> None:
        self.normalizer.validate(chunk)

    # -- linking --------------------------------------------------------------------

    def _account_index(self) -> dict[str, int]:
        if self._accounts_by_key is None:
            rows = self.session.con.execute(
                "SELECT id, name FROM accounts WHERE deleted_at IS NULL "
                "AND merged_into IS NULL ORDER BY id"
            ).fetchall()
            keys = company_key_column([r[1] for r in rows])
            index: dict[str, int] = {}
            for (account_id, _), key in zip(rows, keys, strict=True):
                if key is not None:
                    index.setdefault(key, int(account_id))
            self._accounts_by_key = index
        return self._accounts_by_key

    def _owner_index(self) -> dict[str, int]:
        if self._owners_by_key is None:
            rows = self.session.con.execute("SELECT id, name, email FROM owners").fetchall()
            index: dict[str, int] = {}
            for owner_id, name, email in rows:
                index.setdefault(fold(name), int(owner_id))
                if email:
                    index.setdefault(email.lower(), int(owner_id))
            self._owners_by_key = index
        return self._owners_by_key

    def _link(self, chunk: _Chunk, batch: int | None) -> None:
        n = len(chunk.lines)
        cols = chunk.columns
        given_refs = [
            ref
            for ref in ("account_id", "owner_id", "parent_id", "reports_to_id")
            if ref in cols and ref in self.table
        ]
        if "owner" in cols:
            owner_ids = cols.get("owner_id") or [None] * n
            names = cols.pop("owner")
            # Each distinct name is looked up (or created) once, in order of first use.
            wanted = dict.fromkeys(
                name for name, given in zip(names, owner_ids, strict=True) if given is None
            )
            wanted.pop(None, None)
            resolved = self._resolve_owners(list(wanted), batch)
            if None in resolved.values():
                for i, (name, given) in enumerate(zip(names, owner_ids, strict=True)):
                    if name is not None and given is None and resolved[name] is None:
                        hint = closest(name, owner_ops.names(self.session))
                        chunk.errors[i].append(
                            f"owner: unknown owner {shorten(name)}"
                            + (f" (did you mean {shorten(hint)}?)" if hint else "")
                            + "; add it with crm.owners.add or pass create_owners=True"
                        )
            cols["owner_id"] = [
                given if given is not None else found
                for given, found in zip(owner_ids, map(resolved.get, names), strict=True)
            ]
            active = owner_states(self.session.con, [v for v in resolved.values() if v])
            for i, (name, owner_id) in enumerate(zip(names, cols["owner_id"], strict=True)):
                if name is not None and owner_id is not None and not active.get(owner_id, True):
                    chunk.errors[i].append(
                        f"owner: {shorten(name)} is deactivated; activate it "
                        "(crm.owners.activate) or give these rows another owner"
                    )
        company_col = "company" if self.kind == "contacts" else None
        if company_col and company_col in cols:
            account_ids = cols.get("account_id") or [None] * n
            index = self._account_index()
            names = cols.pop(company_col)
            keys = cols.pop("_company_key") if "_company_key" in cols else company_key_column(names)
            missing: dict[str, list[int]] = {}
            for i, (name, key) in enumerate(zip(names, keys, strict=True)):
                if name is None or account_ids[i] is not None or not key:
                    continue
                found = index.get(key)
                if found is not None:
                    account_ids[i] = found
                elif self.create_accounts and batch is not None and not chunk.errors[i]:
                    missing.setdefault(key, []).append(i)
                else:
                    chunk.errors[i].append(
                        f"company: no account named {shorten(name)}; create it first or pass "
                        "create_accounts=True"
                    )
            if missing and batch is not None:
                owners = cols.get("owner_id") or [None] * n
                created = self._create_accounts(
                    [names[rows[0]] for rows in missing.values()],
                    [owners[rows[0]] for rows in missing.values()],
                    batch,
                )
                for (key, rows), account_id in zip(missing.items(), created, strict=True):
                    index[key] = account_id
                    for i in rows:
                        account_ids[i] = account_id
            cols["account_id"] = account_ids
        if self.kind == "accounts" and "parent" in cols:
            parents = cols.pop("parent")
            chunk.columns["_parent"] = parents
        for ref in given_refs:  # ids found by linking above exist: no need to look
            self._check_refs(chunk, ref)
        for i, errs in enumerate(chunk.errors):
            if errs:
                continue
            for name in self.required:
                if name in ("account_id", "owner_id") and (cols.get(name) or [None] * n)[i] is None:
                    errs.append(f"{name}: required")

    def _resolve_owners(self, names: list[str], batch: int | None) -> dict[str, int | None]:
        """The owner id of each name or email (``None``: unknown and not created)."""
        index = self._owner_index()
        keys = norm.map_distinct(names, _owner_key)
        resolved: dict[str, int | None] = {}
        for name, key in zip(names, keys, strict=True):
            found = index.get(key)
            if found is None and self.create_owners and batch is not None:
                found = owner_ops.insert(self.session, name, None, "user", None, batch)
                index[key] = found
                self.report.created_owners.append(name)
            resolved[name] = found
        return resolved

    def _create_accounts(self, names: list[str], owners: list[int | None], batch: int) -> list[int]:
        """Create the accounts a contacts file names (first spelling seen wins)."""
        data = pa.table(
            {"name": pa.array(names, pa.string()), "owner_id": pa.array(owners, pa.int64())}
        )
        new_ids = self.session.store.insert("accounts", data, batch, self.session.user)
        self.report.created_accounts.extend(names)
        return new_ids

    def _check_refs(self, chunk: _Chunk, ref: str) -> None:
        target = self.table[ref].ref or ""
        ids = sorted({int(v) for v in chunk.columns[ref] if v is not None})
        if not ids:
            return
        if target == "owners":
            state = "CASE WHEN coalesce(active, TRUE) THEN NULL ELSE 'is deactivated' END"
        else:
            state = (
                "CASE WHEN merged_into IS NOT NULL THEN 'was merged into ' || "
                f"'{target[:-1]} ' || merged_into WHEN deleted_at IS NOT NULL THEN "
                "'is deleted' END"
            )
        known = dict(
            self.session.con.execute(
                f"SELECT id, {state} FROM {target} WHERE id IN (SELECT unnest(?::BIGINT[]))",
                [ids],
            ).fetchall()
        )
        for i, v in enumerate(chunk.columns[ref]):
            if v is None:
                continue
            if int(v) not in known:
                chunk.errors[i].append(f"{ref}: no {target[:-1]} with id {v}")
            elif known[int(v)] is not None:
                chunk.errors[i].append(f"{ref}: {target[:-1]} {v} {known[int(v)]}")

    # -- matching -------------------------------------------------------------------

    def _keys(self, chunk: _Chunk) -> list[list[str]]:
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
                [] if any(p is None for p in row) else ["|".join(fold(str(p)) for p in row)]
                for row in zip(*parts, strict=True)
            ]
        keys: list[list[str]] = []
        if self.kind == "contacts":
            for uid, email, first_name, last_name, account in zip(
                col("uid"),
                col("email"),
                col("first_name"),
                col("last_name"),
                col("account_id"),
                strict=True,
            ):
                row: list[str] = []
                if uid:
                    row.append(f"uid:{uid}")
                if email:
                    row.append(f"email:{email.lower()}")
                elif last_name:
                    row.append(f"name:{fold(first_name or '')}|{fold(last_name)}|{account or ''}")
                keys.append(row)
        else:
            name_keys = cols.get("_name_key") or company_key_column(col("name"))
            domains = norm.map_distinct(col("website"), norm.url_domain)
            for name_key, domain in zip(name_keys, domains, strict=True):
                keys.append([f"name:{name_key}|{domain or ''}"] if name_key else [])
        return keys

    def _existing(self, keys: list[list[str]], uids: list[Any]) -> list[int | None]:
        """The id of the existing record each row matches, if any.

        Keys are tried strongest first; a record that carries another external id than
        the row's is not the same record, whatever else they share.
        """
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

    def _accounts_by_name_domain(self) -> dict[str, list[tuple[int, str]]]:
        """Live accounts by company key, with their website domains (built once)."""
        if self._existing_accounts is None:
            rows = self.session.con.execute(
                "SELECT id, name, website FROM accounts WHERE deleted_at IS NULL "
                "AND merged_into IS NULL ORDER BY id"
            ).fetchall()
            keys = company_key_column([r[1] for r in rows])
            domains = norm.map_distinct([r[2] for r in rows], norm.url_domain)
            index: dict[str, list[tuple[int, str]]] = {}
            for (account_id, _, _), key, domain in zip(rows, keys, domains, strict=True):
                if key:
                    index.setdefault(key, []).append((int(account_id), domain or ""))
            self._existing_accounts = index
        return self._existing_accounts

    def _lookup_existing(self, wanted: list[str]) -> dict[str, tuple[int, Any]]:
        """Existing live records by key: ``{key: (id, uid)}`` (the oldest record wins)."""
        con = self.session.con
        live = "deleted_at IS NULL AND merged_into IS NULL"
        found: dict[str, tuple[int, Any]] = {}
        if self.match_on:
            expr = " || '|' || ".join(
                f"lower(strip_accents(CAST({f} AS VARCHAR)))" for f in self.match_on
            )
            rows = con.execute(
                f"SELECT k, min(id) FROM (SELECT id, {expr} AS k FROM {self.kind} WHERE {live}) "
                f"WHERE k IN (SELECT unnest(?::VARCHAR[])) GROUP BY k",
                [[fold(k) for k in wanted]],
            ).fetchall()
            by_fold = {fold(k): k for k in wanted}
            return {by_fold[k]: (int(i), None) for k, i in rows if k in by_fold}
        if self.kind == "contacts":
            for prefix, expr in (
                ("uid:", "'uid:' || uid"),
                ("email:", "'email:' || lower(email)"),
                (
                    "name:",
                    "'name:' || lower(strip_accents(coalesce(first_name, ''))) || '|' || "
                    "lower(strip_accents(last_name)) || '|' || "
                    "coalesce(CAST(account_id AS VARCHAR), '')",
                ),
            ):
                # `wanted` is sorted, so the keys of one kind are one slice of it.
                start = bisect.bisect_left(wanted, prefix)
                subset = wanted[start : bisect.bisect_left(wanted, prefix[:-1] + ";", start)]
                if not subset:
                    continue
                cond = "AND email IS NULL" if prefix == "name:" else ""
                rows = con.execute(
                    f"SELECT k, min(id), arg_min(uid, id) FROM (SELECT id, uid, {expr} AS k "
                    f"FROM contacts WHERE {live} {cond}) "
                    f"WHERE k IN (SELECT unnest(?::VARCHAR[])) GROUP BY k",
                    [subset],
                ).fetchall()
                found.update({k: (int(i), u) for k, i, u in rows})
            return found
        # Accounts: same company key, and the same website domain when both have one.
        by_name = self._accounts_by_name_domain()
        for k in wanted:
            name_key, domain = k[5:].split("|", 1)
            for account_id, existing_domain in by_name.get(name_key, []):
                if not domain or not existing_domain or domain == existing_domain:
                    found[k] = (account_id, None)
                    break
        return found

    # -- writing --------------------------------------------------------------------

    def _write(self, chunk: _Chunk, batch: int | None) -> None:
        """Link, match and write one chunk: inserts, updates, in-file duplicates, rejects."""
        n = len(chunk.lines)
        self._link(chunk, batch)
        keys = self._keys(chunk)
        uids = chunk.columns.get("uid") or [None] * n
        existing = self._existing(keys, uids)
        inserts: list[int] = []
        updates: list[int] = []
        update_ids: list[int] = []
        groups: dict[int, _Group] = {}  # groups first seen in this chunk, by row
        claimed: dict[int, int] = {}  # existing record -> the row of this chunk updating it
        folded = False
        for i in range(n):
            if chunk.errors[i]:
                continue
            group = self._group_of(keys[i], uids[i])
            if group is not None:
                if self.in_file_duplicates == "reject":
                    kind = group.key.split(":", 1)[0]
                    self._dup_rows.append((chunk.lines[i], group.line, group.key))
                    chunk.errors[i].append(
                        f"duplicate of line {group.line} in this file (same {kind})"
                    )
                    continue
                self._merged.append((chunk.lines[i], group.line, group.key))
                self._join(group, keys[i], uids[i])
                if group.row is not None and group.chunk is chunk:
                    self._fold(chunk, group.row, i)  # the earlier row takes this one's values
                    folded = True
                elif group.record_id is not None and self.mode != "create":
                    updates.append(i)  # the earlier row is stored: this one updates it
                    update_ids.append(group.record_id)
                else:
                    self.report.unchanged += 1
                continue
            group = _Group(keys[i][0], chunk.lines[i], uids[i], chunk, i) if keys[i] else None
            if group is not None:
                self._join(group, keys[i], uids[i])
                groups[i] = group
            target = existing[i]
            if target is not None and target in claimed:
                # Another row of this chunk matched the same record by another key.
                self._merged.append((chunk.lines[i], chunk.lines[claimed[target]], f"id:{target}"))
                self._fold(chunk, claimed[target], i)
                folded = True
                continue
            if group is not None:
                group.record_id = target
            if target is not None:
                claimed[target] = i
            if target is None:
                if self.mode == "update":
                    chunk.errors[i].append("no existing record matches (mode='update')")
                else:
                    inserts.append(i)
            elif self.mode == "create":
                self.report.unchanged += 1
            else:
                updates.append(i)
                update_ids.append(target)
        if folded:
            chunk.arrow = None  # rebuilt from the folded columns
            self.normalizer.to_arrow(chunk)
        if updates:
            updates, update_ids = self._reject_cycles(chunk, updates, update_ids)
        store = self.session.store
        if inserts and self.on_duplicate is not None:
            inserts = self._handle_duplicates(chunk, inserts, updates, update_ids)
        if inserts and batch is not None:
            inserts = self._fill_defaults(chunk, inserts, batch)
        if inserts and batch is not None:
            data = self._chunk_arrow(chunk)
            if len(inserts) < n:
                data = data.take(pa.array(inserts, pa.int64()))
            new_ids = store.insert(self.kind, data, batch, self.session.user)
            self.report.inserted += len(new_ids)
            self.report.inserted_ids.extend(new_ids)
            for i, new_id in zip(inserts, new_ids, strict=True):
                if i in groups:
                    groups[i].record_id = new_id
            if "_parent" in chunk.columns:
                for i, new_id in zip(inserts, new_ids, strict=True):
                    parent = chunk.columns["_parent"][i]
                    if parent:
                        self._pending_parents.append((new_id, parent, chunk.lines[i]))
        if updates and batch is not None:
            data = self._chunk_arrow(chunk).take(pa.array(updates, pa.int64()))
            data = data.append_column("id", pa.array(update_ids, pa.int64()))
            changed = store.update(self.kind, data, batch, self.session.user, "import", merge=True)
            self._fill_blank_currency(update_ids, batch)
            self.report.updated += changed
            self.report.unchanged += len(updates) - changed
            if "_parent" in chunk.columns:
                for i, record_id in zip(updates, update_ids, strict=True):
                    parent = chunk.columns["_parent"][i]
                    if parent:
                        self._pending_parents.append((record_id, parent, chunk.lines[i]))
        for group in groups.values():
            group.chunk = None  # the chunk is written: later rows update the record
            group.row = None
        self._collect(chunk)

    def _reject_cycles(
        self, chunk: _Chunk, rows: list[int], ids: list[int]
    ) -> tuple[list[int], list[int]]:
        """Reject update rows whose parent or reports_to id would make a loop."""
        for field_name in ("parent_id", "reports_to_id"):
            values = chunk.columns.get(field_name)
            if field_name not in self.table or not values:
                continue
            wanted = [(i, r) for i, r in zip(rows, ids, strict=True) if values[i] is not None]
            if not wanted:
                continue
            graph = links(self.session.con, self.kind, field_name)
            for i, record_id in wanted:
                before = graph.get(record_id)
                graph[record_id] = int(values[i])
                path = cycle_path(graph, record_id)
                if path:
                    chain = " → ".join(str(p) for p in path)
                    chunk.errors[i].append(f"{field_name}: would make a cycle ({chain})")
                    if before is None:
                        graph.pop(record_id)
                    else:
                        graph[record_id] = before
        kept = [(i, r) for i, r in zip(rows, ids, strict=True) if not chunk.errors[i]]
        return [i for i, _ in kept], [r for _, r in kept]

    def _group_of(self, keys: list[str], uid: Any) -> _Group | None:
        """The earlier row of this file that is the same record, if any."""
        for key in keys:
            group = self._seen.get(key)
            if group is not None and (uid is None or group.uid is None or group.uid == uid):
                return group
        return None

    def _join(self, group: _Group, keys: list[str], uid: Any) -> None:
        """Make every key of a row find its group (a later row may share only one)."""
        for key in keys:
            self._seen.setdefault(key, group)
        if group.uid is None and uid is not None:
            group.uid = uid

    def _fold(self, chunk: _Chunk, into: int, row: int) -> None:
        """Merge row ``row`` into the earlier row ``into`` of the same chunk.

        Blanks are filled, a later non-empty value wins (the replaced value is reported
        as a warning, so nothing is lost unseen), lists are united and custom fields
        merged.
        """
        line, first_line = chunk.lines[row], chunk.lines[into]
        for name, values in chunk.columns.items():
            new = values[row]
            old = values[into]
            if new is None or (name.startswith("_") and name != "_parent"):
                continue
            if old is None:
                values[into] = new
            elif name in self.table and self.table[name].kind == "list":
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

    def _fill_defaults(self, chunk: _Chunk, rows: list[int], batch: int) -> list[int]:
        """Defaults apply to new records only: the current user as owner, the currency.

        Returns the rows still to insert: a row with no owner is rejected when the
        default owner is deactivated.
        """
        n = len(chunk.lines)
        default_owner = owner_ops.default_owner_id(self.session, batch)
        if default_owner is not None and "owner_id" in self.table:
            owners = list(chunk.columns.get("owner_id") or [None] * n)
            usable = owner_states(self.session.con, [default_owner]).get(default_owner, False)
            for i in rows:
                if owners[i] is not None:
                    continue
                if usable:
                    owners[i] = default_owner
                else:
                    chunk.errors[i].append(
                        f"owner: the row names none and the default owner "
                        f"{shorten(self.session.user)} is deactivated; activate it or add an "
                        "owner column"
                    )
            chunk.columns["owner_id"] = owners
            rows = [i for i in rows if not chunk.errors[i]]
        if self.kind == "accounts":
            currency = list(chunk.columns.get("currency") or [None] * n)
            amounts = [
                chunk.columns.get(name) or [None] * n
                for name in ("annual_revenue", "revenue_range_min", "revenue_range_max")
            ]
            filled = False
            for i in rows:
                if currency[i] is None and any(a[i] is not None for a in amounts):
                    currency[i] = self.default_currency
                    filled = True
            if filled:
                chunk.columns["currency"] = currency
                self._set_arrow_column(chunk, "currency")
        return rows

    def _set_arrow_column(self, chunk: _Chunk, name: str) -> None:
        data = self._chunk_arrow(chunk)
        column = pa.array(chunk.columns[name], type=arrow_type(self.table[name]))
        if name in data.column_names:
            data = data.set_column(data.column_names.index(name), name, column)
        else:
            data = data.append_column(name, column)
        chunk.arrow = data

    def _fill_blank_currency(self, ids: list[int], batch: int) -> None:
        """An updated amount with no currency in the file or the record gets the default."""
        if self.kind != "accounts":
            return
        self.session.store.set_where_ids(
            "accounts",
            "SELECT id FROM accounts WHERE id IN (SELECT unnest(?::BIGINT[])) "
            "AND currency IS NULL AND (annual_revenue IS NOT NULL OR "
            "revenue_range_min IS NOT NULL OR revenue_range_max IS NOT NULL)",
            [ids],
            {"currency": self.default_currency},
            batch,
            self.session.user,
            "import",
        )

    def _handle_duplicates(
        self, chunk: _Chunk, inserts: list[int], updates: list[int], update_ids: list[int]
    ) -> list[int]:
        """Check new rows against existing records; flag, skip or merge the likely ones.

        Returns the rows still to insert; merged rows join ``updates``.
        """
        if not self._had_records:
            return inserts  # nothing stored before this import to duplicate
        matches = self._likely_duplicates(chunk, inserts)
        keep: list[int] = []
        for i in inserts:
            found = matches.get(i)
            if found is None:
                keep.append(i)
                continue
            existing_id, probability = found
            line = chunk.lines[i]
            self._likely.append((line, existing_id, probability, self.on_duplicate or ""))
            note = f"likely duplicate of {self.kind[:-1]} {existing_id} (p={probability:.2f})"
            if self.on_duplicate == "flag":
                chunk.warnings.append((line, "duplicate", existing_id, note))
                keep.append(i)
            elif self.on_duplicate == "skip":
                chunk.errors[i].append(f"skipped: {note}")
            else:  # merge: the row updates the record it duplicates
                updates.append(i)
                update_ids.append(existing_id)
        return keep

    def _likely_duplicates(self, chunk: _Chunk, rows: list[int]) -> dict[int, tuple[int, float]]:
        """For each row (by position), the existing record it most probably duplicates."""
        data = self._chunk_arrow(chunk).take(pa.array(rows, pa.int64()))
        frame = data.to_pandas()
        frame.insert(0, "id", [-(i + 1) for i in rows])  # new rows: negative ids
        if self.kind == "contacts":
            account_ids = [int(a) for a in frame.get("account_id", pd.Series()).dropna()]
            names = (
                dict(
                    self.session.con.execute(
                        "SELECT id, name FROM accounts WHERE id IN (SELECT unnest(?::BIGINT[]))",
                        [sorted(set(account_ids))],
                    ).fetchall()
                )
                if account_ids
                else {}
            )
            if "account_id" in frame.columns:
                frame["company"] = [
                    names.get(a) if a == a else None  # NaN check
                    for a in frame["account_id"]
                ]
        if self._dup_index is None:
            # One index of the records there were before the import, for every chunk:
            # rows of this file are matched to each other by their keys, not here.
            self._dup_index = duplicates_of(self.session, self.kind).index()
        report = self._dup_index.check(frame, threshold=self.duplicate_threshold)
        best: dict[int, tuple[int, float]] = {}
        for a, b, p in zip(
            report.pairs["id_a"], report.pairs["id_b"], report.pairs["probability"], strict=True
        ):
            a, b = int(a), int(b)
            if p < self.duplicate_threshold or (a < 0) == (b < 0):
                continue
            new, old = (a, b) if a < 0 else (b, a)
            row = -new - 1
            if row not in best or p > best[row][1]:
                best[row] = (old, float(p))
        return best

    def _chunk_arrow(self, chunk: _Chunk) -> pa.Table:
        """The chunk's catalog fields as Arrow: validation's table plus what linking set."""
        data = chunk.arrow
        if data is None:
            data = _arrow(self.table, {}, len(chunk.lines))
        for name in _LINKED:
            if name not in self.table or name not in chunk.columns:
                continue
            column = pa.array(chunk.columns[name], type=arrow_type(self.table[name]))
            if name in data.column_names:
                data = data.set_column(data.column_names.index(name), name, column)
            else:
                data = data.append_column(name, column)
        chunk.arrow = data
        return data

    def _collect(self, chunk: _Chunk) -> None:
        for i, errs in enumerate(chunk.errors):
            if errs:
                assert chunk.raw is not None
                raw = {
                    str(k): _custom_value(v, unquote=False) for k, v in chunk.raw.iloc[i].items()
                }
                self._rejects.append(
                    {"__line__": chunk.lines[i], "__reasons__": "; ".join(errs), **raw}
                )
        self._warnings.extend(chunk.warnings)
        room = CHANGES_KEPT - len(self._changes)
        if room > 0:
            self._changes.extend(chunk.changes[:room])
        for f, count in chunk.change_counts.items():
            self.report.changes_count[f] = self.report.changes_count.get(f, 0) + count

    def _resolve_parents(self, batch: int) -> None:
        if not self._pending_parents:
            return
        self._accounts_by_key = None
        index = self._account_index()
        ids, parents = [], []
        graph = links(self.session.con, "accounts", "parent_id")
        for account_id, parent, line in self._pending_parents:
            found = index.get(norm.company_key(parent))
            if found is None:
                self._warnings.append(
                    (
                        line,
                        "parent_id",
                        parent,
                        f"parent: no account named {shorten(parent)}; not linked",
                    )
                )
                continue
            before = graph.get(account_id)
            graph[account_id] = found
            path = cycle_path(graph, account_id)
            if path:
                if before is None:
                    graph.pop(account_id)
                else:
                    graph[account_id] = before
                chain = " → ".join(str(i) for i in path)
                self._warnings.append(
                    (
                        line,
                        "parent_id",
                        parent,
                        f"parent: {shorten(parent)} is below this account; linking them "
                        f"would make a cycle ({chain}); not linked",
                    )
                )
                continue
            ids.append(account_id)
            parents.append(found)
        if ids:
            self.session.store.update(
                "accounts",
                pa.table(
                    {"id": pa.array(ids, pa.int64()), "parent_id": pa.array(parents, pa.int64())}
                ),
                batch,
                self.session.user,
                "import",
            )

    # -- running --------------------------------------------------------------------

    def run_vcf(self, path: str | Path) -> ImportReport:
        """Import a vCard file: its cards go through the same pipeline as a table."""
        from crmkit._formats import parse_vcards

        parsed = parse_vcards(Path(path).read_bytes())
        for record, line in zip(parsed.records, parsed.lines, strict=True):
            source = _name_fallback(record)
            if source is not None:
                self.source_warnings.append(
                    (
                        line,
                        "last_name",
                        record["last_name"],
                        f"the card has no family name; last_name taken from {source}",
                    )
                )
        frame = parsed.to_frame("pandas")
        assert isinstance(frame, pd.DataFrame)
        frame.insert(0, "__line__", parsed.lines)
        for error in parsed.errors:
            if not error.kept:
                self.source_rejects.append(
                    {
                        "__line__": error.line,
                        "__reasons__": f"vCard {error.card or ''} cannot be read: {error.reason}",
                        "first_lines": "\n".join(error.excerpt),
                    }
                )
            else:
                self.source_warnings.append((error.line, "vcard", None, error.reason))
        for warning in parsed.warnings:
            self.source_warnings.append((warning.line, "vcard", None, warning.reason))
        self.mapping_override = {"org": "company", **(self.mapping_override or {})}
        return self.run(frame, str(path))

    def run(self, source: Any, source_name: str) -> ImportReport:
        """Import everything ``source`` holds; return the report."""
        from crmkit._formats import read_table

        started = time.perf_counter()
        chunk_rows = self.opts.chunk_rows
        table_source = read_table(source, **self._read_options(source))
        self._read_cells_of(table_source)
        plan = self.plan(table_source.columns)
        self.report = ImportReport(self.kind, source_name, self.mode, self.dry_run, plan)
        self._rejects: list[dict[str, Any]] = list(self.source_rejects)
        self._warnings: list[tuple[int, str, Any, str]] = list(self.source_warnings)
        # Lines the reader had to repair (a stray legacy byte in a UTF-8 file ...).
        self._warnings.extend(table_source.warnings)
        self._changes: list[tuple[int, str, Any, Any]] = []
        self._dup_rows: list[tuple[int, int, str]] = []
        self._merged: list[tuple[int, int, str]] = []
        self._likely: list[tuple[int, int, float, str]] = []
        self.session.store.check_writable()
        try:
            with gc_paused(), self._transaction() as batch:
                for chunk in self._normalized_chunks(table_source, plan, chunk_rows):
                    self.report.read += len(chunk.lines)
                    self._write(chunk, batch)
                self._resolve_parents(batch)
                self._save_rejects(batch, source_name)
                if self.dry_run:
                    raise _RollbackError
        except _RollbackError:
            pass
        self._finish(started)
        if self.report.batch_id is not None:
            self.session.last_batch_id = self.report.batch_id
        return self.report

    def _read_options(self, source: Any) -> dict[str, Any]:
        """The file layout options for a file (a DataFrame has none)."""
        if not isinstance(source, str | Path):
            return {}
        return self.opts.read_options()

    def _read_cells_of(self, table_source: Any) -> None:
        """A ``'`` before = + - @ protects a formula in a CSV file or a workbook (crmkit's
        exports write it); a DataFrame, and the vCards read into one, hold values as is."""
        unquote = table_source.kind != "frame"
        if self.options.unquote_formulas != unquote:
            self.options = replace(self.options, unquote_formulas=unquote)
            self.normalizer = replace(self.normalizer, options=self.options)

    def _worker_count(self, table_source: Any) -> int:
        """Processes to normalise with: several only when the source is large."""
        if self.workers is not None:
            return max(1, int(self.workers))
        size = 0
        if table_source.path is not None:
            size = Path(table_source.path).stat().st_size // 250  # about 250 bytes a row
        elif table_source.n_rows is not None:
            size = table_source.n_rows
        return min(os.cpu_count() or 1, 4) if size >= PARALLEL_ROWS else 1

    def _normalized_chunks(
        self, table_source: Any, plan: MappingPlan, chunk_rows: int | None
    ) -> Iterator[_Chunk]:
        """Chunks mapped and normalised, in order; in worker processes for large sources.

        The main process validates, links and writes chunk k while the workers normalise
        the next ones; at most ``workers + 1`` chunks wait in memory.
        """
        workers = self._worker_count(table_source)
        rows = int(chunk_rows or (PARALLEL_CHUNK_ROWS if workers > 1 else DEFAULT_CHUNK_ROWS))
        raw_chunks = table_source.chunks(rows, progress=self.progress or False)
        if workers == 1:
            for raw in raw_chunks:
                yield self.normalizer.prepare(*_frame_and_lines(raw), plan)
            return
        from crmkit._util._pool import ordered_map

        # Inside a worker, phones and emails must not start processes of their own.
        job = replace(self.normalizer, options=replace(self.options, workers=1))
        frames: deque[pd.DataFrame] = deque()

        def tasks() -> Iterator[tuple[Any, ...]]:
            for raw in raw_chunks:
                frame, lines = _frame_and_lines(raw)
                frames.append(frame)  # the raw cells stay here, for rejected rows
                yield frame, lines, plan

        for chunk in ordered_map(job.prepare, tasks(), workers):
            chunk.raw = frames.popleft()
            yield chunk

    @contextmanager
    def _transaction(self) -> Iterator[int]:
        store = self.session.store
        with store.transaction():
            batch = store.new_batch(
                "import",
                self.session.user,
                f"import {self.kind} from {self.report.source} ({self.mode})",
                {
                    "source": self.report.source,
                    "mode": self.mode,
                    "mapping": self.report.mapping.fields,
                    "options": {
                        k: v for k, v in self.opts.to_dict().items() if k not in ("mapping",)
                    },
                },
            )
            yield batch
            n = store.finish_batch(batch)
            if n == 0 and not self._rejects:
                # Nothing changed: no empty batch left in the list of operations.
                store.drop_batch_if_empty(batch)
            else:
                self.report.batch_id = batch

    def _save_rejects(self, batch: int, source_name: str) -> None:
        if not self._rejects:
            return
        rows = pa.table(
            {
                "batch_id": pa.array([batch] * len(self._rejects), pa.int64()),
                "kind": pa.array([self.kind] * len(self._rejects), pa.string()),
                "source": pa.array([source_name] * len(self._rejects), pa.string()),
                "line": pa.array([r["__line__"] for r in self._rejects], pa.int64()),
                "raw": pa.array(
                    [
                        json.dumps(
                            {k: v for k, v in r.items() if k not in RESERVED},
                            ensure_ascii=False,
                            default=str,
                        )
                        for r in self._rejects
                    ],
                    pa.string(),
                ),
                "reasons": pa.array([r["__reasons__"] for r in self._rejects], pa.string()),
            }
        )
        self.session.store.save_rejects(rows)

    def _finish(self, started: float) -> None:
        report = self.report
        if self.dry_run:
            report.batch_id = None
        report.rejected = (
            pd.DataFrame(self._rejects) if self._rejects else pd.DataFrame(columns=list(RESERVED))
        )
        report.warnings = pd.DataFrame(
            self._warnings, columns=["line", "field", "value", "message"]
        )
        report.changes = pd.DataFrame(self._changes, columns=["line", "field", "raw", "value"])
        report.duplicates_in_file = pd.DataFrame(
            self._dup_rows, columns=["line", "duplicate_of", "key"]
        )
        report.merged_in_file = pd.DataFrame(
            self._merged, columns=["line", "merged_into_line", "key"]
        )
        report.likely_duplicates = pd.DataFrame(
            self._likely, columns=["line", "existing_id", "probability", "action"]
        )
        report.seconds = time.perf_counter() - started

    def preview(self, source: Any, source_name: str, rows: int = 1000) -> ImportPreview:
        """Map, normalise and validate the first ``rows`` rows; write nothing."""
        from crmkit._formats import read_table

        table_source = read_table(source, **self._read_options(source))
        self._read_cells_of(table_source)
        plan = self.plan(table_source.columns)
        self.report = ImportReport(self.kind, source_name, self.mode, True, plan)
        raw = next(iter(table_source.chunks(rows, progress=False)), None)
        if raw is None:
            return ImportPreview(
                self.kind,
                source_name,
                plan,
                pd.DataFrame(),
                pd.DataFrame(columns=["line", "field", "value", "message", "severity"]),
                0,
            )
        frame, lines = _frame_and_lines(raw)
        chunk = self.normalizer.prepare(frame, lines, plan)
        sample = pd.DataFrame(
            {k: pd.Series(v[:20], dtype=object) for k, v in chunk.columns.items()}
        )
        sample.insert(0, "line", chunk.lines[:20])
        problems = [
            (chunk.lines[i], e.split(":", 1)[0], None, e, "error")
            for i, errs in enumerate(chunk.errors)
            for e in errs
        ]
        problems += [(line, f, v, m, "warning") for line, f, v, m in chunk.warnings]
        problems += [(line, f, v, m, "warning") for line, f, v, m in table_source.warnings]
        return ImportPreview(
            self.kind,
            source_name,
            plan,
            sample,
            pd.DataFrame(problems, columns=["line", "field", "value", "message", "severity"]),
            len(frame),
        )


def _cut_cells(frame: pd.DataFrame, limit: int = 200) -> pd.DataFrame:
    """A copy of ``frame`` whose long text cells are cut short, for display only."""

    def cut(value: Any) -> Any:
        if isinstance(value, str) and len(value) > limit:
            return value[: limit - 1] + f"… ({len(value):,} characters)"
        return value

    return frame.apply(lambda column: column.map(cut)) if not frame.empty else frame


def _name_fallback(record: dict[str, Any]) -> str | None:
    """Give a vCard without a family name one, from what it has; say from where."""
    if record.get("last_name"):
        return None
    custom = record.get("custom") or {}
    if isinstance(custom.get("FN"), str) and custom["FN"].strip():
        record["last_name"] = custom.pop("FN").strip()
        return "FN"
    for key, label in (("first_name", "the given name"), ("org", "ORG"), ("email", "EMAIL")):
        if record.get(key):
            record["last_name"] = record.pop(key) if key == "first_name" else record[key]
            return label
    return None


def _frame_and_lines(raw: Any) -> tuple[pd.DataFrame, list[int]]:
    """The cells of a chunk and their line numbers.

    A ``__line__`` column (a re-imported ``report.rejected``, or vCards) keeps the line
    numbers of the original file.
    """
    frame = raw.frame
    lines = [int(v) for v in raw.lines]
    if "__line__" in frame.columns:
        given = _values(frame["__line__"])
        lines = [int(g) if g is not None else line for g, line in zip(given, lines, strict=True)]
    return frame.drop(columns=[c for c in RESERVED if c in frame.columns]), lines


def _object_array(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values  # element by element: a list of lists stays one-dimensional
    return out


def _differs(a: Any, b: Any) -> bool:
    try:
        return bool(a != b)
    except ValueError:  # arrays compare element-wise
        return not np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object))


def _changed_rows(raw: list[Any], values: list[Any], *, exact: bool) -> list[int]:
    """Rows whose stored value differs from the cell as read (both present).

    For non-text fields a difference of type only ("85" read, 85 stored) is not a change;
    there the stored value is a function of the cell, so each distinct cell is compared
    once.
    """
    if not exact:
        try:
            codes, distinct = pd.factorize(_object_array(raw))  # empty cells: -1
        except TypeError:  # an unhashable cell
            return [
                i
                for i, (a, b) in enumerate(zip(raw, values, strict=True))
                if a is not None and b is not None and _differs(a, b) and _shown_differently(a, b)
            ]
        kinds, firsts = np.unique(codes, return_index=True)
        verdict = np.zeros(len(distinct) + 1, dtype=bool)  # the last: empty cells
        for kind, first in zip(kinds.tolist(), firsts.tolist(), strict=True):
            if kind >= 0 and (value := values[first]) is not None:
                cell = raw[first]
                verdict[kind] = _differs(cell, value) and _shown_differently(cell, value)
        return list(np.flatnonzero(verdict[codes]).tolist())
    try:
        # Loops in C: most cells are unchanged, so only the others reach Python.
        differ = compress(range(len(raw)), map(operator.ne, raw, values))
        return [i for i in differ if raw[i] is not None and values[i] is not None]
    except ValueError:  # a cell that compares element-wise (an array)
        return [
            i
            for i, (a, b) in enumerate(zip(raw, values, strict=True))
            if a is not None and b is not None and _differs(a, b)
        ]


def _shown_differently(a: Any, b: Any) -> bool:
    return str(a).lower() != str(b).lower()


def _owner_key(name: str) -> str:
    return name.lower() if "@" in name else fold(name)


def _values(series: Any) -> list[Any]:
    """A column as a list, with every kind of missing value (NaN, NaT, NA) as ``None``."""
    values = series.tolist() if hasattr(series, "tolist") else list(series)
    if isinstance(series, pd.Series):
        missing = series.isna().to_numpy()
        for i in missing.nonzero()[0]:
            values[i] = None
        return values
    return [None if (isinstance(v, float) and v != v) else v for v in values]


def _custom_value(value: Any, *, unquote: bool = True) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return text_of(value, unquote=unquote)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _arrow(tbl: Table, columns: Mapping[str, list[Any]], n: int) -> pa.Table:
    if not columns:
        return pa.table({"_empty": pa.array([None] * n, pa.null())}).drop(["_empty"])
    return pa.table(
        {name: pa.array(values, type=arrow_type(tbl[name])) for name, values in columns.items()}
    )


def source_name_of(source: Any) -> str:
    """A short name for a source in reports."""
    if isinstance(source, str | Path):
        return str(source)
    return f"<{type(source).__module__.split('.')[0]} DataFrame>"


_ = (ACCOUNTS, CONTACTS, first, ValidationError)
