"""The local news web: every site on its own loopback host, served from background threads."""

from __future__ import annotations

import hashlib
import socket
import sys
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from crawler.errors import InputError
from crawler.newsweb.content import Article, load_corpus
from crawler.newsweb.faults import TRAP_PREFIX, FaultPlan, FaultSet, PlacedFault
from crawler.newsweb.site import Response, Site
from crawler.newsweb.sites import SITE_CLASSES
from crawler.newsweb.sources import sources_toml

_SAME_PORT_TRIES = 20


@dataclass(frozen=True)
class Served:
    """One request as the web saw it: ``at`` is ``time.monotonic()`` when it arrived, ``fault``
    the kind of fault it was answered with (None: served normally)."""

    at: float
    host: str
    path: str
    fault: str | None


@dataclass(frozen=True)
class ArticleInfo:
    """Ground truth about one served article.

    ``site`` is the site's name; ``syndicated_of`` the canonical URL of the original a copy
    republishes; ``disallowed`` is true when the site's robots.txt forbids the URL.
    """

    url: str
    site: str
    title: str
    related: bool
    syndicated_of: str | None
    disallowed: bool
    published: date


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str, port: int, site: Site, web: NewsWeb) -> None:
        super().__init__((host, port), _Handler)
        self.site = site
        self.web = web

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up mid-answer (a cancelled download) is no error of the web's."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 30  # close idle keep-alive connections

    def do_GET(self) -> None:
        self._serve(with_body=True)

    def do_HEAD(self) -> None:
        self._serve(with_body=False)

    def _serve(self, with_body: bool) -> None:
        web, site = self.server.web, self.server.site
        path = urlsplit(self.path).path
        met = web.fault_set.match(site.key, path) if web.fault_set else None
        web._log(self.server.server_address[0], self.path, met[0].kind if met else None)
        if web.fault_set and met:

            def page() -> tuple[int, str, bytes]:
                trap = path.startswith(TRAP_PREFIX)
                answer = site.not_found() if trap else site.handle(self.path)
                return answer.status, answer.content_type, answer.body

            fault, location = met
            web.fault_set.serve(self, fault, location, page, with_body)
            return
        response = site.handle(self.path)
        if web.fault_set:
            body = web.fault_set.rewrite(site.key, path, response.status, response.body)
            response = Response(response.status, response.content_type, body)
        etag = f'"{hashlib.sha1(response.body).hexdigest()[:16]}"'
        if response.status == 200 and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        if response.status == 200:
            self.send_header("ETag", etag)
        self.end_headers()
        if with_body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test and benchmark output quiet; the request log records requests."""


class NewsWeb:
    """Start all sites on 127.0.0.<first_host>, <first_host + 1>, ... (same port when possible)."""

    def __init__(
        self,
        first_host: int = 2,
        port: int = 0,
        hidden: Collection[str] = (),
        faults: FaultPlan | None = None,
    ) -> None:
        """``hidden``: keys (``"<site>/<id>"``) of articles held back until :meth:`publish`;
        ``faults``: the faulty mode (:mod:`crawler.newsweb.faults`), placed when serving starts."""
        last = 255 - len(SITE_CLASSES)
        if not 1 <= first_host <= last:
            raise InputError("first_host", f"{first_host} is not between 1 and {last}")
        if not 0 <= port <= 65535:
            raise InputError("port", f"{port} is not between 0 and 65535")
        self._lock = threading.Lock()
        self._requests: list[Served] = []
        self._urls: dict[str, str] = {}
        corpus = load_corpus()
        unknown = sorted(set(hidden) - corpus.by_key.keys())
        if unknown:
            raise InputError("hidden", f"no article {unknown[0]!r}")
        corpus.hidden = set(hidden)
        self._corpus = corpus
        self.sites: list[Site] = [cls(corpus, self._url_of) for cls in SITE_CLASSES]
        hosts = [f"127.0.0.{first_host + i}" for i in range(len(self.sites))]
        self._servers = self._bind(hosts, port)
        for site, server in zip(self.sites, self._servers, strict=True):
            site.base_url = f"http://{server.server_address[0]}:{server.server_address[1]}/"
        self._urls = {
            a.key: s.article_url(a)
            for s in self.sites
            for a in corpus.for_site(s.key, include_hidden=True)
        }
        self.articles = [self._info(s, a) for s in self.sites for a in s.articles]
        try:
            self.fault_set = self._place(faults, first_host) if faults and faults.faults else None
        except InputError:
            for server in self._servers:
                server.server_close()
            raise
        self._threads = [
            threading.Thread(target=srv.serve_forever, name=f"newsweb-{site.key}", daemon=True)
            for site, srv in zip(self.sites, self._servers, strict=True)
        ]
        for thread in self._threads:
            thread.start()

    def _bind(self, hosts: list[str], port: int) -> list[_Server]:
        """Bind every host to one port number if possible, else each to its own free port."""
        for _ in range(_SAME_PORT_TRIES if port == 0 else 1):
            servers: list[_Server] = []
            try:
                for site, host in zip(self.sites, hosts, strict=True):
                    wanted = servers[0].server_address[1] if servers else port
                    servers.append(_Server(host, wanted, site, self))
                return servers
            except OSError:
                for server in servers:
                    server.server_close()
        return [_Server(host, 0, site, self) for site, host in zip(self.sites, hosts, strict=True)]

    def _place(self, plan: FaultPlan, first_host: int) -> FaultSet:
        paths = {key: (key.split("/", 1)[0], urlsplit(url).path) for key, url in self._urls.items()}
        dead = _closed_port_url(f"127.0.0.{first_host + len(self.sites)}")
        return FaultSet(plan, {s.key: s for s in self.sites}, paths, dead)

    def publish(self, *keys: str) -> list[ArticleInfo]:
        """Put held-back articles on their sites (feeds, sitemaps, listings); return them."""
        with self._lock:
            self._corpus.hidden -= set(keys)
            for site in self.sites:
                site.refresh()
            self.articles = [self._info(s, a) for s in self.sites for a in s.articles]
        return [info for info in self.articles if info.url in {self._urls[k] for k in keys}]

    def url_for(self, key: str) -> str:
        """The canonical URL of the article ``"<site>/<id>"`` (published or held back)."""
        if key not in self._urls:
            raise InputError("article", f"no article {key!r}")
        return self._urls[key]

    def _url_of(self, article: Article) -> str:
        return self._urls[article.key]

    def _info(self, site: Site, article: Article) -> ArticleInfo:
        original = article.syndicated_of
        copied = self._urls[site.corpus.resolve(site.key, original).key] if original else None
        return ArticleInfo(
            url=site.article_url(article),
            site=site.name,
            title=article.title,
            related=article.related,
            syndicated_of=copied,
            disallowed=site.disallowed(article),
            published=article.published.date(),
        )

    def _log(self, host: str, path: str, fault: str | None) -> None:
        with self._lock:
            self._requests.append(Served(time.monotonic(), host, path, fault))

    @property
    def request_log(self) -> list[tuple[str, str]]:
        """(host IP, path with query) of every request served so far, in order."""
        with self._lock:
            return [(r.host, r.path) for r in self._requests]

    @property
    def served(self) -> list[Served]:
        """Every request so far, in order of arrival, with its time and the fault it met."""
        with self._lock:
            return list(self._requests)

    @property
    def faults(self) -> list[PlacedFault]:
        """Where each fault of the plan sits (empty for a healthy web)."""
        return self.fault_set.placed if self.fault_set else []

    @property
    def trap_urls(self) -> set[str]:
        """URLs the faults added (traps, redirect aliases, the dead host): never stored."""
        return {url for f in self.faults if f.trap for url in f.urls}

    @property
    def good_urls(self) -> set[str]:
        """Related articles a correct crawler stores: :attr:`related_urls` except the pages a
        permanent fault keeps from ever arriving whole."""
        spoiled = self.fault_set.spoiled_urls() if self.fault_set else set()
        return self.related_urls - spoiled

    @property
    def related_urls(self) -> set[str]:
        """Canonical URLs of related articles a polite crawler may fetch."""
        return {a.url for a in self.articles if a.related and not a.disallowed}

    @property
    def unrelated_urls(self) -> set[str]:
        return {a.url for a in self.articles if not a.related}

    def write_sources(self, path: str | Path) -> Path:
        """Write the sources TOML describing this web's entry points."""
        target = Path(path)
        text = sources_toml(self.sites)
        if self.fault_set:
            text = self.fault_set.sources(text)
        target.write_text(text, encoding="utf-8")
        return target

    def stop(self) -> None:
        """Stop serving and free the ports."""
        if self.fault_set:
            self.fault_set.stopping.set()  # wake hanging and dripping answers
        stoppers = [threading.Thread(target=server.shutdown) for server in self._servers]
        for stopper in stoppers:  # each waits up to half a second: all at once, not in turn
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for server in self._servers:
            server.server_close()
        for thread in self._threads:
            thread.join()
        self._servers, self._threads = [], []

    def __enter__(self) -> NewsWeb:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _closed_port_url(host: str) -> str:
    """A URL on ``host`` at a port nothing listens on (one the system just handed out)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    return f"http://{host}:{port}/"
