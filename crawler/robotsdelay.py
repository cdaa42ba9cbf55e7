"""Honour the waits robots.txt asks for (``Crawl-delay``, ``Request-rate``) per download slot.

Scrapy's RobotsTxtMiddleware obeys Allow/Disallow only. :class:`RobotsCrawlDelayMiddleware` runs
after it, takes the parser it announces with the ``robots_parsed`` signal (robots.txt is not
fetched twice) and makes the asked wait a floor of the host's download slot: the slot sends one
request at a time, waits at least that long between two requests, without random jitter, and
AutoThrottle may raise its delay but never lower it below the floor. A larger ``delay`` of the
slot (a source's own DOWNLOAD_SLOTS entry) is kept. Waits above ``ROBOTS_CRAWL_DELAY_MAX``
seconds are capped at it.

The downloader counts a slot's delay from the moment it sent the last request; a request can
take a while to get there (connection set-up, a busy machine), so two could arrive closer than
the delay. On such a slot the delay counts from the answer to the last request instead: the host
saw that request before it answered, so it sees the next one at least the delay later.
"""

from __future__ import annotations

import logging
from time import monotonic
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.python import to_unicode

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.core.downloader import Slot
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

DEFAULT_MAX_DELAY = 60.0  # seconds; ROBOTS_CRAWL_DELAY_MAX


def robots_delay(parser: RobotParser, user_agent: str | bytes) -> float | None:
    """The seconds robots.txt asks *user_agent* to wait between two requests: the larger of its
    ``Crawl-delay`` and the interval its ``Request-rate`` implies (Protego only; a rate's time
    window is ignored, so the rate holds all day), or None when it asks for no wait."""
    delays = [parser.crawl_delay(user_agent) or 0.0]
    if isinstance(parser, ProtegoRobotParser):
        rate = parser.rp.request_rate(to_unicode(user_agent))
        if rate is not None and rate.requests > 0:
            delays.append(rate.seconds / rate.requests)
    return max(delays) or None


class RobotsCrawlDelayMiddleware:
    """Downloader middleware placed after RobotsTxtMiddleware (100): each request's host has had
    its robots.txt parsed (or failed) when it gets here."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self.max_delay = settings.getfloat("ROBOTS_CRAWL_DELAY_MAX", DEFAULT_MAX_DELAY)
        self._robots_user_agent: str | None = settings.get("ROBOTSTXT_USER_AGENT")
        self._default_user_agent: str = settings.get("USER_AGENT")
        self._parsers: dict[str, RobotParser] = {}  # by netloc, as RobotsTxtMiddleware keys them
        self._floors: dict[str, float] = {}  # least delay of each download slot, by slot key
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self._spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self._request_reached, signal=signals.request_reached_downloader)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        parser = self._parsers.get(urlparse_cached(request).netloc)
        if parser is None:
            return
        asked = robots_delay(parser, self._user_agent(request))
        if asked is None:
            return
        delay = min(asked, self.max_delay)
        key = self.crawler.engine.downloader.get_slot_key(request)
        if delay <= self._floors.get(key, 0.0):
            return
        self._floors[key] = delay
        netloc = urlparse_cached(request).netloc
        if delay < asked:
            logger.warning(
                "robots.txt of %s asks for %g s between requests: capped at "
                "ROBOTS_CRAWL_DELAY_MAX = %g s", netloc, asked, delay,
            )  # fmt: skip
        else:
            logger.info("robots.txt of %s asks for %g s between requests: kept", netloc, delay)

    def _user_agent(self, request: Request) -> str | bytes:
        """The user agent RobotsTxtMiddleware matched the request against."""
        return self._robots_user_agent or request.headers.get(
            b"User-Agent", self._default_user_agent
        )

    def _robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        self._parsers[urlparse_cached(request).netloc] = robotparser

    def _spider_opened(self) -> None:
        # Connected only now, after every component built with the crawler (AutoThrottle among
        # them): receivers run in the order they connected, so this one runs after AutoThrottle
        # adjusted the slot and before the downloader sends the slot's next request.
        self.crawler.signals.connect(self._response_downloaded, signal=signals.response_downloaded)

    def _floored_slot(self, request: Request) -> tuple[Slot, float] | None:
        """The request's download slot and its floor, None when it has no floor."""
        key = request.meta.get("download_slot", "")
        floor = self._floors.get(key)
        slot = self.crawler.engine.downloader.slots.get(key)
        return None if floor is None or slot is None else (slot, floor)

    def _request_reached(self, request: Request) -> None:
        """Lift the request's slot (perhaps just made) to its floor, one request at a time."""
        if found := self._floored_slot(request):
            slot, floor = found
            slot.delay = max(slot.delay, floor)
            slot.jitter = 0.0
            slot.concurrency = 1

    def _response_downloaded(self, request: Request) -> None:
        """Undo AutoThrottle lowering the slot's delay; count the delay from now on."""
        if found := self._floored_slot(request):
            slot, floor = found
            slot.delay = max(slot.delay, floor)
            slot.lastseen = max(slot.lastseen, monotonic())
