"""``scrapy extract PATH_OR_URL... [--url URL]``: print the record extract_article gives a page."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.http import Response
from twisted.python.failure import Failure
from w3lib.url import is_url

from crawler.extraction import extract_article
from crawler.urls import host_of


def _print_record(url: str, record: dict[str, Any]) -> None:
    print(json.dumps({"url": url, **record}, ensure_ascii=False), flush=True)


class _ExtractSpider(Spider):
    """Fetches the given URLs once each and prints their records."""

    name = "extract"

    def __init__(self, urls: list[str], command: Command, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.command = command

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url, dont_filter=True, errback=self.failed, cb_kwargs={"asked": url})

    def parse(self, response: Response, asked: str) -> None:
        content_type = response.headers.get("Content-Type")
        record = extract_article(
            response.body,
            response.url,
            content_type=content_type.decode("latin-1") if content_type else None,
        )
        _print_record(response.url, record)
        if response.url != asked:
            print(f"{asked}: redirected to {response.url}", file=sys.stderr)

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        print(f"{request.url}: {failure.getErrorMessage()}", file=sys.stderr)
        self.command.exitcode = 1


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "PATH_OR_URL... [--url URL]"

    def short_desc(self) -> str:
        return "Print the extracted article record (one JSON line) of saved pages or URLs"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--url", help="the address a saved page came from (default: its file:// URI)"
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if not opts.loglevel:  # records on stdout, problems on stderr, no start-up chatter
            self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
        # the user named these URLs: fetch them even on a private address (a local test site)
        asked = [host_of(a) for a in args if is_url(a) and not a.startswith("file:")]
        self.settings.set(
            "ALLOWED_HOSTS", [*self.settings.getlist("ALLOWED_HOSTS"), *asked], priority="cmdline"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give at least one saved page or URL")
        urls = [a for a in args if is_url(a) and not a.startswith("file:")]
        paths = [a for a in args if a not in urls]
        if opts.url and len(paths) != 1:
            raise UsageError("--url needs exactly one saved page")
        for arg in paths:
            path = Path(arg.removeprefix("file://"))
            try:
                html = path.read_bytes()
            except OSError as error:
                print(f"{path}: cannot read ({error.strerror or error})", file=sys.stderr)
                self.exitcode = 1
                continue
            url = opts.url or path.resolve().as_uri()
            _print_record(url, extract_article(html, url))
        if urls:
            assert self.crawler_process is not None
            self.crawler_process.crawl(_ExtractSpider, urls=urls, command=self)
            self.crawler_process.start()
