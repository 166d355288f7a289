"""Activities (notes and tasks): their columns, labels in every language, vocabularies.

Listed once here: the store creates the ``activities`` table from :data:`ACTIVITY_COLUMNS`,
operations check values against the vocabularies, displays label columns with
:func:`activity_label`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from crmkit._util._langs import Labels, check_lang, pick_label
from crmkit.schemas._vocab import Term, Vocabulary

__all__ = [
    "ACTIVITY_COLUMNS",
    "ACTIVITY_KINDS",
    "ACTIVITY_LABELS",
    "TASK_PRIORITIES",
    "TASK_STATUSES",
    "TASK_TYPES",
    "activity_label",
]

#: Column name to DuckDB type of the ``activities`` table.
ACTIVITY_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "id": "BIGINT",
        "kind": "VARCHAR",
        "contact_id": "BIGINT",
        "account_id": "BIGINT",
        "subject": "VARCHAR",
        "body": "VARCHAR",
        "task_type": "VARCHAR",
        "due_at": "TIMESTAMP",
        "priority": "VARCHAR",
        "status": "VARCHAR",
        "owner_id": "BIGINT",
        "report": "VARCHAR",
        "author": "VARCHAR",
        "created_at": "TIMESTAMP",
        "created_by": "VARCHAR",
        "updated_at": "TIMESTAMP",
        "updated_by": "VARCHAR",
        "completed_at": "TIMESTAMP",
        "deleted": "BOOLEAN",
    }
)

# fmt: off
_LABELS: dict[str, Labels] = {
    "id": ("Id", "Id", "编号"),
    "kind": ("Kind", "Nature", "类别"),
    "contact_id": ("Contact", "Contact", "联系人"),
    "account_id": ("Account", "Compte", "客户"),
    "subject": ("Subject", "Objet", "主题"),
    "body": ("Text", "Texte", "内容"),
    "task_type": ("Type", "Type", "类型"),
    "due_at": ("Due", "Échéance", "截止时间"),
    "priority": ("Priority", "Priorité", "优先级"),
    "status": ("Status", "Statut", "状态"),
    "owner_id": ("Followed by", "Suivi par", "跟进人"),
    "report": ("Report", "Compte rendu", "结果记录"),
    "author": ("Author", "Auteur", "作者"),
    "created_at": ("Created", "Créé le", "创建时间"),
    "created_by": ("Created by", "Créé par", "创建人"),
    "updated_at": ("Updated", "Modifié le", "修改时间"),
    "updated_by": ("Updated by", "Modifié par", "修改人"),
    "completed_at": ("Completed", "Terminé le", "完成时间"),
    "deleted": ("Deleted", "Supprimé", "已删除"),
    "contact": ("Contact name", "Nom du contact", "联系人姓名"),
    "account": ("Account name", "Nom du compte", "客户名称"),
    "owner": ("Owner", "Affecté à", "负责人"),
}
# fmt: on

#: Labels of the activities' columns (and of the names shown in their frames).
ACTIVITY_LABELS: Mapping[str, Labels] = MappingProxyType(_LABELS)


def _vocab(name: str, rows: list[tuple[str, str, str, str]]) -> Vocabulary:
    return Vocabulary(name, tuple(Term(v, en, fr, zh, (v,)) for v, en, fr, zh in rows))


ACTIVITY_KINDS = _vocab(
    "kind", [("note", "Note", "Note", "备注"), ("task", "Task", "Tâche", "任务")]
)
TASK_TYPES = _vocab(
    "task_type",
    [
        ("call", "Call", "Appel", "电话"),
        ("meeting", "Meeting", "Rendez-vous", "会议"),
        ("email", "Email", "E-mail", "邮件"),
        ("todo", "To-do", "À faire", "待办"),
    ],
)
TASK_PRIORITIES = _vocab(
    "priority",
    [
        ("low", "Low", "Basse", "低"),
        ("normal", "Normal", "Normale", "中"),
        ("high", "High", "Haute", "高"),
    ],
)
TASK_STATUSES = _vocab(
    "status",
    [
        ("open", "Open", "À faire", "未完成"),
        ("done", "Done", "Terminée", "已完成"),
        ("cancelled", "Cancelled", "Annulée", "已取消"),
    ],
)


def activity_label(name: str, lang: str = "en") -> str:
    """The label of activity column ``name`` in ``lang`` (its name when it has none).

    Examples
    --------
    >>> activity_label("due_at", "fr"), activity_label("task_type", "zh")
    ('Échéance', '类型')
    >>> TASK_TYPES.label("meeting", "fr"), TASK_PRIORITIES.lookup("Haute")
    ('Rendez-vous', 'high')
    """
    lang = check_lang(lang)
    return pick_label(_LABELS[name], lang) if name in _LABELS else name
