"""Hypothesis profiles: deterministic in CI, thorough on demand.

``ci`` (the default) is derandomized (the same examples on every run, so a test that
passes once passes always), has no deadline and no too_slow health check (a busy CI
machine must not fail a test), and prints the blob that reproduces a failure.
``thorough`` (``HYPOTHESIS_PROFILE=thorough make test``) draws fresh random examples,
ten times as many, and prints the seed of any failure (``--hypothesis-seed``) to replay it.

Tests that set their own ``max_examples`` pass it through :func:`examples`, so the
thorough profile scales them too.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, Verbosity, settings

__all__ = ["PROFILE", "examples", "steps"]

_SLOW_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    suppress_health_check=_SLOW_CHECKS,
    print_blob=True,
    database=None,
)
settings.register_profile(
    "thorough",
    derandomize=False,
    deadline=None,
    suppress_health_check=_SLOW_CHECKS,
    print_blob=True,
    max_examples=1000,
    phases=list(Phase),
    verbosity=Verbosity.normal,
)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)
_FACTOR = 10 if PROFILE == "thorough" else 1


def examples(n: int) -> int:
    """``n`` examples in CI, ten times as many in the thorough profile."""
    return n * _FACTOR


def steps(n: int) -> int:
    """Steps of a stateful test: ``n`` in CI, five times as many when thorough."""
    return n * (5 if PROFILE == "thorough" else 1)
