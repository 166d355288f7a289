"""Find duplicate contacts and accounts: :func:`find_duplicates`, the search users call.

It checks the arguments and hands the records to an engine: crmkit's own
(:mod:`crmkit._dedupe._engine`), Splink's on DuckDB (:mod:`crmkit._dedupe._splink`, loaded
only with ``engine="splink"``) or Splink's on Spark (:mod:`crmkit._dedupe._splink_spark`,
``engine="splink-spark"``); all return a :class:`~crmkit._dedupe._report.DuplicateReport`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from crmkit._dedupe._blocking import DEFAULT_MAX_BLOCK_SIZE, DEFAULT_WINDOW
from crmkit._dedupe._cluster import DEFAULT_AVERAGE_THRESHOLD
from crmkit._dedupe._comparisons import Comparison
from crmkit._dedupe._engine import run_crmkit
from crmkit._dedupe._identity import Identity, resolve_identity
from crmkit._dedupe._labels import read_labels
from crmkit._dedupe._model import MatchModel
from crmkit._dedupe._options import (
    DEFAULT_MIN_PROBABILITY,
    DEFAULT_THRESHOLD,
    Engine,
    Options,
    check_engine,
    check_probability,
)
from crmkit._dedupe._progress import Listener, SearchProgress
from crmkit._dedupe._report import DuplicateReport
from crmkit._dedupe._splink import run_splink
from crmkit._dedupe._splink_spark import run_splink_spark
from crmkit._exceptions import ValidationError
from crmkit.schemas._catalog import table

__all__ = ["find_duplicates"]


def find_duplicates(
    frame: Any,
    existing: Any = None,
    *,
    kind: str = "contacts",
    fields: Sequence[str | Comparison] | None = None,
    threshold: float | None = None,
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
    tf_adjust: bool = True,
    labels: Any = None,
    identity: Identity | None = None,
    spark: Any = None,
    staging: str | os.PathLike[str] | None = None,
    progress: bool | Listener = False,
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
        the catalog) or :class:`~crmkit._dedupe._comparisons.Comparison` objects, e.g.
        ``["first_name", "last_name", Comparison("soc_sec_id", "code")]``.
    threshold
        Probability at or above which a pair is a match (and may join a cluster).
        ``None``: ``0.9``, or with ``labels`` of at least 10 pairs of each kind, the cut
        with the best F1 on them.
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
        ``"crmkit"``, ``"splink"`` (needs ``pip install crmkit[splink]``) or
        ``"splink-spark"``: Splink's search run on the Spark session ``spark`` (needs
        ``pip install 'crmkit[spark]'``; see :mod:`crmkit._dedupe._splink_spark`).
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
    tf_adjust
        Weigh an exact agreement by how common the value is (term-frequency adjustment,
        :mod:`crmkit._dedupe._tf`): a rare surname counts more than a common one, a phone
        shared by many records less than a unique one. crmkit engine only.
    labels
        Pairs reviewers decided: a pandas or polars frame of ``id_a``, ``id_b`` and
        ``decision`` (``"same"`` or ``"different"``, as
        ``crm.contacts.duplicate_decisions()`` lists them). They update the fitted model
        ("same" pairs its ``m``, "different" ones its ``u``, blended with the unsupervised
        estimates so that a few decisions nudge and many dominate, see
        :mod:`crmkit._dedupe._labels`), may re-choose the threshold (see ``threshold``),
        and ``report.accuracy()`` estimates precision and recall from them. "different"
        pairs are excluded like ``exclude_pairs``. crmkit engine only; a given ``model``
        is used as it is.
    identity
        What one contact is. ``"person"`` (the default with the crmkit engine): the
        person, whatever the job; strong person evidence (the same or close first name
        and the same rare surname, or close names with the same birthday, e-mail or
        phone, and no differing birthday) sets aside the disagreements of company, city,
        postal code, phone and e-mail, and such a pair across two companies is a *job
        change*: ``job_change`` in ``pairs``, "job change: Aprool → Bexa" in its
        explanation, a row of ``report.job_changes`` (see
        :mod:`crmkit._dedupe._identity`). ``"role"`` (Splink's only policy, and its
        default): a person at a company; the same name at another company and city is
        another contact. "person" is the default because on real people who change
        employer and city (the PatentsView inventors) it takes pairwise F1 from .9757 to
        .9971 and B-cubed F1 from .9409 to .9957, above Splink and the same-name rule,
        and it changes no other benchmark set (BENCHMARKS.md).
    spark
        ``engine="splink-spark"`` only: the ``pyspark.sql.SparkSession`` to run on.
    staging
        ``engine="splink-spark"`` only: the folder where the normalised records are
        written as Parquet for Spark to read (a temporary folder if ``None``). On a
        cluster, a path every executor reads under the same name (shared storage).
    progress
        ``True``: a progress bar (tqdm: a notebook widget in Jupyter) moving stage by
        stage (prepare, blocking, comparing, training, clustering; the crmkit engine);
        a function ``(stage, stages_done, stages_in_all)``: told as each stage starts
        (``"done"`` at the end), without a bar.

    Returns
    -------
    DuplicateReport

    Raises
    ------
    ValidationError
        A missing or repeated id, a bad threshold, a comparison naming no column.
    UnknownValueError
        An unknown kind, engine or identity.
    MissingDependencyError
        ``engine="splink"`` without Splink installed, ``engine="splink-spark"`` without
        PySpark or Splink.

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
    >>> print(report.pairs.loc[0, "explanation"])  # doctest: +NORMALIZE_WHITESPACE
    email exact (+10.1), last_name exact (+8.4), company exact (+7.6), first_name exact (+6.3),
    common company, shared by 2 records (-1.9)
    """
    kind = table(kind).name
    if threshold is not None:
        check_probability("threshold", threshold)
    check_probability("average_threshold", average_threshold)
    check_probability("min_probability", min_probability)
    check_engine(engine)
    policy = resolve_identity(identity, engine)
    options = Options(
        kind, fields, id_column, phone_region, max_block_size, window, seed, tf_adjust, policy
    )
    learned = read_labels(labels) if labels is not None else None
    if engine != "splink-spark" and (spark is not None or staging is not None):
        raise ValidationError(f"spark= and staging= need engine='splink-spark', not {engine!r}")
    if engine in ("splink", "splink-spark"):
        if learned is not None:
            raise ValidationError(f"labels need the crmkit engine; engine={engine!r} got them")
        if policy != "role":
            raise ValidationError(
                f"identity={policy!r} needs engine='crmkit' (Splink scores roles only)"
            )
    if engine in ("splink", "splink-spark"):
        # The two Splink engines differ only in where Splink runs.
        run, where = (
            (run_splink_spark, {"spark": spark, "staging": staging})
            if engine == "splink-spark"
            else (run_splink, {"connection": connection})
        )
        return run(
            frame,
            existing,
            options,
            threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
            min_probability=min_probability,
            exclude_pairs=exclude_pairs,
            **where,
        )
    stages = SearchProgress(progress is True, None if isinstance(progress, bool) else progress)
    try:
        return run_crmkit(
            frame,
            existing,
            options,
            threshold=threshold,
            average_threshold=average_threshold,
            min_probability=min_probability,
            exclude_pairs=exclude_pairs,
            model=model,
            connection=connection,
            labels=learned,
            on_lap=stages.lap,
        )
    finally:
        stages.close()
