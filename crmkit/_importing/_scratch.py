"""A private DuckDB for what an import remembers of its file, in bounded memory.

An import remembers the match keys of every row it has seen (to find a later row that is
the same record) and the accounts it can link to. Kept in Python, or even in compact NumPy
arrays, that memory grows with the file (some 150-300 bytes a row: 3 GB at ten million
rows). Kept in tables of an in-memory DuckDB of its own, with a ``memory_limit``, it stays
under that limit and spills to a temporary folder beyond it; each chunk looks its keys up
with one hash join. The keys are stored as 128-bit hashes (16 bytes a key; two different
keys share one with a probability of about n² / 2¹²⁹).

The connection is the import's own: it takes no part in the CRM's transactions (a dry run
or an error leaves nothing to undo here) and is dropped with its folder at the end, on
every path (an error, an interrupt; at the latest when the process exits). Only a process
killed outright leaves its folder behind: the folder is named after the process, and the
next import removes the folders of processes that are gone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from crmkit._importing._key_index import key_hashes

__all__ = ["SCRATCH_MEMORY_LIMIT", "Scratch", "hashed_keys", "remove_orphan_folders"]

# The folders' names: the prefix, then the id of the process that made them.
FOLDER_PREFIX = "crmkit-import-"

# DuckDB's memory for one import's keys: ten million rows of a contacts file fit (about
# 50 bytes a row of keys, 70 of groups); a larger file spills to disk beyond it.
SCRATCH_MEMORY_LIMIT = "1GB"

# A key's two 64-bit hashes as one 128-bit number, in SQL.
HASH_SQL = "((h1::UHUGEINT << 64) | h2::UHUGEINT)"


def hashed_keys(keys: Sequence[str], **columns: Sequence[int] | np.ndarray) -> pa.Table:
    """An Arrow table of the keys' hashes (``h1``, ``h2``) and other columns, for a join.

    Examples
    --------
    >>> hashed_keys(["email:a@b.fr", "uid:7"], pos=[0, 1]).column_names
    ['h1', 'h2', 'pos']
    """
    high, low = key_hashes(keys)
    data = {"h1": pa.array(high, pa.uint64()), "h2": pa.array(low, pa.uint64())}
    for name, values in columns.items():
        data[name] = pa.array(np.asarray(values, dtype=np.int64), pa.int64())
    return pa.table(data)


class Scratch:
    """An in-memory DuckDB with a memory limit, spilling to a folder of its own.

    Parameters
    ----------
    memory_limit
        DuckDB's ``memory_limit`` for it (what it holds beyond goes to disk; ``None``:
        ``SCRATCH_MEMORY_LIMIT``).

    Examples
    --------
    >>> scratch = Scratch("64MB")
    >>> scratch.con.execute("SELECT 42").fetchall()
    [(42,)]
    >>> scratch.close()
    """

    def __init__(self, memory_limit: str | None = None) -> None:
        self.memory_limit = memory_limit or SCRATCH_MEMORY_LIMIT
        self._con: duckdb.DuckDBPyConnection | None = None
        self._finalizer: weakref.finalize | None = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The connection (made on first use)."""
        if self._con is None:
            remove_orphan_folders()
            folder = tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-")
            config: dict[str, str | bool | int | float | list[str]] = {
                "memory_limit": self.memory_limit,
                "temp_directory": folder,
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
            }
            self._con = duckdb.connect(":memory:", config=config)
            self._finalizer = weakref.finalize(self, _drop, self._con, folder)
        return self._con

    def close(self) -> None:
        """Close the connection and remove its folder."""
        if self._finalizer is not None:
            self._finalizer()
        self._con = None
        self._finalizer = None


def remove_orphan_folders(parent: str | Path | None = None) -> list[Path]:
    """Remove the folders that imports of processes no longer running left behind.

    A process killed outright (``SIGKILL``, out of memory) cannot remove its folder;
    the next import does. Folders of running processes are left alone.

    Parameters
    ----------
    parent
        Where to look (``None``: the temporary folder, :func:`tempfile.gettempdir`).

    Returns
    -------
    list of Path
        The folders removed.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> parent = Path(tempfile.mkdtemp())
    >>> (parent / f"{FOLDER_PREFIX}{os.getpid()}-mine").mkdir()  # this process: kept
    >>> [p.name for p in remove_orphan_folders(parent)]
    []
    >>> shutil.rmtree(parent)
    """
    removed = []
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        pid = folder.name[len(FOLDER_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)) and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    """Whether a process of this id runs (one of another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True


def _drop(con: duckdb.DuckDBPyConnection, folder: str) -> None:
    try:
        con.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
