"""``scrapy seed``: print the topic profile built from the seed articles."""

from __future__ import annotations

import argparse
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.errors import InputError
from crawler.seeds import load_seeds
from crawler.topic import DEFAULT_MIN_RELEVANCE, TopicProfile


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[SEEDS_DIR]"

    def short_desc(self) -> str:
        return "Print the topic profile of the seeds: weighted terms, variants, dates and queries"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) > 1:
            raise UsageError("scrapy seed takes at most one argument, the seed folder")
        assert self.settings is not None
        folder = args[0] if args else self.settings.get("SEEDS_DIR", "seeds")
        try:
            seeds = load_seeds(folder)
            profile = TopicProfile.from_records([seed.record for seed in seeds])
        except (InputError, ValueError) as error:
            where = "" if isinstance(error, InputError) else f"{folder}: "
            print(f"error: {where}{error}", file=sys.stderr)
            self.exitcode = 2
            return
        for seed in seeds:
            print(f"seed: {seed.path}  {seed.record['title']}")
        print(profile.describe())
        print(f"Minimum relevance for storing an article: {DEFAULT_MIN_RELEVANCE}")
