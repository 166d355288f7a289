"""The progress of a duplicate search (crmkit._dedupe._progress): the stages told in
order, as a tqdm bar or to a listener, from crmkit.find_duplicates and the facade."""

from __future__ import annotations

import pytest

import crmkit as ck
from crmkit._dedupe._progress import STAGES


@pytest.fixture
def twins(crm: ck.CRM) -> ck.CRM:
    for first in ("Hélène", "Helene", "Jean", "Jean"):
        last = "Blou" if first.startswith("H") else "Martin"
        crm.contacts.add(first_name=first, last_name=last, email=f"{last.lower()}@x.fr")
    return crm


def test_a_listener_is_told_every_stage_in_order(twins: ck.CRM) -> None:
    seen: list[tuple[str, int, int]] = []
    report = twins.contacts.find_duplicates(progress=lambda *stage: seen.append(stage))
    assert len(report.pairs) >= 2
    assert [s for s, _, _ in seen] == [*STAGES, "done"]
    assert [done for _, done, _ in seen] == list(range(len(STAGES) + 1))
    assert {total for _, _, total in seen} == {len(STAGES)}


def test_progress_true_shows_a_tqdm_bar_stage_by_stage(
    twins: ck.CRM, capsys: pytest.CaptureFixture[str]
) -> None:
    twins.contacts.find_duplicates(progress=True)
    shown = capsys.readouterr().err
    for stage in ("blocking", "comparing", "training", "clustering"):
        assert stage in shown


def test_no_bar_for_a_small_search_unless_asked(
    twins: ck.CRM, capsys: pytest.CaptureFixture[str]
) -> None:
    twins.contacts.find_duplicates()  # 4 records: under PROGRESS_FROM
    assert capsys.readouterr().err == ""
