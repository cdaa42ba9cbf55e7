"""Northwind Telegraph Agency (NORTA): a wire agency modelled on TASS.

``/<section>/<id>`` articles with JSON-LD and OpenGraph, RSS 2.0, a sitemap index (gzip + Google
News), ``/<section>?page=N`` listings, ``/search?searchStr=`` and a ``/premium/`` path barred by
robots.txt.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from crawler.newsweb import feeds
from crawler.newsweb.content import Article
from crawler.newsweb.markup import (
    breadcrumbs_ld,
    cookie_notice,
    h,
    json_ld,
    newsletter,
    open_graph,
    pager,
    share_bar,
)
from crawler.newsweb.site import Handler, Query, Response, Site, slugify

SECTION_TITLES = {
    "politics": "Politics & Diplomacy",
    "world": "World",
    "economy": "Business & Economy",
    "society": "Society & Culture",
    "sport": "Sports",
    "science": "Science & Space",
    "premium": "Premium",
}


class Northwind(Site):
    key = "northwind"
    name = "Northwind Telegraph Agency"
    short = "NORTA"
    disallow = ("/premium/",)
    robots_sitemap = True
    page_size = 5

    def article_path(self, article: Article) -> str:
        return f"/{article.section}/{article.id}"

    def routes(self) -> list[tuple[str, Handler]]:
        return [
            (r"/", self.home),
            (r"/tag/([a-z0-9-]+)", self.tag_page),
            (r"/search", self.search_page),
            (r"/rss/v2\.xml", self.rss),
            (r"/sitemap\.xml", self.sitemap_index),
            (r"/sitemap/sitemap_articles\.xml\.gz", self.sitemap_gz),
            (r"/sitemap/sitemap_news\.xml", self.news_sitemap),
            (r"/([a-z]+)", self.section_page),
        ]

    def feeds(self) -> list[str]:
        return ["/rss/v2.xml"]

    def sitemaps(self) -> list[str]:
        return ["/sitemap.xml"]

    def search_path(self) -> str:
        return "/search?searchStr={query}&sort=date"

    def listings(self) -> list[str]:
        return ["/politics", "/world"]

    # -- handlers ----------------------------------------------------------------------------

    def home(self, _m: re.Match[str], _q: Query) -> Response:
        top = self.articles[0]
        main = (
            '<section class="top-news"><div class="top-news__main">'
            f'<a href="{h(self.article_path(top))}"><h2>{h(top.title)}</h2></a>'
            f"<p>{h(top.lead)}</p></div></section>" + self._list("Latest news", self.articles[1:10])
        )
        return self.html(self.layout(f"{self.name} - news from Russia and the world", main))

    def section_page(self, m: re.Match[str], q: Query) -> Response | None:
        section = m.group(1)
        items = self.in_section(section)
        if section not in SECTION_TITLES or not items:
            return None
        return self._paged(SECTION_TITLES[section], items, f"/{section}", q)

    def tag_page(self, m: re.Match[str], q: Query) -> Response | None:
        name, items = self.tagged(m.group(1))
        return self._paged(f"Tag: {name}", items, f"/tag/{m.group(1)}", q) if items else None

    def search_page(self, _m: re.Match[str], q: Query) -> Response | None:
        query = q.get("searchStr", "")
        found = self.search(query)
        if not found:
            main = f'<h1>Search</h1><p class="search-empty">Nothing found for «{h(query)}».</p>'
            return self.html(self.layout("Search", main))
        base = "/search?" + urlencode({"searchStr": query, "sort": "date"})
        return self._paged(f"Search results: {query}", found, base, q)

    def rss(self, _m: re.Match[str], _q: Query) -> Response:
        body = feeds.rss(
            self.name,
            self.url("/"),
            "Latest news from NORTA",
            "en",
            [self._entry(a) for a in self._public()[:30]],
        )
        return Response(200, "application/rss+xml; charset=utf-8", body)

    def sitemap_index(self, _m: re.Match[str], _q: Query) -> Response:
        body = feeds.sitemap_index(
            [self.url("/sitemap/sitemap_articles.xml.gz"), self.url("/sitemap/sitemap_news.xml")]
        )
        return Response(200, "application/xml", body)

    def sitemap_gz(self, _m: re.Match[str], _q: Query) -> Response:
        body = feeds.gzipped(feeds.urlset(self._entry(a) for a in self._public()))
        return Response(200, "application/gzip", body)

    def news_sitemap(self, _m: re.Match[str], _q: Query) -> Response:
        body = feeds.news_urlset((self._entry(a) for a in self._public()), self.short, "en")
        return Response(200, "application/xml", body)

    # -- templates ---------------------------------------------------------------------------

    def _public(self) -> list[Article]:
        return [a for a in self.articles if a.section != "premium"]

    def _entry(self, a: Article) -> feeds.Entry:
        return feeds.Entry(self.article_url(a), a.title, a.published, a.lead, a.tags, a.author)

    def teaser(self, article: Article) -> str:
        return (
            '<li class="news-list__item"><a class="news-list__link" '
            f'href="{h(self.article_path(article))}">'
            f'<span class="news-list__title">{h(article.title)}</span></a>'
            f'<span class="news-list__date">{article.published:%d %b, %H:%M}</span></li>'
        )

    def _list(self, title: str, items: list[Article]) -> str:
        rows = "".join(self.teaser(a) for a in items)
        return f'<section class="news-list"><h2>{h(title)}</h2><ul>{rows}</ul></section>'

    def _paged(self, title: str, items: list[Article], base: str, q: Query) -> Response | None:
        paged = self.page_of(items, self.page_number(q))
        if paged is None:
            return None
        chunk, pages = paged
        sep = "&" if "?" in base else "?"
        links = [(n, base if n == 1 else f"{base}{sep}page={n}") for n in range(1, pages + 1)]
        main = (
            f"<h1>{h(title)}</h1>"
            + self._list("", chunk)
            + pager(links, self.page_number(q), "news-list__pagination")
        )
        return self.html(self.layout(title, main))

    def layout(self, title: str, main: str, head: str = "") -> str:
        nav = "".join(
            f'<li><a href="/{k}">{h(v)}</a></li>'
            for k, v in SECTION_TITLES.items()
            if k != "premium"
        )
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{h(title)}</title>"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<link rel="alternate" type="application/rss+xml" title="NORTA" href="/rss/v2.xml">'
            f"{head}"
            '</head><body><header class="header"><a class="header__logo" href="/">NORTA</a>'
            f'<nav class="header__menu"><ul>{nav}</ul></nav>'
            '<form class="header__search" action="/search"><input name="searchStr" '
            'placeholder="Search"><input type="hidden" name="sort" value="date"></form>'
            '<div class="header__lang"><a href="/">English</a> <a href="/ru/">Русский</a></div>'
            f'</header><main class="container">{main}</main>'
            f"{newsletter(self.name)}"
            '<footer class="footer"><nav><a href="/about">About NORTA</a> '
            '<a href="/contacts">Contacts</a> <a href="/terms">Terms of use</a></nav>'
            "<p>© 1999-2022 Northwind Telegraph Agency. Mass media registration certificate "
            "No. 77-12345. When using materials of the site, a hyperlink to NORTA is required.</p>"
            f"</footer>{cookie_notice(self.name)}</body></html>"
        )

    def article_page(self, article: Article) -> str:
        url = self.article_url(article)
        image = self.url(f"/img/{article.id}.jpg")
        head = (
            f'<meta name="description" content="{h(article.lead)}">'
            f'<link rel="canonical" href="{h(url)}">'
            + open_graph(article, url, self.name, f"{article.title} - {self.short}", image)
            + breadcrumbs_ld(
                [
                    (self.name, self.url("/")),
                    (SECTION_TITLES[article.section], self.url(f"/{article.section}")),
                ]
            )
            + json_ld(article, url, self.name, image)
        )
        first, *rest = article.paragraphs
        month = f"{article.published:%B} {article.published.day}"
        dateline = f"{article.place.upper()}, {month}. /{self.short}/. " if article.place else ""
        body = f"<p>{h(dateline)}{h(first)}</p>" + "".join(f"<p>{h(p)}</p>" for p in rest)
        tags = "".join(
            f'<a class="tags__item" href="/tag/{slugify(t)}">{h(t)}</a>' for t in article.tags
        )
        related = "".join(
            f'<li><a href="{h(self.tracked(link, "norta", "related"))}">{h(a.title)}</a></li>'
            for a, link in self.related_of(article)
        )
        box = (
            f'<div class="related-news"><h3>Read also</h3><ul>{related}</ul></div>'
            if related
            else ""
        )
        main = (
            '<article class="news"><div class="news-header">'
            f'<div class="news-header__section"><a href="/{article.section}">'
            f"{h(SECTION_TITLES[article.section])}</a></div>"
            f'<div class="news-header__date">{article.published:%d %b %Y, %H:%M}</div>'
            f'<h1 class="news-header__title">{h(article.title)}</h1>'
            f'<div class="news-header__lead">{h(article.lead)}</div></div>'
            f'<figure class="news-media"><img src="/img/{article.id}.jpg" alt="">'
            f"<figcaption>{h(article.photo or 'Archive photo')} © NORTA</figcaption></figure>"
            f'<div class="text-content"><div class="text-block">{body}</div></div>'
            f'<div class="tags">{tags}</div>{share_bar(url, article.title)}{box}</article>'
            + self._list("Most read", [a for a in self._public() if a is not article][:5])
        )
        section = SECTION_TITLES[article.section]
        return self.layout(f"{article.title} - {section} - {self.short}", main, head)
