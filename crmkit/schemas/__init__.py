"""Field catalog, labels and languages, vocabularies, bands and pandera models."""

from crmkit._util._langs import LANGS, Labels, Lang, check_lang, pick_label
from crmkit.schemas._bands import DEFAULT_HEADCOUNT_EDGES, DEFAULT_REVENUE_EDGES, Bands
from crmkit.schemas._catalog import ACCOUNTS, CATALOG, CONTACTS, Field, Table, table
from crmkit.schemas._labels import DERIVED_LABELS, column_label, column_labels
from crmkit.schemas._vocab import (
    ACCOUNT_TYPES,
    COUNTRY_CODES,
    CURRENCY_CODES,
    DEFAULT_SECTORS,
    GENDERS,
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
    "LIFECYCLE_STAGES",
    "OWNERSHIPS",
    "SALUTATIONS",
    "Bands",
    "Field",
    "Labels",
    "Lang",
    "Table",
    "Term",
    "Vocabulary",
    "check_lang",
    "column_label",
    "column_labels",
    "country_names",
    "fold",
    "pick_label",
    "table",
]
