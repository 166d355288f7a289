"""crmkit: keep a CRM's accounts and contacts in DuckDB; clean, query and edit them from Jupyter.

>>> import crmkit as ck
>>> crm = ck.open()                      # in memory; ck.open("crm.duckdb") for a file
>>> acc = crm.accounts.add(name="APROOL", sector="Software", employees=85)
>>> len(crm.accounts)
1
>>> crm.close()
"""

from crmkit._bulk import BulkReport
from crmkit._crm import CRM, open
from crmkit._dedupe import DedupeIndex, DuplicateReport, find_duplicates
from crmkit._dedupe_features import Comparison
from crmkit._exceptions import (
    CRMKitError,
    ExportError,
    ImportFormatError,
    MissingDependencyError,
    ParentCycleError,
    ReadOnlyError,
    RecordInUseError,
    RecordNotFoundError,
    RequiredFieldError,
    SchemaVersionError,
    StoreLockedError,
    UndoConflictError,
    UndoError,
    UnknownValueError,
    ValidationError,
)
from crmkit._export import ExportResult
from crmkit._importing import ImportPreview, ImportReport
from crmkit._merge import MergeReport
from crmkit._records import Accounts, Contacts, Owners, Record
from crmkit._selection import Selection
from crmkit._settings import Settings
from crmkit._store import UndoSummary
from crmkit._summary import Summary
from crmkit._vcard import read_vcf, write_vcf
from crmkit._views import SavedViews
from crmkit.schemas._bands import Bands
from crmkit.schemas._catalog import ACCOUNTS, CONTACTS, Field, Table
from crmkit.schemas._models import ValidationReport, validate

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # ck.widgets works without importing ipywidgets for users who never display a form.
    if name == "widgets":
        import importlib

        return importlib.import_module("crmkit.widgets")
    raise AttributeError(f"module 'crmkit' has no attribute {name!r}")


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
