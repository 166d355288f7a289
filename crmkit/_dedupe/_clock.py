"""A stopwatch for the seconds each step of a duplicate search takes (``stats``)."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Clock"]


class Clock:
    """Laps in seconds, rounded to 0.1 ms: ``steps`` by name, and the ``total``.

    Examples
    --------
    >>> clock = Clock()
    >>> clock.lap("prepare")
    >>> list(clock.steps), clock.total >= 0
    (['prepare'], True)
    """

    def __init__(self, on_lap: Callable[[str], None] | None = None) -> None:
        self.start = self.last = time.perf_counter()
        self.steps: dict[str, float] = {}
        self.on_lap = on_lap  # a search's progress, told of each step as it ends

    def lap(self, step: str) -> None:
        """Record the time since the last lap as ``step``."""
        now = time.perf_counter()
        self.steps[step] = round(now - self.last, 4)
        self.last = now
        if self.on_lap is not None:
            self.on_lap(step)

    @property
    def total(self) -> float:
        """Seconds since the clock started."""
        return round(time.perf_counter() - self.start, 4)
