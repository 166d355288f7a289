"""The import pipeline: files and DataFrames in, clean records stored, nothing lost.

read (``_formats.read_table``) -> map headers (``_mapping``) -> normalise and validate
(``_chunks``, in worker processes for large sources) -> link owners and accounts
(``_linking``) -> match existing records and earlier rows of the file (``_matching``) ->
check new rows for likely duplicates (``_likely``) -> fill defaults (``_defaults``) ->
write (``_core._store``), one batch in history committed chunk by chunk (marked
incomplete until the end, removed again on an error or, after a crash, by the next open);
the report is gathered in ``_report``. :class:`Importer` composes these steps.

A row is rejected only when it cannot be stored faithfully (a required field missing, a
value of the wrong type, an unknown account or owner that may not be created); rejected
rows keep their line, raw values and reasons, in ``report.rejected`` and in the
``import_rejects`` table. Everything else is stored and reported as a warning; values that
normalisation changed stay visible in ``report.changes``; columns that map to no field go
to ``custom``.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from crmkit._core._session import Session
from crmkit._formats import TableSource, read_table
from crmkit._importing._chunks import (
    RESERVED,
    Chunk,
    ChunkNormalizer,
    chunk_arrow,
    frame_and_lines,
)
from crmkit._importing._defaults import fill_blank_currency, fill_defaults
from crmkit._importing._imports import file_facts, previous_imports
from crmkit._importing._likely import LikelyDuplicates
from crmkit._importing._linking import Linker
from crmkit._importing._mapping import MappingPlan, propose_mapping
from crmkit._importing._matching import FileGroups, Group, Matcher, fold
from crmkit._importing._options import ImportOptions, Mode
from crmkit._importing._overwrite import hold_back
from crmkit._importing._profiles import fill_profile_defaults, resolve_defaults
from crmkit._importing._report import ImportPreview, ImportReport, ReportParts
from crmkit._importing._rules import ImportRules
from crmkit._importing._scratch import Scratch
from crmkit._importing._vcards import read_vcard_rows
from crmkit._normalize._columns import ColumnOptions
from crmkit._util._gc import gc_paused
from crmkit._util._messages import message
from crmkit._util._pool import ordered_map
from crmkit.schemas._catalog import Table, table
from crmkit.schemas._labels import message_field

__all__ = ["ImportPreview", "ImportReport", "Importer", "source_name_of"]

DEFAULT_CHUNK_ROWS = 100_000
PARALLEL_ROWS = 150_000  # sources at least this long are normalised in worker processes
PARALLEL_CHUNK_ROWS = 50_000
_PROBLEM_COLUMNS = ["line", "field", "value", "message", "severity"]


class _RollbackError(Exception):
    """Raised inside the transaction to undo a dry run."""


@dataclass
class _Route:
    """Where the rows of one chunk go (rows by position in the chunk)."""

    inserts: list[int] = field(default_factory=list)
    updates: list[int] = field(default_factory=list)
    update_ids: list[int] = field(default_factory=list)  # the record each update changes
    groups: dict[int, Group] = field(default_factory=dict)  # groups first seen here, by row
    claimed: dict[int, int] = field(default_factory=dict)  # record -> the row updating it
    folded: bool = False  # a row was merged into another: the chunk's Arrow is stale

    def update(self, row: int, record_id: int) -> None:
        self.updates.append(row)
        self.update_ids.append(record_id)


class Importer:
    """Runs one import for a CRM. Use ``crm.import_file`` / ``crm.import_frame``.

    Parameters
    ----------
    session
        The session to import into.
    options
        Every option of the import.
    """

    # Set by run: what one import gathers and the steps that share it.
    report: ImportReport
    parts: ReportParts
    linker: Linker
    likely: LikelyDuplicates | None
    rules: ImportRules

    def __init__(self, session: Session, options: ImportOptions) -> None:
        self.session = session
        self.opts = options
        self.table: Table = table(options.kind)
        self.kind = self.table.name
        self.mapping_override = dict(options.mapping) if options.mapping else None
        self.mode: Mode = options.mode
        self.dry_run = options.dry_run
        settings = session.settings
        self.options = ColumnOptions(
            region=options.region or settings.default_region,
            dayfirst=options.dayfirst,
            decimal=options.decimal,
            sectors=settings.sectors,
        )
        self.required = settings.required_fields(self.kind)
        self.default_currency = settings.default_currency
        self.normalizer = ChunkNormalizer(
            self.kind, self.options, self.default_currency, tuple(self.required)
        )
        self.matcher = Matcher(session, self.kind, options.match_on)
        # What the import remembers of the file (its keys, the accounts it links to) is
        # kept in a DuckDB of its own, in bounded memory.
        self.scratch = Scratch()
        self.groups = FileGroups(self.scratch)
        # Problems the reader found before the pipeline (vCards that cannot be read).
        self.source_rejects: list[dict[str, Any]] = []
        self.source_warnings: list[tuple[int, str, Any, str]] = []
        # The profile's (or the options') defaults, checked against the database now.
        self.defaults = resolve_defaults(session, self.kind, options.defaults)
        self.profile_recalled = False  # set by the facade when the headers chose the profile
        self.file: dict[str, Any] = {}  # name, size and content hash of a file source

    def plan(self, headers: Sequence[str]) -> MappingPlan:
        """The column mapping for these headers."""
        usable = [h for h in headers if h not in RESERVED]
        return propose_mapping(
            usable, self.kind, mapping=self.mapping_override, layout=self.opts.layout
        )

    # -- running ---------------------------------------------------------------------

    def run_vcf(self, path: str | Path) -> ImportReport:
        """Import a vCard file: its cards go through the same pipeline as a table."""
        rows = read_vcard_rows(path)
        self.source_rejects.extend(rows.rejects)
        self.source_warnings.extend(rows.warnings)
        self.mapping_override = {"org": "company", **(self.mapping_override or {})}
        return self.run(rows.frame, str(path))

    def run(self, source: Any, source_name: str) -> ImportReport:
        """Import everything ``source`` holds; return the report."""
        started = time.perf_counter()
        table_source = self._open(source)
        plan = self.plan(table_source.columns)
        self.file = file_facts(source)
        self._begin(table_source, plan, source_name)
        store = self.session.store
        store.check_writable()
        try:
            with gc_paused(), self._batch_in_parts() as batch:
                for chunk in self._normalized_chunks(table_source, plan):
                    self.report.read += len(chunk.lines)
                    with store.transaction():  # one commit a chunk: memory stays bounded
                        self._write(chunk, batch)
                with store.transaction():
                    self.linker.resolve_parents(batch)
                    if self.parts.rejects:
                        rejects = self.parts.rejects_table(batch, self.kind, source_name)
                        store.save_rejects(rejects)
                    if self.dry_run:
                        raise _RollbackError
                    self._complete(batch)
        except _RollbackError:
            pass
        finally:
            self._close()
        self.parts.finish(self.report, started, self.dry_run)
        self.session.last_alerts = list(self.rules.alerts)
        if self.report.batch_id is not None:
            self.session.last_batch_id = self.report.batch_id
        return self.report

    def _close(self) -> None:
        """Drop what the import kept aside; its own DuckDB and folder go whatever fails."""
        try:
            self.matcher.close()
        finally:
            try:
                self.groups.close()
            finally:
                self.scratch.close()

    def _begin(self, table_source: TableSource, plan: MappingPlan, source_name: str) -> None:
        """Set up what one run gathers (report, parts) and the steps that share it."""
        self.report = ImportReport(self.kind, source_name, self.mode, self.dry_run, plan)
        self.report.profile = self.opts.profile
        self.report.profile_recalled = self.profile_recalled
        self.report.previous_imports = previous_imports(
            self.session.con, self.file.get("file_hash")
        )
        # Lines the reader had to repair (a stray legacy byte in a UTF-8 file ...).
        warnings = [*self.source_warnings, *table_source.warnings]
        self.parts = ReportParts(rejects=list(self.source_rejects), warnings=warnings)
        self.linker = Linker(self.session, self.opts, self.required, self.parts, self.scratch)
        self.rules = ImportRules(self.session, self.table, self.parts)
        on_duplicate = self.opts.on_duplicate
        self.likely = None
        if on_duplicate is not None:
            threshold = self.opts.duplicate_threshold
            self.likely = LikelyDuplicates(
                self.session, self.table, on_duplicate, threshold, self.parts
            )

    def preview(self, source: Any, source_name: str, rows: int = 1000) -> ImportPreview:
        """Map, normalise and validate the first ``rows`` rows; write nothing."""
        table_source = self._open(source)
        plan = self.plan(table_source.columns)
        raw = next(iter(table_source.chunks(rows, progress=False)), None)
        if raw is None:
            empty = pd.DataFrame(columns=_PROBLEM_COLUMNS)
            preview = ImportPreview(self.kind, source_name, plan, pd.DataFrame(), empty, 0)
            return self._with_source_notes(preview, source)
        frame, lines = frame_and_lines(raw)
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
        problem_frame = pd.DataFrame(problems, columns=_PROBLEM_COLUMNS)
        preview = ImportPreview(self.kind, source_name, plan, sample, problem_frame, len(frame))
        return self._with_source_notes(preview, source)

    def _with_source_notes(self, preview: ImportPreview, source: Any) -> ImportPreview:
        """The preview told which profile applies and whether the file came before."""
        preview.profile = self.opts.profile
        preview.profile_recalled = self.profile_recalled
        preview.previous_imports = previous_imports(
            self.session.con, file_facts(source).get("file_hash")
        )
        return preview

    # -- reading ---------------------------------------------------------------------

    def _open(self, source: Any) -> TableSource:
        """The source as a table to read in chunks; cells read as its kind says."""
        # The file layout options apply to a file; a DataFrame has none.
        is_file = isinstance(source, str | Path)
        table_source = read_table(source, **(self.opts.read_options() if is_file else {}))
        self._read_cells_of(table_source)
        return table_source

    def _read_cells_of(self, table_source: TableSource) -> None:
        """A ``'`` before = + - @ protects a formula in a CSV file or a workbook (crmkit's
        exports write it); a DataFrame, and the vCards read into one, hold values as is."""
        unquote = table_source.kind != "frame"
        if self.options.unquote_formulas != unquote:
            self.options = replace(self.options, unquote_formulas=unquote)
            self.normalizer = replace(self.normalizer, options=self.options)

    def _worker_count(self, table_source: TableSource) -> int:
        """Processes to normalise with: several only when the source is large."""
        if self.opts.workers is not None:
            return max(1, int(self.opts.workers))
        size = 0
        if table_source.path is not None:
            size = Path(table_source.path).stat().st_size // 250  # about 250 bytes a row
        elif table_source.n_rows is not None:
            size = table_source.n_rows
        return min(os.cpu_count() or 1, 4) if size >= PARALLEL_ROWS else 1

    def _normalized_chunks(self, table_source: TableSource, plan: MappingPlan) -> Iterator[Chunk]:
        """Chunks mapped and normalised, in order; in worker processes for large sources.

        The main process validates, links and writes chunk k while the workers normalise
        the next ones; at most ``workers + 1`` chunks wait in memory.
        """
        workers = self._worker_count(table_source)
        default_rows = PARALLEL_CHUNK_ROWS if workers > 1 else DEFAULT_CHUNK_ROWS
        rows = int(self.opts.chunk_rows or default_rows)
        raw_chunks = table_source.chunks(rows, progress=self.opts.progress or False)
        if workers == 1:
            for raw in raw_chunks:
                yield self.normalizer.prepare(*frame_and_lines(raw), plan)
            return
        # Inside a worker, phones and emails must not start processes of their own.
        job = replace(self.normalizer, options=replace(self.options, workers=1))
        frames: deque[pd.DataFrame] = deque()

        def tasks() -> Iterator[tuple[Any, ...]]:
            for raw in raw_chunks:
                frame, lines = frame_and_lines(raw)
                frames.append(frame)  # the raw cells stay here, for rejected rows
                yield frame, lines, plan

        for chunk in ordered_map(job.prepare, tasks(), workers):
            chunk.raw = frames.popleft()
            yield chunk

    # -- writing ---------------------------------------------------------------------

    @contextmanager
    def _batch_in_parts(self) -> Iterator[int]:
        """One history batch for the whole import, committed chunk by chunk.

        The batch is marked incomplete until :meth:`_complete`; on any exception (a dry
        run's end included) what its chunks committed is removed again, and when the
        process dies the next read-write open removes it (``Store.discard_batch``).
        """
        store = self.session.store
        options = {k: v for k, v in self.opts.to_dict().items() if k not in ("mapping",)}
        batch = store.start_batch_in_parts(
            "import",
            self.session.user,
            f"import {self.kind} from {self.report.source} ({self.mode})",
            {
                "source": self.report.source,
                "mode": self.mode,
                "mapping": self.report.mapping.fields,
                "options": options,
                "profile": self.opts.profile,
                **self.file,
            },
        )
        try:
            yield batch
        except BaseException:
            store.discard_batch(batch)
            raise

    def _complete(self, batch: int) -> None:
        """Check the whole batch and mark it complete (in the last chunk's transaction)."""
        store = self.session.store
        report = self.report
        counts = {
            "read": report.read,
            "inserted": report.inserted,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": len(self.parts.rejects),
            "merged_in_file": len(self.parts.merged_in_file),
        }
        store.add_batch_details(batch, {"counts": counts})
        n = store.finish_batch(batch)
        store.complete_batch(batch)
        if n == 0 and not self.parts.rejects:
            # Nothing changed: no empty batch left in the list of operations.
            store.drop_batch_if_empty(batch)
        else:
            self.report.batch_id = batch

    def _write(self, chunk: Chunk, batch: int) -> None:
        """Link, match and write one chunk: inserts, updates, in-file duplicates, rejects."""
        self.linker.link(chunk, batch)
        route = self._route(chunk)
        if route.folded:
            chunk.arrow = None  # rebuilt from the folded columns
            self.normalizer.to_arrow(chunk)
        if route.updates:
            route.updates, route.update_ids = self.linker.reject_cycles(
                chunk, route.updates, route.update_ids
            )
        inserts = route.inserts
        if inserts and self.likely is not None:
            # Before defaults: a merged row must not take a new record's default owner.
            inserts = self.likely.handle(chunk, inserts, route.updates, route.update_ids)
        inserts, route.updates, route.update_ids = self.rules.handle(
            chunk, inserts, route.updates, route.update_ids
        )
        if inserts and self.defaults:
            fill_profile_defaults(self.table, chunk, inserts, self.defaults)
        if inserts:
            inserts = fill_defaults(
                self.session, self.table, chunk, inserts, batch, self.default_currency
            )
        if inserts:
            self._insert(chunk, inserts, route.groups, batch)
        if route.updates:
            self._update(chunk, route.updates, route.update_ids, batch)
        for group in route.groups.values():
            group.chunk = None  # the chunk is written: later rows update the record
            group.row = None
        self.groups.flush()
        self.parts.collect(chunk)

    def _route(self, chunk: Chunk) -> _Route:
        """Decide each valid row: insert, update, merge into an earlier row, or skip."""
        keys = self.matcher.keys(chunk)
        uids = chunk.columns.get("uid") or [None] * len(chunk.lines)
        existing = self.matcher.existing(keys, uids)
        self.groups.load(keys)
        route = _Route()
        for i in range(len(chunk.lines)):
            if chunk.errors[i]:
                continue
            group = self.groups.group_of(keys[i], uids[i])
            if group is not None:
                self._route_repeat(chunk, i, group, keys[i], uids[i], route)
            else:
                self._route_first(chunk, i, keys[i], uids[i], existing[i], route)
        return route

    def _route_repeat(
        self, chunk: Chunk, i: int, group: Group, keys: list[str], uid: Any, route: _Route
    ) -> None:
        """Row ``i`` names the same record as an earlier row of the file (``group``)."""
        if self.opts.in_file_duplicates == "reject":
            kind = group.key.split(":", 1)[0]
            self.parts.duplicates_in_file.append((chunk.lines[i], group.line, group.key))
            chunk.errors[i].append(
                message("reject_in_file", line=group.line, shared=_key_word(self.table.name, kind))
            )
            return
        self.parts.merged_in_file.append((chunk.lines[i], group.line, group.key))
        self.groups.join(group, keys, uid)
        if group.row is not None and group.chunk is chunk:
            fold(self.table, chunk, group.row, i)  # the earlier row takes this one's values
            route.folded = True
        elif group.record_id is not None and self.mode != "create":
            route.update(i, group.record_id)  # the earlier row is stored: this one updates it
        else:
            self.report.unchanged += 1

    def _route_first(
        self,
        chunk: Chunk,
        i: int,
        keys: list[str],
        uid: Any,
        target: int | None,
        route: _Route,
    ) -> None:
        """Row ``i`` is the file's first naming its record; ``target`` is the stored one."""
        group = Group(keys[0], chunk.lines[i], uid, chunk, i) if keys else None
        if group is not None:
            self.groups.join(group, keys, uid)
            route.groups[i] = group
        if target is not None and target in route.claimed:
            # Another row of this chunk matched the same record by another key.
            into = route.claimed[target]
            self.parts.merged_in_file.append((chunk.lines[i], chunk.lines[into], f"id:{target}"))
            fold(self.table, chunk, into, i)
            route.folded = True
            return
        if group is not None:
            group.record_id = target
        if target is None:
            if self.mode == "update":
                chunk.errors[i].append(message("reject_no_match"))
            else:
                route.inserts.append(i)
            return
        route.claimed[target] = i
        if self.mode == "create":
            self.report.unchanged += 1
        else:
            route.update(i, target)

    def _insert(self, chunk: Chunk, rows: list[int], groups: dict[int, Group], batch: int) -> None:
        data = chunk_arrow(self.table, chunk)
        if len(rows) < len(chunk.lines):
            data = data.take(pa.array(rows, pa.int64()))
        new_ids = self.session.store.insert(self.kind, data, batch, self.session.user)
        self.report.inserted += len(new_ids)
        self.report.inserted_ids.extend(new_ids)
        for i, new_id in zip(rows, new_ids, strict=True):
            if i in groups:
                groups[i].record_id = new_id  # later rows of the file update this record
        self.linker.defer_parents(chunk, rows, new_ids)

    def _update(self, chunk: Chunk, rows: list[int], ids: list[int], batch: int) -> None:
        data = chunk_arrow(self.table, chunk).take(pa.array(rows, pa.int64()))
        data = data.append_column("id", pa.array(ids, pa.int64()))
        if self.opts.overwrite:
            data = hold_back(self.session.con, self.kind, data, self.opts.overwrite)
        store = self.session.store
        changed = store.update(self.kind, data, batch, self.session.user, "import", merge=True)
        fill_blank_currency(self.session, self.kind, ids, batch, self.default_currency)
        self.matcher.refresh(ids)
        self.report.updated += changed
        self.report.unchanged += len(rows) - changed
        self.linker.defer_parents(chunk, rows, ids)


def source_name_of(source: Any) -> str:
    """A short name for a source in reports."""
    if isinstance(source, str | Path):
        return str(source)
    return f"<{type(source).__module__.split('.')[0]} DataFrame>"


def _key_word(kind: str, key: str) -> str:
    """How a reason names the kind of key two rows share (``email``, ``uid``, ``name``)."""
    if key in table(kind).names:
        return message_field(kind, key)
    return message("key_name") if key == "name" else key
