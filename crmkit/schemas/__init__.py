"""Field catalog, labels and languages, vocabularies, bands and pandera models."""

from crmkit._util._langs import LANGS, Labels, Lang, check_lang, pick_label
from crmkit.schemas._activities import (
    ACTIVITY_KINDS,
    ACTIVITY_LABELS,
    TASK_PRIORITIES,
    TASK_STATUSES,
    TASK_TYPES,
    activity_label,
)
from crmkit.schemas._bands import DEFAULT_HEADCOUNT_EDGES, DEFAULT_REVENUE_EDGES, Bands
from crmkit.schemas._catalog import ACCOUNTS, CATALOG, CONTACTS, Field, Table, table
from crmkit.schemas._labels import DERIVED_LABELS, column_label, column_labels
from crmkit.schemas._vocab import (
    ACCOUNT_TYPES,
    COUNTRY_CODES,
    CURRENCY_CODES,
    DEFAULT_SECTORS,
    GENDERS,
    LEGAL_BASES,
    LIFECYCLE_STAGES,
    OWNERSHIPS,
    SALUTATIONS,
    Term,
    Vocabulary,
    country_names,
    fold,
)

__all__ = [
    "ACCOUNTS",
    "ACCOUNT_TYPES",
    "ACTIVITY_KINDS",
    "ACTIVITY_LABELS",
    "CATALOG",
    "CONTACTS",
    "COUNTRY_CODES",
    "CURRENCY_CODES",
    "DEFAULT_HEADCOUNT_EDGES",
    "DEFAULT_REVENUE_EDGES",
    "DEFAULT_SECTORS",
    "DERIVED_LABELS",
    "GENDERS",
    "LANGS",
    "LEGAL_BASES",
    "LIFECYCLE_STAGES",
    "OWNERSHIPS",
    "SALUTATIONS",
    "TASK_PRIORITIES",
    "TASK_STATUSES",
    "TASK_TYPES",
    "Bands",
    "Field",
    "Labels",
    "Lang",
    "Table",
    "Term",
    "Vocabulary",
    "activity_label",
    "check_lang",
    "column_label",
    "column_labels",
    "country_names",
    "fold",
    "pick_label",
    "table",
]
