"""The vectorised twins of phones and e-mails (crmkit._normalize._fastmap): containers, mixed
cells, worker counts, and the helper processes, which must give the same results."""

from __future__ import annotations

import gc
import math
import os
import time
from collections.abc import Callable
from typing import Any

import email_validator
import pandas as pd
import polars as pl
import pytest

import crmkit._normalize._fastmap as fastmap
import crmkit._util._pool as pool
from crmkit._exceptions import ValidationError
from crmkit._normalize._emails import _email_task, _email_twin, normalize_email, normalize_emails
from crmkit._normalize._phones import _phone_task, _phone_twin, normalize_phone, normalize_phones
from crmkit._util._pool import SharedWork


@pytest.fixture(params=["list", "pandas", "polars"])
def as_container(request: pytest.FixtureRequest) -> Callable[[list[Any]], Any]:
    """Wrap a list of values as a list, a pandas Series or a polars Series."""
    kind = request.param

    def wrap(values: list[Any]) -> Any:
        if kind == "pandas":
            return pd.Series(values)
        if kind == "polars":
            return pl.Series(values, dtype=pl.String)
        return list(values)

    return wrap


def test_containers_match_the_scalar(as_container: Callable[[list[Any]], Any]) -> None:
    phones = ["06 25 34 12 57", None, "+33 6 25 34 12 57", "06 25 34 12 57", "x", "", "x"]
    emails = ["A@Aprool.com", None, "nope", "A@Aprool.com", "info@b.fr"]
    assert normalize_phones(as_container(phones), "FR", workers=1) == [
        normalize_phone(v, "FR") for v in phones
    ]
    assert normalize_emails(as_container(emails), workers=1) == [normalize_email(v) for v in emails]


def test_mixed_cells_keep_their_places() -> None:
    phones: list[Any] = ["06 25 34 12 57", ["06"], None, math.nan, "bad", 1, 1.0, True, "x"]
    phones += ["06 25 34 12 57", None, {"a": 1}, "+44 20 7946 0958"]
    assert normalize_phones(phones, "FR", workers=1) == [normalize_phone(v, "FR") for v in phones]
    emails: list[Any] = ["a@b.fr", ["a@b.fr"], None, "nope", "a@b.fr", math.nan, 3]
    assert normalize_emails(emails, workers=1) == [normalize_email(v) for v in emails]
    hashable: list[Any] = ["06 25 34 12 57", None, 625341257, 625341257.0, "bad", None]
    assert normalize_phones(hashable, "FR", workers=1) == [
        normalize_phone(v, "FR") for v in hashable
    ]


@pytest.mark.parametrize("workers", [0, -1, True, 1.5, "2"])
def test_bad_worker_counts_are_refused(workers: Any) -> None:
    with pytest.raises(ValidationError, match="workers"):
        normalize_phones(["06 25 34 12 57"], workers=workers)
    with pytest.raises(ValidationError, match="workers"):
        normalize_emails(["a@b.fr"], workers=workers)


@pytest.mark.parametrize(("load", "expected"), [(0.0, 2), (1.0, 2), (1.2, 2), (2.0, 1), (9.0, 1)])
def test_default_workers_leave_out_busy_cpus(
    monkeypatch: pytest.MonkeyPatch, load: float, expected: int
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert fastmap._worker_count(None) == expected
    assert fastmap._worker_count(2) == 2  # asked for: busy or not


def test_default_workers_without_a_load_average(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_load_average() -> tuple[float, float, float]:
        raise OSError("no load average here")

    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    monkeypatch.setattr(os, "getloadavg", no_load_average)
    assert fastmap._worker_count(None) == 4


def test_garbage_collector_state_is_restored() -> None:
    assert gc.isenabled()
    normalize_phones(["06 25 34 12 57", "bad"], workers=1)
    assert gc.isenabled()
    gc.disable()
    try:
        normalize_emails(["a@b.fr", "bad"], workers=1)
        assert not gc.isenabled()
    finally:
        gc.enable()


def _slow_mix(count: int) -> tuple[list[str], list[str]]:
    phones = [f"01 23 45 {i % 100:02d} {i // 100:02d} poste {i}" for i in range(count)]
    emails = [f"Jean Dupont <jean.{i}@exämple.fr>" for i in range(count)]
    return phones, emails


@pytest.fixture
def dawdling(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small chunks, helpers up before this process starts, and this process slow on its
    own, so that the helpers surely get work."""
    monkeypatch.setattr(fastmap, "_CHUNK_SIZE", 10)
    monkeypatch.setattr(fastmap, "_CHUNKS_PER_TASK", 3)
    start = SharedWork._start_helpers

    def started(self: SharedWork[Any, Any]) -> list[Any]:
        helpers = start(self)
        for helper in helpers:
            self._receive(helper)  # waits for its "ready" frame
        return helpers

    monkeypatch.setattr(SharedWork, "_start_helpers", started)
    here = fastmap._normalize_texts

    def slowly(fast: Any, slow: Any, texts: list[str]) -> list[Any]:
        time.sleep(0.01)
        return here(fast, slow, texts)

    monkeypatch.setattr(fastmap, "_normalize_texts", slowly)


@pytest.mark.usefixtures("dawdling")
def test_helper_processes_give_the_same_results() -> None:
    phones, emails = _slow_mix(300)
    phones += [f"06 25 34 {i:02d} {i:02d}" for i in range(100)]  # the fast path, in a helper
    emails += [f"Jean.{i}@Example.COM" for i in range(100)]
    work = _phone_twin("FR").shared_work(phones, 1)
    assert work.run() == [normalize_phone(v, "FR") for v in phones]
    assert work.chunks_by_helpers > 0
    work = _email_twin().shared_work(emails, 1)
    assert work.run() == [normalize_email(v) for v in emails]
    assert work.chunks_by_helpers > 0


@pytest.mark.usefixtures("dawdling")
def test_helpers_use_this_process_email_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    special = [*email_validator.SPECIAL_USE_DOMAIN_NAMES, "corp"]
    monkeypatch.setattr(email_validator, "SPECIAL_USE_DOMAIN_NAMES", special)
    monkeypatch.setattr(email_validator, "ALLOW_DOMAIN_LITERAL", True)
    emails = [f"jean{i}@[192.168.0.{i}]" for i in range(200)]
    emails += [f"jean{i}@x.corp" for i in range(200)]
    expected = [normalize_email(v) for v in emails]
    assert expected[0].ok and not expected[-1].ok
    work = _email_twin().shared_work(emails, 1)
    assert work.run() == expected
    assert work.chunks_by_helpers > 0


@pytest.mark.usefixtures("dawdling")
def test_helpers_that_fail_leave_the_work_here(monkeypatch: pytest.MonkeyPatch) -> None:
    phones = [f"06 25 34 {i // 100:02d} {i % 100:02d}" for i in range(200)]
    expected = [normalize_phone(v, "FR") for v in phones]
    monkeypatch.setattr(pool, "_BOOT", "import sys; sys.exit(3)")
    work = _phone_twin("FR").shared_work(phones, 2)
    assert work.run() == expected
    assert work.chunks_by_helpers == 0

    def no_processes(*args: Any, **kwargs: Any) -> Any:
        raise OSError("no processes here")

    monkeypatch.setattr(pool.subprocess, "Popen", no_processes)
    assert _phone_twin("FR").shared_work(phones, 2).run() == expected


@pytest.mark.usefixtures("dawdling")
def test_vectorised_twins_with_helpers_give_the_same_results(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fastmap, "PARALLEL_THRESHOLD", 10)
    helper_chunks: list[int] = []
    run = SharedWork.run

    def counting(self: SharedWork[Any, Any]) -> list[Any]:
        results = run(self)
        helper_chunks.append(self.chunks_by_helpers)
        return results

    monkeypatch.setattr(SharedWork, "run", counting)
    texts, addresses = _slow_mix(250)
    phones: list[Any] = [*texts, "06 25 34 12 57", None, "+44 20 7946 0958", 625341257.0, math.nan]
    emails: list[Any] = [*addresses, "a@b.fr", None, "Info@Aprool.COM", "a@b.fr"]
    assert normalize_phones(phones, "FR", workers=2) == [normalize_phone(v, "FR") for v in phones]
    assert normalize_emails(emails, workers=2) == [normalize_email(v) for v in emails]
    assert len(helper_chunks) == 2 and all(helper_chunks)


def test_helpers_start_only_for_long_work(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = [f"06 {i // 10000:02d} {i // 100 % 100:02d} {i % 100:02d} 12" for i in range(30_000)]
    messy = [f"{number} poste {i}" for i, number in enumerate(plain)]
    fast = _phone_twin("FR").fast
    assert fastmap._estimated_work(fast, plain) < 5_000
    assert fastmap._estimated_work(fast, messy) == 30_000

    def refuse(self: SharedWork[Any, Any]) -> list[Any]:
        raise AssertionError("no helper for 0.2 s of work")

    monkeypatch.setattr(SharedWork, "run", refuse)
    assert len(normalize_phones(plain, "FR", workers=2)) == len(plain)


def test_helper_task_returns_plain_columns() -> None:
    assert _phone_task("FR", ["06 25 34 12 57", "bad"]) == (
        ["+33625341257", "bad"],
        [True, False],
        [None, "not a phone number"],
    )
    assert _email_task({}, ["A@B.FR"]) == (["A@b.fr"], [True], [None])
