"""Property: any run of add / update / complete / delete on activities, undone batch by batch
in reverse, gives back the activities table exactly (bar the ``updated_*`` stamps, which
every write sets, undo included)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

import crmkit as ck

_STAMPS = ("updated_at", "updated_by")

_step = st.one_of(
    st.tuples(
        st.just("note"),
        st.sampled_from(["contact", "account"]),
        st.text(min_size=1, max_size=12).filter(str.strip),
    ),
    st.tuples(
        st.just("task"),
        st.sampled_from(["call", "meeting", "email", "todo"]),
        st.sampled_from(["low", "normal", "high"]),
        st.one_of(st.none(), st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2030, 1, 1))),
    ),
    st.tuples(st.just("update"), st.integers(0, 20), st.sampled_from(["low", "normal", "high"])),
    st.tuples(st.just("complete"), st.integers(0, 20), st.one_of(st.none(), st.just("ok"))),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("bulk"), st.sampled_from(["record", "Marc Durand"])),
)


def _rows(crm: ck.CRM) -> list[dict[str, Any]]:
    frame = crm.sql("SELECT * FROM activities ORDER BY id").df()
    return [
        {k: v for k, v in row.items() if k not in _STAMPS}
        for row in frame.astype(object).where(frame.notna(), None).to_dict("records")
    ]


def _apply(crm: ck.CRM, step: tuple[Any, ...], made: list[int], cid: int, acc: int) -> bool:
    """Apply one step; ``False`` when it was refused (nothing written)."""
    action = step[0]
    try:
        if action == "note":
            target = {"contact": cid} if step[1] == "contact" else {"account": acc}
            made.append(crm.activities.add_note(step[2], **target))
        elif action == "task":
            made.append(
                crm.activities.add_task(
                    "t", type=step[1], priority=step[2], due=step[3], contact=cid
                )
            )
        elif action == "bulk":
            report = crm.activities.add_tasks([cid], "bulk", owner=step[1])
            made.extend(report.ids)
        elif not made:
            return False
        elif action == "update":
            crm.activities.update(made[step[1] % len(made)], priority=step[2])
        elif action == "complete":
            crm.activities.complete(made[step[1] % len(made)], report=step[2])
        else:
            crm.activities.delete(made[step[1] % len(made)])
    except ck.CRMKitError:
        return False
    return True


@settings(max_examples=examples(15))
@given(st.lists(_step, min_size=1, max_size=8))
def test_undo_in_reverse_restores_the_table(steps: list[tuple[Any, ...]]) -> None:
    with ck.open(user="Nicole Bertrand") as crm:
        crm.owners.add("Marc Durand")
        acc = crm.accounts.add(name="APROOL", owner="Marc Durand")
        cid = crm.contacts.add(last_name="Blou", account_id=acc)
        made = [crm.activities.add_task("already there", contact=cid)]
        start = _rows(crm)
        snapshots = [start]
        batches: list[int] = []
        for step in steps:
            before = crm.last_batch_id
            if _apply(crm, step, made, cid, acc):
                assert crm.last_batch_id != before
                batches.append(int(crm.last_batch_id or 0))
                snapshots.append(_rows(crm))
            else:
                assert _rows(crm) == snapshots[-1]  # refused: nothing written
        for batch in reversed(batches):
            snapshots.pop()
            crm.undo(batch)
            assert _rows(crm) == snapshots[-1]
        assert _rows(crm) == start
