"""The store: the one owner of the DuckDB connection.

Only this module writes SQL that changes data. It creates and migrates the schema, runs
transactions, and records every change in ``history`` inside the same transaction, one row
per changed field (an inserted record gets one ``insert`` row; a removed record one
``delete`` row holding the whole record as JSON, so it can be put back). ``undo`` reads
those rows and applies their inverse as a new batch.

All values are bound with ``?``; identifiers (tables, columns) come from the field catalog,
never from user strings.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import stat
import threading
import time
import uuid
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Final

import duckdb
import pyarrow as pa

from crmkit._core._custom_columns import (
    NAME_RE,
    load_catalog,
    missing_custom_columns,
    settle_custom_columns,
    sync_custom_columns,
)
from crmkit._core._horizon import HORIZON_SETTING, refuse_if_compacted
from crmkit._core._integrity import (
    GRAPHS,
    KEEPS_OWNER,
    REFERENCES,
    Breach,
    batch_breaches,
    dangling,
)
from crmkit._core._memory import memory_limit_setting, spill_directory
from crmkit._core._results import first
from crmkit._exceptions import (
    CRMKitWarning,
    IntegrityError,
    ParentCycleError,
    ReadOnlyError,
    RecordNotFoundError,
    SchemaVersionError,
    StoreLockedError,
    StoreNotFoundError,
    StoreOpenError,
    UndoConflictError,
    UndoError,
    ValidationError,
)
from crmkit._util._config import chosen_lang
from crmkit._util._messages import message, record_noun
from crmkit._util._shorten import shorten
from crmkit.schemas._activities import ACTIVITY_COLUMNS
from crmkit.schemas._bands import DEFAULT_HEADCOUNT_EDGES, DEFAULT_REVENUE_EDGES, Bands
from crmkit.schemas._catalog import ACCOUNTS, CATALOG, CONTACTS, Field, Table, using_catalog
from crmkit.schemas._labels import message_field
from crmkit.schemas._stages import STAGES_SETTING

__all__ = [
    "RECORD_TABLES",
    "SCHEMA_VERSION",
    "SqlExpr",
    "Store",
    "UndoSummary",
    "arrow_type",
    "first",
    "now_utc",
    "whole_id",
]

SCHEMA_VERSION = 8
_INCOMPLETE = "incomplete_batch:"  # meta key of a batch committed in parts, until complete

# Tables whose rows are records with history; owners are records too (no catalog fields).
OWNER_COLUMNS: dict[str, str] = {
    "id": "BIGINT",
    "name": "VARCHAR",
    "email": "VARCHAR",
    "kind": "VARCHAR",
    "team_id": "BIGINT",
    "active": "BOOLEAN",
    "created_at": "TIMESTAMP",
    "created_by": "VARCHAR",
    "updated_at": "TIMESTAMP",
    "updated_by": "VARCHAR",
}

SUBSCRIPTION_COLUMNS: dict[str, str] = {
    "id": "BIGINT",
    "contact_id": "BIGINT",
    "list_name": "VARCHAR",
    "subscribed_at": "TIMESTAMP",
    "unsubscribed_at": "TIMESTAMP",
    "created_at": "TIMESTAMP",
    "created_by": "VARCHAR",
    "updated_at": "TIMESTAMP",
    "updated_by": "VARCHAR",
}
DECISION_COLUMNS: dict[str, str] = {
    "id": "BIGINT",
    "kind": "VARCHAR",
    "id_a": "BIGINT",
    "id_b": "BIGINT",
    "decision": "VARCHAR",
    "created_at": "TIMESTAMP",
    "created_by": "VARCHAR",
    "updated_at": "TIMESTAMP",
    "updated_by": "VARCHAR",
}
VIEW_COLUMNS: dict[str, str] = {
    "id": "BIGINT",
    "name": "VARCHAR",
    "kind": "VARCHAR",
    "definition": "JSON",
    "created_at": "TIMESTAMP",
    "created_by": "VARCHAR",
    "updated_at": "TIMESTAMP",
    "updated_by": "VARCHAR",
}
RATE_COLUMNS: dict[str, str] = {
    "id": "BIGINT",
    "currency": "VARCHAR",
    "base": "VARCHAR",
    "rate": "DOUBLE",
    "as_of": "DATE",
    "created_at": "TIMESTAMP",
    "created_by": "VARCHAR",
    "updated_at": "TIMESTAMP",
    "updated_by": "VARCHAR",
}
# A database's own fields (``crm.settings.add_field``): one row per custom field.
CUSTOM_FIELD_COLUMNS: dict[str, str] = {
    "id": "BIGINT",
    "kind": "VARCHAR",
    "name": "VARCHAR",
    "type": "VARCHAR",
    "labels": "JSON",
    "vocabulary": "JSON",
    "required": "BOOLEAN",
    "personal": "BOOLEAN",
    "created_at": "TIMESTAMP",
    "created_by": "VARCHAR",
    "updated_at": "TIMESTAMP",
    "updated_by": "VARCHAR",
}
# A database's choice of which standard fields are personal (``set_personal``).
PERSONAL_FLAG_COLUMNS: dict[str, str] = {
    "id": "BIGINT",
    "kind": "VARCHAR",
    "field": "VARCHAR",
    "personal": "BOOLEAN",
    "created_at": "TIMESTAMP",
    "created_by": "VARCHAR",
    "updated_at": "TIMESTAMP",
    "updated_by": "VARCHAR",
}
# Emails and phones of erased people, as salted SHA-256 hashes (``crm.blocklist``).
BLOCKLIST_COLUMNS: dict[str, str] = {
    "id": "BIGINT",
    "channel": "VARCHAR",
    "hash": "VARCHAR",
    "created_at": "TIMESTAMP",
    "created_by": "VARCHAR",
    "updated_at": "TIMESTAMP",
    "updated_by": "VARCHAR",
}
#: The settings whose change redraws the band views (amounts compare in the currency).
BAND_SETTINGS = frozenset({"revenue_band_edges", "headcount_band_edges", "default_currency"})
#: Settings a batch may change (``Store.set_setting_in_batch``; its undo puts them back):
#: every setting of ``crm.settings`` (each change is a ``setting`` batch), and the
#: duplicate rules and import profiles that name a renamed or dropped custom field.
BATCH_SETTINGS = frozenset(
    {
        "duplicate_rules",
        "import_profiles",
        STAGES_SETTING,
        "sectors",
        *BAND_SETTINGS,
        *(f"required_fields.{t.name}" for t in (ACCOUNTS, CONTACTS)),
        "default_region",
        "require_email_basis",
        "max_frame_rows",
        "retention_rules",
        HORIZON_SETTING,
    }
)


class _Default(Enum):
    DEFAULT = "default"


#: Given as a value, :meth:`Store.set_setting` removes the setting: its default is back.
SETTING_DEFAULT: Final = _Default.DEFAULT
# Tables outside the field catalog whose rows are records with history (undoable).
RECORD_TABLES: dict[str, dict[str, str]] = {
    "owners": OWNER_COLUMNS,
    "subscriptions": SUBSCRIPTION_COLUMNS,
    "duplicate_decisions": DECISION_COLUMNS,
    "saved_views": VIEW_COLUMNS,
    "exchange_rates": RATE_COLUMNS,
    "activities": dict(ACTIVITY_COLUMNS),
    "custom_fields": CUSTOM_FIELD_COLUMNS,
    "personal_flags": PERSONAL_FLAG_COLUMNS,
    "blocklist": BLOCKLIST_COLUMNS,
}
# The log of erasures: who, when, why and how many; never a personal value.
ERASURE_COLUMNS: dict[str, str] = {
    "id": "BIGINT",
    "erased_at": "TIMESTAMP",
    "actor": "VARCHAR",
    "kind": "VARCHAR",
    "reason": "VARCHAR",
    "batch_id": "BIGINT",
    "counts": "JSON",
}
# Every row an erasure scrubbed or removed (a record kept as a tombstone or not, its
# activities, subscriptions, decisions): undo refuses batches that touched one.
ERASED_RECORD_COLUMNS: dict[str, str] = {
    "erasure_id": "BIGINT",
    "table_name": "VARCHAR",
    "record_id": "BIGINT",
    "tombstone": "BOOLEAN",
}


BATCH_COLUMNS: dict[str, str] = {
    "id": "BIGINT",
    "created_at": "TIMESTAMP",
    "actor": "VARCHAR",
    "operation": "VARCHAR",
    "description": "VARCHAR",
    "details": "JSON",
    "n_changes": "BIGINT",
    "undone_by": "BIGINT",
    "undoes": "BIGINT",
}
HISTORY_COLUMNS: dict[str, str] = {
    "batch_id": "BIGINT",
    "changed_at": "TIMESTAMP",
    "actor": "VARCHAR",
    "operation": "VARCHAR",
    "table_name": "VARCHAR",
    "record_id": "BIGINT",
    "field": "VARCHAR",
    "old_value": "JSON",
    "new_value": "JSON",
}
REJECT_COLUMNS: dict[str, str] = {
    "batch_id": "BIGINT",
    "kind": "VARCHAR",
    "source": "VARCHAR",
    "line": "BIGINT",
    "raw": "JSON",
    "reasons": "VARCHAR",
}


def whole_id(value: Any, what: str = "record") -> int:
    """``value`` as a record or batch id, refusing what is not a whole number.

    ``int()`` would turn ``1.9`` into record 1 and ``True`` into record 1; an id is
    never guessed.

    Examples
    --------
    >>> whole_id(12), whole_id(12.0)
    (12, 12)
    >>> whole_id(1.9)
    Traceback (most recent call last):
    ...
    crmkit._exceptions.ValidationError: a record id is a whole number, got 1.9
    """
    if isinstance(value, bool) or value is None:
        raise ValidationError(f"a {what} id is a whole number, got {shorten(value)}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif hasattr(value, "__index__") and not isinstance(value, str | bytes):
        number = int(value.__index__())  # numpy integers
    elif isinstance(value, float) or not hasattr(value, "is_integer"):
        raise ValidationError(f"a {what} id is a whole number, got {shorten(value)}")
    else:  # numpy floats
        if not value.is_integer():
            raise ValidationError(f"a {what} id is a whole number, got {shorten(value)}")
        number = int(value)
    if not -(2**63) <= number < 2**63:
        raise ValidationError(f"a {what} id is a whole number, got {shorten(value)}")
    return number


@dataclass(frozen=True)
class SqlExpr:
    """A value computed in SQL from the record being changed (aliased ``t``).

    ``sql`` is trusted text built by crmkit from catalog names; user values go in
    ``params`` and are bound to its ``?`` placeholders.
    """

    sql: str
    params: tuple[Any, ...] = ()


_ARROW_TYPES: dict[str, pa.DataType] = {
    "id": pa.int64(),
    "text": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "list": pa.list_(pa.string()),
    "json": pa.string(),
    "bytes": pa.binary(),
    "ref": pa.int64(),
}

_SQL_TO_ARROW: dict[str, pa.DataType] = {
    "BIGINT": pa.int64(),
    "VARCHAR": pa.string(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us"),
}


def arrow_type(field: Field) -> pa.DataType:
    """The Arrow type used to hand a field's values to DuckDB."""
    return _ARROW_TYPES[field.kind]


def now_utc() -> datetime:
    """The current UTC time as a naive timestamp (what the store writes)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _cast(expr: str, sql_type: str) -> str:
    """SQL casting ``expr`` to a column type; JSON is minified so equal values compare equal."""
    if sql_type == "JSON":
        return f"json(CAST({expr} AS VARCHAR))"
    return f"CAST({expr} AS {sql_type})"


def _json_type(sql_type: str) -> str:
    """A json_transform type descriptor for a DuckDB column type."""
    if sql_type.endswith("[]"):
        return f'["{sql_type[:-2]}"]'
    if sql_type == "BLOB":
        return '"VARCHAR"'
    return f'"{sql_type}"'


def _decode_expr(json_expr: str, sql_type: str) -> str:
    """SQL turning a JSON-encoded history value back into a column value."""
    if sql_type == "BLOB":
        return f"CAST(json_extract_string({json_expr}, '$') AS BLOB)"
    if sql_type == "JSON":
        return f"CAST({json_expr} AS JSON)"
    return f"json_transform({json_expr}, '{_json_type(sql_type)}')"


@dataclass(frozen=True)
class UndoSummary:
    """What an undo did."""

    batch_id: int
    undone_batch: int
    restored_fields: int
    removed_records: int
    restored_records: int
    detached: int = 0
    #: Settings put back (a ``setting`` batch's; see :class:`crmkit.Settings`).
    settings: int = 0

    def __str__(self) -> str:
        """What the undo did, in words (the language of :func:`crmkit.set_config`).

        Examples
        --------
        >>> print(UndoSummary(7, 5, 3, 1, 0))
        undid batch 5 as batch 7: 3 fields restored, 1 record removed, 0 records put back
        >>> print(UndoSummary(9, 8, 0, 0, 0, settings=1))
        undid batch 8 as batch 9: 0 fields restored, 0 records removed, 0 records put back, \
1 setting put back
        """
        sep = message("list_sep")
        text = message(
            "undo_text",
            batch=self.batch_id,
            undone=self.undone_batch,
            fields=message("undo_fields", count=self.restored_fields),
            removed=message("undo_removed", count=self.removed_records),
            restored=message("undo_restored", count=self.restored_records),
        )
        if self.detached:
            text += sep + message("undo_detached", count=self.detached)
        if self.settings:
            text += sep + message("undo_settings", count=self.settings)
        return text

    def __repr__(self) -> str:
        return f"UndoSummary({self})"


_LOCK_RE = re.compile(r"Conflicting lock is held in (?P<exe>.*?) \(PID (?P<pid>\d+)\)")


_UNSEEN = object()  # no data version read yet: the first open checks everything

# Files this process holds: how many long-lived stores have each open, and -1 while a
# shared store's operation has it attached. DuckDB's file lock is per process (fcntl),
# so it cannot keep two DuckDB instances of one process apart; this does.
_HELD: dict[str, int] = {}
_HELD_LOCK = threading.Lock()
# The files DuckDB writes for a database file (its write-ahead log while checkpointing).
_FILE_SUFFIXES = ("", ".wal", ".wal.checkpoint", ".wal.recovery")
# A shared store leaves what an operation committed in the file's write-ahead log and
# checkpoints (writes it into the file proper) once the log passes this size. A checkpoint
# rewrites every column segment a change touched (~15 ms of CPU for one field of one
# contact at 1M, the bulk of a write's cost), while every attach replays the log (~0.25 ms
# of CPU per KB; one-field update ~1.3 KB): of the budgets measured, checkpointing about
# every sixth such write cost the least for a write and a read (BENCHMARKS.md, "Shared mode").
_WAL_BUDGET = 8 * 1024


class Store:
    """Owner of one DuckDB connection: schema, transactions, history and undo.

    Parameters
    ----------
    path
        A DuckDB file, or ``None`` / ``":memory:"`` for an in-memory database.
    read_only
        Open the file read-only (several processes may then read it at once).
    connection
        An existing DuckDB connection to use instead of opening one (the caller keeps
        ownership and closes it).
    shared
        Hold no connection between operations: each :meth:`operation` opens the file,
        works and closes it, so other processes can use the file in between.
    timeout
        In shared mode, how many seconds an operation waits for a file another process
        holds before raising :class:`~crmkit.StoreLockedError`.
    memory_limit
        DuckDB's ``memory_limit`` (``"2GB"``, a number of bytes); ``None``: the
        environment's ``CRMKIT_MEMORY_LIMIT``, else :func:`default_memory_limit`. Not
        applied to a ``connection`` passed in (its settings stay the caller's).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        read_only: bool = False,
        connection: duckdb.DuckDBPyConnection | None = None,
        external_access: bool = False,
        shared: bool = False,
        timeout: float = 10.0,
        memory_limit: str | int | None = None,
    ) -> None:
        if isinstance(path, str) and not path.strip():
            raise StoreOpenError(
                "the path is empty; pass a file name (ck.open('crm.duckdb')) or nothing "
                "for an in-memory CRM that is lost when Python exits (ck.open())"
            )
        if path is not None and not isinstance(path, str | Path):
            raise StoreOpenError(f"a CRM path is a str or a Path, got {shorten(path)}")
        self.path = None if path in (None, ":memory:") else str(path)
        self.read_only = read_only
        self.shared = bool(shared)
        self.timeout = _timeout(timeout)
        self._external_access = external_access
        self._memory_limit = memory_limit_setting(memory_limit)
        self._owns_connection = connection is None
        self._depth = 0
        self._bands_cache: dict[str, Bands] = {}
        self._catalog: Mapping[str, Table] | None = None
        #: Called when another process changed the file (caches derived from it), and
        #: when a transaction rolls back (a cache may hold what it had written).
        self.on_reload: list[Callable[[], None]] = []
        #: Called with the key of each setting written (set, reset, undone or redone).
        self.on_setting: list[Callable[[str], None]] = []
        #: Per open batch, how many settings it changed (its ``n_changes`` counts them).
        self._settings_written: dict[int, int] = {}
        self._seen_version: object = _UNSEEN
        #: Per open batch, history rows of a (table, reference) that the write itself
        #: checked (one constant target, live and active): ``finish_batch`` need not.
        self._vouched: dict[int, dict[tuple[str, str], int]] = {}
        self._con: duckdb.DuckDBPyConnection | None = None
        if self.shared:
            if self.path is None or connection is not None:
                raise StoreOpenError(
                    "shared=True needs a file path: an in-memory CRM or a connection you "
                    "pass cannot be shared with other processes"
                )
            self._host: duckdb.DuckDBPyConnection | None = self._new_host()
            self._finalizer = weakref.finalize(self, _close_quietly, self._host, True)
            try:
                with self.operation():  # checks and migrates the file once, now
                    pass
            except BaseException:
                self.close()
                raise
            return
        self._con = connection if connection is not None else self._connect(external_access)
        held = None if self.path is None else str(Path(self.path).resolve())
        if held is not None:
            with _HELD_LOCK:
                _HELD[held] = max(_HELD.get(held, 0), 0) + 1
        # Closing on garbage collection keeps a forgotten CRM from holding the file lock.
        self._finalizer = weakref.finalize(
            self, _close_quietly, self._con, self._owns_connection, held
        )
        try:
            self._ensure_schema()
        except BaseException:
            self.close()
            raise

    # -- connection -------------------------------------------------------------------

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection (in shared mode: the one of the running operation)."""
        con = self._con
        if con is None:
            if self.closed:
                raise StoreOpenError(f"this CRM ({self.path}) is closed; open it again")
            raise StoreOpenError(
                f"{self.path} is open shared: it has a connection only while an operation "
                "runs. Use crmkit's verbs, or hold the file for a block with "
                "`with crm.batch():`"
            )
        return con

    @contextmanager
    def operation(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The connection for one operation: in shared mode, opened here and closed after.

        Nested operations use the outer one's connection. When another process holds
        the file, it waits (backing off) up to :attr:`timeout` seconds, then raises
        :class:`~crmkit.StoreLockedError`. On opening it reads the file's data version
        and, when another process changed it since, clears what was derived from it
        (bands, settings caches: :attr:`on_reload`) and checks the schema and views
        again. Outside shared mode this is the one long connection.
        """
        if self._con is not None:
            yield self._con
            return
        if self.closed:
            raise StoreOpenError(f"this CRM ({self.path}) is closed; open it again with ck.open")
        con = self._connect_waiting()
        self._con = con
        try:
            self._refresh()
            yield con
        finally:
            self._con = None
            self._depth = 0
            self._detach()

    def detached(self, relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
        """``relation`` as it is, or in shared mode its rows, read now into memory.

        A relation is bound to its connection, which a shared store closes when the
        operation ends; the rows then live in DuckDB's default in-memory connection.
        """
        if not self.shared:
            return relation
        return duckdb.from_arrow(relation.to_arrow_table())

    def _connect_waiting(self) -> duckdb.DuckDBPyConnection:
        """Open the file, retrying with backoff while another process holds its lock."""
        deadline = time.monotonic() + self.timeout
        delay = 0.002
        while True:
            try:
                return self._attach()
            except StoreLockedError as exc:
                holder = getattr(exc, "holder", None)
                if holder is None:  # this process, other settings: waiting cannot help
                    raise
                left = deadline - time.monotonic()
                if left <= 0:
                    raise StoreLockedError(
                        f"{self.path} stayed busy for {self.timeout:g} s: another process "
                        f"({holder}) holds it. A CRM opened with ck.open(path) keeps the "
                        "file until crm.close(): close it there, or open it with "
                        "ck.open(path, shared=True) in every notebook so each one takes "
                        "the file only while an operation runs. A long operation (an "
                        "import, a `with crm.batch():` block) holds it too: wait, or pass "
                        "a longer timeout="
                    ) from exc
                time.sleep(min(left, delay * random.uniform(0.5, 1.5)))
                delay = min(delay * 2, 0.1)

    def _data_version(self) -> str | None:
        """The token the last commit wrote (``None``: no crmkit tables or no token yet)."""
        try:
            row = first(self.con.execute("SELECT value FROM meta WHERE key = 'data_version'"))
        except duckdb.CatalogException:  # a new file: no meta table yet
            return None
        return None if row is None else str(row[0])

    def _refresh(self) -> None:
        """Check the file again when another process changed it since this one's last look."""
        version = self._data_version()
        if version == self._seen_version:
            return  # nothing to reload (read-only: the temporary views stay in the host)
        self._forget_derived()
        self._ensure_schema()
        self._seen_version = self._data_version()
        if self._seen_version is None and not self.read_only:
            self._touch()  # a file without a version yet: give it one

    def _forget_derived(self) -> None:
        """Drop every cache derived from the file: bands, catalog, :attr:`on_reload`'s."""
        self._bands_cache.clear()
        self._catalog = None
        for reset in self.on_reload:
            reset()

    def _touch(self) -> None:
        """Write a new data version: other shared CRMs on the file then reload their caches."""
        token = uuid.uuid4().hex
        self._write_version(token)
        self._seen_version = token

    def _write_version(self, token: str) -> None:
        # An UPDATE of the one row costs a third of an INSERT OR REPLACE (its key's
        # delete and insert), and every commit writes it.
        row = first(
            self.con.execute("UPDATE meta SET value = ? WHERE key = 'data_version'", [token])
        )
        if not row or not row[0]:
            self.con.execute("INSERT INTO meta VALUES ('data_version', ?)", [token])

    def _check_path(self) -> None:
        """Refuse a folder, a missing file to read, a missing folder, with a clear error."""
        if self.path is None:
            return
        where = Path(self.path)
        if where.is_dir():
            raise StoreOpenError(f"{self.path} is a folder; give a file name inside it")
        if self.read_only and not where.exists():
            raise StoreNotFoundError(f"no CRM database at {self.path} to open read-only")
        if not where.parent.exists():
            raise StoreOpenError(
                f"cannot create {self.path}: the folder {where.parent} does not exist"
            )

    def _config(self) -> dict[str, Any]:
        # A crmkit file is data, not code: the connection reads no other file and loads
        # no extension, so nothing in a crafted database can reach the file system.
        # DuckDB's default memory_limit (80% of RAM) lets its cache of the blocks read
        # grow with the file; see crmkit/_core/_memory.py.
        return {
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "memory_limit": self._memory_limit,
        }

    def _connect(self, external_access: bool) -> duckdb.DuckDBPyConnection:
        self._check_path()
        config = self._config()
        if self.path is None:
            # DuckDB spills an in-memory database to ".tmp" in the working folder (a file
            # spills next to itself): the system's temporary folder instead, set before
            # external access is turned off (DuckDB refuses to change it after).
            config["temp_directory"] = spill_directory()
        elif not external_access:
            config["enable_external_access"] = False
        with self._opening():
            con = duckdb.connect(self.path or ":memory:", read_only=self.read_only, config=config)
        if self.path is None and not external_access:
            con.execute("SET enable_external_access = false")
        return con

    def _new_host(self) -> duckdb.DuckDBPyConnection:
        """A shared store's in-memory DuckDB, to which each operation attaches the file.

        DuckDB starts in ~15 ms (its built-in extensions); attaching a file takes ~1 ms,
        and detaching it releases the file's lock. Only the file (its WAL and DuckDB's
        spill folder next to it) is reachable unless ``external_access``.
        """
        assert self.path is not None
        self._check_path()
        where = str(Path(self.path).resolve())
        config = self._config()
        config["temp_directory"] = where + ".tmp"
        with self._opening():
            host = duckdb.connect(":memory:", config=config)
            # Detaching would checkpoint every operation's changes; :meth:`_detach` does
            # so only once the write-ahead log passes _WAL_BUDGET. A commit is durable
            # in the log already (DuckDB syncs it), and any open replays it.
            host.execute("SET checkpoint_on_detach = 'DISABLED'")
            if not self._external_access:
                files = [where + suffix for suffix in _FILE_SUFFIXES]
                host.execute("SET allowed_paths = ?", [files])
                host.execute("SET allowed_directories = ?", [[where + ".tmp"]])
                host.execute("SET enable_external_access = false")
        return host

    def _attach(self) -> duckdb.DuckDBPyConnection:
        """Attach the file to the host as the default database (see :meth:`_new_host`)."""
        assert self.path is not None and self._host is not None
        where = str(Path(self.path).resolve())
        with _HELD_LOCK:
            if where in _HELD:
                raise StoreLockedError(
                    f"{self.path} is already open in this process: another CRM on it is "
                    "in an operation (a `with crm.batch():` block, a loop over records) or "
                    "was opened without shared=True. DuckDB must not open one file twice in "
                    "a process: use that CRM, or close it first."
                )
            _HELD[where] = -1
        try:
            self._check_path()
            literal = where.replace("'", "''")
            mode = " (READ_ONLY)" if self.read_only else ""
            with self._opening():
                # One call for both statements: each call costs ~0.1-0.2 ms of its own.
                self._host.execute(f"ATTACH '{literal}' AS crmkit_file{mode}; USE crmkit_file")
        except BaseException:
            with _HELD_LOCK:
                _HELD.pop(where, None)
            raise
        return self._host

    def _detach(self, *, checkpoint: bool = False) -> None:
        """Release the file, checkpointing first when its log passed :data:`_WAL_BUDGET`
        (or whenever it is not empty, with ``checkpoint``)."""
        assert self.path is not None and self._host is not None
        where = str(Path(self.path).resolve())
        try:
            try:
                if not self.read_only and _log_size(where) > (0 if checkpoint else _WAL_BUDGET):
                    # A checkpoint that fails (a transaction left open) loses nothing:
                    # the log keeps every commit, and the next operation tries again.
                    with suppress(duckdb.Error):
                        self._host.execute("CHECKPOINT crmkit_file")
            finally:
                self._host.execute("USE memory; DETACH crmkit_file")  # releases the lock
        finally:
            with _HELD_LOCK:
                _HELD.pop(where, None)

    def _checkpoint_log(self) -> None:
        """On closing, write what the log holds into the file, so the file alone (a copy,
        a backup) has every commit. Skipped when another CRM has the file now: its own
        operations keep the log bounded, and any open replays it."""
        if self.read_only or self._con is not None or self.closed or self.path is None:
            return
        where = Path(self.path).resolve()
        if not _log_size(str(where)) or not where.exists():
            return  # nothing to write (or no file to write it into: never create one)
        try:
            self._attach()
        except (StoreLockedError, StoreOpenError):
            return
        self._detach(checkpoint=True)

    @contextmanager
    def _opening(self) -> Iterator[None]:
        """Turn DuckDB's errors on opening a file into crmkit's, naming who holds it."""
        try:
            yield
        except duckdb.ConnectionException as exc:
            if "different configuration" not in str(exc):
                raise StoreOpenError(f"cannot open {self.path}: {exc}") from exc
            raise StoreLockedError(
                f"{self.path} is already open in this process with other settings (one "
                "CRM writing and one reading, say). DuckDB allows one kind of connection "
                "per file and process: use the CRM you already have, or close it first."
            ) from exc
        except duckdb.IOException as exc:
            match = _LOCK_RE.search(str(exc))
            if match is None:
                raise StoreOpenError(f"cannot open {self.path}: {_first_line(exc)}") from exc
            pid, exe = match.group("pid"), match.group("exe")
            if self.read_only:
                holder = "has it open for writing, which keeps readers out"
            else:
                holder = "has it open (reading or writing), which keeps a writer out"
            locked = StoreLockedError(
                f"{self.path} is in use: another process (PID {pid}, {exe}) {holder}. "
                "Close the CRM there (crm.close() or leave its `with` block), or stop that "
                "process. Several notebooks can work on the same file with "
                "ck.open(path, shared=True) in each (or read it with read_only=True while "
                "no process writes it)."
            )
            locked.holder = f"PID {pid}, {exe}"  # type: ignore[attr-defined]
            raise locked from exc
        except (duckdb.Error, OSError) as exc:
            raise StoreOpenError(f"cannot open {self.path}: {_first_line(exc)}") from exc

    def close(self) -> None:
        """Close the connection (releasing the file lock)."""
        if self.shared:
            self._checkpoint_log()
        self._finalizer()

    def rewrite_blocker(self) -> str | None:
        """Why :meth:`rewrite_file` cannot rewrite this file now (``None``: it can)."""
        if self.shared:
            return "shared=True"
        if not self._owns_connection:
            return "a connection passed to ck.open"
        if self._depth:
            return "inside `with crm.batch():`"
        return None

    def rewrite_file(self) -> bool:
        """Write the database into a new file and put it in place of this one.

        DuckDB reuses the blocks a change freed but does not overwrite them: after an
        update, a delete, even ``CHECKPOINT``, ``VACUUM`` or a table rebuilt, the old
        values stay in the file's free blocks. A copy (``COPY FROM DATABASE``: tables,
        sequences at their values, keys, defaults) holds only what is live. The
        connection is closed and opened again on the new file; relations taken from the
        old one are no longer valid. Returns whether the file was rewritten: not for an
        in-memory database, a read-only one, a connection passed in, a shared store, or
        inside a transaction (``with crm.batch():``), where only a ``CHECKPOINT`` runs.
        """
        if self.path is None or self.read_only or self.closed:
            return False
        if self.rewrite_blocker() is not None:
            if not self._depth:  # inside a transaction, a CHECKPOINT would abort it
                with suppress(duckdb.Error):
                    self.con.execute("CHECKPOINT")
            return False
        where = str(Path(self.path).resolve())
        fresh = where + ".rewrite"
        for suffix in ("", ".wal"):
            with suppress(FileNotFoundError):
                os.remove(fresh + suffix)
        self.con.execute("CHECKPOINT")
        self._finalizer.detach()
        self.con.close()
        self._con = None
        try:
            config = self._config()
            config["temp_directory"] = spill_directory()
            copier = duckdb.connect(":memory:", config=config)
            try:
                old, new = (w.replace("'", "''") for w in (where, fresh))
                copier.execute(f"ATTACH '{old}' AS crmkit_old (READ_ONLY)")
                copier.execute(f"ATTACH '{new}' AS crmkit_new")
                copier.execute("COPY FROM DATABASE crmkit_old TO crmkit_new")
                copier.execute("DETACH crmkit_old")
                copier.execute("CHECKPOINT crmkit_new")
                copier.execute("DETACH crmkit_new")
            finally:
                copier.close()
            # The copy keeps the file's permissions: a CRM readable by its owner alone
            # stays so (the new file would otherwise get the umask's).
            os.chmod(fresh, stat.S_IMODE(os.stat(where).st_mode))
            os.replace(fresh, where)
        finally:
            for suffix in ("", ".wal"):  # what a failed copy left (the file is untouched)
                with suppress(FileNotFoundError):
                    os.remove(fresh + suffix)
            self._con = self._connect(self._external_access)
            self._finalizer = weakref.finalize(self, _close_quietly, self._con, True, where)
        self._catalog = None
        self._ensure_schema()
        return True

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has run."""
        return not self._finalizer.alive

    # -- schema -----------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        tables = {
            r[0]
            for r in self.con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
            ).fetchall()
        }
        version = 0
        if "meta" in tables:
            row = first(self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'"))
            version = _schema_version(row[0] if row else "0", self.path)
        elif tables & set(_expected_columns()):
            ours = ", ".join(sorted(tables & set(_expected_columns())))
            raise StoreOpenError(
                f"{self.path or 'this database'} has tables named {ours} but was not written "
                "by crmkit (no meta table); open another file, or rename those tables"
            )
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"this database has schema version {version}, newer than this crmkit "
                f"({SCHEMA_VERSION}); upgrade crmkit to open it"
            )
        self._refuse_macros()
        if version < SCHEMA_VERSION:
            if self.read_only:
                raise ReadOnlyError(
                    f"the database needs migrating from schema version {version} to "
                    f"{SCHEMA_VERSION}; open it once without read_only=True"
                )
            with self.transaction():
                for target, migrate in _MIGRATIONS:
                    if target > version:
                        migrate(self)
                self.con.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                    [str(SCHEMA_VERSION)],
                )
        self._catalog = None
        self._check_columns()
        self._discard_incomplete()
        # Views are code: never trust the ones in the file, make ours again on every open
        # (temporary ones, shadowing the file's, when the file is read-only).
        self.rebuild_views()

    def _refuse_macros(self) -> None:
        """Refuse a file with SQL macros: they would silently redefine functions crmkit uses."""
        macros = self.con.execute(
            "SELECT DISTINCT function_name FROM duckdb_functions() WHERE NOT internal "
            "AND function_type IN ('macro', 'table_macro') AND database_name <> 'temp' ORDER BY 1"
        ).fetchall()
        if macros:
            names = ", ".join(shorten(r[0], 40) for r in macros[:10])
            raise StoreOpenError(
                f"{self.path or 'this database'} defines SQL macros ({names}); crmkit never "
                "writes any, and a macro can redefine the functions crmkit's queries use. "
                "Drop them with DuckDB itself (DROP MACRO name) if they are yours."
            )

    def _check_columns(self) -> None:
        """Every crmkit table has the columns and types this crmkit writes."""
        found: dict[str, dict[str, str]] = {}
        for table_name, column, data_type in self.con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'main'"
        ).fetchall():
            found.setdefault(table_name, {})[column] = str(data_type).upper()
        for table_name, expected in _expected_columns().items():
            have = found.get(table_name)
            if have is None:
                raise StoreOpenError(
                    f"{self.path or 'this database'} lacks crmkit's table {table_name}; "
                    "it was damaged or changed outside crmkit"
                )
            wrong = [
                f"{c} ({have.get(c, 'missing')}, expected {t})"
                for c, t in expected.items()
                if not _same_type(have.get(c), t)
            ]
            if wrong:
                raise StoreOpenError(
                    f"table {table_name} of {self.path or 'this database'} does not have "
                    f"crmkit's columns: {', '.join(wrong[:5])}"
                    + (f" and {len(wrong) - 5} more" if len(wrong) > 5 else "")
                )
        missing = missing_custom_columns(self)
        if missing:
            raise StoreOpenError(
                f"{self.path or 'this database'} lacks the columns of its custom fields "
                f"{', '.join(missing[:5])}; it was changed outside crmkit"
            )

    def rebuild_views(self) -> None:
        """(Re)create the views that compute bands, display names and counts.

        Amounts are compared in the database's currency (``default_currency``): an
        account's revenue is converted with the latest exchange rate of its currency
        (``exchange_rates``) into ``revenue_base``, and bands are computed from that. An
        amount in a currency without a rate has no ``revenue_base`` and no band: amounts
        in different currencies are never compared or added as they are.
        """
        revenue = self.bands("revenue")
        headcount = self.bands("headcount")
        base = str(self.get_setting("default_currency", "EUR"))
        if not re.fullmatch(r"[A-Z]{3}", base):  # inlined below: only a currency code
            raise StoreOpenError(
                f"the stored default currency {shorten(base)} is not a currency code; the "
                "file was changed outside crmkit"
            )
        revenue_value = (
            "coalesce(a.annual_revenue, CASE WHEN a.revenue_range_max IS NULL "
            "THEN a.revenue_range_min ELSE (a.revenue_range_min + a.revenue_range_max) / 2 END)"
        )
        rate = f"(CASE WHEN coalesce(a.currency, '{base}') = '{base}' THEN 1.0 ELSE x.rate END)"
        revenue_base = f"({revenue_value} * {rate})"
        rates = (
            f"LEFT JOIN (SELECT currency, arg_max(rate, as_of) AS rate FROM exchange_rates "
            f"WHERE base = '{base}' GROUP BY currency) x ON x.currency = a.currency"
        )
        headcount_value = (
            "coalesce(a.employees, CASE WHEN a.employees_range_max IS NULL "
            "THEN a.employees_range_min "
            "ELSE (a.employees_range_min + a.employees_range_max) / 2 END)"
        )
        live = "deleted_at IS NULL AND merged_into IS NULL"
        view = "TEMP VIEW" if self.read_only else "VIEW"
        activity = {key: _activity_dates(key) for key in ("account_id", "contact_id")}
        self.con.execute(
            f"""
            CREATE OR REPLACE {view} accounts_v AS
            SELECT a.*,
                   {revenue_base} AS revenue_base,
                   {revenue.sql_case(revenue_base)} AS revenue_band,
                   {headcount.sql_case(headcount_value)} AS headcount_band,
                   o.name AS owner,
                   p.name AS parent,
                   coalesce(n.contact_count, 0) AS contact_count,
                   act.last_activity_at,
                   act.next_task_at
            FROM accounts a
            {rates}
            LEFT JOIN owners o ON o.id = a.owner_id
            LEFT JOIN ({activity["account_id"]}) act ON act.record_id = a.id
            LEFT JOIN accounts p ON p.id = a.parent_id
            LEFT JOIN (SELECT account_id, count(*) AS contact_count FROM contacts
                       WHERE {live} GROUP BY account_id) n ON n.account_id = a.id
            WHERE a.deleted_at IS NULL AND a.merged_into IS NULL
            """
        )
        # The account side of a contact is one subquery joined once: a filter on its
        # columns (band, sector, revenue...) is pushed into the accounts scan, and the
        # accounts left feed the join filter on contacts.account_id, so the costly
        # conditions (the text search) only see contacts of matching accounts. Same
        # rows as joining accounts and rates to contacts directly (LEFT JOINs on a).
        self.con.execute(
            f"""
            CREATE OR REPLACE {view} contacts_v AS
            SELECT c.*,
                   trim(concat_ws(' ', c.first_name, c.last_name)) AS display_name,
                   a.name AS company,
                   a.sector AS account_sector,
                   a.archived AS account_archived,
                   a.is_client AS account_is_client,
                   a.entity AS account_entity,
                   a.annual_revenue AS account_annual_revenue,
                   a.revenue_base AS account_revenue_base,
                   a.employees AS account_employees,
                   a.revenue_band,
                   a.headcount_band,
                   ao.name AS account_owner,
                   o.name AS owner,
                   act.last_activity_at,
                   act.next_task_at
            FROM contacts c
            LEFT JOIN (
                SELECT a.id, a.name, a.sector, a.archived, a.is_client, a.entity,
                       a.annual_revenue, a.employees, a.owner_id,
                       {revenue_base} AS revenue_base,
                       {revenue.sql_case(revenue_base)} AS revenue_band,
                       {headcount.sql_case(headcount_value)} AS headcount_band
                FROM accounts a
                {rates}
            ) a ON a.id = c.account_id
            LEFT JOIN owners ao ON ao.id = a.owner_id
            LEFT JOIN owners o ON o.id = c.owner_id
            LEFT JOIN ({activity["contact_id"]}) act ON act.record_id = c.id
            WHERE c.deleted_at IS NULL AND c.merged_into IS NULL
            """
        )

    # -- the database's catalog ----------------------------------------------------------

    @property
    def catalog(self) -> Mapping[str, Table]:
        """The standard tables with this database's custom fields (read once, then cached)."""
        if self._catalog is None:
            self._catalog = load_catalog(self)
        return self._catalog

    def forget_catalog(self) -> None:
        """Read the custom fields again at the next use (they changed)."""
        self._catalog = None

    @contextmanager
    def catalog_scope(self) -> Iterator[None]:
        """While the block runs, :func:`~crmkit.schemas.table` answers with :attr:`catalog`."""
        with using_catalog(self.catalog):
            yield

    # -- settings ---------------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A stored setting, decoded from JSON, or ``default``."""
        row = first(self.con.execute("SELECT value FROM settings WHERE key = ?", [key]))
        return default if row is None or row[0] is None else json.loads(row[0])

    def setting_state(self, key: str) -> dict[str, Any]:
        """``{"value": value}`` for a stored setting; ``{}`` when it is at its default.

        Examples
        --------
        >>> store = Store()
        >>> store.setting_state("default_region")
        {}
        >>> store.set_setting("default_region", "BE")
        >>> store.setting_state("default_region")
        {'value': 'BE'}
        >>> store.set_setting("default_region", SETTING_DEFAULT)
        >>> store.setting_state("default_region"), store.get_setting("default_region", "FR")
        ({}, 'FR')
        >>> store.close()
        """
        row = first(self.con.execute("SELECT value FROM settings WHERE key = ?", [key]))
        return {} if row is None or row[0] is None else {"value": json.loads(row[0])}

    def set_setting(self, key: str, value: Any) -> None:
        """Store a setting (JSON-encoded); :data:`SETTING_DEFAULT` removes it."""
        self.check_writable()
        if value is SETTING_DEFAULT:
            self.con.execute("DELETE FROM settings WHERE key = ?", [key])
        else:
            self.con.execute(
                "INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, json.dumps(value)]
            )
        if not self._depth:  # inside a transaction, its commit writes the data version
            self._touch()
        self._setting_changed(key)

    def _setting_changed(self, key: str) -> None:
        """Refresh what is derived from the setting ``key`` (one place for set and undo)."""
        if key in BAND_SETTINGS:
            self._bands_cache.clear()
            self.rebuild_views()
        if key == STAGES_SETTING:  # the catalog's lifecycle_stage field carries them
            self._catalog = None
        for changed in self.on_setting:
            changed(key)

    def set_setting_in_batch(self, key: str, value: Any, batch_id: int) -> None:
        """Store a setting as part of ``batch_id``: undoing the batch puts the old value back.

        The old and new values go to the batch's ``details`` (``settings``: ``old`` and
        ``new``, each left out when the setting is at its default); only the keys of
        :data:`BATCH_SETTINGS` may change so.
        """
        if key not in BATCH_SETTINGS:
            raise ValueError(f"setting {key!r} does not change inside a batch")
        details = self._batch_details(batch_id)
        changes = details.setdefault("settings", {})
        if key not in changes:
            state = self.setting_state(key)
            changes[key] = {"old": state["value"]} if state else {}
        change = changes[key]
        change.pop("new", None)
        if value is not SETTING_DEFAULT:
            change["new"] = value
        self.set_setting(key, value)
        self.con.execute(
            "UPDATE batches SET details = ?::JSON WHERE id = ?",
            [json.dumps(details, default=str), batch_id],
        )
        self._settings_written[batch_id] = len(changes)

    def _batch_details(self, batch_id: int) -> dict[str, Any]:
        row = first(
            self.con.execute("SELECT details::VARCHAR FROM batches WHERE id = ?", [batch_id])
        )
        details = json.loads(row[0]) if row is not None and row[0] else {}
        return details if isinstance(details, dict) else {}

    def _setting_changes(self, batch_id: int) -> dict[str, Any]:
        """The settings ``batch_id`` changed: key -> ``{"old": ..., "new": ...}``."""
        changes = self._batch_details(batch_id).get("settings")
        return changes if isinstance(changes, dict) else {}

    def _undo_settings(self, batch_id: int, undo_id: int) -> int:
        """Put back the settings ``batch_id`` changed, as part of ``undo_id``; how many.

        Refused (:class:`UndoConflictError`) when one changed since, or when what reads
        it refuses the old value (stages that contacts carry one more of).
        """
        changes = self._setting_changes(batch_id)
        for key, change in changes.items():
            if key not in BATCH_SETTINGS or not isinstance(change, dict):
                raise UndoError(
                    f"batch {batch_id} cannot be undone: it names the setting "
                    f"{shorten(key, 50)}, which crmkit never changes in a batch; the file "
                    "was changed outside crmkit"
                )
            expected = {"value": change["new"]} if "new" in change else {}
            if self.setting_state(key) != expected:
                raise UndoConflictError(
                    message(
                        "undo_refused",
                        batch=batch_id,
                        why=message("undo_setting_changed", setting=key),
                    )
                )
            try:
                self.set_setting_in_batch(key, change.get("old", SETTING_DEFAULT), undo_id)
            except ValidationError as exc:
                raise UndoConflictError(message("undo_refused", batch=batch_id, why=exc)) from None
        return len(changes)

    def bands(self, kind: str) -> Bands:
        """The configured revenue or headcount bands."""
        if kind not in self._bands_cache:
            default = DEFAULT_REVENUE_EDGES if kind == "revenue" else DEFAULT_HEADCOUNT_EDGES
            edges = self.get_setting(f"{kind}_band_edges", list(default))
            self._bands_cache[kind] = Bands(kind, tuple(edges))
        return self._bands_cache[kind]

    # -- transactions -----------------------------------------------------------------

    def check_writable(self) -> None:
        """Raise :class:`ReadOnlyError` when the store was opened read-only."""
        if self.read_only:
            raise ReadOnlyError("this CRM was opened with read_only=True; it cannot change data")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A transaction; nested uses join the outer one. Rolls back on any exception."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.con.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._settings_written.clear()
            self.con.execute("ROLLBACK")
            self._forget_derived()  # a cache may hold what the transaction had written
            raise
        self._depth = 0
        token = self._seen_version if self.read_only else self._next_version()
        self.con.execute("COMMIT")
        self._seen_version = token

    def _next_version(self) -> str:
        """Write a new data version in the open transaction (see :meth:`operation`)."""
        token = uuid.uuid4().hex
        self._write_version(token)
        return token

    def new_batch(
        self,
        operation: str,
        actor: str,
        description: str = "",
        details: Any = None,
        undoes: int | None = None,
    ) -> int:
        """Open a batch (one user-visible operation) and return its id."""
        self.check_writable()
        row = first(
            self.con.execute(
                "INSERT INTO batches (id, created_at, actor, operation, description, details, "
                "undoes) VALUES (nextval('batches_id_seq'), ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    now_utc(),
                    actor,
                    operation,
                    description,
                    None if details is None else json.dumps(details, default=str),
                    undoes,
                ],
            )
        )
        assert row is not None
        return int(row[0])

    def finish_batch(self, batch_id: int) -> int:
        """Check what the batch wrote, record how many history rows it has; return that count.

        Raises :class:`IntegrityError` (or :class:`ParentCycleError`) when the batch broke
        a rule between records (see :mod:`crmkit._core._integrity`); called inside the batch's
        transaction, so the whole batch is then rolled back.
        """
        # One read of the batch's history rows gives both their count and what they wrote.
        written = self.con.execute(
            "SELECT table_name, field, count(*) FROM history WHERE batch_id = ? "
            "GROUP BY table_name, field",
            [batch_id],
        ).fetchall()
        n = sum(int(r[2]) for r in written)
        vouched = self._vouched.pop(batch_id, {})
        settings = self._settings_written.pop(batch_id, 0)
        if n:
            touched = {
                (str(t), None if f is None else str(f))
                for t, f, count in written
                # Every row of this reference written by a write that checked its target.
                if f is None or vouched.get((str(t), str(f))) != int(count)
            }
            self.raise_for(batch_breaches(self.con, batch_id, touched))
        n += settings  # a setting changed counts as one change
        self.con.execute("UPDATE batches SET n_changes = ? WHERE id = ?", [n, batch_id])
        return n

    def add_batch_details(self, batch_id: int, details: Mapping[str, Any]) -> None:
        """Add keys to a batch's ``details`` (an import's counts, known at its end)."""
        self.check_writable()
        self.con.execute(
            "UPDATE batches SET details = json_merge_patch(coalesce(details, '{}'), ?::JSON) "
            "WHERE id = ?",
            [json.dumps(details, default=str), batch_id],
        )

    def drop_batch_if_empty(self, batch_id: int) -> None:
        """Forget a batch that changed nothing, so the list of batches shows real changes."""
        self.check_writable()
        self.con.execute(
            "DELETE FROM batches WHERE id = ? AND NOT EXISTS "
            "(SELECT 1 FROM history WHERE batch_id = ?)",
            [batch_id, batch_id],
        )

    # -- batches committed in parts (imports) ------------------------------------------

    def start_batch_in_parts(
        self, operation: str, actor: str, description: str = "", details: Any = None
    ) -> int:
        """Open and commit a batch that will be written by several transactions.

        A large import commits every chunk, so that DuckDB does not hold the whole file
        as one uncommitted transaction in memory. Until :meth:`complete_batch` commits,
        the batch is marked incomplete in ``meta`` (key ``incomplete_batch:<id>``, the
        description as value): :meth:`discard_batch` removes what its committed parts
        wrote, and the next read-write open does so when the process died before the end.

        Examples
        --------
        >>> store = Store()
        >>> batch = store.start_batch_in_parts("import", "me", "import contacts from a.csv")
        >>> store.incomplete_batches()
        [(1, 'import contacts from a.csv')]
        >>> store.discard_batch(batch)
        >>> store.incomplete_batches(), store.con.execute("SELECT count(*) FROM batches").fetchone()
        ([], (0,))
        >>> store.close()
        """
        self.check_writable()
        with self.transaction():
            batch_id = self.new_batch(operation, actor, description, details)
            self.con.execute(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [f"{_INCOMPLETE}{batch_id}", description or operation],
            )
        return batch_id

    def complete_batch(self, batch_id: int) -> None:
        """Mark a batch opened by :meth:`start_batch_in_parts` complete (in the caller's
        last transaction, with :meth:`finish_batch`)."""
        self.con.execute("DELETE FROM meta WHERE key = ?", [f"{_INCOMPLETE}{batch_id}"])

    def incomplete_batches(self) -> list[tuple[int, str]]:
        """Batches written in parts that never completed: ``(batch id, description)``."""
        rows = self.con.execute(
            "SELECT key, value FROM meta WHERE starts_with(key, ?) ORDER BY key", [_INCOMPLETE]
        ).fetchall()
        found = [(key[len(_INCOMPLETE) :], str(value)) for key, value in rows]
        return [(int(number), value) for number, value in found if number.isdigit()]

    def discard_batch(self, batch_id: int) -> None:
        """Remove every trace of an incomplete batch, in one transaction.

        The committed parts' changes are reverted from history (fields put back, inserted
        records removed, removed records put back), then the batch's history rows,
        rejected rows, batch row and mark are deleted: the file is as before the batch.
        """
        self.check_writable()
        rows = self.con.execute(
            "SELECT DISTINCT operation, table_name, field FROM history WHERE batch_id = ?",
            [batch_id],
        ).fetchall()
        self._check_history_names(batch_id, rows)
        tables = sorted({str(r[1]) for r in rows})
        with self.transaction():
            # The reverting writes history rows of their own, deleted below with the batch's.
            scratch = self.new_batch("discard", "crmkit", f"discard of batch {batch_id}")
            for name in tables:
                self._undo_deletes(name, batch_id, scratch, "crmkit")
            for name in tables:
                self._undo_updates(name, batch_id, scratch, "crmkit")
            for name in tables:
                self.con.execute(
                    f"DELETE FROM {name} WHERE id IN (SELECT record_id FROM "
                    "history WHERE batch_id = ? AND table_name = ? AND operation = 'insert')",
                    [batch_id, name],
                )
            ids = [batch_id, scratch]
            self.con.execute("DELETE FROM history WHERE batch_id IN (?, ?)", ids)
            self.con.execute("DELETE FROM import_rejects WHERE batch_id = ?", [batch_id])
            self.con.execute("DELETE FROM batches WHERE id IN (?, ?)", ids)
            self.complete_batch(batch_id)

    def _discard_incomplete(self) -> None:
        """On a read-write open, roll back the batches a dead process left incomplete; a
        read-only open warns that it sees their committed parts."""
        incomplete = self.incomplete_batches()
        for batch_id, description in incomplete:
            where = self.path or "this database"
            if self.read_only:
                warnings.warn(
                    f"{where} holds the first parts of batch {batch_id} ({description}), "
                    "left incomplete when the process writing it stopped; this read-only "
                    "CRM sees them. Open it once without read_only=True to roll them back.",
                    CRMKitWarning,
                    stacklevel=4,
                )
                continue
            self.discard_batch(batch_id)
            warnings.warn(
                f"batch {batch_id} ({description}) of {where} was left incomplete when the "
                "process writing it stopped; what it had written was rolled back. Run it "
                "again.",
                CRMKitWarning,
                stacklevel=4,
            )

    def save_rejects(self, rows: pa.Table) -> None:
        """Keep rows an import could not store: ``batch_id, kind, source, line, raw, reasons``.

        ``raw`` is JSON text of the row's cells as read; nothing of it is ever run.
        """
        self.check_writable()
        self.con.register("_crmkit_rejects", rows)
        try:
            self.con.execute(
                "INSERT INTO import_rejects SELECT batch_id, kind, source, line, "
                "CAST(raw AS JSON), reasons FROM _crmkit_rejects"
            )
        finally:
            self.con.unregister("_crmkit_rejects")

    @staticmethod
    def raise_for(breaches: list[Breach]) -> None:
        """Raise the error that fits what a batch broke (nothing when the list is empty)."""
        if not breaches:
            return
        text = message("semicolon_sep").join(b.describe() for b in breaches[:5])
        if len(breaches) > 5:
            text += message("and_more", count=len(breaches) - 5)
        cls = ParentCycleError if any(b.kind == "cycle" for b in breaches) else IntegrityError
        raise cls(message("integrity_not_saved", why=text), breaches)

    # -- writing records --------------------------------------------------------------

    def columns_of(self, table: str) -> dict[str, str]:
        """Column name to DuckDB type for a record table."""
        if table in CATALOG:
            return {f.name: f.sql_type for f in self.catalog[table]}
        return dict(RECORD_TABLES[table])

    def next_ids(self, table: str, n: int) -> list[int]:
        """Reserve ``n`` new ids for ``table``."""
        if n == 0:
            return []
        rows = self.con.execute(f"SELECT nextval('{table}_id_seq') FROM range(?)", [n]).fetchall()
        return [int(r[0]) for r in rows]

    def insert(self, table: str, data: pa.Table, batch_id: int, actor: str) -> list[int]:
        """Insert rows (an Arrow table with catalog columns); return their new ids.

        Missing ``id`` values are drawn from the table's sequence; ``created_*`` and
        ``updated_*`` are stamped here. One ``insert`` history row per record.
        """
        self.check_writable()
        n = data.num_rows
        if n == 0:
            return []
        if "id" in data.column_names:
            given = data.column("id").to_pylist()
            if any(v is None for v in given):
                fresh = iter(self.next_ids(table, sum(v is None for v in given)))
                given = [next(fresh) if v is None else v for v in given]
            ids = [int(v) for v in given]
            data = data.set_column(data.column_names.index("id"), "id", pa.array(ids, pa.int64()))
        else:
            ids = self.next_ids(table, n)
            data = data.append_column("id", pa.array(ids, pa.int64()))
        stamp = now_utc()
        for name, value in (("created_at", stamp), ("updated_at", stamp)):
            if name not in data.column_names:
                data = data.append_column(name, pa.array([value] * n, pa.timestamp("us")))
        for name in ("created_by", "updated_by"):
            if name not in data.column_names:
                data = data.append_column(name, pa.array([actor] * n, pa.string()))
        cols = self.columns_of(table)
        names = [c for c in data.column_names if c in cols]
        select = ", ".join(f"{_cast(c, cols[c])} AS {c}" for c in names)
        self.con.register("_crmkit_insert", data)
        try:
            self.con.execute(
                f"INSERT INTO {table} ({', '.join(names)}) SELECT {select} FROM _crmkit_insert"
            )
            self.con.execute(
                "INSERT INTO history SELECT ?, ?, ?, 'insert', ?, id, NULL, NULL, NULL "
                "FROM _crmkit_insert",
                [batch_id, stamp, actor, table],
            )
        finally:
            self.con.unregister("_crmkit_insert")
        return ids

    def update(
        self,
        table: str,
        changes: pa.Table,
        batch_id: int,
        actor: str,
        operation: str = "update",
        *,
        merge: bool = False,
    ) -> int:
        """Set fields of existing records from an Arrow table with an ``id`` column.

        Every other column is a field to set on the record with that id (nulls included).
        With ``merge=True`` (imports), a null keeps the stored value, lists are unioned
        and ``custom`` JSON objects are merged. Only values that really change are written
        and recorded in history. Returns the number of records changed.
        """
        self.check_writable()
        if changes.num_rows == 0:
            return 0
        cols = self.columns_of(table)
        fields = [c for c in changes.column_names if c != "id"]
        unknown = [c for c in fields if c not in cols]
        if unknown:
            raise KeyError(f"not columns of {table}: {unknown}")
        stamp = now_utc()
        self.con.register("_crmkit_changes", changes)

        def incoming(f: str) -> str:
            new = _cast(f"c.{f}", cols[f])
            if not merge:
                return new
            if cols[f].endswith("[]"):
                # Union that keeps the stored order, then the new items in file order.
                old = f"coalesce(t.{f}, [])"
                return (
                    f"CASE WHEN {new} IS NULL THEN t.{f} ELSE list_concat({old}, "
                    f"list_filter({new}, lambda x: NOT list_contains({old}, x))) END"
                )
            if cols[f] == "JSON":
                return f"coalesce(json_merge_patch(t.{f}, {new}), {new}, t.{f})"
            return f"coalesce({new}, t.{f})"

        try:
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE _crmkit_chg AS SELECT "
                + ", ".join(
                    ["CAST(c.id AS BIGINT) AS id"] + [f"{incoming(f)} AS {f}" for f in fields]
                )
                + f" FROM _crmkit_changes c JOIN {table} t ON t.id = CAST(c.id AS BIGINT)"
            )
        finally:
            self.con.unregister("_crmkit_changes")
        try:
            for f in fields:
                self.con.execute(
                    f"INSERT INTO history SELECT ?, ?, ?, ?, ?, t.id, ?, to_json(t.{f}), "
                    f"to_json(c.{f}) FROM {table} t JOIN _crmkit_chg c ON c.id = t.id "
                    f"WHERE t.{f} IS DISTINCT FROM c.{f}",
                    [batch_id, stamp, actor, operation, table, f],
                )
            changed_cond = " OR ".join(f"t.{f} IS DISTINCT FROM c.{f}" for f in fields)
            assignments = [f"{f} = c.{f}" for f in fields]
            if "updated_at" in cols and "updated_at" not in fields:
                assignments += ["updated_at = ?", "updated_by = ?"]
                params: list[Any] = [stamp, actor]
            else:
                params = []
            row = first(
                self.con.execute(
                    f"UPDATE {table} t SET {', '.join(assignments)} FROM _crmkit_chg c "
                    f"WHERE t.id = c.id AND ({changed_cond})",
                    params,
                )
            )
        finally:
            self.con.execute("DROP TABLE IF EXISTS _crmkit_chg")
        return int(row[0]) if row else 0

    def set_where_ids(
        self,
        table: str,
        ids_sql: str,
        ids_params: Sequence[Any],
        values: Mapping[str, Any],
        batch_id: int,
        actor: str,
        operation: str = "update",
    ) -> int:
        """Set ``values`` on every record whose id the SQL ``ids_sql`` selects.

        ``ids_sql`` is a trusted ``SELECT id ...`` built by crmkit with ``?`` parameters.
        A value is either a constant (bound as a parameter) or an :class:`SqlExpr`
        computed from the record's current columns (``t.tags`` ...). This is the
        set-based path for bulk edits: reassigning 100k contacts is one INSERT into
        history and one UPDATE. Returns the number of records changed.
        """
        self.check_writable()
        cols = self.columns_of(table)
        unknown = [f for f in values if f not in cols]
        if unknown:
            raise KeyError(f"not columns of {table}: {unknown}")
        stamp = now_utc()
        exprs: dict[str, tuple[str, list[Any]]] = {}
        for f, value in values.items():
            if isinstance(value, SqlExpr):
                exprs[f] = (_cast(f"({value.sql})", cols[f]), list(value.params))
            else:
                exprs[f] = (_cast("?", cols[f]), [value])
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE _crmkit_ids AS SELECT DISTINCT id FROM ({ids_sql})",
            list(ids_params),
        )
        try:
            for f, (expr, params) in exprs.items():
                inserted = first(
                    self.con.execute(
                        f"INSERT INTO history SELECT ?, ?, ?, ?, ?, t.id, ?, to_json(t.{f}), "
                        f"to_json({expr}) FROM {table} t JOIN _crmkit_ids i ON i.id = t.id "
                        f"WHERE t.{f} IS DISTINCT FROM {expr}",
                        [batch_id, stamp, actor, operation, table, f, *params, *params],
                    )
                )
                if inserted and not isinstance(values[f], SqlExpr):
                    self._vouch(table, f, values[f], batch_id, operation, int(inserted[0]))
            assignments = [f"{f} = {expr}" for f, (expr, _) in exprs.items()]
            set_params: list[Any] = [p for _, params in exprs.values() for p in params]
            if "updated_at" in cols and "updated_at" not in values:
                assignments += ["updated_at = ?", "updated_by = ?"]
                set_params += [stamp, actor]
            changed = " OR ".join(
                f"t.{f} IS DISTINCT FROM {expr}" for f, (expr, _) in exprs.items()
            )
            where_params = [p for _, params in exprs.values() for p in params]
            row = first(
                self.con.execute(
                    f"UPDATE {table} t SET {', '.join(assignments)} FROM _crmkit_ids i "
                    f"WHERE t.id = i.id AND ({changed})",
                    [*set_params, *where_params],
                )
            )
        finally:
            self.con.execute("DROP TABLE IF EXISTS _crmkit_ids")
        return int(row[0]) if row else 0

    def _vouch(
        self, table: str, field: str, value: Any, batch_id: int, operation: str, rows: int
    ) -> None:
        """Record that ``rows`` history rows of ``batch_id`` set reference ``field`` to
        ``value``, when that one target breaks no rule: it exists, is live where the
        reference must point at a live record, and is an active owner (unless the
        operation may keep an owner). Parent links are never vouched for (a loop goes
        through the records written, not the target alone).

        The batch's integrity check then skips that reference if every row of it in the
        batch was vouched for; any other write of it in the batch keeps the check.
        """
        ref = next((r for r in REFERENCES if r[:2] == (table, field)), None)
        if ref is None or (table, field) in GRAPHS or value is None:
            return
        target, live = ref[2], ref[3]
        conditions = ["id = ?"]
        if live:
            conditions.append("deleted_at IS NULL AND merged_into IS NULL")
        if target == "owners" and field == "owner_id" and operation not in KEEPS_OWNER:
            conditions.append("coalesce(active, TRUE)")
        found = first(
            self.con.execute(
                f"SELECT count(*) FROM {target} WHERE {' AND '.join(conditions)}", [value]
            )
        )
        if found and found[0]:
            per_batch = self._vouched.setdefault(batch_id, {})
            per_batch[(table, field)] = per_batch.get((table, field), 0) + rows

    def repoint(
        self,
        table: str,
        field: str,
        mapping: pa.Table,
        batch_id: int,
        actor: str,
        operation: str = "update",
    ) -> int:
        """Point ``field`` of every record of ``table`` holding an ``old`` id at its ``new`` one.

        ``mapping`` is an Arrow table of ``old`` and ``new`` ids (each ``old`` once). A
        record is never made to point at itself (a survivor's own link stays as it is).
        This is the set-based path of merges: re-pointing the contacts of 10,000 merged
        accounts is one INSERT into history and one UPDATE. Returns the number of records
        changed.
        """
        self.check_writable()
        cols = self.columns_of(table)
        if field not in cols:
            raise KeyError(f"not a column of {table}: {field}")
        if mapping.num_rows == 0:
            return 0
        stamp = now_utc()
        self.con.register("_crmkit_mapping", mapping)
        self_link = any(s == table and f == field and t == table for s, f, t, _ in REFERENCES)
        try:
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE _crmkit_rep AS SELECT t.id AS id, "
                f"CAST(m.new AS BIGINT) AS new FROM {table} t JOIN _crmkit_mapping m "
                f"ON t.{field} = CAST(m.old AS BIGINT)"
                + (" WHERE t.id <> CAST(m.new AS BIGINT)" if self_link else "")
            )
        finally:
            self.con.unregister("_crmkit_mapping")
        try:
            self.con.execute(
                f"INSERT INTO history SELECT ?, ?, ?, ?, ?, t.id, ?, to_json(t.{field}), "
                f"to_json(r.new) FROM {table} t JOIN _crmkit_rep r ON r.id = t.id",
                [batch_id, stamp, actor, operation, table, field],
            )
            touch = ", updated_at = ?, updated_by = ?" if "updated_at" in cols else ""
            row = first(
                self.con.execute(
                    f"UPDATE {table} t SET {field} = r.new{touch} FROM _crmkit_rep r "
                    f"WHERE t.id = r.id",
                    [stamp, actor] if touch else [],
                )
            )
        finally:
            self.con.execute("DROP TABLE IF EXISTS _crmkit_rep")
        return int(row[0]) if row else 0

    def hard_delete(self, table: str, ids: Sequence[int], batch_id: int, actor: str) -> int:
        """Remove records for good, keeping each whole row in history so undo can restore it."""
        self.check_writable()
        if not ids:
            return 0
        stamp = now_utc()
        id_list = [int(i) for i in ids]
        self.con.execute(
            f"INSERT INTO history SELECT ?, ?, ?, 'delete', ?, t.id, NULL, to_json(t), NULL "
            f"FROM {table} t WHERE t.id IN (SELECT unnest(?::BIGINT[]))",
            [batch_id, stamp, actor, table, id_list],
        )
        row = first(
            self.con.execute(
                f"DELETE FROM {table} WHERE id IN (SELECT unnest(?::BIGINT[]))", [id_list]
            )
        )
        return int(row[0]) if row else 0

    # -- reading ----------------------------------------------------------------------

    def fetch_record(self, table: str, record_id: int) -> dict[str, Any]:
        """One record as a dict; raises :class:`RecordNotFoundError`."""
        cur = self.con.execute(f"SELECT * FROM {table} WHERE id = ?", [int(record_id)])
        row = first(cur)
        if row is None:
            raise RecordNotFoundError(
                message("record_not_found", noun=record_noun(table), id=record_id)
            )
        names = [d[0] for d in cur.description or []]
        return dict(zip(names, row, strict=True))

    # -- undo -------------------------------------------------------------------------

    def undo(self, batch_id: Any, actor: str, *, detach: bool = False) -> UndoSummary:
        """Revert every change of ``batch_id`` as a new ``undo`` batch.

        Refuses with :class:`UndoConflictError` when a later batch changed the same fields
        or records, or when undoing would leave a reference (account, owner, parent,
        reports_to, team, merged_into, subscription) pointing at a record that no longer
        exists or is no longer live, naming the batch that made the reference; with
        ``detach=True`` those references are set to nothing instead, in the same undo
        batch (so undoing the undo puts them back). Refuses with :class:`UndoError` for
        an unknown or already undone batch.
        """
        self.check_writable()
        try:
            batch_id = whole_id(batch_id, "batch")
        except ValidationError as exc:
            raise UndoError(str(exc)) from None
        batch = first(
            self.con.execute(
                "SELECT id, operation, undone_by FROM batches WHERE id = ?", [batch_id]
            )
        )
        if batch is None:
            raise UndoError(message("undo_no_batch", batch=batch_id))
        if batch[2] is not None:
            raise UndoError(message("undo_already", batch=batch_id, by=batch[2]))
        self._refuse_erased(batch_id, str(batch[1]))
        redone_by = self._redone_by(batch_id)
        if redone_by is not None:
            # Undone, then redone: the change is back, carried by the last undo of the
            # chain. Undoing that one reverts it again; reverting the first batch's rows
            # as well would revert it twice.
            return self.undo(redone_by, actor, detach=detach)
        refuse_if_compacted(self, batch_id)  # personal values past the history horizon
        rows = self.con.execute(
            "SELECT DISTINCT operation, table_name, field FROM history WHERE batch_id = ?",
            [batch_id],
        ).fetchall()
        if not rows and not self._setting_changes(batch_id):
            raise UndoError(message("undo_nothing", batch=batch_id))
        self._check_history_names(batch_id, rows)
        self._check_undo_conflicts(batch_id)
        try:
            return self._undo_batch(batch_id, batch[1], rows, actor, detach)
        finally:
            self._catalog = None  # custom fields may have changed, or been rolled back

    def _refuse_erased(self, batch_id: int, operation: str) -> None:
        """Refuse to undo an erasure, or a batch that changed a record erased since."""
        logged = first(
            self.con.execute("SELECT count(*) FROM erasures WHERE batch_id = ?", [batch_id])
        )
        if operation == "erase" or (logged and logged[0]):  # an erasure inside crm.batch()
            raise UndoError(message("erase_no_undo", batch=batch_id))
        hit = first(
            self.con.execute(
                "SELECT e.erasure_id, h.table_name, h.record_id FROM history h "
                "JOIN erased_records e ON e.table_name = h.table_name "
                "AND e.record_id = h.record_id WHERE h.batch_id = ? "
                "ORDER BY h.table_name, h.record_id LIMIT 1",
                [batch_id],
            )
        )
        if hit is not None:
            record = _record_of(str(hit[1]), int(hit[2]))
            raise UndoError(
                message("erase_undo_refused", batch=batch_id, record=record, erasure=hit[0])
            )

    def _undo_batch(
        self,
        batch_id: int,
        operation: str,
        rows: Sequence[tuple[Any, ...]],
        actor: str,
        detach: bool,
    ) -> UndoSummary:
        batch = (batch_id, operation)
        with self.transaction():
            undo_id = self.new_batch(
                "undo", actor, f"undo of batch {batch_id} ({batch[1]})", undoes=batch_id
            )
            restored_fields = removed = restored = 0
            tables = sorted({r[1] for r in rows})
            fields_changed = "custom_fields" in tables
            if fields_changed:
                # Definitions first: the columns they name must exist before values return.
                restored += self._undo_deletes("custom_fields", batch_id, undo_id, actor)
                restored_fields += self._undo_updates("custom_fields", batch_id, undo_id, actor)
                self._catalog = None
                sync_custom_columns(self, undo_id)
            records = [t for t in tables if t != "custom_fields"]
            # Order matters for references: restore deleted rows first, remove inserts last.
            for table in records:
                restored += self._undo_deletes(table, batch_id, undo_id, actor)
            for table in records:
                restored_fields += self._undo_updates(table, batch_id, undo_id, actor)
            for table in tables:
                removed += self._undo_inserts(table, batch_id, undo_id, actor)
            if fields_changed:
                self._catalog = None
                settle_custom_columns(self, undo_id)
            settings = self._undo_settings(batch_id, undo_id)
            broken = dangling(self.con, undo_id)
            if broken and not detach:
                why = message("semicolon_sep").join(
                    self._describe_dangling(b, undo_id) for b in broken[:5]
                ) + (message("and_more", count=len(broken) - 5) if len(broken) > 5 else "")
                raise UndoConflictError(
                    message("undo_refused", batch=batch_id, why=message("undo_or_detach", why=why))
                )
            for breach in broken:
                self.set_where_ids(
                    breach.table,
                    "SELECT ?::BIGINT AS id",
                    [breach.record_id],
                    {breach.field: None},
                    undo_id,
                    actor,
                    "detach",
                )
            self.con.execute("UPDATE batches SET undone_by = ? WHERE id = ?", [undo_id, batch_id])
            self._chain_undone(batch_id)
            try:
                self.finish_batch(undo_id)
            except IntegrityError as exc:
                raise UndoConflictError(message("undo_refused", batch=batch_id, why=exc)) from None
        return UndoSummary(
            undo_id, batch_id, restored_fields, removed, restored, len(broken), settings
        )

    def _redone_by(self, batch_id: int) -> int | None:
        """The last batch of the undo chain below ``batch_id``, if it was ever undone."""
        last = None
        current = batch_id
        while True:
            row = first(
                self.con.execute(
                    "SELECT max(id) FROM batches WHERE undoes = ? AND operation = 'undo'",
                    [current],
                )
            )
            if row is None or row[0] is None:
                return last
            last = current = int(row[0])

    def _chain_undone(self, undone: int) -> None:
        """Keep ``undone_by`` true along a chain of undos of undos.

        ``undone`` was just undone. If it was itself an undo of T, T is in force again
        (it may be undone again); if T was an undo of U, U is undone again, by T; and so on.
        """
        while True:
            row = first(self.con.execute("SELECT undoes FROM batches WHERE id = ?", [undone]))
            if row is None or row[0] is None:
                return
            back = int(row[0])  # in force again
            self.con.execute("UPDATE batches SET undone_by = NULL WHERE id = ?", [back])
            row = first(self.con.execute("SELECT undoes FROM batches WHERE id = ?", [back]))
            if row is None or row[0] is None:
                return
            undone = int(row[0])  # undone again, by `back`
            self.con.execute("UPDATE batches SET undone_by = ? WHERE id = ?", [back, undone])

    def _check_history_names(self, batch_id: int, rows: Sequence[tuple[Any, ...]]) -> None:
        """Table and field names read from history must be crmkit's own before any SQL."""
        restored = self._restored_custom_names(batch_id)
        for _, table, field in rows:
            known = table in CATALOG or table in RECORD_TABLES
            if known and field is not None and field not in self.columns_of(table):
                if (table, field) in restored:
                    continue  # a custom field this undo puts back, column included
                if table in CATALOG and NAME_RE.fullmatch(str(field)):
                    raise UndoConflictError(
                        message(
                            "undo_refused",
                            batch=batch_id,
                            why=message("cf_renamed_since", field=f"{table}.{field}"),
                        )
                    )
            if not known or (
                field is not None
                and field not in self.columns_of(table)
                and (table, field) not in restored
            ):
                name = shorten(table if not known else f"{table}.{field}", 50)
                raise UndoError(
                    f"batch {batch_id} cannot be undone: its history names {name}, which is "
                    "not a crmkit table or field; the file was changed outside crmkit"
                )

    def _restored_custom_names(self, batch_id: int) -> set[tuple[str, str]]:
        """``(table, field)`` of the custom fields undoing ``batch_id`` would put back."""
        rows = self.con.execute(
            "SELECT old_value ->> 'kind', old_value ->> 'name' FROM history WHERE batch_id = ? "
            "AND table_name = 'custom_fields' AND operation = 'delete' AND field IS NULL "
            "UNION SELECT d.kind, h.old_value ->> '$' FROM history h JOIN custom_fields d "
            "ON d.id = h.record_id WHERE h.batch_id = ? AND h.table_name = 'custom_fields' "
            "AND h.field = 'name'",
            [batch_id, batch_id],
        ).fetchall()
        return {(str(k), str(n)) for k, n in rows}

    def _describe_dangling(self, breach: Breach, undo_id: int) -> str:
        """Say which reference an undo would break, and which batch stands in the way."""
        table, record_id, field = breach.table, breach.record_id, breach.field
        target_id = breach.target
        target = next(t for s, f, t, _ in REFERENCES if (s, f) == (table, field))[:-1]
        restored = first(
            self.con.execute(
                "SELECT count(*) FROM history WHERE batch_id = ? AND table_name = ? "
                "AND record_id = ? AND (field = ? OR field IS NULL)",
                [undo_id, table, record_id, field],
            )
        )
        if restored and restored[0]:
            # The undo puts back a reference to a record a later batch removed.
            removed_by = first(
                self.con.execute(
                    "SELECT max(batch_id) FROM history WHERE table_name = ? AND record_id = ? "
                    "AND batch_id <> ? AND (field IN ('deleted_at', 'merged_into') "
                    "OR (field IS NULL AND operation = 'delete'))",
                    [target + "s", target_id, undo_id],
                )
            )
            by = (
                message("by_batch", batch=removed_by[0])
                if removed_by and removed_by[0]
                else message("later_change")
            )
            where = _record_field(table, record_id, field)
            noun = record_noun(target + "s")
            return message("undo_points_back", where=where, noun=noun, id=target_id, by=by)
        set_by = first(
            self.con.execute(
                "SELECT max(batch_id) FROM history WHERE table_name = ? AND record_id = ? "
                "AND (field = ? OR (field IS NULL AND operation = 'insert')) AND batch_id <> ?",
                [table, record_id, field, undo_id],
            )
        )
        by = (
            message("by_batch", batch=set_by[0])
            if set_by and set_by[0] is not None
            else message("later_change")
        )
        where = _record_field(table, record_id, field)
        noun = record_noun(target + "s")
        return message("undo_still_referenced", noun=noun, id=target_id, where=where, by=by)

    def _check_undo_conflicts(self, batch_id: int) -> None:
        # A field conflicts when its current value is no longer what the batch wrote.
        conflicts: list[str] = []
        fields = self.con.execute(
            "SELECT DISTINCT table_name, field FROM history "
            "WHERE batch_id = ? AND field IS NOT NULL",
            [batch_id],
        ).fetchall()
        for table, field in fields:
            if field not in self.columns_of(table):
                continue  # a custom field dropped or renamed since: _check_history_names
            found = self.con.execute(
                f"SELECT h.record_id, (SELECT max(l.batch_id) FROM history l "
                f"  WHERE l.table_name = h.table_name AND l.record_id = h.record_id "
                f"  AND l.field = h.field AND l.batch_id > h.batch_id) AS later "
                f"FROM history h LEFT JOIN {table} t ON t.id = h.record_id "
                f"WHERE h.batch_id = ? AND h.table_name = ? AND h.field = ? "
                f"AND (t.id IS NULL OR to_json(t.{field})::VARCHAR "
                f"     IS DISTINCT FROM h.new_value::VARCHAR) LIMIT 5",
                [batch_id, table, field],
            ).fetchall()
            for record_id, later in found:
                by = (
                    message("by_batch", batch=later)
                    if later is not None
                    else message("outside_change")
                )
                where = _record_field(table, record_id, field)
                conflicts.append(message("undo_changed_since", where=where, by=by))
        # An inserted record conflicts when a later, still effective batch touched it.
        touched = self.con.execute(
            "SELECT DISTINCT i.table_name, i.record_id, l.batch_id FROM history i "
            "JOIN history l ON l.table_name = i.table_name AND l.record_id = i.record_id "
            "JOIN batches b ON b.id = l.batch_id "
            "WHERE i.batch_id = ? AND i.operation = 'insert' AND l.batch_id > i.batch_id "
            "AND b.undone_by IS NULL AND b.operation <> 'undo' LIMIT 5",
            [batch_id],
        ).fetchall()
        for table, record_id, later in touched:
            record = _record_of(table, record_id)
            conflicts.append(message("undo_created_changed", record=record, later=later))
        if conflicts:
            why = message("undo_later_first", why=message("semicolon_sep").join(conflicts))
            raise UndoConflictError(message("undo_refused", batch=batch_id, why=why))

    def _undo_updates(self, table: str, batch_id: int, undo_id: int, actor: str) -> int:
        cols = self.columns_of(table)
        fields = [
            r[0]
            for r in self.con.execute(
                "SELECT DISTINCT field FROM history WHERE batch_id = ? AND table_name = ? "
                "AND field IS NOT NULL",
                [batch_id, table],
            ).fetchall()
        ]
        stamp = now_utc()
        total = 0
        for f in fields:
            old = _decode_expr("h.old_value", cols[f])
            self.con.execute(
                f"INSERT INTO history SELECT ?, ?, ?, 'undo', ?, t.id, ?, to_json(t.{f}), "
                f"h.old_value FROM {table} t JOIN history h ON h.record_id = t.id "
                f"WHERE h.batch_id = ? AND h.table_name = ? AND h.field = ?",
                [undo_id, stamp, actor, table, f, batch_id, table, f],
            )
            touch = ", updated_at = ?, updated_by = ?" if "updated_at" in cols else ""
            params: list[Any] = [stamp, actor] if touch else []
            row = first(
                self.con.execute(
                    f"UPDATE {table} t SET {f} = {old}{touch} FROM history h "
                    f"WHERE h.record_id = t.id AND h.batch_id = ? AND h.table_name = ? "
                    f"AND h.field = ?",
                    [*params, batch_id, table, f],
                )
            )
            total += int(row[0]) if row else 0
        return total

    def _undo_inserts(self, table: str, batch_id: int, undo_id: int, actor: str) -> int:
        ids = [
            int(r[0])
            for r in self.con.execute(
                "SELECT record_id FROM history WHERE batch_id = ? AND table_name = ? "
                "AND operation = 'insert'",
                [batch_id, table],
            ).fetchall()
        ]
        return self.hard_delete(table, ids, undo_id, actor)

    def _undo_deletes(self, table: str, batch_id: int, undo_id: int, actor: str) -> int:
        cols = self.columns_of(table)
        struct = "{" + ", ".join(f'"{c}": {_json_type(t)}' for c, t in cols.items()) + "}"
        count = first(
            self.con.execute(
                "SELECT count(*) FROM history WHERE batch_id = ? AND table_name = ? "
                "AND operation = 'delete' AND field IS NULL",
                [batch_id, table],
            )
        )
        if not count or not count[0]:
            return 0
        select = ", ".join(
            (f"CAST(r.{c} AS BLOB)" if t == "BLOB" else f"r.{c}") for c, t in cols.items()
        )
        self.con.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} FROM ("
            f"SELECT unnest(json_transform(old_value, '{struct}')) FROM history "
            f"WHERE batch_id = ? AND table_name = ? AND operation = 'delete' "
            f"AND field IS NULL) r",
            [batch_id, table],
        )
        self.con.execute(
            "INSERT INTO history SELECT ?, ?, ?, 'insert', ?, record_id, NULL, NULL, NULL "
            "FROM history WHERE batch_id = ? AND table_name = ? AND operation = 'delete' "
            "AND field IS NULL",
            [undo_id, now_utc(), actor, table, batch_id, table],
        )
        return int(count[0])


def _activity_dates(key: str) -> str:
    """Per record (``key``: ``account_id`` or ``contact_id``), its last activity (a note
    written or a task done) and its next open task's due date, for the views."""
    return (
        f"SELECT {key} AS record_id, "
        "max(CASE WHEN kind = 'note' THEN created_at WHEN status = 'done' "
        "THEN completed_at END) AS last_activity_at, "
        "min(CASE WHEN kind = 'task' AND status = 'open' THEN due_at END) AS next_task_at "
        f"FROM activities WHERE NOT coalesce(deleted, FALSE) AND {key} IS NOT NULL GROUP BY {key}"
    )


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _schema_version(value: Any, path: str | None) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise SchemaVersionError(
            f"{path or 'this database'} records schema version {shorten(value)}, which is "
            "not a number; the file was changed outside crmkit"
        ) from None


def _expected_columns() -> dict[str, dict[str, str]]:
    """The columns of every table crmkit writes, with their DuckDB types."""
    out: dict[str, dict[str, str]] = {
        "meta": {"key": "VARCHAR", "value": "VARCHAR"},
        "settings": {"key": "VARCHAR", "value": "JSON"},
        "batches": BATCH_COLUMNS,
        "history": HISTORY_COLUMNS,
        "import_rejects": REJECT_COLUMNS,
        "erasures": ERASURE_COLUMNS,
        "erased_records": ERASED_RECORD_COLUMNS,
    }
    for tbl in (ACCOUNTS, CONTACTS):
        out[tbl.name] = {f.name: f.sql_type for f in tbl}
    out.update(RECORD_TABLES)
    return out


def _same_type(found: str | None, expected: str) -> bool:
    return found is not None and found.upper() == expected.upper()


def _log_size(where: str) -> int:
    """Bytes in the write-ahead log of the database file ``where`` (0: none)."""
    try:
        return os.path.getsize(where + ".wal")
    except OSError:  # no log: everything is in the file
        return 0


def _timeout(value: Any) -> float:
    """A shared store's wait for a busy file, in seconds (a number, 0 or more)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise StoreOpenError(f"timeout is a number of seconds, 0 or more; got {shorten(value)}")
    return float(value)


def _close_quietly(
    con: duckdb.DuckDBPyConnection | None, owned: bool, held: str | None = None
) -> None:
    if held is not None:
        with _HELD_LOCK:
            if _HELD.get(held, 0) > 1:
                _HELD[held] -= 1
            else:
                _HELD.pop(held, None)
    if owned and con is not None:
        with suppress(duckdb.Error):  # already closed by DuckDB itself
            con.close()


# -- migrations -------------------------------------------------------------------------


def _v1(store: Store) -> None:
    con = store.con
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("CREATE TABLE IF NOT EXISTS settings (key VARCHAR PRIMARY KEY, value JSON)")
    for seq in ("owners", "accounts", "contacts", "batches"):
        con.execute(f"CREATE SEQUENCE IF NOT EXISTS {seq}_id_seq START 1")
    owner_cols = ",\n    ".join(
        f"{c} {t}"
        + (" PRIMARY KEY DEFAULT nextval('owners_id_seq')" if c == "id" else "")
        + (" DEFAULT TRUE" if c == "active" else "")
        for c, t in OWNER_COLUMNS.items()
    )
    con.execute(f"CREATE TABLE IF NOT EXISTS owners (\n    {owner_cols}\n)")
    table: Table
    for table in (ACCOUNTS, CONTACTS):
        con.execute(table.ddl())
    con.execute(
        """CREATE TABLE IF NOT EXISTS batches (
            id BIGINT PRIMARY KEY, created_at TIMESTAMP, actor VARCHAR, operation VARCHAR,
            description VARCHAR, details JSON, n_changes BIGINT, undone_by BIGINT,
            undoes BIGINT)"""
    )
    con.execute(
        """CREATE TABLE IF NOT EXISTS history (
            batch_id BIGINT, changed_at TIMESTAMP, actor VARCHAR, operation VARCHAR,
            table_name VARCHAR, record_id BIGINT, field VARCHAR,
            old_value JSON, new_value JSON)"""
    )
    con.execute(
        """CREATE TABLE IF NOT EXISTS import_rejects (
            batch_id BIGINT, kind VARCHAR, source VARCHAR, line BIGINT,
            raw JSON, reasons VARCHAR)"""
    )


def _v2(store: Store) -> None:
    """Mailing-list subscriptions, duplicate review decisions and saved views."""
    _record_tables(store, ("subscriptions", "duplicate_decisions", "saved_views"))


def _v3(store: Store) -> None:
    """Exchange rates, so amounts in several currencies are banded and summed converted."""
    _record_tables(store, ("exchange_rates",))


def _record_tables(store: Store, names: Sequence[str]) -> None:
    con = store.con
    for table in names:
        columns = RECORD_TABLES[table]
        con.execute(f"CREATE SEQUENCE IF NOT EXISTS {table}_id_seq START 1")
        body = ",\n    ".join(
            f"{c} {t}" + (f" PRIMARY KEY DEFAULT nextval('{table}_id_seq')" if c == "id" else "")
            for c, t in columns.items()
        )
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} (\n    {body}\n)")


def _v4(store: Store) -> None:
    """Activities: notes and tasks on contacts and accounts."""
    _record_tables(store, ("activities",))


def _v5(store: Store) -> None:
    """Contacts' lifecycle stage and the company a lead typed (``company_name``).

    A file made by migration 1 of this crmkit already has them (its DDL comes from the
    catalog), hence ``IF NOT EXISTS``. Existing contacts get no stage (NULL): they are
    the contacts crmkit kept before stages existed, not leads.
    """
    for name in ("lifecycle_stage", "company_name"):
        column = CONTACTS[name]
        store.con.execute(
            f"ALTER TABLE contacts ADD COLUMN IF NOT EXISTS {column.name} {column.sql_type}"
        )


def _v6(store: Store) -> None:
    """Custom fields: the definitions of the columns a database adds (``add_field``)."""
    _record_tables(store, ("custom_fields",))


def _v7(store: Store) -> None:
    """Privacy: which fields are personal, the erasure log and the blocklist.

    The blocklist's salt is made here, once per database, and kept in ``meta``.
    """
    _record_tables(store, ("personal_flags", "blocklist"))
    for table, columns in (
        ("erasures", ERASURE_COLUMNS),
        ("erased_records", ERASED_RECORD_COLUMNS),
    ):
        body = ", ".join(f"{c} {t}" for c, t in columns.items())
        store.con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({body})")
    store.con.execute("CREATE SEQUENCE IF NOT EXISTS erasures_id_seq START 1")
    store.con.execute(
        "INSERT OR IGNORE INTO meta VALUES ('blocklist_salt', ?)", [secrets.token_hex(16)]
    )


#: The contact fields migration 8 adds: legal basis, consent source and date per channel.
CONSENT_FIELDS = (
    "email_basis",
    "email_consent_source",
    "email_consent_at",
    "phone_basis",
    "phone_consent_source",
    "phone_consent_at",
)


def _v8(store: Store) -> None:
    """Contacts' legal basis per channel (email, phone), and the source and date of consent.

    ``IF NOT EXISTS`` as in :func:`_v5`: a file made by migration 1 of this crmkit has
    them already. Existing contacts get no basis (NULL): nobody's consent is assumed.
    """
    for name in CONSENT_FIELDS:
        column = CONTACTS[name]
        store.con.execute(
            f"ALTER TABLE contacts ADD COLUMN IF NOT EXISTS {column.name} {column.sql_type}"
        )


_MIGRATIONS = [(1, _v1), (2, _v2), (3, _v3), (4, _v4), (5, _v5), (6, _v6), (7, _v7), (8, _v8)]


def _record_of(table: str, record_id: int) -> str:
    """How an undo's refusal names a record: ``contacts 3`` (the English of earlier
    versions) until a language is chosen, ``contact 3`` in its words once one is."""
    if chosen_lang() is None:
        return f"{table} {record_id}"
    return message("record_ref", noun=record_noun(table), id=record_id)


def _record_field(table: str, record_id: int, field: str) -> str:
    """A record's field in an undo's refusal: ``contacts 3.account_id``, or by label."""
    field_word = message_field(table, field)
    return message("record_field", record=_record_of(table, record_id), field=field_word)
