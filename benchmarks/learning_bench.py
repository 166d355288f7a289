"""Benchmark learning from reviewers: how many decisions move F1, and how good
``report.accuracy()`` is against the truth.

A simulated reviewer answers from the truth (``entity_id`` of
:func:`crmkit.samples.generate`) for the pairs of the review queue in the widget's order
(``informative_order``: nearest the threshold first), ``k`` decisions in all; the search
is run again with the decisions as ``labels`` after each step (k = 0, 20, 50, 100, 200),
as a reviewer re-running ``crm.contacts.find_duplicates()`` would. Printed per step: the
threshold used, pairwise precision, recall and F1 of the pairs at or above it (recall
against every true pair, blocked or not), and the estimate of ``accuracy()`` with its 95%
interval next to the truth (recall among the scored candidate pairs, which is what it
estimates).

Run from the repository root::

    .venv/bin/python benchmarks/learning_bench.py
    .venv/bin/python benchmarks/learning_bench.py --contacts 5000 --messiness 0.8

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from crmkit import find_duplicates  # noqa: E402
from crmkit.samples import generate  # noqa: E402
from crmkit.widgets._review import informative_order  # noqa: E402

STEPS = (0, 20, 50, 100, 200)


def _truth(report: Any, entity: dict[int, Any], true_pairs: int) -> dict[str, float]:
    above = report.pairs[report.pairs["probability"] >= report.threshold]
    same = [entity[a] == entity[b] for a, b in zip(above["id_a"], above["id_b"], strict=True)]
    tp = int(sum(same))
    precision = tp / len(above) if len(above) else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # Recall among the scored candidates: what accuracy() estimates.
    scored = report._scored
    ids = report._run.table.ids
    a = [ids[i] for i in scored.a]
    b = [ids[i] for i in scored.b]
    truth = np.asarray([entity[x] == entity[y] for x, y in zip(a, b, strict=True)])
    found = truth & (scored.probability >= report.threshold)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "candidate_recall": float(found.sum() / max(truth.sum(), 1)),
    }


def _next_pairs(report: Any, answered: set[tuple[int, int]], count: int) -> list[tuple[int, int]]:
    pairs = report.pairs
    rows = list(zip(pairs["id_a"], pairs["id_b"], pairs["probability"], strict=True))
    order = informative_order(rows, report.threshold, report.clusters)
    out = []
    for k in order:
        key = (min(rows[k][0], rows[k][1]), max(rows[k][0], rows[k][1]))
        if key not in answered:
            out.append(key)
            if len(out) == count:
                break
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=4000)
    parser.add_argument("--messiness", type=float, default=0.8)
    parser.add_argument("--duplicates", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data = generate(
        max(args.contacts // 10, 1),
        args.contacts,
        seed=args.seed,
        messiness=args.messiness,
        duplicates=args.duplicates,
        locales=["fr", "en"],
    )
    frame = data.contacts.reset_index(drop=True)
    frame["id"] = np.arange(1, len(frame) + 1)
    entity = dict(zip(frame["id"].tolist(), frame["entity_id"].tolist(), strict=True))
    sizes = frame["entity_id"].value_counts()
    true_pairs = int((sizes * (sizes - 1) // 2).sum())
    records = frame.drop(columns=["entity_id"])
    print(
        f"{len(frame)} contacts, {true_pairs} true pairs, messiness {args.messiness}, "
        f"seed {args.seed}"
    )
    print(
        "| decisions | same / different | threshold | precision | recall | F1 | "
        "accuracy() precision [95%] | true | accuracy() recall [95%] | true (candidates) | s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    answers: list[tuple[int, int, str]] = []
    answered: set[tuple[int, int]] = set()
    report = find_duplicates(records)
    for step in STEPS:
        if step > len(answers):
            for a, b in _next_pairs(report, answered, step - len(answers)):
                answered.add((a, b))
                answers.append((a, b, "same" if entity[a] == entity[b] else "different"))
        labels = pd.DataFrame(answers, columns=["id_a", "id_b", "decision"])
        start = time.perf_counter()
        report = find_duplicates(records, labels=labels if len(labels) else None)
        seconds = time.perf_counter() - start
        truth = _truth(report, entity, true_pairs)
        acc = report.accuracy()
        n_same = int((labels["decision"] == "same").sum()) if len(labels) else 0
        print(
            f"| {len(labels)} | {n_same} / {len(labels) - n_same} | {report.threshold:.3f} | "
            f"{truth['precision']:.4f} | {truth['recall']:.4f} | {truth['f1']:.4f} | "
            f"{acc.precision:.4f} [{acc.precision_low:.4f}, {acc.precision_high:.4f}] | "
            f"{truth['precision']:.4f} | "
            f"{acc.recall:.4f} [{acc.recall_low:.4f}, {acc.recall_high:.4f}] | "
            f"{truth['candidate_recall']:.4f} | {seconds:.1f} |"
        )


if __name__ == "__main__":
    main()
