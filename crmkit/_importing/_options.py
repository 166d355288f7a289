"""The options of an import, in one frozen value.

The facade (``crm.import_file``, ``import_frame``, ``preview_import``), the command line
and the widgets build one :class:`ImportOptions` and hand it to the pipeline; the list of
options, their defaults, their checks and their documentation live here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._importing._overwrite import check_default_names, check_overwrite
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import table

__all__ = ["MODES", "ImportOptions", "Mode"]

Mode = Literal["create", "update", "upsert"]
MODES: tuple[str, ...] = ("create", "update", "upsert")
ON_DUPLICATE: tuple[str | None, ...] = ("flag", "skip", "merge", None)
IN_FILE_DUPLICATES: tuple[str, ...] = ("merge", "reject")
# Options the reader takes (the file's own layout), apart from what the pipeline does.
READ_OPTIONS: tuple[str, ...] = ("encoding", "delimiter", "header_row", "sheet", "skip_rows")


@dataclass(frozen=True)
class ImportOptions:
    """How to import a file or a DataFrame.

    Parameters
    ----------
    kind
        ``"contacts"`` or ``"accounts"``.
    mapping
        ``{header: field}`` overriding the automatic mapping (``None`` keeps a column in
        ``custom``).
    mode
        ``"create"`` (only new records), ``"update"`` (only existing ones) or ``"upsert"``
        (both).
    match_on
        Fields that identify an existing record (default for contacts: the external id
        ``uid``, then the email, then first name + last name + account, tried in that
        order, a record with another ``uid`` never matching; for accounts: the company
        name without legal suffix + website domain).
    dry_run
        Do everything, report, and write nothing.
    create_accounts, create_owners
        Create accounts named in a contacts file, and owners named in an owner column,
        when they do not exist (otherwise those rows are rejected).
    dayfirst, decimal, region
        Read ``03/04/2024`` as 3 April (default) or 4 March; the decimal mark (``","`` or
        ``"."``, detected by default); the phone region for numbers written without a
        country code (default: the database's ``default_region``).
    layout
        Force a known export layout (``"google"``, ``"outlook"`` ...) instead of detecting
        it from the headers.
    progress
        Show a progress bar.
    workers
        Processes that normalise rows (default: both cores for about 150,000 rows or
        more, one otherwise).
    on_duplicate
        New rows that probably duplicate an existing record (probability >=
        ``duplicate_threshold``): ``"flag"`` (default) inserts them with a warning,
        ``"skip"`` rejects them, ``"merge"`` updates the existing record instead, ``None``
        does not look.
    duplicate_threshold
        The probability from which ``on_duplicate`` applies.
    in_file_duplicates
        Rows naming the same record as an earlier row of the file: ``"merge"`` (default)
        merges them into it (blanks filled, later non-empty values win and the values
        they replace are listed in the report's warnings, lists united); ``"reject"``
        rejects them.
    encoding, delimiter, header_row, sheet, skip_rows
        The file's layout, detected by default (CSV encoding and delimiter, the header
        row below a title, the workbook sheet).
    chunk_rows
        Rows read and written at a time (memory stays bounded).
    profile
        A saved import profile (``crm.import_profiles``) whose mapping, defaults,
        overwrite policy and options apply; options given here win over the profile's.
        ``None``: a profile whose headers are the file's is recalled automatically.
    defaults
        ``{field: value}`` given to new records whose cell is empty or whose column is
        missing (``owner`` takes a name, an email or an id).
    overwrite
        ``{field: "always" | "if_empty" | "never"}``: whether an import may change that
        field of a record it updates (default ``"always"``: a non-empty cell wins).

    Examples
    --------
    >>> opts = ImportOptions(kind="accounts", mode="create")
    >>> opts.replace(dry_run=True).dry_run
    True
    >>> ImportOptions(mode="merge")
    Traceback (most recent call last):
    ...
    crmkit._exceptions.UnknownValueError: unknown import mode 'merge'. ...
    """

    kind: str = "contacts"
    mapping: Mapping[str, str | None] | None = field(default=None, hash=False)
    mode: Mode = "upsert"
    match_on: tuple[str, ...] | None = None
    dry_run: bool = False
    create_accounts: bool = False
    create_owners: bool = False
    dayfirst: bool = True
    decimal: str | None = None
    region: str | None = None
    layout: str | None = None
    progress: bool = True
    workers: int | None = None
    on_duplicate: str | None = "flag"
    duplicate_threshold: float = 0.9
    in_file_duplicates: str = "merge"
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None
    sheet: str | int = 0
    skip_rows: int = 0
    chunk_rows: int | None = None
    profile: str | None = None
    defaults: Mapping[str, Any] | None = field(default=None, hash=False)
    overwrite: Mapping[str, str] | None = field(default=None, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", table(self.kind).name)
        _one_of("import mode", self.mode, MODES)
        _one_of("on_duplicate", self.on_duplicate, ON_DUPLICATE)
        _one_of("in_file_duplicates", self.in_file_duplicates, IN_FILE_DUPLICATES)
        if self.match_on is not None:
            names = (self.match_on,) if isinstance(self.match_on, str) else self.match_on
            object.__setattr__(self, "match_on", tuple(names) or None)
            for name in names:
                table(self.kind)[name]  # raises UnknownValueError for a wrong field name
        if self.mapping is not None:
            object.__setattr__(self, "mapping", dict(self.mapping))
        if self.defaults is not None:
            object.__setattr__(self, "defaults", check_default_names(self.kind, self.defaults))
        if self.overwrite is not None:
            object.__setattr__(self, "overwrite", check_overwrite(self.kind, self.overwrite))
        if self.decimal not in (None, ",", "."):
            raise ValidationError(f"decimal is ',' or '.', got {self.decimal!r}")
        if not 0.0 <= float(self.duplicate_threshold) <= 1.0:
            raise ValidationError(
                f"duplicate_threshold is a probability, got {self.duplicate_threshold!r}"
            )

    @classmethod
    def from_keywords(cls, base: ImportOptions | None = None, **keywords: Any) -> ImportOptions:
        """``base`` (or the defaults) with ``keywords`` changed; unknown names are refused.

        Examples
        --------
        >>> ImportOptions.from_keywords(kind="contacts", creat_accounts=True)
        Traceback (most recent call last):
        ...
        crmkit._exceptions.UnknownValueError: unknown import option 'creat_accounts'. ...
        """
        names = [f.name for f in fields(cls)]
        for key in keywords:
            if key not in names:
                raise UnknownValueError("import option", key, names, closest(key, names))
        return replace(base or cls(kind=keywords.get("kind", "contacts")), **keywords)

    def replace(self, **changes: Any) -> ImportOptions:
        """A copy with some options changed."""
        return ImportOptions.from_keywords(self, **changes)

    def read_options(self) -> dict[str, Any]:
        """The options that describe the file's layout, for the reader."""
        return {name: getattr(self, name) for name in READ_OPTIONS}

    def to_dict(self) -> dict[str, Any]:
        """Every option and its value (recorded with the import's batch)."""
        return asdict(self)


def _one_of(what: str, value: Any, valid: Sequence[Any]) -> None:
    if value not in valid:
        shown = [str(v) for v in valid]
        raise UnknownValueError(what, value, shown, closest(str(value), shown))
