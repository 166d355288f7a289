"""The database's duplicate rules applied to the rows of an import.

An import is one batch, but a duplicate rule that blocks must cost the blocked rows only,
not the whole file: so, one chunk at a time and before it is written, each row the chunk
would insert (the rule's ``import`` action) or update (its ``update`` action) is matched
with :func:`crmkit._core._duplicate_check.rule_matches` against the live records (the
rows of earlier chunks included: they are written in the same transaction) and against
the earlier rows of the chunk. A blocked row is rejected with the rule, the fields and
the matching record in its reasons; an alerted row is stored and listed in the report's
``duplicate_alerts``. An updated row is matched with its stored values where the file
leaves a field blank or unmapped, as the update will store them.
"""

from __future__ import annotations

import pyarrow as pa

from crmkit._core._blocklist import BLOCKED_KIND, blocked_rows
from crmkit._core._duplicate_check import DuplicateAlert, alert_of, rule_matches
from crmkit._core._duplicate_rules import INACTIVE_FIELD, DuplicateRules
from crmkit._core._session import Session
from crmkit._importing._chunks import Chunk, chunk_arrow
from crmkit._importing._report import ReportParts
from crmkit._util._messages import message
from crmkit.schemas._catalog import Table
from crmkit.schemas._labels import message_field

__all__ = ["ImportRules"]

_ROWS = "_crmkit_import_rule_rows"


class ImportRules:
    """Checks an import's rows with the database's enabled duplicate rules.

    Parameters
    ----------
    session
        The session the import writes through.
    tbl
        The table imported into.
    parts
        Where alerts are reported.
    """

    def __init__(self, session: Session, tbl: Table, parts: ReportParts) -> None:
        self.session = session
        self.table = tbl
        self.parts = parts
        self.rules = DuplicateRules(session.store).enabled(tbl.name)
        self.alerts: list[DuplicateAlert] = []

    def handle(
        self, chunk: Chunk, inserts: list[int], updates: list[int], update_ids: list[int]
    ) -> tuple[list[int], list[int], list[int]]:
        """The inserts and updates left once blocked rows are rejected (same order)."""
        if not (inserts or updates):
            return inserts, updates, update_ids
        blocked = self._erased(chunk, [*inserts, *updates])
        if blocked:
            inserts, updates, update_ids = _without(blocked, inserts, updates, update_ids)
        if self.rules and (inserts or updates):
            blocked = self._check(chunk, inserts, updates, update_ids)
        else:
            blocked = set()
        if not blocked:
            return inserts, updates, update_ids
        return _without(blocked, inserts, updates, update_ids)

    def _erased(self, chunk: Chunk, rows: list[int]) -> set[int]:
        """Rows whose email or phone matches the blocklist (erased people): rejected
        with a reason naming the field only, their raw cells not kept."""
        if self.table.name != BLOCKED_KIND:
            return set()
        data = chunk_arrow(self.table, chunk).take(pa.array(rows, pa.int64()))
        data = data.append_column("_row", pa.array(rows, pa.int64()))
        con = self.session.con
        con.register(_ROWS, data)
        try:
            found = blocked_rows(con, self.table, _ROWS, "_row")
        finally:
            con.unregister(_ROWS)
        for row, field in found.items():
            shown = message_field(self.table.name, field)
            chunk.errors[row].append(message("blocked_row", field=shown))
            self.parts.hidden_lines.add(chunk.lines[row])
        return set(found)

    def _check(
        self, chunk: Chunk, inserts: list[int], updates: list[int], update_ids: list[int]
    ) -> set[int]:
        rows = [*inserts, *updates]
        data = chunk_arrow(self.table, chunk).take(pa.array(rows, pa.int64()))
        data = data.append_column("_row", pa.array(rows, pa.int64()))
        data = data.append_column(
            "_id", pa.array([None] * len(inserts) + list(update_ids), pa.int64())
        )
        kind = self.table.name
        wanted = dict.fromkeys(
            [f for rule in self.rules for f in rule.fields] + [INACTIVE_FIELD[kind][0]]
        )
        # As the update will store it: the file's value, else the stored one.
        columns = ", ".join(
            (f'coalesce(r."{f}", t."{f}")' if f in data.column_names else f't."{f}"') + f' AS "{f}"'
            for f in wanted
        )
        candidates = (
            f"(SELECT r._row, r._id, {columns} FROM {_ROWS} r LEFT JOIN {kind} t ON t.id = r._id)"
        )
        con = self.session.con
        blocked: set[int] = set()
        found: list[tuple[int, DuplicateAlert]] = []
        con.register(_ROWS, data)
        try:
            for rule in self.rules:
                for match in rule_matches(con, rule, candidates, within=True):
                    event = "import" if match.record_id is None else "update"
                    if rule.action(event) == "allow":
                        continue
                    line = chunk.lines[match.row]
                    other = None if match.match_row is None else chunk.lines[match.match_row]
                    alert = alert_of(rule, match, event, line=line, match_line=other)
                    if alert.action == "block":
                        if match.row not in blocked:  # one reason per row is enough
                            chunk.errors[match.row].append(alert.describe())
                        blocked.add(match.row)
                    else:
                        found.append((match.row, alert))
        finally:
            con.unregister(_ROWS)
        # A row another rule blocked is rejected, not stored: its alerts would mislead.
        kept = [alert for row, alert in found if row not in blocked]
        self.alerts.extend(kept)
        self.parts.duplicate_alerts.extend(a.as_row() for a in kept)
        return blocked


def _without(
    blocked: set[int], inserts: list[int], updates: list[int], update_ids: list[int]
) -> tuple[list[int], list[int], list[int]]:
    """The inserts and updates but ``blocked`` rows (same order)."""
    kept = [(r, i) for r, i in zip(updates, update_ids, strict=True) if r not in blocked]
    return (
        [r for r in inserts if r not in blocked],
        [r for r, _ in kept],
        [i for _, i in kept],
    )
