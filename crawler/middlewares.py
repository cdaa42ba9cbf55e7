"""Downloader middlewares of the crawler."""

from __future__ import annotations

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.datadir import DataDir
from crawler.netguard import allowed_hosts, refused

CONDITIONAL = "conditional"  # request meta key: re-read this entry point with validators


class ConditionalRequestsMiddleware:
    """Re-read feeds, sitemaps and listings with ``If-None-Match``/``If-Modified-Since``.

    Requests marked ``meta["conditional"]`` carry the validators their URL answered with on an
    earlier run; a ``304 Not Modified`` reaches the callback, which has nothing new to read. The
    validators of this run are saved only when it finishes normally: a run that was killed
    re-reads every entry point in full next time, so nothing it had not yet followed is lost.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._seen: dict[str, tuple[str | None, str | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestsMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        if not request.meta.get(CONDITIONAL) or getattr(self.crawler.spider, "refresh", False):
            return
        request.meta.setdefault("handle_httpstatus_list", [304])
        etag, modified = DataDir.for_crawler(self.crawler).state.validators(request.url)
        if etag:
            request.headers.setdefault(b"If-None-Match", etag)
        if modified:
            request.headers.setdefault(b"If-Modified-Since", modified)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get(CONDITIONAL) and response.status == 200:
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            if etag or modified:
                self._seen[request.url] = (_text(etag), _text(modified))
        return response

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if reason == "finished" and self._seen:
            DataDir.for_crawler(self.crawler).state.set_validators(self._seen)


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value else None


class SafeDestinationMiddleware:
    """Refuse non-http(s) URLs and IP literals of private, loopback, link-local or metadata
    addresses (on links and redirects alike) unless the host is a configured source. Names
    that resolve to such addresses are refused by :class:`crawler.netguard.GuardedResolver`."""

    def __init__(self, allowed: frozenset[str]) -> None:
        self.allowed = allowed

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafeDestinationMiddleware:
        return cls(allowed_hosts(crawler.settings))

    def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        if parts.scheme not in ("http", "https"):
            raise IgnoreRequest(f"refused: {parts.scheme}: URLs are not followed")
        if refused(parts.hostname or "", self.allowed):
            raise IgnoreRequest(f"refused: {parts.hostname} is a non-public address")
