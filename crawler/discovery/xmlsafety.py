"""Refuse XML that declares entities: the way to billion-laughs and quadratic blow-up expansion
and to external entities (``file:///etc/passwd``, internal URLs). Feeds and sitemaps never need
them; the readers refuse such documents before any parser sees them."""

from __future__ import annotations

import re

from crawler.discovery import DiscoveryError

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


def declares_entities(markup: bytes) -> bool:
    """True when an XML document in an ASCII-compatible encoding or UTF-16/32 contains an entity
    declaration (anywhere: a DTD cannot hide it)."""
    if _ENTITY_DECLARATION.search(markup):
        return True
    wide = b"\x00" in markup[:4]  # UTF-16 or UTF-32, with or without a byte order mark
    return wide and _ENTITY_DECLARATION.search(markup.replace(b"\x00", b"")) is not None


def refuse_entities(markup: bytes, url: str, what: str) -> None:
    """Raise :class:`DiscoveryError` naming ``url`` when ``markup`` declares XML entities."""
    if declares_entities(markup):
        raise DiscoveryError(url, f"{what} declares XML entities; refusing to read it")
