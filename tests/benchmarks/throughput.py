"""Crawl throughput of the full pipeline against two bare Scrapy baselines on a synthetic web.

Usage: python tests/benchmarks/throughput.py [--articles N] [--json PATH]

Serves N distinct article pages (tests/benchmarks/_synthweb.py, a separate process) on four
loopback hosts, then crawls them three times, each crawl in its own process with the same Scrapy
concurrency settings: a sitemap spider that does nothing with the articles (the engine's ceiling),
the same spider calling ``trafilatura.extract`` on each (the bare minimum of real work), and
``scrapy crawl related`` (extraction, relevance, dedup and storage). Reports pages per second, CPU
seconds per page and peak RSS of each crawl process, and checks the full pipeline against the
targets: at least 0.8 times the trafilatura rate, at most 0.025 CPU s per page, at most 300 MB.

This file is also the baseline spider: the benchmark runs it with ``scrapy runspider``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from scrapy.http import Response
from scrapy.spiders import SitemapSpider

REPO = Path(__file__).resolve().parents[2]
SYNTHWEB = Path(__file__).with_name("_synthweb.py")
SEEDS = REPO / "seeds"
TARGET_RATE_RATIO = 0.8
TARGET_CPU_PER_PAGE = 0.025
TARGET_RSS_MB = 300.0
MIN_CEILING_RATIO = 1.5  # the do-nothing crawl must beat the trafilatura one by this much
SETTINGS = {  # the same for all three crawls
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "WARNING",
    "ROBOTSTXT_OBEY": "True",
    "COOKIES_ENABLED": "False",
    "TELNETCONSOLE_ENABLED": "False",
}


class BaselineSpider(SitemapSpider):
    """Fetch every article in the given sitemaps; with ``work=trafilatura``, extract each one."""

    name = "baseline"

    def __init__(self, sitemaps: str, out: str, work: str = "none", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sitemap_urls = sitemaps.split(",")
        self.out = out
        self.extract: Callable[..., str | None] | None = None
        if work == "trafilatura":  # imported only here: the ceiling crawl does not pay for it
            import trafilatura

            self.extract = trafilatura.extract
        self.pages = self.extracted = 0

    def parse(self, response: Response) -> None:
        self.pages += 1
        if self.extract and self.extract(response.text, include_comments=False):
            self.extracted += 1

    def closed(self, reason: str) -> None:
        result = {"pages": self.pages, "extracted": self.extracted, "reason": reason}
        Path(self.out).write_text(json.dumps(result), encoding="utf-8")


# --- the synthetic web ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Web:
    """The running synthetic web, as _synthweb.py announced it."""

    port: int
    bases: list[str]
    sitemaps: list[str]
    articles: int
    related: int
    words: int

    def _get(self, path: str) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.bases[0]}__synthweb/{path}", timeout=10) as answer:
            return json.load(answer)

    def reset(self) -> None:
        self._get("reset")

    def stats(self) -> dict[str, Any]:
        return self._get("stats")

    def write_sources(self, path: Path) -> Path:
        blocks = [
            f'[[sources]]\nname = "Synth {i + 1}"\nurl = "{base}"\n'
            f'sitemaps = ["{sitemap}"]\nlanguage = "en"\n'
            for i, (base, sitemap) in enumerate(zip(self.bases, self.sitemaps, strict=True))
        ]
        path.write_text("\n".join(blocks), encoding="utf-8")
        return path


@contextmanager
def web_process(script: Path | str, *args: str) -> Iterator[Web]:
    """Run a web-serving ``script`` in its own process (its first output line describes the
    web) and stop it on exit."""
    proc = subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise SystemExit(f"{script}: the synthetic web did not start (exit {proc.wait()})")
        yield Web(**json.loads(line))
    finally:
        proc.terminate()
        proc.wait()


def synthetic_web(articles: int) -> contextlib.AbstractContextManager[Web]:
    """Start _synthweb.py with ``articles`` pages and stop it on exit."""
    return web_process(SYNTHWEB, "--articles", str(articles))


# --- measuring one crawl --------------------------------------------------------------------------


@dataclass
class Result:
    """One measured crawl."""

    name: str
    pages: int  # article responses the synthetic web served during the crawl
    wall_s: float  # the whole process, start-up included
    fetch_s: float  # from the first to the last article served
    cpu_s: float  # user + system time of the crawl process
    peak_rss_mb: float  # its own ru_maxrss
    exit_code: int
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall_s if self.wall_s else 0.0

    @property
    def fetch_pages_per_s(self) -> float:
        """The rate once crawling: start-up, sitemaps and shutdown left out."""
        return self.pages / self.fetch_s if self.fetch_s else 0.0

    @property
    def cpu_per_page(self) -> float:
        return self.cpu_s / self.pages if self.pages else float("inf")


def measure(name: str, command: list[str], cwd: Path, web: Web, log: Path) -> Result:
    """Run ``command`` and take its wall time and, from wait4, its own CPU time and peak RSS."""
    web.reset()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY_")}
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as errors:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    served = web.stats()
    with log.open(encoding="utf-8", errors="replace") as lines:
        logged_errors = sum("] ERROR: " in line for line in lines)
    return Result(
        name=name,
        pages=served["article_hits"],
        wall_s=round(wall, 2),
        fetch_s=round(served["fetch_s"], 2),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 2),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
        exit_code=proc.returncode,
        details={
            "distinct_articles": served["distinct_articles"],
            "other_requests": served["other_hits"],
            "logged_errors": logged_errors,
        },
    )


def scrapy_options(settings: dict[str, str]) -> list[str]:
    return [option for k, v in settings.items() for option in ("-s", f"{k}={v}")]


def run_baseline(name: str, work: str, web: Web, tmp: Path) -> Result:
    out = tmp / f"{work}.json"
    out.unlink(missing_ok=True)  # --keep may point at an old run
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "runspider",
        str(Path(__file__).resolve()),
        "-a",
        f"sitemaps={','.join(web.sitemaps)}",
        "-a",
        f"out={out}",
        "-a",
        f"work={work}",
        *scrapy_options(SETTINGS),
    ]
    result = measure(name, command, tmp, web, tmp / f"{work}.log")  # no project settings in tmp
    if out.exists():
        result.details.update(json.loads(out.read_text("utf-8")))
    return result


def run_related(web: Web, tmp: Path) -> Result:
    data = tmp / "data"
    shutil.rmtree(data, ignore_errors=True)  # a fresh corpus: --keep may point at an old one
    sources = web.write_sources(tmp / "sources.toml")
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "related",
        "-s",
        f"SEEDS_DIR={SEEDS}",
        "-s",
        f"SOURCES_FILE={sources}",
        "-s",
        f"DATA_DIR={data}",
        # every crawl fetches every article page: no pruning on pre-fetch scores
        "-s",
        "MIN_CANDIDATE_SCORE=0",
        *scrapy_options(SETTINGS),
    ]
    result = measure(
        "full pipeline (scrapy crawl related)", command, REPO, web, tmp / "related.log"
    )
    summaries = sorted((data / "runs").glob("*.json"))
    if summaries:
        totals = json.loads(summaries[-1].read_text("utf-8"))["totals"]
        result.details.update(
            {
                k: totals.get(k, 0)
                for k in (
                    "articles_extracted",
                    "stored",
                    "duplicates",
                    "unrelated",
                    "not_article",
                    "extraction_failed",
                    "errors",
                )
            }
        )
    corpus = data / "corpus.jsonl"
    if corpus.exists():
        records = [json.loads(line) for line in corpus.read_text("utf-8").splitlines()]
        result.details["corpus_records"] = sum(not r.get("is_seed") for r in records)
    return result


# --- report ---------------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    lines = [
        "| crawl | article pages | wall s | pages/s | pages/s while fetching | CPU s "
        "| CPU s/page | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.name} | {r.pages} | {r.wall_s:.1f} | {r.pages_per_s:.1f} | "
        f"{r.fetch_pages_per_s:.1f} | {r.cpu_s:.1f} | {r.cpu_per_page:.4f} | "
        f"{r.peak_rss_mb:.0f} |"
        for r in results
    ]
    return "\n".join(lines)


def verdicts(ceiling: Result, bare: Result, full: Result, articles: int) -> dict[str, Any]:
    """Ratios and pass/fail of the full pipeline against the issue's targets."""
    ratio = full.pages_per_s / bare.pages_per_s if bare.pages_per_s else 0.0
    return {
        "ceiling_over_trafilatura": round(ceiling.pages_per_s / bare.pages_per_s, 2)
        if bare.pages_per_s
        else None,
        "full_over_trafilatura": round(ratio, 3),
        # what the rate ratio would be with the CPU to itself: robust to other load on the machine
        "full_over_trafilatura_by_cpu": round(bare.cpu_per_page / full.cpu_per_page, 3)
        if full.pages
        else 0.0,
        "rate_ok": ratio >= TARGET_RATE_RATIO,
        "cpu_ok": full.cpu_per_page <= TARGET_CPU_PER_PAGE,
        "rss_ok": full.peak_rss_mb <= TARGET_RSS_MB,
        "all_pages_fetched": all(
            r.pages == articles and r.exit_code == 0 for r in (ceiling, bare, full)
        ),
    }


def revision() -> str:
    """``git describe`` of the checkout measured (``-dirty`` when files differ from the commit)."""
    try:
        found = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return "unknown"
    return found.stdout.strip() or "unknown"


def report(web: Web, results: list[Result], checks: dict[str, Any], load: float, code: str) -> str:
    full = results[2]
    mark = {True: "PASS", False: "FAIL"}
    lines = [
        f"Code {code}. Synthetic web: {web.articles} articles ({web.related} related, about "
        f"{web.words} words each) on {len(web.bases)} hosts; CONCURRENT_REQUESTS=16, 16 per "
        f"domain, no delay; {os.cpu_count()} CPUs, load average {load:.2f} before the runs.",
        "",
        table(results),
        "",
        f"- full pipeline / trafilatura rate: {checks['full_over_trafilatura']:.2f} "
        f"(target >= {TARGET_RATE_RATIO}): {mark[checks['rate_ok']]}; from CPU s per page: "
        f"{checks['full_over_trafilatura_by_cpu']:.2f}",
        f"- full pipeline CPU s per page: {full.cpu_per_page:.4f} "
        f"(target <= {TARGET_CPU_PER_PAGE}): {mark[checks['cpu_ok']]}",
        f"- full pipeline peak RSS: {full.peak_rss_mb:.0f} MB "
        f"(target <= {TARGET_RSS_MB:.0f} MB at 20,000 pages): {mark[checks['rss_ok']]}",
        f"- ceiling / trafilatura rate: {checks['ceiling_over_trafilatura']}",
        f"- full pipeline: {json.dumps(full.details)}",
    ]
    if not checks["all_pages_fetched"]:
        lines.append(
            "- WARNING: a crawl failed or did not fetch every article page: "
            + "; ".join(f"{r.name}: {r.pages} pages, exit {r.exit_code}" for r in results)
        )
    extracted = full.details.get("articles_extracted")
    if extracted is not None and extracted < web.articles:
        lines.append(
            f"- WARNING: the full pipeline extracted {extracted} of {web.articles} "
            f"articles; {full.details['logged_errors']} errors logged (see --keep)"
        )
    ratio = checks["ceiling_over_trafilatura"]
    if ratio is not None and ratio < MIN_CEILING_RATIO:
        lines.append(
            "- WARNING: the do-nothing crawl is not clearly faster than the trafilatura "
            "one; the server may be the bottleneck"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--articles",
        type=int,
        default=2000,
        help="article pages in the synthetic web (default 2000)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the crawl logs and data in this folder (default: a temp folder)",
    )
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    load = os.getloadavg()[0]
    code = revision()  # before the crawls: the checkout may change while they run
    with synthetic_web(args.articles) as web, tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        results = [
            run_baseline("scrapy, no work (ceiling)", "none", web, tmp),
            run_baseline("scrapy + trafilatura.extract", "trafilatura", web, tmp),
            run_related(web, tmp),
        ]
    checks = verdicts(*results, articles=web.articles)
    print(report(web, results, checks, load, code))
    if args.json:
        payload = {
            "web": asdict(web),
            "settings": SETTINGS,
            "checks": checks,
            "cpus": os.cpu_count(),
            "load_average": load,
            "revision": code,
            "results": [
                {
                    **asdict(r),
                    "pages_per_s": round(r.pages_per_s, 2),
                    "fetch_pages_per_s": round(r.fetch_pages_per_s, 2),
                    "cpu_per_page": round(r.cpu_per_page, 5),
                }
                for r in results
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0 if checks["all_pages_fetched"] else 1


if __name__ == "__main__":
    sys.exit(main())
