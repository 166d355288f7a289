"""A stopwatch for the seconds each step of a duplicate search takes (``stats``)."""

from __future__ import annotations

import time

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

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.steps: dict[str, float] = {}

    def lap(self, step: str) -> None:
        """Record the time since the last lap as ``step``."""
        now = time.perf_counter()
        self.steps[step] = round(now - self.last, 4)
        self.last = now

    @property
    def total(self) -> float:
        """Seconds since the clock started."""
        return round(time.perf_counter() - self.start, 4)
