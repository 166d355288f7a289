"""Typed custom fields (``crm.settings.add_field`` ...): a real column that every path
reading the database's catalog picks up, each change one undoable batch. Every assertion
that matters is made on the database (a real DuckDB file where reopening matters).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

import crmkit as ck
from crmkit._exceptions import CRMKitError, UndoConflictError, ValidationError
from crmkit.schemas import CONTACTS
from crmkit.schemas._custom import check_field_name
from crmkit.widgets import AccountForm, ContactForm

LABELS = {"en": "Shoe size", "fr": "Pointure", "zh": "鞋码"}


def _columns(crm: ck.CRM, table: str) -> list[str]:
    rows = crm._session.con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
    ).fetchall()
    return [r[0] for r in rows]


def _batches(crm: ck.CRM) -> int:
    return int(crm._session.con.execute("SELECT count(*) FROM batches").fetchall()[0][0])


@pytest.fixture
def shoes(crm: ck.CRM) -> ck.CRM:
    """An integer ``shoe_size`` and a choice ``tier`` on contacts."""
    crm.settings.add_field("contacts", "shoe_size", "integer", labels=LABELS)
    crm.settings.add_field("contacts", "tier", "choice", vocabulary=["Gold", "Silver"])
    return crm


# -- adding ---------------------------------------------------------------------------------


def test_add_field_creates_a_typed_column_listed_by_fields(crm: ck.CRM) -> None:
    report = crm.settings.add_field("contacts", "shoe_size", "integer", labels=LABELS)
    assert report.moved == 0 and report.kept.empty
    assert "shoe_size" in _columns(crm, "contacts")
    frame = crm.settings.fields("contacts")
    assert frame[["name", "type", "en", "fr", "zh"]].to_dict("records") == [
        {"name": "shoe_size", "type": "integer", **LABELS}
    ]
    assert crm.settings.catalog("contacts")["shoe_size"].sql_type == "BIGINT"
    assert "shoe_size" not in CONTACTS  # the static catalog stays the standard one
    assert crm.settings.fields("accounts").empty


@pytest.mark.parametrize(
    ("type_name", "value", "stored"),
    [
        ("text", "Blue", "Blue"),
        ("integer", "42", 42),
        ("decimal", "3,5", 3.5),
        ("boolean", "oui", True),
        ("date", "2026-03-01", pd.Timestamp("2026-03-01").date()),
        ("list", "a; b", ["a", "b"]),
    ],
)
def test_each_type_converts_what_is_added(
    crm: ck.CRM, type_name: str, value: Any, stored: Any
) -> None:
    crm.settings.add_field("contacts", "extra", type_name)
    cid = crm.contacts.add(last_name="Blou", extra=value)
    assert crm.contacts.get(cid)["extra"] == stored


def test_values_in_custom_move_into_the_column_as_one_undoable_batch(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="Blou", custom={"shoe_size": "38", "pet": "cat"})
    b = crm.contacts.add(last_name="Durand", custom={"shoe_size": 41})
    report = crm.settings.add_field("contacts", "shoe_size", "integer")
    assert report.moved == 2
    assert crm.contacts.get(a)["shoe_size"] == 38
    assert json.loads(crm.contacts.get(a)["custom"]) == {"pet": "cat"}
    assert crm.contacts.get(b)["custom"] is None
    batch = crm.batches(limit=1)
    assert batch["operation"].tolist() == ["add field"]
    crm.undo(report.batch_id)
    assert "shoe_size" not in _columns(crm, "contacts")
    assert json.loads(crm.contacts.get(a)["custom"]) == {"shoe_size": "38", "pet": "cat"}
    assert json.loads(crm.contacts.get(b)["custom"]) == {"shoe_size": 41}
    assert crm.settings.fields("contacts").empty


def test_values_that_do_not_convert_are_refused_up_front(crm: ck.CRM) -> None:
    crm.contacts.add(last_name="Blou", custom={"shoe_size": "38"})
    bad = crm.contacts.add(last_name="Durand", custom={"shoe_size": "big"})
    before = _batches(crm)
    with pytest.raises(ValidationError, match=rf"contacts {bad}, shoe_size: 'big'"):
        crm.settings.add_field("contacts", "shoe_size", "integer")
    assert _batches(crm) == before
    assert "shoe_size" not in _columns(crm, "contacts")
    assert crm.settings.fields().empty


def test_on_error_keep_leaves_misfits_in_custom_and_reports_them(crm: ck.CRM) -> None:
    good = crm.contacts.add(last_name="Blou", custom={"tier": "gold"})
    bad = crm.contacts.add(last_name="Durand", custom={"tier": "Platinum"})
    report = crm.settings.add_field(
        "contacts", "tier", "choice", vocabulary=["Gold", "Silver"], on_error="keep"
    )
    assert report.moved == 1
    assert report.kept[["id", "field", "value"]].to_dict("records") == [
        {"id": bad, "field": "tier", "value": "Platinum"}
    ]
    assert crm.contacts.get(good)["tier"] == "Gold"  # a vocabulary label reads as its value
    assert crm.contacts.get(bad)["tier"] is None
    assert json.loads(crm.contacts.get(bad)["custom"]) == {"tier": "Platinum"}


def test_a_required_field_needs_a_value_on_every_record(crm: ck.CRM) -> None:
    crm.contacts.add(last_name="Blou")
    with pytest.raises(ValidationError, match="required"):
        crm.settings.add_field("contacts", "badge", "text", required=True)
    assert crm.settings.fields().empty


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("contacts", "email", "text"), {}, "already has"),
        (("contacts", "company", "text"), {}, "already has"),  # a derived column
        (("contacts", "shoe_size", "text"), {}, "already has"),  # an existing custom field
        (("contacts", "select", "text"), {}, "SQL keyword"),
        (("contacts", "order", "text"), {}, "SQL keyword"),
        (("contacts", "; DROP", "text"), {}, "cannot name"),
        (("contacts", "Shoe", "text"), {}, "cannot name"),
        (("contacts", "x" * 64, "text"), {}, "cannot name"),
        (("contacts", "colour", "colour"), {}, "unknown custom field type"),
        (("contacts", "colour", "text"), {"vocabulary": ["red"]}, "only a choice field"),
        (("contacts", "colour", "choice"), {}, "needs a vocabulary"),
        (("contacts", "colour", "choice"), {"vocabulary": ["a", "a"]}, "distinct"),
        (("contacts", "colour", "text"), {"labels": {"de": "Farbe"}}, "label language"),
        (("contacts", "colour", "text"), {"on_error": "ignore"}, "on_error"),
        (("deals", "colour", "text"), {}, "table"),
    ],
)
def test_bad_definitions_are_refused_and_nothing_is_written(
    shoes: ck.CRM, args: tuple[str, ...], kwargs: dict[str, Any], match: str
) -> None:
    before = (_batches(shoes), _columns(shoes, "contacts"))
    with pytest.raises(CRMKitError, match=match):
        shoes.settings.add_field(*args, **kwargs)
    assert (_batches(shoes), _columns(shoes, "contacts")) == before
    assert len(shoes.settings.fields()) == 2


@given(name=st.text(max_size=70))
@settings(max_examples=examples(200))
def test_a_name_is_accepted_only_as_a_plain_lower_case_identifier(name: str) -> None:
    keywords = {"select", "from", "drop"}
    try:
        assert check_field_name(name, {"email"}, keywords) == name
    except ValidationError:
        ok = False
    else:
        ok = True
    plain = (
        0 < len(name) < 64
        and name[0].isascii()
        and name[0].islower()
        and all(c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in name)
    )
    assert ok == (plain and name not in keywords and name != "email")


# -- rename and drop ------------------------------------------------------------------------


def test_rename_keeps_values_and_undo_renames_back(shoes: ck.CRM) -> None:
    cid = shoes.contacts.add(last_name="Blou", shoe_size=38)
    batch = shoes.settings.rename_field("contacts", "shoe_size", "pointure")
    assert shoes.contacts.get(cid)["pointure"] == 38
    assert "shoe_size" not in _columns(shoes, "contacts")
    shoes.undo(batch)
    assert shoes.contacts.get(cid)["shoe_size"] == 38
    assert "pointure" not in _columns(shoes, "contacts")


def test_rename_refuses_bad_names_and_unknown_fields(shoes: ck.CRM) -> None:
    before = _batches(shoes)
    with pytest.raises(ValidationError, match="already has"):
        shoes.settings.rename_field("contacts", "shoe_size", "tier")
    with pytest.raises(ValidationError, match="not a custom field"):
        shoes.settings.rename_field("contacts", "email", "courriel")
    with pytest.raises(ValidationError, match="SQL keyword"):
        shoes.settings.rename_field("contacts", "shoe_size", "table")
    assert _batches(shoes) == before


def test_drop_needs_confirm_and_undo_restores_field_and_values(shoes: ck.CRM) -> None:
    cid = shoes.contacts.add(last_name="Blou", shoe_size=38, tier="Gold")
    with pytest.raises(ValidationError, match="confirm=True"):
        shoes.settings.drop_field("contacts", "shoe_size")
    assert shoes.contacts.get(cid)["shoe_size"] == 38
    batch = shoes.settings.drop_field("contacts", "shoe_size", confirm=True)
    assert "shoe_size" not in _columns(shoes, "contacts")
    assert "shoe_size" not in shoes.contacts.df().columns
    shoes.undo(batch)
    assert shoes.contacts.get(cid)["shoe_size"] == 38
    assert list(shoes.settings.fields("contacts")["name"]) == ["shoe_size", "tier"]


def test_undo_of_add_refuses_when_a_value_was_written_since(shoes: ck.CRM) -> None:
    report = shoes.settings.add_field("accounts", "tier", "choice", vocabulary=["A", "B"])
    acc = shoes.accounts.add(name="APROOL", tier="A")
    with pytest.raises(UndoConflictError, match=rf"accounts {acc}: 'A'"):
        shoes.undo(report.batch_id)
    assert "tier" in _columns(shoes, "accounts")
    assert shoes.accounts.get(acc)["tier"] == "A"


def test_undo_of_a_write_to_a_renamed_field_says_so(shoes: ck.CRM) -> None:
    cid = shoes.contacts.add(last_name="Blou")
    shoes.contacts.update(cid, shoe_size=40)
    write = shoes.last_batch_id
    shoes.settings.rename_field("contacts", "shoe_size", "pointure")
    with pytest.raises(UndoConflictError, match="renamed or dropped since"):
        shoes.undo(write)


def test_the_field_is_still_there_after_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path) as crm:
        crm.settings.add_field("contacts", "shoe_size", "integer", labels=LABELS)
        cid = crm.contacts.add(last_name="Blou", shoe_size="38")
    with ck.open(path) as crm:
        assert crm.contacts.get(cid)["shoe_size"] == 38
        assert crm.settings.fields("contacts")["fr"].tolist() == ["Pointure"]
        with pytest.raises(ValidationError, match="whole number"):
            crm.contacts.update(cid, shoe_size="big")
    with ck.open(path, read_only=True) as crm:
        assert crm.contacts.filter(shoe_size=38).ids == [cid]


# -- every path of the catalog --------------------------------------------------------------


def test_add_update_and_bulk_validate_type_and_vocabulary(shoes: ck.CRM) -> None:
    cid = shoes.contacts.add(last_name="Blou", shoe_size=38, tier="silver")
    assert shoes.contacts.get(cid)["tier"] == "Silver"
    with pytest.raises(ValidationError, match="Tier: not in the list"):
        shoes.contacts.add(last_name="Durand", tier="Platinum")
    with pytest.raises(ValidationError, match="whole number"):
        shoes.contacts.update(cid, shoe_size="big")
    report = shoes.contacts.filter(ids=[cid]).update(shoe_size=40)
    assert report.changed == 1
    assert shoes.contacts.get(cid)["shoe_size"] == 40
    with pytest.raises(ValidationError):
        shoes.contacts.filter(ids=[cid]).update(tier="Platinum")
    assert shoes.contacts.get(cid)["tier"] == "Silver"
    ids = shoes.contacts.add_many(pd.DataFrame({"last_name": ["A", "B"], "shoe_size": [1, 2]}))
    assert [shoes.contacts.get(i)["shoe_size"] for i in ids] == [1, 2]


def test_a_required_custom_field_is_required_everywhere(crm: ck.CRM) -> None:
    crm.settings.add_field("contacts", "badge", "text", required=True)
    assert "badge" in crm.settings.required_fields("contacts")
    with pytest.raises(ValidationError, match="Badge: required"):
        crm.contacts.add(last_name="Blou")
    assert crm.contacts.get(crm.contacts.add(last_name="Blou", badge="B-12"))["badge"] == "B-12"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_import_maps_headers_by_label_and_name_and_rejects_bad_values(
    shoes: ck.CRM, tmp_path: Path, suffix: str
) -> None:
    frame = pd.DataFrame(
        {"Nom": ["Blou", "Durand", "Martin"], "鞋码": ["38", "big", "40"], "tier": ["Gold"] * 3}
    )
    path = tmp_path / f"in{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_excel(path, index=False)
    report = shoes.import_file(path, kind="contacts")
    assert report.inserted == 2
    assert len(report.rejected) == 1
    df = shoes.contacts.df().sort_values("last_name")
    assert df[["last_name", "shoe_size", "tier"]].to_dict("records") == [
        {"last_name": "Blou", "shoe_size": 38, "tier": "Gold"},
        {"last_name": "Martin", "shoe_size": 40, "tier": "Gold"},
    ]


def test_filters_and_frames_in_pandas_and_polars(shoes: ck.CRM) -> None:
    a = shoes.contacts.add(last_name="Blou", shoe_size=38, tier="Gold")
    shoes.contacts.add(last_name="Durand", shoe_size=42, tier="Silver")
    assert shoes.contacts.filter(tier="Gold").ids == [a]
    assert shoes.contacts.filter(shoe_size=[38, 40]).ids == [a]
    pdf = shoes.contacts.filter(tier="Gold").df()
    assert pdf["shoe_size"].tolist() == [38]
    plf = shoes.contacts.filter(tier="Gold").pl()
    assert isinstance(plf, pl.DataFrame)
    assert plf["shoe_size"].to_list() == [38]
    assert shoes.contacts.filter(tier="Gold").columns("last_name", "shoe_size").df().shape == (1, 2)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_exports_have_the_custom_columns(shoes: ck.CRM, tmp_path: Path, suffix: str) -> None:
    shoes.contacts.add(last_name="Blou", shoe_size=38, tier="Gold")
    path = tmp_path / f"out{suffix}"
    shoes.contacts.filter().export(path)
    if suffix == ".csv":
        back = pd.read_csv(path)
    elif suffix == ".xlsx":
        back = pd.read_excel(path, engine="openpyxl")
    else:
        back = pd.read_parquet(path)
    assert back["shoe_size"].tolist() == [38]
    assert back["tier"].tolist() == ["Gold"]


def test_vcard_export_writes_x_properties_and_import_reads_them_back(
    shoes: ck.CRM, tmp_path: Path
) -> None:
    shoes.contacts.add(last_name="Blou", shoe_size=38, tier="Gold", custom={"X-PET": "cat"})
    path = tmp_path / "out.vcf"
    shoes.contacts.filter().export_vcf(path)
    text = path.read_text()
    assert "X-CRMKIT-SHOE-SIZE:38" in text
    assert "X-CRMKIT-TIER:Gold" in text
    with ck.open() as other:
        other.settings.add_field("contacts", "shoe_size", "integer")
        other.settings.add_field("contacts", "tier", "choice", vocabulary=["Gold", "Silver"])
        report = other.import_file(path, kind="contacts")
        assert report.inserted == 1
        row = other.contacts.df().iloc[0]
        assert (row["shoe_size"], row["tier"]) == (38, "Gold")
        assert "X-CRMKIT" not in str(row["custom"])
        assert json.loads(row["custom"])["X-PET"] == "cat"
    # Without the fields, the properties stay in custom: nothing is lost.
    with ck.open() as plain:
        plain.import_file(path, kind="contacts")
        assert "X-CRMKIT-SHOE-SIZE" in plain.contacts.df().iloc[0]["custom"]


def test_quality_report_counts_and_labels_custom_fields(shoes: ck.CRM) -> None:
    shoes.contacts.add(last_name="Blou", shoe_size=38)
    shoes.contacts.add(last_name="Durand")
    frame = shoes.quality("contacts").df().set_index("field")
    assert int(frame.loc["shoe_size", "filled"]) == 1
    assert frame.loc["shoe_size", "label"] == "Shoe size"
    assert "Shoe size" in str(shoes.quality("contacts"))


def test_forms_have_inputs_for_custom_fields_and_save_them(shoes: ck.CRM) -> None:
    form = ContactForm(shoes, lang="fr")
    assert "Pointure" in form.fields["shoe_size"].label.value
    form.inputs["last_name"].value = "Blou"
    form.inputs["shoe_size"].value = "38"
    form.inputs["tier"].value = "Gold"
    form.buttons["save"].click()
    assert form.record_id is not None
    saved = shoes.contacts.get(form.record_id)
    assert (saved["shoe_size"], saved["tier"]) == (38, "Gold")
    shoes.settings.add_field("accounts", "segment", "text", labels={"en": "Segment"})
    assert "Segment" in AccountForm(shoes).fields["segment"].label.value


def test_shared_mode_sees_custom_fields_added_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path, shared=True) as first, ck.open(path, shared=True) as second:
        first.settings.add_field("contacts", "shoe_size", "integer")
        cid = second.contacts.add(last_name="Blou", shoe_size="38")
        assert first.contacts.get(cid)["shoe_size"] == 38


def test_import_in_worker_processes_knows_the_custom_fields(shoes: ck.CRM, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    rows = 40
    pd.DataFrame(
        {"Nom": [f"N{i}" for i in range(rows)], "Pointure": [str(30 + i) for i in range(rows)]}
    ).to_csv(path, index=False)
    report = shoes.import_file(path, kind="contacts", workers=2, chunk_rows=10)
    assert report.inserted == rows
    assert sorted(shoes.contacts.df()["shoe_size"].tolist()) == list(range(30, 30 + rows))


def test_undo_of_a_drop_refuses_when_the_name_was_taken_again(shoes: ck.CRM) -> None:
    cid = shoes.contacts.add(last_name="Blou", shoe_size=38)
    dropped = shoes.settings.drop_field("contacts", "shoe_size", confirm=True)
    shoes.settings.add_field("contacts", "shoe_size", "text")
    with pytest.raises(UndoConflictError, match="added again since"):
        shoes.undo(dropped)
    assert shoes.settings.catalog("contacts")["shoe_size"].kind == "text"
    assert shoes.contacts.get(cid)["shoe_size"] is None


def test_merge_keeps_a_custom_value_on_the_survivor(shoes: ck.CRM) -> None:
    a = shoes.contacts.add(last_name="Blou", email="h.blou@aprool.com", shoe_size=38)
    b = shoes.contacts.add(last_name="Blou", email="h.blou@aprool.com")
    shoes.contacts.merge([a, b])
    assert shoes.contacts.df()["shoe_size"].tolist() == [38]


def test_crm_validate_checks_custom_fields_in_pandas_and_polars(
    shoes: ck.CRM, make_frame: Any
) -> None:
    frame = make_frame(
        {"last_name": ["Blou", "Durand"], "shoe_size": [38, "big"], "tier": ["Gold", "Bronze"]}
    )
    cases = shoes.validate(frame, "contacts").failure_cases
    found = cases[["row", "field", "check"]].to_dict("records")
    assert {"row": 1, "field": "shoe_size", "check": "integer"} in found
    assert {"row": 1, "field": "tier", "check": "vocabulary(tier)"} in found
    assert not (cases["row"] == 0).any()
    assert ck.validate(frame, "contacts").ok  # the standard model knows no custom field


def test_change_type_converts_values_and_undo_gives_the_old_ones_back(shoes: ck.CRM) -> None:
    shoes.settings.add_field("contacts", "badge", "text")
    a = shoes.contacts.add(last_name="Blou", badge="12")
    b = shoes.contacts.add(last_name="Durand", badge=" 7 ")
    batch = shoes.settings.change_field_type("contacts", "badge", "integer")
    assert (shoes.contacts.get(a)["badge"], shoes.contacts.get(b)["badge"]) == (12, 7)
    assert shoes.settings.catalog("contacts")["badge"].sql_type == "BIGINT"
    with pytest.raises(ValidationError, match="whole number"):
        shoes.contacts.update(a, badge="twelve")
    shoes.undo(batch)
    assert shoes.settings.catalog("contacts")["badge"].kind == "text"
    assert (shoes.contacts.get(a)["badge"], shoes.contacts.get(b)["badge"]) == ("12", "7")


@pytest.mark.parametrize(
    ("field", "value", "type_name", "kwargs"),
    [
        ("shoe_size", 38, "boolean", {}),
        ("shoe_size", 38, "date", {}),
        ("tier", "Gold", "choice", {"vocabulary": ["Silver", "Bronze"]}),
        ("tier", "Gold", "decimal", {}),
    ],
)
def test_a_type_change_that_would_lose_values_is_refused(
    shoes: ck.CRM, field: str, value: Any, type_name: str, kwargs: dict[str, Any]
) -> None:
    cid = shoes.contacts.add(last_name="Blou", **{field: value})
    before = (_batches(shoes), _columns(shoes, "contacts"))
    with pytest.raises(ValidationError, match=rf"would be lost .* contacts {cid}, {field}"):
        shoes.settings.change_field_type("contacts", field, type_name, **kwargs)
    assert (_batches(shoes), _columns(shoes, "contacts")) == before
    assert shoes.contacts.get(cid)[field] == value


def test_refusals_speak_the_chosen_language(shoes: ck.CRM) -> None:
    with ck.config_context(lang="fr"), pytest.raises(ValidationError, match="mot-clé SQL"):
        shoes.settings.add_field("contacts", "select", "text")
    with ck.config_context(lang="zh"), pytest.raises(ValidationError, match="confirm=True"):
        shoes.settings.drop_field("contacts", "tier")


def test_a_second_database_maps_its_own_custom_fields(tmp_path: Path) -> None:
    """The header mapping is cached per catalog: an import into a database without custom
    fields first must not hide another database's custom fields (a cache by kind did)."""
    frame = pd.DataFrame({"Nom": ["Blou"], "Pointure": ["38"]})
    frame.to_csv(tmp_path / "in.csv", index=False)
    with ck.open(tmp_path / "plain.duckdb") as plain:
        plain.import_file(tmp_path / "in.csv", kind="contacts")
        assert plain.contacts.df()["custom"].tolist() == ['{"Pointure":"38"}']
    with ck.open(tmp_path / "shoes.duckdb") as shoes:
        shoes.settings.add_field("contacts", "shoe_size", "integer", labels=LABELS)
        shoes.import_file(tmp_path / "in.csv", kind="contacts")
        assert shoes.contacts.df()["shoe_size"].tolist() == [38]
