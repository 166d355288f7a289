"""``dedupe`` and ``merge``: find duplicate records, with reasons, and merge them."""

from __future__ import annotations

import argparse
from typing import Any

import crmkit as ck
from crmkit._util._messages import message
from crmkit._util._optional import import_optional
from crmkit.cli._database import KINDS, open_crm, open_to_read, records_of
from crmkit.cli._exit_codes import EXIT_OK
from crmkit.cli._filters import add_filter_options, filter_keywords
from crmkit.cli._output import say, table

__all__ = [
    "add_decide_arguments",
    "add_dedupe_arguments",
    "add_merge_arguments",
    "run_decide",
    "run_dedupe",
    "run_merge",
]

# The rules of ``merge --prefer`` (those of ``crm.contacts.merge(prefer=...)``).
RULES = ("recent", "complete", "oldest", "client_first", "active_first")
# The columns of the pairs printed by ``dedupe``.
_PAIR_COLUMNS = ["id_a", "id_b", "probability", "explanation"]


def add_dedupe_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit dedupe``: the filters, then the engine and what to print or write."""
    add_filter_options(parser)
    parser.add_argument("--threshold", type=float, default=0.9, help="match probability")
    parser.add_argument("--engine", choices=["crmkit", "splink", "splink-spark"], default="crmkit")
    _add_identity(parser)
    parser.add_argument(
        "--no-tf",
        action="store_false",
        dest="tf_adjust",
        help="weigh every exact agreement of a field the same, however common the value "
        "(no term-frequency adjustment; crmkit engine)",
    )
    parser.add_argument("--new", type=int, help="only records an import batch added, vs all")
    parser.add_argument(
        "--spark-master",
        dest="spark_master",
        default="local[*]",
        help="with --engine splink-spark: the Spark master (local[*], spark://host:7077, yarn)",
    )
    parser.add_argument(
        "--staging",
        help="with --engine splink-spark: the folder Spark reads the records from "
        "(on a cluster, shared storage every executor reads)",
    )
    parser.add_argument("--show", type=int, default=20, help="pairs to print")
    parser.add_argument("--out", help="write every pair to this CSV")
    parser.add_argument(
        "--accuracy",
        action="store_true",
        help="after the pairs, print the estimated precision and recall (95%% intervals) "
        "from the review decisions (crm.contacts.duplicate_accuracy())",
    )


def add_merge_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit merge IDS... | --all``: what to merge and how, then the filters."""
    parser.add_argument("ids", nargs="*", type=int, help="ids of the records to merge")
    parser.add_argument(
        "--all", action="store_true", help="find duplicates and merge every likely cluster"
    )
    parser.add_argument(
        "--prefer",
        type=_rules,
        default="recent",
        help="which record survives and fills the fields: "
        f"{', '.join(RULES)}, or several in turn (client_first,recent)",
    )
    parser.add_argument("--survivor", type=int, help="the id to keep")
    parser.add_argument("--threshold", type=float, default=0.9)
    _add_identity(parser)
    parser.add_argument(
        "--min-probability",
        type=float,
        default=0.95,
        dest="min_probability",
        help="with --all: merge clusters whose pairs average at least this",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        dest="dry_run",
        help="print each survivor field by field, with the record each value comes from; "
        "write nothing",
    )
    add_filter_options(parser)


def add_decide_arguments(parser: argparse.ArgumentParser) -> None:
    """``crmkit decide A B same|different``: a reviewer's decision on one pair."""
    parser.add_argument("id_a", type=int)
    parser.add_argument("id_b", type=int)
    parser.add_argument("decision", choices=["same", "different"])
    parser.add_argument("--kind", choices=KINDS, default=KINDS[0])


def run_decide(args: argparse.Namespace) -> int:
    """Store the decision; the next ``dedupe`` learns from it."""
    with open_crm(args) as crm:
        batch = records_of(crm, args.kind).decide(args.id_a, args.id_b, args.decision)
        say(
            f"{args.kind[:-1]}s {args.id_a} and {args.id_b}: {args.decision} "
            f"(batch {batch}); the next dedupe learns from it"
        )
    return EXIT_OK


def _add_identity(parser: argparse.ArgumentParser) -> None:
    """``--identity``: what one contact is (the library's default when not given)."""
    parser.add_argument(
        "--identity",
        choices=["role", "person"],
        help="role: a person at a company; person: one person across jobs (job changes "
        "linked and listed); default: find_duplicates' own",
    )


def _search(args: argparse.Namespace) -> dict[str, Any]:
    """The keywords of ``find_duplicates`` that the command line sets."""
    options: dict[str, Any] = {"threshold": args.threshold, **filter_keywords(args)}
    if args.identity is not None:
        options["identity"] = args.identity
    if not getattr(args, "tf_adjust", True):  # dedupe's --no-tf (merge --all has none)
        options["tf_adjust"] = False
    return options


def _spark_session(master: str) -> Any:
    """A Spark session on ``master`` with Splink's similarity functions (the running one
    if there is one)."""
    sql, spark_backend = (
        import_optional(name, package=package, needed_by="--engine splink-spark", extra="spark")
        for name, package in (("pyspark.sql", "PySpark"), ("splink.backends.spark", "Splink"))
    )
    builder = sql.SparkSession.builder.master(master).appName("crmkit dedupe")
    builder = builder.config("spark.jars", spark_backend.similarity_jar_location())
    session = builder.config("spark.ui.showConsoleProgress", "false").getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _rules(text: str) -> str | list[str]:
    """``--prefer``: one rule, or rules separated by commas, applied in turn."""
    rules = [r.strip() for r in text.split(",") if r.strip()]
    unknown = [r for r in rules if r not in RULES]
    if unknown or not rules:
        raise argparse.ArgumentTypeError(
            f"unknown rule {', '.join(unknown) or repr(text)}; choose from {', '.join(RULES)}"
        )
    return rules[0] if len(rules) == 1 else rules


def run_dedupe(args: argparse.Namespace) -> int:
    """Print the likely duplicate pairs with their reasons; write them all to ``--out``."""
    with open_to_read(args) as crm:
        spark: dict[str, Any] = {}
        if args.engine == "splink-spark":
            spark = {"spark": _spark_session(args.spark_master), "staging": args.staging}
        report = records_of(crm, args.kind).find_duplicates(
            new=args.new, engine=args.engine, **spark, **_search(args)
        )
        say(report)
        if not report.pairs.empty:
            say(table(report.pairs[_PAIR_COLUMNS].head(args.show), max_colwidth=90))
        if not report.job_changes.empty:
            say(table(report.job_changes.head(args.show), max_colwidth=40))
        if args.out:
            report.pairs.to_csv(args.out, index=False)
            pairs = message("dup_pairs", count=len(report.pairs))
            say(message("written_to", what=pairs, path=args.out))
        if args.accuracy:
            say(_accuracy_text(records_of(crm, args.kind).duplicate_accuracy(report)))
    return EXIT_OK


def _accuracy_text(found: Any) -> str:
    """``--accuracy``: the estimate, one line a measure."""
    return (
        f"Accuracy at threshold {found.threshold:g} ({found.pairs_above:,} pairs at or "
        f"above), 95% intervals, {found.description}:\n"
        f"  precision {found.precision:.3f} [{found.precision_low:.3f}, "
        f"{found.precision_high:.3f}]\n"
        f"  recall    {found.recall:.3f} [{found.recall_low:.3f}, {found.recall_high:.3f}]"
    )


def run_merge(args: argparse.Namespace) -> int:
    """Merge the records given (two or more), or with ``--all`` every likely cluster."""
    # A dry run writes nothing: it may read a file other processes are reading too.
    with (open_to_read if args.dry_run else open_crm)(args) as crm:
        records = records_of(crm, args.kind)
        if args.all:
            report = records.find_duplicates(**_search(args))
            merged = records.merge_all(
                report,
                min_probability=args.min_probability,
                prefer=args.prefer,
                dry_run=args.dry_run,
            )
        else:
            if len(args.ids) < 2:
                raise ck.ValidationError("give two record ids or more, or --all")
            merged = records.merge(
                args.ids, survivor=args.survivor, prefer=args.prefer, dry_run=args.dry_run
            )
        say(merged)
        if args.dry_run and not merged.plan.empty:
            say(table(merged.plan, max_colwidth=60))
    return EXIT_OK
