"""The Citadel, official website of the President: modelled on the Kremlin's site.

No JSON-LD or OpenGraph: the date is only in ``time.read__published[datetime]``. Atom feeds with
``/feed/page/N`` paging, ``/events/president/news/page/N`` listings and ``/search?query=``.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from crawler.newsweb import feeds
from crawler.newsweb.content import Article
from crawler.newsweb.markup import h, share_bar
from crawler.newsweb.site import Handler, Query, Response, Site, slugify

FEED_SIZE = 8
SECTIONS = {"news": "News", "transcripts": "Transcripts", "letters": "Messages and letters"}


class Citadel(Site):
    key = "citadel"
    name = "The Citadel - Official Website of the President"
    page_size = 5
    disallow = ("/print/", "/acts/bank/")

    def article_path(self, article: Article) -> str:
        return f"/events/president/{article.section}/{article.id}"

    def routes(self) -> list[tuple[str, Handler]]:
        return [
            (r"/", self.home),
            (r"/events/all/feed(?:/page/(\d+))?", self.feed_all),
            (r"/events/president/([a-z]+)/feed(?:/page/(\d+))?", self.feed_section),
            (r"/events/president/([a-z]+)(?:/page/(\d+))?", self.section_page),
            (r"/catalog/keywords/([a-z0-9-]+)/events(?:/page/(\d+))?", self.keyword_page),
            (r"/search", self.search_page),
        ]

    def feeds(self) -> list[str]:
        return ["/events/all/feed"]

    def search_path(self) -> str:
        return "/search?query={query}"

    def listings(self) -> list[str]:
        return ["/events/president/news"]

    # -- handlers ----------------------------------------------------------------------------

    def home(self, _m: re.Match[str], _q: Query) -> Response:
        main = (
            '<section class="hot"><h2>Events</h2>'
            + "".join(self.teaser(a) for a in self.articles[:8])
            + "</section>"
        )
        return self.html(self.layout("The Citadel", main))

    def _feed(self, items: list[Article], path: str, page: str | None) -> Response | None:
        number = int(page or 1)
        start = (number - 1) * FEED_SIZE
        chunk = items[start : start + FEED_SIZE]
        if not chunk or number < 1:
            return None
        more = start + FEED_SIZE < len(items)
        entries = [
            feeds.Entry(self.article_url(a), a.title, a.published, a.lead, a.tags) for a in chunk
        ]
        self_url = self.url(path if number == 1 else f"{path}/page/{number}")
        next_url = self.url(f"{path}/page/{number + 1}") if more else None
        body = feeds.atom(f"{self.name}: events", self_url, self.url("/"), entries, next_url)
        return Response(200, "application/atom+xml; charset=utf-8", body)

    def feed_all(self, m: re.Match[str], _q: Query) -> Response | None:
        return self._feed(self.articles, "/events/all/feed", m.group(1))

    def feed_section(self, m: re.Match[str], _q: Query) -> Response | None:
        section = m.group(1)
        return self._feed(self.in_section(section), f"/events/president/{section}/feed", m.group(2))

    def section_page(self, m: re.Match[str], _q: Query) -> Response | None:
        section = m.group(1)
        items = self.in_section(section)
        if section not in SECTIONS or not items:
            return None
        base = f"/events/president/{section}"
        return self.listing(
            SECTIONS[section],
            items,
            int(m.group(2) or 1),
            lambda n: base if n == 1 else f"{base}/page/{n}",
        )

    def keyword_page(self, m: re.Match[str], _q: Query) -> Response | None:
        name, items = self.tagged(m.group(1))
        base = f"/catalog/keywords/{m.group(1)}/events"
        if not items:
            return None
        return self.listing(
            name, items, int(m.group(2) or 1), lambda n: base if n == 1 else f"{base}/page/{n}"
        )

    def search_page(self, _m: re.Match[str], q: Query) -> Response | None:
        query = q.get("query", "")
        found = self.search(query)
        if not found:
            main = (
                f'<h1 class="search__title">Search</h1><p class="search__empty">'
                f"Your search for “{h(query)}” did not match any documents.</p>"
            )
            return self.html(self.layout("Search", main))
        return self.listing(
            f"Search results: {query}",
            found,
            self.page_number(q),
            lambda n: "/search?" + urlencode({"query": query, "page": n}),
        )

    # -- templates ---------------------------------------------------------------------------

    def teaser(self, article: Article) -> str:
        return (
            '<div class="hentry"><h3 class="hentry__title">'
            f'<a href="{h(self.article_path(article))}">{h(article.title)}</a></h3>'
            f'<time class="hentry__meta" datetime="{article.published:%Y-%m-%d}">'
            f"{article.published:%B} {article.published.day}, {article.published:%Y}, "
            f"{article.published:%H:%M}</time>"
            f'<p class="hentry__lead">{h(article.lead)}</p></div>'
        )

    def layout(self, title: str, main: str, head: str = "") -> str:
        menu = "".join(
            f'<li><a href="/events/president/{k}">{v}</a></li>' for k, v in SECTIONS.items()
        )
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{h(title)} • The Citadel</title>"
            '<link rel="alternate" type="application/atom+xml" href="/events/all/feed">'
            f'{head}</head><body class="page"><div class="gov-header">'
            '<a class="logo" href="/">The Citadel<span>Official website of the President</span></a>'
            f'<ul class="nav">{menu}<li><a href="/structure">Administration</a></li>'
            '<li><a href="/acts/bank/">Documents</a></li></ul>'
            '<form class="search" action="/search"><input name="query" placeholder="Search">'
            f'</form></div><div class="wrapper">{main}</div>'
            '<div class="footer"><p>All content on this site is licensed under Creative Commons '
            'Attribution 4.0 International.</p><ul class="footer__links"><li><a href="/about">'
            'About the website</a></li><li><a href="/contacts">Contacts</a></li><li>'
            '<a href="/events/all/feed">Subscribe</a></li></ul></div>'
            '<div class="cookie-banner">The website uses cookies. <a href="/privacy">'
            "Privacy policy</a></div></body></html>"
        )

    def article_page(self, article: Article) -> str:
        url = self.article_url(article)
        body = "".join(f"<p>{h(p)}</p>" for p in article.paragraphs)
        keywords = ", ".join(
            f'<a href="/catalog/keywords/{slugify(t)}/events">{h(t)}</a>' for t in article.tags
        )
        see_also = "".join(
            f'<li><a href="{h(link)}">{h(a.title)}</a></li>' for a, link in self.related_of(article)
        )
        when = article.published
        main = (
            '<div class="read"><div class="read__top">'
            f'<h1 class="entry-title p-name">{h(article.title)}</h1>'
            f'<time class="read__published" datetime="{when:%Y-%m-%d}">'
            f"{when:%B} {when.day}, {when:%Y}</time>"
            f'<div class="read__time">{when:%H:%M}</div>'
            f'<div class="read__place p-location">{h(article.place)}</div></div>'
            f'<div class="read__lead entry-summary p-summary">{h(article.lead)}</div>'
            f'<div class="read__internal_content">{body}</div>'
            f'<div class="read__bottommeta"><p>Keywords: {keywords}</p>'
            f"<p>Publication date: {when:%B} {when.day}, {when:%Y}, {when:%H:%M}</p>"
            f'<p>Text version: <a href="/print{self.article_path(article)}">print</a></p>'
            f'<p>Direct link: <a href="{h(url)}">{h(url)}</a></p></div>'
            + (
                f'<div class="read__see_also"><h3>See also</h3><ul>{see_also}</ul></div>'
                if see_also
                else ""
            )
            + share_bar(url, article.title, "read__share")
            + "</div>"
        )
        return self.layout(article.title, main)
