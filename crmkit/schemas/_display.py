"""How the columns of accounts and contacts show in tables: their label and kind.

The table renderer (:mod:`crmkit._util._table_html`) knows nothing of fields; this turns
the catalog (and the columns the views add) into its :class:`Column` descriptions, in the
language asked for, so every list, record and report labels and formats alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from types import MappingProxyType

from crmkit._util._cell_format import ColumnKind
from crmkit._util._langs import LANGS, Labels, pick_label
from crmkit._util._table_html import Column
from crmkit.schemas._catalog import table
from crmkit.schemas._labels import DERIVED_LABELS, column_label
from crmkit.schemas._vocab import COUNTRY_CODES, country_names

__all__ = ["NAMED_REFERENCES", "display_columns", "field_kind", "header", "report_columns"]

_KINDS: dict[str, ColumnKind] = {
    "id": "id",
    "ref": "id",
    "int": "integer",
    "float": "number",
    "bool": "bool",
    "date": "date",
    "timestamp": "datetime",
}

# Columns the views add: what they hold.
_DERIVED_KINDS: dict[str, ColumnKind] = {
    "contact_count": "integer",
    "account_employees": "integer",
    "account_annual_revenue": "number",
    "account_revenue_base": "number",
    "revenue_base": "number",
    "account_archived": "bool",
    "account_is_client": "bool",
    "last_activity_at": "datetime",
    "next_task_at": "datetime",
}


def field_kind(kind: str, name: str) -> ColumnKind:
    """How column ``name`` of ``kind``'s records shows (``auto`` for a column not known).

    Examples
    --------
    >>> field_kind("accounts", "employees"), field_kind("contacts", "created_at")
    ('integer', 'datetime')
    >>> field_kind("accounts", "annual_revenue"), field_kind("accounts", "whatever")
    ('money', 'auto')
    """
    if name == "annual_revenue":
        return "money"
    fields = table(kind)
    if name in fields:
        return _KINDS.get(fields[name].kind, "text")
    return _DERIVED_KINDS.get(name, "auto")


def display_columns(kind: str, names: Iterable[str], lang: str = "en") -> list[Column]:
    """Label and kind of each column ``names`` of ``kind``'s records, in ``lang``.

    ``annual_revenue`` shows with the ``currency`` of its row when that column is among
    ``names``; countries show by their name in ``lang`` (the code stays what is stored).

    Examples
    --------
    >>> revenue, sector = display_columns("accounts", ["annual_revenue", "sector"], "fr")
    >>> revenue.label, revenue.kind, sector.label
    ("Chiffre d'affaires", 'money', 'Secteur')
    >>> display_columns("contacts", ["country"], "fr")[0].shown_as["DE"]
    'Allemagne'
    """
    names = list(names)
    columns = []
    for name in names:
        column_kind = field_kind(kind, name)
        currency = "currency" if column_kind == "money" and "currency" in names else None
        columns.append(
            Column(
                name,
                column_label(kind, name, lang),
                column_kind,
                currency_column=currency,
                shown_as=country_names_in(lang) if name in _COUNTRY_COLUMNS else None,
            )
        )
    return columns


_COUNTRY_COLUMNS = frozenset({"country", "account_country"})


@cache
def country_names_in(lang: str) -> Mapping[str, str]:
    """Every country code → its name in ``lang`` (English for a language not known)."""
    chosen = lang if lang in LANGS else "en"
    return MappingProxyType({code: country_names(code)[chosen] for code in COUNTRY_CODES})


# Headers of the tables crmkit builds itself (records as field/value, rejected rows).
# fmt: off
_HEADERS: dict[str, Labels] = {
    "field": ("Field", "Champ", "字段"),
    "value": ("Value", "Valeur", "值"),
    "line": ("Line", "Ligne", "行号"),
    "reasons": ("Reasons", "Motifs", "原因"),
    "message": ("Message", "Message", "信息"),
    "raw": ("Read", "Lu", "原值"),
    "warnings": ("Warnings", "Avertissements", "警告数"),
    "severity": ("Severity", "Gravité", "级别"),
    "count": ("Count", "Nombre", "数量"),
    # duplicate pairs
    "id_a": ("Record A", "Fiche A", "记录 A"),
    "id_b": ("Record B", "Fiche B", "记录 B"),
    "probability": ("Probability", "Probabilité", "概率"),
    "explanation": ("Explanation", "Explication", "说明"),
    # history and batches
    "changed_at": ("Changed at", "Modifié le", "修改时间"),
    "created_at": ("Created at", "Créé le", "创建时间"),
    "batch_id": ("Batch", "Lot", "批次"),
    "operation": ("Operation", "Opération", "操作"),
    "actor": ("By", "Par", "操作人"),
    "table": ("Table", "Table", "表"),
    "record_id": ("Record", "Fiche", "记录"),
    "old": ("Old value", "Ancienne valeur", "原值"),
    "new": ("New value", "Nouvelle valeur", "新值"),
    "description": ("Description", "Description", "说明"),
    "n_changes": ("Changes", "Modifications", "修改数"),
    "undone_by": ("Undone by", "Annulé par", "撤销批次"),
    "undoes": ("Undoes", "Annule", "撤销"),
    # imports (crm.imports())
    "imported_at": ("Imported at", "Importé le", "导入时间"),
    "kind": ("Kind", "Type", "类型"),
    "file": ("File", "Fichier", "文件"),
    "file_size": ("Size (bytes)", "Taille (octets)", "大小(字节)"),
    "file_hash": ("SHA-256", "SHA-256", "SHA-256"),
    "profile": ("Profile", "Profil", "导入配置"),
    "mode": ("Mode", "Mode", "模式"),
    "read": ("Read", "Lues", "读取"),
    "inserted": ("Inserted", "Ajoutées", "新增"),
    "updated": ("Updated", "Mises à jour", "更新"),
    "unchanged": ("Unchanged", "Inchangées", "未变"),
    "rejected": ("Rejected", "Rejetées", "拒绝"),
    "merged_in_file": ("Merged in the file", "Fusionnées dans le fichier", "文件内合并"),
    "fields_changed": ("Fields changed", "Champs modifiés", "修改的字段"),
    "undone": ("Undone", "Annulé", "已撤销"),
    # subject-access bundles: subscriptions, decisions, import batches
    "list_name": ("List", "Liste", "列表"),
    "subscribed_at": ("Subscribed at", "Abonné le", "订阅时间"),
    "unsubscribed_at": ("Unsubscribed at", "Désabonné le", "退订时间"),
    "decision": ("Decision", "Décision", "判定"),
    "details": ("Details", "Détails", "详情"),
    "source": ("Source", "Source", "来源"),
    "created_by": ("Created by", "Créé par", "创建人"),
    "updated_at": ("Updated at", "Modifié le", "修改时间"),
    "updated_by": ("Updated by", "Modifié par", "修改人"),
}
_HEADER_KINDS: dict[str, ColumnKind] = {
    "warnings": "integer",
    "count": "integer",
    "n_changes": "integer",
    "probability": "percent",
    "changed_at": "datetime",
    "created_at": "datetime",
    "imported_at": "datetime",
    "file_size": "integer",
    "read": "integer",
    "inserted": "integer",
    "updated": "integer",
    "unchanged": "integer",
    "rejected": "integer",
    "merged_in_file": "integer",
    "undone": "bool",
}

# Columns of report frames holding a line of the file or a record id.
_LINE_COLUMNS = frozenset({
    "__line__", "line", "merged_into_line", "duplicate_of", "match_line", "existing_id",
    "record_id", "match_id", "batch_id", "batch", "id", "undone_by", "undoes", "survivor",
    "id_a", "id_b",
})
# fmt: on

# A reference shows the name of what it points to: the view's column holding that name.
NAMED_REFERENCES: dict[str, dict[str, str]] = {
    "contacts": {"account_id": "company", "owner_id": "owner"},
    "accounts": {"owner_id": "owner", "parent_id": "parent"},
}


def header(name: str, lang: str = "en") -> str:
    """The header ``name`` (``field``, ``value``, ``line``, ``reasons``) in ``lang``.

    Examples
    --------
    >>> header("line", "fr"), header("reasons", "zh")
    ('Ligne', '原因')
    """
    return pick_label(_HEADERS[name], lang)


def report_columns(kind: str, names: Iterable[str], lang: str = "en") -> list[Column]:
    """Label and kind of the columns of a report's frame (rejects, warnings, history).

    ``__line__`` and ``__reasons__`` read "Line" and "Reasons", lines and ids show
    without separators, fields of ``kind`` by their label; other columns keep their name
    (the raw headers of a user's file).

    Examples
    --------
    >>> [c.label for c in report_columns("contacts", ["__line__", "__reasons__", "Nom"], "fr")]
    ['Ligne', 'Motifs', 'Nom']
    >>> [(c.label, c.kind) for c in report_columns("contacts", ["line", "email"])]
    [('Line', 'id'), ('Email', 'text')]
    """
    columns = []
    for name in names:
        bare = name.strip("_")
        if bare in _HEADERS:
            label = header(bare, lang)
        elif name in _LINE_COLUMNS or name in table(kind) or name in DERIVED_LABELS:
            label = column_label(kind, name, lang)
        else:
            label = name  # a raw header of the user's file
        if name in _LINE_COLUMNS:
            column_kind: ColumnKind = "id"
        elif bare in _HEADERS:
            column_kind = _HEADER_KINDS.get(bare, "text")
        elif name in table(kind):
            column_kind = field_kind(kind, name)
        else:
            column_kind = "auto"
        columns.append(Column(name, label, column_kind))
    return columns
