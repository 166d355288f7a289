"""New imported rows checked against the records stored before: likely duplicates.

Rows that match no record by their keys may still be one a user typed differently
(``Jon Smith`` for ``John Smith`` at the same company). :class:`LikelyDuplicates` scores
them with the operations' duplicates index (``crmkit._ops._duplicates``), built once per
import from the records there were before it, and flags, skips or merges the likely ones
as the import's ``on_duplicate`` says.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from crmkit._core._results import first
from crmkit._core._session import Session
from crmkit._importing._chunks import Chunk, chunk_arrow
from crmkit._importing._report import ReportParts
from crmkit._ops._duplicates import duplicates_of
from crmkit._util._messages import message, record_noun
from crmkit.schemas._catalog import Table

__all__ = ["LikelyDuplicates"]


class LikelyDuplicates:
    """Looks for stored records that new rows probably duplicate.

    Parameters
    ----------
    session
        The session the import writes through.
    tbl
        The table imported into.
    on_duplicate
        ``"flag"``, ``"skip"`` or ``"merge"`` (see :class:`ImportOptions`).
    threshold
        The probability from which a pair counts.
    parts
        Where each likely duplicate found is reported.
    """

    def __init__(
        self, session: Session, tbl: Table, on_duplicate: str, threshold: float, parts: ReportParts
    ) -> None:
        self.session = session
        self.table = tbl
        self.kind = tbl.name
        self.on_duplicate = on_duplicate
        self.threshold = threshold
        self.parts = parts
        self._index: Any = None  # a DedupeIndex, built on first use
        # Read before the import writes anything: its own rows are not "stored before".
        self.had_records = bool(
            first(
                session.con.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {self.kind} "
                    f"WHERE deleted_at IS NULL AND merged_into IS NULL LIMIT 1)"
                )
            )[0]  # type: ignore[index]
        )

    def handle(
        self, chunk: Chunk, inserts: list[int], updates: list[int], update_ids: list[int]
    ) -> list[int]:
        """Check new rows against existing records; flag, skip or merge the likely ones.

        Returns the rows still to insert; merged rows join ``updates`` and ``update_ids``.
        """
        if not self.had_records:
            return inserts  # nothing stored before this import to duplicate
        matches = self.find(chunk, inserts)
        keep: list[int] = []
        for i in inserts:
            found = matches.get(i)
            if found is None:
                keep.append(i)
                continue
            existing_id, probability = found
            line = chunk.lines[i]
            self.parts.likely_duplicates.append((line, existing_id, probability, self.on_duplicate))
            noun = record_noun(self.kind)
            note = message("likely_duplicate", noun=noun, id=existing_id, p=probability)
            if self.on_duplicate == "flag":
                chunk.warnings.append((line, "duplicate", existing_id, note))
                keep.append(i)
            elif self.on_duplicate == "skip":
                chunk.errors[i].append(message("reject_skipped", why=note))
            else:  # merge: the row updates the record it duplicates
                updates.append(i)
                update_ids.append(existing_id)
        return keep

    def find(self, chunk: Chunk, rows: list[int]) -> dict[int, tuple[int, float]]:
        """For each row (by position), the existing record it most probably duplicates."""
        frame = self._frame(chunk, rows)
        if self._index is None:
            # One index of the records there were before the import, for every chunk:
            # rows of this file are matched to each other by their keys, not here.
            self._index = duplicates_of(self.session, self.kind).index()
        report = self._index.check(frame, threshold=self.threshold)
        pairs = report.pairs
        best: dict[int, tuple[int, float]] = {}
        for a, b, p in zip(pairs["id_a"], pairs["id_b"], pairs["probability"], strict=True):
            a, b = int(a), int(b)
            if p < self.threshold or (a < 0) == (b < 0):
                continue
            new, old = (a, b) if a < 0 else (b, a)
            row = -new - 1
            if row not in best or p > best[row][1]:
                best[row] = (old, float(p))
        return best

    def _frame(self, chunk: Chunk, rows: list[int]) -> pd.DataFrame:
        """The rows as the index compares them: negative ids, contacts with their company."""
        data = chunk_arrow(self.table, chunk).take(pa.array(rows, pa.int64()))
        frame = data.to_pandas()
        frame.insert(0, "id", [-(i + 1) for i in rows])  # new rows: negative ids
        if self.kind != "contacts" or "account_id" not in frame.columns:
            return frame
        account_ids = sorted({int(a) for a in frame["account_id"].dropna()})
        names = (
            dict(
                self.session.con.execute(
                    "SELECT id, name FROM accounts WHERE id IN (SELECT unnest(?::BIGINT[]))",
                    [account_ids],
                ).fetchall()
            )
            if account_ids
            else {}
        )
        frame["company"] = [
            names.get(a) if a == a else None  # NaN check
            for a in frame["account_id"]
        ]
        return frame
