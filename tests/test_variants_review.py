"""The spelling variants review widget, driven as an analyst would (boxes ticked, values
typed or clicked, buttons pressed), on a real DuckDB file.

Every merge is checked in the database (the stored values, the batch in history) and
every undo too, not on the screen alone.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as ipw
import polars.testing
import pytest

import crmkit as ck
from crmkit._exceptions import ValidationError
from crmkit.widgets import VariantsReview

TITLES = {
    "Directeur commercial": 4,
    "directeur Commercial": 2,
    "Chef de projet": 2,
    "CHEF DE PROJET": 1,
    "Comptable": 1,
}


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[ck.CRM]:
    """A CRM file with contacts whose job titles and cities are spelt several ways."""
    db = ck.open(tmp_path / "crm.duckdb", user="Nicole Bertrand")
    cities = ["Paris", "Paris", "Paris", "Pariss", "Lyon"]
    number = 0
    for title, count in TITLES.items():
        for _ in range(count):
            db.contacts.add(
                last_name=f"Blou{number}",
                job_title=title,
                city=cities[number % len(cities)],
                active=number % 3 != 0,
            )
            number += 1
    yield db
    db.close()


def titles(crm: ck.CRM) -> Counter[str]:
    return Counter(crm.contacts.df()["job_title"])


def row(review: VariantsReview, index: int) -> ipw.GridBox:
    """The ``index``-th line shown (from 0): tick box, variants, records, method, value."""
    return review.rows.children[index]


def test_one_line_per_cluster_with_variants_counts_and_proposed_value(crm: ck.CRM) -> None:
    review = VariantsReview(crm, "contacts", "job_title", lang="en")
    frame = review.clusters
    assert frame.columns.tolist() == [
        "cluster",
        "merge",
        "values",
        "count",
        "variants",
        "method",
        "new_value",
    ]
    assert frame.values.tolist() == [
        [1, False, "Directeur commercial (4) · directeur Commercial (2)", 6, 2, "Fingerprint",
         "Directeur commercial"],
        [2, False, "Chef de projet (2) · CHEF DE PROJET (1)", 3, 2, "Fingerprint",
         "Chef de projet"],
    ]  # fmt: skip
    assert len(review.rows.children) == 2
    first = row(review, 0)
    chips = first.children[1].children
    assert [c.description for c in chips] == [
        "Directeur\u00a0commercial (4)",
        "directeur\u00a0Commercial (2)",
    ]
    assert first.children[2].value == "6"
    assert first.children[3].value == "Fingerprint"
    assert first.children[4].value == "Directeur commercial"
    assert "crmkit-variants-row-1" in first._dom_classes
    assert "2 clusters: 4 values, 9 records" in review.summary.value
    assert "Clusters 1–2 of 2" in review.page_label.value
    polars.testing.assert_frame_equal(review.clusters_pl, polars.from_pandas(frame))


def test_tick_edit_merge_in_one_batch_then_undo(crm: ck.CRM) -> None:
    before = titles(crm)
    batches = len(crm.batches())
    review = VariantsReview(crm, crm.contacts.variants("job_title"), lang="en")
    review.tick(1)
    review.set_value(2, "Cheffe de projet")  # typing a value ticks its cluster
    assert review.ticked == [1, 2]
    assert review.clusters["merge"].tolist() == [True, True]
    review.buttons["merge"].click()
    report = review.report
    assert report is not None and report.changed == 5
    assert titles(crm) == {"Directeur commercial": 6, "Cheffe de projet": 3, "Comptable": 1}
    assert len(crm.batches()) == batches + 1
    assert set(crm.history(batch_id=report.batch_id)["operation"]) == {"variants"}
    assert f"batch {report.batch_id}" in review.status.value
    assert "Merged 2 clusters: 5 records changed" in review.status.value
    assert f"<b>5</b> changed, 0 skipped (batch {report.batch_id})" in review.report_view.value
    # Merged clusters leave the list: the field was clustered anew.
    assert review.clusters.empty and review.rows.children == ()
    assert "No spelling variants of Job title" in review.summary.value
    assert not review.buttons["undo"].disabled

    review.buttons["undo"].click()
    assert titles(crm) == before
    assert f"Undid batch {report.batch_id}" in review.status.value
    assert review.clusters["cluster"].tolist() == [1, 2]
    assert review.ticked == []  # merged, then undone: nothing is ticked again by itself
    assert review.buttons["undo"].disabled


def test_clicking_a_variant_makes_it_the_new_value_and_ticks_the_box(crm: ck.CRM) -> None:
    review = VariantsReview(crm, "contacts", "job_title")
    second = row(review, 1)
    second.children[1].children[1].click()  # "CHEF DE PROJET (1)"
    assert second.children[4].value == "CHEF DE PROJET"
    assert second.children[0].value is True
    assert review.ticked == [2]
    assert review.clusters["new_value"].tolist()[1] == "CHEF DE PROJET"
    report = review.apply()
    assert report is not None and report.changed == 2
    assert titles(crm)["CHEF DE PROJET"] == 3
    assert titles(crm)["directeur Commercial"] == 2  # cluster 1 was not ticked


def test_the_tick_box_and_the_text_box_on_screen(crm: ck.CRM) -> None:
    review = VariantsReview(crm, "contacts", "job_title")
    first = row(review, 0)
    first.children[0].value = True
    assert review.ticked == [1]
    assert "1 cluster ticked" in review.ticked_label.value
    first.children[0].value = False
    assert review.ticked == []
    first.children[4].value = "Directeur Commercial"
    assert review.ticked == [1]
    assert review.value_of(1) == "Directeur Commercial"
    review.apply()
    assert titles(crm)["Directeur Commercial"] == 6


def test_merge_with_nothing_ticked_says_so_and_writes_nothing(crm: ck.CRM) -> None:
    batches = len(crm.batches())
    review = VariantsReview(crm, "contacts", "job_title")
    review.buttons["merge"].click()
    assert review.report is None
    assert "Tick the clusters to merge first" in review.status.value
    assert len(crm.batches()) == batches


@pytest.mark.parametrize(
    ("value", "why"), [("x" * 200, "128"), ("   ", "blank value")], ids=["long", "blank"]
)
def test_a_refused_value_is_named_and_nothing_is_written(crm: ck.CRM, value: str, why: str) -> None:
    before = titles(crm)
    review = VariantsReview(crm, "contacts", "job_title")
    review.tick(2)
    review.set_value(1, value)
    assert review.apply() is None
    status = review.status.value
    assert "Not merged" in status and "Job title" in status and "cluster 1" in status
    assert why in status
    assert titles(crm) == before
    assert review.ticked == [1, 2]  # the choices stay for the analyst to correct


def test_another_method_clusters_again_and_keeps_ticks_of_the_same_cluster(
    crm: ck.CRM,
) -> None:
    review = VariantsReview(crm, "contacts", "city")
    assert review.clusters.empty  # "Pariss" is no fingerprint of "Paris"
    review.method.value = "levenshtein"
    assert review.variants.method == "levenshtein"
    assert review.clusters[["values", "method"]].values.tolist() == [
        ["Paris (6) · Pariss (2)", "Nearest neighbour (edit distance)"]
    ]
    review.tick(1)
    review.recluster("ngram-fingerprint")
    assert review.method.value == "ngram-fingerprint" and review.clusters.empty
    review.recluster("levenshtein")
    assert review.ticked == [1]  # the same values: the same cluster, still ticked
    report = review.apply()
    assert report is not None and report.changed == 2
    assert set(crm.contacts.df()["city"]) == {"Paris", "Lyon"}


def test_a_selection_is_kept_when_clustering_again(crm: ck.CRM) -> None:
    active = crm.contacts.filter(active=True)
    review = VariantsReview(crm, "contacts", "job_title", where=active, method="phonetic")
    counts = review.clusters["count"].tolist()
    assert sum(counts) < 9  # only the active contacts
    review.recluster("fingerprint")
    assert review.clusters["count"].sum() == sum(
        c.count for c in crm.contacts.variants("job_title", where=active).clusters
    )


def test_paging_and_tick_page(crm: ck.CRM) -> None:
    for number in range(12):
        for spelling in (f"Ville {number}", f"VILLE {number}"):
            crm.contacts.add(last_name="Wei", city=spelling)
    review = VariantsReview(crm, "contacts", "city", page_size=5, lang="fr")
    assert len(review.clusters) == 12 and review.pages == 3
    assert len(review.rows.children) == 5
    assert "Groupes 1 à 5 sur 12" in review.page_label.value
    assert review.buttons["previous"].disabled
    review.buttons["next"].click()
    assert review.page == 1 and "Groupes 6 à 10 sur 12" in review.page_label.value
    review.tick_page()
    assert review.ticked == [6, 7, 8, 9, 10]
    review.buttons["next"].click()
    assert len(review.rows.children) == 2 and review.buttons["next"].disabled
    review.buttons["untick"].click()
    assert review.ticked == []


def test_french_and_chinese_labels(crm: ck.CRM) -> None:
    french = VariantsReview(crm, "contacts", "job_title", lang="fr")
    assert french.buttons["merge"].description == "Fusionner les groupes cochés"
    assert "Variantes d'écriture : Fonction (contacts)" in html.unescape(french.title.value)
    headings = [h.value for h in french.headings.children]
    assert headings[0] == "<b>Fusionner ?</b>" and "Nouvelle valeur" in headings[4]
    assert french.clusters["method"].tolist()[0] == "Empreinte"
    french.tick(1)
    french.apply()
    assert "1 groupe fusionné : 2 fiche(s) modifiée(s) (lot" in french.status.value
    with ck.config_context(lang="zh"):
        chinese = VariantsReview(crm, "contacts", "job_title")  # lang from the config
    assert chinese.lang == "zh"
    assert chinese.buttons["merge"].description == "合并已勾选的组"
    assert chinese.method.description == "方法"
    assert "1 组" in chinese.summary.value
    chinese.buttons["merge"].click()
    assert "请先勾选要合并的组" in chinese.status.value


def test_accounts_and_a_custom_field(crm: ck.CRM) -> None:
    for city in ("Saint-Étienne", "Saint-Étienne", "saint etienne", "Lille"):
        crm.accounts.add(name=f"Société {len(crm.accounts)}", billing_city=city)
    review = VariantsReview(crm, crm.accounts.variants("billing_city"), lang="en")
    assert "crmkit-variants-review-accounts" in review._dom_classes
    assert "accounts" in review.title.value
    review.tick(1)
    assert review.apply().changed == 1  # type: ignore[union-attr]
    assert sorted(crm.accounts.df()["billing_city"]) == ["Lille", *["Saint-Étienne"] * 3]

    ids = crm.contacts.all().ids[:3]
    for record, zone in zip(ids, ["Île-de-France", "Île-de-France", "ile de france"], strict=True):
        crm.contacts.update(record, custom={"zone": zone})
    zones = VariantsReview(crm, "contacts", "custom.zone")
    assert zones.clusters["values"].tolist() == ["Île-de-France (2) · ile de france (1)"]
    zones.tick(1)
    batch = zones.apply().batch_id  # type: ignore[union-attr]
    assert crm.contacts.df()["custom"].dropna().tolist().count('{"zone":"Île-de-France"}') == 3
    zones.undo()
    assert crm.contacts.df()["custom"].dropna().tolist().count('{"zone":"ile de france"}') == 1
    assert f"Undid batch {batch}" in zones.status.value


def test_bad_arguments_are_named(crm: ck.CRM) -> None:
    review = VariantsReview(crm, "contacts", "job_title")
    with pytest.raises(ValidationError, match="no cluster 7"):
        review.tick(7)
    with pytest.raises(ValidationError, match="no cluster 0"):
        review.set_value(0, "Comptable")
    with pytest.raises(ValidationError, match="not text"):
        review.set_value(1, 12)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="page_size"):
        VariantsReview(crm, "contacts", "job_title", page_size=0)
    with pytest.raises(ValidationError, match="unknown field 'jobtitle' of contacts"):
        VariantsReview(crm, "contacts", "jobtitle")
    with pytest.raises(ValidationError, match="unknown option 'radious'"):
        review.variants.recluster(radious=2)
    review.undo()
    assert "Nothing to undo" in review.status.value
    review.recluster("soundex")  # refused on screen, the list unchanged
    assert "soundex" in review.status.value and len(review.clusters) == 2
