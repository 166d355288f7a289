"""The ``crmkit`` command line: the same operations as the notebook API.

Every subcommand opens the CRM named by ``--db`` (default: ``$CRMKIT_DB`` or
``crm.duckdb``), calls the facade a notebook user calls, prints what it did and closes
the database.

Exit codes scripts can rely on:

- 0: success;
- 1: an error (bad input, unknown owner, undo conflict, unreadable file ...), printed as
  one line without a traceback;
- 2: wrong usage (unknown subcommand or option);
- 3: success with rejected rows (an import or a validation that found rows it could not
  store).

Nothing stored is written raw to the terminal: every line printed goes through
:func:`~crmkit._util._shorten.printable`, so a value holding a terminal escape sequence
(``ESC[2J`` clears the screen), a NUL or a bidirectional override shows as ``\\x1b[2J``
instead of acting; values quoted in error messages are cut short.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

import crmkit as ck
from crmkit._exceptions import CRMKitError
from crmkit._util._shorten import printable, shorten

__all__ = [
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_REJECTED",
    "EXIT_USAGE",
    "band_summary",
    "load_sample_folder",
    "main",
]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3
# Characters of an error message printed before it is cut.
_ERROR_CHARS = 500


def load_sample_folder(crm: ck.CRM, folder: str | Path, progress: bool = False) -> list[Any]:
    """Load the generator's ``owners.csv``, ``accounts.csv`` and ``contacts.csv``.

    Owners are added one by one; accounts and contacts go through the import pipeline
    (contacts create the accounts they name when missing). Returns the import reports.
    """
    folder = Path(folder)
    owners = pd.read_csv(folder / "owners.csv", dtype=str, keep_default_na=False)
    for team in sorted({t for t in owners.get("team", pd.Series(dtype=str)) if t}):
        crm.owners.add(team, kind="team")
    for row in owners.to_dict("records"):
        crm.owners.add(
            str(row["name"]),
            email=str(row.get("email") or "") or None,
            team=str(row.get("team") or "") or None,
        )
    accounts = crm.import_file(folder / "accounts.csv", "accounts", progress=progress)
    contacts = crm.import_file(
        folder / "contacts.csv", "contacts", create_accounts=True, progress=progress
    )
    return [accounts, contacts]


def band_summary(crm: ck.CRM, kind: str = "revenue") -> pd.DataFrame:
    """Accounts per revenue (or headcount) band, in band order, with revenue totals."""
    column = "revenue_band" if kind == "revenue" else "headcount_band"
    frame = crm.accounts.summary(by=column).frame.rename(
        columns={column: "band", "count": "accounts"}
    )
    frame["band"] = frame["band"].astype(object).where(frame["band"].notna(), "(unknown)")
    return frame


# -- helpers -----------------------------------------------------------------------------


def _say(value: Any = "") -> None:
    """Print to stdout with control characters escaped (stored values are data)."""
    print(printable(str(value)))


def _warn(message: str) -> None:
    print(f"crmkit: warning: {printable(message)}", file=sys.stderr)


def _table(frame: pd.DataFrame, max_colwidth: int) -> str:
    """``frame.to_string`` with text cells escaped first, so the columns stay aligned."""

    def cell(value: Any) -> Any:
        return printable(value) if isinstance(value, str) else value

    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object or pd.api.types.is_string_dtype(shown[column]):
            shown[column] = shown[column].map(cell)
    shown.columns = [printable(str(c)) for c in shown.columns]
    return str(shown.to_string(index=False, max_colwidth=max_colwidth))


def _open(args: argparse.Namespace, read_only: bool = False) -> ck.CRM:
    return ck.open(args.db, user=args.user, read_only=read_only)


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword filters from the shared filter options."""
    out: dict[str, Any] = {}
    for option, key in (
        ("search", "search"),
        ("owner", "owner"),
        ("sector", "sector"),
        ("revenue_band", "revenue_band"),
        ("headcount_band", "headcount_band"),
        ("account", "account"),
        ("entity", "entity"),
        ("origin", "origin"),
        ("tag", "tags"),
    ):
        value = getattr(args, option, None)
        if value:
            out[key] = value
    if getattr(args, "active", None) is not None:
        key = "active" if args.kind == "contacts" else "archived"
        out[key] = args.active if args.kind == "contacts" else not args.active
    for item in getattr(args, "where", None) or []:
        field, sep, value = item.partition("=")
        if not sep:
            raise ck.ValidationError(f"--where takes field=value, got {shorten(item)}")
        out.setdefault(field.strip(), []).append(value)
    return out


def _selection(crm: ck.CRM, args: argparse.Namespace) -> ck.Selection:
    records = crm.contacts if args.kind == "contacts" else crm.accounts
    return records.filter(**_filters(args))


def _add_filter_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters (combine with AND; repeat for OR)")
    group.add_argument("--kind", choices=["contacts", "accounts"], default="contacts")
    group.add_argument("--search", help="text in names, email, company, job title or phone")
    group.add_argument("--owner", action="append", help="owner name, email or team")
    group.add_argument("--sector", action="append")
    group.add_argument("--revenue-band", action="append", dest="revenue_band")
    group.add_argument("--headcount-band", action="append", dest="headcount_band")
    group.add_argument("--account", action="append", help="account name or id (contacts)")
    group.add_argument("--entity", action="append")
    group.add_argument("--origin", action="append")
    group.add_argument("--tag", action="append")
    group.add_argument(
        "--active",
        action="store_true",
        default=None,
        help="active contacts / accounts not archived",
    )
    group.add_argument(
        "--inactive",
        action="store_false",
        dest="active",
        help="contacts who left / archived accounts",
    )
    group.add_argument(
        "--where", action="append", metavar="FIELD=VALUE", help="any catalog field equal to a value"
    )


def _read_options(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("encoding", "delimiter", "sheet", "header_row"):
        value = getattr(args, name, None)
        if value is not None:
            out[name] = int(value) if name == "sheet" and str(value).isdigit() else value
    return out


def _mapping(items: Sequence[str] | None) -> dict[str, str | None] | None:
    if not items:
        return None
    mapping: dict[str, str | None] = {}
    for item in items:
        header, sep, field = item.partition("=")
        if not sep:
            raise ck.ValidationError(f"--map takes 'Header=field', got {shorten(item)}")
        mapping[header] = field or None
    return mapping


# -- subcommands -------------------------------------------------------------------------


def _cmd_import(args: argparse.Namespace) -> int:
    with _open(args) as crm:
        report = crm.import_file(
            args.file,
            args.kind,
            mapping=_mapping(args.map),
            mode=args.mode,
            match_on=args.match_on.split(",") if args.match_on else None,
            dry_run=args.dry_run,
            create_accounts=args.create_accounts,
            create_owners=args.create_owners,
            dayfirst=not args.month_first,
            region=args.region,
            progress=not args.quiet,
            **_read_options(args),
        )
        _say(report)
        if args.rejects and report.n_rejected:
            report.rejected.to_csv(args.rejects, index=False)
            _say(f"rejected rows written to {args.rejects}")
    return EXIT_REJECTED if report.n_rejected else EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    args.dry_run, args.rejects, args.mode = True, args.rejects, "upsert"
    args.map, args.match_on, args.create_owners = args.map, None, args.create_owners
    return _cmd_import(args)


def _cmd_preview(args: argparse.Namespace) -> int:
    with _open(args, read_only=Path(args.db).exists()) as crm:
        preview = crm.preview_import(
            args.file, args.kind, mapping=_mapping(args.map), rows=args.rows, **_read_options(args)
        )
        _say(preview)
        if not preview.problems.empty:
            _say("\nProblems:")
            _say(_table(preview.problems.head(args.show), max_colwidth=60))
    return EXIT_OK


def _cmd_filter(args: argparse.Namespace) -> int:
    with _open(args, read_only=Path(args.db).exists()) as crm:
        sel = _selection(crm, args)
        if args.columns:
            sel = sel.columns(*args.columns.split(","))
        if args.out:
            result = sel.export(args.out, lang=args.lang)
            _say(f"{result.rows:,} {args.kind} written to {result.path}")
            for warning in result.warnings:
                _warn(warning)
            return EXIT_OK
        _say(
            repr(sel.limit(args.limit)).replace(
                f"{min(args.limit, len(sel)):,} records", f"{len(sel):,} records", 1
            )
        )
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    with _open(args, read_only=Path(args.db).exists()) as crm:
        sel = _selection(crm, args)
        out = Path(args.out)
        if out.suffix.lower() in (".vcf", ".zip"):
            result = sel.export_vcf(
                out, version=args.vcard_version, zip=args.zip or out.suffix.lower() == ".zip"
            )
            _say(f"{result.rows:,} contacts written to {result.path}")
            for warning in result.warnings:
                _warn(warning)
        else:
            columns = args.columns.split(",") if args.columns else None
            result = sel.export(out, columns=columns, lang=args.lang, excel=args.excel)
            _say(f"{result.rows:,} {args.kind} written to {result.path}")
            for warning in result.warnings:
                _warn(warning)
    return EXIT_OK


def _cmd_reassign(args: argparse.Namespace) -> int:
    with _open(args) as crm:
        sel = _selection(crm, args)
        report = sel.reassign(to=args.to if len(args.to) > 1 else args.to[0], cascade=args.cascade)
        _say(report)
    return EXIT_OK


def _cmd_dedupe(args: argparse.Namespace) -> int:
    with _open(args, read_only=Path(args.db).exists()) as crm:
        records = crm.contacts if args.kind == "contacts" else crm.accounts
        report = records.find_duplicates(
            new=args.new, threshold=args.threshold, engine=args.engine, **_filters(args)
        )
        _say(report)
        columns = ["id_a", "id_b", "probability", "explanation"]
        if not report.pairs.empty:
            _say(_table(report.pairs[columns].head(args.show), max_colwidth=90))
        if args.out:
            report.pairs.to_csv(args.out, index=False)
            _say(f"{len(report.pairs):,} pairs written to {args.out}")
    return EXIT_OK


def _cmd_merge(args: argparse.Namespace) -> int:
    with _open(args) as crm:
        records = crm.contacts if args.kind == "contacts" else crm.accounts
        options: dict[str, Any] = {"prefer": args.prefer}
        if args.all:
            report = records.find_duplicates(threshold=args.threshold, **_filters(args))
            merged = records.merge_all(report, min_probability=args.min_probability, **options)
        else:
            if len(args.ids) < 2:
                raise ck.ValidationError("give two record ids or more, or --all")
            merged = records.merge(args.ids, survivor=args.survivor, **options)
        _say(merged)
    return EXIT_OK


def _cmd_undo(args: argparse.Namespace) -> int:
    with _open(args) as crm:
        batch = args.batch
        if batch == "last":  # the newest change still in force
            rows = crm.sql(
                "SELECT max(id) FROM batches WHERE undone_by IS NULL AND operation <> 'undo'"
            ).fetchall()
            if rows[0][0] is None:
                raise ck.UndoError("there is no batch to undo")
            batch = rows[0][0]
        elif not str(batch).isdigit():
            raise ck.ValidationError(f"undo takes a batch id or 'last', got {shorten(batch)}")
        summary = crm.undo(int(batch))
        _say(
            f"undid batch {summary.undone_batch} as batch {summary.batch_id}: "
            f"{summary.restored_fields} fields restored, {summary.removed_records} records "
            f"removed, {summary.restored_records} records put back"
        )
    return EXIT_OK


def _cmd_history(args: argparse.Namespace) -> int:
    with _open(args, read_only=Path(args.db).exists()) as crm:
        if args.id is None and args.batch is None:
            _say(_table(crm.batches(limit=args.limit), max_colwidth=50))
            return EXIT_OK
        frame = crm.history(args.kind if args.id is not None else None, args.id, args.batch)
        columns = [
            "changed_at",
            "batch_id",
            "operation",
            "actor",
            "table",
            "record_id",
            "field",
            "old",
            "new",
        ]
        _say(_table(frame[columns].head(args.limit), max_colwidth=40))
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    db = Path(args.db)
    db.parent.mkdir(parents=True, exist_ok=True)
    with ck.open(db, user=args.user or "Demo") as crm:
        _say(f"Loading {args.samples} into {db}")
        for report in load_sample_folder(crm, args.samples):
            _say(report)
        _say("\nRows per table:")
        for name, n in crm.counts().items():
            _say(f"  {name:<15}{n:>8,}")
        _say("\nAccounts by revenue band (fourchette de CA):")
        _say(band_summary(crm, "revenue").to_string(index=False))
        _say("\nAccounts by headcount band:")
        _say(band_summary(crm, "headcount")[["band", "accounts"]].to_string(index=False))
    return EXIT_OK


def _cmd_samples(args: argparse.Namespace) -> int:
    from crmkit.samples import write_sample_files

    paths = write_sample_files(
        args.out, seed=args.seed, n_accounts=args.accounts, n_contacts=args.contacts
    )
    for name, path in paths.items():
        _say(f"{name:<18}{path}")
    return EXIT_OK


# -- parser ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``crmkit`` command."""
    parser = argparse.ArgumentParser(
        prog="crmkit",
        description="CRM accounts and contacts in DuckDB: import, clean, filter, reassign, "
        "export, undo.",
        epilog="Exit codes: 0 ok, 1 error, 2 usage, 3 done with rejected rows.",
    )
    parser.add_argument(
        "--db",
        default=os.environ.get("CRMKIT_DB", "crm.duckdb"),
        help="DuckDB file (default: $CRMKIT_DB or crm.duckdb)",
    )
    parser.add_argument(
        "--user",
        default=os.environ.get("CRMKIT_USER"),
        help="who is working (history actor, default owner)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def file_command(name: str, help_text: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument("file", help="CSV, XLSX or vCard file")
        cmd.add_argument("--kind", choices=["contacts", "accounts"], default="contacts")
        cmd.add_argument(
            "--map",
            action="append",
            metavar="HEADER=FIELD",
            help="override the mapping of a column (empty field: custom)",
        )
        cmd.add_argument("--encoding")
        cmd.add_argument("--delimiter")
        cmd.add_argument("--sheet", help="XLSX sheet name or 0-based index")
        cmd.add_argument("--header-row", type=int, dest="header_row")
        return cmd

    imp = file_command("import", "import a file of contacts or accounts")
    imp.add_argument("--mode", choices=["create", "update", "upsert"], default="upsert")
    imp.add_argument("--match-on", dest="match_on", help="comma-separated fields")
    imp.add_argument("--dry-run", action="store_true", dest="dry_run")
    imp.add_argument("--create-accounts", action="store_true", dest="create_accounts")
    imp.add_argument("--create-owners", action="store_true", dest="create_owners")
    imp.add_argument(
        "--month-first", action="store_true", dest="month_first", help="read 03/04/2024 as March 4"
    )
    imp.add_argument("--region", help="phone region for numbers without +country")
    imp.add_argument("--rejects", help="write rejected rows to this CSV")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.set_defaults(func=_cmd_import)

    val = file_command("validate", "check a file as an import would, writing nothing")
    val.add_argument("--create-accounts", action="store_true", dest="create_accounts")
    val.add_argument("--create-owners", action="store_true", dest="create_owners")
    val.add_argument("--month-first", action="store_true", dest="month_first")
    val.add_argument("--region")
    val.add_argument("--rejects", help="write rejected rows to this CSV")
    val.add_argument("--quiet", action="store_true")
    val.set_defaults(func=_cmd_validate)

    pre = file_command("preview", "show the column mapping and problems of a file")
    pre.add_argument("--rows", type=int, default=1000, help="rows to check")
    pre.add_argument("--show", type=int, default=30, help="problems to list")
    pre.set_defaults(func=_cmd_preview)

    flt = sub.add_parser("filter", help="list matching records, or write them to a file")
    _add_filter_options(flt)
    flt.add_argument("--columns", help="comma-separated columns")
    flt.add_argument("--limit", type=int, default=20, help="rows to print")
    flt.add_argument("--out", help="write to .csv / .xlsx / .parquet instead of printing")
    flt.add_argument("--lang", choices=["en", "fr", "zh"])
    flt.set_defaults(func=_cmd_filter)

    exp = sub.add_parser("export", help="export matching records (.csv .xlsx .parquet .vcf)")
    exp.add_argument("out", help="file to write; .vcf or .zip writes vCards")
    _add_filter_options(exp)
    exp.add_argument("--columns", help="comma-separated columns")
    exp.add_argument("--lang", choices=["en", "fr", "zh"])
    exp.add_argument("--excel", action="store_true", help="CSV for Excel (BOM, ';' in fr)")
    exp.add_argument("--zip", action="store_true", help="one vCard per contact in a zip")
    exp.add_argument("--vcard-version", choices=["3.0", "4.0"], default="3.0", dest="vcard_version")
    exp.set_defaults(func=_cmd_export)

    rea = sub.add_parser("reassign", help="give matching records to an owner (or several)")
    rea.add_argument(
        "--to",
        action="append",
        required=True,
        help="new owner; repeat to spread the records round-robin",
    )
    rea.add_argument("--cascade", action="store_true", help="accounts: move their contacts too")
    _add_filter_options(rea)
    rea.set_defaults(func=_cmd_reassign)

    ded = sub.add_parser("dedupe", help="find duplicate contacts or accounts, with reasons")
    _add_filter_options(ded)
    ded.add_argument("--threshold", type=float, default=0.9, help="match probability")
    ded.add_argument("--engine", choices=["crmkit", "splink"], default="crmkit")
    ded.add_argument("--new", type=int, help="only records an import batch added, vs all")
    ded.add_argument("--show", type=int, default=20, help="pairs to print")
    ded.add_argument("--out", help="write every pair to this CSV")
    ded.set_defaults(func=_cmd_dedupe)

    mer = sub.add_parser("merge", help="merge records into one (undoable)")
    mer.add_argument("ids", nargs="*", type=int, help="ids of the records to merge")
    mer.add_argument(
        "--all", action="store_true", help="find duplicates and merge every likely cluster"
    )
    mer.add_argument(
        "--prefer",
        choices=["recent", "complete", "oldest"],
        default="recent",
        help="survivorship rule for the fields",
    )
    mer.add_argument("--survivor", type=int, help="the id to keep")
    mer.add_argument("--threshold", type=float, default=0.9)
    mer.add_argument(
        "--min-probability",
        type=float,
        default=0.95,
        dest="min_probability",
        help="with --all: merge clusters whose pairs average at least this",
    )
    _add_filter_options(mer)
    mer.set_defaults(func=_cmd_merge)

    und = sub.add_parser("undo", help="undo a batch (an import, a bulk edit, a merge ...)")
    und.add_argument("batch", help="a batch id (see `crmkit history`), or 'last'")
    und.set_defaults(func=_cmd_undo)

    his = sub.add_parser("history", help="list batches, or the history of a record / batch")
    his.add_argument("--kind", choices=["contacts", "accounts"], default="contacts")
    his.add_argument("--id", type=int, help="a record's timeline")
    his.add_argument("--batch", type=int, help="every change of one batch")
    his.add_argument("--limit", type=int, default=50)
    his.set_defaults(func=_cmd_history)

    demo = sub.add_parser("demo", help="load the sample data and show what is in it")
    demo.add_argument("--samples", default="data/samples", help="folder of sample files")
    demo.set_defaults(func=_cmd_demo)

    samples = sub.add_parser("samples", help="write the sample files (data/samples)")
    samples.add_argument("--out", default="data/samples", help="folder to write")
    samples.add_argument("--seed", type=int, default=7)
    samples.add_argument("--accounts", type=int, default=60)
    samples.add_argument("--contacts", type=int, default=300)
    samples.set_defaults(func=_cmd_samples)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return int(exc.code or 0)
    try:
        return int(args.func(args))
    except (CRMKitError, OSError, ValueError) as exc:
        print(f"crmkit: error: {_error_line(exc)}", file=sys.stderr)
        return EXIT_ERROR


def _error_line(exc: BaseException) -> str:
    """The first line of an error, printable and cut short: it may quote stored values."""
    lines = [line for line in printable(str(exc)).split("\n") if line.strip()]
    message = lines[0] if lines else type(exc).__name__
    if len(message) > _ERROR_CHARS:
        message = f"{message[: _ERROR_CHARS - 1]}… ({len(message):,} characters)"
    return message


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
