"""The faulty mode of the local news web: rules that make pages fail, and how each fault is served.

A :class:`FaultPlan` is a list of :class:`Fault` rules. A rule either targets existing pages of a
site (``path`` regex or ``article`` key; ``times`` makes it transient) or, when it names neither,
puts a *trap* on a new URL the crawler discovers: page traps are linked from the site's home page,
sitemap traps are added to the site's ``sitemaps`` in the sources file. See the README for the
TOML format and :func:`default_plan` for a plan with every kind.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import tomllib
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from html import escape
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawler.errors import InputError

if TYPE_CHECKING:
    from crawler.newsweb.site import Site

# kind -> what it does; the groups below say where it may sit.
KINDS: dict[str, str] = {
    "status": "answer `status` (503) with an error page, with `Retry-After: retry_after` if set",
    "timeout": "accept the request, say nothing for `hang` seconds, then close",
    "slow": "send the page in `chunk`-byte pieces, `pause` seconds apart (it finishes)",
    "reset": "send the status line and a header, then reset the connection (TCP RST)",
    "truncate": "announce the whole page's Content-Length, send half, then close",
    "charset": "the page in `encoding`, its charset label `label` ('' = none), meta charset gone",
    "binary": "binary bytes (PDF if `content_type` names pdf, else PNG) as `content_type`",
    "gzip_bomb": "Content-Encoding: gzip, ~1 MB on the wire inflating to `size` (1 GiB) zeros",
    "huge": "an HTML page of `size` (50 MB) bytes, streamed with its Content-Length",
    "redirect": "a new URL redirecting through `hops` hops to `article` (or the home page)",
    "redirect_loop": "a new URL redirecting to a second one that redirects back to it",
    "bad_xml": "a sitemap trap that is not well-formed XML",
    "xml_bomb": "a sitemap trap with a billion-laughs entity",
    "xxe": "a sitemap trap with an external entity pointing at file:///etc/passwd",
    "huge_sitemap": "a sitemap trap of `size` (100 MB) bytes, streamed without Content-Length",
    "robots_disallow": "a linked trap URL that robots.txt disallows",
    "crawl_delay": "robots.txt asks for `delay` seconds between requests",
    "dead_host": "an extra source in the sources file whose port is closed",
}
PAGE_KINDS = frozenset(
    {"status", "timeout", "slow", "reset", "truncate", "charset", "binary", "gzip_bomb", "huge"}
)
SITEMAP_KINDS = frozenset({"bad_xml", "xml_bomb", "xxe", "huge_sitemap"})
ALIAS_KINDS = frozenset({"redirect", "redirect_loop"})  # always on a new URL
# Faults after which a page still arrives whole (when permanent, the page stays good).
HARMLESS_KINDS = frozenset({"slow", "charset"})
DEFAULT_SIZE = {"gzip_bomb": 1 << 30, "huge": 50 * 1024 * 1024, "huge_sitemap": 100 * 1024 * 1024}
MIN_SIZE = 1024  # room for the document's head and tail
TRAP_PREFIX = "/faults/"
DISALLOWED_PREFIX = "/faults/private/"
DEAD_SOURCE = "Dead Host"
_TRAP_DATE = "2022/01/10"  # a date in the path makes a trap link look like an article
_STREAM_CHUNK = 64 * 1024
Page = tuple[int, str, bytes]  # status, Content-Type, body of the normal answer
_LINKS_MARK = re.compile(rb"</body\s*>", re.IGNORECASE)
_META_CHARSET = re.compile(r"<meta\b[^>]*charset[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class Fault:
    """One rule. Parameters other than ``kind``/``site``/``path``/``article``/``times`` only
    matter to the kinds that mention them in :data:`KINDS`."""

    kind: str
    site: str = ""  # site key ("northwind"...) or host ("127.0.0.2"); unused by dead_host
    path: str | None = None  # regex matched against the whole path of existing pages
    article: str | None = None  # "<site>/<id>": that article's page (redirect: its target)
    times: int | None = None  # fault only the first N requests of each path (None: all)
    status: int = 503
    retry_after: int | None = None
    hang: float = 10.0
    chunk: int = 1024
    pause: float = 0.05
    hops: int = 3
    size: int = 0  # 0: the kind's default (DEFAULT_SIZE)
    label: str = "utf-8"
    encoding: str = "windows-1251"
    content_type: str = "application/pdf"
    delay: float = 1.0

    @property
    def is_trap(self) -> bool:
        """Whether the rule sits on a new URL of its own rather than on existing pages."""
        if self.kind in ALIAS_KINDS | SITEMAP_KINDS or self.kind == "robots_disallow":
            return True
        return self.kind in PAGE_KINDS and self.path is None and self.article is None

    @property
    def byte_size(self) -> int:
        return self.size or DEFAULT_SIZE.get(self.kind, 0)


@dataclass(frozen=True)
class FaultPlan:
    """The faults of a web; ``FaultPlan()`` is a healthy web."""

    faults: tuple[Fault, ...] = ()

    def __add__(self, other: FaultPlan) -> FaultPlan:
        return FaultPlan(self.faults + other.faults)

    @classmethod
    def from_toml(cls, path: str | Path) -> FaultPlan:
        """Read ``[[faults]]`` tables from a TOML file; InputError names the file and the rule."""
        source = Path(path)
        try:
            data = tomllib.loads(source.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(str(source), f"cannot read the fault plan: {exc}") from None
        return cls.from_mapping(data, str(source))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "faults") -> FaultPlan:
        unknown = sorted(set(data) - {"faults"})
        if unknown:
            raise InputError(where, f"unknown top-level key {unknown[0]!r} (expected [[faults]])")
        tables = data.get("faults", [])
        if not isinstance(tables, list):
            raise InputError(where, "'faults' must be an array of tables ([[faults]])")
        return cls(tuple(_fault(t, f"{where}: faults[{i}]") for i, t in enumerate(tables)))


_FIELDS = frozenset(f.name for f in fields(Fault))
_NUMBER_FIELDS = {"hang", "pause", "delay"}
_INT_FIELDS = {"times", "status", "retry_after", "chunk", "hops", "size"}


def _fault(table: Any, where: str) -> Fault:
    if not isinstance(table, dict):
        raise InputError(where, "each [[faults]] entry must be a table")
    unknown = sorted(set(table) - _FIELDS)
    if unknown:
        raise InputError(where, f"unknown key {unknown[0]!r}")
    for name, value in table.items():
        if name in _INT_FIELDS:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif name in _NUMBER_FIELDS:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        else:
            ok = isinstance(value, str)
        if not ok:
            raise InputError(where, f"{name!r} has the wrong type: {value!r}")
    if "kind" not in table:
        raise InputError(where, "'kind' is missing")
    fault = Fault(**table)
    check(fault, where)
    return fault


def check(fault: Fault, where: str) -> None:
    """Raise InputError for a rule that cannot be placed, whatever the web."""
    if fault.kind not in KINDS:
        raise InputError(where, f"unknown kind {fault.kind!r} (known: {', '.join(KINDS)})")
    if fault.kind != "dead_host" and not fault.site:
        raise InputError(where, f"{fault.kind} needs a 'site'")
    if fault.path is not None and fault.article is not None:
        raise InputError(where, "give 'path' or 'article', not both")
    if fault.path is not None:
        try:
            re.compile(fault.path)
        except re.error as exc:
            raise InputError(where, f"bad path regex {fault.path!r}: {exc}") from None
    targeted = fault.path is not None or fault.article is not None
    if targeted and fault.kind not in PAGE_KINDS and fault.kind != "redirect":
        raise InputError(where, f"{fault.kind} sits on a URL of its own: no 'path' or 'article'")
    if fault.kind == "redirect" and fault.path is not None:
        raise InputError(where, "a redirect's target is an 'article', not a 'path'")
    if fault.times is not None and fault.times < 1:
        raise InputError(where, f"'times' must be at least 1, got {fault.times}")
    if fault.kind == "status" and not 400 <= fault.status <= 599:
        raise InputError(where, f"'status' must be an HTTP error status, got {fault.status}")
    if min(fault.hang, fault.pause, fault.delay) < 0 or min(fault.chunk, fault.hops) < 1:
        raise InputError(where, "durations must be >= 0, 'chunk' and 'hops' >= 1")
    if (fault.retry_after or 0) < 0:
        raise InputError(where, "'retry_after' must be >= 0")
    if fault.size and fault.size < MIN_SIZE:
        raise InputError(where, f"'size' must be 0 (the kind's default) or >= {MIN_SIZE}")
    try:
        "".encode(fault.encoding)
    except LookupError:
        raise InputError(where, f"unknown encoding {fault.encoding!r}") from None


def default_plan(hang: float = 10.0) -> FaultPlan:
    """Every kind across the six sites. Transient faults sit on related articles a fault-free
    crawl stores (so they must still be stored); permanent ones on traps. ``hang`` must exceed
    the crawler's DOWNLOAD_TIMEOUT."""
    return FaultPlan(
        (
            # northwind: a 503 burst on an article, and traps
            Fault("status", "northwind", article="northwind/1386790", status=503, times=2),
            Fault("timeout", "northwind", hang=hang),
            Fault("status", "northwind", status=500),
            Fault("bad_xml", "northwind"),
            Fault("robots_disallow", "northwind"),
            # citadel: 429 then OK, and traps
            Fault("status", "citadel", article="citadel/67596", status=429, retry_after=2, times=1),
            Fault("reset", "citadel"),
            Fault("gzip_bomb", "citadel"),
            Fault("xml_bomb", "citadel"),
            # steppe: lying and missing charsets, one truncation; traps
            Fault("charset", "steppe", article="steppe/3894150", label="utf-8"),
            Fault("charset", "steppe", article="steppe/3893718", label=""),
            Fault("truncate", "steppe", article="steppe/3896044", times=1),
            Fault("huge", "steppe"),
            Fault("xxe", "steppe"),
            # ledger: slow drip, one reset; binary content and size traps
            Fault("slow", "ledger", article="ledger/kz-csto-intervention", chunk=2048, pause=0.05),
            Fault("reset", "ledger", article="ledger/kz-tokayev-consolidates", times=1),
            Fault("binary", "ledger", content_type="application/pdf"),
            Fault("binary", "ledger", content_type="text/html; charset=utf-8"),
            Fault("truncate", "ledger"),
            Fault("huge_sitemap", "ledger"),
            # crescent: crawl-delay, one hang on an article; a redirect loop
            Fault("crawl_delay", "crescent", delay=1.0),
            Fault("timeout", "crescent", article="crescent/22105", hang=hang, times=1),
            Fault("redirect_loop", "crescent"),
            # meridian: a redirect chain to an article, one 500 on another
            Fault("redirect", "meridian", article="meridian/csto-troops-leave", hops=3),
            Fault("status", "meridian", article="meridian/kazakh-death-toll", status=500, times=1),
            # a configured source nobody answers for
            Fault("dead_host"),
        )
    )


# --- placing a plan on a web ------------------------------------------------------------------


@dataclass(frozen=True)
class PlacedFault:
    """Where a rule sits on a running web: ``urls`` are the trap URL (redirects: the first hop),
    the articles a path/article rule matches (a path may match other pages too), the site's
    robots.txt (crawl_delay) or the dead host's home page."""

    fault: Fault
    source: str  # the source name its failures are counted under
    urls: tuple[str, ...]
    trap: bool


@dataclass
class _Rule:
    placed: PlacedFault
    site: str
    pattern: re.Pattern[str] | None  # paths it answers for (None: robots/dead-host rules)
    hops: dict[str, str] = field(default_factory=dict)  # redirect hop path -> next location
    met: Counter[str] = field(default_factory=Counter)  # path -> requests that met the fault


class FaultSet:
    """A plan placed on a web's sites: request matching and response rewriting."""

    def __init__(
        self,
        plan: FaultPlan,
        sites: Mapping[str, Site],
        article_paths: Mapping[str, tuple[str, str]],
        dead_url: str,
    ) -> None:
        """``sites``: key -> Site; ``article_paths``: article key -> (site key, path)."""
        self._lock = threading.Lock()
        self._sites = sites
        self.stopping = threading.Event()
        self.rules: list[_Rule] = []
        self.dead_url = dead_url if any(f.kind == "dead_host" for f in plan.faults) else ""
        for index, fault in enumerate(plan.faults):
            where = f"faults[{index}]"
            check(fault, where)
            self.rules.append(self._place(index, fault, where, article_paths))

    def _place(
        self, index: int, fault: Fault, where: str, article_paths: Mapping[str, tuple[str, str]]
    ) -> _Rule:
        if fault.kind == "dead_host":
            placed = PlacedFault(fault, DEAD_SOURCE, (self.dead_url,), trap=True)
            return _Rule(placed, "", None)
        key = self._site_key(fault.site, where)
        site = self._sites[key]
        target = None
        if fault.article is not None:
            if fault.article not in article_paths:
                raise InputError(where, f"no article {fault.article!r}")
            target_site, target = article_paths[fault.article]
            if target_site != key:
                raise InputError(where, f"article {fault.article!r} is not on {fault.site!r}")
        if fault.kind == "crawl_delay":
            placed = PlacedFault(fault, site.name, (site.url("/robots.txt"),), trap=False)
            return _Rule(placed, key, None)
        if not fault.is_trap:
            pattern = re.compile(re.escape(target) if target else fault.path or "")
            urls = tuple(
                site.url(p) for s, p in article_paths.values() if s == key and pattern.fullmatch(p)
            )
            placed = PlacedFault(fault, site.name, urls, trap=False)
            return _Rule(placed, key, pattern)
        path = _trap_path(index, fault)
        rule = _Rule(
            PlacedFault(fault, site.name, (site.url(path),), True),
            key,
            re.compile(re.escape(path)),
        )
        if fault.kind == "redirect":
            chain = [f"{TRAP_PREFIX}hop/{index}/{n}" for n in range(1, fault.hops)]
            for here, there in zip([path, *chain], [*chain, target or "/"], strict=True):
                rule.hops[here] = there
        elif fault.kind == "redirect_loop":
            other = f"{TRAP_PREFIX}loop/{index}"
            rule.hops = {path: other, other: path}
        return rule

    def _site_key(self, name: str, where: str) -> str:
        """The key of the site ``name`` names: its key or its host (``127.0.0.4``)."""
        if name in self._sites:
            return name
        for key, site in self._sites.items():
            if urlsplit(site.base_url).hostname == name:
                return key
        raise InputError(where, f"no site {name!r} (known: {', '.join(self._sites)})")

    # --- ground truth -------------------------------------------------------------------------

    @property
    def placed(self) -> list[PlacedFault]:
        return [rule.placed for rule in self.rules]

    def spoiled_urls(self) -> set[str]:
        """Existing pages a permanent, harmful rule keeps from ever arriving whole."""
        return {
            url
            for rule in self.rules
            if not rule.placed.trap
            and rule.placed.fault.kind in PAGE_KINDS - HARMLESS_KINDS
            and rule.placed.fault.times is None
            for url in rule.placed.urls
        }

    # --- serving ------------------------------------------------------------------------------

    def match(self, site: str, path: str) -> tuple[Fault, str] | None:
        """The rule that answers ``path`` now (using up one of its ``times`` for that path),
        with the path a redirect points to ('' for other kinds); None: serve the page normally."""
        with self._lock:
            for rule in self.rules:
                if rule.site != site or rule.pattern is None:
                    continue
                if rule.hops and path in rule.hops and not rule.pattern.fullmatch(path):
                    return rule.placed.fault, rule.hops[path]
                times = rule.placed.fault.times
                if not rule.pattern.fullmatch(path) or (times and rule.met[path] >= times):
                    continue
                rule.met[path] += 1
                return rule.placed.fault, rule.hops.get(path, "")
        return None

    def rewrite(self, site: str, path: str, status: int, body: bytes) -> bytes:
        """Add trap links to a site's home page and trap rules to its robots.txt."""
        if status != 200:
            return body
        rules = [r for r in self.rules if r.site == site and r.placed.trap]
        if path == "/":
            links = [
                (r.placed.urls[0], r.placed.fault.kind)
                for r in rules
                if r.placed.fault.kind not in SITEMAP_KINDS
            ]
            return _add_links(body, links) if links else body
        if path == "/robots.txt":
            extra = (
                [f"Disallow: {DISALLOWED_PREFIX}"]
                if any(r.placed.fault.kind == "robots_disallow" for r in rules)
                else []
            )
            extra += [
                f"Crawl-delay: {_number(r.placed.fault.delay)}"
                for r in self.rules
                if r.site == site and r.placed.fault.kind == "crawl_delay"
            ]
            return _robots_with(body.decode("utf-8"), extra).encode("utf-8") if extra else body
        return body

    def sources(self, text: str) -> str:
        """The sources TOML ``text`` with trap sitemaps announced and the dead host added."""
        tables = tomllib.loads(text)["sources"]
        by_name = {site.name: key for key, site in self._sites.items()}
        for table in tables:
            traps = [
                r.placed.urls[0]
                for r in self.rules
                if r.site == by_name.get(table["name"]) and r.placed.fault.kind in SITEMAP_KINDS
            ]
            if traps:
                table["sitemaps"] = [*table.get("sitemaps", []), *traps]
        if self.dead_url:
            tables.append({"name": DEAD_SOURCE, "url": self.dead_url})
        blocks = [
            "[[sources]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in table.items())
            for table in tables
        ]
        return "# Sources of the faulty local news web (crawler.newsweb).\n\n" + "\n".join(blocks)

    def serve(
        self,
        handler: BaseHTTPRequestHandler,
        fault: Fault,
        location: str,
        page: Callable[[], Page],
        with_body: bool,
    ) -> None:
        """Answer the request on ``handler`` with the fault; ``page()`` is the normal answer."""
        _Writer(handler, with_body, self.stopping).serve(fault, location, page)


def _trap_path(index: int, fault: Fault) -> str:
    slug = fault.kind.replace("_", "-")
    if fault.kind in SITEMAP_KINDS:
        return f"{TRAP_PREFIX}{index}-{slug}.xml"
    prefix = DISALLOWED_PREFIX if fault.kind == "robots_disallow" else TRAP_PREFIX
    return f"{prefix}{_TRAP_DATE}/{index}-{slug}-kazakhstan-csto-troops/"


def _add_links(body: bytes, links: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f'<li><a href="{escape(url)}">Kazakhstan unrest: CSTO troops and Tokayev ({kind})</a></li>'
        for url, kind in links
    )
    block = f'<ul class="more-news">{items}</ul>'.encode()
    found = list(_LINKS_MARK.finditer(body))
    at = found[-1].start() if found else len(body)
    return body[:at] + block + body[at:]


def _robots_with(text: str, extra: list[str]) -> str:
    lines = text.splitlines()
    at = next((i + 1 for i, line in enumerate(lines) if line.lower().startswith("user-agent")), 0)
    return "\n".join([*lines[:at], *extra, *lines[at:]]) + "\n"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --- writing faulty answers ---------------------------------------------------------------------


class _Writer:
    """Writes one faulty answer on a request handler's connection."""

    def __init__(
        self, handler: BaseHTTPRequestHandler, with_body: bool, stopping: threading.Event
    ) -> None:
        self.handler = handler
        self.with_body = with_body
        self.stopping = stopping

    def serve(self, fault: Fault, location: str, page: Callable[[], Page]) -> None:
        try:
            self._answer(fault, location, page)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up first: fine
            self.handler.close_connection = True

    def _answer(self, fault: Fault, location: str, page: Callable[[], Page]) -> None:
        kind = fault.kind
        if kind == "timeout":
            self.stopping.wait(fault.hang)
            self.handler.close_connection = True
        elif kind in ALIAS_KINDS:
            self.head(302, "text/html", 0, Location=location)
        elif kind == "status":
            body = f"<html><body><h1>Error {fault.status}</h1></body></html>".encode()
            extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            self.whole(fault.status, "text/html; charset=utf-8", body, **extra)
        elif kind == "binary":
            self.whole(200, fault.content_type, _binary(fault.content_type))
        elif kind == "gzip_bomb":
            size = fault.byte_size
            length = sum(len(part) for part in _gzip_zeros(size))
            self.head(200, "text/html; charset=utf-8", length, **{"Content-Encoding": "gzip"})
            self.stream(_gzip_zeros(size))
        elif kind == "huge":
            self.head(200, "text/html; charset=utf-8", fault.byte_size)
            self.stream(_huge_html(fault.byte_size))
        elif kind in SITEMAP_KINDS:
            self.sitemap(fault)
        else:
            self.page(fault, *page())

    def page(self, fault: Fault, status: int, content_type: str, body: bytes) -> None:
        """Kinds that spoil the normal answer: charset, slow, reset, truncate."""
        if fault.kind == "charset":
            declared = re.search(r"charset=([\w-]+)", content_type)
            text = body.decode(declared.group(1) if declared else "utf-8", errors="replace")
            body = _META_CHARSET.sub("", text).encode(fault.encoding, errors="xmlcharrefreplace")
            media = content_type.split(";", 1)[0].strip()
            self.whole(status, f"{media}; charset={fault.label}" if fault.label else media, body)
        elif fault.kind == "slow":
            self.head(status, content_type, len(body))
            for start in range(0, len(body) if self.with_body else 0, fault.chunk):
                if start and self.stopping.wait(fault.pause):
                    return
                self.write(body[start : start + fault.chunk])
        elif fault.kind == "reset":  # mid-headers: to the client, not a mere short body
            self.handler.send_response(status)
            self.handler.send_header("Content-Type", content_type)
            self.handler.flush_headers()
            _reset(self.handler)
        else:  # truncate
            self.head(status, content_type, len(body))
            self.write(body[: len(body) // 2])
            self.handler.close_connection = True

    def sitemap(self, fault: Fault) -> None:
        if fault.kind == "huge_sitemap":
            self.head(200, "application/xml", None)
            self.stream(_huge_sitemap(fault.byte_size))
            return
        body = {"bad_xml": _BAD_XML, "xml_bomb": _XML_BOMB, "xxe": _XXE}[fault.kind]
        self.whole(200, "application/xml", body)

    def head(self, status: int, content_type: str, length: int | None, **extra: str) -> None:
        """Status line and headers; no ``length`` means the body ends when the connection does."""
        handler = self.handler
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        if length is None:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        else:
            handler.send_header("Content-Length", str(length))
        for name, value in extra.items():
            handler.send_header(name, value)
        handler.end_headers()

    def whole(self, status: int, content_type: str, body: bytes, **extra: str) -> None:
        self.head(status, content_type, len(body), **extra)
        self.write(body)

    def write(self, data: bytes) -> None:
        if self.with_body:
            self.handler.wfile.write(data)

    def stream(self, parts: Iterator[bytes]) -> None:
        """Write a long body (the client usually hangs up part way: see :meth:`serve`)."""
        self.handler.close_connection = True
        for part in parts:
            if self.stopping.is_set() or not self.with_body:
                break
            self.handler.wfile.write(part)


def _reset(handler: BaseHTTPRequestHandler) -> None:
    """Abort the connection with a TCP RST (SO_LINGER with a zero timeout, then close)."""
    handler.close_connection = True
    connection: socket.socket = handler.connection
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.rfile.close()  # the makefile() reference would keep the socket open
    connection.close()


def _binary(content_type: str) -> bytes:
    if "pdf" in content_type.lower():
        return _PDF
    return b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64


_PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    + bytes(range(128, 256)) * 32
    + b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
_BAD_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    b"<url><loc>/faults/never-stored</loc><lastmod>2022-01-10</url>\n<url><loc"
)
_XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>/faults/laughs/&lol9;</loc><lastmod>2022-01-10</lastmod></url>
</urlset>
"""
# If the entity were expanded, the crawler would request a URL holding the file's text.
_XXE = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>/faults/xxe/2022/01/10/&xxe;</loc><lastmod>2022-01-10</lastmod></url>
</urlset>
"""


@lru_cache(maxsize=1)
def _gzip_block() -> bytes:
    """One fully flushed deflate block of 1 MiB zeros (it can follow itself any number of times)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(bytes(1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)


@lru_cache(maxsize=4)
def _zeros_crc(size: int) -> int:
    crc, zeros = 0, bytes(1 << 20)
    for start in range(0, size, len(zeros)):
        crc = zlib.crc32(zeros[: min(len(zeros), size - start)], crc)
    return crc


def _gzip_zeros(size: int) -> Iterator[bytes]:
    """A gzip stream of ``size`` zero bytes, made on the fly (the same block over and over)."""
    block = _gzip_block()
    whole, rest = divmod(size, 1 << 20)
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    for _ in range(whole):
        yield block
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    yield compressor.compress(bytes(rest)) + compressor.flush()
    yield struct.pack("<II", _zeros_crc(size), size & 0xFFFFFFFF)


def _huge_html(size: int) -> Iterator[bytes]:
    head, tail = b"<!DOCTYPE html><html><head><title>Big</title></head><body>", b"</body></html>"
    filler = b"<p>" + b"Kazakhstan CSTO filler text. " * 64 + b"</p>\n"
    yield from _sized(head, filler, tail, size)


def _huge_sitemap(size: int) -> Iterator[bytes]:
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n'
    head += b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    filler = b"".join(b"<url><loc>/faults/filler/%d</loc></url>\n" % n for n in range(400))
    yield from _sized(head, filler, b"</urlset>\n", size)


def _sized(head: bytes, filler: bytes, tail: bytes, size: int) -> Iterator[bytes]:
    """``head``, whole copies of ``filler`` padded with spaces, and ``tail``: ``size`` bytes."""
    yield head
    left = max(0, size - len(head) - len(tail))
    chunk = filler * max(1, _STREAM_CHUNK // len(filler))
    while left >= len(chunk):
        yield chunk
        left -= len(chunk)
    copies = left // len(filler)
    yield filler * copies + b" " * (left - copies * len(filler))
    yield tail
