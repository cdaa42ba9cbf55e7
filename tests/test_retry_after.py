"""Waits the web asks for: Retry-After (seconds or HTTP-date) up to RETRY_AFTER_MAX, else
exponential back-off, holding back only the host that asked; robots.txt Crawl-delay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.retry import retry_after
from tests.faultkit import FaultServer, page, probe, sequence, status

NOW = datetime(2026, 1, 10, 12, 0, 0, tzinfo=UTC)
# HTTP-date look-alikes with out-of-range fields
DATE_LIKE = (
    r"\A[A-Z][a-z]{2}, [0-9]{1,3} [A-Z][a-z]{2} [0-9]{1,6} "
    r"[0-9]{1,2}:[0-9]{2}:[0-9]{2} [A-Z+-][A-Z0-9]{0,4}\Z"
)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (b"120", 120.0),
        (b" 0 ", 0.0),
        ("Sat, 10 Jan 2026 12:00:30 GMT", 30.0),
        (b"Sat, 10 Jan 2026 11:00:00 GMT", 0.0),  # in the past
        (b"soon", None),
        (b"-5", None),
        (b"1.5", None),
        ("\u00b2", None),  # a digit to str.isdigit(), not to float()
        (None, None),
    ],
)
def test_retry_after_header(header: bytes | str | None, seconds: float | None) -> None:
    assert retry_after(header, now=NOW) == seconds


@pytest.fixture
def server() -> Iterator[FaultServer]:
    routes = {"/ok": page()}
    web = FaultServer("127.0.0.26", routes)
    yield web
    web.close()


def _gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in pairwise(times)]


def test_retry_waits_retry_after_seconds(server: FaultServer, tmp_path: Path) -> None:
    server.routes["/limited"] = sequence(status(429, {"Retry-After": "2"}), page())
    result = probe(tmp_path, [(server.url("/limited"), "S")])
    assert result.kind(server.url("/limited")) == "ok_200"
    (gap,) = _gaps(server.times("/limited"))
    assert gap >= 2.0
    assert result.stats["news/retry/http_429/S"] == 1  # the retried try, counted per source


def test_retry_waits_until_retry_after_date(server: FaultServer, tmp_path: Path) -> None:
    def limited(handler: object) -> None:
        when = format_datetime(datetime.now(UTC) + timedelta(seconds=4), usegmt=True)
        status(503, {"Retry-After": when})(handler)  # type: ignore[arg-type]

    server.routes["/busy"] = sequence(limited, page())
    result = probe(tmp_path, [(server.url("/busy"), "S")])
    assert result.kind(server.url("/busy")) == "ok_200"
    (gap,) = _gaps(server.times("/busy"))
    assert gap >= 3.0  # an HTTP-date has whole seconds


def test_exponential_backoff_without_retry_after(server: FaultServer, tmp_path: Path) -> None:
    server.routes["/flaky"] = sequence(status(503), status(502), page())
    result = probe(tmp_path, [(server.url("/flaky"), "S")], {"RETRY_BACKOFF_BASE": 1.0})
    assert result.kind(server.url("/flaky")) == "ok_200"
    first, second = _gaps(server.times("/flaky"))
    assert first >= 1.0
    assert second >= 2.0


def test_retry_after_beyond_the_cap_gives_up(server: FaultServer, tmp_path: Path) -> None:
    server.routes["/later"] = status(429, {"Retry-After": "3600"})
    result = probe(tmp_path, [(server.url("/later"), "S")])
    assert result.kind(server.url("/later")) == "http_429"
    assert len(server.times("/later")) == 1
    assert result.stats["retry/retry_after_too_long"] == 1


def test_the_wait_holds_back_only_that_host(server: FaultServer, tmp_path: Path) -> None:
    server.routes["/limited"] = sequence(status(429, {"Retry-After": "5"}), page())
    other = FaultServer("127.0.0.27", {f"/b{n}": page() for n in range(6)})
    same_host = [server.url(f"/a{n}") for n in range(3)]
    for n in range(3):
        server.routes[f"/a{n}"] = page()
    try:
        result = probe(
            tmp_path,
            [(server.url("/limited"), "A"), *((url, "A") for url in same_host)]
            + [(other.url(f"/b{n}"), "B") for n in range(6)],
            {"CONCURRENT_REQUESTS_PER_DOMAIN": 1},
        )
    finally:
        other.close()
    assert all(outcome.get("status") == 200 for outcome in result.outcomes.values())
    limited_at, retried_at = server.times("/limited")
    assert retried_at - limited_at >= 5.0
    assert max(hit.at for hit in other.hits) < retried_at  # the other host went on meanwhile
    # the host's own queue waits too
    assert all(hit.at - limited_at >= 5.0 for hit in server.hits if hit.path.startswith("/a"))


@given(st.one_of(st.binary(max_size=60), st.text(max_size=60), st.from_regex(DATE_LIKE)))
def test_retry_after_never_raises(header: bytes | str) -> None:
    seconds = retry_after(header, now=NOW)
    assert seconds is None or seconds >= 0
