"""Find duplicate contacts and accounts: candidate pairs, probabilities, reasons, clusters.

:func:`find_duplicates` takes a pandas or polars DataFrame of records (catalog field names,
an ``id`` column, and for contacts ``company``: the account name as text) and returns a
:class:`DuplicateReport`. The engine, pure logic over DataFrames plus DuckDB for blocking:

1. **Normalise** (:mod:`crmkit._dedupe._features`): names without case and accents and
   transliterated (``张伟`` is ``zhang wei``), nicknames (Bill is William), e-mails without
   case or ``+tag``, phones in E.164, company names without legal forms (SA, SAS, SARL,
   GmbH, Ltd, Inc, 有限公司 ...) in any word order, web and e-mail domains.
2. **Block** (:mod:`crmkit._dedupe._blocking`): pairs sharing a key (same e-mail, phone,
   domain, Soundex or prefix of the names in either order, company with city ...), joined
   in DuckDB; a huge block (1 000 records with one e-mail) becomes a sorted neighbourhood
   instead of half a million pairs.
3. **Score** (:mod:`crmkit._dedupe._model`): rapidfuzz similarities turned into agreement
   levels; Fellegi-Sunter weights learned without labels (``u`` from the table, ``m`` by
   EM), each field's contribution in bits, which is the explanation.
4. **Cluster** (:mod:`crmkit._dedupe._cluster`): strong links merged by average linkage,
   so that one weak link does not chain unrelated records together.

New records against existing ones (``find_duplicates(new, existing)``) only compares pairs
involving a new record; :class:`DedupeIndex` keeps the keys and the model in memory and
answers :meth:`DedupeIndex.similar` (the "similar records" warning of an entry form) in a
few milliseconds.

With ``engine="splink"`` the same normalised values are matched by Splink 5 on the given
DuckDB connection (``pip install crmkit[splink]``). Splink also runs on Spark: for a table
that outgrows one machine, build the same settings (see :func:`splink_settings`) and give
them to ``splink.Linker`` with ``splink.SparkAPI(spark_session=spark)`` instead of
``DuckDBAPI``; the normalised columns come from :func:`prepare_for_splink`, written to
Parquet and read by Spark. Training (``estimate_u_using_random_sampling``, EM) and
``linker.inference.predict`` are the same calls.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from crmkit._dedupe._blocking import (
    DEFAULT_MAX_BLOCK_SIZE,
    DEFAULT_WINDOW,
    Candidates,
    KeyIndex,
    candidate_pairs,
)
from crmkit._dedupe._cluster import DEFAULT_AVERAGE_THRESHOLD, cluster
from crmkit._dedupe._features import (
    Comparison,
    FeatureTable,
    PairLevels,
    blocking_keys,
    compare,
    frame_columns,
    prepare,
    resolve_comparisons,
    sort_key,
)
from crmkit._dedupe._model import MatchModel, explanation_texts, fit
from crmkit._exceptions import RecordNotFoundError, UnknownValueError, ValidationError
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import table

__all__ = [
    "DEFAULT_THRESHOLD",
    "DedupeIndex",
    "DuplicateReport",
    "find_duplicates",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Engine = Literal["crmkit", "splink"]
ENGINES = ("crmkit", "splink")

DEFAULT_THRESHOLD = 0.9
"""Match probability at or above which two records are the same entity."""
DEFAULT_MIN_PROBABILITY = 0.5
_SMALL_TABLE = 2  # below this many records there is nothing to compare
_HTML_TOP_PAIRS = 10


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------


@dataclass(repr=False)
class DuplicateReport:
    """Duplicate pairs and clusters found in a table of records.

    Attributes
    ----------
    pairs
        pandas DataFrame, one row per pair with ``probability >= min_probability``, most
        probable first: ``id_a``, ``id_b``, ``probability``, ``match_weight`` (bits), one
        column per comparison with its agreement level (``exact``, ``close``, ``different``
        ..., missing when a value is null), ``names_swapped`` (contacts) and
        ``explanation``, e.g. ``"email exact (+16.9), last_name close 0.96 (+6.3), phone
        different (-4.8)"``.
    clusters
        Lists of ids that are one entity (two or more each), the most probable first.
    threshold
        Probability from which a pair is a match.
    engine
        ``"crmkit"`` or ``"splink"``.
    stats
        Records, candidate pairs, pairs per blocking rule, matches, clusters, seconds per
        step and how the model was fitted.
    model
        The fitted :class:`~crmkit._dedupe._model.MatchModel` (crmkit engine), to reuse
        with ``find_duplicates(..., model=report.model)``.
    """

    pairs: pd.DataFrame
    clusters: list[list[Any]]
    threshold: float
    engine: str
    stats: dict[str, Any]
    model: MatchModel | None = None
    _run: _Run | None = field(default=None, repr=False)

    def cluster_frame(self, singletons: bool = False) -> pd.DataFrame:
        """One row per clustered record: ``id`` and ``cluster_id`` (0 = most probable).

        Parameters
        ----------
        singletons
            Also list the records in no cluster, each with a cluster id of its own.

        Examples
        --------
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"id": [1, 2, 3], "first_name": ["Ann", "Ann", "Bob"],
        ...                       "last_name": ["Lee", "Lee", "Ray"],
        ...                       "email": ["ann@x.fr", "ann@x.fr", "bob@y.fr"]})
        >>> find_duplicates(frame).cluster_frame()
           id  cluster_id
        0   1           0
        1   2           0
        """
        ids: list[Any] = []
        labels: list[int] = []
        for number, members in enumerate(self.clusters):
            ids.extend(members)
            labels.extend([number] * len(members))
        if singletons and self._run is not None:
            clustered = set(ids)
            number = len(self.clusters)
            for record in self._run.table.ids:
                if record not in clustered:
                    ids.append(record)
                    labels.append(number)
                    number += 1
        return pd.DataFrame({"id": ids, "cluster_id": pd.Series(labels, dtype="int64")})

    def explain(self, id_a: Any, id_b: Any) -> pd.DataFrame:
        """How two records compare, field by field.

        Returns
        -------
        pandas.DataFrame
            One row per comparison: ``field``, ``value_a``, ``value_b`` (as written),
            ``normalized_a``, ``normalized_b``, ``level``, ``similarity``, ``m``, ``u``,
            ``weight`` (bits), then a ``(prior)`` row; ``weight`` sums to the pair's match
            weight.

        Raises
        ------
        RecordNotFoundError
            An id is not among the records.

        Examples
        --------
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"id": [1, 2], "first_name": ["Bill", "William"],
        ...                       "last_name": ["Smith", "SMITH"]})
        >>> table_ = find_duplicates(frame).explain(1, 2)
        >>> table_[["field", "value_a", "value_b", "level"]].values.tolist()[:2]
        [['first_name', 'Bill', 'William', 'nickname'], ['last_name', 'Smith', 'SMITH', 'exact']]
        """
        if self._run is None:
            raise ValidationError(
                f"explain() needs the records; this report (engine {self.engine!r}) has none"
            )
        return self._run.explain(id_a, id_b)

    def __repr__(self) -> str:
        n = self.stats.get("records", 0)
        return (
            f"DuplicateReport({len(self.pairs)} pairs, {len(self.clusters)} clusters "
            f"among {n} records, threshold={self.threshold}, engine={self.engine!r})"
        )

    def _repr_html_(self) -> str:
        stats = self.stats
        head = (
            f"<p><strong>Duplicates</strong> ({html.escape(self.engine)} engine): "
            f"{stats.get('records', 0):,} records, {stats.get('candidate_pairs', 0):,} "
            f"candidate pairs, <b>{stats.get('matches', 0):,}</b> pairs at or above "
            f"{self.threshold:g}, <b>{len(self.clusters):,}</b> clusters "
            f"({stats.get('clustered_records', 0):,} records), "
            f"{stats.get('seconds', 0.0):.2f} s.</p>"
        )
        blocks = []
        for row in self.pairs.head(_HTML_TOP_PAIRS).itertuples(index=False):
            title = (
                f"<p><b>{row.probability:.3f}</b> {html.escape(str(row.id_a))} ↔ "
                f"{html.escape(str(row.id_b))}: {html.escape(str(row.explanation))}</p>"
            )
            detail = ""
            if self._run is not None:
                shown = self._run.explain(row.id_a, row.id_b)
                shown = shown[shown["field"] != "(prior)"]
                cells = "".join(
                    f"<tr><th style='text-align:left'>{html.escape(str(r.field))}</th>"
                    f"<td>{html.escape(_text(r.value_a))}</td>"
                    f"<td>{html.escape(_text(r.value_b))}</td>"
                    f"<td>{html.escape(_text(r.level))}</td><td>{r.weight:+.1f}</td></tr>"
                    for r in shown.itertuples(index=False)
                )
                detail = (
                    "<table><tr><th></th><th>record A</th><th>record B</th><th>level</th>"
                    f"<th>bits</th></tr>{cells}</table>"
                )
            blocks.append(title + detail)
        more = ""
        if len(self.pairs) > _HTML_TOP_PAIRS:
            more = f"<p>... {len(self.pairs) - _HTML_TOP_PAIRS:,} more pairs in .pairs</p>"
        return f'<div class="crmkit-duplicates">{head}{"".join(blocks)}{more}</div>'


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


# --------------------------------------------------------------------------------------
# One run of the engine
# --------------------------------------------------------------------------------------


@dataclass
class _Source:
    """Where the records of a feature table came from, to show their values."""

    frames: list[tuple[Any, int]]  # (frame, first row number in the table)

    def values(self, row: int, columns: Sequence[str]) -> dict[str, Any]:
        for frame, start in reversed(self.frames):
            if row >= start:
                local = row - start
                piece = (
                    frame[local : local + 1] if _is_polars(frame) else frame.iloc[local : local + 1]
                )
                return {c: v[0] for c, v in frame_columns(piece, columns).items()}
        return dict.fromkeys(columns)


def _is_polars(frame: Any) -> bool:
    return type(frame).__module__.startswith("polars")


@dataclass
class _Run:
    """A feature table and its model: what explanations and on-demand scores need."""

    table: FeatureTable
    model: MatchModel
    source: _Source
    _row_of: dict[Any, int] | None = None

    def row(self, record_id: Any) -> int:
        if self._row_of is None:
            self._row_of = {record_id: row for row, record_id in enumerate(self.table.ids)}
        try:
            return self._row_of[record_id]
        except KeyError:
            raise RecordNotFoundError(
                f"no record with id {record_id!r} among the records"
            ) from None

    def score_rows(self, ia: IntArray, ib: IntArray) -> FloatArray:
        levels = compare(self.table, ia, self.table, ib).levels
        return self.model.score(levels)[1]

    def explain(self, id_a: Any, id_b: Any) -> pd.DataFrame:
        ra, rb = self.row(id_a), self.row(id_b)
        pair = compare(self.table, np.asarray([ra]), self.table, np.asarray([rb]))
        model = self.model
        parts = model.contributions(pair.levels)[0]
        effective = model.effective(pair.levels)[0]
        rows = []
        for k, comparison in enumerate(self.table.comparisons):
            values_a = self.source.values(ra, comparison.columns)
            values_b = self.source.values(rb, comparison.columns)
            level = int(pair.levels[0, k])
            vocab = self.table.vocab(comparison)
            norm_a = self.table.primary(comparison.name)[ra]
            norm_b = self.table.primary(comparison.name)[rb]
            rows.append(
                {
                    "field": comparison.name,
                    "value_a": _joined(values_a.values()),
                    "value_b": _joined(values_b.values()),
                    "normalized_a": vocab.values[norm_a] if norm_a >= 0 else None,
                    "normalized_b": vocab.values[norm_b] if norm_b >= 0 else None,
                    "level": comparison.levels[level] if level >= 0 else None,
                    "similarity": float(pair.similarity[0, k]),
                    "m": float(model.m[k][level]) if level >= 0 else math.nan,
                    "u": float(model.u[k][effective[k]]) if level >= 0 else math.nan,
                    "weight": float(parts[k]),
                }
            )
        rows.append(
            {
                "field": "(prior)",
                "weight": model.prior_weight,
                "m": math.nan,
                "u": math.nan,
                "similarity": math.nan,
            }
        )
        out = pd.DataFrame(rows)
        if bool(pair.swapped[0]):
            out.attrs["names_swapped"] = True
        return out


def _joined(values: Iterable[Any]) -> str | None:
    shown = [str(v) for v in values if v is not None and str(v).strip()]
    return " / ".join(shown) if shown else None


def _ids(frame: Any, id_column: str, what: str) -> list[Any]:
    if id_column not in set(frame.columns):
        raise ValidationError(
            f"{what} has no {id_column!r} column to identify records "
            f"(columns: {list(frame.columns)}); pass id_column= to name another"
        )
    ids = frame_columns(frame, [id_column])[id_column]
    seen: set[Any] = set()
    for row, value in enumerate(ids):
        if value is None:
            raise ValidationError(f"{what}: row {row} has no {id_column!r}")
        if value in seen:
            raise ValidationError(f"{what}: {id_column!r} {value!r} appears more than once")
        seen.add(value)
    return ids


def _check_probability(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ValidationError(f"{name} must be a probability between 0 and 1, got {value!r}")


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise UnknownValueError("engine", engine, ENGINES, closest(str(engine), ENGINES))


@dataclass
class _Options:
    kind: str
    fields: Sequence[str | Comparison] | None
    id_column: str
    phone_region: str
    max_block_size: int
    window: int
    seed: int


def _build_table(
    frame: Any, existing: Any, options: _Options
) -> tuple[FeatureTable, _Source, int | None]:
    """Features of existing records (first) and of the frame's; where the new ones start."""
    if existing is None:
        ids = _ids(frame, options.id_column, "frame")
        comparisons = resolve_comparisons(options.kind, options.fields, frame.columns)
        return (
            prepare(frame, comparisons, ids=ids, phone_region=options.phone_region),
            _Source([(frame, 0)]),
            None,
        )
    old_ids = _ids(existing, options.id_column, "existing")
    new_ids = _ids(frame, options.id_column, "frame")
    both = set(old_ids) & set(new_ids)
    if both:
        shown = sorted(both, key=str)[:5]
        raise ValidationError(f"ids in both the new and the existing records: {shown}")
    columns = [c for c in frame.columns if c in set(existing.columns)]
    comparisons = resolve_comparisons(options.kind, options.fields, columns)
    old = prepare(existing, comparisons, ids=old_ids, phone_region=options.phone_region)
    new = prepare(
        frame, comparisons, ids=new_ids, vocabs=old.vocabs, phone_region=options.phone_region
    )
    return old.extend(new), _Source([(existing, 0), (frame, len(old))]), len(old)


def _excluded_rows(
    exclude_pairs: Iterable[tuple[Any, Any]] | None, table_: FeatureTable
) -> set[tuple[int, int]]:
    if not exclude_pairs:
        return set()
    row_of = {record_id: row for row, record_id in enumerate(table_.ids)}
    out = set()
    for pair in exclude_pairs:
        try:
            id_a, id_b = pair
        except (TypeError, ValueError):
            raise ValidationError(
                f"exclude_pairs must hold (id_a, id_b) pairs, got {pair!r}"
            ) from None
        if id_a in row_of and id_b in row_of:
            ra, rb = row_of[id_a], row_of[id_b]
            out.add((min(ra, rb), max(ra, rb)))
    return out


def _drop_excluded(candidates: Candidates, excluded: set[tuple[int, int]]) -> Candidates:
    if not excluded or len(candidates) == 0:
        return candidates
    keys = candidates.a * (1 << 32) + candidates.b
    banned = np.asarray([a * (1 << 32) + b for a, b in excluded], dtype=np.int64)
    return candidates.drop(~np.isin(keys, banned))


def _pairs_frame(
    table_: FeatureTable,
    candidates: Candidates,
    levels: PairLevels,
    scores: tuple[FloatArray, FloatArray, FloatArray],
    min_probability: float,
) -> pd.DataFrame:
    weight, probability, parts = scores
    keep = np.flatnonzero(probability >= min_probability)
    keep = keep[np.argsort(-probability[keep], kind="stable")]
    ids = np.asarray([*table_.ids, None], dtype=object)[:-1]
    data: dict[str, Any] = {
        "id_a": ids[candidates.a[keep]],
        "id_b": ids[candidates.b[keep]],
        "probability": probability[keep],
        "match_weight": weight[keep],
    }
    for k, comparison in enumerate(table_.comparisons):
        codes = levels.levels[keep, k]
        data[comparison.name] = pd.Categorical.from_codes(
            codes.astype(np.int64), categories=pd.Index(list(comparison.levels))
        )
    if any(c.method == "first_name" for c in table_.comparisons):
        data["names_swapped"] = levels.swapped[keep]
    data["explanation"] = explanation_texts(
        table_.comparisons,
        levels.levels[keep],
        levels.similarity[keep],
        levels.swapped[keep],
        parts[keep],
    )
    frame = pd.DataFrame(data)
    frame["id_a"] = _as_ids(frame["id_a"], table_.ids)
    frame["id_b"] = _as_ids(frame["id_b"], table_.ids)
    return frame


def _as_ids(column: pd.Series, sample: Sequence[Any]) -> pd.Series:
    # Keep integer ids integers (an object array of ints would print as objects).
    if sample and all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) for v in sample[:1000]
    ):
        return column.astype("int64")
    return column


def _empty_pairs(comparisons: Sequence[Comparison]) -> pd.DataFrame:
    data: dict[str, Any] = {
        "id_a": pd.Series([], dtype=object),
        "id_b": pd.Series([], dtype=object),
        "probability": pd.Series([], dtype="float64"),
        "match_weight": pd.Series([], dtype="float64"),
    }
    for comparison in comparisons:
        data[comparison.name] = pd.Categorical([], categories=list(comparison.levels))
    data["explanation"] = pd.Series([], dtype="str")
    return pd.DataFrame(data)


def _run_crmkit(
    frame: Any,
    existing: Any,
    options: _Options,
    *,
    threshold: float,
    average_threshold: float,
    min_probability: float,
    exclude_pairs: Iterable[tuple[Any, Any]] | None,
    model: MatchModel | None,
    connection: Any,
) -> DuplicateReport:
    clock = _Clock()
    table_, source, new_from = _build_table(frame, existing, options)
    if model is not None and [c.name for c in model.comparisons] != [
        c.name for c in table_.comparisons
    ]:
        raise ValidationError(
            "the model compares "
            f"{[c.name for c in model.comparisons]}, the records allow "
            f"{[c.name for c in table_.comparisons]}"
        )
    clock.lap("prepare")
    n = len(table_)
    keys = blocking_keys(table_) if n >= _SMALL_TABLE else []
    candidates = candidate_pairs(
        keys,
        sort_key(table_),
        connection=connection,
        new_from=new_from,
        max_block_size=options.max_block_size,
        window=options.window,
    )
    excluded = _excluded_rows(exclude_pairs, table_)
    candidates = _drop_excluded(candidates, excluded)
    clock.lap("blocking")
    levels = compare(table_, candidates.a, table_, candidates.b)
    clock.lap("comparing")
    if model is None:
        if n >= _SMALL_TABLE:
            model = fit(
                table_,
                levels,
                rules=candidates.rules,
                rule_fields=[k.fields for k in keys],
                rule_identity=[k.identity for k in keys],
                seed=options.seed,
            )
        else:
            model = MatchModel.defaults(table_.comparisons, n)
    clock.lap("training")
    scores = model.score(levels.levels)
    run = _Run(table_, model, source)
    groups = cluster(
        n,
        candidates.a,
        candidates.b,
        scores[1],
        threshold=threshold,
        average_threshold=average_threshold,
        score_missing=run.score_rows,
        forbidden=excluded,
        seed=options.seed,
    )
    clock.lap("clustering")
    pairs = (
        _pairs_frame(table_, candidates, levels, scores, min_probability)
        if len(candidates)
        else _empty_pairs(table_.comparisons)
    )
    clusters = [[table_.ids[row] for row in group] for group in groups]
    clock.lap("report")
    stats = {
        "records": n,
        "new_records": n - new_from if new_from is not None else n,
        "candidate_pairs": len(candidates),
        "blocking_rule_hits": candidates.hits(),
        "excluded_pairs": len(excluded),
        "matches": int((scores[1] >= threshold).sum()),
        "listed_pairs": len(pairs),
        "clusters": len(clusters),
        "clustered_records": sum(len(c) for c in clusters),
        "seconds": clock.total,
        "step_seconds": clock.steps,
        "model": dict(model.info),
    }
    return DuplicateReport(pairs, clusters, threshold, "crmkit", stats, model, run)


class _Clock:
    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.steps: dict[str, float] = {}

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.steps[step] = round(now - self.last, 4)
        self.last = now

    @property
    def total(self) -> float:
        return round(time.perf_counter() - self.start, 4)


def find_duplicates(
    frame: Any,
    existing: Any = None,
    *,
    kind: str = "contacts",
    fields: Sequence[str | Comparison] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    average_threshold: float = DEFAULT_AVERAGE_THRESHOLD,
    min_probability: float = DEFAULT_MIN_PROBABILITY,
    exclude_pairs: Iterable[tuple[Any, Any]] | None = None,
    model: MatchModel | None = None,
    engine: Engine = "crmkit",
    connection: Any = None,
    id_column: str = "id",
    phone_region: str = "FR",
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
    window: int = DEFAULT_WINDOW,
    seed: int = 0,
) -> DuplicateReport:
    """Find the records that are the same contact or account.

    Parameters
    ----------
    frame
        pandas or polars DataFrame of records: catalog field names and ``id`` (for
        contacts, ``company`` holds the account name). Other columns are ignored unless
        named in ``fields``.
    existing
        Records already checked. When given, only pairs involving a record of ``frame``
        are compared (``frame`` against ``existing`` and against itself); ids must differ.
    kind
        ``"contacts"`` or ``"accounts"``: the default comparisons.
    fields
        What to compare, instead of the defaults: column names (the method is guessed from
        the catalog) or :class:`~crmkit._dedupe._features.Comparison` objects, e.g.
        ``["first_name", "last_name", Comparison("soc_sec_id", "code")]``.
    threshold
        Probability at or above which a pair is a match (and may join a cluster).
    average_threshold
        Two groups merge into one cluster only if their records match on average at least
        this well (see :mod:`crmkit._dedupe._cluster`).
    min_probability
        Pairs below are left out of ``pairs`` (still counted in ``stats``).
    exclude_pairs
        ``(id_a, id_b)`` pairs reviewed as "not the same": never proposed, never clustered
        together.
    model
        A model from an earlier report (``report.model``): no training, same scores.
    engine
        ``"crmkit"`` or ``"splink"`` (needs ``pip install crmkit[splink]``).
    connection
        DuckDB connection for blocking (and for Splink); a private in-memory one if
        ``None``. Only temporary objects are created in it.
    id_column
        The column identifying records.
    phone_region
        Region of phone numbers written without a country code when a record has no
        country.
    max_block_size, window
        Blocks larger than ``max_block_size`` are compared as sorted neighbourhoods of
        ``window`` records.
    seed
        Seed of the random samples (training, large clusters).

    Returns
    -------
    DuplicateReport

    Raises
    ------
    ValidationError
        A missing or repeated id, a bad threshold, a comparison naming no column.
    UnknownValueError
        An unknown kind or engine.
    MissingDependencyError
        ``engine="splink"`` without Splink installed.

    Examples
    --------
    >>> import pandas as pd
    >>> contacts = pd.DataFrame({
    ...     "id": [1, 2, 3],
    ...     "first_name": ["Hélène", "Helene", "Marc"],
    ...     "last_name": ["Blou", "BLOU", "Durand"],
    ...     "email": ["helene.blou@aprool.com", "Helene.Blou+crm@aprool.com", None],
    ...     "company": ["Aprool SAS", "APROOL", "Aprool"],
    ... })
    >>> report = find_duplicates(contacts)
    >>> report.clusters
    [[1, 2]]
    >>> print(report.pairs.loc[0, "explanation"])
    email exact (+10.1), last_name exact (+8.4), company exact (+7.6), first_name exact (+6.3)
    """
    kind = table(kind).name
    _check_probability("threshold", threshold)
    _check_probability("average_threshold", average_threshold)
    _check_probability("min_probability", min_probability)
    _check_engine(engine)
    options = _Options(kind, fields, id_column, phone_region, max_block_size, window, seed)
    if engine == "splink":
        from crmkit._dedupe._splink import run_splink

        return run_splink(
            frame,
            existing,
            options,
            threshold=threshold,
            min_probability=min_probability,
            exclude_pairs=exclude_pairs,
            connection=connection,
        )
    return _run_crmkit(
        frame,
        existing,
        options,
        threshold=threshold,
        average_threshold=average_threshold,
        min_probability=min_probability,
        exclude_pairs=exclude_pairs,
        model=model,
        connection=connection,
    )


# --------------------------------------------------------------------------------------
# The in-memory index
# --------------------------------------------------------------------------------------


class DedupeIndex:
    """Blocking keys and a fitted model in memory, for as-you-type duplicate warnings.

    Build it once with :meth:`build`; :meth:`similar` then compares one typed record with
    the few indexed records that share a blocking key with it (milliseconds for 200 000
    records), and :meth:`add` indexes new records without refitting.

    Examples
    --------
    >>> import pandas as pd
    >>> contacts = pd.DataFrame({"id": [1, 2], "first_name": ["Hélène", "Marc"],
    ...                          "last_name": ["Blou", "Durand"],
    ...                          "email": ["helene.blou@aprool.com", "marc@durand.fr"]})
    >>> index = DedupeIndex.build(contacts)
    >>> index.similar({"first_name": "helene", "last_name": "blou",
    ...                "email": "Helene.Blou@Aprool.com"})["id"].tolist()
    [1]
    """

    def __init__(
        self,
        table_: FeatureTable,
        model: MatchModel,
        keys: KeyIndex,
        options: _Options,
        source: _Source,
    ) -> None:
        self.table = table_
        self.model = model
        self.keys = keys
        self._options = options
        self._source = source

    @classmethod
    def build(
        cls,
        frame: Any,
        kind: str = "contacts",
        *,
        fields: Sequence[str | Comparison] | None = None,
        model: MatchModel | None = None,
        connection: Any = None,
        id_column: str = "id",
        phone_region: str = "FR",
        max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
        window: int = DEFAULT_WINDOW,
        seed: int = 0,
    ) -> DedupeIndex:
        """Index ``frame``; fit a model on it unless one is given.

        Parameters are those of :func:`find_duplicates`.
        """
        kind = table(kind).name
        options = _Options(kind, fields, id_column, phone_region, max_block_size, window, seed)
        table_, source, _ = _build_table(frame, None, options)
        keys = blocking_keys(table_)
        sorts = sort_key(table_)
        if model is None:
            if len(table_) >= _SMALL_TABLE:
                candidates = candidate_pairs(
                    keys,
                    sorts,
                    connection=connection,
                    max_block_size=max_block_size,
                    window=window,
                )
                levels = compare(table_, candidates.a, table_, candidates.b)
                model = fit(
                    table_,
                    levels,
                    rules=candidates.rules,
                    rule_fields=[k.fields for k in keys],
                    rule_identity=[k.identity for k in keys],
                    seed=seed,
                )
            else:
                model = MatchModel.defaults(table_.comparisons, max(len(table_), 1000))
        index = KeyIndex(max_block_size, window)
        index.add(keys, sorts)
        return cls(table_, model, index, options, source)

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        return (
            f"DedupeIndex({len(self)} {self._options.kind}, {len(self.keys.blocks)} blocking keys)"
        )

    def _prepare_new(self, records: Any, label: str) -> FeatureTable:
        """Normalise records that are not in the index yet (their ids must be new)."""
        ids = _ids(records, self._options.id_column, label)
        known = set(self.table.ids)
        repeated = [i for i in ids if i in known]
        if repeated:
            raise ValidationError(f"ids already in the index: {repeated[:5]}")
        return prepare(
            records,
            self.table.comparisons,
            ids=ids,
            vocabs=self.table.vocabs,
            phone_region=self._options.phone_region,
        )

    def add(self, records: Any) -> None:
        """Index more records (same columns); the model is kept as it is.

        Raises
        ------
        ValidationError
            A record's id is missing or already indexed.
        """
        new = self._prepare_new(records, "records")
        offset = len(self.table)
        self.keys.add(blocking_keys(new), sort_key(new), offset)
        self.table = self.table.extend(new)
        self._source.frames.append((records, offset))

    def check(
        self,
        frame: Any,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        average_threshold: float = DEFAULT_AVERAGE_THRESHOLD,
        min_probability: float = DEFAULT_MIN_PROBABILITY,
        exclude_pairs: Iterable[tuple[Any, Any]] | None = None,
        connection: Any = None,
    ) -> DuplicateReport:
        """Duplicates among new records and between them and the indexed ones.

        Like ``find_duplicates(frame, existing)``, without normalising the indexed records
        again: their keys are looked up in memory, and only the new records are blocked
        among themselves (in DuckDB). The index is not changed; :meth:`add` the records
        once they are stored.

        Examples
        --------
        >>> import pandas as pd
        >>> old = pd.DataFrame({"id": [1, 2], "first_name": ["Ann", "Bob"],
        ...                     "last_name": ["Lee", "Ray"],
        ...                     "email": ["ann.lee@x.fr", "bob@y.fr"]})
        >>> new = pd.DataFrame({"id": [3], "first_name": ["Anne"], "last_name": ["Lee"],
        ...                     "email": ["Ann.Lee@X.fr"]})
        >>> DedupeIndex.build(old).check(new).clusters
        [[1, 3]]
        """
        for name, value in (
            ("threshold", threshold),
            ("average_threshold", average_threshold),
            ("min_probability", min_probability),
        ):
            _check_probability(name, value)
        clock = _Clock()
        new = self._prepare_new(frame, "frame")
        offset = len(self.table)
        combined = self.table.extend(new)
        clock.lap("prepare")
        keys, sorts = blocking_keys(new), sort_key(new)
        across = self.keys.lookup_many(keys, sorts)
        within = candidate_pairs(
            keys,
            sorts,
            connection=connection,
            max_block_size=self._options.max_block_size,
            window=self._options.window,
        )
        a = np.concatenate([np.asarray([r for _, r in across], dtype=np.int64), within.a + offset])
        b = np.concatenate(
            [np.asarray([n for n, _ in across], dtype=np.int64) + offset, within.b + offset]
        )
        names = tuple(k.rule for k in keys)
        candidates = Candidates(a, b, np.zeros(len(a), dtype=np.int64), names)
        excluded = _excluded_rows(exclude_pairs, combined)
        candidates = _drop_excluded(candidates, excluded)
        clock.lap("blocking")
        levels = compare(combined, candidates.a, combined, candidates.b)
        scores = self.model.score(levels.levels)
        clock.lap("comparing")
        run = _Run(combined, self.model, _Source([*self._source.frames, (frame, offset)]))
        groups = cluster(
            len(combined),
            candidates.a,
            candidates.b,
            scores[1],
            threshold=threshold,
            average_threshold=average_threshold,
            score_missing=run.score_rows,
            forbidden=excluded,
            seed=self._options.seed,
        )
        clock.lap("clustering")
        pairs = (
            _pairs_frame(combined, candidates, levels, scores, min_probability)
            if len(candidates)
            else _empty_pairs(combined.comparisons)
        )
        clusters = [[combined.ids[row] for row in group] for group in groups]
        stats = {
            "records": len(combined),
            "new_records": len(new),
            "candidate_pairs": len(candidates),
            "excluded_pairs": len(excluded),
            "matches": int((scores[1] >= threshold).sum()),
            "listed_pairs": len(pairs),
            "clusters": len(clusters),
            "clustered_records": sum(len(c) for c in clusters),
            "seconds": clock.total,
            "step_seconds": clock.steps,
            "model": dict(self.model.info),
        }
        return DuplicateReport(pairs, clusters, threshold, "crmkit", stats, self.model, run)

    def similar(
        self,
        record: Mapping[str, Any],
        limit: int = 5,
        min_probability: float = 0.05,
    ) -> pd.DataFrame:
        """The indexed records most probably the same as ``record``.

        Parameters
        ----------
        record
            Field name to value, possibly partial (what has been typed so far).
        limit
            At most this many rows.
        min_probability
            Leave out records less probable than this. The default is low: a warning while
            typing should show a namesake already in the CRM, even when a name alone
            cannot prove that it is the same person.

        Returns
        -------
        pandas.DataFrame
            ``id``, ``probability``, ``match_weight`` and ``explanation``, most probable
            first; empty when nothing is similar.
        """
        _check_probability("min_probability", min_probability)
        columns = {c for comparison in self.table.comparisons for c in comparison.columns}
        columns.update(c for c in ("country", "billing_country") if c in record)
        query_frame = pd.DataFrame(
            {c: pd.Series([record.get(c)], dtype=object) for c in sorted(columns)}
        )
        query = prepare(
            query_frame,
            self.table.comparisons,
            ids=[None],
            vocabs=self.table.vocabs,
            phone_region=self._options.phone_region,
        )
        rows = self.keys.lookup(blocking_keys(query), sort_key(query))
        if not rows:
            return _empty_similar()
        ib = np.asarray(rows, dtype=np.int64)
        levels = compare(query, np.zeros(len(ib), dtype=np.int64), self.table, ib)
        weight, probability, parts = self.model.score(levels.levels)
        keep = np.flatnonzero(probability >= min_probability)
        keep = keep[np.argsort(-probability[keep], kind="stable")][:limit]
        if len(keep) == 0:
            return _empty_similar()
        ids = [self.table.ids[r] for r in ib[keep].tolist()]
        texts = explanation_texts(
            self.table.comparisons,
            levels.levels[keep],
            levels.similarity[keep],
            levels.swapped[keep],
            parts[keep],
        )
        return pd.DataFrame(
            {
                "id": _as_ids(pd.Series(ids, dtype=object), ids),
                "probability": probability[keep],
                "match_weight": weight[keep],
                "explanation": texts,
            }
        )


def _empty_similar() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": pd.Series([], dtype=object),
            "probability": pd.Series([], dtype="float64"),
            "match_weight": pd.Series([], dtype="float64"),
            "explanation": pd.Series([], dtype="str"),
        }
    )
