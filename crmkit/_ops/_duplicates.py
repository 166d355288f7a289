"""Duplicates in the database: find them, review, merge, warn while typing.

The matching itself is :mod:`crmkit._dedupe._engine` (pure, on DataFrames); this module feeds it
the live records of the store, keeps review decisions ("not the same") in the
``duplicate_decisions`` table so a pair is not proposed again, keeps a
:class:`~crmkit._dedupe._engine.DedupeIndex` up to date for :meth:`similar`, and merges.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from crmkit._core._session import Session
from crmkit._dedupe import DEFAULT_THRESHOLD, DedupeIndex, DuplicateReport, find_duplicates
from crmkit._dedupe._accuracy import Accuracy
from crmkit._dedupe._frames import StoredRecords
from crmkit._dedupe._table import search_columns
from crmkit._exceptions import StoreOpenError, ValidationError
from crmkit._ops import _frames as frames
from crmkit._ops import _records as records
from crmkit._ops._filters import compile_filters
from crmkit._ops._merge import MergeReport, merge_groups
from crmkit._ops._query import Query
from crmkit.schemas._catalog import table

__all__ = ["INDEX_BUILDER", "Duplicates", "IndexBuilder", "duplicates_of"]

# New records indexed on the caller's thread at once (a form's save, a few adds); above
# this many (an import) the index is rebuilt in the background instead.
_ADD_NOW = 1000


PROGRESS_FROM = 5_000
"""Records from which ``find_duplicates`` shows a progress bar unless told otherwise."""


@dataclass(frozen=True)
class _Plan:
    """What one index build needs, read from the database beforehand."""

    frame: pd.DataFrame
    kind: str
    model: Any  # the fitted MatchModel to keep, or None to fit one
    region: str
    version: tuple[int, int]  # the database's version the frame was read at


_Built = tuple[DedupeIndex, tuple[int, int]]


def _build_index(plan: _Plan) -> _Built:
    """Build an index from records already read (no database: any thread may run it)."""
    index = DedupeIndex.build(plan.frame, plan.kind, model=plan.model, phone_region=plan.region)
    return index, plan.version


class IndexBuilder:
    """One daemon thread that runs index builds, one at a time, in submission order.

    One thread for the whole process: two forms opened at once do not build side by side
    (the builds are Python, so they would only share the interpreter lock), and a build
    queued behind another simply waits. The thread is a daemon so that a build under way
    never holds up the interpreter (a kernel) when it exits; it is started on first use.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]]
        self._queue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run ``fn(*args)`` on the builder thread; its Future holds the result or error."""
        future: Future[Any] = Future()
        self._queue.put((future, fn, args))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="crmkit-duplicate-index", daemon=True
                )
                self._thread.start()
        return future

    def _run(self) -> None:
        while True:
            future, fn, args = self._queue.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args)
            except BaseException as exc:  # handed to whoever waits for the Future
                future.set_exception(exc)
            else:
                future.set_result(result)


#: The builder of every as-you-type duplicate index of this process.
INDEX_BUILDER = IndexBuilder()


def duplicates_of(session: Session, kind: str) -> Duplicates:
    """The session's duplicate operations for ``kind`` (one per session and kind, kept
    with the session so its in-memory index serves every form and import)."""
    key = ("duplicates", table(kind).name)
    found = session.caches.get(key)
    if found is None:
        found = session.caches[key] = Duplicates(session, kind)
    assert isinstance(found, Duplicates)
    return found


class Duplicates:
    """The duplicate verbs of ``crm.contacts`` and ``crm.accounts``, on a session."""

    def __init__(self, session: Session, kind: str) -> None:
        self.session = session
        self.kind = table(kind).name
        self._index: DedupeIndex | None = None
        self._index_version: tuple[int, int] | None = None
        self._job: Future[_Built] | None = None  # a build under way on INDEX_BUILDER

    # -- data --------------------------------------------------------------------------

    def columns(self) -> list[str]:
        """The view columns the matching engine reads: the id and :func:`search_columns`.

        Only these: at 1.1M contacts the 38 columns of the records took 3.8 GB once read,
        and the search compares 16 of them.
        """
        fields = {f.name for f in table(self.kind)}
        if self.kind == "contacts":
            fields.add("company")  # the account's name, in the contacts' view
        return ["id", *(c for c in search_columns(self.kind) if c in fields and c != "id")]

    def frame(self, query: Query | None = None) -> pd.DataFrame:
        """Live records (or those of ``query``) with the columns matching uses.

        Read through Arrow in chunks of ids (``str`` columns backed by Arrow): at 1.1M
        contacts DuckDB's own ``.df()`` held 3.6 GB of Python strings for these columns.
        """
        columns = replace(query or Query(self.kind), columns=tuple(self.columns()))
        return frames.read_pandas(self.session.con, columns)

    def read_back(self, ids: list[Any], columns: list[str]) -> pd.DataFrame:
        """The live records of ``ids`` with the id and those of ``columns`` the view has.

        What a report of :meth:`find` reads where it shows values (explanations, job
        changes) instead of holding every record read for the search: the values are
        those stored when asked, so an edit made after the search shows.

        In shared mode it takes the file for the read, as any verb does.

        Raises
        ------
        ValidationError
            The database was closed since the search.
        """
        present = set(self.columns())
        wanted = ("id", *(c for c in dict.fromkeys(columns) if c in present and c != "id"))
        query = Query(self.kind, pinned=tuple(int(i) for i in ids), columns=wanted)
        try:
            with self.session.store.operation() as con:
                return frames.read_pandas(con, query)
        except (duckdb.ConnectionException, StoreOpenError):
            raise ValidationError(
                f"the {self.kind} of this duplicate report are read back from the database "
                "to show their values, and it was closed: search again after opening it"
            ) from None

    def decided_different(self) -> set[tuple[int, int]]:
        """Pairs a reviewer marked as not the same."""
        rows = self.session.con.execute(
            "SELECT id_a, id_b FROM duplicate_decisions WHERE kind = ? AND decision = 'different'",
            [self.kind],
        ).fetchall()
        return {(int(a), int(b)) for a, b in rows}

    # -- finding -----------------------------------------------------------------------

    def find(
        self,
        *,
        new: Any = None,
        threshold: float | None = None,
        engine: str = "crmkit",
        learn: bool = True,
        identity: str | None = None,
        tf_adjust: bool = True,
        spark: Any = None,
        staging: str | os.PathLike[str] | None = None,
        progress: Any = None,
        **filters: Any,
    ) -> DuplicateReport:
        """See :meth:`crmkit.Contacts.find_duplicates`."""
        scope = Query(self.kind, tuple(compile_filters(self.session, self.kind, filters)))
        region = self.session.settings.default_region
        options: dict[str, Any] = {
            "kind": self.kind,
            "threshold": threshold,
            "engine": engine,
            "identity": identity,
            "exclude_pairs": self.decided_different(),
            "phone_region": region,
        }
        if not tf_adjust:  # crmkit engine only: find_duplicates says so for the others
            options["tf_adjust"] = False
        if engine == "splink":
            options["connection"] = self.session.con  # Splink runs on the store's DuckDB
            options["threshold"] = DEFAULT_THRESHOLD if threshold is None else threshold
        elif engine == "splink-spark":
            options.update(spark=spark, staging=staging)
            options["threshold"] = DEFAULT_THRESHOLD if threshold is None else threshold
        elif learn:
            options["labels"] = self.decisions()[["id_a", "id_b", "decision"]]
        frame = self.frame(scope)
        # Seconds of silence start around a few thousand records: a bar from there.
        options["progress"] = len(frame) >= PROGRESS_FROM if progress is None else progress
        if new is None and engine == "crmkit":
            # Handed over, not held here: the search lets the records go once prepared
            # and reads back by id the few it shows (0.5 GB at 1.1M contacts).
            records = StoredRecords(frame, self.read_back)
            del frame
            return find_duplicates(records, **options)
        if new is None:
            return find_duplicates(frame, **options)
        new_ids = self._new_ids(new)
        fresh = frame[frame["id"].isin(new_ids)]
        existing = frame[~frame["id"].isin(new_ids)]
        return find_duplicates(fresh, existing, **options)

    def _new_ids(self, new: Any) -> set[int]:
        if isinstance(new, Query):
            return set(new.ids(self.session.con))
        if isinstance(new, int) and not isinstance(new, bool):
            rows = self.session.con.execute(
                "SELECT record_id FROM history WHERE batch_id = ? AND table_name = ? "
                "AND operation = 'insert'",
                [new, self.kind],
            ).fetchall()
            if not rows:
                raise ValidationError(f"batch {new} inserted no {self.kind}")
            return {int(r[0]) for r in rows}
        return {int(i) for i in new}

    # -- the as-you-type warning -------------------------------------------------------

    def _version(self) -> tuple[int, int]:
        row = self.session.con.execute(
            f"SELECT coalesce(max(id), 0), (SELECT count(*) FROM {self.kind}) FROM batches"
        ).fetchall()[0]
        return int(row[0]), int(row[1])

    def index(self) -> DedupeIndex:
        """The in-memory index of live records, brought up to date incrementally.

        Builds it on the calling thread when there is none, or waits for the build that
        :meth:`prepare_index` started in the background.
        """
        self._collect(wait=True)
        plan = self._plan(add_now=None)
        if plan is not None:
            self._install(_build_index(plan))
        assert self._index is not None
        return self._index

    def prepare_index(self) -> Future[_Built] | None:
        """Bring the index up to date without a long wait; ``None`` once it is ready.

        A first build, or a rebuild after records were edited or many were added, runs
        on the :data:`INDEX_BUILDER` thread and its :class:`~concurrent.futures.Future`
        is returned (done when the build is; the next call of this method, :meth:`index`
        or :meth:`similar` then puts it in use). A few new records are indexed at once.

        Only the calling thread touches the database: it reads the records here, before
        the build starts, and hands the builder a DataFrame. A DuckDB connection must not
        be used by two threads at once, and the builder never sees one (the blocking step
        opens a private in-memory DuckDB of its own). The builder's result is put in use
        by the calling thread too, so the index in use is never changed by two threads.
        """
        self._collect(wait=False)
        if self._job is not None:
            return self._job
        plan = self._plan(add_now=_ADD_NOW)
        if plan is None:
            return None
        self._job = INDEX_BUILDER.submit(_build_index, plan)
        return self._job

    def _collect(self, *, wait: bool) -> None:
        """Put a finished background build in use (``wait``: wait for it to finish)."""
        job = self._job
        if job is None or (not wait and not job.done()):
            return
        self._job = None
        self._install(job.result())  # a failed build raises here, on the caller's thread

    def _install(self, built: _Built) -> None:
        self._index, self._index_version = built

    def _plan(self, add_now: int | None) -> _Plan | None:
        """What bringing the index up to date needs: ``None`` when done here.

        New records since the index are added at once when there are at most ``add_now``
        of them (``None``: any number); otherwise, and after edits, deletions or merges,
        the records to index are read for a build (the model is kept once fitted).
        """
        version = self._version()
        if self._index is not None and version == self._index_version:
            return None
        if self._index is not None and not self._changed_since_index():
            fresh_ids = self._inserted_since_index()
            if add_now is None or len(fresh_ids) <= add_now:
                if fresh_ids:
                    fresh = self.frame(Query(self.kind).of_ids(fresh_ids))
                    if not fresh.empty:
                        self._index.add(fresh)
                self._index_version = version
                return None
        model = self._index.model if self._index is not None else None
        region = self.session.settings.default_region
        return _Plan(self.frame(), self.kind, model, region, version)

    def _inserted_since_index(self) -> list[int]:
        """Ids of records inserted after the index was brought up to date, not in it."""
        assert self._index is not None and self._index_version is not None
        rows = self.session.con.execute(
            "SELECT DISTINCT record_id FROM history WHERE table_name = ? AND batch_id > ? "
            "AND operation = 'insert' ORDER BY record_id",
            [self.kind, self._index_version[0]],
        ).fetchall()
        known = set(self._index.table.ids)
        return [int(r[0]) for r in rows if int(r[0]) not in known]

    def _changed_since_index(self) -> bool:
        if self._index_version is None:
            return True
        rows = self.session.con.execute(
            "SELECT count(*) FROM history WHERE table_name = ? AND batch_id > ? "
            "AND operation <> 'insert'",
            [self.kind, self._index_version[0]],
        ).fetchall()
        return bool(rows[0][0])

    def _typed(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """The fields given a value, and a contact's account name when only its id is."""
        record = {k: v for k, v in fields.items() if v not in (None, "")}
        if "account_id" in record and "company" not in record and self.kind == "contacts":
            with contextlib.suppress(KeyError, ValueError):
                record["company"] = records.fetch(
                    self.session, "accounts", int(record["account_id"])
                )["name"]
        return record

    def best(
        self, typed: Sequence[Mapping[str, Any]], min_probability: float = 0.05
    ) -> list[tuple[int, float] | None]:
        """For each record of ``typed``, the live record most probably the same and its
        probability (``None`` below ``min_probability``): the first row of
        :meth:`similar` for each, scored in one pass
        (:meth:`~crmkit._dedupe._index.DedupeIndex.similar_many`).

        The index holds live records only (an edit, deletion or merge rebuilds it), so
        the live record found is the most probable indexed one, as :meth:`similar`'s.
        """
        found = self.index().similar_many(
            [self._typed(fields) for fields in typed], min_probability
        )
        live = self._live(sorted({int(i) for i in found["id"]}))
        found = found[found["id"].isin(live)].drop_duplicates("record")
        out: list[tuple[int, float] | None] = [None] * len(typed)
        for n, record_id, probability in zip(
            found["record"].tolist(),
            found["id"].tolist(),
            found["probability"].tolist(),
            strict=True,
        ):
            out[n] = (int(record_id), float(probability))
        return out

    def similar(self, limit: int = 5, min_probability: float = 0.05, **fields: Any) -> pd.DataFrame:
        """See :meth:`crmkit.Contacts.similar`."""
        record = self._typed(fields)
        index = self.index()
        found = index.similar(record, limit=limit * 2, min_probability=min_probability)
        if found.empty:
            return found
        live = set(Query(self.kind).of_ids(list(found["id"])).ids(self.session.con))
        found = found[found["id"].isin(live)].head(limit).reset_index(drop=True)
        view = self.session.con.sql(
            f"SELECT id, {'display_name, company, email' if self.kind == 'contacts' else 'name'}"
            f" FROM {self.kind}_v WHERE id IN (SELECT unnest(?::BIGINT[]))",
            params=[[int(i) for i in found["id"]]],
        ).df()
        extra = [c for c in view.columns if c != "id" and c not in found.columns]
        return found.merge(view[["id", *extra]], on="id", how="left")

    # -- reviewing and merging ---------------------------------------------------------

    def decide(self, id_a: int, id_b: int, decision: str) -> int:
        """Store a review decision ("same" or "different") for a pair; return the batch."""
        if decision not in ("same", "different"):
            raise ValidationError(f"decision is 'same' or 'different', got {decision!r}")
        a, b = sorted((int(id_a), int(id_b)))
        if a == b:
            raise ValidationError("a pair needs two different records")
        records.fetch(self.session, self.kind, a)
        records.fetch(self.session, self.kind, b)
        with self.session.batch(
            "duplicate review", f"{self.kind} {a} and {b}: {decision}"
        ) as batch:
            self.session.store.insert(
                "duplicate_decisions",
                pa.table(
                    {
                        "kind": pa.array([self.kind], pa.string()),
                        "id_a": pa.array([a], pa.int64()),
                        "id_b": pa.array([b], pa.int64()),
                        "decision": pa.array([decision], pa.string()),
                    }
                ),
                batch,
                self.session.user,
            )
        return batch

    def decisions(self) -> pd.DataFrame:
        """Every review decision for this kind of record."""
        return self.session.con.sql(
            "SELECT id_a, id_b, decision, created_at, created_by FROM duplicate_decisions "
            "WHERE kind = ? ORDER BY id",
            params=[self.kind],
        ).df()

    def accuracy(self, report: DuplicateReport | None = None) -> Accuracy:
        """See :meth:`crmkit.Contacts.duplicate_accuracy`."""
        found = self.find() if report is None else report
        return found.accuracy(self.decisions()[["id_a", "id_b", "decision"]])

    def merge(self, cluster_or_ids: Iterable[Any], **options: Any) -> MergeReport:
        """See :meth:`crmkit.Contacts.merge` (a list of groups: all in one batch)."""
        items = list(cluster_or_ids)
        if items and all(isinstance(i, list | tuple | set | frozenset) for i in items):
            groups = [[int(i) for i in group] for group in items]
            return merge_groups(self.session, self.kind, groups, **options)
        return merge_groups(self.session, self.kind, [[int(i) for i in items]], **options)

    def _live(self, ids: list[int]) -> set[int]:
        """Which of ``ids`` are live records (not deleted, not merged away), in one query."""
        rows = self.session.con.execute(
            f"SELECT id FROM {self.kind} WHERE id IN (SELECT unnest(?::BIGINT[])) "
            f"AND deleted_at IS NULL AND merged_into IS NULL",
            [ids],
        ).fetchall()
        return {int(r[0]) for r in rows}

    def merge_all(
        self, report: DuplicateReport, min_probability: float = 0.95, **options: Any
    ) -> MergeReport:
        """See :meth:`crmkit.Contacts.merge_all`."""
        groups: list[list[int]] = []
        skipped: list[tuple[str, str]] = []
        # The report may be older than merges made since: keep the live records.
        live = self._live(sorted({int(i) for cluster in report.clusters for i in cluster}))
        members = [sorted({int(i) for i in cluster} & live) for cluster in report.clusters]
        # The mean probability of the pairs inside each cluster's live members, at once.
        cluster_of = pd.Series(
            {i: n for n, ids in enumerate(members) if len(ids) >= 2 for i in ids}, dtype="Int64"
        )
        pairs = report.pairs
        a = pairs["id_a"].map(cluster_of)
        inside = a.notna() & a.eq(pairs["id_b"].map(cluster_of)).fillna(False).astype(bool)
        means = pairs.loc[inside, "probability"].groupby(a[inside].astype(int)).mean()
        for n, (cluster, ids) in enumerate(zip(report.clusters, members, strict=True)):
            if len(ids) < 2:
                skipped.append((", ".join(map(str, cluster)), "already merged or deleted"))
                continue
            mean = float(means.get(n, 0.0))
            if mean >= min_probability:
                groups.append(ids)
            else:
                skipped.append(
                    (", ".join(map(str, ids)), f"mean probability {mean:.2f} < {min_probability}")
                )
        skipped_frame = pd.DataFrame(skipped, columns=["cluster", "reason"])
        if not groups:
            empty = pd.DataFrame(columns=["survivor", "merged", "fields_changed"])
            return MergeReport(
                self.kind, empty, skipped=skipped_frame, dry_run=bool(options.get("dry_run"))
            )
        result = merge_groups(self.session, self.kind, groups, operation="merge all", **options)
        result.skipped = skipped_frame
        return result
