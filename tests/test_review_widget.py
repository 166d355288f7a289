"""The duplicate review widget, driven as a reviewer would (buttons clicked, choices made).

Every answer is checked in the database (``duplicate_decisions``, ``merged_into``, a new
``find_duplicates``), not on the screen alone.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import pytest

import crmkit as ck
from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit.widgets import DuplicateReview


@pytest.fixture
def people(crm: ck.CRM) -> dict[str, int]:
    """Three pairs of duplicate contacts among nine, and two accounts."""
    crm.owners.add("Nicole Bertrand", email="nb@example.com")
    crm.owners.add("Marc Durand", email="md@example.com")
    aprool = crm.accounts.add(name="APROOL", sector="Software")
    north = crm.accounts.add(name="Northwind Ltd")
    add = crm.contacts.add
    return {
        "helene": add(
            first_name="Hélène",
            last_name="Blou",
            email="helene.blou@aprool.com",
            account_id=aprool,
            mobile="06 25 34 12 57",
        ),
        "helene2": add(
            first_name="Helene",
            last_name="BLOU",
            email="helene.blou@aprool.com",
            job_title="Chef de projet",
        ),
        "marc": add(
            first_name="Marc",
            last_name="Durand",
            email="marc.durand@example.com",
            phone="01 23 45 67 89",
        ),
        "marc2": add(
            first_name="Marc",
            last_name="Durand",
            email="mdurand@example.com",
            phone="01 23 45 67 89",
            city="Paris",
        ),
        "bill": add(first_name="Bill", last_name="Smith", account_id=north, city="London"),
        "william": add(first_name="William", last_name="Smith", account_id=north, city="London"),
        "li": add(first_name="Li", last_name="Wei", email="li.wei@example.cn"),
        "marie": add(
            first_name="Marie", last_name="Blanc", email="marie.blanc@aprool.com", account_id=aprool
        ),
        "paul": add(first_name="Paul", last_name="Martin", account_id=north),
    }


def expected_queue(report: ck.DuplicateReport, order: str = "informative") -> list[tuple[int, int]]:
    """The queue a review should hold: the most probable first, or the nearest the
    threshold in match weight first (a tenth of a bit is a tie: the larger cluster first,
    then the more probable)."""
    pairs = report.pairs.sort_values("probability", ascending=False, kind="stable")
    rows = [
        (int(a), int(b), float(p))
        for a, b, p in zip(pairs["id_a"], pairs["id_b"], pairs["probability"], strict=True)
    ]
    if order == "informative":
        size = {i: len(c) for c in report.clusters for i in c}

        def bits(p: float) -> float:
            p = min(max(p, 1e-15), 1 - 1e-15)
            return math.log2(p / (1 - p))

        rows.sort(
            key=lambda r: (
                round(abs(bits(r[2]) - bits(report.threshold)), 1),
                -max(size.get(r[0], 0), size.get(r[1], 0)),
            )
        )
    return [(a, b) for a, b, _ in rows]


def decisions(crm: ck.CRM) -> set[tuple[int, int, str]]:
    frame = crm.contacts.duplicate_decisions()
    return {
        (int(a), int(b), str(d))
        for a, b, d in zip(frame["id_a"], frame["id_b"], frame["decision"], strict=True)
    }


def proposed(crm: ck.CRM) -> set[tuple[int, int]]:
    pairs = crm.contacts.find_duplicates().pairs
    return {
        (min(int(a), int(b)), max(int(a), int(b)))
        for a, b in zip(pairs["id_a"], pairs["id_b"], strict=True)
    }


def test_queue_starts_with_the_most_informative_pair_and_shows_both_records(
    crm: ck.CRM, people: dict[str, int]
) -> None:
    report = crm.contacts.find_duplicates()
    queue = expected_queue(report)
    assert {tuple(sorted(p)) for p in queue} == {
        (people["helene"], people["helene2"]),
        (people["marc"], people["marc2"]),
        (people["bill"], people["william"]),
    }
    review = DuplicateReview(crm, report)
    assert (review.pair, review.position, review.total) == (queue[0], 0, 3)
    assert review.kind == "contacts"
    assert review.pairs[["id_a", "id_b"]].values.tolist() == [list(p) for p in queue]
    assert "Pair 1 of 3" in review.position_label.value
    assert (review.progress_bar.value, review.progress_bar.max) == (0, 3)
    assert "Match probability" in review.probability.value
    left, right = queue[0]
    table = review.pair_view.value
    assert f"Contact {left}" in table and f"Contact {right}" in table
    assert table.index(f"Contact {left}") < table.index(f"Contact {right}")
    assert "crmkit-review-left" in table and "crmkit-review-right" in table
    assert "Why" in review.explanation.value
    assert review.explanation.value.count("crmkit-review-reason") >= 3
    assert "crmkit-review" in review._dom_classes


def test_differences_are_marked_in_the_side_by_side_table(
    crm: ck.CRM, people: dict[str, int]
) -> None:
    report = crm.contacts.find_duplicates()
    review = DuplicateReview(crm, report)
    while review.pair is not None and set(review.pair) != {people["helene"], people["helene2"]}:
        review.skip()
    table = review.pair_view.value
    rows = {
        field: row
        for row in table.split("<tr")[1:]
        for field in ("first_name", "last_name", "email", "job_title", "mobile", "account_id")
        if f"crmkit-review-row-{field} " in row or f"crmkit-review-row-{field}'" in row
    }
    assert "crmkit-review-differs" in rows["first_name"]  # Hélène / Helene
    assert "crmkit-review-differs" in rows["last_name"]  # Blou / BLOU
    assert "crmkit-review-differs" not in rows["email"]  # the same address
    assert "crmkit-review-one-side" in rows["job_title"]
    assert "crmkit-review-one-side" in rows["mobile"]
    assert "APROOL" in rows["account_id"]  # a link shows the account's name
    assert "crmkit-review-row-linkedin" not in table  # empty on both sides: not shown
    assert "crmkit-review-row-is_dpo" not in table  # both at the default: not shown


def test_not_the_same_is_stored_and_never_proposed_again(
    crm: ck.CRM, people: dict[str, int]
) -> None:
    report = crm.contacts.find_duplicates()
    queue = expected_queue(report)
    review = DuplicateReview(crm, report)
    review.buttons["different"].click()
    a, b = sorted(queue[0])
    assert decisions(crm) == {(a, b, "different")}
    assert (a, b) not in proposed(crm)
    assert len(proposed(crm)) == 2
    assert (review.pair, review.position) == (queue[1], 1)
    assert "Pair 2 of 3" in review.position_label.value
    assert review.progress_bar.value == 1
    batch = int(crm.batches(limit=1)["id"].iloc[0])
    assert f"Marked {queue[0][0]} and {queue[0][1]} as not the same" in review.status.value
    assert f"(batch {batch})" in review.status.value


def test_same_is_stored_and_a_new_review_leaves_decided_pairs_out(
    crm: ck.CRM, people: dict[str, int]
) -> None:
    report = crm.contacts.find_duplicates()
    queue = expected_queue(report)
    review = DuplicateReview(crm, report)
    batch = review.same()
    assert batch is not None
    assert decisions(crm) == {(min(queue[0]), max(queue[0]), "same")}
    assert crm.contacts.exists(queue[0][0]) and crm.contacts.exists(queue[0][1])  # not merged
    assert review.different() is not None
    again = DuplicateReview(crm, report)  # the same report: both answered pairs are left out
    assert (again.total, again.pair) == (1, queue[2])


def test_merge_with_the_survivor_picked_then_undo(crm: ck.CRM, people: dict[str, int]) -> None:
    report = crm.contacts.find_duplicates()
    review = DuplicateReview(crm, report, lang="fr")
    while review.pair is not None and set(review.pair) != {people["helene"], people["helene2"]}:
        review.skip()
    left, right = review.pair or (0, 0)
    before = len(crm.contacts)
    review.rule.value = "complete"
    review.survivor.value = "right"
    review.buttons["merge"].click()
    assert crm.contacts.get(left).merged_into == right
    assert crm.contacts.get(right).merged_into is None
    assert len(crm.contacts) == before - 1
    survivor = crm.contacts.get(right)
    assert survivor.job_title == "Chef de projet"
    assert survivor.mobile == "+33625341257"  # filled from the merged-away record
    assert review.merge_report is not None and review.merge_report.survivor == right
    assert "crmkit-merge-report" in review.merge_view.value
    assert f"{left} fusionné dans {right}" in review.status.value
    assert review.buttons["undo"].description == "Annuler la fusion"
    assert not review.buttons["undo"].disabled

    review.buttons["undo"].click()
    assert crm.contacts.get(left).merged_into is None
    assert crm.contacts.get(right).mobile is None
    assert len(crm.contacts) == before
    assert review.pair == (left, right)  # the pair is back, to be answered again
    assert review.merge_view.value == ""
    assert "reviennent dans la file" in review.status.value
    assert review.buttons["undo"].disabled


def test_merge_by_rule_and_from_code(crm: ck.CRM, people: dict[str, int]) -> None:
    report = crm.contacts.find_duplicates()
    review = DuplicateReview(crm, report)
    first = review.pair
    assert first is not None
    result = review.merge(rule="oldest")  # survivor: the first created, by the rule
    assert result is not None
    assert result.survivor == min(first)
    assert crm.contacts.get(max(first)).merged_into == min(first)
    assert review.rule.value == "oldest"  # the screen shows what was done
    assert review.survivor.value == "rule"
    second = review.pair
    assert second is not None
    result = review.merge(survivor="left")
    assert result is not None and result.survivor == second[0]
    assert crm.contacts.get(second[1]).merged_into == second[0]
    with pytest.raises(UnknownValueError, match="survivor"):
        review.merge(survivor="middle")
    with pytest.raises(UnknownValueError, match="merge rule"):
        review.merge(rule="newest")


def test_skip_moves_on_without_writing_and_the_end_is_said(
    crm: ck.CRM, people: dict[str, int]
) -> None:
    report = crm.contacts.find_duplicates()
    review = DuplicateReview(crm, report, lang="fr")
    batches = len(crm.batches())
    for step in range(3):
        assert review.position == step
        review.buttons["skip"].click()
    assert len(crm.batches()) == batches
    assert decisions(crm) == set()
    assert (review.pair, review.position, review.total) == (None, 3, 3)
    assert "Les 3 paires sont traitées" in review.position_label.value
    assert review.progress_bar.value == review.progress_bar.max == 3
    assert review.buttons["merge"].disabled and review.buttons["same"].disabled
    assert review.same() is None and review.merge() is None
    assert "Aucune paire à examiner" in review.status.value


def test_pairs_with_records_gone_are_left_out_or_passed_over(crm: ck.CRM) -> None:
    crm.owners.add("Nicole Bertrand")
    add = crm.contacts.add
    ids = [
        add(first_name="Hélène", last_name="Blou", email="helene.blou@aprool.com"),
        add(first_name="Helene", last_name="Blou", email="helene.blou@aprool.com"),
        add(first_name="Hélène", last_name="BLOU", email="helene.blou@aprool.com"),
        add(first_name="John", last_name="Smith", email="john.smith@northwind.co.uk"),
        add(first_name="Li", last_name="Wei", email="li.wei@example.cn"),
        add(first_name="Marie", last_name="Blanc", email="marie.blanc@aprool.com"),
    ]
    report = crm.contacts.find_duplicates()
    queue = expected_queue(report)
    assert len(queue) == 3  # the three Hélène Blou, pair by pair
    review = DuplicateReview(crm, report)
    merged_away = queue[0][1]
    review.merge(survivor="left")
    # Every pair with the merged-away record is passed over; the one left is shown.
    remaining = [p for p in queue[1:] if merged_away not in p]
    assert review.pair == remaining[0]
    assert review.position == queue.index(remaining[0])
    assert review.total == 3
    review.merge(survivor="left")
    assert review.pair is None
    assert len(crm.contacts.filter(search="blou")) == 1

    crm.contacts.delete(ids[5])
    crm.contacts.add(first_name="Marie", last_name="Blanc", email="marie.blanc@aprool.com")
    fresh = DuplicateReview(crm, report)  # the old report: its records are all merged now
    assert (fresh.total, fresh.pair) == (0, None)
    assert "No duplicate pairs to review" in fresh.position_label.value


def test_french_and_chinese_labels(crm: ck.CRM, people: dict[str, int]) -> None:
    report = crm.contacts.find_duplicates()
    review = DuplicateReview(crm, report, lang="fr")
    labels = {k: b.description for k, b in review.buttons.items()}
    assert labels == {
        "same": "Identiques : fusionner",  # the button says that it merges
        "merge": "Identiques : fusionner",
        "mark_same": "Identiques, fusion plus tard",
        "different": "Différents",
        "skip": "Passer",
        "accept_all": "Fusionner les 3 paires à 0,0\u202f% ou plus",
        "undo": "Annuler la fusion",
        "search": "Relancer la recherche",
    }
    assert [label for label, _ in review.rule.options] == [
        "La plus récente",
        "La plus complète",
        "La plus ancienne",
        "Clients d'abord",
        "Actives d'abord",
    ]
    left, right = review.pair or (0, 0)
    assert [label for label, _ in review.survivor.options] == [
        f"Gauche ({left})",
        f"Droite ({right})",
        "Selon la règle",
    ]
    assert "Paire 1 sur 3" in review.position_label.value
    assert "Probabilité de doublon" in review.probability.value
    assert "Prénom" in review.pair_view.value and "Nom" in review.pair_view.value
    assert "Pourquoi" in review.explanation.value
    assert "identique" in review.explanation.value
    assert "Contacts en double" in review.title.value
    chinese = DuplicateReview(crm, report, lang="zh")
    assert chinese.buttons["merge"].description == "相同：合并"
    assert "第 1 / 3 对" in chinese.position_label.value
    assert "名" in chinese.pair_view.value


def test_accounts_review_is_inferred_from_the_report(crm: ck.CRM) -> None:
    nicole = crm.owners.add("Nicole Bertrand")
    first = crm.accounts.add(
        name="Northwind Ltd", website="https://northwind.co.uk", phone="+44 20 7946 0000"
    )
    second = crm.accounts.add(
        name="Northwind", website="northwind.co.uk", phone="+44 20 7946 0000", owner_id=nicole
    )
    crm.accounts.add(name="APROOL", website="aprool.com")
    crm.accounts.add(name="Durand SA", website="durand.fr")
    crm.contacts.add(last_name="Wei")
    contact = crm.contacts.add(last_name="Smith", account_id=second)
    report = crm.accounts.find_duplicates()
    review = DuplicateReview(crm, report)
    assert review.kind == "accounts"
    assert set(review.pair or ()) == {first, second}
    assert "Account" in review.pair_view.value and "Nicole Bertrand" in review.pair_view.value
    assert "Web domain" in review.explanation.value
    result = review.merge(survivor="left" if review.pair == (first, second) else "right")
    assert result is not None and result.survivor == first
    assert crm.contacts.get(contact).account_id == first  # re-pointed by the merge
    with pytest.raises(ValidationError, match="kind="):
        DuplicateReview(crm, type(report)(report.pairs[["id_a", "id_b"]], [], 0.9, "x", {}))
    assert DuplicateReview(crm, report, kind="accounts").total == 0  # merged: left out


def test_a_refused_merge_keeps_the_pair_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path, user="Nicole Bertrand") as crm:
        crm.contacts.add(first_name="Hélène", last_name="Blou", email="hb@aprool.com")
        crm.contacts.add(first_name="Helene", last_name="Blou", email="hb@aprool.com")
        crm.contacts.add(first_name="John", last_name="Smith", email="js@northwind.co.uk")
    with ck.open(path, read_only=True) as reader:
        review = DuplicateReview(reader, reader.contacts.find_duplicates())
        pair = review.pair
        assert review.merge() is None
        assert review.different() is None
        assert review.pair == pair
        assert "read_only=True" in review.status.value


def test_unknown_language_is_refused(crm: ck.CRM, people: dict[str, int]) -> None:
    with pytest.raises(UnknownValueError, match="language"):
        DuplicateReview(crm, crm.contacts.find_duplicates(), lang="de")


@pytest.mark.parametrize("rule", ["client_first", "active_first"])
def test_merge_with_the_rules_of_merge(crm: ck.CRM, people: dict[str, int], rule: str) -> None:
    review = DuplicateReview(crm, crm.contacts.find_duplicates())
    left, right = review.pair or (0, 0)
    result = review.merge(rule=rule)
    assert result is not None and result.merged_count == 1
    assert {result.survivor, *result.merges["merged"].iloc[0]} == {left, right}


def test_review_order_informative_by_default_or_most_probable_first(
    crm: ck.CRM, people: dict[str, int]
) -> None:
    report = crm.contacts.find_duplicates()
    informative = DuplicateReview(crm, report)
    by_probability = DuplicateReview(crm, report, order="probability")
    assert informative.order == "informative"
    assert informative.pairs[["id_a", "id_b"]].values.tolist() == [
        list(p) for p in expected_queue(report)
    ]
    assert by_probability.pairs[["id_a", "id_b"]].values.tolist() == [
        list(p) for p in expected_queue(report, "probability")
    ]
    assert by_probability.pairs["probability"].is_monotonic_decreasing
    # The same pairs, and the first shown is the one nearest the threshold.
    assert sorted(map(tuple, informative.pairs[["id_a", "id_b"]].values.tolist())) == sorted(
        map(tuple, by_probability.pairs[["id_a", "id_b"]].values.tolist())
    )
    distance = (informative.pairs["probability"] - report.threshold).abs()
    assert distance.iloc[0] == distance.min()
    # Answering in that order: the next pair is the next of the queue.
    queue = expected_queue(report)
    informative.different()
    assert informative.pair == queue[1]
    with pytest.raises(UnknownValueError, match="review order"):
        DuplicateReview(crm, report, order="random")


def test_informative_order_breaks_ties_by_cluster_size() -> None:
    from crmkit.widgets._review import informative_order

    pairs = [(1, 2, 0.95), (3, 4, 0.95), (5, 6, 0.9999), (7, 8, 0.81)]
    clusters = [[1, 2], [3, 4, 9, 10]]
    # 0.95 and 0.81 are both about 1.1 bits from 0.9; the pair of the four-record cluster
    # first, then the two-record one, then the pair in no cluster; 0.9999 is far.
    assert informative_order(pairs, 0.9, clusters) == [1, 0, 3, 2]


@pytest.mark.parametrize(
    ("lang", "before", "after"),
    [
        ("en", "the model's own estimate, no review yet", "from 1 reviewed pairs"),
        ("fr", "estimation du modèle seul, aucune paire revue", "d'après 1 paires revues"),
        ("zh", "仅为模型估计，尚无审阅", "基于 1 对已审阅记录"),
    ],
)
def test_the_accuracy_line_follows_the_decisions(
    crm: ck.CRM, people: dict[str, int], lang: str, before: str, after: str
) -> None:
    review = DuplicateReview(crm, crm.contacts.find_duplicates(), lang=lang)

    def line() -> str:
        return html.unescape(review.accuracy.value)

    assert before in line()
    review.same()
    assert after in line()
    review.undo()
    assert before in line()


# -- issue #15, item 4: Same merges, filter by probability, accept all in one batch --------


def test_the_same_button_merges_the_pair(crm: ck.CRM, people: dict[str, int]) -> None:
    review = DuplicateReview(crm, crm.contacts.find_duplicates(), lang="fr")
    left, right = review.pair or (0, 0)
    review.buttons["same"].click()
    assert review.merge_report is not None
    merged = [i for i in (left, right) if crm.contacts.get(i).merged_into is not None]
    assert len(merged) == 1  # one of the two now points at the other


def test_the_merge_report_in_the_review_speaks_its_language(
    crm: ck.CRM, people: dict[str, int]
) -> None:
    review = DuplicateReview(crm, crm.contacts.find_duplicates(), lang="fr")
    review.merge()
    shown = html.unescape(review.merge_view.value)
    assert "crmkit-merge-report" in shown
    assert "1 fusion(s) : 1 fiche(s) absorbée(s)" in shown and "(lot " in shown
    assert "merges" not in shown and "merged away" not in shown


def test_the_explanation_never_breaks_inside_a_word(crm: ck.CRM, people: dict[str, int]) -> None:
    review = DuplicateReview(crm, crm.contacts.find_duplicates(), lang="fr")
    explanation = review.explanation.value
    assert "overflow-wrap:anywhere" not in explanation
    assert "word-break:normal;overflow-wrap:normal" in explanation


def test_pairs_are_filtered_by_probability_and_accepted_all_in_one_batch(
    crm_file: ck.CRM,
) -> None:
    crm = crm_file
    for first, last, email, city in [
        ("Hélène", "Blou", "hb@aprool.com", None),
        ("Helene", "BLOU", "hb@aprool.com", None),
        ("Jean", "Martin", "jean.martin@x.fr", None),
        ("Jean", "Martin", "jean.martin@x.fr", None),
        ("Paul", "Lemoine", "paul@lemoine.fr", "Lyon"),
        ("Paul", "Lemoine", None, "Lyon"),
        ("Marie", "Durand", "marie@durand.fr", "Paris"),
        ("Marie", "Durant", None, "Paris"),
    ]:
        crm.contacts.add(first_name=first, last_name=last, email=email, city=city)
    report = crm.contacts.find_duplicates(threshold=0.5)
    review = DuplicateReview(crm, report, lang="en", audit_every=0)
    probabilities = sorted(review.pairs["probability"], reverse=True)
    assert len(probabilities) == 4 and probabilities[2] > probabilities[3]
    floor = probabilities[2]  # all but the least probable pair
    review.show_from(floor)
    shown = review.pairs
    assert (shown["probability"] >= floor).all() and len(shown) < len(probabilities)
    assert review.total == len(shown)
    wanted = len(shown)
    assert f"{wanted} pairs at or above" in review.above.value
    live_before = len(crm.contacts)
    batches_before = len(crm.batches())
    result = review.buttons["accept_all"].click() or review.merge_report
    assert result is not None and result.batch_id is not None
    assert len(crm.batches()) == batches_before + 1  # one batch for every merge
    assert len(crm.contacts) == live_before - result.merged_count
    assert result.merged_count == 3
    assert review.pair is None  # nothing left above the floor
    review.buttons["undo"].click()  # one undo reverts them all
    assert len(crm.contacts) == live_before
    review.show_from(0.0)
    assert review.total == len(probabilities)


def test_show_from_refuses_a_probability_outside_0_1(crm: ck.CRM, people: dict[str, int]) -> None:
    review = DuplicateReview(crm, crm.contacts.find_duplicates())
    with pytest.raises(ValidationError, match="between 0 and 1"):
        review.show_from(1.5)


def test_the_review_searches_with_its_own_progress_line(
    crm: ck.CRM, people: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    review = DuplicateReview(crm, kind="contacts", lang="fr")  # no report: it searches
    assert "clustering" in capsys.readouterr().err  # the tqdm bar of find_duplicates
    assert review.total == 3
    stages: list[str] = []
    review.search_stage.observe(lambda change: stages.append(change["new"]), "value")
    review.merge()
    review.search()  # "Relancer la recherche": the merged pair is gone
    assert stages[:2] == ["Préparation des fiches…", "Recherche des paires…"]
    assert stages[-1] == "Terminé"
    assert review.search_progress.layout.display == "none"
    assert review.buttons["search"].description == "Relancer la recherche"
    assert review.total < 3


def test_widgets_follow_the_configured_language(crm: ck.CRM, people: dict[str, int]) -> None:
    from crmkit.widgets import ContactForm

    with ck.config_context(lang="zh"):
        review = DuplicateReview(crm, crm.contacts.find_duplicates())
        form = ContactForm(crm)
    assert review.lang == "zh" and form.lang == "zh"
    assert DuplicateReview(crm, crm.contacts.find_duplicates(), lang="fr").lang == "fr"


def test_a_job_change_is_named_in_the_review_and_merged_from_it(crm: ck.CRM) -> None:
    """#13 part 2 in the widget: the pair of a person who moved from Aprool in Paris to
    Bexa in Lyon says "job change" in its explanation, and "Same: merge" merges it."""
    crm.accounts.add(name="Aprool")
    crm.accounts.add(name="Bexa")
    ids = [
        crm.contacts.add(
            first_name=first,
            last_name="Panescu",
            email=email,
            company=company,
            city=city,
            birthday="1980-03-04",
        )
        for first, email, company, city in (
            ("Hélène", "helene.panescu@aprool.com", "Aprool", "Paris"),
            ("Helene", "hpanescu@bexa.fr", "Bexa", "Lyon"),
        )
    ]
    crm.contacts.add(first_name="Jean", last_name="Roy", email="j@roy.fr", city="Nantes")
    report = crm.contacts.find_duplicates()
    assert len(report.job_changes) == 1
    review = DuplicateReview(crm, report)
    assert tuple(sorted(review.pair)) == tuple(sorted(ids))
    shown = html.unescape(review.explanation.value)
    assert "Job change: Aprool → Bexa, Paris → Lyon" in shown
    assert "crmkit-review-job-change" in shown and "Person" in shown
    french = html.unescape(DuplicateReview(crm, report, lang="fr").explanation.value)
    assert "Changement de poste : Aprool → Bexa" in french and "changement de poste" in french
    chinese = html.unescape(DuplicateReview(crm, report, lang="zh").explanation.value)
    assert "工作变动：Aprool → Bexa" in chinese
    review.buttons["same"].click()
    assert review.merge_report is not None
    assert sorted(crm.contacts.get(i).merged_into is not None for i in ids) == [False, True]
