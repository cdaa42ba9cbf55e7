"""parse_feed: RSS 0.9x/1.0/2.0 and Atom feeds modelled on TASS, Kremlin, BBC and Kazinform."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.discovery import DiscoveryError
from crawler.discovery.feeds import clip_text, parse_feed

TASS_RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>TASS</title>
  <link>https://tass.com</link>
  <description>TASS news</description>
  <atom:link href="https://tass.com/rss/v2.xml" rel="self" type="application/rss+xml"/>
  <item>
    <title>CSTO leaders recognize events in Kazakhstan as external aggression</title>
    <link>https://tass.com/politics/1385617</link>
    <guid>https://tass.com/politics/1385617</guid>
    <description><![CDATA[<p>MOSCOW, January 10. /TASS/. The events in   Kazakhstan were
      an attempt to interfere &amp; destabilise <b>from outside</b>.</p>]]></description>
    <pubDate>Mon, 10 Jan 2022 14:15:00 +0300</pubDate>
    <category>Politics</category>
    <category>CSTO</category>
    <category>Politics</category>
  </item>
  <item>
    <title>Relative link item</title>
    <link>/world/1385671</link>
    <pubDate>Mon, 10 Jan 2022 15:00:00 GMT</pubDate>
  </item>
  <item>
    <title>No link at all</title>
    <guid isPermaLink="false">1385999</guid>
  </item>
  <item>
    <title>Telegram only</title>
    <link>tg://resolve?domain=tass_agency</link>
  </item>
</channel>
</rss>
"""

KREMLIN_ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>President of Russia: Events</title>
  <id>http://en.kremlin.ru/events/all/feed</id>
  <link rel="self" href="http://en.kremlin.ru/events/all/feed"/>
  <updated>2022-01-10T18:00:00+03:00</updated>
  <entry>
    <title type="html">Session of the CSTO Collective Security Council</title>
    <link rel="alternate" type="text/html" href="http://en.kremlin.ru/events/president/news/67555"/>
    <id>http://en.kremlin.ru/events/president/news/67555</id>
    <updated>2022-01-10T16:30:00+03:00</updated>
    <summary type="html">&lt;p&gt;Vladimir Putin took part in an extraordinary session
      &lt;script&gt;alert(1)&lt;/script&gt;via videoconference.&lt;/p&gt;</summary>
    <category term="Foreign policy"/>
    <category term="Kazakhstan" label="Republic of Kazakhstan"/>
  </entry>
  <entry>
    <title>Entry whose id is a tag URI</title>
    <id>tag:kremlin.ru,2022:67556</id>
    <updated>2022-01-10T17:00:00Z</updated>
  </entry>
  <entry>
    <title>Content without summary</title>
    <link href="http://en.kremlin.ru/events/president/news/67557"/>
    <id>tag:kremlin.ru,2022:67557</id>
    <published>2022-01-11T09:00:00+03:00</published>
    <updated>2022-01-12T09:00:00+03:00</updated>
    <content type="html">&lt;p&gt;Telephone conversation with
      Kassym-Jomart Tokayev.&lt;/p&gt;</content>
  </entry>
</feed>
"""

BBC_RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet title="XSL_formatting" type="text/xsl" href="/shared/bsp/xsl/rss/nolsol.xsl"?>
<rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:atom="http://www.w3.org/2005/Atom" version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel>
  <title><![CDATA[BBC News - Asia]]></title>
  <link>https://www.bbc.co.uk/news/world/asia</link>
  <item>
    <title><![CDATA[Kazakhstan unrest: Russian-led troops to begin withdrawal]]></title>
    <description><![CDATA[President Tokayev says the mission has been a success.]]></description>
    <link>https://www.bbc.co.uk/news/world-asia-59936284?at_medium=RSS&amp;at_campaign=KARANGA</link>
    <guid isPermaLink="true">https://www.bbc.co.uk/news/world-asia-59936284</guid>
    <pubDate>Tue, 11 Jan 2022 10:45:12 GMT</pubDate>
    <media:thumbnail width="240" height="135" url="https://ichef.bbci.co.uk/news/240/cpsprodpb/1.jpg"/>
  </item>
</channel>
</rss>
"""

RSS_10 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://www.inform.kz/en/rss">
    <title>Kazinform</title>
    <link>https://www.inform.kz/en</link>
    <items><rdf:Seq><rdf:li resource="https://www.inform.kz/en/csto-peacekeepers_a3886432"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://www.inform.kz/en/csto-peacekeepers_a3886432">
    <title>CSTO peacekeepers to leave Kazakhstan</title>
    <link>https://www.inform.kz/en/csto-peacekeepers_a3886432</link>
    <description>NUR-SULTAN. KAZINFORM - The CSTO peacekeeping contingent will leave.</description>
    <dc:date>2022-01-11T10:10:00+06:00</dc:date>
    <dc:subject>CSTO</dc:subject>
  </item>
</rdf:RDF>
"""

RSS_091 = b"""<?xml version="1.0"?>
<rss version="0.91">
  <channel>
    <title>Old feed</title>
    <link>http://example.org/</link>
    <item><title>Old style item</title><link>http://example.org/2022/01/10/old-style-item</link></item>
  </channel>
</rss>
"""


def test_tass_rss_entries() -> None:
    items = parse_feed(TASS_RSS, "https://tass.com/rss/v2.xml")
    assert [c.url for c in items] == [
        "https://tass.com/politics/1385617",
        "https://tass.com/world/1385671",
    ]
    first = items[0]
    assert first.via == "feed"
    assert first.title == "CSTO leaders recognize events in Kazakhstan as external aggression"
    assert first.snippet == (
        "MOSCOW, January 10. /TASS/. The events in Kazakhstan were an attempt to interfere & "
        "destabilise from outside."
    )
    assert first.published == datetime(2022, 1, 10, 11, 15, tzinfo=UTC)
    assert first.keywords == ["Politics", "CSTO"]
    assert items[1].published == datetime(2022, 1, 10, 15, 0, tzinfo=UTC)


def test_kremlin_atom_entries() -> None:
    items = parse_feed(KREMLIN_ATOM, "http://en.kremlin.ru/events/all/feed")
    assert [c.url for c in items] == [
        "http://en.kremlin.ru/events/president/news/67555",
        "http://en.kremlin.ru/events/president/news/67557",
    ]
    session, call = items
    assert session.title == "Session of the CSTO Collective Security Council"
    assert session.snippet == (
        "Vladimir Putin took part in an extraordinary session via videoconference."
    )
    assert session.published == datetime(2022, 1, 10, 13, 30, tzinfo=UTC)
    assert session.keywords == ["Foreign policy", "Kazakhstan"]
    assert call.snippet == "Telephone conversation with Kassym-Jomart Tokayev."
    assert call.published == datetime(2022, 1, 11, 6, 0, tzinfo=UTC)  # published wins over updated


def test_bbc_rss_with_media_namespace_keeps_query() -> None:
    [item] = parse_feed(BBC_RSS, "https://feeds.bbci.co.uk/news/world/asia/rss.xml")
    assert item.url == (
        "https://www.bbc.co.uk/news/world-asia-59936284?at_medium=RSS&at_campaign=KARANGA"
    )
    assert item.title == "Kazakhstan unrest: Russian-led troops to begin withdrawal"
    assert item.snippet == "President Tokayev says the mission has been a success."
    assert item.published == datetime(2022, 1, 11, 10, 45, 12, tzinfo=UTC)


def test_rss_10_rdf() -> None:
    [item] = parse_feed(RSS_10, "https://www.inform.kz/en/rss")
    assert item.url == "https://www.inform.kz/en/csto-peacekeepers_a3886432"
    assert item.published == datetime(2022, 1, 11, 4, 10, tzinfo=UTC)
    assert item.keywords == ["CSTO"]


def test_rss_091_without_dates() -> None:
    [item] = parse_feed(RSS_091, "http://example.org/rss.xml")
    assert item.title == "Old style item"
    assert item.published is None
    assert item.snippet == ""


def test_long_summary_is_truncated_at_a_word() -> None:
    words = " ".join(f"word{i}" for i in range(400))
    body = (
        "<rss version='2.0'><channel><item><link>https://a.example/x-y-z</link>"
        f"<description>{words}</description></item></channel></rss>"
    ).encode()
    [item] = parse_feed(body, "https://a.example/rss")
    assert len(item.snippet) <= 500
    assert item.snippet.endswith("…")
    assert item.snippet[:-1].split()[-1].startswith("word")
    assert words.startswith(item.snippet[:-1])


@pytest.mark.parametrize(
    "body",
    [
        b"<rss version='2.0'><channel><title>Empty</title></channel></rss>",
        b"<feed xmlns='http://www.w3.org/2005/Atom'><title>Empty</title></feed>",
    ],
)
def test_empty_feed_is_valid(body: bytes) -> None:
    assert parse_feed(body, "https://a.example/feed") == []


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><head><title>TASS</title></head><body><p>Hi</p></body></html>",
        b"\x00\xff\xfe garbage",
        b"",
        b'{"items": []}',
    ],
)
def test_not_a_feed(body: bytes) -> None:
    with pytest.raises(DiscoveryError, match=r"^https://tass\.com/rss/v2\.xml: not an RSS or Atom"):
        parse_feed(body, "https://tass.com/rss/v2.xml")


def test_billion_laughs_is_not_expanded() -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    body = (
        f"<?xml version='1.0'?><!DOCTYPE rss [{''.join(entities)}]><rss version='2.0'><channel>"
        "<item><title>x &lol9;</title><link>https://a.example/a-b-c</link></item></channel></rss>"
    ).encode()
    try:
        items = parse_feed(body, "https://a.example/rss")
    except DiscoveryError:
        return
    assert all(len(item.title) < 1000 for item in items)


@pytest.mark.parametrize(
    "ref", [b"&#xD800;", b"&#x110000;", b"&#99999999999999999999;", b"&#" + b"9" * 5000 + b";"]
)
def test_invalid_character_reference_does_not_lose_the_feed(ref: bytes) -> None:
    body = (
        b"<rss version='2.0'><channel><item><title>Tokayev " + ref + b" &#233;lu</title>"
        b"<link>https://a.example/x-y-z</link></item></channel></rss>"
    )
    [item] = parse_feed(body, "https://a.example/rss")
    assert item.title == "Tokayev \ufffd élu"


def test_clip_text() -> None:
    assert clip_text("  a \n b  ") == "a b"
    assert clip_text("alpha beta gamma", limit=12) == "alpha beta…"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_random_bytes_give_candidates_or_discovery_error(body: bytes) -> None:
    try:
        items = parse_feed(body, "https://a.example/feed")
    except DiscoveryError:
        return
    assert all(c.url.startswith(("http://", "https://")) for c in items)


@settings(max_examples=100, deadline=None)
@given(
    title=st.text(max_size=200),
    link=st.text(max_size=100),
    date=st.text(max_size=40),
    summary=st.text(max_size=300),
)
def test_random_rss_items(title: str, link: str, date: str, summary: str) -> None:
    body = (
        "<rss version='2.0'><channel><item>"
        f"<title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<pubDate>{escape(date)}</pubDate><description>{escape(summary)}</description>"
        "</item></channel></rss>"
    ).encode("utf-8", "replace")
    try:
        items = parse_feed(body, "https://a.example/feed")
    except DiscoveryError:
        return
    for item in items:
        assert item.url.startswith(("http://", "https://"))
        assert item.published is None or item.published.tzinfo is not None
        assert len(item.snippet) <= 500
