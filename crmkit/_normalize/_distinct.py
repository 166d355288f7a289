"""Vectorising a scalar normaliser: each distinct value of a column parsed once.

The scalar functions of :mod:`crmkit._normalize` take one value; the import pipeline has
columns of them, in which most values repeat. :func:`map_distinct` applies a scalar once
per distinct value of a list, a pandas Series or a polars Series, and
:func:`map_distinct_checked` does the same for the parsers that can fail, turning each
:class:`~crmkit.ValidationError` into an error message, so that a bulk import can report
every bad cell at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from crmkit._exceptions import ValidationError

__all__ = ["map_distinct", "map_distinct_checked"]

T = TypeVar("T")


def _as_list(values: Iterable[Any]) -> list[Any]:
    # pandas and polars Series both have to_list(); it yields Python scalars and None.
    to_list = getattr(values, "to_list", None) or getattr(values, "tolist", None)
    return list(to_list()) if callable(to_list) else list(values)


def _cache_key(value: Any) -> tuple[type, Any] | None:
    # The type is part of the key so that 1, 1.0 and True never share a result.
    try:
        hash(value)
    except TypeError:
        return None
    return (type(value), value)


def map_distinct(values: Iterable[Any], func: Callable[[Any], T]) -> list[T]:
    """Apply ``func`` to each item, calling it once per distinct value.

    Parameters
    ----------
    values
        A list, tuple, pandas Series, polars Series or any iterable.
    func
        A scalar function such as :func:`~crmkit._normalize.normalize_country`.

    Returns
    -------
    list
        ``[func(v) for v in values]``, computed once per distinct (hashable) value.

    Examples
    --------
    >>> from crmkit._normalize import normalize_country
    >>> map_distinct(["France", "Chine", "France"], normalize_country)
    ['FR', 'CN', 'FR']
    """
    items = _as_list(values)
    try:
        distinct = dict.fromkeys(items)
    except TypeError:  # an unhashable item: keyed one by one below
        distinct = {}
    if distinct and {type(v) for v in distinct} <= {str, type(None)}:
        # Cells read from a CSV: a plain dict does the dedupe, and the results are
        # mapped back in C. (Other types need the type in the key, below.)
        results = {v: func(v) for v in distinct}
        return list(map(results.__getitem__, items))
    cache_: dict[tuple[type, Any], T] = {}
    out: list[T] = []
    for value in items:
        key = _cache_key(value)
        if key is None:
            out.append(func(value))
        elif key in cache_:
            out.append(cache_[key])
        else:
            out.append(cache_.setdefault(key, func(value)))
    return out


def map_distinct_checked(
    values: Iterable[Any], func: Callable[[Any], T]
) -> tuple[list[T | None], list[str | None]]:
    """Like :func:`map_distinct`, but a :class:`ValidationError` becomes an error message.

    Returns
    -------
    tuple of list
        ``(results, errors)``: ``results[i]`` is ``None`` where ``errors[i]`` holds the
        message of the error raised for item ``i``.

    Examples
    --------
    >>> from crmkit._normalize import parse_bool
    >>> map_distinct_checked(["oui", "peut-être"], parse_bool)
    ([True, None], [None, "not a yes/no value: 'peut-être'"])
    """

    def checked(value: Any) -> tuple[T | None, str | None]:
        try:
            return func(value), None
        except ValidationError as exc:
            return None, str(exc)

    pairs = map_distinct(values, checked)
    return [p[0] for p in pairs], [p[1] for p in pairs]
