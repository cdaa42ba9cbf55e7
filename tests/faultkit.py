"""A tiny loopback HTTP server with faulty routes, and a probe crawl that records each request's
outcome (its failure kind, as the spider would count it) through the project's settings.

``python -m tests.faultkit PLAN OUT`` runs the probe crawl: PLAN is a JSON file
``{"requests": [{"url", "source"}...], "settings": {...}}``; OUT receives
``{"outcomes": {url: {...}}, "stats": {...}, "maxrss_kb": n}`` (a redirected request's outcome
under the URL first requested).
"""

from __future__ import annotations

import json
import os
import resource
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
Route = Callable[["Handler"], None]
CHUNK = 64 * 1024


@dataclass
class Hit:
    path: str
    at: float  # monotonic time the server received the request


@dataclass
class FaultServer:
    """Serves ``routes`` (path -> handler function) on ``host``; records every request."""

    host: str
    routes: dict[str, Route]
    hits: list[Hit] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=dict)  # bytes of body written, per path

    def __post_init__(self) -> None:
        server = self

        class _Handler(Handler):
            owner = server

        self._httpd = ThreadingHTTPServer((self.host, 0), _Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def times(self, path: str) -> list[float]:
        return [hit.at for hit in self.hits if hit.path == path]

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class Handler(BaseHTTPRequestHandler):
    owner: FaultServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.owner.hits.append(Hit(self.path, time.monotonic()))
        route = self.owner.routes.get(self.path)
        if route is None:
            send(self, 404, b"not found")
        else:
            route(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def stream(self, total: int, chunk: bytes = b" " * CHUNK) -> None:
        """Write ``total`` body bytes, counting what got out before the client hung up."""
        written = 0
        try:
            while written < total:
                piece = chunk[: total - written]
                self.wfile.write(piece)
                written += len(piece)
        except OSError:
            pass
        finally:
            self.owner.sent[self.path] = written
            self.close_connection = True


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def page(body: bytes = b"<html><body><p>fine</p></body></html>") -> Route:
    return lambda h: send(h, 200, body)


def status(code: int, headers: dict[str, str] | None = None) -> Route:
    return lambda h: send(h, code, b"<html><body>error</body></html>", headers=headers)


def redirect(target: str) -> Route:
    return lambda h: send(h, 302, b"", headers={"Location": target})


def sequence(*routes: Route) -> Route:
    """The n-th request gets ``routes[n]`` (the last one from then on)."""
    served = 0
    lock = threading.Lock()

    def route(h: Handler) -> None:
        nonlocal served
        with lock:
            current = routes[min(served, len(routes) - 1)]
            served += 1
        current(h)

    return route


def hang(seconds: float) -> Route:
    def route(h: Handler) -> None:
        time.sleep(seconds)
        h.close_connection = True

    return route


def drip(total: int, every: float) -> Route:
    """Announce ``total`` bytes, then send one byte every ``every`` seconds."""

    def route(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(total))
        h.end_headers()
        try:
            for _ in range(total):
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(every)
        except OSError:
            h.close_connection = True

    return route


def _half_body(h: Handler, total: int) -> None:
    """Answer 200 announcing ``total`` bytes and send half of them."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(total))
    h.end_headers()
    h.wfile.write(b" " * (total // 2))


def truncate(total: int) -> Route:
    """Announce ``total`` bytes, send half, close."""

    def route(h: Handler) -> None:
        _half_body(h, total)
        h.close_connection = True

    return route


def reset(total: int) -> Route:
    """Announce ``total`` bytes, send half, then reset the connection (RST)."""

    def route(h: Handler) -> None:
        _half_body(h, total)
        h.wfile.flush()
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
        h.close_connection = True

    return route


def hang_up(*, rst: bool) -> Route:
    """Read the request, answer nothing, close the connection (with a reset when ``rst``)."""

    def route(h: Handler) -> None:
        if rst:
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
        h.close_connection = True

    return route


def huge(total: int, *, content_length: bool, content_type: str = "text/html") -> Route:
    def route(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        if content_length:
            h.send_header("Content-Length", str(total))
        else:
            h.send_header("Connection", "close")
        h.end_headers()
        h.stream(total)

    return route


def gzip_bomb(compressed: bytes) -> Route:
    return lambda h: send(h, 200, compressed, headers={"Content-Encoding": "gzip"})


def make_gzip_bomb(size: int) -> bytes:
    """Gzip data inflating to ``size`` zero bytes, built without holding them in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    zeros = bytes(1 << 20)
    parts = [compressor.compress(zeros) for _ in range(size // len(zeros))]
    parts.append(compressor.flush())
    return b"".join(parts)


def closed_port(host: str) -> int:
    """A port on ``host`` nobody listens on."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@dataclass
class ProbeResult:
    outcomes: dict[str, dict[str, Any]]
    stats: dict[str, Any]
    maxrss_kb: int
    log: str

    def kind(self, url: str) -> str:
        outcome = self.outcomes[url]
        return outcome.get("kind") or f"ok_{outcome['status']}"


FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": False,
    "LOG_LEVEL": "INFO",
    "RETRY_BACKOFF_BASE": 0.1,
}


def probe(
    tmp_path: Path,
    requests: list[tuple[str, str]],
    settings: dict[str, Any] | None = None,
    timeout: float = 300,
) -> ProbeResult:
    """Crawl ``(url, source)`` pairs in a subprocess with the project's settings (plus FAST and
    ``settings``) and return what happened to each URL."""
    hosts = sorted({url.split("/")[2].split(":")[0] for url, _ in requests})
    plan = {
        "requests": [{"url": url, "source": source} for url, source in requests],
        "settings": {
            **FAST,
            "DATA_DIR": str(tmp_path / "data"),
            "SOURCES_FILE": str(tmp_path / "no-sources.toml"),
            "ALLOWED_HOSTS": hosts,
            **(settings or {}),
        },
    }
    plan_file, out_file = tmp_path / "plan.json", tmp_path / "out.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "tests.faultkit", str(plan_file), str(out_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out_file.read_text("utf-8"))
    return ProbeResult(result["outcomes"], result["stats"], result["maxrss_kb"], done.stderr)


def _run(plan_file: str, out_file: str) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import TextResponse
    from scrapy.utils.project import get_project_settings
    from twisted.python.failure import Failure

    from crawler.failures import failure_kind

    plan = json.loads(Path(plan_file).read_text("utf-8"))
    outcomes: dict[str, dict[str, Any]] = {}

    class ProbeSpider(scrapy.Spider):
        name = "probe"

        async def start(self) -> Iterator[Any]:  # type: ignore[override]
            for number, item in enumerate(plan["requests"]):
                yield scrapy.Request(
                    item["url"],
                    callback=self.ok,
                    errback=self.failed,
                    meta={"source": item["source"]},
                    priority=-number,  # in plan order
                    dont_filter=True,
                )

        def ok(self, response: scrapy.http.Response) -> None:
            request = response.request
            outcomes[request.meta.get("redirect_urls", [request.url])[0]] = {
                "status": response.status,
                "text": isinstance(response, TextResponse),
                "size": len(response.body),
            }

        def failed(self, failure: Failure) -> None:
            request = failure.request  # type: ignore[attr-defined]
            first_url = request.meta.get("redirect_urls", [request.url])[0]
            outcomes[first_url] = {
                "kind": failure_kind(failure),
                "error": failure.getErrorMessage(),
            }

    settings = get_project_settings()
    settings.setdict(plan["settings"], priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ProbeSpider)
    process.crawl(crawler)
    process.start()
    stats = {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, int | float | str)}
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    Path(out_file).write_text(
        json.dumps({"outcomes": outcomes, "stats": stats, "maxrss_kb": maxrss}), encoding="utf-8"
    )


if __name__ == "__main__":
    _run(sys.argv[1], sys.argv[2])
