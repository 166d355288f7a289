"""Every change of a setting is a ``setting`` batch: listed, undone, redone, and what reads
the setting (validation, bands, defaults, vocabularies) follows each step."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis_profiles import examples

import crmkit as ck
from crmkit.schemas import DEFAULT_SECTORS

STAGES = ["lead", "qualified", "trial", "customer", "former"]


def _settings_table(crm: ck.CRM) -> dict[str, Any]:
    """The settings table as stored, but what crmkit keeps for itself (id sequence, marks)."""
    rows = crm.connection.execute("SELECT key, value FROM settings").fetchall()
    own = {"retention_rules.last_id", "history_compacted"}
    return {k: json.loads(v) for k, v in rows if k not in own}


def _cycle(
    crm: ck.CRM,
    change: Callable[[], object],
    new: Callable[[], None],
    old: Callable[[], None],
) -> int:
    """Change, check it is a batch and ``new`` holds; undo: ``old``; redo: ``new``."""
    old()
    before = len(crm.batches())
    stored = _settings_table(crm)
    returned = change()
    batch = crm.last_batch_id
    assert batch is not None
    if isinstance(returned, int):  # a verb returns its batch (a rule, a profile: itself)
        assert returned == batch
    frame = crm.batches()
    assert len(frame) == before + 1
    row = frame.iloc[0]
    assert (row["id"], row["operation"], row["n_changes"]) == (batch, "setting", 1)
    changed = _settings_table(crm)
    new()
    undo = crm.undo(batch)
    assert undo.settings == 1 and "1 setting put back" in str(undo)
    assert _settings_table(crm) == stored
    old()
    crm.undo(undo.batch_id)
    assert _settings_table(crm) == changed
    new()
    return batch


def _refused(crm: ck.CRM, expected: type[Exception], action: Callable[[], object]) -> None:
    """``action`` raises ``expected`` and writes neither a batch nor a setting."""
    before, stored = len(crm.batches()), _settings_table(crm)
    with pytest.raises(expected):
        action()
    assert len(crm.batches()) == before
    assert _settings_table(crm) == stored


# -- each setting: change, in batches, effect, undo, old effect, redo -----------------------


def test_stages(crm: ck.CRM) -> None:
    def new() -> None:
        c = crm.contacts.add(last_name="Trial", lifecycle_stage="trial")
        assert crm.contacts.get(c)["lifecycle_stage"] == "trial"
        assert crm.settings.catalog("contacts")["lifecycle_stage"].choices.values == STAGES
        crm.contacts.update(c, lifecycle_stage="lead")  # or the undo is refused

    def old() -> None:
        assert crm.settings.stages.values == ["lead", "qualified", "customer", "former"]
        _refused(
            crm,
            ck.ValidationError,
            lambda: crm.contacts.add(last_name="T", lifecycle_stage="trial"),
        )

    batch = _cycle(crm, lambda: crm.settings.set_stages(STAGES), new, old)
    description = crm.batches().set_index("id").loc[batch, "description"]
    assert description == "lifecycle_stages = lead, qualified, trial, customer, former"


def test_undo_of_stages_refused_while_contacts_carry_an_added_one(crm: ck.CRM) -> None:
    batch = crm.settings.set_stages(STAGES)
    c = crm.contacts.add(last_name="Lee", lifecycle_stage="trial")
    _refused(crm, ck.UndoConflictError, lambda: crm.undo(batch))
    assert crm.settings.stages.values == STAGES
    crm.contacts.update(c, lifecycle_stage="lead")
    crm.undo(batch)
    assert "trial" not in crm.settings.stages.values


def test_reset_stages_is_a_batch_too(crm: ck.CRM) -> None:
    crm.settings.set_stages(STAGES)
    reset = crm.settings.reset_stages()
    assert reset is not None and crm.settings.stages.values[2] == "customer"
    crm.undo(reset)
    assert crm.settings.stages.values == STAGES
    assert crm.settings.reset_stages() is not None
    assert crm.settings.reset_stages() is None  # already the built-in ones


@pytest.mark.parametrize("frames", ["pandas", "polars"])
def test_sectors(crm: ck.CRM, frames: str) -> None:
    rows = {"name": ["Ferme"], "sector": ["Agritech"]}
    frame = pd.DataFrame(rows) if frames == "pandas" else pl.DataFrame(rows)

    def warned() -> bool:
        cases = crm.validate(frame, "accounts").failure_cases
        return bool((cases["field"] == "sector").any())

    def new() -> None:
        assert crm.settings.sectors.values == ["Agritech", "Software"]
        assert not warned()

    def old() -> None:
        assert "Agritech" not in crm.settings.sectors.values
        assert warned()

    _cycle(crm, lambda: crm.settings.set_sectors(["Agritech", "Software"]), new, old)
    reset = crm.settings.reset_sectors()
    assert reset is not None
    old()
    crm.undo(reset)
    new()


def test_bands(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="APROOL", annual_revenue=4_200_000, employees=85)

    def band() -> tuple[str, str]:
        row = crm.accounts.df().set_index("id").loc[acc]
        return str(row["revenue_band"]), str(row["headcount_band"])

    def new() -> None:
        assert band() == ("1M-5M", "51-200")

    def old() -> None:
        assert band() == ("1M-10M", "51-200")

    _cycle(crm, lambda: crm.settings.set_bands("revenue", [0, 1e6, 5e6, 1e7]), new, old)
    assert crm.settings.bands("revenue").edges == (0, 1e6, 5e6, 1e7)

    def heads_new() -> None:
        assert band()[1] == "50-99"

    def heads_old() -> None:
        assert band()[1] == "51-200"

    _cycle(crm, lambda: crm.settings.set_bands("headcount", [1, 50, 100]), heads_new, heads_old)


def test_required_fields(crm: ck.CRM) -> None:
    def new() -> None:
        assert crm.settings.required_fields("contacts") == ["last_name", "first_name"]
        _refused(crm, ck.ValidationError, lambda: crm.contacts.add(last_name="Durand"))

    def old() -> None:
        assert crm.settings.required_fields("contacts") == ["last_name"]
        crm.contacts.add(last_name="Durand")

    _cycle(crm, lambda: crm.settings.set_required_fields("contacts", ["first_name"]), new, old)
    assert crm.settings.required_fields("accounts") == ["name"]  # the other table's own key


def test_default_currency(crm: ck.CRM) -> None:
    def new() -> None:
        acc = crm.accounts.add(name="Acme", annual_revenue=2_000_000)
        assert crm.accounts.get(acc)["currency"] == "USD"

    def old() -> None:
        acc = crm.accounts.add(name="Blou", annual_revenue=2_000_000)
        assert crm.accounts.get(acc)["currency"] == "EUR"
        assert crm.settings.default_currency == "EUR"

    def change() -> None:
        crm.settings.default_currency = "usd"

    batch = _cycle(crm, change, new, old)
    assert crm.batches().set_index("id").loc[batch, "description"] == "default_currency = USD"


def test_default_region(crm: ck.CRM) -> None:
    def new() -> None:
        c = crm.contacts.add(last_name="Peeters", mobile="0470 12 34 56")
        assert crm.contacts.get(c)["mobile"] == "+32470123456"

    def old() -> None:
        c = crm.contacts.add(last_name="Blou", mobile="06 25 34 12 57")
        assert crm.contacts.get(c)["mobile"] == "+33625341257"

    def change() -> None:
        crm.settings.default_region = "be"

    _cycle(crm, change, new, old)


def test_require_email_basis(crm: ck.CRM) -> None:
    def new() -> None:
        c = crm.contacts.add(last_name="Nobody", email="n@example.com")
        assert crm.contacts.filter(ids=[c]).subscribe("News").changed == 1

    def old() -> None:
        c = crm.contacts.add(last_name="Nobody", email="n@example.com")
        assert crm.contacts.filter(ids=[c]).subscribe("News").changed == 0

    def change() -> None:
        crm.settings.require_email_basis = False

    _cycle(crm, change, new, old)


def test_max_frame_rows(crm: ck.CRM) -> None:
    crm.contacts.add(last_name="A")
    crm.contacts.add(last_name="B")

    def new() -> None:
        with pytest.warns(ck.LargeFrameWarning):
            crm.contacts.all().df()

    def old() -> None:
        assert crm.settings.max_frame_rows == 2_000_000
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            crm.contacts.all().pl()

    def change() -> None:
        crm.settings.max_frame_rows = 1

    _cycle(crm, change, new, old)

    def never() -> None:
        crm.settings.max_frame_rows = None  # "never warn" is stored, unlike the default

    def never_new() -> None:
        assert crm.settings.max_frame_rows is None

    _cycle(crm, never, never_new, new)


def test_retention_rules(crm: ck.CRM) -> None:
    c = crm.contacts.add(last_name="Old")
    crm.connection.execute(
        "UPDATE contacts SET created_at = TIMESTAMP '2020-01-01', "
        "updated_at = TIMESTAMP '2020-01-01'"
    )

    def new() -> None:
        assert [r.id for r in crm.settings.retention_rules()] == [1]
        assert crm.apply_retention().ids == {1: [c]}

    def old() -> None:
        assert crm.settings.retention_rules() == []
        assert crm.apply_retention().ids == {}

    _cycle(
        crm,
        lambda: crm.settings.retention("contacts", after="3 years", action="archive"),
        new,
        old,
    )
    _cycle(crm, lambda: crm.settings.remove_retention_rule(1), old, new)
    rule = crm.settings.retention("contacts", after="2 years", action="archive")
    assert rule.id == 2  # ids are never given twice, an undone rule's neither


def test_history_horizon(crm: ck.CRM) -> None:
    def new() -> None:
        assert crm.settings.history_horizon == "24 months"
        assert crm.compact_history().horizon == "24 months"

    def old() -> None:
        assert crm.settings.history_horizon is None
        assert crm.compact_history().horizon is None

    def change() -> None:
        crm.settings.history_horizon = "24 months"

    _cycle(crm, change, new, old)

    def forever() -> None:
        crm.settings.history_horizon = None

    _cycle(crm, forever, old, new)


def test_duplicate_rules(crm: ck.CRM) -> None:
    crm.contacts.add(last_name="Blou", email="helene@aprool.com")

    def new() -> None:
        _refused(
            crm,
            ck.DuplicateRecordError,
            lambda: crm.contacts.add(last_name="Blou", email="HELENE@aprool.com"),
        )

    def old() -> None:
        assert crm.settings.duplicate_rules() == []

    _cycle(
        crm,
        lambda: crm.settings.duplicate_rule("contacts", "email", ["email"], on_create="block"),
        new,
        old,
    )

    def off() -> None:
        assert not crm.settings.duplicate_rules("contacts")[0].enabled

    _cycle(crm, lambda: crm.settings.enable_duplicate_rule("contacts", "email", False), off, new)
    _cycle(crm, lambda: crm.settings.remove_duplicate_rule("contacts", "email"), old, off)


def test_import_profiles(crm: ck.CRM, tmp_path: Path) -> None:
    path = tmp_path / "salon.csv"
    path.write_text("Nom,Courriel\nBlou,helene@aprool.com\n", encoding="utf-8")

    def new() -> None:
        assert crm.import_profiles.get("salon").defaults == {"origin": "Salon"}
        report = crm.import_file(path, kind="contacts", profile="salon")
        assert report.profile == "salon" and report.inserted == 1
        assert crm.contacts.get(crm.contacts.all().ids[-1])["origin"] == "Salon"
        crm.undo(report.batch_id)

    def old() -> None:
        assert list(crm.import_profiles.list()["name"]) == []

    def save() -> object:
        return crm.import_profiles.save(
            "salon", mapping={"Nom": "last_name", "Courriel": "email"}, defaults={"origin": "Salon"}
        )

    _cycle(crm, save, new, old)
    mark = crm.last_batch_id
    save()  # the same profile again: no batch
    assert crm.last_batch_id == mark
    _cycle(crm, lambda: crm.import_profiles.delete("salon"), old, new)


# -- no-ops, refusals, modes ----------------------------------------------------------------


def test_a_change_to_the_stored_value_makes_no_batch(crm: ck.CRM) -> None:
    crm.settings.default_currency = "USD"
    crm.settings.set_stages(STAGES)
    crm.settings.set_bands("revenue", [0, 1e6])
    count = len(crm.batches())
    crm.settings.default_currency = "USD"
    assert crm.settings.set_stages(STAGES) is None
    assert crm.settings.set_bands("revenue", [0, 1_000_000]) is None
    assert crm.settings.reset_sectors() is None  # never set
    crm.settings.history_horizon = None
    crm.settings.require_email_basis = True  # never stored: its default
    crm.settings.max_frame_rows = 2_000_000
    crm.settings.default_region = "fr"
    assert crm.settings.set_bands("headcount", crm.settings.bands("headcount").edges) is None
    assert crm.settings.set_required_fields("contacts", []) is None  # last_name, always
    assert len(crm.batches()) == count
    crm.settings.max_frame_rows = None  # "never" is not the default
    assert len(crm.batches()) == count + 1


@pytest.mark.parametrize(
    "bad",
    [
        lambda s: s.set_stages(["lead", "customer"]),
        lambda s: s.set_sectors(["A", "a"]),
        lambda s: s.set_bands("revenue", [10, 5]),
        lambda s: s.set_bands("shoes", [1]),
        lambda s: s.set_required_fields("contacts", ["shoe"]),
        lambda s: setattr(s, "default_currency", "EURO"),
        lambda s: setattr(s, "default_region", "XX"),
        lambda s: setattr(s, "require_email_basis", "no"),
        lambda s: setattr(s, "max_frame_rows", -1),
        lambda s: setattr(s, "history_horizon", "soon"),
        lambda s: s.retention("contacts", after="soon"),
        lambda s: s.remove_retention_rule(7),
        lambda s: s.duplicate_rule("contacts", "x", ["shoe"]),
    ],
)
def test_a_bad_value_writes_nothing(crm: ck.CRM, bad: Callable[[Any], object]) -> None:
    _refused(crm, ck.CRMKitError, lambda: bad(crm.settings))


def test_read_only_refuses_a_setting(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path) as crm:
        crm.settings.default_currency = "USD"
    with ck.open(path, read_only=True) as crm:
        with pytest.raises(ck.ReadOnlyError):
            crm.settings.default_currency = "USD"  # even the stored value
        with pytest.raises(ck.ReadOnlyError):
            crm.settings.set_stages(STAGES)
        assert len(crm.batches()) == 1


def test_undo_of_a_setting_changed_since_is_refused(crm: ck.CRM) -> None:
    crm.settings.default_currency = "USD"
    first = crm.last_batch_id
    crm.settings.default_currency = "GBP"
    _refused(crm, ck.UndoConflictError, lambda: crm.undo(first))
    crm.undo(crm.last_batch_id)
    crm.undo(first)
    assert crm.settings.default_currency == "EUR"


def test_settings_inside_crm_batch_are_one_undo(crm: ck.CRM) -> None:
    with crm.batch("new market") as batch:
        crm.settings.default_currency = "USD"
        crm.settings.set_stages(STAGES)
        crm.contacts.add(last_name="Lee", lifecycle_stage="trial")
    assert crm.last_batch_id == batch
    assert crm.batches().loc[0, "n_changes"] >= 3
    crm.undo(batch)
    assert crm.settings.default_currency == "EUR" and "trial" not in crm.settings.stages.values
    assert len(crm.contacts.all()) == 0


def test_shared_handles_see_an_undo_of_another(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path, shared=True) as one, ck.open(path, shared=True) as two:
        acc = one.accounts.add(name="APROOL", annual_revenue=4_200_000)
        batch = one.settings.set_bands("revenue", [0, 1e6, 5e6])
        assert two.accounts.df().set_index("id").loc[acc, "revenue_band"] == "1M-5M"
        two.undo(batch)
        assert one.accounts.df().set_index("id").loc[acc, "revenue_band"] == "1M-10M"
        stages = two.settings.set_stages(STAGES)
        assert one.settings.stages.values == STAGES
        one.undo(stages)
        assert two.settings.stages.values[2] == "customer"


def test_undo_of_a_file_written_before_keeps_working(crm: ck.CRM) -> None:
    """A batch whose details name a setting as crmkit wrote them before (old: null)."""
    crm.settings.set_sectors(["Software"])
    batch = crm.last_batch_id
    crm.connection.execute(
        "UPDATE batches SET details = ?::JSON WHERE id = ?",
        [
            json.dumps({"settings": {"sectors": {"old": None, "new": [{"value": "Software"}]}}}),
            batch,
        ],
    )
    crm.undo(batch)
    assert crm.settings.sectors.values == DEFAULT_SECTORS.values


# -- any sequence of changes and undos restores the settings table exactly -----------------

_CHANGES: list[tuple[str, Callable[[Any, int], object]]] = [
    ("currency", lambda s, i: setattr(s, "default_currency", ["USD", "GBP", "EUR"][i % 3])),
    ("region", lambda s, i: setattr(s, "default_region", ["BE", "FR"][i % 2])),
    ("stages", lambda s, i: s.set_stages(STAGES) if i % 2 else s.reset_stages()),
    ("sectors", lambda s, i: s.set_sectors(["Agritech"]) if i % 2 else s.reset_sectors()),
    ("bands", lambda s, i: s.set_bands("headcount", [1, 10 + i])),
    ("required", lambda s, i: s.set_required_fields("accounts", ["website"] if i % 2 else [])),
    ("basis", lambda s, i: setattr(s, "require_email_basis", bool(i % 2))),
    ("rows", lambda s, i: setattr(s, "max_frame_rows", None if i % 3 == 0 else i)),
    ("horizon", lambda s, i: setattr(s, "history_horizon", None if i % 2 else f"{i + 1} months")),
    ("retention", lambda s, i: s.retention("accounts", after=f"{i + 1} years", action="archive")),
    ("duplicates", lambda s, i: s.duplicate_rule("accounts", f"r{i % 2}", ["name"])),
]


@hsettings(max_examples=examples(15))
@given(
    st.lists(
        st.tuples(st.integers(0, len(_CHANGES) - 1), st.integers(0, 5), st.booleans()),
        min_size=1,
        max_size=8,
    )
)
def test_undoing_every_change_restores_the_settings_exactly(
    steps: list[tuple[int, int, bool]],
) -> None:
    with ck.open() as crm:
        start = _settings_table(crm)
        done: list[int] = []
        for which, value, undo_now in steps:
            before = _settings_table(crm)
            mark = crm.last_batch_id
            _CHANGES[which][1](crm.settings, value)
            if crm.last_batch_id == mark:  # no change: no batch
                assert _settings_table(crm) == before
                continue
            batch = crm.last_batch_id
            assert batch is not None
            if undo_now:  # undo at once, then redo: both exact
                after = _settings_table(crm)
                undo = crm.undo(batch)
                assert _settings_table(crm) == before
                crm.undo(undo.batch_id)
                assert _settings_table(crm) == after
            done.append(batch)
        for batch in reversed(done):
            crm.undo(batch)
        assert _settings_table(crm) == start
        assert crm.settings.default_currency == "EUR" and len(crm.settings.stages) == 4
