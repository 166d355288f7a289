"""Write new values of stored records as one undoable batch (variants, suggested fixes).

Both :meth:`~crmkit._ops._variants.Variants.replace` and
:meth:`~crmkit._ops._fixes.Fixes.apply` end here: an Arrow table ``id, <field>...`` of the
values to set goes to :meth:`Store.update <crmkit._core._store.Store.update>` inside one
:meth:`Session.batch <crmkit._core._session.Session.batch>`, so history holds every
change and ``crm.undo(report.batch_id)`` puts each value back. A batch that changed
nothing is dropped.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from crmkit._core._session import Session
from crmkit._ops._bulk import BulkReport

__all__ = ["write_values"]


def write_values(
    session: Session,
    kind: str,
    changes: pa.Table,
    *,
    operation: str,
    description: str,
    merge: bool = False,
    details: dict[str, Any] | None = None,
    skipped: pd.DataFrame | None = None,
) -> BulkReport:
    """Set the values of ``changes`` (``id`` and one column per field) in one batch.

    ``merge=True``: a null keeps the stored value and a ``custom`` object is patched
    rather than replaced (see ``Store.update``). Returns the :class:`BulkReport` of the
    batch (``batch_id`` ``None`` when nothing changed).
    """
    store = session.store
    with session.batch(operation, description) as batch:
        changed = store.update(kind, changes, batch, session.user, operation, merge=merge)
    report = BulkReport(
        operation, kind, changes.num_rows, changed, batch_id=batch, details=details or {}
    )
    if skipped is not None:
        report.skipped = skipped
    if changed == 0:
        store.drop_batch_if_empty(batch)
        report.batch_id = None
    else:
        report.alerts = list(session.last_alerts)
    return report
