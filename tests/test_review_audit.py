"""Random checks (audit pairs) in the review widget and ``report.audit_pairs()``: the
bands the uncertainty order never reaches, interleaved every fifth pair, seeded, labelled
in three languages, stored like any other decision."""

from __future__ import annotations

import html

import pytest

import crmkit as ck
from crmkit._exceptions import ValidationError
from crmkit.samples import generate
from crmkit.widgets import DuplicateReview
from crmkit.widgets._review import AUDIT_EVERY, interleave_audits

_COLUMNS = ["first_name", "last_name", "email", "phone", "city", "postal_code", "job_title"]


@pytest.fixture
def report(crm: ck.CRM) -> ck.DuplicateReport:
    """400 generated contacts (with duplicates): pairs to review and unlikely candidates."""
    data = generate(40, 400, seed=1, messiness=0.8, duplicates=0.15, locales=["fr", "en"])
    crm.contacts.add_many(data.contacts[_COLUMNS])
    return crm.contacts.find_duplicates()


def keys(frame: object) -> list[tuple[int, int]]:
    return [
        (min(int(a), int(b)), max(int(a), int(b)))
        for a, b in zip(frame["id_a"], frame["id_b"], strict=True)  # type: ignore[index]
    ]


def test_interleave_audits_every_nth_pair_once_each() -> None:
    ordered = [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12)]
    queue = interleave_audits(ordered, [(4, 3), (20, 21), (22, 23)], every=3)
    assert queue == [
        ((1, 2), False),
        ((3, 4), False),
        ((20, 21), True),  # (4, 3) was shown already: the next audit pair comes
        ((5, 6), False),
        ((7, 8), False),
        ((22, 23), True),
        ((9, 10), False),
        ((11, 12), False),
    ]
    assert interleave_audits(ordered, [(20, 21)], every=0) == [(p, False) for p in ordered]
    # An audit pair shown first is not shown again where the order puts it.
    assert interleave_audits([(1, 2), (3, 4), (5, 6)], [(5, 6)], every=3) == [
        ((1, 2), False),
        ((3, 4), False),
        ((5, 6), True),
    ]


def test_audit_pairs_are_a_seeded_sample_of_the_unreviewed_bands(
    report: ck.DuplicateReport,
) -> None:
    audits = report.audit_pairs()
    assert len(audits) > 20
    cut = report.stats["min_probability"]
    assert ((audits["probability"] < cut) | (audits["probability"] >= 0.999)).all()
    assert set(audits["band"]) >= {0.0, 0.999}
    assert len(set(keys(audits))) == len(audits)
    # The bands in turn: the first pairs come from different bands.
    bands = audits["band"].nunique()
    assert audits["band"].head(bands).nunique() == bands
    assert keys(report.audit_pairs()) == keys(audits)  # seeded
    assert keys(report.audit_pairs(seed=1)) != keys(audits)
    assert audits["band"].value_counts().max() <= 200
    assert len(report.audit_pairs(per_band=3)) <= 3 * bands
    with pytest.raises(ValidationError, match="per_band"):
        report.audit_pairs(per_band=-1)


def test_every_fifth_pair_of_the_review_is_a_random_check(
    crm: ck.CRM, report: ck.DuplicateReport
) -> None:
    review = DuplicateReview(crm, report)
    queue = review.pairs
    audit_rows = [k for k, audit in enumerate(queue["audit"]) if audit]
    assert audit_rows[:5] == [4, 9, 14, 19, 24]
    assert all((k + 1) % AUDIT_EVERY == 0 for k in audit_rows)
    # The other pairs are the report's, nearest the threshold first; audits are not.
    listed = set(keys(report.pairs))
    audits = queue[queue["audit"]]
    assert not (set(keys(audits)) - set(keys(report.audit_pairs()))), "drawn by audit_pairs"
    assert set(keys(queue[~queue["audit"]])) <= listed
    assert len(set(keys(queue))) == len(queue)  # no pair twice
    low = audits[audits["probability"] < report.stats["min_probability"]]
    assert len(low) and not (set(keys(low)) & listed)  # pairs the report does not list
    # Seeded: the same queue again; another seed draws other checks.
    assert keys(DuplicateReview(crm, report).pairs) == keys(queue)
    other = DuplicateReview(crm, report, seed=3).pairs
    assert keys(other[other["audit"]]) != keys(audits)
    # No random checks when asked, or when the most probable pairs come first.
    assert not DuplicateReview(crm, report, audit_every=0).pairs["audit"].any()
    assert not DuplicateReview(crm, report, order="probability").pairs["audit"].any()
    with pytest.raises(ValidationError, match="audit_every"):
        DuplicateReview(crm, report, audit_every=-1)


def test_random_checks_are_answered_like_any_pair_and_never_shown_once_decided(
    crm: ck.CRM, report: ck.DuplicateReport
) -> None:
    first = DuplicateReview(crm, report).pairs
    audits = first[first["audit"]]
    a, b = int(audits["id_a"].iloc[0]), int(audits["id_b"].iloc[0])
    crm.contacts.mark_different(a, b)  # decided elsewhere before the review opens
    review = DuplicateReview(crm, report)
    assert (min(a, b), max(a, b)) not in keys(review.pairs)
    for _ in range(4):
        review.skip()
    assert review.pairs["audit"].iloc[review.position]
    shown = review.pair
    assert shown is not None
    batch = review.same()
    assert batch is not None
    decided = crm.contacts.duplicate_decisions()
    row = decided[(decided["id_a"] == shown[0]) & (decided["id_b"] == shown[1])]
    assert row["decision"].tolist() == ["same"]
    # A new review with the decisions: neither decided check comes back.
    again = keys(DuplicateReview(crm, report).pairs)
    assert (min(shown), max(shown)) not in again and (min(a, b), max(a, b)) not in again
    # The accuracy line counts them.
    assert "2 reviewed pairs" in html.unescape(review.accuracy.value)


@pytest.mark.parametrize(
    ("lang", "label"),
    [("en", "random check"), ("fr", "contrôle aléatoire"), ("zh", "随机抽查")],
)
def test_a_random_check_is_labelled_in_three_languages(
    crm: ck.CRM, report: ck.DuplicateReport, lang: str, label: str
) -> None:
    review = DuplicateReview(crm, report, lang=lang)
    assert label not in html.unescape(review.probability.value)  # an ordinary pair
    for _ in range(4):
        review.skip()
    shown = html.unescape(review.probability.value)
    assert label in shown and "crmkit-review-audit" in shown
    review.skip()
    assert label not in html.unescape(review.probability.value)


def test_duplicate_accuracy_from_the_stored_decisions(crm: ck.CRM) -> None:
    a = crm.contacts.add(first_name="Ann", last_name="Lee", email="ann@x.fr")
    b = crm.contacts.add(first_name="Ann", last_name="Lee", email="ann@x.fr")
    crm.contacts.add(first_name="Bob", last_name="Ray", email="bob@y.fr")
    report = crm.contacts.find_duplicates()
    assert crm.contacts.duplicate_accuracy(report).method == "model"
    crm.contacts.mark_same(a, b)
    found = crm.contacts.duplicate_accuracy(report)  # the report given, today's decisions
    assert (found.method, found.reviewed_same, found.reviewed_different) == ("reviews", 1, 0)
    assert found == report.accuracy(crm.contacts.duplicate_decisions())
    assert crm.contacts.duplicate_accuracy().reviewed_same == 1  # a new search
    x = crm.accounts.add(name="Northwind Ltd", website="https://northwind.com")
    y = crm.accounts.add(name="NORTHWIND", website="northwind.com")
    assert crm.accounts.duplicate_accuracy().method == "model"
    crm.accounts.mark_different(x, y)
    assert crm.accounts.duplicate_accuracy().reviewed_different == 1
