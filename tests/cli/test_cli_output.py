"""``crmkit.cli._output``: what is printed is escaped, aligned, and errors are one line."""

from __future__ import annotations

import pandas as pd
import pytest

from crmkit.cli._output import ERROR_CHARS, error_line, say, table, warn


def test_say_and_warn_escape_control_characters(capsys: pytest.CaptureFixture[str]) -> None:
    say("Dupont\x1b[2J")
    say()
    warn("cell\x00cut")
    captured = capsys.readouterr()
    assert captured.out == "Dupont\\x1b[2J\n\n"
    assert captured.err == "crmkit: warning: cell\\x00cut\n"


def test_table_escapes_cells_and_headers_before_aligning() -> None:
    frame = pd.DataFrame({"name\x1b": ["Blou\x1b[31m", "Roy"], "n": [1, 22]})
    lines = table(frame, max_colwidth=40).splitlines()
    assert "\x1b" not in "".join(lines)
    assert lines[0].split() == ["name\\x1b", "n"]
    assert lines[1].split() == ["Blou\\x1b[31m", "1"]
    assert len({len(line) for line in lines}) == 1  # aligned


def test_table_cuts_long_cells() -> None:
    shown = table(pd.DataFrame({"notes": ["x" * 200]}), max_colwidth=20)
    assert max(len(line) for line in shown.splitlines()) <= 20


def test_error_line_is_the_first_line_cut_short() -> None:
    assert error_line(ValueError("\nfirst\x1b[2J\nsecond")) == "first\\x1b[2J"
    assert error_line(ValueError("")) == "ValueError"
    long = error_line(ValueError("y" * (ERROR_CHARS * 3)))
    assert len(long) < ERROR_CHARS + 30
    assert long.endswith(f"… ({ERROR_CHARS * 3:,} characters)")
