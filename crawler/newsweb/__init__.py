"""A local news web on loopback addresses for tests, ``scrapy demo`` and benchmarks.

Usage::

    with NewsWeb() as web:
        web.write_sources(tmp_path / "sources.toml")
        ...  # crawl web.sites, compare with web.related_urls
"""

from crawler.newsweb.server import ArticleInfo, NewsWeb
from crawler.newsweb.site import Site

__all__ = ["ArticleInfo", "NewsWeb", "Site"]
