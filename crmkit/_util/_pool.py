"""crmkit's one process pool: worker processes that run Python functions on pickled tasks.

Two kinds of long work are shared with other processes, and both go through here:

- an import normalises the chunks of a large file in workers (:func:`ordered_map`, used by
  :mod:`crmkit._importing`);
- ``normalize_phones`` and ``normalize_emails`` share a long list of distinct values with
  helpers (:class:`SharedWork`, used by :mod:`crmkit._normalize._fastmap`).

The machinery is the same for both, and lives here once:

- Starting. A worker is ``python -c`` with a few lines (``_BOOT``) that read their setup
  on the standard input (the parent's ``sys.path``, the modules to import first), import
  this module and serve. ``multiprocessing`` would re-run the caller's script in each
  worker (its "spawn" and "forkserver" start methods import ``__main__``, which breaks a
  script that has no ``if __name__ == "__main__"`` guard), and "fork" is unsafe once
  DuckDB or Jupyter have started their threads. A worker may skip
  ``crmkit/__init__.py`` (``whole_package=False``): a bare ``crmkit`` package object, so
  that a normaliser's helper loads the normalisers only, not DuckDB, pandas and pandera
  (0.5 s to start instead of 2 s).
- Talking. Length-prefixed pickles over the worker's standard input and output. The
  worker first sends an empty frame (it is ready), then answers each ``(function,
  args)`` with ``(True, result)`` or ``(False, exception)``, the garbage collector paused
  while it works (see :mod:`crmkit._util._gc`). Functions travel by reference: a
  module-level function, a method of a picklable object or a ``functools.partial`` of
  one. These pickles come from our own processes, never from a user's input.
- Stopping. The parent closes the worker's input; the worker leaves at once
  (``os._exit``: tearing the interpreter down object by object would keep the parent
  waiting); the parent waits for it, and kills a worker that hangs or that is busy with
  work it gave up on.

The two front ends stay apart because the two jobs want different things, and neither
would keep its speed in the other's shape:

- :func:`ordered_map` takes tasks as they come (chunks of a file being read) and yields
  results in order, while the caller does its own share of the work with each result
  (validating, writing). So one writer thread and one reader thread per worker keep its
  next task waiting and its pipe drained, and a worker that dies raises
  :class:`WorkerError`: the caller's process does none of the workers' work.
- :class:`SharedWork` has all its items at once, and the caller has nothing else to do:
  it works too, from the other end of the list. Everything happens in the caller's thread
  (a selector on the helpers' outputs, looked at between two of its own chunks), so
  nothing waits for the GIL, a helper that is slow to start never makes the call slower
  than working alone, and whatever a helper could not do (it failed to start, died or
  raised) is done in the caller's process, where an error reaches the caller.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import queue
import selectors
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any, Generic, TypeVar

from crmkit._exceptions import CRMKitError
from crmkit._util._gc import gc_paused

__all__ = ["SharedWork", "WorkerError", "idle_cpus", "ordered_map", "serve"]

T = TypeVar("T")
R = TypeVar("R")

_HEADER = struct.Struct(">Q")
_IN_FLIGHT = 2  # ordered_map: tasks queued per worker, one running, one waiting
_STOP = object()
# One thread each in the import's workers: the workers are the parallelism; thread pools
# inside them (polars, Arrow) would only fight over the same cores.
_ONE_THREAD_EACH = {
    "POLARS_MAX_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "RAYON_NUM_THREADS": "1",
    "ARROW_NUM_THREADS": "1",
}
# The folder of the crmkit package, for a worker that skips crmkit/__init__.py.
_CRMKIT_FOLDER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# What a worker runs: its setup first, then this module's serve().
_BOOT = """
import pickle, sys, types
setup = pickle.load(sys.stdin.buffer)
sys.path[:] = setup["path"]
if setup["package_path"] is not None:
    package = types.ModuleType("crmkit")
    package.__path__ = setup["package_path"]
    sys.modules["crmkit"] = package
from crmkit._util._pool import serve
serve(setup["preload"])
"""


class WorkerError(CRMKitError, RuntimeError):
    """A worker process stopped without answering."""


def idle_cpus() -> int:
    """CPUs this process may use: those the load average leaves idle, this one included.

    A worker on a CPU that other programs keep busy slows the work down instead.

    Examples
    --------
    >>> 1 <= idle_cpus() <= (os.cpu_count() or 1)
    True
    """
    cpus = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]  # this process counts in it when it has been busy
    except (AttributeError, OSError):  # not on Windows
        return cpus
    return max(1, min(cpus, round(cpus + 1 - load)))


# --------------------------------------------------------------------------------------
# Frames, workers
# --------------------------------------------------------------------------------------


def _write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_HEADER.pack(len(payload)))
    stream.write(payload)  # apart: joined, a chunk of an import would be copied once more
    stream.flush()


def _read_frame(stream: IO[bytes]) -> bytes | None:
    """The next frame, or ``None`` when the stream ends (the other side is gone)."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    payload = stream.read(size)
    return payload if len(payload) == size else None


def _dumps(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def serve(preload: Sequence[str] = ()) -> None:
    """A worker's loop (run by ``_BOOT``): import ``preload``, say it is ready, then answer
    each task until its input closes."""
    for module in preload:
        importlib.import_module(module)
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    _write_frame(replies, b"")
    while (frame := _read_frame(requests)) is not None:
        try:
            func, args = pickle.loads(frame)  # our parent's task, never user input
            with gc_paused():
                answer: tuple[bool, Any] = (True, func(*args))
        except Exception as exc:  # sent back: the parent decides
            answer = (False, exc)
        _write_frame(replies, _dumps(answer))
    replies.flush()
    os._exit(0)  # nothing left to do: no teardown for the parent to wait on


class _Worker:
    """One worker process, started and set up; the front ends drive it."""

    def __init__(
        self,
        preload: Sequence[str] = (),
        *,
        whole_package: bool,
        env: Mapping[str, str] | None = None,
        quiet: bool = False,
    ) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL if quiet else None,
            env=None if env is None else {**os.environ, **env},
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.requests: IO[bytes] = self.process.stdin
        self.replies: IO[bytes] = self.process.stdout
        self.alive = True
        setup = {
            "path": list(sys.path),
            "package_path": None if whole_package else [_CRMKIT_FOLDER],
            "preload": list(preload),
        }
        try:
            self.requests.write(_dumps(setup))
            self.requests.flush()
        except OSError:  # it died at once
            self.alive = False

    def fileno(self) -> int:
        return self.replies.fileno()

    def send(self, func: Callable[..., Any], args: tuple[Any, ...]) -> bool:
        """Send a task; False (and the worker marked dead) when it is gone."""
        try:
            _write_frame(self.requests, _dumps((func, args)))
        except OSError:
            self.alive = False
        return self.alive

    def finish(self, *, kill: bool = False) -> None:
        """Close the worker's input and wait for it to leave; kill it first when
        ``kill``, or when it hangs."""
        if kill and self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(OSError):
            self.requests.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def close(self, *, kill: bool = False) -> None:
        """:meth:`finish`, then close the worker's output."""
        self.finish(kill=kill)
        with contextlib.suppress(OSError):
            self.replies.close()


# --------------------------------------------------------------------------------------
# Front end 1: ordered results, for imports
# --------------------------------------------------------------------------------------


class _OrderedWorker:
    """A worker with a writer and a reader thread."""

    def __init__(self) -> None:
        self.worker = _Worker(whole_package=True, env=_ONE_THREAD_EACH)
        self.tasks: queue.Queue[Any] = queue.Queue()
        self.results: queue.Queue[tuple[bool, Any]] = queue.Queue()
        self.writer = threading.Thread(target=self._write, daemon=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.writer.start()
        self.reader.start()

    def _write(self) -> None:
        requests = self.worker.requests
        try:
            while (task := self.tasks.get()) is not _STOP:
                _write_frame(requests, _dumps(task))
        except OSError:  # the worker died; the reader reports it
            pass
        finally:
            with contextlib.suppress(OSError):
                requests.close()

    def _read(self) -> None:
        replies = self.worker.replies
        try:
            ready = _read_frame(replies)
            while ready is not None and (frame := _read_frame(replies)) is not None:
                self.results.put(pickle.loads(frame))  # our own worker's answer
        except Exception:  # a broken pipe, an answer that cannot be read: as if it died
            pass
        self.results.put(
            (
                False,
                WorkerError("a crmkit worker process stopped without answering (out of memory?)"),
            )
        )

    def stop(self) -> None:
        """Ask the worker to finish (it exits when its input closes)."""
        self.tasks.put(_STOP)

    def close(self) -> None:
        """Wait for the worker to exit (after :meth:`stop`), killing it if it hangs."""
        self.writer.join(timeout=10)
        self.worker.finish()
        self.reader.join(timeout=10)
        self.worker.close()


def ordered_map(
    func: Callable[..., Any], items: Iterable[tuple[Any, ...]], workers: int
) -> Iterator[Any]:
    """``func(*item)`` for each item, computed in ``workers`` processes, yielded in order.

    ``func`` must be picklable (a module-level function or a method of a picklable
    object). While the caller handles one result, the workers compute the next ones; an
    exception raised by ``func`` is raised here, and :class:`WorkerError` when a worker
    stops without answering.

    Examples
    --------
    >>> list(ordered_map(divmod, [(7, 2), (9, 4), (5, 5)], workers=2))
    [(3, 1), (2, 1), (1, 0)]
    """
    pool = [_OrderedWorker() for _ in range(max(1, workers))]
    iterator = iter(items)
    order: list[_OrderedWorker] = []  # the worker of each pending task, oldest first
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


# --------------------------------------------------------------------------------------
# Front end 2: work shared from both ends, for the normalisers
# --------------------------------------------------------------------------------------


class _Helper(_Worker):
    """A worker of :class:`SharedWork`: ready or not, and the chunks it works on."""

    def __init__(self, preload: str) -> None:
        self.ready = False
        self.task = range(0)
        super().__init__([preload], whole_package=False, quiet=True)

    def close(self, *, kill: bool = False) -> None:
        # Still starting, broken, or busy with a task given up on: no need to wait for it.
        idle = self.ready and self.alive and not self.task
        super().close(kill=kill or not idle)


class SharedWork(Generic[T, R]):
    """A list of items, worked on in chunks by this process and helper processes.

    This process takes chunks from the end; between two chunks it hands tasks of several
    chunks from the start to the helpers that are ready and collects what they sent
    back, never more than half of the chunks left, so that both sides finish together.

    Parameters
    ----------
    items
        The work.
    local
        Computes the results of a chunk, in this process: ``local(chunk)`` is a list of
        one result per item.
    remote
        Does the same in a helper: ``remote(items)`` for the items of a task (several
        chunks in a row). It travels by reference, so it is a module-level function or a
        ``functools.partial`` of one; the helpers import its module, and only it (and
        what it imports), before they say they are ready.
    unpack
        Turns what ``remote`` returned into the list of results, in this process (a
        helper may send plain lists, which are quicker to pickle than objects).
    helpers
        Helper processes to start (on POSIX only; none elsewhere).
    chunk_size, chunks_per_task
        Items in a chunk (this process looks after its helpers between two of its own
        chunks) and chunks in a helper's task (long, so that a helper seldom waits).

    Examples
    --------
    >>> def upper(texts):
    ...     return [text.upper() for text in texts]
    >>> work = SharedWork(list("abcdef"), local=upper, remote=upper, unpack=list,
    ...                   helpers=0, chunk_size=2, chunks_per_task=1)
    >>> work.run()
    ['A', 'B', 'C', 'D', 'E', 'F']
    """

    def __init__(
        self,
        items: list[T],
        *,
        local: Callable[[list[T]], list[R]],
        remote: Callable[[list[T]], Any],
        unpack: Callable[[Any], list[R]],
        helpers: int,
        chunk_size: int,
        chunks_per_task: int,
    ) -> None:
        self.local = local
        self.remote = remote
        self.unpack = unpack
        self.chunks = [items[i : i + chunk_size] for i in range(0, len(items), chunk_size)]
        self.results: list[list[R] | None] = [None] * len(self.chunks)
        self.helper_count = helpers
        self.chunks_per_task = chunks_per_task
        self.chunks_by_helpers = 0
        self._front = 0  # next chunk for a helper
        self._back = len(self.chunks)  # one past the next chunk for this process

    def run(self) -> list[R]:
        """The results of every item, in order."""
        helpers = self._start_helpers()
        replies = selectors.DefaultSelector()  # poll/epoll: no limit on descriptor numbers
        try:
            for helper in helpers:
                if helper.alive:
                    replies.register(helper.replies, selectors.EVENT_READ, helper)
            while self._front < self._back:
                self._look_after(helpers, replies, wait=False)
                if self._front < self._back:
                    self._back -= 1
                    self.results[self._back] = self.local(self.chunks[self._back])
            while any(helper.task for helper in helpers):
                self._look_after(helpers, replies, wait=True)
        finally:
            replies.close()
            for helper in helpers:
                helper.close()
        out: list[R] = []
        for index, part in enumerate(self.results):
            if part is None:  # a helper could not do it
                part = self.local(self.chunks[index])
            out += part
        return out

    def _start_helpers(self) -> list[_Helper]:
        helpers: list[_Helper] = []
        if os.name != "posix" or getattr(sys, "frozen", False) or not sys.executable:
            return helpers  # selectors wait on pipes on POSIX only; "python -c" must work
        module = getattr(self.remote, "func", self.remote).__module__
        for _ in range(self.helper_count):
            try:
                helpers.append(_Helper(module))
            except OSError:  # no processes allowed here
                break
        return helpers

    def _look_after(
        self, helpers: list[_Helper], replies: selectors.BaseSelector, *, wait: bool
    ) -> None:
        """Collect replies; give a task to each helper that is ready and idle."""
        if replies.get_map():
            for key, _ in replies.select(None if wait else 0):
                self._receive(key.data, replies)
        for helper in helpers:
            if helper.alive and helper.ready and not helper.task:
                self._send(helper)

    def _receive(self, helper: _Helper, replies: selectors.BaseSelector | None = None) -> None:
        frame = _read_frame(helper.replies)
        if frame is not None and not helper.ready:
            helper.ready = True
            return
        try:
            answer = None if frame is None else pickle.loads(frame)  # our own helper's
        except Exception:  # an exception that cannot be rebuilt here
            answer = None
        if answer is None or not answer[0]:  # it died or failed: its chunks are done here
            helper.alive, helper.task = False, range(0)
            if replies is not None:
                replies.unregister(helper.replies)
            return
        task, helper.task = helper.task, range(0)
        self._send(helper)  # first, so that it works while its results are unpacked here
        results = self.unpack(answer[1])
        start = 0
        for index in task:
            end = start + len(self.chunks[index])
            self.results[index] = results[start:end]
            start = end
        self.chunks_by_helpers += len(task)

    def _send(self, helper: _Helper) -> None:
        # Never more than half of the chunks left, so that both sides finish together.
        count = min(self.chunks_per_task, (self._back - self._front) // 2)
        if count < 1:
            return
        task = range(self._front, self._front + count)
        self._front += count
        items = [item for index in task for item in self.chunks[index]]
        if helper.send(self.remote, (items,)):  # else it died: its chunks are done here
            helper.task = task
