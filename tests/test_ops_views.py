"""Saved views as operations (crmkit._ops._views): definitions as JSON, saved, loaded,
replaced, deleted in the saved_views table, each change a batch."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import crmkit as ck
from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._ops import _views as views


def test_definition_of_is_json_of_filters_order_and_columns() -> None:
    text = views.definition_of(
        (("created", (dt.date(2024, 1, 1), dt.datetime(2024, 2, 1, 9, 30))), ("owner", {"Zoé"})),
        (("last_name", True),),
        ("last_name", "email"),
    )
    assert json.loads(text) == {
        "filters": [["created", ["2024-01-01", "2024-02-01T09:30:00"]], ["owner", ["Zoé"]]],
        "order": [["last_name", True]],
        "columns": ["last_name", "email"],
    }
    assert "Zoé" in text  # not escaped
    assert json.loads(views.definition_of((), (), None)) == {
        "filters": [],
        "order": [],
        "columns": None,
    }


def test_save_load_replace_delete(crm: ck.CRM) -> None:
    session = crm._session
    views.save(
        session,
        " actifs ",
        "contacts",
        views.definition_of((("active", True),), (), None),
        replace=False,
    )
    saved = session.last_batch_id
    assert views.names(session) == ["actifs"]
    assert views.load(session, "actifs") == (
        "contacts",
        {"filters": [["active", True]], "order": [], "columns": None},
    )
    with pytest.raises(ValidationError, match="replace=True"):
        views.save(session, "actifs", "contacts", "{}", replace=False)
    views.save(session, "actifs", "accounts", views.definition_of((), (), None), replace=True)
    assert views.load(session, "actifs")[0] == "accounts"
    frame = views.frame(session)
    assert frame[["name", "kind", "created_by"]].to_dict("records") == [
        {"name": "actifs", "kind": "accounts", "created_by": "Nicole Bertrand"}
    ]
    views.delete(session, "actifs")
    assert views.names(session) == []
    crm.undo(saved + 2)  # the delete
    assert views.load(session, "actifs")[0] == "accounts"


def test_unknown_and_unnamed_views(crm: ck.CRM) -> None:
    session = crm._session
    with pytest.raises(ValidationError, match="needs a name"):
        views.save(session, "  ", "contacts", "{}", replace=False)
    views.save(session, "clients", "accounts", "{}", replace=False)
    with pytest.raises(UnknownValueError) as caught:
        views.load(session, "client")
    assert caught.value.suggestion == "clients" and caught.value.valid == ["clients"]
    with pytest.raises(UnknownValueError):
        views.delete(session, "nope")
