"""The activities' refusals speak the language of ``ck.set_config`` (fr, zh), naming the
field by its label; with no language chosen they keep crmkit's English."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import crmkit as ck

Call = Callable[[ck.CRM, int], Any]

CASES: list[tuple[str, Call, str, str, str]] = [
    # (name, call, English, French, Chinese)
    (
        "due",
        lambda crm, cid: crm.activities.add_task("x", due="demain", contact=cid),
        "due_at: 'demain' is not a date",
        "Échéance : 'demain' n'est pas une date",
        "截止时间：'demain' 不是日期",
    ),
    (
        "type",
        lambda crm, cid: crm.activities.add_task("x", type="fax", contact=cid),
        "unknown task_type 'fax'",
        "type de tâche introuvable : 'fax'",
        "未知的任务类型 'fax'",
    ),
    (
        "priority",
        lambda crm, cid: crm.activities.add_task("x", priority="urgent", contact=cid),
        "unknown priority 'urgent'",
        "priorité introuvable : 'urgent'",
        "未知的优先级 'urgent'",
    ),
    (
        "subject",
        lambda crm, cid: crm.activities.add_task("  ", contact=cid),
        "subject: '  ' is empty or not text",
        "Objet : '  ' est vide ou n'est pas un texte",
        "主题：'  ' 为空或不是文本",
    ),
    (
        "missing contact",
        lambda crm, cid: crm.activities.add_note("hello", contact=999),
        "contact_id: no contact with id 999",
        "Contact : aucun contact d'id 999",
        "联系人：找不到 id 为 999 的联系人",
    ),
    (
        "missing activity",
        lambda crm, cid: crm.activities.update(999, subject="x"),
        "no activity with id 999",
        "aucune activité d'id 999",
        "找不到 id 为 999 的活动",
    ),
    (
        "note completed",
        lambda crm, cid: crm.activities.complete(crm.activities.add_note("n", contact=cid)),
        "it cannot be completed",
        "impossible de la terminer",
        "无法完成",
    ),
    (
        "deleted task",
        lambda crm, cid: crm.activities.update(_deleted_task(crm, cid), subject="y"),
        "it cannot be changed",
        "impossible de la modifier",
        "无法修改",
    ),
    (
        "filter due",
        lambda crm, cid: crm.activities.filter(due="someday"),
        "unknown due 'someday'",
        "échéance introuvable : 'someday'",
        "未知的截止时间 'someday'",
    ),
    (
        "filter kind",
        lambda crm, cid: crm.activities.filter(kind="zzz"),
        "unknown kind 'zzz'",
        "nature introuvable : 'zzz'",
        "未知的类别 'zzz'",
    ),
    (
        "deleted contact",
        lambda crm, cid: crm.activities.add_tasks([_deleted_contact(crm)], "x"),
        "contact_id: contact",
        "Contact : contact",
        "联系人：联系人",
    ),
]


def _deleted_task(crm: ck.CRM, cid: int) -> int:
    task = crm.activities.add_task("x", contact=cid)
    crm.activities.delete(task)
    return task


def _deleted_contact(crm: ck.CRM) -> int:
    gone = crm.contacts.add(last_name="Gone")
    crm.contacts.delete(gone)
    return gone


@pytest.fixture
def desk() -> Iterator[tuple[ck.CRM, int]]:
    with ck.open() as crm:
        yield crm, crm.contacts.add(last_name="Blou")


@pytest.mark.parametrize(("lang", "column"), [(None, 2), ("en", 2), ("fr", 3), ("zh", 4)])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_refusals_speak_the_chosen_language(
    desk: tuple[ck.CRM, int], case: tuple[Any, ...], lang: str | None, column: int
) -> None:
    crm, cid = desk
    expected = case[column]
    if lang == "en" and case[0] in ("due", "subject", "missing contact", "deleted contact"):
        expected = {  # English chosen: the field's English label
            "due": "Due: 'demain' is not a date",
            "subject": "Subject: '  ' is empty or not text",
            "missing contact": "Contact: no contact with id 999",
            "deleted contact": "Contact: contact",
        }[case[0]]
    batches = len(crm.batches())
    with ck.config_context(lang=lang), pytest.raises(ck.CRMKitError) as err:
        case[1](crm, cid)
    assert expected in str(err.value)
    if case[0] not in ("note completed", "deleted task", "deleted contact"):
        assert len(crm.batches()) == batches  # nothing written


def test_set_config_turns_the_messages_french(desk: tuple[ck.CRM, int]) -> None:
    crm, cid = desk
    before = ck.get_config().get("lang")
    ck.set_config(lang="fr")
    try:
        with pytest.raises(ck.ValidationError, match="Échéance : 'demain' n'est pas une date"):
            crm.activities.add_task("Rappeler", due="demain", contact=cid)
    finally:
        ck.set_config(lang=before)
    assert len(crm.activities.filter()) == 0


@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_import_refusals_speak_the_language(
    desk: tuple[ck.CRM, int], tmp_path: Path, lang: str
) -> None:
    crm, _ = desk
    path = tmp_path / "tasks.csv"
    pd.DataFrame({"Objet": ["Relancer"], "Contact": ["1"], "Statut": ["bof"]}).to_csv(
        path, index=False
    )
    with ck.config_context(lang=lang), pytest.raises(ck.UnknownValueError) as err:
        crm.activities.import_file(path, kind="rendez-vous")
    assert ("nature introuvable" if lang == "fr" else "未知的类别") in str(err.value)
    with ck.config_context(lang=lang):
        report = crm.activities.import_file(path, kind="tasks")
    reason = str(report.rejected.iloc[0].tolist())
    assert ("statut introuvable" if lang == "fr" else "未知的状态") in reason
