"""Spelling variants of stored text (crmkit._ops._variants, ``crm.contacts.variants``):
clusters read from a real DuckDB file, replaced in one undoable batch, bad input refused
with nothing written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import polars as pl
import pytest

import crmkit as ck
from crmkit._ops._variants import text_field

_TITLES = [
    "Directeur commercial",
    "Directeur commercial",
    "directeur  Commercial",
    "DIRECTEUR COMMERCIAL",
    "Dir. commercial",
    "Chef de projet",
    "chef de projet",
    "DRH",
]
_CITIES = ["Paris", "Paris", "PARIS", "paris ", "Pariss", "Lyon", "Saint-Étienne", "St Etienne"]


@pytest.fixture
def crm(tmp_path: Path) -> ck.CRM:
    """A CRM file with eight contacts: job titles and cities spelt several ways."""
    crm = ck.open(tmp_path / "crm.duckdb", user="Nicole Bertrand")
    acc = crm.accounts.add(name="APROOL", billing_city="Paris")
    crm.accounts.add(name="Blou SA", billing_city="PARIS")
    for i, (title, city) in enumerate(zip(_TITLES, _CITIES, strict=True)):
        crm.contacts.add(
            last_name=f"Blou{i}",
            job_title=title,
            city=city,
            account_id=acc if i % 2 else None,
            custom={"zone": "Île-de-France" if i < 2 else "ile de france"} if i < 4 else None,
        )
    yield crm
    crm.close()


def _values(crm: ck.CRM, column: str) -> list[str]:
    return sorted(str(v) for v in crm.contacts.df()[column].dropna())


def test_fingerprint_clusters_and_canonical(crm: ck.CRM) -> None:
    found = crm.contacts.variants("job_title")
    assert len(found) == 2
    frame = found.df()
    assert frame.columns.tolist() == ["cluster", "canonical", "value", "count"]
    assert frame.values.tolist() == [
        [1, "Directeur commercial", "Directeur commercial", 2],
        [1, "Directeur commercial", "DIRECTEUR COMMERCIAL", 1],
        [1, "Directeur commercial", "directeur Commercial", 1],  # spaces tidied on entry
        [2, "Chef de projet", "Chef de projet", 1],
        [2, "Chef de projet", "chef de projet", 1],
    ]
    assert "Dir. commercial" not in set(frame["value"])  # not the same by fingerprint


def test_pandas_and_polars_agree(crm: ck.CRM) -> None:
    found = crm.contacts.variants("city", method="levenshtein")
    as_pandas, as_polars = found.df(), found.pl()
    assert isinstance(as_pandas, pd.DataFrame) and isinstance(as_polars, pl.DataFrame)
    assert as_polars.schema["count"] == pl.Int64 and as_pandas["count"].dtype == "int64"
    assert as_polars.to_dicts() == as_pandas.to_dict("records")
    assert set(as_pandas["value"]) == {"Paris", "PARIS", "paris", "Pariss"}
    assert set(as_pandas["canonical"]) == {"Paris"}


@pytest.mark.parametrize(
    ("method", "options", "values"),
    [
        ("ngram-fingerprint", {}, {"Paris", "PARIS", "paris"}),  # "Pariss" has "ss"
        ("phonetic", {"language": "fr"}, {"Paris", "PARIS", "paris", "Pariss"}),
        ("phonetic", {"language": "en"}, {"Paris", "PARIS", "paris", "Pariss"}),
        ("levenshtein", {"radius": 4}, {"Saint-Étienne", "St Etienne"}),
    ],
)
def test_methods_on_stored_values(
    crm: ck.CRM, method: str, options: dict[str, int | str], values: set[str]
) -> None:
    found = crm.contacts.variants("city", method=method, **options)  # type: ignore[arg-type]
    clusters = found.df().groupby("cluster")["value"].apply(set).tolist()
    assert values in clusters


def test_phonetic_language_follows_the_display_language(crm: ck.CRM) -> None:
    crm.contacts.add(last_name="X", job_title="Filipe")
    crm.contacts.add(last_name="Y", job_title="Philippe")
    with ck.config_context(lang="fr"):
        french = crm.contacts.variants("job_title", method="phonetic")
    assert {"Filipe", "Philippe"} <= set(french.df()["value"])


def test_replace_all_then_undo_restores_every_value(crm: ck.CRM, tmp_path: Path) -> None:
    before = crm.contacts.df()[["id", "job_title"]]
    batches = len(crm.batches())
    report = crm.contacts.variants("job_title").replace()
    assert (report.changed, report.details["clusters"]) == (3, 2)
    assert len(crm.batches()) == batches + 1
    assert _values(crm, "job_title") == [
        "Chef de projet",
        "Chef de projet",
        "DRH",
        "Dir. commercial",
        *["Directeur commercial"] * 4,
    ]
    history = crm.history(batch_id=report.batch_id)
    assert len(history) == 3 and set(history["field"]) == {"job_title"}
    crm.close()
    reopened = ck.open(tmp_path / "crm.duckdb", user="Nicole Bertrand")  # written to the file
    try:
        assert "DIRECTEUR COMMERCIAL" not in _values(reopened, "job_title")
        reopened.undo(report.batch_id)
        after = reopened.contacts.df()[["id", "job_title"]]
        pd.testing.assert_frame_equal(after, before)
    finally:
        reopened.close()


def test_replace_chosen_clusters_and_values(crm: ck.CRM) -> None:
    found = crm.contacts.variants("job_title")
    report = found.replace({2: "  Chef  de projet "})  # normalised as a form save would
    assert report.changed == 1
    assert _values(crm, "job_title").count("Chef de projet") == 2
    assert "DIRECTEUR COMMERCIAL" in _values(crm, "job_title")  # cluster 1 left alone
    report = found.replace([1])
    assert report.changed == 2
    assert "DIRECTEUR COMMERCIAL" not in _values(crm, "job_title")


def test_replace_only_inside_the_selection(crm: ck.CRM) -> None:
    selection = crm.contacts.filter(account="APROOL")
    found = crm.contacts.variants("city", method="levenshtein", where=selection)
    assert set(found.df()["value"]) == {"Paris", "paris"}  # the odd-numbered rows
    assert found.replace().changed == 1
    cities = crm.contacts.df().set_index("last_name")["city"]
    assert cities["Blou2"] == "PARIS" and cities["Blou4"] == "Pariss"  # outside: untouched
    assert cities["Blou3"] == "Paris"


def test_dry_run_writes_nothing(crm: ck.CRM) -> None:
    found = crm.contacts.variants("job_title")
    batches = len(crm.batches())
    report = found.replace(dry_run=True)
    assert report.batch_id is None and report.changed == 0
    assert report.details["would change"] == 3
    assert len(crm.batches()) == batches
    assert found.plan([2]).values.tolist() == [[2, "chef de projet", "Chef de projet", 1]]


def test_custom_field_replace_and_undo(crm: ck.CRM) -> None:
    found = crm.contacts.variants("custom.zone")
    assert found.df()[["canonical", "value", "count"]].values.tolist() == [
        ["Île-de-France", "ile de france", 2],  # a tie: the well-cased, accented one
        ["Île-de-France", "Île-de-France", 2],
    ]
    report = found.replace()
    assert report.changed == 2
    zones = crm.contacts.df()["custom"].dropna().tolist()
    assert zones == ['{"zone":"Île-de-France"}'] * 4
    crm.undo(report.batch_id)
    assert crm.contacts.df()["custom"].dropna().tolist().count('{"zone":"ile de france"}') == 2


def test_accounts_variants(crm: ck.CRM) -> None:
    found = crm.accounts.variants("billing_city")
    assert found.df()["value"].tolist() == ["PARIS", "Paris"]
    assert found.replace().changed == 1
    assert set(crm.accounts.df()["billing_city"]) == {"Paris"}


def test_a_replacement_the_field_refuses_writes_nothing(crm: ck.CRM) -> None:
    found = crm.contacts.variants("job_title")
    batches = len(crm.batches())
    with pytest.raises(ck.ValidationError, match=r"Job title: 'x{20}.*cannot replace cluster 1"):
        found.replace({1: "x" * 200})
    with pytest.raises(ck.ValidationError, match=r"'y{20}.*cannot replace cluster 2.*at most"):
        found.replace({1: "Directeur commercial", 2: "y" * 200})  # the second one named
    with pytest.raises(ck.ValidationError, match="blank"):
        found.replace({2: "  "})
    with pytest.raises(ck.ValidationError, match="Job title: 5 cannot replace cluster 2: not text"):
        found.replace({2: 5})
    assert len(crm.batches()) == batches
    assert "DIRECTEUR COMMERCIAL" in _values(crm, "job_title")


def test_a_vocabulary_field_normalises_and_checks_the_replacement(crm: ck.CRM) -> None:
    crm.accounts.add(name="C", sector="software")
    crm.accounts.add(name="D", sector="Software")
    crm.accounts.add(name="E", sector="SOFTWARE")
    found = crm.accounts.variants("sector")
    assert len(found) == 0  # stored values are already the vocabulary's own


@pytest.mark.parametrize(
    ("field", "match"),
    [
        ("nope", "unknown field 'nope' of contacts; text fields: .*job_title"),
        ("birthday", "birthday is not a text field \\(date\\)"),
        ("account_id", "account_id is not a text field \\(ref\\)"),
        ("created_by", "created_by is not a text field"),  # kept by crmkit, not the user
    ],
)
def test_bad_field(crm: ck.CRM, field: str, match: str) -> None:
    with pytest.raises(ck.CRMKitError, match=match):
        crm.contacts.variants(field)


def test_bad_method_and_numbers(crm: ck.CRM) -> None:
    with pytest.raises(ck.CRMKitError, match="unknown method 'soundex'"):
        crm.contacts.variants("city", method="soundex")
    with pytest.raises(ck.CRMKitError, match="radius must be a whole number of at least 0"):
        crm.contacts.variants("city", method="levenshtein", radius=-1)
    with pytest.raises(ck.CRMKitError, match="n must be"):
        crm.contacts.variants("city", method="ngram-fingerprint", n=0)
    with pytest.raises(ck.CRMKitError, match="phonetic keys know en, fr, not 'de'"):
        crm.contacts.variants("city", method="phonetic", language="de")
    with pytest.raises(ck.CRMKitError, match="the selection holds accounts, not contacts"):
        crm.contacts.variants("city", where=crm.accounts.all())


@pytest.mark.parametrize("clusters", [[3], [0], {7: "Paris"}, [True], ["1"]])
def test_unknown_cluster_writes_nothing(crm: ck.CRM, clusters: object) -> None:
    found = crm.contacts.variants("job_title")
    batches = len(crm.batches())
    with pytest.raises(ck.CRMKitError, match=r"no cluster .*numbered 1 to 2"):
        found.replace(clusters)
    assert len(crm.batches()) == batches


def test_no_variants(crm: ck.CRM) -> None:
    found = crm.contacts.variants("last_name")
    assert len(found) == 0 and found.df().empty and found.pl().is_empty()
    assert repr(found) == "Last name: no spelling variants found"
    with pytest.raises(ck.CRMKitError, match="no cluster 1: no spelling variants were found"):
        found.replace([1])
    assert found.replace().changed == 0


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Job title of contacts (fingerprint): 2 clusters", "Proposed value", "Records"]),
        ("fr", ["Fonction des contacts (fingerprint) : 2 groupes", "Valeur proposée", "Fiches"]),
        ("zh", ["联系人的职位（fingerprint）：2 组", "建议值", "记录数"]),
    ],
)
def test_display_is_translated(crm: ck.CRM, lang: str, words: list[str]) -> None:
    found = crm.contacts.variants("job_title")
    with ck.config_context(lang=lang, table_display="static"):
        text, page = repr(found), found._repr_html_()
    for word in words:
        assert word in text and word in page
    assert "<table" in page and 'class="crmkit-variants"' in page


def test_errors_are_translated(crm: ck.CRM) -> None:
    with ck.config_context(lang="fr"), pytest.raises(ck.CRMKitError, match="champ 'x' inconnu"):
        crm.contacts.variants("x")
    with ck.config_context(lang="zh"), pytest.raises(ck.CRMKitError, match="未知方法"):
        crm.contacts.variants("city", method="x")


def test_text_field_addresses_custom_keys() -> None:
    assert text_field("contacts", "custom.Région").json_path == '$."R\\u00e9gion"'
    assert text_field("accounts", "name").label("accounts", "fr") == "Société"


def test_shared_mode_reads_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "shared.duckdb"
    with ck.open(path, user="A") as crm:
        for city in ["Paris", "PARIS", "Lyon"]:
            crm.contacts.add(last_name="Blou", city=city)
    with ck.open(path, user="A", shared=True) as crm:
        found = crm.contacts.variants("city")
        assert "PARIS" in repr(found)
        report = found.replace()
        assert report.changed == 1
        crm.undo(report.batch_id)
        assert sorted(crm.contacts.df()["city"]) == ["Lyon", "PARIS", "Paris"]


def test_recluster_keeps_the_selection_and_options_and_reads_anew(crm: ck.CRM) -> None:
    for city in ("Paris", "Paris", "Pariss", "PARIS"):
        crm.contacts.add(last_name="Durand", city=city, active=False)
    inactive = crm.contacts.filter(active=False)
    found = crm.contacts.variants("city", where=inactive, min_count=2)
    assert found.options == {"min_count": 2, "n": 2, "radius": 1, "language": "en"}
    near = found.recluster("levenshtein")
    assert near.method == "levenshtein" and near.options == found.options
    assert [c.values for c in near.clusters] == [
        (("Paris", 2), ("PARIS", 1), ("Pariss", 1))
    ]  # only the inactive contacts: the selection is kept
    crm.contacts.add(last_name="Wei", city="Pariss", active=False)
    assert near.recluster().clusters[0].count == 5  # read again
    assert found.recluster(min_count=10).clusters == []
    with pytest.raises(ck.ValidationError, match=r"unknown option .where."):
        found.recluster(where=None)
