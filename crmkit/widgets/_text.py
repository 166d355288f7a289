"""The words the widgets show, in English, French and Chinese.

Field labels come from the field catalog; this module holds only what the catalog does
not: section titles, buttons, status lines and the sentence shown for each failed rule.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["LANGS", "check_lang", "rule_message", "section_title", "ui"]

LANGS = ("en", "fr", "zh")

# key -> (en, fr, zh); ``{name}`` placeholders are filled by :func:`ui`.
_UI: dict[str, tuple[str, str, str]] = {
    # forms
    "new_contact": ("New contact", "Nouveau contact", "新建联系人"),
    "new_account": ("New account", "Nouveau compte", "新建客户"),
    "edit_contact": ("Contact {id}", "Contact {id}", "联系人 {id}"),
    "edit_account": ("Account {id}", "Compte {id}", "客户 {id}"),
    "save": ("Save", "Enregistrer", "保存"),
    "save_new": ("Save & New", "Enregistrer et nouveau", "保存并新建"),
    "clone": ("Clone", "Dupliquer", "复制"),
    "new": ("New", "Nouveau", "新建"),
    "undo": ("Undo last save", "Annuler le dernier enregistrement", "撤销上次保存"),
    "left_company": ("Left the company", "A quitté la société", "已离职"),
    "none_choice": ("—", "—", "—"),
    "add_tag": ("Add…", "Ajouter…", "添加…"),
    "required_note": ("* required", "* obligatoire", "* 必填"),
    "saved": (
        "Saved {what} {id} (batch {batch})",
        "{What} {id} enregistré (lot {batch})",
        "已保存{what} {id}（批次 {batch}）",
    ),
    "saved_with_account": (
        "Saved {what} {id} (batch {batch}) and created account {account} (batch {account_batch})",
        "{What} {id} enregistré (lot {batch}) et compte {account} créé (lot {account_batch})",
        "已保存{what} {id}（批次 {batch}），并新建客户 {account}（批次 {account_batch}）",
    ),
    "unchanged": ("No changes to save", "Aucune modification à enregistrer", "没有需要保存的修改"),
    "cloned": (
        "Cloned {what} {source} as {id} (batch {batch})",
        "{What} {source} dupliqué en {id} (lot {batch})",
        "已将{what} {source} 复制为 {id}（批次 {batch}）",
    ),
    "clone_first": (
        "Save the record before cloning it",
        "Enregistrez la fiche avant de la dupliquer",
        "请先保存再复制",
    ),
    "undone": ("Undid batch {batch}", "Lot {batch} annulé", "已撤销批次 {batch}"),
    "nothing_to_undo": ("Nothing to undo", "Rien à annuler", "没有可撤销的操作"),
    "fix_fields": (
        "Not saved: fix the fields marked in red",
        "Non enregistré : corrigez les champs en rouge",
        "未保存：请修改红色标记的字段",
    ),
    "not_saved": ("Not saved: {error}", "Non enregistré : {error}", "未保存：{error}"),
    "will_create": (
        "New account: created on save",
        "Nouveau compte : créé à l'enregistrement",
        "新客户：保存时创建",
    ),
    "several": (
        "Several records have this name: pick one from the list",
        "Plusieurs fiches portent ce nom : choisissez dans la liste",
        "有多条同名记录：请从列表中选择",
    ),
    "unknown_ref": ("No such record", "Fiche introuvable", "找不到该记录"),
    "duplicates": ("Possible duplicates", "Doublons possibles", "可能重复"),
    "open": ("Open", "Ouvrir", "打开"),
    "contact_word": ("contact", "contact", "联系人"),
    "account_word": ("account", "compte", "客户"),
    "team": ("team", "équipe", "团队"),
    # browsers
    "search": ("Search", "Rechercher", "搜索"),
    "owners": ("Owners", "Affecté à", "负责人"),
    "sectors": ("Sectors", "Secteurs", "行业"),
    "revenue_bands": ("Revenue band", "Tranche de CA", "收入区间"),
    "headcount_bands": ("Headcount band", "Tranche d'effectif", "人数区间"),
    "active": ("Status", "Statut", "状态"),
    "archived": ("Archived", "Archivé", "已归档"),
    "any": ("Any", "Tous", "全部"),
    "active_only": ("Active", "Actifs", "在职"),
    "inactive_only": ("Left the company", "Partis", "已离职"),
    "archived_only": ("Archived", "Archivés", "已归档"),
    "not_archived": ("Not archived", "Non archivés", "未归档"),
    "sort": ("Sort by", "Trier par", "排序"),
    "count_contacts": ("{n} contacts", "{n} contacts", "{n} 个联系人"),
    "count_accounts": ("{n} accounts", "{n} comptes", "{n} 个客户"),
    "selected": ("{n} selected", "{n} sélectionné(s)", "已选 {n} 个"),
    "page": ("Page {page} / {pages}", "Page {page} / {pages}", "第 {page} / {pages} 页"),
    "previous": ("‹ Previous", "‹ Précédente", "‹ 上一页"),
    "next": ("Next ›", "Suivante ›", "下一页 ›"),
    "select_page": ("Select page", "Sélectionner la page", "选择本页"),
    "select_all": ("Select all {n} matching", "Sélectionner les {n} résultats", "选择全部 {n} 条"),
    "select_none": ("Clear selection", "Tout désélectionner", "清除选择"),
    "reassign_to": ("Reassign to", "Réaffecter à", "重新分配给"),
    "reassign": ("Reassign", "Réaffecter", "重新分配"),
    "tag_name": ("Tag", "Étiquette", "标签"),
    "tag": ("Add tag", "Étiqueter", "添加标签"),
    "list_name": ("Mailing list", "Liste de diffusion", "邮件列表"),
    "subscribe": ("Subscribe", "Abonner", "订阅"),
    "export_path": ("Export to", "Exporter vers", "导出到"),
    "export_xlsx": ("Export XLSX", "Exporter XLSX", "导出 XLSX"),
    "export_vcf": ("Export vCard", "Exporter vCard", "导出 vCard"),
    "deactivate_contacts": ("Left the company", "A quitté la société", "标记为离职"),
    "deactivate_accounts": ("Archive", "Archiver", "归档"),
    "delete": ("Delete", "Supprimer", "删除"),
    "confirm_delete": ("Confirm: delete {n}", "Confirmer : supprimer {n}", "确认删除 {n} 条"),
    "cancel": ("Cancel", "Annuler", "取消"),
    "undo_action": ("Undo last action", "Annuler la dernière action", "撤销上次操作"),
    "nothing_selected": ("Select records first", "Sélectionnez d'abord des fiches", "请先选择记录"),
    "pick_owner": (
        "Pick at least one owner",
        "Choisissez au moins un responsable",
        "请至少选择一个负责人",
    ),
    "give_name": ("Type a name first", "Saisissez d'abord un nom", "请先输入名称"),
    "exported": (
        "Exported {n} records to {path}",
        "{n} fiches exportées vers {path}",
        "已导出 {n} 条记录到 {path}",
    ),
    "action_failed": ("Failed: {error}", "Échec : {error}", "失败：{error}"),
    "filter_failed": ("Filter error: {error}", "Erreur de filtre : {error}", "筛选错误：{error}"),
    "no_records": ("No records match", "Aucune fiche ne correspond", "没有匹配的记录"),
    # table columns that are not catalog fields
    "col_company": ("Company", "Société", "公司"),
    "col_owner": ("Owner", "Affecté à", "负责人"),
    "col_account_owner": ("Account owner", "Responsable du compte", "客户负责人"),
    "col_revenue_band": ("Revenue band", "Tranche de CA", "收入区间"),
    "col_headcount_band": ("Headcount band", "Tranche d'effectif", "人数区间"),
    "col_contact_count": ("Contacts", "Contacts", "联系人数"),
    "col_display_name": ("Name", "Nom", "姓名"),
}

_SECTIONS: dict[str, tuple[str, str, str]] = {
    "identity": ("Identity", "Identité", "基本信息"),
    "company": ("Company", "Entreprise", "公司信息"),
    "contact": ("Contact details", "Coordonnées", "联系方式"),
    "address": ("Address", "Adresse", "地址"),
    "social": ("Web and social", "Web et réseaux", "网络与社交"),
    "flags": ("Flags", "Indicateurs", "标记"),
    "other": ("Other", "Autres", "其他"),
    "system": ("System", "Système", "系统"),
}

# Rule name (``check`` in failure cases) -> sentence; ``{n}`` is the rule's argument.
_RULES: dict[str, tuple[str, str, str]] = {
    "required": ("Required", "Obligatoire", "必填"),
    "max_length": ("At most {n} characters", "{n} caractères au maximum", "最多 {n} 个字符"),
    "min_value": ("Must be at least {n}", "Doit être au moins {n}", "不能小于 {n}"),
    "number": ("Not a number", "Ce n'est pas un nombre", "不是数字"),
    "integer": ("Not a whole number", "Ce n'est pas un nombre entier", "不是整数"),
    "boolean": ("Not yes or no", "Ni oui ni non", "不是是/否"),
    "date": ("Not a date", "Ce n'est pas une date", "不是日期"),
    "list": ("Not a list", "Ce n'est pas une liste", "不是列表"),
    "json": ("Not valid JSON", "JSON invalide", "不是有效的 JSON"),
    "email": ("Not a valid email address", "Adresse e-mail invalide", "电子邮件地址无效"),
    "e164": ("Not a valid phone number", "Numéro de téléphone invalide", "电话号码无效"),
    "url": ("Not a valid web address", "Adresse web invalide", "网址无效"),
    "iso_country": ("Unknown country", "Pays inconnu", "未知国家"),
    "iso_currency": ("Unknown currency", "Devise inconnue", "未知币种"),
    "vocabulary": ("Not in the list", "Pas dans la liste", "不在列表中"),
    "vocabulary(sector)": ("Unknown sector", "Secteur inconnu", "未知行业"),
}

_RULE_ARG = re.compile(r"^(?P<name>[a-z_0-9]+)\((?P<arg>[^)]*)\)$")


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is one the widgets speak, else raise ``UnknownValueError``.

    Examples
    --------
    >>> check_lang("fr")
    'fr'
    """
    if lang not in LANGS:
        from crmkit._exceptions import UnknownValueError

        raise UnknownValueError("language", lang, list(LANGS))
    return lang


def _pick(row: tuple[str, str, str], lang: str) -> str:
    return row[LANGS.index(lang)] if lang in LANGS else row[0]


def ui(key: str, lang: str = "en", **values: Any) -> str:
    """The interface text ``key`` in ``lang``, with ``{placeholders}`` filled.

    Examples
    --------
    >>> ui("saved", "fr", what="contact", What="Contact", id=12, batch=34)
    'Contact 12 enregistré (lot 34)'
    """
    return _pick(_UI[key], lang).format(**values)


def section_title(group: str, lang: str = "en") -> str:
    """The title of a form section (a catalog field ``group``).

    Examples
    --------
    >>> section_title("address", "zh")
    '地址'
    """
    return _pick(_SECTIONS.get(group, (group, group, group)), lang)


def rule_message(check: str, lang: str = "en") -> str:
    """The sentence shown next to a field whose value breaks rule ``check``.

    Examples
    --------
    >>> rule_message("max_length(100)", "fr")
    '100 caractères au maximum'
    >>> rule_message("vocabulary(gender)", "en")
    'Not in the list'
    """
    if check in _RULES:
        return _pick(_RULES[check], lang)
    match = _RULE_ARG.match(check)
    if match and match["name"] in _RULES:
        return _pick(_RULES[match["name"]], lang).format(n=match["arg"])
    return check
