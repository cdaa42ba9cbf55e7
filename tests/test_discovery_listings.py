"""parse_listing and looks_like_article_url on Bitrix, Kazinform, RFE/RL and WordPress pages."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.discovery.listings import looks_like_article_url, parse_listing

FIXTURES = Path(__file__).parent / "fixtures" / "discovery"
BITRIX_LISTING = (FIXTURES / "russia-islworld_main.html").read_text(encoding="utf-8")

KAZINFORM_LISTING = (FIXTURES / "inform-kz_lenta.html").read_text(encoding="utf-8")

RFERL_LISTING = (FIXTURES / "rferl_archive.html").read_text(encoding="utf-8")

WORDPRESS_LISTING = (FIXTURES / "wordpress_home.html").read_text(encoding="utf-8")


def test_bitrix_listing_articles() -> None:
    page = parse_listing(BITRIX_LISTING, "https://russia-islworld.ru/en/main/")
    urls = [c.url for c in page.articles]
    assert urls == [
        "https://russia-islworld.ru/en/main/csto-leaders-recognized-events-in-kazakhstan-as-external-"
        "aggression-and-decided-to-improve-the-alliance-2022-01-10-21826/",
        "https://russia-islworld.ru/en/main/csto-secretary-general-announces-stabilization-of-"
        "situation-in-kazakhstan-2022-01-13-21913/",
    ]
    first, second = page.articles
    assert first.via == "listing"
    # The image link (alt text) and the #comments link are one article; the richest title wins.
    assert first.title == (
        "CSTO leaders recognized events in Kazakhstan as external aggression and decided to "
        "improve the alliance"
    )
    assert first.snippet == (
        "The events in Kazakhstan were an attempt to interfere in internal affairs from outside."
    )
    assert second.snippet == "Stanislav Zas said the situation in the republic has stabilised."
    assert first.published is None


def test_bitrix_listing_pages() -> None:
    page = parse_listing(BITRIX_LISTING, "https://russia-islworld.ru/en/main/")
    assert page.pages[:2] == [
        "https://russia-islworld.ru/en/main/?PAGEN_1=2",
        "https://russia-islworld.ru/en/main/?PAGEN_1=3",
    ]
    assert set(page.pages[2:]) == {
        "https://russia-islworld.ru/en/",
        "https://russia-islworld.ru/en/novosti/",
        "https://russia-islworld.ru/en/search/?q=",
    }
    everything = page.pages + [c.url for c in page.articles]
    assert not any(
        bad in url
        for url in everything
        for bad in ("mailto", "javascript", "#", ".pdf", ".css", "vk.com", "auth", "about", "tass")
    )


def test_kazinform_cards_with_heading_and_time() -> None:
    page = parse_listing(KAZINFORM_LISTING, "https://www.inform.kz/en/lenta/")
    first, second = page.articles
    assert first.url == "https://www.inform.kz/en/csto-peacekeepers-to-leave-kazakhstan_a3886432"
    assert first.title == "CSTO peacekeepers to leave Kazakhstan"
    assert first.snippet == "The withdrawal will start on January 13."
    assert first.published == datetime(2022, 1, 11, 4, 10, tzinfo=UTC)
    assert second.url == "https://www.inform.kz/en/tokayev-names-new-government_a3886101/amp"
    assert second.title == "Tokayev names new government"
    assert second.published is None
    assert page.pages == [
        "https://www.inform.kz/en/lenta/?page=2",
        "https://www.inform.kz/en/tag/csto",
    ]


def test_rferl_base_href_title_attr_and_dedup() -> None:
    page = parse_listing(RFERL_LISTING, "https://www.rferl.org/z/557")
    first, second = page.articles
    assert first.url == "https://www.rferl.org/a/kazakhstan-csto-troops-withdrawal/31647254.html"
    assert first.title == "Russian-Led Troops Begin Leaving Kazakhstan"
    assert first.snippet == "Kazakh President Qasym-Zhomart Toqaev said the mission was complete."
    assert first.published == datetime(2022, 1, 13, 9, 5, tzinfo=UTC)
    assert second.title == "Families Search For Victims Of Almaty Unrest"
    assert page.pages == [
        "https://www.rferl.org/z/557?p=2",
        "https://www.rferl.org/z/557/2022/1/10",
    ]


def test_allowed_hosts_widen_the_scope() -> None:
    page = parse_listing(
        RFERL_LISTING, "https://www.rferl.org/z/557", allowed_hosts=["rferl.org", "rus.azattyq.org"]
    )
    assert "https://rus.azattyq.org/a/31647300.html" in [c.url for c in page.articles]


def test_wordpress_pagination_and_archives() -> None:
    page = parse_listing(WORDPRESS_LISTING, "https://example.org/")
    assert [(c.url, c.title) for c in page.articles] == [
        ("https://example.org/2022/01/10/csto-summit/", "CSTO summit"),
        ("https://example.org/2022/01/09/short/", "Short"),
    ]
    assert page.pages == [
        "https://example.org/page/2/",
        "https://example.org/2022/01/10/",
        "https://example.org/category/world/",
        "https://www.example.org/tag/kazakhstan/",
    ]


def test_date_slug_needs_more_than_the_date() -> None:
    assert looks_like_article_url("https://example.org/2022/01/10/csto-summit/")
    assert not looks_like_article_url("https://example.org/2022/01/10/")


def test_via_is_passed_through() -> None:
    page = parse_listing(KAZINFORM_LISTING, "https://www.inform.kz/en/lenta/", via="search")
    assert {c.via for c in page.articles} == {"search"}


@pytest.mark.parametrize("html", ["", "   \n", "<html></html>", "\x00\x01", "plain words"])
def test_degenerate_pages_are_empty(html: str) -> None:
    page = parse_listing(html, "https://a.example/")
    assert page.articles == [] and page.pages == []


@pytest.mark.parametrize(
    "url",
    [
        "https://russia-islworld.ru/en/main/csto-leaders-recognized-events-in-kazakhstan-as-external"
        "-aggression-and-decided-to-improve-the-alliance-2022-01-10-21826/",
        "https://tass.com/politics/1385617",
        "http://en.kremlin.ru/events/president/news/67555",
        "https://www.inform.kz/en/csto-peacekeepers-to-leave-kazakhstan_a3886432",
        "https://www.inform.kz/en/kazakhstan_a3886432/amp",
        "https://www.rferl.org/a/kazakhstan-csto-troops/31647254.html",
        "https://www.reuters.com/world/asia-pacific/russia-led-troops-leave-2022-01-13/",
        "https://www.aljazeera.com/news/2022/1/10/russia-led-bloc-kazakhstan",
        "https://apnews.com/article/kazakhstan-russia-5e2a8f0b7c9d4e1f8a6b3c2d1e0f9a8b",
        "https://www.bbc.co.uk/news/world-asia-59936284",
        "https://www.akorda.kz/en/head-of-state-takes-part-in-csto-session-1003858",
        "https://eurasianet.org/kazakhstan-russia-led-bloc-troops-begin-withdrawal",
        "https://example.org/news/kazakhstan-unrest.html",
        "https://ru.example.org/news/%D0%B1%D0%B5%D1%81%D0%BF%D0%BE%D1%80%D1%8F%D0%B4%D0%BA%D0%B8-"
        "%D0%B2-%D0%BA%D0%B0%D0%B7%D0%B0%D1%85%D1%81%D1%82%D0%B0%D0%BD%D0%B5-%D1%81%D0%BE%D0%B1%D1%8B",
    ],
)
def test_article_urls(url: str) -> None:
    assert looks_like_article_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://tass.com/",
        "https://tass.com",
        "https://tass.com/politics",
        "https://www.aljazeera.com/where/asia/",
        "https://apnews.com/hub/kazakhstan-unrest-and-protests",
        "https://example.org/tag/kazakhstan-unrest-january-2022/",
        "https://example.org/author/john-smith-jones/",
        "https://example.org/category/world-news-asia/",
        "https://example.org/search?q=csto-summit-kazakhstan",
        "https://example.org/page/2/",
        "https://example.org/news/page-3",
        "https://russia-islworld.ru/en/main/?PAGEN_1=2",
        "https://example.org/news/index.html",
        "https://example.org/about.html",
        "http://en.kremlin.ru/catalog/countries/KZ/events",
        "https://example.org/login/users-sign-in-here",
        "not a url at all",
        "https://[broken/ipv6-address-with-words",
    ],
)
def test_non_article_urls(url: str) -> None:
    assert not looks_like_article_url(url)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_random_text_never_raises(html: str) -> None:
    page = parse_listing(html, "https://a.example/news/")
    assert all(c.url.startswith(("http://", "https://")) for c in page.articles)


_HREFS = st.sampled_from(
    [
        "/news/kazakhstan-csto-summit-2022-01-10/",
        "/news/?page=2",
        "#x",
        "mailto:a@b",
        "//a.example/a/slug-text/12345678.html",
        "https://other.example/x-y-z",
        "javascript:void(0)",
        "/img/a.jpg",
        "",
        "http://[::1",
    ]
) | st.text(max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(_HREFS, st.text(max_size=60), st.sampled_from(["li", "div", "article", "p"])),
        max_size=12,
    )
)
def test_random_link_pages(cards: list[tuple[str, str, str]]) -> None:
    body = "".join(
        f'<{tag}><a href="{escape(href)}">{escape(text)}</a><p>{escape(text)} teaser words here</p>'
        f"<time datetime='{escape(text)}'></time></{tag}>"
        for href, text, tag in cards
    )
    page = parse_listing(f"<html><body>{body}</body></html>", "https://a.example/news/")
    urls = [c.url for c in page.articles]
    assert len(urls) == len(set(urls))
    for url in urls + page.pages:
        assert url.startswith("https://a.example/") or url.startswith("http://a.example/")
        assert "#" not in url


RELATED_BOXES = """<html><body><article><h1>Peacekeepers leave</h1><p>Text.</p>
<div class="read__see_also"><ul><li><a href="/news/2022/01/13/csto-withdrawal-begins">Withdrawal</a>
</li></ul></div>
<section><h3>Читайте также:</h3><ul><li><a href="/news/2022/01/12/tokayev-new-cabinet">Cabinet</a>
</li></ul></section>
<div class="sidebar"><h3>Most read</h3>
<a href="/news/2022/01/11/ski-season-opens-early">Ski</a></div>
<div class="read-next"><h2>Latest</h2><a href="/news/2022/01/11/oil-prices-rise-again">Oil</a></div>
</article></body></html>"""


def test_links_in_related_boxes_are_marked() -> None:
    page = parse_listing(RELATED_BOXES, "https://a.example/news/x", via="link", pages=False)
    boxed = {c.url.rsplit("/", 1)[1]: c.related_box for c in page.articles}
    assert boxed == {
        "csto-withdrawal-begins": True,  # by the box's class
        "tokayev-new-cabinet": True,  # by the box's heading
        "ski-season-opens-early": False,
        "oil-prices-rise-again": False,
    }
    assert page.pages == []  # pages=False: only the articles


def test_skip_leaves_out_known_links() -> None:
    known = {"https://a.example/news/2022/01/13/csto-withdrawal-begins"}
    page = parse_listing(RELATED_BOXES, "https://a.example/news/x", skip=known)
    assert known.isdisjoint(c.url for c in page.articles) and len(page.articles) == 3
