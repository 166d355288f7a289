"""Saved views: ``crm.views``, a named filter (not its rows), kept in the database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from crmkit._core._operation import per_operation
from crmkit._ops import _views as views

if TYPE_CHECKING:
    from crmkit._api._crm import CRM
    from crmkit._api._selection import Selection

__all__ = ["SavedViews"]


@per_operation(lambda saved: saved._crm._session.store)
class SavedViews:
    """``crm.views``: save a selection's filter under a name and load it again later.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> _ = crm.contacts.add(last_name="Blou", active=True)
    >>> crm.views.save("actifs", crm.contacts.filter(active=True).sort("last_name"))
    >>> len(crm.views.load("actifs"))
    1
    >>> crm.close()
    """

    def __init__(self, crm: CRM) -> None:
        self._crm = crm

    def names(self) -> list[str]:
        """The saved view names."""
        return views.names(self._crm._session)

    def save(self, name: str, selection: Selection, *, replace: bool = False) -> None:
        """Save ``selection``'s filters, sort and columns as ``name``."""
        definition = views.definition_of(selection.filters, selection.order, selection.cols)
        views.save(self._crm._session, name, selection.kind, definition, replace=replace)

    def load(self, name: str) -> Selection:
        """The selection saved as ``name``, evaluated on today's records."""
        kind, definition = views.load(self._crm._session, name)
        selection = self._crm._records(kind).all()
        for key, value in definition["filters"]:
            selection = selection.filter(**{key: value})
        if definition["order"]:
            selection = selection.sort(*(("-" if d else "") + c for c, d in definition["order"]))
        if definition["columns"]:
            selection = selection.columns(*definition["columns"])
        return selection

    def delete(self, name: str) -> None:
        """Remove a saved view (undoable)."""
        views.delete(self._crm._session, name)

    def list(self) -> pd.DataFrame:
        """Every saved view with its kind and definition."""
        return views.frame(self._crm._session)

    def __repr__(self) -> str:
        return f"SavedViews({', '.join(self.names()) or 'none'})"
