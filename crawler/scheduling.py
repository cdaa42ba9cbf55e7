"""Run a spider again and again on an interval or a cron expression, one crawl at a time.

Each crawl is a fresh ``scrapy crawl`` subprocess, so one crawl's memory, reactor and open files
never leak into the next. Crawls never overlap: the scheduler waits for each one to end, and a run
that came due meanwhile is skipped and logged. The crawl takes ``DATA_DIR/.lock`` itself, so a
``scrapy crawl`` started by hand and a scheduled one never write the data directory together: the
one that comes second exits 75, which the scheduler logs as a skipped run.

Signals: the first SIGINT or SIGTERM lets the current crawl finish and then stops; a second one
is passed on to the crawl as SIGINT, which makes Scrapy close the spider gracefully (requests in
flight end, the run summary is written), so the crawl can be resumed by the next run.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import selectors
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from croniter import CroniterError, croniter

from crawler.datadir import RUNS_DIR
from crawler.errors import EXIT_BUSY, InputError
from crawler.extensions import RunSummary

logger = logging.getLogger(__name__)

CRAWL_EXITS = {1: "error", 2: "bad input", 3: "storage problem"}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"(\d+)([smhd])")


def parse_interval(text: str) -> timedelta:
    """``30s``, ``15m``, ``1h`` or ``1d`` as a positive time span."""
    match = _INTERVAL.fullmatch(text.strip())
    if not match or int(match[1]) == 0:
        raise InputError("--every", f"{text!r} is not an interval like 30s, 15m, 1h or 1d")
    return timedelta(seconds=int(match[1]) * _UNITS[match[2]])


class Schedule(Protocol):
    def first(self, now: datetime) -> datetime:
        """When the first run is due."""

    def next_after(self, due: datetime) -> datetime:
        """When the run after the one due at *due* is due."""


@dataclass(frozen=True)
class Every:
    """Runs at a fixed interval, the first one at once."""

    interval: timedelta

    def first(self, now: datetime) -> datetime:
        return now

    def next_after(self, due: datetime) -> datetime:
        return due + self.interval

    def __str__(self) -> str:
        seconds = int(self.interval.total_seconds())
        unit, size = next((u, n) for u, n in reversed(_UNITS.items()) if seconds % n == 0)
        return f"every {seconds // size}{unit}"


@dataclass(frozen=True)
class Cron:
    """Runs at the times a crontab expression names, in the machine's local time."""

    expression: str

    def __post_init__(self) -> None:
        try:
            croniter(self.expression)
        except CroniterError as exc:
            raise InputError(
                "--cron", f"{self.expression!r} is not a cron expression ({exc})"
            ) from None

    def first(self, now: datetime) -> datetime:
        return self.next_after(now)

    def next_after(self, due: datetime) -> datetime:
        return croniter(self.expression, due.astimezone()).get_next(datetime)

    def __str__(self) -> str:
        return f"cron {self.expression!r}"


def make_schedule(every: str | None, cron: str | None) -> Schedule:
    """The schedule given by exactly one of ``--every`` and ``--cron``."""
    if (every is None) == (cron is None):
        raise InputError("scrapy schedule", "give exactly one of --every INTERVAL and --cron EXPR")
    return Every(parse_interval(every)) if every is not None else Cron(str(cron))


def skip_missed(schedule: Schedule, due: datetime, now: datetime) -> tuple[datetime, int]:
    """The first run due after *now* following the one due at *due*, and how many came between."""
    skipped = 0
    upcoming = schedule.next_after(due)
    while upcoming <= now:
        skipped += 1
        upcoming = schedule.next_after(upcoming)
    return upcoming, skipped


def crawl_command(spider: str, spider_args: Sequence[str], settings: Sequence[str]) -> list[str]:
    """The ``scrapy crawl`` command line of one scheduled run."""
    return [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        spider,
        *(part for arg in spider_args for part in ("-a", arg)),
        *(part for setting in settings for part in ("-s", setting)),
    ]


def describe_exit(code: int) -> str:
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit {code}: {CRAWL_EXITS.get(code, 'error')}"


class Scheduler:
    """Runs *command* on *schedule* until *runs* crawls have run or a signal stops it."""

    def __init__(
        self,
        command: list[str],
        schedule: Schedule,
        data_dir: str | Path,
        *,
        jitter: float = 0.0,
        runs: int | None = None,
    ) -> None:
        self.command = command
        self.schedule = schedule
        self.runs_dir = Path(data_dir) / RUNS_DIR
        self.jitter = jitter
        self.runs = runs
        self.signals_seen = 0
        self.child: subprocess.Popen[bytes] | None = None
        self._selector = selectors.DefaultSelector()  # wakes the sleep between runs on a signal

    def run(self) -> int:
        """Run the schedule; 0 unless the last crawl failed."""
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        self._selector.register(wake_read, selectors.EVENT_READ)
        previous_wakeup = signal.set_wakeup_fd(wake_write)
        handlers = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            return self._loop()
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
            signal.set_wakeup_fd(previous_wakeup)
            self._selector.close()
            os.close(wake_read)
            os.close(wake_write)

    def _loop(self) -> int:
        logger.info("schedule: %s %s", self.schedule, " ".join(self.command[2:]))
        due = self.schedule.first(datetime.now().astimezone())
        number, status = 0, 0
        while not self.signals_seen:
            start = due + timedelta(seconds=random.uniform(0, self.jitter))
            if not self._sleep_until(start):
                break
            number += 1
            status = self._crawl(number)
            if self.signals_seen or (self.runs is not None and number >= self.runs):
                break
            due, skipped = skip_missed(self.schedule, due, datetime.now().astimezone())
            if skipped:
                logger.warning(
                    "%d run(s) that came due while crawl %d ran were skipped", skipped, number
                )
        logger.info("schedule stopped after %d crawl(s)", number)
        return 1 if status not in (0, EXIT_BUSY) else 0

    def _sleep_until(self, moment: datetime) -> bool:
        """Wait until *moment*; False if a signal came first."""
        logger.info("next crawl at %s", moment.isoformat(timespec="seconds"))
        while not self.signals_seen:
            left = (moment - datetime.now().astimezone()).total_seconds()
            if left <= 0:
                return True
            for key, _ in self._selector.select(left):
                os.read(key.fd, 512)  # drain the signal bytes; the handler already ran
        return False

    def _crawl(self, number: int) -> int:
        known = set(self.runs_dir.glob("*.json"))
        # its own session: a Ctrl-C in the terminal reaches the scheduler, which decides
        self.child = subprocess.Popen(self.command, start_new_session=True)
        logger.info("crawl %d started (pid %d)", number, self.child.pid)
        code = self.child.wait()
        self.child = None
        if code == EXIT_BUSY:
            logger.warning("crawl %d skipped: another crawl is writing the data directory", number)
            return code
        summary = self._new_summary(known)
        line = RunSummary.describe(summary)[0] if summary else "no run summary written"
        if code == 0:
            logger.info("crawl %d finished: %s", number, line)
        else:
            logger.error("crawl %d failed (%s): %s", number, describe_exit(code), line)
        return code

    def _new_summary(self, known: set[Path]) -> dict[str, Any] | None:
        new = sorted(set(self.runs_dir.glob("*.json")) - known)  # run ids sort by start time
        if not new:
            return None
        try:
            return json.loads(new[-1].read_text("utf-8"))
        except (OSError, ValueError) as exc:
            logger.error("%s: cannot read the run summary (%s)", new[-1], exc)
            return None

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.signals_seen += 1
        name = signal.Signals(signum).name
        if self.signals_seen == 1 and self.child is not None:
            logger.warning(
                "%s: stopping after the current crawl; send it again to stop the crawl now", name
            )
        elif self.signals_seen == 1:
            logger.warning("%s: stopping", name)
        elif self.child is not None:
            logger.warning("%s: asking the current crawl to stop", name)
            self.child.send_signal(signal.SIGINT)
