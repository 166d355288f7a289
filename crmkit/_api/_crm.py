"""The CRM facade: what ``ck.open()`` returns.

It groups verbs by job (``crm.owners``, ``crm.accounts``, ``crm.contacts``,
``crm.settings``, ``crm.views``) around one :class:`~crmkit._core._session.Session`, and
composes the operations of ``crmkit._ops`` and ``crmkit._importing`` on it; it holds no
SQL of its own. Widgets and the command line call exactly these methods.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from crmkit._api._activities import Activities
from crmkit._api._blocklist import Blocklist
from crmkit._api._import_profiles import ImportProfiles
from crmkit._api._records import Accounts, Contacts, Owners, _Records
from crmkit._api._views import SavedViews
from crmkit._core._duplicate_check import DuplicateAlert
from crmkit._core._operation import per_operation
from crmkit._core._session import Session
from crmkit._core._store import Store, UndoSummary
from crmkit._importing._options import ImportOptions
from crmkit._ops import _history as history
from crmkit._ops._retention import check_where
from crmkit._util._config import current_lang
from crmkit._util._display_frame import display_frame
from crmkit._util._table_html import Column, table_html
from crmkit.schemas._catalog import database_catalog
from crmkit.schemas._catalog import table as catalog_table
from crmkit.schemas._display import report_columns
from crmkit.schemas._models import ValidationReport, validate

if TYPE_CHECKING:
    from crmkit._core._horizon import CompactionReport
    from crmkit._dedupe import DuplicateReport
    from crmkit._importing._pipeline import Importer, ImportPreview, ImportReport
    from crmkit._ops._quality_report import QualityReport
    from crmkit._ops._retention import RetentionReport

__all__ = ["CRM", "open"]


_LOCAL = frozenset(
    {"user", "last_batch_id", "last_alerts", "path", "read_only", "shared", "connection"}
    | {"close", "closed", "batch"}
)


@per_operation(lambda crm: crm._session.store, skip=_LOCAL)
class CRM:
    """A CRM database: accounts, contacts, owners, history.

    Use :func:`crmkit.open` to get one. Close it (or use it as a context manager) to
    release the DuckDB file for other processes; or open it with ``shared=True`` to hold
    the file only while each operation runs.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self.settings = session.settings
        # A retention rule's ``where`` is checked as ``crm.<kind>.filter`` checks filters.
        session.settings._where_check = functools.partial(check_where, session)
        self.owners = Owners(session)
        self.accounts = Accounts(self)
        self.contacts = Contacts(self)
        self.views = SavedViews(self)
        self.import_profiles = ImportProfiles(self)
        self.activities = Activities(self)
        self.blocklist = Blocklist(session)

    @property
    def user(self) -> str:
        """Who is working: the actor of every change."""
        return self._session.user

    @property
    def last_batch_id(self) -> int | None:
        """The batch of the last change made through this CRM (``None`` before any)."""
        return self._session.last_batch_id

    @property
    def last_alerts(self) -> list[DuplicateAlert]:
        """What the duplicate rules found in the last change made through this CRM.

        One :class:`crmkit.DuplicateAlert` per match of a rule whose action is
        ``alert`` (the change was made); empty when nothing matched. An import lists
        its alerts in ``report.duplicate_alerts`` instead (see
        :meth:`crmkit.Settings.duplicate_rule`).
        """
        return list(self._session.last_alerts)

    @property
    def _store(self) -> Store:
        return self._session.store

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
    def shared(self) -> bool:
        """Whether this CRM holds the file only while an operation runs (``shared=True``)."""
        return self._store.shared

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection (read from it freely; write through crmkit).

        A shared CRM has one only inside a ``with crm.batch():`` block.
        """
        return self._store.con

    @contextmanager
    def batch(self, description: str = "") -> Iterator[int]:
        """Several changes as one batch: one transaction, one undo; yields the batch id.

        Every verb called inside the block joins this batch, so ``crm.undo(batch_id)``
        reverts all of them, and an error inside rolls all of them back. A shared CRM
        (``ck.open(path, shared=True)``) holds the file for the whole block: other
        processes wait until it ends.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> with crm.batch("new client") as batch_id:
        ...     acc = crm.accounts.add(name="APROOL")
        ...     cid = crm.contacts.add(last_name="Blou", account_id=acc)
        >>> _ = crm.undo(batch_id)
        >>> crm.counts()["accounts"], crm.counts()["contacts"]
        (0, 0)
        >>> crm.close()
        """
        with self._store.operation(), self._session.batch("batch", description) as batch_id:
            yield batch_id

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
        return self._session.undo(batch_id, detach=detach)

    def batches(self, limit: int | None = None) -> pd.DataFrame:
        """The operations that changed data, newest first."""
        return history.batches_frame(self._session, limit)

    def history(
        self, kind: str | None = None, record_id: int | None = None, batch_id: int | None = None
    ) -> pd.DataFrame:
        """History rows, optionally for one table, one record or one batch.

        Columns: ``changed_at, batch_id, operation, actor, table, record_id, field, old,
        new, undone_by``; ``old`` and ``new`` are decoded values (an inserted record has
        ``operation == "insert"`` and no field).
        """
        return history.history_frame(self._session, kind, record_id, batch_id)

    # -- retention and the history horizon ----------------------------------------------

    def apply_retention(self, *, dry_run: bool = True, confirm: bool = False) -> RetentionReport:
        """Apply the retention rules (:meth:`crmkit.Settings.retention`); a dry run by default.

        Each rule finds the live records of its kind matching its ``where`` whose date
        (``based_on``) is older than ``after``; a record found by an earlier rule is left
        to it. ``dry_run=True`` (the default) writes nothing: the report lists the
        records (``report.ids``, ``report.df()``/``pl()``). ``dry_run=False`` applies
        every rule in ONE batch (``report.batch_id``): ``archive`` deactivates contacts
        and archives accounts (``crm.undo`` takes that back); ``anonymise`` and
        ``delete`` erase the records as ``crm.contacts.erase`` does (both keep an empty
        tombstone where other records point at the record, and remove it otherwise),
        which cannot be undone, so they need ``confirm=True``; a batch that erased
        cannot be undone at all (``crm.undo`` refuses it, its archiving included). With
        a history horizon set, history is then compacted (:meth:`compact_history`, in
        ``report.compaction``).

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> c = crm.contacts.add(last_name="Blou")
        >>> _ = crm.connection.execute(
        ...     "UPDATE contacts SET created_at = TIMESTAMP '2020-01-01', "
        ...     "updated_at = TIMESTAMP '2020-01-01'")
        >>> _ = crm.settings.retention("contacts", after="3 years", action="archive")
        >>> crm.apply_retention().ids
        {1: [1]}
        >>> report = crm.apply_retention(dry_run=False)
        >>> crm.contacts.get(c)["active"]
        False
        >>> _ = crm.undo(report.batch_id)
        >>> crm.contacts.get(c)["active"]
        True
        >>> crm.close()
        """
        from crmkit._ops._retention import apply_retention

        report = apply_retention(self._session, dry_run=dry_run, confirm=confirm)
        # As after an erasure: no free block of the file may keep the erased values.
        compacted = report.compaction is not None and report.compaction.values > 0
        if (report.erasing or compacted) and not report.dry_run and self._store.rewrite_file():
            self._session.caches.clear()
        return report

    def compact_history(self) -> CompactionReport:
        """Remove personal values from history rows older than the history horizon.

        Opt-in: with ``crm.settings.history_horizon = "24 months"``, the old and new
        values of personal fields in history rows older than that are set to nothing
        (a removed record's kept copy loses them too), a ``compact history`` batch
        logs the counts (no personal data), and the database file is rewritten so that
        no free block keeps the removed values. Undo of a batch inside the horizon works as
        before; one whose personal values went refuses, naming the batch and the
        horizon. Without a horizon, nothing is done.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> crm.compact_history().values
        0
        >>> crm.settings.history_horizon = "24 months"
        >>> crm.compact_history().horizon
        '24 months'
        >>> crm.close()
        """
        from crmkit._ops._retention import compact_history

        report = compact_history(self._session)
        if report.values and self._store.rewrite_file():  # no free block keeps the values
            self._session.caches.clear()
        return report

    # -- importing -----------------------------------------------------------------------

    def import_file(
        self,
        path: str | Path,
        kind: str | None = None,
        *,
        options: ImportOptions | None = None,
        **keywords: Any,
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
            ``"contacts"`` (default) or ``"accounts"``.
        options
            An :class:`~crmkit.ImportOptions` (the command line and the widgets pass one).
        **keywords
            Any option of :class:`~crmkit.ImportOptions` (``mode=``, ``mapping=``,
            ``match_on=``, ``dry_run=``, ``create_accounts=``, ``on_duplicate=`` ...),
            changing ``options``.

        Matching existing records tries the external id (``uid``), then the email, then
        first name + last name + account; a record with another external id than the
        row's is never matched. In an update, only fields the file maps may change:
        a default (the current user as owner, the database's currency) applies to new
        records only.

        Returns
        -------
        ImportReport
        """
        from crmkit._formats import detect_format

        vcf = detect_format(path) == "vcf"
        importer = self._importer(path, kind, options, keywords, headers=not vcf)
        if vcf:
            return importer.run_vcf(path)
        return importer.run(path, str(path))

    def import_frame(
        self,
        df: Any,
        kind: str | None = None,
        *,
        options: ImportOptions | None = None,
        **keywords: Any,
    ) -> ImportReport:
        """Import a pandas or polars DataFrame; same options as :meth:`import_file`."""
        from crmkit._importing._pipeline import source_name_of

        return self._importer(df, kind, options, keywords).run(df, source_name_of(df))

    def preview_import(
        self,
        path: Any,
        kind: str | None = None,
        *,
        rows: int = 1000,
        options: ImportOptions | None = None,
        **keywords: Any,
    ) -> ImportPreview:
        """The proposed mapping, a sample of normalised rows and the problems found.

        Reads only the first ``rows`` rows and writes nothing, so the mapping can be fixed
        before the real import.
        """
        from crmkit._importing._pipeline import source_name_of

        importer = self._importer(path, kind, options, keywords)
        return importer.preview(path, source_name_of(path), rows=rows)

    def _importer(
        self,
        source: Any,
        kind: str | None,
        options: ImportOptions | None,
        keywords: dict[str, Any],
        *,
        headers: bool = True,
    ) -> Importer:
        """An importer with the import's profile applied: the one named, or the one whose
        headers are the source's (read only when a profile is saved and none is named)."""
        from crmkit._importing._pipeline import Importer
        from crmkit._importing._profiles import has_profiles, recall_profile

        opts = _options(kind, options, keywords)
        # a profile named brings its kind unless the import says which kind it is
        kind_given = kind is not None or "kind" in keywords
        columns = None
        if headers and opts.profile is None and opts.mapping is None and has_profiles(self._store):
            columns = _source_headers(source, opts)
        opts, recalled = recall_profile(
            self._store, opts, columns, kind_given=kind_given, given=list(keywords)
        )
        importer = Importer(self._session, opts)
        importer.profile_recalled = recalled
        return importer

    def imports(self) -> pd.DataFrame:
        """Every import, newest first: file name, size and SHA-256 hash, profile, counts.

        One row per import that changed data (or rejected rows): ``batch_id,
        imported_at, actor, kind, file, file_size, file_hash, profile, mode, read,
        inserted, updated, unchanged, rejected, merged_in_file, fields_changed`` (the
        fields its updates changed, from history), ``undone`` and ``undone_by``.
        Counts are recorded since crmkit records them; ``rejected`` always.

        Examples
        --------
        >>> import crmkit as ck
        >>> import pandas as pd
        >>> crm = ck.open()
        >>> _ = crm.import_frame(pd.DataFrame({"Nom": ["Blou"], "Email": ["h@blou.fr"]}))
        >>> crm.imports()[["batch_id", "inserted", "updated", "undone"]]
           batch_id  inserted  updated  undone
        0         1         1        0   False
        >>> crm.close()
        """
        from crmkit._importing._imports import imports_frame

        frame = imports_frame(self._session.con)
        return display_frame(frame, report_columns("contacts", list(frame.columns), current_lang()))

    def rejects(self, batch_id: int | None = None) -> pd.DataFrame:
        """Rows that imports could not store, with line, raw values (JSON) and reasons."""
        return history.rejects_frame(self._session, batch_id)

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
        ``accounts_v`` and ``contacts_v`` for bands and names. A shared CRM reads the
        rows at once (its connection closes after each operation).
        """
        relation = self._store.con.sql(query, params=list(params) if params else None)
        return relation if relation is None else self._store.detached(relation)

    def quality(
        self,
        kind: str,
        by: str | None = None,
        *,
        stale_after: Any = "12 months",
        duplicates: DuplicateReport | None = None,
    ) -> QualityReport:
        """How clean the stored records are: one report, computed in DuckDB.

        Per field: fill rate, format conformance (phones in E.164, emails, websites, ISO
        countries and currencies, vocabularies, names not in ALL CAPS or all lower case)
        and values with extra spaces; per group: records with a duplicate, stale records
        and records missing a field the database requires.

        Parameters
        ----------
        kind
            ``"contacts"`` or ``"accounts"``.
        by
            Break every figure down by ``"owner"``, ``"team"``, ``"sector"``,
            ``"source"`` (the file a record was imported from) or any column.
        stale_after
            How long without an update makes a record stale: ``"12 months"``,
            ``"90 days"``, ``"2 years"``, ``"6 weeks"``, a number of days or a timedelta.
        duplicates
            A :class:`~crmkit.DuplicateReport` of these records (``crm.contacts.
            duplicates()``): its clusters give the duplicate share. Without it, records
            sharing an exact key are counted (contacts: the same email, or the same first
            name, last name and account; accounts: the same name or website).

        Returns
        -------
        QualityReport
            ``.df()`` / ``.pl()`` per field, ``.groups_df()`` per group,
            ``.trend(field)`` month by month from history, ``.write_html(path)``.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> _ = crm.contacts.add(last_name="Martin", phone="+33123456789")
        >>> crm.quality("contacts").groups_df()[["records", "stale"]].to_dict("records")
        [{'records': 1, 'stale': 0}]
        >>> crm.close()
        """
        from crmkit._ops._quality import measure
        from crmkit._ops._quality_report import QualityReport
        from crmkit._ops._quality_trend import fill_trend

        measures = measure(self._session, kind, by, stale_after=stale_after, duplicates=duplicates)
        session = self._session
        store = self._store

        def trend(field: str, months: int) -> pd.DataFrame:
            with store.operation():
                return fill_trend(session, measures.kind, field, months)

        return QualityReport(measures, trend, database_catalog())

    def counts(self) -> dict[str, int]:
        """Rows per table (live accounts and contacts; all owners, batches and history)."""
        return history.counts(self._session)

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
        counts = self.counts()
        frame = pd.DataFrame({"table": list(counts), "rows": list(counts.values())})
        table = table_html(
            frame, [Column("table", ""), Column("rows", "", "integer")], mode="static"
        )
        return (
            f'<div class="crmkit-crm"><strong>CRM</strong> '
            f"{html.escape(self.path or 'in memory')} (user {html.escape(self.user)})"
            f"{table}</div>"
        )


def _options(
    kind: str | None, options: ImportOptions | None, keywords: dict[str, Any]
) -> ImportOptions:
    """One :class:`ImportOptions` from a kind, an options value and keyword changes."""
    base = options if options is not None else ImportOptions(kind=kind or "contacts")
    if kind is not None and "kind" not in keywords:
        keywords = {**keywords, "kind": kind}
    return base.replace(**keywords) if keywords else base


def _source_headers(source: Any, opts: ImportOptions) -> list[str]:
    """The headers of a file (its layout options applied) or a DataFrame's columns."""
    from crmkit._formats import read_table

    is_file = isinstance(source, str | Path)
    return [str(c) for c in read_table(source, **(opts.read_options() if is_file else {})).columns]


def open(  # mirrors builtins.open on purpose: ck.open("crm.duckdb")
    path: str | Path | None = None,
    *,
    user: str | None = None,
    read_only: bool = False,
    connection: duckdb.DuckDBPyConnection | None = None,
    external_access: bool = False,
    shared: bool = False,
    timeout: float = 10.0,
    memory_limit: str | int | None = None,
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
    shared
        Hold the file only while each operation runs (a read, a write, an import, an
        export, an undo, a ``with crm.batch():`` block), so several notebooks, a
        terminal and the command line can use one file. Each operation opens the file
        and closes it (a few milliseconds more per operation, see BENCHMARKS.md), and
        sees what other processes committed. With ``read_only=True`` too, each
        operation opens the file read-only: several readers then work at once.
    timeout
        In shared mode, how many seconds an operation waits while another process holds
        the file, before raising :class:`~crmkit.StoreLockedError`.
    memory_limit
        How much memory DuckDB may use (``"2GB"``, ``"512MB"``, a number of bytes): past
        it, DuckDB drops blocks of the file it has cached and spills sorts and joins to a
        folder next to the file (``<file>.tmp``; the system's temporary folder for an
        in-memory or read-only CRM). ``None``: the environment variable
        ``CRMKIT_MEMORY_LIMIT``, else the smaller of 1 GB and a quarter of the machine's
        memory (DuckDB's own default, 80% of it, let reading a whole file keep all of it
        cached). Not applied to a ``connection`` you pass.

    Examples
    --------
    >>> import crmkit as ck
    >>> with ck.open(user="Nicole Bertrand") as crm:
    ...     acc = crm.accounts.add(name="APROOL", employees=85)
    ...     crm.accounts.df()[["name", "headcount_band", "owner"]].to_dict("records")
    [{'name': 'APROOL', 'headcount_band': '51-200', 'owner': 'Nicole Bertrand'}]
    """
    store = Store(
        path,
        read_only=read_only,
        connection=connection,
        external_access=external_access,
        shared=shared,
        timeout=timeout,
        memory_limit=memory_limit,
    )
    return CRM(Session(store, user))
