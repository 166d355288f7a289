"""Column-wise normalisation: the vectorised paths give exactly the scalar results."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit import _normalize as norm
from crmkit._columns import ColumnOptions, clean_column, normalize_column, text_of
from crmkit.schemas import ACCOUNTS, CONTACTS

_ODD = "\t\n\r \u00a0\u202f\u2009\u3000\u200b\ufeff\x0b\x0c\x85\u2028e\u0301"
cells = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list(_ODD)), max_size=20),
    st.sampled_from(["NA", "na", "Nan", "nan", "#N/A", "未知", "—", "Non renseigné", " - "]),
)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(cells, max_size=30))
def test_clean_column_matches_clean_text(values: list[str | None]) -> None:
    assert clean_column(values) == [norm.clean_text(v) for v in values]


def test_clean_column_falls_back_for_typed_cells() -> None:
    assert clean_column([75008.0, 3, None, " a "]) == ["75008", "3", None, "a"]
    assert text_of(75008.0) == "75008"


def test_normalize_column_kinds() -> None:
    opts = ColumnOptions()
    res = normalize_column(CONTACTS["birthday"], ["05/03/1980", "31/02/1980", None], opts)
    assert str(res.values[0]) == "1980-03-05" and res.errors[1] and res.values[2] is None
    res = normalize_column(ACCOUNTS["employees"], ["50-99", "85", "x"], opts)
    assert res.values[:2] == [None, 85] and res.side["employees_range_min"][0] == 50
    assert res.errors[2]
    regions = ["GB", "FR", None]
    res = normalize_column(CONTACTS["mobile"], ["07700 900123"] * 3, opts, regions)
    assert res.values[0] == "+447700900123" and res.warnings[1]


@given(
    st.from_regex(
        r"https?://[A-Za-z0-9][A-Za-z0-9.-]{0,20}(/[A-Za-z0-9._~%/?#=&-]{0,20})?", fullmatch=True
    )
)
def test_url_fast_path_matches_normalize_url(url: str) -> None:
    assert norm.normalize_url(url) == norm._rebuilt_url(url)
