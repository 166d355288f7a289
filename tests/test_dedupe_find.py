"""find_duplicates (crmkit._dedupe._find): bad arguments are refused with clear errors."""

from __future__ import annotations

import pytest
from dedupe_samples import MakeFrame

from crmkit._dedupe import Comparison, find_duplicates
from crmkit._exceptions import UnknownValueError, ValidationError


def test_bad_arguments(make_frame: MakeFrame) -> None:
    frame = make_frame({"id": [1, 1], "first_name": ["a", "b"], "last_name": ["c", "d"]})
    with pytest.raises(ValidationError, match="more than once"):
        find_duplicates(frame)
    no_id = make_frame({"first_name": ["a"], "last_name": ["c"]})
    with pytest.raises(ValidationError, match="'id'"):
        find_duplicates(no_id)
    good = make_frame({"id": [1, 2], "first_name": ["a", "b"], "last_name": ["c", "d"]})
    with pytest.raises(ValidationError, match="threshold"):
        find_duplicates(good, threshold=1.5)
    with pytest.raises(UnknownValueError, match="splink"):
        find_duplicates(good, engine="splnk")  # type: ignore[arg-type]
    with pytest.raises(UnknownValueError):
        find_duplicates(good, kind="leads")
    with pytest.raises(UnknownValueError, match="method"):
        Comparison("x", "fuzzy")  # type: ignore[arg-type]
