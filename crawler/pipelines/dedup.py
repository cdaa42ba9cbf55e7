"""Drop records the corpus already holds: same canonical URL, same body text, or a syndicated
copy of a stored text (MinHash near-duplicate, see ``crawler.neardup``).

A URL the corpus already has under the same address is simply known (re-visited); any other copy
(another URL of the same page, the same or nearly the same text elsewhere) is logged to
``duplicates.jsonl`` with the id of the record that was kept, so nothing disappears silently.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.datadir import DataDir, record_key
from crawler.runstats import count, source_of


class DedupPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.data: DataDir | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.data = DataDir.for_crawler(self.crawler)

    def process_item(self, item: Any) -> Any:
        assert self.data is not None
        adapter = ItemAdapter(item)
        duplicate = self.data.find_duplicate(adapter)
        if duplicate is None:
            return item
        known, kind = duplicate.of, duplicate.kind
        source = source_of(adapter)
        if kind == "url" and known.url == adapter["url"]:
            count(self.crawler.stats, source, "known")
            raise DropItem(f"{adapter['url']}: already in the corpus", "DEBUG")
        self.data.duplicates.append(
            {
                "url": adapter["url"],
                "canonical_url": adapter["canonical_url"],
                "source": adapter["source"],
                "title": adapter["title"],
                "duplicate_of": known.id,
                "kind": kind,
                "similarity": duplicate.similarity,
                "based_on": adapter.get("based_on"),
                "fetched_at": adapter["fetched_at"],
            }
        )
        key = record_key(adapter["canonical_url"])
        self.data.state.mark_url(key, adapter["url"], "duplicate", record_id=known.id)
        count(self.crawler.stats, source, "duplicates")
        raise DropItem(f"{adapter['url']}: {kind} duplicate of {known.url}", "INFO")
