"""Per-source circuit breaking: a source failing again and again stops costing requests."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.core.downloader import Slot
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
)
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler.circuit import CircuitBreaker, CircuitBreakerMiddleware
from crawler.failures import CircuitOpen
from tests.faultkit import FaultServer, page, probe, status

# --- the breaker itself (a clock passed in) ---------------------------------------------------


def test_opens_after_threshold_failures_in_a_row() -> None:
    breaker = CircuitBreaker(threshold=3, cooldown=60)
    assert [breaker.failed("S", now=0) for _ in range(3)] == [False, False, True]
    assert not breaker.allow("S", now=1)
    assert breaker.allow("Other", now=1)


def test_a_success_resets_the_count() -> None:
    breaker = CircuitBreaker(threshold=3, cooldown=60)
    breaker.failed("S", now=0)
    breaker.failed("S", now=0)
    assert breaker.succeeded("S") is False  # it was not open
    breaker.failed("S", now=0)
    breaker.failed("S", now=0)
    assert breaker.allow("S", now=0)


def test_half_open_lets_one_probe_through_per_cooldown() -> None:
    breaker = CircuitBreaker(threshold=1, cooldown=10)
    assert breaker.failed("S", now=0)
    assert not breaker.allow("S", now=9)
    assert breaker.allow("S", now=10)  # the probe
    assert not breaker.allow("S", now=11)  # one probe at a time
    assert breaker.failed("S", now=12) is False  # a failed probe: still open, no new warning
    assert not breaker.allow("S", now=21)
    assert breaker.allow("S", now=22)
    assert breaker.succeeded("S") is True  # the probe answered: closed
    assert breaker.allow("S", now=23)


def test_zero_cooldown_never_probes() -> None:
    breaker = CircuitBreaker(threshold=1, cooldown=0)
    breaker.failed("S", now=0)
    assert not breaker.allow("S", now=10**6)


# --- the downloader middleware -----------------------------------------------------------------


@pytest.fixture
def slot() -> Slot:
    return Slot(concurrency=1, delay=0)


@pytest.fixture
def middleware(slot: Slot) -> CircuitBreakerMiddleware:
    crawler = get_crawler(settings_dict={"CIRCUIT_BREAKER_FAILURES": 3})
    crawler.stats.open_spider()
    crawler.engine = SimpleNamespace(downloader=SimpleNamespace(slots={"host": slot}))
    return CircuitBreakerMiddleware.from_crawler(crawler)


def _request(source: str | None = "S", url: str = "http://127.0.0.1/x") -> Request:
    return Request(url, meta={"source": source} if source else {})


def _answer(middleware: CircuitBreakerMiddleware, code: int, source: str = "S") -> None:
    request = _request(source)
    middleware.process_response(request, Response(request.url, status=code))


def test_middleware_drops_requests_once_open(
    middleware: CircuitBreakerMiddleware, caplog: pytest.LogCaptureFixture
) -> None:
    for code in (503, 500, 429):
        middleware.process_request(_request())
        _answer(middleware, code)
    with pytest.raises(CircuitOpen, match="S"):
        middleware.process_request(_request())
    middleware.process_request(_request("Other"))
    middleware.process_request(_request(None))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].getMessage().startswith("S: 3 requests in a row failed")


def test_opening_fails_the_sources_requests_waiting_in_the_downloader(
    middleware: CircuitBreakerMiddleware, slot: Slot
) -> None:
    waiting = {source: (_request(source), Deferred()) for source in ("S", "Other")}
    slot.queue.extend(waiting.values())
    failures: list[Failure] = []
    waiting["S"][1].addErrback(failures.append)
    for _ in range(3):
        _answer(middleware, 503)
    assert list(slot.queue) == [waiting["Other"]]
    (failure,) = failures
    assert isinstance(failure.value, CircuitOpen)
    assert not waiting["Other"][1].called


def test_middleware_counts_host_failures_only(middleware: CircuitBreakerMiddleware) -> None:
    for exception in (IgnoreRequest("robots"), DownloadCancelledError("too big")) * 3:
        middleware.process_exception(_request(), exception)
    _answer(middleware, 404)
    middleware.process_request(_request())  # not open
    for _ in range(3):
        middleware.process_exception(_request(), DownloadTimeoutError("slow"))
    with pytest.raises(CircuitOpen):
        middleware.process_request(_request())


def test_middleware_success_resets(middleware: CircuitBreakerMiddleware) -> None:
    for code in (503, 503, 200, 503, 503):
        _answer(middleware, code)
    middleware.process_request(_request())


def test_disabled_with_zero_failures() -> None:
    with pytest.raises(NotConfigured):
        CircuitBreakerMiddleware.from_crawler(
            get_crawler(settings_dict={"CIRCUIT_BREAKER_FAILURES": 0})
        )


# --- in a crawl ---------------------------------------------------------------------------------


def test_open_circuit_drops_the_sources_waiting_requests(tmp_path: Path) -> None:
    down = FaultServer("127.0.0.28", {f"/d{n}": status(500) for n in range(12)})
    healthy = FaultServer("127.0.0.29", {f"/h{n}": page() for n in range(5)})
    try:
        result = probe(
            tmp_path,
            [(down.url(f"/d{n}"), "Down") for n in range(12)]
            + [(healthy.url(f"/h{n}"), "Healthy") for n in range(5)],
            # a download delay makes the host's requests wait their turn in the downloader
            {"RETRY_TIMES": 0, "CIRCUIT_BREAKER_FAILURES": 3, "DOWNLOAD_DELAY": 0.05},
        )
    finally:
        down.close()
        healthy.close()
    kinds = [result.kind(down.url(f"/d{n}")) for n in range(12)]
    assert kinds.count("http_500") >= 3
    assert kinds.count("circuit_open") >= 12 - 4  # at most one more was already on its way
    assert kinds.count("http_500") + kinds.count("circuit_open") == 12
    assert len(down.hits) == kinds.count("http_500") <= 4
    assert all(result.kind(healthy.url(f"/h{n}")) == "ok_200" for n in range(5))
    warnings = [line for line in result.log.splitlines() if "dropping its requests" in line]
    assert len(warnings) == 1
    assert "Down: 3 requests in a row failed" in warnings[0]
