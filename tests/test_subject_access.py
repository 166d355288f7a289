"""Subject-access requests: ``crm.contacts.subject_access`` (``crmkit._ops._subject_access``)."""

from __future__ import annotations

import json
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import crmkit as ck

_XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
_MEMBERS = {
    "record.json",
    "account.json",
    "history.json",
    "subscriptions.json",
    "tags.json",
    "activities.json",
    "duplicate_decisions.json",
    "imports.json",
    "index.html",
}


class _Page(HTMLParser):
    """The page's text, and every tag met (a script or an injected tag would show)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.texts: list[str] = []
        self.attrs_seen: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs_seen += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


def _bundle(path: Path) -> tuple[dict[str, Any], _Page]:
    with zipfile.ZipFile(path) as archive:
        assert set(archive.namelist()) == _MEMBERS
        data = {
            name.removesuffix(".json"): json.loads(archive.read(name))
            for name in archive.namelist()
            if name.endswith(".json")
        }
        page = _Page()
        page.feed(archive.read("index.html").decode("utf-8"))
    return data, page


def _values(value: Any) -> list[str]:
    """Every scalar inside a decoded JSON value, as text."""
    if isinstance(value, dict):
        return [v for item in value.values() for v in _values(item)]
    if isinstance(value, list):
        return [v for item in value for v in _values(item)]
    return [] if value is None else [str(value)]


@pytest.fixture
def person(tmp_path: Path) -> tuple[ck.CRM, int, int]:
    """A contact with an account, an import, a merge, a subscription, a note, a decision."""
    crm = ck.open(tmp_path / "crm.duckdb", user="Nicole")
    source = tmp_path / "contacts.csv"
    pd.DataFrame(
        {
            "Prénom": ["Hélène"],
            "Nom": ["Blou"],
            "E-mail": ["helene.blou@aprool.com"],
            "Société": ["APROOL"],
        }
    ).to_csv(source, index=False)
    report = crm.import_file(source, kind="contacts", create_accounts=True)
    cid = int(crm.contacts.filter(search="blou").ids[0])
    bad = tmp_path / "bad.csv"
    pd.DataFrame(
        {"Nom": ["Blou"], "E-mail": ["Helene.Blou@aprool.com"], "Date de naissance": ["zz"]}
    ).to_csv(bad, index=False)
    crm.import_file(bad, kind="contacts")  # rejected: not a date, the row is kept
    assert report.inserted == 1
    crm.contacts.update(cid, job_title="Chef de projet", notes=_XSS, tags=["salon"])
    crm.contacts.update(cid, job_title="Directrice", email_basis="consent")
    other = crm.contacts.add(first_name="H.", last_name="Blou", mobile="06 25 34 12 57")
    crm.contacts.decide(cid, other, "same")
    crm.contacts.merge([cid, other], prefer="oldest")
    crm.contacts.filter(ids=[cid]).subscribe("Newsletter")
    crm.activities.add_note("Rappeler <b>lundi</b>", contact=cid)
    crm.contacts.add(last_name="Someone else", email="else@example.com")
    return crm, cid, other


def test_the_bundle_holds_every_section(person: tuple[ck.CRM, int, int], tmp_path: Path) -> None:
    crm, cid, other = person
    report = crm.contacts.subject_access(cid, tmp_path / "out.zip")
    assert report.path == tmp_path / "out.zip" and report.merged_ids == (other,)
    data, page = _bundle(report.path)
    fields = {f["field"]: f for f in data["record"]["fields"]}
    assert fields["email"]["value"] == "helene.blou@aprool.com"
    assert fields["email"]["label"] == "Email" and fields["email_basis"]["value"] == "consent"
    assert [m["id"] for m in data["record"]["merged_records"]] == [other]
    assert {f["field"]: f["value"] for f in data["account"]["fields"]}["name"] == "APROOL"
    assert data["tags"] == ["salon"]
    assert [s["list_name"] for s in data["subscriptions"]] == ["Newsletter"]
    assert [a["body"] for a in data["activities"]] == ["Rappeler <b>lundi</b>"]
    assert [d["decision"] for d in data["duplicate_decisions"]] == ["same"]
    assert [b["details"]["source"] for b in data["imports"]["batches"]] == [
        str(tmp_path / "contacts.csv")
    ]
    assert len(data["imports"]["rejects"]) == 1  # the bad row holds her email
    assert {h["record_id"] for h in data["history"]} == {cid, other}
    assert report.counts == {
        "record": 1,
        "account": 1,
        "history": len(data["history"]),
        "subscriptions": 1,
        "tags": 1,
        "activities": 1,
        "duplicate_decisions": 1,
        "imports": 1,
        "rejects": 1,
    }
    assert "Blou" in page.text and "Newsletter" in page.text
    assert "else@example.com" not in json.dumps(data) + page.text  # nobody else


def test_every_history_value_is_on_the_page(
    person: tuple[ck.CRM, int, int], tmp_path: Path
) -> None:
    crm, cid, other = person
    data, page = _bundle(crm.contacts.subject_access(cid, tmp_path / "out.zip").path)
    history = pd.concat([crm.history("contacts", cid), crm.history("contacts", other)])
    expected = {
        v
        for column in ("old", "new")
        for value in history[column]
        if isinstance(value, str | int | float | list) and value != "(whole record)"
        for v in _values(value)
    }
    assert {"Chef de projet", "Directrice", "consent", "+33625341257"} <= expected
    in_json = set(_values(data["history"]))
    missing = [v for v in expected if v not in in_json]
    assert not missing
    on_page = page.text
    assert [v for v in expected if v not in on_page] == []


def test_values_are_escaped(person: tuple[ck.CRM, int, int], tmp_path: Path) -> None:
    crm, cid, _ = person
    out = crm.contacts.subject_access(cid, tmp_path / "out.zip").path
    raw = zipfile.ZipFile(out).read("index.html").decode("utf-8")
    assert "<script" not in raw and "<img" not in raw and "<b>lundi" not in raw
    _, page = _bundle(out)
    assert "script" not in page.tags and "img" not in page.tags and "b" not in page.tags
    assert "onerror" not in page.attrs_seen
    assert _XSS in page.text  # shown as text, whole
    assert "Rappeler <b>lundi</b>" in page.text


@pytest.mark.parametrize(
    ("lang", "heading", "label"),
    [
        ("en", "Mailing-list subscriptions", "Email legal basis"),
        ("fr", "Abonnements aux listes de diffusion", "Base légale e-mail"),
        ("zh", "邮件列表订阅", "邮件法律依据"),
    ],
)
def test_the_page_and_labels_follow_the_language(
    person: tuple[ck.CRM, int, int], tmp_path: Path, lang: str, heading: str, label: str
) -> None:
    crm, cid, _ = person
    with ck.config_context(lang=lang):
        report = crm.contacts.subject_access(cid, tmp_path / f"{lang}.zip")
        shown = repr(report)
    data, page = _bundle(report.path)
    assert heading in page.text and label in page.text
    assert heading in shown
    assert {f["field"]: f["label"] for f in data["record"]["fields"]}["email_basis"] == label


def test_a_deleted_contact_is_still_held(tmp_path: Path) -> None:
    with ck.open() as crm:
        cid = crm.contacts.add(last_name="Gone", email="gone@example.com")
        crm.contacts.delete(cid)
        report = crm.contacts.subject_access(cid, tmp_path / "gone.zip")
        data, _ = _bundle(report.path)
        assert {f["field"]: f["value"] for f in data["record"]["fields"]}["deleted_at"]
        assert data["account"] is None and report.counts["account"] == 0


def test_missing_and_merged_ids_are_refused(
    person: tuple[ck.CRM, int, int], tmp_path: Path
) -> None:
    crm, cid, other = person
    out = tmp_path / "no.zip"
    with pytest.raises(ck.RecordNotFoundError, match="no contact with id 999"):
        crm.contacts.subject_access(999, out)
    with pytest.raises(ck.RecordNotFoundError, match=f"merged into contact {cid}"):
        crm.contacts.subject_access(other, out)
    with pytest.raises(ck.ValidationError, match="whole number"):
        crm.contacts.subject_access(1.5, out)  # type: ignore[arg-type]
    with pytest.raises(ck.ExportError, match="does not exist"):
        crm.contacts.subject_access(cid, tmp_path / "nowhere" / "x.zip")
    assert not out.exists()
