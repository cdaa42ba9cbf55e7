"""Finding candidate article URLs: feeds, sitemaps, listings and search result pages.

Every reader takes bytes or text plus the URL they came from and returns :class:`Candidate` objects;
none of them performs I/O, so the spider decides what to fetch and in which order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crawler.errors import InputError


@dataclass(slots=True)
class Candidate:
    """A URL that may lead to an article, with whatever the entry point said about it."""

    url: str
    via: str  # feed, sitemap, search, listing, link
    title: str = ""
    snippet: str = ""
    published: datetime | None = None  # timezone-aware (UTC) when known
    keywords: list[str] = field(default_factory=list)
    related_box: bool = False  # listed in a page's "Related" / "See also" / "Read also" box


class DiscoveryError(InputError):
    """An entry point (feed, sitemap, listing, search template) that cannot be read."""
