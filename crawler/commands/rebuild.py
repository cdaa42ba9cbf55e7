"""``scrapy rebuild``: rebuild the state database and near-duplicate index from the corpus.

Only a damaged or missing database is rebuilt (``--force``: both). The old file is kept, renamed to
``state.sqlite.corrupt-<UTC time>`` (``.replaced-<UTC time>`` when it was sound), and the corpus is
only read. Exit codes as for ``scrapy crawl``: 3 when the data directory cannot be used, 75 when a
crawl is writing it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.datadir import CORPUS_FILE, DUPLICATES_FILE, STATE_FILE, rebuild
from crawler.errors import StorageError, exit_code

LOST = (
    "not recoverable from the corpus: what became of pages that gave no record (unrelated,"
    " not articles, failed), entry points' validators and the sources' run history; the next"
    " crawl fetches those pages again and drops them again"
)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[--force] [-s DATA_DIR=<folder>]"

    def short_desc(self) -> str:
        return "Rebuild the state database and near-duplicate index of DATA_DIR from its corpus"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--force",
            action="store_true",
            help="rebuild both databases even if they are sound (the old files are kept)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("scrapy rebuild takes no arguments; set the folder with -s DATA_DIR=")
        assert self.settings is not None
        folder = self.settings.get("DATA_DIR")
        try:
            done = rebuild(folder, force=opts.force, lock_wait=self.settings.getfloat("LOCK_WAIT"))
        except StorageError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = exit_code(exc)
            return
        if not done.rebuilt:
            print(f"{folder}: state database and near-duplicate index are sound; nothing to do"
                  " (--force rebuilds them anyway)")  # fmt: skip
            return
        for path in done.set_aside:
            print(f"kept the old file as {path}")
        print(
            f"{folder}: rebuilt {' and '.join(done.rebuilt)} from {CORPUS_FILE}:"
            f" {done.records} records, {done.duplicates} duplicate URLs from {DUPLICATES_FILE}"
        )
        if STATE_FILE in done.rebuilt:
            print(f"note: {LOST}")
