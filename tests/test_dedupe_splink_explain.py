"""``DuplicateReport.explain()`` on the Splink engine (crmkit._dedupe._splink_explain)."""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest
from dedupe_samples import sample

from crmkit._dedupe import DuplicateReport, find_duplicates
from crmkit._exceptions import RecordNotFoundError, ValidationError

pytest.importorskip("splink", reason="splink is not installed (pip install crmkit[splink])")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return sample(40, seed=4)


@pytest.fixture(scope="module")
def report(frame: pd.DataFrame) -> DuplicateReport:
    return find_duplicates(frame, engine="splink")


def test_explain_sums_to_the_match_weight(report: DuplicateReport) -> None:
    assert len(report.pairs)
    for pair in report.pairs.head(3).itertuples():
        table_ = report.explain(pair.id_a, pair.id_b)
        fields = [c for c in report.pairs.columns if c in set(table_["field"])]
        assert table_["field"].tolist() == [*fields, "(prior)"]
        assert {"value_a", "value_b", "normalized_a", "normalized_b", "level", "m", "u"} <= set(
            table_.columns
        )
        assert abs(table_["weight"].sum() - pair.match_weight) < 0.01
        # The level is Splink's label, the one in report.pairs.
        compared = table_[table_["field"] != "(prior)"].set_index("field")
        for name in fields:
            expected, level = getattr(pair, name), compared.at[name, "level"]
            assert level == expected or (pd.isna(expected) and pd.isna(level))
        exact = compared[compared["level"].fillna("").str.startswith("Exact")]
        assert len(exact) and (exact["m"] > exact["u"]).all()
        prior = table_.set_index("field").at["(prior)", "weight"]
        assert prior < 0 and math.isfinite(prior)
    # Either order of the ids.
    first = report.pairs.iloc[0]
    swapped = report.explain(first.id_b, first.id_a)
    assert abs(swapped["weight"].sum() - first.match_weight) < 0.01


def test_pairs_carry_an_explanation(report: DuplicateReport) -> None:
    assert report.pairs["explanation"].str.len().gt(0).all()


def test_a_pair_splink_never_compared_is_refused(
    frame: pd.DataFrame, report: DuplicateReport
) -> None:
    def differ(a: pd.Series, b: pd.Series) -> bool:
        return all(
            str(a[c]).strip().lower() != str(b[c]).strip().lower()
            for c in ("first_name", "last_name", "company", "email", "phone", "entity_id")
        )

    rows = [r for _, r in frame.iterrows()]
    a, b = next((a, b) for a, b in itertools.combinations(rows, 2) if differ(a, b))
    with pytest.raises(ValidationError, match="never compared") as info:
        report.explain(a["id"], b["id"])
    assert str(a["id"]) in str(info.value) and str(b["id"]) in str(info.value)


def test_an_unknown_id_is_not_found(report: DuplicateReport) -> None:
    known = report.pairs.iloc[0].id_a
    with pytest.raises(RecordNotFoundError, match="no-such-id"):
        report.explain(known, "no-such-id")
    with pytest.raises(RecordNotFoundError):
        report.explain("no-such-id", known)


def test_a_compared_pair_below_the_floor_says_so(
    frame: pd.DataFrame, report: DuplicateReport
) -> None:
    weak = report.pairs[report.pairs["probability"] < 0.9]
    if not len(weak):
        pytest.skip("no weak pair in this sample")
    strict = find_duplicates(frame, engine="splink", threshold=0.999, min_probability=0.999)
    pair = weak.iloc[0]
    with pytest.raises(ValidationError, match=r"below 0\.999"):
        strict.explain(pair.id_a, pair.id_b)
