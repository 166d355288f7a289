"""The records API: ``crm.owners``, ``crm.accounts`` and ``crm.contacts``.

A thin facade: each verb hands the session to an operation of ``crmkit._ops``
(:mod:`~crmkit._ops._records`, :mod:`~crmkit._ops._owners`,
:mod:`~crmkit._ops._duplicates`), which validates with the one rule set and lets the
store write the change and its history in one batch.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

import pandas as pd
import polars as pl

from crmkit._core._operation import per_operation
from crmkit._core._results import first
from crmkit._core._session import Session
from crmkit._exceptions import CRMKitWarning, ErasureError, ValidationError
from crmkit._ops import _owners as owners
from crmkit._ops import _records as records
from crmkit._ops._account_tree import AccountTree, account_tree
from crmkit._ops._duplicates import Duplicates, duplicates_of
from crmkit._ops._fixes import Fixes, suggest_fixes
from crmkit._ops._frames import BATCH_ROWS, FrameKind
from crmkit._ops._merge import merged_values
from crmkit._ops._org_chart import OrgChart, org_chart
from crmkit._ops._query import Query
from crmkit._ops._subject_access import SubjectAccessReport, subject_access
from crmkit._ops._timeline import Timeline, timeline
from crmkit._ops._variants import Variants, find_variants
from crmkit._util._cell_format import format_cell
from crmkit._util._config import current_lang
from crmkit._util._messages import kind_noun, message
from crmkit._util._table_html import table_html
from crmkit.schemas._catalog import ACCOUNTS, CONTACTS, Table
from crmkit.schemas._display import NAMED_REFERENCES, country_names_in, field_kind, header
from crmkit.schemas._labels import column_label
from crmkit.schemas._models import ValidationReport

if TYPE_CHECKING:
    from pathlib import Path

    from crmkit._api._activities import ActivitySelection
    from crmkit._api._crm import CRM
    from crmkit._api._selection import Selection
    from crmkit._dedupe import DuplicateReport
    from crmkit._dedupe._accuracy import Accuracy
    from crmkit._formats import ExportResult
    from crmkit._importing._convert import ConversionReport
    from crmkit._ops._erase import ErasureReport
    from crmkit._ops._merge import MergeReport
    from crmkit._ops._summary import Summary

__all__ = ["Accounts", "Contacts", "Owners", "Record"]


class Record(Mapping[str, Any]):
    """One stored record: a read-only mapping of field to value, also readable as attributes.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> rec = crm.accounts.get(crm.accounts.add(name="APROOL"))
    >>> rec["name"], rec.name
    ('APROOL', 'APROOL')
    >>> crm.close()
    """

    def __init__(
        self,
        tbl: Table | None,
        data: Mapping[str, Any],
        kind: str = "",
        session: Session | None = None,
    ) -> None:
        self._table = tbl
        self._data = dict(data)
        self._kind = kind or (tbl.name if tbl else "record")
        self._session = session  # reads the names of the records this one points to

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_data"][name]
        except KeyError:
            raise AttributeError(name) from None

    def _filled(self) -> list[tuple[str, Any]]:
        return [(k, v) for k, v in self._data.items() if v not in (None, [], "", {})]

    def _label(self, name: str, lang: str = "en") -> str:
        if self._table is not None and name in self._table:
            return self._table[name].label(lang)
        return name

    def _names(self) -> dict[str, Any]:
        """The names of the owner, account or parent this record points to (one query)."""
        references = NAMED_REFERENCES.get(self._kind, {})
        wanted = [r for r in references if self._data.get(r) is not None]
        if self._session is None or not wanted or self._data.get("id") is None:
            return {}
        query = Query(self._kind, pinned=(int(self._data["id"]),))
        sql, params = query.sql([references[r] for r in wanted])
        row = first(self._session.con.execute(sql, params))
        return {} if row is None else dict(zip(wanted, row, strict=True))

    def _display_rows(self, lang: str) -> pd.DataFrame:
        """Field and value of each filled field, values formatted, ids shown as names."""
        names = self._names()
        currency = self._data.get("currency")
        labels, values = [], []
        for name, value in self._filled():
            if name in names and names[name] is not None:
                view_column = NAMED_REFERENCES[self._kind][name]
                labels.append(column_label(self._kind, view_column, lang))
                values.append(str(names[name]))
                continue
            kind = field_kind(self._kind, name) if self._table is not None else "auto"
            labels.append(self._label(name, lang))
            if name == "country" and isinstance(value, str):
                value = country_names_in(lang).get(value, value)
            values.append(_short(format_cell(value, kind, lang, currency)))
        return pd.DataFrame({header("field", lang): labels, header("value", lang): values})

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={_short(v)!s}" for k, v in self._filled())
        return f"{self._kind[:-1].capitalize()}({inner})"

    def _repr_html_(self) -> str:
        lang = current_lang()
        rows = self._display_rows(lang)
        table = table_html(rows, mode="static", lang=lang, max_rows=max(len(rows), 1))
        return f'<div class="crmkit-record crmkit-{self._kind}">{table}</div>'


def _short(value: Any) -> Any:
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@per_operation(lambda owners: owners._session.store)
class Owners:
    """Sales reps, users and teams that records are assigned to.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> paris = crm.owners.add("Paris", kind="team")
    >>> nb = crm.owners.add("Nicole Bertrand", email="nb@example.com", team="Paris")
    >>> crm.owners.resolve("nb@example.com") == nb
    True
    >>> crm.owners.members("Paris") == [nb]
    True
    >>> crm.close()
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        name: str,
        *,
        email: str | None = None,
        team: str | int | None = None,
        kind: str = "user",
    ) -> int:
        """Add a user (``kind="user"``) or a team (``kind="team"``); return its id.

        ``team`` names the team a user belongs to; the team is created when missing.
        """
        return owners.add(self._session, name, email=email, team=team, kind=kind)

    def resolve(self, key: str | int) -> int:
        """The id of the owner named by ``key`` (name, email or id).

        Raises :class:`UnknownValueError` listing the owners and the closest name.
        """
        return owners.resolve(self._session, key)

    def names(self, active_only: bool = False) -> list[str]:
        """Every owner name (users and teams)."""
        return owners.names(self._session, active_only)

    def members(self, team: str | int) -> list[int]:
        """Ids of the users in a team."""
        return owners.members(self._session, team)

    def expand(self, key: str | int) -> list[int]:
        """An owner's id, plus its members' ids when it is a team."""
        return owners.expand_many(self._session, [key])

    def expand_many(self, keys: list[str | int]) -> list[int]:
        """Ids of the owners named by ``keys`` (names, emails, ids), teams with members."""
        return owners.expand_many(self._session, keys)

    def get(self, key: str | int) -> Record:
        """One owner as a :class:`Record`."""
        return Record(None, owners.fetch(self._session, key), "owners")

    def list(self, include_inactive: bool = True) -> pd.DataFrame:
        """Every owner with its team and how many accounts and contacts it holds."""
        return owners.list_frame(self._session, include_inactive)

    def deactivate(self, key: str | int) -> None:
        """Mark an owner inactive (records keep pointing at it; filters still find them).

        Nothing new is given to an inactive owner: adds, updates, reassignments and
        imports naming it are refused.
        """
        owners.set_active(self._session, key, False)

    def activate(self, key: str | int) -> None:
        """Mark an owner active again."""
        owners.set_active(self._session, key, True)

    def __len__(self) -> int:
        return owners.count(self._session)

    def __repr__(self) -> str:
        return f"Owners({', '.join(self.names()) or 'none'})"


@per_operation(lambda records: records._session.store, skip=frozenset({"kind"}))
class _Records:
    """What accounts and contacts share."""

    _table: Table

    def __init__(self, crm: CRM) -> None:
        self._crm = crm
        self._session = crm._session

    @property
    def kind(self) -> str:
        """``accounts`` or ``contacts``."""
        return self._table.name

    # -- reading -------------------------------------------------------------------

    def get(self, record_id: int) -> Record:
        """One record by id (deleted and merged-away records included)."""
        return Record(
            self._table, records.fetch(self._session, self.kind, record_id), session=self._session
        )

    def exists(self, record_id: int) -> bool:
        """Whether a live (not deleted, not merged-away) record has this id."""
        return records.exists(self._session, self.kind, record_id)

    def find_id(self, key: str) -> int:
        """The id of the live record named ``key`` (case- and accent-insensitive)."""
        return records.find_id(self._session, self.kind, key)

    def df(self, *, quality: bool = False) -> pd.DataFrame:
        """Every live record, with derived columns (bands, owner names ...), as pandas.

        ``quality=True`` adds ``quality_score`` (0-100) and ``quality_missing`` (the
        empty weighted fields, in the current language) as last columns: see
        :meth:`quality_scores`.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> _ = crm.contacts.add(last_name="Dupont", email="j.dupont@aprool.com")
        >>> crm.contacts.df(quality=True)[["last_name", "quality_score"]].values.tolist()
        [['Dupont', 35]]
        >>> crm.close()
        """
        frame = self.all().df()
        if not quality:
            return frame
        scores = self.quality_scores()
        return frame.merge(scores, on="id", how="left", validate="one_to_one")

    def pl(self, *, quality: bool = False) -> pl.DataFrame:
        """Every live record, with derived columns, as polars (``quality=True``: with
        ``quality_score`` and ``quality_missing``, as :meth:`df`)."""
        frame = self.all().pl()
        if not quality:
            return frame
        scores = self.quality_scores(as_="polars")
        return frame.join(scores, on="id", how="left", validate="1:1")

    def iter_batches(self, size: int = BATCH_ROWS, *, as_: FrameKind = "pandas") -> Iterator[Any]:
        """Every live record in frames of at most ``size`` rows (see Selection.iter_batches)."""
        return self.all().iter_batches(size, as_=as_)

    def __len__(self) -> int:
        return Query(self.kind).count(self._session.con)

    def history(self, record_id: int) -> pd.DataFrame:
        """The timeline of one record: every batch that changed it, field by field."""
        return self._crm.history(self.kind, record_id)

    def activities(self, record_id: int) -> ActivitySelection:
        """The record's live notes and tasks (``crm.activities.filter(contact=id)`` or
        ``account=id``), as an :class:`~crmkit.ActivitySelection`."""
        if self.kind == "contacts":
            return self._crm.activities.filter(contact=record_id)
        return self._crm.activities.filter(account=record_id)

    def all(self) -> Selection:
        """Every live record, as a :class:`~crmkit.Selection`."""
        from crmkit._api._selection import Selection

        return Selection(self._crm, self.kind)

    def filter(self, **filters: Any) -> Selection:
        """Records matching keyword filters (AND between keywords, OR within a list).

        See :func:`crmkit._ops._filters.filter_names` for the keywords; any catalog field also
        works as an equality filter.
        """
        return self.all().filter(**filters)

    def summary(self, by: str | list[str]) -> Summary:
        """Counts (and revenue sums for accounts) by band, sector, owner or any column."""
        return self.all().summary(by)

    def export(self, path: str | Path, **options: Any) -> ExportResult:
        """Export every live record (see :meth:`Selection.export`)."""
        return self.all().export(path, **options)

    # -- spelling variants -------------------------------------------------------------

    def variants(
        self,
        field: str,
        *,
        method: str = "fingerprint",
        where: Selection | None = None,
        min_count: int = 1,
        n: int = 2,
        radius: int = 1,
        language: str | None = None,
    ) -> Variants:
        """Spelling variants of a text field, clustered as OpenRefine does.

        Parameters
        ----------
        field
            Any text field (``job_title``, ``city``, ``department`` ...) or a custom
            field as ``custom.<key>``.
        method
            ``fingerprint`` (case, accents, punctuation, word order ignored),
            ``ngram-fingerprint`` (character ``n``-grams: spaces ignored too),
            ``phonetic`` (how the words sound: Metaphone in English, a French key in
            French) or ``levenshtein`` (at most ``radius`` edits apart).
        where
            A selection of these records (``crm.contacts.filter(...)``); all by default.
        min_count
            Leave out clusters holding fewer records.
        n, radius
            The n-gram size and the edit radius of those methods.
        language
            ``en`` or ``fr`` for ``phonetic``; French when ``ck.set_config(lang="fr")``,
            English otherwise.

        Returns
        -------
        Variants
            One row per (cluster, value, count) with the proposed canonical value;
            ``.replace(...)`` writes the chosen clusters in one undoable batch.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> for title in ["Directeur commercial", "directeur  Commercial", "DRH"]:
        ...     _ = crm.contacts.add(last_name="Blou", job_title=title)
        >>> found = crm.contacts.variants("job_title")
        >>> found.df()["value"].tolist()
        ['Directeur commercial', 'directeur Commercial']
        >>> report = found.replace()
        >>> sorted(crm.contacts.df()["job_title"])
        ['DRH', 'Directeur commercial', 'Directeur commercial']
        >>> _ = crm.undo(report.batch_id)
        >>> crm.close()
        """
        query = self.all().query if where is None else where.query
        if query.kind != self.kind:
            raise ValidationError(
                message("variants_wrong_selection", selected=query.kind, kind=self.kind)
            )
        return find_variants(
            self._session,
            query,
            field,
            method=method,
            min_count=min_count,
            n=n,
            radius=radius,
            language=language,
        )

    def quality_scores(
        self,
        where: Selection | None = None,
        *,
        weights: Mapping[str, float] | None = None,
        as_: FrameKind = "pandas",
    ) -> Any:
        """A quality score (0-100) and a "missing: ..." text per record.

        Each weighted field brings its weight when filled in the stored format, half of
        it when filled in another format (a phone not in E.164 ...), nothing when empty;
        the score is the share of the total weight, times 100. ``quality_missing`` names
        the empty weighted fields, heaviest first, in the current language.

        Parameters
        ----------
        where
            A selection of these records; all by default.
        weights
            Field → weight (0 leaves a field out); by default
            ``crmkit._ops._quality_scores.DEFAULT_WEIGHTS`` (contacts: last name and
            email 3; first name, account and job title 2; phone, mobile, country, city,
            owner 1).
        as_
            ``"pandas"`` (default), ``"polars"`` or ``"arrow"``.

        Returns
        -------
        DataFrame
            ``id``, ``quality_score``, ``quality_missing``, in id order
            (``df(quality=True)`` gives them as columns of the records).
        """
        from crmkit._ops._quality_scores import quality_scores

        query = self.all().query if where is None else where.query
        if query.kind != self.kind:
            raise ValidationError(
                message("variants_wrong_selection", selected=query.kind, kind=self.kind)
            )
        return quality_scores(self._session, query, weights, as_)

    # -- fixes of stored values -------------------------------------------------------

    def suggest_fixes(
        self,
        *,
        fields: str | Iterable[str] | None = None,
        rules: str | Iterable[str] | None = None,
        where: Selection | None = None,
    ) -> Fixes:
        """Proposed fixes to stored values, to review and then apply in one undoable batch.

        Values crmkit would store differently today: names in capitals or lower case
        (``rule="name_case"``: "DUPONT" → "Dupont", particles and Mc/Mac/O' handled),
        outer or double spaces (``spaces``), phone numbers not in E.164 (``phone``, read
        in the record's country), email addresses (``email``), websites (``url``),
        country names (``country`` → ISO codes) and values of a list written another way
        (``vocabulary``).

        Parameters
        ----------
        fields
            Only these text fields (all by default).
        rules
            Only these rules: ``spaces``, ``phone``, ``email``, ``url``, ``country``,
            ``vocabulary``, ``name_case`` (all by default).
        where
            A selection of these records (``crm.contacts.filter(...)``); all by default.

        Returns
        -------
        Fixes
            A frame ``id, field, current, proposed, rule`` (``.df()``, ``.pl()``,
            ``.counts()``); ``.apply(...)`` writes all or some in one batch.

        Raises
        ------
        ValidationError
            An unknown field or rule, named.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> _ = crm.contacts.add(last_name="Blou", mobile="+33625341257")
        >>> _ = crm._session.con.execute("UPDATE contacts SET mobile = '06 25 34 12 57'")
        >>> fixes = crm.contacts.suggest_fixes()
        >>> fixes.df()[["current", "proposed", "rule"]].values.tolist()
        [['06 25 34 12 57', '+33625341257', 'phone']]
        >>> fixes.apply().changed
        1
        >>> len(crm.contacts.suggest_fixes())
        0
        >>> crm.close()
        """
        query = self.all().query if where is None else where.query
        if query.kind != self.kind:
            raise ValidationError(
                message("variants_wrong_selection", selected=query.kind, kind=self.kind)
            )
        return suggest_fixes(self._session, query, fields=fields, rules=rules)

    # -- checking without writing ------------------------------------------------------

    def prepare(self, **fields: Any) -> dict[str, Any]:
        """Field values as :meth:`add` would store them (normalised), without storing them.

        Refuses what :meth:`add` refuses before any rule is checked (an unknown keyword,
        an unknown owner); the rules themselves are :meth:`check`'s.
        """
        return records.values_from_keywords(self._session, self.kind, fields)

    def check(self, values: Mapping[str, Any], *, only: str | None = None) -> ValidationReport:
        """Every rule the values of one record break (the report of a save that is not made).

        ``values`` are field values as stored (see :meth:`prepare`); the report has the
        same rules as a save: the models, this database's required fields and sectors.
        With ``only``, the rules of that one field (a form checking as the user types).
        """
        return records.check(self._session, self.kind, values, only=only)

    # -- duplicates ----------------------------------------------------------------

    @property
    def _duplicates(self) -> Duplicates:
        return duplicates_of(self._session, self.kind)

    def find_duplicates(
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
        """Pairs and clusters of records that are probably the same, with reasons.

        Parameters
        ----------
        new
            Only pairs involving these records: an import's batch id, a Selection or a
            list of ids ("new records against all").
        threshold
            Probability from which a pair counts as a match (and joins a cluster).
            ``None``: 0.9, or once reviewers decided at least 10 pairs each way (with
            ``learn``), the cut with the best F1 on their decisions.
        engine
            ``"crmkit"``, ``"splink"`` (``pip install crmkit[splink]``; runs on the
            store's own DuckDB connection) or ``"splink-spark"`` (``pip install
            'crmkit[spark]'``; Splink's search on the Spark session ``spark``).
        learn
            Learn from the review decisions (:meth:`mark_same`, :meth:`mark_different`,
            the review widget): they update the model (crmkit engine), and the report's
            ``accuracy()`` estimates precision and recall from them.
        identity
            Contacts: ``"person"`` (one person across jobs: strong name evidence
            outweighs another company and city, and such pairs are listed in
            ``report.job_changes``; the default with the crmkit engine) or ``"role"`` (a
            person at a company; Splink's only policy); see :func:`crmkit.find_duplicates`.
        tf_adjust
            Weigh an exact agreement by how common the value is: a rare surname counts
            more than a common one ("common last_name, shared by 13 records" in the
            explanation). ``False``: every exact agreement of a field weighs the same.
            crmkit engine only; see :func:`crmkit.find_duplicates`.
        spark, staging
            ``engine="splink-spark"``: the ``pyspark.sql.SparkSession``, and the folder
            where the records are written as Parquet for it to read (temporary if
            ``None``; on a cluster, shared storage every executor reads).
        progress
            Show a progress bar stage by stage (prepare, blocking, comparing, training,
            clustering; tqdm, a widget in Jupyter); ``None``: from 5,000 records. A
            function ``(stage, stages_done, stages_in_all)`` is told as each stage
            starts instead (the review widget's own progress line).
        **filters
            Keyword filters, as :meth:`filter` (e.g. one owner's records).

        Pairs a reviewer marked as not the same (:meth:`mark_different`) are never
        proposed again.

        With the crmkit engine and without ``new``, the records read for the search are
        let go once prepared: the report's ``explain()`` reads the two records back from
        the database (their values as stored when asked; the CRM must still be open).
        """
        from crmkit._api._selection import Selection

        if isinstance(new, Selection):
            new = new.query
        return self._duplicates.find(
            new=new,
            threshold=threshold,
            engine=engine,
            learn=learn,
            identity=identity,
            tf_adjust=tf_adjust,
            spark=spark,
            staging=staging,
            progress=progress,
            **filters,
        )

    def similar(self, limit: int = 5, **fields: Any) -> pd.DataFrame:
        """Live records most probably the same as the values typed so far.

        Answers in milliseconds from an in-memory index kept up to date as records
        change (the entry forms' duplicate warning). Columns: ``id``, ``probability``,
        ``explanation`` and names to show.
        """
        return self._duplicates.similar(limit=limit, **fields)

    def prepare_similar(self) -> Future[Any] | None:
        """Bring :meth:`similar`'s index up to date without waiting for a long build.

        ``None`` once the index is ready; otherwise the build runs in the background and
        its :class:`~concurrent.futures.Future` is returned (a form opens with this, so
        no keystroke waits for the index).
        """
        return self._duplicates.prepare_index()

    def merge(
        self,
        cluster_or_ids: Any,
        *,
        prefer: Any = "recent",
        survivor: int | None = None,
        source: str | None = None,
        take: Mapping[str, int] | None = None,
        values: Mapping[str, Any] | None = None,
        dry_run: bool = False,
    ) -> MergeReport:
        """Merge records into one: one batch, undoable, and no value lost.

        The first record by ``prefer`` survives; a field blank on it is filled from the
        next record that has a value, lists are unioned, ``custom`` values merged.
        Related records are re-pointed at the survivor (contacts of merged accounts,
        child accounts, ``reports_to`` links, subscriptions) and the others are marked
        ``merged_into`` it. Nothing is deleted and nothing vanishes: the merged-away
        records keep every value they had (``crm.contacts.get(id)`` still reads them, and
        history has the survivor's old values), a contact's other email address goes to
        ``secondary_email`` when that is blank, and every value that lost is listed in
        the report's ``conflicts``.

        Parameters
        ----------
        cluster_or_ids
            The ids of the records (two or more); or a list of such groups, each merged
            into its own survivor, all in one batch (one undo reverts them all).
        prefer
            How the records are ordered, the first being the survivor: ``"recent"``
            (most recently updated), ``"complete"`` (most filled fields), ``"oldest"``
            (first created), ``"client_first"`` (an account that is a client, a contact
            of a client account) or ``"active_first"`` (an active contact, an account not
            archived); a function of a record (a dict of its values) returning a sort
            key, the smallest first; or a list of those applied in turn, e.g.
            ``["client_first", "recent"]``. A ``{field: value}`` mapping is taken as
            ``values``.
        survivor
            The id to keep, whatever the rule.
        source
            Records whose ``origin`` is this value come first.
        take
            ``{field: record_id}``: that field from that record.
        values
            ``{field: value}``: these values on the survivor.
        dry_run
            Write nothing; the report's ``plan`` gives the survivor field by field
            (``field``, ``value``, ``source``: the record the value comes from, ``rule``)
            and ``conflicts`` the values that would lose.

        Returns
        -------
        MergeReport
            ``survivor``, ``merges``, ``conflicts`` (``survivor, field, kept, lost,
            from_record``), ``repointed`` and ``batch_id`` for :meth:`CRM.undo`.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> client = crm.accounts.add(name="APROOL", is_client=True)
        >>> a = crm.contacts.add(last_name="Blou", email="hb@aprool.com", account_id=client,
        ...                      job_title="CTO")
        >>> b = crm.contacts.add(last_name="Blou", email="helene@blou.fr",
        ...                      phone="01 42 68 53 00", job_title="DSI")
        >>> rule = ["client_first", "recent"]  # the client's contact, then the most recent
        >>> plan = crm.contacts.merge([a, b], prefer=rule, dry_run=True).plan
        >>> plan.set_index("field").loc[["email", "secondary_email", "phone", "job_title"],
        ...                             ["value", "source", "rule"]]
        ... # doctest: +NORMALIZE_WHITESPACE
                                  value  source             rule
        field
        email             hb@aprool.com       1         survivor
        secondary_email  helene@blou.fr       2  secondary email
        phone              +33142685300       2           filled
        job_title                   CTO       1         survivor
        >>> report = crm.contacts.merge([a, b], prefer=rule)
        >>> report.survivor == a
        True
        >>> report.conflicts[["field", "kept", "lost", "from_record"]].to_dict("records")
        [{'field': 'job_title', 'kept': 'CTO', 'lost': 'DSI', 'from_record': 2}]
        >>> crm.contacts.get(b).job_title  # kept on the merged-away record
        'DSI'
        >>> _ = crm.undo(report.batch_id)
        >>> crm.contacts.get(a).secondary_email is None
        True
        >>> crm.close()
        """
        return self._duplicates.merge(
            cluster_or_ids,
            prefer=prefer,
            survivor=survivor,
            source=source,
            take=take,
            values=values,
            dry_run=dry_run,
        )

    def merge_all(
        self,
        report: DuplicateReport,
        min_probability: float = 0.95,
        *,
        prefer: Any = "recent",
        source: str | None = None,
        values: Mapping[str, Any] | None = None,
        dry_run: bool = False,
        progress: bool | None = None,
    ) -> MergeReport:
        """Merge every cluster of ``report`` whose pairs average at least ``min_probability``.

        All in one batch (``crm.undo(result.batch_id)`` reverts every merge), set-wise:
        10,000 clusters take seconds. Clusters below ``min_probability``, or whose
        records were merged or deleted since the report, are listed in ``skipped``. Each
        cluster is merged as :meth:`merge` merges, with the same ``prefer``, ``source``,
        ``values`` and ``dry_run``; a value that breaks a rule stops the whole batch,
        naming the survivor and the records being merged into it.

        Parameters
        ----------
        report
            What :meth:`find_duplicates` found.
        min_probability
            The mean probability of a cluster's pairs from which it is merged.
        prefer, source, values, dry_run
            As for :meth:`merge` (``values`` are set on every survivor).
        progress
            Show a progress bar; ``None``: from 2,000 clusters.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> ids = [crm.contacts.add(last_name="Martin", first_name="Jean",
        ...                         email="jean.martin@x.fr") for _ in range(2)]
        >>> report = crm.contacts.find_duplicates()
        >>> crm.contacts.merge_all(report, min_probability=0.5, dry_run=True).merged_count
        1
        >>> len(crm.contacts)
        2
        >>> merged = crm.contacts.merge_all(report, min_probability=0.5)
        >>> merged.merged_count, len(crm.contacts)
        (1, 1)
        >>> _ = crm.undo(merged.batch_id)
        >>> len(crm.contacts)
        2
        >>> crm.close()
        """
        return self._duplicates.merge_all(
            report,
            min_probability=min_probability,
            prefer=prefer,
            source=source,
            values=values,
            dry_run=dry_run,
            progress=progress,
        )

    def merged_values(self, record_id: int) -> pd.DataFrame:
        """The values of the records merged into ``record_id`` that it does not hold now.

        Merges never lose a value: the merged-away records are kept, and this lists, field
        by field, what they held that the record does not (``field, kept, lost,
        from_record``), merges of merges included.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> a = crm.contacts.add(last_name="Blou", email="hb@aprool.com", job_title="CTO")
        >>> b = crm.contacts.add(last_name="Blou", email="hb@aprool.com", job_title="DSI")
        >>> _ = crm.contacts.merge([a, b], prefer="oldest")
        >>> crm.contacts.merged_values(a)[["field", "kept", "lost"]].to_dict("records")
        [{'field': 'job_title', 'kept': 'CTO', 'lost': 'DSI'}]
        >>> crm.close()
        """
        return merged_values(self._session, self.kind, record_id)

    def decide(self, id_a: int, id_b: int, decision: str) -> int:
        """Store a reviewer's decision on a pair: ``"same"`` or ``"different"``.

        Decisions are kept in the database (one batch each, undoable) and teach the next
        :meth:`find_duplicates` (``learn=True``): "same" pairs and "different" pairs
        correct the model band by band, may re-choose the threshold once there are ten of
        each, and feed :meth:`duplicate_accuracy`. A pair decided "different" is never
        proposed nor clustered again. The last decision on a pair wins.

        Returns
        -------
        int
            The batch of the decision.

        Raises
        ------
        ValidationError
            A decision other than "same" / "different", or the same id twice.
        RecordNotFoundError
            An id with no record.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> a = crm.contacts.add(last_name="Blou", first_name="Hélène")
        >>> b = crm.contacts.add(last_name="Blou", first_name="Helene")
        >>> _ = crm.contacts.decide(a, b, "different")
        >>> crm.contacts.duplicate_decisions()[["id_a", "id_b", "decision"]].values.tolist()
        [[1, 2, 'different']]
        >>> crm.close()
        """
        return self._duplicates.decide(id_a, id_b, decision)

    def mark_different(self, id_a: int, id_b: int) -> int:
        """Record that two records are not the same; the pair is not proposed again."""
        return self._duplicates.decide(id_a, id_b, "different")

    def mark_same(self, id_a: int, id_b: int) -> int:
        """Record that two records are the same (without merging them yet)."""
        return self._duplicates.decide(id_a, id_b, "same")

    def duplicate_decisions(self) -> pd.DataFrame:
        """Review decisions made so far."""
        return self._duplicates.decisions()

    def duplicate_accuracy(self, report: DuplicateReport | None = None) -> Accuracy:
        """Estimated precision and recall of a duplicate search, from the review decisions.

        ``report.accuracy(self.duplicate_decisions())``: each probability band's share of
        "same" answers weighted by the band's count of pairs, the model's own
        probabilities where nobody reviewed (see :meth:`DuplicateReport.accuracy`). The
        review widget's random checks are what tell it about the pairs scored as unlikely.

        Parameters
        ----------
        report
            What :meth:`find_duplicates` returned; ``None``: a new search (as
            ``find_duplicates()`` with its defaults).

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> a = crm.contacts.add(first_name="Ann", last_name="Lee", email="ann@x.fr")
        >>> b = crm.contacts.add(first_name="Ann", last_name="Lee", email="ann@x.fr")
        >>> crm.contacts.duplicate_accuracy().method
        'model'
        >>> _ = crm.contacts.mark_same(a, b)
        >>> crm.contacts.duplicate_accuracy().description
        'from 1 reviewed pairs (1 same, 0 different), stratified by probability band'
        >>> crm.close()
        """
        return self._duplicates.accuracy(report)

    # -- writing -------------------------------------------------------------------

    def add(self, *, create_account: bool = False, **fields: Any) -> int:
        """Create a record from field values; return its id.

        Keywords are catalog field names, plus ``owner`` (name, email or id) and the
        table's reference shortcuts (``parent`` for accounts; ``account`` and
        ``reports_to`` for contacts). The owner defaults to the current user. With
        ``create_account=True`` a contact's ``account`` name that does not exist yet is
        created in the same batch (one undo removes both).
        """
        return records.add(self._session, self.kind, fields, create_account=create_account)

    def update(self, record_id: int, *, create_account: bool = False, **fields: Any) -> Record:
        """Change fields of one record; return the record as stored afterwards.

        Only fields whose value really changes are written and recorded in history. With
        ``create_account=True`` a contact's ``account`` name that does not exist yet is
        created in the same batch as the change (one undo removes both).
        """
        return self.get(
            records.update(
                self._session, self.kind, record_id, fields, create_account=create_account
            )
        )

    def clone(self, record_id: int, *, create_account: bool = False, **changes: Any) -> int:
        """Create a copy of a record with some fields changed; return the new id.

        ``create_account`` as for :meth:`add`: a new account name is created in the
        copy's batch.
        """
        return records.clone(
            self._session, self.kind, record_id, changes, create_account=create_account
        )

    def add_many(self, rows: Any) -> list[int]:
        """Create many records at once from a pandas/polars DataFrame or a list of dicts.

        Columns follow :meth:`add`'s keywords. Every row is validated first; if any row
        has an error, nothing is written and :class:`ValidationError` lists the rows.
        """
        return records.add_many(self._session, self.kind, rows)

    def delete(self, record_id: int, *, force: bool = False, hard: bool = False) -> None:
        """Delete a record: soft by default (``deleted_at`` set), for good with ``hard``.

        A record other records still point to is refused with :class:`RecordInUseError`
        saying which; ``force=True`` detaches those records first (in the same batch). The
        survivor of a merge cannot be removed for good: merged records point at it.
        """
        records.delete(self._session, self.kind, record_id, force=force, hard=hard)

    def erase(
        self, ids: int | Iterable[int] | Selection, *, reason: str, confirm: bool = False
    ) -> ErasureReport:
        """Erase people for good: their personal values, everywhere crmkit keeps them.

        ``ids`` is one id, several, or a selection (``crm.contacts.filter(...)``); the
        records merged into them are erased with them. In one transaction: the personal
        fields (``crm.settings.personal_fields``) of the records are emptied, and the
        record is removed, or kept as an empty tombstone with its id when other records
        point at it (a record merged into it, a deleted contact reporting to it); live
        records pointing at it are detached; their notes and tasks, subscriptions and
        duplicate decisions are removed; every history row of their personal fields is
        cleared; rejected import rows holding their email, phone or name are removed;
        saved views' values and batches' texts naming them read ``[erased]``; their
        emails and phones go to :attr:`crmkit.CRM.blocklist` as salted hashes. The
        ``erasures`` table logs who, when, ``reason`` and counts, no personal value.
        Then the database file is rewritten so that no free block keeps the old values.

        It cannot be undone: without ``confirm=True`` it is refused
        (:class:`~crmkit.ErasureError`), and ``crm.undo`` refuses the erasure and every
        earlier batch that changed an erased record. An unknown id
        (:class:`~crmkit.RecordNotFoundError`) or one erased before
        (:class:`~crmkit.ErasureError`) writes nothing.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> c = crm.contacts.add(first_name="Hélène", last_name="Blou", phone="06 25 34 12 57")
        >>> report = crm.contacts.erase(c, reason="request of 2026-12-01", confirm=True)
        >>> report.records, report.counts["blocked"], crm.contacts.exists(c)
        (1, 1, False)
        >>> crm.undo(report.batch_id)
        Traceback (most recent call last):
        ...
        crmkit._exceptions.UndoError: batch 2 is an erasure: an erasure cannot be undone
        >>> crm.close()
        """
        from crmkit._api._selection import Selection
        from crmkit._ops._erase import erase

        wanted: list[Any]
        if isinstance(ids, Selection):
            wanted = list(ids.ids)
        elif isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
            wanted = [ids]
        else:
            wanted = list(ids)
        if not confirm:
            noun = kind_noun(self.kind, len(wanted))
            raise ErasureError(message("erase_confirm", count=len(wanted), noun=noun))
        report = erase(self._session, self.kind, wanted, reason=reason)
        if report.mentions:
            shown = "; ".join(
                f"{name} {', '.join(str(i) for i in ids[:10])}{' …' if len(ids) > 10 else ''}"
                for name, ids in report.mentions.items()
            )
            count = sum(len(ids) for ids in report.mentions.values())
            warnings.warn(
                message("erase_mentions", count=count, records=shown),
                CRMKitWarning,
                stacklevel=2,
            )
        store = self._session.store
        # What this session derived from the records (a duplicates index, its
        # vocabularies) held the person too: it is built again when next asked.
        self._session.caches.clear()
        if not store.rewrite_file() and store.path is not None and not store.read_only:
            why = store.rewrite_blocker() or ""
            warnings.warn(
                message("erase_not_rewritten", path=store.path, why=why),
                CRMKitWarning,
                stacklevel=3,
            )
        return report


@per_operation(lambda records: records._session.store)
class Accounts(_Records):
    """The companies: ``crm.accounts``.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open(user="Nicole Bertrand")
    >>> acc = crm.accounts.add(name="APROOL", sector="logiciel", annual_revenue=4_200_000,
    ...                        employees=85)
    >>> rec = crm.accounts.get(acc)
    >>> rec.sector, rec.currency, crm.owners.get(rec.owner_id).name
    ('Software', 'EUR', 'Nicole Bertrand')
    >>> crm.close()
    """

    _table = ACCOUNTS

    def deactivate(self, record_id: int) -> Record:
        """Archive an account (an "archived client")."""
        return self.update(record_id, archived=True)

    def activate(self, record_id: int) -> Record:
        """Take an account out of the archive."""
        return self.update(record_id, archived=False)

    archive = deactivate
    unarchive = activate

    def timeline(
        self,
        record_id: int,
        *,
        include_contacts: bool = False,
        kinds: Iterable[str] | str | None = None,
        since: Any = None,
        until: Any = None,
    ) -> Timeline:
        """What happened to an account, oldest first; its contacts' events too with
        ``include_contacts=True`` (see :meth:`Contacts.timeline`).

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> acc = crm.accounts.add(name="APROOL")
        >>> _ = crm.contacts.add(last_name="Blou", account_id=acc)
        >>> len(crm.accounts.timeline(acc)), len(crm.accounts.timeline(acc, include_contacts=True))
        (1, 2)
        >>> crm.close()
        """
        return timeline(
            self._session,
            self.kind,
            record_id,
            kinds=kinds,
            since=since,
            until=until,
            include_contacts=include_contacts,
        )

    def org_chart(self, record_id: int) -> OrgChart:
        """The account's live contacts as a tree by ``reports_to``, boxes by department.

        ``.df()`` / ``.pl()`` (``id, name, job_title, department, reports_to_id, depth,
        path, n_reports``), ``.svg()``, ``.save("chart.svg")``; a notebook shows the SVG.
        Contacts whose manager is outside the account (or who have none) are roots.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> acc = crm.accounts.add(name="APROOL")
        >>> ceo = crm.contacts.add(last_name="Blou", account_id=acc, department="Direction")
        >>> _ = crm.contacts.add(last_name="Wang", account_id=acc, reports_to_id=ceo)
        >>> crm.accounts.org_chart(acc).df()["path"].tolist()
        ['Blou', 'Blou / Wang']
        >>> crm.close()
        """
        return org_chart(self._session, record_id)

    def tree(self, record_id: int) -> AccountTree:
        """The account's group: its top parent and every member account, with depth,
        own and rolled-up contacts, revenue (in ``tree.currency``, the database's,
        converted with the stored exchange rates) and headcount.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> top = crm.accounts.add(name="Groupe", employees=100)
        >>> _ = crm.accounts.add(name="Filiale", parent_id=top, employees=20)
        >>> crm.accounts.tree(top).df()[["name", "employees_total"]].values.tolist()
        [['Groupe', 120], ['Filiale', 20]]
        >>> crm.close()
        """
        return account_tree(self._session, record_id)

    def __repr__(self) -> str:
        return f"Accounts({len(self)} live records)"


@per_operation(lambda records: records._session.store)
class Contacts(_Records):
    """The people: ``crm.contacts``.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> acc = crm.accounts.add(name="APROOL")
    >>> cid = crm.contacts.add(first_name="Hélène", last_name="Blou", account_id=acc,
    ...                        email="helene.blou@APROOL.com", mobile="06 25 34 12 57")
    >>> c = crm.contacts.get(cid)
    >>> c.email, c.mobile
    ('helene.blou@aprool.com', '+33625341257')
    >>> crm.contacts.clone(cid, first_name="Marie") > cid
    True
    >>> crm.close()
    """

    _table = CONTACTS

    def export_vcf(
        self, path: str | Path, *, version: str = "3.0", zip: bool = False
    ) -> ExportResult:
        """Every live contact as vCards (see :meth:`Selection.export_vcf`)."""
        return self.all().export_vcf(path, version=version, zip=zip)

    def convert(
        self,
        selection_or_ids: Any,
        *,
        create_account: bool = True,
        account: int | str | None = None,
        stage: str = "customer",
        dry_run: bool = False,
        progress: bool | None = None,
    ) -> ConversionReport:
        """Convert leads into contacts of an account, in one undoable batch.

        Each contact must be a lead (``lifecycle_stage`` ``lead`` or ``qualified``). It is
        linked to ``account`` when given; else to the account it is already linked to;
        else to the live account of its ``company_name`` (the same matching as an
        import's company column), else to the account the duplicates engine finds most
        probably the same (name, and the domain of its web site or work e-mail, with a
        probability of 0.9 or more); else, with ``create_account=True``, to a new account
        of that name, one per company for the whole call (two leads of one new company
        make one account). Its stage becomes ``stage`` (``customer`` or ``former``).

        Any contact that cannot be converted (not a lead, deleted or merged, no company
        name, no account found with ``create_account=False``) raises
        :class:`~crmkit.ValidationError` naming it and nothing is written; with
        ``dry_run=True`` the report says what would be done and lists the refusals.
        ``crm.undo(report.batch_id)`` takes the accounts, links and stages back.

        Parameters
        ----------
        selection_or_ids
            A :class:`~crmkit.Selection`, an id, a list of ids, or a pandas or polars
            DataFrame with an ``id`` column.
        create_account
            Create the account of a company no live account matches.
        account
            The account (id or name) to link every contact to.
        stage
            The stage converted contacts get (a value or a label: ``"Client"``).
        dry_run
            Decide everything, write nothing.
        progress
            Show a progress bar while the accounts of the leads are looked up (tqdm, a
            widget in Jupyter); ``None``: from 5,000 leads.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> acme = crm.accounts.add(name="Acme SAS")
        >>> a = crm.contacts.add(last_name="Lee", lifecycle_stage="lead", company_name="ACME")
        >>> b = crm.contacts.add(last_name="Roy", lifecycle_stage="qualified",
        ...                      company_name="Blue Widgets")
        >>> c = crm.contacts.add(last_name="Ng", lifecycle_stage="lead",
        ...                      company_name="Blue Widgets Ltd")
        >>> report = crm.contacts.convert(crm.contacts.filter(lifecycle_stage=["lead",
        ...                               "qualified"]))
        >>> report.converted, report.linked, report.created
        ([1, 2, 3], [1], ['Blue Widgets'])
        >>> crm.contacts.get(c).account_id == crm.contacts.get(b).account_id
        True
        >>> crm.contacts.get(a).lifecycle_stage
        'customer'
        >>> _ = crm.undo(report.batch_id)
        >>> len(crm.accounts), crm.contacts.get(a).lifecycle_stage
        (1, 'lead')
        >>> crm.close()
        """
        from crmkit._api._selection import Selection
        from crmkit._importing._convert import convert

        if isinstance(selection_or_ids, Selection):
            selection_or_ids = selection_or_ids.ids
        return convert(
            self._session,
            selection_or_ids,
            create_account=create_account,
            account=account,
            stage=stage,
            dry_run=dry_run,
            progress=progress,
        )

    def deactivate(self, record_id: int) -> Record:
        """Mark a contact as having left the company (``active=False``)."""
        return self.update(record_id, active=False)

    def activate(self, record_id: int) -> Record:
        """Mark a contact active again."""
        return self.update(record_id, active=True)

    def timeline(
        self,
        record_id: int,
        *,
        kinds: Iterable[str] | str | None = None,
        since: Any = None,
        until: Any = None,
    ) -> Timeline:
        """What happened to a contact, oldest first, in one view.

        Field changes (grouped per batch: "owner: A → B"), creation, imports, merges
        (merged into / absorbed), deletions and undos, subscriptions, duplicate review
        decisions, and notes and tasks when the database has activities.

        Parameters
        ----------
        record_id
            A live contact.
        kinds
            Keep only these kinds of events: ``create``, ``change``, ``import``,
            ``merge``, ``delete``, ``undo``, ``subscription``, ``duplicate``, ``note``,
            ``task``.
        since, until
            Keep events from / up to these dates or datetimes (text is read as a date).

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> cid = crm.contacts.add(last_name="Blou")
        >>> _ = crm.contacts.update(cid, job_title="CTO")
        >>> crm.contacts.timeline(cid, kinds=["change"]).df()["event"].tolist()
        ['changed: Job title: — → CTO']
        >>> crm.close()
        """
        return timeline(self._session, self.kind, record_id, kinds=kinds, since=since, until=until)

    def subject_access(self, record_id: int, path: str | Path) -> SubjectAccessReport:
        """Write everything held about one person as a zip: a subject-access request.

        For the contact and the contacts merged into it: ``record.json`` (every field,
        with its label), ``account.json``, ``history.json`` (every history row about
        them), ``subscriptions.json``, ``tags.json``, ``activities.json`` (notes and
        tasks), ``duplicate_decisions.json``, ``imports.json`` (the import batches that
        wrote them, and rejected import rows holding their email) and ``index.html``: one
        page in the language of ``ck.set_config``, every value escaped, no script. A
        deleted contact is still held, so it is exported. Nothing in the database changes.

        Parameters
        ----------
        record_id
            The contact (not erased, not merged into another).
        path
            The zip to write (replaced whole, or not at all).

        Returns
        -------
        SubjectAccessReport
            The path and the number of items per section.

        Raises
        ------
        RecordNotFoundError
            No such contact, an erased one, or one merged into another (named).

        Examples
        --------
        >>> import crmkit as ck, tempfile, zipfile, json
        >>> crm = ck.open()
        >>> cid = crm.contacts.add(last_name="Blou", email="helene.blou@aprool.com")
        >>> _ = crm.contacts.update(cid, job_title="CTO")
        >>> out = tempfile.mkdtemp() + "/blou.zip"
        >>> report = crm.contacts.subject_access(cid, out)
        >>> report.counts["history"]
        2
        >>> "index.html" in zipfile.ZipFile(out).namelist()
        True
        >>> crm.close()
        """
        return subject_access(self._session, record_id, path)

    def __repr__(self) -> str:
        return f"Contacts({len(self)} live records)"
