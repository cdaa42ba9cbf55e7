"""The sources file: a TOML array of ``[[sources]]`` tables, validated into ``Source`` objects."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.errors import InputError
from crawler.urls import host_of

_LIST_KEYS = ("feeds", "sitemaps", "listings", "hosts")
_KEYS = frozenset({"name", "url", "search", "language", "delay", *_LIST_KEYS})
_LANGUAGE = re.compile(r"^[a-z]{2}$")


@dataclass(frozen=True, slots=True)
class Source:
    """A news site: where to start and how to recognise its pages."""

    name: str
    url: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    search: str | None = None
    language: str | None = None
    hosts: tuple[str, ...] = ()
    delay: float | None = None

    @property
    def all_hosts(self) -> frozenset[str]:
        """Hosts whose pages belong to this source (the home page's host, entry points', extras)."""
        urls = (self.url, *self.feeds, *self.sitemaps, *self.listings)
        return frozenset({host_of(u) for u in urls} | set(self.hosts))


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a sources file; raise ``InputError`` naming the file and the problem.

    The crawl command, the spider and the address guard all ask for the sources at start-up:
    the file is parsed once per version (path, inode, size, modification time).
    """
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise InputError(path, "sources file does not exist") from None
    except OSError as exc:
        raise InputError(path, f"cannot read sources file ({exc.strerror})") from None
    return list(_load(path, stat.st_ino, stat.st_size, stat.st_mtime_ns))


@lru_cache(maxsize=8)
def _load(path: Path, _inode: int, _size: int, _mtime: int) -> tuple[Source, ...]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "sources file does not exist") from None
    except OSError as exc:
        raise InputError(path, f"cannot read sources file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(path, "sources file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, f"not valid TOML ({exc})") from None
    unknown = sorted(set(data) - {"sources"})
    if unknown:
        raise InputError(
            path, f"unknown top-level key {unknown[0]!r} (expected [[sources]] tables)"
        )
    tables = data.get("sources")
    if not isinstance(tables, list) or not tables:
        raise InputError(path, "no [[sources]] tables")
    sources = tuple(_source(table, f"{path}: sources[{i}]") for i, table in enumerate(tables))
    _check_unique(path, (s.name for s in sources))
    return sources


def _source(table: Any, where: str) -> Source:
    if not isinstance(table, dict):
        raise InputError(where, "must be a table")
    name = table.get("name")
    label = f"{where} ({name})" if isinstance(name, str) and name else where
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise InputError(label, f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(_KEYS))})")
    if not isinstance(name, str) or not name.strip():
        raise InputError(label, "missing 'name'")
    if "url" not in table:
        raise InputError(label, "missing 'url' (the home page)")
    fields: dict[str, Any] = {"name": name.strip(), "url": _url(table["url"], label, "url")}
    for key in _LIST_KEYS:
        values = table.get(key, [])
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list):
            raise InputError(label, f"{key!r} must be a list of strings")
        check = _host if key == "hosts" else _url
        fields[key] = tuple(check(v, label, key) for v in values)
    if "search" in table:
        search = _url(table["search"], label, "search")
        if "{query}" not in search:
            raise InputError(label, "'search' must contain {query}")
        fields["search"] = search
    if "language" in table:
        language = table["language"]
        if not isinstance(language, str) or not _LANGUAGE.match(language):
            raise InputError(
                label, f"'language' must be an ISO 639-1 code like 'en', got {language!r}"
            )
        fields["language"] = language
    if "delay" in table:
        delay = table["delay"]
        if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
            raise InputError(label, f"'delay' must be a number of seconds >= 0, got {delay!r}")
        fields["delay"] = float(delay)
    return Source(**fields)


def _url(value: Any, label: str, key: str) -> str:
    if not isinstance(value, str):
        raise InputError(label, f"{key!r} must be a string URL")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(label, f"{key!r} is not an http(s) URL: {value!r}")
    return value.strip()


def _host(value: Any, label: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip() or "/" in value:
        raise InputError(label, f"{key!r} entries must be host names, got {value!r}")
    return value.strip().lower().removeprefix("www.")


def _check_unique(path: Path, names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(path, f"source name {name!r} appears twice")
        seen.add(name)
