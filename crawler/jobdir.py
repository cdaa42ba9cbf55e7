"""A scheduler whose ``JOBDIR`` survives a killed run and a finished one.

Scrapy writes ``JOBDIR/requests.queue/active.json`` only when its scheduler closes, while
``requests.seen`` grows as requests are scheduled. After a SIGKILL the next run would drop every
entry point as already seen and fail on the half-written queue files; after a finished run it
would drop them too, so a scheduled crawl with a ``JOBDIR`` would never find anything new. Only a
paused job (Ctrl-C, with requests left) is resumed; otherwise the run starts from the entry points,
and the data directory's state keeps it from fetching what is already stored.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.utils.job import job_dir

logger = logging.getLogger(__name__)


def reset_unless_paused(directory: Path) -> None:
    """Drop ``directory``'s seen requests and disk queue unless the last run paused with requests
    left (``active.json`` is ``{}`` after a finished run and missing after a killed one)."""
    queue, seen = directory / "requests.queue", directory / "requests.seen"
    if not seen.exists():
        return
    try:
        paused = bool(json.loads((queue / "active.json").read_text("utf-8")))
    except (OSError, ValueError):
        paused = False
        logger.warning(
            "%s: the last run was killed; its request queue is lost, starting again from the "
            "entry points",
            directory,
        )
    if not paused:
        shutil.rmtree(queue, ignore_errors=True)
        seen.unlink()


class JobDirScheduler(Scheduler):
    """Scrapy's scheduler, resuming a ``JOBDIR`` only when its last run was paused."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobDirScheduler:
        directory = job_dir(crawler.settings)
        if directory:
            reset_unless_paused(Path(directory))
        return super().from_crawler(crawler)
