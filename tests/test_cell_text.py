"""Values as the text of a CSV cell (crmkit._formats._cell_text): numbers, booleans in three
languages, dates, lists, JSON, binary, missing values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from crmkit._formats._cell_text import (
    BOOL_WORDS,
    base64_text,
    csv_converter,
    format_float,
    join_list,
    json_text,
)
from crmkit._formats._controls import Cleaner


@pytest.mark.parametrize(
    ("value", "decimal", "text"),
    [
        (4_200_000.0, ",", "4200000"),
        (12.5, ",", "12,5"),
        (12.5, ".", "12.5"),
        (-0.25, ",", "-0,25"),
        (float("nan"), ".", ""),
        (1e20, ".", "1e+20"),
        (float("inf"), ".", "inf"),
    ],
)
def test_format_float(value: float, decimal: str, text: str) -> None:
    assert format_float(value, decimal) == text


def test_join_list_json_text_and_base64_text() -> None:
    assert join_list(["vip", None, 3]) == "vip; 3"
    assert join_list([]) == "" and join_list(None) is None
    assert json_text({"note": "été"}) == '{"note": "été"}'
    assert json_text([("k", 1), ("l", None)]) == '{"k": 1, "l": null}'  # a map's pairs
    assert json_text([1, "a"]) == '[1, "a"]'
    assert json_text({"when": dt.date(2024, 1, 5)}) == '{"when": "2024-01-05"}'
    assert json_text(None) is None
    assert base64_text(b"\x89PNG") == "iVBORw==" and base64_text(None) is None


@pytest.mark.parametrize(
    ("kind", "values", "cells"),
    [
        ("int", [1, None, -7], ["1", "", "-7"]),
        ("float", [1.0, None, 2.25], ["1", "", "2,25"]),
        ("decimal", [Decimal("1.50"), None], ["1,50", ""]),
        ("bool", [True, False, None], ["oui", "non", ""]),
        ("date", [dt.date(2024, 3, 5), None], ["2024-03-05", ""]),
        ("timestamp", [dt.datetime(2024, 3, 5, 14, 30, 0, 999_999)], ["2024-03-05 14:30:00"]),
        ("list", [["a", "=b"], ["=c", "d"], None], ["a; =b", "'=c; d", ""]),
        ("binary", [b"x", None], ["eA==", ""]),
        ("json", [{"k": "=v"}, None], ['{"k": "=v"}', ""]),
        ("null", [None, None], ["", ""]),
        ("text", ["=1+1", "", None, "+33625341257"], ["'=1+1", "", "", "+33625341257"]),
        ("other", [dt.time(9, 30), None], ["09:30:00", ""]),
    ],
)
def test_csv_converter(kind: str, values: list[Any], cells: list[str]) -> None:
    assert csv_converter(kind, BOOL_WORDS["fr"], ",")(values) == cells


def test_csv_converter_strips_controls_before_neutralising() -> None:
    cleaner = Cleaner()
    convert = csv_converter("text", BOOL_WORDS["en"], ".", cleaner)
    # A formula must not hide behind a control character that is then dropped.
    assert convert(["\x00=1+1", "ok", "\x1b[31mrouge"]) == ["'=1+1", "ok", "rouge"]
    assert cleaner.changed == 2
    assert BOOL_WORDS["zh"] == ("是", "否")
