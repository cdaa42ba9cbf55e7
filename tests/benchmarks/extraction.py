"""Score extract_article against trafilatura on the article-extraction benchmark.

Usage: python tests/benchmarks/extraction.py [BENCHMARK_DIR] [--repeat N] [--errors FILE]

Scores as the benchmark's README says: word-token 4-gram multisets per page, precision and recall
averaged over pages, F1 from the two means. Prints a markdown table with pages/s and the speed
ratio against trafilatura's default call (the benchmark's own: include_comments=False).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # run as a script from a checkout, installed or not

from crawler.extraction import extract_article  # noqa: E402

DEFAULT_DIR = REPO.parent / "shared" / "benchmarks" / "article-extraction"
_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of word n-grams (one shorter gram for texts of 1 to n-1 tokens)."""
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def page_counts(expected: str, extracted: str) -> tuple[int, int, int]:
    """(tp, fp, fn) over the two 4-gram multisets."""
    exp, got = shingles(expected), shingles(extracted)
    tp = sum((exp & got).values())
    return tp, sum(got.values()) - tp, sum(exp.values()) - tp


def score(pairs: list[tuple[str, str]]) -> tuple[float, float, float]:
    """(F1, precision, recall) from per-page means, as the benchmark README defines them."""
    precisions, recalls = [], []
    for expected, extracted in pairs:
        tp, fp, fn = page_counts(expected, extracted)
        if fp == fn == 0:
            precisions.append(1.0)
            recalls.append(1.0)
            continue
        if tp + fp > 0:
            precisions.append(tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(tp / (tp + fn))
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def load(directory: Path) -> list[tuple[str, str, bytes, str]]:
    """(key, url, html bytes, expected body) per page."""
    truth = json.loads((directory / "ground-truth.json").read_text("utf-8"))
    return [
        (
            key,
            item["url"],
            gzip.decompress((directory / "html" / f"{key}.html.gz").read_bytes()),
            item["articleBody"],
        )
        for key, item in sorted(truth.items())
    ]


def _trafilatura(**kwargs: bool) -> Callable[[bytes, str], str]:
    def extract(html: bytes, url: str) -> str:
        return trafilatura.extract(html, include_comments=False, **kwargs) or ""

    return extract


def _ours(html: bytes, url: str) -> str:
    return extract_article(html, url)["body"]


SYSTEMS: dict[str, Callable[[bytes, str], str]] = {
    "extract_article": _ours,
    "trafilatura default": _trafilatura(),
    "trafilatura favor_precision": _trafilatura(favor_precision=True),
    "trafilatura favor_recall": _trafilatura(favor_recall=True),
}


def run(pages: list[tuple[str, str, bytes, str]], repeat: int) -> dict[str, dict[str, object]]:
    """Outputs, scores and best-of-``repeat`` throughput per system.

    Throughput is measured in CPU time of this process, so other processes on the machine do not
    skew it, and timing rounds alternate between the systems.
    """
    outputs = {
        name: [system(html, url) for _, url, html, _ in pages] for name, system in SYSTEMS.items()
    }
    best = dict.fromkeys(SYSTEMS, float("inf"))
    for _ in range(repeat):
        for name, system in SYSTEMS.items():
            start = time.process_time()
            for _, url, html, _ in pages:
                system(html, url)
            best[name] = min(best[name], time.process_time() - start)
    results: dict[str, dict[str, object]] = {}
    for name, texts in outputs.items():
        f1, p, r = score([(exp, out) for (_, _, _, exp), out in zip(pages, texts, strict=True)])
        results[name] = {"f1": f1, "p": p, "r": r, "pps": len(pages) / best[name], "outputs": texts}
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per system (best kept)")
    parser.add_argument("--errors", type=Path, help="write per-page F1 of both extractors as JSON")
    args = parser.parse_args(argv)
    if not (args.directory / "ground-truth.json").is_file():
        print(f"{args.directory}: no ground-truth.json here", file=sys.stderr)
        return 2
    pages = load(args.directory)
    for _, url, html, _ in pages[:3]:  # warm caches and lazy imports before timing
        for system in SYSTEMS.values():
            system(html, url)
    results = run(pages, args.repeat)
    base = results["trafilatura default"]["pps"]
    print(f"{len(pages)} pages from {args.directory}\n")
    print("| extractor | F1 | precision | recall | pages/s | speed ratio |")
    print("|---|---|---|---|---|---|")
    for name, res in results.items():
        print(
            f"| {name} | {res['f1']:.3f} | {res['p']:.3f} | {res['r']:.3f} "
            f"| {res['pps']:.1f} | {res['pps'] / base:.2f} |"
        )
    if args.errors:
        ours, theirs = (
            results["extract_article"]["outputs"],
            results["trafilatura default"]["outputs"],
        )
        rows = []
        for (key, url, _, exp), mine, ref in zip(pages, ours, theirs, strict=True):
            rows.append(
                {
                    "key": key,
                    "url": url,
                    "ours": score([(exp, mine)])[0],
                    "trafilatura": score([(exp, ref)])[0],
                }
            )
        args.errors.write_text(json.dumps(sorted(rows, key=lambda r: r["ours"]), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
