"""The readers' progress bar (crmkit._formats._progress): a tqdm bar when asked, else none."""

from __future__ import annotations

import pytest

from crmkit._formats._progress import progress_bar


def test_no_bar_when_not_shown() -> None:
    with progress_bar(False, 100, "B", "f.csv") as bar:
        assert bar is None


def test_a_bar_counts_and_is_closed(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar(True, 2048, "B", "f.csv") as bar:
        assert (bar.total, bar.unit, bar.unit_divisor, bar.desc) == (2048, "B", 1024, "f.csv")
        bar.update(1024)
        assert bar.n == 1024 and not bar.disable
    assert bar.disable  # closed
    with progress_bar(True, None, "rows", "DataFrame") as rows:
        assert rows.total is None and rows.unit_divisor == 1000
    capsys.readouterr()


def test_the_bar_is_closed_when_the_block_fails(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RuntimeError, match="stop"), progress_bar(True, 10, "rows", "x") as bar:
        raise RuntimeError("stop")
    assert bar.disable  # closed all the same
    capsys.readouterr()
