"""Unit tests of the related spider's decisions, without a network."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import CannotResolveHostError, DontCloseSpider
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.misc import is_generator_with_return_value
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler import settings as project_settings
from crawler.datadir import DataDir
from crawler.discovery import Candidate
from crawler.errors import InputError
from crawler.items import Article
from crawler.spiders.related import RelatedSpider, _date_window
from tests.conftest import SEEDS

SOURCES = """
[[sources]]
name = "Slow"
url = "http://slow.example/"
feeds = ["http://slow.example/rss"]
delay = 15

[[sources]]
name = "Fast"
url = "http://fast.example/"
"""


@pytest.fixture
def spider(tmp_path: Path):
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES)
    crawler = get_crawler(
        RelatedSpider,
        {
            "SEEDS_DIR": str(SEEDS),
            "SOURCES_FILE": str(sources),
            "DATA_DIR": str(tmp_path / "data"),
            "DEPTH_LIMIT": 2,
            "MIN_CANDIDATE_SCORE": 0.0,
        },
    )
    spider = RelatedSpider.from_crawler(crawler)
    yield spider
    DataDir.for_crawler(crawler).close()


def test_per_source_delay_becomes_a_download_slot(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES)
    settings = Settings({"SOURCES_FILE": str(sources)})
    RelatedSpider.update_settings(settings)
    slots = settings.getdict("DOWNLOAD_SLOTS")
    assert slots["slow.example"] == {"delay": 15.0, "concurrency": 1}
    assert "www.slow.example" in slots and "fast.example" not in slots


def test_start_yields_seeds_before_requests(spider: RelatedSpider) -> None:
    output = _start(spider)
    assert isinstance(output[0], Article) and output[0].is_seed
    requests = output[1:]
    assert all(isinstance(r, Request) for r in requests)
    feed = next(r for r in requests if r.url == "http://slow.example/rss")
    assert feed.meta["autothrottle_dont_adjust_delay"] is True
    assert feed.priority > 0
    home = next(r for r in requests if r.url == "http://fast.example/")
    assert "autothrottle_dont_adjust_delay" not in home.meta


def test_default_window_is_thirty_days_around_the_seeds(spider: RelatedSpider) -> None:
    assert (spider.since, spider.until) == (date(2021, 12, 11), date(2022, 2, 9))


def test_window_arguments() -> None:
    default = (date(2021, 12, 11), date(2022, 2, 9))
    assert _date_window("2022-01-01", None, default) == (date(2022, 1, 1), date(2022, 2, 9))
    assert _date_window(None, "2022-01-31", default) == (date(2021, 12, 11), date(2022, 1, 31))
    assert _date_window(None, None, (None, None)) == (None, None)
    with pytest.raises(InputError, match="after"):
        _date_window("2022-02-01", "2022-01-01", (None, None))


def _response(url: str, meta: dict) -> HtmlResponse:
    request = Request(url, meta=meta)
    return HtmlResponse(url, body=b"<html></html>", request=request)


def test_candidates_filtered_by_window_host_and_depth(spider: RelatedSpider) -> None:
    response = _response("http://slow.example/rss", {"source": "Slow", "via": "feed", "depth": 0})
    candidates = [
        Candidate(
            "http://slow.example/news/kazakhstan-csto-summit-1?utm_source=rss",
            "feed",
            title="CSTO summit on Kazakhstan",
            published=datetime(2022, 1, 10, tzinfo=UTC),
        ),
        Candidate(
            "http://slow.example/news/old-story-2",
            "feed",
            published=datetime(2019, 5, 1, tzinfo=UTC),
        ),
        Candidate("http://elsewhere.example/news/csto-3", "feed"),
        Candidate("http://fast.example/news/undated-4", "feed"),
    ]
    requests = list(spider._article_requests(candidates, response))
    assert [r.url for r in requests] == ["http://slow.example/news/kazakhstan-csto-summit-1"]
    # known by its URL only: held until the run is otherwise done, then fetched
    spider.crawler.engine = FakeEngine()
    with pytest.raises(DontCloseSpider):
        spider.spider_idle()
    released = spider.crawler.engine.requests
    assert [r.url for r in released] == ["http://fast.example/news/undated-4"]
    assert released[0].meta["source"] == "Fast"  # credited to the site it belongs to
    assert requests[0].priority > released[0].priority  # the on-topic title went first
    spider.spider_idle()  # nothing left: the spider may close
    deep = _response("http://slow.example/a", {"source": "Slow", "via": "link", "depth": 2})
    assert list(spider._article_requests(candidates, deep)) == []


class FakeEngine:
    def __init__(self) -> None:
        self.requests: list[Request] = []

    def crawl(self, request: Request) -> None:
        self.requests.append(request)


def test_weak_candidates_wait_for_a_better_link(spider: RelatedSpider) -> None:
    spider.min_candidate_score = 0.45
    spider.crawler.engine = FakeEngine()
    listing = _response("http://slow.example/", {"source": "Slow", "via": "listing", "depth": 0})
    weak = [
        Candidate("http://slow.example/news/wheat-exports-1", "listing", title="Wheat exports"),
        Candidate("http://slow.example/news/mangystau-gas-2", "listing", title="Gas price cut"),
    ]
    assert list(spider._article_requests(weak, listing)) == []
    # a related article lists the second one in its "See also" box: fetched at once
    article = _response("http://slow.example/a", {"source": "Slow", "via": "link", "depth": 1})
    boxed = Candidate(
        "http://slow.example/news/mangystau-gas-2", "link", title="Gas", related_box=True
    )
    vouched = list(spider._article_requests([boxed], article))
    assert [r.url for r in vouched] == ["http://slow.example/news/mangystau-gas-2"]
    assert vouched[0].meta["depth"] == 2
    # a feed entry that says more about the first one: fetched too
    feed = _response("http://slow.example/rss", {"source": "Slow", "via": "feed", "depth": 0})
    better = Candidate(
        "http://slow.example/news/wheat-exports-1",
        "feed",
        title="CSTO peacekeepers leave Kazakhstan after the January unrest",
        snippet="Tokayev thanked the Collective Security Treaty Organization.",
    )
    assert len(list(spider._article_requests([better], feed))) == 1
    assert spider._held == {}
    spider.spider_idle()  # nothing held back: no DontCloseSpider


def test_weak_candidates_are_dropped_and_counted(spider: RelatedSpider) -> None:
    spider.min_candidate_score = 0.45
    spider.crawler.engine = FakeEngine()
    spider.crawler.stats.open_spider()
    listing = _response("http://fast.example/", {"source": "Fast", "via": "listing", "depth": 0})
    weak = Candidate("http://fast.example/news/ski-season-opens-1", "listing", title="Ski season")
    bare = Candidate("http://fast.example/news/ski-season-opens-1", "sitemap")
    assert list(spider._article_requests([weak, bare], listing)) == []
    spider.spider_idle()  # judged weak, and a bare link to it does not undo that
    assert spider.crawler.engine.requests == []
    assert spider.crawler.stats.get_value("news/low_score/Fast") == 1


def _start(spider: RelatedSpider) -> list:
    async def collect():
        return [x async for x in spider.start()]

    return asyncio.run(collect())


def test_a_source_probe_releases_its_other_entry_points(spider: RelatedSpider) -> None:
    probes = [r for r in _start(spider) if isinstance(r, Request)]
    assert [r.url for r in probes] == ["http://slow.example/rss", "http://fast.example/"]
    feed = _response("http://slow.example/rss", probes[0].meta)
    released = [r.url for r in spider.parse_feed(feed) if isinstance(r, Request)]
    assert "http://slow.example/" in released  # the home page, held back until the probe answered
    assert list(spider.parse_feed(feed)) == []  # released once only


def test_an_unreachable_source_costs_one_request(spider: RelatedSpider) -> None:
    probes = [r for r in _start(spider) if isinstance(r, Request)]
    failure = Failure(CannotResolveHostError("DNS lookup failed"))
    failure.request = probes[0]
    assert list(spider.on_error(failure)) == []
    stats = spider.crawler.stats.get_stats()
    assert stats["news/skipped_unreachable/Slow"] == 1
    assert stats["news/error/dns/Slow"] == 1


def test_a_listing_reached_as_an_article_is_followed_as_a_listing(spider: RelatedSpider) -> None:
    items = "".join(
        f"<li><a href='/news/kazakhstan-csto-story-{n}'>CSTO story number {n} about Kazakhstan</a>"
        "</li>"
        for n in range(8)
    )
    html = f"<html><body><h1>Tag: Kazakhstan</h1><ul>{items}</ul></body></html>".encode()
    meta = {"source": "Fast", "via": "link", "depth": 1}
    response = HtmlResponse(
        "http://fast.example/tag/kazakhstan/", body=html, request=Request("http://x", meta=meta)
    )
    urls = [r.url for r in spider.parse_article(response) if isinstance(r, Request)]
    assert "http://fast.example/news/kazakhstan-csto-story-0" in urls


def test_a_listing_served_again_under_another_url_is_read_once(spider: RelatedSpider) -> None:
    body = (
        b'<html><body><a href="/news/2022/01/10/csto-summit-on-kazakhstan">CSTO</a></body></html>'
    )
    meta = {"source": "Fast", "via": "listing", "depth": 0}
    first = HtmlResponse(
        "http://fast.example/world/",
        body=body,
        request=Request("http://fast.example/world/", meta=meta),
    )
    again = HtmlResponse(
        "http://fast.example/nowhere/",
        body=body,
        request=Request("http://fast.example/nowhere/", meta=meta),
    )
    assert [r.url for r in spider.parse_listing(first)] == [
        "http://fast.example/news/2022/01/10/csto-summit-on-kazakhstan"
    ]
    assert list(spider.parse_listing(again)) == []  # a soft 404 showing the same page


def test_url_only_candidates_go_out_in_batches(
    spider: RelatedSpider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("crawler.spiders.related.RELEASE_BATCH", 2)
    spider.crawler.engine = FakeEngine()
    sitemap = _response(
        "http://fast.example/s.xml", {"source": "Fast", "via": "sitemap", "depth": 0}
    )
    bare = [Candidate(f"http://fast.example/news/story-{n}", "sitemap") for n in range(5)]
    assert list(spider._article_requests(bare, sitemap)) == []
    with pytest.raises(DontCloseSpider):
        spider.spider_idle()
    first = spider.crawler.engine.requests
    assert len(first) == 2 and all(r.meta["released"] for r in first)
    # one answered: half a batch or less still out, so the next batch follows
    more = list(spider._answered(first[0]))
    assert [r.url for r in more] == [f"http://fast.example/news/story-{n}" for n in (2, 3)]
    assert list(spider._answered(Request("http://fast.example/other"))) == []  # 2 still out
    with pytest.raises(DontCloseSpider):
        spider.spider_idle()  # the last one
    assert len(spider.crawler.engine.requests) == 3
    spider.spider_idle()  # nothing left


@pytest.mark.parametrize(
    "callback", ["parse_feed", "parse_sitemap", "parse_listing", "parse_article", "on_error"]
)
def test_callbacks_return_no_value(callback: str) -> None:
    """The check Scrapy would repeat per response (off: WARN_ON_GENERATOR_RETURN_VALUE), once:
    a generator callback's ``return value`` would be silently lost."""
    assert project_settings.WARN_ON_GENERATOR_RETURN_VALUE is False
    assert not is_generator_with_return_value(getattr(RelatedSpider, callback))
