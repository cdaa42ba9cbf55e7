"""XML documents of the local news web: RSS 2.0, Atom, sitemaps and Google News sitemaps."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class Entry:
    """One feed or sitemap entry."""

    url: str
    title: str
    published: datetime
    summary: str = ""
    keywords: tuple[str, ...] = ()
    author: str = ""


def _doc(body: str, encoding: str) -> bytes:
    head = f'<?xml version="1.0" encoding="{encoding}"?>\n'
    return (head + body).encode(encoding, errors="xmlcharrefreplace")


def rss(
    title: str,
    link: str,
    description: str,
    language: str,
    entries: Iterable[Entry],
    encoding: str = "utf-8",
) -> bytes:
    """An RSS 2.0 channel."""
    items = "".join(
        f"<item><title>{escape(e.title)}</title><link>{escape(e.url)}</link>"
        f'<guid isPermaLink="true">{escape(e.url)}</guid>'
        f"<pubDate>{format_datetime(e.published)}</pubDate>"
        f"<description>{escape(e.summary)}</description>"
        + "".join(f"<category>{escape(k)}</category>" for k in e.keywords)
        + "</item>\n"
        for e in entries
    )
    return _doc(
        f'<rss version="2.0"><channel><title>{escape(title)}</title><link>{escape(link)}</link>'
        f"<description>{escape(description)}</description><language>{language}</language>\n"
        f"{items}</channel></rss>\n",
        encoding,
    )


def atom(
    title: str, self_url: str, site_url: str, entries: list[Entry], next_url: str | None = None
) -> bytes:
    """An Atom feed page; ``next_url`` adds a ``rel="next"`` link to the following page."""
    updated = max((e.published for e in entries), default=datetime.fromtimestamp(0)).isoformat()
    nav = f'<link rel="next" href="{escape(next_url)}"/>' if next_url else ""
    body = "".join(
        f'<entry><title>{escape(e.title)}</title><link href="{escape(e.url)}"/>'
        f"<id>{escape(e.url)}</id><published>{e.published.isoformat()}</published>"
        f"<updated>{e.published.isoformat()}</updated>"
        f"<summary>{escape(e.summary)}</summary>"
        + (f"<author><name>{escape(e.author)}</name></author>" if e.author else "")
        + "</entry>\n"
        for e in entries
    )
    return _doc(
        f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{escape(title)}</title>'
        f"<id>{escape(self_url)}</id><updated>{updated}</updated>"
        f'<link rel="self" href="{escape(self_url)}"/>'
        f'<link rel="alternate" href="{escape(site_url)}"/>'
        f"{nav}\n{body}</feed>\n",
        "utf-8",
    )


def sitemap_index(locations: Iterable[str]) -> bytes:
    """A sitemap index listing child sitemaps."""
    items = "".join(f"<sitemap><loc>{escape(loc)}</loc></sitemap>\n" for loc in locations)
    return _doc(f'<sitemapindex xmlns="{SITEMAP_NS}">\n{items}</sitemapindex>\n', "utf-8")


def urlset(entries: Iterable[Entry]) -> bytes:
    """A plain sitemap with ``lastmod``."""
    items = "".join(
        f"<url><loc>{escape(e.url)}</loc><lastmod>{e.published.isoformat()}</lastmod></url>\n"
        for e in entries
    )
    return _doc(f'<urlset xmlns="{SITEMAP_NS}">\n{items}</urlset>\n', "utf-8")


def gzipped(data: bytes) -> bytes:
    """Gzip with a fixed mtime so the bytes are reproducible."""
    return gzip.compress(data, mtime=0)


def news_urlset(entries: Iterable[Entry], publication: str, language: str) -> bytes:
    """A Google News sitemap (``news:publication_date``, ``news:title``, ``news:keywords``)."""
    items = "".join(
        f"<url><loc>{escape(e.url)}</loc><news:news><news:publication>"
        f"<news:name>{escape(publication)}</news:name><news:language>{language}</news:language>"
        f"</news:publication><news:publication_date>{e.published.isoformat()}"
        f"</news:publication_date><news:title>{escape(e.title)}</news:title>"
        f"<news:keywords>{escape(', '.join(e.keywords))}</news:keywords></news:news></url>\n"
        for e in entries
    )
    return _doc(
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n{items}</urlset>\n', "utf-8"
    )
