"""The crmkit error family.

Every error crmkit raises on purpose derives from :class:`CRMKitError`, and also from the
built-in exception it resembles, so ``except ValueError`` keeps working for callers who do
not know crmkit::

    CRMKitError
    ├── ValidationError (ValueError)         a value breaks a field rule; carries failure cases
    │   ├── RequiredFieldError               a required field is empty
    │   └── BlockedRecordError               an email or phone of an erased person
    ├── UnknownValueError (ValueError)       an owner, sector, band ... that does not exist;
    │                                        lists the valid values and the closest one
    ├── RecordNotFoundError (KeyError)       no record with that id
    ├── IntegrityError (ValueError)          a change would leave records inconsistent: a
    │   │                                    reference to nothing, a deactivated owner
    │   ├── RecordInUseError                 delete refused: other records still point here
    │   └── ParentCycleError                 a parent account or a reports_to would loop
    ├── DuplicateRecordError (ValueError)    a duplicate rule blocks the change: names the
    │                                        rule, the fields and the matching record
    ├── ErasureError (ValueError)            an erasure refused: not confirmed, done before
    ├── UndoError (RuntimeError)             a batch cannot be undone
    │   └── UndoConflictError                a later batch changed the same fields
    ├── StoreLockedError (RuntimeError)      another process (or connection) holds the file
    ├── StoreOpenError (OSError)             the path cannot be opened as a CRM: empty, a
    │   │                                    folder, no permission, not a crmkit database
    │   └── StoreNotFoundError (FileNotFoundError)  no file to open read-only
    ├── ReadOnlyError (PermissionError)      a write through a read-only CRM
    ├── SchemaVersionError (RuntimeError)    the file was written by a newer crmkit
    ├── ImportFormatError (ValueError)       an unreadable, truncated or mis-encoded file
    ├── ExportError (OSError)                an export could not be written
    └── MissingDependencyError (ImportError) an optional extra is not installed

Warnings derive from :class:`CRMKitWarning` (a ``UserWarning``)::

    CRMKitWarning (UserWarning)
    └── LargeFrameWarning                    df()/pl() of more rows than
                                             ``settings.max_frame_rows``; names iter_batches()
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BlockedRecordError",
    "CRMKitError",
    "CRMKitWarning",
    "DuplicateRecordError",
    "ErasureError",
    "ExportError",
    "ImportFormatError",
    "IntegrityError",
    "LargeFrameWarning",
    "MissingDependencyError",
    "ParentCycleError",
    "ReadOnlyError",
    "RecordInUseError",
    "RecordNotFoundError",
    "RequiredFieldError",
    "SchemaVersionError",
    "StoreLockedError",
    "StoreNotFoundError",
    "StoreOpenError",
    "UndoConflictError",
    "UndoError",
    "UnknownValueError",
    "ValidationError",
]


TRACEBACK_ENV = "CRMKIT_TRACEBACK"
"""Set to ``full`` for the whole traceback of crmkit's errors in IPython and Jupyter."""


class CRMKitError(Exception):
    """Root of every error crmkit raises on purpose.

    In IPython and Jupyter the error shows as one short block (:meth:`_render_traceback_`):
    what went wrong and the line of the user's code that asked for it, not the frames
    inside crmkit; ``CRMKIT_TRACEBACK=full`` in the environment shows every frame.
    """

    def _render_traceback_(self) -> list[str]:
        """The lines IPython shows instead of the traceback (its documented hook).

        Examples
        --------
        >>> try:
        ...     raise ValidationError("row 3: email = 'x@' is not an email address")
        ... except CRMKitError as exc:
        ...     lines = exc._render_traceback_()
        >>> lines[0]
        "ValidationError: row 3: email = 'x@' is not an email address"
        """
        import os
        import traceback

        if os.environ.get(TRACEBACK_ENV, "").strip().lower() == "full":
            return "".join(traceback.format_exception(self)).rstrip("\n").split("\n")
        lines = [f"{type(self).__name__}: {self}"]
        caller = _user_frame(self)
        if caller is not None:
            where = f'  File "{caller.filename}", line {caller.lineno}'
            lines += [where, f"    {caller.line}"] if caller.line else [where]
        lines.append(f"  (crmkit's own frames hidden: {TRACEBACK_ENV}=full shows them)")
        return lines


def _user_frame(error: BaseException) -> Any:
    """The last frame of the traceback outside the crmkit package, or ``None``."""
    import traceback
    from pathlib import Path

    package = str(Path(__file__).resolve().parent)
    frames = traceback.extract_tb(error.__traceback__) if error.__traceback__ else []
    outside = [f for f in frames if not str(Path(f.filename).resolve()).startswith(package)]
    return outside[-1] if outside else None


class ValidationError(CRMKitError, ValueError):
    """One or more values break a field rule.

    Parameters
    ----------
    message
        Human-readable summary naming the field, the value and the rule.
    failure_cases
        A pandas DataFrame with columns ``row, field, value, check, severity``, one row per
        failing value (as pandera's ``SchemaErrors.failure_cases``).
    """

    def __init__(self, message: str, failure_cases: pd.DataFrame | None = None) -> None:
        super().__init__(message)
        self.failure_cases = failure_cases


class RequiredFieldError(ValidationError):
    """A required field is missing or empty."""


class UnknownValueError(CRMKitError, ValueError):
    """A name that should exist does not (an owner, a sector, a band, a field ...).

    The message lists the valid values and, for a near miss, suggests the closest one;
    ``text`` replaces it (:func:`crmkit._util._messages.unknown_value` words it in the
    language chosen).
    """

    def __init__(
        self,
        what: str,
        value: Any,
        valid: Sequence[str],
        suggestion: str | None = None,
        *,
        text: str | None = None,
    ) -> None:
        self.what = what
        self.value = value
        self.valid = list(valid)
        self.suggestion = suggestion
        if text is not None:  # worded by the caller, in the user's language
            super().__init__(text)
            return
        from crmkit._util._shorten import shorten

        shown = ", ".join(shorten(v) for v in self.valid[:30])
        if len(self.valid) > 30:
            shown += f", ... ({len(self.valid)} in all)"
        hint = f" Did you mean {shorten(suggestion)}?" if suggestion else ""
        super().__init__(
            f"unknown {what} {shorten(value)}.{hint} Valid values: {shown or '(none)'}"
        )


class RecordNotFoundError(CRMKitError, KeyError):
    """No record with the given id exists in the table."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class IntegrityError(CRMKitError, ValueError):
    """A change would leave records inconsistent, so none of it was written.

    A reference (account, owner, parent, reports_to ...) pointing at a record that does
    not exist or is deleted, a record given to a deactivated owner, a loop of parents.
    ``breaches`` lists each broken rule (:class:`crmkit._core._integrity.Breach`).
    """

    def __init__(self, message: str, breaches: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.breaches = list(breaches)


class RecordInUseError(IntegrityError):
    """A delete was refused because other records still point to this one."""


class ParentCycleError(IntegrityError):
    """A parent account (or a contact's reports_to) would make a record its own ancestor."""


class DuplicateRecordError(CRMKitError, ValueError):
    """A duplicate rule whose action is ``block`` matched: nothing was written.

    The message names the record (or the line of an import), the rule, its fields and
    the matching record's id (values cut short). ``alerts`` lists each match
    (:class:`crmkit.DuplicateAlert`).
    """

    def __init__(self, message: str, alerts: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.alerts = list(alerts)


class BlockedRecordError(ValidationError):
    """A record matches an erased person's email or phone (``crm.blocklist``): nothing
    was written. The message names the field, never the erased value."""


class ErasureError(CRMKitError, ValueError):
    """An erasure was refused (already erased, no confirmation): nothing was written."""


class UndoError(CRMKitError, RuntimeError):
    """A batch cannot be undone (unknown, already undone, nothing to undo)."""


class UndoConflictError(UndoError):
    """A later batch changed the same fields; undoing would overwrite its work."""


class StoreLockedError(CRMKitError, RuntimeError):
    """Another process holds the DuckDB file open for writing."""


class StoreOpenError(CRMKitError, OSError):
    """A path cannot be opened as a CRM database.

    An empty path, a folder, a file that is not a DuckDB database, a DuckDB database that
    crmkit did not write (tables with crmkit's names but other columns, SQL macros), or an
    I/O error; the message says which and what to do.
    """


class StoreNotFoundError(StoreOpenError, FileNotFoundError):
    """No database at the path given to open read-only."""


class ReadOnlyError(CRMKitError, PermissionError):
    """A change was attempted through a CRM opened with ``read_only=True``."""


class SchemaVersionError(CRMKitError, RuntimeError):
    """The database was written by a newer crmkit than this one."""


class ImportFormatError(CRMKitError, ValueError):
    """A file could not be read: wrong format, truncated, wrongly encoded, ragged.

    Parameters
    ----------
    message
        What is wrong.
    path
        The file, when there is one.
    line
        The 1-based line (or row) where the problem was found, when known.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        elif line is not None:
            where = f"line {line}: "
        super().__init__(where + message)


class ExportError(CRMKitError, OSError):
    """An export could not be written; no partial file is left behind."""


class MissingDependencyError(CRMKitError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""


class CRMKitWarning(UserWarning):
    """Root of every warning crmkit gives."""


class LargeFrameWarning(CRMKitWarning):
    """A frame of more rows than ``settings.max_frame_rows`` is about to be built.

    ``Selection.iter_batches()`` reads the records in chunks and ``Selection.export()``
    writes them to a file, both in bounded memory.
    """
