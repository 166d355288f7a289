"""Find duplicate contacts and accounts: candidate pairs, probabilities, reasons, clusters.

:func:`find_duplicates` takes a pandas or polars DataFrame of records (catalog field names,
an ``id`` column, and for contacts ``company``: the account name as text) and returns a
:class:`DuplicateReport`. The engine, pure logic over DataFrames plus DuckDB for blocking:

1. **Normalise** (:mod:`._normalise`, :mod:`._names`, into a feature table by
   :mod:`._features`): names without case and accents and transliterated (``张伟`` is
   ``zhang wei``), nicknames (Bill is William), e-mails without case or ``+tag``, phones in
   E.164, company names without legal forms (SA, SAS, SARL, GmbH, Ltd, Inc, 有限公司 ...)
   in any word order, web and e-mail domains.
2. **Block** (:mod:`._keys`, :mod:`._blocking`): pairs sharing a key (same e-mail, phone,
   domain, Soundex or prefix of the names in either order, company with city ...), joined
   in DuckDB; a huge block (1 000 records with one e-mail) becomes a sorted neighbourhood
   instead of half a million pairs.
3. **Compare** (:mod:`._compare`): rapidfuzz similarities turned into agreement levels.
4. **Score** (:mod:`._model`, learned by :mod:`._training`): Fellegi-Sunter weights learned
   without labels (``u`` from the table, ``m`` by EM), each field's contribution in bits,
   which is the explanation (:mod:`._explain`); an exact agreement on a value many records
   share (a switchboard, a common surname) counts less (:mod:`._tf`).
5. **Cluster** (:mod:`._cluster`): strong links merged by average linkage, so that one weak
   link does not chain unrelated records together, or by a very strong link that most
   compared pairs across the two groups support.

``identity="person"`` (:mod:`._identity`, :mod:`._job_changes`) links one person across
jobs: strong person evidence sets aside the disagreements of company, city, phone and
e-mail, and such a pair is labelled a job change.

Reviewers' decisions (``labels``) update the fitted model and may re-choose the threshold
(:mod:`._labels`); ``report.accuracy()`` estimates precision and recall from them, or from
the model alone (:mod:`._accuracy`).

New records against existing ones (``find_duplicates(new, existing)``) only compares pairs
involving a new record; :class:`DedupeIndex` keeps the keys and the model in memory and
answers :meth:`DedupeIndex.similar` (the "similar records" warning of an entry form) in a
few milliseconds.

With ``engine="splink"`` the same normalised values are matched by Splink 5 on the given
DuckDB connection (``pip install crmkit[splink]``; :mod:`._splink`). With
``engine="splink-spark"`` the same Splink search runs on a Spark session
(``pip install 'crmkit[spark]'``; :mod:`._splink_spark`): the normalised records are
written to Parquet in a staging folder Spark reads, Splink trains, predicts and clusters
in Spark, and only the likely pairs come back.

Modules, each importing only those listed before it (no cycle)::

    _arrays        the NumPy array types
    _memory        freed memory given back to the system between stages
    _frames        pandas / polars columns as lists; Source: records back by row
    _comparisons   Comparison, agreement levels, default comparisons
    _names         nicknames, Soundex, person name keys
    _vocab         Vocab: distinct values and their codes
    _normalise     value normalisers per comparison method
    _features      FeatureTable, prepare()
    _keys          blocking keys and sort keys
    _blocking      candidate pairs in DuckDB
    _key_index     blocking keys in memory (DedupeIndex)
    _similarity    rapidfuzz scores of distinct value pairs
    _compare       agreement levels of pairs
    _model         MatchModel: weights, scores
    _training      fit(): u from the table, m by EM
    _cluster       average-linkage clustering
    _tf            term-frequency adjustments of exact agreements
    _identity      identity="person": strong person evidence, job changes, scores
    _explain       explanation texts, one pair field by field
    _options       Options, defaults and checks of a search
    _accuracy      Accuracy: estimated precision and recall of a search, 95% intervals
    _labels        reviewers' decisions: read, learnt by the model, the threshold
    _clock         step timings
    _job_changes   the job_change column and report.job_changes
    _table         the feature table of one search
    _pairs         the report's pairs DataFrame
    _run           table + model kept for explanations and on-demand scores
    _summary       what a report shows, as plain data
    _html          the report as HTML
    _report        DuplicateReport
    _engine        the crmkit engine
    _splink        the Splink engine (Splink loaded lazily)
    _splink_spark  the Splink engine on Spark (PySpark loaded lazily)
    _index         DedupeIndex
    _find          find_duplicates()
"""

from crmkit._dedupe._comparisons import Comparison
from crmkit._dedupe._find import find_duplicates
from crmkit._dedupe._index import DedupeIndex
from crmkit._dedupe._options import DEFAULT_THRESHOLD
from crmkit._dedupe._report import DuplicateReport

__all__ = [
    "DEFAULT_THRESHOLD",
    "Comparison",
    "DedupeIndex",
    "DuplicateReport",
    "find_duplicates",
]
