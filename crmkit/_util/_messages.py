"""The sentences crmkit prints, in every language of :data:`~crmkit._util._langs.LANGS`.

One catalog for the printed reports and the error messages (the widgets' own words are
in :mod:`crmkit.widgets._text`, which takes the rule sentences from here): each key holds
one text per language, in :data:`LANGS` order. A text with a ``|`` has a singular and a
plural form, chosen by the ``count`` given to :func:`message` with the language's rule
(English: 1 is singular; French: 0 and 1 are; Chinese has one form). ``{count:,}`` and
any ``{x:,}`` group the digits as the language does (French with a narrow no-break space).

Texts speak :func:`~crmkit._util._config.current_lang` unless a ``lang`` is given, so
``ck.set_config(lang="fr")`` turns every report and error French at once.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from crmkit._exceptions import UnknownValueError
from crmkit._util._config import chosen_lang, current_lang
from crmkit._util._langs import LANGS, Labels, check_lang
from crmkit._util._shorten import MESSAGE_VALUE_CHARS, shorten

__all__ = [
    "MESSAGES",
    "RULES",
    "kind_noun",
    "message",
    "plural_form",
    "record_noun",
    "rule_sentence",
    "short",
    "unknown_value",
]

# fmt: off
_MESSAGES: dict[str, Labels] = {
    # words used inside other texts
    "kind_contacts": ("contact|contacts", "contact|contacts", "联系人"),
    "kind_accounts": ("account|accounts", "compte|comptes", "客户"),
    "kind_owners": ("owner|owners", "responsable|responsables", "负责人"),
    "kind_activities": ("activity|activities", "activité|activités", "活动"),
    "batch": ("batch {batch}", "lot {batch}", "批次 {batch}"),
    "more": ("... and {count:,} more", "... et {count:,} de plus", "……另有 {count:,} 条"),
    "row": ("row {row}", "ligne {row}", "第 {row} 行"),
    "line": ("line {line}", "ligne {line}", "第 {line} 行"),
    "colon": ("{a}: {b}", "{a} : {b}", "{a}：{b}"),
    "list_sep": (", ", ", ", "，"),
    # errors about values (field labels, not field names)
    "not_saved": ("{what} not saved: {why}", "{what} non enregistré : {why}",
                  "{what}未保存：{why}"),
    "merge_failure": ("{noun} {id} (merging {ids})", "{noun} {id} (fusion de {ids})",
                      "{noun} {id}（合并 {ids}）"),
    "update_refused": ("update refused: {why}", "modification refusée : {why}",
                       "修改被拒绝：{why}"),
    "field_breaks": ("{field}: {rule} ({value})", "{field} : {rule} ({value})",
                     "{field}：{rule}（{value}）"),
    "field_missing": ("{field}: {rule}", "{field} : {rule}", "{field}：{rule}"),
    # errors about references between records
    "ref_not_found": ("{field}: no {noun} with id {id}", "{field} : aucun {noun} d'id {id}",
                      "{field}：找不到 id 为 {id} 的{noun}"),
    "ref_deleted": ("{field}: {noun} {id} is deleted", "{field} : {noun} {id} est supprimé",
                    "{field}：{noun} {id} 已删除"),
    "ref_merged": ("{field}: {noun} {id} was merged into {noun} {into}; use that one",
                   "{field} : {noun} {id} a été fusionné dans {noun} {into} ; utilisez-le",
                   "{field}：{noun} {id} 已合并到{noun} {into}，请改用它"),
    "owner_deactivated": ("{field}: owner {name} is deactivated; activate it "
                          "(crm.owners.activate) or choose another owner",
                          "{field} : le responsable {name} est désactivé ; réactivez-le "
                          "(crm.owners.activate) ou choisissez-en un autre",
                          "{field}：负责人 {name} 已停用；请重新启用（crm.owners.activate）"
                          "或选择其他负责人"),
    "own_parent": ("{field}: {noun} {id} cannot be its own parent",
                   "{field} : {noun} {id} ne peut pas être sa propre maison mère",
                   "{field}：{noun} {id} 不能是自己的母公司"),
    "own_superior": ("{field}: {noun} {id} cannot be its own superior",
                     "{field} : {noun} {id} ne peut pas être son propre supérieur",
                     "{field}：{noun} {id} 不能是自己的上级"),
    "ref_cycle": ("{field}: {noun} {target} is already below {noun} {id}; linking them would "
                  "make a cycle ({chain})",
                  "{field} : {noun} {target} est déjà sous {noun} {id} ; les lier ferait une "
                  "boucle ({chain})",
                  "{field}：{noun} {target} 已在{noun} {id} 之下，关联会形成循环（{chain}）"),
    # a value cut short in a message (crmkit._util._shorten)
    "n_characters": ("{count:,} characters", "{count:,} caractères", "{count:,} 个字符"),
    "n_bytes": ("<{count:,} bytes>", "<{count:,} octets>", "<{count:,} 字节>"),
    # a name that does not exist (crmkit.UnknownValueError)
    "unknown_value": ("unknown {what} {value}.{hint} Valid values: {valid}",
                      "{what} introuvable : {value}.{hint} Valeurs possibles : {valid}",
                      "未知的{what} {value}。{hint}可选值：{valid}"),
    "unknown_hint": (" Did you mean {name}?", " Vouliez-vous dire {name} ?",
                     "您是否指 {name}？"),
    "unknown_in_all": (", ... ({count:,} in all)", ", ... ({count:,} en tout)",
                       "……（共 {count:,} 个）"),
    "what_owner": ("owner", "responsable", "负责人"),
    "what_account": ("account", "compte", "客户"),
    "what_contact": ("contact", "contact", "联系人"),
    "what_currency": ("currency", "devise", "币种"),
    "what_task_type": ("task_type", "type de tâche", "任务类型"),
    "what_priority": ("priority", "priorité", "优先级"),
    "what_status": ("status", "statut", "状态"),
    "what_kind": ("kind", "nature", "类别"),
    "what_due": ("due", "échéance", "截止时间"),
    "what_activity field": ("activity field", "champ d'activité", "活动字段"),
    # what a batch broke (crmkit._core._integrity): fields by name until a language is
    # chosen (today's English), by label once one is
    "record_ref": ("{noun} {id}", "{noun} {id}", "{noun} {id}"),
    "semicolon_sep": ("; ", " ; ", "；"),
    "and_more": ("; and {count:,} more", " ; et {count:,} de plus", "；另有 {count:,} 条"),
    "breach_missing": ("{record}: {field} points at {noun} {target}, which does not exist",
                       "{record} : {field} pointe vers {noun} {target}, qui n'existe pas",
                       "{record}：{field}指向的{noun} {target} 不存在"),
    "breach_removed": ("{record}: {field} points at {noun} {target}, which is deleted or "
                       "merged away",
                       "{record} : {field} pointe vers {noun} {target}, supprimé ou fusionné",
                       "{record}：{field}指向的{noun} {target} 已删除或已合并"),
    "breach_cycle": ("{record}: {field} would make a cycle ({chain})",
                     "{record} : {field} formerait une boucle ({chain})",
                     "{record}：{field}会形成循环（{chain}）"),
    "breach_inactive_owner": ("{record}: {field} {target} is deactivated; activate it or "
                              "choose another",
                              "{record} : {field} : le responsable {target} est désactivé ; "
                              "réactivez-le ou choisissez-en un autre",
                              "{record}：{field}：负责人 {target} 已停用；"
                              "请重新启用或选择其他负责人"),
    "integrity_not_saved": ("not saved: {why}", "non enregistré : {why}", "未保存：{why}"),
    "record_not_found": ("no {noun} with id {id}", "aucun {noun} d'id {id}",
                         "找不到 id 为 {id} 的{noun}"),
    # an undo refused (crmkit.UndoError, UndoConflictError)
    "undo_no_batch": ("no batch {batch}", "aucun lot {batch}", "没有批次 {batch}"),
    "undo_already": ("batch {batch} was already undone by batch {by}",
                     "le lot {batch} a déjà été annulé par le lot {by}",
                     "批次 {batch} 已被批次 {by} 撤销"),
    "undo_nothing": ("batch {batch} changed nothing; there is nothing to undo",
                     "le lot {batch} n'a rien changé ; il n'y a rien à annuler",
                     "批次 {batch} 没有任何修改，无需撤销"),
    "undo_refused": ("cannot undo batch {batch}: {why}",
                     "impossible d'annuler le lot {batch} : {why}",
                     "无法撤销批次 {batch}：{why}"),
    "undo_later_first": ("{why}. Undo the later batches first (newest first).",
                         "{why}. Annulez d'abord les lots suivants (du plus récent au plus "
                         "ancien).",
                         "{why}。请先撤销之后的批次（从最新的开始）。"),
    "undo_or_detach": ("{why}. Undo the later batches first (newest first), or pass "
                       "detach=True to clear those references in the same undo.",
                       "{why}. Annulez d'abord les lots suivants (du plus récent au plus "
                       "ancien), ou passez detach=True pour vider ces liens dans la même "
                       "annulation.",
                       "{why}。请先撤销之后的批次（从最新的开始），或传入 detach=True "
                       "在同一次撤销中清除这些引用。"),
    "record_field": ("{record}.{field}", "{record} ({field})", "{record}（{field}）"),
    "by_batch": ("batch {batch}", "le lot {batch}", "批次 {batch}"),
    "later_change": ("a later change", "une modification ultérieure", "之后的修改"),
    "outside_change": ("a change outside crmkit", "une modification hors de crmkit",
                       "crmkit 之外的修改"),
    "undo_changed_since": ("{where} was changed since by {by}",
                           "{where} a été modifié depuis par {by}", "{where}之后被{by} 修改"),
    "undo_created_changed": ("{record} created by this batch was changed by batch {later}",
                             "{record}, créé par ce lot, a été modifié par le lot {later}",
                             "本批次创建的{record} 已被批次 {later} 修改"),
    "undo_points_back": ("it would point {where} back at {noun} {id}, which {by} removed",
                         "{where} pointerait de nouveau vers {noun} {id}, que {by} a retiré",
                         "撤销会让{where}重新指向{noun} {id}，而它已被{by} 移除"),
    "undo_still_referenced": ("{noun} {id}, which it would remove, is still referenced by "
                              "{where} (set by {by})",
                              "{noun} {id}, que l'annulation retirerait, est encore "
                              "référencé par {where} (défini par {by})",
                              "将被移除的{noun} {id} 仍被{where}引用（由{by} 设置）"),
    # a delete refused (crmkit.RecordInUseError)
    "in_use_survivor": ("{record} is the survivor of {count} merged record(s), which point at "
                        "it; it can be deleted (soft), not removed for good",
                        "{record} a absorbé {count} fiche(s) fusionnée(s), qui pointent vers "
                        "lui ; il peut être supprimé, pas effacé définitivement (hard)",
                        "{record} 是 {count} 条已合并记录的保留记录，它们指向它；"
                        "只能删除，不能彻底移除（hard）"),
    "in_use": ("{record} is still used: {detail}. Reassign or delete them first, or pass "
               "force=True to detach them.",
               "{record} est encore utilisé : {detail}. Réaffectez-les ou supprimez-les "
               "d'abord, ou passez force=True pour les détacher.",
               "{record} 仍被使用：{detail}。请先重新分配或删除它们，或传入 force=True 解除关联。"),
    "in_use_by": ("{what} (by {field})", "{what} (par {field})", "{what}（通过{field}）"),
    "in_use_count": ("{count} {what}", "{count} {what}", "{count} 条{what}"),
    # activities (notes and tasks)
    "activity_not_date": ("{field}: {value} is not a date", "{field} : {value} n'est pas une date",
                          "{field}：{value} 不是日期"),
    "activity_needs_link": ("an activity needs a contact or an account",
                            "une activité doit viser un contact ou un compte",
                            "活动必须关联联系人或客户"),
    "activity_deleted": ("activity {id} is deleted: it cannot be {verb}",
                         "l'activité {id} est supprimée : impossible de la {verb}",
                         "活动 {id} 已删除，无法{verb}"),
    "activity_not_task": ("activity {id} is a note, not a task: it cannot be {verb}",
                          "l'activité {id} est une note, pas une tâche : impossible de la {verb}",
                          "活动 {id} 是备注而不是任务，无法{verb}"),
    "activity_verb_changed": ("changed", "modifier", "修改"),
    "activity_verb_completed": ("completed", "terminer", "完成"),
    "activity_verb_deleted": ("deleted", "supprimer", "删除"),
    "activity_not_found": ("no activity with id {id}", "aucune activité d'id {id}",
                           "找不到 id 为 {id} 的活动"),
    "activity_tasks_kind": ("add_tasks works on contacts or accounts, not {kind}",
                            "add_tasks porte sur des contacts ou des comptes, pas sur {kind}",
                            "add_tasks 只适用于联系人或客户，不适用于 {kind}"),
    "activity_unknown_field": ("{field}: not a field of activities (fields: {valid})",
                               "{field} : pas un champ des activités (champs : {valid})",
                               "{field}：不是活动的字段（字段：{valid}）"),
    "activity_bad_text": ("{field}: {value} is empty or not text",
                          "{field} : {value} est vide ou n'est pas un texte",
                          "{field}：{value} 为空或不是文本"),
    "activity_contact_elsewhere": ("account_id: {value} is not the account of contact {contact} "
                                   "({account})",
                                   "account_id : {value} n'est pas le compte du contact "
                                   "{contact} ({account})",
                                   "account_id：{value} 不是联系人 {contact} 的客户（{account}）"),
    "activities_import_no_column": ("the file has no column for {field} (columns: {columns})",
                                    "le fichier n'a pas de colonne pour {field} (colonnes : "
                                    "{columns})",
                                    "文件没有 {field} 对应的列（列：{columns}）"),
    # duplicate rules (crmkit._core._duplicate_check)
    "alert_new_record": ("the new {noun}", "le nouveau {noun}", "新{noun}"),
    "alert_new_id": ("new {noun} {id}", "nouveau {noun} {id}", "新{noun} {id}"),
    "alert_named": ("{record} ({name})", "{record} ({name})", "{record}（{name}）"),
    "alert_earlier_line": ("line {line} of this import", "ligne {line} de cet import",
                           "本次导入的第 {line} 行"),
    "alert_value": ("{field} = {value}", "{field} = {value}", "{field} = {value}"),
    "blank": ("blank", "vide", "空"),
    "alert_matches": ("{who} matches {other} by duplicate rule {rule}",
                      "{who} correspond à {other} selon la règle de doublons {rule}",
                      "{who} 按重复规则 {rule} 与{other}匹配"),
    "block_more": (" (and {count:,} more match(es))",
                   " (et {count:,} autre(s) correspondance(s))",
                   "（另有 {count:,} 处匹配）"),
    "block_hint": ("{why}. Change the values, or the rule's action "
                   "(crm.settings.duplicate_rule), or merge the records.",
                   "{why}. Modifiez les valeurs ou l'action de la règle "
                   "(crm.settings.duplicate_rule), ou fusionnez les fiches.",
                   "{why}。请修改这些值或规则的动作（crm.settings.duplicate_rule），"
                   "或合并这些记录。"),
    # why an imported row was rejected (stored with the row, in the language of the import)
    "reject_required_no_column": ("{field}: required, but the file has no such column",
                                  "{field} : obligatoire, mais le fichier n'a pas cette colonne",
                                  "{field}：必填，但文件中没有这一列"),
    "reject_required_empty": ("{field}: required, but empty", "{field} : obligatoire, mais vide",
                              "{field}：必填，但为空"),
    "reject_unknown_owner": ("{field}: unknown owner {name}{hint}; add it with crm.owners.add "
                             "or pass create_owners=True",
                             "{field} : responsable inconnu {name}{hint} ; ajoutez-le avec "
                             "crm.owners.add ou passez create_owners=True",
                             "{field}：未知负责人 {name}{hint}；请用 crm.owners.add 添加，"
                             "或传入 create_owners=True"),
    "did_you_mean": (" (did you mean {name}?)", " (vouliez-vous dire {name} ?)",
                     "（您是否指 {name}？）"),
    "reject_owner_deactivated": ("{field}: {name} is deactivated; activate it "
                                 "(crm.owners.activate) or give these rows another owner",
                                 "{field} : le responsable {name} est désactivé ; réactivez-le "
                                 "(crm.owners.activate) ou donnez un autre responsable à ces "
                                 "lignes",
                                 "{field}：负责人 {name} 已停用；请重新启用（crm.owners.activate）"
                                 "或为这些行指定其他负责人"),
    "reject_default_owner_deactivated": ("{field}: the row names none and the default owner "
                                         "{name} is deactivated; activate it or add an owner "
                                         "column",
                                         "{field} : la ligne n'en nomme aucun et le responsable "
                                         "par défaut {name} est désactivé ; réactivez-le ou "
                                         "ajoutez une colonne de responsable",
                                         "{field}：该行未指定负责人，且默认负责人 {name} 已停用；"
                                         "请重新启用或添加负责人列"),
    "reject_no_account": ("{field}: no account named {name}; create it first or pass "
                          "create_accounts=True",
                          "{field} : aucun compte nommé {name} ; créez-le d'abord ou passez "
                          "create_accounts=True",
                          "{field}：没有名为 {name} 的客户；请先创建，或传入 create_accounts=True"),
    "reject_ref_deactivated": ("{field}: {noun} {id} is deactivated",
                               "{field} : {noun} {id} est désactivé",
                               "{field}：{noun} {id} 已停用"),
    "reject_ref_merged": ("{field}: {noun} {id} was merged into {noun} {into}",
                          "{field} : {noun} {id} a été fusionné dans {noun} {into}",
                          "{field}：{noun} {id} 已合并到{noun} {into}"),
    "reject_cycle": ("{field}: would make a cycle ({chain})",
                     "{field} : formerait une boucle ({chain})", "{field}：会形成循环（{chain}）"),
    "reject_in_file": ("duplicate of line {line} in this file (same {shared})",
                       "doublon de la ligne {line} de ce fichier (même {shared})",
                       "与本文件第 {line} 行重复（{shared}相同）"),
    "key_name": ("name", "nom", "姓名"),
    "reject_no_match": ("no existing record matches (mode='update')",
                        "aucune fiche existante ne correspond (mode='update')",
                        "没有匹配的现有记录（mode='update'）"),
    "likely_duplicate": ("likely duplicate of {noun} {id} (p={p:.2f})",
                         "doublon probable de {noun} {id} (p={p:.2f})",
                         "可能与{noun} {id} 重复（p={p:.2f}）"),
    "reject_skipped": ("skipped: {why}", "ignorée : {why}", "已跳过：{why}"),
    "reject_vcard": ("vCard {card} cannot be read: {reason}", "vCard {card} illisible : {reason}",
                     "无法读取 vCard {card}：{reason}"),
    # command line
    "written_to": ("{what} written to {path}", "{path} : {what}", "{path}：{what}"),
    # BulkReport
    "bulk_head": ("{operation} on {count:,} {kind}: {changed:,} changed, {skipped:,} skipped",
                  "{operation} sur {count:,} {kind} : {changed:,} modifié(s), "
                  "{skipped:,} ignoré(s)",
                  "{operation}：{count:,} 条{kind}，{changed:,} 条已修改，{skipped:,} 条跳过"),
    "bulk_skipped": ("skipped {count:,}: {reason}", "ignoré(s) {count:,} : {reason}",
                     "跳过 {count:,} 条：{reason}"),
    "bulk_alerts": ("duplicate alert: {count:,} (report.alerts)|"
                    "duplicate alerts: {count:,} (report.alerts)",
                    "alerte de doublon : {count:,} (report.alerts)|"
                    "alertes de doublons : {count:,} (report.alerts)",
                    "重复提醒：{count:,} 条（report.alerts）"),
    # ConversionReport and crm.contacts.convert
    "convert_head": ("{count:,} contact converted|{count:,} contacts converted",
                     "{count:,} contact converti|{count:,} contacts convertis",
                     "{count:,} 个联系人已转化"),
    "convert_would": ("{count:,} contact to convert|{count:,} contacts to convert",
                      "{count:,} contact à convertir|{count:,} contacts à convertir",
                      "{count:,} 个联系人待转化"),
    "convert_linked": ("{count:,} linked to an existing account|"
                       "{count:,} linked to existing accounts",
                       "{count:,} rattaché à un compte existant|"
                       "{count:,} rattachés à des comptes existants",
                       "{count:,} 个关联到现有客户"),
    "convert_created": ("{count:,} account created|{count:,} accounts created",
                        "{count:,} compte créé|{count:,} comptes créés",
                        "新建 {count:,} 个客户"),
    "convert_refused": ("{count:,} refused|{count:,} refused",
                        "{count:,} refusé|{count:,} refusés",
                        "{count:,} 个被拒绝"),
    "convert_nothing": ("nothing converted: {why}", "rien n'est converti : {why}",
                        "未转化：{why}"),
    "convert_not_lead": ("{record}: {field} is {value}, not lead or qualified",
                         "{record} : {field} vaut {value}, ni piste ni qualifié",
                         "{record}：{field} 为 {value}，不是线索或已确认"),
    "convert_deleted": ("{record} is deleted", "{record} est supprimé", "{record} 已删除"),
    "convert_merged": ("{record} was merged into {into}", "{record} a été fusionné dans {into}",
                       "{record} 已合并到 {into}"),
    "convert_no_account": ("{record}: {field} {value}: no matching account; pass "
                           "create_account=True or account=",
                           "{record} : {field} {value} : aucun compte correspondant ; passez "
                           "create_account=True ou account=",
                           "{record}：{field} {value}：没有匹配的客户；请传入 "
                           "create_account=True 或 account="),
    "convert_no_company": ("{record}: {field} is empty: no account to find or create; "
                           "pass account=",
                           "{record} : {field} est vide : aucun compte à trouver ni à créer ; "
                           "passez account=",
                           "{record}：{field} 为空，无法查找或创建客户；请传入 account="),
    "convert_stage": ("stage {value}: a conversion makes contacts customer or former",
                      "étape {value} : une conversion fait des contacts des clients ou "
                      "d'anciens clients",
                      "阶段 {value}：转化后的联系人只能是客户或前客户"),
    "convert_none": ("no contact given to convert", "aucun contact à convertir",
                     "没有要转化的联系人"),
    # a database's lifecycle stages (crm.settings.set_stages)
    "stage_item": ("lifecycle stages are a list of values or dicts with a value, got {value}",
                   "les étapes sont une liste de valeurs ou de dicts avec une value, reçu "
                   "{value}",
                   "阶段应为值或带 value 的字典组成的列表，收到 {value}"),
    "stage_value": ("a lifecycle stage is a value of 1 to 20 characters, got {value}",
                    "une étape est une valeur de 1 à 20 caractères, reçu {value}",
                    "阶段值应为 1 到 20 个字符，收到 {value}"),
    "stage_label": ("lifecycle stage {value}: the {language} label is a text of 1 to 100 "
                    "characters",
                    "étape {value} : le libellé {language} est un texte de 1 à 100 caractères",
                    "阶段 {value}：{language} 标签应为 1 到 100 个字符"),
    "stage_unique": ("lifecycle stage {value} is listed twice", "l'étape {value} figure deux fois",
                     "阶段 {value} 重复出现"),
    "stage_builtin": ("the lifecycle stages must keep the built-in ones: {values} are missing",
                      "les étapes doivent garder celles d'origine : il manque {values}",
                      "阶段必须保留内置阶段：缺少 {values}"),
    "stage_in_use": ("lifecycle stage {value} is kept by {count:,} contact; change it first|"
                     "lifecycle stage {value} is kept by {count:,} contacts; change them first",
                     "l'étape {value} est celle de {count:,} contact ; changez-la d'abord|"
                     "l'étape {value} est celle de {count:,} contacts ; changez-les d'abord",
                     "阶段 {value} 仍被 {count:,} 个联系人使用；请先修改"),
    # MergeReport
    "merge_head": ("{kind}: {count:,} merge|{kind}: {count:,} merges",
                   "{kind} : {count:,} fusion|{kind} : {count:,} fusions",
                   "{kind}：{count:,} 次合并"),
    "merge_away": ("{count:,} record merged away|{count:,} records merged away",
                   "{count:,} fiche fusionnée|{count:,} fiches fusionnées",
                   "{count:,} 条记录被合并"),
    "merge_dry": ("dry run: nothing written", "simulation : rien n'est écrit",
                  "试运行：未写入"),
    "merge_no_field": ("no field changed", "aucun champ modifié", "没有字段变化"),
    "merge_repointed": ("re-pointed", "redirigés", "已改指向"),
    "merge_lost": ("{count:,} value lost to the survivors (see .conflicts)|"
                   "{count:,} values lost to the survivors (see .conflicts)",
                   "{count:,} valeur perdue par les fiches conservées (voir .conflicts)|"
                   "{count:,} valeurs perdues par les fiches conservées (voir .conflicts)",
                   "保留的记录丢失了 {count:,} 个值（见 .conflicts）"),
    "merge_skipped": ("skipped {count:,} cluster|skipped {count:,} clusters",
                      "{count:,} groupe ignoré|{count:,} groupes ignorés",
                      "跳过 {count:,} 组"),
    # ImportReport and ImportPreview
    "import_dry": ("DRY RUN, ", "SIMULATION, ", "试运行，"),
    "import_head": ("{kind} from {source}, mode={mode}: {counts}",
                    "{kind} depuis {source}, mode={mode} : {counts}",
                    "{kind}，来自 {source}，模式={mode}：{counts}"),
    "count_read": ("read", "lues", "读取"),
    "count_inserted": ("inserted", "ajoutées", "新增"),
    "count_updated": ("updated", "mises à jour", "更新"),
    "count_unchanged": ("unchanged", "inchangées", "未变"),
    "count_merged_in_file": ("merged_in_file", "fusionnées_dans_le_fichier", "文件内合并"),
    "count_rejected": ("rejected", "rejetées", "拒绝"),
    "count_warnings": ("warnings", "avertissements", "警告"),
    "import_created_accounts": ("created {count:,} account|created {count:,} accounts",
                                "{count:,} compte créé|{count:,} comptes créés",
                                "新建 {count:,} 个客户"),
    "import_created_owners": ("created owners: {names}", "responsables créés : {names}",
                              "新建负责人：{names}"),
    "import_rejected_rows": ("rejected rows:", "lignes rejetées :", "被拒绝的行："),
    "import_more_rejected": ("... {count:,} more in report.rejected",
                             "... {count:,} de plus dans report.rejected",
                             "……另有 {count:,} 行，见 report.rejected"),
    "import_alerts": ("duplicate rules: {count:,} alert ({rules}) in report.duplicate_alerts|"
                      "duplicate rules: {count:,} alerts ({rules}) in report.duplicate_alerts",
                      "règles de doublons : {count:,} alerte ({rules}) dans "
                      "report.duplicate_alerts|règles de doublons : {count:,} alertes "
                      "({rules}) dans report.duplicate_alerts",
                      "重复规则：{count:,} 条提醒（{rules}），见 report.duplicate_alerts"),
    "import_warnings_by_field": ("warnings by field: {fields}",
                                 "avertissements par champ : {fields}",
                                 "各字段警告：{fields}"),
    # ImportReport and ImportPreview in notebooks (HTML)
    "number": ("{value:,}", "{value:,}", "{value:,}"),
    "html_import_title": ("Import of {kind}", "Import de {kind}", "导入{kind}"),
    "html_from": ("from", "depuis", "来自"),
    "html_mode": ("mode {mode}", "mode {mode}", "模式 {mode}"),
    "html_dry_run": ("dry run", "simulation", "试运行"),
    "html_rejected_rows": ("Rejected rows", "Lignes rejetées", "被拒绝的行"),
    "html_warnings_by_field": ("Warnings by field", "Avertissements par champ", "各字段警告"),
    "html_column_mapping": ("Column mapping", "Correspondance des colonnes", "列映射"),
    "html_preview_title": ("Preview", "Aperçu", "预览"),
    "html_as_kind": ("as {kind}", "en {kind}", "作为{kind}"),
    "html_sample_rows": ("Sample of normalised rows", "Échantillon de lignes normalisées",
                         "规范化后的样例行"),
    "html_problems_first": ("Problems in the first {count:,} row|Problems in the first "
                            "{count:,} rows",
                            "Problèmes dans {count:,} ligne lue|Problèmes dans les {count:,} "
                            "premières lignes",
                            "前 {count:,} 行中的问题"),
    "preview_head": ("{kind} from {source}: {columns}, {rows}, {problems}",
                     "{kind} depuis {source} : {columns}, {rows}, {problems}",
                     "{kind}，来自 {source}：{columns}，{rows}，{problems}"),
    "preview_columns": ("{count:,} column|{count:,} columns",
                        "{count:,} colonne|{count:,} colonnes", "{count:,} 列"),
    "preview_rows": ("{count:,} row checked|{count:,} rows checked",
                     "{count:,} ligne vérifiée|{count:,} lignes vérifiées", "已检查 {count:,} 行"),
    "preview_problems": ("{count:,} problem|{count:,} problems",
                         "{count:,} problème|{count:,} problèmes", "{count:,} 个问题"),
    # UndoSummary
    "undo_text": ("undid batch {undone} as batch {batch}: {fields}, {removed}, {restored}",
                  "lot {undone} annulé par le lot {batch} : {fields}, {removed}, {restored}",
                  "已撤销批次 {undone}（撤销批次 {batch}）：{fields}，{removed}，{restored}"),
    "undo_fields": ("{count:,} field restored|{count:,} fields restored",
                    "{count:,} champ rétabli|{count:,} champs rétablis",
                    "恢复 {count:,} 个字段"),
    "undo_removed": ("{count:,} record removed|{count:,} records removed",
                     "{count:,} fiche retirée|{count:,} fiches retirées", "移除 {count:,} 条记录"),
    "undo_restored": ("{count:,} record put back|{count:,} records put back",
                      "{count:,} fiche rétablie|{count:,} fiches rétablies",
                      "恢复 {count:,} 条记录"),
    "undo_detached": ("{count:,} reference detached|{count:,} references detached",
                      "{count:,} lien détaché|{count:,} liens détachés", "解除 {count:,} 个引用"),
    "undo_settings": ("{count:,} setting put back|{count:,} settings put back",
                      "{count:,} réglage rétabli|{count:,} réglages rétablis",
                      "恢复 {count:,} 项设置"),
    # Summary
    "summary_by": ("by {columns}", "par {columns}", "按{columns}"),
    "none_value": ("(none)", "(aucun)", "（无）"),
    # DuplicateReport
    "dup_head": ("{pairs}, {clusters} among {records}", "{pairs}, {clusters} parmi {records}",
                 "{records}中 {pairs}、{clusters}"),
    "dup_pairs": ("{count:,} pair|{count:,} pairs", "{count:,} paire|{count:,} paires",
                  "{count:,} 对"),
    "dup_clusters": ("{count:,} cluster|{count:,} clusters", "{count:,} groupe|{count:,} groupes",
                     "{count:,} 组"),
    "n_records": ("{count:,} record|{count:,} records", "{count:,} fiche|{count:,} fiches",
                  "{count:,} 条记录"),
    "dup_job_changes": ("{count:,} job change|{count:,} job changes",
                        "{count:,} changement de poste|{count:,} changements de poste",
                        "{count:,} 次工作变动"),
    # ValidationReport
    "validation_head": ("{kind}: {rows}, {errors}, {warnings}",
                        "{kind} : {rows}, {errors}, {warnings}",
                        "{kind}：{rows}，{errors}，{warnings}"),
    "n_rows": ("{count:,} row|{count:,} rows", "{count:,} ligne|{count:,} lignes",
               "{count:,} 行"),
    "n_errors": ("{count:,} error|{count:,} errors", "{count:,} erreur|{count:,} erreurs",
                 "{count:,} 个错误"),
    "n_warnings": ("{count:,} warning|{count:,} warnings",
                   "{count:,} avertissement|{count:,} avertissements", "{count:,} 个警告"),
    # ExportResult
    "export_text": ("{count:,} row written to {path}|{count:,} rows written to {path}",
                    "{count:,} ligne écrite dans {path}|{count:,} lignes écrites dans {path}",
                    "已写入 {count:,} 行到 {path}"),
}

# Timelines, org charts and account trees (crm.contacts.timeline, crm.accounts.tree ...).
_MESSAGES.update({
    "what_timeline kind": ("timeline event kind", "type d'événement", "时间线事件类型"),
    "tl_kind_create": ("created", "création", "创建"),
    "tl_kind_change": ("change", "modification", "修改"),
    "tl_kind_import": ("import", "import", "导入"),
    "tl_kind_merge": ("merge", "fusion", "合并"),
    "tl_kind_delete": ("deletion", "suppression", "删除"),
    "tl_kind_undo": ("undo", "annulation", "撤销"),
    "tl_kind_subscription": ("subscription", "abonnement", "订阅"),
    "tl_kind_duplicate": ("duplicate review", "revue des doublons", "重复审核"),
    "tl_kind_note": ("note", "note", "备注"),
    "tl_kind_task": ("task", "tâche", "任务"),
    "tl_count": ("{count:,} event|{count:,} events", "{count:,} événement|{count:,} événements",
                 "{count:,} 个事件"),
    "tl_empty": ("nothing happened yet", "rien ne s'est encore passé", "尚无事件"),
    "tl_change": ("{field}: {old} → {new}", "{field} : {old} → {new}", "{field}：{old} → {new}"),
    "tl_created": ("created", "créé", "已创建"),
    "tl_changed": ("changed", "modifié", "已修改"),
    "tl_imported": ("imported from {file}", "importé depuis {file}", "从 {file} 导入"),
    "tl_import_changed": ("updated by the import of {file}", "mis à jour par l'import de {file}",
                          "由 {file} 的导入更新"),
    "tl_merged_into": ("merged into {into}", "fusionné dans {into}", "已合并到{into}"),
    "tl_absorbed": ("absorbed {other}", "a absorbé {other}", "合并了{other}"),
    "tl_merge_filled": ("filled by a merge", "complété par une fusion", "由合并补充"),
    "tl_deleted": ("deleted", "supprimé", "已删除"),
    "tl_deleted_for_good": ("deleted for good", "supprimé définitivement", "已永久删除"),
    "tl_restored": ("restored", "restauré", "已恢复"),
    "tl_undo": ("batch {batch} undone", "lot {batch} annulé", "批次 {batch} 已撤销"),
    "tl_subscribed": ("subscribed to {list}", "abonné à {list}", "订阅了 {list}"),
    "tl_unsubscribed": ("unsubscribed from {list}", "désabonné de {list}", "退订了 {list}"),
    "tl_same": ("marked the same as {other}", "marqué identique à {other}",
                "标记为与{other}相同"),
    "tl_different": ("marked different from {other}", "marqué différent de {other}",
                     "标记为与{other}不同"),
    "tl_note": ("note added: {text}", "note ajoutée : {text}", "添加备注：{text}"),
    "tl_task_due": ("task due: {text}", "tâche à échéance : {text}", "任务到期：{text}"),
    "tl_task_done": ("task completed: {text}", "tâche terminée : {text}", "任务完成：{text}"),
    "tl_removed": ("{record} is deleted or merged away", "{record} est supprimé ou fusionné",
                   "{record} 已删除或已合并"),
    "tl_bad_date": ("{name} takes a date, got {value}", "{name} attend une date, reçu {value}",
                    "{name} 需要日期，收到 {value}"),
    "tl_within_none": ("within: no account named {value}", "within : aucun compte nommé {value}",
                       "within：没有名为 {value} 的客户"),
    "tree_title": ("{name}: {count:,} account|{name}: {count:,} accounts",
                   "{name} : {count:,} compte|{name} : {count:,} comptes",
                   "{name}：{count:,} 个客户"),
    "tree_currency": ("revenue in {currency}", "chiffre d'affaires en {currency}",
                      "营收以 {currency} 计"),
    "tree_unconverted": ("{count:,} revenue without an exchange rate left out|"
                         "{count:,} revenues without an exchange rate left out",
                         "{count:,} chiffre d'affaires sans taux de change laissé de côté|"
                         "{count:,} chiffres d'affaires sans taux de change laissés de côté",
                         "{count:,} 个营收没有汇率，未计入"),
    "org_title": ("{name}: {count:,} contact|{name}: {count:,} contacts",
                  "{name} : {count:,} contact|{name} : {count:,} contacts",
                  "{name}：{count:,} 个联系人"),
    "org_no_department": ("no department", "sans service", "无部门"),
})

# Spelling variants (crm.contacts.variants, crmkit variants): a block of its own.
_MESSAGES.update({
    "variants_unknown_field": ("unknown field {field} of {kind}; text fields: {fields}",
                               "champ {field} inconnu pour les {kind} ; champs texte : {fields}",
                               "{kind}没有字段 {field}；文本字段：{fields}"),
    "variants_not_text": ("{field} is not a text field ({type}); variants cluster text "
                          "fields: {fields}",
                          "{field} n'est pas un champ texte ({type}) ; les variantes portent "
                          "sur les champs texte : {fields}",
                          "{field} 不是文本字段（{type}）；拼写变体只适用于文本字段：{fields}"),
    "variants_unknown_method": ("unknown method {method}; choose from {methods}",
                                "méthode {method} inconnue ; choisissez parmi {methods}",
                                "未知方法 {method}；可选：{methods}"),
    "variants_unknown_language": ("phonetic keys know {languages}, not {language}",
                                  "les clés phonétiques connaissent {languages}, pas {language}",
                                  "语音键只支持 {languages}，不支持 {language}"),
    "variants_bad_number": ("{name} must be a whole number of at least {least}, got {value}",
                            "{name} doit être un nombre entier d'au moins {least}, reçu {value}",
                            "{name} 必须是不小于 {least} 的整数，收到 {value}"),
    "variants_unknown_cluster": ("no cluster {cluster}: there is {count:,} cluster (1)|"
                                 "no cluster {cluster}: clusters are numbered 1 to {count:,}",
                                 "pas de groupe {cluster} : il y a {count:,} groupe|"
                                 "pas de groupe {cluster} : les groupes vont de 1 à {count:,}",
                                 "没有第 {cluster} 组：共有 {count:,} 组（从 1 开始编号）"),
    "variants_no_clusters": ("no cluster {cluster}: no spelling variants were found",
                             "pas de groupe {cluster} : aucune variante n'a été trouvée",
                             "没有第 {cluster} 组：未发现拼写变体"),
    "variants_bad_value": ("{field}: {value} cannot replace cluster {cluster}: {why}; "
                           "nothing written",
                           "{field} : {value} ne peut pas remplacer le groupe {cluster} : "
                           "{why} ; rien n'est écrit",
                           "{field}：{value} 不能替换第 {cluster} 组：{why}；未写入任何内容"),
    "variants_blank": ("a blank value", "valeur vide", "空值"),
    "variants_not_str": ("not text", "ce n'est pas du texte", "不是文本"),
    "variants_none": ("{field}: no spelling variants found",
                      "{field} : aucune variante d'orthographe trouvée",
                      "{field}：未发现拼写变体"),
    "variants_head": ("{field} of {kind} ({method}): {count:,} cluster, {values:,} values, "
                      "{records:,} records|{field} of {kind} ({method}): {count:,} clusters, "
                      "{values:,} values, {records:,} records",
                      "{field} des {kind} ({method}) : {count:,} groupe, {values:,} valeurs, "
                      "{records:,} fiches|{field} des {kind} ({method}) : {count:,} groupes, "
                      "{values:,} valeurs, {records:,} fiches",
                      "{kind}的{field}（{method}）：{count:,} 组，{values:,} 个写法，"
                      "{records:,} 条记录"),
    "variants_wrong_selection": ("the selection holds {selected}, not {kind}",
                                 "la sélection contient des {selected}, pas des {kind}",
                                 "所选记录是{selected}，不是{kind}"),
    "variants_col_cluster": ("Cluster", "Groupe", "组"),
    "variants_col_canonical": ("Proposed value", "Valeur proposée", "建议值"),
    "variants_col_value": ("Value", "Valeur", "写法"),
    "variants_col_count": ("Records", "Fiches", "记录数"),
})

# Data-quality report (crm.quality, crmkit quality): a block of its own.
_MESSAGES.update({
    "quality_unknown_kind": ("unknown kind {kind}; choose from {kinds}",
                             "type {kind} inconnu ; choisissez parmi {kinds}",
                             "未知类型 {kind}；可选：{kinds}"),
    "quality_unknown_by": ("cannot group {kind} by {by}; choose from {valid}",
                           "impossible de regrouper les {kind} par {by} ; choisissez parmi "
                           "{valid}",
                           "无法按 {by} 对{kind}分组；可选：{valid}"),
    "quality_bad_stale": ("stale_after must be a duration such as '12 months', '90 days', "
                          "'2 years', '6 weeks', a number of days or a timedelta, got {value}",
                          "stale_after doit être une durée comme '12 months', '90 days', "
                          "'2 years', '6 weeks', un nombre de jours ou un timedelta, reçu "
                          "{value}",
                          "stale_after 必须是时长，如 '12 months'、'90 days'、'2 years'、"
                          "'6 weeks'，或天数、timedelta，收到 {value}"),
    "quality_unknown_field": ("unknown field {field} of {kind}; measured fields: {fields}",
                              "champ {field} inconnu pour les {kind} ; champs mesurés : "
                              "{fields}",
                              "{kind}没有字段 {field}；可统计的字段：{fields}"),
    "quality_title": ("Data quality of {kind}", "Qualité des données : {kind}",
                      "{kind}数据质量"),
    "quality_by": ("by {by}", "par {by}", "按{by}"),
    "quality_head": ("{records:,} record; {duplicates:,} with a duplicate ({dup_share}); "
                     "{stale:,} not updated for {stale_after}; {missing:,} missing a "
                     "required field|{records:,} records; {duplicates:,} with a duplicate "
                     "({dup_share}); {stale:,} not updated for {stale_after}; {missing:,} "
                     "missing a required field",
                     "{records:,} fiche ; {duplicates:,} avec un doublon ({dup_share}) ; "
                     "{stale:,} non modifiée(s) depuis {stale_after} ; {missing:,} sans un "
                     "champ obligatoire|{records:,} fiches ; {duplicates:,} avec un doublon "
                     "({dup_share}) ; {stale:,} non modifiée(s) depuis {stale_after} ; "
                     "{missing:,} sans un champ obligatoire",
                     "{records:,} 条记录；{duplicates:,} 条有重复（{dup_share}）；"
                     "{stale:,} 条 {stale_after} 未更新；{missing:,} 条缺少必填字段"),
    "quality_dup_exact": ("duplicates: exact-key estimate (same email, or same name and "
                          "account / same website)",
                          "doublons : estimation par clé exacte (même e-mail, ou même nom et "
                          "compte / même site web)",
                          "重复：按精确键估算（相同邮箱，或相同姓名和公司/相同网站）"),
    "quality_dup_report": ("duplicates: clusters of the duplicates report given",
                           "doublons : groupes du rapport de doublons fourni",
                           "重复：来自所给重复报告的聚类"),
    "quality_col_group": ("Group", "Groupe", "分组"),
    "quality_col_field": ("Field", "Champ", "字段"),
    "quality_col_records": ("Records", "Fiches", "记录数"),
    "quality_col_filled": ("Filled", "Remplis", "已填写"),
    "quality_col_fill_rate": ("Fill rate", "Taux de remplissage", "填充率"),
    "quality_col_check": ("Format check", "Contrôle de format", "格式检查"),
    "quality_col_nonconforming": ("Bad format", "Format incorrect", "格式错误"),
    "quality_col_conformance": ("Conformance", "Conformité", "合规率"),
    "quality_col_spacing": ("Extra spaces", "Espaces en trop", "多余空格"),
    "quality_col_required": ("Required", "Obligatoire", "必填"),
    "quality_col_duplicates": ("With a duplicate", "Avec doublon", "有重复"),
    "quality_col_duplicate_share": ("Duplicate share", "Part de doublons", "重复占比"),
    "quality_col_stale": ("Stale", "Anciennes", "过期"),
    "quality_col_missing_required": ("Missing required", "Obligatoire manquant",
                                     "缺少必填"),
    "quality_col_month": ("Month", "Mois", "月份"),
    "quality_col_no_email_basis": ("No email basis", "Sans base légale e-mail",
                                   "无邮件法律依据"),
    "quality_no_email_basis": ("{count:,} contact with no legal basis for email|{count:,} "
                               "contacts with no legal basis for email",
                               "{count:,} contact sans base légale pour l'e-mail|{count:,} "
                               "contacts sans base légale pour l'e-mail",
                               "{count:,} 位联系人没有邮件法律依据"),
    "quality_check_phone": ("phone E.164", "téléphone E.164", "电话 E.164"),
    "quality_check_email": ("email", "e-mail", "电子邮件"),
    "quality_check_url": ("URL", "URL", "网址"),
    "quality_check_country": ("ISO country", "pays ISO", "ISO 国家代码"),
    "quality_check_currency": ("ISO currency", "devise ISO", "ISO 货币代码"),
    "quality_check_vocabulary": ("in the list", "dans la liste", "在列表中"),
    "quality_check_name_case": ("not ALL CAPS / lower case", "ni MAJUSCULES ni minuscules",
                                "非全大写/全小写"),
    "quality_trend_title": ("Fill rate of {field}, month by month",
                            "Taux de remplissage de {field}, mois par mois",
                            "{field}的逐月填充率"),
    "quality_none_group": ("(none)", "(aucun)", "（无）"),
    "quality_bad_weight": ("weight of {field} must be a number of 0 or more, got {value}",
                           "le poids de {field} doit être un nombre positif ou nul, reçu "
                           "{value}",
                           "{field} 的权重必须是不小于 0 的数，收到 {value}"),
    "quality_no_weight": ("no field has a weight above 0: nothing to score",
                          "aucun champ n'a un poids supérieur à 0 : rien à noter",
                          "没有权重大于 0 的字段：无法评分"),
})


# Repeatable imports (crm.import_profiles) and import history (crm.imports()).
_MESSAGES.update({
    "what_import_profile": ("import profile", "profil d'import", "导入配置"),
    "profile_bad_name": ("an import profile needs a non-empty name, got {name}",
                         "un profil d'import doit avoir un nom non vide, reçu {name}",
                         "导入配置需要一个非空名称，收到 {name}"),
    "profile_unknown_field": ("{part}: {field} is not a field of {kind}{hint}; nothing written",
                              "{part} : {field} n'est pas un champ des {kind}{hint} ; "
                              "rien n'est écrit",
                              "{part}：{field} 不是{kind}的字段{hint}；未写入任何内容"),
    "profile_hint": (" (did you mean {name}?)", " (vouliez-vous dire {name} ?)",
                     "（您是想输入 {name} 吗？）"),
    "profile_part_defaults": ("defaults", "valeurs par défaut", "默认值"),
    "profile_part_overwrite": ("overwrite policy", "règle d'écrasement", "覆盖规则"),
    "profile_bad_policy": ("overwrite policy of {field}: {value} is not one of {valid}; "
                           "nothing written",
                           "règle d'écrasement de {field} : {value} n'est pas parmi {valid} ; "
                           "rien n'est écrit",
                           "{field} 的覆盖规则：{value} 不在 {valid} 之中；未写入任何内容"),
    "profile_bad_default": ("default of {field}: {value} cannot be stored: {why}; "
                            "nothing written",
                            "valeur par défaut de {field} : {value} ne peut pas être "
                            "enregistrée : {why} ; rien n'est écrit",
                            "{field} 的默认值：{value} 无法保存：{why}；未写入任何内容"),
    "profile_own_argument": ("options: {name} is an argument of its own, not an option "
                             "of a profile",
                             "options : {name} est un argument à part, pas une option "
                             "du profil",
                             "options：{name} 是单独的参数，不是导入配置的选项"),
    "profile_wrong_kind": ("import profile {name} imports {profile_kind}, not {kind}",
                           "le profil d'import {name} importe des {profile_kind}, pas des {kind}",
                           "导入配置 {name} 导入的是{profile_kind}，不是{kind}"),
    "import_profile_used": ("import profile {name}", "profil d'import {name}",
                            "导入配置 {name}"),
    "import_profile_recalled": ("import profile {name} (recalled: the file's headers match it)",
                                "profil d'import {name} (rappelé : les en-têtes du fichier "
                                "correspondent)",
                                "导入配置 {name}（自动选用：文件表头与之相同）"),
    "import_already_imported": ("this file was already imported (same content): batch "
                                "{batches}|this file was already imported (same content): "
                                "batches {batches}",
                                "ce fichier a déjà été importé (même contenu) : lot {batches}|"
                                "ce fichier a déjà été importé (même contenu) : lots {batches}",
                                "此文件已导入过（内容相同）：批次 {batches}"),
})

# Subject-access requests (crm.contacts.subject_access): the bundle's page and report.
_MESSAGES.update({
    "sar_erased": ("{record} was erased: crmkit holds nothing more about this person",
                   "{record} a été effacé : crmkit ne détient plus rien sur cette personne",
                   "{record} 已被抹除：crmkit 不再保存此人的任何数据"),
    "sar_merged": ("{record} was merged into {into}: ask for {into}, which holds its data",
                   "{record} a été fusionné dans {into} : demandez {into}, qui détient "
                   "ses données",
                   "{record} 已合并到 {into}：请改为导出 {into}，其数据保存在那里"),
    "sar_title": ("Personal data held about {name}", "Données personnelles détenues sur {name}",
                  "关于 {name} 的个人数据"),
    "sar_intro": ("Everything crmkit holds about {record} (and the records merged into it), "
                  "exported on {at}. The same data is in the JSON files of this archive.",
                  "Tout ce que crmkit détient sur {record} (et les fiches fusionnées dans "
                  "celle-ci), exporté le {at}. Les mêmes données figurent dans les fichiers "
                  "JSON de cette archive.",
                  "crmkit 保存的关于 {record}（及合并到其中的记录）的全部数据，导出于 {at}。"
                  "本压缩包中的 JSON 文件包含相同的数据。"),
    "sar_nothing": ("Nothing held.", "Rien n'est détenu.", "无数据。"),
    "sar_record": ("Record", "Fiche", "记录"),
    "sar_account": ("Account", "Société", "公司"),
    "sar_history": ("History of the values", "Historique des valeurs", "数值历史"),
    "sar_subscriptions": ("Mailing-list subscriptions", "Abonnements aux listes de diffusion",
                          "邮件列表订阅"),
    "sar_tags": ("Tags", "Étiquettes", "标签"),
    "sar_activities": ("Notes and tasks", "Notes et tâches", "备注和任务"),
    "sar_duplicate_decisions": ("Decisions about duplicates", "Décisions sur les doublons",
                                "重复记录判定"),
    "sar_imports": ("Imports that touched the record", "Imports qui ont touché la fiche",
                    "涉及该记录的导入"),
    "sar_rejects": ("Rejected import rows naming the person",
                    "Lignes d'import rejetées qui nomment la personne",
                    "提及此人的被拒导入行"),
    "sar_col_field": ("Field", "Champ", "字段"),
    "sar_col_value": ("Value", "Valeur", "值"),
    "sar_col_item": ("Item", "Élément", "项目"),
    "sar_report": ("subject access: {record} written to {path}",
                   "droit d'accès : {record} écrit dans {path}",
                   "查阅请求：{record} 已写入 {path}"),
    "sar_count": ("{section}: {count:,}", "{section} : {count:,}", "{section}：{count:,}"),
})


# Rule name (``check`` of a failure case) -> sentence; ``{n}`` is the rule's argument.
# The widgets show them next to a field, errors after the field's label.
_RULES: dict[str, Labels] = {
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
    "at_most": ("More than {n}", "Supérieur à {n}", "大于 {n}"),
}
# fmt: on

#: Every printed sentence: key -> one text per language (``|`` separates plural forms).
# Custom fields (crm.settings.add_field, rename_field, change_field_type, drop_field).
_MESSAGES.update({
    "cf_bad_name": ("{name} cannot name a custom field: use lower-case letters, digits and "
                    "_, starting with a letter (at most 63 characters)",
                    "{name} ne peut pas nommer un champ personnalisé : lettres minuscules, "
                    "chiffres et _, en commençant par une lettre (63 caractères au plus)",
                    "{name} 不能作为自定义字段名：请使用小写字母、数字和 _，"
                    "以字母开头（最多 63 个字符）"),
    "cf_keyword": ("{name} cannot name a custom field: it is a SQL keyword",
                   "{name} ne peut pas nommer un champ personnalisé : c'est un mot-clé SQL",
                   "{name} 不能作为自定义字段名：它是 SQL 关键字"),
    "cf_taken": ("{name} cannot name a custom field: the table already has a field or "
                 "column of that name",
                 "{name} ne peut pas nommer un champ personnalisé : la table a déjà un champ "
                 "ou une colonne de ce nom",
                 "{name} 不能作为自定义字段名：该表已有同名字段或列"),
    "cf_not_custom": ("{name} is not a custom field of {kind} (custom fields: {known})",
                      "{name} n'est pas un champ personnalisé des {kind} (champs "
                      "personnalisés : {known})",
                      "{name} 不是{kind}的自定义字段（自定义字段：{known}）"),
    "cf_vocab_only": ("{name}: only a choice field has a vocabulary, not a {type} field",
                      "{name} : seul un champ choice a un vocabulaire, pas un champ {type}",
                      "{name}：只有 choice 字段有取值列表，{type} 字段没有"),
    "cf_vocab_needed": ("{name}: a choice field needs a vocabulary (a list of values)",
                        "{name} : un champ choice demande un vocabulaire (une liste de valeurs)",
                        "{name}：choice 字段需要取值列表"),
    "cf_vocab_values": ("{name}: a vocabulary is a list of distinct, non-empty values",
                        "{name} : un vocabulaire est une liste de valeurs distinctes et non "
                        "vides",
                        "{name}：取值列表由互不相同的非空值组成"),
    "cf_not_converted": ("custom field {field} not added: {count} value(s) stored under "
                         "{name} in custom are not {type}: {shown}. Nothing was written; fix "
                         "them, or pass on_error=\"keep\" to leave them in custom",
                         "champ personnalisé {field} non ajouté : {count} valeur(s) "
                         "enregistrée(s) sous {name} dans custom ne sont pas {type} : {shown}. "
                         "Rien n'est écrit ; corrigez-les, ou passez on_error=\"keep\" pour "
                         "les laisser dans custom",
                         "未添加自定义字段 {field}：custom 中 {name} 下有 {count} 个值不是 {type}："
                         "{shown}。未写入任何内容；请先修正，"
                         "或传入 on_error=\"keep\" 将其留在 custom 中"),
    "cf_required_empty": ("custom field {field} not added: it is required but {count} "
                          "record(s) would have no value; add it with required=False, fill "
                          "it, then require it",
                          "champ personnalisé {field} non ajouté : il est obligatoire mais "
                          "{count} fiche(s) n'auraient pas de valeur ; ajoutez-le avec "
                          "required=False, remplissez-le, puis rendez-le obligatoire",
                          "未添加自定义字段 {field}：它是必填的，但有 {count} 条记录没有值；"
                          "请先以 required=False 添加、填写，再设为必填"),
    "cf_type_loses": ("{field} keeps its type: {count} value(s) would be lost as {type}: "
                      "{shown}. Nothing was written; fix or clear them first",
                      "{field} garde son type : {count} valeur(s) seraient perdues en {type} : "
                      "{shown}. Rien n'est écrit ; corrigez-les ou videz-les d'abord",
                      "{field} 保持原类型：转为 {type} 会丢失 {count} 个值：{shown}。"
                      "未写入任何内容；请先修正或清空它们"),
    "ref_view": ("saved view {name}", "vue enregistrée {name}", "已保存视图 {name}"),
    "ref_rule": ("duplicate rule {name}", "règle de doublons {name}", "重复规则 {name}"),
    "ref_profile": ("import profile {name}", "profil d'import {name}", "导入配置 {name}"),
    "cf_drop_referenced": ("{field} is named by {refs}; change them, or pass force=True to "
                           "remove it from them too (crm.undo puts it back)",
                           "{field} est cité par {refs} ; modifiez-les, ou passez force=True "
                           "pour l'en retirer aussi (crm.undo le remet)",
                           "{field} 被 {refs} 引用；请先修改它们，或传入 force=True 一并移除"
                           "（crm.undo 可恢复）"),
    "undo_setting_changed": ("the setting {setting} changed since", "le réglage {setting} a "
                             "changé depuis", "设置 {setting} 此后已更改"),
    "cf_drop_confirm": ("drop_field removes the custom field {field} and its {count} "
                        "value(s); pass confirm=True (crm.undo puts them back)",
                        "drop_field supprime le champ personnalisé {field} et ses {count} "
                        "valeur(s) ; passez confirm=True (crm.undo les remet)",
                        "drop_field 会删除自定义字段 {field} 及其 {count} 个值；"
                        "请传入 confirm=True（crm.undo 可恢复）"),
    "cf_held": ("the custom field {field} cannot be removed: it holds values written since "
                "(batch {batch}): {values}; undo that batch first, or drop the field with "
                "crm.settings.drop_field, which keeps them in history",
                "le champ personnalisé {field} ne peut pas être retiré : il contient des "
                "valeurs écrites depuis (lot {batch}) : {values} ; annulez d'abord ce lot, "
                "ou supprimez le champ avec crm.settings.drop_field, qui les garde dans "
                "l'historique",
                "无法移除自定义字段 {field}：之后写入了值（批次 {batch}）：{values}；"
                "请先撤销该批次，或用 crm.settings.drop_field 删除该字段（值保留在历史中）"),
    "cf_renamed_since": ("its field {field} was renamed or dropped since; undo that first",
                         "son champ {field} a été renommé ou supprimé depuis ; annulez cela "
                         "d'abord",
                         "其字段 {field} 之后被重命名或删除；请先撤销那次更改"),
    "cf_added_again": ("a custom field {field} was added again since; drop or rename that "
                       "one first",
                       "un champ personnalisé {field} a été ajouté de nouveau depuis ; "
                       "supprimez-le ou renommez-le d'abord",
                       "之后又添加了自定义字段 {field}；请先删除或重命名它"),
})  # fmt: skip

# retention rules and the history horizon (crm.settings.retention, crm.apply_retention)
_MESSAGES.update({
    "duration_bad": ("{what}: {value} is not a duration; write a number and days, months or "
                     "years (\"36 months\", \"3 years\", \"90 days\")",
                     "{what} : {value} n'est pas une durée ; écrivez un nombre et jours, mois "
                     "ou ans (\"36 mois\", \"3 ans\", \"90 jours\")",
                     "{what}：{value} 不是时长；请写数字加天、月或年"
                     "（\"36个月\"、\"3年\"、\"90天\"）"),
    "what_retention action": ("retention action", "action de conservation", "保留期操作"),
    "what_retention date": ("retention date (based_on)", "date de conservation (based_on)",
                            "保留期依据日期（based_on）"),
    "what_retention rule": ("retention rule", "règle de conservation", "保留规则"),
    "retention_where_list": ("where: expected a dict of filters as crm.{kind}.filter takes, "
                             "got {value}",
                             "where : un dict de filtres comme crm.{kind}.filter attendu, "
                             "reçu {value}",
                             "where：应为 crm.{kind}.filter 接受的过滤条件字典，收到 {value}"),
    "retention_rule": ("rule {rule}: {action} {kind} whose {based_on} is older than {after}"
                       "{where}",
                       "règle {rule} : {action} les {kind} dont {based_on} date de plus de "
                       "{after}{where}",
                       "规则 {rule}：{action}{based_on}早于 {after} 的{kind}{where}"),
    "retention_head": ("retention: {count} record would be touched|retention: {count} records "
                       "would be touched",
                       "conservation : {count} fiche serait touchée|conservation : {count} "
                       "fiches seraient touchées",
                       "保留期：将处理 {count} 条记录"),
    "retention_done": ("retention: {count} record touched|retention: {count} records touched",
                       "conservation : {count} fiche touchée|conservation : {count} fiches "
                       "touchées",
                       "保留期：已处理 {count} 条记录"),
    "retention_rule_count": ("{rule}: {count} record|{rule}: {count} records",
                             "{rule} : {count} fiche|{rule} : {count} fiches",
                             "{rule}：{count} 条记录"),
    "retention_no_rules": ("no retention rules", "aucune règle de conservation", "没有保留规则"),
    "retention_confirm": ("applying the retention rules would {actions} {count} record for "
                          "good; this cannot be undone: pass confirm=True (dry_run=True lists "
                          "them)|applying the retention rules would {actions} {count} records "
                          "for good; this cannot be undone: pass confirm=True (dry_run=True "
                          "lists them)",
                          "appliquer les règles de conservation va {actions} {count} fiche "
                          "définitivement ; c'est irréversible : passez confirm=True "
                          "(dry_run=True les liste)|appliquer les règles de conservation va "
                          "{actions} {count} fiches définitivement ; c'est irréversible : "
                          "passez confirm=True (dry_run=True les liste)",
                          "应用保留规则将永久{actions} {count} 条记录，且无法撤销：请传入 "
                          "confirm=True（dry_run=True 可列出它们）"),
    "retention_not_undoable": ("anonymised and deleted records cannot be undone",
                               "les fiches anonymisées et supprimées ne peuvent pas être "
                               "rétablies",
                               "已匿名化和删除的记录无法撤销"),
    "retention_action_anonymise": ("anonymise", "anonymiser", "匿名化"),
    "retention_action_archive": ("archive", "archiver", "归档"),
    "retention_action_delete": ("delete", "supprimer", "删除"),
    "retention_based_on_last_activity": ("last activity", "la dernière activité", "最近活动"),
    "retention_based_on_updated_at": ("last change", "la dernière modification", "最近修改"),
    "retention_based_on_created_at": ("creation", "la création", "创建时间"),
    "retention_where": (" (where {where})", " (où {where})", "（条件 {where}）"),
    "horizon_compacted": ("history horizon {horizon}: {values} personal value removed from "
                          "history rows older than {cutoff}|history horizon {horizon}: "
                          "{values} personal values removed from history rows older than "
                          "{cutoff}",
                          "horizon de l'historique {horizon} : {values} valeur personnelle "
                          "retirée des lignes d'historique antérieures au {cutoff}|horizon de "
                          "l'historique {horizon} : {values} valeurs personnelles retirées des "
                          "lignes d'historique antérieures au {cutoff}",
                          "历史保留期 {horizon}：已从早于 {cutoff} 的历史记录中移除 {values} "
                          "个个人数据值"),
    "undo_compacted": ("its personal values are older than the history horizon ({horizon}) "
                       "and were removed from history (values before {cutoff}); only changes "
                       "inside the horizon can be undone",
                       "ses valeurs personnelles sont plus anciennes que l'horizon de "
                       "l'historique ({horizon}) et en ont été retirées (valeurs antérieures "
                       "au {cutoff}) ; seules les modifications dans l'horizon peuvent être "
                       "annulées",
                       "其个人数据值早于历史保留期（{horizon}），已从历史中移除（{cutoff} "
                       "之前的值）；只有保留期内的修改可以撤销"),
})  # fmt: skip

# Personal data: personal fields, erasure, the blocklist.
_MESSAGES.update({
    "personal_system": ("{field} is a field crmkit manages ({kind}); it cannot be marked "
                        "personal or not",
                        "{field} est un champ géré par crmkit ({kind}) ; il ne peut pas être "
                        "marqué personnel ou non",
                        "{field} 是 crmkit 管理的字段（{kind}），不能设为个人数据或非个人数据"),
    "erase_confirm": ("erase cannot be undone: it removes the personal values of {count} "
                      "{noun} everywhere crmkit keeps them, history included, and blocks "
                      "their emails and phones. Pass confirm=True to erase",
                      "erase est définitif : il efface les valeurs personnelles de {count} "
                      "{noun} partout où crmkit les garde, historique compris, et bloque "
                      "leurs e-mails et téléphones. Passez confirm=True pour effacer",
                      "erase 无法撤销：它会在 crmkit 保存的所有位置（包括历史）删除 {count} "
                      "条{noun}的个人数据，并屏蔽其邮箱和电话。请传入 confirm=True 以执行"),
    "erase_nothing": ("erase needs at least one record id; nothing was written",
                      "erase demande au moins un identifiant de fiche ; rien n'est écrit",
                      "erase 至少需要一个记录编号；未写入任何内容"),
    "erase_reason": ("erase needs a reason (a few words for the erasure log, with no "
                     "personal data); nothing was written",
                     "erase demande un motif (quelques mots pour le journal des effacements, "
                     "sans donnée personnelle) ; rien n'est écrit",
                     "erase 需要填写原因（写入删除日志的几个字，不含个人数据）；未写入任何内容"),
    "erase_twice": ("{record} was already erased (erasure {erasure}); nothing was written",
                    "{record} a déjà été effacé (effacement {erasure}) ; rien n'est écrit",
                    "{record} 已被删除（删除记录 {erasure}）；未写入任何内容"),
    "erase_no_undo": ("batch {batch} is an erasure: an erasure cannot be undone",
                      "le lot {batch} est un effacement : un effacement ne s'annule pas",
                      "批次 {batch} 是一次删除：删除无法撤销"),
    "erase_undo_refused": ("batch {batch} cannot be undone: it changed {record}, erased "
                           "since (erasure {erasure}); what it held is gone for good",
                           "le lot {batch} ne peut pas être annulé : il a modifié {record}, "
                           "effacé depuis (effacement {erasure}) ; ce qu'il contenait a "
                           "disparu pour de bon",
                           "无法撤销批次 {batch}：它修改过 {record}，该记录之后已被删除（删除记录 "
                           "{erasure}）；其内容已永久删除"),
    "erase_not_rewritten": ("{path} was not rewritten after the erasure ({why}): the "
                            "erased values are gone from every table, but DuckDB may keep "
                            "them in free blocks of the file. Erase from a CRM opened "
                            "without shared=True, outside `with crm.batch():`",
                            "{path} n'a pas été réécrit après l'effacement ({why}) : les "
                            "valeurs effacées ont disparu de toutes les tables, mais DuckDB "
                            "peut les garder dans des blocs libres du fichier. Effacez depuis "
                            "un CRM ouvert sans shared=True, hors de `with crm.batch():`",
                            "删除后未重写 {path}（{why}）：已删除的值已从所有表中移除，但 "
                            "DuckDB 可能仍在文件的空闲块中保留它们。请在未使用 shared=True "
                            "打开的 CRM 中、在 `with crm.batch():` 之外执行删除"),
    "erase_mentions": ("{count} other records still name the erased person in their own "
                       "text (notes, titles, activities): {records}. They are someone "
                       "else's data and were left as they are; review them "
                       "(report.mentions)",
                       "{count} autres fiches nomment encore la personne effacée dans "
                       "leur propre texte (notes, titres, activités) : {records}. Ce sont "
                       "les données de quelqu'un d'autre, laissées telles quelles ; "
                       "revoyez-les (report.mentions)",
                       "另有 {count} 条记录在其自身文本（备注、职位、活动）中仍提到已删除的人："
                       "{records}。这些是他人的数据，未作改动；请检查（report.mentions）"),
    "blocked": ("{what} not saved: {field} matches an erased person (crm.blocklist)",
                "{what} non enregistré : {field} correspond à une personne effacée "
                "(crm.blocklist)",
                "{what}未保存：{field} 与已删除的人匹配（crm.blocklist）"),
    "blocked_row": ("{field} matches an erased person (crm.blocklist)",
                    "{field} correspond à une personne effacée (crm.blocklist)",
                    "{field} 与已删除的人匹配（crm.blocklist）"),
    "blocklist_one": ("blocklist.remove takes one of email= or phone=",
                      "blocklist.remove prend soit email=, soit phone=",
                      "blocklist.remove 只接受 email= 或 phone= 之一"),
    "blocklist_absent": ("no blocklist entry matches that {channel}; nothing was written",
                         "aucune entrée de la liste de blocage ne correspond à ce {channel} ; "
                         "rien n'est écrit",
                         "屏蔽列表中没有与该 {channel} 匹配的条目；未写入任何内容"),
})  # fmt: skip

MESSAGES: Mapping[str, Labels] = MappingProxyType(_MESSAGES)

#: The sentence for each field rule, in every language.
RULES: Mapping[str, Labels] = MappingProxyType(_RULES)

_RULE_ARG = re.compile(r"^(?P<name>[a-z_0-9]+)\((?P<arg>[^)]*)\)$")

#: How each language groups the digits of ``{x:,}``.
_GROUPING = {"en": ",", "fr": "\u202f", "zh": ","}


def plural_form(forms: list[str], lang: str, count: Any) -> str:
    """The form of ``forms`` (singular, plural) the language uses for ``count``.

    Examples
    --------
    >>> plural_form(["{n} contact", "{n} contacts"], "fr", 0)
    '{n} contact'
    >>> plural_form(["{n} contact", "{n} contacts"], "en", 0)
    '{n} contacts'
    """
    if len(forms) == 1 or count is None:
        return forms[-1]
    few = abs(count) < 2 if lang == "fr" else count == 1
    return forms[0] if few else forms[1]


class _Formatter(string.Formatter):
    """``str.format`` whose ``,`` grouping follows the language."""

    def __init__(self, lang: str) -> None:
        self.sep = _GROUPING.get(lang, ",")

    def format_field(self, value: Any, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        if "," in format_spec and self.sep != ",":
            text = text.replace(",", self.sep)
        return text


def _pick(labels: Labels, lang: str | None) -> tuple[str, str]:
    chosen = current_lang() if lang is None else check_lang(lang)
    return labels[LANGS.index(chosen)], chosen


def message(key: str, lang: str | None = None, **values: Any) -> str:
    """The sentence ``key`` in ``lang`` (default: the language in force), filled in.

    Parameters
    ----------
    key
        A key of :data:`MESSAGES`.
    lang
        ``"en"``, ``"fr"`` or ``"zh"``; ``None``: :func:`~crmkit.get_config`'s language.
    **values
        The placeholders; ``count`` also chooses between singular and plural.

    Examples
    --------
    >>> message("merge_head", "en", kind="contacts", count=1)
    'contacts: 1 merge'
    >>> message("merge_head", "fr", kind="contacts", count=2)
    'contacts : 2 fusions'
    >>> message("n_rows", "fr", count=12345)
    '12\\u202f345 lignes'
    """
    text, chosen = _pick(_MESSAGES[key], lang)
    text = plural_form(text.split("|"), chosen, values.get("count"))
    return _Formatter(chosen).format(text, **values)


def kind_noun(kind: str, count: int | None = None, lang: str | None = None) -> str:
    """The word for records of ``kind`` (``contacts``, ``accounts``), singular for one.

    Examples
    --------
    >>> kind_noun("accounts", 1, "fr"), kind_noun("accounts", 3, "fr"), kind_noun("contact")
    ('compte', 'comptes', 'contacts')
    """
    plural = kind if kind.endswith("s") else kind + "s"
    if f"kind_{plural}" not in _MESSAGES:
        return kind
    text, chosen = _pick(_MESSAGES[f"kind_{plural}"], lang)
    return plural_form(text.split("|"), chosen, 2 if count is None else count)


def record_noun(table: str, lang: str | None = None) -> str:
    """The word for one record of ``table`` (``contact``), the table's name less its ``s``
    for tables the catalog has no word for (``team``).

    Examples
    --------
    >>> record_noun("accounts", "fr"), record_noun("teams", "fr"), record_noun("contacts", "en")
    ('compte', 'team', 'contact')
    """
    if f"kind_{table}" in _MESSAGES:
        return kind_noun(table, 1, lang)
    return table[:-1] if table.endswith("s") else table


def short(value: Any, limit: int = MESSAGE_VALUE_CHARS) -> str:
    """:func:`~crmkit._util._shorten.shorten` with sizes in the language in force.

    Examples
    --------
    >>> import crmkit as ck
    >>> with ck.config_context(lang="fr"):
    ...     short("x" * 100, 12)
    "'xxxxxxxx'… (100 caractères)"
    """
    return shorten(value, limit, sizes=lambda unit, count: message(f"n_{unit}", count=count))


def unknown_value(
    what: str, value: Any, valid: list[str], suggestion: str | None = None
) -> UnknownValueError:
    """:class:`~crmkit.UnknownValueError` for a name a user typed (an owner, an account),
    worded in the language chosen; with none chosen, the English it always had.

    Examples
    --------
    >>> import crmkit as ck
    >>> with ck.config_context(lang="fr"):
    ...     print(unknown_value("owner", "Bo", ["Bob"], "Bob"))
    responsable introuvable : 'Bo'. Vouliez-vous dire 'Bob' ? Valeurs possibles : 'Bob'
    """
    if chosen_lang() is None or f"what_{what}" not in _MESSAGES:
        return UnknownValueError(what, value, valid, suggestion)
    shown = message("list_sep").join(short(v) for v in valid[:30])
    if len(valid) > 30:
        shown += message("unknown_in_all", count=len(valid))
    hint = message("unknown_hint", name=short(suggestion)) if suggestion else ""
    text = message(
        "unknown_value",
        what=message(f"what_{what}"),
        value=short(value),
        hint=hint,
        valid=shown or message("none_value"),
    )
    return UnknownValueError(what, value, valid, suggestion, text=text)


def rule_sentence(
    check: str, lang: str | None = None, argument: Callable[[str], str] | None = None
) -> str:
    """The sentence for a field rule ``check`` (``required``, ``max_length(100)`` ...).

    An unknown rule keeps its name; ``argument`` words the rule's argument (a field's
    label for ``at_most(employees_range_max)``).

    Examples
    --------
    >>> rule_sentence("max_length(100)", "fr")
    '100 caractères au maximum'
    >>> rule_sentence("vocabulary(gender)", "en")
    'Not in the list'
    >>> rule_sentence("no_such_rule(3)", "zh")
    'no_such_rule(3)'
    """
    if check in _RULES:
        return _pick(_RULES[check], lang)[0]
    match = _RULE_ARG.match(check)
    if match and match["name"] in _RULES:
        arg = match["arg"] if argument is None else argument(match["arg"])
        return _pick(_RULES[match["name"]], lang)[0].format(n=arg)
    return check


# Suggested fixes of stored values (crm.contacts.suggest_fixes, crmkit fix): a block of
# its own.
# fmt: off
_MESSAGES.update({
    "fixes_unknown_rule": ("unknown rule {name}; rules: {known}; nothing written",
                           "règle {name} inconnue ; règles : {known} ; rien n'est écrit",
                           "未知规则 {name}；可选规则：{known}；未写入任何内容"),
    "fixes_unknown_field": ("unknown field {name} of {kind}; text fields: {known}; "
                            "nothing written",
                            "champ {name} inconnu pour les {kind} ; champs texte : {known} ; "
                            "rien n'est écrit",
                            "{kind}没有字段 {name}；文本字段：{known}；未写入任何内容"),
    "fixes_bad_frame": ("the fixes to apply lack the columns {columns}",
                        "il manque aux corrections à appliquer les colonnes {columns}",
                        "要应用的修正缺少列 {columns}"),
    "fixes_bad_value": ("record {id}, {field}: {value} cannot be written: {why}; "
                        "nothing written",
                        "fiche {id}, {field} : {value} ne peut pas être écrit : {why} ; "
                        "rien n'est écrit",
                        "记录 {id}，{field}：{value} 无法写入：{why}；未写入任何内容"),
    "fixes_stale": ("{field} changed since the fix was proposed",
                    "{field} a changé depuis la proposition",
                    "{field} 在提出修正后已被修改"),
    "fixes_none": ("{kind}: no fixes to propose", "{kind} : aucune correction à proposer",
                   "{kind}：没有需要修正的值"),
    "fixes_head": ("{kind}: {count:,} proposed fix on {records:,} records|"
                   "{kind}: {count:,} proposed fixes on {records:,} records",
                   "{kind} : {count:,} correction proposée sur {records:,} fiches|"
                   "{kind} : {count:,} corrections proposées sur {records:,} fiches",
                   "{kind}：{records:,} 条记录中有 {count:,} 处建议修正"),
    "fixes_col_id": ("Record", "Fiche", "记录"),
    "fixes_col_field": ("Field", "Champ", "字段"),
    "fixes_col_current": ("Current value", "Valeur actuelle", "当前值"),
    "fixes_col_proposed": ("Proposed value", "Valeur proposée", "建议值"),
    "fixes_col_rule": ("Rule", "Règle", "规则"),
    "fixes_rule_spaces": ("Extra spaces", "Espaces en trop", "多余空格"),
    "fixes_rule_phone": ("Phone format", "Format de téléphone", "电话格式"),
    "fixes_rule_email": ("Email format", "Format d'e-mail", "电子邮件格式"),
    "fixes_rule_url": ("Web address", "Adresse web", "网址格式"),
    "fixes_rule_country": ("Country code", "Code pays", "国家代码"),
    "fixes_rule_vocabulary": ("List value", "Valeur de liste", "列表值"),
    "fixes_rule_name_case": ("Name case", "Casse du nom", "姓名大小写"),
})
# fmt: on

# Reclustering spelling variants (Variants.recluster, the variants review widget).
# fmt: off
_MESSAGES.update({
    "variants_bad_option": ("unknown option {option}; variants take {options}",
                            "option {option} inconnue ; les variantes acceptent {options}",
                            "未知选项 {option}；拼写变体可用选项：{options}"),
})
# fmt: on
