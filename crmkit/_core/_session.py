"""The session: one open CRM as the operations see it.

A :class:`Session` holds the :class:`~crmkit._core._store.Store` (the one owner of SQL
that writes), who is working (the actor of every change, and the default owner of new
records), the database's :class:`~crmkit._core._settings.Settings`, and opens batches.
Every operation (``crmkit._ops``, ``crmkit._importing``) takes a session; the facade
(``crmkit._api``) makes one per :func:`crmkit.open` and passes it, the way Splink's
linker hands its components one shared state. Nothing here knows about the facade.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from crmkit._core._blocklist import check_batch_blocked
from crmkit._core._duplicate_check import DuplicateAlert, check_batch
from crmkit._core._duplicate_rules import DuplicateRules
from crmkit._core._settings import Settings
from crmkit._core._store import Store, UndoSummary

__all__ = ["Session", "login_name"]


def login_name() -> str:
    """The login name of the process, or ``"unknown"`` where there is none."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "unknown"


class Session:
    """One open CRM: store, user, settings, batches and the caches of operations.

    Parameters
    ----------
    store
        The store of the database.
    user
        Who is working: the actor of every change, and the owner given to new records
        (created as an owner on first use). ``None``: the login name is the actor and new
        records get no default owner.

    Examples
    --------
    >>> from crmkit._core._store import Store
    >>> session = Session(Store(), user="Nicole Bertrand")
    >>> with session.batch("note", "an example") as batch:
    ...     pass
    >>> session.last_batch_id == batch
    True
    >>> session.store.close()
    """

    def __init__(self, store: Store, user: str | None = None) -> None:
        self.store = store
        self.explicit_user = user
        self.user: str = user or login_name()
        # A setting's batch is one of the session's: it joins `with crm.batch():` and
        # sets last_batch_id.
        self.settings = Settings(store, self.user, self.batch)
        #: The batch of the last change made in this session (``None`` before any).
        self.last_batch_id: int | None = None
        #: What the duplicate rules reported for the last batch (alerts, never blocks).
        self.last_alerts: list[DuplicateAlert] = []
        #: State operations keep for the session (duplicate indexes ...), by key.
        self.caches: dict[Any, Any] = {}
        self._open_batch: int | None = None  # the batch a change inside a batch joins

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection, for reading (writes go through the store)."""
        return self.store.con

    @contextmanager
    def batch(self, operation: str, description: str = "", details: Any = None) -> Iterator[int]:
        """One transaction and one batch around a change; yields the batch id.

        Before it commits, the duplicate rules check what the batch wrote
        (:mod:`crmkit._core._duplicate_check`: alerts go to :attr:`last_alerts`, a block
        raises), then the store checks references, cycles and owners
        (:mod:`crmkit._core._integrity`); either rolls all of it back. A batch opened
        inside another joins it (``with crm.batch():`` around several verbs: one undo).
        """
        store = self.store
        store.check_writable()
        if self._open_batch is not None:
            yield self._open_batch
            return
        self.last_alerts = []
        with store.transaction():
            batch_id = store.new_batch(operation, self.user, description, details)
            self._open_batch = batch_id
            try:
                yield batch_id
            finally:
                self._open_batch = None
            check_batch_blocked(store.con, batch_id, operation)
            alerts = check_batch(store.con, DuplicateRules(store), batch_id, operation)
            store.finish_batch(batch_id)
        self.last_batch_id = batch_id
        self.last_alerts = alerts

    def undo(self, batch_id: Any, *, detach: bool = False) -> UndoSummary:
        """Revert a batch (see :meth:`crmkit.CRM.undo`)."""
        summary = self.store.undo(batch_id, self.user, detach=detach)
        self.last_batch_id = summary.batch_id
        self.last_alerts = []  # an undo puts back what was there: never checked
        return summary
