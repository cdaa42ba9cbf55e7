"""Keep the crawler on the public web: no requests to private, loopback, link-local or metadata
addresses (by IP literal, or after DNS resolution) unless the host is a configured source."""

from __future__ import annotations

import ipaddress
from typing import Any

from scrapy.crawler import Crawler
from scrapy.resolver import CachingThreadedResolver
from scrapy.settings import BaseSettings
from twisted.internet.error import DNSLookupError

from crawler.errors import InputError
from crawler.sources import load_sources


def is_public(address: str) -> bool:
    """True for a globally routable IP address (not private, loopback, link-local, metadata...)."""
    try:
        return ipaddress.ip_address(address.strip("[]")).is_global
    except ValueError:
        return True  # not an IP literal: a name, checked after resolution


def allowed_hosts(settings: BaseSettings) -> frozenset[str]:
    """Hosts allowed on non-public addresses: the configured sources' and ``ALLOWED_HOSTS``."""
    extra = frozenset(settings.getlist("ALLOWED_HOSTS"))
    try:
        sources = load_sources(settings["SOURCES_FILE"])
    except InputError:
        return extra  # a bad sources file is reported by the crawl command before any fetch
    return extra.union(*(s.all_hosts for s in sources))


def refused(host: str, allowed: frozenset[str]) -> bool:
    """True when *host* is a non-public IP literal outside the configured sources."""
    return not is_public(host) and _bare(host) not in allowed


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing names that resolve to non-public addresses."""

    allowed: frozenset[str] = frozenset()

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allowed = allowed_hosts(crawler.settings)
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:
        deferred = super().getHostByName(name, timeout)
        deferred.addCallback(self._check, name)
        return deferred

    def _check(self, address: str, name: str) -> str:
        if not is_public(address) and _bare(name) not in self.allowed:
            raise DNSLookupError(f"{name} resolves to non-public address {address}: refused")
        return address


def _bare(host: str) -> str:
    """A host name as sources list it: lower case, no ``www.``."""
    return host.lower().rstrip(".").removeprefix("www.")
