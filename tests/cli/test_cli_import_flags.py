"""``crmkit.cli._import_flags``: each import flag sets one ``ImportOptions`` field."""

from __future__ import annotations

import argparse
from dataclasses import fields

import pytest

import crmkit as ck
from crmkit._importing._options import ImportOptions
from crmkit.cli._import_flags import (
    IMPORT_FLAGS,
    add_import_flags,
    import_options,
    parse_mapping,
    parse_sheet,
)

# The import options the command line leaves at their defaults. A new ImportOptions field
# lands in IMPORT_FLAGS (with a flag) or here: the test below says which is missing.
NOT_ON_THE_COMMAND_LINE = {
    "decimal",
    "layout",
    "workers",
    "on_duplicate",
    "duplicate_threshold",
    "in_file_duplicates",
    "skip_rows",
    "chunk_rows",
    "defaults",  # saved in an import profile (--profile)
    "overwrite",
}


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_import_flags(parser, *IMPORT_FLAGS)
    return parser.parse_args(argv)


def test_every_flag_sets_a_field_and_every_field_is_decided() -> None:
    names = {f.name for f in fields(ImportOptions)}
    set_by_flags = [flag.option for flag in IMPORT_FLAGS.values()]
    assert set(set_by_flags) <= names
    assert len(set_by_flags) == len(set(set_by_flags)), "two flags set the same field"
    assert set(set_by_flags) | NOT_ON_THE_COMMAND_LINE == names
    assert not set(set_by_flags) & NOT_ON_THE_COMMAND_LINE


def test_no_flag_given_means_the_defaults() -> None:
    assert import_options(_parse()) == ImportOptions()


def test_each_flag_becomes_its_option() -> None:
    args = _parse(
        "--kind",
        "accounts",
        "--map",
        "Raison sociale=name",
        "--map",
        "Notes=",
        "--encoding",
        "cp1252",
        "--delimiter",
        ";",
        "--sheet",
        "2",
        "--header-row",
        "3",
        "--mode",
        "create",
        "--match-on",
        "name,website",
        "--dry-run",
        "--create-accounts",
        "--create-owners",
        "--month-first",
        "--region",
        "BE",
        "--quiet",
    )
    assert import_options(args) == ImportOptions(
        kind="accounts",
        mapping={"Raison sociale": "name", "Notes": None},
        encoding="cp1252",
        delimiter=";",
        sheet=2,
        header_row=3,
        mode="create",
        match_on=("name", "website"),
        dry_run=True,
        create_accounts=True,
        create_owners=True,
        dayfirst=False,
        region="BE",
        progress=False,
    )


def test_fixed_options_win_and_absent_flags_are_skipped() -> None:
    parser = argparse.ArgumentParser()
    add_import_flags(parser, "--kind", "--quiet")
    args = parser.parse_args(["--quiet"])
    assert not hasattr(args, "mode")
    assert import_options(args, dry_run=True) == ImportOptions(dry_run=True, progress=False)


def test_mode_choices_come_from_import_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parse("--mode", "merge")
    assert "invalid choice: 'merge'" in capsys.readouterr().err


def test_a_wrong_field_is_refused_by_import_options() -> None:
    with pytest.raises(ck.UnknownValueError, match="unknown contacts field 'emial'"):
        import_options(_parse("--match-on", "emial"))


def test_parse_mapping_and_sheet() -> None:
    assert parse_mapping(["Nom=last_name", "Tél.=", "a=b=c"]) == {
        "Nom": "last_name",
        "Tél.": None,
        "a": "b=c",
    }
    with pytest.raises(ck.ValidationError, match="--map takes 'Header=field', got 'Nom'"):
        parse_mapping(["Nom"])
    assert parse_sheet("0") == 0 and parse_sheet("Feuil1") == "Feuil1"
