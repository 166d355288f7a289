"""The optional Splink engine: ``find_duplicates(..., engine="splink")``.

The records are normalised by crmkit (:func:`prepare_for_splink`: one column per
comparison, names and company keys, E.164 phones, e-mail keys ...), then matched by Splink 5
with its usual recipe (:func:`splink_settings`): comparisons from
``splink.comparison_library`` with term frequency adjustments on names, the prior from
deterministic rules, ``u`` by random sampling, ``m`` by EM over two blocking rules,
``linker.inference.predict`` and connected-components clustering. It runs in the given
DuckDB connection (the CRM store's), in a schema of its own that is dropped afterwards.

Splink is imported lazily: without it, :class:`~crmkit.MissingDependencyError` names the
extra to install, ``pip install crmkit[splink]``.

The same search runs on a Spark session with ``engine="splink-spark"``
(:mod:`crmkit._dedupe._splink_spark`): both backends share :func:`splink_search` and
:func:`splink_report`, and differ only in where the records are registered.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import math
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmkit._dedupe._clock import Clock
from crmkit._dedupe._comparisons import Comparison
from crmkit._dedupe._features import FeatureTable
from crmkit._dedupe._frames import Source
from crmkit._dedupe._options import Options
from crmkit._dedupe._pairs import empty_pairs
from crmkit._dedupe._report import DuplicateReport
from crmkit._dedupe._splink_explain import SplinkExplainer, splink_levels
from crmkit._dedupe._table import build_table, excluded_rows
from crmkit._util._optional import import_optional

__all__ = [
    "SplinkFound",
    "SplinkInput",
    "empty_report",
    "import_splink",
    "prepare_for_splink",
    "run_splink",
    "splink_report",
    "splink_search",
    "splink_settings",
]

_U_MAX_PAIRS = 2e6


def import_splink() -> Any:
    """The ``splink`` module, or :class:`MissingDependencyError` naming the extra.

    Examples
    --------
    >>> try:
    ...     _ = import_splink()
    ... except MissingDependencyError as exc:
    ...     assert "crmkit[splink]" in str(exc)
    """
    return import_optional(
        "splink",
        "splink.comparison_library",
        "splink.clustering",
        package="Splink",
        needed_by="engine='splink'",
        extra="splink",
    )


def prepare_for_splink(table_: FeatureTable) -> pd.DataFrame:
    """One row per record: ``unique_id`` (its row) and each comparison's normalised value.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmkit._dedupe._comparisons import resolve_comparisons
    >>> from crmkit._dedupe._features import prepare
    >>> frame = pd.DataFrame({"email": ["A@X.fr"], "phone": ["06 12 34 56 78"]})
    >>> t = prepare(frame, resolve_comparisons("contacts", None, frame.columns), ids=[7])
    >>> prepare_for_splink(t).values.tolist()
    [[0, 'a@x.fr', '+33612345678']]
    """
    data: dict[str, Any] = {"unique_id": np.arange(len(table_), dtype=np.int64)}
    for comparison in table_.comparisons:
        # One string per distinct value, shared by its records (Vocab.take), as Splink
        # would hold them reading the column itself.
        codes = table_.primary(comparison.name)
        column = np.full(len(codes), None, dtype=object)
        present = codes >= 0
        column[present] = table_.vocab(comparison).take(codes[present])
        data[comparison.name] = pd.Series(column, dtype=object)
    return pd.DataFrame(data)


# How each backend's SQL spells the format of the dates prepare_for_splink writes.
_DATE_FORMATS = {"duckdb": "%Y%m%d", "spark": "yyyyMMdd"}


def _comparison(cl: Any, comparison: Comparison, dialect: str) -> Any:
    name, method = comparison.name, comparison.method
    if method in ("first_name", "last_name"):
        return cl.NameComparison(name).configure(term_frequency_adjustments=True)
    if method == "email":
        return cl.EmailComparison(name)
    if method == "date":
        return cl.DateOfBirthComparison(
            name, input_is_string=True, datetime_format=_DATE_FORMATS[dialect]
        )
    if method in ("company", "text", "street", "city"):
        return cl.JaroWinklerAtThresholds(name, [0.9, 0.7])
    if method in ("code", "postal_code", "phone"):
        return cl.LevenshteinAtThresholds(name, [1])
    return cl.ExactMatch(name)


def _rules(comparisons: Sequence[Comparison]) -> tuple[list[list[str]], list[list[str]]]:
    """Blocking rules for prediction, and for EM training, as lists of columns."""
    by_method: dict[str, str] = {}
    for comparison in comparisons:
        by_method.setdefault(comparison.method, comparison.name)
    first, last = by_method.get("first_name"), by_method.get("last_name")
    company, city = by_method.get("company"), by_method.get("city")
    predict: list[list[str]] = []
    training: list[list[str]] = []
    for method in ("email", "phone", "domain", "code", "date"):
        if method in by_method:
            predict.append([by_method[method]])
    if first and last:
        predict.append([first, last])
        training.append([first, last])
        if company:
            predict.extend([[last, company], [first, company]])
        postal = by_method.get("postal_code")
        if postal:
            predict.append([last, postal])
    elif company:
        predict.append([company])
        training.append([company])
        if city:
            predict.append([city, company])
    for method in ("email", "date", "code", "domain"):
        if method in by_method:
            training.append([by_method[method]])
            break
    if not predict:
        predict = [[c.name] for c in comparisons[:2]]
    if not training:
        training = predict[:1]
    return predict, training


def splink_settings(comparisons: Sequence[Comparison], dialect: str = "duckdb") -> Any:
    """A ``splink.SettingsCreator`` for crmkit's comparisons (dedupe, Splink's library).

    ``dialect`` is the backend's: ``"duckdb"`` or ``"spark"`` (they spell date formats
    differently).

    Raises
    ------
    MissingDependencyError
        Splink is not installed.
    """
    splink = import_splink()
    cl = importlib.import_module("splink.comparison_library")
    predict, _ = _rules(comparisons)
    return splink.SettingsCreator(
        link_type="dedupe_only",
        comparisons=[_comparison(cl, c, dialect) for c in comparisons],
        blocking_rules_to_generate_predictions=[splink.block_on(*cols) for cols in predict],
        retain_intermediate_calculation_columns=True,
    )


def _u_sampling(n: int) -> dict[str, Any]:
    """How Splink samples pairs for ``u``: when every pair fits in the sample, all of them
    in one chunk (exact and the same on every backend: Splink splits chunks by a hash that
    differs between DuckDB and Spark, and stops at the first chunk where every level was
    seen 100 times); otherwise Splink's defaults.

    Examples
    --------
    >>> _u_sampling(500), _u_sampling(10_000)
    ({'num_chunks': 1, 'min_count_per_level': None}, {})
    """
    if n * (n - 1) // 2 <= _U_MAX_PAIRS:
        return {"num_chunks": 1, "min_count_per_level": None}
    return {}


def _deterministic(comparisons: Sequence[Comparison]) -> list[str]:
    names = {c.method: c.name for c in reversed(comparisons)}
    rules = []
    for method in ("email", "code", "phone", "domain"):
        if method in names:
            rules.append(f"l.{names[method]} = r.{names[method]}")
    first, last = names.get("first_name"), names.get("last_name")
    if first and last:
        extra = names.get("company") or names.get("date") or names.get("city")
        clause = f"l.{first} = r.{first} and l.{last} = r.{last}"
        rules.append(clause + (f" and l.{extra} = r.{extra}" if extra else ""))
    return rules or [f"l.{comparisons[0].name} = r.{comparisons[0].name}"]


def _without_context(table_: FeatureTable) -> FeatureTable:
    """The table without the exact comparisons weighed given others (a contact's region
    and country, shared by colleagues): Splink would count them as independent evidence,
    and its EM fails on a level that duplicates never reach (m of 0)."""
    kept = tuple(c for c in table_.comparisons if not (c.method == "exact" and c.given))
    if len(kept) == len(table_.comparisons):
        return table_
    codes = {c.name: table_.codes[c.name] for c in kept}
    return dataclasses.replace(table_, comparisons=kept, codes=codes)


def run_splink(
    frame: Any,
    existing: Any,
    options: Options,
    *,
    threshold: float,
    min_probability: float,
    exclude_pairs: Iterable[tuple[Any, Any]] | None,
    connection: Any,
) -> DuplicateReport:
    """:func:`crmkit.find_duplicates` with Splink doing the matching."""
    splink = import_splink()
    clock = Clock()
    table_, source, new_from = build_table(frame, existing, options)
    table_ = _without_context(table_)
    if len(table_) < 2:
        return empty_report(table_, threshold, "splink", clock)
    records = prepare_for_splink(table_)
    clock.lap("prepare")
    own = connection is None
    if own:
        import duckdb

        connection = duckdb.connect()
    # Splink's tables go to a schema of their own, dropped at the end; Splink makes it the
    # connection's current schema, which is put back.
    token = uuid.uuid4().hex[:12]
    schema, input_name = f"crmkit_splink_{token}", f"__crmkit_splink_records_{token}"
    current = connection.execute("SELECT current_schema()").fetchall()[0][0]
    try:
        db_api = splink.DuckDBAPI(connection, output_schema=schema)
        found = splink_search(
            SplinkInput(
                splink,
                db_api,
                db_api.register(records, table_name=input_name),
                records[["unique_id"]],
                records,
                table_,
                source,
                new_from,
            ),
            seed=options.seed,
            threshold=threshold,
            min_probability=min_probability,
            exclude_pairs=exclude_pairs,
            clock=clock,
        )
    finally:
        connection.execute(f"SET schema = '{current}'")
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.unregister(input_name)
        if own:
            connection.close()
    return splink_report(found, threshold, min_probability, "splink", clock)


def empty_report(
    table_: FeatureTable, threshold: float, engine: str, clock: Clock
) -> DuplicateReport:
    """The report of fewer than two records: nothing to compare."""
    stats: dict[str, Any] = {
        "records": len(table_),
        "candidate_pairs": 0,
        "clusters": 0,
        "seconds": clock.total,
    }
    return DuplicateReport(empty_pairs(table_.comparisons), [], threshold, engine, stats)


def _as_pandas(splink_frame: Any) -> pd.DataFrame:
    return splink_frame.as_pandas_dataframe()


def _as_is(frame: pd.DataFrame) -> Any:
    return frame


@dataclasses.dataclass(frozen=True)
class SplinkInput:
    """The records of one search as a Splink backend holds them.

    ``registered`` is the linker's input table (registered with ``db_api``), ``nodes``
    the table of their ``unique_id`` that clustering reads (in the same backend),
    ``records`` the same normalised values on this machine (for explanations).
    """

    splink: Any
    db_api: Any
    registered: Any
    nodes: Any
    records: pd.DataFrame
    table: FeatureTable
    source: Source
    new_from: int | None
    dialect: str = "duckdb"
    # A Splink table's rows here, and a frame of here as an input of the backend.
    to_pandas: Callable[[Any], pd.DataFrame] = _as_pandas
    to_backend: Callable[[pd.DataFrame], Any] = _as_is


@dataclasses.dataclass(frozen=True)
class SplinkFound:
    """What a Splink search found: its scored pairs, their labels, clusters and explainer."""

    input: SplinkInput
    edges: pd.DataFrame
    labels: dict[str, dict[int, str]]
    clusters: list[list[int]]
    explainer: SplinkExplainer


def splink_search(
    given: SplinkInput,
    *,
    seed: int,
    threshold: float,
    min_probability: float,
    exclude_pairs: Iterable[tuple[Any, Any]] | None,
    clock: Clock,
) -> SplinkFound:
    """Train Splink's model, predict, cluster: the same recipe on any Splink backend.

    Only the pairs scoring at least ``min(min_probability, threshold)`` come back to this
    machine (as pandas); clustering runs in the backend, on ``given.nodes``.
    """
    splink, table_ = given.splink, given.table
    comparisons = table_.comparisons
    splink_logger = logging.getLogger("splink")
    level = splink_logger.level
    try:
        linker = splink.Linker(
            given.registered, splink_settings(comparisons, given.dialect), log_level=None
        )
        splink_logger.setLevel(logging.ERROR)
        _, training = _rules(comparisons)
        linker.training.estimate_probability_two_random_records_match(
            _deterministic(comparisons), recall=0.7
        )
        linker.training.estimate_u_using_random_sampling(
            max_pairs=_U_MAX_PAIRS, seed=seed, **_u_sampling(len(table_))
        )
        for cols in training:
            linker.training.estimate_parameters_using_expectation_maximisation(
                splink.block_on(*cols)
            )
        clock.lap("training")
        floor = min(min_probability, threshold)
        edges = given.to_pandas(linker.inference.predict(threshold_match_probability=floor))
        labels = _level_labels(linker)
        levels, prior = splink_levels(linker)
        explainer = SplinkExplainer.build(
            table_.ids,
            [c.name for c in comparisons],
            [c.columns for c in comparisons],
            given.records,
            given.source,
            edges,
            levels,
            prior,
            _rules(comparisons)[0],
            floor,
        )
        clock.lap("scoring")
        edges = _keep(edges, given.new_from, excluded_rows(exclude_pairs, table_))
        clusters = _clusters(given, edges, threshold)
        clock.lap("clustering")
    finally:
        splink_logger.setLevel(level)
    return SplinkFound(given, edges, labels, clusters, explainer)


def splink_report(
    found: SplinkFound, threshold: float, min_probability: float, engine: str, clock: Clock
) -> DuplicateReport:
    """The :class:`DuplicateReport` of a Splink search (pairs and clusters by record id)."""
    table_, edges, new_from = found.input.table, found.edges, found.input.new_from
    pairs = _pairs(table_, edges, found.labels, min_probability)
    ids = table_.ids
    clusters_ids = [[ids[r] for r in group] for group in found.clusters]
    stats = {
        "records": len(table_),
        "new_records": len(table_) - new_from if new_from is not None else len(table_),
        "candidate_pairs": len(edges),
        "matches": int((edges["match_probability"] >= threshold).sum()) if len(edges) else 0,
        "listed_pairs": len(pairs),
        "clusters": len(clusters_ids),
        "clustered_records": sum(len(c) for c in clusters_ids),
        "seconds": clock.total,
        "step_seconds": clock.steps,
        "note": "candidate_pairs counts the pairs Splink returned above min_probability",
    }
    return DuplicateReport(
        pairs if len(edges) else empty_pairs(table_.comparisons),
        clusters_ids,
        threshold,
        engine,
        stats,
        _explainer=found.explainer.explain,
    )


def _level_labels(linker: Any) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    for comparison in linker._settings_obj.comparisons:
        out[comparison.output_column_name] = {
            level.comparison_vector_value: level.label_for_charts
            for level in comparison.comparison_levels
        }
    return out


def _keep(
    edges: pd.DataFrame, new_from: int | None, excluded: set[tuple[int, int]]
) -> pd.DataFrame:
    if len(edges) == 0:
        return edges
    low = np.minimum(edges["unique_id_l"].to_numpy(), edges["unique_id_r"].to_numpy())
    high = np.maximum(edges["unique_id_l"].to_numpy(), edges["unique_id_r"].to_numpy())
    keep = np.ones(len(edges), dtype=bool)
    if new_from is not None:
        keep &= high >= new_from
    if excluded:
        banned = {a * (1 << 32) + b for a, b in excluded}
        keep &= ~np.isin(low * (1 << 32) + high, np.asarray(sorted(banned), dtype=np.int64))
    return edges[keep].reset_index(drop=True)


def _clusters(given: SplinkInput, edges: pd.DataFrame, threshold: float) -> list[list[int]]:
    strong = edges[edges["match_probability"] >= threshold]
    if len(strong) == 0:
        return []
    clustering = importlib.import_module("splink.clustering")
    columns = ["unique_id_l", "unique_id_r", "match_probability"]
    result = given.to_pandas(
        clustering.cluster_pairwise_predictions_at_threshold(
            given.nodes,
            given.to_backend(strong[columns].reset_index(drop=True)),
            db_api=given.db_api,
            node_id_column_name="unique_id",
            threshold_match_probability=threshold,
        )
    )
    best = (
        pd.concat(
            [
                strong[["unique_id_l", "match_probability"]].rename(columns={"unique_id_l": "row"}),
                strong[["unique_id_r", "match_probability"]].rename(columns={"unique_id_r": "row"}),
            ]
        )
        .groupby("row")["match_probability"]
        .max()
    )
    groups: list[tuple[float, list[int]]] = []
    for _, members in result.groupby("cluster_id")["unique_id"]:
        rows = sorted(int(r) for r in members)
        if len(rows) >= 2:
            groups.append((float(best.reindex(rows).max()), rows))
    groups.sort(key=lambda g: (-g[0], g[1][0]))
    return [rows for _, rows in groups]


def _pairs(
    table_: FeatureTable,
    edges: pd.DataFrame,
    labels: dict[str, dict[int, str]],
    min_probability: float,
) -> pd.DataFrame:
    edges = edges[edges["match_probability"] >= min_probability].sort_values(
        "match_probability", ascending=False, kind="stable"
    )
    ids = np.asarray([*table_.ids, None], dtype=object)[:-1]
    low = np.minimum(edges["unique_id_l"].to_numpy(), edges["unique_id_r"].to_numpy())
    high = np.maximum(edges["unique_id_l"].to_numpy(), edges["unique_id_r"].to_numpy())
    data: dict[str, Any] = {
        "id_a": ids[low],
        "id_b": ids[high],
        "probability": edges["match_probability"].to_numpy(dtype=float),
        "match_weight": edges["match_weight"].to_numpy(dtype=float),
    }
    texts: list[list[tuple[float, str]]] = [[] for _ in range(len(edges))]
    for comparison in table_.comparisons:
        name = comparison.name
        gamma = edges[f"gamma_{name}"].to_numpy()
        weight = edges[f"mw_{name}"].to_numpy(dtype=float)
        if f"mw_tf_adj_{name}" in edges:
            weight = weight + edges[f"mw_tf_adj_{name}"].fillna(0.0).to_numpy(dtype=float)
        names = labels.get(name, {})
        data[name] = [names.get(int(g)) if g >= 0 else None for g in gamma]
        for i, (g, w) in enumerate(zip(gamma.tolist(), weight.tolist(), strict=True)):
            if g >= 0 and not math.isnan(w):
                texts[i].append((w, f"{name}: {names.get(int(g), g)} ({w:+.1f})"))
    data["explanation"] = [
        ", ".join(t for _, t in sorted(row, key=lambda p: -p[0])) for row in texts
    ]
    out = pd.DataFrame(data).reset_index(drop=True)
    return out
