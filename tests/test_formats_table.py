"""What every reader returns (crmkit._formats._table): TableSource, Chunk, rows with more
cells than the header, chunk sizes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from format_samples import (
    read_rows,
    write_file,
)

from crmkit._exceptions import ImportFormatError, ValidationError
from crmkit._formats import (
    Chunk,
    TableSource,
    iter_csv,
    read_table,
)
from crmkit._formats._table import check_positive, extra_names, make_chunk, ragged_error


def test_row_with_more_cells_than_the_header(tmp_path: Path) -> None:
    text = 'Nom,Ville\nBlou,Paris\n"Roy,\nLéa",Lyon,69001\n'
    path = write_file(tmp_path / "r.csv", text)
    with pytest.raises(ImportFormatError) as caught:
        read_table(path).read()
    message = str(caught.value)
    assert caught.value.line == 3 and str(path) in message
    assert "3 cells but the header has 2" in message and "'69001'" in message
    kept = read_table(path, on_ragged="keep").read()
    assert kept.frame.columns.tolist() == ["Nom", "Ville", "extra_1"]
    assert kept.frame["extra_1"].tolist() == [None, "69001"]


def test_extra_names_do_not_clash_with_the_header(tmp_path: Path) -> None:
    path = write_file(tmp_path / "r.csv", "extra_1,Nom\nx,Blou,surplus\n")
    frame = read_table(path, on_ragged="keep").read().frame
    assert frame.columns.tolist() == ["extra_1", "Nom", "extra_2"]


def test_chunks_can_be_read_twice_and_header_only_has_no_rows(tmp_path: Path) -> None:
    src = read_table(write_file(tmp_path / "c.csv", "Nom,Ville\nBlou,Paris\n"))
    assert read_rows(src) == read_rows(src)
    empty = read_table(write_file(tmp_path / "h.csv", "Nom,Ville\n"))
    assert list(empty.chunks()) == []
    assert empty.read().frame.columns.tolist() == ["Nom", "Ville"]


def test_chunk_rows_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="chunk_rows"):
        iter_csv(write_file(tmp_path / "c.csv", "a\n1\n"), chunk_rows=0)


# -- the module's own functions ----------------------------------------------------------


def _columns(*columns: list[Any]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    arrays = [np.array(c, dtype=object) for c in columns]
    return arrays, [np.array([v is not None for v in a]) for a in arrays]


def test_extra_names_skip_the_names_of_the_header() -> None:
    assert extra_names(["extra_1", "extra_3"], 3) == ["extra_2", "extra_4", "extra_5"]
    assert extra_names(["Nom"], 0) == []


def test_check_positive() -> None:
    check_positive("n", 1)
    check_positive("skip_rows", 0, minimum=0)
    for bad in (0, -1, True, 1.5, "2"):
        with pytest.raises(ValidationError, match=r"n must be an integer >= 1"):
            check_positive("n", bad)  # type: ignore[arg-type]


def test_make_chunk_drops_blank_rows_and_keeps_or_refuses_extra_cells() -> None:
    arrays, masks = _columns(["x", None, "y"], [None, None, "z"], [None, None, "w"])
    lines = np.array([2, 3, 4], dtype=np.int64)
    chunk = make_chunk(["a", "b"], arrays, masks, lines, 10, "keep", "f.csv")
    assert chunk is not None
    assert chunk.frame.to_dict("records") == [
        {"a": "x", "b": None, "extra_1": None},
        {"a": "y", "b": "z", "extra_1": "w"},
    ]
    assert (chunk.lines.tolist(), chunk.frame.index.tolist(), chunk.start_row) == (
        [2, 4],
        [10, 11],
        10,
    )
    with pytest.raises(
        ImportFormatError, match="line 4 has 3 cells but the header has 2"
    ) as caught:
        make_chunk(["a", "b"], arrays, masks, lines, 10, "error", "f.csv")
    assert caught.value.line == 4 and "'w'" in str(caught.value)
    # A spare column with nothing in it is no extra column; only blank rows: no chunk.
    arrays, masks = _columns(["x"], ["y"], [None])
    chunk = make_chunk(["a", "b"], arrays, masks, np.array([7]), 0, "error", "f.csv")
    assert chunk is not None and chunk.frame.columns.tolist() == ["a", "b"]
    arrays, masks = _columns([None], [None])
    assert make_chunk(["a", "b"], arrays, masks, np.array([7]), 0, "error", "f.csv") is None


def test_ragged_error_names_the_place() -> None:
    error = ragged_error("book.xlsx", 5, 2, 4, ["a", "b", "c", "d"], "Excel row")
    assert error.line == 5 and "book.xlsx" in str(error)
    assert "Excel row 5 has 4 cells but the header has 2" in str(error)
    assert "'a', 'b', 'c'" in str(error) and "'d'" not in str(error)
    assert "needs quotes" not in str(error)
    assert "needs quotes" in str(ragged_error("f.csv", 5, 2, 3, ["a"], "line"))


def test_read_joins_chunks_with_and_without_extra_columns() -> None:
    def reader(chunk_rows: int, progress: bool | None) -> Iterator[Chunk]:
        yield Chunk(pd.DataFrame({"a": ["x"]}, dtype=object), np.array([2]), 0)
        yield Chunk(pd.DataFrame({"a": ["y"], "extra_1": ["z"]}, dtype=object), np.array([3]), 1)

    chunk = TableSource(kind="csv", columns=("a",), _reader=reader).read()
    assert chunk.frame.to_dict("records") == [
        {"a": "x", "extra_1": None},
        {"a": "y", "extra_1": "z"},
    ]
    assert chunk.lines.tolist() == [2, 3]
    assert repr(Chunk(pd.DataFrame(), np.zeros(0, dtype=np.int64), 0)) == (
        "Chunk(0 rows from row 0, no rows)"
    )
