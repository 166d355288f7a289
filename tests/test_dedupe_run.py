"""The records and model of one search (crmkit._dedupe._run): rows of record ids, scores on
demand, explanations of any two records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmkit._dedupe import find_duplicates
from crmkit._dedupe._compare import compare
from crmkit._dedupe._comparisons import resolve_comparisons
from crmkit._dedupe._features import prepare
from crmkit._dedupe._frames import Source
from crmkit._dedupe._model import MatchModel
from crmkit._dedupe._run import Run
from crmkit._exceptions import RecordNotFoundError

FRAME = pd.DataFrame(
    {
        "id": ["a", "b", "c"],
        "last_name": ["Blou", "BLOU", "Roy"],
        "email": ["h.blou@x.fr", "h.blou@x.fr", "roy@y.fr"],
    }
)


def _run() -> Run:
    table_ = prepare(
        FRAME, resolve_comparisons("contacts", None, FRAME.columns), ids=list(FRAME.id)
    )
    return Run(table_, MatchModel.defaults(table_.comparisons, 3), Source([(FRAME, 0)]))


def test_rows_of_record_ids() -> None:
    run = _run()
    assert [run.row(i) for i in ("c", "a", "b")] == [2, 0, 1]
    with pytest.raises(RecordNotFoundError, match="no record with id 'z' among the records"):
        run.row("z")


def test_scores_on_demand_are_the_model_scores() -> None:
    run = _run()
    ia, ib = np.asarray([0, 0]), np.asarray([1, 2])
    scores = run.score_rows(ia, ib)
    expected = run.model.score(compare(run.table, ia, run.table, ib).levels)[1]
    assert scores.tolist() == expected.tolist()
    assert scores[0] > 0.99 > scores[1]


def test_explain_names_the_values_of_both_records() -> None:
    explained = _run().explain("a", "b").set_index("field")
    assert explained.loc["last_name", "value_a"] == "Blou"
    assert explained.loc["last_name", "value_b"] == "BLOU"
    assert explained.loc["email", "level"] == "exact"
    assert explained["weight"].sum() > 10


def test_a_report_explains_pairs_blocking_never_proposed() -> None:
    report = find_duplicates(FRAME)
    explained = report.explain("a", "c").set_index("field")
    assert explained.loc["last_name", "level"] == "different"
    with pytest.raises(RecordNotFoundError):
        report.explain("a", "nope")
