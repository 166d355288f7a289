"""What reading vCards gives back (crmkit._formats._vcard_result): records as a DataFrame in
catalog order, errors and warnings.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import polars as pl
import pytest
from vcard_samples import (
    FIXTURES,
    PNG,
    column,
)

from crmkit._exceptions import UnknownValueError
from crmkit._formats import (
    VCARD_COLUMNS,
    read_vcf,
    records_to_frame,
)
from crmkit._formats._vcard_result import VCardError, VCardParseResult
from crmkit.schemas._catalog import CONTACTS


def test_frame_types(backend: str) -> None:
    frame = read_vcf(FIXTURES / "ezvcard__fullcontact.vcf", backend=backend)
    assert column(frame, "tags") == [["Tag"]]
    birthday = column(frame, "birthday")[0]
    assert birthday == date(2016, 8, 1) or birthday == pd.Timestamp("2016-08-01")
    assert '"TITLE": "Title2"' in column(frame, "custom")[0]
    photo = column(
        read_vcf(FIXTURES / "android__v21_blackberry_photo.vcf", backend=backend), "photo"
    )
    assert photo[0].startswith(PNG)
    with pytest.raises(UnknownValueError):
        records_to_frame([], "spark")  # type: ignore[arg-type]


def test_columns_follow_the_catalog() -> None:
    fields = [f.name for f in CONTACTS]
    positions = [fields.index("account_id" if c == "org" else c) for c in VCARD_COLUMNS]
    assert positions == sorted(positions)


# -- the module's own functions ----------------------------------------------------------


def test_vcard_error_text() -> None:
    error = VCardError(2, 5, "no END:VCARD", ("BEGIN:VCARD", "N:Blou"), kept=True)
    assert str(error) == "card 2, line 5: no END:VCARD (card kept)\n    BEGIN:VCARD\n    N:Blou"
    assert str(VCardError(None, 1, "the input is empty")) == "line 1: the input is empty"


def test_parse_result_repr_and_frame(backend: str) -> None:
    result = VCardParseResult(
        records=[
            {"last_name": "Blou", "birthday": date(1980, 1, 15), "custom": {"X-SKYPE": "hb"}},
            {"org": "APROOL", "tags": ["vip"], "photo": b"\x89PNG", "custom": {}},
        ],
        errors=[VCardError(3, 9, "x")],
    )
    assert repr(result) == "VCardParseResult(2 records, 1 errors, 0 warnings)"
    frame = result.to_frame(backend)  # type: ignore[arg-type]
    assert list(frame.columns) == list(VCARD_COLUMNS) and len(frame) == 2
    assert column(frame, "last_name") == ["Blou", None]
    assert column(frame, "org") == [None, "APROOL"]
    assert column(frame, "custom") == ['{"X-SKYPE": "hb"}', None]
    assert column(frame, "tags")[1] == ["vip"] and column(frame, "photo")[1] == b"\x89PNG"
    assert pd.Timestamp(column(frame, "birthday")[0]) == pd.Timestamp("1980-01-15")


def test_empty_records_make_a_frame_with_every_column() -> None:
    frame = records_to_frame([], "polars")
    assert frame.columns == list(VCARD_COLUMNS) and frame.height == 0
    assert frame.schema["birthday"] == pl.Date and frame.schema["tags"] == pl.List(pl.String)
