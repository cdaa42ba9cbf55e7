"""Normalise a record: Unicode, whitespace, credit lines, UTC dates, canonical URL, id, hash."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.text import content_hash, credited_agency, normalize_text, split_credits
from crawler.urls import canonical_url, host_of, record_id

_TEXT_FIELDS = ("title", "description", "published_raw", "section", "source", "based_on")


class NormalizePipeline:
    """Bring every record to the corpus's one shape before dedup compares records."""

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        for name in _TEXT_FIELDS:
            value = adapter.get(name)
            if isinstance(value, str):
                adapter[name] = " ".join(normalize_text(value).split()) or None
        paragraphs = normalize_text(adapter.get("body") or "").split("\n\n")
        paragraphs, credits = split_credits([p for p in paragraphs if p])
        adapter["body"] = "\n\n".join(paragraphs)
        if not adapter["body"] or not adapter.get("title"):
            raise DropItem(f"{adapter['url']}: no title or body after normalisation", "INFO")
        adapter["based_on"] = adapter.get("based_on") or credited_agency(credits)
        adapter["authors"] = _unique(" ".join(a.split()) for a in adapter.get("authors") or [])
        adapter["tags"] = _unique(" ".join(t.split()) for t in adapter.get("tags") or [])
        adapter["language"] = _language(adapter.get("language"))
        for name in ("published", "modified", "fetched_at"):
            if adapter.get(name):
                adapter[name] = to_utc_iso(adapter[name])
        if not adapter["is_seed"]:
            adapter["canonical_url"] = _canonical(adapter["url"], adapter.get("canonical_url"))
            adapter["id"] = record_id(adapter["canonical_url"])
        adapter["content_hash"] = content_hash(adapter["body"])
        return item


def _canonical(url: str, declared: str | None) -> str:
    """The page's own canonical URL when it stays on the same site, else the fetched URL's."""
    own = canonical_url(url)
    if declared:
        try:
            declared = canonical_url(declared)
        except ValueError:
            return own
        if host_of(declared) == host_of(own):
            return declared
    return own


def to_utc_iso(value: str | datetime) -> str | None:
    """An ISO 8601 timestamp (or datetime) as ``YYYY-MM-DDTHH:MM:SSZ``; naive times are UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _language(value: str | None) -> str | None:
    """ISO 639-1 from a code such as ``en``, ``en-US`` or ``RU``; None otherwise."""
    code = (value or "").strip().lower()[:3].rstrip("-_")
    return code if len(code) == 2 and code.isalpha() and code.isascii() else None


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
