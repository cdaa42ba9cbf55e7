"""Tell article pages from listings (section, tag, search, home pages) and other pages."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from crawler.extraction.structured import ARTICLE_TYPES, LISTING_TYPES, Structured

_LISTING_PATH = re.compile(
    r"/(?:tags?|topics?|category|categories|section|sections|rubric|rubrics|archive|archives|"
    r"search|author|authors|page|label|theme|themes|subject|subjects|feed|rss)(?:/|$|\?)"
    r"|[?&](?:page|p|q|query|search|searchStr|tag)=",
    re.IGNORECASE,
)
_LINKS = etree.XPath("//body//a[@href]")
_ARTICLE_OG = frozenset({"article", "news", "newsarticle", "blog", "blogposting"})
MIN_ARTICLE_CHARS = 250
_MANY_LINKS = 60
_MIN_LISTING_ITEMS = 5
_LISTING_SHARE = 0.5


def classify_page(
    url: str, tree: etree._Element, data: Structured, body: str, has_date: bool
) -> str:
    """ "article", "listing" or "other", from structured types, the URL and the link structure."""
    types = data.types()
    og_type = (data.first("og:type") or "").lower()
    parts = urlsplit(url)
    path = parts.path
    marked_article = bool(types & ARTICLE_TYPES) or og_type in _ARTICLE_OG
    if types & LISTING_TYPES and not marked_article:
        return "listing"
    if path.strip("/") == "" or _LISTING_PATH.search(f"{path}?{parts.query}"):
        return "listing" if not marked_article or len(body) < MIN_ARTICLE_CHARS else "article"
    if marked_article:
        return "article"
    anchors = [" ".join(" ".join(a.itertext()).split()) for a in _LINKS(tree)]
    if _mostly_links(body, anchors):
        return "listing"
    if len(body) >= MIN_ARTICLE_CHARS and (has_date or len(body) >= 4 * MIN_ARTICLE_CHARS):
        return "article"
    link_chars = sum(map(len, anchors))
    return "listing" if len(anchors) > _MANY_LINKS and link_chars > len(body) else "other"


def _mostly_links(body: str, anchors: list[str]) -> bool:
    """True when most body paragraphs are just the text of a link (a list of headlines)."""
    paragraphs = [p for p in body.split("\n\n") if p]
    if len(paragraphs) < _MIN_LISTING_ITEMS:
        return False
    texts = set(anchors)
    linked = sum(1 for p in paragraphs if p in texts)
    return linked >= _LISTING_SHARE * len(paragraphs)
