"""Splink on Spark (crmkit._dedupe._splink_spark), on a real local Spark session.

One session for the module (Java 17+ and the ``spark`` extra, which ``dev`` includes);
a few hundred records, so the whole file stays short.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from dedupe_samples import cluster_pairs, sample

import crmkit as ck
from crmkit._dedupe import find_duplicates
from crmkit._exceptions import ValidationError
from crmkit.samples import generate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A local Spark session, small and quiet, without Splink's jar (the engine adds it);
    its warehouse folder in a temporary folder, not in the working tree."""
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("crmkit-tests")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def contacts() -> pd.DataFrame:
    return sample(200, seed=4)


@pytest.fixture(scope="module")
def reports(spark: Any, contacts: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The same records matched by Splink on DuckDB and on Spark (staged in a folder)."""
    staging = tmp_path_factory.mktemp("staging")
    views = {t.name for t in spark.catalog.listTables()}
    on_spark = find_duplicates(contacts, engine="splink-spark", spark=spark, staging=staging)
    on_duckdb = find_duplicates(contacts, engine="splink")
    return on_duckdb, on_spark, staging, views


def test_spark_finds_the_clusters_duckdb_finds(reports: Any, spark: Any) -> None:
    """The same search on both backends. Not to the last pair: Splink's Scala
    ``jaro_winkler`` (Spark) and DuckDB's differ on some strings (by up to 0.13 on
    generated e-mails), so a few pairs fall in another level and the fitted ``m`` and
    ``u`` move a little."""
    on_duckdb, on_spark, staging, views = reports
    assert on_spark.engine == "splink-spark" and on_spark.clusters
    spark_clusters = {frozenset(c) for c in on_spark.clusters}
    duckdb_clusters = {frozenset(c) for c in on_duckdb.clusters}
    assert len(spark_clusters & duckdb_clusters) >= 0.9 * len(duckdb_clusters)
    spark_pairs, duckdb_pairs = cluster_pairs(on_spark.clusters), cluster_pairs(on_duckdb.clusters)
    agreement = 2 * len(spark_pairs & duckdb_pairs) / (len(spark_pairs) + len(duckdb_pairs))
    assert agreement >= 0.95
    # The pairs both engines scored have about the same probability.
    both = on_spark.pairs.merge(on_duckdb.pairs, on=["id_a", "id_b"], suffixes=("", "_duckdb"))
    assert len(both) >= 0.9 * len(on_duckdb.pairs)
    close = (both["probability"] - both["probability_duckdb"]).abs() <= 0.05
    assert close.mean() >= 0.9
    assert list(on_spark.pairs.columns) == list(on_duckdb.pairs.columns)
    # The staged Parquet and Splink's views (and what they cached) are gone.
    assert list(staging.iterdir()) == []
    assert {t.name for t in spark.catalog.listTables()} == views


def test_explain_a_spark_pair_as_the_duckdb_engine_does(reports: Any) -> None:
    on_duckdb, on_spark, _, _ = reports
    a, b = on_spark.pairs.iloc[0][["id_a", "id_b"]]
    spark_table, duckdb_table = on_spark.explain(a, b), on_duckdb.explain(a, b)
    assert spark_table["field"].tolist() == duckdb_table["field"].tolist()
    assert spark_table["level"].tolist() == duckdb_table["level"].tolist()
    assert spark_table["normalized_a"].tolist() == duckdb_table["normalized_a"].tolist()
    np.testing.assert_allclose(spark_table["weight"], duckdb_table["weight"], atol=1.0)
    assert spark_table.attrs["probability"] == pytest.approx(on_spark.pairs.iloc[0].probability)
    with pytest.raises(ValidationError, match="two different records"):
        on_spark.explain(a, a)


def test_review_and_merge_the_spark_pairs_in_a_database_file(spark: Any, tmp_path: Path) -> None:
    from crmkit.widgets import DuplicateReview

    data = generate(n_accounts=15, n_contacts=100, seed=21, messiness=0.2, duplicates=0.2)
    with ck.open(tmp_path / "crm.duckdb", user="Dedupe") as crm:
        for owner in data.owners.to_dict("records"):
            crm.owners.add(owner["name"], email=owner["email"], team=owner["team"])
        frame = data.contacts.rename(columns={"entity_id": "Entity"})
        crm.import_frame(
            frame, "contacts", create_accounts=True, progress=False, mode="create", match_on=["uid"]
        )
        report = crm.contacts.find_duplicates(engine="splink-spark", spark=spark)
        assert report.engine == "splink-spark" and report.clusters
        entity = {
            int(i): json.loads(c)["Entity"] for i, c in crm.contacts.df()[["id", "custom"]].values
        }
        same = [c for c in report.clusters if len({entity[i] for i in c}) == 1]
        assert len(same) >= 0.8 * len(report.clusters)

        review = DuplicateReview(crm, report)
        first = review.pair
        assert first is not None
        review.different()
        assert review.pair != first
        keep, gone = review.pair
        merged = review.merge(rule="complete", survivor="left")
        assert merged.survivor == keep and crm.contacts.get(gone).merged_into == keep

        crm.undo(merged.batch_id)
        assert crm.contacts.get(gone).merged_into is None


def test_a_session_is_required_and_checked(spark: Any, tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": [1, 2], "first_name": ["a", "a"], "last_name": ["b", "b"]})
    with pytest.raises(ValidationError, match="needs spark=, a SparkSession"):
        find_duplicates(frame, engine="splink-spark")
    with pytest.raises(ValidationError, match=r"spark= must be a SparkSession.*builtins\.str"):
        find_duplicates(frame, engine="splink-spark", spark="local[2]")
    with pytest.raises(ValidationError, match="need engine='splink-spark', not 'crmkit'"):
        find_duplicates(frame, spark=spark)
    missing = tmp_path / "nowhere"
    with pytest.raises(ValidationError, match="nowhere' is not a folder"):
        find_duplicates(frame, engine="splink-spark", spark=spark, staging=missing)
    with pytest.raises(ValidationError, match="labels need the crmkit engine"):
        find_duplicates(
            frame,
            engine="splink-spark",
            spark=spark,
            labels=pd.DataFrame({"id_a": [1], "id_b": [2], "decision": ["same"]}),
        )


def test_a_missing_pyspark_names_the_extra() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["pyspark"] = None  # as if the spark extra were not installed
        import pandas as pd
        from crmkit._dedupe import find_duplicates
        from crmkit._exceptions import MissingDependencyError
        frame = pd.DataFrame({"id": [1, 2], "first_name": ["a", "a"], "last_name": ["b", "b"]})
        try:
            find_duplicates(frame, engine="splink-spark", spark=object())
        except MissingDependencyError as exc:
            print(exc)
        print(find_duplicates(frame).clusters)  # the crmkit engine does not need it
        """
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    assert done.stdout.splitlines() == [
        "engine='splink-spark' needs PySpark, which is not installed: pip install 'crmkit[spark]'",
        "[[1, 2]]",
    ]


def test_crmkit_imports_without_warnings_with_pyspark_installed() -> None:
    """pandera imports pyspark.pandas when PySpark is installed, which warns about pandas
    3: importing crmkit's models and validating a first record (pandera registers its
    checks then, importing pyspark.pandas again) must stay silent (``-W error``)."""
    script = (
        "import pyspark, crmkit as ck; crm = ck.open(user='N'); "
        "crm.contacts.add(first_name='Jean', last_name='Roy'); print('ok')"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent.parent,
    )
    assert done.stdout.strip() == "ok", done.stderr[-2000:]
