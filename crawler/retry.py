"""Retries with back-off that honour ``Retry-After``, pausing only the host that asked for it.

The wait is applied to the request's download slot (one per host), not to the request: a host
that answers 429 or 503 is overloaded or rate-limiting us as a whole, so none of its requests is
sent until the wait is over, while every other host keeps downloading (Scrapy's default
``DownloaderAwarePriorityQueue`` hands out requests of the least busy hosts first). Nothing sleeps:
the slot's queue is simply not processed before its resume time.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic

from scrapy import Request, signals
from scrapy.core.downloader import Downloader
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import call_later
from scrapy.utils.response import response_status_message
from twisted.python.failure import Failure

from crawler.failures import failure_kind
from crawler.runstats import count_retry

logger = logging.getLogger(__name__)


def retry_after(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None when
    absent or unreadable. A date in the past means 0."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def pause_slot(downloader: Downloader, key: str, seconds: float) -> None:
    """Send nothing more from download slot *key* for *seconds* (a longer pause already set on
    the slot is kept). Requests already on the wire are not affected."""
    slot = downloader.slots.get(key)
    if slot is None or seconds <= 0:
        return
    resume = monotonic() + seconds
    if slot.lastseen >= resume:
        return
    # lastseen in the future also keeps the slot from being garbage-collected while it waits and
    # makes any download delay count from the resume time.
    slot.lastseen = resume
    if slot.latercall:
        slot.latercall.cancel()
    slot.latercall = call_later(seconds, downloader._latercall, slot)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry middleware, waiting before each retry.

    The wait is ``Retry-After`` when the answer gives one, else ``RETRY_BACKOFF_BASE`` seconds
    doubled on each retry up to ``RETRY_BACKOFF_MAX``. A ``Retry-After`` beyond
    ``RETRY_AFTER_MAX`` gives up on the URL at once: the response goes on to the spider's errback
    (counted as ``http_429``/``http_503``) and the URL is tried again on a later run. Each retried
    try is counted per source by failure kind (the run summary's ``retry_kinds``).
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware.response_downloaded, signals.response_downloaded)
        return middleware

    def response_downloaded(self, response: Response, request: Request) -> None:
        """Pause the host as soon as an answer to retry arrives: the downloader sends the slot's
        next request right after this signal, before any middleware sees the response."""
        wait = self._wait_before_retry(request, response)
        if wait is not None:
            self._wait(request, wait)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after(response.headers.get(b"Retry-After"))
        if wait is not None and wait > self.retry_after_max:
            logger.warning(
                "%s: HTTP %d asks to wait %.0f s, more than RETRY_AFTER_MAX (%.0f s); "
                "giving up on it this run",
                request.url,
                response.status,
                wait,
                self.retry_after_max,
            )
            self.crawler.stats.inc_value("retry/retry_after_too_long")
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        self._count(request, f"http_{response.status}")
        return retry

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            self._count(request, failure_kind(Failure(exception)))
            self._wait(request, self._backoff(request.meta.get("retry_times", 0)))
        return retry

    def _wait_before_retry(self, request: Request, response: Response) -> float | None:
        """How long the host waits before *response* is retried; None when it is not retried
        (not a retry code, retries used up, or a Retry-After beyond the cap)."""
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return None
        retries = request.meta.get("retry_times", 0)
        if retries >= request.meta.get("max_retry_times", self.max_retry_times):
            return None
        wait = retry_after(response.headers.get(b"Retry-After"))
        if wait is None:
            return self._backoff(retries)
        return wait if wait <= self.retry_after_max else None

    def _backoff(self, retries: int) -> float:
        """Exponential back-off: base, 2 x base, 4 x base ... at most RETRY_BACKOFF_MAX."""
        return min(self.backoff_base * 2**retries, self.backoff_max)

    def _count(self, request: Request, kind: str) -> None:
        """Count a retried try per source: the run summary's ``retry_kinds``."""
        source = request.meta.get("source")
        if source is not None:
            count_retry(self.crawler.stats, source, kind)

    def _wait(self, request: Request, seconds: float) -> None:
        key = request.meta.get(Downloader.DOWNLOAD_SLOT)
        if key is not None:
            logger.debug("waiting %.1f s before retrying %s", seconds, request.url)
            pause_slot(self.crawler.engine.downloader, key, seconds)
