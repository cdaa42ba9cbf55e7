"""Plain-text helpers shared by seeds, normalisation and dedup: whitespace, hashes, credits."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_WORD = re.compile(r"\w+", re.UNICODE)
_CREDITS = (
    re.compile(
        r"^(?:based on|according to) (?:materials|reports?) (?:from|of|by) (?P<agency>.+?)\.?$",
        re.IGNORECASE,
    ),
    re.compile(r"^(?:source|sources|credit|via)\s*:\s*(?P<agency>.+?)\.?$", re.IGNORECASE),
    re.compile(r"^по материалам (?P<agency>.+?)\.?$", re.IGNORECASE),
    re.compile(r"^(?:photo|photos|image|фото|источник)\s*:", re.IGNORECASE),
    re.compile(r"^(?:©|\(c\)|copyright\b)", re.IGNORECASE),
)
_SENTENCE_END = re.compile(r"[.!?…:;][»\"”’)]*$")


class _ControlCharacters(dict[int, int | None]):
    """``str.translate`` table deleting control, format and unassigned characters (Unicode
    category C) except newline and tab; filled in per character on first sight."""

    def __missing__(self, code: int) -> int | None:
        char = chr(code)
        keep = char in "\n\t" or unicodedata.category(char)[0] != "C"
        self[code] = code if keep else None
        return self[code]


_CONTROLS = _ControlCharacters()


def normalize_text(text: str) -> str:
    """NFC, no control characters, single spaces, trimmed lines, a blank line between paragraphs."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_CONTROLS)
    text = _SPACES.sub(" ", text.replace("\u00a0", " "))
    paragraphs = (
        "\n".join(line.strip() for line in p.split("\n")) for p in _BLANK_LINES.split(text)
    )
    return "\n\n".join(p.strip("\n") for p in paragraphs if p.strip())


def content_hash(text: str) -> str:
    """SHA-256 of the text with case, punctuation and whitespace differences removed."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def is_credit_line(line: str) -> bool:
    """True for lines like "Based on materials from TASS", "Photo: ...", "© Agency"."""
    return any(p.match(line) for p in _CREDITS)


def split_credits(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Separate trailing credit lines from the text.

    The trailing run of short lines without sentence punctuation (a publisher's name, a photo
    credit) is taken as credits only if it holds at least one recognised credit line.
    """
    cut = len(paragraphs)
    while cut > 0 and (is_credit_line(paragraphs[cut - 1]) or _is_short_line(paragraphs[cut - 1])):
        cut -= 1
    trailing = paragraphs[cut:]
    if not any(is_credit_line(line) for line in trailing):
        return paragraphs, []
    return paragraphs[:cut], trailing


def credited_agency(credits: list[str]) -> str | None:
    """The agency named by a credit line such as "Based on materials from TASS", if any."""
    for line in credits:
        for pattern in _CREDITS:
            match = pattern.match(line)
            if match and "agency" in pattern.groupindex:
                return match["agency"].strip()
    return None


def _is_short_line(line: str) -> bool:
    return len(line.split()) <= 8 and not _SENTENCE_END.search(line)
