"""Spelling variants of a text field, and replacing them in one undoable batch.

``crm.contacts.variants("job_title")`` counts the distinct values of the field in DuckDB
(one ``GROUP BY``), clusters the distinct values in Python with OpenRefine's methods
(:mod:`crmkit._normalize._variants`) and returns a :class:`Variants`: one row per
(cluster, value, count) with the proposed canonical value. :meth:`Variants.replace`
writes the chosen clusters through the store like every bulk edit: the replacement is
normalised and validated as a form save would, then one batch sets every variant to it,
with its history rows, so ``crm.undo()`` restores each value.

A custom field (a key of the ``custom`` JSON column) is addressed as ``custom.<key>``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa

from crmkit._core._operation import per_operation
from crmkit._core._session import Session
from crmkit._exceptions import ValidationError
from crmkit._normalize._prepare import prepare_values
from crmkit._normalize._variants import METHODS, PHONETIC_LANGS, Cluster, cluster_values
from crmkit._ops._bulk import BulkReport
from crmkit._ops._field_writes import write_values
from crmkit._ops._query import Query
from crmkit._util._config import current_lang
from crmkit._util._messages import kind_noun, message
from crmkit._util._shorten import shorten
from crmkit._util._table_html import Column, table_html, table_text
from crmkit.schemas._catalog import table
from crmkit.schemas._models import describe_failures, validate

__all__ = ["TextField", "Variants", "find_variants", "text_field"]

_CUSTOM = "custom."
_COLUMNS = ("cluster", "canonical", "value", "count")


@dataclass(frozen=True)
class TextField:
    """A text field variants can cluster: a catalog field or a key of ``custom``.

    Attributes
    ----------
    name
        As the user gave it: ``job_title``, ``custom.region_code``.
    column
        The stored column: the field, or ``custom``.
    key
        The key inside ``custom`` (``None`` for a catalog field).
    """

    name: str
    column: str
    key: str | None = None

    @property
    def json_path(self) -> str:
        """The JSON path of a custom key (``$."key"``), bound as a parameter."""
        return "$." + json.dumps(self.key)

    def label(self, kind: str, lang: str | None = None) -> str:
        """The field's label in ``lang`` (a custom field keeps its name)."""
        if self.key is not None:
            return self.name
        return table(kind)[self.column].label(lang or current_lang())


def text_field(kind: str, name: str) -> TextField:
    """Check that ``name`` is a text field of ``kind``: a catalog field or ``custom.<key>``.

    Raises
    ------
    ValidationError
        An unknown field, or one that does not hold text, named in the user's language.

    Examples
    --------
    >>> text_field("contacts", "job_title")
    TextField(name='job_title', column='job_title', key=None)
    >>> text_field("contacts", "custom.Région").key
    'Région'
    >>> text_field("contacts", "employees")
    Traceback (most recent call last):
    ...
    crmkit._exceptions.ValidationError: unknown field 'employees' of contacts; text fields: ...
    """
    tbl = table(kind)
    text_names = [f.name for f in tbl if f.kind == "text" and f.editable]
    name = str(name).strip()
    if name.startswith(_CUSTOM) and len(name) > len(_CUSTOM):
        return TextField(name, "custom", name[len(_CUSTOM) :])
    if name not in tbl:
        raise ValidationError(
            message(
                "variants_unknown_field",
                field=shorten(name),
                kind=kind,
                fields=", ".join(text_names),
            )
        )
    found = tbl[name]
    if found.kind != "text" or not found.editable:
        raise ValidationError(
            message(
                "variants_not_text",
                field=name,
                type=found.kind,
                fields=", ".join(text_names),
            )
        )
    return TextField(name, name)


def _value_sql(query: Query, target: TextField) -> tuple[str, list[Any]]:
    """``SELECT id, value`` of the selection (non-blank values only) and its parameters."""
    sql, params = query.sql(["id", target.column])
    if target.key is None:
        value = f"s.{target.column}"
        params_value: list[Any] = []
    else:
        value = "json_extract_string(s.custom, ?)"
        params_value = [target.json_path]
    return (
        f"SELECT s.id, {value} AS value FROM ({sql}) s",
        [*params_value, *params],
    )


def _counts(session: Session, query: Query, target: TextField) -> dict[str, int]:
    sql, params = _value_sql(query, target)
    rows = session.con.execute(
        f"SELECT value, count(*) FROM ({sql}) WHERE value IS NOT NULL AND trim(value) <> '' "
        "GROUP BY value",
        params,
    ).fetchall()
    return {str(value): int(n) for value, n in rows}


def find_variants(
    session: Session,
    query: Query,
    field_name: str,
    *,
    method: str = "fingerprint",
    min_count: int = 1,
    n: int = 2,
    radius: int = 1,
    language: str | None = None,
) -> Variants:
    """The spelling variants of a text field in the selection (see :class:`Variants`)."""
    target = text_field(query.kind, field_name)
    if method not in METHODS:
        raise ValidationError(
            message("variants_unknown_method", method=shorten(method), methods=", ".join(METHODS))
        )
    lang = language or ("fr" if current_lang() == "fr" else "en")
    if lang not in PHONETIC_LANGS:
        raise ValidationError(
            message(
                "variants_unknown_language",
                language=shorten(lang),
                languages=", ".join(PHONETIC_LANGS),
            )
        )
    for name, number, least in (("radius", radius, 0), ("n", n, 1), ("min_count", min_count, 0)):
        if isinstance(number, bool) or not isinstance(number, int) or number < least:
            raise ValidationError(
                message("variants_bad_number", name=name, least=least, value=shorten(number))
            )
    counts = _counts(session, query, target)
    clusters = cluster_values(
        counts, method, n=int(n), radius=int(radius), lang=lang, min_count=min_count
    )
    options = {"min_count": min_count, "n": int(n), "radius": int(radius), "language": lang}
    return Variants(session, query, target, method, clusters, len(counts), options)


# Only what reads the file or the settings runs as a store operation (shared mode).
_NO_FILE = frozenset({"df", "pl", "kind", "field", "methods", "__len__", "__repr__", "_repr_html_"})


@per_operation(lambda variants: variants._session.store, skip=_NO_FILE)
@dataclass(repr=False, eq=False)
class Variants:
    """Spelling variants of a text field, clustered: ``crm.contacts.variants("city")``.

    One row per (cluster, value): the cluster's number (1 = the most records), the
    proposed ``canonical`` value (the most frequent, ties broken by a well-cased form),
    the ``value`` as stored and how many records hold it (``count``).

    Attributes
    ----------
    kind, field, method
        What was clustered, and how.
    clusters
        The :class:`~crmkit._normalize._variants.Cluster` objects, in number order.
    distinct
        Distinct non-blank values read.
    options
        The other settings of the search (``min_count``, ``n``, ``radius``,
        ``language``), which :meth:`recluster` keeps.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> for city in ["Paris", "PARIS", "Paris", "paris", "Lyon"]:
    ...     _ = crm.contacts.add(last_name="Blou", city=city)
    >>> found = crm.contacts.variants("city")
    >>> found.df()[["cluster", "canonical", "value", "count"]].values.tolist()
    [[1, 'Paris', 'Paris', 2], [1, 'Paris', 'PARIS', 1], [1, 'Paris', 'paris', 1]]
    >>> report = found.replace()
    >>> report.changed
    2
    >>> sorted(set(crm.contacts.df()["city"]))
    ['Lyon', 'Paris']
    >>> _ = crm.undo(report.batch_id)
    >>> sorted(crm.contacts.df()["city"])
    ['Lyon', 'PARIS', 'Paris', 'Paris', 'paris']
    >>> crm.close()
    """

    _session: Session
    _query: Query
    target: TextField
    method: str
    clusters: list[Cluster]
    distinct: int
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """``contacts`` or ``accounts``."""
        return self._query.kind

    @property
    def field(self) -> str:
        """The field clustered, as given (``custom.<key>`` for a custom field)."""
        return self.target.name

    @property
    def methods(self) -> tuple[str, ...]:
        """The clustering methods :meth:`recluster` takes, in the order to offer them."""
        return METHODS

    def __len__(self) -> int:
        return len(self.clusters)

    def recluster(self, method: str | None = None, **options: Any) -> Variants:
        """The same field of the same records clustered anew: values and counts read again.

        Parameters
        ----------
        method
            Another of :attr:`methods`; ``None`` keeps this one.
        **options
            ``min_count``, ``n``, ``radius`` or ``language`` to change; the others are
            kept from this search.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> for city in ["Paris", "PARIS", "Pariss"]:
        ...     _ = crm.contacts.add(last_name="Blou", city=city)
        >>> found = crm.contacts.variants("city")
        >>> [len(c.values) for c in found.clusters]
        [2]
        >>> [len(c.values) for c in found.recluster("levenshtein").clusters]
        [3]
        >>> crm.close()
        """
        unknown = sorted(set(options) - {"min_count", "n", "radius", "language"})
        if unknown:
            raise ValidationError(
                message(
                    "variants_bad_option",
                    option=shorten(unknown[0]),
                    options="min_count, n, radius, language",
                )
            )
        return find_variants(
            self._session,
            self._query,
            self.field,
            method=self.method if method is None else method,
            **{**self.options, **options},
        )

    def _rows(self) -> dict[str, list[Any]]:
        columns: dict[str, list[Any]] = {c: [] for c in _COLUMNS}
        for number, cluster in enumerate(self.clusters, start=1):
            for value, count in cluster.values:
                columns["cluster"].append(number)
                columns["canonical"].append(cluster.canonical)
                columns["value"].append(value)
                columns["count"].append(count)
        return columns

    def df(self) -> pd.DataFrame:
        """The clusters as pandas: ``cluster, canonical, value, count``."""
        rows = self._rows()
        return pd.DataFrame(
            {
                "cluster": pd.Series(rows["cluster"], dtype="int64"),
                "canonical": pd.Series(rows["canonical"], dtype=object),
                "value": pd.Series(rows["value"], dtype=object),
                "count": pd.Series(rows["count"], dtype="int64"),
            }
        )

    def pl(self) -> pl.DataFrame:
        """The clusters as polars: ``cluster, canonical, value, count``."""
        return pl.DataFrame(
            self._rows(),
            schema={
                "cluster": pl.Int64,
                "canonical": pl.String,
                "value": pl.String,
                "count": pl.Int64,
            },
        )

    # -- display -------------------------------------------------------------------

    def _head(self, lang: str) -> str:
        if not self.clusters:
            return message("variants_none", lang, field=self.target.label(self.kind, lang))
        return message(
            "variants_head",
            lang,
            field=self.target.label(self.kind, lang),
            kind=kind_noun(self.kind, None, lang),
            method=self.method,
            count=len(self.clusters),
            values=sum(len(c.values) for c in self.clusters),
            records=sum(c.count for c in self.clusters),
        )

    def _columns(self, lang: str) -> list[Column]:
        def label(name: str) -> str:
            return message(f"variants_col_{name}", lang)

        return [
            Column("cluster", label("cluster"), "integer"),
            Column("canonical", label("canonical"), "text"),
            Column("value", label("value"), "text"),
            Column("count", label("count"), "integer"),
        ]

    def __repr__(self) -> str:
        lang = current_lang()
        head = self._head(lang)
        if not self.clusters:
            return head
        return head + "\n" + table_text(self.df(), self._columns(lang), lang=lang)

    def _repr_html_(self) -> str:
        lang = current_lang()
        head = html.escape(self._head(lang))
        if not self.clusters:
            return f'<div class="crmkit-variants"><p>{head}</p></div>'
        page = table_html(self.df(), self._columns(lang), lang=lang)
        return f'<div class="crmkit-variants"><p><strong>{head}</strong></p>{page}</div>'

    # -- replacing -------------------------------------------------------------------

    def _chosen(self, clusters: Any) -> dict[int, str]:
        """Cluster number -> the value to write, from ``replace``'s argument."""
        last = len(self.clusters)
        if clusters is None:
            return {i: c.canonical for i, c in enumerate(self.clusters, start=1)}
        if isinstance(clusters, Mapping):
            wanted: dict[Any, Any] = dict(clusters)
        elif isinstance(clusters, int | str) or not isinstance(clusters, Sequence):
            wanted = {clusters: None}
        else:
            wanted = dict.fromkeys(clusters)
        chosen: dict[int, str] = {}
        for number, value in wanted.items():
            if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= last:
                key = "variants_unknown_cluster" if last else "variants_no_clusters"
                raise ValidationError(message(key, cluster=shorten(number), count=last))
            cluster = self.clusters[number - 1]
            chosen[number] = cluster.canonical if value is None else value
        return chosen

    def _refused(self, number: int, value: Any, why: str, cases: Any = None) -> ValidationError:
        label = self.target.label(self.kind)
        text = message(
            "variants_bad_value", field=label, value=shorten(value), cluster=number, why=why
        )
        return ValidationError(text, cases)

    def _prepared(self, chosen: Mapping[int, Any]) -> dict[int, Any]:
        """Each cluster's replacement as stored: normalised and validated like a form save
        (every replacement in one validation, so a hundred clusters cost one)."""
        prepared: dict[int, Any] = {}
        tbl = table(self.kind)
        settings = self._session.settings
        for number, value in chosen.items():
            if not isinstance(value, str) or not value.strip():
                why = message("variants_blank" if isinstance(value, str) else "variants_not_str")
                raise self._refused(number, value, why)
            if self.target.key is not None:
                prepared[number] = value.strip()
                continue
            try:
                values = prepare_values(
                    tbl,
                    {self.target.column: value},
                    region=settings.default_region,
                    sectors=settings.sectors,
                )
            except ValidationError as exc:
                raise self._refused(number, value, str(exc)) from exc
            prepared[number] = values[self.target.column]
        if self.target.key is not None or not prepared:
            return prepared
        numbers = list(prepared)
        column = self.target.column
        frame = pd.DataFrame({column: pd.Series([prepared[n] for n in numbers], dtype=object)})
        required = [r for r in settings.required_fields(self.kind) if r == column]
        report = validate(frame, self.kind, required=required, sectors=settings.sectors.values)
        if not report.ok:
            row = int(report.errors["row"].iloc[0])
            cases = report.errors[report.errors["row"] == row]
            why = describe_failures(cases, kind=self.kind, rows=False)
            raise self._refused(numbers[row], chosen[numbers[row]], why, cases)
        return prepared

    def plan(self, clusters: Any = None) -> pd.DataFrame:
        """What :meth:`replace` would write: ``cluster, value, replacement, count``
        (values already equal to their replacement left out)."""
        rows = []
        for number, replacement in self._prepared(self._chosen(clusters)).items():
            for value, count in self.clusters[number - 1].values:
                if value != replacement:
                    rows.append((number, value, replacement, count))
        return pd.DataFrame(rows, columns=["cluster", "value", "replacement", "count"])

    def replace(self, clusters: Any = None, *, dry_run: bool = False) -> BulkReport:
        """Write the chosen clusters' replacement value, in one batch ``crm.undo`` reverts.

        Parameters
        ----------
        clusters
            ``None``: every cluster, each to its ``canonical`` value; a list of cluster
            numbers: those, to their canonical values; ``{number: value}``: those, each to
            the value given (any text the field accepts).
        dry_run
            Check and count, write nothing (:meth:`plan` lists what would change).

        Returns
        -------
        BulkReport
            ``changed`` records, the ``batch_id`` to undo.

        Raises
        ------
        ValidationError
            A cluster number that does not exist, or a replacement the field refuses
            (too long, not in its vocabulary ...): named, and nothing is written.
        """
        plan = self.plan(clusters)
        selected = int(plan["count"].sum()) if not plan.empty else 0
        details: dict[str, Any] = {"clusters": int(plan["cluster"].nunique()) if selected else 0}
        if dry_run:
            details["would change"] = selected
        if dry_run or plan.empty:
            return BulkReport("variants", self.kind, selected, 0, details=details)
        mapping = pa.table(
            {
                "old": pa.array(plan["value"].tolist(), pa.string()),
                "new": pa.array(plan["replacement"].tolist(), pa.string()),
            }
        )
        sql, params = _value_sql(self._query, self.target)
        con = self._session.store.con
        if self.target.key is None:
            new_value = f"m.new AS {self.target.column}"
            new_params: list[Any] = []
        else:
            new_value = "json_object(?, m.new) AS custom"
            new_params = [self.target.key]
        con.register("_crmkit_variant_map", mapping)
        try:
            changes = con.sql(
                f"SELECT v.id, {new_value} FROM ({sql}) v "
                "JOIN _crmkit_variant_map m ON v.value = m.old",
                params=[*new_params, *params],
            ).to_arrow_table()
        finally:
            con.unregister("_crmkit_variant_map")
        description = f"replace {len(plan)} spelling variants of {self.field} in {self.kind}"
        return write_values(
            self._session,
            self.kind,
            changes,
            operation="variants",
            description=description,
            merge=self.target.key is not None,  # a custom key patches the JSON object
            details=details,
        )
