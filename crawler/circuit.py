"""Per-source circuit breaking: stop spending requests on a source that keeps failing.

After ``CIRCUIT_BREAKER_FAILURES`` requests of a source in a row failed (a connection-level
failure, or HTTP 5xx/429 once retries are used up), the circuit of the source opens: its requests
waiting in the downloader and all that come later are dropped without download, each failing with
:class:`CircuitOpen` (counted as ``circuit_open``), and one warning names the source. Every
``CIRCUIT_BREAKER_COOLDOWN`` seconds one request is let through as a probe (half-open); any answer
that is not a failure closes the circuit again, so a 503 storm that passes costs the requests of
its cool-down, not the run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from time import monotonic

from scrapy import Request
from scrapy.core.downloader import Downloader
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.failures import HOST_FAILURES, CircuitOpen, failure_kind

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class _Circuit:
    failures: int = 0  # failed requests in a row
    probe_at: float | None = None  # monotonic time of the next probe; None while closed


class CircuitBreaker:
    """Consecutive-failure counts and open circuits per source (no I/O, a clock passed in)."""

    def __init__(self, threshold: int, cooldown: float) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self._circuits: dict[str, _Circuit] = {}

    def is_open(self, source: str) -> bool:
        circuit = self._circuits.get(source)
        return circuit is not None and circuit.probe_at is not None

    def allow(self, source: str, now: float) -> bool:
        """False to drop a request of *source*; True lets it through (as a probe when open)."""
        circuit = self._circuits.get(source)
        if circuit is None or circuit.probe_at is None:
            return True
        if self.cooldown <= 0 or now < circuit.probe_at:
            return False
        circuit.probe_at = now + self.cooldown  # one probe per cool-down
        return True

    def failed(self, source: str, now: float) -> bool:
        """Note a failed request; True when this failure opened the circuit."""
        circuit = self._circuits.setdefault(source, _Circuit())
        circuit.failures += 1
        if circuit.probe_at is not None:
            circuit.probe_at = now + self.cooldown  # a failed probe: wait another cool-down
            return False
        if circuit.failures >= self.threshold:
            circuit.probe_at = now + self.cooldown
            return True
        return False

    def succeeded(self, source: str) -> bool:
        """Note an answer that is not a failure; True when it closed an open circuit."""
        circuit = self._circuits.pop(source, None)
        return circuit is not None and circuit.probe_at is not None


def drop_queued(downloader: Downloader, source: str, reason: str) -> int:
    """Fail the requests of *source* that wait in the downloader's slot queues (they passed the
    middlewares before the circuit opened) with :class:`CircuitOpen`; return how many."""
    dropped = []
    for slot in downloader.slots.values():
        keep = [entry for entry in slot.queue if entry[0].meta.get("source") != source]
        if len(keep) < len(slot.queue):
            dropped += [entry for entry in slot.queue if entry[0].meta.get("source") == source]
            slot.queue.clear()
            slot.queue.extend(keep)
    for _, waiting in dropped:
        waiting.errback(Failure(CircuitOpen(reason)))
    return len(dropped)


class CircuitBreakerMiddleware:
    """Downloader middleware around :class:`CircuitBreaker`, keyed by ``request.meta["source"]``.

    Place it before (a lower number than) the retry middleware: it then sees each request's final
    outcome, after its retries.
    """

    def __init__(self, crawler: Crawler, breaker: CircuitBreaker) -> None:
        self.crawler = crawler
        self.breaker = breaker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CircuitBreakerMiddleware:
        threshold = crawler.settings.getint("CIRCUIT_BREAKER_FAILURES")
        if threshold <= 0:
            raise NotConfigured
        cooldown = crawler.settings.getfloat("CIRCUIT_BREAKER_COOLDOWN")
        return cls(crawler, CircuitBreaker(threshold, cooldown))

    def process_request(self, request: Request) -> None:
        source = request.meta.get("source")
        if source is None:
            return
        was_open = self.breaker.is_open(source)
        if not self.breaker.allow(source, monotonic()):
            raise CircuitOpen(_reason(source))
        if was_open:
            logger.info("%s: re-probing with %s", source, request.url)

    def process_response(self, request: Request, response: Response) -> Response:
        source = request.meta.get("source")
        if source is not None:
            if response.status >= 500 or response.status in (408, 429):
                self._failed(source, request, f"HTTP {response.status}")
            elif self.breaker.succeeded(source):
                logger.info("%s: answered again; circuit closed", source)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        source = request.meta.get("source")
        if source is None or isinstance(exception, IgnoreRequest):
            return
        kind = failure_kind(Failure(exception))
        if kind in HOST_FAILURES:
            self._failed(source, request, kind)

    def _failed(self, source: str, request: Request, why: str) -> None:
        if not self.breaker.failed(source, monotonic()):
            return
        self.crawler.stats.inc_value("circuit_breaker/opened")
        waiting = drop_queued(self.crawler.engine.downloader, source, _reason(source))
        again = (
            f"probing again every {self.breaker.cooldown:.0f} s"
            if self.breaker.cooldown > 0
            else "for the rest of the run"
        )
        logger.warning(
            "%s: %d requests in a row failed (last: %s on %s); dropping its requests "
            "(%d waiting and any later ones), %s",
            source,
            self.breaker.threshold,
            why,
            request.url,
            waiting,
            again,
        )


def _reason(source: str) -> str:
    return f"circuit open: {source} failed too often in a row"
