"""The options of a duplicate search (crmkit._dedupe._options): defaults and checks."""

from __future__ import annotations

import pytest

from crmkit._dedupe._options import (
    DEFAULT_MIN_PROBABILITY,
    DEFAULT_THRESHOLD,
    ENGINES,
    check_engine,
    check_probability,
)
from crmkit._exceptions import UnknownValueError, ValidationError


@pytest.mark.parametrize("value", [0, 1, 0.0, 0.5, 1.0, DEFAULT_THRESHOLD, DEFAULT_MIN_PROBABILITY])
def test_probabilities_accepted(value: float) -> None:
    check_probability("threshold", value)


@pytest.mark.parametrize("value", [-0.1, 1.01, float("nan"), True, "0.5", None])
def test_probabilities_refused(value: object) -> None:
    with pytest.raises(ValidationError, match="min_probability must be a probability between 0"):
        check_probability("min_probability", value)  # type: ignore[arg-type]


def test_engines() -> None:
    assert ENGINES == ("crmkit", "splink", "splink-spark")
    for engine in ENGINES:
        check_engine(engine)
    with pytest.raises(UnknownValueError) as caught:
        check_engine("Splink")
    assert caught.value.suggestion == "splink"
    assert caught.value.valid == ["crmkit", "splink", "splink-spark"]
