"""Every test and doctest starts from crmkit's default display settings (``ck.set_config``
in one must not change the language of the next)."""

from collections.abc import Iterator

import pytest

from crmkit._util._config import reset_config


@pytest.fixture(autouse=True)
def _default_crmkit_config() -> Iterator[None]:
    reset_config()
    yield
    reset_config()
