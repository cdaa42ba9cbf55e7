"""``scrapy schedule``: schedules, one crawl at a time, failures, signals and bad arguments."""

from __future__ import annotations

import json
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from conftest import FAST, ROOT, SEEDS, corpus, run_scrapy
from croniter import croniter

from crawler.datadir import RunLock
from crawler.errors import InputError
from crawler.scheduling import (
    Cron,
    Every,
    crawl_command,
    make_schedule,
    parse_interval,
    skip_missed,
)

WAIT = 180  # upper bound for any one awaited log line; never a pass/fail criterion


class Schedule:
    """``scrapy schedule related ...`` in the background, its log read line by line."""

    def __init__(self, data: Path, sources: Path, *options: str) -> None:
        settings = {**FAST, "LOG_LEVEL": "WARNING", "SEEDS_DIR": str(SEEDS)}
        settings |= {"SOURCES_FILE": str(sources), "DATA_DIR": str(data)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "schedule", "related", "-L", "INFO"]
            + [part for k, v in settings.items() for part in ("-s", f"{k}={v}")]
            + list(options),  # after the defaults, so that they win
            cwd=ROOT,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, pattern: str) -> str:
        """The next log line matching *pattern*."""
        while True:
            line = self._queue.get(timeout=WAIT)
            assert line is not None, f"scheduler ended before {pattern!r}:\n" + "\n".join(
                self.lines
            )
            self.lines.append(line)
            if re.search(pattern, line):
                return line

    def finish(self) -> int:
        code = self.process.wait(timeout=WAIT)
        while (line := self._queue.get(timeout=WAIT)) is not None:
            self.lines.append(line)
        return code

    def log(self, pattern: str) -> list[str]:
        return [line for line in self.lines if re.search(pattern, line)]


def summaries(data: Path) -> list[dict[str, Any]]:
    runs = [json.loads(p.read_text("utf-8")) for p in (data / "runs").glob("*.json")]
    return sorted(runs, key=lambda run: run["started_at"])


# --- schedules ---


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("15m", 900), ("1h", 3600), ("1d", 86400), (" 2h ", 7200)]
)
def test_intervals(text: str, seconds: int) -> None:
    assert parse_interval(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "0s", "5", "1w", "1.5h", "-1h", "1h30m"])
def test_bad_intervals(text: str) -> None:
    with pytest.raises(InputError, match="--every"):
        parse_interval(text)


def test_every_runs_at_once_then_each_interval() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    every = Every(timedelta(hours=1))
    assert every.first(now) == now
    assert every.next_after(now) == now + timedelta(hours=1)


def test_cron_uses_crontab_weekdays() -> None:
    thursday = datetime(2026, 1, 1, 12, 0).astimezone()
    assert Cron("0 */6 * * *").first(thursday) == thursday.replace(hour=18)
    sunday = Cron("0 8 * * 0").first(thursday)  # 0 is Sunday in crontab, as in cron(8)
    assert sunday.strftime("%A %H:%M") == "Sunday 08:00"


@pytest.mark.parametrize("expression", ["0 */6 * *", "61 * * * *", "every hour"])
def test_bad_cron(expression: str) -> None:
    with pytest.raises(InputError, match="--cron"):
        Cron(expression)


@pytest.mark.parametrize(("every", "cron"), [(None, None), ("1h", "0 * * * *")])
def test_exactly_one_schedule(every: str | None, cron: str | None) -> None:
    with pytest.raises(InputError, match="exactly one"):
        make_schedule(every, cron)


def test_runs_due_during_a_crawl_are_skipped() -> None:
    due = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    every = Every(timedelta(minutes=15))
    assert skip_missed(every, due, due + timedelta(minutes=5)) == (due + timedelta(minutes=15), 0)
    assert skip_missed(every, due, due + timedelta(minutes=50)) == (due + timedelta(hours=1), 3)


def test_crawl_command_passes_arguments_and_settings() -> None:
    command = crawl_command("related", ["since=2022-01-01"], ["DATA_DIR=/d", "LOCK_WAIT=5"])
    assert command[:5] == [sys.executable, "-m", "scrapy", "crawl", "related"]
    assert command[5:] == ["-a", "since=2022-01-01", "-s", "DATA_DIR=/d", "-s", "LOCK_WAIT=5"]


# --- the command ---


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["related"], "--every"),
        (["related", "--every", "5x"], "--every"),
        (["related", "--cron", "0 */6 * *"], "--cron"),
        (["related", "--every", "1h", "--runs", "0"], "--runs"),
        (["related", "--every", "1h", "--jitter", "soon"], "--jitter"),
        (["nosuchspider", "--every", "1h"], "nosuchspider"),
        (["related", "--every", "1h", "-a", "since"], "-a since"),
        (["related", "--every", "1h", "-s", f"SEEDS_DIR={ROOT / 'nowhere'}"], "nowhere"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(args: list[str], names: str) -> None:
    result = run_scrapy("schedule", *args)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert names in result.stderr


def test_three_crawls_never_two_at_once(tmp_path: Path, web_sources: Path) -> None:
    data = tmp_path / "data"
    schedule = Schedule(data, web_sources, "--every", "2s", "--runs", "3")
    assert schedule.finish() == 0, "\n".join(schedule.lines)
    runs = summaries(data)
    assert len(runs) == 3
    assert all(run["finish_reason"] == "finished" for run in runs)
    for before, after in pairwise(runs):
        assert before["finished_at"] <= after["started_at"]
    finished = schedule.log(r"crawl \d finished: run ")
    assert [line.split("run ")[1].split()[0] for line in finished] == [r["run_id"] for r in runs]
    assert len(schedule.log(r"crawl \d started")) == 3
    records = corpus(data)
    assert records[0]["is_seed"] and len(records) > 1
    assert len({r["id"] for r in records}) == len(records)


def test_a_crawl_by_hand_is_never_interleaved(tmp_path: Path, web_sources: Path) -> None:
    data = tmp_path / "data"
    lock = RunLock.for_directory(data)  # stands for a `scrapy crawl` started by hand
    lock.acquire()
    try:
        schedule = Schedule(data, web_sources, "--every", "1s", "--runs", "2")
        assert schedule.finish() == 0, "\n".join(schedule.lines)
    finally:
        lock.release()
    assert len(schedule.log(r"crawl \d skipped: another crawl is writing")) == 2
    assert not (data / "corpus.jsonl").exists()


def test_a_failing_crawl_does_not_stop_the_schedule(tmp_path: Path, web_sources: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the data directory's parent should be\n")
    data = blocker / "data"
    schedule = Schedule(data, web_sources, "--every", "5s", "--runs", "2")
    schedule.wait_for(r"crawl 1 failed \(exit 3: storage problem\)")
    blocker.unlink()  # the next run finds the storage fixed
    assert schedule.finish() == 0, "\n".join(schedule.lines)
    assert schedule.log(r"crawl 2 finished: run ")
    assert corpus(data)[0]["is_seed"]


def test_sigterm_stops_after_the_current_crawl(tmp_path: Path, web_sources: Path) -> None:
    data = tmp_path / "data"
    schedule = Schedule(data, web_sources, "--every", "1s")
    schedule.wait_for(r"crawl 1 started")
    schedule.process.send_signal(signal.SIGTERM)
    assert schedule.finish() == 0, "\n".join(schedule.lines)
    assert schedule.log("SIGTERM: stopping after the current crawl")
    assert schedule.log(r"crawl 1 finished: run \S+ \(finished\)")
    assert not schedule.log(r"crawl 2 started")
    assert [run["finish_reason"] for run in summaries(data)] == ["finished"]
    assert corpus(data)[0]["is_seed"]


def test_a_second_signal_stops_the_crawl_gracefully(tmp_path: Path, web_sources: Path) -> None:
    data = tmp_path / "data"
    # a slow crawl, so that it is still running when the second signal comes
    slow = ["-s", "DOWNLOAD_DELAY=2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
    schedule = Schedule(data, web_sources, "--every", "1s", *slow, "-s", "LOG_LEVEL=DEBUG")
    schedule.wait_for(r"Crawled \(200\)")  # the crawl is under way, its signal handlers set
    schedule.process.send_signal(signal.SIGINT)
    schedule.wait_for("SIGINT: stopping after the current crawl")
    schedule.process.send_signal(signal.SIGINT)
    assert schedule.finish() == 0, "\n".join(schedule.lines)
    assert schedule.log("SIGINT: asking the current crawl to stop")
    assert [run["finish_reason"] for run in summaries(data)] == ["shutdown"]
    assert not schedule.log(r"crawl 2 started")


# --- systemd and cron ---

DEPLOY = ROOT / "deploy"
UNITS = ("newscorpus-crawl.service", "newscorpus-crawl.timer")


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_units_verify(tmp_path: Path) -> None:
    scrapy = Path(sys.executable).with_name("scrapy")
    for name in UNITS:  # point the example paths at this checkout, which exists
        text = (DEPLOY / name).read_text("utf-8")
        text = text.replace("/srv/news-corpus/.venv/bin/scrapy", str(scrapy))
        (tmp_path / name).write_text(text.replace("/srv/news-corpus", str(ROOT)), "utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", *UNITS],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    problems = [line for line in result.stderr.splitlines() if "newscorpus-crawl" in line]
    assert result.returncode == 0 and not problems, result.stderr
    service = (tmp_path / UNITS[0]).read_text("utf-8")
    assert "Type=oneshot" in service and f"ExecStart={scrapy} crawl related" in service


def test_crontab_line() -> None:
    lines = (DEPLOY / "crontab").read_text("utf-8").splitlines()
    [entry] = [line for line in lines if line.strip() and not line.startswith("#")]
    fields = entry.split(maxsplit=5)
    assert croniter.is_valid(" ".join(fields[:5]))
    command = fields[5]
    assert "flock -n data/cron.lock " in command and "scrapy crawl related" in command
    assert subprocess.run(["sh", "-n", "-c", command], check=False).returncode == 0
