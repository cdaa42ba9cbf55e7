"""Turn page bytes into text, whatever (or whether) the page and server declared as charset."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LOWER_CYRILLIC = re.compile(r"[а-яё]")
# Runs of Latin-1 letters: rare in real Western text, typical of Cyrillic read as cp1252/latin-1.
_LATIN1_RUN = re.compile(r"[À-ÿ]{4,}")
# Single-byte encodings that are easy to confuse with one another for Cyrillic text.
_CYRILLIC_CODECS = ("cp1251", "koi8_r", "iso8859_5", "cp866")


def _codec(name: str | None) -> str | None:
    """Normalised Python codec name for a declared charset, or None if unknown."""
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _lowercase_ratio(text: str) -> float:
    """Share of lowercase letters among Cyrillic letters (real prose is mostly lowercase)."""
    letters = len(_CYRILLIC.findall(text))
    return len(_LOWER_CYRILLIC.findall(text)) / letters if letters else 1.0


def _plausible(text: str) -> bool:
    """True when a decoding looks like real text rather than mojibake."""
    return (
        "\ufffd" not in text
        and _lowercase_ratio(text) >= 0.6
        and len(_LATIN1_RUN.findall(text, 0, 200_000)) < 5
    )


def _best_cyrillic(data: bytes) -> str | None:
    """Decode with the single-byte Cyrillic codec whose output reads most like prose."""
    best, best_ratio = None, 0.6
    for name in _CYRILLIC_CODECS:
        text = data.decode(name, errors="replace")
        ratio = _lowercase_ratio(text)
        if ratio > best_ratio:
            best, best_ratio = text, ratio
    return best


def decode_html(data: bytes | str, content_type: str | None = None) -> str:
    """Decode an HTML document: BOM, then valid UTF-8, then the declared charsets, then detection.

    Valid UTF-8 with non-ASCII bytes wins over any declaration (other encodings almost never form
    valid UTF-8 by accident); a declared single-byte charset is kept only if its output reads
    like text.
    """
    if isinstance(data, str):
        return data
    bom_encoding, bom = read_bom(data)
    if bom_encoding:
        return data[len(bom) :].decode(bom_encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = [
        _codec(http_content_type_encoding(content_type) if content_type else None),
        _codec(html_body_declared_encoding(data[:8192])),
    ]
    for name in dict.fromkeys(d for d in declared if d and d != "utf-8"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return text
    match = from_bytes(data[:65536]).best()
    if match is not None and match.encoding:
        text = data.decode(match.encoding, errors="replace")
        if _plausible(text):
            return text
    return _best_cyrillic(data) or data.decode("cp1252", errors="replace")
