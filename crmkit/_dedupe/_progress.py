"""The progress of a duplicate search, stage by stage: a tqdm bar and/or a listener.

A search on 100,000 records takes seconds to minutes with nothing to see; the stages are
the engine's own steps (the laps of its :class:`~crmkit._dedupe._clock.Clock`), so the bar
moves when a step ends, whatever its length.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["STAGES", "Listener", "SearchProgress"]

STAGES = ("prepare", "blocking", "comparing", "training", "clustering")
"""The steps of the crmkit engine, in order (``stats["step_seconds"]`` names them too)."""

Listener = Callable[[str, int, int], None]
"""Called as each stage starts: ``(stage, stages_done, stages_in_all)``; ``"done"`` last."""


class SearchProgress:
    """Follow a search's stages: :meth:`lap` when one ends (the engine clock's callback).

    Parameters
    ----------
    show
        Show a tqdm bar (a notebook widget in Jupyter, text on stderr elsewhere).
    listener
        Told of each stage as it starts (a widget's own progress line).

    Examples
    --------
    >>> seen = []
    >>> progress = SearchProgress(False, lambda stage, done, total: seen.append(stage))
    >>> for step in STAGES:
    ...     progress.lap(step)
    >>> progress.close()
    >>> seen
    ['prepare', 'blocking', 'comparing', 'training', 'clustering', 'done']
    """

    def __init__(self, show: bool, listener: Listener | None = None) -> None:
        self.listener = listener
        self.done = 0
        self.bar: Any = None
        if show:
            with warnings.catch_warnings():
                # tqdm.auto warns when it falls back from the notebook widget.
                warnings.simplefilter("ignore")
                from tqdm.auto import tqdm

                self.bar = tqdm(total=len(STAGES), desc=STAGES[0], unit="step", leave=False)
        self._tell(STAGES[0])

    def _tell(self, stage: str) -> None:
        if self.listener is not None:
            self.listener(stage, self.done, len(STAGES))

    def lap(self, step: str) -> None:
        """Stage ``step`` ended: the bar moves on to the next one."""
        if step not in STAGES:
            return  # "report" and the like: not a stage of their own
        self.done = STAGES.index(step) + 1
        following = STAGES[self.done] if self.done < len(STAGES) else "done"
        if self.bar is not None:
            self.bar.n = self.done
            self.bar.set_description(following, refresh=True)
        self._tell(following)

    def close(self) -> None:
        """Remove the bar (a finished search leaves nothing on screen)."""
        if self.bar is not None:
            with contextlib.suppress(Exception):  # a closed notebook display
                self.bar.close()
            self.bar = None
