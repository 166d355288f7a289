"""The identity policy: is a contact the *person* or the *role* (the person at a company)?

``identity="role"`` (the default) scores every comparison as trained: a person who left
Aprool for Bexa and moved from Paris to Lyon has a different company, city, postal code,
work e-mail and switchboard, and those disagreements outweigh an exact full name: two
contacts, one per job.

``identity="person"``: when the *person* evidence of a pair is strong, the disagreements
of the role fields (:data:`ROLE_METHODS`: company, city, postal code, phone, e-mail,
web domain; :data:`ROLE_NAMES`: region, country, street) are set aside: their negative
weights are cancelled by as many bits (:attr:`PersonEvidence.bits`), so that they cannot
outweigh the name. Person evidence is
strong (:func:`person_evidence`) when, and only when, no birthday disagrees and either

- the first names agree (exactly or as a nickname) and the last names exactly, with a
  rare surname: four times rarer (:data:`RARE_SURNAME_BITS`) than two different
  people's surnames are alike on average (the term-frequency share of
  :mod:`crmkit._dedupe._tf` against the model's ``u`` of an exact last name); "Martin"
  is no proof, "Panescu" is; or
- the names agree at least closely and a personal value is the same: the birthday, an
  e-mail address or a phone number.

A namesake with another birthday stays apart; a pair whose company differs on top of
strong person evidence is a *job change* (:attr:`PersonEvidence.job_change`), unless
both records have the same e-mail address (one company written two ways).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from crmkit._dedupe._arrays import BoolArray, FloatArray, IntArray, LevelArray
from crmkit._dedupe._features import FeatureTable
from crmkit._dedupe._model import MatchModel, probability_of
from crmkit._dedupe._tf import PSEUDO_RECORDS, TermAdjustments, _shared_counts, counts_of
from crmkit._dedupe._tf import score_pairs as score_tf
from crmkit._exceptions import UnknownValueError
from crmkit._util._suggest import closest

__all__ = [
    "IDENTITIES",
    "RARE_SURNAME_BITS",
    "ROLE_METHODS",
    "ROLE_NAMES",
    "Identity",
    "PersonEvidence",
    "check_identity",
    "person_evidence",
    "score_pairs",
]

Identity = Literal["person", "role"]
IDENTITIES: tuple[str, ...] = ("role", "person")

ROLE_METHODS = frozenset({"company", "city", "postal_code", "phone", "email", "domain"})
"""Methods of the fields that change with a job: set aside by strong person evidence."""
ROLE_NAMES = frozenset({"region", "country", "street"})
"""Comparisons of other methods that change with a move: set aside too."""

RARE_SURNAME_BITS = 2.0
"""A surname is rare when it is held by at least 2 ** this times fewer records than two
different people share a surname on average (the model's ``u`` of an exact last name).

0 (no rarer than average) let namesakes of generated contacts (names drawn from small
pools, so that every surname is about as common as the average) link across companies:
precision 0.90 instead of 0.99 at 20 000 contacts; 2 bits (4 times rarer) changes
nothing there, while in a real table most surnames are far rarer than the few common
ones that make the average."""

# Levels (see crmkit._dedupe._comparisons.LEVELS).
_FIRST_SAME = (0, 1)  # exact, nickname
_FIRST_CLOSE = (0, 1, 2)  # ... close
_LAST_CLOSE = (0, 1)  # exact, close
_DATE_DIFFERENT = 2


@dataclass
class PersonEvidence:
    """Per pair: strong person evidence, the bits setting role fields aside, job changes."""

    strong: BoolArray
    bits: npt.NDArray[np.float32]  # (pairs, comparisons), >= 0
    job_change: BoolArray


def check_identity(identity: str) -> None:
    """Refuse an identity other than ``"role"`` and ``"person"``, suggesting the closest.

    Examples
    --------
    >>> check_identity("persons")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crmkit._exceptions.UnknownValueError: unknown identity 'persons'. Did you mean 'person'? ...
    """
    if identity not in IDENTITIES:
        raise UnknownValueError(
            "identity", identity, IDENTITIES, closest(str(identity), IDENTITIES)
        )


def _index_of(model: MatchModel, method: str) -> int | None:
    for k, comparison in enumerate(model.comparisons):
        if comparison.method == method:
            return k
    return None


def _rare_surname(
    model: MatchModel,
    left: FeatureTable,
    ia: IntArray,
    right: FeatureTable,
    ib: IntArray,
    k: int,
    rows: IntArray,
) -> BoolArray:
    """Whether the surname shared by the pairs ``rows`` is no more common than average."""
    name = model.comparisons[k].name
    counts, n = counts_of(right, name)
    if n == 0 or len(counts) == 0:
        return np.zeros(len(rows), dtype=bool)
    u_exact = float(model.u[k][0])
    found = _shared_counts(left.codes[name][ia[rows]], right.codes[name][ib[rows]], counts)
    held = 2 if left is right else 1
    others = np.maximum(found - held, 0)
    share = (others + PSEUDO_RECORDS * u_exact) / (n + PSEUDO_RECORDS)
    return np.asarray(share * 2.0**RARE_SURNAME_BITS <= u_exact, dtype=bool)


def person_evidence(
    model: MatchModel,
    left: FeatureTable,
    ia: IntArray,
    right: FeatureTable,
    ib: IntArray,
    levels: LevelArray,
) -> PersonEvidence:
    """Strong person evidence of the pairs ``(left[ia[k]], right[ib[k]])`` (see the module).

    Without a first and a last name comparison, no pair has strong person evidence.
    """
    n_pairs, n_comparisons = levels.shape
    strong = np.zeros(n_pairs, dtype=bool)
    bits = np.zeros((n_pairs, n_comparisons), dtype=np.float32)
    first, last = _index_of(model, "first_name"), _index_of(model, "last_name")
    if first is None or last is None or n_pairs == 0:
        return PersonEvidence(strong, bits, np.zeros(n_pairs, dtype=bool))
    first_level, last_level = levels[:, first], levels[:, last]
    same_name = np.isin(first_level, _FIRST_SAME) & (last_level == 0)
    rows = np.flatnonzero(same_name)
    if len(rows):
        same_name[rows] = _rare_surname(model, left, ia, right, ib, last, rows)
    close_name = np.isin(first_level, _FIRST_CLOSE) & np.isin(last_level, _LAST_CLOSE)
    personal = np.zeros(n_pairs, dtype=bool)
    date_differs = np.zeros(n_pairs, dtype=bool)
    for k, comparison in enumerate(model.comparisons):
        if comparison.method == "date":
            personal |= levels[:, k] == 0
            date_differs |= levels[:, k] == _DATE_DIFFERENT
        elif comparison.method in ("email", "phone"):
            personal |= levels[:, k] == 0
    strong = (same_name | (close_name & personal)) & ~date_differs
    if strong.any():
        parts = model.contributions(levels[strong])
        for k, comparison in enumerate(model.comparisons):
            if comparison.method in ROLE_METHODS or comparison.name in ROLE_NAMES:
                bits[strong, k] = np.maximum(-parts[:, k], 0.0)
    company = _index_of(model, "company")
    job_change = np.zeros(n_pairs, dtype=bool)
    if company is not None:
        different = len(model.comparisons[company].levels) - 1
        job_change = strong & (levels[:, company] == different)
        # One e-mail address at two "different" companies is one company written two
        # ways (a group's subsidiary, a name with its city), not a new job.
        for k, comparison in enumerate(model.comparisons):
            if comparison.method == "email":
                job_change &= levels[:, k] != 0
    return PersonEvidence(strong, bits, job_change)


def score_pairs(
    model: MatchModel,
    left: FeatureTable,
    ia: IntArray,
    right: FeatureTable,
    ib: IntArray,
    levels: LevelArray,
    tf_adjust: bool,
    identity: str = "role",
) -> tuple[
    tuple[FloatArray, FloatArray, FloatArray], TermAdjustments | None, PersonEvidence | None
]:
    """Scores of pairs as :func:`crmkit._dedupe._tf.score_pairs`, and with
    ``identity="person"`` the person evidence, whose bits are added to the weights."""
    scores, adjustments = score_tf(model, left, ia, right, ib, levels, tf_adjust)
    if identity != "person":
        return scores, adjustments, None
    evidence = person_evidence(model, left, ia, right, ib, levels)
    if not evidence.strong.any():
        return scores, adjustments, evidence
    weight, _, parts = scores
    weight = weight + evidence.bits.sum(axis=1)
    return (weight, probability_of(weight), parts), adjustments, evidence
