"""The defaults an import gives (``crmkit._importing._defaults``): the current user as
owner and the database's currency, for new records; a blank currency after an update."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

import crmkit as ck
from crmkit._importing._chunks import Chunk, ChunkNormalizer
from crmkit._importing._defaults import fill_blank_currency, fill_defaults
from crmkit._importing._mapping import propose_mapping
from crmkit._normalize._columns import ColumnOptions
from crmkit.schemas._catalog import table


def accounts_chunk(columns: dict[str, list[object]]) -> Chunk:
    cells = pd.DataFrame(columns, dtype=object)
    normalizer = ChunkNormalizer("accounts", ColumnOptions(region="FR"), "EUR")
    plan = propose_mapping(list(cells.columns), "accounts")
    return normalizer.prepare(cells, list(range(2, len(cells) + 2)), plan)


def test_new_records_get_the_user_as_owner_and_a_currency_for_amounts(crm: ck.CRM) -> None:
    marc = crm.owners.add("Marc Durand")
    chunk = accounts_chunk(
        {
            "Société": ["Acme", "Globex", "Initech"],
            "Chiffre d'affaires": ["1000", None, "50"],
            "Devise": [None, None, "USD"],
        }
    )
    chunk.columns["owner_id"] = [None, marc, None]  # what linking found
    session = crm._session
    with session.batch("test") as batch:
        rows = fill_defaults(session, table("accounts"), chunk, [0, 1, 2], batch, "CHF")
    nicole = crm.owners.resolve("Nicole Bertrand")  # the current user, made an owner
    assert rows == [0, 1, 2]
    assert chunk.columns["owner_id"] == [nicole, marc, nicole]
    # Only an amount without a currency takes the default, and the Arrow table follows.
    assert chunk.columns["currency"] == ["CHF", None, "USD"]
    assert chunk.arrow is not None
    assert chunk.arrow.column("currency").to_pylist() == ["CHF", None, "USD"]


def test_a_deactivated_default_owner_rejects_rows_without_one(crm: ck.CRM) -> None:
    marc = crm.owners.add("Marc Durand")
    crm.owners.add("Nicole Bertrand")
    crm.owners.deactivate("Nicole Bertrand")
    chunk = accounts_chunk({"Société": ["Acme", "Globex"]})
    chunk.columns["owner_id"] = [marc, None]
    session = crm._session
    with session.batch("test") as batch:
        rows = fill_defaults(session, table("accounts"), chunk, [0, 1], batch, "EUR")
    assert rows == [0]
    assert chunk.errors[1] == [
        "owner: the row names none and the default owner 'Nicole Bertrand' is deactivated; "
        "activate it or add an owner column"
    ]


def test_an_updated_amount_gets_a_currency_only_where_the_record_has_none(crm: ck.CRM) -> None:
    blank = crm.accounts.add(name="Acme")
    priced = crm.accounts.add(name="Globex", annual_revenue=10, currency="USD")
    session = crm._session
    with session.batch("test") as batch:
        session.store.update(
            "accounts",
            pa.table({"id": [blank, priced], "annual_revenue": [1000.0, 20.0]}),
            batch,
            session.user,
            "import",
        )
        fill_blank_currency(session, "accounts", [blank, priced], batch, "CHF")
        fill_blank_currency(session, "contacts", [blank], batch, "CHF")  # contacts: no money
    assert crm.accounts.get(blank)["currency"] == "CHF"
    assert crm.accounts.get(priced)["currency"] == "USD"
