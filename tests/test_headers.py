"""Header labels of exports (crmkit._formats._headers): in three languages, unique, for
catalog fields and derived view columns.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from export_samples import read_csv_rows

from crmkit._exceptions import UnknownValueError
from crmkit._formats import (
    export_table,
    header_labels,
)
from crmkit._formats._headers import check_header_lang, unique_labels
from crmkit.schemas._catalog import ACCOUNTS, CONTACTS
from crmkit.schemas._labels import DERIVED_LABELS

HEADER_NAMES = ["last_name", "mobile", "company", "owner", "revenue_band", "x_extra"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (None, HEADER_NAMES),
        ("en", ["Last name", "Mobile", "Company", "Owner", "Revenue band", "x_extra"]),
        ("fr", ["Nom", "Portable", "Société", "Affecté à", "Tranche de CA", "x_extra"]),
        ("zh", ["姓", "手机", "公司", "负责人", "收入区间", "x_extra"]),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_header_language(lang: str | None, expected: list[str], fmt: str, tmp_path: Path) -> None:
    table = pa.table({name: ["v"] for name in HEADER_NAMES})
    out = tmp_path / f"h.{fmt}"
    result = export_table(table, out, kind="contacts", lang=lang)
    assert list(result.headers) == expected
    if fmt == "csv":
        written = read_csv_rows(out)[0]
    elif fmt == "xlsx":
        written = [c.value for c in openpyxl.load_workbook(out).active[1]]
    else:
        written = pq.read_table(out).column_names
    assert written == expected


def test_every_catalog_and_derived_column_has_labels() -> None:
    for kind, fields in (("contacts", CONTACTS), ("accounts", ACCOUNTS)):
        names = [*fields.names, *DERIVED_LABELS]
        for lang in ("en", "fr", "zh"):
            labels = header_labels(names, kind, lang)
            assert len(set(labels)) == len(labels)
            assert all(label for label in labels)


def test_repeated_labels_are_made_unique(tmp_path: Path) -> None:
    table = pa.table(
        {"account_id": [7], "company": ["APROOL"], "owner_id": [2], "owner": ["Nicole Bertrand"]}
    )
    assert header_labels(table.column_names, "contacts", "fr") == [
        "Société (id)",
        "Société",
        "Affecté à (id)",
        "Affecté à",
    ]
    assert header_labels(table.column_names, "contacts", "zh") == [
        "公司编号",
        "公司",
        "负责人编号",
        "负责人",
    ]
    assert header_labels(["owner", "owner"], "contacts", "en") == ["Owner", "Owner (2)"]
    out = tmp_path / "a.parquet"
    export_table(table, out, kind="contacts", lang="fr")
    assert pq.read_table(out).column_names == [
        "Société (id)",
        "Société",
        "Affecté à (id)",
        "Affecté à",
    ]


def test_account_headers(tmp_path: Path) -> None:
    table = pa.table(
        {
            "name": ["APROOL"],
            "parent_id": [None],
            "parent": ["Groupe APROOL"],
            "contact_count": [12],
            "headcount_band": ["51-200"],
        }
    )
    result = export_table(table, tmp_path / "a.csv", kind="accounts", lang="fr")
    assert result.headers == (
        "Société",
        "Maison mère (id)",
        "Maison mère",
        "Nombre de contacts",
        "Tranche d'effectif",
    )


# -- the module's own functions ----------------------------------------------------------


def test_unique_labels() -> None:
    assert unique_labels(["Nom", "Nom", "Nom (2)", "Nom"]) == [
        "Nom",
        "Nom (3)",
        "Nom (2)",
        "Nom (4)",
    ]
    assert unique_labels([]) == []


def test_check_header_lang() -> None:
    assert [check_header_lang(lang) for lang in (None, "en", "fr", "zh")] == [
        None,
        "en",
        "fr",
        "zh",
    ]
    with pytest.raises(UnknownValueError) as caught:
        check_header_lang("fre")
    assert caught.value.suggestion == "fr"


def test_labels_without_a_language_are_the_names() -> None:
    assert header_labels(["last_name", "x", "x"], "accounts") == ["last_name", "x", "x (2)"]
    assert header_labels(["name", "parent_id"], "accounts", "en") == [
        "Account name",
        "Parent account",
    ]
