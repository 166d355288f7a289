"""Shared by the streaming-export tests: a seeded table of every kind of value an export
meets (hostile text included), and XLSX cells read back as comparable JSON.

``tests/known_good/varied.csv`` and ``varied_xlsx.json`` were written by the exports of
crmkit before they streamed (openpyxl for XLSX), from :func:`varied_table` (run
``python tests/stream_samples.py`` with that version of crmkit to write them again).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import random
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa

KNOWN_GOOD = Path(__file__).resolve().parent / "known_good"

_TEXTS = [
    "Hélène", "伟", "王", "=1+1", "'=x", "@SUM(A1)", "-3", "+33 6 25 34 12 57", "a\r\nb",
    "ligne\rdeux", "\x1b[31mrouge", "nul\x00", "_x0041_", "#N/A", "Acme, Inc.; R&D",
    "tab\there", "😀 emoji", "", " espace ", "O'Brien", "x" * 300,
]  # fmt: skip


def varied_table(n: int = 90, seed: int = 7) -> pa.Table:
    """``n`` rows of every column kind an export writes, seeded."""
    rng = random.Random(seed)

    def maybe(value: Any, p: float = 0.15) -> Any:
        return None if rng.random() < p else value

    rows = range(n)
    utc = dt.UTC
    return pa.table(
        {
            "id": pa.array([i + 1 if i % 17 else 10**15 + i for i in rows], pa.int64()),
            "first_name": [maybe(rng.choice(_TEXTS)) for _ in rows],
            "notes": [maybe(" ".join(rng.choices(_TEXTS, k=3))) for _ in rows],
            "birthday": pa.array(
                [maybe(dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28)) for i in rows],
                pa.date32(),
            ),
            "active": [maybe(rng.random() < 0.5) for _ in rows],
            "tags": pa.array(
                [maybe(rng.sample(["vip", "b;c", "é,t", ""], rng.randrange(0, 3))) for _ in rows],
                pa.list_(pa.string()),
            ),
            "ratio": [
                maybe(rng.choice([1.5, -0.25, 1e20, 3.0, float("nan"), float("inf")])) for _ in rows
            ],
            "revenue": pa.array(
                [maybe(decimal.Decimal(f"{i}.25")) for i in rows], pa.decimal128(12, 2)
            ),
            "created_at": pa.array(
                [maybe(dt.datetime(2024, 1, 1, 8) + dt.timedelta(seconds=i * 3671)) for i in rows],
                pa.timestamp("us"),
            ),
            "seen": pa.array(
                [maybe(dt.datetime(2024, 3, 5, 14, 30, tzinfo=utc)) for _ in rows],
                pa.timestamp("us", "UTC"),
            ),
            "custom": [maybe(json.dumps({"k": rng.choice(_TEXTS)})) for _ in rows],
            "nothing": pa.nulls(n),
        }
    )


def xlsx_cells(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet of a workbook as rows of ``[type, value]`` (JSON-comparable), text as
    Excel shows it."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    out: dict[str, list[list[Any]]] = {}
    for sheet in book.worksheets:
        out[sheet.title] = [
            [_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)
        ]
    return out


def _cell(value: Any) -> list[Any]:
    if isinstance(value, str):
        # xlsxwriter escapes a literal "_x0041_" as "_x005F_x0041_" so that Excel shows it
        # as typed (openpyxl wrote it bare, and Excel showed "A"); openpyxl reads the
        # escape as it is.
        value = value.replace("_x005F_", "_")
    if isinstance(value, dt.datetime):
        return ["datetime", value.isoformat()]
    return [type(value).__name__, value]


def _write_known_good() -> None:  # pragma: no cover - run by hand with the old crmkit
    import tempfile

    from crmkit._formats import export_table

    KNOWN_GOOD.mkdir(exist_ok=True)
    export_table(varied_table(), KNOWN_GOOD / "varied.csv", kind="contacts", lang="fr")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "v.xlsx"
        export_table(varied_table(), out, kind="contacts", lang="fr")
        text = json.dumps(xlsx_cells(out), ensure_ascii=False, indent=0)
        (KNOWN_GOOD / "varied_xlsx.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_write_known_good())
