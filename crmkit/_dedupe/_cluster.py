"""Clustering scored pairs into groups of records that are one entity, without chaining.

Connected components over the pairs above a threshold chain: A–B 0.99 and B–C 0.95 put C
with A even when A and C have nothing in common, and a long chain of borderline links
ends up as one huge cluster. :func:`cluster` does better:

1. *Strong links*: pairs with probability at or above ``threshold`` are the only reason
   to put two records together; records without one stay alone.
2. Strong links are taken from the most to the least probable. A link between two
   records of different groups merges the groups if no pair across them was marked as
   "not the same" (``forbidden``) and either

   - the **average probability over all pairs across the two groups** is at least
     ``average_threshold`` (average linkage), or
   - the link is *very* strong (at least ``strong_link``, 0.99 by default: links are taken
     strongest first, so it is the strongest link between the two groups) and more than
     half (:data:`SUPPORT_SHARE`) of the pairs across the groups that blocking proposed
     are at least ``average_threshold`` (*supported*). Pairs that blocking never
     proposed are no evidence either way here: they differ on every blocking key, which
     the records of one person who changed job (or whose records were typed years
     apart) often do. A tie is no support: on generated contacts, a colleague sharing a
     Shenzhen company's switchboard (0.997) joined a group of two records on a tie (1 of
     2 compared pairs agreeing), at a cost in precision.

   The second rule keeps what large clusters lose to the average alone: one person's
   records, some pairs of which score low on their own (a record without e-mail, another
   with an old address), while most compared pairs agree. It keeps average linkage's
   guard against chaining: colleagues of one company share its name, city and
   switchboard, so blocking compares them, they score low, and one very strong link from
   a newcomer to one of them is not supported by the others.

So with A–B 0.99, B–C 0.95 and A–C 0.01, the group {A, B} forms first, then C is compared
with both: (0.95 + 0.01) / 2 = 0.48 < 0.5, and C stays alone. Pairs across two groups that
were not among the scored candidates are scored on demand with ``score_missing``; without
it they count as not matching (probability 0), which is what blocking says about them.
In a large group (more than ``exact_limit`` records) the average is estimated on the known
pairs plus a random sample of ``sample_size`` others, so that 1 000 copies of one record
cost thousands of comparisons, not half a million.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from crmkit._dedupe._arrays import FloatArray, IntArray

__all__ = [
    "DEFAULT_AVERAGE_THRESHOLD",
    "DEFAULT_STRONG_LINK",
    "SUPPORT_SHARE",
    "Clustering",
    "MissingScorer",
    "cluster",
    "clustering",
]

MissingScorer = Callable[[IntArray, IntArray], FloatArray]
"""Probabilities of pairs of rows ``(ia[k], ib[k])`` that were not among the candidates."""

DEFAULT_AVERAGE_THRESHOLD = 0.5
"""Groups merge only if their records match on average at least this well."""
DEFAULT_STRONG_LINK = 0.99
"""A link at least this probable may merge two groups whose average is lower, when the
pairs compared across them support it (see the module)."""
SUPPORT_SHARE = 0.5
"""A strong link needs more than this share of the compared pairs across two groups to
agree (probability at least ``average_threshold``)."""
_EXACT_LIMIT = 64
_SAMPLE_SIZE = 24


def _components(n: int, a: IntArray, b: IntArray) -> IntArray:
    """Connected component label of each of ``n`` nodes (union-find with path halving)."""
    parent = np.arange(n, dtype=np.int64)
    parents = parent  # a view kept for speed in the loop below

    def find(x: int) -> int:
        while parents[x] != x:
            parents[x] = parents[parents[x]]
            x = int(parents[x])
        return x

    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        rx, ry = find(x), find(y)
        if rx != ry:
            parents[max(rx, ry)] = min(rx, ry)
    return np.asarray([find(x) for x in range(n)], dtype=np.int64)


@dataclass
class _Group:
    members: list[int]
    best: float = 0.0  # probability of its strongest link


class _Merger:
    """Average-linkage merging of the records of one component along its strong links."""

    def __init__(
        self,
        known: dict[tuple[int, int], float],
        score_missing: MissingScorer | None,
        forbidden: set[tuple[int, int]],
        rng: np.random.Generator,
        exact: bool,
        on_demand: set[tuple[int, int]],
    ) -> None:
        self.known = known
        self.score_missing = score_missing
        self.forbidden = forbidden
        self.on_demand = on_demand  # pairs of ``known`` scored here, not proposed by blocking
        self.rng = rng
        self.exact = exact
        self.group_of: dict[int, _Group] = {}

    def group(self, row: int) -> _Group:
        found = self.group_of.get(row)
        if found is None:
            found = self.group_of[row] = _Group([row])
        return found

    def _cross_pairs(self, x: _Group, y: _Group) -> list[tuple[int, int]]:
        if self.exact or len(x.members) * len(y.members) <= _SAMPLE_SIZE:
            return [(p, q) for p in x.members for q in y.members]
        left = self.rng.choice(x.members, size=_SAMPLE_SIZE)
        right = self.rng.choice(y.members, size=_SAMPLE_SIZE)
        return list(zip(left.tolist(), right.tolist(), strict=True))

    def judge(self, x: _Group, y: _Group, agree: float) -> tuple[float, float]:
        """The average probability across two groups and the share of their compared
        pairs at least ``agree`` (``-1.0, 0.0`` when a pair across them is forbidden)."""
        pairs = self._cross_pairs(x, y)
        values: list[float] = []
        compared: list[float] = []
        missing: list[tuple[int, int]] = []
        for p, q in pairs:
            key = (p, q) if p < q else (q, p)
            if key in self.forbidden:
                return -1.0, 0.0
            value = self.known.get(key)
            if value is None:
                missing.append(key)
            else:
                values.append(value)
                if key not in self.on_demand:
                    compared.append(value)
        if missing:
            if self.score_missing is None:
                values.extend([0.0] * len(missing))
            else:
                ia = np.asarray([m[0] for m in missing], dtype=np.int64)
                ib = np.asarray([m[1] for m in missing], dtype=np.int64)
                scores = self.score_missing(ia, ib)
                for key, value in zip(missing, scores.tolist(), strict=True):
                    self.known[key] = value
                    self.on_demand.add(key)
                values.extend(scores.tolist())
        if not self.exact:
            between = self._known_between(x, y)
            values.extend(value for _, value in between)
            compared.extend(value for key, value in between if key not in self.on_demand)
        average = float(np.mean(values)) if values else 0.0
        support = float(np.mean(np.asarray(compared) >= agree)) if compared else 0.0
        return average, support

    def _known_between(self, x: _Group, y: _Group) -> list[tuple[tuple[int, int], float]]:
        # In big groups, every scored pair across them also counts (cheap: a dict lookup
        # per member of the smaller group against the other's members would be n*m, so
        # only the smaller group's members with the other's first few are checked).
        small, big = (x, y) if len(x.members) <= len(y.members) else (y, x)
        found = []
        for p in small.members[:_SAMPLE_SIZE]:
            for q in big.members[:_SAMPLE_SIZE]:
                key = (p, q) if p < q else (q, p)
                value = self.known.get(key)
                if value is not None:
                    found.append((key, value))
        return found

    def merge(self, x: _Group, y: _Group, probability: float) -> None:
        if len(x.members) < len(y.members):
            x, y = y, x
        x.members.extend(y.members)
        x.best = max(x.best, y.best, probability)
        for row in y.members:
            self.group_of[row] = x


@dataclass
class Clustering:
    """Groups of rows, and what average linkage did on the way.

    Attributes
    ----------
    groups
        Groups of rows that are one entity (each of at least 2 rows), each sorted, the
        most probable first (by their strongest link).
    vetoed_links
        Links at or above the threshold whose two records ended in different groups.
    strong_joins
        Merges made by a very strong, supported link although the average across the two
        groups was below ``average_threshold``.
    """

    groups: list[list[int]]
    vetoed_links: int = 0
    strong_joins: int = 0


def cluster(
    n: int,
    a: IntArray,
    b: IntArray,
    probability: FloatArray,
    *,
    threshold: float,
    average_threshold: float = DEFAULT_AVERAGE_THRESHOLD,
    strong_link: float = DEFAULT_STRONG_LINK,
    score_missing: MissingScorer | None = None,
    forbidden: Iterable[tuple[int, int]] = (),
    seed: int = 0,
) -> list[list[int]]:
    """Groups of rows that are one entity (each of at least 2 rows): the groups of
    :func:`clustering`.

    Examples
    --------
    >>> a, b = np.asarray([0, 1, 0]), np.asarray([1, 2, 2])
    >>> cluster(3, a, b, np.asarray([0.99, 0.95, 0.01]), threshold=0.9)
    [[0, 1]]
    >>> cluster(3, a, b, np.asarray([0.99, 0.95, 0.9]), threshold=0.9)
    [[0, 1, 2]]
    """
    return clustering(
        n,
        a,
        b,
        probability,
        threshold=threshold,
        average_threshold=average_threshold,
        strong_link=strong_link,
        score_missing=score_missing,
        forbidden=forbidden,
        seed=seed,
    ).groups


def clustering(
    n: int,
    a: IntArray,
    b: IntArray,
    probability: FloatArray,
    *,
    threshold: float,
    average_threshold: float = DEFAULT_AVERAGE_THRESHOLD,
    strong_link: float = DEFAULT_STRONG_LINK,
    score_missing: MissingScorer | None = None,
    forbidden: Iterable[tuple[int, int]] = (),
    seed: int = 0,
) -> Clustering:
    """Groups of rows that are one entity, and how many strong links were vetoed.

    Parameters
    ----------
    n
        Number of records (rows ``0 .. n-1``).
    a, b, probability
        Scored pairs of rows (every candidate pair, weak ones too: they enter averages).
    threshold
        Probability of a strong link.
    average_threshold
        Smallest average probability across two groups for them to merge.
    strong_link
        Probability of a link that may merge two groups with a lower average when the
        compared pairs across them support it (above 1: never).
    score_missing
        Probabilities of pairs of rows that were not scored (vectorised); ``None``: 0.
    forbidden
        Pairs of rows that must not end up in one group (reviewed as different).
    seed
        Seed of the samples taken in large groups.

    Returns
    -------
    Clustering

    Examples
    --------
    Records 0 to 4 are one person. Blocking proposed 2–4 (0.6) and 3–4 (0.995), never
    0–4 nor 1–4 (a record typed years earlier), which score 0.1 on demand. The average of
    {0, 1, 2, 3} against 4 is (0.1 + 0.1 + 0.6 + 0.995) / 4 < 0.5, but the link 3–4 is
    very strong and both compared pairs agree:

    >>> a, b = np.asarray([0, 0, 0, 1, 1, 2, 2, 3]), np.asarray([1, 2, 3, 2, 3, 3, 4, 4])
    >>> p = np.asarray([0.999] * 6 + [0.6, 0.995])
    >>> on_demand = lambda ia, ib: np.full(len(ia), 0.1)
    >>> found = clustering(5, a, b, p, threshold=0.9, score_missing=on_demand)
    >>> found.groups, found.vetoed_links, found.strong_joins
    ([[0, 1, 2, 3, 4]], 0, 1)
    >>> clustering(5, a, b, p, threshold=0.9, strong_link=1.1,
    ...            score_missing=on_demand).vetoed_links
    1
    """
    forbidden_pairs = {(min(p, q), max(p, q)) for p, q in forbidden}
    strong = np.flatnonzero(probability >= threshold)
    if len(strong) == 0 or n == 0:
        return Clustering([])
    labels = _components(n, a[strong], b[strong])
    sizes = np.bincount(labels, minlength=n)
    strong_a, strong_b, strong_p = a[strong], b[strong], probability[strong]
    groups: list[tuple[float, list[int]]] = []
    pairs_component = labels[strong_a]
    # Components of two records: one strong link, nothing to check.
    two = sizes[pairs_component] == 2
    for p, q, prob in zip(
        strong_a[two].tolist(), strong_b[two].tolist(), strong_p[two].tolist(), strict=True
    ):
        groups.append((prob, sorted((p, q))))
    vetoed = strong_joins = 0
    big_components = np.flatnonzero(sizes >= 3)
    if len(big_components):
        in_big = sizes[labels] >= 3
        # Narrowed first to the few pairs touching a big component: no int64 label per
        # candidate pair.
        touching = np.flatnonzero(in_big[a])
        same = touching[labels[a[touching]] == labels[b[touching]]]
        del touching
        known = {
            (min(p, q), max(p, q)): prob
            for p, q, prob in zip(
                a[same].tolist(), b[same].tolist(), probability[same].tolist(), strict=True
            )
        }
        on_demand: set[tuple[int, int]] = set()
        _score_small_components(labels, sizes, known, score_missing, on_demand)
        rng = np.random.default_rng(seed)
        order = np.argsort(-strong_p[~two], kind="stable")
        big_a, big_b = strong_a[~two][order], strong_b[~two][order]
        edges = zip(big_a.tolist(), big_b.tolist(), strong_p[~two][order].tolist(), strict=True)
        mergers: dict[int, _Merger] = {}
        for p, q, prob in edges:
            component = int(labels[p])
            merger = mergers.get(component)
            if merger is None:
                merger = mergers[component] = _Merger(
                    known,
                    score_missing,
                    forbidden_pairs,
                    rng,
                    sizes[component] <= _EXACT_LIMIT,
                    on_demand,
                )
            x, y = merger.group(p), merger.group(q)
            if x is y:
                continue
            average, support = merger.judge(x, y, average_threshold)
            if average >= average_threshold:
                merger.merge(x, y, prob)
            elif prob >= strong_link and support > SUPPORT_SHARE:
                merger.merge(x, y, prob)
                strong_joins += 1
        for merger in mergers.values():
            seen: set[int] = set()
            for found in merger.group_of.values():
                if id(found) in seen or len(found.members) < 2:
                    continue
                seen.add(id(found))
                groups.append((found.best, sorted(found.members)))
        vetoed = sum(
            mergers[int(labels[p])].group(p) is not mergers[int(labels[p])].group(q)
            for p, q in zip(big_a.tolist(), big_b.tolist(), strict=True)
        )
    groups.sort(key=lambda g: (-g[0], g[1][0]))
    return Clustering([members for _, members in groups], vetoed, strong_joins)


def _score_small_components(
    labels: IntArray,
    sizes: IntArray,
    known: dict[tuple[int, int], float],
    score_missing: MissingScorer | None,
    on_demand: set[tuple[int, int]],
) -> None:
    """Score, in one batch, every unscored pair inside components of 3 to 64 records
    (noted in ``on_demand``: blocking did not propose them)."""
    if score_missing is None:
        return
    rows = np.flatnonzero((sizes[labels] >= 3) & (sizes[labels] <= _EXACT_LIMIT))
    if len(rows) == 0:
        return
    by_component: dict[int, list[int]] = {}
    for row, label in zip(rows.tolist(), labels[rows].tolist(), strict=True):
        by_component.setdefault(label, []).append(row)
    missing = [
        (p, q)
        for members in by_component.values()
        for i, p in enumerate(members)
        for q in members[i + 1 :]
        if (p, q) not in known
    ]
    if not missing:
        return
    ia = np.asarray([m[0] for m in missing], dtype=np.int64)
    ib = np.asarray([m[1] for m in missing], dtype=np.int64)
    for key, value in zip(missing, score_missing(ia, ib).tolist(), strict=True):
        known[key] = value
        on_demand.add(key)
