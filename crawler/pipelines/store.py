"""Append each record to ``DATA_DIR/corpus.jsonl`` (one flushed line per record).

A record that cannot be written (disk full, read-only, file size limit) is dropped without a
traceback: :class:`~crawler.datadir.DataDir` has logged the failure once and is stopping the
crawl, and the crawl command exits 3 with the one-line error.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.datadir import DataDir
from crawler.errors import StorageError
from crawler.runstats import count, source_of


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.data: DataDir | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.data = DataDir.for_crawler(self.crawler)

    def process_item(self, item: Any) -> Any:
        assert self.data is not None
        record = ItemAdapter(item).asdict()
        try:
            self.data.store(record)
        except StorageError as exc:
            raise DropItem(f"{record['url']}: not stored ({exc})", "DEBUG") from None
        count(self.crawler.stats, source_of(record), "stored")
        return item
