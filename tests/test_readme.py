"""Every python block of README.md runs, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_examples_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "README has no python examples"
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for number, block in enumerate(blocks, 1):
        try:
            exec(compile(block, f"README block {number}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"README block {number} failed: {exc!r}\n{block}")
    out = capsys.readouterr().out
    assert "+33625341257" in out
    assert "1M-10M" in out
