"""A synthetic news web for benchmarks: N distinct article pages on loopback hosts.

Run as ``python tests/benchmarks/_synthweb.py --articles N``: it binds one port on every host,
renders every page up front (so serving costs only a dictionary look-up and a socket write), prints
one JSON line describing the web and serves HTTP/1.1 keep-alive until it is terminated.

Each host has ``/robots.txt``, a home page, a sitemap index at ``/sitemap.xml`` with child
sitemaps of at most ``SITEMAP_SIZE`` URLs, and its share of the articles. Every fifth article is
built from the sentences of the local news web's related articles (crawler.newsweb data), the rest
from its unrelated ones; sentences are drawn at random so that no two bodies are the same. Any
other path ending in ``/`` (sections, tags, authors) answers with the home page, a listing of the
latest articles. ``GET /__synthweb/stats`` answers with the article requests served since the
last ``GET /__synthweb/reset``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import random
import re
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script from a checkout

from crawler.newsweb.content import load_corpus
from crawler.newsweb.markup import cookie_notice, json_ld, newsletter, share_bar

HOSTS = ("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5")
SITEMAP_SIZE = 1000
RELATED_EVERY = 5  # every fifth article is about the seed's story
FIRST_DAY = datetime(2022, 1, 1, 6, 0, tzinfo=UTC)  # within 30 days of the seed (2022-01-10)
SPAN_MINUTES = 20 * 24 * 60
MIN_WORDS, MAX_WORDS = 300, 800
STATS_PATH, RESET_PATH = b"/__synthweb/stats", b"/__synthweb/reset"
SECTIONS = ("politics", "world", "economy", "society", "incidents", "sport", "culture", "science")
SUBSECTIONS = (
    "analysis",
    "opinion",
    "interviews",
    "photo",
    "video",
    "regions",
    "briefs",
    "features",
    "explainers",
    "live",
)
FOOTER_PAGES = (
    "about",
    "contacts",
    "advertising",
    "privacy",
    "terms",
    "archive",
    "rss",
    "jobs",
    "editorial-policy",
    "corrections",
    "apps",
    "newsletters",
)
NEIGHBOURS = tuple(range(1, 33))  # other articles shown in the side bars
CARDS = 16  # of which shown as teaser cards, the rest as a "most read" list
SITE_NAMES = ("Steppe Wire", "Caspian Courier", "Eurasia Daily Post", "Northern Ledger")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
# sentences of the unrelated articles that touch the seed's story are left out of unrelated pages
_ON_TOPIC = re.compile(
    r"Kazakh|CSTO|Collective Security|Tokayev|Almaty|Nur-Sultan|peacekeep", re.IGNORECASE
)


@dataclass(frozen=True)
class Prose:
    """Sentences, titles, leads and bylines of one class of articles (related or unrelated)."""

    sentences: tuple[str, ...]
    titles: tuple[str, ...]
    leads: tuple[str, ...]
    authors: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    """One synthetic article."""

    host: int
    path: str
    title: str
    lead: str
    author: str
    section: str
    tags: tuple[str, ...]
    published: datetime
    paragraphs: tuple[str, ...]
    related: bool


@dataclass
class HitCounter:
    """Article requests served since the last reset."""

    hits: int = 0
    distinct: set[tuple[int, bytes]] = field(default_factory=set)
    other: int = 0
    first: float = 0.0  # time.time() of the first and the last article served
    last: float = 0.0

    def article(self, host: int, path: bytes) -> None:
        self.last = time.time()
        self.first = self.first or self.last
        self.hits += 1
        self.distinct.add((host, path))

    def reset(self) -> None:
        self.hits = self.other = 0
        self.first = self.last = 0.0
        self.distinct.clear()

    def as_json(self) -> bytes:
        return json.dumps(
            {
                "article_hits": self.hits,
                "distinct_articles": len(self.distinct),
                "other_hits": self.other,
                "fetch_s": self.last - self.first,
            }
        ).encode()


def load_prose() -> tuple[Prose, Prose]:
    """(related, unrelated) prose pools from the local news web's article data."""
    pools = []
    for related in (True, False):
        articles = [a for a in load_corpus().by_key.values() if a.related is related]
        sentences = dict.fromkeys(
            s
            for a in articles
            for p in a.paragraphs
            for s in _SENTENCE_END.split(p)
            if len(s.split()) >= 5 and (related or not _ON_TOPIC.search(s))
        )
        pools.append(
            Prose(
                sentences=tuple(sentences),
                titles=tuple(a.title for a in articles if related or not _ON_TOPIC.search(a.title)),
                leads=tuple(a.lead for a in articles if related or not _ON_TOPIC.search(a.lead)),
                authors=tuple(dict.fromkeys(a.author for a in articles)),
                tags=tuple(dict.fromkeys(t for a in articles for t in a.tags)),
            )
        )
    return pools[0], pools[1]


def make_pages(count: int, hosts: int, seed: int = 2022) -> list[Page]:
    """``count`` articles spread over ``hosts`` hosts, every body a distinct draw of sentences."""
    related_prose, other_prose = load_prose()
    rng = random.Random(seed)
    seen: set[tuple[str, ...]] = set()
    pages = []
    for i in range(count):
        related = i % RELATED_EVERY == 0
        prose = related_prose if related else other_prose
        words = rng.randint(MIN_WORDS, MAX_WORDS)
        body = _draw(rng, prose.sentences, words)
        while body in seen:
            body = _draw(rng, prose.sentences, words)
        seen.add(body)
        published = FIRST_DAY + timedelta(minutes=rng.randrange(SPAN_MINUTES))
        title = rng.choice(prose.titles)
        section = rng.choice(SECTIONS[:5] if related else SECTIONS)
        slug = _SLUG_JUNK.sub("-", title.lower()).strip("-")[:60].rstrip("-")
        pages.append(
            Page(
                host=i % hosts,
                path=f"/news/{published:%Y/%m/%d}/{slug}-{100000 + i}.html",
                title=title,
                lead=rng.choice(prose.leads),
                author=rng.choice(prose.authors),
                section=section,
                tags=tuple(rng.sample(prose.tags, 3)),
                published=published,
                paragraphs=_paragraphs(rng, body),
                related=related,
            )
        )
    return pages


def _draw(rng: random.Random, sentences: tuple[str, ...], words: int) -> tuple[str, ...]:
    chosen: list[str] = []
    total = 0
    for sentence in rng.sample(sentences, len(sentences)):
        chosen.append(sentence)
        total += len(sentence.split())
        if total >= words:
            break
    return tuple(chosen)


def _paragraphs(rng: random.Random, sentences: tuple[str, ...]) -> tuple[str, ...]:
    paragraphs, start = [], 0
    while start < len(sentences):
        size = rng.randint(2, 4)
        paragraphs.append(" ".join(sentences[start : start + size]))
        start += size
    return tuple(paragraphs)


# --- rendering ------------------------------------------------------------------------------------


def h(text: str) -> str:
    return escape(text, quote=True)


def render_article(page: Page, base: str, site: str, neighbours: list[Page]) -> str:
    """A news article page; the host's number decides which metadata it carries."""
    url = base + page.path.lstrip("/")
    iso = page.published.isoformat()
    meta = [
        f'<meta name="description" content="{h(page.lead)}">',
        f'<link rel="canonical" href="{h(url)}">',
    ]
    if page.host in (0, 1):
        meta += [
            f'<meta property="{p}" content="{h(v)}">'
            for p, v in (
                ("og:type", "article"),
                ("og:site_name", site),
                ("og:title", page.title),
                ("og:description", page.lead),
                ("og:url", url),
                ("article:published_time", iso),
            )
        ]
    if page.host in (0, 3):
        meta.append(json_ld(page, url, site))  # a Page has the fields json_ld reads
    body = [f"<p>{h(p)}</p>" for p in page.paragraphs]
    if neighbours and len(body) > 3:
        link = neighbours[0]
        body.insert(
            3, f'<p class="read-also">Read also: <a href="{h(link.path)}">{h(link.title)}</a></p>'
        )
    tags = "".join(
        f'<li><a href="/tags/{_SLUG_JUNK.sub("-", t.lower())}/">{h(t)}</a></li>' for t in page.tags
    )
    more = "".join(_card(n) for n in neighbours[:CARDS])
    popular = "".join(
        f'<li><a href="{h(n.path)}">{h(n.title)}</a></li>' for n in neighbours[CARDS:]
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{h(page.title)} | {h(site)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{''.join(meta)}"
        '<link rel="stylesheet" href="/static/main.css">'
        f"{_head_assets(site)}</head><body>{_header(site)}{cookie_notice(site)}"
        f'<div class="page"><div class="container"><div class="row">{_ad(0)}'
        '<main class="col col-main"><div class="content-wrapper">'
        f'<nav class="breadcrumbs"><a href="/">Home</a> &rsaquo; '
        f'<a href="/{page.section}/">{page.section.title()}</a></nav>'
        f'<article class="story"><h1>{h(page.title)}</h1><p class="lead">{h(page.lead)}</p>'
        f'<div class="byline">By <a href="/authors/{_SLUG_JUNK.sub("-", page.author.lower())}/">'
        f'{h(page.author)}</a> &middot; <time datetime="{iso}">'
        f"{page.published:%d %B %Y, %H:%M} UTC</time></div>"
        f'<figure><img src="/img/{page.path.rsplit("/", 1)[1][:-5]}.jpg" alt="{h(page.title)}">'
        f"<figcaption>{h(page.lead)} Photo: {h(site)}</figcaption></figure>"
        f'<div class="story-body">{"".join(body)}</div>'
        f'<ul class="tags">{tags}</ul>{share_bar(url, page.title)}</article>'
        f"{_ad(1)}</div></main>"
        f'<div class="col col-side"><aside class="more"><h2>More news</h2>'
        f'<div class="cards">{more}</div></aside>{_ad(2)}'
        f'<aside class="most-read"><h2>Most read</h2><ol>{popular}</ol></aside>{_ad(3)}'
        f"{newsletter(site)}</div></div></div></div>{_footer(site)}</body></html>"
    )


def _card(page: Page) -> str:
    """A teaser card of another article, with responsive picture markup."""
    image = f"/img/{page.path.rsplit('/', 1)[1][:-5]}"
    sources = "".join(
        f'<source media="(min-width: {w}px)" srcset="{image}-{w}.webp 1x, '
        f'{image}-{w * 2}.webp 2x" type="image/webp">'
        for w in (480, 768, 1024)
    )
    return (
        f'<div class="card card--teaser"><a class="card__media" href="{h(page.path)}">'
        f'<picture>{sources}<img src="{image}-480.jpg" alt="" loading="lazy" width="480" '
        f'height="270"></picture></a><div class="card__body"><span class="card__tag">'
        f'{h(page.section.title())}</span><h3 class="card__title"><a href="{h(page.path)}">'
        f'{h(page.title)}</a></h3><p class="card__lead">{h(page.lead)}</p>'
        f'<div class="card__meta"><time datetime="{page.published.isoformat()}">'
        f"{page.published:%d.%m.%Y %H:%M}</time>{_icon('comment')}<span>0</span></div>"
        "</div></div>"
    )


@functools.cache
def _icon(name: str) -> str:
    return (
        f'<svg class="icon icon-{name}" viewBox="0 0 24 24" width="16" height="16" '
        'aria-hidden="true" focusable="false"><path d="M12 2C6.48 2 2 6.48 2 12s4.48 10 10 '
        "10 10-4.48 10-10S17.52 2 12 2zm0 18c-4.41 0-8-3.59-8-8s3.59-8 8-8 8 3.59 8 8-3.59 "
        '8-8 8zm-1-13h2v6h-2zm0 8h2v2h-2z"/></svg>'
    )


@functools.cache
def _ad(slot: int) -> str:
    return (
        f'<div class="ad ad-slot-{slot}" data-slot="slot-{slot}"><div class="ad__label">'
        f'Advertisement</div><ins class="adsbygoogle" style="display:block" data-ad-client='
        f'"ca-pub-0000000000000000" data-ad-slot="{slot:010d}" data-ad-format="auto"></ins>'
        "<script>(adsbygoogle = window.adsbygoogle || []).push({});</script></div>"
    )


@functools.cache
def _header(site: str) -> str:
    """Site header with a mega-menu: every section with its sub-sections."""
    menu = "".join(
        f'<li class="menu__item"><a class="menu__link" href="/{s}/">{_icon(s)}<span>{s.title()}'
        '</span></a><div class="menu__drop"><ul class="sub">'
        + "".join(
            f'<li class="sub__item"><a class="sub__link" href="/{s}/{t}/">{_icon(t)}'
            f"<span>{t.title()}</span></a></li>"
            for t in SUBSECTIONS
        )
        + "</ul></div></li>"
        for s in SECTIONS
    )
    return (
        f'<header class="site-header"><a class="logo" href="/">{h(site)}</a>'
        f'<nav class="main-nav"><ul>{menu}</ul></nav><form class="search" action="/search">'
        '<input type="search" name="q" placeholder="Search"></form></header>'
    )


@functools.cache
def _footer(site: str) -> str:
    sections = "".join(
        f'<li><a href="/{s}/">{s.title()}</a><ul>'
        + "".join(f'<li><a href="/{s}/{t}/">{t.title()}</a></li>' for t in SUBSECTIONS)
        + "</ul></li>"
        for s in SECTIONS
    )
    social = "".join(
        f'<a class="social social--{n}" href="https://{n}.com/" rel="noopener">{_icon(n)}</a>'
        for n in ("facebook", "x", "telegram", "youtube", "vk")
    )
    links = "".join(f'<li><a href="/{p}/">{p.title()}</a></li>' for p in FOOTER_PAGES)
    return (
        f'<footer class="site-footer"><div class="social">{social}</div>'
        f'<ul class="sections">{sections}</ul><ul>{links}</ul>'
        f"<p>&copy; 2022 {h(site)}. All rights reserved. Reproduction of materials is allowed "
        "only with a hyperlink.</p></footer>"
    )


@functools.cache
def _head_assets(site: str) -> str:
    """Inline CSS and an application-state script, as news sites ship on every page."""
    css = "".join(
        f".c{i}{{margin:{i % 7}px;padding:{i % 5}px;color:#{i * 40503 % 0xFFFFFF:06x}}}"
        for i in range(120)
    )
    ads = [
        {
            "slot": f"slot-{i}",
            "sizes": [[300, 250], [728, 90]],
            "targeting": {"pos": i, "section": SECTIONS[i % len(SECTIONS)]},
        }
        for i in range(60)
    ]
    state = {
        "site": site,
        "config": {"ads": ads},
        "features": {f"flag_{i}": i % 3 == 0 for i in range(200)},
        "i18n": {f"label_{i}": f"Text of interface label number {i}" for i in range(400)},
    }
    return (
        f"<style>{css}</style><script>window.__STATE__ = {json.dumps(state)};</script>"
        '<script async src="https://www.googletagmanager.com/gtag/js?id=G-XXXX"></script>'
    )


def render_home(pages: list[Page], site: str) -> str:
    latest = sorted(pages, key=lambda p: p.published, reverse=True)[:20]
    items = "".join(f'<li><a href="{h(p.path)}">{h(p.title)}</a></li>' for p in latest)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{h(site)}</title>'
        f'</head><body>{_header(site)}<main><h1>Latest news</h1><ul class="latest">{items}'
        f"</ul></main>{_footer(site)}</body></html>"
    )


def render_sitemaps(pages: list[Page], base: str, news: bool) -> dict[str, str]:
    """``/sitemap.xml`` (an index) and its child url sets; Google News fields when ``news``."""
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    news_ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    files: dict[str, str] = {}
    for start in range(0, len(pages), SITEMAP_SIZE):
        entries = []
        for p in pages[start : start + SITEMAP_SIZE]:
            extra = (
                (
                    f"<news:news><news:publication><news:name>x</news:name><news:language>en"
                    f"</news:language></news:publication><news:publication_date>"
                    f"{p.published.isoformat()}</news:publication_date><news:title>{h(p.title)}"
                    "</news:title></news:news>"
                )
                if news
                else ""
            )
            entries.append(
                f"<url><loc>{base}{p.path.lstrip('/')}</loc>"
                f"<lastmod>{p.published.isoformat()}</lastmod>{extra}</url>"
            )
        files[f"/sitemaps/articles-{start // SITEMAP_SIZE + 1}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><urlset {ns}{news_ns}>{"".join(entries)}'
            "</urlset>"
        )
    index = "".join(f"<sitemap><loc>{base}{path.lstrip('/')}</loc></sitemap>" for path in files)
    files["/sitemap.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {ns}>{index}</sitemapindex>'
    )
    return files


# --- serving --------------------------------------------------------------------------------------


def response(body: bytes, content_type: str, status: str = "200 OK") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nServer: synthweb\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + body


NOT_FOUND = response(
    b"<html><body><h1>Not found</h1></body></html>", "text/html; charset=utf-8", "404 Not Found"
)


def build_site(host: int, base: str, pages: list[Page]) -> dict[bytes, tuple[bytes, bool]]:
    """Path -> (whole HTTP response, is an article) for one host."""
    site = SITE_NAMES[host % len(SITE_NAMES)]
    html = "text/html; charset=utf-8"
    routes: dict[bytes, tuple[bytes, bool]] = {}
    for i, page in enumerate(pages):
        neighbours = [pages[(i + k) % len(pages)] for k in NEIGHBOURS if len(pages) > k]
        text = render_article(page, base, site, neighbours)
        routes[page.path.encode()] = (response(text.encode(), html), True)
    robots = f"User-agent: *\nDisallow: /search\nDisallow: /private/\nSitemap: {base}sitemap.xml\n"
    routes[b"/robots.txt"] = (response(robots.encode(), "text/plain; charset=utf-8"), False)
    routes[b"/"] = (response(render_home(pages, site).encode(), html), False)
    for path, xml in render_sitemaps(pages, base, news=host == 3).items():
        routes[path.encode()] = (response(xml.encode(), "application/xml; charset=utf-8"), False)
    return routes


async def _serve_connection(
    host: int,
    routes: dict[bytes, tuple[bytes, bool]],
    counter: HitCounter,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            target = head.split(b" ", 2)[1].split(b"?", 1)[0]
            found = routes.get(target)
            if found is not None:
                writer.write(found[0])
                if found[1]:
                    counter.article(host, target)
                else:
                    counter.other += 1
            elif target == STATS_PATH:
                writer.write(response(counter.as_json(), "application/json"))
            elif target == RESET_PATH:
                counter.reset()
                writer.write(response(b"{}", "application/json"))
            else:
                counter.other += 1
                writer.write(routes[b"/"][0] if target.endswith(b"/") else NOT_FOUND)
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, IndexError):
        pass
    finally:
        writer.close()


def bind_same_port(hosts: tuple[str, ...], tries: int = 20) -> list[socket.socket]:
    """Listening sockets on every host, all on one free port number."""
    for _ in range(tries):
        sockets: list[socket.socket] = []
        try:
            for host in hosts:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sockets.append(sock)
                sock.bind((host, sockets[0].getsockname()[1] if len(sockets) > 1 else 0))
                sock.listen(1024)
            return sockets
        except OSError:
            for sock in sockets:
                sock.close()
    raise OSError(f"no free port common to {', '.join(hosts)}")


async def serve(count: int, hosts: tuple[str, ...], announce: Callable[[dict], None]) -> None:
    """Render the web, start one server per host, announce it and serve until cancelled."""
    sockets = bind_same_port(hosts)
    port = sockets[0].getsockname()[1]
    bases = [f"http://{host}:{port}/" for host in hosts]
    pages = make_pages(count, len(hosts))
    counter = HitCounter()
    servers = []
    for number, (sock, base) in enumerate(zip(sockets, bases, strict=True)):
        routes = build_site(number, base, [p for p in pages if p.host == number])

        async def handle(
            reader: asyncio.StreamReader,
            writer: asyncio.StreamWriter,
            number: int = number,
            routes: dict = routes,
        ) -> None:
            await _serve_connection(number, routes, counter, reader, writer)

        servers.append(await asyncio.start_server(handle, sock=sock, backlog=1024))
    announce(
        {
            "port": port,
            "bases": bases,
            "sitemaps": [f"{base}sitemap.xml" for base in bases],
            "articles": len(pages),
            "related": sum(p.related for p in pages),
            "words": sum(len(" ".join(p.paragraphs).split()) for p in pages) // max(len(pages), 1),
        }
    )
    await asyncio.gather(*(server.serve_forever() for server in servers))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="number of article pages")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")

    def announce(info: dict) -> None:
        print(json.dumps(info), flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.articles, HOSTS, announce))


if __name__ == "__main__":
    main()
