"""Near-duplicate detection: quality on the evaluation pairs, speed and memory at scale.

Usage: python tests/benchmarks/dedup.py [--max N] [--db PATH] [--json PATH]

1. Quality: for every pair of ``tests/fixtures/dedup/pairs.jsonl`` (syndicated copies and distinct
   reports of the same event), a fresh in-memory index gets the first text and is asked for the
   second; prints precision and recall at ``SIMILARITY_THRESHOLD`` and at a few other thresholds,
   the lowest syndicated / highest distinct estimated similarity, and the highest similarity over
   all pairs of different articles of the local news web (``crawler/newsweb/data``).
2. Scale: a file index in a temporary folder (or ``--db``) is filled with synthetic bodies (150-450
   words: sentences of words drawn from English word frequencies, paragraphs of 3-5 sentences);
   every 100th body is a copy of an earlier one with a sentence dropped and a credit line added. For
   each body, as the dedup pipeline would: ``signature``, ``find_signature`` then
   ``add_signature``. At 10k, 100k, ... up to ``--max`` (default 1,000,000) documents it prints the
   median and p95 time of the last 10,000 lookups and inserts, the signature time, the process's
   peak RSS, the database size and how many planted copies were found.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import statistics
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

import numpy as np
from wordfreq import top_n_list, word_frequency

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from crawler.neardup import (  # noqa: E402
    BANDS,
    NUM_PERM,
    ROWS,
    SHINGLE_WORDS,
    SIMILARITY_THRESHOLD,
    NearDuplicateIndex,
    signature,
    similarity,
)
from crawler.newsweb.content import load_corpus  # noqa: E402

PAIRS = REPO / "tests" / "fixtures" / "dedup" / "pairs.jsonl"
WINDOW = 10_000
COPY_EVERY = 100
SWEEP = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45)


def quality() -> tuple[list[str], dict]:
    """Markdown lines and figures for the evaluation pairs."""
    rows = [json.loads(line) for line in PAIRS.read_text("utf-8").splitlines()]
    found = []
    for row in rows:
        with NearDuplicateIndex(None) as index:
            index.add("a", row["a"]["body"])
            found.append(index.find(row["b"]["body"]) is not None)
    scores = [
        (similarity(signature(r["a"]["body"]), signature(r["b"]["body"])), r["duplicate"])
        for r in rows
    ]
    syndicated = sum(r["duplicate"] for r in rows)
    lines = [
        f"Evaluation pairs: {syndicated} syndicated, {len(rows) - syndicated} distinct "
        f"(5-word shingles, {NUM_PERM} permutations, {BANDS} bands x {ROWS} rows)",
        "",
        "| threshold | precision | recall | false merges | missed copies |",
        "|---|---|---|---|---|",
    ]
    figures: dict = {}
    for threshold in sorted({*SWEEP, SIMILARITY_THRESHOLD}):
        if threshold == SIMILARITY_THRESHOLD:  # what the index itself answers
            hits = [(f, r["duplicate"]) for f, r in zip(found, rows, strict=True)]
        else:  # what it would answer at another threshold (the LSH stage aside)
            hits = [(s >= threshold, d) for s, d in scores]
        tp = sum(f and d for f, d in hits)
        fp = sum(f and not d for f, d in hits)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / syndicated
        mark = " (chosen)" if threshold == SIMILARITY_THRESHOLD else ""
        lines.append(
            f"| {threshold:.2f}{mark} | {precision:.3f} | {recall:.3f} | {fp} | {syndicated - tp} |"
        )
        if threshold == SIMILARITY_THRESHOLD:
            figures = {"precision": precision, "recall": recall}
    lowest = min(s for s, d in scores if d)
    highest = max(s for s, d in scores if not d)
    merges, pairs, web_highest = whole_web()
    lines += [
        "",
        f"Estimated similarity: syndicated >= {lowest:.3f}, distinct <= {highest:.3f}",
        f"All {pairs:,} pairs of different articles of the local news web: highest estimated "
        f"similarity {web_highest:.3f}, false merges {merges}",
    ]
    return lines, {
        **figures,
        "lowest_syndicated": lowest,
        "highest_distinct": highest,
        "web_false_merges": merges,
        "web_highest_distinct": web_highest,
    }


def whole_web() -> tuple[int, int, float]:
    """False merges, pairs and highest similarity over all pairs of the web's distinct articles."""
    corpus = load_corpus()
    sigs = {k: signature("\n\n".join(a.paragraphs)) for k, a in sorted(corpus.by_key.items())}
    copies = {
        frozenset((a.key, a.syndicated_of)) for a in corpus.by_key.values() if a.syndicated_of
    }
    scores = [
        similarity(sigs[a], sigs[b])
        for a, b in itertools.combinations(sigs, 2)
        if frozenset((a, b)) not in copies
    ]
    merges = sum(score >= SIMILARITY_THRESHOLD for score in scores)
    return merges, len(scores), max(scores)


class Bodies:
    """Synthetic article bodies drawn from English word frequencies, reproducibly."""

    def __init__(self, seed: int = 7) -> None:
        vocabulary = top_n_list("en", 30_000)
        weights = np.array([word_frequency(w, "en") for w in vocabulary])
        self.vocabulary = np.array(vocabulary, dtype=object)
        self.cdf = np.cumsum(weights / weights.sum())
        self.rng = np.random.default_rng(seed)

    def sentences(self) -> list[str]:
        count = int(self.rng.integers(12, 30))
        lengths = self.rng.integers(8, 24, count)
        picks = np.searchsorted(self.cdf, self.rng.random(int(lengths.sum())), side="right")
        words = self.vocabulary[np.minimum(picks, len(self.vocabulary) - 1)]
        out, start = [], 0
        for length in lengths:
            sentence = " ".join(words[start : start + length])
            out.append(sentence[0].upper() + sentence[1:] + ".")
            start += length
        return out

    @staticmethod
    def body(sentences: list[str]) -> str:
        paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
        return "\n\n".join(paragraphs)


def _ms(values: deque[int], q: float) -> float:
    return float(np.quantile(np.array(values), q)) / 1e6


def scale(maximum: int, db: Path) -> tuple[list[str], list[dict]]:
    """Markdown lines and figures for the index at 10k, 100k, ... documents."""
    checkpoints = [n for n in (10_000, 100_000, 1_000_000) if n < maximum] + [maximum]
    bodies = Bodies()
    kept: list[list[str]] = []  # sentences of some earlier bodies, for planted copies
    sig_ns: deque[int] = deque(maxlen=WINDOW)
    find_ns: deque[int] = deque(maxlen=WINDOW)
    add_ns: deque[int] = deque(maxlen=WINDOW)
    planted = found = false_matches = 0
    results = []
    index = NearDuplicateIndex(db)
    start = time.perf_counter()
    for n in range(1, maximum + 1):
        is_copy = n % COPY_EVERY == 0 and kept
        if is_copy:
            original = kept[int(bodies.rng.integers(len(kept)))]
            drop = int(bodies.rng.integers(len(original)))
            text = Bodies.body(original[:drop] + original[drop + 1 :] + ["Photo: Meridian Wire"])
        else:
            sentences = bodies.sentences()
            if n % 1000 == 1:
                kept.append(sentences)
            text = Bodies.body(sentences)
        t0 = time.perf_counter_ns()
        sig = signature(text)
        t1 = time.perf_counter_ns()
        match = index.find_signature(sig)
        t2 = time.perf_counter_ns()
        index.add_signature(f"doc{n}", sig)
        t3 = time.perf_counter_ns()
        sig_ns.append(t1 - t0)
        find_ns.append(t2 - t1)
        add_ns.append(t3 - t2)
        planted += bool(is_copy)
        found += bool(is_copy and match)
        false_matches += bool(not is_copy and match)
        if n in checkpoints:
            index.commit()
            figures = {
                "documents": n,
                "lookup_median_ms": _ms(find_ns, 0.5),
                "lookup_p95_ms": _ms(find_ns, 0.95),
                "insert_median_ms": _ms(add_ns, 0.5),
                "insert_p95_ms": _ms(add_ns, 0.95),
                "insert_mean_ms": statistics.fmean(add_ns) / 1e6,
                "signature_median_ms": _ms(sig_ns, 0.5),
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "db_mib": sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20,
                "planted_found": f"{found}/{planted}",
                "false_matches": false_matches,
                "elapsed_s": time.perf_counter() - start,
            }
            results.append(figures)
            print(f"  {figures}", file=sys.stderr, flush=True)
    index.close()
    lines = [
        f"Scale (synthetic bodies; times over the last {WINDOW:,} operations before each size)",
        "",
        "| documents | lookup median / p95 (ms) | insert median / p95 / mean (ms) "
        "| signature median (ms) | peak RSS (MiB) | SQLite file (MiB) | planted copies found "
        "| false matches |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in results:
        lines.append(
            f"| {f['documents']:,} | {f['lookup_median_ms']:.3f} / {f['lookup_p95_ms']:.3f} "
            f"| {f['insert_median_ms']:.3f} / {f['insert_p95_ms']:.3f} / "
            f"{f['insert_mean_ms']:.3f} | {f['signature_median_ms']:.3f} "
            f"| {f['peak_rss_mib']:.0f} | {f['db_mib']:.0f} | {f['planted_found']} "
            f"| {f['false_matches']} |"
        )
    return lines, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=1_000_000, help="documents to index at most")
    parser.add_argument("--db", type=Path, help="SQLite file to fill (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.max < 1:
        parser.error("--max must be at least 1")
    quality_lines, quality_figures = quality()
    print("\n".join(quality_lines) + "\n", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "neardup.sqlite"
        if db.exists():
            parser.error(f"{db}: already exists")
        scale_lines, scale_figures = scale(args.max, db)
    print(f"Shingles of {SHINGLE_WORDS} words, threshold {SIMILARITY_THRESHOLD}\n")
    print("\n".join(scale_lines))
    if args.json:
        args.json.write_text(json.dumps({"quality": quality_figures, "scale": scale_figures}))


if __name__ == "__main__":
    main()
