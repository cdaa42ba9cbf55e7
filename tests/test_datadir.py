from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.datadir import CORPUS_FILE, DataDir, JsonLinesFile, RunLock
from crawler.errors import DataDirBusy, StorageError
from crawler.state import CrawlState


def _record(n: int) -> dict:
    return {
        "id": f"{n:016x}",
        "url": f"https://ex.com/a/{n}",
        "canonical_url": f"https://ex.com/a/{n}",
        "content_hash": f"{n:064x}",
        "title": f"Article {n}",
        "body": "Текст",
    }


def test_store_and_lookup(tmp_path: Path) -> None:
    data = DataDir(tmp_path)
    data.store(_record(1))
    assert data.state.record_by_key("ex.com/a/1") == (f"{1:016x}", "https://ex.com/a/1")
    assert data.state.record_by_hash(f"{1:064x}").id == f"{1:016x}"
    assert data.state.record_by_key("ex.com/a/2") is None
    data.close()
    lines = (tmp_path / CORPUS_FILE).read_text("utf-8").splitlines()
    assert json.loads(lines[0])["body"] == "Текст"  # UTF-8, not escaped


def test_partial_last_line_is_removed_and_state_catches_up(tmp_path: Path) -> None:
    data = DataDir(tmp_path)
    data.store(_record(1))
    data.close()
    corpus = tmp_path / CORPUS_FILE
    # a record written to the corpus whose state commit never happened, then a cut-off line
    with corpus.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(_record(2)) + "\n" + json.dumps(_record(3))[:25])
    data = DataDir(tmp_path)
    assert corpus.read_text("utf-8").endswith("\n")
    assert len(corpus.read_text("utf-8").splitlines()) == 2
    assert data.state.record_by_key("ex.com/a/2") is not None
    assert data.state.record_by_key("ex.com/a/3") is None
    data.close()


def test_replaced_corpus_rebuilds_state(tmp_path: Path) -> None:
    data = DataDir(tmp_path)
    for n in range(3):
        data.store(_record(n))
    data.close()
    corpus = tmp_path / CORPUS_FILE
    corpus.write_text(json.dumps(_record(7)) + "\n", encoding="utf-8")
    data = DataDir(tmp_path)
    assert data.state.record_by_key("ex.com/a/0") is None
    assert data.state.record_by_key("ex.com/a/7") is not None
    data.close()


def test_lock_is_exclusive_across_processes_and_reentrant_within_one(tmp_path: Path) -> None:
    lock = RunLock.for_directory(tmp_path)
    lock.acquire()
    RunLock(tmp_path).acquire()  # same process: re-entrant
    code = (
        f"from crawler.datadir import RunLock; from pathlib import Path\n"
        f"RunLock(Path({str(tmp_path)!r})).acquire()"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert other.returncode != 0 and "another crawl" in other.stderr
    RunLock(tmp_path).release()
    lock.release()
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert other.returncode == 0, other.stderr


def test_busy_error_names_directory_and_owner(tmp_path: Path) -> None:
    lock = RunLock.for_directory(tmp_path)
    lock.acquire()
    code = (
        f"from crawler.datadir import RunLock; from pathlib import Path\n"
        f"RunLock(Path({str(tmp_path)!r})).acquire(wait=0.3)"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    lock.release()
    assert DataDirBusy.__name__ in other.stderr
    assert str(tmp_path) in other.stderr


def test_jsonlines_append_is_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    out = JsonLinesFile(path)
    for n in range(100):
        out.append({"n": n, "text": "x" * n})
    out.close()
    assert [json.loads(line)["n"] for line in path.read_text().splitlines()] == list(range(100))


def test_corrupt_state_database_is_reported(tmp_path: Path) -> None:
    (tmp_path / "state.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="state database is unusable"):
        CrawlState(tmp_path / "state.sqlite")


def test_url_outcomes_never_overwrite_stored(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "s.sqlite")
    state.add_record("a" * 16, "ex.com/a", "https://ex.com/a", "0" * 64)
    state.mark_url("ex.com/a", "https://ex.com/a", "failed", error="timeout")
    assert state.url_outcome("ex.com/a") == "stored"
    state.mark_url("ex.com/b", "https://ex.com/b", "unrelated")
    assert state.url_outcome("ex.com/b") == "unrelated"
    state.close()


def test_failed_urls_are_retried_next_run_then_with_back_off(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "s.sqlite")
    now = datetime.now(UTC)
    assert state.should_fetch("ex.com/new")
    state.mark_url("ex.com/a", "https://ex.com/a", "failed", error="timeout")
    assert state.should_fetch("ex.com/a", now)  # first retry: the next run
    state.mark_url("ex.com/a", "https://ex.com/a", "failed", error="timeout")
    assert not state.should_fetch("ex.com/a", now)
    assert state.should_fetch("ex.com/a", now + timedelta(hours=1, seconds=5))
    state.mark_url("ex.com/a", "https://ex.com/a", "failed", error="timeout")
    assert not state.should_fetch("ex.com/a", now + timedelta(hours=1, seconds=5))
    assert state.should_fetch("ex.com/a", now + timedelta(hours=2, seconds=5))
    state.mark_url("ex.com/u", "https://ex.com/u", "unrelated")
    assert not state.should_fetch("ex.com/u", now + timedelta(days=365))
    state.close()


def test_prune_forgets_old_outcomes_but_not_records(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "s.sqlite")
    state.add_record("a" * 16, "ex.com/a", "https://ex.com/a", "0" * 64)
    state.mark_url("ex.com/u", "https://ex.com/u", "unrelated")
    assert state.prune(timedelta(days=-1)) == 1  # everything is older than "tomorrow"
    assert state.url_outcome("ex.com/u") is None
    assert state.url_outcome("ex.com/a") == "stored"
    state.close()


def test_validators_and_source_streaks(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "s.sqlite")
    state.set_validators({"https://ex.com/rss": ('"abc"', "Mon, 10 Jan 2022 10:00:00 GMT")})
    assert state.validators("https://ex.com/rss") == ('"abc"', "Mon, 10 Jan 2022 10:00:00 GMT")
    assert state.validators("https://ex.com/other") == (None, None)
    for run, failing in enumerate([True, False, True, True]):
        state.record_source_runs(f"run{run}", {"A": failing, "B": True})
    assert state.failing_streak("A") == 2
    assert state.failing_streak("B") == 4
    state.close()


def test_near_duplicate_index_catches_up_after_a_kill(tmp_path: Path) -> None:
    body = " ".join(f"word{n}" for n in range(80))
    code = (
        "import os, json\n"
        "from crawler.datadir import DataDir\n"
        f"data = DataDir({str(tmp_path)!r})\n"
        "for n in range(3):\n"
        f"    data.store({{'id': f'{{n:016x}}', 'url': f'https://ex.com/{{n}}',"
        f" 'canonical_url': f'https://ex.com/{{n}}', 'content_hash': f'{{n:064x}}',"
        f" 'body': {body!r} + f' extra{{n}}'}})\n"
        "os._exit(0)  # killed: no close, nothing committed to the index\n"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    data = DataDir(tmp_path)
    assert len(data.neardup) == 3
    match = data.neardup.find(body + " extra0")
    assert match is not None and match[0] == f"{0:016x}"
    data.close()
