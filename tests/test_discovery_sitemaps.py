"""parse_sitemap and sitemap_urls_from_robots on Reuters, AP, Al Jazeera and TASS shapes."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.discovery import DiscoveryError
from crawler.discovery.sitemaps import (
    parse_sitemap,
    parse_w3c_datetime,
    sitemap_urls_from_robots,
)

REUTERS_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap>
    <loc>https://www.reuters.com/arc/outboundfeeds/sitemap3/2022-01-10/?outputType=xml</loc>
    <lastmod>2022-01-10T23:59:00Z</lastmod>
  </sitemap>
  <sitemap>
    <loc>
      https://www.reuters.com/arc/outboundfeeds/sitemap3/2022-01-11/?outputType=xml&amp;from=100
    </loc>
  </sitemap>
  <sitemap><loc>https://www.reuters.com/arc/outboundfeeds/sitemap3/2022-01-10/?outputType=xml</loc></sitemap>
  <sitemap><loc>ftp://www.reuters.com/old.xml</loc></sitemap>
</sitemapindex>
"""

AP_NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://apnews.com/article/kazakhstan-russia-csto-troops-5e2a8f0b7c9d4e1f8a6b3c2d1e0f9a8b</loc>
    <lastmod>2022-01-12T08:00:00Z</lastmod>
    <news:news>
      <news:publication>
        <news:name>AP News</news:name>
        <news:language>eng</news:language>
      </news:publication>
      <news:publication_date>2022-01-10T14:22:05-05:00</news:publication_date>
      <news:title>Russia-led alliance says troops will leave Kazakhstan</news:title>
      <news:keywords>Kazakhstan, Russia,  CSTO ,, Vladimir Putin</news:keywords>
    </news:news>
    <image:image>
      <image:loc>https://dims.apnews.com/photo.jpg</image:loc>
      <image:title>Photo title must not become the article title</image:title>
    </image:image>
  </url>
  <url>
    <loc>https://apnews.com/article/kazakhstan-protests-explainer-0123456789abcdef0123456789abcdef</loc>
    <lastmod>2022-01-11</lastmod>
  </url>
  <url><lastmod>2022-01-11</lastmod></url>
</urlset>
"""

ALJAZEERA_DAILY = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.84">
  <url><loc>https://www.aljazeera.com/news/2022/1/10/russia-led-bloc-to-begin-kazakhstan-withdrawal</loc>
       <lastmod>2022-01-10T13:05:00+03:00</lastmod></url>
  <url><loc>https://www.aljazeera.com/news/2022/1/10/russia-led-bloc-to-begin-kazakhstan-withdrawal</loc></url>
  <url><loc>/news/2022/1/10/relative-location</loc><lastmod>not a date</lastmod></url>
</urlset>
"""

TASS_NO_NAMESPACE = b"""<?xml version="1.0"?>
<urlset><url><loc>https://tass.com/politics/1385617</loc><lastmod>2022-01-10</lastmod></url></urlset>
"""

PLAIN_TEXT = b"""https://www.rferl.org/a/kazakhstan-csto-troops/31647254.html
  https://www.rferl.org/a/tokayev-nazarbaev-unrest/31648012.html

# comment line
not a url
https://www.rferl.org/a/kazakhstan-csto-troops/31647254.html
"""


def test_reuters_sitemap_index() -> None:
    page = parse_sitemap(REUTERS_INDEX, "https://www.reuters.com/arc/outboundfeeds/sitemap-index/")
    assert page.candidates == []
    assert page.sitemaps == [
        "https://www.reuters.com/arc/outboundfeeds/sitemap3/2022-01-10/?outputType=xml",
        "https://www.reuters.com/arc/outboundfeeds/sitemap3/2022-01-11/?outputType=xml&from=100",
    ]


def test_google_news_sitemap_fields() -> None:
    page = parse_sitemap(AP_NEWS, "https://apnews.com/news-sitemap-content.xml")
    assert page.sitemaps == []
    news, plain = page.candidates
    assert news.via == "sitemap"
    assert news.url.endswith("kazakhstan-russia-csto-troops-5e2a8f0b7c9d4e1f8a6b3c2d1e0f9a8b")
    assert news.title == "Russia-led alliance says troops will leave Kazakhstan"
    assert news.published == datetime(2022, 1, 10, 19, 22, 5, tzinfo=UTC)  # not lastmod
    assert news.keywords == ["Kazakhstan", "Russia", "CSTO", "Vladimir Putin"]
    assert plain.title == ""
    assert plain.published == datetime(2022, 1, 11, tzinfo=UTC)


def test_bad_news_date_falls_back_to_lastmod() -> None:
    body = AP_NEWS.replace(b"2022-01-10T14:22:05-05:00", b"Monday morning")
    news = parse_sitemap(body, "https://apnews.com/news-sitemap-content.xml").candidates[0]
    assert news.published == datetime(2022, 1, 12, 8, 0, tzinfo=UTC)


def test_daily_sitemap_other_namespace_dedup_and_relative() -> None:
    page = parse_sitemap(
        ALJAZEERA_DAILY, "https://www.aljazeera.com/sitemap.xml?yyyy=2022&mm=01&dd=10"
    )
    assert [c.url for c in page.candidates] == [
        "https://www.aljazeera.com/news/2022/1/10/russia-led-bloc-to-begin-kazakhstan-withdrawal",
        "https://www.aljazeera.com/news/2022/1/10/relative-location",
    ]
    assert page.candidates[0].published == datetime(2022, 1, 10, 10, 5, tzinfo=UTC)
    assert page.candidates[1].published is None


def test_sitemap_without_namespace() -> None:
    [candidate] = parse_sitemap(
        TASS_NO_NAMESPACE, "https://tass.com/sitemap/sitemap_news0.xml"
    ).candidates
    assert candidate.url == "https://tass.com/politics/1385617"
    assert candidate.published == datetime(2022, 1, 10, tzinfo=UTC)


def test_gzip_detected_by_magic_bytes_not_name() -> None:
    page = parse_sitemap(gzip.compress(AP_NEWS), "https://apnews.com/sitemap")
    assert len(page.candidates) == 2


def test_utf16_sitemap() -> None:
    body = TASS_NO_NAMESPACE.decode().replace('"?>', '" encoding="UTF-16"?>').encode("utf-16")
    [candidate] = parse_sitemap(body, "https://tass.com/sitemap.xml").candidates
    assert candidate.url == "https://tass.com/politics/1385617"


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    with pytest.raises(
        DiscoveryError, match=r"^https://a\.example/s\.xml\.gz: gzip .* 1000000 bytes"
    ):
        parse_sitemap(bomb, "https://a.example/s.xml.gz", max_size=1_000_000)


def test_corrupt_gzip() -> None:
    with pytest.raises(DiscoveryError, match="corrupt gzip"):
        parse_sitemap(b"\x1f\x8b\x08\x00garbage-after-header", "https://a.example/s.xml.gz")


def test_oversized_plain_body() -> None:
    with pytest.raises(DiscoveryError, match="larger than 100 bytes"):
        parse_sitemap(AP_NEWS, "https://a.example/s.xml", max_size=100)


def test_plain_text_sitemap() -> None:
    page = parse_sitemap(PLAIN_TEXT, "https://www.rferl.org/sitemap.txt")
    assert [c.url for c in page.candidates] == [
        "https://www.rferl.org/a/kazakhstan-csto-troops/31647254.html",
        "https://www.rferl.org/a/tokayev-nazarbaev-unrest/31648012.html",
    ]
    assert all(c.via == "sitemap" for c in page.candidates)


def test_billion_laughs_never_expanded() -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    body = (
        f"<?xml version='1.0'?><!DOCTYPE urlset [{''.join(entities)}]>"
        "<urlset><url><loc>https://a.example/&lol9;</loc></url></urlset>"
    ).encode()
    with pytest.raises(DiscoveryError, match=r"^https://a\.example/s\.xml: "):
        parse_sitemap(body, "https://a.example/s.xml")


def test_small_internal_entity_is_refused() -> None:
    body = (
        b"<?xml version='1.0'?><!DOCTYPE urlset [<!ENTITY host 'evil.example'>]>"
        b"<urlset><url><loc>https://&host;/x-y-z</loc></url></urlset>"
    )
    with pytest.raises(DiscoveryError, match="entities"):
        parse_sitemap(body, "https://a.example/s.xml")


def test_external_entity_is_not_read(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    body = (
        f"<?xml version='1.0'?><!DOCTYPE urlset [<!ENTITY x SYSTEM '{secret.as_uri()}'>]>"
        "<urlset><url><loc>https://a.example/&x;</loc></url></urlset>"
    ).encode()
    try:
        page = parse_sitemap(body, "https://a.example/s.xml")
    except DiscoveryError:
        return
    assert all("TOPSECRET" not in c.url for c in page.candidates)


def test_plain_doctype_without_entities_is_fine() -> None:
    body = b"<!DOCTYPE urlset><urlset><url><loc>https://a.example/a-b-c</loc></url></urlset>"
    assert [c.url for c in parse_sitemap(body, "https://a.example/s.xml").candidates] == [
        "https://a.example/a-b-c"
    ]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<urlset><url><loc>https://a.example/x</loc></url>", "invalid sitemap XML"),
        (b"<html><body>Not found</body></html>", "not a sitemap (root element <html>)"),
        (b"", "not a sitemap"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff", "not a sitemap (binary data)"),
        (b"just some words", "not a sitemap (no URLs"),
    ],
)
def test_not_a_sitemap(body: bytes, problem: str) -> None:
    with pytest.raises(DiscoveryError) as error:
        parse_sitemap(body, "https://a.example/s.xml")
    assert str(error.value).startswith(f"https://a.example/s.xml: {problem}")
    assert "\n" not in str(error.value)


def test_robots_txt_sitemaps() -> None:
    robots = """User-agent: *
Disallow: /search/
Sitemap: https://www.aljazeera.com/sitemap.xml
sitemap: /news-sitemap.xml
SITEMAP:   https://www.aljazeera.com/sitemaps/article-archive.xml
Sitemap: https://www.aljazeera.com/sitemap.xml
Sitemap: mailto:webmaster@aljazeera.com
# Sitemap: https://www.aljazeera.com/commented.xml
"""
    assert sitemap_urls_from_robots(robots, "https://www.aljazeera.com/robots.txt") == [
        "https://www.aljazeera.com/sitemap.xml",
        "https://www.aljazeera.com/news-sitemap.xml",
        "https://www.aljazeera.com/sitemaps/article-archive.xml",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-01-10", datetime(2022, 1, 10, tzinfo=UTC)),
        ("2022-01-10T14:15:00Z", datetime(2022, 1, 10, 14, 15, tzinfo=UTC)),
        ("2022-01-10T14:15+03:00", datetime(2022, 1, 10, 11, 15, tzinfo=UTC)),
        (" 2022-01-10T14:15:00.123+06:00 ", datetime(2022, 1, 10, 8, 15, 0, 123000, tzinfo=UTC)),
        ("10.01.2022", None),
        ("", None),
        ("2022", None),
    ],
)
def test_parse_w3c_datetime(text: str, expected: datetime | None) -> None:
    assert parse_w3c_datetime(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000) | st.binary(max_size=500).map(lambda b: b"\x1f\x8b" + b))
def test_random_bytes_give_a_page_or_discovery_error(body: bytes) -> None:
    try:
        page = parse_sitemap(body, "https://a.example/s.xml", max_size=100_000)
    except DiscoveryError:
        return
    assert all(c.url.startswith(("http://", "https://")) for c in page.candidates)


@settings(max_examples=150, deadline=None)
@given(
    loc=st.text(max_size=120),
    date=st.text(max_size=40),
    keywords=st.text(max_size=80),
    gzipped=st.booleans(),
)
def test_random_urlset_fields(loc: str, date: str, keywords: str, gzipped: bool) -> None:
    body = (
        "<urlset xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'><url>"
        f"<loc>{escape(loc)}</loc><news:news><news:publication_date>{escape(date)}"
        f"</news:publication_date><news:keywords>{escape(keywords)}</news:keywords></news:news>"
        "</url></urlset>"
    ).encode("utf-8", "replace")
    try:
        page = parse_sitemap(gzip.compress(body) if gzipped else body, "https://a.example/s.xml")
    except DiscoveryError:
        return
    for candidate in page.candidates:
        assert candidate.published is None or candidate.published.utcoffset().total_seconds() == 0
        assert all(word.strip() == word and word for word in candidate.keywords)
