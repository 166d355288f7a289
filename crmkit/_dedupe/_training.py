"""Learning the match model without labels (:func:`fit`).

- ``u`` from the table itself: the "exact" level from value frequencies (the chance that
  two random records share a value is the sum of the squared shares of the values), the
  fuzzy levels from a sample of random pairs, which are almost all pairs of different
  records;
- ``m`` and the share of duplicates among candidate pairs by expectation maximisation on
  the candidate pairs (a two-class mixture over agreement patterns);
- both blended with defaults (:data:`~crmkit._dedupe._model.DEFAULT_M`,
  :data:`~crmkit._dedupe._model.DEFAULT_U`) through pseudo-counts, so that a small table
  stays close to sensible defaults instead of diverging.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from crmkit._dedupe._arrays import BoolArray, CodeArray, FloatArray, IntArray, LevelArray
from crmkit._dedupe._cluster import _components
from crmkit._dedupe._compare import compare
from crmkit._dedupe._comparisons import Comparison
from crmkit._dedupe._features import FeatureTable
from crmkit._dedupe._model import (
    DEFAULT_M,
    MatchModel,
    anchors_of,
    default_u,
    effective_levels,
    given_default,
)

__all__ = ["fit"]


# A value shared by more random pairs than this is still some evidence: without this cap,
# a table of identical records (every random pair agrees) would learn that agreeing on
# everything means nothing.
# fmt: off
_U_CAP: dict[str, float] = {
    "first_name": 0.1, "last_name": 0.05, "email": 0.01, "phone": 0.01, "company": 0.05,
    "domain": 0.05, "city": 0.5, "postal_code": 0.3, "date": 0.05, "code": 0.01, "text": 0.05,
    "street": 0.05,
    "exact": 0.9,
}
# fmt: on
_U_CHUNK = 10_000  # sampled pairs compared at a time (see _sampled_levels)
_U_PSEUDO_PAIRS = 2_000.0  # weight of DEFAULT_U against pairs sampled from the table
_M_PSEUDO_PAIRS = 30.0  # weight of DEFAULT_M against candidate pairs in EM
_LAMBDA_PRIOR = (1.0, 9.0)  # Beta prior of the share of duplicates among candidates
_MIN_PROB = 1e-6
_EM_MAX_ITERATIONS = 60
_EM_TOLERANCE = 1e-5


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


def _sampled_levels(
    table_: FeatureTable, ia: IntArray, ib: IntArray, only: set[str] | None = None
) -> LevelArray:
    """The levels of the sampled pairs ``(ia[k], ib[k])``, :data:`_U_CHUNK` at a time.

    Comparing a pair gathers its values and similarities; 150,000 random pairs at once
    held 15-20 MB of them, most of the search's memory on a table of 1,000 records.
    """
    out = np.full((len(ia), len(table_.comparisons)), -1, dtype=np.int8)
    for start in range(0, len(ia), _U_CHUNK):
        stop = start + _U_CHUNK
        out[start:stop] = compare(table_, ia[start:stop], table_, ib[start:stop], only=only).levels
    return out


def _random_pairs(n: int, size: int, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
    ia = rng.integers(0, n, size=size)
    ib = rng.integers(0, n - 1, size=size)
    return ia, np.where(ib >= ia, ib + 1, ib)  # never a record with itself


def _pairs_sharing(
    codes: CodeArray, size: int, rng: np.random.Generator
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
    anchors = anchors_of(comparisons)
    if n >= 2:
        ia, ib = _random_pairs(n, int(min(sample_pairs, n * (n - 1))), rng)
        levels = _sampled_levels(table_, ia, ib)
    else:
        levels = np.zeros((0, len(comparisons)), dtype=np.int8)
    out = []
    for k, comparison in enumerate(comparisons):
        n_levels = len(comparison.levels)
        default = default_u(comparison)
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
) -> tuple[LevelArray, dict[int, BoolArray]]:
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
    levels = _sampled_levels(table_, ia, ib, only=needed)
    return levels, {k: _unlike_duplicates(comparisons, levels, k) for k in dependents}


def _given_u(comparison: Comparison, column: LevelArray, unconditional: FloatArray) -> FloatArray:
    """u of a comparison among pairs of different records sharing a given value."""
    observed = column[column >= 0]
    counts = np.bincount(observed, minlength=len(comparison.levels)).astype(np.float64)
    # Few such pairs: stay near a mild discount of the unconditional u.
    return _blend_u(
        counts, float(len(observed)), given_default(comparison, unconditional), 1.0, 50.0
    )


_IDENTIFIERS = frozenset({"email", "code", "date"})


def _unlike_duplicates(
    comparisons: Sequence[Comparison], levels: LevelArray, skip: int
) -> BoolArray:
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


_PATTERN_CHUNK = 1_000_000
"""Candidate pairs whose agreement patterns are coded at a time (see :func:`_patterns`)."""


def _patterns(
    levels: LevelArray,
    sizes: Sequence[int],
    transform: Callable[[LevelArray], LevelArray] | None = None,
    chunk: int = _PATTERN_CHUNK,
) -> tuple[LevelArray, IntArray]:
    """Distinct agreement patterns (in the order they first appear), and the pattern of
    each pair (int32).

    ``transform`` (the effective levels) is applied ``chunk`` pairs at a time, so that
    only the levels and one int32 a pair are held, not an int64 code and a transformed
    copy of every pair's levels.

    Examples
    --------
    >>> levels = np.asarray([[0, 1], [1, 1], [0, 1], [1, 0]], dtype=np.int8)
    >>> patterns, pattern_of = _patterns(levels, [2, 2], chunk=3)
    >>> patterns.tolist(), pattern_of.tolist()
    ([[0, 1], [1, 1], [1, 0]], [0, 1, 0, 2])
    """
    n = len(levels)
    pattern_of = np.empty(n, dtype=np.int32)
    number_of: dict[int, int] = {}
    found: list[LevelArray] = [levels[:0]]
    for start in range(0, n, chunk):
        part = levels[start : start + chunk]
        if transform is not None:
            part = transform(part)
        code = np.zeros(len(part), dtype=np.int64)
        for k, size in enumerate(sizes):
            code = code * (size + 1) + (part[:, k].astype(np.int64) + 1)
        inverse, unique = pd.factorize(code)
        first = np.zeros(len(unique), dtype=np.int64)
        first[inverse[::-1]] = np.arange(len(code))[::-1]
        numbers = np.empty(len(unique), dtype=np.int32)
        new: list[int] = []
        for j, value in enumerate(unique.tolist()):
            number = number_of.get(value)
            if number is None:
                number = number_of[value] = len(number_of)
                new.append(j)
            numbers[j] = number
        found.append(part[first[new]])
        pattern_of[start : start + len(part)] = numbers[inverse]
    return np.concatenate(found), pattern_of


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


_MIN_SESSION_DUPLICATES = 10.0
"""A session expecting fewer duplicates than this is no reference for the others."""

_MAX_EXACT_DISAGREEMENT = 0.5
"""How far a session's ``m`` of an exact agreement may be from the reference session's
before the session is set aside (see :func:`_consistent_sessions`)."""


def _consistent_sessions(
    estimates: Sequence[tuple[int, list[FloatArray], float]],
    sessions: Sequence[tuple[BoolArray, list[bool]]],
) -> set[int]:
    """The sessions whose ``m`` are kept: all but those whose ``m`` of an exact agreement
    differs by more than :data:`_MAX_EXACT_DISAGREEMENT` from the reference session's
    (the one with the fewest pairs among those expecting at least
    :data:`_MIN_SESSION_DUPLICATES` duplicates) on a comparison both estimate.

    Examples
    --------
    >>> pairs = [(np.ones(5, dtype=bool), [True]), (np.ones(50, dtype=bool), [True])]
    >>> agree, differ = [np.asarray([0.9, 0.1])], [np.asarray([0.05, 0.95])]
    >>> sorted(_consistent_sessions([(0, agree, 20.0), (1, differ, 40.0)], pairs))
    [0]
    >>> sorted(_consistent_sessions([(0, agree, 20.0), (1, agree, 40.0)], pairs))
    [0, 1]
    """
    everyone = {index for index, _, _ in estimates}
    references = [
        (int(sessions[index][0].sum()), index, m)
        for index, m, expected in estimates
        if expected >= _MIN_SESSION_DUPLICATES
    ]
    if not references:
        return everyone
    _, reference, reference_m = min(references, key=lambda r: (r[0], r[1]))
    kept = set()
    for index, m, _ in estimates:
        both = [k for k in range(len(m)) if sessions[index][1][k] and sessions[reference][1][k]]
        if all(
            abs(float(m[k][0]) - float(reference_m[k][0])) <= _MAX_EXACT_DISAGREEMENT for k in both
        ):
            kept.add(index)
    return kept


def _group_pairs(a: IntArray, b: IntArray) -> float:
    """The pairs within the groups that links ``(a[k], b[k])`` connect: ``s (s - 1) / 2``
    for a group of ``s`` records."""
    rows, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    label = _components(len(rows), inverse[: len(a)], inverse[len(a) :])
    sizes = np.bincount(label).astype(np.float64)
    return float((sizes * (sizes - 1) / 2).sum())


def fit(
    table_: FeatureTable,
    levels: LevelArray,
    *,
    rules: IntArray | None = None,
    rule_fields: Sequence[Sequence[str]] = (),
    rule_identity: Sequence[bool] = (),
    rule_big_blocks: Sequence[BoolArray] | None = None,
    pairs: tuple[IntArray, IntArray] | None = None,
    seed: int = 0,
    u_sample_pairs: int = 150_000,
) -> MatchModel:
    """Fit the model on a table and the levels of its candidate pairs.

    ``u`` comes from the table (value frequencies and random pairs). ``m`` comes from
    one EM *session* per identity blocking rule, as Splink does: among the pairs a rule
    proposed (same e-mail, same name sound), the comparisons the rule made agree carry no
    information, so only the others are estimated there, and the different records in
    the block are namesakes, otherwise like random pairs. Each comparison's ``m`` is the
    average over the sessions that estimated it, weighted by their expected duplicates,
    leaving out a session that contradicts the most selective one
    (:func:`_consistent_sessions`). A
    last EM pass over all candidates, ``m`` and ``u`` fixed, gives the share of duplicates
    among them, hence the prior.

    Parameters
    ----------
    table_
        The records.
    levels
        Agreement levels of the candidate pairs
        (:func:`~crmkit._dedupe._compare.compare_levels`).
    rules, rule_fields, rule_identity
        Bit mask of the blocking rules that proposed each candidate pair; for each rule,
        the comparisons it makes agree and whether it is an identity rule (sessions run
        on identity rules only). Without them, one session over all pairs.
    rule_big_blocks, pairs
        Per rule, whether each candidate pair lies in one of its big blocks; the rows
        ``(a, b)`` of the candidate pairs. Without them, each candidate counts once.
    seed
        Seed of the random pairs that estimate ``u``.
    u_sample_pairs
        Number of random pairs that estimate ``u``.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmkit._dedupe._comparisons import resolve_comparisons
    >>> from crmkit._dedupe._features import prepare
    >>> frame = pd.DataFrame({"email": ["a@x.fr", "A@x.fr", "b@y.fr"]})
    >>> t = prepare(frame, resolve_comparisons("contacts", None, frame.columns), ids=[1, 2, 3])
    >>> model = fit(t, compare(t, np.asarray([0]), t, np.asarray([1])).levels)
    >>> bool(model.weights[0][0] > 5)
    True
    """
    comparisons = table_.comparisons
    names = [c.name for c in comparisons]
    n_candidates = len(levels)
    u = _estimate_u(table_, np.random.default_rng(seed), u_sample_pairs)
    m0 = [np.asarray(DEFAULT_M[c.method], dtype=np.float64) for c in comparisons]
    anchors = anchors_of(comparisons)
    patterns, pattern_of = _patterns(
        levels,
        [len(p) for p in u],
        lambda part: effective_levels(comparisons, anchors, part),
    )
    sessions: list[tuple[BoolArray, list[bool]]] = []
    session_big: list[BoolArray] = []
    if rules is not None:
        for bit, (fields, identity) in enumerate(zip(rule_fields, rule_identity, strict=True)):
            chosen = (rules >> bit) & 1 == 1
            free = [name not in fields for name in names]
            if identity and chosen.any() and any(free):
                sessions.append((chosen, free))
                session_big.append(
                    rule_big_blocks[bit]
                    if rule_big_blocks is not None and pairs is not None
                    else np.zeros(n_candidates, dtype=bool)
                )
    if not sessions:
        sessions.append((np.ones(n_candidates, dtype=bool), [True] * len(comparisons)))
        session_big.append(np.zeros(n_candidates, dtype=bool))
    # m: each session estimates the comparisons its rule leaves free, and each
    # comparison's m is the average over the sessions that estimated it, weighted by their
    # expected duplicates; but a session that contradicts the most selective one (the
    # fewest pairs) on an exact agreement is set aside. A loose identity rule (the sound
    # of the name) proposes, in a large table, more namesakes than duplicates (namesakes
    # grow with the square of the records, duplicates with their number), and its EM may
    # take the namesakes of one city for "duplicates": at 1,100,000 generated contacts it
    # expected 715,500 of them (there are 105,133), with the same e-mail, phone and
    # company in 3-4% of them (the e-mail and birthday sessions: 80-99%). Averaged in, a
    # different company counted for -0.2 bits instead of -4.1, and pairwise F1 fell to .72.
    estimates: list[tuple[int, list[FloatArray], float]] = []
    iterations = 0
    for index, (chosen, free) in enumerate(sessions):
        counts = np.bincount(pattern_of[chosen], minlength=len(patterns)).astype(np.float64)
        if counts.sum() == 0:
            continue
        estimated, resp, its = _em(patterns, counts, m0, u, free)
        iterations += its
        estimates.append((index, estimated, float((resp * counts).sum())))
    kept = _consistent_sessions(estimates, sessions)
    weighted = [np.zeros(len(p)) for p in m0]
    weight = np.zeros(len(comparisons))
    for index, estimated, expected in estimates:
        if index not in kept:
            continue
        for k, is_free in enumerate(sessions[index][1]):
            if is_free:
                weighted[k] += expected * estimated[k]
                weight[k] += expected
    m = [weighted[k] / weight[k] if weight[k] > 0 else m0[k] for k in range(len(comparisons))]
    # The number of duplicate pairs, hence the prior: each session's expected duplicates
    # (m fixed, its rule's comparisons left out, as they were selected to agree), the
    # largest scaled up by the share of the other sessions' duplicates that its rule found.
    # One session's posterior per pair (8 bytes a pair) is held at a time: only its sum,
    # and its sums over each session's pairs, are kept.
    totals: list[float] = []  # per session, the sum of its posteriors
    within: list[list[float]] = []  # [j][i]: session j's posteriors summed over i's pairs
    grouped: list[float] = []  # per session, duplicates counted as big blocks' groups
    for (chosen, free), big in zip(sessions, session_big, strict=True):
        counts = np.bincount(pattern_of[chosen], minlength=len(patterns)).astype(np.float64)
        _, resp, its = _em(patterns, counts, m, u, free, fix_m=True)
        iterations += its
        posterior = resp[pattern_of]
        posterior[~chosen] = 0.0
        linked = big & (posterior >= 0.5)
        extra = 0.0
        if pairs is not None and linked.any():
            extra = _group_pairs(pairs[0][linked], pairs[1][linked]) - float(
                posterior[linked].sum()
            )
        del linked
        totals.append(float(posterior.sum()))
        within.append([float(posterior[other].sum()) for other, _ in sessions])
        grouped.append(max(extra, 0.0))
        del posterior
    session_duplicates = [t + g for t, g in zip(totals, grouped, strict=True)]
    main = int(np.argmax(session_duplicates)) if session_duplicates else 0
    found, seen = 0.0, 0.0
    for j in range(len(totals)):
        if j != main:
            found += within[j][main]
            seen += totals[j]
    recall = min(max(found / seen, 0.5), 1.0) if seen > 1.0 else 1.0
    duplicates = (session_duplicates[main] if session_duplicates else 0.0) / recall
    n_records = len(table_)
    total = n_records * (n_records - 1) / 2
    info = {
        "fitted": True,
        "records": n_records,
        "candidate_pairs": n_candidates,
        "em_sessions": len(sessions),
        "em_sessions_set_aside": len(estimates) - len(kept),
        "em_iterations": iterations,
        "expected_duplicate_pairs": duplicates,
        "main_rule_recall": recall,
    }
    prior = min(max(duplicates, 1.0) / total, 0.5) if total > 0 else 0.5
    return MatchModel(tuple(comparisons), m, u, prior, info=info)
