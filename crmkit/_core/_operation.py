"""One operation, one connection: the facade's verbs run inside :meth:`Store.operation`.

A CRM opened with ``shared=True`` holds no DuckDB connection between operations, so other
processes can use the file in between. What counts as one operation is what a user calls:
a verb of ``crm``, ``crm.contacts``, a selection, the settings ... :func:`per_operation`
decorates those classes once, so every verb (and ``len``, iteration, display) opens the
file, works, commits and closes, and a verb that calls another shares its connection.
Outside shared mode the wrapper only checks a flag and calls the verb. Either way the verb
runs with the database's catalog (its custom fields too) in force: everything it calls
that asks :func:`crmkit.schemas.table` for fields sees them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from crmkit._core._store import Store

__all__ = ["per_operation"]

T = TypeVar("T", bound=type)

#: Private names that read the database when Python or Jupyter call them.
_HOOKS = frozenset({"__len__", "__iter__", "__contains__", "__repr__", "_repr_html_"})


def per_operation(
    store_of: Callable[[Any], Store], *, skip: frozenset[str] = frozenset()
) -> Callable[[T], T]:
    """A class decorator running each public method and property as one store operation.

    Parameters
    ----------
    store_of
        Gives the :class:`~crmkit._core._store.Store` of an instance.
    skip
        Names that never read the file (a path, a flag): they stay as they are.

    Examples
    --------
    >>> @per_operation(lambda thing: thing.store)
    ... class Thing:
    ...     def __init__(self, store):
    ...         self.store = store
    ...     def count(self):
    ...         return self.store.con.sql("SELECT 42").fetchall()[0][0]
    >>> store = Store()
    >>> Thing(store).count()
    42
    >>> store.close()
    """

    def decorate(cls: T) -> T:
        for name, value in list(vars(cls).items()):
            if (name.startswith("_") and name not in _HOOKS) or name in skip:
                continue
            if isinstance(value, property):
                wrapped = property(
                    _wrap(value.fget, store_of) if value.fget else None,
                    _wrap(value.fset, store_of) if value.fset else None,
                    value.fdel,
                    value.__doc__,
                )
                setattr(cls, name, wrapped)
            elif inspect.isfunction(value):
                setattr(cls, name, _wrap(value, store_of))
        return cls

    return decorate


def _wrap(fn: Callable[..., Any], store_of: Callable[[Any], Store]) -> Callable[..., Any]:
    """``fn`` run inside one operation of its instance's store (a generator: while it runs)."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            store = store_of(self)
            if store.closed:
                yield from fn(self, *args, **kwargs)
                return
            with store.operation(), store.catalog_scope():
                yield from fn(self, *args, **kwargs)

        return generator

    @functools.wraps(fn)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        store = store_of(self)
        if store.closed:
            return fn(self, *args, **kwargs)
        with store.operation(), store.catalog_scope():
            return fn(self, *args, **kwargs)

    return method
