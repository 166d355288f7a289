"""The label of every column in every language, listed once.

- The catalog fields carry their own labels (:class:`~crmkit.schemas.Field`);
  :data:`DERIVED_LABELS` holds those of the columns the database views add to them
  (bands, names of linked records, counts, amounts in the database's currency), one per
  language of :data:`~crmkit.schemas.LANGS`.
- :func:`column_label` answers for both, and falls back to the column's name.

Export headers, the widgets' tables and filters and a selection's HTML display take their
labels from here; the languages themselves are in :mod:`crmkit._util._langs` (and
importable from here too).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from crmkit._util._config import chosen_lang
from crmkit._util._langs import LANGS, Labels, Lang, check_lang, pick_label
from crmkit.schemas._activities import activity_label
from crmkit.schemas._catalog import table

__all__ = [
    "DERIVED_LABELS",
    "LANGS",
    "Labels",
    "Lang",
    "check_lang",
    "column_label",
    "column_labels",
    "message_field",
    "pick_label",
    "shown_name",
]

# The terms follow the catalog: annual revenue is "Chiffre d'affaires" / "年收入", shortened
# in French to "CA" inside a longer label as in the catalog's "CA de" / "CA à" (so "Tranche
# de CA"); employees "Effectif" / "员工数"; an owner "Affecté à" / "负责人".
# fmt: off
_DERIVED: dict[str, Labels] = {
    # contacts_v: the contact's name and its account's columns
    "display_name": ("Name", "Nom complet", "姓名"),
    "company": ("Company", "Société", "公司"),
    "account_sector": ("Account sector", "Secteur du compte", "公司行业"),
    "account_archived": ("Account archived", "Compte archivé", "公司已归档"),
    "account_is_client": ("Account is a client", "Compte client", "公司已成交"),
    "account_entity": ("Account entity", "Entité du compte", "公司业务单元"),
    "account_annual_revenue": ("Account annual revenue", "CA du compte", "公司年收入"),
    "account_revenue_base": ("Account annual revenue (base currency)",
                             "CA du compte (devise de référence)", "公司年收入（本位币）"),
    "account_employees": ("Account employees", "Effectif du compte", "公司员工数"),
    "account_owner": ("Account owner", "Responsable du compte", "客户负责人"),
    # both views
    "revenue_band": ("Revenue band", "Tranche de CA", "收入区间"),
    "headcount_band": ("Headcount band", "Tranche d'effectif", "人数区间"),
    "owner": ("Owner", "Affecté à", "负责人"),
    # accounts_v
    "revenue_base": ("Annual revenue (base currency)", "CA (devise de référence)",
                     "年收入（本位币）"),
    "parent": ("Parent account", "Maison mère", "母公司"),
    "contact_count": ("Contacts", "Nombre de contacts", "联系人数"),
    # both views: from the activities
    "last_activity_at": ("Last activity", "Dernière activité", "最近活动"),
    "next_task_at": ("Next task", "Prochaine tâche", "下一任务"),
}
# fmt: on

#: Labels of the columns the views ``contacts_v`` and ``accounts_v`` add to the catalog's.
DERIVED_LABELS: Mapping[str, Labels] = MappingProxyType(_DERIVED)


def column_label(kind: str, name: str, lang: str = "en") -> str:
    """The label of column ``name`` of ``kind``'s records in ``lang``.

    Catalog fields answer with their own label, the columns the views add with
    :data:`DERIVED_LABELS`; any other column keeps its name.

    Parameters
    ----------
    kind
        ``"contacts"`` or ``"accounts"`` (singular accepted).
    name
        A column of the table or of its view.
    lang
        One of :data:`LANGS`.

    Raises
    ------
    UnknownValueError
        Unknown kind or language.

    Examples
    --------
    >>> column_label("contacts", "last_name", "fr")
    'Nom'
    >>> column_label("accounts", "revenue_band", "zh")
    '收入区间'
    >>> column_label("contacts", "x_extra", "fr")
    'x_extra'
    """
    fields = table(kind)
    lang = check_lang(lang)
    if name in fields:
        return fields[name].label(lang)
    if name in DERIVED_LABELS:
        return pick_label(DERIVED_LABELS[name], lang)
    return name


def message_field(kind: str, name: str) -> str:
    """How an error message or an import's reason names field ``name`` of ``kind``.

    Until a language is chosen (:func:`crmkit.set_config`), its name, as crmkit's English
    messages always did (scripts and tests may match them); once one is, its label in
    that language. Tables with no labels (owners, teams) keep the name.

    Examples
    --------
    >>> import crmkit as ck
    >>> message_field("contacts", "account_id")
    'account_id'
    >>> with ck.config_context(lang="fr"):
    ...     message_field("contacts", "account_id"), message_field("owners", "team_id")
    ('Société', 'team_id')
    >>> with ck.config_context(lang="fr"):
    ...     message_field("activities", "due_at")
    'Échéance'
    """
    lang = chosen_lang()
    if lang is not None and kind == "activities":
        return activity_label(name, lang)
    if lang is None or kind.rstrip("s") not in ("contact", "account"):
        return name
    return column_label(kind, name, lang)


def column_labels(kind: str, lang: str = "en") -> dict[str, str]:
    """Column name to label in ``lang``: every catalog field of ``kind``, every derived column.

    Examples
    --------
    >>> labels = column_labels("accounts", "fr")
    >>> labels["annual_revenue"], labels["revenue_band"]
    ("Chiffre d'affaires", 'Tranche de CA')
    """
    names = [*table(kind).names, *DERIVED_LABELS]
    return {name: column_label(kind, name, lang) for name in names}


def shown_name(kind: str, name: str) -> str:
    """How a printed report names column ``name``: its label in the language the user
    chose with :func:`crmkit.set_config`, its name until one is chosen (as export headers).

    Examples
    --------
    >>> import crmkit as ck
    >>> shown_name("contacts", "job_title")
    'job_title'
    >>> with ck.config_context(lang="fr"):
    ...     shown_name("contacts", "job_title")
    'Fonction'
    """
    lang = chosen_lang()
    return name if lang is None else column_label(kind, name, lang)
