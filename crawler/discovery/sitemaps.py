"""Sitemaps (XML indexes and url sets, gzip, Google News fields, plain text) and robots.txt."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import sitemap_urls_from_robots as _scrapy_robots_sitemaps

from crawler.discovery import Candidate, DiscoveryError
from crawler.discovery.feeds import clip_text
from crawler.discovery.xmlsafety import refuse_entities
from crawler.urls import http_url

GZIP_MAGIC = b"\x1f\x8b"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
MAX_SITEMAP_SIZE = 50 * 1024 * 1024  # the limit of the sitemaps.org protocol


@dataclass(slots=True)
class SitemapPage:
    """What one sitemap document holds: child sitemaps (of an index) and page candidates."""

    sitemaps: list[str]
    candidates: list[Candidate]


def parse_sitemap(body: bytes, url: str, *, max_size: int = MAX_SITEMAP_SIZE) -> SitemapPage:
    """Read a ``<sitemapindex>``, a ``<urlset>`` or a plain-text sitemap fetched from ``url``.

    Gzip is recognised by its magic bytes and inflated up to ``max_size`` bytes. DTDs and entities
    are never expanded. Raises :class:`DiscoveryError` for anything that is not a sitemap.
    """
    if body.startswith(GZIP_MAGIC):
        body = _gunzip(body, url, max_size)
    elif len(body) > max_size:
        raise DiscoveryError(url, f"sitemap larger than {max_size} bytes")
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<", *_UTF16_BOMS)):
        refuse_entities(head, url, "sitemap")
        return _parse_xml(head, url)
    return _parse_text(head, url)


def sitemap_urls_from_robots(robots_txt: str, url: str) -> list[str]:
    """The http(s) ``Sitemap:`` URLs of the robots.txt at ``url``, resolved and deduplicated."""
    found = _scrapy_robots_sitemaps(robots_txt.encode("utf-8", "replace"), url)
    return list(dict.fromkeys(link for raw in found if (link := http_url(raw, url))))


def parse_w3c_datetime(text: str) -> datetime | None:
    """A W3C/ISO 8601 date or date-time as an aware UTC datetime (naive values are taken as UTC)."""
    text = text.strip()
    if len(text) < 10:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    huge_tree=False,
    load_dtd=False,
    dtd_validation=False,
    remove_comments=True,
    remove_pis=True,
)


def _gunzip(body: bytes, url: str, max_size: int) -> bytes:
    try:
        return gunzip(body, max_size=max_size)
    except ValueError as exc:  # scrapy's size-limit error is a ValueError
        raise DiscoveryError(url, f"gzip sitemap inflates beyond {max_size} bytes") from exc
    except (OSError, EOFError, struct.error, zlib.error) as exc:
        raise DiscoveryError(url, "corrupt gzip data") from exc


def _parse_xml(body: bytes, url: str) -> SitemapPage:
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DiscoveryError(url, f"invalid sitemap XML ({reason})") from exc
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise DiscoveryError(url, "sitemap declares XML entities; refusing to read it")
    kind = _local(root)
    if kind == "sitemapindex":
        links = (_child_text(item, "loc") for item in root if _local(item) == "sitemap")
        return SitemapPage(_unique_links(links, url), [])
    if kind == "urlset":
        candidates = [c for item in root if _local(item) == "url" if (c := _candidate(item, url))]
        return SitemapPage([], _unique_candidates(candidates))
    raise DiscoveryError(url, f"not a sitemap (root element <{kind}>)")


def _parse_text(body: bytes, url: str) -> SitemapPage:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DiscoveryError(url, "not a sitemap (binary data)") from exc
    links = [line for line in text.splitlines() if line.strip().startswith(("http://", "https://"))]
    if not links:
        raise DiscoveryError(url, "not a sitemap (no URLs in plain text)")
    candidates = [Candidate(url=link, via="sitemap") for link in _unique_links(links, url)]
    return SitemapPage([], candidates)


def _candidate(item: etree._Element, base: str) -> Candidate | None:
    loc = _child_text(item, "loc")
    link = http_url(loc, base) if loc else None
    if link is None:
        return None
    news = next((child for child in item if _local(child) == "news"), None)
    title = published = keywords = ""
    if news is not None:
        title = _child_text(news, "title")
        published = _child_text(news, "publication_date")
        keywords = _child_text(news, "keywords")
    return Candidate(
        url=link,
        via="sitemap",
        title=clip_text(title),
        published=parse_w3c_datetime(published) or parse_w3c_datetime(_child_text(item, "lastmod")),
        keywords=list(dict.fromkeys(w for k in keywords.split(",") if (w := " ".join(k.split())))),
    )


def _local(element: etree._Element) -> str:
    """Tag name without namespace ('' for comments, entity references and the like)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str:
    """Text of the first direct child called ``name`` (any namespace); entities are left out."""
    child = next((c for c in element if _local(c) == name), None)
    if child is None:
        return ""
    return "".join(child.itertext(tag=etree.Element)).strip()


def _unique_links(raw_links: Iterable[str], base: str) -> list[str]:
    return list(dict.fromkeys(link for raw in raw_links if raw and (link := http_url(raw, base))))


def _unique_candidates(candidates: list[Candidate]) -> list[Candidate]:
    first: dict[str, Candidate] = {}
    for candidate in candidates:
        first.setdefault(candidate.url, candidate)
    return list(first.values())
