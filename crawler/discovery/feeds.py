"""RSS (0.9x, 1.0, 2.0) and Atom feeds -> candidates, via feedparser."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import feedparser
from feedparser.encodings import convert_to_utf8
from w3lib.html import remove_tags, remove_tags_with_content, replace_entities

from crawler.discovery import Candidate, DiscoveryError
from crawler.discovery.xmlsafety import refuse_entities
from crawler.urls import http_url

SNIPPET_LIMIT = 500
_CHAR_REF = re.compile(rb"&#([xX][0-9a-fA-F]+|[0-9]+);")


def clip_text(text: str, limit: int = SNIPPET_LIMIT) -> str:
    """Collapse whitespace and cut ``text`` at a word boundary to at most ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment (scripts and styles dropped, entities decoded)."""
    without_code = remove_tags_with_content(markup, which_ones=("script", "style"))
    return " ".join(replace_entities(remove_tags(without_code)).split())


def parse_feed(body: bytes, url: str) -> list[Candidate]:
    """Candidates (``via="feed"``) for the entries of an RSS or Atom document fetched from ``url``.

    Raises :class:`DiscoveryError` when ``body`` is not a feed or declares XML entities
    (feedparser would expand them); an empty feed gives ``[]``.
    """
    data = _CHAR_REF.sub(_fix_char_ref, body)
    headers = {"content-location": url}
    # Look for entity declarations in the text feedparser will parse (after its decoding: an
    # EBCDIC or UTF-7 document hides them from a look at the bytes).
    refuse_entities(convert_to_utf8(headers, data, {}), url, "feed")
    try:
        parsed = feedparser.parse(data, response_headers=headers)
    except (ValueError, OverflowError) as exc:  # feedparser's loose parser on broken input
        raise DiscoveryError(url, f"unreadable feed ({type(exc).__name__})") from exc
    if not parsed.get("version"):
        raise DiscoveryError(url, "not an RSS or Atom feed")
    candidates = []
    for entry in parsed.entries:
        link = _entry_link(entry, url)
        if link is None:
            continue
        candidates.append(
            Candidate(
                url=link,
                via="feed",
                title=clip_text(html_to_text(entry.get("title", ""))),
                snippet=clip_text(html_to_text(_entry_summary(entry))),
                published=_entry_time(entry),
                keywords=_entry_keywords(entry),
            )
        )
    return candidates


def _fix_char_ref(match: re.Match[bytes]) -> bytes:
    """A numeric character reference, or U+FFFD when it names no character (feedparser crashes)."""
    reference = match.group(1)
    hexadecimal = reference[:1] in (b"x", b"X")
    digits = (reference[1:] if hexadecimal else reference).lstrip(b"0")
    if len(digits) > 7:  # U+10FFFF is 6 hex or 7 decimal digits
        return b"&#xFFFD;"
    code = int(digits or b"0", 16 if hexadecimal else 10)
    valid = code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
    return match.group(0) if valid else b"&#xFFFD;"


def _entry_link(entry: feedparser.FeedParserDict, base: str) -> str | None:
    alternates = [
        link.get("href", "")
        for link in entry.get("links", [])
        if link.get("rel", "alternate") == "alternate"
    ]
    for link in [entry.get("link", ""), *alternates]:
        if link and (absolute := http_url(link, base)):
            return absolute
    guid = entry.get("id", "")  # an RSS guid or Atom id is a link only when absolute
    return http_url(guid, "") if guid.strip().lower().startswith(("http://", "https://")) else None


def _entry_summary(entry: feedparser.FeedParserDict) -> str:
    if entry.get("summary"):
        return entry.summary
    return next((part.get("value", "") for part in entry.get("content", [])), "")


def _entry_time(entry: feedparser.FeedParserDict) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        stamp: time.struct_time | None = entry.get(key)
        if stamp:
            try:
                return datetime(*stamp[:6], tzinfo=UTC)
            except (TypeError, ValueError):
                continue
    return None


def _entry_keywords(entry: feedparser.FeedParserDict) -> list[str]:
    keywords: list[str] = []
    for tag in entry.get("tags", []):
        word = " ".join((tag.get("term") or tag.get("label") or "").split())
        if word and word not in keywords:
            keywords.append(word)
    return keywords
