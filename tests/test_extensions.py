"""Garbage collection tuned while the spider runs, and Python's restored after."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from crawler.extensions import GarbageCollection


@pytest.fixture(autouse=True)
def _python_defaults() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*saved)


def test_on_by_default() -> None:
    settings = get_project_settings()
    assert settings.getbool("GC_FREEZE") is True
    assert settings.getint("GC_THRESHOLD") == 10_000
    assert settings.getdict("EXTENSIONS")["crawler.extensions.GarbageCollection"] > 0


def test_start_up_heap_frozen_while_the_spider_runs() -> None:
    gc.set_threshold(700, 10, 10)
    settings = {"GC_FREEZE": True, "GC_THRESHOLD": 10_000}
    ext = GarbageCollection.from_crawler(get_crawler(Spider, settings))
    before = [object()]  # alive at start-up: frozen, out of every collection
    assert any(o is before for o in gc.get_objects())
    ext.spider_opened(Spider("s"))
    assert gc.get_freeze_count() > 1000
    assert not any(o is before for o in gc.get_objects())
    assert gc.get_threshold() == (10_000, 10, 10)
    after = [object()]  # allocated by the crawl: collected as usual
    gc.collect()
    assert any(o is after for o in gc.get_objects())
    ext.spider_closed(Spider("s"))
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == (700, 10, 10)


def test_each_part_can_be_turned_off() -> None:
    gc.set_threshold(700, 10, 10)
    ext = GarbageCollection.from_crawler(
        get_crawler(Spider, {"GC_FREEZE": False, "GC_THRESHOLD": 5000})
    )
    ext.spider_opened(Spider("s"))
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == (5000, 10, 10)
    ext.spider_closed(Spider("s"))
    with pytest.raises(NotConfigured):
        GarbageCollection.from_crawler(
            get_crawler(Spider, {"GC_FREEZE": False, "GC_THRESHOLD": 0})
        )
