"""The progress bar the table readers show while reading a large source."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

__all__ = ["progress_bar"]


@contextlib.contextmanager
def progress_bar(show: bool, total: int | None, unit: str, desc: str) -> Iterator[Any]:
    """A tqdm bar (notebook widget in Jupyter, text elsewhere), or ``None``."""
    if not show:
        yield None
        return
    with warnings.catch_warnings():
        # tqdm.auto warns when it falls back from the notebook widget; not our concern.
        warnings.simplefilter("ignore")
        from tqdm.auto import tqdm

        bar = tqdm(
            total=total, unit=unit, unit_scale=True, unit_divisor=1024 if unit == "B" else 1000,
            desc=desc, leave=False,
        )  # fmt: skip
    try:
        yield bar
    finally:
        bar.close()
