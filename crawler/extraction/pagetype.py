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
    links = _LINKS(tree)
    link_chars = sum(len("".join(a.itertext()).strip()) for a in links)
    if len(links) > 60 and len(body) < 2 * MIN_ARTICLE_CHARS and link_chars > 3 * len(body):
        return "listing"
    if len(body) >= MIN_ARTICLE_CHARS and (has_date or len(body) >= 4 * MIN_ARTICLE_CHARS):
        return "article"
    return "listing" if len(links) > 60 and link_chars > len(body) else "other"
