"""The CRM facade: what ``ck.open()`` returns.

It groups verbs by job (``crm.owners``, ``crm.accounts``, ``crm.contacts``,
``crm.settings``) and holds the only :class:`~crmkit._core._store.Store` of the session. Widgets
and the command line call exactly these methods.
"""

from __future__ import annotations

import getpass
import html
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from crmkit._api._records import Accounts, Contacts, Owners, _Records
from crmkit._api._views import SavedViews
from crmkit._core._settings import Settings
from crmkit._core._store import Store, UndoSummary, first
from crmkit.schemas._catalog import table as catalog_table
from crmkit.schemas._models import ValidationReport, validate

if TYPE_CHECKING:
    from crmkit._importing._pipeline import ImportPreview, ImportReport, Mode

__all__ = ["CRM", "open"]


class CRM:
    """A CRM database: accounts, contacts, owners, history.

    Use :func:`crmkit.open` to get one. Close it (or use it as a context manager) to
    release the DuckDB file for other processes.
    """

    def __init__(self, store: Store, user: str | None = None) -> None:
        self._store = store
        self._explicit_user = user
        self.user: str = user or _login_name()
        self.settings = Settings(store, self.user)
        self.owners = Owners(self)
        self.accounts = Accounts(self)
        self.contacts = Contacts(self)
        self.views = SavedViews(self)
        #: The batch of the last change made through this CRM object (``None`` before any).
        self.last_batch_id: int | None = None

    # -- life cycle --------------------------------------------------------------------

    @property
    def path(self) -> str | None:
        """The DuckDB file, or ``None`` in memory."""
        return self._store.path

    @property
    def read_only(self) -> bool:
        """Whether this CRM was opened read-only."""
        return self._store.read_only

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection (read from it freely; write through crmkit)."""
        return self._store.con

    def close(self) -> None:
        """Close the database and release its file lock. Safe to call twice."""
        self._store.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._store.closed

    def __enter__(self) -> CRM:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- batches, history, undo ----------------------------------------------------------

    @contextmanager
    def _batch(self, operation: str, description: str = "", details: Any = None) -> Iterator[int]:
        """One transaction and one batch row around a change; yields the batch id."""
        store = self._store
        store.check_writable()
        with store.transaction():
            batch_id = store.new_batch(operation, self.user, description, details)
            yield batch_id
            store.finish_batch(batch_id)
        self.last_batch_id = batch_id

    def _default_owner_id(self, batch: int) -> int | None:
        """The current user's owner id, creating the owner the first time it is needed."""
        if self._explicit_user is None:
            return None
        found = self.owners._find(self._explicit_user)
        if found is None:
            found = self.owners._insert(self._explicit_user, None, "user", None, batch)
        return found

    def _records(self, kind: str) -> _Records:
        return self.accounts if catalog_table(kind).name == "accounts" else self.contacts

    def undo(self, batch_id: int, *, detach: bool = False) -> UndoSummary:
        """Revert every change of a batch (an import, a bulk edit, a merge, a form save).

        The undo is itself a batch (undoing it redoes). It refuses, with
        :class:`~crmkit.UndoConflictError` naming the later batch, when a later batch
        changed the same fields, or when it would leave a reference dangling: undoing
        an import of accounts after contacts were attached to them, say. Undo the later
        batch first, or pass ``detach=True`` to clear those references in the same undo.
        """
        summary = self._store.undo(batch_id, self.user, detach=detach)
        self.last_batch_id = summary.batch_id
        return summary

    def batches(self, limit: int | None = None) -> pd.DataFrame:
        """The operations that changed data, newest first."""
        sql = (
            "SELECT id, created_at, actor, operation, description, n_changes, undone_by, "
            "undoes FROM batches ORDER BY id DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._store.con.sql(sql).df()

    def history(
        self, kind: str | None = None, record_id: int | None = None, batch_id: int | None = None
    ) -> pd.DataFrame:
        """History rows, optionally for one table, one record or one batch.

        Columns: ``changed_at, batch_id, operation, actor, table, record_id, field, old,
        new, undone_by``; ``old`` and ``new`` are decoded values (an inserted record has
        ``operation == "insert"`` and no field).
        """
        where: list[str] = []
        params: list[Any] = []
        if kind is not None:
            where.append("h.table_name = ?")
            params.append(catalog_table(kind).name if kind != "owners" else "owners")
        if record_id is not None:
            where.append("h.record_id = ?")
            params.append(int(record_id))
        if batch_id is not None:
            where.append("h.batch_id = ?")
            params.append(int(batch_id))
        cond = ("WHERE " + " AND ".join(where)) if where else ""
        frame = self._store.con.sql(
            f'SELECT h.changed_at, h.batch_id, h.operation, h.actor, h.table_name AS "table", '
            f"h.record_id, h.field, h.old_value::VARCHAR AS old, h.new_value::VARCHAR AS new, "
            f"b.description, b.undone_by FROM history h JOIN batches b ON b.id = h.batch_id "
            f"{cond} ORDER BY h.batch_id, h.record_id, h.field",
            params=params,
        ).df()
        for col in ("old", "new"):
            frame[col] = pd.Series(
                [_decode(v, f) for v, f in zip(frame[col], frame["field"], strict=True)],
                index=frame.index,
                dtype=object,
            )
        return frame

    # -- importing -----------------------------------------------------------------------

    def import_file(
        self,
        path: str | Path,
        kind: str = "contacts",
        mapping: Mapping[str, str | None] | None = None,
        mode: Mode = "upsert",
        match_on: Sequence[str] | None = None,
        dry_run: bool = False,
        *,
        create_accounts: bool = False,
        create_owners: bool = False,
        dayfirst: bool = True,
        decimal: str | None = None,
        region: str | None = None,
        layout: str | None = None,
        progress: bool = True,
        workers: int | None = None,
        on_duplicate: str | None = "flag",
        in_file_duplicates: str = "merge",
        **read_options: Any,
    ) -> ImportReport:
        """Import a CSV, XLSX or vCard (.vcf) file of contacts or accounts.

        vCards go through the same mapping, normalising, validation, modes, rejects and
        undo as tables; a card that cannot be read is rejected with its line and first
        lines while the others import.

        Parameters
        ----------
        path
            The file. CSV encoding, delimiter and header row are detected; pass
            ``encoding=``, ``delimiter=``, ``header_row=`` or ``sheet=`` (XLSX) to force them.
        kind
            ``"contacts"`` or ``"accounts"``.
        mapping
            ``{header: field}`` overriding the automatic mapping (``None`` keeps a column in
            ``custom``).
        mode
            ``"create"`` (only new records), ``"update"`` (only existing ones) or
            ``"upsert"`` (both).
        match_on
            Fields that identify an existing record (default: ``uid``, else email, else
            first name + last name + account for contacts; name + website domain for
            accounts).
        dry_run
            Do everything, report, and write nothing.
        create_accounts, create_owners
            Create accounts named in a contacts file, and owners named in an owner column,
            when they do not exist (otherwise those rows are rejected).
        dayfirst, decimal, region
            Read ``03/04/2024`` as 3 April (default) or 4 March; the decimal mark
            (``","`` or ``"."``, detected by default); the phone region for numbers written
            without a country code (default: the database's ``default_region``).
        workers
            Processes that normalise rows (default: both cores for files of about 150,000
            rows or more, one otherwise).
        on_duplicate
            New rows that probably duplicate an existing record (the duplicates engine,
            probability >= 0.9): ``"flag"`` (the default) inserts them with a warning,
            ``"skip"`` rejects them with the reason, ``"merge"`` updates the existing
            record instead, ``None`` does not look; ``report.likely_duplicates`` lists
            them.
        in_file_duplicates
            Rows naming the same record as an earlier row of the file (same external id,
            email, or name and company): ``"merge"`` (the default) merges them into it,
            filling blanks, later non-empty values winning (the values they replace are
            listed in ``report.warnings``) and lists united, listed in
            ``report.merged_in_file``; ``"reject"`` rejects them.

        Matching existing records tries the external id (``uid``), then the email, then
        first name + last name + account; a record with another external id than the
        row's is never matched. In an update, only fields the file maps may change:
        a default (the current user as owner, the database's currency) applies to new
        records only.

        Returns
        -------
        ImportReport
        """
        from crmkit._importing._pipeline import Importer

        importer = Importer(
            self,
            kind,
            mapping=mapping,
            mode=mode,
            match_on=match_on,
            dry_run=dry_run,
            create_accounts=create_accounts,
            create_owners=create_owners,
            dayfirst=dayfirst,
            decimal=decimal,
            region=region,
            layout=layout,
            progress=progress,
            workers=workers,
            on_duplicate=on_duplicate,
            in_file_duplicates=in_file_duplicates,
        )
        from crmkit._formats._readers import detect_format

        if detect_format(path) == "vcf":
            return importer.run_vcf(path, **read_options)
        return importer.run(path, str(path), **read_options)

    def import_frame(
        self,
        df: Any,
        kind: str = "contacts",
        mapping: Mapping[str, str | None] | None = None,
        mode: Mode = "upsert",
        match_on: Sequence[str] | None = None,
        dry_run: bool = False,
        **options: Any,
    ) -> ImportReport:
        """Import a pandas or polars DataFrame; same options as :meth:`import_file`."""
        from crmkit._importing._pipeline import Importer, source_name_of

        read_keys = {"chunk_rows"}
        read_options = {k: options.pop(k) for k in list(options) if k in read_keys}
        importer = Importer(
            self, kind, mapping=mapping, mode=mode, match_on=match_on, dry_run=dry_run, **options
        )
        return importer.run(df, source_name_of(df), **read_options)

    def preview_import(
        self,
        path: Any,
        kind: str = "contacts",
        mapping: Mapping[str, str | None] | None = None,
        rows: int = 1000,
        **options: Any,
    ) -> ImportPreview:
        """The proposed mapping, a sample of normalised rows and the problems found.

        Reads only the first ``rows`` rows and writes nothing, so the mapping can be fixed
        before the real import.
        """
        from crmkit._importing._pipeline import Importer, source_name_of

        read_keys = {"encoding", "delimiter", "header_row", "sheet", "skip_rows"}
        read_options = {k: options.pop(k) for k in list(options) if k in read_keys}
        importer = Importer(self, kind, mapping=mapping, **options)
        return importer.preview(path, source_name_of(path), rows=rows, **read_options)

    def rejects(self, batch_id: int | None = None) -> pd.DataFrame:
        """Rows that imports could not store, with line, raw values (JSON) and reasons."""
        cond = "WHERE batch_id = ?" if batch_id is not None else ""
        params = [int(batch_id)] if batch_id is not None else None
        return self._store.con.sql(
            f"SELECT batch_id, kind, source, line, raw::VARCHAR AS raw, reasons "
            f"FROM import_rejects {cond} ORDER BY batch_id, line",
            params=params,
        ).df()

    # -- other verbs ---------------------------------------------------------------------

    def validate(self, df: Any, kind: str) -> ValidationReport:
        """Validate a pandas or polars DataFrame with this database's rules."""
        return validate(
            df,
            kind,
            required=self.settings.required_fields(kind),
            sectors=self.settings.sectors.values,
        )

    def sql(self, query: str, params: Sequence[Any] | None = None) -> duckdb.DuckDBPyRelation:
        """Run any SQL with ``?`` parameters; returns a DuckDB relation (``.df()``, ``.pl()``).

        The escape hatch for questions crmkit has no verb for. Query the views
        ``accounts_v`` and ``contacts_v`` for bands and names.
        """
        return self._store.con.sql(query, params=list(params) if params else None)

    def counts(self) -> dict[str, int]:
        """Rows per table (live accounts and contacts; all owners, batches and history)."""
        con = self._store.con
        out = {}
        for name, sql in (
            ("owners", "SELECT count(*) FROM owners"),
            ("accounts", "SELECT count(*) FROM accounts_v"),
            ("contacts", "SELECT count(*) FROM contacts_v"),
            ("batches", "SELECT count(*) FROM batches"),
            ("history", "SELECT count(*) FROM history"),
            ("import_rejects", "SELECT count(*) FROM import_rejects"),
        ):
            row = first(con.execute(sql))
            out[name] = int(row[0]) if row else 0
        return out

    def __repr__(self) -> str:
        where = self.path or "memory"
        if self.closed:
            return f"CRM({where}, closed)"
        counts = ", ".join(f"{k}={v}" for k, v in self.counts().items())
        mode = ", read-only" if self.read_only else ""
        return f"CRM({where}{mode}: {counts})"

    def _repr_html_(self) -> str:
        if self.closed:
            return f"<p>CRM {html.escape(self.path or 'in memory')} (closed)</p>"
        rows = "".join(
            f"<tr><th style='text-align:left'>{k}</th><td>{v:,}</td></tr>"
            for k, v in self.counts().items()
        )
        return (
            f'<div class="crmkit-crm"><strong>CRM</strong> '
            f"{html.escape(self.path or 'in memory')} (user {html.escape(self.user)})"
            f"<table>{rows}</table></div>"
        )


def _decode(value: Any, field: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        decoded = json.loads(value)
    except (TypeError, ValueError):
        return value
    if field is None and isinstance(decoded, dict):
        return "(whole record)"
    return decoded


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "unknown"


def open(  # mirrors builtins.open on purpose: ck.open("crm.duckdb")
    path: str | Path | None = None,
    *,
    user: str | None = None,
    read_only: bool = False,
    connection: duckdb.DuckDBPyConnection | None = None,
    external_access: bool = False,
) -> CRM:
    """Open (or create) a CRM database.

    Parameters
    ----------
    path
        A DuckDB file; ``None`` keeps everything in memory.
    user
        Who is working: recorded as the actor of every change and used as the default
        owner of new records (created as an owner on first use). Defaults to the login
        name for history, with no default owner.
    read_only
        Open an existing file read-only; several processes may read one file at once
        while none writes it.
    connection
        Use an existing DuckDB connection instead of opening one (its settings stay
        the caller's).
    external_access
        Let the connection read other files and Python objects by name
        (``crm.sql("SELECT * FROM 'leads.csv'")``, a pandas DataFrame named in a query).
        Off by default: a crmkit file is data, not code, and a crafted file must not
        reach the file system through a view or a query (see README, "What a crmkit file
        may contain").

    Examples
    --------
    >>> import crmkit as ck
    >>> with ck.open(user="Nicole Bertrand") as crm:
    ...     acc = crm.accounts.add(name="APROOL", employees=85)
    ...     crm.accounts.df()[["name", "headcount_band", "owner"]].to_dict("records")
    [{'name': 'APROOL', 'headcount_band': '51-200', 'owner': 'Nicole Bertrand'}]
    """
    store = Store(path, read_only=read_only, connection=connection, external_access=external_access)
    return CRM(store, user=user)
