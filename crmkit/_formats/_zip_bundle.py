"""Write a zip of named members, atomically (all of it or nothing).

Pure: the members come in as bytes or text (UTF-8), nothing is read from a database.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

from crmkit._formats._atomic import atomic_write

__all__ = ["write_zip"]


def write_zip(path: str | Path, members: Mapping[str, bytes | str]) -> Path:
    """Write ``members`` (name → content) as a deflated zip at ``path``; its path.

    The file is replaced only once complete (see :func:`atomic_write`); a folder that
    does not exist raises :class:`~crmkit.ExportError`.

    Examples
    --------
    >>> import tempfile, zipfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> out = write_zip(folder / "b.zip", {"a.json": "{}", "b.txt": b"x"})
    >>> sorted(zipfile.ZipFile(out).namelist())
    ['a.json', 'b.txt']
    """
    target = Path(path)

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in members.items():
                data = content.encode("utf-8") if isinstance(content, str) else content
                archive.writestr(name, data)

    atomic_write(target, ".zip", write)
    return target
