"""An import's memory does not grow with the file: the rows it has seen are kept compactly.

The import remembers every row's match keys to find a later row that is the same record
(``FileGroups``). Kept as a Python object per row and key, that memory grew by some 500
bytes a row (1.2-1.6 GB per million rows with the rest); kept in a ``KeyIndex`` it is
about 115 bytes a row. Measured in a subprocess (how much its peak resident memory grows
over the second half of 400,000 rows routed as the import routes them, chunk by chunk).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

_ROUTE_ROWS = textwrap.dedent(
    """
    import json
    from crmkit._importing._matching import FileGroups, Group

    scratch_limit = {scratch_limit!r}
    if scratch_limit:  # the DuckDB that keeps the rows seen, made small: it must spill
        import crmkit._importing._scratch as scratch
        scratch.SCRATCH_MEMORY_LIMIT = scratch_limit

    def peak_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024

    groups = FileGroups()
    rows, chunk_rows, measured_from = {rows}, 50_000, {measured_from}
    for start in range(0, rows, chunk_rows):
        keys = [
            [f"uid:U{{i:09d}}", f"email:contact.number.{{i}}@example-company-{{i % 997}}.fr"]
            for i in range(start, start + chunk_rows)
        ]
        groups.load(keys)
        for i, row_keys in enumerate(keys):
            if groups.group_of(row_keys, None) is None:
                group = Group(row_keys[0], start + i + 2, f"U{{start + i:09d}}", None, i)
                group.record_id = start + i + 1
                groups.join(group, row_keys, None)
        groups.flush()
        if start + chunk_rows == measured_from:
            before = peak_mb()
    # Every row is still found by either of its keys.
    last = rows - 1
    email = f"email:contact.number.{{last}}@example-company-{{last % 997}}.fr"
    wanted = [["uid:U000000007"], [email]]
    groups.load(wanted)
    found = [(g.line, g.record_id, g.uid) for g in (groups.group_of(k, None) for k in wanted)]
    grown = (peak_mb() - before) * 2**20 / (rows - measured_from)
    print(json.dumps({{"bytes_a_row": grown, "found": found}}))
    """
)


def _route_rows(rows: int, measured_from: int, scratch_limit: str | None = None) -> float:
    """Route the keys of ``rows`` rows as an import does; bytes the peak grows a row after."""
    script = _ROUTE_ROWS.format(rows=rows, measured_from=measured_from, scratch_limit=scratch_limit)
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["found"] == [[9, 8, "U000000007"], [rows + 1, rows, f"U{rows - 1:09d}"]]
    return float(result["bytes_a_row"])


def test_rows_seen_by_an_import_take_little_memory() -> None:
    rows = 400_000
    bytes_a_row = _route_rows(rows, measured_from=rows // 2)
    # The peak grows from the first half of the rows to the second by about 560 bytes a
    # row with a Python object per row and key, by about 320 with the compact index (115
    # held, the rest the copies of a merge of its runs).
    assert bytes_a_row < 450, bytes_a_row


_IMPORT_ROWS = textwrap.dedent(
    """
    import json, sys
    import crmkit as ck

    def peak_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024

    rows, folder = {rows}, {folder!r}
    csv = f"{{folder}}/c{{rows}}.csv"
    with open(csv, "w", encoding="utf-8") as out:
        out.write("Prénom,Nom,Email,Notes\\n")
        note = " ".join(["note"] * 300)
        for i in range(rows):
            email = f"c.{{i}}@example-{{i % 997}}.fr"
            out.write(f"P{{i % 5000}},Nom{{i}},{{email}},{{i:08d}} {{note}}\\n")
    with ck.open(f"{{folder}}/c{{rows}}.duckdb") as crm:
        report = crm.import_file(csv, chunk_rows=10_000, workers=1, progress=False)
    print(json.dumps({{"inserted": report.inserted, "peak_mb": peak_mb()}}))
    """
)


def _import_peak(rows: int, folder: Path) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_ROWS.format(rows=rows, folder=str(folder))],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["inserted"] == rows
    return float(result["peak_mb"])


def test_an_import_does_not_hold_the_whole_file_in_memory(tmp_path: Path) -> None:
    """Committed chunk by chunk, the rows written are DuckDB's to keep on disk.

    As one transaction, DuckDB held every inserted row (and its history) uncommitted in
    memory: the peak grew by about 7,000 bytes a row of this file (rows of some 1,550
    bytes) from 15,000 rows to 60,000; committed a chunk at a time, by 3,800-4,200 (not
    explained yet: the match keys, ids and the end-of-batch checks account for a few
    hundred; measured on a shared machine).
    """
    small, large = 15_000, 60_000
    grown = (_import_peak(large, tmp_path) - _import_peak(small, tmp_path)) * 2**20
    assert grown / (large - small) < 5_500, grown / (large - small)


def test_rows_seen_by_an_import_stay_within_a_bounded_memory() -> None:
    """The keys of the rows seen live in the import's own DuckDB, under its memory limit.

    Kept in the process (a compact ``KeyIndex`` and NumPy columns), they grew the peak by
    about 260 bytes a row over the last three quarters of 400,000 rows; kept in DuckDB
    with a 24 MB limit (spilling the rest to disk), by about 25 (the Python objects of the
    chunk being routed).
    """

    rows = 400_000
    bytes_a_row = _route_rows(rows, measured_from=rows // 4, scratch_limit="24MB")
    assert bytes_a_row < 100, bytes_a_row
