"""Eurasia - Islamic World: a Bitrix republisher modelled on russia-islworld.ru.

No feed and no sitemap: only ``/en/main/?PAGEN_1=N`` and ``/en/novosti/`` listings lead to
``/en/<section>/<slug>-YYYY-MM-DD-<id>/`` articles, which end with credit lines
(``GSV "Eurasia - Islamic World"``, ``Photo: ...``, ``Based on materials from ...``).
"""

from __future__ import annotations

import re

from crawler.newsweb.content import Article
from crawler.newsweb.markup import h, share_bar
from crawler.newsweb.site import Handler, Query, Response, Site

SECTIONS = {"main": "Main", "novosti": "News"}
CREDIT = 'GSV "Eurasia - Islamic World"'


class Crescent(Site):
    key = "crescent"
    name = "Eurasia - Islamic World Strategic Vision Group"
    page_size = 4
    disallow = ("/bitrix/", "/auth/", "/search/")

    def article_path(self, article: Article) -> str:
        return f"/en/{article.section}/{article.slug}-{article.published:%Y-%m-%d}-{article.id}/"

    def routes(self) -> list[tuple[str, Handler]]:
        return [
            (r"/(?:en/)?", self.home),
            (r"/en/([a-z]+)/", self.section_page),
        ]

    def listings(self) -> list[str]:
        return ["/en/main/", "/en/novosti/"]

    # -- handlers ----------------------------------------------------------------------------

    def home(self, _m: re.Match[str], _q: Query) -> Response:
        main = (
            '<div class="news-list main-news">'
            + "".join(self.teaser(a) for a in self.articles[:6])
            + "</div>"
        )
        return self.html(self.layout("Eurasia - Islamic World", main))

    def section_page(self, m: re.Match[str], q: Query) -> Response | None:
        section = m.group(1)
        items = self.in_section(section)
        if section not in SECTIONS or not items:
            return None
        return self.listing(
            SECTIONS[section],
            items,
            self.page_number(q, "PAGEN_1"),
            lambda n: f"/en/{section}/" + (f"?PAGEN_1={n}" if n > 1 else ""),
        )

    # -- templates ---------------------------------------------------------------------------

    def teaser(self, article: Article) -> str:
        return (
            '<div class="news-item"><span class="news-date-time">'
            f"{article.published:%d.%m.%Y}</span>"
            f'<a href="{h(self.article_path(article))}"><b>{h(article.title)}</b></a>'
            f'<p class="preview-text">{h(article.lead)}</p></div>'
        )

    def layout(self, title: str, main: str, head: str = "") -> str:
        menu = "".join(f'<li><a href="/en/{k}/">{v}</a></li>' for k, v in SECTIONS.items())
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">'
            f"<title>{h(title)}</title>{head}"
            '<link href="/bitrix/templates/main/styles.css" rel="stylesheet"></head><body>'
            '<div id="panel"></div><div class="header"><a href="/en/" class="logo">'
            'Eurasia<br>Islamic World</a><ul class="top-menu">'
            f'{menu}<li><a href="/en/about/">About the Group</a></li>'
            '<li><a href="/en/members/">Members</a></li><li><a href="/ru/">RU</a></li></ul></div>'
            f'<div class="workarea">{main}</div>'
            '<div class="footer"><p>Group of Strategic Vision "Eurasia - Islamic World"</p>'
            '<p>© 2006-2022. All rights reserved.</p><p><a href="/en/contacts/">Contacts</a></p>'
            "</div></body></html>"
        )

    def article_page(self, article: Article) -> str:
        url = self.article_url(article)
        head = (
            f'<meta property="og:title" content="{h(article.title)}">'
            f'<meta property="og:url" content="{h(url)}">'
            f'<meta name="description" content="{h(article.lead)}">'
        )
        source = (
            self.corpus.resolve(article.site, article.syndicated_of)
            if article.syndicated_of
            else None
        )
        credits = [
            CREDIT,
            f"Photo: {article.photo}" if article.photo else "",
            "Based on materials from NORTA" if source and source.site == "northwind" else "",
        ]
        credit_html = "".join(f"<p>{h(c)}</p>" for c in credits if c)
        body = "".join(f"<p>{h(p)}</p>" for p in article.paragraphs)
        more = "".join(
            f'<li><a href="{h(link)}">{h(a.title)}</a></li>' for a, link in self.related_of(article)
        )
        when = article.published
        main = (
            f'<div class="news-detail"><h1>{h(article.title)}</h1>'
            f'<div class="news-date">{when.day} {when:%B}</div>'
            f'<div class="detail-text">{body}<br><br>{credit_html}</div>'
            + share_bar(url, article.title, "ya-share2")
            + (f'<div class="other-news"><h3>Other news</h3><ul>{more}</ul></div>' if more else "")
            + '<a class="back" href="/en/main/">Back to the list</a></div>'
        )
        return self.layout(article.title, main, head)
