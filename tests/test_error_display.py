"""crmkit's errors in IPython and Jupyter: one short block naming the error and the user's
line, not crmkit's internal frames; ``CRMKIT_TRACEBACK=full`` shows them all (#15)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from IPython.core.interactiveshell import InteractiveShell

CELL = """
import crmkit as ck
crm = ck.open(user="Nicole Bertrand")
crm.owners.add("Nicole Bertrand")
crm.contacts.filter(owner="Nicole Bertran")
"""


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    instance = InteractiveShell.instance()
    yield instance
    InteractiveShell.clear_instance()


def _shown(shell: InteractiveShell, capsys: pytest.CaptureFixture[str], cell: str) -> str:
    result = shell.run_cell(cell)
    assert result.error_in_exec is not None
    captured = capsys.readouterr()
    return re.sub(r"\x1b\[[0-9;]*m", "", captured.out + captured.err)  # colours off


def test_a_crmkit_error_is_one_short_block_naming_the_users_line(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CRMKIT_TRACEBACK", raising=False)
    shown = _shown(shell, capsys, CELL)
    assert "UnknownValueError: unknown owner 'Nicole Bertran'" in shown
    assert "Did you mean 'Nicole Bertrand'?" in shown
    assert 'crm.contacts.filter(owner="Nicole Bertran")' in shown  # the user's own line
    assert "_filters.py" not in shown and "_selection.py" not in shown  # no internal frames
    assert "CRMKIT_TRACEBACK=full" in shown
    assert len(shown.strip().splitlines()) <= 6


def test_the_full_traceback_on_demand(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRMKIT_TRACEBACK", "full")
    shown = _shown(shell, capsys, CELL)
    assert "Traceback (most recent call last)" in shown
    assert "_filters.py" in shown
    assert "UnknownValueError: unknown owner 'Nicole Bertran'" in shown


def test_other_errors_keep_their_traceback(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = _shown(shell, capsys, "def f():\n    return 1 / 0\nf()")
    assert "ZeroDivisionError" in shown and "return 1 / 0" in shown
    assert "CRMKIT_TRACEBACK" not in shown
