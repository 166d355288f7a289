"""``crmkit.cli._parser`` and the ``COMMANDS`` table: the commands and options scripts use.

The option lists are written out here on purpose: a command or option that disappears or
moves is a change scripts notice.
"""

from __future__ import annotations

import argparse

import pytest

from crmkit.cli._commands import COMMANDS
from crmkit.cli._parser import build_parser

OPTIONS = {
    "import": "file --kind --profile --map --encoding --delimiter --sheet --header-row --mode "
    "--match-on --dry-run --create-accounts --create-owners --month-first --region --rejects "
    "--quiet",
    "validate": "file --kind --profile --map --encoding --delimiter --sheet --header-row "
    "--create-accounts --create-owners --month-first --region --rejects --quiet",
    "preview": "file --kind --profile --map --encoding --delimiter --sheet --header-row "
    "--rows --show",
    "filter": "--kind --search --owner --sector --revenue-band --headcount-band --account "
    "--entity --origin --tag --within --stage --email-basis --phone-basis --active --inactive "
    "--where "
    "--columns --limit --out "
    "--lang",
    "export": "out --kind --search --owner --sector --revenue-band --headcount-band --account "
    "--entity --origin --tag --within --stage --email-basis --phone-basis --active --inactive "
    "--where "
    "--columns --lang --excel "
    "--zip --vcard-version",
    "reassign": "--to --cascade --kind --search --owner --sector --revenue-band "
    "--headcount-band --account --entity --origin --tag --within --stage --email-basis "
    "--phone-basis --active --inactive "
    "--where",
    "convert": "--ids --to-account --to-stage --no-create-account --dry-run --kind --search "
    "--owner --sector --revenue-band --headcount-band --account --entity --origin --tag "
    "--within --stage --email-basis --phone-basis --active --inactive --where",
    "dedupe": "--kind --search --owner --sector --revenue-band --headcount-band --account "
    "--entity --origin --tag --within --stage --email-basis --phone-basis --active --inactive "
    "--where "
    "--threshold --engine "
    "--identity "
    "--no-tf --new --spark-master --staging --show --out --accuracy",
    "decide": "id_a id_b decision --kind",
    "merge": "ids --all --prefer --survivor --threshold --identity --min-probability --dry-run "
    "--kind "
    "--search "
    "--owner --sector --revenue-band --headcount-band --account --entity --origin --tag "
    "--within --stage --email-basis --phone-basis --active --inactive --where",
    "rules": "rules_action",
    "retention": "retention_action",
    "quality": "database --kind --by --stale-after --html --lang",
    "variants": "database field --kind --method --radius --n --language --min-count --apply "
    "--dry-run --show --lang",
    "fix": "database --kind --rule --field --apply --show --lang",
    "timeline": "record_kind id --kind --since --until --with-contacts --lang",
    "org-chart": "account --svg --lang",
    "tree": "account --lang",
    "tasks": "action",
    "notes": "action",
    "undo": "batch",
    "erase": "--kind --ids --reason --yes",
    "history": "--kind --id --batch --limit",
    "subject-access": "id out",
    "demo": "--samples",
    "samples": "--out --seed --accounts --contacts",
}


GLOBAL_OPTIONS = "--db --user --lang --debug --shared --timeout"


def test_the_global_options() -> None:
    parser = build_parser()
    options = [a.option_strings[0] for a in parser._actions if a.option_strings]
    assert " ".join(o for o in options if o != "-h") == GLOBAL_OPTIONS


def test_shared_defaults_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRMKIT_SHARED", raising=False)
    args = build_parser().parse_args(["history"])
    assert (args.shared, args.timeout) == (False, 10.0)
    assert build_parser().parse_args(["--shared", "--timeout", "2", "history"]).timeout == 2.0
    monkeypatch.setenv("CRMKIT_SHARED", "1")
    assert build_parser().parse_args(["history"]).shared is True


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_the_commands_in_order() -> None:
    assert [c.name for c in COMMANDS] == list(OPTIONS)
    assert list(_subparsers(build_parser())) == list(OPTIONS)


@pytest.mark.parametrize("name", list(OPTIONS))
def test_each_command_keeps_its_options(name: str) -> None:
    command = _subparsers(build_parser())[name]
    options = [a.option_strings[0] if a.option_strings else a.dest for a in command._actions]
    assert " ".join(o for o in options if o != "-h") == OPTIONS[name]


def test_each_command_runs_its_own_function() -> None:
    parser = build_parser()
    argv = {"import": ["f.csv"], "validate": ["f.csv"], "preview": ["f.csv"]}
    argv |= {"export": ["out.csv"], "reassign": ["--to", "X"], "undo": ["last"]}
    argv |= {"decide": ["1", "2", "same"], "variants": ["job_title"]}
    argv |= {"timeline": ["contact", "1"], "org-chart": ["A"], "tree": ["A"]}
    argv |= {"tasks": ["list"], "notes": ["list"], "subject-access": ["1", "out.zip"]}
    argv |= {"erase": ["--ids", "1", "--reason", "x"]}
    for command in COMMANDS:
        args = parser.parse_args([command.name, *argv.get(command.name, [])])
        assert args.func is command.run


def test_global_options_default_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRMKIT_DB", raising=False)
    monkeypatch.delenv("CRMKIT_USER", raising=False)
    args = build_parser().parse_args(["history"])
    assert (args.db, args.user) == ("crm.duckdb", None)
    monkeypatch.setenv("CRMKIT_DB", "/data/team.duckdb")
    monkeypatch.setenv("CRMKIT_USER", "Zoé Martin")
    args = build_parser().parse_args(["history"])
    assert (args.db, args.user) == ("/data/team.duckdb", "Zoé Martin")
    assert build_parser().parse_args(["--db", "x.duckdb", "history"]).db == "x.duckdb"


def test_file_commands_describe_themselves(capsys: pytest.CaptureFixture[str]) -> None:
    for command in COMMANDS:
        with pytest.raises(SystemExit):
            build_parser().parse_args([command.name, "--help"])
        out = capsys.readouterr().out
        assert (f"\n{command.help}\n" in out) == command.described, command.name
    assert [c.name for c in COMMANDS if c.described] == ["import", "validate", "preview"]


def test_global_lang_option_is_apart_from_a_commands_header_lang() -> None:
    # ``--lang`` before the command sets the language of the whole command (reports,
    # messages, headers); ``export --lang`` only the headers, "names" for field names.
    args = build_parser().parse_args(["--lang", "fr", "export", "out.csv", "--lang", "names"])
    assert (args.config_lang, args.lang) == ("fr", "names")
    assert build_parser().parse_args(["history"]).config_lang is None
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--lang", "de", "history"])
