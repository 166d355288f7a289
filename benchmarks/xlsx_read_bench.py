"""XLSX reading benchmark: calamine (crmkit's reader today) against the openpyxl path.

On N generated contacts written to a workbook (default 100,000 rows, 20 columns, with
openpyxl's write-only mode, cached in the work folder), in the same run and each in its
own process (so that its peak memory is its own):

- ``calamine``: ``read_table(path)`` read to the end in chunks, as an import reads it;
- ``openpyxl``: the same with the reader's openpyxl path (the one before calamine, still
  used where calamine would not give the same cells);
- ``import``: ``crm.import_file(path, "contacts", create_accounts=True)`` end to end
  (reading and normalising), with each reader.

Both readers give the same cells (checked here on the whole file, and in
tests/test_xlsx_calamine.py).

    .venv/bin/python benchmarks/xlsx_read_bench.py             # 100k rows
    .venv/bin/python benchmarks/xlsx_read_bench.py --n 20000   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from import_bench import make_csv, peak_mb  # noqa: E402


def make_xlsx(n: int, folder: Path) -> Path:
    """The generated contacts of ``make_csv`` as a workbook (cached by size)."""
    path = folder / f"contacts_{n}.xlsx"
    if path.exists():
        return path
    import openpyxl
    import polars as pl

    csv_path, _ = make_csv(n, folder)
    frame = pl.read_csv(csv_path, infer_schema=False)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Contacts")
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        sheet.append(list(row))
    book.save(path)
    return path


def _use_openpyxl() -> None:
    import crmkit._formats._xlsx_reader as reader

    reader.open_calamine = lambda path: None  # type: ignore[assignment]


def run_read(path: Path, reader: str) -> dict[str, float]:
    from crmkit._formats import read_table

    if reader == "openpyxl":
        _use_openpyxl()
    started = time.perf_counter()
    chunks = iter(read_table(path).chunks(50_000, progress=False))
    seconds = time.perf_counter() - started
    rows = 0
    digest = 0
    while True:  # the clock runs while reading, not while checking the cells
        started = time.perf_counter()
        chunk = next(chunks, None)
        seconds += time.perf_counter() - started
        if chunk is None:
            break
        rows += len(chunk.lines)
        cells = chunk.frame.map(lambda v: f"{type(v).__name__}:{v}")
        digest ^= hash(tuple(map(tuple, cells.itertuples(index=False))))
    return {"seconds": seconds, "rows": rows, "digest": digest}


def run_import(path: Path, reader: str, db: Path) -> dict[str, float]:
    import crmkit as ck

    if reader == "openpyxl":
        _use_openpyxl()
    started = time.perf_counter()
    with ck.open(db, user="bench") as crm:
        report = crm.import_file(path, "contacts", create_accounts=True, progress=False)
    return {"seconds": time.perf_counter() - started, "rows": report.inserted, "digest": 0}


def measure(part: str, reader: str, path: Path, work: Path) -> dict[str, float]:
    db = work / f"xlsx_{reader}.duckdb"
    for leftover in (db, Path(f"{db}.wal")):
        leftover.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONHASHSEED="0")
    command = [sys.executable, str(HERE), "--child", part, "--reader", reader]
    out = subprocess.run(
        [*command, "--xlsx", str(path), "--db", str(db)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="rows of the workbook")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "crmkit_bench"))
    parser.add_argument("--no-import", action="store_true", help="time reading only")
    parser.add_argument("--child")
    parser.add_argument("--reader")
    parser.add_argument("--xlsx")
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.child:
        if args.child == "read":
            result = run_read(Path(args.xlsx), args.reader)
        else:
            result = run_import(Path(args.xlsx), args.reader, Path(args.db))
        result["peak_mb"] = peak_mb()
        print(json.dumps(result))
        return
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    path = make_xlsx(args.n, work)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; workbook: {args.n:,} rows, "
        f"{path.stat().st_size / 1e6:.0f} MB"
    )
    parts = ["read"] if args.no_import else ["read", "import"]
    print(f"{'step':<8}{'reader':<10}{'seconds':>10}{'rows/s':>12}{'peak MB':>10}")
    for part in parts:
        results = {reader: measure(part, reader, path, work) for reader in ("openpyxl", "calamine")}
        for reader, r in results.items():
            print(
                f"{part:<8}{reader:<10}{r['seconds']:>10.1f}{r['rows'] / r['seconds']:>12,.0f}"
                f"{r['peak_mb']:>10,.0f}"
            )
        same = results["openpyxl"]["digest"] == results["calamine"]["digest"]
        ratio = results["openpyxl"]["seconds"] / results["calamine"]["seconds"]
        note = f", same cells: {same}" if part == "read" else ""
        print(f"{part}: calamine {ratio:.1f}x faster than openpyxl{note}")


if __name__ == "__main__":
    main()
