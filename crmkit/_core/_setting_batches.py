"""A change of settings is one batch: listed in ``crm.batches()``, undone by ``crm.undo``.

Every setter of :class:`~crmkit._core._settings.Settings` (and the retention and
duplicate rules it keeps) ends in :func:`change_settings`: the values that differ from
the stored ones are written with :meth:`~crmkit._core._store.Store.set_setting_in_batch`
inside one ``setting`` batch, whose ``details`` keep the old and new values, so undoing
the batch puts the old ones back and undoing the undo brings the new ones again. A change
to what is already stored writes nothing and opens no batch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from crmkit._core._store import SETTING_DEFAULT, Store
from crmkit._util._shorten import printable

__all__ = [
    "SETTING_OPERATION",
    "BatchOpener",
    "SettingsChange",
    "change_settings",
    "describe",
    "store_batch",
    "store_change",
]

#: The operation of a batch that changed settings (``crm.batches()``).
SETTING_OPERATION = "setting"
#: Opens the batch a change is written in: ``opener(operation, description)`` yields its
#: id (the session's ``batch``: it joins a ``with crm.batch():`` block and sets
#: ``crm.last_batch_id``).
BatchOpener = Callable[[str, str], AbstractContextManager[int]]
#: Writes settings as one batch; returns its id (``None``: nothing changed).
SettingsChange = Callable[[Mapping[str, Any], str | None], int | None]


@contextmanager
def store_batch(store: Store, actor: str, operation: str, description: str) -> Iterator[int]:
    """One transaction and one batch of ``store`` (a :data:`BatchOpener` with no session)."""
    store.check_writable()
    with store.transaction():
        batch = store.new_batch(operation, actor, description)
        yield batch
        store.finish_batch(batch)


def _state(value: Any) -> dict[str, Any]:
    """What :meth:`Store.setting_state` will read after ``value`` is stored."""
    return {} if value is SETTING_DEFAULT else {"value": json.loads(json.dumps(value))}


def _in_force(store: Store, key: str, value: Any, defaults: Mapping[str, Any]) -> bool:
    """Whether ``value`` is what ``key`` already is (stored, or its default)."""
    stored, wanted = store.setting_state(key), _state(value)
    return stored == wanted or (not stored and key in defaults and _state(defaults[key]) == wanted)


def _text(value: Any, limit: int = 60) -> str:
    """``value`` in a few words: a list by its items (a stage or sector by its value)."""
    if value is SETTING_DEFAULT:
        text = "default"
    elif isinstance(value, list):
        text = ", ".join(str(v.get("value", v)) if isinstance(v, dict) else str(v) for v in value)
    else:
        text = str(value)
    return printable(text if len(text) <= limit else text[: limit - 1] + "…")


def describe(changes: Mapping[str, Any]) -> str:
    """The description of a batch changing ``changes``: each key and its new value, short.

    Examples
    --------
    >>> describe({"default_currency": "USD"})
    'default_currency = USD'
    >>> describe({"lifecycle_stages": [{"value": "lead"}, {"value": "trial"}]})
    'lifecycle_stages = lead, trial'
    >>> describe({"sectors": SETTING_DEFAULT})
    'sectors = default'
    """
    return "; ".join(f"{key} = {_text(value)}" for key, value in changes.items())


def change_settings(
    store: Store,
    opener: BatchOpener,
    changes: Mapping[str, Any],
    description: str | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> int | None:
    """Write ``changes`` (key -> value, or ``SETTING_DEFAULT``) as one ``setting`` batch.

    Returns the batch id, or ``None`` when every value is the one in force (no batch):
    the stored one, or for a setting never stored its value in ``defaults``. A read-only
    store refuses (:class:`~crmkit.ReadOnlyError`), a no-op change too.

    Examples
    --------
    >>> store = Store()
    >>> opener = lambda operation, text: store_batch(store, "me", operation, text)
    >>> batch = change_settings(store, opener, {"default_region": "BE"})
    >>> store.get_setting("default_region")
    'BE'
    >>> change_settings(store, opener, {"default_region": "BE"}) is None
    True
    >>> _ = store.undo(batch, "me")
    >>> store.setting_state("default_region")
    {}
    >>> store.close()
    """
    store.check_writable()
    changed = {k: v for k, v in changes.items() if not _in_force(store, k, v, defaults or {})}
    if not changed:
        return None
    with opener(SETTING_OPERATION, description or describe(changed)) as batch:
        for key, value in changed.items():
            store.set_setting_in_batch(key, value, batch)
    return batch


def store_change(store: Store, actor: str = "crmkit") -> SettingsChange:
    """A :data:`SettingsChange` of ``store`` alone (no session: ``actor`` makes the batch).

    Examples
    --------
    >>> store = Store()
    >>> change = store_change(store)
    >>> batch = change({"max_frame_rows": 10}, "max_frame_rows = 10")
    >>> store.get_setting("max_frame_rows")
    10
    >>> store.close()
    """

    def opener(operation: str, description: str) -> AbstractContextManager[int]:
        return store_batch(store, actor, operation, description)

    def change(changes: Mapping[str, Any], description: str | None = None) -> int | None:
        return change_settings(store, opener, changes, description)

    return change
