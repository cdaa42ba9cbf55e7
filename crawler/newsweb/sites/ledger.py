"""The Caspian Ledger: an analysis outlet modelled on Eurasianet.

``/<slug>`` articles (no date in the URL) with JSON-LD and OpenGraph, RSS 2.0 at ``/rss``,
``/region/<name>?page=N`` and ``/tag/<name>`` listings, ``/search?q=`` with paged results, and
home-page links carrying tracking parameters and ``#comments`` fragments.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from crawler.newsweb import feeds
from crawler.newsweb.content import Article
from crawler.newsweb.markup import cookie_notice, h, json_ld, newsletter, open_graph, share_bar
from crawler.newsweb.site import Handler, Query, Response, Site, slugify

REGIONS = {
    "kazakhstan": "Kazakhstan",
    "russia": "Russia",
    "caucasus": "Caucasus",
    "central-asia": "Central Asia",
    "ukraine": "Ukraine",
    "culture": "Culture",
}


class Ledger(Site):
    key = "ledger"
    name = "The Caspian Ledger"
    page_size = 4

    def article_path(self, article: Article) -> str:
        return f"/{article.slug}"

    def routes(self) -> list[tuple[str, Handler]]:
        return [
            (r"/", self.home),
            (r"/rss", self.rss),
            (r"/search", self.search_page),
            (r"/region/([a-z-]+)", self.region_page),
            (r"/tag/([a-z0-9-]+)", self.tag_page),
        ]

    def feeds(self) -> list[str]:
        return ["/rss"]

    def search_path(self) -> str:
        return "/search?q={query}"

    # -- handlers ----------------------------------------------------------------------------

    def home(self, _m: re.Match[str], _q: Query) -> Response:
        cards = "".join(
            self.teaser(a, self.tracked(self.article_path(a), "homepage", "web", "comments"))
            for a in self.articles[:9]
        )
        regions = "".join(f'<a href="/region/{k}">{v}</a>' for k, v in REGIONS.items())
        main = f'<div class="regions">{regions}</div><div class="cards">{cards}</div>'
        return self.html(self.layout("The Caspian Ledger", main))

    def rss(self, _m: re.Match[str], _q: Query) -> Response:
        entries = [
            feeds.Entry(
                self.tracked(self.article_url(a), "rss", "feed"),
                a.title,
                a.published,
                a.lead,
                a.tags,
            )
            for a in self.articles[:25]
        ]
        body = feeds.rss(self.name, self.url("/"), "Independent news and analysis", "en", entries)
        return Response(200, "application/rss+xml; charset=utf-8", body)

    def region_page(self, m: re.Match[str], q: Query) -> Response | None:
        region = m.group(1)
        items = self.in_section(region)
        if region not in REGIONS or not items:
            return None
        return self.listing(
            REGIONS[region],
            items,
            self.page_number(q),
            lambda n: f"/region/{region}" + (f"?page={n}" if n > 1 else ""),
        )

    def tag_page(self, m: re.Match[str], q: Query) -> Response | None:
        name, items = self.tagged(m.group(1))
        base = f"/tag/{m.group(1)}"
        if not items:
            return None
        return self.listing(
            name, items, self.page_number(q), lambda n: base + (f"?page={n}" if n > 1 else "")
        )

    def search_page(self, _m: re.Match[str], q: Query) -> Response | None:
        query = q.get("q", "")
        found = self.search(query)
        if not found:
            main = f'<h1>Search</h1><p class="no-results">No results for "{h(query)}".</p>'
            return self.html(self.layout("Search", main))
        return self.listing(
            f"{len(found)} results for: {query}",
            found,
            self.page_number(q),
            lambda n: "/search?" + urlencode({"q": query, "page": n}),
        )

    # -- templates ---------------------------------------------------------------------------

    def teaser(self, article: Article, href: str = "") -> str:
        return (
            '<div class="card"><a class="card__link" '
            f'href="{h(href or self.article_path(article))}">'
            f'<h2 class="card__title">{h(article.title)}</h2></a>'
            f'<p class="card__dek">{h(article.lead)}</p>'
            f'<span class="card__byline">{h(article.author)}</span></div>'
        )

    def layout(self, title: str, main: str, head: str = "") -> str:
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{h(title)}</title>"
            '<link rel="alternate" type="application/rss+xml" href="/rss">'
            f'{head}</head><body><div class="site-header"><a class="brand" href="/">'
            'The Caspian Ledger</a><ul class="menu"><li><a href="/region/kazakhstan">Kazakhstan'
            '</a></li><li><a href="/region/russia">Russia</a></li><li><a href="/region/caucasus">'
            'Caucasus</a></li><li><a href="/about">About</a></li><li><a href="/donate">Donate'
            '</a></li></ul><form action="/search"><input name="q" placeholder="Search"></form>'
            f'</div><div class="main">{main}</div>'
            '<div class="donate-banner">Independent journalism needs your support. '
            '<a href="/donate">Donate today</a></div>'
            f"{newsletter(self.name)}"
            '<div class="site-footer"><p>The Caspian Ledger is an independent news organization '
            "covering Central Asia, the Caucasus and Russia.</p><p>© 2022 The Caspian Ledger</p>"
            f"</div>{cookie_notice(self.name)}</body></html>"
        )

    def article_page(self, article: Article) -> str:
        url = self.article_url(article)
        image = self.url(f"/files/styles/article/{article.slug}.jpg")
        head = (
            f'<link rel="canonical" href="{h(url)}">'
            '<meta name="twitter:card" content="summary_large_image">'
            + open_graph(article, url, self.name, article.title, image)
            + json_ld(article, url, self.name, image)
        )
        body = "".join(f"<p>{h(p)}</p>" for p in article.paragraphs)
        tags = "".join(f'<li><a href="/tag/{slugify(t)}">{h(t)}</a></li>' for t in article.tags)
        related = "".join(self.teaser(a, link) for a, link in self.related_of(article))
        main = (
            '<article class="node"><div class="node__header">'
            f'<h1 class="node__title">{h(article.title)}</h1>'
            f'<p class="node__dek">{h(article.lead)}</p>'
            f'<p class="node__byline">{h(article.author)}</p></div>'
            f'<figure><img src="/files/styles/article/{article.slug}.jpg" alt="">'
            f"<figcaption>{h(article.photo or 'Photo: The Caspian Ledger')}</figcaption></figure>"
            f'<div class="node__body">{body}</div><ul class="node__tags">{tags}</ul>'
            + share_bar(url, article.title)
            + (f'<section class="related"><h3>Related</h3>{related}</section>' if related else "")
            + '<div id="comments" class="comments"><h3>Comments</h3><p>Comments are closed.</p>'
            "</div></article>"
        )
        return self.layout(f"{article.title} | The Caspian Ledger", main, head)
