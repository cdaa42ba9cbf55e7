"""Precision, recall and harvest rate of ``scrapy crawl related`` on the local news web.

Usage: python tests/benchmarks/relevance.py [--json PATH] [--keep DIR]

1. Starts the local news web (``crawler.newsweb``, at least 150 labelled articles, related ones at
   most a fifth) and crawls it with ``scrapy crawl related`` in a subprocess (no politeness delays,
   the repo's seeds, the web's sources file, a temporary data folder).
2. Reports, as a markdown table, for the crawl and for a baseline that fetches every article page
   robots.txt allows and keeps those whose body contains "CSTO" or "Kazakhstan":
   precision (related stored / all stored, the seed excluded), recall (related stored / related on
   the web that robots.txt allows; a syndicated copy counts as found when its original is stored),
   harvest rate (related article pages / article pages fetched) and pages fetched.
3. Scores every article page offline (the spider's extraction, ``score_article`` with the page's
   date, the spider's default date window) and prints precision and recall by ``min_relevance``.
4. Scores what discovery sees of every article before fetching it (feed entry, Google News sitemap
   entry, anchor text, bare URL slug) with ``score_candidate`` and prints the highest
   ``MIN_CANDIDATE_SCORE`` that keeps every related article, per kind of candidate.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from crawler.discovery import Candidate  # noqa: E402
from crawler.extraction import extract_article  # noqa: E402
from crawler.newsweb import ArticleInfo, NewsWeb  # noqa: E402
from crawler.newsweb.content import Article  # noqa: E402
from crawler.seeds import load_seeds  # noqa: E402
from crawler.topic import (  # noqa: E402
    DEFAULT_MIN_RELEVANCE,
    TopicProfile,
    score_article,
    score_candidate,
)

SEEDS = REPO / "seeds"
SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOG_LEVEL": "WARNING",
}
BASELINE_WORDS = ("CSTO", "Kazakhstan")
WINDOW_DAYS = 30  # the spider's default date window
CANDIDATE_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.45, 0.5)
THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)


@dataclass
class Row:
    """One line of the results table."""

    method: str
    stored: int
    precision: float
    recall: float
    harvest_rate: float
    article_pages: int
    pages: int


@dataclass
class Ground:
    """What the web holds: allowed article URLs, related ones, and copies by original."""

    articles: dict[str, ArticleInfo]  # canonical URL -> info, robots.txt allows
    related: set[str]
    copies: dict[str, str]  # original URL -> syndicated copy URL

    @classmethod
    def of(cls, web: NewsWeb) -> Ground:
        allowed = {a.url: a for a in web.articles if not a.disallowed}
        copies = {a.syndicated_of: a.url for a in allowed.values() if a.syndicated_of}
        return cls(allowed, set(web.related_urls), copies)

    def found(self, stored: Iterable[str]) -> set[str]:
        """Stored URLs plus the other half of each stored syndicated pair: which of an original
        and its copy is kept depends on which was fetched first, and either holds the story."""
        kept = set(stored)
        pairs = self.copies.items()
        return (
            kept
            | {copy for original, copy in pairs if original in kept}
            | {original for original, copy in pairs if copy in kept}
        )

    def row(self, method: str, stored: set[str], fetched: set[str], pages: int) -> Row:
        related_stored = stored & self.related
        return Row(
            method=method,
            stored=len(stored),
            precision=len(related_stored) / len(stored) if stored else 0.0,
            recall=len(self.found(stored) & self.related) / len(self.related),
            harvest_rate=len(fetched & self.related) / len(fetched) if fetched else 0.0,
            article_pages=len(fetched),
            pages=pages,
        )


def contents(web: NewsWeb) -> dict[str, Article]:
    """The data-file article behind every served URL."""
    return {site.article_url(a): a for site in web.sites for a in site.articles}


def run_crawl(web: NewsWeb, data_dir: Path) -> list[tuple[str, str]]:
    """``scrapy crawl related`` against the web; the requests it made."""
    sources = web.write_sources(data_dir.parent / "sources.toml")
    start = len(web.request_log)
    options = [f"-s{k}={v}" for k, v in SETTINGS.items()]
    command = [sys.executable, "-m", "scrapy", "crawl", "related"]
    command += [f"-sSEEDS_DIR={SEEDS}", f"-sSOURCES_FILE={sources}", f"-sDATA_DIR={data_dir}"]
    result = subprocess.run(
        [*command, *options], cwd=REPO, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"scrapy crawl related failed:\n{result.stderr[-3000:]}")
    return web.request_log[start:]


def crawl_row(ground: Ground, data_dir: Path, requests: list[tuple[str, str]]) -> Row:
    lines = (data_dir / "corpus.jsonl").read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    stored = {r["canonical_url"] for r in records if not r["is_seed"]}
    by_place = {(urlsplit(u).hostname, urlsplit(u).path): u for u in ground.articles}
    fetched = {u for host, path in requests if (u := by_place.get((host, path.split("?")[0])))}
    return ground.row("`scrapy crawl related`", stored, fetched, len(requests))


def baseline_row(ground: Ground, texts: dict[str, Article]) -> Row:
    kept = {
        url
        for url in ground.articles
        if any(word in "\n".join(texts[url].paragraphs) for word in BASELINE_WORDS)
    }
    name = "baseline: every article page, body has " + " or ".join(f'"{w}"' for w in BASELINE_WORDS)
    return ground.row(name, kept, set(ground.articles), len(ground.articles))


def table(rows: list[Row]) -> str:
    lines = [
        "| method | stored | precision | recall | harvest rate | article pages fetched "
        "| pages fetched |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.method} | {r.stored} | {r.precision:.3f} | {r.recall:.3f} | {r.harvest_rate:.3f} "
        f"| {r.article_pages} | {r.pages} |"
        for r in rows
    ]
    return "\n".join(lines)


def offline_scores(
    ground: Ground, profile: TopicProfile
) -> list[tuple[float, bool, str, list[str]]]:
    """(relevance, related, title, matched terms) of every article page in the date window."""
    since, until = profile.date_window(WINDOW_DAYS)
    scored = []
    for url, info in ground.articles.items():
        if since and not since <= info.published <= until:
            continue
        with urllib.request.urlopen(url, timeout=10) as response:
            html, content_type = response.read(), response.headers.get("Content-Type")
        fields = extract_article(html, url, content_type=content_type)
        relevance, matched = score_article(
            profile,
            fields["title"] or "",
            fields["description"] or "",
            fields["body"] or "",
            _published(fields["published"]) or info.published,
        )
        scored.append((relevance, url in ground.related, info.title, matched))
    return scored


def _published(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def curve(scored: list[tuple[float, bool, str, list[str]]]) -> str:
    related = sum(r for _, r, _, _ in scored)
    lines = ["| min_relevance | stored | precision | recall |", "|---:|---:|---:|---:|"]
    for threshold in sorted({*THRESHOLDS, DEFAULT_MIN_RELEVANCE}):
        kept = [r for s, r, _, _ in scored if s >= threshold]
        precision = sum(kept) / len(kept) if kept else 1.0
        mark = " (default)" if threshold == DEFAULT_MIN_RELEVANCE else ""
        lines.append(
            f"| {threshold:.2f}{mark} | {len(kept)} | {precision:.3f} | {sum(kept) / related:.3f} |"
        )
    return "\n".join(lines)


def candidates(url: str, article: Article) -> dict[str, Candidate]:
    """What each kind of discovery knows of an article before fetching it."""
    published = datetime.combine(article.published.date(), time(12), tzinfo=UTC)
    return {
        "feed entry": Candidate(
            url=url, via="feed", title=article.title, snippet=article.lead, published=published
        ),
        "news sitemap": Candidate(
            url=url,
            via="sitemap",
            title=article.title,
            published=published,
            keywords=list(article.tags),
        ),
        "anchor text": Candidate(url=url, via="link", title=article.title),
        "URL slug": Candidate(url=url, via="sitemap"),
    }


def candidate_report(ground: Ground, texts: dict[str, Article], profile: TopicProfile) -> str:
    """Per kind of candidate and MIN_CANDIDATE_SCORE: related articles lost, unrelated pruned."""
    kinds: dict[str, list[tuple[float, bool, str]]] = {}
    for url in ground.articles:
        for kind, candidate in candidates(url, texts[url]).items():
            score = score_candidate(profile, candidate)
            kinds.setdefault(kind, []).append((score, url in ground.related, texts[url].title))
    header = " | ".join(f"{t:.2f}" for t in CANDIDATE_THRESHOLDS)
    lines = [
        f"| candidate (related lost / unrelated pruned) | {header} | lowest related |",
        "|---|" + "---:|" * (len(CANDIDATE_THRESHOLDS) + 1),
    ]
    for kind, scored in kinds.items():
        related = [s for s, r, _ in scored if r]
        unrelated = [s for s, r, _ in scored if not r]
        cells = " | ".join(
            f"{sum(s < t for s in related)} / {sum(s < t for s in unrelated) / len(unrelated):.0%}"
            for t in CANDIDATE_THRESHOLDS
        )
        lowest = min((s, title) for s, r, title in scored if r)
        lines.append(f"| {kind} | {cells} | {lowest[0]:.3f} {lowest[1][:40]} |")
    return "\n".join(lines)


def misses(ground: Ground, scored: list[tuple[float, bool, str, list[str]]]) -> str:
    wrong = [
        f"- {'missed' if related else 'kept'} ({score:.3f}): {title}  [{', '.join(terms[:5])}]"
        for score, related, title, terms in sorted(scored, reverse=True)
        if related != (score >= DEFAULT_MIN_RELEVANCE)
    ]
    return "\n".join(wrong) or "- none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", type=Path, help="keep the crawl's data folder here")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a crawl setting"
    )
    args = parser.parse_args()
    SETTINGS.update(option.split("=", 1) for option in args.set)
    profile = TopicProfile.from_records([seed.record for seed in load_seeds(SEEDS)])
    workdir = Path(tempfile.mkdtemp(prefix="relevance-"))
    try:
        with NewsWeb() as web:
            ground, texts = Ground.of(web), contents(web)
            data_dir = workdir / "data"
            requests = run_crawl(web, data_dir)
            rows = [crawl_row(ground, data_dir, requests), baseline_row(ground, texts)]
            scored = offline_scores(ground, profile)
            report = candidate_report(ground, texts, profile)
        if args.keep:
            shutil.copytree(data_dir, args.keep, dirs_exist_ok=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    related = sum(1 for a in ground.articles if a in ground.related)
    print(
        f"Local news web: {len(web.articles)} articles, {len(ground.articles)} allowed by "
        f"robots.txt, {related} of them related; default min_relevance {DEFAULT_MIN_RELEVANCE}\n"
    )
    print(table(rows))
    print(f"\nOffline, the {len(scored)} article pages inside the date window:\n")
    print(curve(scored))
    print(f"\nWrong at min_relevance {DEFAULT_MIN_RELEVANCE}:\n{misses(ground, scored)}")
    print("\nPre-fetch scores (score_candidate) of what discovery sees of each article:\n")
    print(report)
    if args.json:
        results = {"rows": [asdict(r) for r in rows], "date": date.today().isoformat()}
        args.json.write_text(json.dumps(results, indent=2), "utf-8")


if __name__ == "__main__":
    main()
