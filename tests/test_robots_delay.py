"""robots.txt ``Crawl-delay``/``Request-rate`` kept on download slots
(:mod:`crawler.robotsdelay`): the waits it computes, and crawls of small loopback hosts by a
plain Scrapy spider with the middleware enabled through its settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy.robotstxt import ProtegoRobotParser, PythonRobotParser

from crawler.robotsdelay import robots_delay

ROOT = Path(__file__).resolve().parent.parent
MIDDLEWARE = "crawler.robotsdelay.RobotsCrawlDelayMiddleware"
CRAWL_DELAY = 1.0
MAX_DELAY = 1.5
SOURCE_DELAY = 2.0  # a DOWNLOAD_SLOTS delay above the host's Crawl-delay
PER_HOST = 8  # CONCURRENT_REQUESTS_PER_DOMAIN
JITTER = 0.5  # DOWNLOAD_DELAY_JITTER


# --- the wait robots.txt asks for --------------------------------------------------------------


def _protego(text: str) -> ProtegoRobotParser:
    return ProtegoRobotParser(text.encode(), None)


@pytest.mark.parametrize(
    ("robots", "expected"),
    [
        ("User-agent: *\nCrawl-delay: 2.5\n", 2.5),
        ("User-agent: *\nRequest-rate: 1/4\n", 4.0),
        ("User-agent: *\nRequest-rate: 3/6 0600-0845\n", 2.0),
        ("User-agent: *\nCrawl-delay: 3\nRequest-rate: 1/2\n", 3.0),
        ("User-agent: *\nCrawl-delay: 0\n", None),
        ("User-agent: *\nCrawl-delay: soon\nDisallow: /x\n", None),
        ("User-agent: *\nRequest-rate: 0/5\n", None),
        ("User-agent: *\nDisallow: /private\n", None),
        ("User-agent: other\nCrawl-delay: 9\n\nUser-agent: newscorpus\nCrawl-delay: 1\n", 1.0),
    ],
)
def test_the_wait_robots_txt_asks_for(robots: str, expected: float | None):
    assert robots_delay(_protego(robots), "newscorpus/1.0") == expected


def test_other_parsers_give_their_crawl_delay():
    parser = PythonRobotParser(b"User-agent: *\nCrawl-delay: 2\n", None)
    assert robots_delay(parser, b"newscorpus/1.0") == 2.0


# --- crawls of loopback hosts ------------------------------------------------------------------


@dataclass
class Host:
    """A loopback web host serving ``robots`` at /robots.txt and a small page at any other path;
    ``arrivals`` records (time.monotonic(), path) of every request as it arrives."""

    address: str
    robots: str
    arrivals: list[tuple[float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host.arrivals.append((time.monotonic(), self.path))
                body = (host.robots if self.path == "/robots.txt" else "<p>page</p>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((self.address, 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://{self.address}:{self.server.server_port}{path}"

    def page_gaps(self) -> list[float]:
        times = [at for at, path in self.arrivals if path != "/robots.txt"]
        return [later - earlier for earlier, later in pairwise(times)]

    def robots_fetches(self) -> int:
        return sum(path == "/robots.txt" for _, path in self.arrivals)


# A project-less crawl: one request per URL, each response reported with its slot's state.
SPIDER = """
import json, sys
from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess

class Pages(Spider):
    name = "pages"

    async def start(self):
        for url in self.urls:
            yield Request(url)

    def parse(self, response):
        slot = self.crawler.engine.downloader.slots[response.meta["download_slot"]]
        yield {"url": response.url, "delay": slot.delay, "jitter": slot.jitter,
               "concurrency": slot.concurrency}

settings, urls = json.loads(sys.argv[1]), json.loads(sys.argv[2])
process = CrawlerProcess(settings)
process.crawl(Pages, urls=urls)
process.start()
"""


@dataclass
class Crawl:
    hosts: dict[str, Host]
    items: list[dict[str, Any]]
    log: str

    def slots(self, name: str) -> list[tuple[float, float, int]]:
        """(delay, jitter, concurrency) of the host's slot as each of its responses was parsed."""
        address = self.hosts[name].address
        return [
            (item["delay"], item["jitter"], item["concurrency"])
            for item in self.items
            if urlsplit(item["url"]).hostname == address
        ]


ROBOTS = {
    "slow": f"User-agent: *\nCrawl-delay: {CRAWL_DELAY}\n",
    "fast": "User-agent: *\nDisallow: /private\n",
    "greedy": "User-agent: *\nCrawl-delay: 30\n",  # above MAX_DELAY
    "source": f"User-agent: *\nCrawl-delay: {CRAWL_DELAY}\n",  # its slot has SOURCE_DELAY
}
ADDRESSES = {name: f"127.0.0.{11 + i}" for i, name in enumerate(ROBOTS)}


def _crawl(tmp: Path, pages: dict[str, int], settings: dict[str, Any]) -> Crawl:
    hosts = {name: Host(ADDRESSES[name], ROBOTS[name]) for name in pages}
    try:
        urls = [hosts[name].url(f"/page/{n}") for name, n_pages in pages.items()
                for n in range(n_pages)]  # fmt: skip
        out = tmp / "items.jsonl"
        settings = {
            "ROBOTSTXT_OBEY": True,
            "DOWNLOADER_MIDDLEWARES": {MIDDLEWARE: 110},
            "ROBOTS_CRAWL_DELAY_MAX": MAX_DELAY,
            "DOWNLOAD_DELAY": 0,
            "DOWNLOAD_DELAY_JITTER": JITTER,
            "CONCURRENT_REQUESTS_PER_DOMAIN": PER_HOST,
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            "LOG_LEVEL": "INFO",
            "FEEDS": {str(out): {"format": "jsonlines"}},
            **settings,
        }
        result = subprocess.run(
            [sys.executable, "-c", SPIDER, json.dumps(settings), json.dumps(urls)],
            cwd=tmp,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        items = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
        assert len(items) == len(urls), result.stderr[-3000:]
        return Crawl(hosts, items, result.stderr)
    finally:
        for host in hosts.values():
            host.server.shutdown()
            host.server.server_close()


@pytest.fixture(scope="module")
def throttled(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """AutoThrottle on, starting at no delay, and a ±50% jitter."""
    return _crawl(
        tmp_path_factory.mktemp("throttled"),
        {"slow": 6},
        {"AUTOTHROTTLE_ENABLED": True, "AUTOTHROTTLE_START_DELAY": 0},
    )


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    """No AutoThrottle, no download delay, a ±50% jitter; one host with a slot of its own (as a
    source's ``delay`` makes)."""
    return _crawl(
        tmp_path_factory.mktemp("plain"),
        {"slow": 3, "fast": 6, "greedy": 1, "source": 1},
        {
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_SLOTS": {ADDRESSES["source"]: {"delay": SOURCE_DELAY, "concurrency": 1}},
        },
    )


def test_requests_to_a_crawl_delayed_host_are_spaced_by_the_delay(throttled: Crawl):
    gaps = throttled.hosts["slow"].page_gaps()
    assert len(gaps) == 5
    assert min(gaps) >= CRAWL_DELAY, gaps  # a lower bound, as the host saw the requests arrive
    assert throttled.hosts["slow"].robots_fetches() == 1  # the delay came from that one fetch


def test_autothrottle_never_lowers_the_slot_below_the_crawl_delay(throttled: Crawl):
    assert throttled.slots("slow") == [(CRAWL_DELAY, 0.0, 1)] * 6


def test_only_the_crawl_delayed_host_is_slowed(plain: Crawl):
    assert plain.slots("slow") == [(CRAWL_DELAY, 0.0, 1)] * 3
    assert plain.slots("fast") == [(0.0, JITTER, PER_HOST)] * 6  # as the settings make them
    assert f"robots.txt of {ADDRESSES['fast']}" not in plain.log


def test_a_long_crawl_delay_is_capped_and_says_so(plain: Crawl):
    assert plain.slots("greedy") == [(MAX_DELAY, 0.0, 1)]
    assert f"robots.txt of {ADDRESSES['greedy']}" in plain.log
    assert "capped at ROBOTS_CRAWL_DELAY_MAX = 1.5 s" in plain.log


def test_a_larger_source_delay_wins(plain: Crawl):
    assert plain.slots("source") == [(SOURCE_DELAY, 0.0, 1)]
