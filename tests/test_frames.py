"""Reading records into frames (crmkit._ops._frames): df()/pl()/arrow() hold the values
DuckDB's own conversion gave, iter_batches() streams them in record order, a large
frame warns first, and df() of a large selection stays within a bounded memory."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from crm_samples import add_sample_records

import crmkit as ck

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def crm_data(crm: ck.CRM) -> ck.CRM:
    add_sample_records(crm)
    crm.contacts.add(last_name="Zed")  # no account, no owner: missing values everywhere
    return crm


def _selections(crm: ck.CRM) -> list[ck.Selection]:
    contacts = crm.contacts
    pinned = contacts.filter(active=True)
    pinned.tag("seen")
    return [
        contacts.all(),
        crm.accounts.all(),
        contacts.filter(active=True).sort("-last_name"),
        contacts.all().sort("company", "first_name").limit(4),
        contacts.all().columns("id", "last_name", "tags").limit(5),
        pinned.filter(country="FR"),
        contacts.filter(last_name="nobody"),
    ]


def _same_values(new: pd.DataFrame, old: pd.DataFrame) -> None:
    """Equal values, missing where missing (dtypes may differ: ``str`` for ``object``)."""
    assert list(new.columns) == list(old.columns) and len(new) == len(old)
    for name in old.columns:
        a, b = new[name].tolist(), old[name].tolist()
        for x, y in zip(a, b, strict=True):
            if isinstance(y, list) or hasattr(y, "tolist"):  # a list column
                assert list(x) == list(y), name
            elif pd.isna(y):
                assert pd.isna(x), name
            else:
                assert x == y and type(x) is type(y), name


def test_df_values_equal_duckdb_conversion(crm_data: ck.CRM) -> None:
    for sel in _selections(crm_data):
        _same_values(sel.df(), sel.relation().df())


def test_df_dtypes(crm_data: ck.CRM) -> None:
    frame = crm_data.contacts.df()
    old = crm_data.contacts.all().relation().df()
    assert frame["id"].dtype == "int64" and frame["account_id"].dtype == "Int64"
    assert frame["last_name"].dtype == "str" and frame["job_title"].dtype == "str"
    assert frame["birthday"].dtype == "datetime64[us]"
    assert frame["active"].dtype == bool and frame["account_archived"].dtype == "boolean"
    # Lists are Arrow lists (DuckDB gave one numpy array a row).
    assert frame["tags"].dtype == pd.ArrowDtype(pa.list_(pa.string()))
    tagged = crm_data.contacts.filter(tags="newsletter").df()
    assert tagged["tags"].tolist() == [["vip", "newsletter"]]
    # Where DuckDB gave a typed column, the dtype is the same; only its all-missing
    # string columns (object of None) are ``str`` now.
    for name in old.columns:
        if name in ("tags", "skills"):
            continue
        if old[name].dtype != object:
            assert frame[name].dtype == old[name].dtype, name
        elif frame[name].dtype != object:
            assert frame[name].dtype == "str" and old[name].isna().all(), name


def test_pl_equals_duckdb_polars(crm_data: ck.CRM) -> None:
    for sel in _selections(crm_data):
        assert sel.pl().equals(sel.relation().pl()), sel
        assert sel.arrow().equals(sel.relation().to_arrow_table()), sel


@pytest.mark.parametrize("size", [1, 2, 3, 100])
def test_iter_batches_concatenated_equal_df(crm_data: ck.CRM, size: int) -> None:
    for sel in _selections(crm_data):
        whole = sel.df()
        batches = list(sel.iter_batches(size))
        assert all(len(b) <= size for b in batches)
        together = pd.concat(batches, ignore_index=True)
        _same_values(together, whole)
        assert dict(together.dtypes) == dict(whole.dtypes) or len(batches) > 1
        polars = list(sel.iter_batches(size, as_="polars"))
        assert all(isinstance(b, pl.DataFrame) for b in polars)
        assert pl.concat(polars).equals(sel.pl())
        arrow = list(sel.iter_batches(size, as_="arrow"))
        assert pa.concat_tables(arrow).equals(sel.arrow())


def test_iter_batches_on_records_and_bad_arguments(crm_data: ck.CRM) -> None:
    ids = [b["id"].tolist() for b in crm_data.contacts.iter_batches(4)]
    assert [i for part in ids for i in part] == crm_data.contacts.all().ids
    assert [len(p) for p in ids] == [4, 3]
    with pytest.raises(ck.ValidationError, match=r"as_.*'excel'"):
        next(crm_data.contacts.all().iter_batches(as_="excel"))  # type: ignore[arg-type]
    with pytest.raises(ck.ValidationError, match=r"size.*0"):
        next(crm_data.contacts.all().iter_batches(0))


def test_large_frame_warns_first(crm_data: ck.CRM) -> None:
    assert crm_data.settings.max_frame_rows == 2_000_000
    crm_data.settings.max_frame_rows = 7
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(crm_data.contacts.df()) == 7  # at the limit: no warning
    crm_data.settings.max_frame_rows = 3
    with pytest.warns(ck.LargeFrameWarning, match=r"7 rows.*iter_batches\(\).*export\(\)"):
        frame = crm_data.contacts.df()
    assert len(frame) == 7
    with pytest.warns(ck.LargeFrameWarning):
        crm_data.contacts.filter(active=True).pl()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        crm_data.contacts.all().limit(3).df()
        list(crm_data.contacts.iter_batches(2))  # streaming never warns
        crm_data.contacts.all().arrow()
    crm_data.settings.max_frame_rows = None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        crm_data.contacts.df()
    assert issubclass(ck.LargeFrameWarning, ck.CRMKitWarning)


@pytest.mark.parametrize("bad", [-1, 2.5, "many", True])
def test_max_frame_rows_refuses_bad_values(crm: ck.CRM, bad: object) -> None:
    with pytest.raises(ck.ValidationError, match="max_frame_rows"):
        crm.settings.max_frame_rows = bad  # type: ignore[assignment]


def test_max_frame_rows_kept_in_the_file(tmp_path: Path) -> None:
    with ck.open(tmp_path / "x.duckdb") as crm:
        crm.settings.max_frame_rows = 10
    with ck.open(tmp_path / "x.duckdb") as crm:
        assert crm.settings.max_frame_rows == 10


_MEASURE = """
import json, resource, sys
import crmkit as ck
with ck.open(sys.argv[1], read_only=True) as crm:
    crm.contacts.all().limit(10).df()  # imports and plans outside the measure
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    frame = getattr(crm.contacts, sys.argv[2])()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": len(frame), "grew_mb": (peak - base) / 1024}))
"""


def test_df_of_many_contacts_in_bounded_memory(tmp_path: Path) -> None:
    """200k contacts: DuckDB's own conversion grew the process by ~520 MB, now ~250."""
    path = tmp_path / "many.duckdb"
    n = 200_000
    with ck.open(path) as crm:
        acc = crm.accounts.add(name="APROOL", sector="Software", employees=85)
        crm.contacts.add(
            last_name="Blou",
            first_name="Hélène",
            account_id=acc,
            email="h@x.fr",
            job_title="Directrice des achats",
            city="Lyon",
            notes="Rencontrée au salon",
        )
        crm.connection.execute(
            "INSERT INTO contacts SELECT c.* REPLACE (i AS id, 'Blou ' || i AS last_name, "
            "'h' || i || '@example.fr' AS email, 'Notes about contact ' || i AS notes) "
            "FROM contacts c, range(2, ? + 1) t(i)",
            [n],
        )
    for verb in ("df", "pl"):
        done = subprocess.run(
            [sys.executable, "-W", "ignore", "-c", _MEASURE, str(path), verb],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        assert measured["rows"] == n
        assert measured["grew_mb"] < 400, (verb, measured)
