"""Steppe Inform: a Kazakh state agency modelled on Kazinform, served in windows-1251.

``/en/<slug>_a<7 digits>`` articles with no structured metadata: the author, then the date as
visible text ("10 January 2022, 10:10"), and a "NUR-SULTAN. STEPPEINFORM -" dateline. RSS 2.0
at ``/en/rss`` (also windows-1251) and ``/en/<section>?page=N`` listings.
"""

from __future__ import annotations

import re

from crawler.newsweb import feeds
from crawler.newsweb.content import Article
from crawler.newsweb.markup import cookie_notice, h, share_bar
from crawler.newsweb.site import Handler, Query, Response, Site, slugify

SECTIONS = {
    "politics": "Politics",
    "society": "Society",
    "economy": "Economy",
    "incidents": "Incidents",
    "sport": "Sport",
    "culture": "Culture",
}


class Steppe(Site):
    key = "steppe"
    name = "Steppe Inform"
    encoding = "windows-1251"
    page_size = 5
    disallow = ("/admin/", "/en/amp/")

    def article_path(self, article: Article) -> str:
        return f"/en/{article.slug}_a{int(article.id):07d}"

    def routes(self) -> list[tuple[str, Handler]]:
        return [
            (r"/(?:en/?)?", self.home),
            (r"/en/rss", self.rss),
            (r"/en/tag/([a-z0-9-]+)", self.tag_page),
            (r"/en/([a-z]+)", self.section_page),
        ]

    def feeds(self) -> list[str]:
        return ["/en/rss"]

    def listings(self) -> list[str]:
        return ["/en/politics", "/en/society"]

    # -- handlers ----------------------------------------------------------------------------

    def home(self, _m: re.Match[str], _q: Query) -> Response:
        main = (
            '<div class="lenta"><h2 class="lenta__title">News feed</h2>'
            + "".join(self.teaser(a) for a in self.articles[:10])
            + "</div>"
        )
        return self.html(self.layout("Steppe Inform - Kazakhstan news agency", main))

    def rss(self, _m: re.Match[str], _q: Query) -> Response:
        entries = [
            feeds.Entry(self.article_url(a), a.title, a.published, a.lead, a.tags)
            for a in self.articles[:20]
        ]
        body = feeds.rss(
            self.name,
            self.url("/en/"),
            "Steppe Inform: news of Kazakhstan",
            "en",
            entries,
            encoding=self.encoding,
        )
        return Response(200, f"application/rss+xml; charset={self.encoding}", body)

    def section_page(self, m: re.Match[str], q: Query) -> Response | None:
        section = m.group(1)
        items = self.in_section(section)
        if section not in SECTIONS or not items:
            return None
        return self.listing(
            SECTIONS[section],
            items,
            self.page_number(q),
            lambda n: f"/en/{section}" + (f"?page={n}" if n > 1 else ""),
        )

    def tag_page(self, m: re.Match[str], q: Query) -> Response | None:
        name, items = self.tagged(m.group(1))
        base = f"/en/tag/{m.group(1)}"
        if not items:
            return None
        return self.listing(
            f"#{name}", items, self.page_number(q), lambda n: base + (f"?page={n}" if n > 1 else "")
        )

    # -- templates ---------------------------------------------------------------------------

    @staticmethod
    def when(article: Article) -> str:
        """The visible date, e.g. "10 January 2022, 10:10"."""
        p = article.published
        return f"{p.day} {p:%B %Y, %H:%M}"

    def teaser(self, article: Article) -> str:
        return (
            f'<div class="lenta__item"><span class="lenta__time">{self.when(article)}</span>'
            f'<a class="lenta__link" href="{h(self.article_path(article))}">{h(article.title)}</a>'
            "</div>"
        )

    def layout(self, title: str, main: str, head: str = "") -> str:
        menu = "".join(f'<a href="/en/{k}">{v}</a>' for k, v in SECTIONS.items())
        return (
            '<!DOCTYPE html><html lang="en"><head>'
            f'<meta http-equiv="Content-Type" content="text/html; charset={self.encoding}">'
            f"<title>{h(title)}</title>{head}</head><body>"
            '<div class="top-line"><div class="lang-switch"><a href="/kz/">Қазақша</a>'
            '<a href="/ru/">Русский</a><a class="active" href="/en/">English</a></div>'
            '<div class="currency">USD 435.13 · EUR 492.35 · RUB 5.79</div></div>'
            '<header><a class="logo" href="/en/">STEPPE INFORM<small>International News '
            f'Agency</small></a><nav class="main-menu">{menu}</nav></header>'
            f'<div class="content">{main}</div>'
            '<aside class="sidebar"><h4>Главное</h4><ul><li>Новости Казахстана</li>'
            "<li>Курсы валют</li><li>Погода в Нур-Султане</li></ul></aside>"
            "<footer><p>© 1997–2022 Steppe Inform. All rights reserved. Any use of materials "
            "is allowed only with a hyperlink to the agency.</p><p>Адрес редакции: "
            "г. Нур-Султан, ул. Бейбитшилик, 4</p></footer>"
            f"{cookie_notice(self.name)}</body></html>"
        )

    def article_page(self, article: Article) -> str:
        url = self.article_url(article)
        first, *rest = article.paragraphs
        dateline = f"{article.place.upper()}. STEPPEINFORM - " if article.place else ""
        body = f"<p>{h(dateline)}{h(first)}</p>" + "".join(f"<p>{h(p)}</p>" for p in rest)
        tags = " ".join(f'<a href="/en/tag/{slugify(t)}">#{h(t)}</a>' for t in article.tags)
        more = "".join(
            f'<li><a href="{h(link)}">{h(a.title)}</a></li>' for a, link in self.related_of(article)
        )
        main = (
            '<div class="article"><h1 class="article__title">'
            f"{h(article.title)}</h1>"
            f'<div class="article__meta"><span class="article__author">{h(article.author)}</span>'
            f'<span class="article__date">{self.when(article)}</span></div>'
            f'<div class="article__body">{body}</div>'
            f'<div class="article__tags">{tags}</div>'
            + share_bar(url, article.title, "article__share")
            + (
                f'<div class="also"><div class="also__title">Also read</div><ul>{more}</ul></div>'
                if more
                else ""
            )
            + '<div class="feed-sub">Follow Steppe Inform on <a href="https://t.me.invalid/steppeinform">'
            "Telegram</a></div></div>"
        )
        return self.layout(f"{article.title} - Steppe Inform", main)
