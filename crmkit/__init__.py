"""crmkit: keep a CRM's accounts and contacts in DuckDB; clean, query and edit them from Jupyter.

>>> import crmkit as ck
>>> crm = ck.open()                      # in memory; ck.open("crm.duckdb") for a file
>>> acc = crm.accounts.add(name="APROOL", sector="Software", employees=85)
>>> len(crm.accounts)
1
>>> crm.close()
"""

import typing

if typing.TYPE_CHECKING:  # for type checkers and IDEs; at run time names load on first use
    from crmkit._api._crm import CRM, open
    from crmkit._api._records import Accounts, Contacts, Owners, Record
    from crmkit._api._selection import Selection
    from crmkit._api._views import SavedViews
    from crmkit._core._settings import Settings
    from crmkit._core._store import UndoSummary
    from crmkit._dedupe._engine import DedupeIndex, DuplicateReport, find_duplicates
    from crmkit._dedupe._features import Comparison
    from crmkit._exceptions import (
        CRMKitError,
        ExportError,
        ImportFormatError,
        IntegrityError,
        MissingDependencyError,
        ParentCycleError,
        ReadOnlyError,
        RecordInUseError,
        RecordNotFoundError,
        RequiredFieldError,
        SchemaVersionError,
        StoreLockedError,
        StoreNotFoundError,
        StoreOpenError,
        UndoConflictError,
        UndoError,
        UnknownValueError,
        ValidationError,
    )
    from crmkit._formats._export import ExportResult
    from crmkit._formats._vcard import read_vcf, write_vcf
    from crmkit._importing._pipeline import ImportPreview, ImportReport
    from crmkit._ops._bulk import BulkReport
    from crmkit._ops._merge import MergeReport
    from crmkit._ops._summary import Summary
    from crmkit.schemas._bands import Bands
    from crmkit.schemas._catalog import ACCOUNTS, CONTACTS, Field, Table
    from crmkit.schemas._models import ValidationReport, validate

# Where each public name lives. Names are imported on first use, so `import crmkit` stays
# light (the command line's --help, the import workers) until a name is needed.
_LAZY: dict[str, str] = {
    "BulkReport": "crmkit._ops._bulk",
    "CRM": "crmkit._api._crm",
    "open": "crmkit._api._crm",
    "DedupeIndex": "crmkit._dedupe._engine",
    "DuplicateReport": "crmkit._dedupe._engine",
    "find_duplicates": "crmkit._dedupe._engine",
    "Comparison": "crmkit._dedupe._features",
    "CRMKitError": "crmkit._exceptions",
    "ExportError": "crmkit._exceptions",
    "ImportFormatError": "crmkit._exceptions",
    "IntegrityError": "crmkit._exceptions",
    "MissingDependencyError": "crmkit._exceptions",
    "ParentCycleError": "crmkit._exceptions",
    "ReadOnlyError": "crmkit._exceptions",
    "RecordInUseError": "crmkit._exceptions",
    "RecordNotFoundError": "crmkit._exceptions",
    "RequiredFieldError": "crmkit._exceptions",
    "SchemaVersionError": "crmkit._exceptions",
    "StoreLockedError": "crmkit._exceptions",
    "StoreNotFoundError": "crmkit._exceptions",
    "StoreOpenError": "crmkit._exceptions",
    "UndoConflictError": "crmkit._exceptions",
    "UndoError": "crmkit._exceptions",
    "UnknownValueError": "crmkit._exceptions",
    "ValidationError": "crmkit._exceptions",
    "ExportResult": "crmkit._formats._export",
    "ImportPreview": "crmkit._importing._pipeline",
    "ImportReport": "crmkit._importing._pipeline",
    "MergeReport": "crmkit._ops._merge",
    "Accounts": "crmkit._api._records",
    "Contacts": "crmkit._api._records",
    "Owners": "crmkit._api._records",
    "Record": "crmkit._api._records",
    "Selection": "crmkit._api._selection",
    "Settings": "crmkit._core._settings",
    "UndoSummary": "crmkit._core._store",
    "Summary": "crmkit._ops._summary",
    "read_vcf": "crmkit._formats._vcard",
    "write_vcf": "crmkit._formats._vcard",
    "SavedViews": "crmkit._api._views",
    "Bands": "crmkit.schemas._bands",
    "ACCOUNTS": "crmkit.schemas._catalog",
    "CONTACTS": "crmkit.schemas._catalog",
    "Field": "crmkit.schemas._catalog",
    "Table": "crmkit.schemas._catalog",
    "ValidationReport": "crmkit.schemas._models",
    "validate": "crmkit.schemas._models",
}

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    import importlib

    if name == "widgets":  # ipywidgets only for users who display a form
        return importlib.import_module("crmkit.widgets")
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'crmkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "ACCOUNTS",
    "CONTACTS",
    "CRM",
    "Accounts",
    "Bands",
    "BulkReport",
    "CRMKitError",
    "Comparison",
    "Contacts",
    "DedupeIndex",
    "DuplicateReport",
    "ExportError",
    "ExportResult",
    "Field",
    "ImportFormatError",
    "ImportPreview",
    "ImportReport",
    "IntegrityError",
    "MergeReport",
    "MissingDependencyError",
    "Owners",
    "ParentCycleError",
    "ReadOnlyError",
    "Record",
    "RecordInUseError",
    "RecordNotFoundError",
    "RequiredFieldError",
    "SavedViews",
    "SchemaVersionError",
    "Selection",
    "Settings",
    "StoreLockedError",
    "StoreNotFoundError",
    "StoreOpenError",
    "Summary",
    "Table",
    "UndoConflictError",
    "UndoError",
    "UndoSummary",
    "UnknownValueError",
    "ValidationError",
    "ValidationReport",
    "__version__",
    "find_duplicates",
    "open",
    "read_vcf",
    "validate",
    "write_vcf",
]
