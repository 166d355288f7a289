"""Splink on a Spark cluster: ``find_duplicates(..., engine="splink-spark", spark=session)``.

The same search as ``engine="splink"`` (:mod:`crmkit._dedupe._splink`: crmkit's
normalisation, Splink's comparisons, training, prediction and clustering), with Splink's
Spark backend (``splink.backends.spark.SparkAPI``) doing the comparing, training and
clustering on the given Spark session:

1. the records are normalised here, on the driver (one string column per comparison);
2. written as one Parquet file in a folder of ``staging`` (a fresh temporary folder when
   ``None``) and read by Spark from there: on a real cluster ``staging`` must be a path
   every executor can read under the same name (an NFS share, ``/dbfs/...``, a mounted
   bucket), since a driver's ``/tmp`` is not on the executors;
3. Splink trains, predicts and clusters in Spark; only the pairs scoring at least
   ``min(min_probability, threshold)`` come back to the driver, as the report's pairs
   (review and merge read them like any other engine's);
4. the staged folder, Splink's temporary views and their cached data are removed.

Splink's string similarities (``jaro_winkler``) are Scala functions in a jar shipped with
Splink (``splink.backends.spark.similarity_jar_location()``). A session started with it
(``.config("spark.jars", similarity_jar_location())``) is used as it is; otherwise the jar
is added to the session (``ADD JAR``), which Spark ships to the executors.

PySpark is imported lazily: without it, :class:`~crmkit.MissingDependencyError` names the
extra to install, ``pip install 'crmkit[spark]'``.
"""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from crmkit._dedupe._clock import Clock
from crmkit._dedupe._options import Options
from crmkit._dedupe._report import DuplicateReport
from crmkit._dedupe._splink import (
    SplinkInput,
    _without_context,
    empty_report,
    import_splink,
    prepare_for_splink,
    splink_report,
    splink_search,
)
from crmkit._dedupe._table import build_table
from crmkit._exceptions import ValidationError
from crmkit._util._optional import import_optional

__all__ = ["ENGINE", "check_session", "import_pyspark", "run_splink_spark", "stage_records"]

ENGINE = "splink-spark"

# Splink's similarity functions and the class of the one crmkit's comparisons need.
_JARO_WINKLER = ("jaro_winkler", "uk.gov.moj.dash.linkage.JaroWinklerSimilarity")


def import_pyspark() -> Any:
    """The ``pyspark.sql`` module, or :class:`MissingDependencyError` naming the extra.

    Examples
    --------
    >>> try:
    ...     _ = import_pyspark()
    ... except MissingDependencyError as exc:
    ...     assert "crmkit[spark]" in str(exc)
    """
    return import_optional(
        "pyspark.sql", package="PySpark", needed_by="engine='splink-spark'", extra="spark"
    )


def check_session(spark: Any) -> None:
    """Refuse a ``spark`` that is not a live ``pyspark.sql.SparkSession``.

    Raises
    ------
    ValidationError
        ``spark`` is ``None``, not a SparkSession, or a stopped one.
    MissingDependencyError
        PySpark is not installed.

    Examples
    --------
    >>> check_session(None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crmkit._exceptions.ValidationError: engine='splink-spark' needs spark=, a SparkSession...
    """
    how = (
        "a SparkSession (e.g. SparkSession.builder.master('local[2]').getOrCreate(), "
        "or your cluster's)"
    )
    if spark is None:
        raise ValidationError(f"engine='splink-spark' needs spark=, {how}")
    sql = import_pyspark()
    if type(spark).__module__.startswith("pyspark.sql.connect"):
        raise ValidationError(
            "spark= is a Spark Connect session; Splink's Spark backend needs a classic "
            "SparkSession (with a JVM driver), e.g. SparkSession.builder.master(...)"
        )
    if not isinstance(spark, sql.SparkSession):
        raise ValidationError(
            f"spark= must be {how}, got {type(spark).__module__}.{type(spark).__name__}"
        )
    context = getattr(spark, "sparkContext", None)
    if context is None or getattr(context, "_jsc", None) is None:
        raise ValidationError(
            "spark= is a SparkSession that was stopped; start one again "
            "(SparkSession.builder...getOrCreate())"
        )


def _register_similarity_jar(spark: Any) -> None:
    """Make Splink's ``jaro_winkler`` callable in ``spark``, adding its jar if missing."""
    types = importlib.import_module("pyspark.sql.types")
    errors = importlib.import_module("pyspark.errors")
    try:
        spark.udf.registerJavaFunction(*_JARO_WINKLER, types.DoubleType())
        return
    except errors.AnalysisException:
        pass  # the jar is not on the session's classpath: add it
    spark_backend = importlib.import_module("splink.backends.spark")
    jar = spark_backend.similarity_jar_location()
    spark.sql(f"ADD JAR '{jar}'")
    spark.udf.registerJavaFunction(*_JARO_WINKLER, types.DoubleType())


def stage_records(records: pd.DataFrame, folder: Path) -> Path:
    """Write ``prepare_for_splink``'s records to ``folder/records.parquet``.

    ``unique_id`` is a 64-bit integer and every other column a string (a column with no
    value at all is still typed, so Spark reads the same schema every time).

    Examples
    --------
    >>> import tempfile
    >>> frame = pd.DataFrame({"unique_id": [0, 1], "email": ["a@x.fr", None]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = stage_records(frame, Path(folder))
    ...     print(path.name, pq.read_schema(path).types)
    records.parquet [DataType(int64), DataType(string)]
    """
    columns = {"unique_id": pa.array(records["unique_id"].to_numpy(), type=pa.int64())}
    for name in records.columns:
        if name != "unique_id":
            columns[name] = pa.array(records[name], type=pa.string(), from_pandas=True)
    path = folder / "records.parquet"
    pq.write_table(pa.table(columns), path)
    return path


@contextmanager
def _staged(staging: str | os.PathLike[str] | None) -> Iterator[Path]:
    """A fresh folder for one search, inside ``staging`` (or a temporary one), removed
    afterwards."""
    if staging is None:
        folder = Path(tempfile.mkdtemp(prefix="crmkit-splink-spark-"))
    else:
        root = Path(staging)
        if not root.is_dir():
            raise ValidationError(
                f"staging={str(staging)!r} is not a folder; give a folder every Spark "
                "executor can read (on a cluster, shared storage)"
            )
        folder = root / f"crmkit-splink-spark-{uuid.uuid4().hex[:12]}"
        folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _temporary_views(spark: Any) -> set[str]:
    return {t.name for t in spark.catalog.listTables() if t.isTemporary}


def _to_pandas(spark: Any, splink_frame: Any) -> pd.DataFrame:
    """A Splink table's rows on the driver, through Arrow (PySpark's own ``toPandas``
    warns with pandas 3)."""
    arrow: pa.Table = spark.table(splink_frame.physical_name).toArrow()
    return arrow.to_pandas()


def _to_arrow(frame: pd.DataFrame) -> pa.Table:
    """A driver frame for Spark's ``createDataFrame``, as Arrow (see :func:`_to_pandas`)."""
    return pa.Table.from_pandas(frame, preserve_index=False)


def _break_lineage_method(spark: Any) -> str:
    """Splink's Spark default writes its steps to Parquet in the checkpoint folder; with
    no checkpoint folder set, they are cached in the session instead."""
    checkpoint = spark.sparkContext._jsc.sc().getCheckpointDir()
    return "persist" if checkpoint.isEmpty() else "parquet"


def run_splink_spark(
    frame: Any,
    existing: Any,
    options: Options,
    *,
    threshold: float,
    min_probability: float,
    exclude_pairs: Iterable[tuple[Any, Any]] | None,
    spark: Any,
    staging: str | os.PathLike[str] | None = None,
) -> DuplicateReport:
    """:func:`crmkit.find_duplicates` with Splink matching on the Spark session ``spark``."""
    import_pyspark()
    check_session(spark)
    splink = import_splink()
    spark_backend = importlib.import_module("splink.backends.spark")
    clock = Clock()
    table_, source, new_from = build_table(frame, existing, options)
    table_ = _without_context(table_)
    if len(table_) < 2:
        return empty_report(table_, threshold, ENGINE, clock)
    records = prepare_for_splink(table_)
    clock.lap("prepare")
    _register_similarity_jar(spark)
    views = _temporary_views(spark)
    input_name = f"__crmkit_splink_records_{uuid.uuid4().hex[:12]}"
    try:
        with _staged(staging) as folder:
            staged = spark.read.parquet(str(stage_records(records, folder)))
            db_api = spark_backend.SparkAPI(
                spark_session=spark,
                break_lineage_method=_break_lineage_method(spark),
                register_udfs_automatically=False,
            )
            clock.lap("staging")
            found = splink_search(
                SplinkInput(
                    splink,
                    db_api,
                    db_api.register(staged, table_name=input_name),
                    staged.select("unique_id"),
                    records,
                    table_,
                    source,
                    new_from,
                    dialect="spark",
                    to_pandas=lambda splink_frame: _to_pandas(spark, splink_frame),
                    to_backend=_to_arrow,
                ),
                seed=options.seed,
                threshold=threshold,
                min_probability=min_probability,
                exclude_pairs=exclude_pairs,
                clock=clock,
            )
    finally:
        # Dropping a view uncaches what Splink cached (persisted) under it.
        for view in _temporary_views(spark) - views:
            spark.catalog.dropTempView(view)
    return splink_report(found, threshold, min_probability, ENGINE, clock)
