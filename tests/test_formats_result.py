"""What an export wrote (crmkit._formats._result): ExportResult."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pytest

from crmkit._formats import (
    export_table,
)
from crmkit._formats._result import ExportResult


def test_result_repr(tmp_path: Path) -> None:
    table = pa.table({f"c{i}": [1] for i in range(8)})
    result = export_table(table, tmp_path / "r.csv", kind="contacts")
    assert repr(result) == (
        f"ExportResult(path='{tmp_path / 'r.csv'}', format='csv', rows=1, "
        "columns=[c0, c1, c2, c3, c4, c5, ... (8 in all)])"
    )
    with pytest.raises(AttributeError):
        result.rows = 2  # type: ignore[misc]


# -- the module's own functions ----------------------------------------------------------


def test_export_result_stands_for_its_file(tmp_path: Path) -> None:
    result = ExportResult(tmp_path / "c.vcf", "vcf", 2, ())
    assert os.fspath(result) == str(tmp_path / "c.vcf")
    assert repr(result) == f"ExportResult(path='{tmp_path / 'c.vcf'}', format='vcf', rows=2)"
    changed = ExportResult(Path("x.csv"), "csv", 1, ("a\x1b[31m",), changed=3)
    assert (
        repr(changed)
        == "ExportResult(path='x.csv', format='csv', rows=1, columns=[a\\x1b[31m], changed=3)"
    )
