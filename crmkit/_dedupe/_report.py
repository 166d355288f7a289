"""The result of a duplicate search: :class:`DuplicateReport`, the facade users touch.

The report holds plain data (pairs, clusters, stats, the model); it explains pairs through
its :class:`~crmkit._dedupe._run.Run` and displays itself in Jupyter through
:mod:`crmkit._dedupe._summary` (what to show) and :mod:`crmkit._dedupe._html` (how).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crmkit._dedupe._accuracy import Accuracy, band_edges, band_of, estimate
from crmkit._dedupe._arrays import FloatArray, IntArray
from crmkit._dedupe._html import render_html
from crmkit._dedupe._job_changes import empty_job_changes
from crmkit._dedupe._labels import Labels, read_labels
from crmkit._dedupe._model import MatchModel
from crmkit._dedupe._options import DEFAULT_MIN_PROBABILITY
from crmkit._dedupe._run import Run
from crmkit._dedupe._summary import clustering_sentence, summarize
from crmkit._exceptions import ValidationError
from crmkit._util._config import current_lang
from crmkit._util._messages import message
from crmkit._util._table_html import rows_to_read, table_html
from crmkit.schemas._display import report_columns

__all__ = ["AUDIT_ABOVE", "AUDIT_PAIRS_PER_BAND", "DuplicateReport", "Scored"]

AUDIT_PAIRS_PER_BAND = 200
"""Most audit pairs drawn from one probability band (memory stays bounded)."""
AUDIT_ABOVE = 0.999
"""Pairs at or above this probability are near-certain: a band of audit pairs of its own."""


@dataclass(frozen=True)
class Scored:
    """Every candidate pair of a search: rows ``a`` and ``b`` and their probability."""

    a: IntArray
    b: IntArray
    probability: FloatArray


@dataclass(repr=False)
class DuplicateReport:
    """Duplicate pairs and clusters found in a table of records.

    Attributes
    ----------
    pairs
        pandas DataFrame, one row per pair with ``probability >= min_probability``, most
        probable first: ``id_a``, ``id_b``, ``probability``, ``match_weight`` (bits), one
        column per comparison with its agreement level (``exact``, ``close``, ``different``
        ..., missing when a value is null), ``names_swapped`` (contacts),
        ``job_change`` (``identity="person"`` only) and ``explanation``, e.g. ``"email
        exact (+16.9), last_name close 0.96 (+6.3), phone different (-4.8)"``.
    clusters
        Lists of ids that are one entity (two or more each), the most probable first.
    threshold
        Probability from which a pair is a match.
    engine
        ``"crmkit"``, ``"splink"`` or ``"splink-spark"``.
    stats
        Records, candidate pairs, pairs per blocking rule, matches, clusters, seconds per
        step and how the model was fitted; for the crmkit engine also ``identity``,
        ``job_changes`` (their number), ``vetoed_links`` (links at or above the
        threshold that clustering left between two clusters: the records across them
        match too little on average) and ``strong_joins`` (groups merged by a very
        strong link although their average was low; see :mod:`crmkit._dedupe._cluster`).
    model
        The fitted :class:`~crmkit._dedupe._model.MatchModel` (crmkit engine), to reuse
        with ``find_duplicates(..., model=report.model)``.
    job_changes
        With ``identity="person"``: one row per matching pair linked by strong person
        evidence across two companies: ``id_old``, ``id_new`` (the older record by
        ``updated_at``, else ``created_at``; without dates the pair's order, and
        ``dated`` is false), ``company_old``, ``company_new``, ``city_old``,
        ``city_new``, ``probability``. Empty otherwise.
    """

    pairs: pd.DataFrame
    clusters: list[list[Any]]
    threshold: float
    engine: str
    stats: dict[str, Any]
    model: MatchModel | None = None
    _run: Run | None = field(default=None, repr=False)
    _explainer: Callable[[Any, Any], pd.DataFrame] | None = field(default=None, repr=False)
    _scored: Scored | None = field(default=None, repr=False)
    _labels: Labels | None = field(default=None, repr=False)
    job_changes: pd.DataFrame = field(default_factory=empty_job_changes, repr=False)

    def cluster_frame(self, singletons: bool = False) -> pd.DataFrame:
        """One row per clustered record: ``id`` and ``cluster_id`` (0 = most probable).

        Parameters
        ----------
        singletons
            Also list the records in no cluster, each with a cluster id of its own.

        Examples
        --------
        >>> import pandas as pd
        >>> from crmkit import find_duplicates
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
        ValidationError
            Engine ``"splink"``: the pair is not among the pairs Splink scored at least
            ``min(min_probability, threshold)`` (the message says whether its blocking rules
            proposed it at all). Its ``level`` is the Splink level's label and
            ``similarity`` is NaN.

        Examples
        --------
        >>> import pandas as pd
        >>> from crmkit import find_duplicates
        >>> frame = pd.DataFrame({"id": [1, 2], "first_name": ["Bill", "William"],
        ...                       "last_name": ["Smith", "SMITH"]})
        >>> table_ = find_duplicates(frame).explain(1, 2)
        >>> table_[["field", "value_a", "value_b", "level"]].values.tolist()[:2]
        [['first_name', 'Bill', 'William', 'nickname'], ['last_name', 'Smith', 'SMITH', 'exact']]
        """
        if self._run is None:
            if self._explainer is not None:  # the Splink engine
                return self._explainer(id_a, id_b)
            raise ValidationError(
                f"explain() needs the records; this report (engine {self.engine!r}) has none"
            )
        return self._run.explain(id_a, id_b)

    def accuracy(self, labels: Any = None, *, seed: int = 0) -> Accuracy:
        """Estimated precision and recall of the pairs at or above the threshold.

        From the reviewed pairs when there are any (each probability band's share of
        "same" answers, weighted by the band's share of pairs, so that reviewing the most
        uncertain pairs first does not bias it), otherwise from the model's own
        probabilities ("model estimate (no reviews)"); each with a 95% interval. See
        :mod:`crmkit._dedupe._accuracy`.

        Parameters
        ----------
        labels
            Reviewed pairs, a pandas or polars frame of ``id_a``, ``id_b``, ``decision``
            (``"same"`` / ``"different"``), e.g. ``crm.contacts.duplicate_decisions()``
            after a review; ``None``: the labels the search learnt from (none for
            :func:`crmkit.find_duplicates` without ``labels``).
        seed
            Seed of the draws behind the intervals.

        Returns
        -------
        Accuracy
            ``precision``, ``recall``, their ``_low`` and ``_high`` bounds, ``method``
            and ``description``; ``frame()`` gives them as a DataFrame.

        Raises
        ------
        ValidationError
            A report that does not keep its scored pairs (the Splink engine, an index's
            check), or bad labels.

        Examples
        --------
        >>> import pandas as pd
        >>> from crmkit import find_duplicates
        >>> frame = pd.DataFrame({"id": [1, 2, 3], "first_name": ["Ann", "Ann", "Bob"],
        ...                       "last_name": ["Lee", "Lee", "Ray"],
        ...                       "email": ["ann@x.fr", "ann@x.fr", "bob@y.fr"]})
        >>> report = find_duplicates(frame)
        >>> report.accuracy().method
        'model'
        >>> reviewed = pd.DataFrame({"id_a": [1], "id_b": [2], "decision": ["same"]})
        >>> report.accuracy(reviewed).description
        'from 1 reviewed pairs (1 same, 0 different), stratified by probability band'
        """
        if self._run is None or self._scored is None:
            raise ValidationError(
                "accuracy() needs every scored pair of a find_duplicates search with "
                f"engine='crmkit'; this report (engine {self.engine!r}) does not keep them"
            )
        given = self._labels if labels is None else read_labels(labels)
        if given is None:
            given = read_labels(None)
        run, scored = self._run, self._scored
        ia, ib, same = given.rows({record_id: row for row, record_id in enumerate(run.table.ids)})
        reviewed = run.score_rows(ia, ib) if len(ia) else np.zeros(0)
        n = max(len(run.table), 1)
        labelled = np.minimum(ia, ib).astype(np.int64) * n + np.maximum(ia, ib)
        low = np.minimum(scored.a, scored.b).astype(np.int64)
        candidate = low * n + np.maximum(scored.a, scored.b)
        unreviewed = scored.probability[~np.isin(candidate, labelled)]
        return estimate(unreviewed, reviewed, same, self.threshold, seed=seed)

    def audit_pairs(self, per_band: int = AUDIT_PAIRS_PER_BAND, *, seed: int = 0) -> pd.DataFrame:
        """A seeded random sample of the pairs a review by uncertainty never reaches.

        Reviewing the pairs nearest the threshold first never shows the pairs scored
        below ``min_probability`` (not in ``pairs``) nor the near-certain ones (at or above
        :data:`AUDIT_ABOVE`): the model is taken at its word where it is trusted most.
        Reviewers' answers on a few random pairs of those bands (random checks) let
        :meth:`accuracy` check it there; the review widget shows them every fifth pair.

        Parameters
        ----------
        per_band
            Most pairs drawn from each probability band (the bands of :meth:`accuracy`).
        seed
            Seed of the draw: the same report and seed give the same pairs.

        Returns
        -------
        pandas.DataFrame
            ``id_a``, ``id_b``, ``probability`` and ``band`` (the band's lower edge), the
            bands taken in turn (the first pair of each band, then the second...), each
            band's pairs in random order.

        Raises
        ------
        ValidationError
            A report that does not keep its scored pairs (the Splink engine).

        Examples
        --------
        >>> import pandas as pd
        >>> from crmkit import find_duplicates
        >>> frame = pd.DataFrame({"id": [1, 2, 3], "first_name": ["Ann", "Ann", "Bob"],
        ...                       "last_name": ["Lee", "Lee", "Lee"],
        ...                       "email": ["ann@x.fr", "ann@x.fr", "bob@y.fr"]})
        >>> find_duplicates(frame).audit_pairs()[["id_a", "id_b", "band"]].values.tolist()
        [[1.0, 2.0, 0.999]]
        """
        if self._run is None or self._scored is None:
            raise ValidationError(
                "audit_pairs() needs every scored pair of a find_duplicates search with "
                f"engine='crmkit'; this report (engine {self.engine!r}) does not keep them"
            )
        if per_band < 0:
            raise ValidationError(f"per_band must be 0 or more, got {per_band!r}")
        cut = float(self.stats.get("min_probability", DEFAULT_MIN_PROBABILITY))
        edges = np.unique(np.r_[band_edges(self.threshold), cut, AUDIT_ABOVE])
        probability = self._scored.probability
        band = band_of(probability, edges)
        rng = np.random.default_rng(seed)
        drawn: list[IntArray] = []
        for h in range(len(edges) - 1):
            if not (edges[h + 1] <= cut or edges[h] >= AUDIT_ABOVE):
                continue
            rows = np.flatnonzero(band == h)
            drawn.append(rng.permutation(rows)[:per_band])
        # The bands in turn: rank k of every band before rank k + 1 of any.
        rank = np.concatenate([np.arange(len(d)) for d in drawn]) if drawn else np.zeros(0)
        rows = np.concatenate(drawn) if drawn else np.zeros(0, dtype=np.int64)
        rows = rows[np.argsort(rank, kind="stable")]
        ids = self._run.table.ids
        return pd.DataFrame(
            {
                "id_a": [ids[k] for k in self._scored.a[rows]],
                "id_b": [ids[k] for k in self._scored.b[rows]],
                "probability": pd.Series(probability[rows], dtype="float64"),
                "band": pd.Series(edges[band[rows]], dtype="float64"),
            }
        )

    def __repr__(self) -> str:
        n = self.stats.get("records", 0)
        counts = message(
            "dup_head",
            pairs=message("dup_pairs", count=len(self.pairs)),
            clusters=message("dup_clusters", count=len(self.clusters)),
            records=message("n_records", count=n),
        )
        text = f"DuplicateReport({counts}, threshold={self.threshold}, engine={self.engine!r}"
        if self.stats.get("identity") == "person":
            changes = self.stats.get("job_changes", 0)
            text += f", identity='person', {message('dup_job_changes', count=changes)}"
        sentence = clustering_sentence(self.stats, self.threshold)
        return text + (f"; {sentence})" if sentence else ")")

    def _repr_html_(self) -> str:
        explain = self._run.explain if self._run is not None else None
        summary = summarize(
            self.pairs, self.clusters, self.threshold, self.engine, self.stats, explain
        )
        return render_html(summary, self._pairs_table())

    def _pairs_table(self) -> str:
        """Every pair (up to a page size), sortable by probability, through the renderer."""
        if self.pairs.empty:
            return ""
        lang = current_lang()
        shown = [c for c in ("id_a", "id_b", "probability", "explanation") if c in self.pairs]
        frame = self.pairs[shown].head(rows_to_read())
        return table_html(frame, report_columns("contacts", shown, lang), total=len(self.pairs))
