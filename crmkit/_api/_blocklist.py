"""``crm.blocklist``: the salted hashes of erased people's emails and phones."""

from __future__ import annotations

from crmkit._core._blocklist import entry_counts, remove_entry
from crmkit._core._operation import per_operation
from crmkit._core._session import Session
from crmkit._exceptions import ErasureError
from crmkit._util._messages import message

__all__ = ["Blocklist"]


@per_operation(lambda blocklist: blocklist._session.store)
class Blocklist:
    """The emails and phones of erased people, kept only as salted SHA-256 hashes.

    ``crm.contacts.erase`` adds them; a contact whose email or phone matches one is
    refused on every path (add, update, imports, forms, the command line) with a reason
    that names the field, never the value. The hashes cannot be read back: only counted,
    and removed by giving the value again.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> c = crm.contacts.add(last_name="Blou", email="helene.blou@aprool.com")
    >>> _ = crm.contacts.erase(c, reason="asked on 2026-12-01", confirm=True)
    >>> len(crm.blocklist), crm.blocklist.counts()
    (1, {'email': 1, 'phone': 0})
    >>> crm.contacts.add(last_name="Blou", email="Helene.Blou@aprool.com")
    Traceback (most recent call last):
    ...
    crmkit._exceptions.BlockedRecordError: the new contact not saved: email matches an erased ...
    >>> batch = crm.blocklist.remove(email="helene.blou@aprool.com")
    >>> len(crm.blocklist)
    0
    >>> crm.close()
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def __len__(self) -> int:
        return sum(entry_counts(self._session.con).values())

    def counts(self) -> dict[str, int]:
        """How many hashes per channel: ``{"email": n, "phone": m}``."""
        return entry_counts(self._session.con)

    def remove(self, *, email: str | None = None, phone: str | None = None) -> int:
        """Let one email or phone in again (one of ``email=``, ``phone=``); a batch,
        which ``crm.undo`` takes back. Returns the batch id.

        A phone is read as the store reads it (E.164, with the database's region).
        Raises :class:`~crmkit.ErasureError` when the value is on no entry.
        """
        if (email is None) == (phone is None):
            raise ErasureError(message("blocklist_one"))
        channel, value = ("email", email) if email is not None else ("phone", phone)
        session = self._session
        region = session.settings.default_region
        batch = remove_entry(session.store, session.user, channel, str(value), region)
        session.last_batch_id = batch
        return batch

    def __repr__(self) -> str:
        counts = self.counts()
        return f"Blocklist({', '.join(f'{k}: {v}' for k, v in counts.items())})"
