"""Listing pages (sections, tags, archives, search results) -> article candidates and more pages."""

from __future__ import annotations

import re
from collections.abc import Collection, Container
from dataclasses import dataclass
from functools import lru_cache
from posixpath import splitext
from urllib.parse import parse_qsl, unquote, urlsplit

import lxml.html
from scrapy.linkextractors import IGNORED_EXTENSIONS

from crawler.discovery import Candidate
from crawler.discovery.feeds import clip_text
from crawler.discovery.sitemaps import parse_w3c_datetime
from crawler.extraction.tree import parse_html
from crawler.urls import http_url


@dataclass(slots=True)
class ListingPage:
    """Article links found on a listing page, and further listing pages (pagination first)."""

    articles: list[Candidate]
    pages: list[str]


# fmt: off
_STATIC_EXTENSIONS = frozenset({f".{ext}" for ext in IGNORED_EXTENSIONS} | {
    ".xml", ".json", ".txt", ".csv", ".gz", ".woff", ".woff2", ".ttf", ".eot", ".avif", ".m3u8",
})
_HTML_EXTENSIONS = frozenset({".html", ".htm", ".shtml", ".phtml"})
# Path segments that mark a page as a listing, not an article.
_LISTING_SEGMENTS = frozenset({
    "tag", "tags", "topic", "topics", "category", "categories", "author", "authors", "search",
    "page", "section", "sections", "rubric", "rubrics", "theme", "themes", "hub", "archive",
    "catalog", "index", "default",
})
# Path segments of pages that are neither articles nor listings.
_UTILITY_SEGMENTS = frozenset({
    "login", "log-in", "signin", "sign-in", "signup", "sign-up", "logout", "register",
    "registration", "account", "profile", "user", "auth", "oauth", "subscribe", "subscription",
    "newsletter", "share", "sharer", "sharing", "print", "about", "about-us", "contact",
    "contacts", "privacy", "privacy-policy", "terms", "cookies", "cookie-policy", "advertising",
    "cart", "donate", "cdn-cgi", "wp-admin", "wp-login.php", "feed", "rss",
})
_SOCIAL_HOSTS = (
    "facebook.com", "twitter.com", "x.com", "t.me", "telegram.me", "vk.com", "ok.ru",
    "linkedin.com", "pinterest.com", "reddit.com", "whatsapp.com", "instagram.com",
    "youtube.com", "tiktok.com", "addtoany.com",
)
# Anchor texts of "next page" links (English, Russian, Kazakh).
_NEXT_TEXTS = frozenset({
    "»", "›", ">", ">>", "→", "next", "next page", "next »", "next ›", "next →", "older",
    "older posts", "older entries", "older articles", "more", "more news", "load more",
    "show more", "следующая", "следующая страница", "далее", "вперед", "вперёд", "ещё", "еще",
    "показать ещё", "показать еще", "келесі",
})
_SHARE_QUERY_KEYS = frozenset({"share", "login", "action", "print", "replytocom"})
# fmt: on
_PAGE_QUERY = re.compile(r"^(page|pg|paged|pagen_\d+|start_page)$", re.IGNORECASE)
_PAGE_PATH = re.compile(r"/(?:page[/-]?|p/)\d{1,5}/?$", re.IGNORECASE)
_DATE_IN_PATH = re.compile(
    r"(?<!\d)(?:19|20)\d\d(?P<sep>[/_-])(?:0?[1-9]|1[0-2])(?P=sep)(?:0?[1-9]|[12]\d|3[01])(?!\d)"
)
_LONG_ID = re.compile(r"^\d{5,}$")
_HEX_ID = re.compile(r"^(?=[a-f]*\d)[0-9a-f]{16,}$")  # AP: /article/<slug>-<32 hex digits>
_KAZINFORM_ID = re.compile(r"_a\d{5,}$")
_WORD = re.compile(r"[^\W\d_]{2,}")  # a run of two or more letters
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TEASER_CLASSES = ("lead", "teaser", "summary", "excerpt", "announce", "desc", "intro")
_TEASER_MIN_WORDS = 4  # shorter blocks are datelines, bylines or labels
_CARD_DEPTH = 5
# A box of links to stories on the same subject: its class or id, or its heading.
_BOX_DEPTH = 6
_RELATED_BOX_NAME = re.compile(
    r"related|see[-_]?also|read[-_]?also|also[-_]?read|more[-_]on[-_]this|same[-_]topic"
    r"|(?:^|[\s_-])also(?:$|[\s_-])",
    re.IGNORECASE,
)
_RELATED_BOX_HEADINGS = frozenset({
    "related", "related stories", "related articles", "related news", "related coverage",
    "related content", "related topics", "see also", "read also", "also read", "more on this",
    "more on this story", "more on this topic", "more about this", "on the same topic",
    "читайте также", "смотрите также", "по теме", "также по теме", "материалы по теме",
    "связанные материалы", "тақырыпқа қатысты",
})  # fmt: skip


@lru_cache(maxsize=4096)
def looks_like_article_url(url: str) -> bool:
    """Guess from the URL alone whether it names an article (not a home, section or tag page)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return False
    path = unquote(parts.path)
    stems = [_stem(segment) for segment in path.lower().split("/") if segment]
    if not stems or _PAGE_PATH.search(path):
        return False
    if any(stem in _LISTING_SEGMENTS or stem in _UTILITY_SEGMENTS for stem in stems):
        return False
    last = stems[-1] if stems[-1] != "amp" or len(stems) == 1 else stems[-2]
    if _DATE_IN_PATH.search(path) and not last.isdigit():
        return True
    if any(_LONG_ID.match(stem) or _KAZINFORM_ID.search(stem) for stem in stems):
        return True
    if any(_LONG_ID.match(part) or _HEX_ID.match(part) for part in re.split(r"[-_]", last)):
        return True
    words = len(_WORD.findall(last))
    is_html = splitext(path.lower())[1] in _HTML_EXTENSIONS
    return words >= 3 or (is_html and len(stems) >= 2 and words >= 2)


def _stem(segment: str) -> str:
    """A path segment without an HTML extension (``story.html`` -> ``story``)."""
    root, extension = splitext(segment)
    return root if extension in _HTML_EXTENSIONS else segment


def parse_listing(
    html: str,
    url: str,
    *,
    via: str = "listing",
    allowed_hosts: Collection[str] | None = None,
    pages: bool = True,
    skip: Container[str] = (),
) -> ListingPage:
    """Article candidates and further listing pages linked from the HTML page at ``url``.

    Only http(s) links to ``allowed_hosts`` (default: the page's own host; ``www.`` ignored) count.
    ``pages=False`` skips the further pages (links out of an article need only its articles);
    article links in ``skip`` (already handled by the caller) are left out.
    """
    root = parse_html(html)
    if root is None:
        return ListingPage([], [])
    base = url
    base_tags = root.xpath("//base[@href]/@href")
    if base_tags:
        base = http_url(str(base_tags[0]), url) or url
    hosts = frozenset(_bare_host(h) for h in (allowed_hosts or [urlsplit(url).hostname or ""]))
    self_url = http_url(url, url)

    links = {
        node: link
        for node in root.iter("a", "link")
        if (href := node.get("href")) and (link := http_url(href, base)) and _wanted(link, hosts)
    }
    article_links = {
        link for node, link in links.items() if node.tag == "a" and looks_like_article_url(link)
    }
    articles: dict[str, Candidate] = {}
    pagination: dict[str, None] = {}
    sections: dict[str, None] = {}
    boxes: dict[lxml.html.HtmlElement, bool] = {}
    for node, link in links.items():
        if link == self_url:
            continue
        if node.tag == "a" and link in article_links:
            if link not in skip:
                found = _article(node, link, via, links, article_links)
                found.related_box = _in_related_box(node, boxes)
                _merge(articles, found)
        elif not pages:
            continue
        elif _is_pagination(node, link):
            pagination[link] = None
        elif node.tag == "a":
            sections[link] = None
    pages = [*pagination, *(link for link in sections if link not in pagination)]
    return ListingPage(list(articles.values()), pages)


def _bare_host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    return host.removeprefix("www.")


@lru_cache(maxsize=4096)  # a site's menus repeat the same links on every page
def _wanted(link: str, hosts: frozenset[str]) -> bool:
    """True for an HTML page on an allowed host that is not a login, share or static file link."""
    parts = urlsplit(link)
    host = _bare_host(parts.hostname or "")
    if host not in hosts or any(host == s or host.endswith("." + s) for s in _SOCIAL_HOSTS):
        return False
    path = unquote(parts.path).lower()
    if splitext(path)[1] in _STATIC_EXTENSIONS:
        return False
    if any(segment in _UTILITY_SEGMENTS for segment in path.split("/")):
        return False
    query_keys = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    return not query_keys & _SHARE_QUERY_KEYS


def _is_pagination(node: lxml.html.HtmlElement, link: str) -> bool:
    if "next" in (node.get("rel") or "").lower().split():
        return True
    if node.tag != "a":
        return False
    if _is_page_url(link):
        return True
    text = " ".join(node.text_content().split()).lower()
    return text in _NEXT_TEXTS


@lru_cache(maxsize=4096)
def _is_page_url(link: str) -> bool:
    """``/page/2/``, ``?page=2``: a numbered page of a listing."""
    parts = urlsplit(link)
    if _PAGE_PATH.search(parts.path):
        return True
    return any(_PAGE_QUERY.match(k) and v.isdigit() for k, v in parse_qsl(parts.query))


def _article(
    anchor: lxml.html.HtmlElement,
    link: str,
    via: str,
    links: dict[lxml.html.HtmlElement, str],
    article_links: set[str],
) -> Candidate:
    card = _card(anchor, link, links, article_links)
    title = " ".join(_anchor_title(anchor).split())
    moments = (parse_w3c_datetime(node.get("datetime") or "") for node in card.iter("time"))
    return Candidate(
        url=link,
        via=via,
        title=clip_text(title),
        snippet=_teaser(card, anchor, title),
        published=next((moment for moment in moments if moment is not None), None),
    )


def _in_related_box(
    anchor: lxml.html.HtmlElement, boxes: dict[lxml.html.HtmlElement, bool]
) -> bool:
    """True when ``anchor`` sits in a box of related stories ("Related", "See also", "Читайте
    также"), known by the box's class or id or by its heading; ``boxes`` caches the verdicts."""
    for depth, ancestor in enumerate(anchor.iterancestors()):
        if depth == _BOX_DEPTH or ancestor.tag in ("body", "html"):
            return False
        if ancestor not in boxes:
            boxes[ancestor] = _is_related_box(ancestor)
        if boxes[ancestor]:
            return True
    return False


def _is_related_box(element: lxml.html.HtmlElement) -> bool:
    name = f"{element.get('class') or ''} {element.get('id') or ''}"
    if _RELATED_BOX_NAME.search(name):
        return True
    for child in element[:2]:
        if isinstance(child.tag, str) and child.tag not in ("a", "ul", "ol", "li"):
            heading = " ".join(child.text_content().split()).lower().rstrip(":")
            if heading in _RELATED_BOX_HEADINGS:
                return True
    return False


def _anchor_title(anchor: lxml.html.HtmlElement) -> str:
    heading = next(anchor.iter(*_HEADINGS), None)
    if heading is not None and heading.text_content().strip():
        return heading.text_content()
    for text in (
        anchor.text_content(),
        anchor.get("title"),
        anchor.get("aria-label"),
        *(img.get("alt") for img in anchor.iter("img")),
    ):
        if text and text.strip():
            return text
    return ""


def _card(
    anchor: lxml.html.HtmlElement,
    link: str,
    links: dict[lxml.html.HtmlElement, str],
    article_links: set[str],
) -> lxml.html.HtmlElement:
    """The largest ancestor (a few levels up) that links to no other article: the teaser card."""
    card = anchor
    for ancestor in list(anchor.iterancestors())[:_CARD_DEPTH]:
        if ancestor.tag in ("body", "html"):
            break
        targets = (links.get(node) for node in ancestor.iter("a"))
        if any(target != link and target in article_links for target in targets):
            break
        card = ancestor
    return card


def _teaser(card: lxml.html.HtmlElement, anchor: lxml.html.HtmlElement, title: str) -> str:
    """Text of the first paragraph (or lead/teaser block) in the card that is not the title."""
    around_anchor = set(anchor.iterancestors())
    for block in card.iter("p", "div"):
        if block in around_anchor or (block.tag == "div" and not _is_teaser_class(block)):
            continue
        text = " ".join(block.text_content().split())
        if len(text.split()) >= _TEASER_MIN_WORDS and text not in title:
            return clip_text(text)
    return ""


def _is_teaser_class(element: lxml.html.HtmlElement) -> bool:
    classes = (element.get("class") or "").lower()
    return any(word in classes for word in _TEASER_CLASSES)


def _merge(articles: dict[str, Candidate], found: Candidate) -> None:
    """Keep one candidate per URL: the longest title, and any snippet or date seen for it."""
    known = articles.get(found.url)
    if known is None:
        articles[found.url] = found
        return
    if len(found.title) > len(known.title):
        known.title = found.title
    known.snippet = known.snippet or found.snippet
    known.published = known.published or found.published
    known.related_box = known.related_box or found.related_box
