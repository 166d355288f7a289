"""What an export reads: any table as Arrow, the kind of each column, batches of values.

:func:`as_arrow` takes a pyarrow Table (or RecordBatch / RecordBatchReader), a pandas or
polars DataFrame or a list of dicts; a pandas column of mixed Python objects is written as
the text of each value rather than refused. Extension and dictionary types are read as
their plain values. :func:`batches` turns the table into lists of Python values,
:data:`BATCH_ROWS` rows at a time, so memory stays bounded on large exports.

:func:`as_chunks` is the streaming form the writers read: a schema and tables of at most
:data:`BATCH_ROWS` rows, taken one after the other from a RecordBatchReader (what DuckDB's
``relation.to_arrow_reader()`` gives) without ever holding the whole export, or sliced
from a table already in memory.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from crmkit._exceptions import UnknownValueError
from crmkit._formats._result import ExportFormat
from crmkit._util._frames import collect, is_pandas, is_polars
from crmkit._util._suggest import closest

__all__ = [
    "BATCH_ROWS",
    "ArrowChunks",
    "as_arrow",
    "as_chunks",
    "batches",
    "column_kinds",
    "rechunk",
    "select_columns",
]

# Rows converted to Python values at a time: bounds memory on large exports.
BATCH_ROWS = 20_000


def as_arrow(data: Any) -> pa.Table:
    """A pyarrow Table from a Table, a RecordBatch(Reader), a pandas / polars frame or dicts."""
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, pa.RecordBatchReader):
        return data.read_all()
    if is_polars(data):
        return collect(data).to_arrow()
    if is_pandas(data):
        return _pandas_to_arrow(data)
    if isinstance(data, Sequence) and all(isinstance(r, Mapping) for r in data):
        return pa.Table.from_pylist(list(data))
    raise TypeError(
        "export_table() takes a pyarrow Table, a pandas or polars DataFrame or a list of "
        f"dicts, not {type(data).__name__}"
    )


@dataclass
class ArrowChunks:
    """An export's records as a schema and tables read one after the other.

    ``chunks`` can be iterated once; each table has at most :data:`BATCH_ROWS` rows, and
    only one is held at a time, so a writer's memory does not grow with the export.
    """

    schema: pa.Schema
    chunks: Iterator[pa.Table]

    def select(self, positions: Sequence[int]) -> ArrowChunks:
        """The same records with only the columns at ``positions``, in that order."""
        keep = list(positions)
        schema = pa.schema([self.schema.field(i) for i in keep])
        return ArrowChunks(schema, (chunk.select(keep) for chunk in self.chunks))


def as_chunks(data: Any, rows: int = BATCH_ROWS) -> ArrowChunks:
    """Records as :class:`ArrowChunks`: a RecordBatchReader is streamed, anything else is
    read with :func:`as_arrow` and sliced (without copying)."""
    if isinstance(data, ArrowChunks):
        return data
    if isinstance(data, pa.RecordBatchReader):
        return ArrowChunks(data.schema, rechunk(data, data.schema, rows))
    table = as_arrow(data)
    slices = (table.slice(start, rows) for start in range(0, table.num_rows, rows))
    return ArrowChunks(table.schema, slices)


def rechunk(
    batches: Iterable[pa.RecordBatch], schema: pa.Schema, rows: int = BATCH_ROWS
) -> Iterator[pa.Table]:
    """Tables of exactly ``rows`` rows (the last one fewer) from batches of any size.

    Writers number rows and sample column widths per chunk, so chunks must not depend on
    how the reader happened to cut its batches.
    """
    held: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        held.append(batch)
        count += batch.num_rows
        if count >= rows:
            table = pa.Table.from_batches(held, schema)
            start = 0
            while count - start >= rows:
                yield table.slice(start, rows)
                start += rows
            rest = table.slice(start)
            held = rest.to_batches() if rest.num_rows else []
            count -= start
    if count:
        yield pa.Table.from_batches(held, schema)


def _pandas_to_arrow(frame: Any) -> pa.Table:
    arrays = []
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        try:
            arrays.append(pa.array(series, from_pandas=True))
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            # A column of mixed Python objects (text and numbers after a messy import):
            # written as the text of each value rather than refused.
            arrays.append(pa.array([_text_of_object(v) for v in series], pa.string()))
    names = [str(c) for c in frame.columns]
    return pa.Table.from_arrays(arrays, names=names)


def _text_of_object(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        if value != value:  # pd.NA, pd.NaT, NaN of other float types
            return None
    except (TypeError, ValueError):  # pd.NA compares to NA, arrays compare elementwise
        if type(value).__name__ in ("NAType", "NaTType"):
            return None
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """The column with extension and dictionary types replaced by their plain values."""
    kind = column.type
    if _is_uuid(kind):
        texts = [None if v is None else str(v) for v in column.to_pylist()]
        return pa.chunked_array([pa.array(texts, pa.string())], pa.string())
    if isinstance(kind, pa.BaseExtensionType):
        column = pa.chunked_array([c.storage for c in column.chunks], kind.storage_type)
        kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
    if pa.types.is_timestamp(column.type) and column.type.unit == "ns":
        # Python datetimes hold microseconds; nanoseconds would come back as pandas objects.
        column = pc.cast(column, pa.timestamp("us", column.type.tz), safe=False)
    return column


def _value_kind(kind: pa.DataType) -> str:
    types = pa.types
    if types.is_string(kind) or types.is_large_string(kind) or types.is_string_view(kind):
        return "text"
    if types.is_boolean(kind):
        return "bool"
    if types.is_integer(kind):
        return "int"
    if types.is_floating(kind):
        return "float"
    if types.is_decimal(kind):
        return "decimal"
    if types.is_date(kind):
        return "date"
    if types.is_timestamp(kind):
        return "timestamp"
    if (
        types.is_list(kind)
        or types.is_large_list(kind)
        or types.is_fixed_size_list(kind)
        or types.is_list_view(kind)
        or types.is_large_list_view(kind)
    ):
        return "list"
    if _is_binary(kind):
        return "binary"
    if types.is_struct(kind) or types.is_map(kind):
        return "json"
    if types.is_null(kind):
        return "null"
    return "other"


def _is_binary(kind: pa.DataType) -> bool:
    types = pa.types
    return bool(
        types.is_binary(kind)
        or types.is_large_binary(kind)
        or types.is_binary_view(kind)
        or types.is_fixed_size_binary(kind)
    )


def select_columns(
    data: ArrowChunks, columns: Sequence[str] | None, fmt: ExportFormat
) -> ArrowChunks:
    """The columns to write: ``columns`` in that order, or all but binary ones (CSV, XLSX)."""
    names = [str(n) for n in data.schema.names]
    if columns is None:
        if fmt == "parquet":
            return data
        schema = data.schema
        keep = [i for i, f in enumerate(schema) if not _is_binary(_storage_type(f.type))]
        return data if len(keep) == len(names) else data.select(keep)
    if isinstance(columns, str):
        columns = [columns]
    for name in columns:
        if name not in names:
            raise UnknownValueError("export column", name, names, closest(str(name), names))
    return data.select([names.index(name) for name in columns])


def _storage_type(kind: pa.DataType) -> pa.DataType:
    if _is_uuid(kind):
        return pa.string()  # written as its usual text form
    return kind.storage_type if isinstance(kind, pa.BaseExtensionType) else kind


def _is_uuid(kind: pa.DataType) -> bool:
    return isinstance(kind, pa.BaseExtensionType) and kind.extension_name == "arrow.uuid"


def batches(table: pa.Table) -> Iterator[list[list[Any]]]:
    """The table as lists of Python values, one list per column, ``BATCH_ROWS`` at a time."""
    columns = [_plain(table.column(i)) for i in range(table.num_columns)]
    for start in range(0, table.num_rows, BATCH_ROWS):
        yield [c.slice(start, BATCH_ROWS).to_pylist() for c in columns]


def column_kinds(table: pa.Table | pa.Schema) -> list[str]:
    """How each column is written (``"text"``, ``"int"``, ``"date"`` ...), from its type."""
    if isinstance(table, pa.Schema):
        table = table.empty_table()
    return [_value_kind(_plain(table.column(i)).type) for i in range(table.num_columns)]
