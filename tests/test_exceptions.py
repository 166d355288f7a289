"""The crmkit error family (crmkit._exceptions): one root, the built-in each error resembles,
the values each error carries, and messages that name what is wrong.
"""

from __future__ import annotations

import builtins
import inspect
import re

import pandas as pd
import pytest

import crmkit as ck
import crmkit._exceptions as exceptions
from crmkit._exceptions import (
    CRMKitError,
    ImportFormatError,
    IntegrityError,
    RecordNotFoundError,
    UnknownValueError,
    ValidationError,
)


def test_error_family() -> None:
    values = [getattr(ck, n) for n in ck.__all__]
    errors = [v for v in values if inspect.isclass(v) and issubclass(v, Exception)]
    warns = [e for e in errors if issubclass(e, Warning)]
    assert warns and all(issubclass(w, ck.CRMKitWarning) for w in warns)
    assert issubclass(ck.CRMKitWarning, UserWarning)
    errors = [e for e in errors if e not in warns]
    assert errors and all(issubclass(e, ck.CRMKitError) for e in errors)
    assert issubclass(ck.ValidationError, ValueError)
    assert issubclass(ck.RecordNotFoundError, KeyError)
    assert issubclass(ck.StoreLockedError, RuntimeError)
    assert issubclass(ck.ReadOnlyError, PermissionError)
    assert issubclass(ck.ExportError, OSError)
    assert issubclass(ck.MissingDependencyError, ImportError)


def test_the_tree_in_the_docstring_is_the_class_tree() -> None:
    assert exceptions.__doc__ is not None
    tree = exceptions.__doc__.split("::", 1)[1]
    parents: dict[int, str] = {}
    listed = []
    for line in tree.splitlines():
        found = re.match(r"\s*([│ ]*)(?:[├└]── )?(\w+(?:Error|Warning))(?: \((\w+)\))?", line)
        if not found:
            continue
        depth, name, builtin = len(found.group(1)) // 4, found.group(2), found.group(3)
        if "──" not in line:
            depth = -1
        parents[depth] = name
        listed.append(name)
        cls = getattr(exceptions, name)
        if depth >= 0:
            assert cls.__bases__[0] is getattr(exceptions, parents[depth - 1]), name
        if builtin:
            assert issubclass(cls, getattr(builtins, builtin)), name
    assert sorted(listed) == sorted(exceptions.__all__)


def test_values_errors_carry() -> None:
    cases = pd.DataFrame({"row": [0], "field": ["email"]})
    error = ValidationError("bad email", cases)
    assert error.failure_cases is cases and str(error) == "bad email"
    assert ValidationError("x").failure_cases is None
    assert IntegrityError("loop", ["a", "b"]).breaches == ["a", "b"]
    assert str(RecordNotFoundError("no contact with id 7")) == "no contact with id 7"
    assert str(RecordNotFoundError()) == ""


def test_unknown_value_lists_the_valid_ones() -> None:
    error = UnknownValueError("sector", "Sofware", ["Software", "Retail"], "Software")
    assert (error.what, error.value, error.valid, error.suggestion) == (
        "sector",
        "Sofware",
        ["Software", "Retail"],
        "Software",
    )
    assert str(error) == (
        "unknown sector 'Sofware'. Did you mean 'Software'? Valid values: 'Software', 'Retail'"
    )
    many = UnknownValueError("owner", "x" * 500, [f"o{i}" for i in range(40)])
    assert "... (40 in all)" in str(many) and "(500 characters)" in str(many)
    assert str(UnknownValueError("view", "v", [])).endswith("Valid values: (none)")


def test_import_format_error_names_the_place() -> None:
    assert str(ImportFormatError("bad", path="f.csv", line=3)) == "f.csv, line 3: bad"
    assert str(ImportFormatError("bad", path="f.csv")) == "f.csv: bad"
    assert str(ImportFormatError("bad", line=3)) == "line 3: bad"
    error = ImportFormatError("bad")
    assert (str(error), error.path, error.line) == ("bad", None, None)


def test_a_crm_raises_errors_of_the_family() -> None:
    with ck.open() as crm:
        with pytest.raises(RecordNotFoundError) as missing:
            crm.contacts.get(999)
        assert isinstance(missing.value, KeyError) and isinstance(missing.value, CRMKitError)
        with pytest.raises(UnknownValueError) as unknown:
            crm.contacts.filter(sector="Sofware")
        assert isinstance(unknown.value, ValueError) and unknown.value.suggestion == "Software"
