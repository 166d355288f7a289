"""The lists an import grows with its file, kept compactly (``crmkit._importing._compact``)
and the accounts' index kept in the import's own DuckDB (``_account_index``)."""

from __future__ import annotations

import numpy as np
import pytest

import crmkit as ck
from crmkit._importing._account_index import AccountIndex
from crmkit._importing._compact import IdSequence, NameSequence
from crmkit._importing._scratch import Scratch


def test_ids_read_as_a_list_whether_consecutive_or_not() -> None:
    ids = IdSequence()
    ids.extend(range(100, 100_100))  # a run: one range, not 100,000 ints
    ids.extend([5, 3, 9])
    ids.extend([])
    expected = [*range(100, 100_100), 5, 3, 9]
    assert len(ids) == len(expected) and list(ids) == expected and ids == expected
    assert ids[0] == 100 and ids[99_999] == 100_099 and ids[100_000] == 5 and ids[-1] == 9
    assert ids[-3:] == [5, 3, 9]
    assert 3 in ids and 100_050 in ids and 4 not in ids and "3" not in ids
    assert ids.to_numpy().tolist() == expected
    assert isinstance(ids[1], int) and isinstance(ids[-1], int)
    with pytest.raises(IndexError):
        ids[len(expected)]
    assert ids._parts[0] == range(100, 100_100)


def test_names_read_as_a_list() -> None:
    names = NameSequence()
    assert not names and list(names) == []
    names.extend(["Acme SAS", "Société Générale"])
    names.extend(["北京公司"])
    assert names == ["Acme SAS", "Société Générale", "北京公司"]
    assert sorted(names) == ["Acme SAS", "Société Générale", "北京公司"]
    assert names[-1] == "北京公司" and "Acme SAS" in names


def test_account_index_finds_the_oldest_account_of_a_key(crm: ck.CRM) -> None:
    first = crm.accounts.add(name="Rexel")
    crm.accounts.add(name="REXEL SA")  # same company key, younger
    acme = crm.accounts.add(name="Acme")
    index = AccountIndex(crm._session, Scratch("64MB"))
    found = index.find(["rexel", "acme", "globex", ""])
    assert found == {"rexel": first, "acme": acme}
    index.add(["globex"], [999])
    assert index.find(["globex"]) == {"globex": 999}
    index.reset()  # read again from the database: 999 is not an account there
    assert index.find(["globex", "rexel"]) == {"rexel": first}


def test_an_import_reports_its_ids_and_accounts(crm: ck.CRM, tmp_path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "first_name,last_name,email,company\n"
        + "".join(f"P{i},N{i},p{i}@x.fr,Company {i % 3}\n" for i in range(10)),
        encoding="utf-8",
    )
    report = crm.import_file(path, "contacts", create_accounts=True, chunk_rows=4, workers=1)
    assert list(report.inserted_ids) == sorted(crm.contacts.all().ids)
    assert len(report.inserted_ids) == 10
    assert sorted(report.created_accounts) == ["Company 0", "Company 1", "Company 2"]
    assert np.array_equal(report.inserted_ids.to_numpy(), np.asarray(list(report.inserted_ids)))
