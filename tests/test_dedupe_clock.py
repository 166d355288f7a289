"""The stopwatch of a duplicate search (crmkit._dedupe._clock): laps by step, and the total."""

from __future__ import annotations

import time

from dedupe_samples import MakeFrame

from crmkit._dedupe import find_duplicates
from crmkit._dedupe._clock import Clock


def test_laps_and_total() -> None:
    clock = Clock()
    time.sleep(0.01)
    clock.lap("prepare")
    clock.lap("block")
    time.sleep(0.005)
    clock.lap("prepare")  # a step timed again keeps its last lap
    assert list(clock.steps) == ["prepare", "block"]
    assert 0.004 <= clock.steps["prepare"] < 1 and 0 <= clock.steps["block"] < 0.01
    assert all(round(v, 4) == v for v in clock.steps.values())
    assert clock.total >= 0.015 and clock.total == round(clock.total, 4)


def test_a_report_shows_the_seconds_of_its_steps(make_frame: MakeFrame) -> None:
    frame = make_frame({"id": [1, 2], "last_name": ["Blou", "Blou"], "email": ["a@x.fr"] * 2})
    stats = find_duplicates(frame).stats
    steps = stats["step_seconds"]
    assert list(steps) == ["prepare", "blocking", "comparing", "training", "clustering", "report"]
    assert stats["seconds"] >= sum(steps.values()) - 0.001
