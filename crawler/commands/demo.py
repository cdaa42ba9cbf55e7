"""``scrapy demo``: serve the local news web on loopback and crawl it offline in under a minute."""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.datadir import CORPUS_FILE, DUPLICATES_FILE, RUNS_DIR, STATE_FILE
from crawler.newsweb import NewsWeb

DEMO_SETTINGS = {
    # the local web answers instantly and belongs to us: no politeness delays needed
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
}


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Serve the local news web on 127.0.0.x and crawl it into its own data folder"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--data",
            default="data/demo",
            help="data folder for the demo corpus (emptied first; default data/demo)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("scrapy demo takes no arguments")
        assert self.crawler_process is not None and self.settings is not None
        data = Path(opts.data)
        _empty_data_dir(data)
        with NewsWeb() as web, tempfile.TemporaryDirectory() as tmp:
            sources = web.write_sources(Path(tmp) / "sources.toml")
            print(f"serving {len(web.sites)} local news sites:")
            for site in web.sites:
                print(f"  {site.base_url}  {site.name}")
            for name, value in {
                **DEMO_SETTINGS,
                "SOURCES_FILE": str(sources),
                "DATA_DIR": str(data),
            }.items():
                self.settings.set(name, value, priority="cmdline")
            crawler = self.crawler_process.create_crawler("related")
            self.crawler_process.crawl(crawler)
            self.crawler_process.start()
            # a syndicated copy is related too, but the corpus keeps its original only
            related = {
                a.url for a in web.articles if a.url in web.related_urls and not a.syndicated_of
            }
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        self._report(data, related)

    @staticmethod
    def _report(data: Path, related: set[str]) -> None:
        records = [
            json.loads(line) for line in (data / CORPUS_FILE).read_text("utf-8").splitlines()
        ]
        found = {r["canonical_url"] for r in records} & related
        print(
            f"\n{len(records)} records in {data / CORPUS_FILE}"
            f" ({len(found)} of the web's {len(related)} related articles):"
        )
        for record in records:
            marker = "seed" if record["is_seed"] else f"{record['relevance']:.2f}"
            print(f"  [{marker}] {record['source']}: {record['title']}")
        runs = sorted((data / RUNS_DIR).glob("*.json"))
        if runs:
            print(f"run summary: {runs[-1]}")


def _empty_data_dir(data: Path) -> None:
    for name in (
        CORPUS_FILE,
        DUPLICATES_FILE,
        STATE_FILE,
        f"{STATE_FILE}-wal",
        f"{STATE_FILE}-shm",
    ):
        (data / name).unlink(missing_ok=True)
    shutil.rmtree(data / RUNS_DIR, ignore_errors=True)
