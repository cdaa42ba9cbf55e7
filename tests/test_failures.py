"""Every fault ends as a failure of a named kind, counted per source in the run summary."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from twisted.python.failure import Failure

from crawler.failures import CircuitOpen, RedirectLoop, TooManyRedirects, failure_kind
from tests.conftest import crawl
from tests.faultkit import (
    FaultServer,
    ProbeResult,
    closed_port,
    gzip_bomb,
    hang,
    hang_up,
    huge,
    make_gzip_bomb,
    page,
    probe,
    redirect,
    reset,
    send,
    status,
    truncate,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(2000)


def _png(handler: object) -> None:
    send(handler, 200, PNG, "image/png")  # type: ignore[arg-type]


def _faulty_routes(prefix: str = "") -> dict[str, object]:
    return {
        f"{prefix}/ok": page(),
        f"{prefix}/500": status(500),
        f"{prefix}/503": status(503),
        f"{prefix}/429": status(429, {"Retry-After": "1"}),
        f"{prefix}/hang": hang(6),
        f"{prefix}/truncated": truncate(20000),
        f"{prefix}/reset": reset(20000),
        f"{prefix}/reset-at-once": hang_up(rst=True),
        f"{prefix}/no-answer": hang_up(rst=False),
        f"{prefix}/loop-a": redirect(f"{prefix}/loop-b"),
        f"{prefix}/loop-b": redirect(f"{prefix}/loop-a"),
        **{f"{prefix}/chain-{i}": redirect(f"{prefix}/chain-{i + 1}") for i in range(12)},
        f"{prefix}/huge": huge(50 << 20, content_length=True),
        f"{prefix}/bomb": gzip_bomb(make_gzip_bomb(64 << 20)),
        f"{prefix}/png": _png,
    }


EXPECTED = {
    "/ok": "ok_200",
    "/500": "http_500",
    "/503": "http_503",
    "/429": "http_429",
    "/hang": "timeout",
    "/truncated": "truncated",
    "/reset": "connection_lost",  # half the announced body, then a reset
    "/reset-at-once": "connection_lost",
    "/no-answer": "connection_lost",
    "/loop-a": "redirect_loop",
    "/chain-0": "too_many_redirects",
    "/huge": "too_large",
    "/bomb": "too_large",
    "/png": "ok_200",
}


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FaultServer, ProbeResult]]:
    server = FaultServer("127.0.0.21", _faulty_routes())  # type: ignore[arg-type]
    dead = f"http://127.0.0.21:{closed_port('127.0.0.21')}/"
    try:
        result = probe(
            tmp_path_factory.mktemp("kinds"),
            [(server.url(path), "Faulty") for path in EXPECTED] + [(dead, "Dead")],
            {"DOWNLOAD_TIMEOUT": 2, "RETRY_TIMES": 1, "CIRCUIT_BREAKER_FAILURES": 0},
        )
        result.outcomes["dead"] = result.outcomes.pop(dead)
        yield server, result
    finally:
        server.close()


@pytest.mark.parametrize(("path", "kind"), EXPECTED.items())
def test_each_fault_has_its_kind(faulty: tuple[FaultServer, ProbeResult], path: str, kind: str):
    server, result = faulty
    assert result.kind(server.url(path)) == kind, result.outcomes[server.url(path)]


def test_dead_host_is_connection_refused(faulty: tuple[FaultServer, ProbeResult]) -> None:
    assert faulty[1].kind("dead") == "connection_refused"


def test_binary_body_is_not_text(faulty: tuple[FaultServer, ProbeResult]) -> None:
    server, result = faulty
    assert result.outcomes[server.url("/png")]["text"] is False


def test_transient_failures_are_retried_permanent_ones_not(
    faulty: tuple[FaultServer, ProbeResult],
) -> None:
    server, _ = faulty
    for path in ("/503", "/hang", "/truncated"):
        assert len(server.times(path)) == 2, path  # RETRY_TIMES = 1
    for path in ("/huge", "/bomb", "/png"):
        assert len(server.times(path)) == 1, path


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (CircuitOpen("circuit open: X"), "circuit_open"),
        (RedirectLoop("loop"), "redirect_loop"),
        (TooManyRedirects("chain"), "too_many_redirects"),
        (DownloadCancelledError(""), "too_large"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots"),
        (IgnoreRequest("something else"), "ignored"),
    ],
)
def test_failure_kind_of_dropped_requests(exc: Exception, kind: str) -> None:
    failure = Failure(exc)
    failure.request = Request("http://example.org/")  # type: ignore[attr-defined]
    assert failure_kind(failure) == kind


LOL = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<rss version="2.0"><channel><title>t</title><item><title>&d;</title>
<link>http://127.0.0.23/news/1</link></item></channel></rss>"""
XXE_SITEMAP = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&xxe;</loc></url></urlset>"""


def _sitemap(urls: list[str]) -> bytes:
    items = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    xmlns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    return f'<?xml version="1.0"?><urlset xmlns="{xmlns}">{items}</urlset>'.encode()


def test_run_summary_counts_every_fault_by_kind_and_source(tmp_path: Path) -> None:
    faulty_paths = ["/news/503", "/news/429", "/news/hang", "/news/truncated", "/news/loop-a"]
    faulty_paths += ["/news/chain-0", "/news/huge", "/news/bomb", "/news/png"]
    routes = _faulty_routes("/news")
    routes["/news/429"] = status(429, {"Retry-After": "3600"})  # beyond RETRY_AFTER_MAX
    faulty = FaultServer("127.0.0.22", routes)  # type: ignore[arg-type]
    faulty.routes["/"] = page()
    faulty.routes["/sitemap.xml"] = lambda h: send(
        h, 200, _sitemap([faulty.url(p) for p in faulty_paths]), "application/xml"
    )
    bombs = FaultServer(
        "127.0.0.23",
        {
            "/": page(),
            "/feed.xml": lambda h: send(h, 200, LOL, "application/rss+xml"),
            "/sitemap.xml": lambda h: send(h, 200, XXE_SITEMAP, "application/xml"),
        },
    )
    storm = FaultServer("127.0.0.24", {})
    storm.routes.update({f"/{name}": status(503) for name in ("", "f1", "f2", "s1", "s2", "l1")})
    storm.routes.update({f"/l{n}": status(503) for n in range(2, 9)})
    dead_port = closed_port("127.0.0.25")
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f"""
[[sources]]
name = "Faulty"
url = "{faulty.url("/")}"
sitemaps = ["{faulty.url("/sitemap.xml")}"]

[[sources]]
name = "Bombs"
url = "{bombs.url("/")}"
feeds = ["{bombs.url("/feed.xml")}"]
sitemaps = ["{bombs.url("/sitemap.xml")}"]

[[sources]]
name = "Storm"
url = "{storm.url("/")}"
feeds = ["{storm.url("/f1")}", "{storm.url("/f2")}"]
sitemaps = ["{storm.url("/s1")}", "{storm.url("/s2")}"]
listings = {json.dumps([storm.url(f"/l{n}") for n in range(1, 9)])}

[[sources]]
name = "Dead"
url = "http://127.0.0.25:{dead_port}/"
""",
        encoding="utf-8",
    )
    data = tmp_path / "data"
    try:
        done = crawl(
            data,
            sources,
            settings={
                "DOWNLOAD_TIMEOUT": "2",
                "RETRY_TIMES": "1",
                "RETRY_BACKOFF_BASE": "0.1",
                "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
                # with no delay at all Scrapy sends a host's queued requests at once
                "DOWNLOAD_DELAY": "0.05",
            },
        )
    finally:
        for server in (faulty, bombs, storm):
            server.close()
    assert done.returncode == 0, done.stderr[-3000:]
    (summary_file,) = (data / "runs").glob("*.json")
    summary = json.loads(summary_file.read_text("utf-8"))
    assert summary["finish_reason"] == "finished"
    rows = summary["sources"]
    assert rows["Faulty"]["error_kinds"] == {
        "http_503": 1,
        "http_429": 1,
        "timeout": 1,
        "truncated": 1,
        "redirect_loop": 1,
        "too_many_redirects": 1,
        "too_large": 2,
    }
    assert rows["Faulty"]["retry_kinds"] == {"http_503": 1, "timeout": 1, "truncated": 1}
    assert rows["Faulty"]["not_article"] >= 1  # the PNG at an article URL
    assert len(faulty.times("/news/429")) == 1  # Retry-After: 3600 is not waited for
    assert rows["Bombs"]["error_kinds"] == {"unreadable_entry_point": 2}
    assert rows["Dead"]["error_kinds"] == {"connection_refused": 1}
    storm_kinds = rows["Storm"]["error_kinds"]
    assert storm_kinds["http_503"] >= 5  # CIRCUIT_BREAKER_FAILURES
    assert storm_kinds["circuit_open"] >= 1
    assert sum(storm_kinds.values()) == 13  # every entry point accounted for
    assert len([h for h in storm.hits if h.path != "/robots.txt"]) < 13 * 2
    warnings = [line for line in done.stderr.splitlines() if "dropping its requests" in line]
    assert len(warnings) == 1 and "Storm" in warnings[0]
    assert "root:" not in done.stderr + (data / "corpus.jsonl").read_text("utf-8")


def test_meta_refresh_loop_is_counted_and_self_refresh_kept(tmp_path: Path) -> None:
    def refresh(target: str, text: str = "") -> object:
        body = f'<html><head><meta http-equiv="refresh" content="5; url={target}"></head>'
        return page(f"{body}<body><p>{text}</p></body></html>".encode())

    server = FaultServer(
        "127.0.0.21",
        {"/m1": refresh("/m2"), "/m2": refresh("/m1"), "/front": refresh("/front", "front")},
    )
    try:
        result = probe(tmp_path, [(server.url("/m1"), "S"), (server.url("/front"), "S")])
    finally:
        server.close()
    assert result.kind(server.url("/m1")) == "redirect_loop"
    assert result.kind(server.url("/front")) == "ok_200"
    assert len(server.times("/front")) == 1
