"""Revenue and headcount bands (crmkit.schemas._bands): labels, the band of a value, ranges,
and the SQL that gives the same band.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import crmkit as ck
from crmkit.schemas import (
    DEFAULT_HEADCOUNT_EDGES,
    DEFAULT_REVENUE_EDGES,
    Bands,
)
from crmkit.schemas._bands import format_amount


def test_bands_defaults() -> None:
    head = Bands("headcount", DEFAULT_HEADCOUNT_EDGES)
    assert head.labels[0] == "1-10" and head.labels[-1] == "5001+"
    assert head.band_of(0) == "1-10" and head.band_of(5001) == "5001+"
    assert head.band_of(None) is None
    rev = Bands("revenue", DEFAULT_REVENUE_EDGES)
    assert rev.range_of("1M-10M") == (1e6, 1e7)
    with pytest.raises(ck.UnknownValueError) as err:
        rev.index("1M-100M")
    assert "1M-10M" in str(err.value)


@given(st.floats(min_value=0, max_value=1e12), st.floats(min_value=0, max_value=1e12))
def test_band_of_is_monotonic(a: float, b: float) -> None:
    bands = Bands("revenue", DEFAULT_REVENUE_EDGES)
    low, high = sorted((a, b))
    assert bands.index(bands.band_of(low) or "") <= bands.index(bands.band_of(high) or "")


@given(st.lists(st.floats(min_value=0, max_value=1e9), min_size=1, max_size=6, unique=True))
def test_band_sql_matches_python(edges: list[float]) -> None:
    import duckdb

    bands = Bands("revenue", tuple(sorted(edges)))
    probes = sorted({*edges, 0.0, 1.0, 1e10, *(e + 0.5 for e in edges)})
    con = duckdb.connect()
    sql = f"SELECT {bands.sql_case('v')} FROM unnest(?::DOUBLE[]) t(v)"
    got = [r[0] for r in con.execute(sql, [probes]).fetchall()]
    assert got == [bands.band_of(p) for p in probes]


# -- the module's own functions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (999, "999"), (1500, "1.5K"), (1_000_000, "1M"), (2.5e8, "250M"),
     (1.25e9, "1.2B"), (3e12, "3T"), (-2_000_000, "-2M")],
)  # fmt: skip
def test_format_amount(value: float, text: str) -> None:
    assert format_amount(value) == text


def test_bands_refuse_bad_edges() -> None:
    for edges, message in (
        ((), "at least one edge"),
        ((10, 5), "strictly ascending"),
        ((1, 1), "strictly ascending"),
        ((-1, 5), "finite and >= 0"),
        ((0, float("inf")), "finite and >= 0"),
        (("a", 1), "a list of numbers"),
        ((True, 2), "a list of numbers"),
        ("0,10", "a list of numbers"),
    ):
        with pytest.raises(ck.ValidationError, match=message):
            Bands("revenue", edges)  # type: ignore[arg-type]


def test_bands_from_edges_labels_and_sql() -> None:
    bands = Bands.from_edges("headcount", [1, 10])
    assert bands.edges == (1.0, 10.0) and bands.labels == ("1-9", "10+")
    assert bands.band_of(0.5) == "1-9" and bands.band_of(float("nan")) is None
    assert bands.index(" 10 + ") == 1 and bands.range_of("10+") == (10.0, None)
    assert bands.sql_case("employees") == (
        "CASE WHEN employees IS NULL THEN NULL WHEN employees >= 10.0 THEN '10+' ELSE '1-9' END"
    )
    revenue = Bands("revenue", (0, 1.5e6))
    assert revenue.labels == ("0-1.5M", "1.5M+")
