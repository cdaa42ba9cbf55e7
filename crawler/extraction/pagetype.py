"""Tell article pages from listings (section, tag, search, home pages) and other pages."""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlsplit

from lxml import etree

from crawler.extraction.structured import ARTICLE_TYPES, LISTING_TYPES, Structured

_LISTING_PATH = re.compile(
    r"/(?:tags?|topics?|category|categories|section|sections|rubric|rubrics|archive|archives|"
    r"search|author|authors|page|label|theme|themes|subject|subjects)(?:/[^/?]+)?/?(?:\?|$)"
    r"|[?&](?:q|query|search|searchStr|tag)=",
    re.IGNORECASE,
)
_LINKS = etree.XPath("//body//a[@href]")
_ITEM_LINKS = etree.XPath(".//a[@href]")
_ARTICLE_OG = frozenset({"article", "news", "newsarticle", "blog", "blogposting"})
MIN_ARTICLE_CHARS = 250
_LISTING_LINK_CHARS = 2000  # link text on a page without an article body that makes it a listing
_LISTING_SHARE = 0.5  # share of the main text in links that makes a page a listing...
_MARKED_LISTING_SHARE = 0.85  # ...or, for a page marked as an article, a link roundup
_MIN_LISTING_ITEMS = 5
_MAX_HEADLINE_CHARS = 160  # average line length above which a body is not a headline list
_MIN_TEASERS = 3
_MIN_HEADLINE_WORDS = 3


def classify_page(
    url: str, tree: etree._Element, data: Structured, body: str, linked_share: float
) -> str:
    """ "article", "listing" or "other", from structured types, the URL and the link structure.

    ``linked_share`` is the share of the extracted text that sat in links (see ``body``).
    """
    types = data.types()
    og_type = (data.first("og:type") or "").lower()
    parts = urlsplit(url)
    marked_article = bool(types & ARTICLE_TYPES) or og_type in _ARTICLE_OG
    if types & LISTING_TYPES and not marked_article:
        return "listing"
    if parts.path.strip("/") == "" or _LISTING_PATH.search(f"{parts.path}?{parts.query}"):
        return "listing" if not marked_article or len(body) < MIN_ARTICLE_CHARS else "article"
    threshold = _MARKED_LISTING_SHARE if marked_article else _LISTING_SHARE
    if linked_share >= threshold or _headline_list(body, tree, threshold):
        return "listing"  # the main text is a list of headlines
    if not marked_article and _teaser_list(body, tree):
        return "listing"  # ...or the summaries under them
    if marked_article or len(body) >= MIN_ARTICLE_CHARS:
        return "article"
    link_chars = sum(len(_flat(a)) for a in _LINKS(tree))
    return "listing" if link_chars > _LISTING_LINK_CHARS else "other"


def _headline_list(body: str, tree: etree._Element, threshold: float) -> bool:
    """True when most body lines are short and are the text of a link on the page."""
    lines = [p for p in body.split("\n\n") if p]
    if len(lines) < _MIN_LISTING_ITEMS or len(body) > _MAX_HEADLINE_CHARS * len(lines):
        return False
    anchors = {_flat(a) for a in _LINKS(tree)}
    return sum(1 for line in lines if line in anchors) >= threshold * len(lines)


def _teaser_list(body: str, tree: etree._Element) -> bool:
    """True when most body lines are summaries that each sit beside a headline link of their
    own, in containers of one kind (the items of a listing). An article body whose paragraphs
    share one container with a "Read also" link is one item, not a list."""
    lines = {p for p in body.split("\n\n") if p}
    if len(lines) < _MIN_TEASERS:
        return False
    items: defaultdict[tuple[str, str], set[etree._Element]] = defaultdict(set)
    for element in tree.iter("p", "div", "span"):
        if len(element) or not element.text or " ".join(element.text.split()) not in lines:
            continue
        item = element.getparent()
        if item is not None and any(
            a is not element and len(_flat(a).split()) >= _MIN_HEADLINE_WORDS
            for a in _ITEM_LINKS(item)
        ):
            items[(item.tag, item.get("class") or "")].add(item)
    most = max((len(found) for found in items.values()), default=0)
    return most >= max(_MIN_TEASERS, _LISTING_SHARE * len(lines))


def _flat(element: etree._Element) -> str:
    return " ".join(" ".join(element.itertext()).split())
