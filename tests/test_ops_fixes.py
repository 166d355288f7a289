"""Suggested fixes of stored values (crmkit._ops._fixes, ``crm.contacts.suggest_fixes``):
messy values written straight into a real DuckDB file (``add`` would normalise them),
every rule proposed, applied in one undoable batch, stale proposals skipped, bad input
refused with nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

import crmkit as ck

# Stored values as an old tool or a hand-edited file may have left them (field -> value).
_MESSY: list[dict[str, Any]] = [
    {"first_name": "JEAN-PIERRE", "last_name": "DUPONT", "email": "JP.Dupont@APROOL.COM"},
    {"first_name": "marie", "last_name": "de la fontaine", "mobile": "06 25 34 12 57"},
    {"first_name": "Sean", "last_name": "O'BRIEN", "country": "France", "city": "  Paris "},
    {"first_name": "Ada", "last_name": "MCDONALD", "website": "WWW.Aprool.com/", "gender": "f"},
    {"first_name": "Léa", "last_name": "Martin", "job_title": "Directrice  commerciale"},
    {"first_name": "Li", "last_name": "Wei", "mobile": "020 7946 0958", "country": "GB"},
]


def _write_raw(crm: ck.CRM, kind: str, record_id: int, values: dict[str, Any]) -> None:
    """Store ``values`` as given: straight SQL, past the normalisers."""
    sets = ", ".join(f"{name} = ?" for name in values)
    crm._session.con.execute(
        f"UPDATE {kind} SET {sets} WHERE id = ?", [*values.values(), record_id]
    )


@pytest.fixture
def crm(tmp_path: Path) -> ck.CRM:
    """A CRM file with six contacts whose stored values are messy, and two accounts."""
    crm = ck.open(tmp_path / "crm.duckdb", user="Nicole Bertrand")
    for values in _MESSY:
        record = crm.contacts.add(last_name="x")
        _write_raw(crm, "contacts", record, values)
    account = crm.accounts.add(name="Aprool")
    _write_raw(
        crm,
        "accounts",
        account,
        {"sector": "SOFTWARE", "billing_country": "allemagne", "phone": "+49 30 1234567"},
    )
    crm.accounts.add(name="IBM")  # capitals in a company name are no fault
    yield crm
    crm.close()


def _rows(fixes: ck.Fixes) -> list[tuple[str, str, str, str]]:
    frame = fixes.df()
    return [tuple(row) for row in frame[["field", "current", "proposed", "rule"]].values.tolist()]


def test_every_rule_proposes_its_fix(crm: ck.CRM) -> None:
    rows = _rows(crm.contacts.suggest_fixes())
    assert rows == [
        ("first_name", "JEAN-PIERRE", "Jean-Pierre", "name_case"),
        ("last_name", "DUPONT", "Dupont", "name_case"),
        ("email", "JP.Dupont@APROOL.COM", "JP.Dupont@aprool.com", "email"),
        ("first_name", "marie", "Marie", "name_case"),
        ("last_name", "de la fontaine", "de la Fontaine", "name_case"),
        ("mobile", "06 25 34 12 57", "+33625341257", "phone"),
        ("last_name", "O'BRIEN", "O'Brien", "name_case"),
        ("city", "  Paris ", "Paris", "spaces"),
        ("country", "France", "FR", "country"),
        ("gender", "f", "F", "vocabulary"),
        ("last_name", "MCDONALD", "McDonald", "name_case"),
        ("website", "WWW.Aprool.com/", "https://www.aprool.com", "url"),
        ("job_title", "Directrice  commerciale", "Directrice commerciale", "spaces"),
        ("mobile", "020 7946 0958", "+442079460958", "phone"),  # read in the record's country
    ]


def test_accounts(crm: ck.CRM) -> None:
    rows = _rows(crm.accounts.suggest_fixes())
    assert rows == [
        ("phone", "+49 30 1234567", "+49301234567", "phone"),
        ("sector", "SOFTWARE", "Software", "vocabulary"),
        ("billing_country", "allemagne", "DE", "country"),
    ]


def test_filters_rules_fields_and_selection(crm: ck.CRM) -> None:
    assert {r[3] for r in _rows(crm.contacts.suggest_fixes(rules="phone"))} == {"phone"}
    only = _rows(crm.contacts.suggest_fixes(fields=["last_name"], rules=["name_case"]))
    assert [r[2] for r in only] == ["Dupont", "de la Fontaine", "O'Brien", "McDonald"]
    lea = crm.contacts.filter(first_name="Léa")
    assert _rows(crm.contacts.suggest_fixes(where=lea)) == [
        ("job_title", "Directrice  commerciale", "Directrice commerciale", "spaces")
    ]


def test_spaces_then_case_makes_one_proposal(crm: ck.CRM) -> None:
    record = crm.contacts.add(last_name="x")
    _write_raw(crm, "contacts", record, {"last_name": "  VAN  DER BERG "})
    fixes = crm.contacts.suggest_fixes(fields="last_name").df()
    assert fixes[fixes["id"] == record][["proposed", "rule"]].values.tolist() == [
        ["van der Berg", "name_case"]
    ]
    spaces = crm.contacts.suggest_fixes(fields="last_name", rules="spaces").df()
    assert spaces[["proposed", "rule"]].values.tolist() == [["VAN DER BERG", "spaces"]]


def test_pandas_polars_and_counts(crm: ck.CRM) -> None:
    fixes = crm.contacts.suggest_fixes()
    as_pandas, as_polars = fixes.df(), fixes.pl()
    assert isinstance(as_polars, pl.DataFrame) and as_polars.schema["id"] == pl.Int64
    assert as_pandas["id"].dtype == "int64"
    assert as_polars.to_dicts() == as_pandas.to_dict("records")
    counts = fixes.counts()
    assert counts.columns.tolist() == ["rule", "field", "count"]
    assert counts["count"].sum() == len(fixes) == 14
    assert counts.iloc[0].tolist() == ["spaces", "city", 1]  # rules in their order
    assert counts.set_index(["rule", "field"])["count"][("name_case", "last_name")] == 4


def test_apply_all_then_undo_restores_every_value(crm: ck.CRM, tmp_path: Path) -> None:
    before = crm.contacts.df()
    batches = len(crm.batches())
    report = crm.contacts.suggest_fixes().apply()
    assert report.changed == 6 and report.skipped.empty
    assert len(crm.batches()) == batches + 1
    assert len(crm.history(batch_id=report.batch_id)) == 14
    assert len(crm.contacts.suggest_fixes()) == 0  # nothing left to fix
    crm.close()
    with ck.open(tmp_path / "crm.duckdb", user="Nicole Bertrand") as reopened:
        names = reopened.contacts.df().set_index("id")["last_name"].tolist()
        assert names == ["Dupont", "de la Fontaine", "O'Brien", "McDonald", "Martin", "Wei"]
        reopened.undo(report.batch_id)
        kept = [c for c in before.columns if c not in ("updated_at", "updated_by")]
        pd.testing.assert_frame_equal(reopened.contacts.df()[kept], before[kept])


@pytest.mark.parametrize("as_", ["pandas", "polars"])
def test_apply_a_filtered_frame(crm: ck.CRM, as_: str) -> None:
    fixes = crm.contacts.suggest_fixes()
    chosen: Any = fixes.df() if as_ == "pandas" else fixes.pl()
    if as_ == "pandas":
        chosen = chosen[chosen["field"] == "mobile"]
    else:
        chosen = chosen.filter(pl.col("field") == "mobile")
    report = fixes.apply(chosen)
    assert report.changed == 2
    mobiles = crm.contacts.df()["mobile"].dropna().tolist()
    assert mobiles == ["+33625341257", "+442079460958"]
    assert crm.contacts.df()["last_name"].iloc[0] == "DUPONT"  # not chosen: untouched


def test_apply_subsets_by_rule_field_and_id(crm: ck.CRM) -> None:
    fixes = crm.contacts.suggest_fixes()
    first = int(fixes.df()["id"].iloc[0])
    assert fixes.apply(rules="name_case", ids=[first]).changed == 1
    assert crm.contacts.get(first)["last_name"] == "Dupont"
    assert crm.contacts.get(first)["email"] == "JP.Dupont@APROOL.COM"
    assert fixes.apply(fields="email").changed == 1
    assert crm.contacts.get(first)["email"] == "JP.Dupont@aprool.com"


def test_an_edited_proposal_is_written_as_edited(crm: ck.CRM) -> None:
    fixes = crm.contacts.suggest_fixes(fields="last_name")
    frame = fixes.df().head(1)
    frame["proposed"] = "  Du  Pont"  # tidied as a form save would
    fixes.apply(frame)
    assert crm.contacts.get(int(frame["id"].iloc[0]))["last_name"] == "Du Pont"


def test_a_spaces_fix_is_written_as_proposed(crm: ck.CRM) -> None:
    record = crm.contacts.add(last_name="x")
    _write_raw(crm, "contacts", record, {"mobile": " 06 25 34 12 57 ", "fax": " abc "})
    fixes = crm.contacts.suggest_fixes(rules="spaces", fields=["mobile", "fax"])
    mine = fixes.df()[fixes.df()["id"] == record]
    assert mine[["field", "proposed"]].values.tolist() == [
        ["mobile", "06 25 34 12 57"],
        ["fax", "abc"],  # no phone number: still a spaces fix, not refused
    ]
    fixes.apply(ids=[record])
    assert (crm.contacts.get(record)["mobile"], crm.contacts.get(record)["fax"]) == (
        "06 25 34 12 57",
        "abc",
    )


def test_stale_proposals_are_skipped_and_reported(crm: ck.CRM) -> None:
    fixes = crm.contacts.suggest_fixes(fields="last_name")
    first = int(fixes.df()["id"].iloc[0])
    crm.contacts.update(first, last_name="Durand")  # changed since the proposal
    report = fixes.apply()
    assert report.changed == 3
    assert report.skipped["id"].tolist() == [first]
    assert "last_name changed since the fix was proposed" in report.skipped["reason"].iloc[0]
    assert report.details["stale"] == 1
    assert crm.contacts.get(first)["last_name"] == "Durand"


def test_nothing_to_apply(crm: ck.CRM) -> None:
    fixes = crm.contacts.suggest_fixes(fields="notes")
    assert len(fixes) == 0 and fixes.df().empty and fixes.pl().is_empty()
    assert fixes.counts().empty
    assert repr(fixes) == "contacts: no fixes to propose"
    batches = len(crm.batches())
    report = fixes.apply()
    assert report.changed == 0 and report.batch_id is None
    assert len(crm.batches()) == batches


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda c: c.contacts.suggest_fixes(rules="typo"), "unknown rule 'typo'; rules: spaces"),
        (lambda c: c.contacts.suggest_fixes(fields=["nope"]), "unknown field 'nope' of contacts"),
        (lambda c: c.contacts.suggest_fixes(fields="employees"), "unknown field 'employees'"),
        (lambda c: c.accounts.suggest_fixes(fields="last_name"), "'last_name' of accounts"),
        (lambda c: c.contacts.suggest_fixes().apply(rules=["x"]), "unknown rule 'x'"),
        (lambda c: c.contacts.suggest_fixes().apply(fields="y"), "unknown field 'y'"),
        (lambda c: c.contacts.suggest_fixes(where=c.accounts.all()), "holds accounts"),
    ],
)
def test_bad_input_is_named_and_nothing_written(crm: ck.CRM, call: Any, match: str) -> None:
    batches = len(crm.batches())
    with pytest.raises(ck.CRMKitError, match=match):
        call(crm)
    assert len(crm.batches()) == batches


def test_a_proposal_the_field_refuses_writes_nothing(crm: ck.CRM) -> None:
    fixes = crm.contacts.suggest_fixes()
    frame = fixes.df()
    frame.loc[frame["field"] == "email", "proposed"] = "not an email"
    batches = len(crm.batches())
    with pytest.raises(
        ck.ValidationError, match=r"record 1, Email: .not an email. cannot be.*@-sign"
    ):
        fixes.apply(frame)
    frame.loc[frame["field"] == "email", "proposed"] = "a@b.fr"
    frame.loc[frame["field"] == "job_title", "proposed"] = "x" * 200
    with pytest.raises(ck.ValidationError, match=r"record 5, Job title: 'x{20}.*at most 128"):
        fixes.apply(frame)
    frame.loc[frame["field"] == "gender", "proposed"] = "Z"
    with pytest.raises(ck.ValidationError, match=r"record 4, Gender: 'Z'.*Not in the list"):
        fixes.apply(frame[frame["field"] == "gender"])
    frame.loc[frame["field"] == "email", "proposed"] = "  "
    with pytest.raises(ck.ValidationError, match="blank"):
        fixes.apply(frame)
    bad = frame.loc[frame["field"] == "city"].assign(field="employees")
    with pytest.raises(ck.ValidationError, match="unknown field 'employees'"):
        fixes.apply(bad)
    with pytest.raises(ck.ValidationError, match="lack the columns proposed"):
        fixes.apply(frame.drop(columns="proposed"))
    assert len(crm.batches()) == batches
    assert crm.contacts.df()["last_name"].iloc[0] == "DUPONT"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["contacts: 14 proposed fixes on 6 records", "Proposed value", "Name case"]),
        ("fr", ["contacts : 14 corrections proposées sur 6 fiches", "Valeur actuelle", "Casse"]),
        ("zh", ["6 条记录中有 14 处建议修正", "建议值", "姓名大小写"]),
    ],
)
def test_display_is_translated(crm: ck.CRM, lang: str, words: list[str]) -> None:
    fixes = crm.contacts.suggest_fixes()
    with ck.config_context(lang=lang, table_display="static"):
        text, page = repr(fixes), fixes._repr_html_()
    for word in words:
        assert word in text and word in page
    assert "<table" in page and 'class="crmkit-fixes"' in page


def test_errors_are_translated(crm: ck.CRM) -> None:
    with ck.config_context(lang="fr"), pytest.raises(ck.CRMKitError, match="règle 'x' inconnue"):
        crm.contacts.suggest_fixes(rules="x")
    with ck.config_context(lang="zh"), pytest.raises(ck.CRMKitError, match="没有字段 'y'"):
        crm.contacts.suggest_fixes(fields="y")


def test_shared_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.duckdb"
    with ck.open(path, user="A") as crm:
        record = crm.contacts.add(last_name="x")
        _write_raw(crm, "contacts", record, {"last_name": "BLOU"})
    with ck.open(path, user="A", shared=True) as crm:
        fixes = crm.contacts.suggest_fixes()
        assert "BLOU" in repr(fixes)
        report = fixes.apply()
        assert report.changed == 1
        crm.undo(report.batch_id)
        assert crm.contacts.df()["last_name"].tolist() == ["BLOU"]


_MESSY_TEXT = st.sampled_from(
    ["DUPONT", "jean-pierre", " de la  fontaine", "MCDONALD", "o'brien", "Léa", "VAN DER BERG",
     "mAcLeod", "D'ALEMBERT", "  Ève\u00a0", "du", "LE GOFF", "王芳", "x"]
)  # fmt: skip
_PHONES = st.sampled_from(["06 25 34 12 57", "+33 6 25 34 12 57", "0625341257", "abc", "+1 202"])
_EMAILS = st.sampled_from(["A@B.FR", " a@b.fr", "INFO@aprool.com", "nope", "Ada@Aprool.com"])
_COUNTRIES = st.sampled_from(["France", "fr", "FR", "Allemagne", "Narnia", " GB "])
_WEBSITES = st.sampled_from(["WWW.A.com/", "https://a.com", "a.com/X", "http://A.com/Y/"])


@settings(max_examples=examples(15), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "last_name": _MESSY_TEXT,
                "first_name": _MESSY_TEXT,
                "mobile": _PHONES,
                "email": _EMAILS,
                "country": _COUNTRIES,
                "website": _WEBSITES,
            }
        ),
        min_size=1,
        max_size=4,
    )
)
def test_fixing_again_after_applying_proposes_nothing(
    tmp_path: Path, rows: list[dict[str, str]]
) -> None:
    path = tmp_path / "idempotent.duckdb"
    path.unlink(missing_ok=True)
    with ck.open(path) as crm:
        for values in rows:
            record = crm.contacts.add(last_name="x")
            _write_raw(crm, "contacts", record, values)
        crm.contacts.suggest_fixes().apply()
        assert crm.contacts.suggest_fixes().df().values.tolist() == []


# The fixes bench's mess (benchmarks/fixes_bench.py), on a share of the sample's records.
_SAMPLE_MESS = (
    ("last_name", "upper(last_name)"),
    ("first_name", "lower(first_name)"),
    ("mobile", "regexp_replace(mobile, '^\\+33', '0')"),
    ("phone", "regexp_replace(phone, '^\\+44', '0')"),
    ("email", "regexp_replace(email, '@(.*)$', '@' || upper(split_part(email, '@', 2)))"),
    ("country", "CASE country WHEN 'FR' THEN 'France' WHEN 'GB' THEN 'Royaume-Uni' END"),
    ("city", "'  ' || city || ' '"),
    ("job_title", "job_title || '  '"),
    ("linkedin", "upper(linkedin)"),
)


def test_one_scan_proposes_what_a_scan_per_field_does(tmp_path: Path) -> None:
    """suggest_fixes reads every field in one scan of the table; the result is the one a
    scan per field gives (each field asked alone), on the sample set made messy with SQL,
    in pandas and in polars, on the whole table and on a selection."""
    from crmkit._ops._fixes import fixable_fields
    from crmkit.samples import load_sample

    with ck.open(tmp_path / "sample.duckdb", user="Nicole Bertrand") as crm:
        load_sample(crm, Path(__file__).resolve().parents[1] / "data" / "samples")
        for column, expression in _SAMPLE_MESS:
            crm._session.con.execute(
                f"UPDATE contacts SET {column} = {expression} "
                f"WHERE {column} IS NOT NULL AND id % 3 = 0"
            )
        key = ["id", "field"]
        for where in (None, crm.contacts.filter(owner="Paris")):
            together = crm.contacts.suggest_fixes(where=where)
            alone = [
                crm.contacts.suggest_fixes(fields=f.name, where=where).df()
                for f in fixable_fields("contacts")
            ]
            expected = pd.concat(alone).sort_values(key).reset_index(drop=True)
            got = together.df().sort_values(key).reset_index(drop=True)
            assert set(got["rule"]) >= {"name_case", "phone", "email", "country", "spaces"}
            assert 0 < len(got) < len(crm.contacts) * 5
            pd.testing.assert_frame_equal(got, expected)
            assert together.pl().sort(key).rows() == list(expected.itertuples(index=False))
