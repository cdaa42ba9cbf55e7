"""Site search: building the query URL and reading its result page."""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import quote_plus

from crawler.discovery import DiscoveryError
from crawler.discovery.listings import ListingPage, parse_listing
from crawler.urls import http_url

PLACEHOLDER = "{query}"


def search_url(template: str, query: str) -> str:
    """``template`` with every ``{query}`` replaced by the URL-encoded ``query``.

    Raises :class:`DiscoveryError` for a template without the placeholder or not an http(s) URL,
    and for an empty query.
    """
    if PLACEHOLDER not in template:
        raise DiscoveryError(template, f"search URL template has no {PLACEHOLDER} placeholder")
    words = " ".join(query.split())
    if not words:
        raise DiscoveryError(template, "empty search query")
    try:
        encoded = quote_plus(words, encoding="utf-8", errors="strict")
    except UnicodeEncodeError as exc:
        raise DiscoveryError(template, f"search query is not valid text: {words!r}") from exc
    url = template.replace(PLACEHOLDER, encoded)
    if http_url(url, "") is None:
        raise DiscoveryError(template, "search URL template is not an absolute http(s) URL")
    return url


def parse_search_results(
    html: str, url: str, *, allowed_hosts: Collection[str] | None = None
) -> ListingPage:
    """Result links of a site search page: :func:`parse_listing` with ``via="search"``."""
    return parse_listing(html, url, via="search", allowed_hosts=allowed_hosts)
