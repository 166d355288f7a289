"""The live accounts an import links contacts to, by company key, in bounded memory.

A contacts file names its accounts by company; the import links each row to the live
account of that company key (the oldest one) and creates the missing ones. A Python
``dict`` of every account's key costs some 200 bytes an account, and an import of ten
million contacts creates millions of accounts; this index keeps each key's 128-bit hash
and account id in a table of the import's private DuckDB
(:class:`~crmkit._importing._scratch.Scratch`), looked up once per chunk.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from crmkit._core._session import Session
from crmkit._importing._scratch import HASH_SQL, Scratch, hashed_keys
from crmkit._normalize._columns import company_key_column

__all__ = ["AccountIndex"]

_TABLE = "account_keys"
_READ_ROWS = 100_000


class AccountIndex:
    """Live accounts by company key (built from the database on first use).

    Parameters
    ----------
    session
        The session whose accounts are indexed.
    scratch
        The DuckDB to keep the index in.
    """

    def __init__(self, session: Session, scratch: Scratch) -> None:
        self.session = session
        self.scratch = scratch
        self._built = False

    def find(self, keys: Sequence[str]) -> dict[str, int]:
        """The oldest live account of each key that has one."""
        wanted = list(dict.fromkeys(k for k in keys if k))
        if not wanted:
            return {}
        con = self._build()
        con.register("_crmkit_wanted", hashed_keys(wanted, pos=range(len(wanted))))
        try:
            rows = con.execute(
                f"SELECT w.pos, min(a.id) FROM _crmkit_wanted w JOIN {_TABLE} a "
                f"ON a.h = {HASH_SQL} GROUP BY w.pos"
            ).fetchall()
        finally:
            con.unregister("_crmkit_wanted")
        return {wanted[pos]: int(account_id) for pos, account_id in rows}

    def add(self, keys: Sequence[str], ids: Sequence[int]) -> None:
        """Index accounts just created (``keys[i]`` is the key of account ``ids[i]``)."""
        if keys:
            self._insert(keys, ids)

    def reset(self) -> None:
        """Forget the index: the next lookup reads the accounts again."""
        if self._built:
            self.scratch.con.execute(f"DROP TABLE IF EXISTS {_TABLE}")
            self._built = False

    def _build(self) -> duckdb.DuckDBPyConnection:
        con = self.scratch.con
        if self._built:
            return con
        con.execute(f"CREATE OR REPLACE TABLE {_TABLE} (h UHUGEINT, id BIGINT)")
        self._built = True
        reader = self.session.con.sql(
            "SELECT id, name FROM accounts WHERE deleted_at IS NULL "
            "AND merged_into IS NULL ORDER BY id"
        ).to_arrow_reader(_READ_ROWS)
        for batch in reader:
            ids = batch.column(0).to_pylist()
            keys = company_key_column(batch.column(1).to_pylist())
            kept = [(k, i) for k, i in zip(keys, ids, strict=True) if k is not None]
            if kept:
                self._insert([k for k, _ in kept], [i for _, i in kept])
        return con

    def _insert(self, keys: Sequence[str], ids: Sequence[int]) -> None:
        con = self._build()
        con.register("_crmkit_accounts", hashed_keys(list(keys), id=list(ids)))
        try:
            con.execute(f"INSERT INTO {_TABLE} SELECT {HASH_SQL}, id FROM _crmkit_accounts")
        finally:
            con.unregister("_crmkit_accounts")
