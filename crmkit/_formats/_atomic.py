"""Write a file atomically: all of it or nothing, and never half of the file it replaces.

The file is written next to its destination under a hidden temporary name
(``.crmkit-*``) and renamed over the destination at the very end, with the permissions
of the file it replaces (or those a new file gets). A failure removes the temporary file
and raises :class:`~crmkit.ExportError` with a short, printable cause.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from crmkit._exceptions import ExportError
from crmkit._util._shorten import printable

__all__ = ["atomic_write"]

# Characters of an error message kept before it is cut.
_MESSAGE_CHARS = 300


def _file_mode(target: Path) -> int:
    """Permissions for the new file: those of the file it replaces, else the umask's."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        pass
    # A temporary file is created 0600; a normal new file follows the umask, which can
    # only be read by setting it.
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _check_target(target: Path) -> Path:
    folder = target.parent
    if target.is_dir():
        raise ExportError(f"cannot export to {target}: it is a folder, not a file name")
    if not folder.is_dir():
        if folder.exists():
            raise ExportError(f"cannot export to {target}: {folder} is not a folder")
        raise ExportError(f"cannot export to {target}: the folder {folder} does not exist")
    return folder


def atomic_write(target: Path, suffix: str, write: Callable[[Path], None]) -> None:
    folder = _check_target(target)
    try:
        with tempfile.NamedTemporaryFile(
            delete=False, dir=folder, prefix=".crmkit-", suffix=suffix
        ) as handle:
            tmp = Path(handle.name)
    except OSError as exc:
        raise ExportError(f"cannot export to {target}: {exc}") from exc
    try:
        write(tmp)
        os.chmod(tmp, _file_mode(target))
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, ExportError):
            raise ExportError(f"cannot export to {target}: {exc}") from exc
        if isinstance(exc, Exception):
            raise ExportError(f"cannot export to {target}: {_cause(exc)}") from exc
        raise


def _cause(exc: BaseException) -> str:
    """The error of a library, short and printable: it may quote a whole cell."""
    text = str(exc)
    if len(text) > _MESSAGE_CHARS:
        text = f"{text[: _MESSAGE_CHARS - 1]}… ({len(text):,} characters)"
    text = printable(text.replace("\n", " "))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
