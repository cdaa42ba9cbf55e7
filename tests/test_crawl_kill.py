"""SIGKILL the crawler 20 times at random moments while it writes; after a final clean run the
corpus is valid JSON Lines and holds the same records as an uninterrupted run's (issue 7)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawler.newsweb import NewsWeb
from tests.conftest import ROOT, corpus, crawl, crawl_args, read_jsonl, stories

KILLS = 20
# Slow enough that 20 short runs do not finish the crawl: six hosts, one request at a time each.
SLOW = {"DOWNLOAD_DELAY": "0.1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
# Fields that depend on the order pages were fetched in, not on the page.
ORDER_DEPENDENT = frozenset({"fetched_at", "discovered_via", "referrer", "depth"})
STARTUP_TIMEOUT = 60.0
MAX_RUNS = 2 * KILLS


@dataclass(frozen=True)
class Run:
    """One interrupted run: how its kill was timed and what it had written by then."""

    mode: str  # "write": after it appended a record; "requests": after it made some requests
    after: int  # how many (records or requests)
    delay: float  # seconds slept after that
    killed: bool  # False when the run ended on its own first
    lines_before: int  # corpus lines when the run started
    lines_after: int
    requests: int  # requests the web served to this run

    @property
    def wrote(self) -> bool:
        return self.lines_after > self.lines_before


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _wait_for(measure: Callable[[], int], target: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while measure() < target and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)


def _kill_at_random_moments(
    data: Path, sources: Path, web: NewsWeb, rng: random.Random, logs: Path, *extra: str
) -> list[Run]:
    """Start the crawl until KILLS runs were killed with SIGKILL, each at a random moment: about
    half of them 0-30 ms after the run appended its first record, the others after the web
    served it 1-60 requests (counted, not timed, so that a loaded machine moves no kill to
    start-up). A run that ends on its own first counts as a run, not as a kill; one that also
    wrote nothing ends the series."""
    corpus_file = data / "corpus.jsonl"
    runs: list[Run] = []
    while sum(r.killed for r in runs) < KILLS and len(runs) < MAX_RUNS:
        before, served = _lines(corpus_file), len(web.request_log)
        mode = rng.choice(("write", "requests"))
        after = 1 if mode == "write" else rng.randint(1, 60)
        delay = rng.uniform(0.0, 0.03)
        with (logs / f"run-{len(runs):02d}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "scrapy", *crawl_args(data, sources, *extra, settings=SLOW)],
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
            if mode == "write":
                _wait_for(lambda: _lines(corpus_file), before + after, process)
            else:
                _wait_for(lambda: len(web.request_log), served + after, process)
            time.sleep(delay)
            killed = process.poll() is None
            process.send_signal(signal.SIGKILL)
            process.wait()
        requests = len(web.request_log) - served
        runs.append(
            Run(mode, after, round(delay, 3), killed, before, _lines(corpus_file), requests)
        )
        if not killed and not runs[-1].wrote:
            break  # nothing left to write: more kills would only hit start-up
    return runs


def _must_match(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ORDER_DEPENDENT}


def _check_against_reference(
    data: Path, reference: list[dict[str, Any]], web: NewsWeb, runs: list[Run]
) -> None:
    records = corpus(data)  # every line whole JSON, every record schema-valid
    assert records[0]["is_seed"], "the seed is not the first record"
    assert sum(r["is_seed"] for r in records) == sum(r["is_seed"] for r in reference)
    for field in ("id", "canonical_url", "content_hash"):
        values = [r[field] for r in records]
        assert len(values) == len(set(values)), f"duplicate {field} in the corpus"
    assert stories(records, web) == stories(reference, web), runs
    # a syndicated copy may be kept instead of its original: compare the records both hold
    expected = {r["canonical_url"]: _must_match(r) for r in reference}
    for record in records:
        if record["canonical_url"] in expected:
            assert _must_match(record) == expected[record["canonical_url"]], record["url"]
    logged = [
        (d["canonical_url"], d["duplicate_of"], d["kind"])
        for d in read_jsonl(data / "duplicates.jsonl")
    ]
    assert len(logged) == len(set(logged)), "a duplicate was logged twice"
    kept = {r["id"] for r in records}
    assert all(of in kept for _, of, _ in logged), "a duplicate points at a record not kept"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, web_sources: Path) -> list[dict[str, Any]]:
    """The corpus of an uninterrupted run."""
    data = tmp_path_factory.mktemp("reference")
    assert crawl(data, web_sources).returncode == 0
    return corpus(data)


@pytest.mark.parametrize(
    "jobdir",
    [False, True],
    ids=["incremental", "jobdir"],
)
def test_twenty_sigkills_then_a_clean_run_equal_an_uninterrupted_run(
    tmp_path: Path,
    web_sources: Path,
    newsweb: NewsWeb,
    reference: list[dict[str, Any]],
    jobdir: bool,
) -> None:
    data, logs = tmp_path / "data", tmp_path / "logs"
    logs.mkdir()
    extra = ("-s", f"JOBDIR={tmp_path / 'job'}") if jobdir else ()
    runs = _kill_at_random_moments(data, web_sources, newsweb, random.Random(7), logs, *extra)
    kills = [r for r in runs if r.killed]
    assert len(kills) == KILLS, runs
    # most kills land while records are being written, none before the crawl started
    assert sum(r.wrote for r in kills) >= KILLS // 2, runs
    assert all(r.requests > 0 for r in kills), runs
    final = crawl(data, web_sources, *extra)
    assert final.returncode == 0, final.stderr[-3000:]
    _check_against_reference(data, reference, newsweb, runs)
