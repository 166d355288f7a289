"""The vectorised twins of the slow scalars: distinct texts, a fast path, helper processes.

:func:`~crmkit._normalize.normalize_phones` and :func:`~crmkit._normalize.normalize_emails`
give exactly the results of their scalars, 6 to 12 times faster on two CPUs
(``benchmarks/normalize_bench.py``). Each brings its scalar, its fast path (a function
that gives the scalar's result or ``None`` when it stands aside) and the task a helper
process runs; :func:`_map_distinct_fast` does the rest, the same for both:

- Each distinct text is normalised once: the fast path, else the scalar. The other cells
  (None, NaN, numbers) go to the scalar, keyed by type and value as in
  :func:`~crmkit._normalize.map_distinct`.
- Both cores: when the work is long (more than :data:`PARALLEL_THRESHOLD` values for the
  libraries, the fast ones counting for less, as estimated on a sample), helper
  processes (one per idle CPU, on POSIX) take chunks from one end while this process
  works from the other (:class:`crmkit._util._pool.SharedWork`), so that a helper that is
  slow to start never slows a call down. They import the normalisers only, and what a
  helper fails to do is done here.
- The garbage collector waits while the results are built: they hold no cycles, and its
  passes over a million new objects would triple the run time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

from crmkit._exceptions import ValidationError
from crmkit._normalize._distinct import _as_list, _cache_key
from crmkit._util._gc import gc_paused
from crmkit._util._pool import SharedWork, idle_cpus
from crmkit._util._shorten import shorten

__all__ = ["PARALLEL_THRESHOLD"]

PARALLEL_THRESHOLD = 20_000
"""Work, counted in values for phonenumbers or email-validator, above which
:func:`~crmkit._normalize.normalize_phones` and :func:`~crmkit._normalize.normalize_emails`
share it with helper processes.

A value the fast path answers counts as :data:`_FAST_PATH_SHARE` of one; the mix is
estimated on a sample. 20,000 values is about 0.8 s of work, and a helper takes about
0.5 s to start.
"""
_FAST_PATH_SHARE = 1 / 8  # about 5 us against 40 us
_SAMPLE_SIZE = 1_000
_CHUNK_SIZE = 1_000  # this process looks after its helpers between two chunks (2-40 ms)
_CHUNKS_PER_TASK = 32  # a helper's task: long, so that it seldom waits for the next one

# A helper's results as three plain lists (values, oks, reasons): quick to send back.
Columns = tuple[list[str | None], list[bool], list[str | None]]


class _Result(Protocol):
    """A phone's or an e-mail's result."""

    @property
    def value(self) -> str | None: ...
    @property
    def ok(self) -> bool: ...
    @property
    def reason(self) -> str | None: ...


ResultT = TypeVar("ResultT", bound=_Result)


def _no_fast_path(value: Any) -> None:
    return None


def _worker_count(workers: int | None) -> int:
    """Processes to share the work, this one included: ``workers`` checked, or one per
    idle CPU for ``None``."""
    if workers is None:
        return idle_cpus()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValidationError(
            f"workers must be a whole number of at least 1, got {shorten(workers)}"
        )
    return workers


def _normalize_texts(
    fast: Callable[[Any], ResultT | None], slow: Callable[[Any], ResultT], texts: list[str]
) -> list[ResultT]:
    """Fast path, else slow path, on each text (all distinct)."""
    out = []
    for text in texts:
        result = fast(text)
        out.append(result if result is not None else slow(text))
    return out


def _columns_of(results: Sequence[_Result]) -> Columns:
    """A helper's results, as it sends them back."""
    return [r.value for r in results], [r.ok for r in results], [r.reason for r in results]


def _results_of(
    result_type: Callable[[str | None, bool, str | None], ResultT], columns: Columns
) -> list[ResultT]:
    """A helper's results, as this process received them, made results again."""
    return list(map(result_type, *columns))


def _estimated_work(fast: Callable[[Any], Any], texts: list[str]) -> float:
    """The work ahead, in values for the libraries, from the fast path's share of a sample."""
    if len(texts) <= PARALLEL_THRESHOLD:  # even if none took the fast path
        return len(texts)
    sample = texts[:: max(1, len(texts) // _SAMPLE_SIZE)]
    slow = sum(fast(text) is None for text in sample) / len(sample)
    return len(texts) * (slow + (1 - slow) * _FAST_PATH_SHARE)


@dataclass(frozen=True, slots=True)
class _Twin(Generic[ResultT]):
    """What the vectorised twin of one slow scalar needs.

    Attributes
    ----------
    fast
        The fast path: the scalar's result for a text, or ``None`` to take the slow path.
    slow
        The scalar.
    task
        Makes a helper's task, when helpers start (so that what it carries, such as
        email-validator's settings, is read then only). The task takes distinct texts
        and gives :data:`Columns`; it travels by reference (a module-level function or a
        ``partial`` of one), and the helpers import its module only.
    result_type
        Builds a result from a value, an ok and a reason.
    """

    fast: Callable[[Any], ResultT | None]
    slow: Callable[[Any], ResultT]
    task: Callable[[], Callable[[list[str]], Columns]]
    result_type: Callable[[str | None, bool, str | None], ResultT]

    def normalize(self, texts: list[str]) -> list[ResultT]:
        """The fast path, else the slow one, on each text (all distinct), here."""
        return _normalize_texts(self.fast, self.slow, texts)

    def shared_work(self, texts: list[str], helpers: int) -> SharedWork[str, ResultT]:
        """The same, shared by this process and ``helpers`` helper processes."""
        return SharedWork(
            texts,
            local=self.normalize,
            remote=self.task(),
            unpack=partial(_results_of, self.result_type),
            helpers=helpers,
            chunk_size=_CHUNK_SIZE,
            chunks_per_task=_CHUNKS_PER_TASK,
        )


def _map_distinct_fast(values: Iterable[Any], twin: _Twin[ResultT], workers: int) -> list[ResultT]:
    """:func:`~crmkit._normalize.map_distinct` of ``twin.slow``, with the fast path and helpers.

    Each distinct text goes through the fast path, else the scalar; when that is more
    work than :data:`PARALLEL_THRESHOLD` and ``workers`` (checked by :func:`_worker_count`)
    is above 1, helper processes take their share. The other cells (None, NaN, numbers)
    go to the scalar, keyed by type and value, so that 1, 1.0 and True stay apart.
    """
    slow = twin.slow
    items = _as_list(values)
    with gc_paused():
        others = [value for value in items if type(value) is not str]
        try:
            distinct: Iterable[Any] = dict.fromkeys(items)  # a loop in C
        except TypeError:  # an unhashable cell
            distinct = dict.fromkeys(value for value in items if type(value) is str)
        texts = [text for text in distinct if type(text) is str] if others else list(distinct)
        if workers > 1 and _estimated_work(twin.fast, texts) > PARALLEL_THRESHOLD:
            results = twin.shared_work(texts, workers - 1).run()
        else:
            results = twin.normalize(texts)
        by_text: dict[str, ResultT] = dict(zip(texts, results, strict=True))
        if not others:
            return list(map(by_text.__getitem__, items))  # a loop in C
        by_key: dict[tuple[type, Any], ResultT] = {}
        for value in others:
            if (key := _cache_key(value)) is not None and key not in by_key:
                by_key[key] = slow(value)
        try:
            out: list[Any] = list(map(by_text.get, items))
        except TypeError:  # an unhashable cell
            out = [by_text[value] if type(value) is str else None for value in items]
        for i, value in enumerate(items):
            if type(value) is not str:
                key = _cache_key(value)
                out[i] = by_key[key] if key is not None else slow(value)
        return out
