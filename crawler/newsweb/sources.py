"""The sources TOML that describes a running news web to the crawler."""

from __future__ import annotations

import json
from collections.abc import Iterable

from crawler.newsweb.site import Site


def _value(value: str | list[str]) -> str:
    """A TOML string or array of strings (JSON string syntax is valid TOML)."""
    if isinstance(value, str):
        return json.dumps(value)
    return "[" + ", ".join(json.dumps(v) for v in value) + "]"


def sources_toml(sites: Iterable[Site]) -> str:
    """One ``[[sources]]`` table per site; empty entry points are left out."""
    blocks = []
    for site in sites:
        fields: dict[str, str | list[str]] = {
            "name": site.name,
            "url": site.url("/"),
            "feeds": [site.url(p) for p in site.feeds()],
            "sitemaps": [site.url(p) for p in site.sitemaps()],
            "search": site.url(site.search_path()) if site.search_path() else "",
            "language": site.language,
            "listings": [site.url(p) for p in site.listings()],
        }
        lines = [f"{k} = {_value(v)}" for k, v in fields.items() if v]
        blocks.append("[[sources]]\n" + "\n".join(lines) + "\n")
    return "# Sources of the local news web (crawler.newsweb).\n\n" + "\n".join(blocks)
