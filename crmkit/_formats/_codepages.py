"""Which legacy encoding bytes that are not UTF-8 are in: GB18030, cp1252, another code page.

The bytes are weighed between GB18030 (Chinese Excel) and cp1252 (Western Excel,
Latin-1 with ``€ œ``), with charset-normalizer as a second opinion for other scripts
(Cyrillic, Greek, Japanese ...). Latin neighbours of cp1252 (cp1250, mac-roman ...) are
never chosen: on a short French sample they win by chance and turn "è" into "č".
"""

from __future__ import annotations

__all__ = ["guess_legacy", "line_codec", "looks_chinese"]

# Encodings charset-normalizer may suggest for scripts cp1252 cannot show. Latin
# neighbours (cp1250, latin-2, mac-roman ...) are left out: on a short French sample they
# win by chance and turn "è" into "č".
_OTHER_SCRIPTS = frozenset({
    "cp1251", "koi8_r", "koi8_u", "mac_cyrillic", "iso8859_5", "cp866", "cp1253",
    "iso8859_7", "cp1255", "iso8859_8", "cp1256", "iso8859_6", "shift_jis", "cp932",
    "euc_jp", "iso2022_jp", "euc_kr", "cp949", "johab", "big5", "big5hkscs", "cp950",
    "tis_620", "cp874", "cp1258",
})  # fmt: skip


def looks_chinese(sample: bytes) -> bool:
    """Whether ``sample`` reads as common Chinese text in GB18030.

    Western text is rarely valid GB18030 ("é," is not a GB18030 pair) and, when it is
    ("én" is), its pairs fall outside GB2312. Cyrillic cp1251 text can form GB2312 pairs,
    but mostly rare ones: real Chinese text is mostly level-1 (frequent) characters.
    """
    try:
        text = sample.decode("gb18030")
    except UnicodeDecodeError:
        return False
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide:
        return False
    in_gb2312 = frequent = 0
    for char in wide:
        try:
            lead = char.encode("gb2312")[0]
        except UnicodeEncodeError:
            continue
        in_gb2312 += 1
        frequent += lead <= 0xD7  # symbols (0xA1-0xA9) and level-1 hanzi (0xB0-0xD7)
    return in_gb2312 >= 0.9 * len(wide) and frequent >= 0.6 * len(wide)


def _isolated_share(text: str) -> float:
    """Share of non-ASCII characters with ASCII on both sides (accents in Western words)."""
    positions = [i for i, c in enumerate(text) if ord(c) > 0x7F]
    if not positions:
        return 1.0
    last = len(text) - 1
    isolated = sum(
        (i == 0 or ord(text[i - 1]) < 0x80) and (i == last or ord(text[i + 1]) < 0x80)
        for i in positions
    )
    return isolated / len(positions)


def guess_legacy(sample: bytes) -> str:
    """The 8-bit or double-byte encoding of a sample that is not UTF-8."""
    if looks_chinese(sample):
        return "gb18030"
    try:
        sample.decode("cp1252")
        western = "cp1252"
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in cp1252
        western = "latin-1"
    if _isolated_share(sample.decode(western)) >= 0.5:
        return western
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is not None and best.encoding in _OTHER_SCRIPTS:
        return str(best.encoding)
    return western


def line_codec(raw: bytes, legacy: str) -> str:
    """The first of ``legacy``, cp1252 and Latin-1 (which reads any byte) that reads ``raw``."""
    for codec in (legacy, "cp1252"):
        try:
            raw.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec
    return "latin-1"
