"""``scrapy schedule SPIDER --every INTERVAL | --cron EXPR``: crawl again and again, one at a time.

``-a`` and ``-s`` options are passed to every crawl; ``-L`` and ``--logfile`` set the scheduler's
own log. The seeds, sources and spider arguments are checked once before the first run, so a typo
ends the command at once (one ``error:`` line, exit 2) instead of failing every run.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.log import configure_logging

from crawler.errors import EXIT_BAD_INPUT, InputError
from crawler.scheduling import Scheduler, crawl_command, make_schedule


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "SPIDER (--every INTERVAL | --cron EXPR) [--jitter SECONDS] [--runs N] [options]"

    def short_desc(self) -> str:
        return "Run a spider on an interval or a cron schedule, one crawl at a time"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--every", metavar="INTERVAL", help="run now, then every 30s, 15m, 1h, 1d, ..."
        )
        parser.add_argument(
            "--cron",
            metavar="EXPR",
            help='run at the times of a crontab expression ("0 */6 * * *")',
        )
        parser.add_argument(
            "--jitter",
            metavar="SECONDS",
            default="0",
            help="start each run up to SECONDS late, at random (spreads load; default 0)",
        )
        parser.add_argument("--runs", metavar="N", help="stop after N runs (default: never)")
        parser.add_argument(
            "-a",
            dest="spargs",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="spider argument for every crawl (may be repeated)",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            super().process_options(args, opts)
        except UsageError as exc:
            self._exit_bad_input(str(exc))

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        try:
            spider = self._check(args, opts)
            scheduler = Scheduler(
                crawl_command(spider, opts.spargs, opts.set),
                make_schedule(opts.every, opts.cron),
                self.settings.get("DATA_DIR"),
                jitter=_number("--jitter", opts.jitter, float, 0),
                runs=None if opts.runs is None else _number("--runs", opts.runs, int, 1),
            )
        except InputError as exc:
            self._exit_bad_input(str(exc))
        configure_logging(self.settings)
        self.exitcode = scheduler.run()

    def _check(self, args: list[str], opts: argparse.Namespace) -> str:
        """The spider name, once the spider has accepted the arguments, seeds and sources."""
        assert self.settings is not None
        if len(args) != 1:
            raise InputError("scrapy schedule", f"give one spider name, not {args or 'none'}")
        bad = [arg for arg in opts.spargs if "=" not in arg]
        if bad:
            raise InputError(f"-a {bad[0]}", "use -a NAME=VALUE")
        try:
            spidercls = get_spider_loader(self.settings).load(args[0])
        except KeyError:
            raise InputError(args[0], "no spider of that name") from None
        configure = getattr(spidercls, "configure", None)
        if configure is not None:
            spargs = dict(arg.split("=", 1) for arg in opts.spargs)
            configure(spidercls(**spargs), self.settings)
        return args[0]

    @staticmethod
    def _exit_bad_input(message: str) -> NoReturn:
        print(f"error: {message}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def _number(option: str, text: str, kind: type[int] | type[float], least: float) -> Any:
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or value < least:
        raise InputError(option, f"{text!r} is not a number of at least {least}")
    return value
