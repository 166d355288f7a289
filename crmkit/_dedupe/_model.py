"""The match model: Fellegi-Sunter weights learned without labels.

For each comparison, each agreement level ``l`` has two probabilities: ``m[l]``, the share of
true duplicate pairs at that level, and ``u[l]``, the share of pairs of different records
at that level. A pair's *match weight* is ``log2(prior / (1 - prior)) + sum(log2(m / u))``
over its non-null comparisons, and its probability ``1 / (1 + 2 ** -weight)``: every field
contributes a number of bits for or against, which is what the explanations show.

Learning without labels (:func:`fit`):

- ``u`` from the table itself: the "exact" level from value frequencies (the chance that
  two random records share a value is the sum of the squared shares of the values), the
  fuzzy levels from a sample of random pairs, which are almost all pairs of different
  records;
- ``m`` and the share of duplicates among candidate pairs by expectation maximisation on
  the candidate pairs (a two-class mixture over agreement patterns);
- both blended with defaults (:data:`DEFAULT_M`, :data:`DEFAULT_U`) through pseudo-counts,
  so that a small table stays close to sensible defaults instead of diverging;
- weights kept monotone: a weaker agreement never counts more than a stronger one, a
  disagreement never counts for, an exact agreement never against.

The defaults are general record-linkage values (a surname agrees in most duplicate pairs,
two random people rarely share an e-mail), not fitted to one dataset.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from crmkit._dedupe._features import (
    LEVELS,
    Comparison,
    FeatureTable,
    PairLevels,
    compare,
)

__all__ = [
    "DEFAULT_M",
    "DEFAULT_U",
    "MatchModel",
    "explanation_texts",
    "fit",
    "probability_of",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
LevelArray = npt.NDArray[np.int8]

# fmt: off
DEFAULT_M: dict[str, tuple[float, ...]] = {
    "first_name": (0.80, 0.04, 0.07, 0.03, 0.06),
    "last_name": (0.86, 0.07, 0.03, 0.04),
    "email": (0.55, 0.05, 0.05, 0.35),
    "phone": (0.65, 0.03, 0.32),
    "company": (0.65, 0.12, 0.08, 0.15),
    "domain": (0.80, 0.20),
    "city": (0.85, 0.05, 0.10),
    "postal_code": (0.85, 0.05, 0.10),
    "date": (0.88, 0.07, 0.05),
    "code": (0.88, 0.07, 0.05),
    "text": (0.65, 0.15, 0.08, 0.12),
    "exact": (0.90, 0.10),
}
"""Default share of duplicate pairs at each level (strongest first), per method."""
DEFAULT_U: dict[str, tuple[float, ...]] = {
    "first_name": (0.01, 0.002, 0.01, 0.005),
    "last_name": (0.002, 0.003, 0.01),
    "email": (1e-5, 1e-5, 1e-4),
    "phone": (1e-5, 1e-5),
    "company": (0.002, 0.001, 0.003),
    "domain": (0.001,),
    "city": (0.05, 0.005),
    "postal_code": (0.01, 0.01),
    "date": (1e-4, 5e-4),
    "code": (1e-5, 1e-4),
    "text": (1e-4, 1e-3, 5e-3),
    "exact": (0.2,),
}
"""Default share of pairs of different records at each level but "different" (the rest)."""
# A value shared by more random pairs than this is still some evidence: without this cap,
# a table of identical records (every random pair agrees) would learn that agreeing on
# everything means nothing.
_U_CAP: dict[str, float] = {
    "first_name": 0.1, "last_name": 0.05, "email": 0.01, "phone": 0.01, "company": 0.05,
    "domain": 0.05, "city": 0.5, "postal_code": 0.3, "date": 0.05, "code": 0.01, "text": 0.05,
    "exact": 0.9,
}
# fmt: on
_U_PSEUDO_PAIRS = 2_000.0  # weight of DEFAULT_U against pairs sampled from the table
_M_PSEUDO_PAIRS = 30.0  # weight of DEFAULT_M against candidate pairs in EM
_LAMBDA_PRIOR = (1.0, 9.0)  # Beta prior of the share of duplicates among candidates
_MIN_PROB = 1e-6
_EM_MAX_ITERATIONS = 60
_EM_TOLERANCE = 1e-5


@dataclass
class MatchModel:
    """A fitted Fellegi-Sunter model.

    Attributes
    ----------
    comparisons
        What is compared, in order.
    m
        Per comparison, the probability of each level among duplicates.
    u
        Per comparison, the probability of each level among different records; for a
        comparison with ``given`` ones, followed by the same probabilities among different
        records that agree on each given comparison, in order.
    prior
        Probability that two records drawn at random are duplicates.
    weights
        Per comparison, the bits each level contributes (``log2(m / u)``, made monotone),
        in the layout of ``u``.
    info
        How the model was fitted: records, candidate pairs, EM sessions and iterations,
        share of duplicates among candidates.
    """

    comparisons: tuple[Comparison, ...]
    m: list[FloatArray]
    u: list[FloatArray]
    prior: float
    weights: list[FloatArray] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.weights:
            self.weights = [_weights(m, u) for m, u in zip(self.m, self.u, strict=True)]

    @property
    def anchors(self) -> list[list[int]]:
        """Per comparison, the indexes of the comparisons it is ``given``."""
        return _anchors(self.comparisons)

    @property
    def prior_weight(self) -> float:
        """``log2(prior / (1 - prior))``: the match weight of a pair with no evidence."""
        return math.log2(self.prior / (1.0 - self.prior))

    def effective(self, levels: LevelArray) -> LevelArray:
        """Levels in the layout of :attr:`u`: shifted where the given comparison agrees."""
        return _effective(self.comparisons, self.anchors, levels)

    def contributions(self, levels: LevelArray) -> FloatArray:
        """``(pairs, comparisons)`` bits contributed by each comparison (0 for nulls)."""
        effective = self.effective(levels)
        out = np.zeros(levels.shape, dtype=np.float64)
        for k, weights in enumerate(self.weights):
            column = effective[:, k]
            present = column >= 0
            out[present, k] = weights[column[present]]
        return out

    def score(self, levels: LevelArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Match weights, probabilities and per-comparison contributions of pairs."""
        parts = self.contributions(levels)
        weight = self.prior_weight + parts.sum(axis=1)
        return weight, probability_of(weight), parts

    def table(self) -> Any:
        """The parameters as a pandas DataFrame: comparison, level, given, m, u, weight.

        Examples
        --------
        >>> model = MatchModel.defaults([Comparison("email", "email")], n_records=100)
        >>> model.table()[["comparison", "level"]].head(2).values.tolist()
        [['email', 'exact'], ['email', 'same_local']]
        """
        import pandas as pd

        rows = []
        for comparison, m, u, w in zip(self.comparisons, self.m, self.u, self.weights, strict=True):
            for index, (ui, wi) in enumerate(zip(u, w, strict=True)):
                level = index % len(m)
                given = comparison.given[index // len(m) - 1] if index >= len(m) else None
                rows.append((comparison.name, comparison.levels[level], given, m[level], ui, wi))
        return pd.DataFrame(rows, columns=["comparison", "level", "given", "m", "u", "weight"])

    @classmethod
    def defaults(cls, comparisons: Sequence[Comparison], n_records: int) -> MatchModel:
        """The model of :data:`DEFAULT_M` and :data:`DEFAULT_U`, for ``n_records`` records."""
        m = [np.asarray(DEFAULT_M[c.method], dtype=np.float64) for c in comparisons]
        u = []
        for c, anchors in zip(comparisons, _anchors(comparisons), strict=True):
            base = _default_u(c)
            u.append(np.concatenate([base] + [_given_default(c, base)] * len(anchors)))
        prior = _prior(0.1, max(1, n_records), n_records)
        return cls(tuple(comparisons), m, u, prior, info={"fitted": False})


def probability_of(weight: FloatArray) -> FloatArray:
    """Match probability of match weights (bits).

    Examples
    --------
    >>> probability_of(np.asarray([0.0, 10.0])).round(4).tolist()
    [0.5, 0.999]
    """
    return np.asarray(1.0 / (1.0 + np.exp2(-np.clip(weight, -60, 60))), dtype=np.float64)


def _weights(m: FloatArray, u: FloatArray) -> FloatArray:
    halves = len(u) // len(m)
    return np.concatenate(
        [_monotone(np.log2(m / u[h * len(m) : (h + 1) * len(m)])) for h in range(halves)]
    )


# Without data, how often different records that agree on the given comparison (same
# company, same city) agree here, at the "exact" level: addresses are personal, a
# switchboard is shared by some colleagues, a city by most.
_GIVEN_EXACT = {"email": None, "phone": 0.05, "city": 0.5, "postal_code": 0.3, "text": 0.05}


def _given_default(comparison: Comparison, u: FloatArray) -> FloatArray:
    exact = _GIVEN_EXACT.get(comparison.method, float(np.sqrt(u[0])))
    if exact is None:
        return u.copy()
    head = u[:-1].copy()
    head[0] = max(head[0], exact)
    return np.asarray([*head, max(1.0 - head.sum(), 0.05)], dtype=np.float64)


def _agrees(column: LevelArray, n_levels: int) -> npt.NDArray[np.bool_]:
    return (column >= 0) & (column < n_levels - 1)


def _anchors(comparisons: Sequence[Comparison]) -> list[list[int]]:
    names = [c.name for c in comparisons]
    return [[names.index(g) for g in c.given if g in names] for c in comparisons]


def _effective(
    comparisons: Sequence[Comparison], anchors: Sequence[Sequence[int]], levels: LevelArray
) -> LevelArray:
    out = levels.copy()
    for k, given in enumerate(anchors):
        n_levels = len(comparisons[k].levels)
        pending = levels[:, k] >= 0
        for j, anchor in enumerate(given):
            shifted = pending & _agrees(levels[:, anchor], len(comparisons[anchor].levels))
            out[shifted, k] += (j + 1) * n_levels
            pending &= ~shifted
    return out


def _default_u(comparison: Comparison) -> FloatArray:
    head = list(DEFAULT_U[comparison.method])
    return np.asarray([*head, 1.0 - sum(head)], dtype=np.float64)


def _monotone(weights: FloatArray) -> FloatArray:
    out = weights.astype(np.float64).copy()
    out[0] = max(out[0], 0.0)
    for level in range(1, len(out)):
        out[level] = min(out[level], out[level - 1])
    out[-1] = min(out[-1], 0.0)
    return out


def _prior(share: float, n_candidates: int, n_records: int) -> float:
    total = n_records * (n_records - 1) / 2
    if total <= 0:
        return 0.5
    return float(min(max(share * n_candidates / total, 1e-12), 0.5))


# --------------------------------------------------------------------------------------
# u: from the table
# --------------------------------------------------------------------------------------


def _exact_shares(table_: FeatureTable, comparison: Comparison) -> tuple[float, float]:
    """Chance that two random records with values share one, and how many such pairs."""
    codes = table_.primary(comparison.name)
    codes = codes[codes >= 0]
    n = len(codes)
    if n < 2:
        return 0.0, 0.0
    counts = np.bincount(codes).astype(np.float64)
    counts = counts[counts > 0]
    same = float((counts * (counts - 1)).sum() / 2)
    pairs = n * (n - 1) / 2
    return same / pairs, pairs


def _random_pairs(n: int, size: int, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
    ia = rng.integers(0, n, size=size)
    ib = rng.integers(0, n - 1, size=size)
    return ia, np.where(ib >= ia, ib + 1, ib)  # never a record with itself


def _pairs_sharing(
    codes: npt.NDArray[np.int32], size: int, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    """Random pairs of distinct records with the same (non-null) code, uniformly."""
    rows = np.flatnonzero(codes >= 0)
    if len(rows) < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = rows[np.argsort(codes[rows], kind="stable")]
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    pairs = sizes * (sizes - 1) / 2
    if pairs.sum() == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    group = rng.choice(len(starts), size=size, p=pairs / pairs.sum())
    first = rng.integers(0, sizes[group])
    second = rng.integers(0, sizes[group] - 1)
    second = np.where(second >= first, second + 1, second)
    return order[starts[group] + first], order[starts[group] + second]


def _blend_u(
    counts: FloatArray, seen: float, default: FloatArray, cap: float, pseudo: float
) -> FloatArray:
    u = (counts + pseudo * default) / (seen + pseudo)
    u[:-1] = np.clip(u[:-1], 1e-9, cap)
    u[-1] = max(1.0 - u[:-1].sum(), 0.05)
    return u / u.sum()


def _estimate_u(
    table_: FeatureTable, rng: np.random.Generator, sample_pairs: int
) -> list[FloatArray]:
    n = len(table_)
    comparisons = table_.comparisons
    anchors = _anchors(comparisons)
    if n >= 2:
        ia, ib = _random_pairs(n, int(min(sample_pairs, n * (n - 1))), rng)
        levels = compare(table_, ia, table_, ib).levels
    else:
        levels = np.zeros((0, len(comparisons)), dtype=np.int8)
    out = []
    for k, comparison in enumerate(comparisons):
        n_levels = len(comparison.levels)
        default = _default_u(comparison)
        column = levels[:, k]
        observed = column[column >= 0]
        counts = np.bincount(observed, minlength=n_levels).astype(np.float64)
        share, pairs = _exact_shares(table_, comparison)
        seen = min(pairs, 1e6)
        counts *= seen / max(len(observed), 1)
        counts[0] = share * seen
        cap = _U_CAP[comparison.method]
        u = _blend_u(counts, seen, default, cap, _U_PSEUDO_PAIRS)
        out.append(u)
    given_levels = {
        anchor: _levels_sharing(table_, anchor, anchors, rng, min(sample_pairs, 100_000))
        for anchor in sorted({a for given in anchors for a in given})
    }
    for k, comparison in enumerate(comparisons):
        parts = [out[k]]
        for anchor in anchors[k]:
            levels_, keep = given_levels[anchor]
            parts.append(_given_u(comparison, levels_[keep[k], k], out[k]))
        out[k] = np.concatenate(parts)
    return out


def _levels_sharing(
    table_: FeatureTable,
    anchor: int,
    anchors: Sequence[Sequence[int]],
    rng: np.random.Generator,
    size: int,
) -> tuple[LevelArray, dict[int, npt.NDArray[np.bool_]]]:
    """Levels of random pairs of records sharing the ``anchor`` value, and per dependent
    comparison the pairs that do not look like duplicates on other grounds.

    Records sharing a company include its duplicates, whose agreement is not the agreement
    of colleagues: pairs whose names both agree, or with another equal identifier (e-mail,
    code, date), are left out.
    """
    comparisons = table_.comparisons
    codes = table_.primary(comparisons[anchor].name)
    ia, ib = _pairs_sharing(codes, size, rng)
    dependents = [k for k, given in enumerate(anchors) if anchor in given]
    needed = {comparisons[k].name for k in dependents} | {
        c.name for c in comparisons if c.method in _IDENTIFIERS or c.method.endswith("_name")
    }
    levels = compare(table_, ia, table_, ib, only=needed).levels
    return levels, {k: _unlike_duplicates(comparisons, levels, k) for k in dependents}


def _given_u(comparison: Comparison, column: LevelArray, unconditional: FloatArray) -> FloatArray:
    """u of a comparison among pairs of different records sharing a given value."""
    observed = column[column >= 0]
    counts = np.bincount(observed, minlength=len(comparison.levels)).astype(np.float64)
    # Few such pairs: stay near a mild discount of the unconditional u.
    return _blend_u(
        counts, float(len(observed)), _given_default(comparison, unconditional), 1.0, 50.0
    )


_IDENTIFIERS = frozenset({"email", "code", "date"})


def _unlike_duplicates(
    comparisons: Sequence[Comparison], levels: LevelArray, skip: int
) -> npt.NDArray[np.bool_]:
    methods = [c.method for c in comparisons]
    alike = np.zeros(len(levels), dtype=bool)
    if "first_name" in methods and "last_name" in methods:
        first, last = methods.index("first_name"), methods.index("last_name")
        alike |= (
            (levels[:, first] >= 0)
            & (levels[:, first] <= 2)
            & (levels[:, last] >= 0)
            & (levels[:, last] <= 1)
        )
    for j, method in enumerate(methods):
        if j != skip and method in _IDENTIFIERS:
            alike |= levels[:, j] == 0
    return ~alike


# --------------------------------------------------------------------------------------
# m: expectation maximisation on candidate pairs
# --------------------------------------------------------------------------------------


def _patterns(levels: LevelArray, sizes: Sequence[int]) -> tuple[LevelArray, IntArray]:
    """Distinct agreement patterns, and the pattern of each pair."""
    if len(levels) == 0:
        return levels, np.zeros(0, dtype=np.int64)
    code = np.zeros(len(levels), dtype=np.int64)
    for k, size in enumerate(sizes):
        code = code * (size + 1) + (levels[:, k].astype(np.int64) + 1)
    inverse, unique = pd.factorize(code)
    first = np.zeros(len(unique), dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(code))[::-1]
    return levels[first], inverse.astype(np.int64)


def _log_probs(patterns: LevelArray, probs: list[FloatArray]) -> FloatArray:
    out = np.zeros(len(patterns))
    for k, p in enumerate(probs):
        column = patterns[:, k]
        present = column >= 0
        out[present] += np.log(p[column[present]])
    return out


def _tile(m: FloatArray, u: FloatArray) -> FloatArray:
    return np.tile(m, len(u) // len(m))


def _em(
    patterns: LevelArray,
    counts: FloatArray,
    m0: list[FloatArray],
    u: list[FloatArray],
    free: Sequence[bool],
    *,
    fix_m: bool = False,
) -> tuple[list[FloatArray], FloatArray, int]:
    """EM for ``m`` (of the ``free`` comparisons) and the share of duplicates, ``u`` fixed.

    ``patterns`` are effective levels (see :meth:`MatchModel.effective`) with the number of
    pairs of each in ``counts``. Returns ``m``, the probability that each pattern is a
    duplicate pair, and the iterations.
    """
    m = [p.copy() for p in m0]
    share = _LAMBDA_PRIOR[0] / sum(_LAMBDA_PRIOR)
    total = float(counts.sum())
    used = [k for k, f in enumerate(free) if f]
    columns = patterns[:, used]
    log_u = _log_probs(columns, [u[k] for k in used])
    resp = np.zeros(len(patterns))
    iterations = 0
    for iterations in range(1, _EM_MAX_ITERATIONS + 1):  # noqa: B007
        log_m = _log_probs(columns, [_tile(m[k], u[k]) for k in used])
        odds = log_m - log_u + math.log(share / (1.0 - share))
        resp = 1.0 / (1.0 + np.exp(-np.clip(odds, -700, 700)))
        match_counts = resp * counts
        change = 0.0
        if not fix_m:
            for j, k in enumerate(used):
                column = columns[:, j]
                present = column >= 0
                n_levels = len(m0[k])
                cm = np.bincount(
                    column[present] % n_levels, match_counts[present], minlength=n_levels
                )
                mk = (cm + _M_PSEUDO_PAIRS * m0[k]) / (cm.sum() + _M_PSEUDO_PAIRS)
                mk = np.clip(mk, _MIN_PROB, None)
                change = max(change, float(np.abs(mk - m[k]).max()))
                m[k] = mk
        new_share = (float(match_counts.sum()) + _LAMBDA_PRIOR[0] - 1) / (
            total + sum(_LAMBDA_PRIOR) - 2
        )
        new_share = min(max(new_share, 1e-6), 1 - 1e-6)
        change = max(change, abs(new_share - share))
        share = new_share
        if change < _EM_TOLERANCE:
            break
    return m, resp, iterations


def fit(
    table_: FeatureTable,
    levels: PairLevels,
    *,
    rules: npt.NDArray[np.int64] | None = None,
    rule_fields: Sequence[Sequence[str]] = (),
    rule_identity: Sequence[bool] = (),
    seed: int = 0,
    u_sample_pairs: int = 150_000,
) -> MatchModel:
    """Fit the model on a table and the levels of its candidate pairs.

    ``u`` comes from the table (value frequencies and random pairs). ``m`` comes from
    one EM *session* per identity blocking rule, as Splink does: among the pairs a rule
    proposed (same e-mail, same name sound), the comparisons the rule made agree carry no
    information, so only the others are estimated there, and the different records in
    the block are namesakes, otherwise like random pairs. Each comparison's ``m`` is the
    average over the sessions that estimated it, weighted by their expected duplicates. A
    last EM pass over all candidates, ``m`` and ``u`` fixed, gives the share of duplicates
    among them, hence the prior.

    Parameters
    ----------
    table_
        The records.
    levels
        :func:`~crmkit._dedupe._features.compare` of the candidate pairs.
    rules, rule_fields, rule_identity
        Bit mask of the blocking rules that proposed each candidate pair; for each rule,
        the comparisons it makes agree and whether it is an identity rule (sessions run
        on identity rules only). Without them, one session over all pairs.
    seed
        Seed of the random pairs that estimate ``u``.
    u_sample_pairs
        Number of random pairs that estimate ``u``.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmkit._dedupe._features import prepare, resolve_comparisons
    >>> frame = pd.DataFrame({"email": ["a@x.fr", "A@x.fr", "b@y.fr"]})
    >>> t = prepare(frame, resolve_comparisons("contacts", None, frame.columns), ids=[1, 2, 3])
    >>> model = fit(t, compare(t, np.asarray([0]), t, np.asarray([1])))
    >>> bool(model.weights[0][0] > 5)
    True
    """
    comparisons = table_.comparisons
    names = [c.name for c in comparisons]
    n_candidates = len(levels.levels)
    u = _estimate_u(table_, np.random.default_rng(seed), u_sample_pairs)
    m0 = [np.asarray(DEFAULT_M[c.method], dtype=np.float64) for c in comparisons]
    effective = _effective(comparisons, _anchors(comparisons), levels.levels)
    patterns, pattern_of = _patterns(effective, [len(p) for p in u])
    sessions: list[tuple[npt.NDArray[np.bool_], list[bool]]] = []
    if rules is not None:
        for bit, (fields, identity) in enumerate(zip(rule_fields, rule_identity, strict=True)):
            chosen = (rules >> bit) & 1 == 1
            free = [name not in fields for name in names]
            if identity and chosen.any() and any(free):
                sessions.append((chosen, free))
    if not sessions:
        sessions.append((np.ones(n_candidates, dtype=bool), [True] * len(comparisons)))
    # m: each session estimates the comparisons its rule leaves free.
    weighted = [np.zeros(len(p)) for p in m0]
    weight = np.zeros(len(comparisons))
    iterations = 0
    for chosen, free in sessions:
        counts = np.bincount(pattern_of[chosen], minlength=len(patterns)).astype(np.float64)
        if counts.sum() == 0:
            continue
        m, resp, its = _em(patterns, counts, m0, u, free)
        iterations += its
        expected = float((resp * counts).sum())
        for k, is_free in enumerate(free):
            if is_free:
                weighted[k] += expected * m[k]
                weight[k] += expected
    m = [weighted[k] / weight[k] if weight[k] > 0 else m0[k] for k in range(len(comparisons))]
    # The number of duplicate pairs, hence the prior: each session's expected duplicates
    # (m fixed, its rule's comparisons left out, as they were selected to agree), the
    # largest scaled up by the share of the other sessions' duplicates that its rule found.
    posteriors = []
    for chosen, free in sessions:
        counts = np.bincount(pattern_of[chosen], minlength=len(patterns)).astype(np.float64)
        _, resp, its = _em(patterns, counts, m, u, free, fix_m=True)
        iterations += its
        posteriors.append(np.where(chosen, resp[pattern_of], 0.0))
    session_duplicates = [float(p.sum()) for p in posteriors]
    main = int(np.argmax(session_duplicates)) if session_duplicates else 0
    found, seen = 0.0, 0.0
    for j, posterior in enumerate(posteriors):
        if j != main:
            found += float(posterior[sessions[main][0]].sum())
            seen += float(posterior.sum())
    recall = min(max(found / seen, 0.5), 1.0) if seen > 1.0 else 1.0
    duplicates = (session_duplicates[main] if session_duplicates else 0.0) / recall
    n_records = len(table_)
    total = n_records * (n_records - 1) / 2
    info = {
        "fitted": True,
        "records": n_records,
        "candidate_pairs": n_candidates,
        "em_sessions": len(sessions),
        "em_iterations": iterations,
        "expected_duplicate_pairs": duplicates,
        "main_rule_recall": recall,
    }
    prior = min(max(duplicates, 1.0) / total, 0.5) if total > 0 else 0.5
    return MatchModel(tuple(comparisons), m, u, prior, info=info)


# --------------------------------------------------------------------------------------
# Explanations
# --------------------------------------------------------------------------------------


def _fuzzy(method: str, level: str) -> bool:
    return level not in ("exact", "different", "nickname", "initial", "same_local") and (
        method not in ("exact", "domain")
    )


def explanation_texts(
    comparisons: Sequence[Comparison],
    levels: LevelArray,
    similarity: npt.NDArray[np.float32],
    swapped: npt.NDArray[np.bool_],
    contributions: FloatArray,
) -> list[str]:
    """One text per pair: each non-null comparison, its level and its bits, strongest first.

    Examples
    --------
    >>> comps = [Comparison("email", "email"), Comparison("last_name", "last_name")]
    >>> explanation_texts(comps, np.asarray([[0, 1]], dtype=np.int8),
    ...                   np.asarray([[1.0, 0.93]], dtype=np.float32), np.asarray([False]),
    ...                   np.asarray([[9.1, 4.2]]))
    ['email exact (+9.1), last_name close 0.93 (+4.2)']
    """
    names = [c.name for c in comparisons]
    labels = [LEVELS[c.method] for c in comparisons]
    fuzzy = [[_fuzzy(c.method, lv) for lv in LEVELS[c.method]] for c in comparisons]
    swap_names = {c.name for c in comparisons if c.method in ("first_name", "last_name")}
    out = []
    for row_levels, row_sims, row_swap, row_parts in zip(
        levels.tolist(),
        similarity.tolist(),
        swapped.tolist(),
        contributions.tolist(),
        strict=True,
    ):
        parts = []
        for k, level in enumerate(row_levels):
            if level < 0:
                continue
            text = f"{names[k]} {labels[k][level]}"
            if fuzzy[k][level] and row_sims[k] == row_sims[k]:
                text += f" {row_sims[k]:.2f}"
            if row_swap and names[k] in swap_names:
                text += " (swapped)"
            parts.append((row_parts[k], f"{text} ({row_parts[k]:+.1f})"))
        parts.sort(key=lambda p: -p[0])
        out.append(", ".join(p[1] for p in parts))
    return out
