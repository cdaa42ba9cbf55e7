"""Append each record to ``DATA_DIR/corpus.jsonl`` (one flushed line per record)."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler.datadir import DataDir
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
        self.data.store(record)
        count(self.crawler.stats, source_of(record), "stored")
        return item
