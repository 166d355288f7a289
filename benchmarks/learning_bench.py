"""Benchmark learning from reviewers: how many decisions move F1, and how good
``report.accuracy()`` is against the truth.

A simulated reviewer answers from the truth (``entity_id`` of
:func:`crmkit.samples.generate`) for the pairs of the review queue in the widget's order
(``informative_order``: nearest the threshold first, with a random check from
``report.audit_pairs()`` as every ``--audit-every``-th pair, as the widget does;
``--audit-every 0``: none), ``k`` decisions in all; the search
is run again with the decisions as ``labels`` after each step (k = 0, 20, 50, 100, 200),
as a reviewer re-running ``crm.contacts.find_duplicates()`` would. Printed per step: the
threshold used, pairwise precision, recall and F1 of the pairs at or above it (recall
against every true pair, blocked or not), and the estimate of ``accuracy()`` with its 95%
interval next to the truth (recall among the scored candidate pairs, which is what it
estimates). With several ``--seeds``, a last line says how often the intervals held the
truth over all rows.

Run from the repository root::

    .venv/bin/python benchmarks/learning_bench.py
    .venv/bin/python benchmarks/learning_bench.py --contacts 5000 --messiness 0.8
    .venv/bin/python benchmarks/learning_bench.py --seeds 1 2 7 --audit-every 0

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
from crmkit.widgets._review import (  # noqa: E402
    AUDIT_EVERY,
    informative_order,
    interleave_audits,
)

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


def _next_pairs(
    report: Any, answered: set[tuple[int, int]], count: int, audit_every: int
) -> list[tuple[int, int]]:
    pairs = report.pairs
    rows = list(zip(pairs["id_a"], pairs["id_b"], pairs["probability"], strict=True))
    order = informative_order(rows, report.threshold, report.clusters)

    def key(a: Any, b: Any) -> tuple[int, int]:
        return (min(int(a), int(b)), max(int(a), int(b)))

    ordered = [key(rows[k][0], rows[k][1]) for k in order]
    audits = report.audit_pairs()
    drawn = [key(a, b) for a, b in zip(audits["id_a"], audits["id_b"], strict=True)]
    ordered = [p for p in ordered if p not in answered]
    drawn = [p for p in drawn if p not in answered]
    queue = interleave_audits(ordered, drawn, audit_every)
    return [pair for pair, _audit in queue[:count]]


def _run(args: argparse.Namespace, seed: int) -> list[tuple[bool, bool]]:
    data = generate(
        max(args.contacts // 10, 1),
        args.contacts,
        seed=seed,
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
        f"\n{len(frame)} contacts, {true_pairs} true pairs, messiness {args.messiness}, "
        f"seed {seed}, a random check every {args.audit_every} pairs"
    )
    print(
        "| decisions | same / different | audits | threshold | precision | recall | F1 | "
        "accuracy() precision [95%] | accuracy() recall [95%] | true (candidates) | s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    answers: list[tuple[int, int, str]] = []
    answered: set[tuple[int, int]] = set()
    audited = 0
    held: list[tuple[bool, bool]] = []
    report = find_duplicates(records)
    for step in STEPS:
        if step > len(answers):
            above_cut = set(
                zip(report.pairs["id_a"].astype(int), report.pairs["id_b"].astype(int), strict=True)
            )
            for a, b in _next_pairs(report, answered, step - len(answers), args.audit_every):
                answered.add((a, b))
                audited += (a, b) not in above_cut and (b, a) not in above_cut
                answers.append((a, b, "same" if entity[a] == entity[b] else "different"))
        labels = pd.DataFrame(answers, columns=["id_a", "id_b", "decision"])
        start = time.perf_counter()
        report = find_duplicates(records, labels=labels if len(labels) else None)
        seconds = time.perf_counter() - start
        truth = _truth(report, entity, true_pairs)
        acc = report.accuracy()
        n_same = int((labels["decision"] == "same").sum()) if len(labels) else 0
        held.append(
            (
                acc.precision_low <= truth["precision"] <= acc.precision_high,
                acc.recall_low <= truth["candidate_recall"] <= acc.recall_high,
            )
        )
        mark = ["" if ok else " ✗" for ok in held[-1]]
        print(
            f"| {len(labels)} | {n_same} / {len(labels) - n_same} | {audited} | "
            f"{report.threshold:.3f} | "
            f"{truth['precision']:.4f} | {truth['recall']:.4f} | {truth['f1']:.4f} | "
            f"{acc.precision:.4f} [{acc.precision_low:.4f}, {acc.precision_high:.4f}]{mark[0]} | "
            f"{acc.recall:.4f} [{acc.recall_low:.4f}, {acc.recall_high:.4f}]{mark[1]} | "
            f"{truth['candidate_recall']:.4f} | {seconds:.1f} |"
        )
    return held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=4000)
    parser.add_argument("--messiness", type=float, default=0.8)
    parser.add_argument("--duplicates", type=float, default=0.15)
    parser.add_argument("--seeds", type=int, nargs="+", default=[7])
    parser.add_argument("--audit-every", type=int, default=AUDIT_EVERY, dest="audit_every")
    args = parser.parse_args()
    held = [row for seed in args.seeds for row in _run(args, seed)]
    print(
        f"\nIntervals holding the truth over {len(held)} rows: precision "
        f"{sum(p for p, _ in held)}, recall {sum(r for _, r in held)}"
    )


if __name__ == "__main__":
    main()
