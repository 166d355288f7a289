"""The words the widgets show, in every language of :data:`~crmkit.schemas.LANGS`.

Labels of fields and columns come from :mod:`crmkit.schemas` (the catalog and
:data:`~crmkit.schemas.DERIVED_LABELS`); this module holds only the interface's own
words: section titles, buttons, status lines and the sentence shown for each failed rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from crmkit._util._messages import plural_form, rule_sentence
from crmkit.schemas._catalog import ACCOUNTS
from crmkit.schemas._labels import DERIVED_LABELS, LANGS, Labels, check_lang, pick_label

__all__ = [
    "LANGS",
    "check_lang",
    "level_label",
    "reasons_text",
    "rule_message",
    "section_title",
    "ui",
]

# key -> labels in LANGS order; ``{name}`` placeholders are filled by :func:`ui`.
_UI: dict[str, Labels] = {
    # forms
    "new_contact": ("New contact", "Nouveau contact", "新建联系人"),
    "new_account": ("New account", "Nouveau compte", "新建客户"),
    "edit_contact": ("Contact {id}", "Contact {id}", "联系人 {id}"),
    "edit_account": ("Account {id}", "Compte {id}", "客户 {id}"),
    "save": ("Save", "Enregistrer", "保存"),
    "save_new": ("Save & New", "Enregistrer et nouveau", "保存并新建"),
    "clone": ("Clone", "Dupliquer", "复制"),
    "new": ("New", "Nouveau", "新建"),
    "undo": ("Undo last change", "Annuler la dernière modification", "撤销上次修改"),
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
        "Saved {what} {id} and created account {account} (batch {batch})",
        "{What} {id} enregistré et compte {account} créé (lot {batch})",
        "已保存{what} {id}，并新建客户 {account}（批次 {batch}）",
    ),
    "unchanged": ("No changes to save", "Aucune modification à enregistrer", "没有需要保存的修改"),
    "duplicate_alert": (
        "Saved, but a duplicate rule matched: {alerts}",
        "Enregistré, mais une règle de doublons correspond : {alerts}",
        "已保存，但匹配了重复规则：{alerts}",
    ),
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
    "duplicates_pending": (
        "Possible duplicates: the existing records are still being indexed…",
        "Doublons possibles : indexation des fiches existantes en cours…",
        "可能重复：正在为现有记录建立索引…",
    ),
    "stored": (
        "Stored values: {values}",
        "Valeurs enregistrées : {values}",
        "已保存的值：{values}",
    ),
    "open": ("Open", "Ouvrir", "打开"),
    "contact_word": ("contact", "contact", "联系人"),
    "account_word": ("account", "compte", "客户"),
    "team": ("team", "équipe", "团队"),
    # forms: notes & tasks panel, timeline tab
    "tab_activities": ("Notes & tasks", "Notes et tâches", "备注与任务"),
    "tab_timeline": ("Timeline", "Historique", "时间线"),
    "notes": ("Notes", "Notes", "备注"),
    "tasks": ("Tasks", "Tâches", "任务"),
    "new_note": ("New note", "Nouvelle note", "新备注"),
    "add_note": ("Add note", "Ajouter la note", "添加备注"),
    "new_task": ("New task", "Nouvelle tâche", "新任务"),
    "add_task": ("Add task", "Ajouter la tâche", "添加任务"),
    "due_date": ("Due date", "Date d'échéance", "截止日期"),
    "due_time": ("Time (hh:mm)", "Heure (hh:mm)", "时间（时:分）"),
    "open_tasks": ("Open task", "Tâche à faire", "未完成任务"),
    "complete_task": ("Mark done", "Marquer terminée", "标记完成"),
    "no_activities": ("No notes or tasks yet", "Aucune note ni tâche", "暂无备注或任务"),
    "save_first_activities": (
        "Save the record first: its notes, tasks and timeline show here",
        "Enregistrez d'abord la fiche : ses notes, tâches et historique s'affichent ici",
        "请先保存记录：其备注、任务和时间线将显示在这里",
    ),
    "note_added": (
        "Added note {id} (batch {batch})",
        "Note {id} ajoutée (lot {batch})",
        "已添加备注 {id}（批次 {batch}）",
    ),
    "task_added": (
        "Added task {id} (batch {batch})",
        "Tâche {id} ajoutée (lot {batch})",
        "已添加任务 {id}（批次 {batch}）",
    ),
    "task_done": (
        "Task {id} done (batch {batch})",
        "Tâche {id} terminée (lot {batch})",
        "任务 {id} 已完成（批次 {batch}）",
    ),
    "type_note": ("Type the note first", "Saisissez d'abord la note", "请先输入备注内容"),
    "type_subject": (
        "Type the task's subject first",
        "Saisissez d'abord l'objet de la tâche",
        "请先输入任务主题",
    ),
    "pick_task": (
        "Pick an open task first",
        "Choisissez d'abord une tâche à faire",
        "请先选择一个未完成任务",
    ),
    "timeline_kinds": ("Events shown", "Événements affichés", "显示的事件"),
    "with_contacts": (
        "Its contacts' events too",
        "Avec les événements de ses contacts",
        "包括其联系人的事件",
    ),
    # browsers
    "search": ("Search", "Rechercher", "搜索"),
    "owners": ("Owners", "Affecté à", "负责人"),
    "sectors": ("Sectors", "Secteurs", "行业"),
    "active": ("Status", "Statut", "状态"),
    "any": ("Any", "Tous", "全部"),
    "active_only": ("Active", "Actifs", "在职"),
    "inactive_only": ("Left the company", "Partis", "已离职"),
    "archived_only": ("Archived", "Archivés", "已归档"),
    "not_archived": ("Not archived", "Non archivés", "未归档"),
    "sort": ("Sort by", "Trier par", "排序"),
    "count_contacts": ("{n} contact|{n} contacts", "{n} contact|{n} contacts", "{n} 个联系人"),
    "count_accounts": ("{n} account|{n} accounts", "{n} compte|{n} comptes", "{n} 个客户"),
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
    # browsers: column chooser, readable columns, multi-select lists
    "columns": ("Columns", "Colonnes", "显示列"),
    "wrap_text": ("Wrap long text", "Texte long sur plusieurs lignes", "长文本换行"),
    "clear": ("Clear", "Effacer", "清除"),
    "and_more": ("+ {n} more", "+ {n} autre(s)", "另有 {n} 个"),
    # duplicate review
    "review_title_contacts": (
        "Duplicate contacts",
        "Contacts en double",
        "重复联系人",
    ),
    "review_title_accounts": ("Duplicate accounts", "Comptes en double", "重复客户"),
    "pair_of": ("Pair {n} of {total}", "Paire {n} sur {total}", "第 {n} / {total} 对"),
    "all_reviewed": (
        "All {total} pairs reviewed",
        "Les {total} paires sont traitées",
        "已审阅全部 {total} 对",
    ),
    "no_pairs": (
        "No duplicate pairs to review",
        "Aucune paire de doublons à examiner",
        "没有需要审阅的重复记录",
    ),
    "probability": (
        "Match probability {p}",
        "Probabilité de doublon {p}",
        "重复概率 {p}",
    ),
    "accuracy": (
        "Estimated precision {p} ({p_low}–{p_high}), recall {r} ({r_low}–{r_high}), "
        "95% intervals: {how}",
        "Précision estimée {p} ({p_low}–{p_high}), rappel {r} ({r_low}–{r_high}), "
        "intervalles à 95 % : {how}",
        "估计精确率 {p}（{p_low}–{p_high}），召回率 {r}（{r_low}–{r_high}），95% 置信区间：{how}",
    ),
    "accuracy_model": (
        "the model's own estimate, no review yet",
        "estimation du modèle seul, aucune paire revue",
        "仅为模型估计，尚无审阅",
    ),
    "accuracy_reviews": (
        "from {n} reviewed pairs",
        "d'après {n} paires revues",
        "基于 {n} 对已审阅记录",
    ),
    "audit_pair": ("random check", "contrôle aléatoire", "随机抽查"),
    "audit_pair_why": (
        "A pair drawn at random among those the model is sure of, to check it",
        "Une paire tirée au hasard parmi celles dont le modèle est sûr, pour le vérifier",
        "从模型有把握的记录对中随机抽取，用于检验模型",
    ),
    "why": ("Why", "Pourquoi", "原因"),
    "col_field": ("Field", "Champ", "字段"),
    "col_level": ("Comparison", "Comparaison", "比较结果"),
    "col_weight": ("Weight (bits)", "Poids (bits)", "权重（比特）"),
    "col_domain": ("Web domain", "Domaine web", "网站域名"),
    "col_prior": ("Before comparing", "A priori", "先验"),
    "same": ("Same, merge later", "Identiques, fusion plus tard", "相同，稍后合并"),
    "different": ("Not the same", "Différents", "不相同"),
    "merge": ("Merge", "Fusionner", "合并"),
    "skip": ("Skip", "Passer", "跳过"),
    "undo_merge": ("Undo merge", "Annuler la fusion", "撤销合并"),
    "undo_decision": ("Undo decision", "Annuler la décision", "撤销决定"),
    "rule": ("Keep values from", "Garder les valeurs de", "保留哪条记录的值"),
    "rule_recent": ("Most recent", "La plus récente", "最近更新"),
    "rule_complete": ("Most complete", "La plus complète", "最完整"),
    "rule_oldest": ("Oldest", "La plus ancienne", "最早创建"),
    "rule_client_first": ("Clients first", "Clients d'abord", "客户优先"),
    "rule_active_first": ("Active first", "Actives d'abord", "有效记录优先"),
    "survivor": ("Record kept", "Fiche conservée", "保留的记录"),
    "survivor_left": ("Left ({id})", "Gauche ({id})", "左侧（{id}）"),
    "survivor_right": ("Right ({id})", "Droite ({id})", "右侧（{id}）"),
    "survivor_rule": ("By the rule", "Selon la règle", "按规则"),
    "marked_same": (
        "Marked {a} and {b} as the same (batch {batch})",
        "{a} et {b} marqués identiques (lot {batch})",
        "已将 {a} 和 {b} 标记为相同（批次 {batch}）",
    ),
    "marked_different": (
        "Marked {a} and {b} as not the same: not proposed again (batch {batch})",
        "{a} et {b} marqués différents : plus proposés (lot {batch})",
        "已将 {a} 和 {b} 标记为不相同，不再提示（批次 {batch}）",
    ),
    "merged": (
        "Merged {merged} into {survivor} (batch {batch})",
        "{merged} fusionné dans {survivor} (lot {batch})",
        "已将 {merged} 合并到 {survivor}（批次 {batch}）",
    ),
    "skipped": ("Skipped {a} and {b}", "Paire {a} et {b} passée", "已跳过 {a} 和 {b}"),
    "undone_pair": (
        "Undid batch {batch}: {a} and {b} are back in the queue",
        "Lot {batch} annulé : {a} et {b} reviennent dans la file",
        "已撤销批次 {batch}：{a} 和 {b} 重新加入队列",
    ),
    "nothing_to_review": ("No pair to review", "Aucune paire à examiner", "没有待审阅的记录对"),
    "yes": ("yes", "oui", "是"),
    "no": ("no", "non", "否"),
    "level_exact": ("identical", "identique", "相同"),
    "level_nickname": ("nickname", "diminutif", "昵称"),
    "level_close": ("close", "proche", "相近"),
    "level_initial": ("initial", "initiale", "首字母"),
    "level_similar": ("similar", "ressemblant", "相似"),
    "level_same_local": (
        "same name, other domain",
        "même nom, autre domaine",
        "用户名相同，域名不同",
    ),
    "level_partial": ("partly the same", "en partie identique", "部分相同"),
    "level_different": ("different", "différent", "不同"),
    # The ``(person)`` row of explain() with identity="person" (crmkit._dedupe._run).
    "level_job change": ("job change", "changement de poste", "工作变动"),
    "level_same person": ("same person", "même personne", "同一人"),
    "col_(person)": ("Person", "Personne", "个人"),
    "job_change_line": ("Job change: {move}", "Changement de poste : {move}", "工作变动：{move}"),
}

# Table headers (``col_<column>``) and filter titles that name a column: its label.
_UI.update({f"col_{name}": labels for name, labels in DERIVED_LABELS.items()})
_UI["revenue_bands"] = DERIVED_LABELS["revenue_band"]
_UI["headcount_bands"] = DERIVED_LABELS["headcount_band"]
_UI["archived"] = ACCOUNTS["archived"].labels

_SECTIONS: dict[str, Labels] = {
    "identity": ("Identity", "Identité", "基本信息"),
    "company": ("Company", "Entreprise", "公司信息"),
    "contact": ("Contact details", "Coordonnées", "联系方式"),
    "address": ("Address", "Adresse", "地址"),
    "social": ("Web and social", "Web et réseaux", "网络与社交"),
    "flags": ("Flags", "Indicateurs", "标记"),
    "consent": ("Consent", "Consentement", "同意"),
    "other": ("Other", "Autres", "其他"),
    "custom": ("Custom fields", "Champs personnalisés", "自定义字段"),
    "system": ("System", "Système", "系统"),
}


def ui(key: str, lang: str = "en", **values: Any) -> str:
    """The interface text ``key`` in ``lang``, with ``{placeholders}`` filled.

    Examples
    --------
    A text with a ``|`` has a singular and a plural form, chosen by ``count`` (or ``n``
    when it is a number) with the language's rule (French: 0 and 1 are singular).

    >>> ui("saved", "fr", what="contact", What="Contact", id=12, batch=34)
    'Contact 12 enregistré (lot 34)'
    >>> ui("count_contacts", "en", n=1), ui("count_contacts", "fr", n="0", count=0)
    ('1 contact', '0 contact')
    """
    text = pick_label(_UI[key], lang)
    count = values.get("count", values.get("n"))
    return plural_form(text.split("|"), lang, count).format(**values)


def section_title(group: str, lang: str = "en") -> str:
    """The title of a form section (a catalog field ``group``).

    Examples
    --------
    >>> section_title("address", "zh")
    '地址'
    """
    return pick_label(_SECTIONS[group], lang) if group in _SECTIONS else group


def rule_message(check: str, lang: str = "en") -> str:
    """The sentence shown next to a field whose value breaks rule ``check``.

    Examples
    --------
    >>> rule_message("max_length(100)", "fr")
    '100 caractères au maximum'
    >>> rule_message("vocabulary(gender)", "en")
    'Not in the list'
    """
    return rule_sentence(check, lang)


def level_label(level: str, lang: str = "en") -> str:
    """The words for a duplicate comparison's agreement ``level`` (``exact``, ``close`` ...).

    Examples
    --------
    >>> level_label("nickname", "fr")
    'diminutif'
    >>> level_label("unheard_of", "fr")
    'unheard_of'
    """
    row = _UI.get(f"level_{level}")
    return pick_label(row, lang) if row is not None else level


# -- forms and duplicate review (helper F) --------------------------------------------------

_UI.update(
    {
        "duplicates_why": ("alike: {reasons}", "similitudes : {reasons}", "相似之处：{reasons}"),
        "account_suggest": (
            "Existing accounts with a similar name:",
            "Comptes existants au nom proche :",
            "名称相近的现有客户：",
        ),
        "account_use": ("Use “{name}”", "Choisir « {name} »", "使用“{name}”"),
        "account_create": (
            "Create new account “{name}”",
            "Créer le compte « {name} »",
            "新建客户“{name}”",
        ),
        "account_choose": (
            "Pick an existing account below, or create a new one",
            "Choisissez un compte existant ci-dessous, ou créez-en un",
            "请在下方选择现有客户，或新建客户",
        ),
        "same_merge": ("Same: merge", "Identiques : fusionner", "相同：合并"),
        "same_merge_tip": (
            "Merges the two records (values kept by the rule and record chosen below); "
            "Undo reverts it",
            "Fusionne les deux fiches (valeurs gardées selon la règle et la fiche choisies "
            "ci-dessous) ; Annuler la défait",
            "合并两条记录（按下方选择的规则和记录保留值）；撤销可还原",
        ),
        "mark_same_tip": (
            "Records that the two are the same, without merging them now",
            "Enregistre qu'elles sont identiques, sans les fusionner maintenant",
            "仅记录两者相同，暂不合并",
        ),
        "batch_word": ("batch", "lot", "批次"),
        "min_probability": ("Show pairs from", "Paires à partir de", "显示概率不低于"),
        "pairs_above": (
            "{n} pairs at or above {p}",
            "{n} paires à {p} ou plus",
            "{n} 对概率不低于 {p}",
        ),
        "accept_all": (
            "Merge all {n} pairs at or above {p}",
            "Fusionner les {n} paires à {p} ou plus",
            "合并全部 {n} 对（概率不低于 {p}）",
        ),
        "accepted_all": (
            "Merged {n} groups of records (batch {batch}); Undo reverts them all",
            "{n} groupes de fiches fusionnés (lot {batch}) ; Annuler les défait tous",
            "已合并 {n} 组记录（批次 {batch}）；撤销可全部还原",
        ),
        "undo_accept_all": ("Undo these merges", "Annuler ces fusions", "撤销这些合并"),
        "merge_summary": (
            "{n} records merged into {survivor}",
            "{n} fiche(s) fusionnée(s) dans {survivor}",
            "{n} 条记录已合并到 {survivor}",
        ),
        "merge_groups": (
            "{groups} merges: {n} records merged away",
            "{groups} fusion(s) : {n} fiche(s) absorbée(s)",
            "{groups} 次合并：合并掉 {n} 条记录",
        ),
        "col_kept": ("Value kept", "Valeur gardée", "保留的值"),
        "col_lost": (
            "Other value (kept on the merged record)",
            "Autre valeur (gardée sur la fiche absorbée)",
            "另一值（保存在被合并记录上）",
        ),
        "col_from_record": ("From record", "De la fiche", "来自记录"),
        "conflicts": ("Values that differed", "Valeurs différentes", "不同的值"),
        "search_again": ("Search again", "Relancer la recherche", "重新查找"),
        "stage_prepare": ("Preparing the records…", "Préparation des fiches…", "正在准备记录…"),
        "stage_blocking": ("Finding candidate pairs…", "Recherche des paires…", "正在查找候选对…"),
        "stage_comparing": ("Comparing…", "Comparaison…", "正在比较…"),
        "stage_training": ("Training the model…", "Apprentissage du modèle…", "正在训练模型…"),
        "stage_clustering": ("Scoring and grouping…", "Calcul et regroupement…", "正在评分和分组…"),
        "stage_done": ("Done", "Terminé", "完成"),
    }
)

# -- spelling variants review (helper VW) ----------------------------------------------------

_UI.update(
    {
        "variants_title": (
            "Spelling variants: {field} ({kind})",
            "Variantes d'écriture : {field} ({kind})",
            "拼写变体：{field}（{kind}）",
        ),
        "variants_method": ("Method", "Méthode", "方法"),
        "variants_method_fingerprint": ("Fingerprint", "Empreinte", "指纹"),
        "variants_method_ngram-fingerprint": (
            "N-gram fingerprint",
            "Empreinte par n-grammes",
            "N 元组指纹",
        ),
        "variants_method_phonetic": ("Phonetic", "Phonétique", "语音"),
        "variants_method_levenshtein": (
            "Nearest neighbour (edit distance)",
            "Plus proche voisin (distance d'édition)",
            "最近邻（编辑距离）",
        ),
        "variants_summary": (
            "{count:,} cluster: {values:,} values, {records:,} records|"
            "{count:,} clusters: {values:,} values, {records:,} records",
            "{count:,} groupe : {values:,} valeurs, {records:,} fiches|"
            "{count:,} groupes : {values:,} valeurs, {records:,} fiches",
            "{count:,} 组：{values:,} 个写法，{records:,} 条记录",
        ),
        "variants_none": (
            "No spelling variants of {field}",
            "Aucune variante d'écriture pour {field}",
            "{field}没有拼写变体",
        ),
        "variants_col_merge": ("Merge?", "Fusionner ?", "合并？"),
        "variants_col_values": ("Values (records)", "Valeurs (fiches)", "写法（记录数）"),
        "variants_col_records": ("Records", "Fiches", "记录数"),
        "variants_col_method": ("Method", "Méthode", "方法"),
        "variants_col_new_value": ("New value", "Nouvelle valeur", "新值"),
        "variants_use_value": (
            "Use this value: {value}",
            "Utiliser cette valeur : {value}",
            "使用此值：{value}",
        ),
        "variants_page": (
            "Clusters {first}–{last} of {count:,}",
            "Groupes {first} à {last} sur {count:,}",
            "第 {first}–{last} 组，共 {count:,} 组",
        ),
        "variants_ticked": (
            "{count:,} cluster ticked|{count:,} clusters ticked",
            "{count:,} groupe coché|{count:,} groupes cochés",
            "已勾选 {count:,} 组",
        ),
        "variants_tick_page": ("Tick page", "Cocher la page", "勾选本页"),
        "variants_untick": ("Untick all", "Tout décocher", "全部取消勾选"),
        "variants_merge": ("Merge ticked", "Fusionner les groupes cochés", "合并已勾选的组"),
        "variants_undo": ("Undo last merge", "Annuler la dernière fusion", "撤销上次合并"),
        "variants_nothing_ticked": (
            "Tick the clusters to merge first",
            "Cochez d'abord les groupes à fusionner",
            "请先勾选要合并的组",
        ),
        "variants_merged": (
            "Merged {count:,} cluster: {n:,} records changed (batch {batch})|"
            "Merged {count:,} clusters: {n:,} records changed (batch {batch})",
            "{count:,} groupe fusionné : {n:,} fiche(s) modifiée(s) (lot {batch})|"
            "{count:,} groupes fusionnés : {n:,} fiche(s) modifiée(s) (lot {batch})",
            "已合并 {count:,} 组：修改了 {n:,} 条记录（批次 {batch}）",
        ),
        "variants_unchanged": (
            "Nothing changed: the ticked clusters already hold their new value",
            "Rien n'a changé : les groupes cochés ont déjà leur nouvelle valeur",
            "没有变化：勾选的组已是新值",
        ),
        "variants_failed": ("Not merged: {error}", "Non fusionné : {error}", "未合并：{error}"),
    }
)

# One part of a duplicate explanation: "last_name close 0.96 (+6.3)".
_REASON = re.compile(
    r"^(?P<name>[a-z_]+) (?P<level>[a-z_]+)(?: [0-9.]+)?(?: \(swapped\))?"
    r" \((?P<bits>[+-][0-9.]+)\)$"
)


def reasons_text(explanation: str, lang: str, label_of: Callable[[str], str]) -> str:
    """The comparisons that speak for a match, in ``lang``: ``"Email identique, Nom proche"``.

    ``explanation`` is the one-line reason of a duplicate search (field, level and bits
    per comparison, strongest first); the parts that count for the match are kept,
    each as the field's label (``label_of``) and its level's words.

    Examples
    --------
    >>> reasons_text("email exact (+16.9), last_name close 0.96 (+6.3), phone different (-4.8)",
    ...              "fr", {"email": "E-mail", "last_name": "Nom"}.get)
    'E-mail identique, Nom proche'
    """
    parts = []
    for part in re.split(r", (?=[a-z_]+ [a-z_])", explanation):
        match = _REASON.match(part.strip())
        if match is None or float(match["bits"]) <= 0:
            continue
        if f"level_{match['level']}" not in _UI or match["level"] == "different":
            continue  # "rare last_name (+2.3)": a term-frequency note, not a comparison
        label = label_of(match["name"]) or match["name"]
        parts.append(f"{label} {level_label(match['level'], lang)}")
    return ", ".join(parts)


# -- review of suggested fixes (helper FW) --------------------------------------------------

_UI.update(
    {
        "fixes_title_contacts": (
            "Suggested fixes — contacts",
            "Corrections proposées — contacts",
            "建议的修正 — 联系人",
        ),
        "fixes_title_accounts": (
            "Suggested fixes — accounts",
            "Corrections proposées — comptes",
            "建议的修正 — 客户",
        ),
        "fixes_summary": (
            "{n} proposed fix on {records} · {ticked} ticked|"
            "{n} proposed fixes on {records} · {ticked} ticked",
            "{n} correction proposée sur {records} · {ticked} cochée(s)|"
            "{n} corrections proposées sur {records} · {ticked} cochée(s)",
            "{records}，共 {n} 项建议修正 · 已勾选 {ticked} 项",
        ),
        "fixes_groups": (
            "By rule and field (tick a whole group)",
            "Par règle et par champ (cocher tout un groupe)",
            "按规则和字段（可整组勾选）",
        ),
        "fixes_group": (
            "{rule} — {field}: {count}",
            "{rule} — {field} : {count}",
            "{rule} — {field}：{count}",
        ),
        "fixes_group_partial": (
            "{rule} — {field}: {count} ({ticked} ticked)",
            "{rule} — {field} : {count} ({ticked} cochée(s))",
            "{rule} — {field}：{count}（已勾选 {ticked}）",
        ),
        "fixes_filter_rule": ("Rule", "Règle", "规则"),
        "fixes_filter_field": ("Field", "Champ", "字段"),
        "fixes_all": ("All", "Tous", "全部"),
        "fixes_search": (
            "Search a name or a value…",
            "Rechercher un nom ou une valeur…",
            "搜索姓名或值…",
        ),
        "fixes_shown": ("{n} shown", "{n} affichée(s)", "显示 {n} 项"),
        "fixes_tick_shown": ("Tick those shown", "Cocher celles affichées", "勾选显示的各项"),
        "fixes_untick_shown": (
            "Untick those shown",
            "Décocher celles affichées",
            "取消勾选显示的各项",
        ),
        "fixes_apply": ("Apply ticked ({n})", "Appliquer les cochées ({n})", "应用已勾选（{n}）"),
        "fixes_undo": ("Undo the fixes", "Annuler les corrections", "撤销修正"),
        "fixes_applied": (
            "Applied {n} fix to {records} (batch {batch})|"
            "Applied {n} fixes to {records} (batch {batch})",
            "{n} correction appliquée à {records} (lot {batch})|"
            "{n} corrections appliquées à {records} (lot {batch})",
            "已对{records}应用 {n} 项修正（批次 {batch}）",
        ),
        "fixes_stale": (
            "{n} not applied: the stored value changed since it was proposed",
            "{n} non appliquée(s) : la valeur enregistrée a changé depuis la proposition",
            "{n} 项未应用：提出建议后存储的值已被修改",
        ),
        "fixes_nothing_ticked": (
            "Tick at least one proposed fix",
            "Cochez au moins une correction proposée",
            "请至少勾选一项建议修正",
        ),
        "fixes_none": (
            "No fixes to propose",
            "Aucune correction à proposer",
            "没有需要修正的内容",
        ),
        "fixes_no_match": (
            "No proposed fix matches the filters",
            "Aucune correction ne correspond aux filtres",
            "没有符合筛选条件的建议修正",
        ),
        "fixes_undone": (
            "Undid batch {batch}: {n} fixes back in the list",
            "Lot {batch} annulé : {n} correction(s) de nouveau dans la liste",
            "已撤销批次 {batch}：{n} 项修正重新列出",
        ),
        "fixes_failed": ("Not applied: {error}", "Non appliqué : {error}", "未应用：{error}"),
    }
)
