"""Worker processes for long imports, started as ``python -m crmkit._workers``.

``multiprocessing`` would re-run the caller's script in every worker (its "spawn" start
method imports ``__main__``), which breaks a user's script that has no
``if __name__ == "__main__"`` guard, and "fork" is unsafe once DuckDB has started its
threads. These workers import crmkit only, and talk to the parent over their standard
input and output with length-prefixed pickles: the parent sends ``(function, args)``, the
worker answers ``(True, result)`` or ``(False, exception)``.

Each worker holds at most one task at a time, so neither side can block the other on a
full pipe.
"""

from __future__ import annotations

import pickle
import struct
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

__all__ = ["ordered_map"]

_HEADER = struct.Struct("<Q")


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


def ordered_map(
    func: Callable[..., Any], items: Iterable[tuple[Any, ...]], workers: int
) -> Iterator[Any]:
    """``func(*item)`` for each item, computed in ``workers`` processes, yielded in order.

    ``func`` must be picklable (a module-level function or a method of a picklable
    object). While the caller handles one result, the workers compute the next ones.

    Examples
    --------
    >>> list(ordered_map(divmod, [(7, 2), (9, 4)], workers=2))
    [(3, 1), (2, 1)]
    """
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "crmkit._workers"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        for _ in range(max(1, workers))
    ]
    iterator = iter(items)
    pending: deque[subprocess.Popen[bytes]] = deque()
    try:
        for proc in procs:
            item = next(iterator, None)
            if item is None:
                break
            assert proc.stdin is not None
            _send(proc.stdin, (func, item))
            pending.append(proc)
        while pending:
            proc = pending.popleft()
            assert proc.stdout is not None and proc.stdin is not None
            ok, result = _receive(proc.stdout)
            if not ok:
                raise result
            item = next(iterator, None)
            if item is not None:  # keep this worker busy while the caller works
                _send(proc.stdin, (func, item))
                pending.append(proc)
            yield result
    finally:
        for proc in procs:
            if proc.stdin is not None:
                proc.stdin.close()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()


def _serve() -> None:
    """The worker loop: read a task, run it, answer, until the parent closes stdin."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            func, args = _receive(stdin)
        except EOFError:
            return
        try:
            answer: tuple[bool, Any] = (True, func(*args))
        except Exception as exc:  # sent back and raised in the parent
            answer = (False, exc)
        _send(stdout, answer)


if __name__ == "__main__":
    _serve()
