"""vCard text values: escaping (``\\``, ``,``, ``;``, line breaks) and folding at 75 octets.

Shared by the per-card writer (:mod:`crmkit._formats._vcard_write`) and the column-wise one
(:mod:`crmkit._formats._vcard_columns`), so both write the same bytes.
"""

from __future__ import annotations

__all__ = ["escape", "fold"]


def escape(value: str) -> str:
    r"""A text value with ``\``, ``,``, ``;`` and line breaks escaped.

    Examples
    --------
    >>> print(escape("a,b;c\\d\r\ne"))
    a\,b\;c\\d\ne
    """
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "," in value:
        value = value.replace(",", "\\,")
    if ";" in value:
        value = value.replace(";", "\\;")
    if "\n" in value or "\r" in value:
        value = value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")
    return value


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character.

    Examples
    --------
    >>> [len(part.encode()) for part in fold("NOTE:" + "é" * 50).split("\\r\\n")]
    [75, 31]
    """
    if line.isascii():
        if len(line) <= 75:
            return line
        return "\r\n ".join([line[:75], *(line[i : i + 74] for i in range(75, len(line), 74))])
    data = line.encode()
    size = len(data)
    if size <= 75:
        return line
    chunks = []
    start, limit = 0, 75
    while size - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back off
            end -= 1
        chunks.append(data[start:end])
        start, limit = end, 74
    chunks.append(data[start:])
    return b"\r\n ".join(chunks).decode()
