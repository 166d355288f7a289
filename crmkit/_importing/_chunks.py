"""One chunk of an import's rows: mapped to fields, normalised and validated, no database.

:class:`ChunkNormalizer` turns the cells of a chunk read from the source into a
:class:`Chunk`: field values normalised column by column, custom fields gathered, the keys
that link and match rows computed, and each row's errors, warnings and changed values
listed. It is pure and picklable, and so is its result: a large import runs it in worker
processes (``crmkit._util._pool.ordered_map``), and chunks travel back as Arrow IPC.

:func:`chunk_arrow` and :func:`set_arrow_column` keep a chunk's Arrow table (what the
store writes) in step with the columns that linking and defaults change afterwards.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import compress
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

from crmkit import _normalize as norm
from crmkit._core._store import arrow_type
from crmkit._importing._mapping import FullName, TypedPair, apply_full_names, apply_typed_pairs
from crmkit._normalize._columns import (
    ColumnOptions,
    ColumnResult,
    clean_column,
    company_key_column,
    normalize_column,
    text_of,
)
from crmkit._util._config import chosen_lang, config_context
from crmkit._util._langs import Lang
from crmkit._util._messages import message, rule_sentence, short
from crmkit._util._shorten import shorten
from crmkit.schemas._catalog import Field, Table, database_catalog, table, using_catalog
from crmkit.schemas._labels import message_field
from crmkit.schemas._models import validate

if TYPE_CHECKING:
    from crmkit._formats import Chunk as SourceChunk
    from crmkit._importing._mapping import MappingPlan

__all__ = [
    "LINKED",
    "RESERVED",
    "Chunk",
    "ChunkNormalizer",
    "chunk_arrow",
    "custom_value",
    "frame_and_lines",
    "set_arrow_column",
]

# Columns of a source that are not data: a re-imported ``report.rejected`` carries them.
RESERVED = ("__line__", "__reasons__")
# Columns mapped to no field but read to link rows (to an account, an owner, a parent).
PSEUDO_FIELDS = {"contacts": ("company", "owner"), "accounts": ("owner", "parent")}
# Set by linking, after validation (a lead's company_name: the company it names).
LINKED = ("owner_id", "account_id", "company_name")
CHANGES_PER_CHUNK = 20_000  # so a large file's report samples changes from every part


@dataclass
class Chunk:
    """One chunk after mapping and normalisation.

    Between processes a chunk travels as Arrow IPC (its values) plus small lists (errors,
    warnings, changes); the raw cells stay with the process that read them.

    Attributes
    ----------
    lines
        The line of the source each row came from.
    raw
        The cells as read, under the source's headers (kept for rejected rows); ``None``
        until the main process puts them back on a chunk a worker returned.
    columns
        Field name to values, one per row; names starting with ``_`` are keys and
        links computed for the import (``_company_key``, ``_parent`` ...), not fields.
    errors
        Per row, the reasons it cannot be stored (an empty list: none).
    warnings, changes
        ``(line, field, value, message)`` and ``(line, field, raw, value)`` rows.
    change_counts
        Changed values per field (``changes`` holds a sample of them).
    arrow
        The catalog fields as Arrow, once validation made them.
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


@dataclass(frozen=True)
class ChunkNormalizer:
    """Maps and normalises one chunk of rows: pure, no database, picklable.

    The import runs it in worker processes when the source is large, so that both cores
    normalise while the main process validates, links and writes.

    Parameters
    ----------
    kind
        ``"contacts"`` or ``"accounts"``.
    options
        How to read values (phone region, day first, decimal mark, sectors ...).
    default_currency
        The database's currency (kept with the normaliser's settings).
    required
        Fields the database's settings require.
    lang
        The language of the reasons of rejected rows: the one chosen when the import
        starts (:func:`crmkit.set_config`), carried to the worker processes.
    catalog
        The database's catalog (its custom fields) when the import starts, carried to
        the worker processes likewise.
    """

    kind: str
    options: ColumnOptions
    default_currency: str
    required: tuple[str, ...] = ()
    lang: Lang | None = field(default_factory=chosen_lang)
    catalog: Mapping[str, Table] = field(
        default_factory=database_catalog, repr=False, compare=False
    )

    @property
    def table(self) -> Table:
        return self.catalog[table(self.kind).name]

    def _field(self, name: str) -> str:
        return message_field(self.kind, name)

    def prepare(self, frame: pd.DataFrame, lines: list[int], plan: MappingPlan) -> Chunk:
        """Map, normalise and validate a chunk (what worker processes run)."""
        # A worker process has its own settings, and no database to read the catalog from.
        with config_context(lang=self.lang), using_catalog(self.catalog):
            chunk = self.normalize(frame, lines, plan)
            self.validate(chunk)
        return chunk

    # -- mapping ---------------------------------------------------------------------

    def map_chunk(
        self, frame: pd.DataFrame, plan: MappingPlan
    ) -> tuple[dict[str, list[Any]], list[dict[str, Any]]]:
        """Target columns (raw values) and the per-row custom dicts."""
        targets: dict[str, list[Any]] = {}
        for header, target in plan.fields.items():
            if target is not None and header in frame.columns:
                # Chunks hold None for every empty cell (the readers' contract).
                targets[target] = frame[header].tolist()
        customs: list[dict[str, Any]] = [{} for _ in range(len(frame))]
        pairs = [r for r in plan.rules if isinstance(r, TypedPair)]
        if pairs:
            _take_derived(apply_typed_pairs(frame, pairs), targets, customs)
        names = [r for r in plan.rules if isinstance(r, FullName)]
        if names:
            _take_derived(apply_full_names(frame, names), targets, customs)
        for header in plan.custom:
            if header in frame.columns:
                key = norm.drop_controls(str(header))
                for i, v in enumerate(_values(frame[header])):
                    text = custom_value(v, unquote=self.options.unquote_formulas)
                    if text is not None:
                        customs[i][key] = text
        return targets, customs

    # -- normalising -----------------------------------------------------------------

    def normalize(self, frame: pd.DataFrame, lines: list[int], plan: MappingPlan) -> Chunk:
        """Map the chunk's cells to fields and normalise each column."""
        targets, customs = self.map_chunk(frame, plan)
        chunk = Chunk(lines, frame, {}, [[] for _ in range(len(frame))], [], [], {})
        country_field = "country" if self.kind == "contacts" else "billing_country"
        regions: list[str | None] | None = None
        # Countries first: they tell how to read phone numbers without a country code.
        for target in sorted(targets, key=lambda t: t != country_field):
            raw = targets[target]
            if target in PSEUDO_FIELDS[self.kind]:
                chunk.columns[target] = clean_column(raw, unquote=self.options.unquote_formulas)
            elif target == "custom":
                self._read_custom_column(chunk, raw, customs)
            else:
                values = self._normalize_field(chunk, target, raw, customs, regions)
                if target == country_field:
                    regions = values
        # Keys used to link and match rows are computed here, in the worker processes.
        columns = chunk.columns
        if "company" in columns:
            columns["_company_key"] = company_key_column(columns["company"])
        if self.kind == "accounts" and "name" in columns:
            columns["_name_key"] = company_key_column(columns["name"])
        if any(customs):
            columns["custom"] = [
                json.dumps(c, ensure_ascii=False, default=str) if c else None for c in customs
            ]
        return chunk

    def _read_custom_column(
        self, chunk: Chunk, raw: list[Any], customs: list[dict[str, Any]]
    ) -> None:
        """A column mapped to ``custom`` itself: JSON objects merged into each row's."""
        result = normalize_column(self.table["custom"], raw, self.options)
        for i, (value, err) in enumerate(zip(result.values, result.errors, strict=True)):
            if err:
                chunk.errors[i].append(message("colon", a=self._field("custom"), b=err))
            elif value:
                decoded = json.loads(value)
                if isinstance(decoded, dict):
                    customs[i].update(decoded)
                else:
                    customs[i]["custom"] = decoded

    def _normalize_field(
        self,
        chunk: Chunk,
        target: str,
        raw: list[Any],
        customs: list[dict[str, Any]],
        regions: list[str | None] | None,
    ) -> list[Any]:
        """Normalise one field's column into the chunk; return its values."""
        f = self.table[target]
        result = normalize_column(f, raw, self.options, regions)
        columns = chunk.columns
        columns[target] = result.values
        if any(result.errors):  # scanned in C; most columns have none
            for i, err in enumerate(result.errors):
                if err:
                    chunk.errors[i].append(message("colon", a=self._field(target), b=err))
        if any(result.warnings):
            for i, warn in enumerate(result.warnings):
                if warn:
                    chunk.warnings.append((chunk.lines[i], target, raw[i], warn))
        if result.to_custom is not None:
            for i, moved in enumerate(result.to_custom):
                if moved is not None:
                    customs[i][target] = moved
        _merge_side_columns(columns, result)
        _record_changes(chunk, f, raw, result.values)
        return result.values

    # -- validating ------------------------------------------------------------------

    def to_arrow(self, chunk: Chunk) -> pa.Table:
        """The chunk's catalog fields as Arrow, kept on the chunk for writing."""
        fields = {k: v for k, v in chunk.columns.items() if k in self.table}
        chunk.arrow = _arrow(self.table, fields, len(chunk.lines))
        return chunk.arrow

    def validate(self, chunk: Chunk) -> None:
        """Check the chunk with the pandera model; errors and warnings go on the chunk."""
        fields = {k: v for k, v in chunk.columns.items() if k in self.table}
        data = self.to_arrow(chunk)  # reused when writing: values go to Arrow once
        frame = pl.from_arrow(data)
        assert isinstance(frame, pl.DataFrame)
        # account_id / owner_id may still come from the company / owner columns.
        required = [r for r in self.required if r in fields or r not in LINKED]
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
            line = chunk.lines[rec.row]
            if rec.severity == "error":
                has_column = fields.get(rec.field) is not None
                chunk.errors[rec.row].append(_error_message(rec, self.kind, has_column=has_column))
            elif (line, rec.field) not in flagged:
                warning = _warning_message(rec, self.kind)
                chunk.warnings.append((line, rec.field, rec.value, warning))


def _take_derived(
    derived: pd.DataFrame, targets: dict[str, list[Any]], customs: list[dict[str, Any]]
) -> None:
    """Columns a mapping rule made (typed pairs, full names): fields, then custom extras.

    A field the file also maps by its own column keeps that column's values.
    """
    for name in derived.columns:
        if name == "_overflow":
            for i, extra in enumerate(_values(derived[name])):
                if extra:
                    customs[i].update(extra)
        elif name not in targets:
            targets[name] = _values(derived[name])


def _merge_side_columns(columns: dict[str, list[Any]], result: ColumnResult) -> None:
    """Values a normaliser found for another field (a phone's extension ...): blanks only."""
    for side, side_values in result.side.items():
        if side not in columns or all(v is None for v in columns[side]):
            columns[side] = side_values
        else:
            columns[side] = [
                a if a is not None else b for a, b in zip(columns[side], side_values, strict=True)
            ]


def _record_changes(chunk: Chunk, f: Field, raw: list[Any], values: list[Any]) -> None:
    """List the values normalisation changed (a sample) and count them (all)."""
    # Booleans are parsed, not corrected: "oui" -> True is not worth listing.
    if f.kind == "bool" or values == raw:  # one C-level comparison
        return
    changed = _changed_rows(raw, values, exact=f.kind == "text")
    if not changed:
        return
    chunk.change_counts[f.name] = chunk.change_counts.get(f.name, 0) + len(changed)
    room = CHANGES_PER_CHUNK - len(chunk.changes)
    chunk.changes.extend((chunk.lines[i], f.name, raw[i], values[i]) for i in changed[:room])


def _error_message(rec: _Failure, kind: str, *, has_column: bool) -> str:
    """Why a row breaks a field rule: field names and rule names until a language is
    chosen (the English of earlier versions), labels and rule sentences once one is."""
    label = message_field(kind, rec.field)
    if rec.check == "required" and not has_column:
        return message("reject_required_no_column", field=label)
    if rec.check == "required":
        return message("reject_required_empty", field=label)
    if chosen_lang() is None:
        return f"{rec.field}: {shorten(rec.value)} breaks rule {rec.check}"
    rule = _rule_words(rec.check, kind)
    return message("field_breaks", field=label, rule=rule, value=short(rec.value))


def _warning_message(rec: _Failure, kind: str) -> str:
    if chosen_lang() is None:
        return f"{rec.field}: breaks rule {rec.check}"
    rule = _rule_words(rec.check, kind)
    return message("field_missing", field=message_field(kind, rec.field), rule=rule)


def _rule_words(check: str, kind: str) -> str:
    """A rule's sentence inside a reason ("Email: not a valid email address ('x@')")."""
    text = rule_sentence(check, argument=lambda name: message_field(kind, name))
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def frame_and_lines(raw: SourceChunk) -> tuple[pd.DataFrame, list[int]]:
    """The cells of a chunk as read and their line numbers.

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
        return _changed_distinct(raw, values)
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


def _changed_distinct(raw: list[Any], values: list[Any]) -> list[int]:
    """:func:`_changed_rows` for non-text fields: each distinct cell compared once."""
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


def _shown_differently(a: Any, b: Any) -> bool:
    return str(a).lower() != str(b).lower()


def _values(series: Any) -> list[Any]:
    """A column as a list, with every kind of missing value (NaN, NaT, NA) as ``None``."""
    values = series.tolist() if hasattr(series, "tolist") else list(series)
    if isinstance(series, pd.Series):
        missing = series.isna().to_numpy()
        for i in missing.nonzero()[0]:
            values[i] = None
        return values
    return [None if (isinstance(v, float) and v != v) else v for v in values]


def custom_value(value: Any, *, unquote: bool = True) -> Any:
    """A cell as kept in ``custom`` or a rejected row: text cleaned, dates as ISO text."""
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


def _with_column(tbl: Table, data: pa.Table, name: str, values: list[Any]) -> pa.Table:
    column = pa.array(values, type=arrow_type(tbl[name]))
    if name in data.column_names:
        return data.set_column(data.column_names.index(name), name, column)
    return data.append_column(name, column)


def chunk_arrow(tbl: Table, chunk: Chunk) -> pa.Table:
    """The chunk's catalog fields as Arrow: validation's table plus what linking set."""
    data = chunk.arrow
    if data is None:
        data = _arrow(tbl, {}, len(chunk.lines))
    for name in LINKED:
        if name in tbl and name in chunk.columns:
            data = _with_column(tbl, data, name, chunk.columns[name])
    chunk.arrow = data
    return data


def set_arrow_column(tbl: Table, chunk: Chunk, name: str) -> None:
    """Put a column changed after validation (a default filled in) into the chunk's Arrow."""
    chunk.arrow = _with_column(tbl, chunk_arrow(tbl, chunk), name, chunk.columns[name])
