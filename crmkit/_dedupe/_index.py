"""The in-memory index: :class:`DedupeIndex`, for duplicate warnings while typing.

Blocking keys (:class:`~crmkit._dedupe._key_index.KeyIndex`) and a fitted model kept in
memory: :meth:`DedupeIndex.similar` compares one typed record with the few indexed records
that share a key with it, :meth:`DedupeIndex.check` new records with the indexed ones,
without normalising those again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmkit._dedupe._arrays import FloatArray, IntArray, LevelArray
from crmkit._dedupe._blocking import (
    DEFAULT_MAX_BLOCK_SIZE,
    DEFAULT_WINDOW,
    Candidates,
    candidate_pairs,
    drop_excluded,
    rule_big_blocks,
)
from crmkit._dedupe._clock import Clock
from crmkit._dedupe._cluster import DEFAULT_AVERAGE_THRESHOLD
from crmkit._dedupe._compare import compare, compare_levels
from crmkit._dedupe._comparisons import Comparison
from crmkit._dedupe._explain import explanation_texts
from crmkit._dedupe._features import FeatureTable, prepare
from crmkit._dedupe._frames import Source
from crmkit._dedupe._identity import Identity, resolve_identity, score_pairs
from crmkit._dedupe._key_index import KeyIndex
from crmkit._dedupe._keys import blocking_keys, sort_key
from crmkit._dedupe._link import link
from crmkit._dedupe._model import MatchModel
from crmkit._dedupe._options import (
    DEFAULT_MIN_PROBABILITY,
    DEFAULT_THRESHOLD,
    SMALL_TABLE,
    Options,
    check_probability,
)
from crmkit._dedupe._pairs import as_ids
from crmkit._dedupe._report import DuplicateReport
from crmkit._dedupe._table import build_table, excluded_rows, record_ids
from crmkit._dedupe._tf import TermAdjustments
from crmkit._dedupe._training import fit
from crmkit._exceptions import ValidationError
from crmkit.schemas._catalog import table

__all__ = ["DedupeIndex"]


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
        options: Options,
        source: Source,
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
        tf_adjust: bool = True,
        identity: Identity | None = None,
    ) -> DedupeIndex:
        """Index ``frame``; fit a model on it unless one is given.

        Parameters are those of :func:`crmkit.find_duplicates` (``identity`` holds for
        :meth:`check` and :meth:`similar`).
        """
        kind = table(kind).name
        policy = resolve_identity(identity)
        options = Options(
            kind,
            fields,
            id_column,
            phone_region,
            max_block_size,
            window,
            seed,
            tf_adjust,
            policy,
        )
        table_, source, _ = build_table(frame, None, options)
        keys = blocking_keys(table_)
        sorts = sort_key(table_)
        if model is None:
            if len(table_) >= SMALL_TABLE:
                candidates = candidate_pairs(
                    keys,
                    sorts,
                    connection=connection,
                    max_block_size=max_block_size,
                    window=window,
                )
                levels = compare_levels(table_, candidates.a, table_, candidates.b)
                model = fit(
                    table_,
                    levels,
                    rules=candidates.rules,
                    rule_fields=[k.fields for k in keys],
                    rule_identity=[k.identity for k in keys],
                    rule_big_blocks=rule_big_blocks(
                        keys, candidates, max_block_size, identity_only=True
                    ),
                    pairs=(candidates.a, candidates.b),
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
        ids = record_ids(records, self._options.id_column, label)
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
            check_probability(name, value)
        clock = Clock()
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
        excluded = excluded_rows(exclude_pairs, combined)
        candidates = drop_excluded(candidates, excluded)
        clock.lap("blocking")
        levels = compare_levels(combined, candidates.a, combined, candidates.b)
        clock.lap("comparing")
        linked = link(
            combined,
            self.model,
            Source([*self._source.frames, (frame, offset)]),
            candidates,
            levels,
            excluded,
            tf_adjust=self._options.tf_adjust,
            threshold=threshold,
            average_threshold=average_threshold,
            min_probability=min_probability,
            seed=self._options.seed,
            identity=self._options.identity,
        )
        clock.lap("clustering")
        probability, pairs, clusters, run = (
            linked.probability,
            linked.pairs,
            linked.clusters,
            linked.run,
        )
        stats = {
            "records": len(combined),
            "new_records": len(new),
            "candidate_pairs": len(candidates),
            "excluded_pairs": len(excluded),
            "matches": int((probability >= threshold).sum()),
            "listed_pairs": len(pairs),
            "clusters": len(clusters),
            "clustered_records": sum(len(c) for c in clusters),
            "vetoed_links": linked.vetoed_links,
            "strong_joins": linked.strong_joins,
            "identity": self._options.identity,
            "job_changes": len(linked.job_changes),
            "seconds": clock.total,
            "step_seconds": clock.steps,
            "model": dict(self.model.info),
        }
        return DuplicateReport(
            pairs,
            clusters,
            threshold,
            "crmkit",
            stats,
            self.model,
            run,
            job_changes=linked.job_changes,
        )

    def _typed(self, records: Sequence[Mapping[str, Any]]) -> FeatureTable:
        """Normalise typed records (not indexed; possibly partial) as the indexed ones.

        Each gets a negative id, which no indexed record has, and the columns of every
        comparison (``None`` where not typed).
        """
        columns = {c for comparison in self.table.comparisons for c in comparison.columns}
        for record in records:
            columns.update(c for c in ("country", "billing_country") if c in record)
        frame = pd.DataFrame(
            {c: pd.Series([r.get(c) for r in records], dtype=object) for c in sorted(columns)}
        )
        return prepare(
            frame,
            self.table.comparisons,
            ids=[-1 - n for n in range(len(records))],
            vocabs=self.table.vocabs,
            phone_region=self._options.phone_region,
        )

    def _scores(
        self, query: FeatureTable, ia: IntArray, ib: IntArray, levels: LevelArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, TermAdjustments | None]:
        """Weight, probability, parts and adjustments of the pairs ``(query[ia],
        indexed[ib])``: term frequencies are those of the index (a typed record is not
        among them)."""
        (weight, probability, parts), adjustments, _ = score_pairs(
            self.model,
            query,
            ia,
            self.table,
            ib,
            levels,
            self._options.tf_adjust,
            self._options.identity,
        )
        return weight, probability, parts, adjustments

    def similar_many(
        self, records: Sequence[Mapping[str, Any]], min_probability: float = 0.05
    ) -> pd.DataFrame:
        """:meth:`similar` of many typed records at once, with the same probabilities.

        Each record is scored against the indexed ones only, as :meth:`similar` scores
        it alone: the others typed with it neither pair with it nor count in its term
        frequencies (which :meth:`check` does, as records about to be stored).

        Parameters
        ----------
        records
            Field name to value, one mapping per record.
        min_probability
            Leave out indexed records less probable than this.

        Returns
        -------
        pandas.DataFrame
            ``record`` (position in ``records``), ``id`` and ``probability``: each
            record's indexed records, most probable first (in the order of
            :meth:`similar` for equal probabilities); records with none are absent.

        Examples
        --------
        >>> import pandas as pd
        >>> accounts = pd.DataFrame({"id": [1, 2], "name": ["Aprool", "Blue Widgets"],
        ...                          "website": ["aprool.com", "bluewidgets.co.uk"]})
        >>> index = DedupeIndex.build(accounts, "accounts")
        >>> found = index.similar_many([{"name": "Blue Widgets Ltd"}, {"name": "Zeta"},
        ...                             {"name": "APROOL", "website": "www.aprool.com"}])
        >>> found[["record", "id"]].values.tolist()
        [[0, 2], [2, 1]]
        """
        check_probability("min_probability", min_probability)
        query = self._typed(records)
        pairs = self.keys.lookup_many(blocking_keys(query), sort_key(query))
        ia = np.asarray([n for n, _ in pairs], dtype=np.int64)
        ib = np.asarray([r for _, r in pairs], dtype=np.int64)
        levels = compare_levels(query, ia, self.table, ib)
        probability = self._scores(query, ia, ib, levels)[1]
        keep = np.flatnonzero(probability >= min_probability)
        keep = keep[np.argsort(-probability[keep], kind="stable")]
        keep = keep[np.argsort(ia[keep], kind="stable")]  # by record, most probable first
        ids = [self.table.ids[r] for r in ib[keep].tolist()]
        return pd.DataFrame(
            {
                "record": ia[keep],
                "id": as_ids(pd.Series(ids, dtype=object), ids),
                "probability": probability[keep],
            }
        )

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
        check_probability("min_probability", min_probability)
        query = self._typed([record])
        rows = self.keys.lookup(blocking_keys(query), sort_key(query))
        if not rows:
            return _empty_similar()
        ib = np.asarray(rows, dtype=np.int64)
        ia = np.zeros(len(ib), dtype=np.int64)
        levels = compare(query, ia, self.table, ib)
        weight, probability, parts, adjustments = self._scores(query, ia, ib, levels.levels)
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
            None
            if adjustments is None
            else TermAdjustments(adjustments.bits[keep], adjustments.counts[keep]),
        )
        return pd.DataFrame(
            {
                "id": as_ids(pd.Series(ids, dtype=object), ids),
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
