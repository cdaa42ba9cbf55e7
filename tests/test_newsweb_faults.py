"""The faulty mode of the local news web: each fault is really served, the plan's ground truth."""

from __future__ import annotations

import gzip
import http.client
import io
import socket
import tomllib
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import pytest
from lxml import etree

from crawler.discovery.listings import parse_listing
from crawler.errors import InputError
from crawler.newsweb import NewsWeb
from crawler.newsweb.faults import DEAD_SOURCE, KINDS, Fault, FaultPlan, default_plan

ARTICLE = "northwind/1386790"
STEPPE_ARTICLE = "steppe/3894150"


@pytest.fixture
def web_with(request: pytest.FixtureRequest) -> Iterator[NewsWeb]:
    """A web with the faults given by :func:`faulted`."""
    with NewsWeb(faults=FaultPlan(tuple(request.param))) as web:
        yield web


def faulted(*faults: Fault) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("web_with", [list(faults)], indirect=True)


def get(url: str, method: str = "GET") -> tuple[int, http.client.HTTPMessage, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, parts.path or "/")
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def raw(url: str, timeout: float = 10) -> socket.socket:
    """A socket that has sent a GET for ``url`` (closing the connection after the answer)."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    request = f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n"
    sock.sendall(request.encode())
    return sock


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def split_answer(answer: bytes) -> tuple[bytes, http.client.HTTPMessage, bytes]:
    """Status line, headers and body (so far) of a raw HTTP answer."""
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, _, fields = head.partition(b"\r\n")
    return status_line, http.client.parse_headers(io.BytesIO(fields + b"\r\n\r\n")), body


def only(web: NewsWeb, kind: str) -> str:
    """The one URL of the web's one fault of ``kind``."""
    (placed,) = [f for f in web.faults if f.fault.kind == kind]
    (url,) = placed.urls
    return url


# --- a healthy web stays healthy --------------------------------------------------------------


def test_a_web_without_faults_is_unchanged():
    with NewsWeb() as plain, NewsWeb(faults=FaultPlan()) as empty:
        for web in (plain, empty):
            assert web.faults == [] and web.trap_urls == set()
            assert web.good_urls == web.related_urls
            _, _, home = get(web.sites[0].url("/"))
            assert b"/faults/" not in home
            _, _, robots = get(web.sites[0].url("/robots.txt"))
            assert b"Crawl-delay" not in robots and b"/faults/" not in robots
            assert web.request_log[-1] == ("127.0.0.2", "/robots.txt")
            assert all(r.fault is None for r in web.served)


# --- HTTP errors ---------------------------------------------------------------------------------


@faulted(Fault("status", "northwind", article=ARTICLE, status=503, times=2))
def test_a_503_burst_recovers_after_its_times(web_with: NewsWeb):
    url = only(web_with, "status")
    assert [get(url)[0] for _ in range(3)] == [503, 503, 200]
    assert [r.fault for r in web_with.served] == ["status", "status", None]
    assert web_with.good_urls == web_with.related_urls  # transient: the article stays good


@faulted(Fault("status", "northwind", article=ARTICLE, status=500))
def test_a_permanent_500_spoils_its_article(web_with: NewsWeb):
    url = only(web_with, "status")
    assert [get(url)[0] for _ in range(3)] == [500, 500, 500]
    assert get(url, "HEAD")[0] == 500
    assert web_with.good_urls == web_with.related_urls - {url}


@faulted(Fault("status", "citadel", article="citadel/67596", status=429, retry_after=7, times=1))
def test_429_carries_retry_after(web_with: NewsWeb):
    url = only(web_with, "status")
    status, headers, _ = get(url)
    assert (status, headers["Retry-After"]) == (429, "7")
    assert get(url)[0] == 200


@faulted(Fault("status", "ledger", path=r"/kazakhstan-.*", status=502, times=1))
def test_a_path_regex_matches_several_pages_each_with_its_own_times(web_with: NewsWeb):
    (placed,) = web_with.faults
    assert len(placed.urls) > 3
    assert all(urlsplit(u).path.startswith("/kazakhstan-") for u in placed.urls)
    first, second = placed.urls[:2]
    assert [get(u)[0] for u in (first, second, first, second)] == [502, 502, 200, 200]


# --- connections -------------------------------------------------------------------------------


@faulted(Fault("timeout", "northwind", hang=0.8))
def test_a_timeout_says_nothing_then_closes(web_with: NewsWeb):
    with raw(only(web_with, "timeout"), timeout=0.2) as sock:
        with pytest.raises(TimeoutError):
            sock.recv(1)
        sock.settimeout(10)
        assert read_all(sock) == b""


@faulted(Fault("slow", "ledger", article="ledger/kz-csto-intervention", chunk=500, pause=0.05))
def test_slow_drip_sends_the_whole_page_in_pieces(web_with: NewsWeb):
    url = only(web_with, "slow")
    with raw(url) as sock:
        first = sock.recv(1 << 20)
        rest = read_all(sock)
    _, headers, start = split_answer(first)
    assert len(start) <= 500  # the first piece only
    body = start + rest
    assert len(body) == int(headers["Content-Length"]) and body.rstrip().endswith(b"</html>")


@faulted(Fault("reset", "citadel", times=1))
def test_a_reset_aborts_mid_response(web_with: NewsWeb):
    with raw(only(web_with, "reset")) as sock, pytest.raises(ConnectionResetError):
        read_all(sock)


@faulted(Fault("truncate", "steppe", article="steppe/3896044"))
def test_a_truncated_body_is_shorter_than_announced(web_with: NewsWeb):
    with raw(only(web_with, "truncate")) as sock:
        answer = read_all(sock)
    status_line, headers, body = split_answer(answer)
    assert status_line.startswith(b"HTTP/1.1 200 ")
    assert 0 < len(body) < int(headers["Content-Length"])


def test_the_dead_host_refuses_connections(tmp_path: Path):
    with NewsWeb(faults=FaultPlan((Fault("dead_host"),))) as web:
        url = only(web, "dead_host")
        sources = tomllib.loads(web.write_sources(tmp_path / "s.toml").read_text("utf-8"))
        assert {"name": DEAD_SOURCE, "url": url} in sources["sources"]
        assert url in web.trap_urls
        parts = urlsplit(url)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((parts.hostname, parts.port), timeout=5)


# --- redirects ---------------------------------------------------------------------------------


@faulted(Fault("redirect", "meridian", article="meridian/csto-troops-leave", hops=3))
def test_a_redirect_chain_ends_at_the_article(web_with: NewsWeb):
    target = urlsplit(web_with.url_for("meridian/csto-troops-leave")).path
    url, locations = only(web_with, "redirect"), []
    base = url.rsplit(urlsplit(url).path, 1)[0]
    while True:
        status, headers, _ = get(url)
        if status != 302:
            break
        locations.append(headers["Location"])
        url = base + headers["Location"]
    assert status == 200 and len(locations) == 3 and locations[-1] == target


@faulted(Fault("redirect_loop", "crescent"))
def test_a_redirect_loop_comes_back(web_with: NewsWeb):
    url = only(web_with, "redirect_loop")
    path = urlsplit(url).path
    _, first, _ = get(url)
    _, second, _ = get(url.replace(path, first["Location"]))
    assert first["Location"] != path and second["Location"] == path


# --- content -----------------------------------------------------------------------------------


@faulted(
    Fault("charset", "steppe", article=STEPPE_ARTICLE, label="utf-8"),
    Fault("charset", "steppe", article="steppe/3893718", label=""),
)
def test_charsets_lie_or_are_missing(web_with: NewsWeb):
    lying, missing = (p.urls[0] for p in web_with.faults)
    for url, content_type in ((lying, "text/html; charset=utf-8"), (missing, "text/html")):
        status, headers, body = get(url)
        assert (status, headers["Content-Type"]) == (200, content_type)
        assert b"charset" not in body.lower()  # no <meta> to tell the truth either
        title = next(a.title for a in web_with.articles if a.url == url)
        assert title in body.decode("windows-1251")
    assert web_with.good_urls == web_with.related_urls  # the pages still arrive whole


@faulted(
    Fault("charset", "127.0.0.2", path="/rss/v2.xml", encoding="utf-16", label="utf-8"),
    Fault("status", "northwind", path="/rss/.*", status=500),  # the first matching rule answers
)
def test_a_rule_names_its_site_by_host_and_the_first_match_answers(web_with: NewsWeb):
    status, headers, body = get(web_with.sites[0].url("/rss/v2.xml"))
    assert status == 200 and headers["Content-Type"].endswith("xml; charset=utf-8")
    assert body.startswith(b"\xff\xfe") and "<rss" in body.decode("utf-16")


@faulted(
    Fault("binary", "ledger", content_type="application/pdf"),
    Fault("binary", "ledger", content_type="text/html; charset=utf-8"),
)
def test_binary_content_at_article_like_urls(web_with: NewsWeb):
    pdf, png = (p.urls[0] for p in web_with.faults)
    status, headers, body = get(pdf)
    assert (status, headers["Content-Type"]) == (200, "application/pdf")
    assert body.startswith(b"%PDF-") and b"\x00" not in body[:8]
    status, headers, body = get(png)
    assert headers["Content-Type"].startswith("text/html") and body.startswith(b"\x89PNG")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


@faulted(Fault("gzip_bomb", "citadel"), Fault("gzip_bomb", "steppe", size=5_000_000))
def test_a_gzip_bomb_is_small_on_the_wire_and_huge_inflated(web_with: NewsWeb):
    big, small = (p.urls[0] for p in web_with.faults)
    status, headers, _ = get(big, "HEAD")
    assert (status, headers["Content-Encoding"]) == (200, "gzip")
    assert int(headers["Content-Length"]) < 2_000_000  # 1 GiB of zeros inflated
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    with raw(big) as sock:
        answer = b""
        while len(answer) < 100_000:
            answer += sock.recv(1 << 16)
    inflated = inflater.decompress(split_answer(answer)[2])
    assert len(inflated) > 50_000_000 and not inflated.strip(b"\x00")
    _, _, body = get(small)
    assert gzip.decompress(body) == bytes(5_000_000)  # a valid gzip stream, CRC included


@faulted(Fault("huge", "steppe"), Fault("huge", "ledger", size=3_000_001))
def test_a_huge_page_is_streamed_with_its_length(web_with: NewsWeb):
    default, small = (p.urls[0] for p in web_with.faults)
    status, headers, _ = get(default, "HEAD")
    assert (status, int(headers["Content-Length"])) == (200, 50 * 1024 * 1024)
    status, headers, body = get(small)
    assert len(body) == int(headers["Content-Length"]) == 3_000_001
    assert body.startswith(b"<!DOCTYPE html>") and body.endswith(b"</html>")


# --- sitemaps ----------------------------------------------------------------------------------

SITEMAP_TRAPS = faulted(
    Fault("bad_xml", "northwind"),
    Fault("xml_bomb", "citadel"),
    Fault("xxe", "steppe"),
    Fault("huge_sitemap", "ledger", size=2_000_000),
    Fault("huge_sitemap", "meridian"),
)


@SITEMAP_TRAPS
def test_sitemap_traps_are_announced_in_the_sources_file(web_with: NewsWeb, tmp_path: Path):
    sources = tomllib.loads(web_with.write_sources(tmp_path / "s.toml").read_text("utf-8"))
    announced = {s["name"]: s.get("sitemaps", []) for s in sources["sources"]}
    for placed in web_with.faults:
        assert placed.urls[0] in announced[placed.source]
        assert placed.urls[0] in web_with.trap_urls
    assert announced["Meridian Wire"][0].endswith("/sitemap-index.xml")  # real ones stay first


@SITEMAP_TRAPS
def test_malformed_and_hostile_sitemaps(web_with: NewsWeb):
    bad, bomb, xxe, small, big = (p.urls[0] for p in web_with.faults)
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(get(bad)[2])
    assert b'<!ENTITY lol9 "&lol8;&lol8;' in get(bomb)[2]
    assert b'<!ENTITY xxe SYSTEM "file:///etc/passwd">' in get(xxe)[2]
    _, headers, body = get(small)
    assert "Content-Length" not in headers and headers["Connection"] == "close"
    assert len(body) == 2_000_000 and body.endswith(b"</urlset>\n")
    assert etree.fromstring(body).tag.endswith("urlset")
    with raw(big) as sock:
        received = 0
        while received < 5_000_000 and (chunk := sock.recv(1 << 20)):
            received += len(chunk)
    assert received >= 5_000_000  # streamed: 100 MB by default


# --- robots.txt and discovery -------------------------------------------------------------------


@faulted(Fault("robots_disallow", "northwind"), Fault("crawl_delay", "crescent", delay=2))
def test_robots_txt_disallows_a_trap_and_asks_for_a_delay(web_with: NewsWeb):
    trap = only(web_with, "robots_disallow")
    robots = {}
    for site in web_with.sites[0], web_with.sites[4]:
        robots[site.key] = RobotFileParser()
        robots[site.key].parse(get(site.url("/robots.txt"))[2].decode().splitlines())
    assert not robots["northwind"].can_fetch("*", trap)
    assert robots["crescent"].crawl_delay("*") == 2
    for info in web_with.articles:  # the real articles' rules are as before
        site = next(s.key for s in web_with.sites if s.name == info.site)
        if site in robots:
            assert robots[site].can_fetch("*", info.url) is not info.disallowed


@faulted(
    Fault("timeout", "northwind"),
    Fault("robots_disallow", "northwind"),
    Fault("redirect", "northwind", article=ARTICLE),
    Fault("bad_xml", "northwind"),
)
def test_page_traps_are_linked_from_the_home_page_as_articles(web_with: NewsWeb):
    home = web_with.sites[0].url("/")
    found = {c.url for c in parse_listing(get(home)[2].decode(), home).articles}
    pages = {p.urls[0] for p in web_with.faults if p.fault.kind != "bad_xml"}
    assert pages <= found
    assert not {p.urls[0] for p in web_with.faults} - pages & found  # sitemaps: not linked


def test_the_request_log_records_time_and_fault():
    with NewsWeb(faults=FaultPlan((Fault("status", "northwind", article=ARTICLE, times=1),))) as w:
        url = only(w, "status")
        get(url)
        get(url)
        first, second = w.served[-2:]
        assert (first.fault, second.fault) == ("status", None)
        assert first.path == second.path == urlsplit(url).path
        assert first.at <= second.at
        assert w.request_log[-2:] == [(first.host, first.path)] * 2


# --- plans ---------------------------------------------------------------------------------------


def test_the_default_plan_has_every_kind_on_every_site():
    plan = default_plan(hang=5)
    assert {f.kind for f in plan.faults} == set(KINDS)
    with NewsWeb(faults=plan) as web:
        assert {p.source for p in web.faults} == {s.name for s in web.sites} | {DEAD_SOURCE}
        assert all(f.hang == 5 for f in plan.faults if f.kind == "timeout")
        assert web.good_urls == web.related_urls  # only transient faults on real articles
        on_articles = {u for p in web.faults if not p.trap and p.fault.kind != "crawl_delay"
                       for u in p.urls}  # fmt: skip
        assert on_articles <= web.related_urls
        assert not web.trap_urls & {a.url for a in web.articles}


def test_a_plan_reads_from_toml(tmp_path: Path):
    path = tmp_path / "faults.toml"
    path.write_text(
        '[[faults]]\nkind = "status"\nsite = "northwind"\narticle = "northwind/1386790"\n'
        "status = 429\nretry_after = 3\ntimes = 1\n\n"
        '[[faults]]\nkind = "slow"\nsite = "ledger"\npath = "/kazakhstan-.*"\npause = 0.1\n\n'
        '[[faults]]\nkind = "dead_host"\n',
        encoding="utf-8",
    )
    plan = FaultPlan.from_toml(path)
    assert plan.faults == (
        Fault("status", "northwind", article=ARTICLE, status=429, retry_after=3, times=1),
        Fault("slow", "ledger", path="/kazakhstan-.*", pause=0.1),
        Fault("dead_host"),
    )
    assert (plan + FaultPlan()).faults == plan.faults


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[faults]]\nkind = "fire"\nsite = "ledger"', "unknown kind 'fire'"),
        ('[[faults]]\nkind = "slow"', "slow needs a 'site'"),
        ('[[faults]]\nkind = "slow"\nsite = "ledger"\nspeed = 1', "unknown key 'speed'"),
        ('[[faults]]\nkind = "slow"\nsite = "ledger"\ntimes = "2"', "'times' has the wrong type"),
        ('[[faults]]\nkind = "slow"\nsite = "ledger"\npath = "("', "bad path regex"),
        ('[[faults]]\nkind = "xxe"\nsite = "ledger"\npath = "/x"', "sits on a URL of its own"),
        ('[[faults]]\nkind = "slow"\nsite = "ledger"\ntimes = 0', "'times' must be at least 1"),
        ('[[faults]]\nkind = "status"\nsite = "ledger"\nstatus = 200', "HTTP error status"),
        ('[[faults]]\nkind = "huge"\nsite = "ledger"\nsize = 10', "'size' must be 0"),
        ('[[faults]]\nkind = "charset"\nsite = "x"\nencoding = "no-such"', "unknown encoding"),
        ("fault = 1", "unknown top-level key 'fault'"),
        ("faults = 1", "must be an array of tables"),
        ("[[faults]", "cannot read the fault plan"),
    ],
)
def test_a_bad_plan_file_is_one_clear_error(tmp_path: Path, text: str, problem: str):
    path = tmp_path / "faults.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        FaultPlan.from_toml(path)
    assert str(error.value).startswith(str(path)) and problem in str(error.value)


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        (Fault("slow", "gazette"), "no site 'gazette'"),
        (Fault("slow", "ledger", article="ledger/nope"), "no article 'ledger/nope'"),
        (Fault("slow", "ledger", article=ARTICLE), "is not on 'ledger'"),
    ],
)
def test_a_plan_that_does_not_fit_the_web_is_refused(fault: Fault, problem: str):
    with pytest.raises(InputError, match=problem):
        NewsWeb(faults=FaultPlan((fault,)))
