"""Links found in related articles survive a killed run (the state's frontier)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.datadir import DataDir, record_key
from crawler.newsweb import NewsWeb
from crawler.spiders.related import RelatedSpider
from crawler.state import CrawlState
from tests.conftest import SEEDS, crawl

META = {
    "source": "Fast",
    "via": "link",
    "depth": 2,
    "referrer": "http://fast.example/a",
    "score": 0.1,
}


def test_links_are_remembered_until_they_have_an_outcome(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "state.sqlite")
    links = [(f"fast.example/news/{n}", f"http://fast.example/news/{n}", META) for n in "abc"]
    state.add_to_frontier(links)
    state.add_to_frontier(links[:1])  # found again: remembered once
    assert [url for url, _ in state.frontier()] == [url for _, url, _ in links]
    state.mark_url("fast.example/news/a", "http://fast.example/news/a", "unrelated")
    state.add_record("id-b", "fast.example/news/b", "http://fast.example/news/b", "hash-b")
    state.mark_url("fast.example/news/c", "http://fast.example/news/c", "failed", error="timeout")
    assert state.frontier() == [("http://fast.example/news/c", META)]  # a failure: tried again
    state.close()


def test_a_new_run_requests_the_links_a_killed_run_left(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text('[[sources]]\nname = "Fast"\nurl = "http://fast.example/"\n')
    data = tmp_path / "data"
    data.mkdir()
    state = CrawlState(data / "state.sqlite")
    state.add_to_frontier(
        [
            (
                "fast.example/news/massimov-detained",
                "http://fast.example/news/massimov-detained",
                META,
            )
        ]
    )
    state.close()
    settings = {"SEEDS_DIR": str(SEEDS), "SOURCES_FILE": str(sources), "DATA_DIR": str(data)}
    crawler = get_crawler(RelatedSpider, settings)
    spider = RelatedSpider.from_crawler(crawler)

    async def collect() -> list:
        return [x async for x in spider.start()]

    requests = [r for r in asyncio.run(collect()) if isinstance(r, Request)]
    DataDir.for_crawler(crawler).close()
    first = requests[0]  # before the entry points
    assert first.url == "http://fast.example/news/massimov-detained"
    assert first.callback == spider.parse_article
    assert first.meta["depth"] == 2 and first.meta["via"] == "link"
    assert [r.url for r in requests[1:]] == ["http://fast.example/"]


def test_links_waiting_together_for_robots_txt_all_obey_it(
    tmp_path: Path, newsweb: NewsWeb, web_sources: Path
) -> None:
    """Several requests to a host whose robots.txt is not read yet (Scrapy 2.19 let all but the
    first through): the northwind site disallows /premium/."""
    northwind = next(site for site in newsweb.sites if site.key == "northwind")
    urls = [f"{northwind.base_url}premium/{n}" for n in (1386001, 900001, 900002, 900003)]
    meta = {**META, "source": northwind.name}
    data = tmp_path / "data"
    data.mkdir()
    state = CrawlState(data / "state.sqlite")
    state.add_to_frontier([(record_key(url), url, meta) for url in urls])
    state.close()
    start = len(newsweb.request_log)
    assert crawl(data, web_sources).returncode == 0
    fetched = [path for _, path in newsweb.request_log[start:] if path.startswith("/premium/")]
    assert fetched == []
