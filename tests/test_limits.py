"""Size and time limits for news pages: oversized bodies, gzip bombs and slow drips are cut off
while downloading, not read whole into memory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scrapy.utils.project import get_project_settings

from tests.faultkit import (
    FaultServer,
    ProbeResult,
    drip,
    gzip_bomb,
    huge,
    make_gzip_bomb,
    probe,
)

MiB = 1 << 20


def test_limits_suit_news_pages() -> None:
    settings = get_project_settings()
    assert 2 * MiB <= settings.getint("DOWNLOAD_MAXSIZE") <= 32 * MiB
    assert settings.getint("DOWNLOAD_WARNSIZE") < settings.getint("DOWNLOAD_MAXSIZE")
    assert 10 <= settings.getint("DOWNLOAD_TIMEOUT") <= 60
    assert 3 <= settings.getint("REDIRECT_MAX_TIMES") <= 10
    assert settings.getbool("DOWNLOAD_FAIL_ON_DATALOSS")
    assert settings.getfloat("RETRY_AFTER_MAX") <= 300
    assert settings.getint("CIRCUIT_BREAKER_FAILURES") > 0


def test_scrapys_middlewares_are_replaced_by_ours() -> None:
    middlewares = get_project_settings().getdict("DOWNLOADER_MIDDLEWARES")
    for scrapys, ours in [
        (
            "scrapy.downloadermiddlewares.retry.RetryMiddleware",
            "crawler.retry.BackoffRetryMiddleware",
        ),
        (
            "scrapy.downloadermiddlewares.redirect.RedirectMiddleware",
            "crawler.middlewares.CountedRedirectMiddleware",
        ),
        (
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware",
            "crawler.middlewares.CountedMetaRefreshMiddleware",
        ),
    ]:
        assert middlewares[scrapys] is None
        assert middlewares[ours] is not None
    circuit = middlewares["crawler.circuit.CircuitBreakerMiddleware"]
    assert circuit < middlewares["crawler.retry.BackoffRetryMiddleware"]  # sees final outcomes


@pytest.fixture(scope="module")
def oversized(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[FaultServer, ProbeResult]]:
    server = FaultServer(
        "127.0.0.31",
        {
            "/page-50mb": huge(50 * MiB, content_length=True),
            "/page-50mb-unannounced": huge(50 * MiB, content_length=False),
            "/sitemap-100mb.xml": huge(100 * MiB, content_length=False, content_type="text/xml"),
            "/bomb-1gb": gzip_bomb(make_gzip_bomb(1 << 30)),
            "/drip": drip(1000, 0.2),
        },
    )
    try:
        # the project's own limits, except a short timeout for the drip
        result = probe(
            tmp_path_factory.mktemp("limits"),
            [(server.url(path), "S") for path in server.routes],
            {"DOWNLOAD_TIMEOUT": 3, "RETRY_TIMES": 0},
        )
        yield server, result
    finally:
        server.close()


@pytest.mark.parametrize(
    ("path", "total"),
    [
        ("/page-50mb", 50 * MiB),
        ("/page-50mb-unannounced", 50 * MiB),
        ("/sitemap-100mb.xml", 100 * MiB),
    ],
)
def test_oversized_bodies_are_cut_off_while_downloading(
    oversized: tuple[FaultServer, ProbeResult], path: str, total: int
) -> None:
    server, result = oversized
    assert result.kind(server.url(path)) == "too_large"
    assert server.sent[path] < total // 2  # the crawler hung up long before the end


def test_gzip_bomb_is_inflated_no_further_than_the_limit(
    oversized: tuple[FaultServer, ProbeResult],
) -> None:
    server, result = oversized
    assert result.kind(server.url("/bomb-1gb")) == "too_large"
    assert result.maxrss_kb < 600 * 1024  # the whole gigabyte would need 1,000 MiB and more


def test_slow_drip_is_bounded_by_the_download_timeout(
    oversized: tuple[FaultServer, ProbeResult],
) -> None:
    server, result = oversized
    assert result.kind(server.url("/drip")) == "timeout"
