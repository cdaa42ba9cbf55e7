"""Read a page's own structured data: JSON-LD objects and <meta>/<link> tags."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

ARTICLE_TYPES = frozenset(
    [
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicQuestionArticle",
        "SatiricalArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "SocialMediaPosting",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
    ]
)
LISTING_TYPES = frozenset(["CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage"])
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_JSONLD = etree.XPath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]')
_META = etree.XPath("//meta[@content]")
_LINK = etree.XPath("//link[@rel][@href]")


@dataclass(slots=True)
class Structured:
    """Structured data of one page: JSON-LD objects, meta tags (lower-cased keys) and links."""

    objects: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)

    def first(self, *keys: str) -> str | None:
        """The first non-empty meta value among ``keys``."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value.strip():
                    return value.strip()
        return None

    def article(self, block: str = "first") -> dict[str, Any] | None:
        """The JSON-LD object describing the article (``block="last"`` prefers the last one)."""
        found = [o for o in self.objects if types_of(o) & ARTICLE_TYPES]
        if not found:
            found = [o for o in self.objects if "headline" in o or "articleBody" in o]
        if not found:
            return None
        return found[-1] if block == "last" else found[0]

    def types(self) -> set[str]:
        """All JSON-LD @type values on the page."""
        return set().union(*(types_of(o) for o in self.objects)) if self.objects else set()


def types_of(obj: dict[str, Any]) -> set[str]:
    """The @type values of a JSON-LD object as a set of short names."""
    value = obj.get("@type", ())
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return {v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


def _flatten(node: Any, out: list[dict[str, Any]]) -> None:
    """Collect every dict of a JSON-LD document, descending through @graph and lists."""
    if isinstance(node, list):
        for item in node:
            _flatten(item, out)
    elif isinstance(node, dict):
        out.append(node)
        if "@graph" in node:
            _flatten(node["@graph"], out)
        main = node.get("mainEntity")
        if isinstance(main, dict | list):
            _flatten(main, out)


def _load_json(text: str) -> Any:
    """Parse JSON-LD leniently: control characters and trailing commas are common in the wild."""
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
    try:
        return json.loads(text, strict=False)
    except ValueError:
        try:
            return json.loads(_TRAILING_COMMA.sub(r"\1", _CONTROL.sub(" ", text)), strict=False)
        except ValueError:
            return None


def read_structured(tree: etree._Element) -> Structured:
    """Collect JSON-LD objects, meta tags and link relations from a parsed page."""
    data = Structured()
    for script in _JSONLD(tree):
        if script.text:
            _flatten(_load_json(script.text), data.objects)
    for meta in _META(tree):
        key = (
            meta.get("property")
            or meta.get("name")
            or meta.get("itemprop")
            or meta.get("http-equiv")
        )
        if key:
            data.meta.setdefault(key.strip().lower(), []).append(meta.get("content", ""))
    for link in _LINK(tree):
        for rel in link.get("rel", "").lower().split():
            data.links.setdefault(rel, link.get("href", "").strip())
    return data


def text_of(value: Any) -> str | None:
    """A plain string from a JSON-LD value that may be a string, a list or an object."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        return next((t for t in map(text_of, value) if t), None)
    if isinstance(value, dict):
        for key in ("name", "@value", "url", "contentUrl", "@id"):
            if found := text_of(value.get(key)):
                return found
    return None


def strings_of(value: Any) -> list[str]:
    """All strings from a JSON-LD value (lists of names, comma-separated keywords...)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in strings_of(item)]
    if isinstance(value, dict):
        text = text_of(value)
        return [text] if text else []
    return []
