"""Writing CSV files (crmkit._formats._csv_writer): UTF-8 with or without a BOM, CRLF, the
delimiter and decimal mark of the header language, quoted cells.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from export_samples import read_csv_rows

from crmkit._formats import (
    export_table,
)
from crmkit._formats._csv_writer import write_csv


def test_csv_for_french_excel(contacts: Any, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    export_table(contacts, out, kind="contacts", lang="fr", excel=True)

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert csv.Sniffer().sniff(text.splitlines()[0]).delimiter == ";"
    frame = pd.read_csv(out, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns[:4]) == ["Identifiant", "Prénom", "Nom", "Portable"]
    assert "Société" in frame.columns and "Affecté à" in frame.columns
    assert frame["Actif"].tolist() == ["oui", "non", ""]
    assert frame["CA du compte"].tolist() == ["4200000", "12,5", ""]
    assert frame["Étiquettes"].tolist() == ["vip; salon 2024", "", ""]


def test_csv_boolean_words_in_chinese(contacts: Any, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    export_table(contacts, out, kind="contacts", lang="zh", columns=["last_name", "active"])
    assert read_csv_rows(out) == [["姓", "在职"], ["Blou", "是"], ["王", "否"], ["Durand", ""]]


def test_csv_delimiter_and_bom_overrides(tmp_path: Path) -> None:
    table = pa.table({"last_name": ["Blou", "Lefèvre"], "city": ["Paris", "Lyon"]})
    export_table(table, tmp_path / "a.csv", kind="contacts", excel=True, bom=False)
    assert (
        tmp_path / "a.csv"
    ).read_bytes() == b"last_name,city\r\nBlou,Paris\r\nLef\xc3\xa8vre,Lyon\r\n"

    export_table(table, tmp_path / "b.csv", kind="contacts", delimiter="|", bom=True)
    assert (tmp_path / "b.csv").read_bytes().decode("utf-8-sig").splitlines()[1] == "Blou|Paris"

    export_table(table, tmp_path / "c.tsv", kind="contacts")
    assert read_csv_rows(tmp_path / "c.tsv", delimiter="\t")[2] == ["Lefèvre", "Lyon"]

    export_table(table, tmp_path / "d.csv", kind="contacts", lang="fr", excel=True, delimiter=",")
    assert (tmp_path / "d.csv").read_text(encoding="utf-8-sig").startswith("Nom,Ville\n")


def test_csv_quotes_cells_holding_delimiters_and_line_breaks(tmp_path: Path) -> None:
    notes = ['Dit "bonjour"; puis part', "ligne 1\nligne 2", "a,b"]
    table = pa.table({"notes": notes})
    for delimiter in (",", ";"):
        out = tmp_path / "notes.csv"
        export_table(table, out, kind="contacts", delimiter=delimiter)
        assert [r[0] for r in read_csv_rows(out, delimiter=delimiter)[1:]] == notes


# -- the module's own functions ----------------------------------------------------------


def test_write_csv_renders_each_kind_and_counts_what_it_cleaned(tmp_path: Path) -> None:
    table = pa.table(
        {
            "last_name": ["Bl\x00ou", "=1+1", None],
            "ratio": [1.5, None, 2.0],
            "active": [True, False, None],
            "tags": [["a", "b"], [], None],
        }
    )
    out = tmp_path / "c.csv"
    rows, changed = write_csv(
        table,
        ["Nom", "=Ratio", "Actif", "Étiquettes"],
        out,
        delimiter=";",
        bom=True,
        bool_words=("oui", "non"),
        decimal=",",
    )
    assert rows == 3 and changed == [1, 0, 0, 0]
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == 4
    assert read_csv_rows(out, delimiter=";", encoding="utf-8-sig") == [
        ["Nom", "'=Ratio", "Actif", "Étiquettes"],
        ["Blou", "1,5", "oui", "a; b"],
        ["'=1+1", "", "non", ""],
        ["", "2", "", ""],
    ]


def test_write_csv_of_no_rows_writes_the_header(tmp_path: Path) -> None:
    out = tmp_path / "e.csv"
    table = pa.table({"a": pa.array([], pa.string())})
    options: dict[str, Any] = {"bool_words": ("true", "false"), "decimal": "."}
    assert write_csv(table, ["a"], out, delimiter=",", bom=False, **options) == (0, [0])
    assert out.read_bytes() == b"a\r\n"
