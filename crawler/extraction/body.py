"""Choose between body candidates and clean the chosen paragraphs."""

from __future__ import annotations

import re
from collections.abc import Iterable

_BOILERPLATE = re.compile(
    r"^(?:read more|read also|also read|see also|related:|more:|recommended|advertisement|"
    r"share this|share on|follow us|subscribe|sign up for|click here|читайте также|подписывайтесь|"
    r"реклама)\b",
    re.IGNORECASE,
)
_MIN_JSONLD_CHARS = 200
_DATELINE_SEARCH = 3


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]


def choose_body(generic: list[str], jsonld_body: str | None) -> tuple[str, list[str]]:
    """Pick trafilatura's paragraphs or the page's ``articleBody``: (source, paragraphs).

    The structured body is used when trafilatura found clearly less text than it holds.
    """
    structured = _paragraphs(jsonld_body) if jsonld_body else []
    generic_len = sum(len(p) for p in generic)
    structured_len = sum(len(p) for p in structured)
    if structured_len >= _MIN_JSONLD_CHARS and generic_len < 0.6 * structured_len:
        return "jsonld", structured
    return "trafilatura", generic


def clean_paragraphs(
    paragraphs: Iterable[str],
    *,
    title: str = "",
    dateline: re.Pattern[str] | None = None,
    drop_lines: Iterable[re.Pattern[str]] = (),
) -> list[str]:
    """Drop a leading repeat of the title, boilerplate and site credit lines; strip the dateline
    from the first paragraph (among the first three) that opens with one."""
    patterns = tuple(drop_lines)
    out: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        text = paragraph.strip()
        if dateline is not None and index < _DATELINE_SEARCH and dateline.match(text):
            text = dateline.sub("", text, count=1).strip()
            dateline = None
        if not text or _BOILERPLATE.match(text) or any(p.search(text) for p in patterns):
            continue
        if not out and text == title.strip():
            continue
        out.append(text)
    return out
