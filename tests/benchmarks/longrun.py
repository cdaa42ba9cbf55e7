"""Peak memory of long runs: one big crawl and a schedule of short runs on one data directory.

Usage: python tests/benchmarks/longrun.py [--pages N] [--runs R] [--json PATH]

(a) One ``scrapy crawl related`` of N article pages (default 100,000) of the synthetic web of
``_synthweb.py``, sampling the crawl process's resident memory (``VmRSS``) every ``--interval``
seconds together with the article pages served so far: RSS at 10 % and 50 % of the pages and at
the last sample, the peak (``ru_maxrss``) and the slope of RSS per 10,000 pages after the warm-up,
next to the size of the dedup index on disk (``state.sqlite``, ``neardup.sqlite``), which may grow
with the corpus.
(b) R short crawls (default 50) into one ``DATA_DIR`` while the web publishes ``--publish`` new
articles before each run: peak RSS per run and the mean of the last five runs over the first five.

The web is ``_synthweb.py``'s, served here with the pages rendered on request (the benchmark's own
server renders all of them up front: 110 KB each, 11 GB for 100,000) and with only a prefix of
the articles published, so that runs of (b) find new ones. This script runs it in a subprocess
(``python longrun.py serve``) so that its memory is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling benchmark modules

import _synthweb as synth
from throughput import REPO, SEEDS, SETTINGS, Web, revision, scrapy_options, web_process

PUBLISH_PATH = b"/__longrun/publish/"  # + a number: publish that many more articles
WARM_UP = 0.2  # share of the pages left out of the slope
INDEX_FILES = ("state.sqlite", "neardup.sqlite")


# --- the web, rendered on request (runs in its own process) ---------------------------------------


@dataclass
class Publication:
    """All the articles that will ever exist, of which the first ``visible`` are published."""

    pages: list[synth.Page]
    visible: int

    def publish(self, count: int) -> None:
        self.visible = min(len(self.pages), self.visible + count)


class LazySite(Mapping[bytes, tuple[bytes, bool]]):
    """Path -> (HTTP response, is an article) of one host, as ``_synthweb.build_site`` makes
    them, rendered when asked for; only the published articles exist."""

    def __init__(self, host: int, base: str, web: Publication) -> None:
        self.host, self.base, self.web = host, base, web
        self.site = synth.SITE_NAMES[host % len(synth.SITE_NAMES)]
        self._numbers = [i for i, p in enumerate(web.pages) if p.host == host]
        self._index = {web.pages[i].path.encode(): k for k, i in enumerate(self._numbers)}
        self._cache: tuple[int, dict[bytes, bytes]] = (-1, {})

    def _published(self) -> list[synth.Page]:
        count = bisect.bisect_left(self._numbers, self.web.visible)
        return [self.web.pages[i] for i in self._numbers[:count]]

    def _fixed(self, visible: int) -> dict[bytes, bytes]:
        """robots.txt, the home page and the sitemaps of the current publication."""
        if self._cache[0] == visible:
            return self._cache[1]
        pages = self._published()
        html = "text/html; charset=utf-8"
        robots = f"User-agent: *\nDisallow: /search\nSitemap: {self.base}sitemap.xml\n"
        routes = {
            b"/robots.txt": synth.response(robots.encode(), "text/plain; charset=utf-8"),
            b"/": synth.response(synth.render_home(pages, self.site).encode(), html),
        }
        xml = "application/xml; charset=utf-8"
        for path, body in synth.render_sitemaps(pages, self.base, news=self.host == 3).items():
            routes[path.encode()] = synth.response(body.encode(), xml)
        self._cache = (visible, routes)
        return routes

    def get(self, path: bytes, default: Any = None) -> Any:
        if path.startswith(PUBLISH_PATH):
            self.web.publish(int(path[len(PUBLISH_PATH) :]))
            return synth.response(b"{}", "application/json"), False
        fixed = self._fixed(self.web.visible).get(path)
        if fixed is not None:
            return fixed, False
        k = self._index.get(path)
        pages = self._published()
        if k is None or k >= len(pages):
            return default
        neighbours = [pages[(k + n) % len(pages)] for n in synth.NEIGHBOURS if len(pages) > n]
        text = synth.render_article(pages[k], self.base, self.site, neighbours)
        return synth.response(text.encode(), "text/html; charset=utf-8"), True

    def __getitem__(self, path: bytes) -> tuple[bytes, bool]:
        found = self.get(path)
        if found is None:
            raise KeyError(path)
        return found

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._fixed(self.web.visible))

    def __len__(self) -> int:
        return len(self._fixed(self.web.visible))


async def serve(total: int, visible: int, announce: Callable[[dict], None]) -> None:
    sockets = synth.bind_same_port(synth.HOSTS)
    port = sockets[0].getsockname()[1]
    bases = [f"http://{host}:{port}/" for host in synth.HOSTS]
    pages = synth.make_pages(total, len(synth.HOSTS))
    web = Publication(pages, visible)
    counter = synth.HitCounter()
    servers = []
    for number, (sock, base) in enumerate(zip(sockets, bases, strict=True)):
        routes = LazySite(number, base, web)

        async def handle(
            reader: asyncio.StreamReader,
            writer: asyncio.StreamWriter,
            number: int = number,
            routes: LazySite = routes,
        ) -> None:
            await synth._serve_connection(number, routes, counter, reader, writer)  # type: ignore[arg-type]

        servers.append(await asyncio.start_server(handle, sock=sock, backlog=1024))
    announce(
        {
            "port": port,
            "bases": bases,
            "sitemaps": [f"{base}sitemap.xml" for base in bases],
            "articles": total,
            "related": sum(p.related for p in pages),
            "words": sum(len(" ".join(p.paragraphs).split()) for p in pages) // max(total, 1),
        }
    )
    await asyncio.gather(*(server.serve_forever() for server in servers))


def serve_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="longrun.py serve")
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--visible", type=int, required=True)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(args.articles, args.visible, lambda info: print(json.dumps(info), flush=True))
        )


def lazy_web(articles: int, visible: int) -> contextlib.AbstractContextManager[Web]:
    """Serve ``articles`` articles, the first ``visible`` of them published, until exit."""
    return web_process(__file__, "serve", "--articles", str(articles), "--visible", str(visible))


def publish(web: Web, count: int) -> None:
    with urllib.request.urlopen(f"{web.bases[0]}{PUBLISH_PATH.decode()[1:]}{count}", timeout=60):
        pass


# --- measuring a crawl ----------------------------------------------------------------------------


@dataclass
class Crawl:
    """One measured crawl: RSS samples (seconds, article pages served, MB) and the outcome."""

    pages: int
    peak_rss_mb: float
    wall_s: float
    exit_code: int
    stored: int
    index_mb: dict[str, float]
    samples: list[tuple[float, int, float]] = field(default_factory=list)


def rss_mb(pid: int) -> float | None:
    """The resident set size of a running process, from /proc."""
    try:
        status = Path(f"/proc/{pid}/status").read_text("ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def file_mb(data: Path, name: str) -> float:
    """A SQLite file with its write-ahead log, in MB."""
    paths = [data / name, data / f"{name}-wal"]
    return round(sum(p.stat().st_size for p in paths if p.exists()) / 2**20, 2)


def crawl(web: Web, data: Path, sources: Path, log: Path, interval: float) -> Crawl:
    """Run ``scrapy crawl related`` into ``data``, sampling its RSS every ``interval`` s."""
    web.reset()
    command = [sys.executable, "-m", "scrapy", "crawl", "related", "-s", f"SEEDS_DIR={SEEDS}",
               "-s", f"SOURCES_FILE={sources}", "-s", f"DATA_DIR={data}",
               *scrapy_options(SETTINGS)]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY_")}
    samples = []
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as errors:
        proc = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            rss = rss_mb(proc.pid)
            if rss:  # none while the process starts
                samples.append(
                    (round(time.perf_counter() - started, 1), web.stats()["article_hits"], rss)
                )
            time.sleep(interval)
    summaries = sorted((data / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime)
    totals = json.loads(summaries[-1].read_text("utf-8"))["totals"] if summaries else {}
    return Crawl(
        pages=web.stats()["article_hits"],
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
        wall_s=round(time.perf_counter() - started, 1),
        exit_code=os.waitstatus_to_exitcode(status),
        stored=totals.get("stored", 0),
        index_mb={name: file_mb(data, name) for name in INDEX_FILES},
        samples=samples,
    )


def rss_at(samples: list[tuple[float, int, float]], pages: int) -> float | None:
    """RSS of the first sample taken once ``pages`` article pages had been served."""
    return next((rss for _, served, rss in samples if served >= pages), None)


def slope_per_10k(samples: list[tuple[float, int, float]], total: int) -> float | None:
    """Least-squares MB of RSS per 10,000 pages over the samples after the warm-up."""
    points = [(served, rss) for _, served, rss in samples if served >= WARM_UP * total]
    if len({x for x, _ in points}) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    num = sum((x - mean_x) * (y - mean_y) for x, y in points)
    den = sum((x - mean_x) ** 2 for x, _ in points)
    return round(num / den * 10_000, 2)


# --- the two measurements -------------------------------------------------------------------------


def one_long_crawl(pages: int, interval: float, tmp: Path) -> dict[str, Any]:
    with lazy_web(pages, pages) as web:
        data = tmp / "long"
        result = crawl(web, data, web.write_sources(tmp / "long-sources.toml"), tmp / "long.log",
                       interval)  # fmt: skip
    served = result.pages  # the crawl may skip some: pre-fetch scores
    marks = {f"rss_at_{p}pct_mb": rss_at(result.samples, served * p // 100) for p in (10, 50)}
    return {
        "articles": pages,
        **asdict(result),
        **marks,
        "rss_at_end_mb": result.samples[-1][2] if result.samples else None,
        "slope_mb_per_10k_pages": slope_per_10k(result.samples, served),
    }


def many_short_runs(
    runs: int, initial: int, per_run: int, interval: float, tmp: Path
) -> dict[str, Any]:
    total = initial + per_run * (runs - 1)
    data = tmp / "schedule"
    results = []
    with lazy_web(total, initial) as web:
        sources = web.write_sources(tmp / "schedule-sources.toml")
        for number in range(runs):
            if number:
                publish(web, per_run)
            result = crawl(web, data, sources, tmp / f"run-{number:02d}.log", interval)
            result.samples = []  # the peak is what matters here
            results.append(result)
    head = [r.peak_rss_mb for r in results[:5]]
    tail = [r.peak_rss_mb for r in results[-5:]]
    later = [r.peak_rss_mb for r in results[1:]]  # the first run fetches the whole initial web
    return {
        "initial_articles": initial,
        "published_per_run": per_run,
        "runs": [asdict(r) for r in results],
        "first5_mean_mb": round(sum(head) / len(head), 1),
        "last5_mean_mb": round(sum(tail) / len(tail), 1),
        "last5_over_first5": round(sum(tail) / sum(head), 3),
        "later_runs_slope_mb_per_run": _slope(list(range(1, len(results))), later),
    }


def _slope(xs: list[int], ys: list[float]) -> float | None:
    if len(xs) < 2:
        return None
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mean_x) ** 2 for x in xs)
    return round(sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / den, 3)


# --- report ---------------------------------------------------------------------------------------


def report(long: dict[str, Any] | None, short: dict[str, Any] | None, code: str) -> str:
    lines = [f"Code {code}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} now.", ""]
    if long:
        index = ", ".join(f"{k} {v} MB" for k, v in long["index_mb"].items())
        lines += [
            f"(a) one crawl of {long['articles']} articles: {long['pages']} article pages "
            f"served, {long['stored']} records stored, exit {long['exit_code']}, "
            f"{long['wall_s']} s; dedup index on disk: {index}",
            "",
            "| at | RSS MB |",
            "|---|---:|",
            f"| 10 % of the pages fetched | {long['rss_at_10pct_mb']} |",
            f"| 50 % of the pages fetched | {long['rss_at_50pct_mb']} |",
            f"| last sample (end of the crawl) | {long['rss_at_end_mb']} |",
            f"| peak (ru_maxrss) | {long['peak_rss_mb']} |",
            f"| slope after {WARM_UP:.0%} of the pages, MB per 10,000 pages "
            f"| {long['slope_mb_per_10k_pages']} |",
            "",
        ]
    if short:
        lines += [
            f"(b) {len(short['runs'])} runs into one DATA_DIR: {short['initial_articles']} "
            f"articles at first, {short['published_per_run']} published before each later run",
            "",
            "| run | article pages | stored | peak RSS MB | state.sqlite MB | neardup.sqlite MB "
            "| exit |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {n + 1} | {r['pages']} | {r['stored']} | {r['peak_rss_mb']} | "
            f"{r['index_mb']['state.sqlite']} | {r['index_mb']['neardup.sqlite']} | "
            f"{r['exit_code']} |"
            for n, r in enumerate(short["runs"])
        ]
        lines += [
            "",
            f"- peak RSS, mean of the first 5 runs: {short['first5_mean_mb']} MB, of the last 5: "
            f"{short['last5_mean_mb']} MB (ratio {short['last5_over_first5']})",
            f"- trend of runs 2..{len(short['runs'])}: "
            f"{short['later_runs_slope_mb_per_run']} MB per run",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        serve_main(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages",
        type=int,
        default=100_000,
        help="articles of the long crawl (default 100,000; 0: skip it)",
    )
    parser.add_argument(
        "--runs", type=int, default=50, help="short runs of the schedule (default 50; 0: skip it)"
    )
    parser.add_argument(
        "--initial", type=int, default=1000, help="articles before the first run (default 1000)"
    )
    parser.add_argument(
        "--publish", type=int, default=100, help="new articles before each later run (default 100)"
    )
    parser.add_argument(
        "--interval", type=float, default=5.0, help="seconds between RSS samples (default 5)"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--keep", type=Path, help="keep logs and data in this folder")
    args = parser.parse_args(argv)
    if min(args.pages, args.initial, args.publish) < 0 or args.runs < 0 or args.interval <= 0:
        parser.error("counts must not be negative and --interval must be positive")
    code = revision()  # before the crawls: the checkout may change while they run
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        for old in ("long", "schedule"):  # --keep may point at an earlier run
            shutil.rmtree(tmp / old, ignore_errors=True)
        long = one_long_crawl(args.pages, args.interval, tmp) if args.pages else None
        short = (
            many_short_runs(args.runs, args.initial, args.publish, args.interval, tmp)
            if args.runs
            else None
        )
    print(report(long, short, code))
    if args.json:
        payload = {
            "revision": code,
            "settings": SETTINGS,
            "cpus": os.cpu_count(),
            "long": long,
            "short": short,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
