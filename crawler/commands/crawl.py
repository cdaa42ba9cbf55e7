"""``scrapy crawl``, with bad input, a busy or unusable data directory reported in one line.

Before the engine starts, the spider's ``configure(settings)`` (if it has one) checks the seeds,
sources and ``-a`` arguments, and the data directory is opened (run lock, databases checked and
caught up with the corpus); either failing prints ``error: <file or argument>: <problem>`` and
exits non-zero without writing anything. A storage failure during the crawl (disk full,
read-only, damaged database) stops it at once and ends the same way, with exit code 3.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import suppress

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.datadir import DataDir
from crawler.errors import InputError, StorageError, exit_code


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError
        assert self.crawler_process is not None and self.settings is not None
        try:
            spidercls = self.crawler_process.spider_loader.load(args[0])
        except KeyError:
            raise UsageError(f"Spider not found: {args[0]}") from None
        try:
            configure = getattr(spidercls, "configure", None)
            if configure is not None:
                configure(spidercls(**opts.spargs), self.settings)
            # the crawl's DataDir.for_crawler() finds it open
            data = DataDir(
                self.settings.get("DATA_DIR"), lock_wait=self.settings.getfloat("LOCK_WAIT")
            )
        except (InputError, StorageError) as exc:
            self._fail(exc)
            return
        try:
            super().run(args, opts)
        finally:
            with suppress(StorageError):  # kept in data.failure
                data.close()
        if data.failure is not None:
            self._fail(data.failure)

    def _fail(self, exc: Exception) -> None:
        print(f"error: {exc}", file=sys.stderr)
        self.exitcode = exit_code(exc)
