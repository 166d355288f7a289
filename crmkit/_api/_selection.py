"""Selections: lazy, chainable sets of contacts or accounts backed by DuckDB.

``crm.contacts.filter(...)`` returns a :class:`Selection`. Nothing is read until asked:
``len(sel)``, ``sel.df()``, ``sel.pl()``, ``sel.arrow()``, ``sel.ids`` each run one query
on the database views. Selections chain (``.filter``, ``.sort``, ``.columns``, ``.limit``)
and act on their records in bulk (``reassign``, ``update``, ``tag`` ...), each action one
undoable batch.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa

from crmkit._core._operation import per_operation
from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._ops import _bulk as bulk
from crmkit._ops import _frames as frames
from crmkit._ops._filters import Condition, compile_filters
from crmkit._ops._query import Query, collation_for, text_columns, view_columns
from crmkit._ops._summary import Summary, summarize
from crmkit._util._config import current_config, current_lang
from crmkit._util._langs import LANGS
from crmkit._util._suggest import closest
from crmkit._util._table_html import Column, rows_to_read, table_html, table_text
from crmkit.schemas._display import display_columns

if TYPE_CHECKING:
    from crmkit._api._crm import CRM
    from crmkit._formats import ExportResult
    from crmkit._ops._bulk import BulkReport

__all__ = ["LIST_COLUMNS", "Selection"]

# The columns a list shows, after the French CRM's contact list.
LIST_COLUMNS = {
    "contacts": [
        "id",
        "company",
        "account_owner",
        "last_name",
        "first_name",
        "email",
        "job_title",
        "phone",
        "mobile",
        "fax",
        "owner",
    ],
    "accounts": [
        "id",
        "name",
        "sector",
        "revenue_band",
        "headcount_band",
        "billing_city",
        "billing_country",
        "owner",
        "contact_count",
    ],
}


@dataclass
class _Pin:
    """The ids a selection was pinned to by a bulk action (``None``: not pinned)."""

    ids: tuple[int, ...] | None = None
    conditions: int = 0  # how many filter conditions the ids stand for


@per_operation(lambda sel: sel.crm._session.store, skip=frozenset({"pinned"}))
@dataclass(frozen=True)
class Selection:
    """A lazy set of contacts or accounts.

    A selection is a query: each read (``len``, ``df()``, an export) runs its filter
    again, until a bulk action (``reassign``, ``update``, ``tag``, ``delete`` ...) acts
    on it. From then on it holds exactly the records that action acted on, whatever the
    action changed: after ``sel.reassign(to=...)`` moves contacts out of an ``owner=``
    filter, ``sel.export(...)`` still writes all of them (``report.selection`` is the
    same). ``sel.refresh()`` gives the live query back.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> acc = crm.accounts.add(name="APROOL", sector="Software", employees=85)
    >>> _ = crm.contacts.add(last_name="Blou", first_name="Hélène", account_id=acc)
    >>> sel = crm.contacts.filter(search="helene", headcount_band="51-200")
    >>> len(sel), sel.df()["last_name"].tolist()
    (1, ['Blou'])
    >>> crm.close()
    """

    crm: CRM
    kind: str
    filters: tuple[tuple[str, Any], ...] = ()
    order: tuple[tuple[str, bool], ...] = ()
    cols: tuple[str, ...] | None = None
    row_limit: int | None = None
    collation: str | None = None
    _conditions: tuple[Condition, ...] = field(default=(), compare=False, repr=False)
    # The text columns of ``order`` (what ``collation`` applies to), read once by ``sort``.
    _collated: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    _pin: _Pin = field(default_factory=_Pin, compare=False, repr=False)

    # -- building --------------------------------------------------------------------

    def filter(self, **filters: Any) -> Selection:
        """Narrow the selection (AND with what is already there)."""
        new = compile_filters(self.crm._session, self.kind, filters)
        return self._derive(
            filters=self.filters + tuple(filters.items()),
            _conditions=self._conditions + tuple(new),
        )

    def _derive(self, **changes: Any) -> Selection:
        """A new selection from this one; it keeps the pin this one has now."""
        return replace(self, _pin=_Pin(self._pin.ids, self._pin.conditions), **changes)

    @property
    def pinned(self) -> bool:
        """Whether a bulk action pinned this selection to the records it acted on."""
        return self._pin.ids is not None

    def refresh(self) -> Selection:
        """The same filter as a live query again (after a bulk action pinned it)."""
        return replace(self, _pin=_Pin())

    def _pin_now(self) -> Selection:
        """Pin the selection to the records it holds now (what a bulk action acts on)."""
        if self._pin.ids is None:
            self._pin.ids = tuple(self.ids)
            self._pin.conditions = len(self._conditions)
        return self

    def sort(
        self, *fields: str, descending: bool = False, collation: str | None = None
    ) -> Selection:
        """Order by fields; ``"-name"`` sorts that field in descending order.

        Text sorts as a reader of the language expects: case and accents only break
        ties ("Barré" next to "Barron", "martin", "Martin", "MARTIN" together) and
        Chinese goes by pinyin, with DuckDB's ICU collations.

        Parameters
        ----------
        *fields
            Columns of the view, first key first; ``"-"`` in front: descending.
        descending
            Sort every field without a ``"-"`` in descending order.
        collation
            ``"en"``, ``"fr"`` or ``"zh"``: sort text as in that language; ``None``
            (default): the language in force (``ck.set_config(lang=...)``, English if
            none was chosen); ``"binary"``: by code point ("Z" before "a", "é" after "z").

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> for name in ["Barron", "MARTIN", "Barré", "martin", "Marrtin"]:
        ...     _ = crm.contacts.add(last_name=name)
        >>> crm.contacts.all().sort("last_name").df()["last_name"].tolist()
        ['Barré', 'Barron', 'Marrtin', 'martin', 'MARTIN']
        >>> crm.contacts.all().sort("last_name", collation="binary").df()["last_name"].tolist()
        ['Barron', 'Barré', 'MARTIN', 'Marrtin', 'martin']
        >>> crm.close()
        """
        order = []
        for name in fields:
            desc = descending
            if name.startswith("-"):
                name, desc = name[1:], True
            self._check_columns([name])
            order.append((name, desc))
        choices = (*LANGS, "binary")
        lang = current_lang() if collation is None else collation
        if lang not in choices:
            raise UnknownValueError("collation", lang, choices, closest(str(lang), choices))
        con = self.crm._session.con
        chosen = None if lang == "binary" else collation_for(con, lang)
        texts = text_columns(con, self.kind) & {name for name, _ in order}
        return self._derive(order=tuple(order), collation=chosen, _collated=texts)

    def columns(self, *names: str) -> Selection:
        """Keep only these columns (any field or derived column of the view)."""
        self._check_columns(names)
        return self._derive(cols=tuple(names))

    def limit(self, n: int) -> Selection:
        """At most ``n`` records (after sorting)."""
        return self._derive(row_limit=int(n))

    def page(self, number: int, size: int = 25) -> pd.DataFrame:
        """Page ``number`` (0-based) of ``size`` records, in the selection's order."""
        if number < 0 or size < 1:
            raise ValidationError(f"page needs number >= 0 and size >= 1, got {number}, {size}")
        con = self.crm._session.con
        sql, params = self.query.page_sql(con, int(number) * int(size), int(size))
        return frames.to_pandas(con.sql(sql, params=params).to_arrow_table())

    def head(self, n: int = 5) -> pd.DataFrame:
        """The first ``n`` records as pandas."""
        return self.limit(n).df()

    def _check_columns(self, names: Sequence[str]) -> None:
        valid = self.available_columns()
        for name in names:
            if name not in valid:
                raise UnknownValueError("column", name, valid, closest(name, valid))

    def available_columns(self) -> list[str]:
        """Every column of the view behind this selection."""
        return view_columns(self.crm._session.con, self.kind)

    # -- SQL -------------------------------------------------------------------------

    @property
    def query(self) -> Query:
        """The selection as a :class:`~crmkit._ops._query.Query` (what operations take)."""
        return Query(
            self.kind,
            self._conditions,
            self.order,
            self.cols,
            self.row_limit,
            self._pin.ids,
            self._pin.conditions,
            self.collation,
            self._collated,
        )

    def sql(self, columns: Sequence[str] | None = None) -> tuple[str, list[Any]]:
        """The query (with ``?`` placeholders) and its parameters."""
        return self.query.sql(columns)

    def ids_sql(self) -> tuple[str, list[Any]]:
        """``SELECT id ...`` for the selected records (used by bulk operations)."""
        return self.query.ids_sql()

    def relation(self) -> duckdb.DuckDBPyRelation:
        """The selection as a DuckDB relation (DuckDB's own verbs).

        A shared CRM reads the rows at once (its connection closes after each operation).
        """
        sql, params = self.sql()
        store = self.crm._session.store
        return store.detached(store.con.sql(sql, params=params))

    # -- reading ---------------------------------------------------------------------

    def df(self) -> pd.DataFrame:
        """The records as a pandas DataFrame.

        Strings are pandas' Arrow-backed ``str`` dtype, ids and references ``int64`` (or
        ``Int64`` where some are missing), dates ``datetime64[us]``. The records are read
        in chunks of ids, so the peak is about the frame itself (1M contacts x 55
        columns: about 1.1 GB). Past ``crm.settings.max_frame_rows`` rows a
        :class:`~crmkit.LargeFrameWarning` comes first: :meth:`iter_batches` streams.
        """
        return frames.read_pandas(self.crm._session.con, self.query, ids=self._checked_ids())

    def pl(self) -> pl.DataFrame:
        """The records as a polars DataFrame (straight from Arrow; warns like :meth:`df`)."""
        return frames.read_polars(self.crm._session.con, self.query, ids=self._checked_ids())

    def arrow(self) -> pa.Table:
        """The records as a pyarrow Table."""
        return frames.read_arrow(self.crm._session.con, self.query)

    def _checked_ids(self) -> Any:
        """The ordered ids, after the large-frame warning where it applies."""
        ids = frames.ordered_ids(self.crm._session.con, self.query)
        frames.warn_if_large(len(ids), self.crm.settings.max_frame_rows, stacklevel=4)
        return ids

    def iter_batches(
        self, size: int = frames.BATCH_ROWS, *, as_: frames.FrameKind = "pandas"
    ) -> Iterator[Any]:
        """The records in frames of at most ``size`` rows, in record order.

        ``as_`` is ``"pandas"`` (dtypes as :meth:`df`), ``"polars"`` or ``"arrow"``.
        Memory stays about one batch (plus the ids, 8 bytes a record), however large
        the selection; the batches concatenated equal :meth:`df`.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> for name in ["Blou", "Zed", "Alma"]:
        ...     _ = crm.contacts.add(last_name=name)
        >>> [len(b) for b in crm.contacts.all().iter_batches(2)]
        [2, 1]
        >>> crm.close()
        """
        if as_ not in ("pandas", "polars", "arrow"):
            raise ValidationError(f"as_: expected 'pandas', 'polars' or 'arrow', got {as_!r}")
        for chunk in frames.arrow_chunks(self.crm._session.con, self.query, int(size)):
            yield frames.as_frame(chunk, as_)

    @property
    def ids(self) -> list[int]:
        """Ids of the selected records, in order."""
        return self.query.ids(self.crm._session.con)

    def __len__(self) -> int:
        return self.query.count(self.crm._session.con)

    def __iter__(self) -> Any:
        for record_id in self.ids:
            yield self.crm._records(self.kind).get(record_id)

    def summary(self, by: str | Sequence[str]) -> Summary:
        """Counts (and revenue sums) by band, sector, owner or any column."""
        return summarize(self.crm._session, self.query, by)

    # -- display ---------------------------------------------------------------------

    def _describe(self) -> str:
        parts = [f"{k}={v!r}" for k, v in self.filters]
        return ", ".join(parts) if parts else "all"

    def _shown(self, rows: int) -> tuple[Any, list[Column], int]:
        """The first ``rows`` records (names of owners and accounts, not ids), their
        columns in the current language, and how many records the selection holds."""
        total = len(self)
        if self.row_limit is not None:
            rows = min(rows, self.row_limit)
        frame = self.limit(rows).relation().to_arrow_table()
        names = frame.column_names
        shown = (
            list(self.cols)
            if self.cols
            else [c for c in LIST_COLUMNS[self.kind] if c in names] or list(names)
        )
        return frame, display_columns(self.kind, shown, current_lang()), total

    def __repr__(self) -> str:
        total = len(self)
        head = f"Selection({self.kind}: {total:,} records; {self._describe()})"
        if total == 0:
            return head
        frame, columns, total = self._shown(current_config().display_rows)
        return head + "\n" + table_text(frame, columns, total=total)

    def _repr_html_(self) -> str:
        frame, columns, total = self._shown(rows_to_read())
        table = table_html(frame, columns, total=total)
        return (
            f'<div class="crmkit-selection"><p><strong>{total:,} {html.escape(self.kind)}</strong>'
            f" <small>({html.escape(self._describe())})</small></p>{table}</div>"
        )

    # -- bulk operations (one batch each, undoable) ------------------------------------

    def _act(self, action: Callable[..., BulkReport]) -> BulkReport:
        """Run a bulk action on exactly the records selected now, and stay on them."""
        before = (self._pin.ids, self._pin.conditions)
        self._pin_now()
        try:
            report = action(self.crm._session, self.query)
        except BaseException:
            self._pin.ids, self._pin.conditions = before  # refused: still a live query
            raise
        report.selection = self
        return report

    def reassign(
        self, to: Any, *, cascade: bool = False, cascade_tasks: bool = False
    ) -> BulkReport:
        """Give the records to an owner, or spread them evenly over several (round-robin).

        ``cascade=True`` on accounts also moves their contacts to the account's new owner;
        ``cascade_tasks=True`` gives the records' open tasks to the record's new owner
        too (same batch).
        """
        fresh = self._pin.ids is None  # pinned by this call: the pin is the live selection
        return self._act(
            lambda s, q: bulk.reassign(
                s,
                q,
                to,
                cascade=cascade,
                cascade_tasks=cascade_tasks,
                ids=q.pinned if fresh else None,
            )
        )

    def update(self, **fields: Any) -> BulkReport:
        """Set fields on every selected record, validated like a form save."""
        return self._act(lambda s, q: bulk.update(s, q, fields))

    def tag(self, *tags: str) -> BulkReport:
        """Add tags (kept once each, in order)."""
        return self._act(lambda s, q: bulk.tag(s, q, tags, add=True))

    def untag(self, *tags: str) -> BulkReport:
        """Remove tags."""
        return self._act(lambda s, q: bulk.tag(s, q, tags, add=False))

    def subscribe(self, list_name: str) -> BulkReport:
        """Subscribe contacts with an email who did not opt out to a mailing list.

        Contacts with no legal basis for email (``email_basis``) are skipped too, unless
        ``crm.settings.require_email_basis`` is off; ``skipped`` names each with why.
        """
        return self._act(lambda s, q: bulk.subscribe(s, q, list_name))

    def unsubscribe(self, list_name: str) -> BulkReport:
        """End the selected contacts' subscriptions to a mailing list."""
        return self._act(lambda s, q: bulk.unsubscribe(s, q, list_name))

    def deactivate(self) -> BulkReport:
        """Contacts: left the company (``active=False``); accounts: archived."""
        return self._act(lambda s, q: bulk.set_active(s, q, False))

    def activate(self) -> BulkReport:
        """Contacts: active again; accounts: out of the archive."""
        return self._act(lambda s, q: bulk.set_active(s, q, True))

    def delete(self) -> BulkReport:
        """Soft-delete the records that can be removed; report the others with reasons."""
        return self._act(bulk.delete)

    # -- exports -----------------------------------------------------------------------

    def export(
        self,
        path: str | Path,
        *,
        columns: Sequence[str] | None = None,
        lang: str | None = None,
        **options: Any,
    ) -> ExportResult:
        """Write the records to ``.csv``, ``.xlsx`` or ``.parquet`` (by extension).

        ``lang`` ("en", "fr", "zh") writes labels instead of field names as headers;
        by default the language chosen with :func:`crmkit.set_config` (field names when
        none was chosen), ``lang="names"`` keeps the field names whatever the setting;
        ``excel=True`` writes a CSV Excel opens well (BOM, ``;`` in French). Cells that
        a spreadsheet would run as formulas are neutralised; the file appears only once
        complete. Records are streamed from the database a chunk at a time, so memory
        does not grow with the selection; an XLSX export past Excel's 1,048,576 rows goes
        on in further sheets (``Contacts (2)`` ...).
        """
        from crmkit._formats import export_table
        from crmkit._formats._arrow_input import BATCH_ROWS
        from crmkit._ops._pages import read_pages

        chosen = self.columns(*columns) if columns else self
        # Streamed: read in pages and handed over a chunk at a time, so memory does not
        # grow with the number of records.
        data = read_pages(self.crm._session.con, chosen.query, batch_rows=BATCH_ROWS)
        return export_table(data, path, kind=self.kind, columns=columns, lang=lang, **options)

    def export_vcf(
        self, path: str | Path, *, version: str = "3.0", zip: bool = False
    ) -> ExportResult:
        """Write the selected contacts as vCards: one file, or a zip of one file each.

        Returns the :class:`ExportResult` (it stands for the file where a path is
        expected); ``changed`` counts the values written without control characters.
        """
        return bulk.export_vcf(self.crm._session, self.query, path, version=version, zip=zip)
