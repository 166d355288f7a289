"""Giving the memory a search stage freed back to the system before the next one starts.

A stage of the search builds millions of small Python objects (normalised strings, key
strings) and frees them when it ends. The C allocator keeps the freed pages for small
objects, which the next stage's large NumPy arrays (mapped apart) cannot reuse: at
220,000 contacts some 70 MB of the peak. :func:`release_freed_memory` hands them back
(glibc's ``malloc_trim``; nothing where the C library has none) and empties Arrow's pool.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
from collections.abc import Callable

import pyarrow as pa

__all__ = ["release_freed_memory"]


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or ``None`` (another C library, another system)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (AttributeError, OSError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_freed_memory() -> None:
    """Collect unreachable objects and return the freed memory to the system.

    Examples
    --------
    >>> release_freed_memory()
    """
    gc.collect()
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
