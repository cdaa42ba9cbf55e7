"""A crawl killed with SIGKILL while it writes resumes without losing or duplicating a record."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from crawler.newsweb import NewsWeb
from tests.conftest import ROOT, corpus, crawl, crawl_args, stories


def _start(data: Path, sources: Path, *extra: str) -> subprocess.Popen[bytes]:
    slow = {"DOWNLOAD_DELAY": "0.05", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
    args = crawl_args(data, sources, *extra, settings=slow)
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for_lines(path: Path, lines: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists() and path.read_bytes().count(b"\n") >= lines:
            return
        time.sleep(0.02)


def test_sigkill_then_resume_equals_an_uninterrupted_run(
    tmp_path: Path, web_sources: Path, newsweb: NewsWeb
) -> None:
    reference = tmp_path / "reference"
    assert crawl(reference, web_sources).returncode == 0
    expected = stories(corpus(reference), newsweb)

    data = tmp_path / "killed"
    for lines in (2, 6, 12):
        process = _start(data, web_sources)
        _wait_for_lines(data / "corpus.jsonl", lines, process)
        process.send_signal(signal.SIGKILL)
        process.wait()
    final = crawl(data, web_sources)
    assert final.returncode == 0, final.stderr[-3000:]
    records = corpus(data)
    urls = [r["canonical_url"] for r in records]
    assert len(urls) == len(set(urls))
    assert stories(records, newsweb) == expected
    assert records[0]["is_seed"]


def test_jobdir_pause_and_resume(tmp_path: Path, web_sources: Path, newsweb: NewsWeb) -> None:
    reference = tmp_path / "reference"
    assert crawl(reference, web_sources).returncode == 0
    expected = stories(corpus(reference), newsweb)

    data, jobdir = tmp_path / "paused", tmp_path / "job"
    process = _start(data, web_sources, "-s", f"JOBDIR={jobdir}")
    _wait_for_lines(data / "corpus.jsonl", 5, process)
    process.send_signal(signal.SIGINT)  # Ctrl-C: Scrapy stops gracefully and keeps its queue
    assert process.wait(timeout=120) == 0
    assert (jobdir / "requests.queue").exists()
    final = crawl(data, web_sources, "-s", f"JOBDIR={jobdir}")
    assert final.returncode == 0, final.stderr[-3000:]
    records = corpus(data)
    urls = [r["canonical_url"] for r in records]
    assert len(urls) == len(set(urls))
    assert stories(records, newsweb) == expected
