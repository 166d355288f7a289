"""``crm.import_profiles``: the import profiles saved in a CRM database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from crmkit._core._operation import per_operation
from crmkit._importing import _profiles as profiles
from crmkit._importing._profiles import ImportProfile

if TYPE_CHECKING:
    from crmkit._api._crm import CRM

__all__ = ["ImportProfile", "ImportProfiles"]


@per_operation(lambda saved: saved._crm._session.store)
class ImportProfiles:
    """Import decisions saved under a name, for files that come back.

    A profile holds the header mapping, default values for new records (for an empty
    cell or a missing column), an overwrite policy per field for the records an import
    updates (``"always"``, ``"if_empty"`` or ``"never"``) and other import options.
    ``crm.import_file(path, profile="name")`` applies one; a file whose headers are a
    profile's (the same set) recalls it without being told, and the preview and the
    report name the profile used. Options given to the import win over the profile's.
    Saving or deleting a profile is a ``setting`` batch: ``crm.undo(crm.last_batch_id)``
    takes it back.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> _ = crm.import_profiles.save(
    ...     "trade show",
    ...     mapping={"Nom": "last_name", "Courriel": "email", "Poste": "job_title"},
    ...     defaults={"origin": "Salon 2026"},
    ...     overwrite={"job_title": "if_empty", "owner": "never"},
    ... )
    >>> crm.import_profiles.list()[["name", "kind", "headers"]]
             name      kind  headers
    0  trade show  contacts        3
    >>> crm.import_profiles.get("trade show").overwrite
    {'job_title': 'if_empty', 'owner_id': 'never'}
    >>> crm.import_profiles.delete("trade show")
    >>> _ = crm.undo(crm.last_batch_id)
    >>> crm.import_profiles.get("trade show").name
    'trade show'
    >>> crm.close()
    """

    def __init__(self, crm: CRM) -> None:
        self._crm = crm

    def save(
        self,
        name: str,
        *,
        kind: str = "contacts",
        mapping: Mapping[str, str | None] | None = None,
        defaults: Mapping[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
        overwrite: Mapping[str, str] | None = None,
        headers: Sequence[str] | None = None,
    ) -> ImportProfile:
        """Save (or replace) the profile ``name``.

        Parameters
        ----------
        name
            The profile's name.
        kind
            ``"contacts"`` (default) or ``"accounts"``.
        mapping
            ``{header: field}`` as for ``import_file(mapping=...)``.
        defaults
            ``{field: value}`` given to new records whose cell is empty or column missing
            (``owner`` takes a name, an email or an id); checked now, as a form would.
        options
            Other import options (``mode``, ``match_on``, ``create_accounts`` ...).
        overwrite
            ``{field: "always" | "if_empty" | "never"}`` for the records an import
            updates (unnamed fields: ``"always"``).
        headers
            The headers whose files recall the profile (default: the mapping's).

        Raises
        ------
        UnknownValueError
            An unknown field in ``mapping``, ``defaults`` or ``overwrite``, or an unknown
            option.
        ValidationError
            A default the database refuses, or a policy other than the three.
            Nothing is saved.
        """
        return profiles.save_profile(
            self._crm._session,
            name,
            kind=kind,
            mapping=mapping,
            defaults=defaults,
            overwrite=overwrite,
            options=options,
            headers=headers,
        )

    def get(self, name: str) -> ImportProfile:
        """The profile ``name`` (an unknown name raises, with the closest one)."""
        return profiles.get_profile(self._crm._session.store, name)

    def list(self) -> pd.DataFrame:
        """The saved profiles (pandas): name, kind, headers, mapping, defaults, overwrite,
        options."""
        return profiles.list_profiles(self._crm._session.store)

    def delete(self, name: str) -> None:
        """Forget the profile ``name``."""
        profiles.delete_profile(self._crm._session, name)

    def __repr__(self) -> str:
        names = list(self.list()["name"])
        return f"ImportProfiles({', '.join(names) if names else '-'})"
