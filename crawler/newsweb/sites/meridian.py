"""Meridian Wire: an international wire service modelled on Reuters and AP.

Reachable for a crawler only through its sitemaps: a sitemap index pointing at monthly gzip
sitemaps and a Google News sitemap. ``/world/<section>/<slug>-YYYY-MM-DD/`` articles carry
JSON-LD; paragraphs are ``<p data-testid="paragraph-N">``.
"""

from __future__ import annotations

import re
from itertools import groupby

from crawler.newsweb import feeds
from crawler.newsweb.content import Article
from crawler.newsweb.markup import cookie_notice, h, json_ld, open_graph, share_bar
from crawler.newsweb.site import Handler, Query, Response, Site

SECTIONS = {
    "asia-pacific": "Asia Pacific",
    "europe": "Europe",
    "us": "United States",
    "business": "Business",
    "sports": "Sports",
    "science": "Science",
}


class Meridian(Site):
    key = "meridian"
    name = "Meridian Wire"

    def article_path(self, article: Article) -> str:
        return f"/world/{article.section}/{article.slug}-{article.published:%Y-%m-%d}/"

    def routes(self) -> list[tuple[str, Handler]]:
        return [
            (r"/", self.home),
            (r"/sitemap-index\.xml", self.sitemap_index),
            (r"/sitemaps/(\d{4}-\d{2})\.xml\.gz", self.month_sitemap),
            (r"/news-sitemap\.xml", self.news_sitemap),
        ]

    def sitemaps(self) -> list[str]:
        return ["/sitemap-index.xml"]

    def _months(self) -> dict[str, list[Article]]:
        return {m: list(g) for m, g in groupby(self.articles, lambda a: f"{a.published:%Y-%m}")}

    def _entry(self, a: Article) -> feeds.Entry:
        return feeds.Entry(self.article_url(a), a.title, a.published, a.lead, a.tags, a.author)

    # -- handlers ----------------------------------------------------------------------------

    def home(self, _m: re.Match[str], _q: Query) -> Response:
        main = (
            '<section data-testid="home-feed">'
            + "".join(self.teaser(a) for a in self.articles[:5])
            + "</section>"
        )
        return self.html(self.layout("Meridian Wire | Breaking international news", main))

    def sitemap_index(self, _m: re.Match[str], _q: Query) -> Response:
        locations = [self.url(f"/sitemaps/{m}.xml.gz") for m in self._months()]
        body = feeds.sitemap_index([*locations, self.url("/news-sitemap.xml")])
        return Response(200, "application/xml; charset=utf-8", body)

    def month_sitemap(self, m: re.Match[str], _q: Query) -> Response | None:
        items = self._months().get(m.group(1))
        if not items:
            return None
        body = feeds.gzipped(feeds.urlset(self._entry(a) for a in items))
        return Response(200, "application/x-gzip", body)

    def news_sitemap(self, _m: re.Match[str], _q: Query) -> Response:
        body = feeds.news_urlset((self._entry(a) for a in self.articles), self.name, "en")
        return Response(200, "application/xml; charset=utf-8", body)

    # -- templates ---------------------------------------------------------------------------

    def teaser(self, article: Article) -> str:
        return (
            f'<div data-testid="MediaStoryCard"><a href="{h(self.article_path(article))}">'
            f'<span data-testid="Heading">{h(article.title)}</span></a>'
            f'<time datetime="{article.published.isoformat()}">{article.published:%B %d, %Y}'
            "</time></div>"
        )

    def layout(self, title: str, main: str, head: str = "") -> str:
        nav = "".join(f"<li><span>{v}</span></li>" for v in SECTIONS.values())
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<title>{h(title)}</title>{head}</head><body><header class="site-header">'
            f'<a href="/" class="logo">MERIDIAN</a><nav><ul>{nav}</ul></nav>'
            '<a class="subscribe" href="/account/register">Register</a></header>'
            f'<main id="main-content">{main}</main>'
            '<footer class="site-footer"><p>All quotes delayed a minimum of 15 minutes.</p>'
            "<p>© 2022 Meridian Wire. All rights reserved.</p></footer>"
            f"{cookie_notice(self.name)}</body></html>"
        )

    def article_page(self, article: Article) -> str:
        url = self.article_url(article)
        head = (
            f'<link rel="canonical" href="{h(url)}">'
            + open_graph(article, url, self.name, article.title)
            + json_ld(article, url, self.name)
        )
        body = "".join(
            f'<p data-testid="paragraph-{i}">{h(p)}</p>' for i, p in enumerate(article.paragraphs)
        )
        more = "".join(
            f'<li><a href="{h(link)}">{h(a.title)}</a></li>' for a, link in self.related_of(article)
        )
        main = (
            '<article><header class="article-header">'
            f'<h1 data-testid="Heading">{h(article.title)}</h1>'
            f'<div class="byline">By <a rel="author">{h(article.author)}</a></div></header>'
            f'<div class="article-body">{body}'
            '<p class="sign-off">Reporting by Meridian Wire correspondents; Editing by the '
            "international desk</p></div>"
            '<div class="trust">Our Standards: The Meridian Trust Principles.</div>'
            + share_bar(url, article.title)
            + (f'<div class="read-next"><h2>Read Next</h2><ul>{more}</ul></div>' if more else "")
            + "</article>"
        )
        return self.layout(f"{article.title} | Meridian Wire", main, head)
