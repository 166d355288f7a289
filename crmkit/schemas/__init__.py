"""Field catalog, vocabularies, bands and pandera models derived from the catalog."""

from crmkit.schemas._bands import DEFAULT_HEADCOUNT_EDGES, DEFAULT_REVENUE_EDGES, Bands
from crmkit.schemas._catalog import ACCOUNTS, CATALOG, CONTACTS, Field, Table, table
from crmkit.schemas._vocab import (
    ACCOUNT_TYPES,
    COUNTRY_CODES,
    CURRENCY_CODES,
    DEFAULT_SECTORS,
    GENDERS,
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
    "GENDERS",
    "OWNERSHIPS",
    "SALUTATIONS",
    "Bands",
    "Field",
    "Table",
    "Term",
    "Vocabulary",
    "country_names",
    "fold",
    "table",
]
