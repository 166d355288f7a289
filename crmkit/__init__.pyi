"""The public names of crmkit, listed once.

This stub is read by type checkers and IDEs, and by ``crmkit/__init__.py``, which builds
its lazy loader and ``__all__`` from the imports below: a name added here is public
everywhere, and the test ``tests/test_api.py`` checks that every name resolves.
"""

from crmkit._api._activities import Activities as Activities
from crmkit._api._activities import ActivitySelection as ActivitySelection
from crmkit._api._blocklist import Blocklist as Blocklist
from crmkit._api._crm import CRM as CRM
from crmkit._api._crm import open as open
from crmkit._api._import_profiles import ImportProfile as ImportProfile
from crmkit._api._import_profiles import ImportProfiles as ImportProfiles
from crmkit._api._records import (
    Accounts as Accounts,
)
from crmkit._api._records import (
    Contacts as Contacts,
)
from crmkit._api._records import (
    Owners as Owners,
)
from crmkit._api._records import (
    Record as Record,
)
from crmkit._api._selection import Selection as Selection
from crmkit._api._views import SavedViews as SavedViews
from crmkit._core._custom_fields import FieldReport as FieldReport
from crmkit._core._duplicate_check import DuplicateAlert as DuplicateAlert
from crmkit._core._duplicate_rules import DuplicateRule as DuplicateRule
from crmkit._core._horizon import CompactionReport as CompactionReport
from crmkit._core._retention_rules import RetentionRule as RetentionRule
from crmkit._core._settings import Settings as Settings
from crmkit._core._store import UndoSummary as UndoSummary
from crmkit._dedupe import (
    Comparison as Comparison,
)
from crmkit._dedupe import (
    DedupeIndex as DedupeIndex,
)
from crmkit._dedupe import (
    DuplicateReport as DuplicateReport,
)
from crmkit._dedupe import (
    find_duplicates as find_duplicates,
)
from crmkit._exceptions import (
    BlockedRecordError as BlockedRecordError,
)
from crmkit._exceptions import (
    CRMKitError as CRMKitError,
)
from crmkit._exceptions import (
    CRMKitWarning as CRMKitWarning,
)
from crmkit._exceptions import (
    DuplicateRecordError as DuplicateRecordError,
)
from crmkit._exceptions import (
    ErasureError as ErasureError,
)
from crmkit._exceptions import (
    ExportError as ExportError,
)
from crmkit._exceptions import (
    ImportFormatError as ImportFormatError,
)
from crmkit._exceptions import (
    IntegrityError as IntegrityError,
)
from crmkit._exceptions import (
    LargeFrameWarning as LargeFrameWarning,
)
from crmkit._exceptions import (
    MissingDependencyError as MissingDependencyError,
)
from crmkit._exceptions import (
    ParentCycleError as ParentCycleError,
)
from crmkit._exceptions import (
    ReadOnlyError as ReadOnlyError,
)
from crmkit._exceptions import (
    RecordInUseError as RecordInUseError,
)
from crmkit._exceptions import (
    RecordNotFoundError as RecordNotFoundError,
)
from crmkit._exceptions import (
    RequiredFieldError as RequiredFieldError,
)
from crmkit._exceptions import (
    SchemaVersionError as SchemaVersionError,
)
from crmkit._exceptions import (
    StoreLockedError as StoreLockedError,
)
from crmkit._exceptions import (
    StoreNotFoundError as StoreNotFoundError,
)
from crmkit._exceptions import (
    StoreOpenError as StoreOpenError,
)
from crmkit._exceptions import (
    UndoConflictError as UndoConflictError,
)
from crmkit._exceptions import (
    UndoError as UndoError,
)
from crmkit._exceptions import (
    UnknownValueError as UnknownValueError,
)
from crmkit._exceptions import (
    ValidationError as ValidationError,
)
from crmkit._formats import ExportResult as ExportResult
from crmkit._formats import read_vcf as read_vcf
from crmkit._formats import write_vcf as write_vcf
from crmkit._importing._activities import ActivityImportReport as ActivityImportReport
from crmkit._importing._convert import ConversionReport as ConversionReport
from crmkit._importing._options import ImportOptions as ImportOptions
from crmkit._importing._report import ImportPreview as ImportPreview
from crmkit._importing._report import ImportReport as ImportReport
from crmkit._ops._account_tree import AccountTree as AccountTree
from crmkit._ops._activities import TasksReport as TasksReport
from crmkit._ops._bulk import BulkReport as BulkReport
from crmkit._ops._erase import ErasureReport as ErasureReport
from crmkit._ops._fixes import Fixes as Fixes
from crmkit._ops._merge import MergeReport as MergeReport
from crmkit._ops._org_chart import OrgChart as OrgChart
from crmkit._ops._quality_report import QualityReport as QualityReport
from crmkit._ops._retention import RetentionReport as RetentionReport
from crmkit._ops._subject_access import SubjectAccessReport as SubjectAccessReport
from crmkit._ops._summary import Summary as Summary
from crmkit._ops._timeline import Timeline as Timeline
from crmkit._ops._variants import Variants as Variants
from crmkit._util._config import config_context as config_context
from crmkit._util._config import get_config as get_config
from crmkit._util._config import set_config as set_config
from crmkit.schemas._bands import Bands as Bands
from crmkit.schemas._catalog import (
    ACCOUNTS as ACCOUNTS,
)
from crmkit.schemas._catalog import (
    CONTACTS as CONTACTS,
)
from crmkit.schemas._catalog import (
    Field as Field,
)
from crmkit.schemas._catalog import (
    Table as Table,
)
from crmkit.schemas._models import ValidationReport as ValidationReport
from crmkit.schemas._models import validate as validate

__version__: str

__all__ = [
    "ACCOUNTS",
    "CONTACTS",
    "CRM",
    "AccountTree",
    "Accounts",
    "Activities",
    "ActivityImportReport",
    "ActivitySelection",
    "Bands",
    "BlockedRecordError",
    "Blocklist",
    "BulkReport",
    "CRMKitError",
    "CRMKitWarning",
    "CompactionReport",
    "Comparison",
    "Contacts",
    "ConversionReport",
    "DedupeIndex",
    "DuplicateAlert",
    "DuplicateRecordError",
    "DuplicateReport",
    "DuplicateRule",
    "ErasureError",
    "ErasureReport",
    "ExportError",
    "ExportResult",
    "Field",
    "FieldReport",
    "Fixes",
    "ImportFormatError",
    "ImportOptions",
    "ImportPreview",
    "ImportProfile",
    "ImportProfiles",
    "ImportReport",
    "IntegrityError",
    "LargeFrameWarning",
    "MergeReport",
    "MissingDependencyError",
    "OrgChart",
    "Owners",
    "ParentCycleError",
    "QualityReport",
    "ReadOnlyError",
    "Record",
    "RecordInUseError",
    "RecordNotFoundError",
    "RequiredFieldError",
    "RetentionReport",
    "RetentionRule",
    "SavedViews",
    "SchemaVersionError",
    "Selection",
    "Settings",
    "StoreLockedError",
    "StoreNotFoundError",
    "StoreOpenError",
    "SubjectAccessReport",
    "Summary",
    "Table",
    "TasksReport",
    "Timeline",
    "UndoConflictError",
    "UndoError",
    "UndoSummary",
    "UnknownValueError",
    "ValidationError",
    "ValidationReport",
    "Variants",
    "__version__",
    "config_context",
    "find_duplicates",
    "get_config",
    "open",
    "read_vcf",
    "set_config",
    "validate",
    "write_vcf",
]
