"""Hostile values on every input path (issue #11): add, update, imports, validation.

Control characters and terminal escape sequences are dropped, numbers that no column can
hold are refused with a ValidationError naming the field and the value, values are cut
short in messages, and a CSV export read back gives the values exported.
"""

from __future__ import annotations

import csv
import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

import crmkit as ck
from crmkit._normalize import clean_text
from crmkit.schemas import ACCOUNTS, CONTACTS, column_label

# C0 and C1 controls, DEL, bidirectional overrides and isolates, lone surrogates.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_HOSTILE = "\x1b[31m\x00\x07\x7f\x9b2J\u202e\x1b]0;titre\x07\x1b(B\x85"


def assert_clean(value: Any) -> None:
    """No control character in a value, a list of values or a JSON text (newline aside)."""
    if isinstance(value, list | tuple):
        for item in value:
            assert_clean(item)
    elif isinstance(value, str):
        assert not _CONTROL.search(value), value
        assert "\\u001b" not in value and "\\u0000" not in value, value


# -- control characters -----------------------------------------------------------------


def test_add_and_update_drop_control_characters(crm: ck.CRM) -> None:
    acc = crm.accounts.add(
        name=f"APROOL{_HOSTILE}",
        website=f"www.aprool.com{_HOSTILE}",
        phone=f"01 23 45 67 89{_HOSTILE}",
        email=f"contact@aprool.com{_HOSTILE}",
        description=f"ligne 1\r\nligne 2{_HOSTILE}\tfin",
        tags=[f"VIP{_HOSTILE}", "grand compte"],
    )
    cid = crm.contacts.add(
        first_name=f"Hélène{_HOSTILE}",
        last_name="Dupont\x1b[31m",
        email=f"helene.blou@aprool.com{_HOSTILE}",
        mobile=f"06 25 34 12 57{_HOSTILE}",
        linkedin=f"linkedin.com/in/hblou{_HOSTILE}",
        notes=f"rappeler\x1b[5m lundi\nà 10 h{_HOSTILE}",
        job_title=f"\u202eChef{_HOSTILE}",
        custom={f"clé{_HOSTILE}": f"valeur{_HOSTILE}"},
        account_id=acc,
    )
    contact = crm.contacts.get(cid)
    assert contact.last_name == "Dupont"
    assert contact.first_name == "Hélène"
    assert contact.email == "helene.blou@aprool.com"
    assert contact.mobile == "+33625341257"
    assert contact.notes == "rappeler lundi\nà 10 h"
    for _, value in [*contact.items(), *crm.accounts.get(acc).items()]:
        assert_clean(value)
    updated = crm.contacts.update(cid, last_name=f"Blou{_HOSTILE}", tags=[f"a{_HOSTILE}"])
    assert updated.last_name == "Blou" and updated.tags == ["a"]
    # Outside a vocabulary that only warns, the value is stored as written: cleaned too.
    other = crm.contacts.add(last_name="X", salutation="Monseigneur\x1b[31m")
    assert crm.contacts.get(other).salutation == "Monseigneur"
    other = crm.accounts.add(name="Y", sector="Widgets\x1b[1m\x00")
    assert crm.accounts.get(other).sector == "Widgets"
    owner = crm.owners.add(f"Marc\x1b[1m Durand{_HOSTILE}")
    assert crm.owners.get(owner).name == "Marc Durand"


def test_imports_drop_control_characters(crm: ck.CRM, tmp_path: Path) -> None:
    hostile = _HOSTILE.replace("\x00", "")  # a NUL may make the reader refuse the file
    path = tmp_path / "contacts.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Nom", "Prénom", "Email", "Mobile", "Notes", "Tags", "Ville", "Extra"])
        writer.writerow(
            [
                "Dupont\x1b[31m",
                f"Hélène{hostile}",
                f"helene@aprool.com{hostile}",
                f"06 25 34 12 57{hostile}",
                f"note\x1b[1m\nsuite{hostile}",
                f"a{hostile}; b",
                f"\u202eParis{hostile}",
                f"colonne libre{hostile}",
            ]
        )
    report = crm.import_file(path, "contacts", progress=False)
    assert report.inserted == 1, report.rejected
    row = crm.contacts.df().iloc[0]
    assert row["last_name"] == "Dupont" and row["first_name"] == "Hélène"
    assert row["mobile"] == "+33625341257" and row["notes"] == "note\nsuite"
    for value in row.tolist():
        assert_clean(value.tolist() if isinstance(value, np.ndarray) else value)


# -- numbers that are not numbers ---------------------------------------------------------


NOT_NUMBERS = [
    {"employees": True},
    {"employees": 2**70},
    {"employees": 2**63},
    {"employees": float("inf")},
    {"employees": "1e30"},
    {"employees": "1e5"},
    {"employees": "99999999999999999999999"},
    {"annual_revenue": Decimal("1e400")},
    {"annual_revenue": Decimal("NaN")},
    {"annual_revenue": Decimal("sNaN")},
    {"annual_revenue": float("inf")},
    {"annual_revenue": float("-inf")},
    {"annual_revenue": float("nan")},
    {"annual_revenue": 10**400},
    {"annual_revenue": True},
    {"annual_revenue": "1e400"},
    {"annual_revenue": "9" * 400},
    {"revenue_range_max": float("inf")},
    {"employees_range_min": 100, "employees_range_max": 10},
    {"revenue_range_min": 5e6, "revenue_range_max": 1e6},
    {"employees_range_min": -5},
    {"revenue_range_min": -1.0},
    {"employees": "50-99", "employees_range_max": 10},
    {"parent_id": True},
    {"parent_id": 2**64},
    {"employees": 10**5000},  # too long even for str(): Python refuses 4,300 digits
    {"annual_revenue": -(10**5000)},
]


def _shown(fields: dict[str, Any]) -> str:
    return "-".join(
        f"{k}={v!r:.20}" if not isinstance(v, int) else f"{k}=int" for k, v in fields.items()
    )


def _named(name: str, message: str) -> bool:
    """The message names the field: by its label (record rules) or its name (ids)."""
    return column_label("accounts", name) in message or name in message


@pytest.mark.parametrize("fields", NOT_NUMBERS, ids=_shown)
def test_add_refuses_numbers_no_column_holds(crm: ck.CRM, fields: dict[str, Any]) -> None:
    with pytest.raises(ck.ValidationError) as err:
        crm.accounts.add(name="X", **fields)
    message = str(err.value)
    assert isinstance(err.value, ck.CRMKitError)
    assert any(_named(name, message) for name in fields), message
    assert len(message) < 300, message
    assert len(crm.accounts.df()) == 0


@pytest.mark.parametrize("fields", NOT_NUMBERS, ids=_shown)
def test_update_refuses_numbers_no_column_holds(crm: ck.CRM, fields: dict[str, Any]) -> None:
    acc = crm.accounts.add(name="X", employees=10, annual_revenue=1e6)
    before = crm.accounts.get(acc)
    with pytest.raises(ck.ValidationError) as err:
        crm.accounts.update(acc, **fields)
    assert any(_named(name, str(err.value)) for name in fields)
    assert crm.accounts.get(acc) == before


def test_update_refuses_a_range_turned_upside_down(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="X", employees_range_min=10, employees_range_max=50)
    with pytest.raises(ck.ValidationError, match="Headcount range from: more than Headcount"):
        crm.accounts.update(acc, employees_range_max=5)


def test_add_many_refuses_numbers_no_column_holds(crm: ck.CRM) -> None:
    rows = [{"name": "A", "employees": 5}, {"name": "B", "employees": 2**70}]
    with pytest.raises(ck.ValidationError, match="employees"):
        crm.accounts.add_many(rows)
    frame = pd.DataFrame({"name": ["A", "B"], "annual_revenue": [1.0, math.nan]})
    assert len(crm.accounts.add_many(frame)) == 2  # NaN in a DataFrame is an empty cell


def test_good_numbers_still_go_in(crm: ck.CRM) -> None:
    acc = crm.accounts.add(
        name="X",
        employees=2**63 - 1,
        annual_revenue=Decimal("4.2e6"),
        employees_range_min=10,
        employees_range_max=10,
        revenue_range_min=0.0,
        revenue_range_max=1e308,
    )
    record = crm.accounts.get(acc)
    assert record.employees == 2**63 - 1 and record.annual_revenue == 4.2e6


IMPORT_ROWS = [
    ("A1", "1e30", "", "", "", "employees"),
    ("A2", "99999999999999999999999", "", "", "", "employees"),
    ("A3", "", "inf", "", "", "annual_revenue"),
    ("A4", "", "9" * 400 + " €", "", "", "annual_revenue"),
    ("A5", "", "", "100", "10", "employees_range_min"),
    ("A6", "", "", "-5", "", "employees_range_min"),
    ("A7", "100 - 10", "", "", "", "employees"),
    ("A8", "true", "", "", "", "employees"),
    ("A9", "", "", "99999999999999999999", "", "employees_range_min"),
]


def test_imports_reject_numbers_no_column_holds(crm: ck.CRM, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["name", "employees", "annual_revenue", "employees_range_min", "employees_range_max"]
        )
        for row in IMPORT_ROWS:
            writer.writerow(row[:5])
        writer.writerow(["OK", "10", "1000", "1", "5"])
    report = crm.import_file(path, "accounts", progress=False)
    assert report.inserted == 1
    reasons = dict(zip(report.rejected["name"], report.rejected["__reasons__"], strict=True))
    for name, *_, field in IMPORT_ROWS:
        assert field in reasons[name], (name, reasons[name])
        assert len(reasons[name]) < 300
    assert crm.accounts.df()["name"].tolist() == ["OK"]


def test_frame_imports_reject_numbers_no_column_holds(crm: ck.CRM) -> None:
    frame = pd.DataFrame({"name": ["A", "B", "C"], "employees": [2**70, True, 12]}, dtype=object)
    report = crm.import_frame(frame, "accounts", progress=False)
    assert report.inserted == 1
    assert sorted(report.rejected["name"]) == ["A", "B"]


# -- huge values in messages ---------------------------------------------------------------


HUGE = "x" * 1_500_000  # 1.5 MB in one cell


def test_huge_cell_through_validate_gives_short_messages() -> None:
    frame = pd.DataFrame({"last_name": [HUGE], "email": [HUGE], "birthday": [HUGE]})
    report = ck.validate(frame, "contacts")
    assert not report.ok
    with pytest.raises(ck.ValidationError) as err:
        report.raise_for_errors()
    assert len(str(err.value)) < 500
    assert len(repr(report)) < 2_000
    # The interactive table also carries its scripts once a session: bound the static
    # HTML's size, and check that neither holds the huge value whole.
    with ck.config_context(table_display="static"):
        assert len(report._repr_html_()) < 4_000
    assert HUGE[:1_000] not in report._repr_html_()


@pytest.mark.parametrize("field", ["last_name", "email", "mobile", "birthday", "website"])
def test_huge_cell_through_add_gives_a_short_message(crm: ck.CRM, field: str) -> None:
    values: dict[str, Any] = {"last_name": "Blou", field: HUGE}
    with pytest.raises(ck.ValidationError) as err:
        crm.contacts.add(**values)
    assert len(str(err.value)) < 500


def test_huge_number_cell_through_add_gives_a_short_message(crm: ck.CRM) -> None:
    with pytest.raises(ck.ValidationError) as err:
        crm.accounts.add(name="X", employees="9" * 1_500_000)
    assert len(str(err.value)) < 500


# -- CSV export -> import gives back what was exported -------------------------------------


FORMULA_LIKE = {
    "last_name": "=Dupont",
    "first_name": "+Hélène",
    "job_title": "-chef",
    "department": "@ventes",
    "notes": '=HYPERLINK("http://evil","x")',
    "street": "+33 rue",
    "tags": ["=a", "b", "@c"],
    "email": "=x@aprool.com",
    "uid": "=uid-1",
}
# Values that already start with "'" before = + - @: the export gives them one "'" more.
QUOTED = {
    "last_name": "'=Dupont",
    "notes": "''=x",
    "region": "'+33",
    "postal_code": "'-1",
    "job_title": "'x",
    "tags": ["'=a", "b"],
}


def _round_trips(crm: ck.CRM, cid: int, path: Path, fields: list[str], times: int) -> None:
    before = {k: v for k, v in crm.contacts.get(cid).items() if k in fields}
    for _ in range(times):
        crm.contacts.export(path, columns=fields)
        report = crm.import_file(path, "contacts", mode="upsert", progress=False)
        assert report.inserted == 0 and len(report.rejected) == 0
        after = {k: v for k, v in crm.contacts.get(cid).items() if k in fields}
        assert after == before
    assert len(crm.contacts.df()) == 1


@pytest.mark.parametrize("values", [FORMULA_LIKE, QUOTED], ids=["formula", "quoted"])
def test_csv_export_import_round_trip_changes_nothing(
    crm: ck.CRM, tmp_path: Path, values: dict[str, Any]
) -> None:
    cid = crm.contacts.add(**values)
    fields = [*values, "email"] if "email" not in values else list(values)
    if "email" not in values:
        crm.contacts.update(cid, email="helene.blou@aprool.com")
    _round_trips(crm, cid, tmp_path / "contacts.csv", fields, times=3)


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(st.sampled_from(["'", "=", "+", "-", "@", "x", " ", "1", "é"]), min_size=1, max_size=6)
    .map("".join)
    .filter(lambda t: clean_text(t) == t)  # a value as add() stores it
)
def test_csv_round_trip_property(crm: ck.CRM, tmp_path: Path, text: str) -> None:
    for cid in crm.contacts.df()["id"].tolist():
        crm.contacts.delete(cid, hard=True)
    cid = crm.contacts.add(last_name="Blou", notes=text, email="h@aprool.com")
    _round_trips(crm, cid, tmp_path / "c.csv", ["last_name", "notes", "email"], times=2)


@pytest.mark.parametrize("typed", ["1e5", "1_000", "beaucoup", "1e30", "inf"])
def test_form_flags_a_number_it_cannot_read_as_typed(crm: ck.CRM, typed: str) -> None:
    from crmkit.widgets import AccountForm

    form = AccountForm(crm, lang="en")
    form.inputs["name"].value = "APROOL"
    form.inputs["employees"].value = typed  # checked as typed: no exception, a message
    assert form.errors.get("employees")
    with pytest.raises(ck.ValidationError, match="Employees: ") as err:
        crm.accounts.add(name="APROOL", employees=typed)
    assert err.value.failure_cases is not None
    assert list(err.value.failure_cases["field"]) == ["employees"]


@pytest.mark.parametrize("values", [FORMULA_LIKE, QUOTED], ids=["formula", "quoted"])
def test_xlsx_export_import_round_trip_changes_nothing(
    crm: ck.CRM, tmp_path: Path, values: dict[str, Any]
) -> None:
    # The workbook keeps "=x" as a typed text cell, and gives "'=x" its "'" as CSV does.
    cid = crm.contacts.add(**values)
    fields = [*values, "email"] if "email" not in values else list(values)
    if "email" not in values:
        crm.contacts.update(cid, email="helene.blou@aprool.com")
    _round_trips(crm, cid, tmp_path / "contacts.xlsx", fields, times=2)


def test_vcard_export_import_round_trip_of_quoted_values(crm: ck.CRM, tmp_path: Path) -> None:
    values: dict[str, Any] = {"last_name": "'=Dupont", "first_name": "'+x", "notes": "''@n"}
    cid = crm.contacts.add(**values, email="helene.blou@aprool.com")
    path = tmp_path / "contacts.vcf"
    for _ in range(2):
        crm.contacts.all().export_vcf(path)
        crm.import_file(path, "contacts", mode="upsert", progress=False)
        assert {k: v for k, v in crm.contacts.get(cid).items() if k in values} == values


# -- any field, any hostile value: stored clean or refused with a CRMKitError ----------------

_ANY_HOSTILE = [
    True,
    np.bool_(False),
    2**70,
    -(2**70),
    10**5000,
    float("inf"),
    float("nan"),
    Decimal("1e400"),
    Decimal("sNaN"),
    "x" * 5_000,
    "Dupont\x1b[31m",
    "\x00",
    "a\ud800b",
    "1e5",
    "'=x",
    "[",
    {"k\x1b[1m": "\x1b[31mv"},
    ["\x00a", "b"],
    b"\x00\x01",
    1.5,
    -1,
    "  ",
    "Monseigneur\x1b[31m",
]
_EDITABLE = [
    (kind, f.name)
    for kind, tbl in (("accounts", ACCOUNTS), ("contacts", CONTACTS))
    for f in tbl
    if f.editable
]


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.sampled_from(_EDITABLE), st.sampled_from(_ANY_HOSTILE), st.booleans())
def test_any_field_stores_a_hostile_value_clean_or_refuses_it(
    crm: ck.CRM, field: tuple[str, str], value: Any, update: bool
) -> None:
    kind, name = field
    records = crm.accounts if kind == "accounts" else crm.contacts
    base: dict[str, Any] = {"name": "X"} if kind == "accounts" else {"last_name": "X"}
    try:
        if update:
            record_id = records.add(**base)
            records.update(record_id, **{name: value})
        else:
            record_id = records.add(**{**base, name: value})
    except ck.CRMKitError as exc:
        assert len(str(exc)) < 2_000
        return
    for stored in records.get(record_id).values():
        assert_clean(stored)
