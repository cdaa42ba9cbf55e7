"""End to end: ``scrapy crawl related`` against the faulty local web: every fault kind at once
(:func:`default_plan`), and storms of transient faults over whole sites (``STORMS``).

Ground truth: the related articles a crawl of the healthy web stores must all be stored once more,
each exactly once, whatever the faults; no trap is stored; every permanent fault is counted under
its source in the run summary; waits the web asked for (Retry-After, Crawl-delay) are respected,
checked as lower bounds on the web's own request timestamps.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler import settings
from crawler.newsweb import NewsWeb
from crawler.newsweb.faults import TRAP_PREFIX, Fault, FaultPlan, PlacedFault, default_plan
from crawler.newsweb.server import Served
from tests.conftest import corpus, crawl_args, run_scrapy, stories

HANG = 6.0  # a timeout fault says nothing this long...
DOWNLOAD_TIMEOUT = 3  # ...and the crawler gives up on a download after this long
CRAWL_TIMEOUT = 240  # the crawl must end on its own well before this

# What the run summary counts for each permanent fault: an error kind (under
# sources.<source>.error_kinds) or a per-source counter (sources.<source>.<counter>).
ERROR_KINDS = {
    "timeout": "timeout",
    "reset": "connection_lost",
    "truncate": "truncated",
    "gzip_bomb": "too_large",
    "huge": "too_large",
    "huge_sitemap": "too_large",
    "bad_xml": "unreadable_entry_point",
    "xml_bomb": "unreadable_entry_point",
    "xxe": "unreadable_entry_point",
    "redirect_loop": "redirect_loop",
    "dead_host": "connection_refused",
}
COUNTERS = {
    "binary": ("not_article", "extraction_failed"),
    "robots_disallow": ("robots_disallowed",),
}
# What a request that failed once and then succeeded on retry failed with.
TRANSIENT_KINDS = {"timeout": "timeout", "reset": "connection_lost", "truncate": "truncated"}


@dataclass
class FaultyRun:
    web: NewsWeb
    records: list[dict[str, Any]]
    summary: dict[str, Any]
    clean: list[dict[str, Any]]  # the records of a crawl of the healthy web...
    healthy: NewsWeb  # ...this one (same hosts and paths, another port)


def _summary(data: Path) -> dict[str, Any]:
    (path,) = (data / "runs").glob("*.json")
    return json.loads(path.read_text("utf-8"))


@pytest.fixture(scope="module")
def clean(newsweb: NewsWeb, web_sources: Path, tmp_path_factory: pytest.TempPathFactory):
    """The records of a crawl of the healthy web."""
    data = tmp_path_factory.mktemp("clean")
    result = run_scrapy(*crawl_args(data, web_sources), timeout=CRAWL_TIMEOUT)
    assert result.returncode == 0, result.stderr[-3000:]
    return corpus(data)


def _crawl(plan: FaultPlan, tmp: Path, clean: list[dict[str, Any]], healthy: NewsWeb):
    with NewsWeb(faults=plan) as web:
        sources = web.write_sources(tmp / "sources.toml")
        args = crawl_args(
            tmp / "data", sources, settings={"DOWNLOAD_TIMEOUT": str(DOWNLOAD_TIMEOUT)}
        )
        result = run_scrapy(*args, timeout=CRAWL_TIMEOUT)
        assert result.returncode == 0, result.stderr[-3000:]
        yield FaultyRun(web, corpus(tmp / "data"), _summary(tmp / "data"), clean, healthy)


@pytest.fixture(scope="module")
def run(newsweb: NewsWeb, clean, tmp_path_factory: pytest.TempPathFactory):
    """A crawl of the web with :func:`default_plan`: every kind of fault."""
    yield from _crawl(default_plan(hang=HANG), tmp_path_factory.mktemp("faults"), clean, newsweb)


# Every page of a site meeting the same fault: the first request of each path fails, or every
# answer drips or lies about its charset.
STORMS = FaultPlan(
    (
        Fault("status", "northwind", path=r"/[a-z]+/\d+", status=503, times=1),
        Fault("timeout", "citadel", path=r"/events/all/feed", hang=HANG, times=1),  # its probe
        Fault("reset", "steppe", path=r"/en/.*_a\d+", times=1),
        Fault("slow", "ledger", path=r"/[a-z0-9-]*", chunk=4096, pause=0.02),
        Fault("charset", "crescent", path=r"/en/.*", label=""),
        Fault("truncate", "meridian", path=r"/world/.*", times=1),
    )
)


@pytest.fixture(scope="module")
def storm(newsweb: NewsWeb, clean, tmp_path_factory: pytest.TempPathFactory):
    yield from _crawl(STORMS, tmp_path_factory.mktemp("storms"), clean, newsweb)


def _key(url: str) -> tuple[str, str]:
    """A URL without its port: the healthy and the faulty web share hosts, not ports."""
    parts = urlsplit(url)
    return parts.hostname or "", parts.path


def _requests(web: NewsWeb, url: str) -> list[Served]:
    host, path = _key(url)
    return [r for r in web.served if r.host == host and urlsplit(r.path).path == path]


def _faults(run: FaultyRun, trap: bool) -> list[PlacedFault]:
    return [f for f in run.web.faults if f.trap is trap]


# --- the crawl ends, nothing good is lost, nothing is stored twice ----------------------------


def test_the_crawl_finishes_on_its_own(run: FaultyRun):
    assert run.summary["finish_reason"] == "finished"
    assert run.records[0]["is_seed"]


@pytest.mark.parametrize("crawled", ["run", "storm"])
def test_every_good_article_is_stored_exactly_once(crawled: str, request: pytest.FixtureRequest):
    run: FaultyRun = request.getfixturevalue(crawled)
    assert run.summary["finish_reason"] == "finished"
    found_when_healthy = {_key(u) for u in stories(run.clean[1:], run.healthy)}
    good = {_key(u) for u in run.web.good_urls}
    assert found_when_healthy <= good  # the faults spoil no article for good
    stored = Counter(_key(u) for u in stories(run.records[1:], run.web))
    assert not found_when_healthy - stored.keys(), sorted(found_when_healthy - stored.keys())
    assert stored.keys() <= good, sorted(stored.keys() - good)
    assert max(stored.values()) == 1
    for field in ("id", "url", "canonical_url", "content_hash"):
        values = [r[field] for r in run.records]
        assert len(values) == len(set(values)), field


def test_every_storm_hits_its_whole_site(storm: FaultyRun):
    hosts = {site.key: _key(site.base_url)[0] for site in storm.web.sites}
    for placed in storm.web.faults:
        host = hosts[placed.fault.site]
        paths = {r.path for r in storm.web.served if r.host == host and r.fault}
        assert len(paths) >= (5 if placed.urls else 1), (placed.fault, paths)  # feed: 1


def test_no_trap_is_stored(run: FaultyRun):
    traps = {_key(u) for u in run.web.trap_urls}
    for record in run.records:
        for field in ("url", "canonical_url"):
            assert _key(record[field]) not in traps, record[field]
            assert not urlsplit(record[field]).path.startswith(TRAP_PREFIX), record[field]
    assert "Dead Host" not in {r.get("source") for r in run.records}


def test_articles_under_transient_faults_are_stored_after_the_fault(run: FaultyRun):
    stored = {_key(r["canonical_url"]) for r in run.records}
    for placed in _faults(run, trap=False):
        if placed.fault.kind == "crawl_delay":
            continue
        (url,) = placed.urls
        log = _requests(run.web, url)
        met = [r for r in log if r.fault == placed.fault.kind]
        assert met, f"{placed.fault.kind} on {url} never served"
        if placed.fault.times is not None:  # it passed: a later request got the page
            assert len(met) == placed.fault.times and log[-1].fault is None, (url, log)
        assert _key(url) in stored, f"{url} lost after {placed.fault.kind}"


def test_a_redirect_chain_is_followed_to_its_article(run: FaultyRun):
    (placed,) = [f for f in run.web.faults if f.fault.kind == "redirect"]
    hops = [r for r in run.web.served if r.fault == "redirect"]
    assert len(hops) == placed.fault.hops  # the alias and every hop, once
    assert _key(run.web.url_for(placed.fault.article or "")) in {
        _key(r["canonical_url"]) for r in run.records
    }


def test_lying_and_missing_charsets_still_give_the_right_text(run: FaultyRun):
    by_url = {_key(r["canonical_url"]): r for r in run.records}
    titles = {_key(a.url): a.title for a in run.web.articles}
    for placed in run.web.faults:
        if placed.fault.kind == "charset":
            record = by_url[_key(placed.urls[0])]
            assert record["title"] == titles[_key(placed.urls[0])]
            assert "\ufffd" not in record["title"] + record["body"]


# --- every fault counted under its source -------------------------------------------------------


def _expected_counts(run: FaultyRun) -> dict[tuple[str, str], int]:
    expected: dict[tuple[str, str], int] = defaultdict(int)
    for placed in _faults(run, trap=True):
        kind = placed.fault.kind
        if kind == "status":
            expected[(placed.source, f"errors/http_{placed.fault.status}")] += 1
        elif kind in ERROR_KINDS:
            expected[(placed.source, f"errors/{ERROR_KINDS[kind]}")] += 1
        elif kind in COUNTERS:
            expected[(placed.source, "+".join(COUNTERS[kind]))] += 1
    return expected


def _counted(row: dict[str, Any], name: str) -> int:
    if name.startswith("errors/"):
        return row["error_kinds"].get(name.removeprefix("errors/"), 0)
    return sum(row[counter] for counter in name.split("+"))


def test_every_permanent_fault_kind_is_counted_under_its_source(run: FaultyRun):
    sources = run.summary["sources"]
    missing = {
        (source, name): (_counted(sources.get(source, {}), name) if source in sources else 0, n)
        for (source, name), n in _expected_counts(run).items()
        if source not in sources or _counted(sources[source], name) < n
    }
    assert not missing, f"(source, kind): (counted, expected) {missing}"


def test_every_trap_is_met_once_per_try_and_robots_traps_never(run: FaultyRun):
    for placed in _faults(run, trap=True):
        kind, url = placed.fault.kind, placed.urls[0]
        if kind in ("dead_host", "redirect"):
            continue
        tries = _requests(run.web, url)
        if kind == "robots_disallow":
            assert not tries, url
        else:
            assert tries and all(r.fault == kind for r in tries), (kind, url)
            assert len(tries) <= settings.RETRY_TIMES + 1, (kind, url, len(tries))


def test_hostile_xml_is_never_expanded(run: FaultyRun):
    for request in run.web.served:
        assert "root:" not in request.path and "lollol" not in request.path
        assert not request.path.startswith(("/faults/xxe/", "/faults/laughs/"))


def test_failures_that_a_retry_got_past_are_counted_under_their_source(run: FaultyRun):
    sources = run.summary["sources"]
    for placed in _faults(run, trap=False):
        fault = placed.fault
        if fault.times is None:
            continue  # slow drips and charsets: not failures
        kind = f"http_{fault.status}" if fault.kind == "status" else TRANSIENT_KINDS[fault.kind]
        assert f'"{kind}"' in json.dumps(sources[placed.source]), (placed.source, kind)


# --- waits the web asked for -------------------------------------------------------------------


def test_retry_after_is_waited_for(run: FaultyRun):
    (placed,) = [f for f in run.web.faults if f.fault.retry_after]
    first, retry = _requests(run.web, placed.urls[0])[:2]
    assert first.fault == "status" and retry.fault is None
    assert retry.at - first.at >= placed.fault.retry_after


def test_crawl_delay_is_kept(run: FaultyRun):
    (placed,) = [f for f in run.web.faults if f.fault.kind == "crawl_delay"]
    host = _key(placed.urls[0])[0]
    times = [r.at for r in run.web.served if r.host == host and r.path != "/robots.txt"]
    gaps = [later - earlier for earlier, later in pairwise(times)]
    assert len(gaps) > 5 and min(gaps) >= placed.fault.delay
