"""One language everywhere: ``ck.set_config(lang=...)`` words reports, errors and exports.

The message catalog (``crmkit._util._messages``) first: every text in every language with
the same placeholders, plurals by each language's rule. Then each printed report and the
record errors in English, French and Chinese, export headers following the chosen
language, and the CLI's ``--lang``.
"""

from __future__ import annotations

import csv
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import crmkit as ck
from crmkit._formats import ExportResult
from crmkit._util._messages import MESSAGES, RULES, kind_noun, message
from crmkit.cli import EXIT_OK, main

LANGS = ["en", "fr", "zh"]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_speaks_every_language_with_the_same_placeholders(key: str) -> None:
    texts = MESSAGES[key]
    assert len(texts) == 3 and all(t.strip() for t in texts)
    forms = [form for text in texts for form in text.split("|")]
    assert all(_placeholders(form) == _placeholders(forms[0]) for form in forms), forms
    assert all(len(text.split("|")) <= 2 for text in texts)
    assert "|" not in texts[2]  # Chinese has one form


def test_every_message_the_code_asks_for_is_in_the_catalog() -> None:
    # A key missing from the catalog would only fail when its message is printed.
    package = Path(ck.__file__).parent
    used = {
        key
        for path in package.rglob("*.py")
        for key in re.findall(
            r"""\bmessage\(\s*["']([a-z_0-9]+)["']\s*[,)]""", path.read_text("utf-8")
        )
    }
    assert len(used) > 50 and not used - set(MESSAGES), sorted(used - set(MESSAGES))


def test_every_rule_sentence_speaks_every_language() -> None:
    for texts in RULES.values():
        assert len(texts) == 3 and len({_placeholders(t) == _placeholders(texts[0]) for t in texts})


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("en", 0, "contacts: 0 merges"),
        ("en", 1, "contacts: 1 merge"),
        ("en", 2, "contacts: 2 merges"),
        ("fr", 0, "contacts : 0 fusion"),
        ("fr", 1, "contacts : 1 fusion"),
        ("fr", 2, "contacts : 2 fusions"),
        ("fr", 12_345, "contacts : 12\u202f345 fusions"),
        ("zh", 1, "联系人：1 次合并"),
        ("zh", 2_000, "联系人：2,000 次合并"),
    ],
)
def test_plurals_and_digit_grouping_follow_the_language(
    lang: str, count: int, expected: str
) -> None:
    kind = kind_noun("contacts", lang=lang)
    assert message("merge_head", lang, kind=kind, count=count) == expected


def test_messages_follow_the_config_unless_a_language_is_given() -> None:
    assert message("merge_dry") == "dry run: nothing written"
    with ck.config_context(lang="fr"):
        assert message("merge_dry") == "simulation : rien n'est écrit"
        assert message("merge_dry", "zh") == "试运行：未写入"
    with pytest.raises(ck.UnknownValueError, match="Did you mean 'fr'"):
        message("merge_dry", "fre")


# -- reports ----------------------------------------------------------------------------------


@pytest.fixture
def crm_two(tmp_path: Path) -> Iterator[ck.CRM]:
    """Two contacts who are the same person, and an owner."""
    with ck.open(tmp_path / "crm.duckdb") as crm:
        crm.owners.add("Marc Durand")
        crm.contacts.add(last_name="Blou", email="h@aprool.com", owner="Marc Durand")
        crm.contacts.add(last_name="Blou", email="h@aprool.com", job_title="CTO")
        yield crm


EXPECTED_REPORTS = {
    "en": {
        "bulk": "BulkReport(tag on 2 contacts: 2 changed, 0 skipped, batch 4)",
        "bulk_one": "BulkReport(tag on 1 contact: 1 changed, 0 skipped, batch 5)",
        "merge": "MergeReport(contacts: 1 merge, 1 record merged away, batch 6)\n"
        "  [1] -> 2 (Owner)",
        "undo": "undid batch 6 as batch 7: 2 fields restored, 0 records removed, "
        "0 records put back",
        "validation": "ValidationReport(contacts: 2 rows, 1 error, 0 warnings)",
        "export": "1 row written to ",
        "summary": "Summary(by Owner)",
    },
    "fr": {
        "bulk": "BulkReport(tag sur 2 contacts : 2 modifié(s), 0 ignoré(s), lot 4)",
        "bulk_one": "BulkReport(tag sur 1 contact : 1 modifié(s), 0 ignoré(s), lot 5)",
        "merge": (
            "MergeReport(contacts : 1 fusion, 1 fiche fusionnée, lot 6)\n  [1] -> 2 (Affecté à)"
        ),
        "undo": "lot 6 annulé par le lot 7 : 2 champs rétablis, 0 fiche retirée, 0 fiche rétablie",
        "validation": "ValidationReport(contacts : 2 lignes, 1 erreur, 0 avertissement)",
        "export": "1 ligne écrite dans ",
        "summary": "Summary(par Affecté à)",
    },
    "zh": {
        "bulk": "BulkReport(tag：2 条联系人，2 条已修改，0 条跳过，批次 4)",
        "bulk_one": "BulkReport(tag：1 条联系人，1 条已修改，0 条跳过，批次 5)",
        "merge": "MergeReport(联系人：1 次合并，1 条记录被合并，批次 6)\n  [1] -> 2 (负责人)",
        "undo": "已撤销批次 6（撤销批次 7）：恢复 2 个字段，移除 0 条记录，恢复 0 条记录",
        "validation": "ValidationReport(联系人：2 行，1 个错误，0 个警告)",
        "export": "已写入 1 行到 ",
        "summary": "Summary(按负责人)",
    },
}


@pytest.mark.parametrize("lang", LANGS)
def test_reports_speak_the_configured_language(crm_two: ck.CRM, tmp_path: Path, lang: str) -> None:
    expected = EXPECTED_REPORTS[lang]
    ck.set_config(lang=lang)
    contacts = crm_two.contacts
    assert repr(contacts.filter().tag("x")) == expected["bulk"]
    assert repr(contacts.filter(search="CTO").tag("y")) == expected["bulk_one"]
    merge = contacts.merge([1, 2])
    assert repr(merge) == expected["merge"]
    undo = crm_two.undo(merge.batch_id)
    assert str(undo) == expected["undo"] and repr(undo) == f"UndoSummary({expected['undo']})"
    frame = pd.DataFrame({"last_name": [None, "Blou"]})
    assert repr(ck.validate(frame, "contacts")).startswith(expected["validation"])
    result = contacts.filter(search="CTO").export(tmp_path / "one.csv")
    assert str(result) == expected["export"] + str(tmp_path / "one.csv")
    assert repr(result).startswith("ExportResult(path=")  # the code-like form stays
    assert repr(contacts.summary(by="owner")).startswith(expected["summary"] + "\n")


@pytest.mark.parametrize(
    ("lang", "head", "rejected", "preview"),
    [
        (
            "en",
            "ImportReport(contacts from {f}, mode=upsert: read=3, inserted=2, updated=0, "
            "unchanged=0, merged_in_file=0, rejected=1, warnings=0, batch ",
            "  rejected rows:\n    line 4: ",
            "ImportPreview(contacts from {f}: 2 columns, 3 rows checked, 1 problem)",
        ),
        (
            "fr",
            "ImportReport(contacts depuis {f}, mode=upsert : lues=3, ajoutées=2, "
            "mises à jour=0, inchangées=0, fusionnées_dans_le_fichier=0, rejetées=1, "
            "avertissements=0, lot ",
            "  lignes rejetées :\n    ligne 4 : ",
            "ImportPreview(contacts depuis {f} : 2 colonnes, 3 lignes vérifiées, 1 problème)",
        ),
        (
            "zh",
            "ImportReport(联系人，来自 {f}，模式=upsert：读取=3，新增=2，更新=0，未变=0，"
            "文件内合并=0，拒绝=1，警告=0，批次 ",
            "  被拒绝的行：\n    第 4 行：",
            "ImportPreview(联系人，来自 {f}：2 列，已检查 3 行，1 个问题)",
        ),
    ],
)
def test_import_reports_speak_the_configured_language(
    tmp_path: Path, lang: str, head: str, rejected: str, preview: str
) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Nom,Email\nBlou,h@aprool.com\nDurand,m@x.fr\n,z@x.fr\n", encoding="utf-8")
    with ck.open() as crm, ck.config_context(lang=lang):
        report = crm.import_file(path, kind="contacts")
        text = repr(report)
        assert text.startswith(head.format(f=path)), text
        assert rejected in text
        shown = repr(crm.preview_import(path, kind="contacts"))
        assert shown.startswith(preview.format(f=path)), shown


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "DuplicateReport(1 pair, 1 cluster among 2 records, "),
        ("fr", "DuplicateReport(1 paire, 1 groupe parmi 2 fiches, "),
        ("zh", "DuplicateReport(2 条记录中 1 对、1 组, "),
    ],
)
def test_duplicate_report_speaks_the_configured_language(
    crm_two: ck.CRM, lang: str, expected: str
) -> None:
    with ck.config_context(lang=lang):
        assert repr(crm_two.contacts.find_duplicates()).startswith(expected)


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "missing", "too_long"),
    [
        ("en", "contact not saved: Last name: required", "Job title: at most 128 characters ("),
        (
            "fr",
            "contact non enregistré : Nom : obligatoire",
            "Fonction : 128 caractères au maximum (",
        ),
        ("zh", "联系人未保存：姓：必填", "职位：最多 128 个字符（"),
    ],
)
def test_record_errors_name_field_labels_and_no_row(
    crm: ck.CRM, lang: str, missing: str, too_long: str
) -> None:
    with ck.config_context(lang=lang):
        with pytest.raises(ck.ValidationError) as err:
            crm.contacts.add(first_name="Hélène")
        assert str(err.value) == missing
        # The field's name stays where code reads it.
        assert err.value.failure_cases is not None
        assert list(err.value.failure_cases["field"]) == ["last_name"]
        cid = crm.contacts.add(last_name="Blou")
        with pytest.raises(ck.ValidationError) as err:
            crm.contacts.update(cid, job_title="x" * 129)
        assert too_long in str(err.value) and not re.search(r"\b(row|ligne) 0\b", str(err.value))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "row 1: Last name: required"),
        ("fr", "ligne 1 : Nom : obligatoire"),
        ("zh", "第 1 行：姓：必填"),
    ],
)
def test_errors_about_several_records_name_the_row(crm: ck.CRM, lang: str, expected: str) -> None:
    with ck.config_context(lang=lang), pytest.raises(ck.ValidationError) as err:
        crm.contacts.add_many([{"last_name": "Blou"}, {"first_name": "Marc"}])
    assert expected in str(err.value)


# -- exports ----------------------------------------------------------------------------------


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


def test_export_headers_follow_the_chosen_language(crm_two: ck.CRM, tmp_path: Path) -> None:
    sel = crm_two.contacts.filter().columns("last_name", "job_title")
    assert _header(sel.export(tmp_path / "a.csv").path) == ["last_name", "job_title"]
    ck.set_config(lang="fr")
    assert _header(sel.export(tmp_path / "b.csv").path) == ["Nom", "Fonction"]
    assert _header(sel.export(tmp_path / "c.csv", lang="names").path) == [
        "last_name",
        "job_title",
    ]
    assert _header(sel.export(tmp_path / "d.csv", lang="zh").path) == ["姓", "职位"]
    with pytest.raises(ck.UnknownValueError, match="Did you mean 'names'"):
        sel.export(tmp_path / "e.csv", lang="name")


def test_one_setting_changes_reports_errors_and_export_headers_at_once(
    crm_two: ck.CRM, tmp_path: Path
) -> None:
    sel = crm_two.contacts.filter().columns("last_name")
    ck.set_config(lang="fr")
    assert "2 modifié(s)" in repr(sel.tag("z"))
    with pytest.raises(ck.ValidationError, match=r"^contact non enregistré : Nom : obligatoire$"):
        crm_two.contacts.add(first_name="Marc")
    result = sel.export(tmp_path / "fr.csv")
    assert isinstance(result, ExportResult) and _header(result.path) == ["Nom"]
    assert str(result).startswith("2 lignes écrites dans ")


# -- command line -----------------------------------------------------------------------------


def test_cli_lang_sets_the_language_for_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "crm.duckdb"
    with ck.open(db) as crm:
        crm.contacts.add(last_name="Blou")
    base = ["--db", str(db), "--user", "CLI"]
    out = tmp_path / "out.csv"
    assert main([*base, "--lang", "fr", "export", str(out)]) == EXIT_OK
    assert "Nom" in _header(out)
    assert main([*base, "--lang", "fr", "export", str(out), "--lang", "names"]) == EXIT_OK
    assert "last_name" in _header(out)
    assert main([*base, "export", str(out)]) == EXIT_OK  # nothing chosen: field names
    assert "last_name" in _header(out) and ck.get_config()["lang"] is None
    capsys.readouterr()
    assert main([*base, "--lang", "fr", "export", str(out)]) == EXIT_OK
    assert capsys.readouterr().out == f"{out} : 1 contact\n"
    capsys.readouterr()
    assert main([*base, "--lang", "zh", "undo", "last"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("已撤销批次 1（撤销批次 2）")
    monkeypatch.setenv("CRMKIT_LANG", "fr")
    from crmkit._util._config import reset_config

    reset_config()
    with ck.open(db) as crm:
        crm.contacts.add(last_name="Durand")
    assert main([*base, "undo", "last"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("lot 3 annulé par le lot 4 : ")


@pytest.mark.parametrize(
    ("lang", "missing", "own_parent"),
    [
        ("en", "Account: no account with id 999", "Parent account: account 1 cannot be its own"),
        ("fr", "Société : aucun compte d'id 999", "Maison mère : compte 1 ne peut pas être sa"),
        ("zh", "公司：找不到 id 为 999 的客户", "母公司：客户 1 不能是自己的母公司"),
    ],
)
def test_reference_errors_speak_the_configured_language(
    crm: ck.CRM, lang: str, missing: str, own_parent: str
) -> None:
    account = crm.accounts.add(name="APROOL")
    with ck.config_context(lang=lang):
        with pytest.raises(ck.RecordNotFoundError) as err:
            crm.contacts.add(last_name="Blou", account_id=999)
        assert str(err.value) == missing
        with pytest.raises(ck.ParentCycleError) as cycle:
            crm.accounts.update(account, parent_id=account)
        assert str(cycle.value).startswith(own_parent)
