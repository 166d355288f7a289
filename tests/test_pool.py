"""The process pool (crmkit._util._pool): how workers start, talk and stop, and its two front
ends, ordered_map (imports) and SharedWork (normalisers)."""

from __future__ import annotations

import os
import pickle
import time
from functools import partial
from typing import Any

import pytest

import crmkit._util._pool as pool
from crmkit._util._pool import SharedWork, WorkerError, _Worker, ordered_map


def _ask(worker: _Worker, expression: str) -> Any:
    """Evaluate ``expression`` in ``worker`` (after its "ready" frame) and give its answer."""
    assert pool._read_frame(worker.replies) == b""  # ready
    assert worker.send(eval, (expression,))
    frame = pool._read_frame(worker.replies)
    assert frame is not None
    ok, answer = pickle.loads(frame)
    assert ok, answer
    return answer


def test_a_helper_skips_crmkit_init_and_an_import_worker_loads_it() -> None:
    helper = _Worker(["crmkit._util._shorten"], whole_package=False, quiet=True)
    try:
        loaded = "[m in __import__('sys').modules for m in ('crmkit._util._shorten', 'duckdb')]"
        assert _ask(helper, loaded) == [True, False]
    finally:
        helper.close()
    worker = _Worker(whole_package=True, env=pool._ONE_THREAD_EACH)
    try:
        expression = (
            "(hasattr(__import__('crmkit'), 'open'),"
            " __import__('os').environ['POLARS_MAX_THREADS'])"
        )
        assert _ask(worker, expression) == (True, "1")
    finally:
        worker.close()
    assert worker.process.returncode == 0  # it left when its input closed


def test_tasks_run_with_the_garbage_collector_paused() -> None:
    worker = _Worker(whole_package=False, quiet=True)
    try:
        assert _ask(worker, "__import__('gc').isenabled()") is False
    finally:
        worker.close()


def test_ordered_map_keeps_the_order() -> None:
    items = [(i, 7) for i in range(50)]
    assert list(ordered_map(divmod, items, workers=2)) == [divmod(*item) for item in items]
    assert list(ordered_map(divmod, [], workers=2)) == []


def test_ordered_map_raises_what_the_function_raised() -> None:
    with pytest.raises(ZeroDivisionError):
        list(ordered_map(divmod, [(1, 1), (1, 0), (2, 1)], workers=2))


def test_ordered_map_names_a_worker_that_died() -> None:
    with pytest.raises(WorkerError, match="stopped without answering"):
        list(ordered_map(os._exit, [(3,)], workers=1))


def _slowly(chunk: list[int]) -> list[int]:
    time.sleep(0.01)  # slow here, so that the helpers surely get work
    return list(chunk)


ITEMS = list(range(300))


def _work(helpers: int, remote: Any) -> SharedWork[int, int]:
    # In the helpers, sorted() of a task's items (sorted already) gives them back.
    return SharedWork(
        ITEMS,
        local=_slowly,
        remote=remote,
        unpack=list,
        helpers=helpers,
        chunk_size=10,
        chunks_per_task=3,
    )


def _ready_helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Helpers up before this process starts its own chunks."""
    start = SharedWork._start_helpers

    def started(self: SharedWork[Any, Any]) -> list[Any]:
        helpers = start(self)
        for helper in helpers:
            self._receive(helper)  # waits for its "ready" frame
        return helpers

    monkeypatch.setattr(SharedWork, "_start_helpers", started)


def test_shared_work_is_done_from_both_ends_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    _ready_helpers(monkeypatch)
    work = _work(2, sorted)
    assert work.run() == ITEMS
    assert 0 < work.chunks_by_helpers < len(work.chunks)


def test_helpers_that_raise_leave_their_work_here(monkeypatch: pytest.MonkeyPatch) -> None:
    _ready_helpers(monkeypatch)
    work = _work(2, partial(int, "not a number"))  # a TypeError in the helpers
    assert work.run() == ITEMS
    assert work.chunks_by_helpers == 0


def test_no_helpers_no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_processes(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no process for zero helpers")

    monkeypatch.setattr(pool.subprocess, "Popen", no_processes)
    work = _work(0, sorted)
    assert work.run() == ITEMS
    assert work.chunks_by_helpers == 0
