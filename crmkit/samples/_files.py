"""Sample files as analysts receive them, made from generated data.

``write_sample_files(folder)`` writes what ``data/samples/`` holds: the generator's own
CSVs (owners, accounts, contacts) and the same people as other tools export them: a French
Excel CSV (cp1252, ``;``), an XLSX of accounts with Chinese headers and a title above the
header row, a Google Contacts CSV and an Outlook CSV. (``data/samples/`` also keeps two
small hand-typed trade-show lists, ``salon_2026_*.csv``, for the data-quality notebook:
they are not generated.)
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from crmkit.samples._generate import generate
from crmkit.schemas._catalog import ACCOUNTS, CONTACTS

__all__ = ["write_sample_files"]

_FRENCH_FIELDS = [
    "salutation",
    "first_name",
    "last_name",
    "job_title",
    "department",
    "phone",
    "mobile",
    "email",
    "street",
    "postal_code",
    "city",
    "country",
    "origin",
    "skills",
    "birthday",
]
_CHINESE_FIELDS = [
    "name",
    "sector",
    "annual_revenue",
    "employees",
    "account_type",
    "billing_city",
    "billing_country",
    "website",
    "phone",
    "description",
]
_GOOGLE = [
    ("First Name", "first_name"),
    ("Last Name", "last_name"),
    ("Name Prefix", "salutation"),
    ("Organization Name", "company"),
    ("Organization Title", "job_title"),
    ("Organization Department", "department"),
    ("E-mail 1 - Label", "* Work"),
    ("E-mail 1 - Value", "email"),
    ("Phone 1 - Label", "Mobile"),
    ("Phone 1 - Value", "mobile"),
    ("Phone 2 - Label", "Work"),
    ("Phone 2 - Value", "phone"),
    ("Address 1 - City", "city"),
    ("Address 1 - Country", "country"),
    ("Birthday", "birthday"),
    ("Notes", "notes"),
    ("Labels", "tags"),
]
_OUTLOOK = [
    ("Title", "salutation"),
    ("First Name", "first_name"),
    ("Last Name", "last_name"),
    ("Company", "company"),
    ("Department", "department"),
    ("Job Title", "job_title"),
    ("Business Street", "street"),
    ("Business City", "city"),
    ("Business Postal Code", "postal_code"),
    ("Business Country/Region", "country"),
    ("Business Phone", "phone"),
    ("Mobile Phone", "mobile"),
    ("E-mail Address", "email"),
    ("Notes", "notes"),
    ("Categories", "tags"),
]


def _cell(value: Any, joiner: str = "; ") -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, list | tuple) or type(value).__name__ == "ndarray":
        return joiner.join(str(v) for v in value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10]
    if value is pd.NaT or value is pd.NA:
        return ""
    return value


def _encodable(row: Iterable[Any], encoding: str) -> bool:
    try:
        for value in row:
            str(value).encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _write_csv(
    path: Path, header: list[str], rows: Iterable[list[Any]], encoding: str, delimiter: str
) -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)


def write_sample_files(
    folder: str | Path, *, seed: int = 7, n_accounts: int = 60, n_contacts: int = 300
) -> dict[str, Path]:
    """Write the sample files; return their paths by name.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_sample_files(tempfile.mkdtemp(), n_accounts=5, n_contacts=20)
    >>> sorted(paths)  # doctest: +NORMALIZE_WHITESPACE
    ['accounts', 'accounts_zh', 'contacts', 'contacts_fr', 'google_contacts',
     'outlook_contacts', 'owners']
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    data = generate(
        n_accounts=n_accounts, n_contacts=n_contacts, seed=seed, messiness=0.15, duplicates=0.05
    )
    paths = {name: Path(p) for name, p in data.write(out).items()}
    contacts = data.contacts.astype(object).where(data.contacts.notna(), None)
    accounts = data.accounts.astype(object).where(data.accounts.notna(), None)

    # A French CRM's export opened and saved by French Excel: cp1252 and semicolons.
    header = ["Société", *(CONTACTS[f].fr for f in _FRENCH_FIELDS), "Affecté à"]
    rows = [
        [_cell(r["company"]), *(_cell(r[f], ", ") for f in _FRENCH_FIELDS), _cell(r["owner"])]
        for r in contacts.to_dict("records")
    ]
    rows = [r for r in rows if _encodable(r, "cp1252")]
    paths["contacts_fr"] = out / "contacts_fr.csv"
    _write_csv(paths["contacts_fr"], header, rows, "cp1252", ";")

    # Chinese headers, a title and a blank row above them, typed cells.
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "客户"
    sheet.append(["客户列表（示例数据）"])
    sheet.append([])
    sheet.append([*(ACCOUNTS[f].zh for f in _CHINESE_FIELDS), "客户所有者"])
    for r in accounts.to_dict("records"):
        sheet.append([*(_cell(r[f]) for f in _CHINESE_FIELDS), _cell(r["owner"])])
    paths["accounts_zh"] = out / "accounts_zh.xlsx"
    book.save(paths["accounts_zh"])

    for name, layout, joiner in (
        ("google_contacts", _GOOGLE, " ::: "),
        ("outlook_contacts", _OUTLOOK, ";"),
    ):
        layout_rows = [
            [(_cell(r[src], joiner) if src in r else src) for _, src in layout]
            for r in contacts.to_dict("records")
        ]
        paths[name] = out / f"{name}.csv"
        _write_csv(paths[name], [h for h, _ in layout], layout_rows, "utf-8", ",")
    return paths
