"""The errors of a duplicate search against a generator's truth, by which fields agree.

    .venv/bin/python benchmarks/dedupe_errors.py --folder /tmp/d14/2m --contacts 2000000

reads what ``scale_bench.py --folder F --contacts N --steps import,dedupe`` left in ``F``
(the database, the truth and the clusters of the ``dedupe`` step, ``out_N/clusters.parquet``)
and prints the false pairs (two records in one cluster, two entities in the truth) and the
missed pairs (one entity, not in one cluster) grouped by the pattern of the compared fields:
for each of the contacts' default comparisons, whether the two records' values agree
(``=``: a normalised value in common, as the matcher normalises them), disagree (``≠``),
or one is missing (``·``), and whether both records come from the same generator part
(``scale_bench`` generates its data in parts of 1M contacts, each from a seed of its own).

A false pair is *identical* when every compared field agrees or is missing on both sides:
no compared field tells the two records apart, and no matcher could. The summary gives
their share and the precision and F1 once they are left out (issue #14's alternative).

``scale_bench.py --errors`` runs the same analysis at the end of its ``dedupe`` step.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl

from crmkit._dedupe._comparisons import Comparison, default_comparisons
from crmkit._dedupe._normalise import normalise

AGREE, DIFFER, MISSING, BOTH_MISSING = "=", "≠", "·", " "
TOP = 15


def _pairs_within(groups: pl.DataFrame, key: str) -> pl.DataFrame:
    """Every pair ``id_a < id_b`` of records sharing ``key`` (with both rows' columns)."""
    left = groups.rename({c: f"{c}_a" for c in groups.columns if c != key})
    right = groups.rename({c: f"{c}_b" for c in groups.columns if c != key})
    return left.join(right, on=key).filter(pl.col("id_a") < pl.col("id_b"))


def error_pairs(
    records: pl.DataFrame, links: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The false pairs and the missed pairs of ``records`` (``id``, ``entity``, ``part``,
    ``cluster``: null when in no cluster), each pair with both records' part and whether
    it is one of ``links`` (``id_a``, ``id_b``: the pairs the search matched; a false pair
    that is not was put in one cluster through other records)."""
    clustered = records.filter(pl.col("cluster").is_not_null())
    found = _pairs_within(clustered.select("cluster", "id", "entity", "part"), "cluster")
    false = found.filter(pl.col("entity_a") != pl.col("entity_b"))
    truth = _pairs_within(records.select("entity", "id", "cluster", "part"), "entity")
    missed = truth.filter(
        pl.col("cluster_a").is_null()
        | pl.col("cluster_b").is_null()
        | (pl.col("cluster_a") != pl.col("cluster_b"))
    )
    columns = ["id_a", "id_b", "part_a", "part_b", "linked"]
    return _linked(false, links).select(columns), _linked(missed, links).select(columns)


def _linked(pairs: pl.DataFrame, links: pl.DataFrame | None) -> pl.DataFrame:
    if links is None:
        return pairs.with_columns(pl.lit(None, pl.Boolean).alias("linked"))
    ends = links.select(
        pl.min_horizontal("id_a", "id_b").cast(pl.Int64).alias("id_a"),
        pl.max_horizontal("id_a", "id_b").cast(pl.Int64).alias("id_b"),
        pl.lit(True).alias("linked"),
    ).unique(["id_a", "id_b"])
    joined = pairs.join(ends, on=["id_a", "id_b"], how="left")
    return joined.with_columns(pl.col("linked").fill_null(False))


def _keys(frame: pd.DataFrame, comparison: Comparison) -> list[frozenset[str]]:
    """Each record's normalised values for ``comparison`` (any of its columns)."""
    columns = [c for c in comparison.columns if c in frame.columns]
    if not columns:
        return [frozenset()] * len(frame)
    present = Comparison(comparison.name, comparison.method, tuple(columns))
    values = {c: frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in columns}
    regions = frame["country"].tolist() if "country" in frame.columns else [None] * len(frame)
    keyed = normalise(present, values, regions, "FR")
    return [frozenset(k for k in ks if k) for ks in zip(*keyed, strict=True)]


def agreement(
    records: pd.DataFrame,
    pairs: pl.DataFrame,
    comparisons: Sequence[Comparison] | None = None,
) -> pd.DataFrame:
    """Per pair and comparison: ``=``, ``≠``, ``·`` (one side missing) or `` `` (both).

    ``records`` has the ``id`` and the compared columns of (at least) the pairs' records.
    """
    comparisons = comparisons or default_comparisons("contacts")
    records = records.drop_duplicates("id").reset_index(drop=True)
    row = {int(i): n for n, i in enumerate(records["id"].tolist())}
    a = [row[int(i)] for i in pairs["id_a"].to_list()]
    b = [row[int(i)] for i in pairs["id_b"].to_list()]
    out = pd.DataFrame({"id_a": pairs["id_a"].to_list(), "id_b": pairs["id_b"].to_list()})
    for comparison in comparisons:
        keys = _keys(records, comparison)
        states = []
        for i, j in zip(a, b, strict=True):
            ki, kj = keys[i], keys[j]
            if ki and kj:
                states.append(AGREE if ki & kj else DIFFER)
            else:
                states.append(MISSING if ki or kj else BOTH_MISSING)
        out[comparison.name] = states
    out["same_part"] = (pairs["part_a"] == pairs["part_b"]).to_list()
    out["linked"] = pairs["linked"].to_list()
    return out


def patterns(table: pd.DataFrame, names: Sequence[str], top: int = TOP) -> pd.DataFrame:
    """The most frequent patterns of ``table`` (from :func:`agreement`) with their counts."""
    if table.empty:
        return pd.DataFrame(columns=["pattern", "same part", "linked", "pairs", "share"])
    pattern = table[list(names)].apply(lambda r: " ".join(f"{n}{r[n]}" for n in names), axis=1)
    counts = (
        pd.DataFrame(
            {
                "pattern": pattern,
                "same part": table["same_part"],
                "linked": table["linked"].astype(str),
            }
        )
        .value_counts()
        .rename("pairs")
        .reset_index()
    )
    counts["share"] = (counts["pairs"] / len(table)).round(4)
    return counts.head(top)


LEVEL_MARKS = {
    "exact": "=",
    "close": "~",
    "similar": "≈",
    "nickname": "n",
    "initial": "i",
    "same_local": "L",
    "partial": "p",
    "different": "≠",
}


def matched_levels(false: pd.DataFrame, links: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """The matcher's own levels of the false pairs it matched (``links``: the search's
    matched pairs with a column per comparison), as marks: ``=`` exact, ``~`` close, ``≈``
    similar, ``n`` nickname, ``i`` initial, ``L`` same local part, ``p`` partial, ``≠``
    different, ``·`` missing."""
    columns = [n for n in names if n in links.columns]
    ends = links.assign(
        id_a=links[["id_a", "id_b"]].min(axis=1).astype("int64"),
        id_b=links[["id_a", "id_b"]].max(axis=1).astype("int64"),
    )[["id_a", "id_b", "probability", *columns]]
    pairs = false.loc[false["linked"].fillna(False).astype(bool), ["id_a", "id_b", "same_part"]]
    pairs = pairs.astype({"id_a": "int64", "id_b": "int64"})
    out = pairs.merge(ends.drop_duplicates(["id_a", "id_b"]), on=["id_a", "id_b"])
    for name in columns:
        out[name] = out[name].astype(object).map(lambda v: LEVEL_MARKS.get(v, "·"))
    out["linked"] = True
    return out


def identical(table: pd.DataFrame, names: Sequence[str]) -> pd.Series:
    """Pairs no compared field tells apart: each agrees or is missing on both sides."""
    return table[list(names)].isin([AGREE, BOTH_MISSING]).all(axis=1)


def _short(names: Sequence[str]) -> dict[str, str]:
    return {n: n.replace("_name", "").replace("postal_code", "postal") for n in names}


def _without(scores: dict[str, Any], wrong: int, left_out: int) -> float:
    """F1 once ``left_out`` of the ``wrong`` false pairs are not counted as found."""
    found = scores["found_pairs"] - left_out
    precision = (scores["found_pairs"] - wrong) / found if found else 0.0
    recall = float(scores["recall"])
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def summary(
    false: pd.DataFrame,
    missed: pd.DataFrame,
    scores: dict[str, Any],
    names: Sequence[str],
    totals: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Counts of the false pairs (identical, across parts, one mailbox across parts) and
    F1 without the identical ones and without those of one mailbox. ``totals``: the
    numbers of false and missed pairs when ``false`` and ``missed`` are samples of them
    (the counts are scaled up)."""
    n_false, n_missed = totals or (len(false), len(missed))
    scale = n_false / len(false) if len(false) else 0.0

    def count(mask: pd.Series) -> int:
        return round(float(mask.sum()) * scale)

    if len(false):
        same = identical(false, names)
        # One address given to two people by two generator parts (scale_bench's
        # own_mailboxes makes them distinct since).
        mailbox = (false["email"] == AGREE) & ~false["same_part"].astype(bool)
        across = ~false["same_part"].astype(bool)
        linked = false["linked"].fillna(False).astype(bool)
    else:
        same = mailbox = across = linked = pd.Series([], dtype=bool)
    n_identical, n_mailbox = count(same), count(mailbox)
    return {
        "false_pairs": n_false,
        "false_pairs_matched_share": round(float(linked.mean()), 4) if len(false) else 0.0,
        "false_pairs_across_parts": count(across),
        "false_pairs_identical": n_identical,
        "identical_share": round(n_identical / n_false, 4) if n_false else 0.0,
        "f1_without_identical": round(_without(scores, n_false, n_identical), 4),
        "false_pairs_one_mailbox_across_parts": n_mailbox,
        "f1_without_one_mailbox_across_parts": round(_without(scores, n_false, n_mailbox), 4),
        "false_pairs_agree_share": {
            n: round(float((false[n] == AGREE).mean()), 4) for n in names if len(false)
        },
        "missed_pairs": n_missed,
        "missed_across_parts": round(
            float((~missed["same_part"].astype(bool)).sum())
            * (n_missed / len(missed) if len(missed) else 0.0)
        ),
        "true_pairs": scores["true_pairs"],
    }


def _read_records(crm: Any, ids: set[int], columns: Sequence[str]) -> pd.DataFrame:
    """The records of ``ids`` with ``columns``, read in batches (memory: one batch)."""
    wanted = pd.Index(sorted(ids))
    parts = []
    for batch in crm.contacts.all().columns("id", *columns).iter_batches(200_000):
        parts.append(batch[batch["id"].astype("int64").isin(wanted)])
    return pd.concat(parts, ignore_index=True)


def analyse(
    crm: Any,
    clusters: list[list[Any]],
    truth: pd.DataFrame,
    scores: dict[str, Any],
    links: pd.DataFrame | None = None,
    *,
    sample: int = 200_000,
) -> tuple[dict[str, Any], str]:
    """The summary and a markdown report of the errors of ``clusters`` against ``truth``
    (``uid``, ``entity``; the part is the ``uid``'s prefix up to ``-``); ``links``: the
    pairs the search matched (``id_a``, ``id_b``), to tell a false pair matched itself
    from one joined through other records.

    At most ``sample`` false pairs and ``sample`` missed pairs are classified (a random
    sample, seed 0, when more); the counts of the summary are over all of them.
    """
    uids = pl.from_pandas(crm.contacts.all().columns("id", "uid").df())
    truth_pl = pl.from_pandas(truth[["uid", "entity"]])
    members = pl.DataFrame(
        {
            "id": [int(i) for c in clusters for i in c],
            "cluster": [n for n, c in enumerate(clusters) for _ in c],
        },
        schema={"id": pl.Int64, "cluster": pl.Int64},
    )
    records = (
        uids.with_columns(pl.col("id").cast(pl.Int64))
        .join(truth_pl, on="uid", how="left")
        .with_columns(pl.col("uid").str.split("-").list.first().alias("part"))
        .join(members, on="id", how="left")
    )
    links_pl = None if links is None else pl.from_pandas(links[["id_a", "id_b"]])
    false_all, missed_all = error_pairs(records, links_pl)
    false_pl = false_all.sample(sample, seed=0) if len(false_all) > sample else false_all
    missed_pl = missed_all.sample(sample, seed=0) if len(missed_all) > sample else missed_all
    comparisons = default_comparisons("contacts")
    names = [c.name for c in comparisons]
    columns = sorted({c for comp in comparisons for c in comp.columns} - {"id"})
    ids = set(false_pl["id_a"].to_list()) | set(false_pl["id_b"].to_list())
    ids |= set(missed_pl["id_a"].to_list()) | set(missed_pl["id_b"].to_list())
    frame = _read_records(crm, ids, columns)
    false = agreement(frame, false_pl, comparisons)
    missed = agreement(frame, missed_pl, comparisons)
    info = summary(false, missed, scores, names, (len(false_all), len(missed_all)))
    info["classified"] = {"false": len(false), "missed": len(missed)}
    levels = None if links is None else matched_levels(false, links, names)
    return info, report(false, missed, info, names, levels)


def report(
    false: pd.DataFrame,
    missed: pd.DataFrame,
    info: dict[str, Any],
    names: Sequence[str],
    levels: pd.DataFrame | None = None,
) -> str:
    """Markdown: the summary, then the top patterns of the false and the missed pairs (and
    the matcher's levels of the false pairs it matched: ``levels``)."""
    short = _short(names)
    legend = (
        f"`=` agree, `≠` differ, `·` missing on one side, blank: on both "
        f"(comparisons: {', '.join(short.values())})"
    )
    lines = [
        f"false pairs: {info['false_pairs']:,} ({info['false_pairs_across_parts']:,} across "
        f"generator parts); identical on every compared field: "
        f"{info['false_pairs_identical']:,} ({info['identical_share']:.1%}), F1 without them "
        f"{info['f1_without_identical']}; pairs the search matched (not joined through "
        f"others): {info['false_pairs_matched_share']:.1%}",
        f"one address given to two people by two generator parts (`email=`, not the same "
        f"part): {info['false_pairs_one_mailbox_across_parts']:,} false pairs; without "
        f"them F1 {info['f1_without_one_mailbox_across_parts']}",
        f"missed pairs: {info['missed_pairs']:,} ({info['missed_across_parts']:,} across parts)",
        f"classified: {info['classified']['false']:,} false and "
        f"{info['classified']['missed']:,} missed pairs (a random sample when more)",
        "",
        legend,
    ]
    tables = [("false pairs", false), ("missed pairs", missed)]
    if levels is not None:
        tables.append(("false pairs the search matched, by the matcher's levels", levels))
        lines += [
            "",
            "matcher's levels: `=` exact, `~` close, `≈` similar, `n` nickname, `i` initial, "
            "`L` same local part, `p` partial, `≠` different, `·` missing",
        ]
    for title, table in tables:
        top = patterns(table.rename(columns=short), list(short.values()))
        lines += ["", f"#### {title}: top patterns", ""]
        lines.append("| pattern | same part | matched pair | pairs | share |")
        lines.append("|---|---|---|---:|---:|")
        for _, row in top.iterrows():
            linked = {"True": "yes", "False": "no"}.get(row["linked"], "?")
            lines.append(
                f"| `{row['pattern']}` | {'yes' if row['same part'] else 'no'} | {linked} | "
                f"{row['pairs']:,} | {row['share']:.1%} |"
            )
        if len(table):
            agree = ", ".join(
                f"{short[n]} {float((table[n] == AGREE).mean()):.0%}"
                for n in names
                if n in table.columns
            )
            lines += ["", f"agreeing ({title}): {agree}"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    import crmkit as ck

    sys.path.insert(0, str(Path(__file__).parent))
    from scale_bench import clusters_path, links_path, scores

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--contacts", type=int, required=True)
    parser.add_argument("--sample", type=int, default=200_000)
    args = parser.parse_args(argv)
    n = args.contacts
    truth_path = args.folder / f"truth_{n}.parquet"
    clusters = pd.read_parquet(clusters_path(args.folder, n)).groupby("cluster_id")["id"].agg(list)
    clusters_list = [list(c) for c in clusters.tolist()]
    truth = pd.read_parquet(truth_path)
    with ck.open(args.folder / f"crm_{n}.duckdb", user="bench") as crm:
        found = scores(crm, clusters_list, truth_path)
        links_file = links_path(args.folder, n)
        links = pd.read_parquet(links_file) if links_file.exists() else None
        info, text = analyse(crm, clusters_list, truth, found, links, sample=args.sample)
    print({**found, **{k: v for k, v in info.items() if not isinstance(v, dict)}})
    print(text)


if __name__ == "__main__":
    main()
