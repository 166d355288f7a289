"""The optional Splink engine (crmkit._dedupe._splink)."""

from __future__ import annotations

import builtins
import sys
from typing import Any

import duckdb
import pandas as pd
import pytest
from dedupe_samples import cluster_pairs, sample, true_pairs

from crmkit._dedupe import find_duplicates
from crmkit._exceptions import MissingDependencyError


def test_splink_engine_on_a_small_table() -> None:
    pytest.importorskip("splink", reason="splink is not installed (pip install crmkit[splink])")
    connection = duckdb.connect()
    frame = sample(400, seed=4)
    report = find_duplicates(frame, engine="splink", connection=connection)
    assert report.engine == "splink" and report.clusters
    truth, found = true_pairs(frame), cluster_pairs(report.clusters)
    assert len(truth & found) >= 0.5 * len(truth)
    assert {"id_a", "id_b", "probability", "explanation"} <= set(report.pairs.columns)
    # Splink's tables were dropped and the connection's schema put back.
    assert connection.execute("SELECT current_schema()").fetchall() == [("main",)]
    assert connection.execute("SELECT count(*) FROM duckdb_tables()").fetchall() == [(0,)]


def test_splink_engine_names_the_extra_when_splink_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = builtins.__import__

    def blocked(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "splink" or name.startswith("splink."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    for module in [m for m in sys.modules if m == "splink" or m.startswith("splink.")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "splink", None)
    monkeypatch.setattr(builtins, "__import__", blocked)
    frame = pd.DataFrame({"id": [1, 2], "first_name": ["a", "a"], "last_name": ["b", "b"]})
    with pytest.raises(MissingDependencyError, match=r"pip install 'crmkit\[splink\]'"):
        find_duplicates(frame, engine="splink")
    # The crmkit engine does not need it.
    assert find_duplicates(frame).clusters == [[1, 2]]
