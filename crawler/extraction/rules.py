"""Site rules: per-source selectors and fixes kept as data in ``crawler/site_rules.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from lxml.cssselect import CSSSelector, SelectorError

from crawler.errors import InputError

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Selector:
    """A compiled CSS selector, optionally reading an attribute instead of the text."""

    css: CSSSelector
    attr: str | None = None

    def values(self, tree: etree._Element) -> list[str]:
        """Non-empty texts (or attribute values) of the matching elements, whitespace-collapsed."""
        out = []
        for element in self.css(tree):
            raw = element.get(self.attr) if self.attr else " ".join(element.itertext())
            text = _SPACES.sub(" ", raw or "").strip()
            if text:
                out.append(text)
        return out


@dataclass(frozen=True, slots=True)
class SiteRule:
    """Selectors and fixes for one source."""

    name: str
    hosts: tuple[str, ...]
    title: tuple[Selector, ...] = ()
    lead: tuple[Selector, ...] = ()
    body: tuple[Selector, ...] = ()
    date: tuple[Selector, ...] = ()
    time: tuple[Selector, ...] = ()  # a time of day printed apart from the date
    authors: tuple[Selector, ...] = ()
    drop: tuple[CSSSelector, ...] = ()
    title_suffix: re.Pattern[str] | None = None
    dateline: re.Pattern[str] | None = None
    credit: re.Pattern[str] | None = None
    drop_lines: tuple[re.Pattern[str], ...] = ()
    timezone: str | None = None
    jsonld_block: str = "first"
    based_on: str | None = None
    date_from_url: bool = False

    def first(self, selectors: tuple[Selector, ...], tree: etree._Element) -> list[str]:
        """Values of the first selector in ``selectors`` that matches anything."""
        for selector in selectors:
            if values := selector.values(tree):
                return values
        return []


_SELECTOR_KEYS = ("title", "lead", "body", "date", "time", "authors")
_REGEX_KEYS = ("title_suffix", "dateline", "credit")
_PLAIN_KEYS = ("timezone", "jsonld_block", "based_on", "date_from_url")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _selector(spec: str) -> Selector:
    css, _, attr = spec.partition("@")
    return Selector(CSSSelector(css.strip()), attr.strip() or None)


def parse_rule(raw: dict[str, Any], where: str) -> SiteRule:
    """Build a :class:`SiteRule` from one TOML table; errors name ``where`` and the key."""
    name = raw.get("name")
    hosts = raw.get("hosts")
    if not isinstance(name, str) or not name:
        raise InputError(where, "site rule without a name")
    if not isinstance(hosts, list) or not hosts:
        raise InputError(where, f"site rule {name!r} needs a non-empty 'hosts' list")
    kwargs: dict[str, Any] = {"name": name, "hosts": tuple(h.lower() for h in hosts)}
    key = ""
    try:
        for key in _SELECTOR_KEYS:
            if key in raw:
                kwargs[key] = tuple(_selector(s) for s in _as_list(raw[key]))
        if "drop" in raw:
            key = "drop"
            kwargs["drop"] = tuple(CSSSelector(s) for s in _as_list(raw["drop"]))
        for key in _REGEX_KEYS:
            if key in raw:
                kwargs[key] = re.compile(raw[key])
        if "drop_lines" in raw:
            key = "drop_lines"
            kwargs["drop_lines"] = tuple(re.compile(s) for s in _as_list(raw["drop_lines"]))
    except (SelectorError, re.error, TypeError, AttributeError) as exc:
        raise InputError(where, f"site rule {name!r}: bad {key!r}: {exc}") from None
    for key in _PLAIN_KEYS:
        if key in raw:
            kwargs[key] = raw[key]
    known = {"name", "hosts", "drop", "drop_lines", *_SELECTOR_KEYS, *_REGEX_KEYS, *_PLAIN_KEYS}
    unknown = set(raw) - known
    if unknown:
        raise InputError(where, f"site rule {name!r}: unknown keys {sorted(unknown)}")
    return SiteRule(**kwargs)


def load_rules(text: str, where: str = "site_rules.toml") -> dict[str, SiteRule]:
    """Parse a rules TOML document into a host -> rule map."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(where, f"invalid TOML: {exc}") from None
    by_host: dict[str, SiteRule] = {}
    for raw in data.get("rule", []):
        rule = parse_rule(raw, where)
        for host in rule.hosts:
            by_host[host] = rule
    return by_host


RULES = load_rules(resources.files("crawler").joinpath("site_rules.toml").read_text("utf-8"))


def rule_for(url: str, rules: dict[str, SiteRule] | None = None) -> SiteRule | None:
    """The rule whose host matches ``url`` (exactly, or without a leading "www.")."""
    rules = RULES if rules is None else rules
    host = (urlsplit(url).hostname or "").lower()
    return rules.get(host) or rules.get(host.removeprefix("www."))
