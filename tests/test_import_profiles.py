"""Import profiles (``crm.import_profiles``, ``crmkit._importing._profiles``): saved on a
real DuckDB file, applied by name or recalled by a file's headers; defaults for new
records; the overwrite policy per field on the records an import updates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import polars as pl
import pytest

import crmkit as ck
from crmkit.cli._main import main

PURCHASED = {
    "Nom": ["Blou", "Durand"],
    "Courriel": ["helene@blou.fr", "marc@durand.fr"],
    "Poste": ["CEO", None],
    "Service": [None, "Achats"],
    "Commercial": ["Marc Dupuis", "Marc Dupuis"],
}
MAPPING = {
    "Nom": "last_name",
    "Courriel": "email",
    "Poste": "job_title",
    "Service": "department",
    "Commercial": "owner",
}


def write_csv(path: Path, columns: dict[str, list[object]]) -> Path:
    pd.DataFrame(columns).to_csv(path, index=False)
    return path


def people(crm: ck.CRM) -> dict[str, dict[str, object]]:
    frame = crm.contacts.df()
    frame["owner"] = frame["owner_id"].map(
        lambda i: None if pd.isna(i) else crm.owners.get(int(i))["name"]
    )
    return {
        str(r["last_name"]): {
            k: (None if not isinstance(v, list) and pd.isna(v) else v) for k, v in r.items()
        }
        for r in frame.to_dict("records")
    }


@pytest.fixture
def db(tmp_path: Path) -> ck.CRM:
    crm = ck.open(tmp_path / "crm.duckdb", user="Nicole Bertrand")
    yield crm
    crm.close()


def test_a_profile_is_saved_in_the_database_and_listed(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path) as crm:
        saved = crm.import_profiles.save(
            "salon",
            mapping=MAPPING,
            defaults={"origin": "Salon 2026", "tags": ["salon"]},
            overwrite={"owner": "never", "department": "if_empty"},
            options={"create_owners": True},
        )
        assert saved.overwrite == {"owner_id": "never", "department": "if_empty"}
    with ck.open(path) as crm:  # another session reads the same profile
        profile = crm.import_profiles.get("salon")
        assert profile.mapping == MAPPING
        assert profile.defaults == {"origin": "Salon 2026", "tags": ["salon"]}
        assert profile.options == {"create_owners": True}
        assert profile.headers == tuple(MAPPING)
        listed = crm.import_profiles.list()
        assert list(listed["name"]) == ["salon"]
        assert listed.loc[0, "kind"] == "contacts"
        crm.import_profiles.delete("salon")
        assert crm.import_profiles.list().empty
        with pytest.raises(ck.UnknownValueError, match="salon"):
            crm.import_profiles.get("salon")


def test_an_import_by_profile_uses_its_mapping_defaults_and_options(
    db: ck.CRM, tmp_path: Path
) -> None:
    db.import_profiles.save(
        "salon",
        mapping=MAPPING,
        defaults={"origin": "Salon 2026", "tags": ["salon"], "country": "France"},
        options={"create_owners": True},
        headers=["something else"],  # never recalled: only used by name
    )
    csv = write_csv(tmp_path / "salon.csv", PURCHASED)
    report = db.import_file(csv, profile="salon")
    assert (report.inserted, report.n_rejected, report.profile) == (2, 0, "salon")
    assert not report.profile_recalled
    assert "import profile salon" in repr(report)
    rows = people(db)
    assert rows["Blou"]["origin"] == "Salon 2026"
    assert rows["Blou"]["tags"] == ["salon"]
    assert rows["Blou"]["country"] == "FR"  # a default is normalised as a form value is
    assert rows["Durand"]["owner"] == "Marc Dupuis"  # create_owners came from the profile


def test_a_default_fills_empty_cells_and_missing_columns_of_new_records_only(
    db: ck.CRM, tmp_path: Path
) -> None:
    db.import_file(write_csv(tmp_path / "first.csv", {"Nom": ["Blou"], "Email": ["h@blou.fr"]}))
    db.import_profiles.save("jobs", defaults={"job_title": "Acheteur", "origin": "Liste"})
    second = write_csv(
        tmp_path / "second.csv",
        {
            "Nom": ["Blou", "Durand", "Petit"],
            "Email": ["h@blou.fr", "d@d.fr", "p@p.fr"],
            "Fonction": [None, None, "DAF"],
        },
    )
    report = db.import_file(second, profile="jobs")
    assert (report.inserted, report.updated) == (2, 0)
    rows = people(db)
    assert rows["Durand"]["job_title"] == "Acheteur"  # empty cell
    assert rows["Durand"]["origin"] == "Liste"  # missing column
    assert rows["Petit"]["job_title"] == "DAF"  # the file's value wins
    # The record the import matched keeps what it had: a default is for new records.
    assert rows["Blou"]["job_title"] is None
    assert rows["Blou"]["origin"] is None


def test_the_overwrite_policy_applies_field_by_field_on_upsert(db: ck.CRM, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "crm_export.csv", PURCHASED)
    db.import_file(first, mapping=MAPPING, create_owners=True)
    db.import_profiles.save(
        "purchased list",
        mapping=MAPPING,
        options={"create_owners": True},
        overwrite={
            "owner": "never",
            "job_title": "if_empty",
            "department": "if_empty",
            "email": "always",
        },
        headers=["a header no file has"],
    )
    second = write_csv(
        tmp_path / "purchased.csv",
        {
            "Nom": ["Blou", "Durand"],
            "Courriel": ["helene@blou.fr", "marc@durand.fr"],
            "Poste": ["Directrice", "Acheteur"],
            "Service": ["Direction", "Ventes"],
            "Commercial": ["Sophie Roy", "Sophie Roy"],
        },
    )
    report = db.import_file(second, profile="purchased list")
    rows = people(db)
    assert rows["Blou"]["owner"] == rows["Durand"]["owner"] == "Marc Dupuis"  # never
    assert rows["Blou"]["job_title"] == "CEO"  # if_empty: held
    assert rows["Durand"]["job_title"] == "Acheteur"  # if_empty: was empty, filled
    assert rows["Blou"]["department"] == "Direction"  # if_empty: was empty, filled
    assert rows["Durand"]["department"] == "Achats"  # if_empty: held
    assert report.updated == 2
    # Without the policy the same file changes every field (the policy made the difference).
    db.import_file(second, mapping=MAPPING, create_owners=True)
    rows = people(db)
    assert rows["Blou"]["owner"] == "Sophie Roy"
    assert rows["Blou"]["job_title"] == "Directrice"


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_frames_take_a_profile_and_its_policy(db: ck.CRM, library: str) -> None:
    make = pd.DataFrame if library == "pandas" else pl.DataFrame
    db.import_frame(make({"Nom": ["Blou"], "Email": ["h@blou.fr"], "Fonction": ["CEO"]}))
    db.import_profiles.save(
        "keep titles", overwrite={"job_title": "never"}, defaults={"origin": "Liste"}
    )
    report = db.import_frame(
        make(
            {
                "Nom": ["Blou", "Roy"],
                "Email": ["h@blou.fr", "r@roy.fr"],
                "Fonction": ["Stagiaire", "DAF"],
            }
        ),
        profile="keep titles",
    )
    assert (report.inserted, report.updated, report.unchanged) == (1, 0, 1)
    rows = people(db)
    assert rows["Blou"]["job_title"] == "CEO"
    assert (rows["Roy"]["job_title"], rows["Roy"]["origin"]) == ("DAF", "Liste")


def test_a_file_with_a_profiles_headers_recalls_it(db: ck.CRM, tmp_path: Path) -> None:
    db.import_profiles.save(
        "salon", mapping=MAPPING, defaults={"origin": "Salon"}, options={"create_owners": True}
    )
    book = tmp_path / "salon.xlsx"
    # Same set of headers in another order and case: the same export.
    frame = pd.DataFrame(PURCHASED)[["Commercial", "Courriel", "Nom", "Poste", "Service"]]
    frame.rename(columns={"Nom": "NOM"}).to_excel(book, index=False)
    preview = db.preview_import(book)
    assert (preview.profile, preview.profile_recalled) == ("salon", True)
    assert "recalled" in repr(preview)
    report = db.import_file(book)
    assert (report.profile, report.profile_recalled, report.inserted) == ("salon", True, 2)
    assert people(db)["Blou"]["origin"] == "Salon"
    # Another set of headers recalls nothing; an explicit mapping is never second-guessed.
    other = write_csv(tmp_path / "other.csv", {"Nom": ["Roy"], "Courriel": ["r@roy.fr"]})
    assert db.preview_import(other).profile is None
    mapped = db.preview_import(book, mapping={"Poste": "department"})
    assert mapped.profile is None


def test_options_given_to_the_import_win_over_the_profiles(db: ck.CRM, tmp_path: Path) -> None:
    db.import_profiles.save("create only", options={"mode": "create"})
    csv = write_csv(
        tmp_path / "a.csv", {"Nom": ["Blou"], "Email": ["h@blou.fr"], "Ville": ["Lyon"]}
    )
    db.import_file(csv)
    changed = write_csv(
        tmp_path / "b.csv", {"Nom": ["Blou"], "Email": ["h@blou.fr"], "Ville": ["Paris"]}
    )
    assert db.import_file(changed, profile="create only").updated == 0
    assert db.import_file(changed, profile="create only", mode="upsert").updated == 1


def test_a_profile_of_accounts_brings_its_kind(db: ck.CRM, tmp_path: Path) -> None:
    db.import_profiles.save("companies", kind="accounts", mapping={"Société": "name"})
    csv = write_csv(tmp_path / "companies.csv", {"Société": ["Acme"]})
    report = db.import_file(csv, profile="companies")
    assert (report.kind, report.inserted) == ("accounts", 1)
    with pytest.raises(ck.ValidationError, match="companies"):
        db.import_file(csv, "contacts", profile="companies")


@pytest.mark.parametrize(
    ("arguments", "error", "named"),
    [
        ({"mapping": {"Nom": "last_nam"}}, ck.UnknownValueError, "last_nam"),
        ({"defaults": {"orgin": "x"}}, ck.UnknownValueError, "orgin"),
        ({"overwrite": {"ownr": "never"}}, ck.UnknownValueError, "ownr"),
        ({"overwrite": {"owner": "sometimes"}}, ck.ValidationError, "sometimes"),
        ({"defaults": {"birthday": "someday"}}, ck.ValidationError, "someday"),
        ({"defaults": {"owner": "Nobody Known"}}, ck.ValidationError, "Nobody Known"),
        ({"options": {"mod": "create"}}, ck.UnknownValueError, "mod"),
        ({"options": {"mapping": {}}}, ck.ValidationError, "mapping"),
    ],
)
def test_bad_input_names_what_is_wrong_and_saves_nothing(
    db: ck.CRM, arguments: dict[str, object], error: type[Exception], named: str
) -> None:
    with pytest.raises(error, match=named) as caught:
        db.import_profiles.save("bad", **arguments)  # type: ignore[arg-type]
    assert isinstance(caught.value, ck.CRMKitError)
    assert db.import_profiles.list().empty


def test_bad_input_to_an_import_writes_nothing(db: ck.CRM, tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "a.csv", {"Nom": ["Blou"]})
    with pytest.raises(ck.UnknownValueError, match="salon"):
        db.import_file(csv, profile="salon")
    with pytest.raises(ck.ValidationError, match="maybe"):
        db.import_file(csv, overwrite={"job_title": "maybe"})
    with pytest.raises(ck.ValidationError, match="someday"):
        db.import_file(csv, defaults={"birthday": "someday"})
    assert db.counts()["contacts"] == 0
    assert db.imports().empty


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"overwrite": {"ownr": "never"}}, "ownr"),
        ({"defaults": {"orgin": "x"}}, "orgin"),
        ({"profile": "salon"}, "salon"),
        ({"defaults": {"owner": "Nobody Known"}}, "Nobody Known"),
    ],
)
@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_bad_input_to_a_frame_import_names_it_and_writes_nothing(
    db: ck.CRM, arguments: dict[str, object], named: str, library: str
) -> None:
    """A policy or a default on a field that does not exist, an unknown profile or a
    default the database refuses, given to the import itself (no profile saved)."""
    rows = {"Nom": ["Blou"], "Courriel": ["h@blou.fr"]}
    frame = pd.DataFrame(rows) if library == "pandas" else pl.DataFrame(rows)
    with pytest.raises(ck.CRMKitError, match=named):
        db.import_frame(frame, **arguments)  # type: ignore[arg-type]
    assert db.counts()["contacts"] == 0
    assert db.imports().empty


def test_errors_are_worded_in_the_language_chosen(db: ck.CRM) -> None:
    with ck.config_context(lang="fr"), pytest.raises(ck.ValidationError) as caught:
        db.import_profiles.save("bad", overwrite={"owner": "parfois"})
    assert "règle d'écrasement" in str(caught.value)
    with ck.config_context(lang="zh"), pytest.raises(ck.UnknownValueError) as unknown:
        db.import_profiles.get("nope")
    assert "导入配置" in str(unknown.value)


def test_the_command_line_imports_with_a_profile(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path) as crm:
        crm.import_profiles.save(
            "salon",
            mapping=MAPPING,
            defaults={"origin": "Salon"},
            headers=["never matched"],
            options={"create_owners": True},
        )
    csv = write_csv(tmp_path / "salon.csv", PURCHASED)
    assert main(["--db", str(path), "import", str(csv), "--profile", "salon", "--quiet"]) == 0
    with ck.open(path) as crm:
        assert crm.contacts.df()["origin"].tolist() == ["Salon", "Salon"]
        assert crm.imports().loc[0, "profile"] == "salon"


def test_if_empty_holds_a_list_that_has_items_and_fills_an_empty_one(
    db: ck.CRM, tmp_path: Path
) -> None:
    db.import_frame(
        pd.DataFrame(
            {"Nom": ["Blou", "Roy"], "Email": ["h@blou.fr", "r@roy.fr"], "Tags": ["vip", None]}
        )
    )
    db.import_profiles.save("tags", overwrite={"tags": "if_empty"})
    db.import_frame(
        pd.DataFrame(
            {"Nom": ["Blou", "Roy"], "Email": ["h@blou.fr", "r@roy.fr"], "Tags": ["salon", "salon"]}
        ),
        profile="tags",
    )
    rows = people(db)
    assert list(rows["Blou"]["tags"]) == ["vip"]  # without the policy: ["vip", "salon"]
    assert list(rows["Roy"]["tags"]) == ["salon"]


def test_profiles_work_on_a_shared_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.duckdb"
    csv = write_csv(tmp_path / "a.csv", {"Nom": ["Blou"], "Courriel": ["h@blou.fr"]})
    with ck.open(path, shared=True) as crm:
        crm.import_profiles.save(
            "mail", mapping={"Nom": "last_name", "Courriel": "email"}, defaults={"origin": "X"}
        )
        report = crm.import_file(csv)
        assert (report.profile, report.inserted) == ("mail", 1)
        assert crm.imports().loc[0, "profile"] == "mail"
        assert list(crm.import_profiles.list()["name"]) == ["mail"]
