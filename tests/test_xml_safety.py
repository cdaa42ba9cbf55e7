"""The feed and sitemap readers refuse entity expansion and external entities: no blow-up, no
file or network read, one clear error naming the URL."""

from __future__ import annotations

import gzip
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from crawler.discovery import DiscoveryError
from crawler.discovery.feeds import parse_feed
from crawler.discovery.sitemaps import parse_sitemap
from crawler.discovery.xmlsafety import declares_entities
from tests.faultkit import ROOT, FaultServer, send

URL = "http://news.example/feed.xml"
LAUGHS = "".join(
    f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' if n else '<!ENTITY l0 "lol">' for n in range(10)
)
# one 100 kB entity referenced 3,000 times: 300 MB once expanded (the "quadratic blow-up")
QUADRATIC_ENTITY = '<!ENTITY a "' + "x" * 100_000 + '">'
QUADRATIC_USE = "&a;" * 3000
PASSWD = Path("/etc/passwd").read_text("utf-8", "replace")


def rss(doctype: str, title: str, *, declaration: str = '<?xml version="1.0"?>') -> str:
    return (
        f'{declaration}\n{doctype}\n<rss version="2.0"><channel><title>t</title><item>'
        f"<title>{title}</title><description>{title}</description>"
        "<link>http://news.example/a/1</link></item></channel></rss>"
    )


def urlset(doctype: str, loc: str) -> str:
    xmlns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<urlset xmlns="{xmlns}">'
        f"<url><loc>{loc}</loc><lastmod>{loc}</lastmod></url></urlset>"
    )


@pytest.fixture(scope="module")
def dtd_server() -> Iterator[FaultServer]:
    """Serves an external DTD and entity: a reader that fetches them leaves a hit here."""
    evil = b'<!ENTITY leak SYSTEM "file:///etc/passwd">'
    server = FaultServer(
        "127.0.0.30",
        {
            "/evil.dtd": lambda h: send(h, 200, evil, "application/xml-dtd"),
            "/text": lambda h: send(h, 200, b"FETCHED-FROM-NETWORK", "text/plain"),
        },
    )
    yield server
    server.close()


def _hostile(dtd: FaultServer) -> dict[str, tuple[str, str]]:
    """name -> (DOCTYPE, text using its entities)"""
    return {
        "billion_laughs": (f"<!DOCTYPE r [{LAUGHS}]>", "&l9;"),
        "quadratic": (f"<!DOCTYPE r [\n{QUADRATIC_ENTITY}\n]>", QUADRATIC_USE),
        "xxe_file": ('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;"),
        "xxe_http": (f'<!DOCTYPE r [<!ENTITY x SYSTEM "{dtd.url("/text")}">]>', "&x;"),
        "parameter": (
            f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{dtd.url("/evil.dtd")}"> %p;]>',
            "&leak;",
        ),
        "one_line": ('<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]>', "&b;"),
    }


def _peak_mib(call: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        call()
    except DiscoveryError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 2**20


NAMES = ["billion_laughs", "quadratic", "xxe_file", "xxe_http", "parameter", "one_line"]


@pytest.mark.parametrize("name", NAMES)
def test_feed_with_entity_declarations_is_refused(dtd_server: FaultServer, name: str) -> None:
    doctype, text = _hostile(dtd_server)[name]
    body = rss(doctype, text).encode()
    with pytest.raises(DiscoveryError, match="feed declares XML entities") as error:
        parse_feed(body, URL)
    assert str(error.value).startswith(URL)
    assert "\n" not in str(error.value)
    assert not dtd_server.hits


@pytest.mark.parametrize("name", NAMES)
def test_sitemap_with_entity_declarations_is_refused(dtd_server: FaultServer, name: str) -> None:
    doctype, text = _hostile(dtd_server)[name]
    for body in (urlset(doctype, text).encode(), gzip.compress(urlset(doctype, text).encode())):
        with pytest.raises(DiscoveryError, match="sitemap declares XML entities") as error:
            parse_sitemap(body, URL)
        assert str(error.value).startswith(URL)
    assert not dtd_server.hits


@pytest.mark.parametrize("reader", [parse_feed, parse_sitemap])
def test_expansion_bombs_cost_no_memory(reader: Callable[[bytes, str], object]) -> None:
    make = rss if reader is parse_feed else urlset
    quadratic = make(f"<!DOCTYPE r [\n{QUADRATIC_ENTITY}\n]>", QUADRATIC_USE).encode()
    laughs = make(f"<!DOCTYPE r [{LAUGHS}]>", "&l9;" * 100).encode()
    for body in (quadratic, laughs):
        assert _peak_mib(lambda b=body: reader(b, URL)) < 16  # expanded: 300 MB and 3 GB


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-7", "cp037"]
)
def test_entities_hidden_by_the_encoding_are_found(encoding: str) -> None:
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>'
    doc = rss('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;")
    body = doc.replace('<?xml version="1.0"?>', declaration).encode(encoding)
    if encoding == "cp037":
        assert not declares_entities(body)  # not visible in the bytes...
    with pytest.raises(DiscoveryError, match="declares XML entities"):
        parse_feed(body, URL)  # ...but in the text feedparser would read


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rss SYSTEM "file:///etc/passwd">',
        '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "{dtd}">',
    ],
)
def test_external_dtds_are_not_read(dtd_server: FaultServer, doctype: str) -> None:
    doctype = doctype.format(dtd=dtd_server.url("/evil.dtd"))
    candidates = parse_feed(rss(doctype, "Summit &amp; talks").encode(), URL)
    assert [c.title for c in candidates] == ["Summit & talks"]
    sitemap = parse_sitemap(urlset(doctype, "http://news.example/a/1").encode(), URL)
    assert [c.url for c in sitemap.candidates] == ["http://news.example/a/1"]
    texts = [c.title + c.snippet for c in candidates] + [c.url for c in sitemap.candidates]
    assert not any(line and line in text for line in PASSWD.splitlines() for text in texts)
    assert not dtd_server.hits


def test_gzip_sitemap_is_inflated_only_up_to_the_limit() -> None:
    bomb = gzip.compress(b" " * (64 << 20))
    with pytest.raises(DiscoveryError, match="inflates beyond"):
        parse_sitemap(bomb, URL, max_size=1 << 20)
    assert _peak_mib(lambda: parse_sitemap(bomb, URL, max_size=1 << 20)) < 8


def test_bombs_do_not_hang_a_fresh_process() -> None:
    """The same documents in a clean interpreter, with a generous limit as a hang guard."""
    script = f"""
from crawler.discovery import DiscoveryError
from crawler.discovery.feeds import parse_feed
from crawler.discovery.sitemaps import parse_sitemap
for reader, body in [
    (parse_feed, {rss(f"<!DOCTYPE r [{LAUGHS}]>", "&l9;" * 1000).encode()!r}),
    (parse_sitemap, {urlset(f"<!DOCTYPE r [{LAUGHS}]>", "&l9;" * 1000).encode()!r}),
]:
    try:
        reader(body, "http://x/")
    except DiscoveryError as exc:
        print(exc)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("declares XML entities") == 2
