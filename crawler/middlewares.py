"""Downloader middlewares of the crawler."""

from __future__ import annotations

import logging

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import (
    BaseRedirectMiddleware,
    MetaRefreshMiddleware,
    RedirectMiddleware,
)
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.datadir import DataDir
from crawler.failures import RedirectLoop, TooManyRedirects
from crawler.netguard import allowed_hosts, refused

logger = logging.getLogger(__name__)

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


class _CountedRedirects(BaseRedirectMiddleware):
    """Fail a redirect loop or an over-long chain with its own failure kind.

    Scrapy drops a redirect back to a visited URL as a duplicate request and a chain longer than
    ``REDIRECT_MAX_TIMES`` with a bare ``IgnoreRequest``; either way nothing would be counted.
    """

    def _redirect(self, redirected: Request, request: Request, reason: object) -> Request:
        visited = [*request.meta.get("redirect_urls", ()), request.url]
        if redirected.url in visited:
            raise RedirectLoop(f"redirect loop: {request.url} -> {redirected.url}")
        try:
            return super()._redirect(redirected, request, reason)
        except IgnoreRequest:
            raise TooManyRedirects(
                f"more than {self.max_redirect_times} redirects from {visited[0]}"
            ) from None


class CountedRedirectMiddleware(_CountedRedirects, RedirectMiddleware):
    """Scrapy's HTTP redirect middleware with loops and over-long chains counted."""


class CountedMetaRefreshMiddleware(_CountedRedirects, MetaRefreshMiddleware):
    """Scrapy's meta-refresh middleware with loops and over-long chains counted. A page that
    refreshes to itself (an auto-reloading front page) is kept as it is, not re-requested."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        try:
            return super().process_response(request, response)
        except _Reload:
            return response

    def _redirect(self, redirected: Request, request: Request, reason: object) -> Request:
        if redirected.url == request.url:
            raise _Reload
        return super()._redirect(redirected, request, reason)


class _Reload(Exception):
    """A meta refresh to the page itself."""


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every request that waits for a host's robots.txt
    getting its rules.

    Scrapy 2.19 lets each waiting request await the same Deferred; Twisted's ``asFuture`` hands
    the parser to the first waiter only and ``None`` to the rest, which Scrapy reads as "no
    robots.txt": the second and later requests to a new host were fetched even when disallowed.
    Here each waiter gets a Deferred of its own, fired with the parser.
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        own: Deferred[RobotParser | None] = Deferred()

        def share(parser: RobotParser | None) -> RobotParser | None:
            own.callback(parser)
            return parser

        pending.addCallback(share)
        return await maybe_deferred_to_future(own)
