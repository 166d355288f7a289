"""Loading a sample set into a CRM: :func:`load_sample`.

A sample folder is what :func:`~crmkit.samples.write_sample_files` writes (the
repository's ``data/samples/`` is one): ``owners.csv``, ``accounts.csv`` and
``contacts.csv`` from the generator, next to the same people as other tools export them.
Loading goes through the public API, as a user's own files would: owners one by one,
accounts and contacts through the import pipeline.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from crmkit.samples._files import write_sample_files

if TYPE_CHECKING:
    from crmkit._api._crm import CRM
    from crmkit._importing._report import ImportReport

__all__ = ["load_sample"]


def load_sample(
    crm: CRM, folder: str | Path | None = None, progress: bool = False
) -> list[ImportReport]:
    """Load a sample set (owners, accounts, contacts) into ``crm``.

    Parameters
    ----------
    crm
        The CRM to fill (``ck.open()`` for one in memory).
    folder
        A folder written by :func:`~crmkit.samples.write_sample_files`, such as the
        repository's ``data/samples/``. ``None``: a fresh set (seed 7, 60 accounts, 300
        contacts in French, English and Chinese, a few duplicates) is written to a
        temporary folder first, then loaded.
    progress
        Show the imports' progress bars.

    Returns
    -------
    list of ImportReport
        The accounts import, then the contacts import (contacts create the accounts
        they name when missing).

    Examples
    --------
    >>> import crmkit as ck
    >>> from crmkit.samples import load_sample
    >>> crm = ck.open(user="Nicole Bertrand")
    >>> accounts, contacts = load_sample(crm)
    >>> len(crm.owners) > 0, accounts.inserted > 0, len(crm.contacts) == contacts.inserted
    (True, True, True)
    >>> crm.close()
    """
    if folder is None:
        with tempfile.TemporaryDirectory(prefix="crmkit-sample-") as fresh:
            write_sample_files(fresh)
            return load_sample(crm, fresh, progress)
    folder = Path(folder)
    owners = pd.read_csv(folder / "owners.csv", dtype=str, keep_default_na=False)
    for team in sorted({t for t in owners.get("team", pd.Series(dtype=str)) if t}):
        crm.owners.add(team, kind="team")
    for row in owners.to_dict("records"):
        crm.owners.add(
            str(row["name"]),
            email=str(row.get("email") or "") or None,
            team=str(row.get("team") or "") or None,
        )
    accounts = crm.import_file(folder / "accounts.csv", "accounts", progress=progress)
    contacts = crm.import_file(
        folder / "contacts.csv", "contacts", create_accounts=True, progress=progress
    )
    return [accounts, contacts]
