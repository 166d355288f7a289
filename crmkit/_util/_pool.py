"""Worker processes for long imports, started as ``python -m crmkit._util._pool``.

``multiprocessing`` would re-run the caller's script in every worker (its "spawn" start
method imports ``__main__``), which breaks a user's script that has no
``if __name__ == "__main__"`` guard, and "fork" is unsafe once DuckDB has started its
threads. These workers import crmkit only, and talk to the parent over their standard
input and output with length-prefixed pickles: the parent sends ``(function, args)``, the
worker answers ``(True, result)`` or ``(False, exception)``.

In the parent, one thread per worker writes its tasks and one reads its answers, so a
worker always has its next task waiting and never blocks on a full pipe, while the
caller's own thread handles the results in order.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from crmkit._exceptions import CRMKitError
from crmkit._util._gc import gc_paused

__all__ = ["WorkerError", "ordered_map"]

_HEADER = struct.Struct("<Q")
_IN_FLIGHT = 2  # tasks queued per worker: one running, one waiting
_STOP = object()


class WorkerError(CRMKitError, RuntimeError):
    """A worker process stopped without answering."""


def _send(stream: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("worker closed its output")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("worker output ended early")
    return pickle.loads(data)  # our own worker's output, never user input


class _Worker:
    """One worker process with its writer and reader threads."""

    def __init__(self) -> None:
        # One thread each: the workers are the parallelism; thread pools inside them
        # (polars, Arrow) would only fight over the same cores.
        env = {
            **os.environ,
            "POLARS_MAX_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "RAYON_NUM_THREADS": "1",
            "ARROW_NUM_THREADS": "1",
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "crmkit._util._pool"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self.tasks: queue.Queue[Any] = queue.Queue()
        self.results: queue.Queue[tuple[bool, Any]] = queue.Queue()
        self.writer = threading.Thread(target=self._write, daemon=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.writer.start()
        self.reader.start()

    def _write(self) -> None:
        assert self.proc.stdin is not None
        try:
            while (task := self.tasks.get()) is not _STOP:
                _send(self.proc.stdin, task)
        except OSError:  # the worker died; the reader reports it
            pass
        finally:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while True:
            try:
                answer = _receive(self.proc.stdout)
            except (EOFError, OSError):
                self.results.put(
                    (
                        False,
                        WorkerError(
                            "a crmkit worker process stopped without answering (out of memory?)"
                        ),
                    )
                )
                return
            self.results.put(answer)

    def stop(self) -> None:
        """Ask the worker to finish (it exits when its input closes)."""
        self.tasks.put(_STOP)

    def close(self) -> None:
        """Wait for the worker to exit (after :meth:`stop`), killing it if it hangs."""
        self.writer.join(timeout=10)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def ordered_map(
    func: Callable[..., Any], items: Iterable[tuple[Any, ...]], workers: int
) -> Iterator[Any]:
    """``func(*item)`` for each item, computed in ``workers`` processes, yielded in order.

    ``func`` must be picklable (a module-level function or a method of a picklable
    object). While the caller handles one result, the workers compute the next ones.

    Examples
    --------
    >>> list(ordered_map(divmod, [(7, 2), (9, 4), (5, 5)], workers=2))
    [(3, 1), (2, 1), (1, 0)]
    """
    pool = [_Worker() for _ in range(max(1, workers))]
    iterator = iter(items)
    order: list[_Worker] = []  # the worker of each pending task, oldest first
    turn = 0

    def submit() -> bool:
        nonlocal turn
        item = next(iterator, None)
        if item is None:
            return False
        worker = pool[turn % len(pool)]
        turn += 1
        worker.tasks.put((func, item))
        order.append(worker)
        return True

    try:
        for _ in range(_IN_FLIGHT * len(pool)):
            if not submit():
                break
        while order:
            worker = order.pop(0)
            ok, result = worker.results.get()
            if not ok:
                raise result
            submit()
            yield result
    finally:
        for worker in pool:  # all of them at once: each exits while the others do
            worker.stop()
        for worker in pool:
            worker.close()


def _serve() -> None:
    """The worker loop: read a task, run it, answer, until the parent closes stdin."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            func, args = _receive(stdin)
        except EOFError:
            # Nothing left to do: leave at once. Tearing down the interpreter (freeing
            # every module and object one by one) would keep the parent waiting.
            stdout.flush()
            os._exit(0)
        try:
            with gc_paused():  # see crmkit._util._gc
                answer: tuple[bool, Any] = (True, func(*args))
        except Exception as exc:  # sent back and raised in the parent
            answer = (False, exc)
        _send(stdout, answer)


if __name__ == "__main__":
    _serve()
