"""The import pipeline on real files: CSV in several encodings, XLSX, other CRMs' layouts."""

from __future__ import annotations

import csv
import datetime as dt
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pandas as pd
import polars as pl
import pytest

import crmkit as ck


def write_csv(
    path: Path, rows: list[list[object]], encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


@pytest.fixture
def team(crm: ck.CRM) -> ck.CRM:
    crm.owners.add("Marc Durand", email="md@example.com")
    crm.owners.add("王芳", email="wang.fang@example.cn")
    return crm


FR_ROWS = [
    [
        "Société",
        "Civilité",
        "Prénom",
        "Nom",
        "Fonction",
        "Téléphone",
        "Portable",
        "E-mail",
        "Pays",
        "Affecté à",
        "Client",
        "Date de naissance",
        "Hobby",
    ],
    [
        "APROOL SAS",
        "Mme",
        "Hélène",
        "Blou",
        "Chef de projet",
        "01 42 68 53 00",
        "06 25 34 12 57",
        "Helene.Blou@APROOL.com",
        "France",
        "Marc Durand",
        "oui",
        "05/03/1980",
        "voile",
    ],
    [
        "Société Générale",
        "M.",
        "François",
        "Lefèvre",
        "DSI",
        "+33 1 42 14 20 00",
        "",
        "f.lefevre@socgen.fr",
        "France",
        "md@example.com",
        "non",
        "",
        "",
    ],
]


def test_french_excel_csv_cp1252_semicolon(team: ck.CRM, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "contacts_fr.csv", FR_ROWS, "cp1252", ";")
    report = team.import_file(path, "contacts", create_accounts=True, progress=False)
    assert (report.read, report.inserted, report.n_rejected) == (2, 2, 0)
    assert sorted(report.created_accounts) == ["APROOL SAS", "Société Générale"]
    df = team.contacts.df().set_index("last_name")
    helene = df.loc["Blou"]
    assert helene["first_name"] == "Hélène" and helene["salutation"] == "Ms"
    assert helene["mobile"] == "+33625341257" and helene["phone"] == "+33142685300"
    assert helene["email"] == "Helene.Blou@aprool.com"
    assert helene["country"] == "FR" and helene["owner"] == "Marc Durand"
    assert pd.Timestamp(helene["birthday"]).date() == dt.date(1980, 3, 5)
    assert helene["company"] == "APROOL SAS"
    assert '"Hobby":"voile"' in helene["custom"]
    assert df.loc["Lefèvre", "owner"] == "Marc Durand"  # matched by email
    changed = set(report.changes["field"])
    assert {"mobile", "phone", "email", "country", "salutation"} <= changed
    assert "Client" in report.mapping.fields and report.mapping.fields["Fonction"] == "job_title"


def test_same_file_twice_inserts_nothing(team: ck.CRM, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", FR_ROWS, "utf-8-sig", ";")
    first = team.import_file(path, create_accounts=True, progress=False)
    second = team.import_file(path, create_accounts=True, progress=False)
    assert first.inserted == 2
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 2)
    assert second.batch_id is None
    assert len(team.contacts) == 2 and len(team.accounts) == 2


def test_undo_import_removes_inserted_and_restores_updated(team: ck.CRM, tmp_path: Path) -> None:
    acc = team.accounts.add(name="APROOL")
    existing = team.contacts.add(
        last_name="Blou", email="helene.blou@aprool.com", job_title="Stagiaire", account_id=acc
    )
    path = write_csv(tmp_path / "c.csv", FR_ROWS, "utf-8")
    report = team.import_file(path, create_accounts=True, progress=False)
    assert (report.inserted, report.updated) == (1, 1)
    assert team.contacts.get(existing).job_title == "Chef de projet"
    team.undo(report.batch_id)
    assert team.contacts.get(existing).job_title == "Stagiaire"
    assert len(team.contacts) == 1
    assert [a for a in team.accounts.df()["name"]] == ["APROOL"]


def test_modes(team: ck.CRM, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", FR_ROWS, "utf-8")
    report = team.import_file(path, mode="update", create_accounts=True, progress=False)
    assert report.inserted == 0 and report.n_rejected == 2
    assert "mode='update'" in report.rejected["__reasons__"].iloc[0]
    team.import_file(path, mode="create", create_accounts=True, progress=False)
    changed = [FR_ROWS[0], [*FR_ROWS[1][:4], "Directrice", *FR_ROWS[1][5:]]]
    path2 = write_csv(tmp_path / "c2.csv", changed, "utf-8")
    again = team.import_file(path2, mode="create", progress=False)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    upsert = team.import_file(path2, mode="upsert", progress=False)
    assert upsert.updated == 1
    assert team.contacts.df().set_index("last_name").loc["Blou", "job_title"] == "Directrice"
    with pytest.raises(ck.UnknownValueError, match="merge"):
        team.import_file(path2, mode="merge", progress=False)  # type: ignore[arg-type]


def test_match_on_explicit_field(crm: ck.CRM) -> None:
    crm.accounts.add(name="Aprool", siren="123456789")
    frame = pd.DataFrame(
        {"Raison sociale": ["APROOL SAS"], "SIREN": ["123456789"], "Secteur": ["Logiciel"]}
    )
    report = crm.import_frame(frame, "accounts", match_on=["siren"], progress=False)
    assert (report.inserted, report.updated) == (0, 1)
    assert crm.accounts.df().loc[0, "sector"] == "Software"


def test_rejects_are_kept_reported_and_reimportable(team: ck.CRM, tmp_path: Path) -> None:
    rows = [
        ["Nom", "Prénom", "E-mail", "Date de naissance", "Affecté à", "Société"],
        ["Blou", "Hélène", "h@aprool.com", "31/02/1980", "Marc Durand", ""],
        ["", "Sans Nom", "x@x.fr", "", "", ""],
        ["Roy", "Jean", "j@roy.fr", "", "Marc Durant", ""],
        ["Nadal", "Léa", "l@x.fr", "", "", "Inconnue SA"],
        ["Durand", "Paul", "p@x.fr", "", "", ""],
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    report = team.import_file(path, progress=False)
    assert (report.read, report.inserted, report.n_rejected) == (5, 1, 4)
    reasons = dict(zip(report.rejected["__line__"], report.rejected["__reasons__"], strict=True))
    assert "birthday" in reasons[2] and "31/02/1980" in reasons[2]
    assert "last_name" in reasons[3] and "required" in reasons[3]
    assert "unknown owner 'Marc Durant'" in reasons[4] and "Marc Durand" in reasons[4]
    assert "no account named 'Inconnue SA'" in reasons[5]
    stored = team.rejects(report.batch_id)
    assert list(stored["line"]) == [2, 3, 4, 5]
    assert '"Nom":"Roy"' in stored.loc[stored["line"] == 4, "raw"].item().replace(" ", "")
    fixed = report.rejected.copy()
    fixed.loc[fixed["__line__"] == 2, "Date de naissance"] = "28/02/1980"
    fixed.loc[fixed["__line__"] == 3, "Nom"] = "Anonyme"
    fixed.loc[fixed["__line__"] == 4, "Affecté à"] = "Marc Durand"
    again = team.import_frame(fixed, "contacts", create_accounts=True, progress=False)
    assert (again.inserted, again.n_rejected) == (4, 0)


def test_duplicates_inside_the_file_rejected_on_request(crm: ck.CRM) -> None:
    frame = pl.DataFrame(
        {"Last Name": ["Blou", "Blou", "Roy"], "Email": ["h@aprool.com", "H@Aprool.com", "r@x.fr"]}
    )
    report = crm.import_frame(frame, progress=False, in_file_duplicates="reject")
    assert report.inserted == 2
    assert report.duplicates_in_file.to_dict("records") == [
        {"line": 2, "duplicate_of": 1, "key": "email:h@aprool.com"}
    ]
    assert "duplicate of line 1" in report.rejected["__reasons__"].item()


def test_dry_run_writes_nothing(team: ck.CRM, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", FR_ROWS)
    before = team.counts()
    report = team.import_file(path, create_accounts=True, dry_run=True, progress=False)
    assert report.dry_run and report.inserted == 2 and report.batch_id is None
    assert team.counts() == before
    assert "DRY RUN" in repr(report)


def test_preview(team: ck.CRM, tmp_path: Path) -> None:
    bad = ["X", "", "", "", "", "", "", "pas-un-email", "", "", "peut-être", "", ""]
    path = write_csv(tmp_path / "c.csv", [*FR_ROWS, bad])
    preview = team.preview_import(path, "contacts")
    assert preview.mapping.fields["Société"] == "company"
    assert list(preview.sample["mobile"][:1]) == ["+33625341257"]
    messages = " ".join(preview.problems["message"])
    assert "last_name: required, but empty" in messages and "pas-un-email" in messages
    assert team.counts()["contacts"] == 0
    assert "crmkit-import-preview" in preview._repr_html_()


def test_chinese_xlsx_accounts(crm: ck.CRM, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "客户"
    sheet.append(["客户列表"])
    sheet.append([])
    sheet.append(["客户名称", "行业", "年收入", "员工数", "国家", "客户所有者", "网站"])
    sheet.append(["北京华信科技有限公司", "软件", 12_500_000, 85, "中国", None, "huaxin.cn"])
    sheet.append(["上海东方贸易有限公司", "批发", "¥3,000万", "50-99", "中国", None, None])
    sheet.append(["深圳星河物流", "物流", None, "21", "中国", None, None])
    path = tmp_path / "accounts_zh.xlsx"
    book.save(path)
    report = crm.import_file(path, "accounts", sheet="客户", progress=False)
    assert (report.inserted, report.n_rejected) == (3, 0), report
    df = crm.accounts.df().set_index("name")
    huaxin = df.loc["北京华信科技有限公司"]
    assert (huaxin["sector"], huaxin["employees"], huaxin["billing_country"]) == (
        "Software",
        85,
        "CN",
    )
    assert huaxin["website"] == "https://huaxin.cn" and huaxin["revenue_band"] == "10M-50M"
    dongfang = df.loc["上海东方贸易有限公司"]
    assert dongfang["annual_revenue"] == 30_000_000 and dongfang["currency"] == "CNY"
    assert dongfang["headcount_band"] == "51-200"  # the range 50-99
    assert df.loc["深圳星河物流", "headcount_band"] == "11-50"  # INSEE-like code 21? no: 21 people


GOOGLE = [
    "First Name",
    "Last Name",
    "Organization Name",
    "Organization Title",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Phone 2 - Label",
    "Phone 2 - Value",
    "Labels",
    "Notes",
]


def test_google_contacts_layout(crm: ck.CRM, tmp_path: Path) -> None:
    rows = [
        GOOGLE,
        [
            "Hélène",
            "Blou",
            "APROOL",
            "CTO",
            "* Work",
            "helene@aprool.com",
            "Mobile",
            "+33 6 25 34 12 57",
            "Work",
            "01 42 68 53 00",
            "VIP ::: * myContacts",
            "Met at VivaTech, Paris",
        ],
    ]
    path = write_csv(tmp_path / "google.csv", rows)
    report = crm.import_file(path, create_accounts=True, progress=False)
    assert report.mapping.layout == "google"
    c = crm.contacts.df().iloc[0]
    assert (c["mobile"], c["phone"], c["job_title"]) == ("+33625341257", "+33142685300", "CTO")
    assert c["notes"] == "Met at VivaTech, Paris" and c["company"] == "APROOL"


def test_outlook_layout(crm: ck.CRM, tmp_path: Path) -> None:
    rows = [
        [
            "Title",
            "First Name",
            "Last Name",
            "Company",
            "Job Title",
            "Business Phone",
            "Mobile Phone",
            "E-mail Address",
            "Business City",
            "Categories",
        ],
        [
            "Mr.",
            "John",
            "Smith",
            "Northwind Ltd",
            "Buyer",
            "+44 20 7946 0958",
            "07700 900123",
            "john.smith@northwind.co.uk",
            "London",
            "Suppliers; UK",
        ],
    ]
    path = write_csv(tmp_path / "outlook.csv", rows)
    report = crm.import_file(path, create_accounts=True, region="GB", progress=False)
    assert report.mapping.layout == "outlook"
    c = crm.contacts.df().iloc[0]
    assert (c["salutation"], c["job_title"], c["mobile"]) == ("Mr", "Buyer", "+447700900123")
    assert list(c["tags"]) == ["Suppliers", "UK"]


def test_frames_pandas_and_polars(crm: ck.CRM, make_frame) -> None:
    frame = make_frame(
        {
            "Company": ["APROOL", "Northwind"],
            "Industry": ["Logiciel", "Retail"],
            "Annual Revenue": ["4,2 M€", "1 250 000,50 €"],
            "Employees": [85, None],
        }
    )
    report = crm.import_frame(frame, "accounts", progress=False)
    assert report.inserted == 2
    df = crm.accounts.df().set_index("name")
    assert df.loc["APROOL", "annual_revenue"] == 4_200_000
    assert df.loc["Northwind", "annual_revenue"] == 1_250_000.5
    assert df.loc["APROOL", "currency"] == "EUR"


def test_unknown_vocabulary_goes_to_custom_with_warning(crm: ck.CRM) -> None:
    frame = pd.DataFrame({"Account Name": ["A"], "Type": ["Ancien client"]})
    report = crm.import_frame(frame, "accounts", progress=False)
    assert report.inserted == 1
    rec = crm.accounts.get(report.inserted_ids[0])
    assert rec.account_type is None and "Ancien client" in rec.custom
    assert "kept in custom" in report.warnings["message"].item()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "png image"),
        ("fake.xlsx", b"Nom;Prenom\nBlou;Helene\n", "workbook"),
        ("ragged.csv", b"Nom,Prenom\nBlou,Helene\nRoy,Jean,extra,cells\n", "line 3"),
    ],
)
def test_bad_files(crm: ck.CRM, tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ck.ImportFormatError) as err:
        crm.import_file(path, progress=False)
    assert message in str(err.value).lower() or message in str(err.value)
    assert name in str(err.value)
    assert crm.counts()["contacts"] == 0


def test_kind_and_mapping_errors(crm: ck.CRM) -> None:
    frame = pd.DataFrame({"Nom": ["Blou"]})
    with pytest.raises(ck.UnknownValueError):
        crm.import_frame(frame, "leads", progress=False)
    with pytest.raises(ck.UnknownValueError, match="last_name"):
        crm.import_frame(frame, mapping={"Nom": "last_nme"}, progress=False)


def test_killed_import_leaves_nothing(tmp_path: Path) -> None:
    """A real import process killed half-way leaves the database as it was: the chunks it
    committed are rolled back by the next read-write open, which says so."""
    from crmkit.samples import generate

    path = tmp_path / "crm.duckdb"
    ck.open(path).close()
    csv_path = tmp_path / "big.csv"
    generate(n_accounts=50, n_contacts=40_000, seed=3).contacts.drop(columns=["company"]).to_csv(
        csv_path, index=False
    )
    code = textwrap.dedent(f"""
        import crmkit as ck
        crm = ck.open({str(path)!r})
        crm.import_file({str(csv_path)!r}, chunk_rows=1000, progress=True)
        print("finished", flush=True)
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None and proc.stdout is not None
    # The progress bar (tqdm, on stderr) tells when rows are being written.
    seen = b""
    while not re.search(rb" ([2-8][0-9])%\|", seen):
        byte = proc.stderr.read(1)
        assert byte, f"the import ended before it could be killed: {seen[-300:]!r}"
        seen += byte
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert b"finished" not in proc.stdout.read()
    proc.stdout.close()
    proc.stderr.close()
    with pytest.warns(ck.CRMKitWarning, match=r"batch 1 \(import contacts from .*big\.csv"):
        crm = ck.open(path)
    with crm:
        counts = crm.counts()
        assert (counts["contacts"], counts["history"], counts["batches"]) == (0, 0, 0)
    with ck.open(path) as crm:  # rolled back once: the next open says nothing
        assert crm.counts()["contacts"] == 0


def test_worker_processes_give_the_same_result(tmp_path: Path) -> None:
    """Normalising in worker processes (used for large files) changes nothing."""
    from crmkit.samples import generate

    data = generate(n_accounts=30, n_contacts=400, seed=11, messiness=0.4)
    csv_path = tmp_path / "c.csv"
    data.contacts.to_csv(csv_path, index=False)
    frames = []
    for workers in (1, 2):
        with ck.open(user="W") as crm:
            report = crm.import_file(
                csv_path,
                create_accounts=True,
                create_owners=True,
                progress=False,
                workers=workers,
                chunk_rows=90,
            )
            frames.append(
                (report.counts(), crm.contacts.df().drop(columns=["created_at", "updated_at"]))
            )
    assert frames[0][0] == frames[1][0]
    pd.testing.assert_frame_equal(frames[0][1], frames[1][1])


def test_ids_given_in_a_file_must_exist(crm: ck.CRM, tmp_path: Path) -> None:
    owner = crm.owners.add("Ana Lima")
    account = crm.accounts.add(name="Aprool")
    csv_path = tmp_path / "ids.csv"
    csv_path.write_text(
        "last_name,account_id,owner_id\n"
        f"Blou,{account},{owner}\n"
        f"Durand,999999,{owner}\n"
        f"Martin,{account},424242\n",
        encoding="utf-8",
    )
    report = crm.import_file(csv_path, "contacts", progress=False)
    assert report.inserted == 1
    reasons = dict(zip(report.rejected["__line__"], report.rejected["__reasons__"], strict=True))
    assert reasons == {
        3: "account_id: no account with id 999999",
        4: "owner_id: no owner with id 424242",
    }
