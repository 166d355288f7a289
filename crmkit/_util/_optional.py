"""Optional dependencies: import them, or say which extra installs them."""

from __future__ import annotations

import importlib
from types import ModuleType

from crmkit._exceptions import MissingDependencyError

__all__ = ["import_optional"]


def import_optional(*modules: str, package: str, needed_by: str, extra: str) -> ModuleType:
    """Import ``modules`` (in order) and return the first, or raise naming ``extra``.

    Parameters
    ----------
    *modules
        Module names; the first is returned, the others only need to import (submodules
        a caller reaches as attributes).
    package
        The package as its users spell it ("PySpark"), in the message.
    needed_by
        What asked for them, in the message ("engine='splink'").
    extra
        The crmkit extra that installs them ("splink" for ``pip install 'crmkit[splink]'``).

    Raises
    ------
    MissingDependencyError
        One of ``modules`` cannot be imported.

    Examples
    --------
    >>> import_optional("json", package="json", needed_by="this", extra="none").__name__
    'json'
    >>> try:
    ...     import_optional("no_such", package="NoSuch", needed_by="engine='x'", extra="x")
    ... except MissingDependencyError as exc:
    ...     print(exc)
    engine='x' needs NoSuch, which is not installed: pip install 'crmkit[x]'
    """
    imported: list[ModuleType] = []
    for name in modules:
        try:
            imported.append(importlib.import_module(name))
        except ImportError as exc:
            install = f"pip install 'crmkit[{extra}]'"
            raise MissingDependencyError(
                f"{needed_by} needs {package}, which is not installed: {install}"
            ) from exc
    return imported[0]
