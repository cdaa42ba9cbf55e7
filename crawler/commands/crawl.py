"""``scrapy crawl``, with bad input and a busy data directory reported in one line.

Before the engine starts, the spider's ``configure(settings)`` (if it has one) checks the seeds,
sources and ``-a`` arguments, and the data directory's run lock is taken; either failing prints
``error: <file or argument>: <problem>`` and exits non-zero without writing anything.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.datadir import RunLock
from crawler.errors import DataDirBusy, InputError, StorageError

EXIT_BAD_INPUT = 2
EXIT_STORAGE = 3
EXIT_BUSY = 75  # EX_TEMPFAIL: try again later


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError
        assert self.crawler_process is not None and self.settings is not None
        try:
            spidercls = self.crawler_process.spider_loader.load(args[0])
        except KeyError:
            raise UsageError(f"Spider not found: {args[0]}") from None
        lock = None
        try:
            configure = getattr(spidercls, "configure", None)
            if configure is not None:
                configure(spidercls(**opts.spargs), self.settings)
            lock = RunLock.for_directory(self.settings.get("DATA_DIR"))
            lock.acquire(self.settings.getfloat("LOCK_WAIT"))
        except InputError as exc:
            self._fail(exc, EXIT_BAD_INPUT)
            return
        except DataDirBusy as exc:
            self._fail(exc, EXIT_BUSY)
            return
        except StorageError as exc:
            self._fail(exc, EXIT_STORAGE)
            return
        try:
            super().run(args, opts)
        finally:
            lock.release()

    def _fail(self, exc: Exception, code: int) -> None:
        print(f"error: {exc}", file=sys.stderr)
        self.exitcode = code
