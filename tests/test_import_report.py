"""What an import reports (``crmkit._importing._report``): rows gathered while it runs,
rejected rows as the store keeps them, the report's tables and its display."""

from __future__ import annotations

import datetime as dt
import json
import time

import pandas as pd

from crmkit._importing import _report
from crmkit._importing._chunks import Chunk
from crmkit._importing._mapping import propose_mapping
from crmkit._importing._report import ImportPreview, ImportReport, ReportParts


def written_chunk() -> Chunk:
    raw = pd.DataFrame(
        {
            "Nom": pd.Series(["Blou", "=1+1", None], dtype=object),
            "Né le": pd.Series([None, dt.date(1980, 3, 5), None], dtype=object),
        }
    )
    return Chunk(
        lines=[2, 3, 4],
        raw=raw,
        columns={},
        errors=[[], ["birthday: too old", "email: required"], ["last_name: required"]],
        warnings=[(2, "phone", "01", "phone: too short")],
        changes=[(2, "last_name", "BLOU", "Blou")],
        change_counts={"last_name": 1},
    )


def test_collect_keeps_rejected_rows_with_their_raw_cells() -> None:
    parts = ReportParts()
    parts.collect(written_chunk())
    parts.collect(written_chunk())
    assert parts.rejects[0] == {
        "__line__": 3,
        "__reasons__": "birthday: too old; email: required",
        "Nom": "=1+1",  # as the file had it: no formula quote dropped
        "Né le": "1980-03-05",
    }
    assert parts.rejects[1] == {
        "__line__": 4,
        "__reasons__": "last_name: required",
        "Nom": None,
        "Né le": None,
    }
    assert len(parts.rejects) == 4
    assert len(parts.warnings) == 2
    assert parts.change_counts == {"last_name": 2}


def test_changes_listed_up_to_a_limit_but_all_counted() -> None:
    many = written_chunk()
    many.changes = [(i, "city", "PARIS", "Paris") for i in range(60_000)]
    many.change_counts = {"city": 60_000}
    parts = ReportParts()
    parts.collect(many)
    parts.collect(many)
    assert len(parts.changes) == _report.CHANGES_KEPT == 100_000
    assert parts.change_counts == {"city": 120_000}


def test_rejects_table_as_the_store_keeps_it() -> None:
    parts = ReportParts()
    parts.collect(written_chunk())
    rows = parts.rejects_table(7, "contacts", "fichier.csv").to_pylist()
    assert [(r["batch_id"], r["kind"], r["source"], r["line"]) for r in rows] == [
        (7, "contacts", "fichier.csv", 3),
        (7, "contacts", "fichier.csv", 4),
    ]
    assert json.loads(rows[0]["raw"]) == {"Nom": "=1+1", "Né le": "1980-03-05"}
    assert rows[1]["reasons"] == "last_name: required"


def test_finish_fills_the_report() -> None:
    plan = propose_mapping(["Nom"], "contacts")
    report = ImportReport("contacts", "f.csv", "upsert", True, plan, batch_id=12)
    parts = ReportParts(created_accounts=["Acme"], merged_in_file=[(5, 2, "email:a@b.fr")])
    parts.collect(written_chunk())
    parts.likely_duplicates.append((2, 40, 0.97, "flag"))
    parts.finish(report, time.perf_counter(), dry_run=True)
    assert report.batch_id is None  # a dry run leaves no batch
    assert list(report.rejected["__line__"]) == [3, 4]
    assert list(report.warnings.columns) == ["line", "field", "value", "message"]
    assert report.changes_count == {"last_name": 1}
    assert report.merged_in_file.to_dict("records") == [
        {"line": 5, "merged_into_line": 2, "key": "email:a@b.fr"}
    ]
    assert report.duplicates_in_file.empty
    assert list(report.likely_duplicates["existing_id"]) == [40]
    assert report.created_accounts == ["Acme"]
    assert report.counts()["rejected"] == 2
    assert report.counts()["merged_in_file"] == 1


def test_an_import_without_rejects_reports_an_empty_table_with_the_columns() -> None:
    plan = propose_mapping(["Nom"], "contacts")
    report = ImportReport("contacts", "f.csv", "upsert", False, plan)
    ReportParts().finish(report, time.perf_counter(), dry_run=False)
    assert list(report.rejected.columns) == ["__line__", "__reasons__"]
    assert report.n_rejected == 0


def test_reports_display_themselves_with_long_cells_cut() -> None:
    plan = propose_mapping(["Nom"], "contacts")
    report = ImportReport("contacts", "f.csv", "create", False, plan, batch_id=3, read=2)
    report.rejected = pd.DataFrame({"__line__": [2], "__reasons__": ["x" * 5000]})
    report.warnings = pd.DataFrame(
        [(2, "phone", "01", "short")], columns=["line", "field", "value", "message"]
    )
    text = repr(report)
    assert text.startswith("ImportReport(contacts from f.csv, mode=create: read=2")
    assert "batch 3" in text
    assert "warnings by field: phone=1" in text
    page = report._repr_html_()
    assert "(5,000 characters)" in page
    assert "x" * 300 not in page
    preview = ImportPreview(
        "contacts",
        "f.csv",
        plan,
        pd.DataFrame({"line": [2], "last_name": ["Blou"]}),
        pd.DataFrame(columns=["line", "field", "value", "message", "severity"]),
        1,
    )
    assert repr(preview).startswith(
        "ImportPreview(contacts from f.csv: 1 column, 1 row checked, 0 problems)"
    )
    assert "Blou" in preview._repr_html_()
