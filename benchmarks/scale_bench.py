"""Scale benchmark: every main operation on N generated contacts, each step in its own process.

    .venv/bin/python benchmarks/scale_bench.py --contacts 1000000
    .venv/bin/python benchmarks/scale_bench.py --contacts 10000000 --steps import,open,filter
    .venv/bin/python benchmarks/scale_bench.py --contacts 200000 --json out.json

The data is generated in a temporary folder (``--folder`` keeps it, and reuses what is
there): the project's generator (:func:`crmkit.samples.generate`) in parts of at most
1,000,000 contacts (``--part-size``; seeds 1, 2, ...; each part has its own accounts and
10% duplicates, messiness 0.3), written as one CSV the way a CRM exports it. An address
that an earlier part gave to another person gets ``-pK`` in its local part (part K): one
mailbox, one person, as within a part (``--shared-mailboxes`` keeps them, as before #14's
fix; at 2M contacts they made 85% of the duplicate search's false pairs). Each contact's
generator id goes to ``uid`` (so that the import keeps every row a record of its own, as
a first load of a CRM export would, and the duplicates found can be scored against the
generator's truth).

Steps, in order, each a fresh Python process whose peak memory (``VmHWM``) and seconds
are its own (the seconds are the operation's, after imports):

- ``import``: ``crm.import_file(csv, "contacts", create_accounts=True)`` into a new
  DuckDB file (20 owners added first);
- ``open``: ``crmkit.open`` and the first count;
- ``filter``: a combined filter (two owners, active, a country) and its count;
- ``reassign``: the contacts of two owners (about 10%) to a third, with history, then
  undone;
- ``df``: ``crm.contacts.df()`` of every contact (past ``crm.settings.max_frame_rows``
  it warns, and this step still builds the frame);
- ``batches``: ``crm.contacts.iter_batches()`` over every contact as pandas frames of
  100,000 rows (what a large selection should use instead of one frame);
- ``dedupe``: ``crm.contacts.find_duplicates()``, with pairwise precision, recall and F1
  of its clusters against the generator's truth (kept in ``out_N``: the clusters,
  ``clusters.parquet``, the matched pairs, ``links.parquet``, the fitted model's table,
  ``model.csv``; with ``--errors``, the false and missed pairs by which compared fields
  agree: :mod:`dedupe_errors`, written to ``out_N/dedupe_errors.md``);
- ``csv``, ``parquet``, ``vcard``: exports of every contact.

Prints one table of seconds and peak memory per step, and how each grows when the runs of
several sizes are given (``--contacts 1000000,5000000``). Not part of the test suite.
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
import warnings
from pathlib import Path
from typing import Any

STEPS = (
    "import",
    "open",
    "filter",
    "reassign",
    "df",
    "batches",
    "dedupe",
    "csv",
    "parquet",
    "vcard",
)
PART = 1_000_000
"""Contacts generated at a time: the generator holds a part in memory."""
OWNERS = 20


def _memory_mb(field: str = "VmHWM:") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return float("nan")


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------


EMAIL_COLUMNS = ("email", "secondary_email")
_EMAIL_KEY = r"\+[^@]*@"


def _email_keys(column: Any) -> Any:
    """An address as the matcher compares it: no spaces, no case, no ``+tag``."""
    import polars as pl

    return pl.col(column).str.strip_chars().str.to_lowercase().str.replace(_EMAIL_KEY, "@")


def own_mailboxes(frame: Any, part: int, seen: Any) -> tuple[Any, Any]:
    """``frame`` (a part's contacts) with the addresses that an earlier part already gave
    to someone else made its own (``-p2`` added to the local part), and the addresses
    ``seen`` so far (a polars Series of keys) with this part's.

    Within a part the generator keeps two people's mailboxes apart; two parts, drawn
    from the same names and free-mail providers, do not ("michel.robin@free.fr" in part 1 and
    in part 2, two different people): at 2M contacts those pairs were 85% of the false
    pairs, each a pair that any matcher, and a person, would take for one contact.
    """
    import polars as pl

    fixed = frame.with_columns(
        pl.when(_email_keys(c).is_in(seen.implode()))
        .then(pl.col(c).str.replace(r"^(\s*[^@+\s]*)", f"${{1}}-p{part}"))
        .otherwise(pl.col(c))
        .alias(c)
        for c in EMAIL_COLUMNS
        if c in frame.columns
    )
    keys = [
        fixed.select(_email_keys(c).alias("key"))["key"].drop_nulls()
        for c in EMAIL_COLUMNS
        if c in frame.columns
    ]
    return fixed, pl.concat([seen, *keys]).unique()


def make_data(
    n: int, folder: Path, part_size: int = PART, shared_mailboxes: bool = False
) -> dict[str, Path]:
    """The contacts CSV, the owners CSV and the truth (``uid``, ``entity``) of N contacts,
    generated in parts of ``part_size`` (one mailbox per person across parts, unless
    ``shared_mailboxes``: :func:`own_mailboxes`)."""
    import polars as pl

    from crmkit.samples import generate

    paths = {
        "contacts": folder / f"contacts_{n}.csv",
        "owners": folder / f"owners_{n}.csv",
        "truth": folder / f"truth_{n}.parquet",
    }
    if all(p.exists() for p in paths.values()):
        return paths
    truths, owners = [], []
    seen = pl.Series("key", [], dtype=pl.String)
    with paths["contacts"].open("wb") as out:
        for part, start in enumerate(range(0, n, part_size), start=1):
            size = min(part_size, n - start)
            data = generate(
                n_accounts=max(10, size // 5),
                n_contacts=size,
                seed=part,
                messiness=0.3,
                duplicates=0.1,
                n_owners=OWNERS,
            )
            written = data.write(folder / f"part_{n}_{part}")
            frame = pl.read_csv(written["contacts"], infer_schema=False)
            frame = frame.with_columns(
                (pl.lit(f"p{part}-") + pl.col("source_id")).alias("uid"),
                (pl.lit(f"p{part}-") + pl.col("entity_id")).alias("entity"),
            )
            if not shared_mailboxes:
                frame, seen = own_mailboxes(frame, part, seen)
            truths.append(frame.select("uid", "entity"))
            frame = frame.drop("entity_id", "source_id", "entity")
            frame.write_csv(out, include_header=part == 1)
            owners.append(pl.read_csv(written["owners"], infer_schema=False))
    # Each part has owners of its own: the CRM needs all of them (an unknown owner
    # rejects the row).
    pl.concat(owners).unique("name", keep="first", maintain_order=True).write_csv(paths["owners"])
    pl.concat(truths).write_parquet(paths["truth"])
    return paths


# --------------------------------------------------------------------------------------
# Steps (each in a subprocess)
# --------------------------------------------------------------------------------------


def _owners(crm: Any) -> list[str]:
    """Three owners of French contacts (the two first own about a tenth of all contacts)."""
    sample = crm.contacts.filter(country="FR").columns("owner").limit(2000).df()
    return [str(o) for o in sample["owner"].value_counts().index[:3]]


def clusters_path(folder: Path, n: int) -> Path:
    """Where the ``dedupe`` step keeps its clusters (``id``, ``cluster_id``)."""
    return folder / f"out_{n}" / "clusters.parquet"


def links_path(folder: Path, n: int) -> Path:
    """Where the ``dedupe`` step keeps the pairs it matched (``id_a``, ``id_b``,
    ``probability`` and each comparison's level)."""
    return folder / f"out_{n}" / "links.parquet"


def step(
    name: str, paths: dict[str, Path], db: Path, out: Path, errors: bool = False
) -> dict[str, Any]:
    import pandas as pd

    import crmkit as ck
    import crmkit._dedupe
    import crmkit._importing._pipeline

    info: dict[str, Any] = {}
    if name == "import":
        db.unlink(missing_ok=True)
        started = time.perf_counter()
        with ck.open(db, user="bench") as crm:
            for row in pd.read_csv(paths["owners"], dtype=str).to_dict("records"):
                crm.owners.add(row["name"], email=row["email"], team=row["team"])
            report = crm.import_file(
                paths["contacts"], "contacts", create_accounts=True, progress=False
            )
        seconds = time.perf_counter() - started
        info = {"inserted": report.inserted, "rejected": report.n_rejected}
        info["rows_per_s"] = round(report.inserted / seconds) if seconds else None
        return {"seconds": seconds, **info}
    with ck.open(db, user="bench") as crm:
        owners = _owners(crm) if name in ("filter", "reassign") else []
    started = time.perf_counter()
    with ck.open(db, user="bench") as crm:
        if name == "open":
            info["count"] = len(crm.contacts.all())
        elif name == "filter":
            info["matched"] = len(crm.contacts.filter(owner=owners[:2], active=True, country="FR"))
        elif name == "reassign":
            report = crm.contacts.filter(owner=owners[:2]).reassign(owners[2])
            info["changed"] = report.changed
            if report.batch_id is not None:
                crm.undo(report.batch_id)
        elif name == "df":
            warnings.simplefilter("ignore", ck.LargeFrameWarning)
            frame = crm.contacts.df()
            info["rows"], info["columns"] = frame.shape
            info["frame_mb"] = round(frame.memory_usage(deep=True).sum() / 2**20)
        elif name == "batches":
            info["rows"] = sum(len(b) for b in crm.contacts.iter_batches(100_000))
        elif name == "dedupe":
            report = crm.contacts.find_duplicates(learn=False)
            seconds = time.perf_counter() - started
            peak = _memory_mb()
            info = scores(crm, report.clusters, paths["truth"])
            info["candidate_pairs"] = report.stats["candidate_pairs"]
            report.cluster_frame().to_parquet(out / "clusters.parquet")
            matched = report.pairs[report.pairs["probability"] >= report.threshold]
            links = matched.drop(columns="explanation", errors="ignore").reset_index(drop=True)
            links.to_parquet(out / "links.parquet")
            if report.model is not None:
                report.model.table().to_csv(out / "model.csv", index=False)
                info["model"] = {
                    k: v for k, v in report.model.info.items() if isinstance(v, int | float)
                } | {"prior": report.model.prior}
            if errors:
                from dedupe_errors import analyse

                truth = pd.read_parquet(paths["truth"])
                found, text = analyse(crm, report.clusters, truth, info, links)
                (out / "dedupe_errors.md").write_text(text + "\n")
                info["errors"] = found
            return {"seconds": seconds, "search_peak_mb": round(peak), **info}
        elif name == "csv":
            info["rows"] = crm.contacts.all().export(out / "contacts.csv").rows
        elif name == "parquet":
            info["rows"] = crm.contacts.all().export(out / "contacts.parquet").rows
        elif name == "vcard":
            info["rows"] = crm.contacts.all().export_vcf(out / "contacts.vcf").rows
    return {"seconds": time.perf_counter() - started, **info}


def scores(crm: Any, clusters: list[list[Any]], truth_path: Path) -> dict[str, Any]:
    """Pairwise precision, recall and F1 of the clusters against the generator's truth,
    counted per entity (no pair is listed)."""
    import pandas as pd

    uids = crm.contacts.all().columns("id", "uid").df()
    truth = pd.read_parquet(truth_path)
    entity_of = dict(zip(truth["uid"], truth["entity"], strict=True))
    records = pd.DataFrame({"id": uids["id"].astype("int64"), "entity": uids["uid"].map(entity_of)})
    cluster_of = {record: number for number, members in enumerate(clusters) for record in members}
    records["cluster"] = records["id"].map(cluster_of)

    def pairs(sizes: pd.Series) -> int:
        return int((sizes * (sizes - 1) // 2).sum())

    true_pairs = pairs(records.groupby("entity").size())
    found_pairs = pairs(records.dropna(subset=["cluster"]).groupby("cluster").size())
    both = pairs(records.dropna(subset=["cluster"]).groupby(["cluster", "entity"]).size())
    precision = both / found_pairs if found_pairs else 0.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_pairs": true_pairs,
        "found_pairs": found_pairs,
    }


# --------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------


def _run_step(name: str, folder: Path, n: int, errors: bool = False) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            str(folder),
            str(n),
            name,
            *(["--errors"] if errors else []),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return {"step": name, "contacts": n, "error": done.stderr.strip()[-2000:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _table(results: list[dict[str, Any]]) -> str:
    sizes = sorted({r["contacts"] for r in results})
    head = ["step", *(f"{n:,}: s / MB" for n in sizes), "detail (largest size)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in STEPS:
        rows = {r["contacts"]: r for r in results if r["step"] == name}
        if not rows:
            continue
        cells = []
        for n in sizes:
            row = rows.get(n)
            if row is None:
                cells.append("")
            elif "error" in row:
                cells.append("failed")
            else:
                cells.append(f"{row['seconds']:.1f} / {row['peak_memory_mb']:,.0f}")
        last = rows[max(rows)]
        detail = {
            k: v
            for k, v in last.items()
            if k not in ("step", "contacts", "seconds", "peak_memory_mb", "error")
        }
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {detail} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", default="1000000", help="sizes, comma-separated")
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--folder", type=Path, help="keep (and reuse) the data here")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--errors",
        action="store_true",
        help="dedupe: classify the false and missed pairs (benchmarks/dedupe_errors.py)",
    )
    parser.add_argument(
        "--part-size", type=int, default=PART, help="contacts generated at a time (one seed)"
    )
    parser.add_argument(
        "--shared-mailboxes",
        action="store_true",
        help="keep the addresses two parts give to two people (the data before #14's fix)",
    )
    parser.add_argument(
        "--worker", nargs=3, metavar=("FOLDER", "N", "STEP"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.worker:
        folder, n, name = Path(args.worker[0]), int(args.worker[1]), args.worker[2]
        out = folder / f"out_{n}"
        out.mkdir(exist_ok=True)
        db = folder / f"crm_{n}.duckdb"
        result = step(name, make_data(n, folder), db, out, args.errors)
        result = {
            "step": name,
            "contacts": n,
            **result,
            "seconds": round(result["seconds"], 2),
            "peak_memory_mb": round(_memory_mb()),
        }
        print(json.dumps(result))
        return
    sizes = [int(s) for s in args.contacts.split(",") if s]
    steps = [s for s in args.steps.split(",") if s]
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        parser.error(f"unknown steps {unknown}; known: {', '.join(STEPS)}")
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}",
        flush=True,
    )
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            started = time.perf_counter()
            make_data(n, folder, args.part_size, args.shared_mailboxes)
            print(f"{n:,} contacts generated in {time.perf_counter() - started:.0f} s", flush=True)
            for name in steps:
                row = _run_step(name, folder, n, args.errors)
                results.append(row)
                print(json.dumps(row), flush=True)
    print()
    print(_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
