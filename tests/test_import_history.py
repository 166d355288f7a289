"""Import history (``crm.imports()``, ``crmkit._importing._imports``): one row per import
with its file, content hash, profile, counts and fields changed; undone imports flagged;
a file imported again reported (not refused)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

import crmkit as ck


@pytest.fixture
def db(tmp_path: Path) -> ck.CRM:
    crm = ck.open(tmp_path / "crm.duckdb", user="Nicole Bertrand")
    yield crm
    crm.close()


def write_csv(path: Path, columns: dict[str, list[object]]) -> Path:
    pd.DataFrame(columns).to_csv(path, index=False)
    return path


FIRST = {
    "Nom": ["Blou", "Durand", "Blou", None],
    "Email": ["h@blou.fr", "d@d.fr", "h@blou.fr", "x@x.fr"],
    "Ville": ["Lyon", None, "Lyon", "Paris"],
}


def test_each_import_is_listed_with_its_file_counts_and_fields(db: ck.CRM, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "contacts.csv", FIRST)
    report = db.import_file(first)
    second = write_csv(
        tmp_path / "again.csv",
        {
            "Nom": ["Blou", "Roy"],
            "Email": ["h@blou.fr", "r@roy.fr"],
            "Ville": ["Paris", "Nice"],
            "Fonction": ["CEO", None],
        },
    )
    db.import_file(second)
    imports = db.imports()
    assert list(imports["file"]) == ["again.csv", "contacts.csv"]  # newest first
    older = imports.iloc[1]
    assert older["batch_id"] == report.batch_id
    assert older["kind"] == "contacts"
    assert older["file_size"] == first.stat().st_size
    assert older["file_hash"] == hashlib.sha256(first.read_bytes()).hexdigest()
    counts = ["read", "inserted", "updated", "unchanged", "rejected", "merged_in_file"]
    # A row without a last name is rejected; a repeated row is merged in the file.
    assert older[counts].tolist() == [4, 2, 0, 0, 1, 1]
    newer = imports.iloc[0]
    assert newer[counts].tolist() == [2, 1, 1, 0, 0, 0]
    assert newer["fields_changed"] == "city, job_title"
    assert not newer["undone"] and pd.isna(newer["profile"])


def test_an_undone_import_is_flagged(db: ck.CRM, tmp_path: Path) -> None:
    report = db.import_file(write_csv(tmp_path / "a.csv", FIRST))
    assert not db.imports().loc[0, "undone"]
    summary = db.undo(report.batch_id)
    listed = db.imports()
    assert len(listed) == 1  # the undo is not an import
    assert bool(listed.loc[0, "undone"])
    assert listed.loc[0, "undone_by"] == summary.batch_id


def test_a_file_imported_again_is_reported_not_refused(db: ck.CRM, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", FIRST)
    first = db.import_file(path)
    assert first.previous_imports == []
    copy = tmp_path / "copy of a.csv"
    copy.write_bytes(path.read_bytes())  # same content under another name
    preview = db.preview_import(copy)
    assert preview.previous_imports == [first.batch_id]
    assert "already imported" in repr(preview)
    again = db.import_file(copy, mode="create")
    assert again.previous_imports == [first.batch_id]
    assert "already imported" in repr(again) and "already imported" in again._repr_html_()
    assert again.read == 4  # the import ran
    # An undone import no longer counts (the second kept its rejected row: it stays);
    # other content never matches.
    assert again.batch_id is not None
    db.undo(first.batch_id)
    assert db.preview_import(copy).previous_imports == [again.batch_id]
    other = write_csv(tmp_path / "b.csv", {"Nom": ["Roy"], "Email": ["r@roy.fr"]})
    assert db.preview_import(other).previous_imports == []


def test_the_warning_is_worded_in_the_language_chosen(db: ck.CRM, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", FIRST)
    first = db.import_file(path)
    with ck.config_context(lang="fr"):
        assert f"déjà été importé (même contenu) : lot {first.batch_id}" in repr(
            db.preview_import(path)
        )
    with ck.config_context(lang="zh"):
        assert "此文件已导入过" in repr(db.preview_import(path))


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_frames_are_listed_without_a_file(db: ck.CRM, library: str) -> None:
    make = pd.DataFrame if library == "pandas" else pl.DataFrame
    report = db.import_frame(make({"Nom": ["Blou"], "Email": ["h@blou.fr"]}))
    listed = db.imports()
    assert listed.loc[0, "batch_id"] == report.batch_id
    assert listed.loc[0, "file"] == f"<{library} DataFrame>"
    assert pd.isna(listed.loc[0, "file_hash"]) and pd.isna(listed.loc[0, "file_size"])
    assert (listed.loc[0, "read"], listed.loc[0, "inserted"]) == (1, 1)
    assert report.previous_imports == []


def test_the_profile_is_recorded_and_history_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    csv = write_csv(tmp_path / "salon.csv", {"Nom": ["Blou"], "Courriel": ["h@blou.fr"]})
    with ck.open(path) as crm:
        crm.import_profiles.save("salon", mapping={"Nom": "last_name", "Courriel": "email"})
        crm.import_file(csv)
    with ck.open(path, read_only=True) as crm:
        listed = crm.imports()
        assert (listed.loc[0, "profile"], listed.loc[0, "inserted"]) == ("salon", 1)


def test_a_dry_run_leaves_no_import(db: ck.CRM, tmp_path: Path) -> None:
    db.import_file(write_csv(tmp_path / "a.csv", FIRST), dry_run=True)
    assert db.imports().empty


@pytest.mark.parametrize(
    ("lang", "headers"),
    [
        ("en", ["Imported at", "File", "Inserted", "Rejected", "Fields changed"]),
        ("fr", ["Importé le", "Fichier", "Ajoutées", "Rejetées", "Champs modifiés"]),
        ("zh", ["导入时间", "文件", "新增", "拒绝", "修改的字段"]),
    ],
)
def test_the_list_of_imports_shows_labelled_headers_and_blank_nulls(
    db: ck.CRM, tmp_path: Path, lang: str, headers: list[str]
) -> None:
    db.import_file(write_csv(tmp_path / "contacts.csv", FIRST))
    with ck.config_context(lang=lang):
        imports = db.imports()
        shown = imports._repr_html_()
    assert isinstance(imports, pd.DataFrame)
    assert all(h in shown for h in headers), shown[:2000]
    # No profile and not undone: blank cells, not the NaN / None / <NA> of a raw frame.
    assert "<NA>" not in repr(imports) and "None" not in repr(imports)
    assert "&lt;NA&gt;" not in shown and ">None<" not in shown and ">NaN<" not in shown
