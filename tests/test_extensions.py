"""The start-up heap frozen out of garbage collections while the spider runs."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from crawler.extensions import FreezeStartupHeap


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_on_by_default() -> None:
    settings = get_project_settings()
    assert settings.getbool("GC_FREEZE") is True
    assert settings.getdict("EXTENSIONS")["crawler.extensions.FreezeStartupHeap"] > 0


def test_frozen_while_the_spider_runs() -> None:
    crawler = get_crawler(Spider, {"GC_FREEZE": True})
    ext = FreezeStartupHeap.from_crawler(crawler)
    before = [object()]  # alive at start-up: frozen, out of every collection
    assert any(o is before for o in gc.get_objects())
    ext.spider_opened(Spider("s"))
    assert gc.get_freeze_count() > 1000
    assert not any(o is before for o in gc.get_objects())
    after = [object()]  # allocated by the crawl: collected as usual
    gc.collect()
    assert any(o is after for o in gc.get_objects())
    ext.spider_closed(Spider("s"))
    assert gc.get_freeze_count() == 0


def test_off_with_the_setting() -> None:
    with pytest.raises(NotConfigured):
        FreezeStartupHeap.from_crawler(get_crawler(Spider, {"GC_FREEZE": False}))
