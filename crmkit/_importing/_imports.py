"""What the database remembers of each import: the file, the profile, the counts.

An import's batch (``batches`` table, operation ``import``) holds in its ``details`` the
source, mode, mapping and options from the start; the file's name, size and SHA-256
content hash and the profile are added when it starts, the counts when it completes.
:func:`imports_frame` lists them with the fields each changed (from history) and whether
it was undone; :func:`previous_imports` finds the imports of a file with the same content
(a re-import is reported, not refused).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

__all__ = ["COUNTS", "file_facts", "imports_frame", "previous_imports"]

#: The counts an import records, in the order the list shows them.
COUNTS: tuple[str, ...] = ("read", "inserted", "updated", "unchanged", "rejected", "merged_in_file")
_READ_BYTES = 1 << 20


def file_facts(source: Any) -> dict[str, Any]:
    """``file_name``, ``file_size`` (bytes) and ``file_hash`` (SHA-256) of a file source;
    empty for a DataFrame. The file is read in 1 MB pieces (memory stays small)."""
    if not isinstance(source, str | Path):
        return {}
    path = Path(source)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(_READ_BYTES):
            digest.update(piece)
    return {
        "file_name": path.name,
        "file_size": path.stat().st_size,
        "file_hash": digest.hexdigest(),
    }


def previous_imports(con: duckdb.DuckDBPyConnection, file_hash: str | None) -> list[int]:
    """Batches of imports, not undone, of a file with this content hash (oldest first)."""
    if not file_hash:
        return []
    rows = con.execute(
        "SELECT id FROM batches WHERE operation = 'import' AND undone_by IS NULL "
        "AND details->>'$.file_hash' = ? ORDER BY id",
        [file_hash],
    ).fetchall()
    return [int(r[0]) for r in rows]


def imports_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per import, newest first (see ``crm.imports``)."""
    counts = ", ".join(
        f"TRY_CAST(b.details->>'$.counts.{name}' AS BIGINT) AS {name}"
        for name in COUNTS
        if name != "rejected"
    )
    return con.sql(
        f"""
        WITH changed AS (
            SELECT batch_id, string_agg(DISTINCT field, ', ' ORDER BY field) AS fields_changed
            FROM history WHERE field IS NOT NULL
              AND batch_id IN (SELECT id FROM batches WHERE operation = 'import')
            GROUP BY batch_id
        ), rejected AS (
            SELECT batch_id, count(*) AS rejected FROM import_rejects GROUP BY batch_id
        )
        SELECT b.id AS batch_id, b.created_at AS imported_at, b.actor,
               b.details->>'$.options.kind' AS kind,
               coalesce(b.details->>'$.file_name', b.details->>'$.source') AS file,
               TRY_CAST(b.details->>'$.file_size' AS BIGINT) AS file_size,
               b.details->>'$.file_hash' AS file_hash,
               b.details->>'$.profile' AS profile,
               b.details->>'$.mode' AS mode,
               {counts},
               coalesce(r.rejected, 0) AS rejected,
               c.fields_changed,
               b.undone_by IS NOT NULL AS undone, b.undone_by
        FROM batches b
        LEFT JOIN changed c ON c.batch_id = b.id
        LEFT JOIN rejected r ON r.batch_id = b.id
        WHERE b.operation = 'import'
        ORDER BY b.id DESC
        """
    ).df()[_COLUMNS]


_COLUMNS = [
    "batch_id",
    "imported_at",
    "actor",
    "kind",
    "file",
    "file_size",
    "file_hash",
    "profile",
    "mode",
    *COUNTS,
    "fields_changed",
    "undone",
    "undone_by",
]
