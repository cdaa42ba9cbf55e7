"""Canonical URLs: one spelling per page, so that URL variants collapse to one record.

``canonical_url`` gives a fetchable normalised URL (lower-case scheme and host, no default port, no
fragment, no tracking parameters, sorted query, AMP variants mapped to the main page).
``url_key`` goes one step further for identity only (``http``/``https``, ``www.`` and a trailing
slash do not make a different page) and ``record_id`` hashes that key into the stable record id.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from courlan.clean import TRACKERS_RE
from w3lib.url import safe_url_string

# Parameters that only say where a click came from; courlan's list covers utm_*, fbclid, gclid,
# yclid, ref, source, campaign... and these are the ones it leaves that news sites commonly append.
_EXTRA_TRACKERS = frozenset(
    {
        "from",
        "rss",
        "rss_id",
        "at_medium",
        "at_campaign",
        "cmpid",
        "ito",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ocid",
        "share",
        "smid",
        "sr_share",
        "taid",
        "tracking",
        "via",
        "amp",
        "_ga",
        "_gl",
        "mbid",
        "spm",
        "s_cid",
        "icid",
    }
)
_KEEP = frozenset({"id", "p", "page", "q", "query", "searchstr", "pagen_1", "article", "story"})
_AMP_SUFFIX = re.compile(r"/amp(/?)$|\.amp(\.html?)$", re.IGNORECASE)
_AMP_PREFIX = re.compile(r"^/amp(?=/)", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MOBILE_HOST = re.compile(r"^(?:www|m|mobile|amp)\.(?=[^.]+\.)")  # www./m./amp. editions


def _is_tracker(name: str) -> bool:
    lowered = name.lower()
    if lowered in _KEEP:
        return False
    return lowered in _EXTRA_TRACKERS or bool(TRACKERS_RE.search(lowered))


@lru_cache(maxsize=4096)  # a URL is canonicalised when found, fetched, remembered and stored
def canonical_url(url: str) -> str:
    """Return the normalised, fetchable form of an absolute http(s) URL.

    Raises ``ValueError`` for anything that is not an absolute http(s) URL.
    """
    parts = urlsplit(safe_url_string(url.strip()))
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    host = parts.hostname.rstrip(".")
    if parts.port and parts.port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{parts.port}"
    path = _AMP_PREFIX.sub("", parts.path) or "/"
    path = _AMP_SUFFIX.sub(lambda m: m.group(1) or m.group(2) or "", path) or "/"
    path = re.sub(r"/{2,}", "/", path)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracker(k)
    ]
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))


def url_key(url: str) -> str:
    """Identity of a page: its canonical URL without scheme, trailing slash, or the ``www.``,
    ``m.``, ``mobile.`` and ``amp.`` host prefixes of the same site's editions."""
    parts = urlsplit(canonical_url(url))
    host = _MOBILE_HOST.sub("", parts.netloc)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host, path, parts.query, "")).removeprefix("//")


def record_id(url: str) -> str:
    """Stable 16-hex-digit record id derived from the canonical URL."""
    return hashlib.sha1(url_key(url).encode("utf-8")).hexdigest()[:16]


def host_of(url: str) -> str:
    """Lower-case host (without port and ``www.``) of a URL, '' if it has none."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def http_url(link: str, base: str) -> str | None:
    """``link`` resolved against ``base`` without its fragment, or None unless it is http(s).

    Absolute and root-relative links (most of a page's links) skip ``urljoin``; the check of the
    result is cached, as a site's menus repeat the same links on every page.
    """
    link = link.strip()
    if link.startswith(("http://", "https://")):
        absolute = link
    elif link.startswith("/") and not link.startswith("//") and "/." not in link:
        absolute = _origin(base) + link
    else:
        try:
            absolute = urljoin(base, link)
        except ValueError:
            return None
    return _checked_http(absolute.partition("#")[0])


@lru_cache(maxsize=256)
def _origin(base: str) -> str:
    try:
        parts = urlsplit(base)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


@lru_cache(maxsize=8192)
def _checked_http(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url
